/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: http plugin: streaming content decoding with a memory-capped allocator
 *
 * Per coding:
 *   gzip, x-gzip  zlib inflate with automatic gzip/zlib header detection (15+32); a stream
 *                 of several gzip members (RFC 1952 section 2.2) is decoded member by member;
 *                 other bytes after the end are ignored.
 *   deflate       RFC 9110 says zlib format; some servers send raw deflate. The first two
 *                 bytes decide: a valid zlib header (CM 8, CINFO <= 7, FCHECK) means zlib,
 *                 anything else raw deflate (the test from madler's answer on StackOverflow,
 *                 as used by other HTTP clients).
 *   br            BrotliDecoderDecompressStream (window up to 16 MiB as the format allows).
 *   zstd          ZSTD_decompressStream with the window capped at 8 MiB (RFC 9659).
 */
#define _POSIX_C_SOURCE 200809L /* strdup, strcasecmp */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>
#ifdef HTTP_HAVE_BROTLI
#include <brotli/decode.h>
#endif
#ifdef HTTP_HAVE_ZSTD
#include <zstd.h>
#include <zstd_errors.h>
#endif

#include "hdecode.h"

#define HDEC_ZSTD_WINDOW_LOG 23 /* 8 MiB */

struct hdec_layer {
    enum hdec_coding coding;
    bool is_started;   /* decoder initialised */
    bool is_ended;     /* end of the compressed stream seen */
    z_stream z;
    uint8_t hdr[2];    /* deflate: first bytes held until the header test can be made */
    size_t hdr_len;
#ifdef HTTP_HAVE_BROTLI
    BrotliDecoderState *br;
#endif
#ifdef HTTP_HAVE_ZSTD
    ZSTD_DStream *zs;
#endif
    uint8_t *out;
};

struct hdec {
    size_t n;
    struct hdec_layer *l;
    size_t mem_used, mem_max;
    uint64_t consumed;
    bool is_dead;
    const char *err;
    hdec_sink_fn sink;
    void *sink_ctx;
};

/* ---- counting allocator ------------------------------------------------------------------ */

union hdec_blk {
    size_t size;
    max_align_t align;
};

static void *
hdec_alloc(void *opaque, size_t size)
{
    struct hdec *d = opaque;
    union hdec_blk *b;

    if (size > d->mem_max - d->mem_used || size > SIZE_MAX - sizeof(*b))
        return NULL;
    if ((b = malloc(sizeof(*b) + size)) == NULL)
        return NULL;
    b->size = size;
    d->mem_used += size;
    return b + 1;
}

static void
hdec_free(void *opaque, void *p)
{
    struct hdec *d = opaque;
    union hdec_blk *b;

    if (p == NULL)
        return;
    b = (union hdec_blk *)p - 1;
    d->mem_used -= b->size;
    free(b);
}

static voidpf
hdec_zalloc(voidpf opaque, uInt items, uInt size)
{
    if (size != 0 && items > SIZE_MAX / size)
        return Z_NULL;
    return hdec_alloc(opaque, (size_t)items * size);
}

static void
hdec_zfree(voidpf opaque, voidpf p)
{
    hdec_free(opaque, p);
}

/* ---- coding names ------------------------------------------------------------------------- */

static const struct {
    const char *name;
    enum hdec_coding coding;
} hdec_names[] = {
    { "gzip", HDEC_GZIP }, { "x-gzip", HDEC_GZIP }, { "deflate", HDEC_DEFLATE },
    { "br", HDEC_BR },     { "zstd", HDEC_ZSTD },
};

