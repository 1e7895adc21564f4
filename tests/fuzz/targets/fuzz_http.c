/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: libFuzzer target: the http plugin's decoding chain (hparse + hdecode)
 *
 * Input: byte 0 is the mode, byte 1 picks the piece sizes, the rest is data.
 *   mode bit 0 = 0: an HTTP/1.x stream (bit 1: responses, else requests) goes through hp_feed()
 *     in pieces; a Content-Encoding header is parsed with hdec_parse() and, when decodable,
 *     the body goes through an hdec chain into a counting sink, as the scanner does. Parser
 *     errors hp_reset() and go on after the bad byte (the scanner's resynchronisation).
 *   mode bit 0 = 1: raw decoder: bits 1-2 give the number of codings (1-4), bytes 2.. their
 *     ids (gzip, deflate, br, zstd), bits 3-4 the memory cap (16 KiB, 256 KiB, 1 MiB,
 *     8 MiB); the rest is fed to hdec_feed() in pieces.
 * Piece size: (byte 1 & 0x7f) + 1 bytes, or the whole rest when byte 1 has bit 7.
 *
 * Oracle: besides the sanitizers, every sink piece is 1..HDEC_BUF_LEN bytes, the sink is
 * never called again after it asked to stop, the decoded output of one body never exceeds
 * the cap (16 MiB) plus one piece, and a parser never consumes more than it was given.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "hdecode.h"
#include "hparse.h"

#define FH_CAP (16u * 1024 * 1024)
#define FH_STR 256

struct fh_sink {
    uint64_t out;
    bool stopped;
};

static int
fh_sink(void *ctx, const uint8_t *data, size_t len)
{
    struct fh_sink *s = ctx;

    FUZZ_CHECK(!s->stopped);
    FUZZ_CHECK(len > 0 && len <= HDEC_BUF_LEN);
    FUZZ_CHECK(data != NULL);
    /* touch every byte so ASan checks the whole piece */
    {
        volatile uint8_t x = 0;
        size_t i;

        for (i = 0; i < len; i++)
            x ^= data[i];
        (void)x;
    }
    s->out += len;
    FUZZ_CHECK(s->out <= FH_CAP + HDEC_BUF_LEN);
    if (s->out >= FH_CAP) {
        s->stopped = true;
        return 1;
    }
    return 0;
}

/* Feeds in[0..len) to d in pieces of `piece` bytes. */
static int
fh_feed(struct hdec *d, const uint8_t *in, size_t len, size_t piece, struct fh_sink *s)
{
    int rc = HDEC_OK;

    while (len > 0 && rc == HDEC_OK) {
        size_t n = len < piece ? len : piece;

        rc = hdec_feed(d, in, n, fh_sink, s);
        FUZZ_CHECK(rc == HDEC_OK || rc == HDEC_STOP || rc == HDEC_EDATA || rc == HDEC_ENOMEM ||
                   rc == HDEC_EUNSUP);
        in += n;
        len -= n;
    }
    if (rc != HDEC_OK) {
        /* after anything but OK the chain outputs nothing more */
        bool was = s->stopped;

        s->stopped = true;
        (void)hdec_feed(d, (const uint8_t *)"\x1f\x8b\x08\0\0\0\0\0\0\x03", 10, fh_sink, s);
        s->stopped = was;
    }
    (void)hdec_error(d);
    return rc;
}

static void
fh_raw(const uint8_t *data, size_t size, uint8_t mode, size_t piece)
{
    static const size_t caps[4] = { 16 * 1024, 256 * 1024, 1024 * 1024, 8 * 1024 * 1024 };
    enum hdec_coding c[4];
    size_t n = ((mode >> 1) & 3) + 1, i;
    struct fh_sink s;
    struct hdec *d;

    if (size < n)
        return;
    for (i = 0; i < n; i++) {
        c[i] = (enum hdec_coding)(data[i] % 4 + 1);
        if (!hdec_supported(c[i]))
            return;
        FUZZ_CHECK(hdec_name(c[i]) != NULL);
    }
    d = hdec_create(c, n, caps[(mode >> 3) & 3]);
    if (d == NULL)
        return;
    memset(&s, 0, sizeof(s));
    if (fh_feed(d, data + n, size - n, piece, &s) == HDEC_OK) {
        int rc = hdec_finish(d);

        FUZZ_CHECK(rc == HDEC_OK || rc == HDEC_ETRUNC || rc == HDEC_EDATA);
    }
    (void)hdec_consumed(d);
    hdec_destroy(d);
}

/* ---- HTTP mode ---- */

struct fh_msg {
    char field[FH_STR], value[FH_STR];
    size_t flen, vlen;
    bool in_value;
    char ce[FH_STR];     /* Content-Encoding of the message */
    bool has_ce;
    struct hdec *dec;
    struct fh_sink s;
    int dec_rc;
    uint64_t messages;
};

static void
fh_end_header(struct fh_msg *m)
{
    if (m->flen == 16 && strncasecmp(m->field, "content-encoding", 16) == 0) {
        memcpy(m->ce, m->value, m->vlen);
        m->ce[m->vlen] = '\0';
        m->has_ce = true;
    }
    m->flen = m->vlen = 0;
    m->in_value = false;
}

static void
fh_append(char *buf, size_t *len, const char *at, size_t n)
{
    size_t room = FH_STR - 1 - *len;

    if (n > room)
        n = room;
    memcpy(buf + *len, at, n);
    *len += n;
    buf[*len] = '\0';
}

static int
fh_begin(void *ctx)
{
    struct fh_msg *m = ctx;

    hdec_destroy(m->dec);
    m->dec = NULL;
    m->has_ce = false;
    m->flen = m->vlen = 0;
    m->in_value = false;
    m->messages++;
    return 0;
}

static int
fh_url(void *ctx, const char *at, size_t len)
{
    (void)ctx;
    FUZZ_CHECK(at != NULL || len == 0);
    return 0;
}

static int
fh_field(void *ctx, const char *at, size_t len)
{
    struct fh_msg *m = ctx;

    if (m->in_value)
        fh_end_header(m);
    fh_append(m->field, &m->flen, at, len);
    return 0;
}

static int
fh_value(void *ctx, const char *at, size_t len)
{
    struct fh_msg *m = ctx;

    m->in_value = true;
    fh_append(m->value, &m->vlen, at, len);
    return 0;
}

static int
fh_headers_done(void *ctx, const struct hp_info *info)
{
    struct fh_msg *m = ctx;
    enum hdec_coding c[HDEC_MAX_CODINGS];
    size_t n = 0, i;
    const char *bad = NULL;
    int rc;

    if (m->in_value)
        fh_end_header(m);
    FUZZ_CHECK(info != NULL && info->method != NULL);
    FUZZ_CHECK(info->is_request ? info->status == 0 : info->method[0] == '\0');
    if (m->has_ce) {
        rc = hdec_parse(m->ce, c, &n, &bad);
        FUZZ_CHECK(rc == 0 || rc == HDEC_EUNSUP || rc == HDEC_EDATA);
        FUZZ_CHECK(n <= HDEC_MAX_CODINGS);
        if (rc == HDEC_EUNSUP)
            FUZZ_CHECK(bad != NULL);
        if (rc == 0 && n > 0 && n <= 3) {
            for (i = 0; i < n; i++)
                if (!hdec_supported(c[i]))
                    break;
            if (i == n)
                m->dec = hdec_create(c, n, 1024 * 1024);
        }
    }
    memset(&m->s, 0, sizeof(m->s));
    m->dec_rc = HDEC_OK;
    if (!info->is_request && (info->status / 100 == 1 || info->status == 204 || info->status == 304))
        return 1;
    return 0;
}

static int
fh_body(void *ctx, const char *at, size_t len)
{
    struct fh_msg *m = ctx;

    FUZZ_CHECK(at != NULL && len > 0);
    if (m->dec != NULL && m->dec_rc == HDEC_OK)
        m->dec_rc = fh_feed(m->dec, (const uint8_t *)at, len, len, &m->s);
    return 0;
}

static int
fh_complete(void *ctx)
{
    struct fh_msg *m = ctx;

    if (m->dec != NULL) {
        if (m->dec_rc == HDEC_OK)
            (void)hdec_finish(m->dec);
        hdec_destroy(m->dec);
        m->dec = NULL;
    }
    return 0;
}

static void
fh_http(const uint8_t *data, size_t size, enum hp_type type, size_t piece)
{
    static const struct hp_callbacks cb = {
        fh_begin, fh_url, fh_field, fh_value, fh_headers_done, fh_body, fh_complete
    };
    struct fh_msg m;
    struct hp *p;
    size_t resyncs = 0;

    memset(&m, 0, sizeof(m));
    p = hp_create(type, &cb, &m);
    if (p == NULL)
        return;
    while (size > 0) {
        size_t n = size < piece ? size : piece, used;
        enum hp_status st = HP_OK;

        used = hp_feed(p, data, n, &st);
        FUZZ_CHECK(used <= n);
        (void)hp_in_message(p);
        (void)hp_gap_fillable(p, 100);
        if (st == HP_UPGRADE)
            break;
        if (st == HP_ERROR) {
            FUZZ_CHECK(hp_error_name(p) != NULL);
            if (++resyncs > 64)
                break;
            hp_reset(p, type);
            if (m.dec != NULL) {
                hdec_destroy(m.dec);
                m.dec = NULL;
            }
            used++; /* skip the byte that broke the parser */
            if (used > n)
                used = n;
        } else {
            FUZZ_CHECK(used == n);
        }
        data += used;
        size -= used;
    }
    (void)hp_eof(p);
    hdec_destroy(m.dec);
    hp_destroy(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t mode;
    size_t piece;

    if (size < 2)
        return 0;
    mode = data[0];
    piece = (data[1] & 0x80) ? (size_t)-1 : (size_t)(data[1] & 0x7f) + 1;
    (void)hp_is_method((const char *)data, size < 8 ? size : 8);
    if (mode & 1)
        fh_raw(data + 2, size - 2, mode, piece);
    else
        fh_http(data + 2, size - 2, (mode & 2) ? HP_RESPONSE : HP_REQUEST, piece);
    return 0;
}
