/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: http plugin: streaming content decoding (gzip, deflate, br, zstd) with limits
 *
 * A chain decodes one body: the Content-Encoding codings are undone in reverse order of
 * listing (RFC 9110 section 8.4: the list is in the order applied). Input is pushed in
 * pieces with hdec_feed(); output goes to a sink callback in pieces of at most
 * HDEC_BUF_LEN bytes, so memory does not depend on the body size. Every decoder allocates
 * through a counting allocator capped at mem_max bytes (zlib, brotli) or has its window
 * capped (zstd: 8 MiB, the RFC 9659 limit for HTTP); a decoder that wants more fails with
 * HDEC_ENOMEM instead of growing. References: RFC 1950 (zlib), 1951 (deflate), 1952 (gzip),
 * 7932 (brotli), 8878 (zstd), 9110 section 8.4.1.
 */
#ifndef HTTP_HDECODE_H
#define HTTP_HDECODE_H

#include <stddef.h>
#include <stdint.h>

#define HDEC_MAX_CODINGS 8      /* codings remembered from one header (more: refused) */
#define HDEC_BUF_LEN (64 * 1024) /* output piece size of each layer */

enum hdec_coding {
    HDEC_GZIP = 1,    /* gzip, x-gzip */
    HDEC_DEFLATE = 2, /* deflate: zlib format, or raw deflate (non-conformant servers) */
    HDEC_BR = 3,
    HDEC_ZSTD = 4
};

enum hdec_status {
    HDEC_OK = 0,
    HDEC_STOP = 1,     /* the sink asked to stop (a limit): nothing more will be output */
    HDEC_EDATA = -1,   /* corrupt input */
    HDEC_ENOMEM = -2,  /* the decoder wanted more than mem_max */
    HDEC_EUNSUP = -3,  /* a coding this build cannot decode */
    HDEC_ETRUNC = -4   /* hdec_finish: the compressed stream was cut short */
};

/* Receives decoded bytes; returns 0 to go on, non-zero to stop decoding (HDEC_STOP). */
typedef int (*hdec_sink_fn)(void *ctx, const uint8_t *data, size_t len);

struct hdec;

/* Parses a Content-Encoding value (comma-separated, case-insensitive; "identity" is
 * skipped). Sets codings[0..*n) in the order listed. Returns 0, HDEC_EUNSUP with *bad set
 * to the first unknown coding (a static name: "compress", "other"), or HDEC_EDATA when the
 * list holds more than HDEC_MAX_CODINGS codings. */
int hdec_parse(const char *value, enum hdec_coding *codings, size_t *n, const char **bad);
/* Canonical name of a coding ("gzip", "deflate", "br", "zstd"). */
const char *hdec_name(enum hdec_coding c);
/* True when this build can decode c. */
int hdec_supported(enum hdec_coding c);
/* Creates a chain undoing codings[0..n) (as listed). NULL: out of memory or unsupported. */
struct hdec *hdec_create(const enum hdec_coding *codings, size_t n, size_t mem_max);
/* Frees the chain; NULL is fine. */
void hdec_destroy(struct hdec *d);
/* Decodes len input bytes into sink. Returns an enum hdec_status; after anything but
 * HDEC_OK the chain outputs nothing more. */
int hdec_feed(struct hdec *d, const uint8_t *in, size_t len, hdec_sink_fn sink, void *ctx);
/* End of input: HDEC_OK if every layer reached its end, HDEC_ETRUNC if not. */
int hdec_finish(struct hdec *d);
/* Compressed bytes consumed so far by the outermost layer. */
uint64_t hdec_consumed(const struct hdec *d);
/* Short description of the last failure ("zlib: invalid block type"...), static or owned
 * by d, valid until the next call. */
const char *hdec_error(const struct hdec *d);

#endif /* HTTP_HDECODE_H */