int
hdec_parse(const char *value, enum hdec_coding *codings, size_t *n, const char **bad)
{
    const char *p = value;

    *n = 0;
    *bad = NULL;
    while (*p != '\0') {
        const char *s, *e;
        size_t len, i;
        bool found = false;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        s = p;
        while (*p != '\0' && *p != ',')
            p++;
        e = p;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        len = (size_t)(e - s);
        if (len == 8 && strncasecmp(s, "identity", 8) == 0)
            continue;
        for (i = 0; i < sizeof(hdec_names) / sizeof(hdec_names[0]); i++) {
            if (strlen(hdec_names[i].name) == len && strncasecmp(s, hdec_names[i].name, len) == 0) {
                if (*n >= HDEC_MAX_CODINGS)
                    return HDEC_EDATA;
                codings[(*n)++] = hdec_names[i].coding;
                found = true;
                break;
            }
        }
        if (!found) {
            *bad = (len == 8 && strncasecmp(s, "compress", 8) == 0) ||
                           (len == 10 && strncasecmp(s, "x-compress", 10) == 0)
                       ? "compress"
                       : "other";
            return HDEC_EUNSUP;
        }
    }
    return 0;
}

const char *
hdec_name(enum hdec_coding c)
{
    switch (c) {
    case HDEC_GZIP: return "gzip";
    case HDEC_DEFLATE: return "deflate";
    case HDEC_BR: return "br";
    case HDEC_ZSTD: return "zstd";
    }
    return "?";
}

int
hdec_supported(enum hdec_coding c)
{
    switch (c) {
    case HDEC_GZIP:
    case HDEC_DEFLATE:
        return 1;
    case HDEC_BR:
#ifdef HTTP_HAVE_BROTLI
        return 1;
#else
        return 0;
#endif
    case HDEC_ZSTD:
#ifdef HTTP_HAVE_ZSTD
        return 1;
#else
        return 0;
#endif
    }
    return 0;
}

/* ---- chain ------------------------------------------------------------------------------- */

struct hdec *
hdec_create(const enum hdec_coding *codings, size_t n, size_t mem_max)
{
    struct hdec *d;
    size_t i;

    if (n == 0 || n > HDEC_MAX_CODINGS)
        return NULL;
    for (i = 0; i < n; i++)
        if (!hdec_supported(codings[i]))
            return NULL;
    if ((d = calloc(1, sizeof(*d))) == NULL)
        return NULL;
    d->n = n;
    d->mem_max = mem_max;
    if ((d->l = calloc(n, sizeof(*d->l))) == NULL) {
        free(d);
        return NULL;
    }
    /* Decoding order is the reverse of the listed (applied) order. */
    for (i = 0; i < n; i++) {
        d->l[i].coding = codings[n - 1 - i];
        if ((d->l[i].out = malloc(HDEC_BUF_LEN)) == NULL) {
            hdec_destroy(d);
            return NULL;
        }
    }
    return d;
}

void
hdec_destroy(struct hdec *d)
{
    size_t i;

    if (d == NULL)
        return;
    for (i = 0; i < d->n; i++) {
        struct hdec_layer *L = &d->l[i];

        if (L->is_started && (L->coding == HDEC_GZIP || L->coding == HDEC_DEFLATE))
            inflateEnd(&L->z);
#ifdef HTTP_HAVE_BROTLI
        if (L->br != NULL)
            BrotliDecoderDestroyInstance(L->br);
#endif
#ifdef HTTP_HAVE_ZSTD
        if (L->zs != NULL)
            ZSTD_freeDStream(L->zs);
#endif
        free(L->out);
    }
    free(d->l);
    free(d);
}

static int hdec_layer_feed(struct hdec *d, size_t i, const uint8_t *in, size_t len);

/* Passes n decoded bytes of layer i on: to the next layer or to the sink. */
static int
hdec_emit(struct hdec *d, size_t i, const uint8_t *data, size_t n)
{
    if (n == 0)
        return HDEC_OK;
    if (i + 1 < d->n)
        return hdec_layer_feed(d, i + 1, data, n);
    return d->sink(d->sink_ctx, data, n) != 0 ? HDEC_STOP : HDEC_OK;
}

static int
hdec_zlib_start(struct hdec *d, struct hdec_layer *L, int wbits)
{
    int rc;

    memset(&L->z, 0, sizeof(L->z));
    L->z.zalloc = hdec_zalloc;
    L->z.zfree = hdec_zfree;
    L->z.opaque = d;
    rc = inflateInit2(&L->z, wbits);
    if (rc != Z_OK) {
        d->err = "zlib: cannot initialise";
        return rc == Z_MEM_ERROR ? HDEC_ENOMEM : HDEC_EDATA;
    }
    L->is_started = true;
    return HDEC_OK;
}

