/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz page layout and the text panels: provenance strip, headline numbers,
 * data-quality flags, top talkers and conversations tables, HTTP box, notes, footer.
 *
 * Layout (points, top to bottom): title + provenance, headline tiles, quality chips, time
 * series (full width), talkers | conversations, ports by bytes | ports by connections | flow
 * shape, HTTP | notes, footer. Fixed rows keep their height; the time series and the chart row
 * share what the page size leaves (A4 or US Letter).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"

#define MARGIN 24.0
#define GAP 9.0

static void
pan_title(cairo_t *cr, const struct nv_report *r, double x, double y, double w)
{
    char span[128];

    nv_font(cr, 15, true);
    nv_rgb(cr, nv_ink, 1);
    nv_text(cr, x, y + 14, w * 0.6, NV_LEFT, false, "Network triage report");
    nv_font(cr, 7, false);
    nv_rgb(cr, nv_ink2, 1);
    if (r->a->have_ts)
        snprintf(span, sizeof(span), "%s  to  %s", r->start, r->end);
    else
        snprintf(span, sizeof(span), "no TCP packets");
    nv_text(cr, x + w * 0.4, y + 6, w * 0.6, NV_RIGHT, false, "tcpflow netviz, all times UTC");
    nv_font(cr, 7, true);
    nv_rgb(cr, nv_ink, 1);
    nv_text(cr, x + w * 0.3, y + 15, w * 0.7, NV_RIGHT, false, span);
}

/* Returns the height used. */
static double
pan_provenance(cairo_t *cr, const struct nv_report *r, double x, double y, double w)
{
    const double lh = 8.4, kw = 44;
    double ly = y + 8;
    char buf[640];
    size_t i, lines = 3 + (r->n_inputs ? r->n_inputs : 1) + (r->inputs_more ? 1 : 0);

    nv_fill_rect(cr, x, y, w, lh * (double)lines + 5, nv_panel_bg, 1);
#define PROV_LINE(key, text)                                                                  \
    do {                                                                                      \
        nv_font(cr, 6.6, true);                                                               \
        nv_rgb(cr, nv_ink2, 1);                                                               \
        nv_text(cr, x + 4, ly, kw - 6, NV_LEFT, false, key);                                  \
        nv_font(cr, 6.6, false);                                                              \
        nv_rgb(cr, nv_ink, 1);                                                                \
        nv_text(cr, x + kw, ly, w - kw - 4, NV_LEFT, false, text);                            \
        ly += lh;                                                                             \
    } while (0)
    snprintf(buf, sizeof(buf), "%s%s%s", r->version, r->geo_desc[0] ? "; " : "", r->geo_desc);
    PROV_LINE("Tool", buf);
    PROV_LINE("Command", r->cmdline[0] ? r->cmdline : "(not available)");
    for (i = 0; i < r->n_inputs; i++) {
        double sw;

        /* The hash is never cut; a long file name is shortened in the middle. */
        snprintf(buf, sizeof(buf), "sha256 %s", r->input[i].sha);
        nv_font(cr, 6.6, false);
        sw = nv_text_width(cr, buf);
        nv_rgb(cr, nv_ink, 1);
        nv_text(cr, x + w - 4 - sw, ly, sw + 1, NV_LEFT, false, buf);
        nv_font(cr, 6.6, true);
        nv_rgb(cr, nv_ink2, 1);
        nv_text(cr, x + 4, ly, kw - 6, NV_LEFT, false, i == 0 ? "Input" : "");
        nv_font(cr, 6.6, false);
        nv_rgb(cr, nv_ink, 1);
        nv_text(cr, x + kw, ly, w - kw - sw - 16, NV_LEFT, true, r->input[i].name);
        ly += lh;
    }
    if (r->n_inputs == 0)
        PROV_LINE("Input", "(none named)");
    if (r->inputs_more) {
        snprintf(buf, sizeof(buf), "+ %zu more input files (see the command line)", r->inputs_more);
        PROV_LINE("", buf);
    }
    if (r->a->have_ts)
        snprintf(buf, sizeof(buf), "first packet %s, last packet %s", r->start, r->end);
    else
        snprintf(buf, sizeof(buf), "no TCP packet was seen");
    PROV_LINE("Capture", buf);
#undef PROV_LINE
    return lh * (double)lines + 5;
}

