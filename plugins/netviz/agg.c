/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz aggregation: what each packet and each closed flow adds to the report.
 *
 * Per packet (hot path): counters, quality flags, one time-series bin, an HTTP head check.
 * Per closed flow (one direction): host and conversation tables, ports, and the flow-shape
 * histogram once both directions of a connection are known. Both directions of a connection
 * share conn_id; dir 0 is the direction seen first (normally the client's).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nv.h"

#define NV_PEND_CAP 16384u /* connections waiting for their second direction */

const char *const nv_class_name[NV_NCLASS] = {
    "HTTP", "TLS", "SSH", "Mail", "DNS", "Files/DB", "Remote", "Other",
};

void
nv_class_map_init(uint8_t *map)
{
    static const struct { uint16_t port; uint8_t cls; } known[] = {
        { 80, NV_C_HTTP },    { 8080, NV_C_HTTP },   { 8000, NV_C_HTTP },   { 8008, NV_C_HTTP },
        { 8888, NV_C_HTTP },  { 81, NV_C_HTTP },     { 3128, NV_C_HTTP },   { 443, NV_C_TLS },
        { 8443, NV_C_TLS },   { 465, NV_C_TLS },     { 636, NV_C_TLS },     { 853, NV_C_TLS },
        { 22, NV_C_SSH },     { 25, NV_C_MAIL },     { 587, NV_C_MAIL },    { 110, NV_C_MAIL },
        { 143, NV_C_MAIL },   { 993, NV_C_MAIL },    { 995, NV_C_MAIL },    { 53, NV_C_DNS },
        { 20, NV_C_FILE },    { 21, NV_C_FILE },     { 445, NV_C_FILE },    { 139, NV_C_FILE },
        { 2049, NV_C_FILE },  { 873, NV_C_FILE },    { 3306, NV_C_FILE },   { 5432, NV_C_FILE },
        { 1433, NV_C_FILE },  { 6379, NV_C_FILE },   { 27017, NV_C_FILE },  { 9200, NV_C_FILE },
        { 23, NV_C_REMOTE },  { 3389, NV_C_REMOTE }, { 5900, NV_C_REMOTE }, { 5901, NV_C_REMOTE },
        { 135, NV_C_REMOTE }, { 5985, NV_C_REMOTE }, { 5986, NV_C_REMOTE }, { 1723, NV_C_REMOTE },
    };
    size_t i;

    memset(map, NV_C_OTHER, 65536);
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        map[known[i].port] = known[i].cls;
}

int
nv_agg_init(struct nv_agg *a, uint32_t top_cap)
{
    memset(a, 0, sizeof(*a));
    nv_class_map_init(a->classmap);
    a->port_bytes = calloc(65536, sizeof(*a->port_bytes));
    a->port_conns = calloc(65536, sizeof(*a->port_conns));
    a->scatter = calloc(1, sizeof(*a->scatter));
    a->pend = calloc(NV_PEND_CAP, sizeof(*a->pend));
    if (a->port_bytes == NULL || a->port_conns == NULL || a->scatter == NULL ||
        a->pend == NULL || nv_ts_init(&a->ts) != TCPF_OK ||
        nv_top_init(&a->hosts, top_cap) != TCPF_OK ||
        nv_top_init(&a->convs, top_cap) != TCPF_OK || nv_http_init(&a->http) != TCPF_OK) {
        nv_agg_fini(a);
        return TCPF_ENOMEM;
    }
    return TCPF_OK;
}

void
nv_agg_fini(struct nv_agg *a)
{
    free(a->port_bytes);
    free(a->port_conns);
    free(a->scatter);
    free(a->pend);
    nv_ts_fini(&a->ts);
    nv_top_fini(&a->hosts);
    nv_top_fini(&a->convs);
    nv_http_fini(&a->http);
    a->port_bytes = a->port_conns = NULL;
    a->scatter = NULL;
    a->pend = NULL;
}

static int64_t
agg_ms(struct tcpf_timestamp t)
{
    if (t.sec > (INT64_C(1) << 40) || t.sec < -(INT64_C(1) << 40))
        return t.sec > 0 ? INT64_MAX : INT64_MIN;
    return t.sec * 1000 + (int64_t)(t.nsec / 1000000u);
}

static int64_t
agg_us(struct tcpf_timestamp t)
{
    if (t.sec > (INT64_C(1) << 40) || t.sec < -(INT64_C(1) << 40))
        return t.sec > 0 ? (INT64_C(1) << 60) : -(INT64_C(1) << 60);
    return t.sec * 1000000 + (int64_t)(t.nsec / 1000u);
}

static bool
ts_before(struct tcpf_timestamp a, struct tcpf_timestamp b)
{
    return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec);
}

