/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz report model: every string and number the page shows, computed once at
 * shutdown from the aggregates (report.c) and read by the drawing code (panels.c). All text
 * here is printable ASCII (sanitised), so the cairo toy text API never sees bad UTF-8.
 */
#ifndef NETVIZ_REPORT_H
#define NETVIZ_REPORT_H

#include "nv.h"

#define NV_ROWS 10
#define NV_MAX_INPUTS 3

struct nv_row_host {
    char addr[48];
    char geo[80];
    bool internal;
    uint64_t out, in, pkts, conns, self;
    bool approx; /* space-saving error bound > 0 */
};

struct nv_row_conv {
    char client[48], server[48];
    uint16_t port;
    unsigned cls;
    uint64_t ab, ba, conns;
    double dur_s;
    bool approx;
};

struct nv_row_port {
    uint16_t port;
    unsigned cls;
    uint64_t bytes, conns;
};

struct nv_row_kv {
    char key[NV_KEY_MAX];
    uint64_t n;
};

struct nv_report {
    const struct nv_agg *a;
    double page_w, page_h; /* points */
    bool letter;

    /* provenance */
    char version[96];
    char cmdline[512];
    char outdir[256];
    size_t n_inputs, inputs_more;
    struct {
        char name[256];
        char sha[72];
    } input[NV_MAX_INPUTS];
    char start[48], end[48];
    char geo_desc[256];

    /* headline */
    double duration_s;
    uint64_t hosts;
    bool hosts_approx;
    uint64_t peak_bytes;
    int64_t peak_win_ms, peak_at_ms;
    bool have_core; /* run-level entries from the core were visible */
    uint64_t core_packets, core_tcp_packets, core_payload_missing, core_dropped;

    /* time series (rebinned for the page) */
    size_t ts_n;
    int64_t ts_w, ts_origin;
    uint64_t *ts_bytes; /* ts_n * NV_NCLASS */
    uint64_t *ts_conns;
    uint64_t class_bytes[NV_NCLASS];

    /* tables */
    size_t n_hosts, n_convs, n_pbytes, n_pconns;
    struct nv_row_host host[NV_ROWS];
    struct nv_row_conv conv[NV_ROWS];
    struct nv_row_port pbytes[NV_ROWS], pconns[NV_ROWS];
    bool hosts_evicted, convs_evicted;
    bool geo;

    /* flow shape: the labelled connections, largest first */
    size_t n_big;
    struct nv_conn_point big[NV_SC_LABELS];

    /* HTTP */
    size_t n_http_hosts, n_http_ctypes;
    struct nv_row_kv http_host[5], http_ctype[4];
    struct nv_row_kv http_status[6];
    size_t n_http_status;
};

struct tcpf_host;
/* Builds the model (geo may be NULL; hash: sha256 the inputs). Free with nv_report_free. */
int nv_report_build(struct nv_report *r, const struct nv_agg *a, const struct tcpf_host *host,
                    struct nv_geo *geo, bool hash_inputs, bool letter);
void nv_report_free(struct nv_report *r);

#endif /* NETVIZ_REPORT_H */
