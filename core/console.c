/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: tcpflow's console modes (-c -C -0 -B -D -g -J): segments printed as they arrive
 *
 * Reference: tcpflow 1.6.1 src/tcpip.cpp tcpip::print_packet().
 */
#include "config.h"

#include "console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "options.h"

#define CONSOLE_BLUE  "\033[0;34m"
#define CONSOLE_RED   "\033[0;31m"
#define CONSOLE_RESET "\033[0m"
#define CONSOLE_HEX_PER_LINE 32
#define CONSOLE_TABLE_MIN 64

struct tcpf_console {
    FILE *out;
    bool header;        /* -c; false for -C */
    bool newline;       /* false for -0 */
    bool binary;        /* -B */
    bool hex;           /* -D */
    bool json;          /* -J */
    bool color;         /* -g */
    int64_t max_bytes;  /* -b; < 0 = unlimited */
    int status;
    uint64_t segments;
    uint64_t bytes;
    /* -b counts per flow name when the caller keeps none: open addressing on a 64-bit
     * FNV-1a hash of the name (0 = empty slot), grown at half load. */
    uint64_t *keys;
    uint64_t *vals;
    size_t cap;
    size_t used;
};

/* Writes n bytes unless an error happened before; remembers the first errno. */
static void
console_put(struct tcpf_console *c, const void *p, size_t n)
{
    if (c->status != TCPF_CONSOLE_OK || n == 0)
        return;
    if (fwrite(p, 1, n, c->out) != n) {
        int err = errno != 0 ? errno : EIO;

        c->status = err == EPIPE ? TCPF_CONSOLE_EPIPE : TCPF_CONSOLE_EIO;
        if (c->status == TCPF_CONSOLE_EIO)
            tcpf_log(TCPF_LOG_ERROR, "stdout: %s", strerror(err));
    }
}

/* Writes a NUL-terminated string. */
static void
console_puts(struct tcpf_console *c, const char *s)
{
    console_put(c, s, strlen(s));
}

/* True for bytes printed as themselves in text mode (-c without -B). */
static bool
console_printable(uint8_t ch)
{
    return (ch >= 0x20 && ch <= 0x7e) || ch == '\n' || ch == '\r';
}

/* Text body: '.' for non-printables unless -B. */
static void
console_text(struct tcpf_console *c, const uint8_t *data, size_t len)
{
    char buf[4096];
    size_t i, n = 0;

    if (c->binary) {
        console_put(c, data, len);
        return;
    }
    for (i = 0; i < len; i++) {
        buf[n++] = console_printable(data[i]) ? (char)data[i] : '.';
        if (n == sizeof(buf)) {
            console_put(c, buf, n);
            n = 0;
        }
    }
    console_put(c, buf, n);
}

/* Hex dump body, 32 bytes per line, as tcpflow -D. */
static void
console_hex(struct tcpf_console *c, const uint8_t *data, size_t len)
{
    static const char hexdig[] = "0123456789abcdef";
    char line[32 + CONSOLE_HEX_PER_LINE * 4 + 8];
    size_t i, j, n, max_n = 0;
    int k;

    for (i = 0; i < len; i += CONSOLE_HEX_PER_LINE) {
        k = snprintf(line, 32, "%04zx: ", i);
        n = k > 0 && k < 32 ? (size_t)k : 0;
        for (j = 0; j < CONSOLE_HEX_PER_LINE && i + j < len; j++) {
            line[n++] = hexdig[data[i + j] >> 4];
            line[n++] = hexdig[data[i + j] & 0xf];
            if (j % 2 == 1)
                line[n++] = ' ';
        }
        if (n > max_n)
            max_n = n;
        while (n < max_n)
            line[n++] = ' ';
        line[n++] = ' ';
        for (j = 0; j < CONSOLE_HEX_PER_LINE && i + j < len; j++) {
            uint8_t ch = data[i + j];
            line[n++] = ch >= 0x20 && ch <= 0x7e ? (char)ch : '.';
        }
        line[n++] = '\n';
        console_put(c, line, n);
    }
}

/* JSON body, one object, as tcpflow -J. */
static void
console_json(struct tcpf_console *c, const struct tcpf_console_seg *seg, size_t len)
{
    const struct tcpf_outname_vars *v = seg->vars;
    char src[64], dst[64], head[256], buf[4096];
    size_t i, n = 0;
    int k;

    if (v == NULL || tcpf_outname_format_addr(v->family, v->src, false, src, sizeof(src)) < 0)
        src[0] = '\0';
    if (v == NULL || tcpf_outname_format_addr(v->family, v->dst, false, dst, sizeof(dst)) < 0)
        dst[0] = '\0';
    k = snprintf(head, sizeof(head),
                 "{\"src_host\":\"%s\",\"src_port\":%u,\"dst_host\":\"%s\",\"dst_port\":%u,"
                 "\"payload\": [",
                 src, v != NULL ? (unsigned)v->sport : 0u, dst,
                 v != NULL ? (unsigned)v->dport : 0u);
    if (k > 0 && (size_t)k < sizeof(head))
        console_put(c, head, (size_t)k);
    for (i = 0; i < len; i++) {
        k = snprintf(buf + n, sizeof(buf) - n, "%u%s", (unsigned)seg->data[i],
                     i + 1 < len ? "," : "]}");
        n += (size_t)k;
        if (sizeof(buf) - n < 8) {
            console_put(c, buf, n);
            n = 0;
        }
    }
    if (len == 0)
        buf[n++] = ']', buf[n++] = '}';
    console_put(c, buf, n);
}