static void
pan_tile(cairo_t *cr, double x, double y, double w, const char *cap, const char *val,
         const char *sub)
{
    nv_font(cr, 6.2, false);
    nv_rgb(cr, nv_ink2, 1);
    nv_text(cr, x, y + 6.5, w - 4, NV_LEFT, false, cap);
    double fs = 12.5;

    nv_font(cr, fs, true);
    while (fs > 8 && nv_text_width(cr, val) > w - 4)
        nv_font(cr, fs -= 0.5, true); /* shrink rather than cut a number */
    nv_rgb(cr, nv_ink, 1);
    nv_text(cr, x, y + 20, w - 4, NV_LEFT, false, val);
    nv_font(cr, 5.8, false);
    nv_rgb(cr, nv_ink2, 1);
    nv_text(cr, x, y + 28, w - 4, NV_LEFT, false, sub);
}

static double
pan_headline(cairo_t *cr, const struct nv_report *r, double x, double y, double w)
{
    const struct nv_agg *a = r->a;
    char v[7][48], s[7][64], pk[32];
    double tw = w / 7;
    int i;

    nv_fmt_dur(v[0], sizeof(v[0]), r->duration_s);
    snprintf(s[0], sizeof(s[0]), "first to last TCP packet");
    nv_fmt_count(v[1], sizeof(v[1]), a->packets);
    if (r->have_core && r->core_packets > a->packets) {
        char t[32];

        nv_fmt_count(t, sizeof(t), r->core_packets);
        snprintf(s[1], sizeof(s[1]), "TCP, of %s in capture", t);
    } else {
        snprintf(s[1], sizeof(s[1]), "TCP packets");
    }
    nv_fmt_bytes(v[2], sizeof(v[2]), a->bytes);
    nv_fmt_bytes(pk, sizeof(pk), a->payload_bytes);
    snprintf(s[2], sizeof(s[2]), "frames; payload %s", pk);
    nv_fmt_count(v[3], sizeof(v[3]), a->conns);
    nv_fmt_count(pk, sizeof(pk), a->flows);
    snprintf(s[3], sizeof(s[3]), "TCP; %s flows", pk);
    nv_fmt_count(v[4], sizeof(v[4]), r->hosts);
    snprintf(s[4], sizeof(s[4]), r->hosts_approx ? "addresses (estimate)" : "distinct addresses");
    nv_fmt_rate(v[5], sizeof(v[5]), r->duration_s > 0 ? (double)a->bytes / r->duration_s : 0);
    snprintf(s[5], sizeof(s[5]), "average over duration");
    nv_fmt_width(pk, sizeof(pk), r->peak_win_ms > 0 ? r->peak_win_ms : 1000);
    if (r->duration_s * 1000.0 < (double)r->peak_win_ms) {
        /* Shorter than one window: the busiest window is the whole capture. */
        snprintf(v[6], sizeof(v[6]), "%s", v[5]);
        snprintf(s[6], sizeof(s[6]), "capture shorter than %s", pk);
    } else {
        nv_fmt_rate(v[6], sizeof(v[6]), (double)r->peak_bytes * 1000.0 / (double)r->peak_win_ms);
        snprintf(s[6], sizeof(s[6]), "busiest %s window", pk);
    }
    {
        static const char *const cap[7] = { "Duration", "Packets", "Bytes", "Connections",
                                            "Hosts", "Average rate", "Peak rate" };

        for (i = 0; i < 7; i++)
            pan_tile(cr, x + tw * i, y, tw, cap[i], v[i], s[i]);
    }
    return 32;
}

static double
pan_chip(cairo_t *cr, double x, double y, double maxw, bool bad, const char *text)
{
    double tw;

    nv_font(cr, 6.6, false);
    tw = nv_text_width(cr, text);
    tw = tw > maxw - 10 ? maxw - 10 : tw;
    nv_rgb(cr, bad ? nv_bad : nv_good, 1);
    cairo_arc(cr, x + 3, y - 2.3, 2.6, 0, 2 * 3.14159265358979);
    cairo_fill(cr);
    nv_rgb(cr, nv_ink, 1);
    nv_text(cr, x + 8, y, tw + 0.5, NV_LEFT, false, text);
    return 8 + tw + 12;
}