void
nv_agg_packet(struct nv_agg *a, const struct tcpf_packet *p)
{
    unsigned cls;
    bool syn_only = (p->tcp_flags & 0x12) == 0x02;

    a->packets++;
    a->bytes += p->wirelen;
    a->payload_bytes += p->payload_len;
    if (p->caplen < p->wirelen)
        a->pkt_truncated++;
    if (p->tcp_flags & 0x04)
        a->pkt_rst++;
    if (syn_only)
        a->pkt_syn++;
    if (p->family == TCPF_FAMILY_IPV6)
        a->pkt_v6++;
    if (!a->have_ts) {
        a->first = a->last = p->ts;
        a->have_ts = true;
    } else {
        if (ts_before(p->ts, a->first))
            a->first = p->ts;
        if (ts_before(a->last, p->ts))
            a->last = p->ts;
    }
    /* The server port is the lower-classed one; a SYN without ACK marks its destination. */
    cls = syn_only ? nv_class_of(a->classmap, p->dport, p->sport)
                   : nv_class_of(a->classmap, p->dport < p->sport ? p->dport : p->sport,
                                 p->dport < p->sport ? p->sport : p->dport);
    nv_ts_add(&a->ts, agg_ms(p->ts), cls, p->wirelen, syn_only);
    if (p->payload_len >= 4)
        nv_http_sniff(&a->http, a->classmap, p);
}

/* ---- flow-shape histogram ---------------------------------------------------------------- */

void
nv_scatter_add(struct nv_scatter *s, const struct nv_conn_point *p)
{
    double lx = p->dur_s > 0 ? log10(p->dur_s) : -9.0;
    double ly = p->bytes > 0 ? log10((double)p->bytes) : 0.0;
    int x = (int)floor((lx + 4.0) * 5.0), y = (int)floor(ly * 5.0);
    size_t i, min = 0;

    x = x < 0 ? 0 : x >= NV_SC_X ? NV_SC_X - 1 : x;
    y = y < 0 ? 0 : y >= NV_SC_Y ? NV_SC_Y - 1 : y;
    if (s->cell[x][y][p->cls] < UINT32_MAX)
        s->cell[x][y][p->cls]++;
    if (s->n_big < NV_SC_LABELS) {
        s->big[s->n_big++] = *p;
        return;
    }
    for (i = 1; i < NV_SC_LABELS; i++)
        if (s->big[i].bytes < s->big[min].bytes)
            min = i;
    if (p->bytes > s->big[min].bytes)
        s->big[min] = *p;
}

static void
agg_pend_emit(struct nv_agg *a, const struct nv_pending *pd)
{
    struct nv_conn_point pt;

    memset(&pt, 0, sizeof(pt));
    pt.bytes = pd->bytes;
    pt.dur_s = (double)(pd->last_us - pd->first_us) / 1e6;
    pt.family = pd->family;
    memcpy(pt.server, pd->server, 16);
    pt.port = pd->port;
    pt.cls = pd->cls;
    nv_scatter_add(a->scatter, &pt);
}

/* One direction of a connection closed: merge with the other, or wait for it. */
static void
agg_pend(struct nv_agg *a, const struct tcpf_flow *f, const uint8_t *server, uint16_t port,
         unsigned cls)
{
    struct nv_pending *pd = &a->pend[nv_hash(&f->conn_id, sizeof(f->conn_id)) % NV_PEND_CAP];
    int64_t first = agg_us(f->first_ts), last = agg_us(f->last_ts);

    if (pd->used && pd->conn_id == f->conn_id) {
        pd->bytes += f->wire_bytes;
        if (first < pd->first_us)
            pd->first_us = first;
        if (last > pd->last_us)
            pd->last_us = last;
        agg_pend_emit(a, pd);
        pd->used = false;
        a->npend--;
        return;
    }
    if (pd->used) { /* slot taken by another connection: draw that one from what we have */
        agg_pend_emit(a, pd);
        a->pend_partial++;
        a->npend--;
    }
    pd->used = true;
    pd->conn_id = f->conn_id;
    pd->bytes = f->wire_bytes;
    pd->first_us = first;
    pd->last_us = last;
    pd->family = f->family;
    pd->cls = (uint8_t)cls;
    memcpy(pd->server, server, 16);
    pd->port = port;
    a->npend++;
}

