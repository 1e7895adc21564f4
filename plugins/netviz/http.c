/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz HTTP box data: request and status lines seen at the start of TCP payloads
 * (RFC 9112 section 3 and 4), plus the objects the http scanner saved (its derived files).
 *
 * This is a triage view, not a parser: only a packet whose payload starts with a method or
 * "HTTP/1." is looked at, and only its first NV_HTTP_SCAN bytes (Host and Content-Type must
 * be in that packet). Everything is counted into fixed arrays or bounded top-N tables.
 */
#include <string.h>

#include "nv.h"

#define NV_HTTP_SCAN 2048

const char *const nv_http_method_name[NV_HTTP_METHODS] = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "PATCH", "other",
};

int
nv_http_init(struct nv_http *h)
{
    memset(h, 0, sizeof(*h));
    if (nv_top_init(&h->hosts, 512) != TCPF_OK)
        return TCPF_ENOMEM;
    if (nv_top_init(&h->ctypes, 128) != TCPF_OK) {
        nv_top_fini(&h->hosts);
        return TCPF_ENOMEM;
    }
    return TCPF_OK;
}

void
nv_http_fini(struct nv_http *h)
{
    nv_top_fini(&h->hosts);
    nv_top_fini(&h->ctypes);
}

static int
http_ci_prefix(const uint8_t *p, size_t n, const char *s)
{
    size_t i, l = strlen(s);

    if (n < l)
        return 0;
    for (i = 0; i < l; i++) {
        uint8_t c = p[i];

        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c - 'A' + 'a');
        if (c != (uint8_t)s[i])
            return 0;
    }
    return 1;
}

/* Finds header `name` (lower case, with ':') in p[0..n); copies its trimmed value. */
static void
http_header(const uint8_t *p, size_t n, const char *name, uint8_t *key)
{
    size_t i = 0, l = strlen(name);

    memset(key, 0, NV_KEY_MAX);
    while (i < n) {
        size_t e = i, v, k = 0;

        while (e < n && p[e] != '\n')
            e++;
        if (e - i <= 2 && i > 0) /* blank line: end of the header block */
            return;
        if (http_ci_prefix(p + i, e - i, name)) {
            for (v = i + l; v < e && (p[v] == ' ' || p[v] == '\t'); v++)
                ;
            while (v < e && p[v] != '\r' && p[v] != ';' && k < NV_KEY_MAX - 1) {
                uint8_t c = p[v++];

                if (c >= 'A' && c <= 'Z' && name[0] == 'c')
                    c = (uint8_t)(c - 'A' + 'a'); /* media types are case-insensitive */
                key[k++] = (c >= 0x20 && c < 0x7f) ? c : '?';
            }
            while (k > 0 && key[k - 1] == ' ')
                key[--k] = 0;
            return;
        }
        i = e + 1;
    }
}

void
nv_http_sniff(struct nv_http *h, const uint8_t *map, const struct tcpf_packet *p)
{
    const uint8_t *d = p->payload;
    size_t n = p->payload_len < NV_HTTP_SCAN ? p->payload_len : NV_HTTP_SCAN;
    uint8_t key[NV_KEY_MAX];
    unsigned m;

    if (d == NULL || n < 4)
        return;
    if (n >= 12 && memcmp(d, "HTTP/1.", 7) == 0 && d[8] == ' ') {
        unsigned code = 0, i;

        for (i = 9; i < 12; i++) {
            if (d[i] < '0' || d[i] > '9')
                return;
            code = code * 10 + (unsigned)(d[i] - '0');
        }
        if (code < 100 || code > 599)
            return;
        h->responses++;
        h->status[code]++;
        http_header(d, n, "content-type:", key);
        if (key[0] != 0)
            nv_top_add(&h->ctypes, key, 1)->v[0]++;
        return;
    }
    for (m = 0; m + 1 < NV_HTTP_METHODS; m++) {
        size_t l = strlen(nv_http_method_name[m]);

        if (n > l && memcmp(d, nv_http_method_name[m], l) == 0 && d[l] == ' ')
            break;
    }
    if (m + 1 == NV_HTTP_METHODS)
        return; /* not a request line we know; "other" stays for future methods */
    h->requests++;
    h->method[m]++;
    if (map[p->dport] != NV_C_HTTP)
        h->nonstd_port++;
    http_header(d, n, "host:", key);
    if (key[0] != 0)
        nv_top_add(&h->hosts, key, 1)->v[0]++;
}

void
nv_http_derived(struct nv_http *h, const struct tcpf_derived_file *df)
{
    size_t i, min = 0;
    const char *name = df->name != NULL ? df->name : "";

    h->objects++;
    h->object_bytes += df->size;
    for (i = 1; i < 5; i++)
        if (h->big[i].size < h->big[min].size)
            min = i;
    if (df->size > h->big[min].size || h->big[min].name[0] == '\0') {
        nv_sanitize(h->big[min].name, sizeof(h->big[min].name), name);
        h->big[min].size = df->size;
    }
}
