/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz internals: bounded aggregates (collected from packets and flow closes) and
 * the report model the drawing code reads.
 *
 * Memory is bounded whatever the capture size: every table has a fixed capacity set at
 * init (top-N tables use the space-saving algorithm, Metwally et al. 2005; distinct hosts
 * are counted with HyperLogLog, Flajolet et al. 2007, once the host table overflows).
 * Nothing here includes cairo: drawing lives in draw.c / panels.c / render.c.
 */
#ifndef NETVIZ_NV_H
#define NETVIZ_NV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tcpflow/scanner.h>

#define NV_VERSION "1.0"

/* ---- service classes (one colour each, used in every panel) ----------------------------- */
enum nv_class {
    NV_C_HTTP, NV_C_TLS, NV_C_SSH, NV_C_MAIL, NV_C_DNS, NV_C_FILE, NV_C_REMOTE, NV_C_OTHER,
    NV_NCLASS
};
extern const char *const nv_class_name[NV_NCLASS];
/* Fills map[65536] with the class of each well-known TCP port. */
void nv_class_map_init(uint8_t *map);
/* The class of a connection: the server port's, else the client port's. */
static inline unsigned
nv_class_of(const uint8_t *map, uint16_t server_port, uint16_t client_port)
{
    unsigned c = map[server_port];

    return c != NV_C_OTHER ? c : map[client_port];
}

/* ---- space-saving top-N table ------------------------------------------------------------ */
#define NV_KEY_MAX 64
#define NV_VALS 6

struct nv_top_entry {
    uint8_t key[NV_KEY_MAX]; /* zero-padded */
    uint64_t weight;         /* counted weight + err (the space-saving estimate) */
    uint64_t err;            /* weight inherited from the evicted entry (over-estimate bound) */
    uint64_t v[NV_VALS];     /* counters of the entry since it entered the table */
    uint32_t heap_pos;
};

struct nv_top {
    struct nv_top_entry *e; /* cap entries */
    uint32_t *heap;         /* min-heap of entry indexes, by weight */
    uint32_t *slot;         /* open addressing, UINT32_MAX = empty; nslot = 2 * cap rounded up */
    uint32_t cap, n, nslot;
    uint64_t evictions;
};

int nv_top_init(struct nv_top *t, uint32_t cap);
void nv_top_fini(struct nv_top *t);
/* Finds or inserts key (NV_KEY_MAX bytes, zero-padded) and adds w to its weight. Returns the
 * entry, whose v[] the caller updates; never NULL once initialised. */
struct nv_top_entry *nv_top_add(struct nv_top *t, const uint8_t *key, uint64_t w);
/* The up to k heaviest entries, heaviest first, ties by key (deterministic). Returns the count. */
size_t nv_top_best(const struct nv_top *t, const struct nv_top_entry **out, size_t k);

/* ---- adaptive time series ---------------------------------------------------------------- */
#define NV_TS_BINS 4096

struct nv_tseries {
    int step;                    /* index into the width ladder; -1 = no sample yet */
    int64_t origin;              /* start of bin 0 in ms since the epoch (multiple of width) */
    uint32_t used;               /* bins 0..used-1 may be non-zero */
    uint64_t (*bytes)[NV_NCLASS]; /* NV_TS_BINS rows */
    uint64_t *conns;             /* connections started per bin */
    uint64_t clamped;            /* samples outside every representable range */
};

int nv_ts_init(struct nv_tseries *ts);
void nv_ts_fini(struct nv_tseries *ts);
void nv_ts_add(struct nv_tseries *ts, int64_t ms, unsigned cls, uint64_t bytes, bool conn_start);
int64_t nv_ts_width(const struct nv_tseries *ts);
/* Rebins into at most max_bins bins of a ladder width >= the current one. Returns the
 * number of bins (0 if empty); *out_bytes (n * NV_NCLASS) and *out_conns are malloc'ed. */
size_t nv_ts_view(const struct nv_tseries *ts, size_t max_bins, int64_t *width, int64_t *origin,
                  uint64_t **out_bytes, uint64_t **out_conns);
/* Largest total over windows of max(width, 1 s); the window used goes to *win_ms. */
uint64_t nv_ts_peak(const struct nv_tseries *ts, int64_t *win_ms, int64_t *at_ms);

/* ---- flow-shape histogram (log duration x log bytes) -------------------------------------- */
#define NV_SC_X 48 /* duration: 10^-4 s .. 10^5.6 s, 5 bins per decade */
#define NV_SC_Y 60 /* bytes: 10^0 .. 10^12, 5 bins per decade */
#define NV_SC_LABELS 10

struct nv_conn_point {
    uint64_t bytes;
    double dur_s;
    uint8_t family;
    uint8_t server[16];
    uint16_t port;
    uint8_t cls;
};

struct nv_scatter {
    uint32_t cell[NV_SC_X][NV_SC_Y][NV_NCLASS];
    struct nv_conn_point big[NV_SC_LABELS]; /* largest connections, unsorted */
    size_t n_big;
};
void nv_scatter_add(struct nv_scatter *s, const struct nv_conn_point *p);

/* ---- HTTP heads seen in packets ---------------------------------------------------------- */
#define NV_HTTP_METHODS 9
extern const char *const nv_http_method_name[NV_HTTP_METHODS];

