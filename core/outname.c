/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: flow file name templates (-T) and the -F letters, as in tcpflow 1.6.1
 *
 * Reference: tcpflow 1.6.1 src/flow.cpp flow::filename(), src/tcpflow.cpp -F/-T handling.
 */
#include "config.h"

#include "outname.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#ifndef NAME_MAX
#define NAME_MAX 255
#endif

/* Every escape letter tcpflow 1.6.1 knows. */
static const char outname_escapes[] = "AaBbEeVvTtcC#NKMGS%";

/* Largest second count %T prints: 9999-12-31T23:59:59Z. */
#define OUTNAME_MAX_SEC INT64_C(253402300799)

/* A bounded output buffer: appends never write past size-1 and set `overflow` instead. */
struct outname_buf {
    char *p;
    size_t size;
    size_t len;
    bool overflow;
};

static void outname_err(char *errbuf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes one message into errbuf (if not NULL), truncated to TCPF_ERRBUF_SIZE. */
static void
outname_err(char *errbuf, const char *fmt, ...)
{
    va_list ap;

    if (errbuf == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, TCPF_ERRBUF_SIZE, fmt, ap);
    va_end(ap);
}

/* Appends n bytes of s; on overflow keeps the buffer NUL-terminated and flags it. */
static void
outname_put(struct outname_buf *b, const char *s, size_t n)
{
    if (b->overflow || n >= b->size - b->len) {
        b->overflow = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void outname_printf(struct outname_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends printf output (at most 63 bytes per call, enough for every escape). */
static void
outname_printf(struct outname_buf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        b->overflow = true;
        return;
    }
    outname_put(b, tmp, (size_t)n);
}

int
tcpf_outname_format_addr(int family, const uint8_t addr[16], bool pad, char *buf,
                         size_t bufsize)
{
    int n;

    if (bufsize == 0)
        return -1;
    buf[0] = '\0';
    if (family == TCPF_AF_INET && pad) { /* "%03d.%03d.%03d.%03d" without snprintf: twice
                                            * per flow file name */
        if (bufsize < 16)
            return -1;
        for (n = 0; n < 4; n++) {
            buf[4 * n] = (char)('0' + addr[n] / 100);
            buf[4 * n + 1] = (char)('0' + addr[n] / 10 % 10);
            buf[4 * n + 2] = (char)('0' + addr[n] % 10);
            buf[4 * n + 3] = n < 3 ? '.' : '\0';
        }
        return 15;
    }
    if (family != TCPF_AF_INET && family != TCPF_AF_INET6)
        return -1;
    if (bufsize > (size_t)INT_MAX)
        bufsize = (size_t)INT_MAX;
    if (inet_ntop(family == TCPF_AF_INET ? AF_INET : AF_INET6, addr, buf,
                  (socklen_t)bufsize) == NULL) {
        buf[0] = '\0';
        return -1;
    }
    return (int)strlen(buf);
}

/* Formats the first-packet time as ISO-8601 UTC, clamping to years 1970..9999. */
static void
outname_put_iso8601(struct outname_buf *b, const struct tcpf_time *ts)
{
    int64_t sec = ts->sec;
    time_t t;
    struct tm tm;
    char tmp[32];
    size_t n;

    if (sec < 0)
        sec = 0;
    if (sec > OUTNAME_MAX_SEC)
        sec = OUTNAME_MAX_SEC;
    t = (time_t)sec;
    if (gmtime_r(&t, &tm) == NULL) {
        b->overflow = true; /* cannot happen after clamping; fail closed */
        return;
    }
    n = strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    outname_put(b, tmp, n);
}

/* Appends the expansion of escape `e`. Returns false for an unknown escape or family. */
static bool
outname_put_escape(struct outname_buf *b, char e, const struct tcpf_outname_vars *v)
{
    char addr[64];
    const uint8_t *mac;

    switch (e) {
    case 'A':
    case 'B':
        if (tcpf_outname_format_addr(v->family, e == 'A' ? v->src : v->dst, true, addr,
                                     sizeof(addr)) < 0)
            return false;
        outname_put(b, addr, strlen(addr));
        break;
    case 'a':
        outname_printf(b, "%05u", (unsigned)v->sport);
        break;
    case 'b':
        outname_printf(b, "%05u", (unsigned)v->dport);
        break;
    case 'E':
    case 'e':
        if (!v->has_mac)
            break;
        mac = e == 'E' ? v->mac_src : v->mac_dst;
        outname_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                       mac[4], mac[5]);
        break;
    case 'V':
        if (v->has_vlan)
            outname_put(b, "--", 2);
        break;
    case 'v':
        if (v->has_vlan)
            outname_printf(b, "%u", (unsigned)v->vlan);
        break;
    case 'T':
        outname_put_iso8601(b, &v->first_ts);
        break;
    case 't':
        outname_printf(b, "%" PRId64, v->first_ts.sec);
        break;
    case 'c':
        if (v->count > 0)
            outname_printf(b, "%" PRIu64, v->count);
        break;
    case 'C':
        if (v->count > 0)
            outname_put(b, "c", 1);
        break;
    case '#':
        outname_printf(b, "%" PRIu64, v->count);
        break;
    case 'N':
        outname_printf(b, "%03u", (unsigned)(v->flow_id % 1000));
        break;
    case 'K':
        outname_printf(b, "%03u", (unsigned)(v->flow_id / 1000 % 1000));
        break;
    case 'M':
        outname_printf(b, "%03u", (unsigned)(v->flow_id / 1000000 % 1000));
        break;
    case 'G':
        outname_printf(b, "%03u", (unsigned)(v->flow_id / 1000000000 % 1000));
        break;
    case 'S':
        outname_printf(b, "%020" PRIu64, v->session_id);
        break;
    case '%':
        outname_put(b, "%", 1);
        break;
    default:
        return false;
    }
    return true;
}

int
tcpf_outname_validate(const char *tmpl, char errbuf[TCPF_ERRBUF_SIZE])
{
    const char *p;

    if (tmpl == NULL) {
        outname_err(errbuf, "invalid filename template: none given");
        return TCPF_OUTNAME_EINVAL;
    }
    for (p = tmpl; *p != '\0'; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '\0') {
            outname_err(errbuf, "invalid filename template '%.160s': cannot end with a %%",
                        tmpl);
            return TCPF_OUTNAME_EINVAL;
        }
        if (strchr(outname_escapes, *p) == NULL) {
            if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
                outname_err(errbuf, "invalid filename template '%.160s': unknown escape %%%c",
                            tmpl, *p);
            else
                outname_err(errbuf,
                            "invalid filename template '%.160s': unknown escape %%\\x%02x",
                            tmpl, (unsigned char)*p);
            return TCPF_OUTNAME_EINVAL;
        }
    }
    return TCPF_OUTNAME_OK;
}

/* True when tmpl (valid) contains one of the escape letters in `which`. */
static bool
outname_has_escape(const char *tmpl, const char *which)
{
    const char *p;

    for (p = tmpl; *p != '\0'; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '\0')
            return false;
        if (strchr(which, *p) != NULL)
            return true;
    }
    return false;
}