static double
pan_quality(cairo_t *cr, const struct nv_report *r, double x, double y, double w)
{
    const struct nv_agg *a = r->a;
    char t[4][128], b[32];
    bool bad[4];
    double cx = x + 56, need = 0, tw[4], shrink, extra;
    int i;

    nv_fill_rect(cr, x, y, w, 12, nv_panel_bg, 1);
    nv_font(cr, 6.6, true);
    nv_rgb(cr, nv_ink2, 1);
    nv_text(cr, x + 4, y + 8.5, 50, NV_LEFT, false, "Data quality");
    nv_fmt_count(b, sizeof(b), a->pkt_truncated);
    snprintf(t[0], sizeof(t[0]), "truncated packets: %s", b);
    bad[0] = a->pkt_truncated > 0;
    nv_fmt_bytes(b, sizeof(b), a->gap_bytes);
    snprintf(t[1], sizeof(t[1]), "flows with gaps: %" PRIu64 " (%s missing)", a->flows_gaps, b);
    bad[1] = a->flows_gaps > 0;
    snprintf(t[2], sizeof(t[2]), "no handshake: %" PRIu64 " conns (%.0f%%)", a->conns_midstream,
             a->conns ? 100.0 * (double)a->conns_midstream / (double)a->conns : 0.0);
    bad[2] = a->conns_midstream > 0;
    snprintf(t[3], sizeof(t[3]), "resets: %" PRIu64 " conns, %" PRIu64 " RST packets",
             a->conns_rst, a->pkt_rst);
    bad[3] = a->pkt_rst > 0;
    nv_font(cr, 6.6, false);
    for (i = 0; i < 4; i++)
        need += (tw[i] = nv_text_width(cr, t[i])) + 8;
    /* Spread the chips over the strip; shrink (ellipsize) only if they cannot fit. */
    shrink = need > x + w - cx ? (x + w - cx) / need : 1.0;
    extra = shrink < 1 ? 0 : (x + w - cx - need) / 4;
    for (i = 0; i < 4; i++) {
        double slot = shrink < 1 ? (tw[i] + 8) * shrink : (tw[i] + 8) + extra;

        pan_chip(cr, cx, y + 8.5, (tw[i] + 8) * (shrink < 1 ? shrink : 1) + 10, bad[i], t[i]);
        cx += slot;
    }
    return 12;
}

static void
pan_talkers(cairo_t *cr, const struct nv_report *r, double x, double y, double w)
{
    struct nv_col col[8] = {
        { "Host", 0, NV_LEFT, true }, { "", 0, NV_LEFT, false },
        { "Sent", 35, NV_RIGHT, false }, { "Recv", 35, NV_RIGHT, false },
        { "Pkts", 30, NV_RIGHT, false }, { "Conns", 27, NV_RIGHT, false },
        { "Share", 26, NV_RIGHT, false }, { NULL, 0, NV_LEFT, false },
    };
    char cells[NV_ROWS][7][64];
    const char *cp[NV_ROWS * 7];
    double bar[NV_ROWS], rest;
    size_t i, j, ncol = 7;
    uint64_t total = r->a->bytes ? r->a->bytes : 1;
    struct nv_table t;

    rest = w - 35 - 35 - 30 - 27 - 26;
    col[1].head = r->geo ? "Country / AS" : "Scope";
    col[1].w = r->geo ? rest * 0.42 : 33;
    col[0].w = rest - col[1].w;
    for (i = 0; i < r->n_hosts; i++) {
        const struct nv_row_host *h = &r->host[i];

        snprintf(cells[i][0], 64, "%s%s", h->addr, h->approx ? " ~" : "");
        if (r->geo)
            snprintf(cells[i][1], 64, "%s", h->geo[0] ? h->geo : (h->internal ? "internal" : "-"));
        else
            snprintf(cells[i][1], 64, "%s", h->internal ? "internal" : "external");
        nv_fmt_bytes(cells[i][2], 64, h->out);
        nv_fmt_bytes(cells[i][3], 64, h->in);
        nv_fmt_count(cells[i][4], 64, h->pkts);
        nv_fmt_count(cells[i][5], 64, h->conns);
        /* Each byte has a sender and a receiver: shares of a host sum to 100% over both
         * ends, so show the host's part of all traffic it took part in. */
        snprintf(cells[i][6], 64, "%.1f%%",
                 100.0 * (double)(h->out + h->in - h->self) / (double)total);
        bar[i] = (double)(h->out + h->in - h->self) / (double)total;
        for (j = 0; j < ncol; j++)
            cp[i * ncol + j] = cells[i][j];
    }
    y = nv_panel(cr, x, y, w, "Top talkers", "by bytes sent + received");
    memset(&t, 0, sizeof(t));
    t.col = col;
    t.ncol = ncol;
    t.nrow = r->n_hosts;
    t.cells = cp;
    t.bar = bar;
    t.bar_col = 6;
    t.font = 6.5;
    t.row_h = 10.2;
    nv_table_draw(cr, x, y, &t);
}