void
nv_agg_finish(struct nv_agg *a)
{
    uint32_t i;

    for (i = 0; i < NV_PEND_CAP && a->npend > 0; i++) {
        if (a->pend[i].used) {
            agg_pend_emit(a, &a->pend[i]);
            a->pend[i].used = false;
            a->npend--;
        }
    }
}

static void
agg_key_host(uint8_t *k, uint8_t family, const uint8_t *addr)
{
    memset(k, 0, NV_KEY_MAX);
    k[0] = family;
    memcpy(k + 1, addr, 16);
}

void
nv_agg_flow_close(struct nv_agg *a, const struct tcpf_flow *f, enum tcpf_close_reason why)
{
    uint8_t key[NV_KEY_MAX];
    const uint8_t *client = f->dir == 0 ? f->src : f->dst;
    const uint8_t *server = f->dir == 0 ? f->dst : f->src;
    uint16_t sport = f->dir == 0 ? f->dport : f->sport;
    uint16_t cport = f->dir == 0 ? f->sport : f->dport;
    unsigned cls = nv_class_of(a->classmap, sport, cport);
    struct nv_top_entry *e;
    size_t i;

    a->flows++;
    a->stream_bytes += f->stream_bytes;
    if (f->gaps > 0 || f->gap_bytes > 0) {
        a->flows_gaps++;
        a->gap_bytes += f->gap_bytes;
    }
    if ((unsigned)why < 8)
        a->close_why[why]++;
    if (f->dir == 0) {
        a->conns++;
        if (f->midstream)
            a->conns_midstream++;
        if (why == TCPF_CLOSE_RST)
            a->conns_rst++;
        a->port_conns[sport]++;
    }
    a->port_bytes[sport] += f->wire_bytes;

    /* Hosts: sender and receiver of this direction. */
    agg_key_host(key, f->family, f->src);
    nv_hll_add(&a->hll, nv_hash(key, NV_KEY_MAX));
    e = nv_top_add(&a->hosts, key, f->wire_bytes);
    e->v[0] += f->wire_bytes;
    e->v[2] += f->packets;
    if (f->dir == 0)
        e->v[4]++;
    agg_key_host(key, f->family, f->dst);
    nv_hll_add(&a->hll, nv_hash(key, NV_KEY_MAX));
    if (memcmp(f->src, f->dst, 16) == 0) { /* talking to itself: one host, counted once */
        e->v[1] += f->wire_bytes;
        e->v[3] += f->packets;
        e->v[5] += f->wire_bytes;
    } else {
        e = nv_top_add(&a->hosts, key, f->wire_bytes);
        e->v[1] += f->wire_bytes;
        e->v[3] += f->packets;
        if (f->dir == 0)
            e->v[4]++;
    }

    /* Conversation: client, server, server port. */
    memset(key, 0, sizeof(key));
    key[0] = f->family;
    memcpy(key + 1, client, 16);
    memcpy(key + 17, server, 16);
    key[33] = (uint8_t)(sport >> 8);
    key[34] = (uint8_t)sport;
    e = nv_top_add(&a->convs, key, f->wire_bytes);
    e->v[f->dir == 0 ? 0 : 1] += f->wire_bytes;
    e->v[2] += f->packets;
    if (f->dir == 0)
        e->v[3]++;
    {
        int64_t fu = agg_us(f->first_ts), lu = agg_us(f->last_ts);

        if (e->v[4] == 0 || (int64_t)e->v[4] > fu)
            e->v[4] = (uint64_t)fu;
        if ((int64_t)e->v[5] < lu || e->v[5] == 0)
            e->v[5] = (uint64_t)lu;
    }

    for (i = 0; i < f->n_derived; i++)
        if (f->derived[i].scanner != NULL && strcmp(f->derived[i].scanner, "http") == 0)
            nv_http_derived(&a->http, &f->derived[i]);
    agg_pend(a, f, server, sport, cls);
}