bool
tcpf_outname_has_count(const char *tmpl)
{
    return outname_has_escape(tmpl, "c");
}

bool
tcpf_outname_depends_on_count(const char *tmpl)
{
    return outname_has_escape(tmpl, "cC#");
}

int
tcpf_outname_set_template(const char *user_tmpl, char *out, size_t outsize,
                          char errbuf[TCPF_ERRBUF_SIZE])
{
    size_t len;
    bool append;
    int rc;

    rc = tcpf_outname_validate(user_tmpl, errbuf);
    if (rc != TCPF_OUTNAME_OK)
        return rc;
    len = strlen(user_tmpl);
    append = !tcpf_outname_has_count(user_tmpl);
    if (outsize > TCPF_OUTNAME_MAX)
        outsize = TCPF_OUTNAME_MAX;
    if (len + (append ? 4 : 0) >= outsize) {
        outname_err(errbuf, "filename template too long (%zu bytes)", len);
        return TCPF_OUTNAME_ETOOLONG;
    }
    memcpy(out, user_tmpl, len + 1);
    if (append)
        memcpy(out + len, "%C%c", 5);
    return TCPF_OUTNAME_OK;
}

/* Prepends `prefix` to tmpl in place if it fits. */
static int
outname_prepend(char *tmpl, size_t tmplsize, const char *prefix, char *errbuf)
{
    size_t plen = strlen(prefix), tlen = strlen(tmpl);

    if (tmplsize > TCPF_OUTNAME_MAX)
        tmplsize = TCPF_OUTNAME_MAX;
    if (plen + tlen >= tmplsize) {
        outname_err(errbuf, "filename template too long after -F (%zu bytes)", plen + tlen);
        return TCPF_OUTNAME_ETOOLONG;
    }
    memmove(tmpl + plen, tmpl, tlen + 1);
    memcpy(tmpl, prefix, plen);
    return TCPF_OUTNAME_OK;
}

