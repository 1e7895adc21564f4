/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: http plugin: the hparse.h interface over nodejs http-parser 2.9
 *
 * http-parser stops for good at the first error; restarting and resynchronising is the
 * scanner's job (see http.c). The parser is run leniently (lenient_http_headers,
 * allow_chunked_length: chunked wins over Content-Length as RFC 9112 section 6.3 says),
 * with its compiled-in header limit (HTTP_MAX_HEADER_SIZE, 80 KiB in Debian's build), which
 * turns a huge header block into an HPE_HEADER_OVERFLOW error.
 */
#define _POSIX_C_SOURCE 200809L /* strdup, strcasecmp */

#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

#include "hparse.h"

struct hp {
    http_parser parser;
    http_parser_settings settings;
    const struct hp_callbacks *cb;
    void *ctx;
    bool in_message;
    bool in_body;
    bool in_chunk_data;
    bool is_chunked;
};

static struct hp *
hparse_self(http_parser *hp)
{
    return (struct hp *)hp->data;
}

static int
hparse_on_begin(http_parser *hp)
{
    struct hp *p = hparse_self(hp);

    p->in_message = true;
    p->in_body = p->in_chunk_data = p->is_chunked = false;
    return p->cb->begin ? p->cb->begin(p->ctx) : 0;
}

static int
hparse_on_url(http_parser *hp, const char *at, size_t len)
{
    struct hp *p = hparse_self(hp);

    return p->cb->url ? p->cb->url(p->ctx, at, len) : 0;
}

static int
hparse_on_field(http_parser *hp, const char *at, size_t len)
{
    struct hp *p = hparse_self(hp);

    return p->cb->header_field ? p->cb->header_field(p->ctx, at, len) : 0;
}

static int
hparse_on_value(http_parser *hp, const char *at, size_t len)
{
    struct hp *p = hparse_self(hp);

    return p->cb->header_value ? p->cb->header_value(p->ctx, at, len) : 0;
}

static int
hparse_on_headers(http_parser *hp)
{
    struct hp *p = hparse_self(hp);
    struct hp_info info;
    int rc;

    memset(&info, 0, sizeof(info));
    info.is_request = hp->type == HTTP_REQUEST;
    info.method = info.is_request ? http_method_str((enum http_method)hp->method) : "";
    info.status = info.is_request ? 0 : hp->status_code;
    info.http_major = hp->http_major;
    info.http_minor = hp->http_minor;
    info.is_chunked = (hp->flags & F_CHUNKED) != 0;
    info.has_length = !info.is_chunked && (hp->flags & F_CONTENTLENGTH) != 0;
    info.content_length = info.has_length ? hp->content_length : 0;
    p->is_chunked = info.is_chunked;
    rc = p->cb->headers_done ? p->cb->headers_done(p->ctx, &info) : 0;
    if (rc == 1)
        return 1; /* no body */
    if (rc != 0)
        return -1;
    p->in_body = true;
    return 0;
}

static int
hparse_on_body(http_parser *hp, const char *at, size_t len)
{
    struct hp *p = hparse_self(hp);

    return p->cb->body ? p->cb->body(p->ctx, at, len) : 0;
}

static int
hparse_on_complete(http_parser *hp)
{
    struct hp *p = hparse_self(hp);

    p->in_message = p->in_body = p->in_chunk_data = false;
    return p->cb->complete ? p->cb->complete(p->ctx) : 0;
}

static int
hparse_on_chunk_header(http_parser *hp)
{
    hparse_self(hp)->in_chunk_data = hp->content_length > 0;
    return 0;
}

static int
hparse_on_chunk_complete(http_parser *hp)
{
    hparse_self(hp)->in_chunk_data = false;
    return 0;
}

void
hp_reset(struct hp *p, enum hp_type type)
{
    http_parser_init(&p->parser, type == HP_REQUEST ? HTTP_REQUEST : HTTP_RESPONSE);
    p->parser.data = p;
    p->parser.lenient_http_headers = 1;
    p->parser.allow_chunked_length = 1;
    p->in_message = p->in_body = p->in_chunk_data = p->is_chunked = false;
}

struct hp *
hp_create(enum hp_type type, const struct hp_callbacks *cb, void *ctx)
{
    struct hp *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return NULL;
    http_parser_settings_init(&p->settings);
    p->settings.on_message_begin = hparse_on_begin;
    p->settings.on_url = hparse_on_url;
    p->settings.on_header_field = hparse_on_field;
    p->settings.on_header_value = hparse_on_value;
    p->settings.on_headers_complete = hparse_on_headers;
    p->settings.on_body = hparse_on_body;
    p->settings.on_message_complete = hparse_on_complete;
    p->settings.on_chunk_header = hparse_on_chunk_header;
    p->settings.on_chunk_complete = hparse_on_chunk_complete;
    p->cb = cb;
    p->ctx = ctx;
    hp_reset(p, type);
    return p;
}

void
hp_destroy(struct hp *p)
{
    free(p);
}

size_t
hp_feed(struct hp *p, const uint8_t *data, size_t len, enum hp_status *status)
{
    size_t n;

    *status = HP_OK;
    if (HTTP_PARSER_ERRNO(&p->parser) != HPE_OK) {
        *status = HP_ERROR;
        return 0;
    }
    if (len == 0)
        return 0;
    n = http_parser_execute(&p->parser, &p->settings, (const char *)data, len);
    while (HTTP_PARSER_ERRNO(&p->parser) == HPE_CLOSED_CONNECTION && !p->in_message && n < len) {
        /* Data after a message that said "Connection: close" (or an HTTP/1.0 one without
         * keep-alive): http-parser refuses it; a capture may still hold more messages. */
        enum http_parser_type t = (enum http_parser_type)p->parser.type;

        http_parser_init(&p->parser, t);
        p->parser.data = p;
        p->parser.lenient_http_headers = 1;
        p->parser.allow_chunked_length = 1;
        n += http_parser_execute(&p->parser, &p->settings, (const char *)data + n, len - n);
    }
    if (HTTP_PARSER_ERRNO(&p->parser) != HPE_OK)
        *status = HP_ERROR;
    else if (p->parser.upgrade)
        *status = HP_UPGRADE;
    else if (n < len)
        *status = HP_ERROR; /* should not happen without an errno; be safe */
    return n;
}

enum hp_status
hp_eof(struct hp *p)
{
    if (HTTP_PARSER_ERRNO(&p->parser) != HPE_OK)
        return HP_ERROR;
    http_parser_execute(&p->parser, &p->settings, NULL, 0);
    if (HTTP_PARSER_ERRNO(&p->parser) != HPE_OK)
        return HP_ERROR;
    return p->in_message ? HP_ERROR : HP_OK;
}

const char *
hp_error_name(const struct hp *p)
{
    return http_errno_name(HTTP_PARSER_ERRNO(&p->parser));
}

bool
hp_gap_fillable(const struct hp *p, uint64_t gap)
{
    if (!p->in_body || HTTP_PARSER_ERRNO(&p->parser) != HPE_OK)
        return false;
    if (p->is_chunked)
        return p->in_chunk_data && gap <= p->parser.content_length;
    if (p->parser.content_length == UINT64_MAX)
        return true; /* body delimited by close */
    return gap <= p->parser.content_length;
}

bool
hp_in_message(const struct hp *p)
{
    return p->in_message;
}

bool
hp_is_method(const char *tok, size_t len)
{
    int m;

    for (m = 0; m < 64; m++) {
        const char *s = http_method_str((enum http_method)m);

        if (strcmp(s, "<unknown>") == 0)
            break;
        if (strlen(s) == len && memcmp(s, tok, len) == 0)
            return true;
    }
    return false;
}