static int
hdec_zlib_run(struct hdec *d, size_t i, const uint8_t *in, size_t len)
{
    struct hdec_layer *L = &d->l[i];
    int rc, st;

    L->z.next_in = (Bytef *)(uintptr_t)in;
    L->z.avail_in = 0;
    while (len > 0 || L->z.avail_in > 0) {
        size_t take, got;

        if (L->z.avail_in == 0) {
            take = len > (size_t)UINT32_MAX ? (size_t)UINT32_MAX : len;
            L->z.next_in = (Bytef *)(uintptr_t)in;
            L->z.avail_in = (uInt)take;
            in += take;
            len -= take;
        }
        L->z.next_out = L->out;
        L->z.avail_out = HDEC_BUF_LEN;
        take = L->z.avail_in;
        rc = inflate(&L->z, Z_NO_FLUSH);
        if (i == 0)
            d->consumed += take - L->z.avail_in;
        got = HDEC_BUF_LEN - L->z.avail_out;
        if ((st = hdec_emit(d, i, L->out, got)) != HDEC_OK)
            return st;
        if (rc == Z_STREAM_END) {
            /* Another gzip member follows: decode it too. Anything else: ignored. */
            if (L->coding == HDEC_GZIP && L->z.avail_in > 0 && L->z.next_in[0] == 0x1f) {
                inflateReset(&L->z);
                continue;
            }
            L->is_ended = true;
            if (i == 0)
                d->consumed += L->z.avail_in + len;
            return HDEC_OK;
        }
        if (rc == Z_MEM_ERROR) {
            d->err = "zlib: memory limit";
            return HDEC_ENOMEM;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            d->err = L->z.msg != NULL ? L->z.msg : "zlib: corrupt data";
            return HDEC_EDATA;
        }
        if (rc == Z_BUF_ERROR && got == 0 && L->z.avail_in > 0) {
            d->err = "zlib: no progress";
            return HDEC_EDATA;
        }
        if (L->z.avail_in == 0 && L->z.avail_out > 0 && len == 0)
            break;
    }
    return HDEC_OK;
}

static int
hdec_zlib_feed(struct hdec *d, size_t i, const uint8_t *in, size_t len)
{
    struct hdec_layer *L = &d->l[i];
    int st;

    if (L->is_ended) {
        if (i == 0)
            d->consumed += len;
        return HDEC_OK;
    }
    if (!L->is_started && L->coding == HDEC_GZIP) {
        if ((st = hdec_zlib_start(d, L, 15 + 32)) != HDEC_OK)
            return st;
    } else if (!L->is_started) {
        uint8_t h[2];
        bool is_zlib;

        while (L->hdr_len < 2 && len > 0) {
            L->hdr[L->hdr_len++] = *in++;
            len--;
            if (i == 0)
                d->consumed++;
        }
        if (L->hdr_len < 2)
            return HDEC_OK;
        memcpy(h, L->hdr, 2);
        is_zlib = (h[0] & 0x0f) == 8 && (h[0] >> 4) <= 7 && ((h[0] << 8) | h[1]) % 31 == 0;
        if ((st = hdec_zlib_start(d, L, is_zlib ? 15 : -15)) != HDEC_OK)
            return st;
        if (i == 0)
            d->consumed -= 2; /* counted again by the run below */
        if ((st = hdec_zlib_run(d, i, h, 2)) != HDEC_OK || L->is_ended)
            return st;
    }
    return hdec_zlib_run(d, i, in, len);
}