static void
pan_convs(cairo_t *cr, const struct nv_report *r, double x, double y, double w)
{
    struct nv_col col[7] = {
        { "Client", 0, NV_LEFT, true },      { "Server", 0, NV_LEFT, true },
        { "Port", 40, NV_LEFT, false },      { "C\xe2\x86\x92" "S", 35, NV_RIGHT, false },
        { "S\xe2\x86\x92" "C", 35, NV_RIGHT, false }, { "Conns", 26, NV_RIGHT, false },
        { "Span", 30, NV_RIGHT, false },
    };
    char cells[NV_ROWS][7][64];
    const char *cp[NV_ROWS * 7];
    struct nv_rgb chip[NV_ROWS];
    size_t i, j;
    double rest = w - 40 - 35 - 35 - 26 - 30;
    struct nv_table t;

    col[0].w = rest * 0.5;
    col[1].w = rest * 0.5;
    for (i = 0; i < r->n_convs; i++) {
        const struct nv_row_conv *c = &r->conv[i];
        const char *pn = nv_port_name(c->port);

        snprintf(cells[i][0], 64, "%s%s", c->approx ? "~" : "", c->client);
        snprintf(cells[i][1], 64, "%s", c->server);
        snprintf(cells[i][2], 64, "%u%s%s", c->port, pn ? " " : "", pn ? pn : "");
        nv_fmt_bytes(cells[i][3], 64, c->ab);
        nv_fmt_bytes(cells[i][4], 64, c->ba);
        nv_fmt_count(cells[i][5], 64, c->conns);
        nv_fmt_dur_short(cells[i][6], 64, c->dur_s);
        chip[i] = nv_class_rgb[c->cls];
        for (j = 0; j < 7; j++)
            cp[i * 7 + j] = cells[i][j];
    }
    y = nv_panel(cr, x, y, w, "Top conversations", "client, server, service; C\xe2\x86\x92" "S: bytes to server");
    memset(&t, 0, sizeof(t));
    t.col = col;
    t.ncol = 7;
    t.nrow = r->n_convs;
    t.cells = cp;
    t.chip = chip;
    t.font = 6.3;
    t.row_h = 10.2;
    nv_table_draw(cr, x, y, &t);
}

/* Two-column list lines: label left, count right. */
static double
pan_kv(cairo_t *cr, double x, double y, double w, const char *head, const struct nv_row_kv *kv,
       size_t n, const char *const *names, const uint64_t *counts, size_t ncounts)
{
    char num[32];
    size_t i;

    nv_font(cr, 6.3, true);
    nv_rgb(cr, nv_ink2, 1);
    nv_text(cr, x, y, w, NV_LEFT, false, head);
    y += 8;
    nv_font(cr, 6.3, false);
    nv_rgb(cr, nv_ink, 1);
    for (i = 0; kv != NULL && i < n; i++, y += 7.6) {
        nv_fmt_count(num, sizeof(num), kv[i].n);
        nv_text(cr, x, y, w - 30, NV_LEFT, false, kv[i].key);
        nv_text(cr, x + w - 28, y, 28, NV_RIGHT, false, num);
    }
    for (i = 0; names != NULL && i < ncounts; i++) {
        if (counts[i] == 0)
            continue;
        nv_fmt_count(num, sizeof(num), counts[i]);
        nv_text(cr, x, y, w - 30, NV_LEFT, false, names[i]);
        nv_text(cr, x + w - 28, y, 28, NV_RIGHT, false, num);
        y += 7.6;
    }
    return y;
}

