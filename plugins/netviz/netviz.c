/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz scanner: a one-page triage report of the TCP traffic (report.pdf,
 * report.png, report.svg), the first thing to look at after `tcpflow -e netviz -r cap.pcap`.
 *
 * Every TCP packet comes through the packet callback and every flow through flow_close (no
 * flow_open: netviz keeps no per-flow state); both only update bounded aggregates (nv.h).
 * At shutdown the aggregates become a report model (report.c) drawn once per surface
 * (render.c). Uses only <tcpflow/scanner.h>; see docs in plugins/netviz/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nv.h"
#include "render.h"
#include "report.h"

struct netviz {
    const struct tcpf_host *host;
    unsigned formats;
    bool letter, hash_inputs;
    struct nv_geo *geo;
    struct nv_agg agg;
};

static const struct tcpf_scanner_option viz_options[] = {
    { "format", TCPF_OPT_STR, "pdf,png,svg", "comma list of report formats: pdf, png, svg" },
    { "page", TCPF_OPT_STR, "a4", "page size: a4 or letter" },
    { "hash_inputs", TCPF_OPT_BOOL, "yes", "sha256 the input files for the provenance strip" },
    { "geoip", TCPF_OPT_STR, "", "MaxMind country/city .mmdb for a country column" },
    { "asn", TCPF_OPT_STR, "", "MaxMind ASN .mmdb for an AS column" },
    { "table_size", TCPF_OPT_U64, "8192", "entries kept by each top-N table (64..1048576)" },
    { NULL, 0, NULL, NULL },
};

/* "pdf,png,svg" -> NV_FMT_* bits; 0 on a bad list. */
static unsigned
viz_formats(const char *s)
{
    unsigned f = 0;

    while (s != NULL && *s != '\0') {
        size_t n = strcspn(s, ",");

        if (n == 3 && strncmp(s, "pdf", 3) == 0)
            f |= NV_FMT_PDF;
        else if (n == 3 && strncmp(s, "png", 3) == 0)
            f |= NV_FMT_PNG;
        else if (n == 3 && strncmp(s, "svg", 3) == 0)
            f |= NV_FMT_SVG;
        else if (n != 0)
            return 0;
        s += n;
        if (*s == ',')
            s++;
    }
    return f;
}

static void
viz_free(struct netviz *v)
{
    nv_geo_close(v->geo);
    nv_agg_fini(&v->agg);
    free(v);
}

static int
viz_init(const struct tcpf_host *host, void **sstate)
{
    struct netviz *v = calloc(1, sizeof(*v));
    const char *fmt = NULL, *page = NULL, *geoip = NULL, *asn = NULL;
    uint64_t cap = 0;

    if (v == NULL)
        return TCPF_ENOMEM;
    v->host = host;
    if (host->cfg_str(host, "format", &fmt) != TCPF_OK ||
        host->cfg_str(host, "page", &page) != TCPF_OK ||
        host->cfg_bool(host, "hash_inputs", &v->hash_inputs) != TCPF_OK ||
        host->cfg_str(host, "geoip", &geoip) != TCPF_OK ||
        host->cfg_str(host, "asn", &asn) != TCPF_OK ||
        host->cfg_u64(host, "table_size", &cap) != TCPF_OK) {
        free(v);
        return TCPF_EINVAL;
    }
    if ((v->formats = viz_formats(fmt)) == 0) {
        host->log(host, TCPF_SLOG_ERROR, "format=%s: expected a comma list of pdf, png, svg", fmt);
        free(v);
        return TCPF_EINVAL;
    }
    if (strcmp(page, "a4") == 0 || strcmp(page, "A4") == 0) {
        v->letter = false;
    } else if (strcmp(page, "letter") == 0) {
        v->letter = true;
    } else {
        host->log(host, TCPF_SLOG_ERROR, "page=%s: expected a4 or letter", page);
        free(v);
        return TCPF_EINVAL;
    }
    if (cap < 64 || cap > 1048576) {
        host->log(host, TCPF_SLOG_ERROR, "table_size=%llu: expected 64..1048576",
                  (unsigned long long)cap);
        free(v);
        return TCPF_EINVAL;
    }
    if (nv_agg_init(&v->agg, (uint32_t)cap) != TCPF_OK) {
        free(v);
        return TCPF_ENOMEM;
    }
    v->geo = nv_geo_open(host, geoip, asn);
    *sstate = v;
    return TCPF_OK;
}

