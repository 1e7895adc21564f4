/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz report model: from the bounded aggregates and the host's run view to the
 * rows and strings the page shows (top-N selection, provenance, input hashes).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define A4_W 595.28
#define A4_H 841.89
#define LETTER_W 612.0
#define LETTER_H 792.0

static bool
rep_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return false;
    v = strtoull(s, &end, 10);
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

/* Reads the core's run-level counters when a report sink made the host keep them. */
static void
rep_core(struct nv_report *r, const struct tcpf_run *run)
{
    size_t i;

    for (i = 0; i < run->n_entries; i++) {
        const struct tcpf_report_entry *e = &run->entries[i];
        uint64_t v;

        if (e->scanner == NULL || strcmp(e->scanner, "tcpflow") != 0 || !rep_u64(e->value, &v))
            continue;
        r->have_core = true;
        if (strcmp(e->key, "packets") == 0)
            r->core_packets = v;
        else if (strcmp(e->key, "tcp_packets") == 0)
            r->core_tcp_packets = v;
        else if (strcmp(e->key, "payload_missing") == 0)
            r->core_payload_missing = v;
        else if (strncmp(e->key, "dropped.", 8) == 0)
            r->core_dropped += v;
    }
}

static void
rep_provenance(struct nv_report *r, const struct tcpf_host *host, bool hash_inputs)
{
    const struct tcpf_run *run = host->run_info != NULL ? host->run_info(host) : NULL;
    char tmp[600];
    size_t i;

    snprintf(tmp, sizeof(tmp), "tcpflow %s, netviz %s",
             run != NULL && run->host_version != NULL ? run->host_version : "?", NV_VERSION);
    nv_sanitize(r->version, sizeof(r->version), tmp);
    if (run == NULL)
        return;
    nv_sanitize(r->cmdline, sizeof(r->cmdline), run->command_line ? run->command_line : "");
    nv_sanitize(r->outdir, sizeof(r->outdir), run->outdir ? run->outdir : ".");
    r->n_inputs = run->n_inputs < NV_MAX_INPUTS ? run->n_inputs : NV_MAX_INPUTS;
    r->inputs_more = run->n_inputs - r->n_inputs;
    for (i = 0; i < r->n_inputs; i++) {
        const char *name = run->inputs[i] != NULL ? run->inputs[i] : "?";

        nv_sanitize(r->input[i].name, sizeof(r->input[i].name), name);
        if (!hash_inputs)
            snprintf(r->input[i].sha, sizeof(r->input[i].sha), "(not hashed: hash_inputs=no)");
        else if (nv_sha256_file(name, r->input[i].sha) != 0)
            snprintf(r->input[i].sha, sizeof(r->input[i].sha), "(not a regular file)");
    }
    rep_core(r, run);
}

static void
rep_tables(struct nv_report *r, const struct nv_agg *a, struct nv_geo *geo)
{
    const struct nv_top_entry *best[NV_ROWS];
    size_t i, n;

    n = nv_top_best(&a->hosts, best, NV_ROWS);
    for (i = 0; i < n; i++) {
        struct nv_row_host *h = &r->host[i];

        nv_fmt_addr(h->addr, sizeof(h->addr), best[i]->key[0], best[i]->key + 1);
        h->internal = nv_addr_internal(best[i]->key[0], best[i]->key + 1);
        h->out = best[i]->v[0];
        h->in = best[i]->v[1];
        h->pkts = best[i]->v[2] + best[i]->v[3];
        h->conns = best[i]->v[4];
        h->self = best[i]->v[5];
        h->approx = best[i]->err > 0;
        nv_geo_lookup(geo, best[i]->key[0], best[i]->key + 1, h->geo, sizeof(h->geo));
    }
    r->n_hosts = n;
    r->hosts_evicted = a->hosts.evictions > 0;
    n = nv_top_best(&a->convs, best, NV_ROWS);
    for (i = 0; i < n; i++) {
        struct nv_row_conv *c = &r->conv[i];
        const uint8_t *k = best[i]->key;

        nv_fmt_addr(c->client, sizeof(c->client), k[0], k + 1);
        nv_fmt_addr(c->server, sizeof(c->server), k[0], k + 17);
        c->port = (uint16_t)(k[33] << 8 | k[34]);
        c->cls = a->classmap[c->port];
        c->ab = best[i]->v[0];
        c->ba = best[i]->v[1];
        c->conns = best[i]->v[3];
        c->dur_s = (double)((int64_t)best[i]->v[5] - (int64_t)best[i]->v[4]) / 1e6;
        c->approx = best[i]->err > 0;
    }
    r->n_convs = n;
    r->convs_evicted = a->convs.evictions > 0;
    r->geo = nv_geo_enabled(geo);
}