/* -Fc: %C -> "c", %c -> "%#", in place if it fits. */
static int
outname_count_always(char *tmpl, size_t tmplsize, char *errbuf)
{
    char tmp[TCPF_OUTNAME_MAX];
    struct outname_buf b = { tmp, sizeof(tmp), 0, false };
    const char *p;

    tmp[0] = '\0';
    if (tmplsize > TCPF_OUTNAME_MAX)
        tmplsize = TCPF_OUTNAME_MAX;
    for (p = tmpl; *p != '\0'; p++) {
        if (*p != '%') {
            outname_put(&b, p, 1);
            continue;
        }
        p++;
        if (*p == 'C')
            outname_put(&b, "c", 1);
        else if (*p == 'c')
            outname_put(&b, "%#", 2);
        else
            outname_put(&b, p - 1, 2);
    }
    if (b.overflow || b.len >= tmplsize) {
        outname_err(errbuf, "filename template too long after -Fc");
        return TCPF_OUTNAME_ETOOLONG;
    }
    memcpy(tmpl, tmp, b.len + 1);
    return TCPF_OUTNAME_OK;
}

int
tcpf_outname_apply_flag(char *tmpl, size_t tmplsize, char letter, unsigned *flags,
                        char errbuf[TCPF_ERRBUF_SIZE])
{
    int rc = tcpf_outname_validate(tmpl, errbuf);

    if (rc != TCPF_OUTNAME_OK)
        return rc;
    switch (letter) {
    case 'c':
        return outname_count_always(tmpl, tmplsize, errbuf);
    case 'C':
        return outname_prepend(tmpl, tmplsize, "%#-", errbuf);
    case 't':
        return outname_prepend(tmpl, tmplsize, "%tT", errbuf);
    case 'T':
        return outname_prepend(tmpl, tmplsize, "%T", errbuf);
    case 'k':
        return outname_prepend(tmpl, tmplsize, "%K/", errbuf);
    case 'm':
        return outname_prepend(tmpl, tmplsize, "%M000-%M999/%M%K/", errbuf);
    case 'g':
        return outname_prepend(tmpl, tmplsize, "%G000000-%G999999/%G%M000-%G%M999/%G%M%K/",
                               errbuf);
    case 'X':
        if (flags != NULL)
            *flags |= TCPF_OUTNAME_F_NOSTORE;
        return TCPF_OUTNAME_OK;
    case 'M':
        if (flags != NULL)
            *flags |= TCPF_OUTNAME_F_MD5;
        return TCPF_OUTNAME_OK;
    default:
        if ((unsigned char)letter >= 0x20 && (unsigned char)letter < 0x7f)
            outname_err(errbuf, "-F invalid format specification '%c'", letter);
        else
            outname_err(errbuf, "-F invalid format specification '\\x%02x'",
                        (unsigned char)letter);
        return TCPF_OUTNAME_EBADFLAG;
    }
}

