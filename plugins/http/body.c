/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: http plugin: streams one message body to its derived files, decoding on the way
 *
 * Files of a body (flow file name + "-" + suffix, created by the host's derived_open):
 *   HTTPBODY-NNN[.ext]  the body as the application sees it: decoded when it had a
 *                       Content-Encoding we decode, else as received. With a limit or a
 *                       decoding error it holds what was decoded up to that point.
 *   HTTPBODY-NNN.raw    the body as sent (after removing chunked transfer coding), written
 *                       only when it could not be fully decoded: a limit, corrupt or cut
 *                       compressed data, an unknown coding, or more codings than max_layers.
 * Files are opened on the first byte, so empty bodies leave no file (as in tcpflow 1.6.1).
 *
 * Keeping the raw body on a limit: while decoding, the first raw_keep bytes of the raw
 * body are held in memory. A limit hit within them (always the case for a decompression
 * bomb, whose raw size is tiny) writes them and the rest of the body to .raw. A limit hit
 * later cannot recover the start: the event raw-not-kept is reported instead. Memory per
 * body is thus at most raw_keep + the decoder's state (capped by max_memory).
 */
#define _POSIX_C_SOURCE 200809L /* strdup, strcasecmp */

#include <stdlib.h>
#include <string.h>

#ifdef HTTP_HAVE_NETTLE
#include <nettle/sha2.h>
#include <nettle/version.h>
#if NETTLE_VERSION_MAJOR >= 4 /* no length argument since Nettle 4 */
#define BODY_SHA256_DIGEST(c, md) sha256_digest((c), (md))
#else
#define BODY_SHA256_DIGEST(c, md) sha256_digest((c), SHA256_DIGEST_SIZE, (md))
#endif
#endif

#include "http.h"

#define HTTP_RATIO_MIN (1024 * 1024) /* the ratio cap applies beyond this decoded size */

static const struct {
    unsigned bit;
    const char *name;
} http_event_names[] = {
    { HEV_LIMIT_SIZE, "decompression-limit:size" },
    { HEV_LIMIT_RATIO, "decompression-limit:ratio" },
    { HEV_LIMIT_LAYERS, "decompression-limit:layers" },
    { HEV_LIMIT_MEMORY, "decompression-limit:memory" },
    { HEV_DECODE_ERROR, "decode-error" },
    { HEV_DECODE_CUT, "decode-cut" },
    { HEV_UNSUPPORTED, "unsupported-encoding" },
    { HEV_NOT_DECODED, "not-decoded" },
    { HEV_GAP, "gap" },
    { HEV_HOLES, "holes-zero-filled" },
    { HEV_PARSE_ERROR, "parse-error" },
    { HEV_INCOMPLETE, "incomplete" },
    { HEV_RAW_LOST, "raw-not-kept" },
    { HEV_WRITE_ERROR, "write-error" },
    { HEV_UNPAIRED, "unpaired" },
    { HEV_PAIR_GUESS, "pairing-uncertain" },
    { HEV_URI_LONG, "uri-truncated" },
};

void
http_events_str(unsigned ev, char *buf, size_t len)
{
    size_t i, n = 0;

    buf[0] = '\0';
    for (i = 0; i < sizeof(http_event_names) / sizeof(http_event_names[0]); i++) {
        int w;

        if (!(ev & http_event_names[i].bit))
            continue;
        w = snprintf(buf + n, len - n, "%s%s", n ? "," : "", http_event_names[i].name);
        if (w < 0 || (size_t)w >= len - n)
            break;
        n += (size_t)w;
    }
}

/* ---- digests -------------------------------------------------------------------------------- */

/* sha256 with Nettle; one heap context per body (NULL without Nettle or out of memory: no
 * digest is reported). */
static void *
body_sha_new(void)
{
#ifdef HTTP_HAVE_NETTLE
    struct sha256_ctx *c = malloc(sizeof(*c));

    if (c != NULL)
        sha256_init(c);
    return c;
#else
    return NULL;
#endif
}

static void
body_sha_update(void *c, const uint8_t *d, size_t n)
{
#ifdef HTTP_HAVE_NETTLE
    if (c != NULL)
        sha256_update(c, n, d);
#else
    (void)c, (void)d, (void)n;
#endif
}

static void
body_sha_end(void **cp, char hex[65])
{
#ifdef HTTP_HAVE_NETTLE
    uint8_t md[SHA256_DIGEST_SIZE];
    unsigned int i;

    hex[0] = '\0';
    if (*cp == NULL)
        return;
    BODY_SHA256_DIGEST(*cp, md);
    for (i = 0; i < sizeof(md); i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    free(*cp);
    *cp = NULL;
#else
    hex[0] = '\0';
    (void)cp;
#endif
}

/* ---- files ---------------------------------------------------------------------------------- */

/* Opens a derived file; *name gets a copy of the name the host chose. */
static FILE *
body_open(struct http_body *b, bool is_raw, char **name)
{
    char suffix[TCPF_SUFFIX_MAX + 1];
    const char *ext = is_raw ? "raw" : b->ext;
    FILE *fp;

    snprintf(suffix, sizeof(suffix), "HTTPBODY-%03llu%s%s", (unsigned long long)b->msg_no,
             ext ? "." : "", ext ? ext : "");
    if (b->view == NULL || (fp = b->host->derived_open(b->host, b->view, suffix)) == NULL) {
        b->events |= HEV_WRITE_ERROR;
        return NULL;
    }
    if (b->view->n_derived > 0 && b->view->derived != NULL)
        *name = strdup(b->view->derived[b->view->n_derived - 1].name);
    return fp;
}

static void
body_out(struct http_body *b, const uint8_t *d, size_t n)
{
    if (n == 0 || b->out_failed)
        return;
    if (b->out == NULL) {
        if ((b->out = body_open(b, false, &b->out_name)) == NULL) {
            b->out_failed = true;
            return;
        }
        b->sha = body_sha_new();
    }
    if (fwrite(d, 1, n, b->out) != n)
        b->events |= HEV_WRITE_ERROR;
    body_sha_update(b->sha, d, n);
    b->out_len += n;
}

static void
body_raw(struct http_body *b, const uint8_t *d, size_t n)
{
    if (n == 0 || b->rawf_len == UINT64_MAX)
        return;
    if (b->rawf == NULL) {
        if ((b->rawf = body_open(b, true, &b->raw_name)) == NULL) {
            b->rawf_len = UINT64_MAX; /* do not retry */
            return;
        }
        b->rsha = body_sha_new();
    }
    if (fwrite(d, 1, n, b->rawf) != n)
        b->events |= HEV_WRITE_ERROR;
    body_sha_update(b->rsha, d, n);
    b->rawf_len += n;
}

/* ---- decoding ------------------------------------------------------------------------------- */

/* Decoder output: enforces the size and ratio caps. Non-zero stops the decoder. */
static int
body_sink(void *ctx, const uint8_t *d, size_t n)
{
    struct http_body *b = ctx;
    const struct http_cfg *cfg = b->cfg;
    uint64_t consumed;

    if (cfg->max_decoded > 0 && n > cfg->max_decoded - b->out_len) {
        body_out(b, d, (size_t)(cfg->max_decoded - b->out_len));
        b->events |= HEV_LIMIT_SIZE;
        return 1;
    }
    body_out(b, d, n);
    consumed = hdec_consumed(b->dec);
    if (cfg->max_ratio > 0 && b->out_len > HTTP_RATIO_MIN &&
        b->out_len / cfg->max_ratio > consumed) {
        b->events |= HEV_LIMIT_RATIO;
        return 1;
    }
    return 0;
}

/* Decoding stopped for good: keep the raw body from now on (if its start is still held). */
static void
body_to_raw(struct http_body *b)
{
    hdec_destroy(b->dec);
    b->dec = NULL;
    if (b->keep_over) {
        b->events |= HEV_RAW_LOST;
        b->mode = HB_DISCARD;
    } else {
        body_raw(b, b->keep, b->keep_len);
        b->mode = HB_RAW;
    }
    free(b->keep);
    b->keep = NULL;
    b->keep_len = b->keep_cap = 0;
}

static void
body_keep(struct http_body *b, const uint8_t *d, size_t n)
{
    if (b->keep_over)
        return;
    if (n > b->cfg->raw_keep - b->keep_len) {
        b->keep_over = true;
        free(b->keep);
        b->keep = NULL;
        b->keep_len = b->keep_cap = 0;
        return;
    }
    if (b->keep_len + n > b->keep_cap) {
        size_t cap = b->keep_cap ? b->keep_cap : 16384;
        uint8_t *p;

        while (cap < b->keep_len + n)
            cap *= 2;
        if (cap > b->cfg->raw_keep)
            cap = (size_t)b->cfg->raw_keep;
        if ((p = realloc(b->keep, cap)) == NULL) {
            b->keep_over = true;
            free(b->keep);
            b->keep = NULL;
            b->keep_len = b->keep_cap = 0;
            return;
        }
        b->keep = p;
        b->keep_cap = cap;
    }
    memcpy(b->keep + b->keep_len, d, n);
    b->keep_len += n;
}

static void
body_decode_failed(struct http_body *b, int st)
{
    if (st == HDEC_ENOMEM)
        b->events |= HEV_LIMIT_MEMORY;
    else if (st == HDEC_EDATA || st == HDEC_EUNSUP)
        b->events |= HEV_DECODE_ERROR;
    else if (st == HDEC_ETRUNC)
        b->events |= HEV_DECODE_CUT;
    /* HDEC_STOP: the sink set the limit event */
    if (b->detail == NULL && st != HDEC_STOP && b->dec != NULL)
        b->detail = hdec_error(b->dec);
    body_to_raw(b);
}

/* ---- public --------------------------------------------------------------------------------- */

void
http_body_begin(struct http_body *b, const struct tcpf_host *host, const struct http_cfg *cfg,
                uint64_t msg_no, const char *ext, const char *content_encoding)
{
    enum hdec_coding codings[HDEC_MAX_CODINGS];
    size_t n = 0;
    const char *bad = NULL;
    int rc;

    memset(b, 0, sizeof(*b));
    b->host = host;
    b->cfg = cfg;
    b->msg_no = msg_no;
    b->ext = ext;
    rc = hdec_parse(content_encoding, codings, &n, &bad);
    if (rc == 0 && n == 0) {
        b->mode = HB_PLAIN;
    } else if (!cfg->decompress) {
        b->mode = HB_PLAIN;
        b->events |= HEV_NOT_DECODED;
    } else if (rc == HDEC_EUNSUP) {
        b->mode = HB_RAW;
        b->events |= HEV_UNSUPPORTED;
        b->detail = bad;
    } else if (rc != 0 || n > cfg->max_layers) {
        b->mode = HB_RAW;
        b->events |= HEV_LIMIT_LAYERS;
    } else {
        size_t i;

        for (i = 0; i < n; i++) {
            if (!hdec_supported(codings[i])) {
                b->mode = HB_RAW;
                b->events |= HEV_UNSUPPORTED;
                b->detail = hdec_name(codings[i]);
                return;
            }
        }
        b->dec = hdec_create(codings, n, (size_t)cfg->max_memory);
        if (b->dec == NULL) {
            b->mode = HB_RAW;
            b->events |= HEV_LIMIT_MEMORY;
        } else {
            b->mode = HB_DECODE;
        }
    }
}

void
http_body_write(struct http_body *b, const uint8_t *data, size_t len)
{
    int st;

    b->raw_len += len;
    switch (b->mode) {
    case HB_PLAIN:
        body_out(b, data, len);
        break;
    case HB_RAW:
        body_raw(b, data, len);
        break;
    case HB_DECODE:
        body_keep(b, data, len);
        st = hdec_feed(b->dec, data, len, body_sink, b);
        if (st != HDEC_OK)
            body_decode_failed(b, st);
        break;
    case HB_NONE:
    case HB_DISCARD:
        break;
    }
}

static void
body_close(struct http_body *b, FILE **fp)
{
    if (*fp == NULL)
        return;
    if (b->host->derived_close(b->host, *fp) != TCPF_OK)
        b->events |= HEV_WRITE_ERROR;
    *fp = NULL;
}

void
http_body_end(struct http_body *b, unsigned extra_events)
{
    int st;

    b->events |= extra_events;
    if (b->mode == HB_DECODE && b->raw_len > 0 && (st = hdec_finish(b->dec)) != HDEC_OK)
        body_decode_failed(b, st);
    body_close(b, &b->out);
    body_close(b, &b->rawf);
    body_sha_end(&b->sha, b->sha_hex);
    body_sha_end(&b->rsha, b->rsha_hex);
    hdec_destroy(b->dec);
    b->dec = NULL;
    free(b->keep);
    b->keep = NULL;
    b->mode = HB_DISCARD;
}

void
http_body_free(struct http_body *b)
{
    char hex[65];

    body_close(b, &b->out);
    body_close(b, &b->rawf);
    body_sha_end(&b->sha, hex);
    body_sha_end(&b->rsha, hex);
    hdec_destroy(b->dec);
    free(b->keep);
    free(b->out_name);
    free(b->raw_name);
    memset(b, 0, sizeof(*b));
}
