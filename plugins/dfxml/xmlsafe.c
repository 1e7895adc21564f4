/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: dfxml plugin: sanitising streaming XML writer over libxml2's xmlTextWriter
 *
 * References: XML 1.0 (Fifth Edition) §2.2 Characters (the Char production); RFC 3629
 * (UTF-8: no overlongs, no surrogates, nothing above U+10FFFF).
 */
/* No config.h in plugins: ask for POSIX.1-2008 (openat, gmtime_r, strdup...) here. */
#define _POSIX_C_SOURCE 200809L

#include "xmlsafe.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlIO.h>
#include <libxml/xmlwriter.h>

struct dfx_xml {
    xmlTextWriterPtr w;
    FILE *fp;
    int err_no; /* first failure: errno of a write, ENOMEM, or EIO for libxml2 errors */
    char *buf;  /* cleaning buffer */
    size_t cap;
};

/* ---- cleaning ------------------------------------------------------------------------------ */

static bool
xmlsafe_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Length of the valid, XML-allowed UTF-8 character at s (n bytes left), or 0. */
static size_t
xmlsafe_char_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    uint32_t cp;

    if (c < 0x80)
        return (c >= 0x20 || c == 0x09 || c == 0x0A || c == 0x0D) ? 1 : 0;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && xmlsafe_cont(s[1]) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || !xmlsafe_cont(s[1]) || !xmlsafe_cont(s[2]))
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
            return 0; /* overlong, or a UTF-16 surrogate */
        cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return cp == 0xFFFE || cp == 0xFFFF ? 0 : 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || !xmlsafe_cont(s[1]) || !xmlsafe_cont(s[2]) || !xmlsafe_cont(s[3]))
            return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
            return 0; /* overlong, or above U+10FFFF */
        return 4;
    }
    return 0; /* 0x80-0xC1 (stray continuation, overlong lead), 0xF5-0xFF */
}

size_t
dfx_xml_clean(const char *s, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0, k;

    while (i < len) {
        k = xmlsafe_char_len(p + i, len - i);
        if (k > 0) {
            if (o + k < cap)
                memcpy(out + o, p + i, k);
            else if (o < cap)
                cap = o + 1; /* stop copying: keep the prefix on a character boundary */
            o += k;
            i += k;
        } else {
            char esc[4] = { '\\', 'x', hex[p[i] >> 4], hex[p[i] & 15] };

            if (o + 4 < cap)
                memcpy(out + o, esc, 4);
            else if (o < cap)
                cap = o + 1;
            o += 4;
            i++;
        }
    }
    out[o < cap ? o : cap - 1] = '\0';
    return o;
}

/* Cleans s into x->buf; returns it, or s itself when it is all printable ASCII (numbers,
 * addresses, digests, times: nearly every value; no copy), or NULL (sticky failure) on
 * memory. */
static const char *
xmlsafe_cleaned(struct dfx_xml *x, const char *s)
{
    size_t len, need;
    const unsigned char *p = (const unsigned char *)s;

    while (*p >= 0x20 && *p < 0x7f)
        p++;
    if (*p == '\0')
        return s;
    len = (size_t)(p - (const unsigned char *)s) + strlen((const char *)p);

    if (len > (SIZE_MAX - 1) / 4) {
        x->err_no = ENOMEM;
        return NULL;
    }
    need = len * 4 + 1;
    if (need > x->cap) {
        char *b = realloc(x->buf, need);

        if (b == NULL) {
            x->err_no = ENOMEM;
            return NULL;
        }
        x->buf = b;
        x->cap = need;
    }
    dfx_xml_clean(s, len, x->buf, x->cap);
    return x->buf;
}

/* ---- output -------------------------------------------------------------------------------- */

/* Output callbacks. A failure is recorded in err_no and hidden from libxml2 (which would
 * print "I/O error" lines on stderr by itself); everything after it is dropped. */
static int
xmlsafe_write(void *ctx, const char *buf, int len)
{
    struct dfx_xml *x = ctx;

    if (x->err_no == 0 && len > 0 && fwrite(buf, 1, (size_t)len, x->fp) != (size_t)len)
        x->err_no = errno ? errno : EIO;
    return len;
}