int
tcpf_outname_apply_flags(char *tmpl, size_t tmplsize, const char *letters, unsigned *flags,
                         char errbuf[TCPF_ERRBUF_SIZE])
{
    char first_err[TCPF_ERRBUF_SIZE];
    bool bad = false;
    int rc;

    first_err[0] = '\0';
    for (; *letters != '\0'; letters++) {
        rc = tcpf_outname_apply_flag(tmpl, tmplsize, *letters, flags, errbuf);
        if (rc == TCPF_OUTNAME_EBADFLAG) {
            if (!bad && errbuf != NULL)
                memcpy(first_err, errbuf, sizeof(first_err));
            bad = true;
            continue;
        }
        if (rc != TCPF_OUTNAME_OK)
            return rc;
    }
    if (!bad)
        return TCPF_OUTNAME_OK;
    if (errbuf != NULL)
        memcpy(errbuf, first_err, sizeof(first_err));
    return TCPF_OUTNAME_EBADFLAG;
}

/* Checks an expanded name: relative, every '/'-separated part non-empty, not "." or "..",
 * and at most NAME_MAX bytes. */
static int
outname_check_safe(const char *name, char *errbuf)
{
    const char *p = name, *slash;
    size_t clen;

    if (name[0] == '/') {
        outname_err(errbuf, "unsafe file name '%.160s': absolute path", name);
        return TCPF_OUTNAME_EUNSAFE;
    }
    for (;;) {
        slash = strchr(p, '/');
        clen = slash != NULL ? (size_t)(slash - p) : strlen(p);
        if (clen == 0 || (clen == 1 && p[0] == '.') ||
            (clen == 2 && p[0] == '.' && p[1] == '.')) {
            outname_err(errbuf, "unsafe file name '%.160s': empty, '.' or '..' component",
                        name);
            return TCPF_OUTNAME_EUNSAFE;
        }
        if (clen > NAME_MAX) {
            outname_err(errbuf, "file name component too long (%zu bytes) in '%.100s...'",
                        clen, name);
            return TCPF_OUTNAME_ETOOLONG;
        }
        if (slash == NULL)
            return TCPF_OUTNAME_OK;
        p = slash + 1;
    }
}

int
tcpf_outname_expand(const char *tmpl, const struct tcpf_outname_vars *vars, char *buf,
                    size_t bufsize, char errbuf[TCPF_ERRBUF_SIZE])
{
    struct outname_buf b;
    const char *p, *lit;
    int rc;

    if (bufsize == 0)
        return TCPF_OUTNAME_ETOOLONG;
    buf[0] = '\0';
    rc = tcpf_outname_validate(tmpl, errbuf);
    if (rc != TCPF_OUTNAME_OK)
        return rc;
    b.p = buf;
    b.size = bufsize > TCPF_OUTNAME_MAX ? TCPF_OUTNAME_MAX : bufsize;
    b.len = 0;
    b.overflow = false;
    for (p = tmpl; *p != '\0' && !b.overflow; p++) {
        if (*p != '%') {
            for (lit = p; p[1] != '\0' && p[1] != '%'; p++)
                ;
            outname_put(&b, lit, (size_t)(p - lit) + 1);
            continue;
        }
        p++;
        if (!outname_put_escape(&b, *p, vars)) {
            outname_err(errbuf, "cannot expand %%%c: unknown address family %d", *p,
                        vars->family);
            buf[0] = '\0';
            return TCPF_OUTNAME_EINVAL;
        }
    }
    if (b.overflow) {
        outname_err(errbuf, "expanded file name too long (limit %zu bytes)", b.size - 1);
        buf[0] = '\0';
        return TCPF_OUTNAME_ETOOLONG;
    }
    rc = outname_check_safe(buf, errbuf);
    if (rc != TCPF_OUTNAME_OK)
        buf[0] = '\0';
    return rc;
}