/* Top ports by bytes (or by connections): a partial selection over the 65536 counters. */
static size_t
rep_ports(const struct nv_agg *a, struct nv_row_port *rows, bool by_conns)
{
    const uint64_t *v = by_conns ? a->port_conns : a->port_bytes;
    size_t n = 0, i, j;
    uint32_t p;

    for (p = 0; p < 65536; p++) {
        if (v[p] == 0)
            continue;
        if (n == NV_ROWS && v[p] <= (by_conns ? rows[n - 1].conns : rows[n - 1].bytes))
            continue;
        i = n < NV_ROWS ? n++ : NV_ROWS - 1;
        while (i > 0 && (by_conns ? rows[i - 1].conns : rows[i - 1].bytes) < v[p]) {
            rows[i] = rows[i - 1];
            i--;
        }
        rows[i].port = (uint16_t)p;
        rows[i].bytes = a->port_bytes[p];
        rows[i].conns = a->port_conns[p];
        rows[i].cls = a->classmap[p];
    }
    for (j = 0; j < n; j++)
        rows[j].cls = a->classmap[rows[j].port];
    return n;
}

static int
rep_big_cmp(const void *x, const void *y)
{
    const struct nv_conn_point *a = x, *b = y;

    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->port != b->port)
        return a->port < b->port ? -1 : 1;
    return memcmp(a->server, b->server, 16);
}

static int
rep_kv_cmp(const void *x, const void *y)
{
    const struct nv_row_kv *a = x, *b = y;

    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->key, b->key);
}

static void
rep_http(struct nv_report *r, const struct nv_agg *a)
{
    const struct nv_top_entry *best[5];
    struct nv_row_kv st[600];
    size_t i, n, ns = 0;

    n = nv_top_best(&a->http.hosts, best, 5);
    for (i = 0; i < n; i++) {
        nv_sanitize(r->http_host[i].key, NV_KEY_MAX, (const char *)best[i]->key);
        r->http_host[i].n = best[i]->v[0];
    }
    r->n_http_hosts = n;
    n = nv_top_best(&a->http.ctypes, best, 4);
    for (i = 0; i < n; i++) {
        nv_sanitize(r->http_ctype[i].key, NV_KEY_MAX, (const char *)best[i]->key);
        r->http_ctype[i].n = best[i]->v[0];
    }
    r->n_http_ctypes = n;
    for (i = 100; i < 600; i++) {
        if (a->http.status[i] == 0)
            continue;
        snprintf(st[ns].key, sizeof(st[ns].key), "%zu", i);
        st[ns++].n = a->http.status[i];
    }
    qsort(st, ns, sizeof(st[0]), rep_kv_cmp);
    r->n_http_status = ns < 6 ? ns : 6;
    memcpy(r->http_status, st, r->n_http_status * sizeof(st[0]));
}

int
nv_report_build(struct nv_report *r, const struct nv_agg *a, const struct tcpf_host *host,
                struct nv_geo *geo, bool hash_inputs, bool letter)
{
    size_t i, c;

    memset(r, 0, sizeof(*r));
    r->a = a;
    r->letter = letter;
    r->page_w = letter ? LETTER_W : A4_W;
    r->page_h = letter ? LETTER_H : A4_H;
    rep_provenance(r, host, hash_inputs);
    nv_sanitize(r->geo_desc, sizeof(r->geo_desc), nv_geo_describe(geo));
    if (a->have_ts) {
        nv_fmt_utc(r->start, sizeof(r->start), a->first, true);
        nv_fmt_utc(r->end, sizeof(r->end), a->last, true);
        r->duration_s = (double)(a->last.sec - a->first.sec) +
                        ((double)a->last.nsec - (double)a->first.nsec) / 1e9;
    }
    r->hosts_approx = a->hosts.evictions > 0;
    r->hosts = r->hosts_approx ? (uint64_t)(nv_hll_estimate(&a->hll) + 0.5) : a->hosts.n;
    r->peak_bytes = nv_ts_peak(&a->ts, &r->peak_win_ms, &r->peak_at_ms);
    r->ts_n = nv_ts_view(&a->ts, 120, &r->ts_w, &r->ts_origin, &r->ts_bytes, &r->ts_conns);
    for (i = 0; i < r->ts_n; i++)
        for (c = 0; c < NV_NCLASS; c++)
            r->class_bytes[c] += r->ts_bytes[i * NV_NCLASS + c];
    rep_tables(r, a, geo);
    r->n_pbytes = rep_ports(a, r->pbytes, false);
    r->n_pconns = rep_ports(a, r->pconns, true);
    r->n_big = a->scatter->n_big;
    memcpy(r->big, a->scatter->big, r->n_big * sizeof(r->big[0]));
    qsort(r->big, r->n_big, sizeof(r->big[0]), rep_big_cmp);
    rep_http(r, a);
    return TCPF_OK;
}

void
nv_report_free(struct nv_report *r)
{
    free(r->ts_bytes);
    free(r->ts_conns);
    r->ts_bytes = r->ts_conns = NULL;
}
