/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: http plugin: shared types of the scanner (http.c) and its body writer (body.c) */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <tcpflow/scanner.h>

#include "hdecode.h"

/* Per-message events, reported as a comma-separated list. */
#define HEV_LIMIT_SIZE   0x0001u /* decompression-limit:size */
#define HEV_LIMIT_RATIO  0x0002u /* decompression-limit:ratio */
#define HEV_LIMIT_LAYERS 0x0004u /* decompression-limit:layers */
#define HEV_LIMIT_MEMORY 0x0008u /* decompression-limit:memory */
#define HEV_DECODE_ERROR 0x0010u /* corrupt compressed data */
#define HEV_DECODE_CUT   0x0020u /* compressed stream ended early */
#define HEV_UNSUPPORTED  0x0040u /* unknown or unbuilt content coding */
#define HEV_GAP          0x0080u /* the message was cut by missing bytes */
#define HEV_HOLES        0x0100u /* missing body bytes were written as zeros */
#define HEV_PARSE_ERROR  0x0200u /* malformed HTTP ended the message */
#define HEV_INCOMPLETE   0x0400u /* the flow ended inside the message */
#define HEV_RAW_LOST     0x0800u /* the raw body could not be kept (beyond raw_keep) */
#define HEV_WRITE_ERROR  0x1000u /* a derived file could not be created or written */
#define HEV_UNPAIRED     0x2000u /* response without a known request */
#define HEV_URI_LONG     0x4000u /* URI cut in the report */
#define HEV_NOT_DECODED  0x8000u /* http.decompress=no: body stored as sent */
#define HEV_PAIR_GUESS   0x10000u /* a flow of the connection resynchronised before */

#define HEV_LIMITS (HEV_LIMIT_SIZE | HEV_LIMIT_RATIO | HEV_LIMIT_LAYERS | HEV_LIMIT_MEMORY)

struct http_cfg {
    bool decompress;
    bool request_bodies;
    uint64_t max_decoded;  /* decoded bytes per body (0: unlimited) */
    uint64_t max_ratio;    /* decoded / compressed (0: unlimited) */
    uint64_t max_layers;   /* stacked codings decoded */
    uint64_t raw_keep;     /* raw bytes held while decoding, to keep the raw body on a limit */
    uint64_t max_memory;   /* allocator cap of one decoder chain */
};

enum http_body_mode {
    HB_NONE = 0, /* no body yet */
    HB_PLAIN,    /* written as received to HTTPBODY-NNN[.ext] */
    HB_DECODE,   /* decoded into HTTPBODY-NNN[.ext] */
    HB_RAW,      /* written as received to HTTPBODY-NNN.raw */
    HB_DISCARD   /* nothing more is written */
};

/* The body of one message, streamed to derived files. */
struct http_body {
    enum http_body_mode mode;
    const struct tcpf_host *host;
    const struct http_cfg *cfg;
    const struct tcpf_flow *view; /* borrowed for the current callback only */
    uint64_t msg_no;
    const char *ext;              /* from the MIME table, or NULL */
    FILE *out, *rawf;
    char *out_name, *raw_name;
    uint64_t raw_len;             /* body bytes after transfer decoding */
    uint64_t out_len, rawf_len;
    uint64_t holes;               /* zero bytes standing for missing ones */
    struct hdec *dec;
    uint8_t *keep;
    size_t keep_len, keep_cap;
    bool keep_over;
    bool out_failed;              /* the body file could not be created */
    void *sha, *rsha;             /* sha256 contexts (NULL without Nettle) */
    char sha_hex[65], rsha_hex[65];
    unsigned events;
    const char *detail;           /* decoder error text */
};

/* Starts a body: decides the mode from Content-Encoding (value may be ""). */
void http_body_begin(struct http_body *b, const struct tcpf_host *host,
                     const struct http_cfg *cfg, uint64_t msg_no, const char *ext,
                     const char *content_encoding);
/* Adds body bytes (after transfer decoding). */
void http_body_write(struct http_body *b, const uint8_t *data, size_t len);
/* Ends the body: flushes, closes files, fills sha_hex. extra_events are added first. */
void http_body_end(struct http_body *b, unsigned extra_events);
/* Frees everything (after http_body_end, or instead of it on teardown). */
void http_body_free(struct http_body *b);
/* Writes the event names of ev into buf (comma-separated). */
void http_events_str(unsigned ev, char *buf, size_t len);

#endif /* HTTP_HTTP_H */
