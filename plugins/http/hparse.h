/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: http plugin: a small streaming HTTP/1.x message parser interface
 *
 * The scanner talks to the HTTP/1.x parser only through these functions, so that the
 * implementation (today nodejs http-parser 2.9, Debian's libhttp-parser-dev; later perhaps
 * llhttp) can change without touching the scanner. One struct hp parses one direction of a
 * connection: requests (HP_REQUEST) or responses (HP_RESPONSE). Data is pushed with
 * hp_feed() and comes back through callbacks, which receive pointers into the fed buffer
 * (borrowed for the call). References: RFC 9112 (HTTP/1.1 message syntax and framing).
 */
#ifndef HTTP_HPARSE_H
#define HTTP_HPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hp_type {
    HP_REQUEST = 1,
    HP_RESPONSE = 2
};

/* What hp_feed() stopped on. */
enum hp_status {
    HP_OK = 0,      /* everything consumed */
    HP_ERROR = 1,   /* malformed input: the parser is dead until hp_reset() */
    HP_UPGRADE = 2  /* the message switched protocols (Upgrade, CONNECT): the rest is not HTTP */
};

/* Summary of a message's start line and framing, given to headers_done. */
struct hp_info {
    bool is_request;
    const char *method;     /* request method ("GET"...), or "" for responses */
    unsigned status;        /* response status, 0 for requests */
    unsigned http_major, http_minor;
    bool is_chunked;
    bool has_length;        /* Content-Length given (and not chunked) */
    uint64_t content_length;
};

/* Callbacks; each returns 0 to go on, anything else is treated as an error, except
 * headers_done, which returns 1 to say "this message has no body" (HEAD, 1xx/204/304). */
struct hp_callbacks {
    int (*begin)(void *ctx);
    int (*url)(void *ctx, const char *at, size_t len);
    int (*header_field)(void *ctx, const char *at, size_t len);
    int (*header_value)(void *ctx, const char *at, size_t len);
    int (*headers_done)(void *ctx, const struct hp_info *info);
    int (*body)(void *ctx, const char *at, size_t len);
    int (*complete)(void *ctx);
};

struct hp;

/* Returns a parser for type, or NULL (out of memory). cb and ctx must outlive it. */
struct hp *hp_create(enum hp_type type, const struct hp_callbacks *cb, void *ctx);
/* Frees p; NULL is fine. */
void hp_destroy(struct hp *p);
/* Forgets any message in progress and starts afresh at a message boundary. */
void hp_reset(struct hp *p, enum hp_type type);
/* Parses len bytes; returns how many were consumed and sets *status. On HP_ERROR the
 * bytes from the return value on were not accepted. */
size_t hp_feed(struct hp *p, const uint8_t *data, size_t len, enum hp_status *status);
/* Tells the parser the stream ended (completes a body delimited by close). Returns
 * HP_OK or HP_ERROR (a message was cut short). */
enum hp_status hp_eof(struct hp *p);
/* Name of the last error (e.g. "HPE_INVALID_CONSTANT"), static storage. */
const char *hp_error_name(const struct hp *p);
/* True when the parser is inside a body and `gap` missing bytes can be stood in for by
 * zero bytes without losing the message framing (Content-Length, a chunk's data, or a body
 * delimited by close). */
bool hp_gap_fillable(const struct hp *p, uint64_t gap);
/* True when a message has begun and not completed. */
bool hp_in_message(const struct hp *p);
/* True when [tok, tok+len) is a request method this parser knows. */
bool hp_is_method(const char *tok, size_t len);

#endif /* HTTP_HPARSE_H */