static int
viz_packet(void *sstate, const struct tcpf_packet *pkt)
{
    struct netviz *v = sstate;

    if (pkt->ip_proto == 6)
        nv_agg_packet(&v->agg, pkt);
    return TCPF_OK;
}

static void
viz_flow_close(void *sstate, void *fstate, const struct tcpf_flow *flow,
               enum tcpf_close_reason why)
{
    struct netviz *v = sstate;

    (void)fstate;
    nv_agg_flow_close(&v->agg, flow, why);
}

/* The headline numbers also go to the run-level report (DFXML), so that roll-ups need not
 * parse the PDF. */
static void
viz_entries(struct netviz *v, const struct nv_report *r)
{
    const struct tcpf_host *h = v->host;
    char buf[160];

#define VIZ_U64(key, val)                                                                     \
    do {                                                                                      \
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(val));                       \
        h->report_add(h, NULL, key, buf);                                                     \
    } while (0)
    VIZ_U64("netviz.packets", v->agg.packets);
    VIZ_U64("netviz.bytes", v->agg.bytes);
    VIZ_U64("netviz.connections", v->agg.conns);
    VIZ_U64("netviz.flows", v->agg.flows);
    VIZ_U64("netviz.hosts", r->hosts);
    VIZ_U64("netviz.peak_bytes", r->peak_bytes);
    VIZ_U64("netviz.peak_window_ms", r->peak_win_ms);
    VIZ_U64("netviz.truncated_packets", v->agg.pkt_truncated);
    VIZ_U64("netviz.flows_with_gaps", v->agg.flows_gaps);
    VIZ_U64("netviz.midstream_connections", v->agg.conns_midstream);
    VIZ_U64("netviz.rst_packets", v->agg.pkt_rst);
    VIZ_U64("netviz.http_requests", v->agg.http.requests);
#undef VIZ_U64
    snprintf(buf, sizeof(buf), "%.6f", r->duration_s);
    h->report_add(h, NULL, "netviz.duration_s", buf);
    if (r->n_hosts > 0)
        h->report_add(h, NULL, "netviz.top_talker", r->host[0].addr);
}

static void
viz_shutdown(void *sstate)
{
    struct netviz *v = sstate;
    struct nv_report r;
    char date[48] = "1970-01-01T00:00:00";

    nv_agg_finish(&v->agg);
    if (nv_report_build(&r, &v->agg, v->host, v->geo, v->hash_inputs, v->letter) == TCPF_OK) {
        if (v->agg.have_ts)
            nv_fmt_utc(date, sizeof(date), v->agg.first, false);
        strcat(date, "Z");
        nv_render(v->host, &r, v->formats, date);
        viz_entries(v, &r);
        nv_report_free(&r);
    }
    viz_free(v);
}

TCPF_SCANNER_DEFINE = {
    TCPF_SCANNER_HEADER("netviz"),
    .version = NV_VERSION,
    .description = "one-page triage report of the TCP traffic: report.pdf, .png, .svg",
    /* no flow state; flow_close feeds run-wide aggregates, so it wants -j 1 order */
    .flags = TCPF_SCANNER_PARALLEL | TCPF_SCANNER_ORDERED_CLOSE,
    .options = viz_options,
    .init = viz_init,
    .packet = viz_packet,
    .flow_close = viz_flow_close,
    .shutdown = viz_shutdown,
};