struct nv_http {
    uint64_t requests, responses;
    uint64_t method[NV_HTTP_METHODS];
    uint64_t status[600];
    uint64_t nonstd_port; /* requests to a port not classed HTTP */
    struct nv_top hosts;  /* Host header -> v[0] requests */
    struct nv_top ctypes; /* Content-Type of responses -> v[0] responses */
    uint64_t objects, object_bytes; /* derived files the http scanner created */
    struct { char name[96]; uint64_t size; } big[5];
};
int nv_http_init(struct nv_http *h);
void nv_http_fini(struct nv_http *h);
/* Looks at the start of one TCP payload for a request or status line. */
void nv_http_sniff(struct nv_http *h, const uint8_t *map, const struct tcpf_packet *p);
void nv_http_derived(struct nv_http *h, const struct tcpf_derived_file *d);

/* ---- HyperLogLog distinct counter -------------------------------------------------------- */
#define NV_HLL_BITS 12
struct nv_hll {
    uint8_t reg[1u << NV_HLL_BITS];
};
void nv_hll_add(struct nv_hll *h, uint64_t hash);
double nv_hll_estimate(const struct nv_hll *h);
uint64_t nv_hash(const void *p, size_t n);

/* ---- pending connections (both directions merged for the flow-shape panel) -------------- */
struct nv_pending {
    uint64_t conn_id;
    uint64_t bytes;
    int64_t first_us, last_us;
    bool used;
    uint8_t family, cls;
    uint8_t server[16];
    uint16_t port;
};

/* ---- everything collected during the run ------------------------------------------------- */
struct nv_agg {
    uint8_t classmap[65536];
    /* packets */
    uint64_t packets, bytes, payload_bytes;
    uint64_t pkt_truncated, pkt_rst, pkt_syn;
    bool have_ts;
    struct tcpf_timestamp first, last;
    uint64_t pkt_v6;
    /* flows */
    uint64_t flows, conns, conns_midstream, conns_rst, flows_gaps, gap_bytes, stream_bytes;
    uint64_t close_why[8];
    struct nv_tseries ts;
    struct nv_top hosts; /* key: family, addr[16]; v: out, in, pkts out, pkts in, conns,
                          * bytes to itself */
    struct nv_top convs; /* key: family, client[16], server[16], port; v: ab, ba, pkts,
                          * conns, first_us, last_us */
    struct nv_hll hll;
    uint64_t *port_bytes;       /* [65536] by server port */
    uint64_t *port_conns;       /* [65536] */
    struct nv_scatter *scatter;
    struct nv_pending *pend;
    uint32_t npend;
    uint64_t pend_partial;      /* connections drawn from one direction only (table full) */
    struct nv_http http;
};

int nv_agg_init(struct nv_agg *a, uint32_t top_cap);
void nv_agg_fini(struct nv_agg *a);
void nv_agg_packet(struct nv_agg *a, const struct tcpf_packet *p);
void nv_agg_flow_close(struct nv_agg *a, const struct tcpf_flow *f, enum tcpf_close_reason why);
/* Flushes connections still waiting for their other direction. */
void nv_agg_finish(struct nv_agg *a);

/* ---- formatting (fmt.c) ------------------------------------------------------------------ */
void nv_fmt_bytes(char *buf, size_t n, uint64_t v);        /* "1.5 MiB" */
void nv_fmt_count(char *buf, size_t n, uint64_t v);        /* "12,345" or "1.2 G" */
void nv_fmt_rate(char *buf, size_t n, double bytes_per_s); /* "12.3 Mbit/s" */
void nv_fmt_dur(char *buf, size_t n, double s);            /* "3 min 05 s" */
void nv_fmt_dur_short(char *buf, size_t n, double s);      /* "3m05s" */
void nv_fmt_width(char *buf, size_t n, int64_t ms);        /* "10 s", "1 min" */
void nv_fmt_utc(char *buf, size_t n, struct tcpf_timestamp ts, bool with_frac);
void nv_fmt_addr(char *buf, size_t n, uint8_t family, const uint8_t *addr);
bool nv_addr_internal(uint8_t family, const uint8_t *addr);
/* Copies src into dst keeping printable ASCII only (others become '?'). */
void nv_sanitize(char *dst, size_t n, const char *src);
const char *nv_port_name(uint16_t port); /* "http", or NULL */

/* ---- sha256 (sha256.c) ------------------------------------------------------------------- */
/* hex (65 bytes) of the file at path; 0, or -1 (not a regular file / unreadable). */
int nv_sha256_file(const char *path, char hex[65]);

/* ---- GeoIP / ASN (geo.c) ----------------------------------------------------------------- */
struct nv_geo;
struct nv_geo *nv_geo_open(const struct tcpf_host *host, const char *city_path,
                           const char *asn_path);
void nv_geo_close(struct nv_geo *g);
bool nv_geo_enabled(const struct nv_geo *g);
/* "US AS15169 Google" style, or "" when unknown. */
void nv_geo_lookup(struct nv_geo *g, uint8_t family, const uint8_t *addr, char *buf, size_t n);
const char *nv_geo_describe(const struct nv_geo *g); /* databases used, for provenance */

#endif /* NETVIZ_NV_H */