static int
xmlsafe_close(void *ctx)
{
    struct dfx_xml *x = ctx;

    if (x->err_no == 0 && fflush(x->fp) != 0)
        x->err_no = errno ? errno : EIO;
    return 0;
}

/* Records a libxml2 failure (return value < 0) without overwriting an earlier errno. */
static void
xmlsafe_check(struct dfx_xml *x, int rc)
{
    if (rc < 0 && x->err_no == 0)
        x->err_no = EIO;
}

struct dfx_xml *
dfx_xml_create(FILE *fp)
{
    struct dfx_xml *x = calloc(1, sizeof(*x));
    xmlOutputBufferPtr out;

    if (x == NULL)
        return NULL;
    x->fp = fp;
    out = xmlOutputBufferCreateIO(xmlsafe_write, xmlsafe_close, x, NULL);
    if (out == NULL) {
        free(x);
        return NULL;
    }
    x->w = xmlNewTextWriter(out); /* owns out from here on */
    if (x->w == NULL) {
        xmlOutputBufferClose(out);
        free(x);
        return NULL;
    }
    xmlsafe_check(x, xmlTextWriterSetIndent(x->w, 1));
    xmlsafe_check(x, xmlTextWriterSetIndentString(x->w, (const xmlChar *)"  "));
    xmlsafe_check(x, xmlTextWriterStartDocument(x->w, NULL, "UTF-8", NULL));
    return x;
}

bool
dfx_xml_failed(const struct dfx_xml *x)
{
    return x == NULL || x->err_no != 0;
}

int
dfx_xml_finish(struct dfx_xml *x, int *err_no)
{
    int e;

    if (x == NULL) {
        *err_no = ENOMEM;
        return -1;
    }
    if (x->err_no == 0) {
        xmlsafe_check(x, xmlTextWriterEndDocument(x->w));
        xmlsafe_check(x, xmlTextWriterFlush(x->w));
    }
    xmlFreeTextWriter(x->w); /* closes the output buffer: xmlsafe_close flushes fp */
    e = x->err_no;
    free(x->buf);
    free(x);
    *err_no = e;
    return e ? -1 : 0;
}

void
dfx_xml_abandon(struct dfx_xml *x)
{
    if (x == NULL)
        return;
    x->err_no = x->err_no ? x->err_no : ECANCELED; /* nothing more reaches fp */
    xmlFreeTextWriter(x->w);
    free(x->buf);
    free(x);
}

void
dfx_xml_start(struct dfx_xml *x, const char *name)
{
    if (x->err_no == 0)
        xmlsafe_check(x, xmlTextWriterStartElement(x->w, (const xmlChar *)name));
}

void
dfx_xml_end(struct dfx_xml *x)
{
    if (x->err_no == 0)
        xmlsafe_check(x, xmlTextWriterEndElement(x->w));
}

void
dfx_xml_attr(struct dfx_xml *x, const char *name, const char *value)
{
    const char *v;

    if (x->err_no != 0 || (v = xmlsafe_cleaned(x, value ? value : "")) == NULL)
        return;
    xmlsafe_check(x, xmlTextWriterWriteAttribute(x->w, (const xmlChar *)name, (const xmlChar *)v));
}

/* v in decimal, written at the end of buf; returns where it starts. (snprintf cost a
 * twentieth of a run of short connections: a dozen numbers per flow.) */
static const char *
dfx_u64_dec(uint64_t v, char buf[24])
{
    char *p = buf + 23;

    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return p;
}

void
dfx_xml_attr_u64(struct dfx_xml *x, const char *name, uint64_t v)
{
    char buf[24];

    dfx_xml_attr(x, name, dfx_u64_dec(v, buf));
}

void
dfx_xml_text(struct dfx_xml *x, const char *value)
{
    const char *v;

    if (x->err_no != 0 || (v = xmlsafe_cleaned(x, value ? value : "")) == NULL)
        return;
    xmlsafe_check(x, xmlTextWriterWriteString(x->w, (const xmlChar *)v));
}

void
dfx_xml_elem(struct dfx_xml *x, const char *name, const char *value)
{
    dfx_xml_start(x, name);
    dfx_xml_text(x, value);
    dfx_xml_end(x);
}

void
dfx_xml_elem_u64(struct dfx_xml *x, const char *name, uint64_t v)
{
    char buf[24];

    dfx_xml_elem(x, name, dfx_u64_dec(v, buf));
}