/* FNV-1a 64 of a name; never 0 (the empty-slot key). */
static uint64_t
console_hash(const char *name)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (; *name != '\0'; name++) {
        h ^= (uint8_t)*name;
        h *= UINT64_C(1099511628211);
    }
    return h != 0 ? h : 1;
}

/* Doubles the per-name table. Returns false on allocation failure (table unchanged). */
static bool
console_table_grow(struct tcpf_console *c)
{
    size_t ncap = c->cap != 0 ? c->cap * 2 : CONSOLE_TABLE_MIN, i, j;
    uint64_t *nk = calloc(ncap, sizeof(*nk)), *nv = calloc(ncap, sizeof(*nv));

    if (nk == NULL || nv == NULL) {
        free(nk);
        free(nv);
        return false;
    }
    for (i = 0; i < c->cap; i++) {
        if (c->keys[i] == 0)
            continue;
        for (j = (size_t)c->keys[i] & (ncap - 1); nk[j] != 0; j = (j + 1) & (ncap - 1))
            ;
        nk[j] = c->keys[i];
        nv[j] = c->vals[i];
    }
    free(c->keys);
    free(c->vals);
    c->keys = nk;
    c->vals = nv;
    c->cap = ncap;
    return true;
}

/* The console's own -b counter for `name`, created at 0. NULL on allocation failure. */
static uint64_t *
console_counter(struct tcpf_console *c, const char *name)
{
    uint64_t h = console_hash(name != NULL ? name : "");
    size_t i;

    if ((c->used + 1) * 2 > c->cap && !console_table_grow(c))
        return NULL;
    for (i = (size_t)h & (c->cap - 1); c->keys[i] != 0; i = (i + 1) & (c->cap - 1))
        if (c->keys[i] == h)
            return &c->vals[i];
    c->keys[i] = h;
    c->vals[i] = 0;
    c->used++;
    return &c->vals[i];
}

struct tcpf_console *
tcpf_console_create(FILE *out, const struct tcpf_console_opts *opts, int64_t max_bytes)
{
    struct tcpf_console *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->out = out;
    c->header = !opts->suppress_header;
    c->newline = !opts->no_newline;
    c->binary = opts->binary;
    c->hex = opts->hexdump;
    c->json = opts->json;
    c->color = opts->color;
    c->max_bytes = max_bytes;
    c->status = TCPF_CONSOLE_OK;
    return c;
}

int
tcpf_console_destroy(struct tcpf_console *c)
{
    int status;

    if (c == NULL)
        return TCPF_CONSOLE_OK;
    status = c->status;
    free(c->keys);
    free(c->vals);
    free(c);
    return status;
}

int
tcpf_console_status(const struct tcpf_console *c)
{
    return c->status;
}

uint64_t
tcpf_console_segments(const struct tcpf_console *c)
{
    return c->segments;
}

uint64_t
tcpf_console_bytes(const struct tcpf_console *c)
{
    return c->bytes;
}

int
tcpf_console_segment(struct tcpf_console *c, const char *name, bool is_client,
                     const uint8_t *data, size_t len)
{
    struct tcpf_console_seg seg;

    seg.name = name;
    seg.is_client = is_client;
    seg.vars = NULL;
    seg.data = data;
    seg.len = len;
    return tcpf_console_print(c, &seg, NULL);
}

int
tcpf_console_print(struct tcpf_console *c, const struct tcpf_console_seg *seg,
                   uint64_t *printed)
{
    size_t len = seg->len;

    if (c->status != TCPF_CONSOLE_OK)
        return c->status;
    if (len == 0)
        return TCPF_CONSOLE_OK;
    if (c->max_bytes >= 0) {
        uint64_t cap = (uint64_t)c->max_bytes;

        if (printed == NULL && (printed = console_counter(c, seg->name)) == NULL)
            return TCPF_CONSOLE_ENOMEM;
        if (*printed >= cap)
            return TCPF_CONSOLE_OK;
        if (len > cap - *printed)
            len = (size_t)(cap - *printed);
    }
    errno = 0;
    if (c->color)
        console_puts(c, seg->is_client ? CONSOLE_BLUE : CONSOLE_RED);
    if (c->header && !c->json) {
        console_puts(c, seg->name != NULL ? seg->name : "");
        console_put(c, ": ", 2);
        if (c->hex)
            console_put(c, "\n", 1);
    }
    if (c->hex)
        console_hex(c, seg->data, len);
    else if (c->json)
        console_json(c, seg, len);
    else
        console_text(c, seg->data, len);
    if (c->color)
        console_puts(c, CONSOLE_RESET);
    if (c->newline)
        console_put(c, "\n", 1);
    if (c->status == TCPF_CONSOLE_OK && fflush(c->out) != 0) {
        int err = errno != 0 ? errno : EIO;

        c->status = err == EPIPE ? TCPF_CONSOLE_EPIPE : TCPF_CONSOLE_EIO;
        if (c->status == TCPF_CONSOLE_EIO)
            tcpf_log(TCPF_LOG_ERROR, "stdout: %s", strerror(err));
    }
    if (printed != NULL)
        *printed += len;
    c->segments++;
    c->bytes += len;
    return c->status;
}