static void
pan_http(cairo_t *cr, const struct nv_report *r, double x, double y, double w, double h)
{
    const struct nv_http *hp = &r->a->http;
    char note[160], b[32];
    double cw = (w - 16) / 3, top, yy;

    snprintf(note, sizeof(note), "%" PRIu64 " requests, %" PRIu64 " responses seen in packet heads",
             hp->requests, hp->responses);
    top = nv_panel(cr, x, y, w, "HTTP", note) + 6;
    if (hp->requests == 0 && hp->responses == 0 && hp->objects == 0) {
        nv_font(cr, 6.6, false);
        nv_rgb(cr, nv_ink2, 1);
        nv_text(cr, x, top + 4, w, NV_LEFT, false,
                "No HTTP/1.x request or status line at the start of a TCP payload.");
        return;
    }
    yy = pan_kv(cr, x, top, cw, "Methods", NULL, 0, nv_http_method_name, hp->method,
                NV_HTTP_METHODS);
    pan_kv(cr, x, yy + 2, cw, "Status codes", r->http_status, r->n_http_status, NULL, NULL, 0);
    yy = pan_kv(cr, x + cw + 8, top, cw * 2 + 8, "Top Host headers", r->http_host,
                r->n_http_hosts, NULL, NULL, 0);
    pan_kv(cr, x + cw + 8, yy + 2, cw * 2 + 8, "Content types", r->http_ctype, r->n_http_ctypes,
           NULL, NULL, 0);
    if (hp->objects > 0) {
        nv_fmt_bytes(b, sizeof(b), hp->object_bytes);
        snprintf(note, sizeof(note), "objects saved by -e http: %" PRIu64 " (%s)", hp->objects, b);
        nv_font(cr, 6.3, false);
        nv_rgb(cr, nv_ink, 1);
        nv_text(cr, x, y + h - 2, w, NV_LEFT, false, note);
    } else if (hp->nonstd_port > 0) {
        snprintf(note, sizeof(note), "%" PRIu64 " requests to ports not classed as HTTP",
                 hp->nonstd_port);
        nv_font(cr, 6.3, false);
        nv_rgb(cr, nv_bad, 1);
        nv_text(cr, x, y + h - 2, w, NV_LEFT, false, note);
    }
}

static void
pan_notes(cairo_t *cr, const struct nv_report *r, double x, double y, double w, double h)
{
    const struct nv_agg *a = r->a;
    char lines[10][200];
    size_t n = 0, i;
    double ly;

    y = nv_panel(cr, x, y, w, "Data quality details", NULL) + 4;
    snprintf(lines[n++], 200, "Packets cut short by the snap length: %" PRIu64 ".", a->pkt_truncated);
    snprintf(lines[n++], 200, "Flows with holes: %" PRIu64 " of %" PRIu64 "; %" PRIu64
             " bytes known missing.", a->flows_gaps, a->flows, a->gap_bytes);
    snprintf(lines[n++], 200, "Connections picked up without a SYN: %" PRIu64 " of %" PRIu64 ".",
             a->conns_midstream, a->conns);
    snprintf(lines[n++], 200, "Flow ends: %" PRIu64 " FIN, %" PRIu64 " RST, %" PRIu64
             " timeout, %" PRIu64 " evicted, %" PRIu64 " open at end of input.",
             a->close_why[TCPF_CLOSE_FIN], a->close_why[TCPF_CLOSE_RST],
             a->close_why[TCPF_CLOSE_TIMEOUT], a->close_why[TCPF_CLOSE_EVICTED],
             a->close_why[TCPF_CLOSE_EOF]);
    if (r->have_core)
        snprintf(lines[n++], 200, "Capture: %" PRIu64 " packets, %" PRIu64 " TCP; %" PRIu64
                 " not decoded; %" PRIu64 " with payload cut.", r->core_packets,
                 r->core_tcp_packets, r->core_dropped, r->core_payload_missing);
    else
        snprintf(lines[n++], 200, "Non-TCP packets are not counted here (see report.xml).");
    if (a->pkt_v6 > 0)
        snprintf(lines[n++], 200, "IPv6: %.1f%% of TCP packets.",
                 100.0 * (double)a->pkt_v6 / (double)(a->packets ? a->packets : 1));
    if (r->hosts_evicted || r->convs_evicted)
        snprintf(lines[n++], 200, "Tables are top-N estimates (space-saving); rows marked ~ may "
                 "be over-counted.");
    if (a->ts.clamped > 0)
        snprintf(lines[n++], 200, "Packets with timestamps outside the chart: %" PRIu64 ".",
                 a->ts.clamped);
    if (a->pend_partial > 0)
        snprintf(lines[n++], 200, "Flow shape drew %" PRIu64 " connections from one direction.",
                 a->pend_partial);
    nv_font(cr, 6.3, false);
    nv_rgb(cr, nv_ink, 1);
    for (i = 0, ly = y + 2; i < n && ly < y + h; i++, ly += 8.4)
        nv_text(cr, x, ly, w, NV_LEFT, false, lines[i]);
}