#ifdef HTTP_HAVE_BROTLI
static int
hdec_br_feed(struct hdec *d, size_t i, const uint8_t *in, size_t len)
{
    struct hdec_layer *L = &d->l[i];
    int st;

    if (L->is_ended) {
        if (i == 0)
            d->consumed += len;
        return HDEC_OK;
    }
    if (L->br == NULL && (L->br = BrotliDecoderCreateInstance(hdec_alloc, hdec_free, d)) == NULL) {
        d->err = "brotli: memory limit";
        return HDEC_ENOMEM;
    }
    for (;;) {
        size_t avail_in = len, avail_out = HDEC_BUF_LEN;
        const uint8_t *next_in = in;
        uint8_t *next_out = L->out;
        BrotliDecoderResult r;

        r = BrotliDecoderDecompressStream(L->br, &avail_in, &next_in, &avail_out, &next_out, NULL);
        if (i == 0)
            d->consumed += len - avail_in;
        in = next_in;
        len = avail_in;
        if ((st = hdec_emit(d, i, L->out, HDEC_BUF_LEN - avail_out)) != HDEC_OK)
            return st;
        if (r == BROTLI_DECODER_RESULT_SUCCESS) {
            L->is_ended = true;
            if (i == 0)
                d->consumed += len;
            return HDEC_OK;
        }
        if (r == BROTLI_DECODER_RESULT_ERROR) {
            BrotliDecoderErrorCode e = BrotliDecoderGetErrorCode(L->br);

            d->err = BrotliDecoderErrorString(e);
            return e <= BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES &&
                           e >= BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES
                       ? HDEC_ENOMEM
                       : HDEC_EDATA;
        }
        if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT && len == 0)
            return HDEC_OK;
    }
}
#endif

#ifdef HTTP_HAVE_ZSTD
static int
hdec_zstd_feed(struct hdec *d, size_t i, const uint8_t *in, size_t len)
{
    struct hdec_layer *L = &d->l[i];
    ZSTD_inBuffer ib = { in, len, 0 };
    int st;

    if (L->zs == NULL) {
        if ((L->zs = ZSTD_createDStream()) == NULL) {
            d->err = "zstd: out of memory";
            return HDEC_ENOMEM;
        }
        ZSTD_DCtx_setParameter(L->zs, ZSTD_d_windowLogMax, HDEC_ZSTD_WINDOW_LOG);
    }
    for (;;) {
        ZSTD_outBuffer ob = { L->out, HDEC_BUF_LEN, 0 };
        size_t before = ib.pos, r;

        r = ZSTD_decompressStream(L->zs, &ob, &ib);
        if (i == 0)
            d->consumed += ib.pos - before;
        if (ZSTD_isError(r)) {
            d->err = ZSTD_getErrorName(r);
            return ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge ||
                           ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation
                       ? HDEC_ENOMEM
                       : HDEC_EDATA;
        }
        if ((st = hdec_emit(d, i, L->out, ob.pos)) != HDEC_OK)
            return st;
        L->is_ended = r == 0;
        if (ib.pos == ib.size && ob.pos < ob.size)
            return HDEC_OK;
    }
}
#endif

static int
hdec_layer_feed(struct hdec *d, size_t i, const uint8_t *in, size_t len)
{
    switch (d->l[i].coding) {
    case HDEC_GZIP:
    case HDEC_DEFLATE:
        return hdec_zlib_feed(d, i, in, len);
#ifdef HTTP_HAVE_BROTLI
    case HDEC_BR:
        return hdec_br_feed(d, i, in, len);
#endif
#ifdef HTTP_HAVE_ZSTD
    case HDEC_ZSTD:
        return hdec_zstd_feed(d, i, in, len);
#endif
    default:
        break;
    }
    d->err = "unsupported coding";
    return HDEC_EUNSUP;
}

int
hdec_feed(struct hdec *d, const uint8_t *in, size_t len, hdec_sink_fn sink, void *ctx)
{
    int st;

    if (d->is_dead)
        return HDEC_STOP;
    d->sink = sink;
    d->sink_ctx = ctx;
    st = hdec_layer_feed(d, 0, in, len);
    if (st != HDEC_OK)
        d->is_dead = true;
    return st;
}

int
hdec_finish(struct hdec *d)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        if (!d->l[i].is_ended) {
            d->err = "compressed stream cut short";
            return HDEC_ETRUNC;
        }
    }
    return HDEC_OK;
}

uint64_t
hdec_consumed(const struct hdec *d)
{
    return d->consumed;
}

const char *
hdec_error(const struct hdec *d)
{
    return d->err != NULL ? d->err : "";
}