static void
pan_footer(cairo_t *cr, const struct nv_report *r, double x, double y, double w)
{
    char buf[512];

    nv_hline(cr, x, x + w, y - 7, nv_rule, 0.5);
    snprintf(buf, sizeof(buf), "Flow files and report.xml are in %s/. Bytes are frame bytes on "
             "the wire (KiB = 1024 B); rates in bit/s (SI). Page 1/1.", r->outdir);
    nv_font(cr, 5.8, false);
    nv_rgb(cr, nv_ink2, 1);
    nv_text(cr, x, y, w, NV_LEFT, true, buf);
}

static void
pan_empty(cairo_t *cr, const struct nv_report *r, double x, double y, double w)
{
    char buf[160];

    nv_fill_rect(cr, x, y, w, 90, nv_panel_bg, 1);
    nv_font(cr, 20, true);
    nv_rgb(cr, nv_ink, 1);
    nv_text(cr, x, y + 44, w, NV_CENTER, false, "No TCP traffic");
    nv_font(cr, 8, false);
    nv_rgb(cr, nv_ink2, 1);
    if (r->have_core)
        snprintf(buf, sizeof(buf), "The input holds %" PRIu64 " packets; none of them is TCP, so "
                 "there is nothing to chart.", r->core_packets);
    else
        snprintf(buf, sizeof(buf), "No TCP packet reached tcpflow, so there is nothing to chart.");
    nv_text(cr, x, y + 64, w, NV_CENTER, false, buf);
}

void
nv_draw_page(cairo_t *cr, const struct nv_report *r)
{
    double x = MARGIN, w = r->page_w - 2 * MARGIN, y = MARGIN, flex, ts_h, row_h, cw, tab_h;
    size_t nrow;

    nv_fill_rect(cr, 0, 0, r->page_w, r->page_h, (struct nv_rgb){ 1, 1, 1 }, 1);
    pan_title(cr, r, x, y, w);
    y += 22;
    y += pan_provenance(cr, r, x, y, w) + GAP;
    y += pan_headline(cr, r, x, y, w) + 4;
    y += pan_quality(cr, r, x, y, w) + GAP + 2;
    if (r->a->packets == 0) {
        pan_empty(cr, r, x, y + 40, w);
        pan_footer(cr, r, x, r->page_h - MARGIN + 6, w);
        return;
    }
    /* Tables take the rows they need (at least 3); the time series and the chart row share
     * what is left. */
    nrow = r->n_hosts > r->n_convs ? r->n_hosts : r->n_convs;
    nrow = nrow < 3 ? 3 : nrow;
    tab_h = 14 + (double)(nrow + 1) * 10.2;
    flex = (r->page_h - MARGIN - 6) - y - (tab_h + GAP + 4) - (100 + GAP) - GAP;
    ts_h = flex * 0.45;
    row_h = flex - ts_h;
    nv_draw_timeseries(cr, r, x, y, w, ts_h);
    y += ts_h + GAP;
    cw = (w - 12) * 0.46; /* conversations need two address columns */
    pan_talkers(cr, r, x, y, cw);
    pan_convs(cr, r, x + cw + 12, y, w - cw - 12);
    cw = (w - 14) / 2;
    y += tab_h + GAP + 4;
    nv_draw_ports(cr, r, x, y, w * 0.3, row_h / 2 - 4, false);
    nv_draw_ports(cr, r, x, y + row_h / 2 + 4, w * 0.3, row_h / 2 - 4, true);
    nv_draw_scatter(cr, r, x + w * 0.3 + 16, y, w * 0.7 - 16, row_h);
    y += row_h + GAP;
    pan_http(cr, r, x, y, cw, r->page_h - MARGIN - 14 - y);
    pan_notes(cr, r, x + cw + 14, y, cw, r->page_h - MARGIN - 14 - y);
    pan_footer(cr, r, x, r->page_h - MARGIN + 6, w);
}
