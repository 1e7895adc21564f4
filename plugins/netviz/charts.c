/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz charts: the stacked time series, the flow-shape scatter (log-log) and the
 * port bar lists. Axis labels are placed only where they do not collide with the previous one.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "draw.h"

/* A "nice" axis step for max/ticks in units of 1024^u so that labels are round numbers. */
static double
chart_byte_step(double max, int ticks)
{
    double unit = 1, raw, mag, f;

    while (max / unit >= 1024 && unit < 1e18)
        unit *= 1024;
    raw = max / unit / ticks;
    if (raw <= 0)
        return unit;
    mag = pow(10, floor(log10(raw)));
    f = raw / mag;
    f = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return f * mag * unit;
}

static void
chart_time_label(char *buf, size_t n, int64_t ms, int64_t step_ms, bool days)
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL) {
        snprintf(buf, n, "?");
        return;
    }
    if (step_ms < 1000)
        snprintf(buf, n, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(((ms % 1000) + 1000) % 1000));
    else if (days)
        snprintf(buf, n, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    else if (step_ms < 60000)
        snprintf(buf, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        snprintf(buf, n, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

static void
ts_legend(cairo_t *cr, const struct nv_report *r, double x, double y, double w)
{
    uint64_t total = 0;
    double cx = x;
    unsigned c;

    for (c = 0; c < NV_NCLASS; c++)
        total += r->class_bytes[c];
    nv_font(cr, 6.4, false);
    for (c = 0; c < NV_NCLASS; c++) {
        char lab[48];
        double tw;

        if (r->class_bytes[c] == 0)
            continue;
        snprintf(lab, sizeof(lab), "%s %.0f%%", nv_class_name[c],
                 total ? 100.0 * (double)r->class_bytes[c] / (double)total : 0.0);
        tw = nv_text_width(cr, lab);
        if (cx + 9 + tw > x + w)
            break;
        nv_fill_rect(cr, cx, y - 5.5, 6, 6, nv_class_rgb[c], 1);
        nv_rgb(cr, nv_ink, 1);
        nv_text(cr, cx + 8, y, tw + 1, NV_LEFT, false, lab);
        cx += 8 + tw + 9;
    }
}

static void
ts_xaxis(cairo_t *cr, const struct nv_report *r, double px, double py, double pw)
{
    static const int64_t steps[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                                     10000, 15000, 30000, 60000, 120000, 300000, 600000,
                                     900000, 1800000, 3600000, 7200000, 10800000, 21600000,
                                     43200000, 86400000, 172800000, 604800000 };
    int64_t span = r->ts_w * (int64_t)r->ts_n, step = steps[0], t;
    bool days = span > 86400000;
    double last_end = -1e9;
    size_t i;

    for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        step = steps[i];
        if (span / step <= 7)
            break;
    }
    nv_font(cr, 6.0, false);
    for (t = (r->ts_origin / step) * step; t <= r->ts_origin + span; t += step) {
        double x = px + pw * (double)(t - r->ts_origin) / (double)span, tw;
        char lab[32];

        if (t < r->ts_origin)
            continue;
        chart_time_label(lab, sizeof(lab), t, step, days);
        tw = nv_text_width(cr, lab);
        nv_hline(cr, x, x, py, nv_ink, 0.5);
        nv_rgb(cr, nv_ink, 1);
        cairo_set_line_width(cr, 0.5);
        cairo_move_to(cr, x, py);
        cairo_line_to(cr, x, py + 2.5);
        cairo_stroke(cr);
        if (x - tw / 2 < last_end + 4 || x + tw / 2 > px + pw + 14)
            continue;
        nv_rgb(cr, nv_ink2, 1);
        nv_text(cr, x - tw / 2 - 1, py + 9, tw + 2, NV_CENTER, false, lab);
        last_end = x + tw / 2;
    }
}

void
nv_draw_timeseries(cairo_t *cr, const struct nv_report *r, double x, double y, double w,
                   double h)
{
    char title[96], note[160], wbuf[32], pk[32], lab[48];
    double px = x + 40, pw = w - 40 - 26, py, ph, bw, step, ymax = 0, cmax = 0;
    uint64_t peak = 0;
    size_t i, ipeak = 0;
    unsigned c;
    int k;

    nv_fmt_width(wbuf, sizeof(wbuf), r->ts_w);
    snprintf(title, sizeof(title), "Traffic over time: bytes per %s interval, by service", wbuf);
    {
        char d[48];

        nv_fmt_utc(d, sizeof(d), (struct tcpf_timestamp){ r->ts_origin / 1000, 0 }, false);
        d[10] = '\0';
        snprintf(note, sizeof(note), "%zu intervals from %s, times UTC; line: connections started",
                 r->ts_n, d);
    }
    py = nv_panel(cr, x, y, w, title, note) + 3;
    ts_legend(cr, r, px, py + 5, pw);
    py += 12;
    ph = y + h - py - 12;
    if (r->ts_n == 0 || ph < 20)
        return;
    for (i = 0; i < r->ts_n; i++) {
        uint64_t s = 0;

        for (c = 0; c < NV_NCLASS; c++)
            s += r->ts_bytes[i * NV_NCLASS + c];
        if (s > peak) {
            peak = s;
            ipeak = i;
        }
        if ((double)r->ts_conns[i] > cmax)
            cmax = (double)r->ts_conns[i];
    }
    step = chart_byte_step((double)peak * 1.08, 4);
    ymax = ceil((double)peak * 1.08 / step) * step;
    if (ymax <= 0)
        ymax = 1;
    /* grid and y labels */
    nv_font(cr, 6.0, false);
    for (k = 0; k * step <= ymax + step / 2; k++) {
        double gy = py + ph - ph * (k * step) / ymax;

        nv_hline(cr, px, px + pw, gy, nv_rule, k == 0 ? 0.6 : 0.3);
        nv_fmt_bytes(lab, sizeof(lab), (uint64_t)(k * step));
        nv_rgb(cr, nv_ink2, 1);
        nv_text(cr, x, gy + 2, 37, NV_RIGHT, false, lab);
    }
    bw = pw / (double)r->ts_n;
    for (i = 0; i < r->ts_n; i++) {
        double by = py + ph, bx = px + bw * (double)i;

        for (c = 0; c < NV_NCLASS; c++) {
            double bh = ph * (double)r->ts_bytes[i * NV_NCLASS + c] / ymax;

            if (bh <= 0)
                continue;
            by -= bh;
            nv_fill_rect(cr, bx + (bw > 3 ? 0.15 * bw : 0), by, bw > 3 ? 0.7 * bw : bw, bh,
                         nv_class_rgb[c], 1);
        }
    }
    /* connections started, right axis */
    if (cmax > 0) {
        nv_rgb(cr, nv_ink, 0.85);
        cairo_set_line_width(cr, 0.7);
        for (i = 0; i < r->ts_n; i++) {
            double lx = px + bw * ((double)i + 0.5), ly = py + ph - ph * 0.92 * (double)r->ts_conns[i] / cmax;

            if (i == 0)
                cairo_move_to(cr, lx, ly);
            else
                cairo_line_to(cr, lx, ly);
        }
        cairo_stroke(cr);
        nv_font(cr, 6.0, false);
        nv_rgb(cr, nv_ink2, 1);
        snprintf(lab, sizeof(lab), "%.0f", cmax);
        nv_text(cr, px + pw + 3, py + ph - ph * 0.92 + 2, 24, NV_LEFT, false, lab);
        nv_text(cr, px + pw + 3, py + ph + 2, 24, NV_LEFT, false, "0");
        nv_text(cr, px + pw + 3, py + ph - ph * 0.92 - 6, 24, NV_LEFT, false, "conns");
    }
    /* peak marker */
    {
        double mx = px + bw * ((double)ipeak + 0.5), my = py + ph - ph * (double)peak / ymax;
        double tw;

        nv_fmt_bytes(pk, sizeof(pk), peak);
        snprintf(lab, sizeof(lab), "peak %s", pk);
        nv_rgb(cr, nv_ink, 1);
        cairo_move_to(cr, mx, my - 1.5);
        cairo_line_to(cr, mx - 2.5, my - 5.5);
        cairo_line_to(cr, mx + 2.5, my - 5.5);
        cairo_close_path(cr);
        cairo_fill(cr);
        nv_font(cr, 6.0, true);
        tw = nv_text_width(cr, lab);
        mx = mx + 4 + tw > px + pw ? mx - 4 - tw : mx + 4;
        nv_text(cr, mx, my - 2, tw + 1, NV_LEFT, false, lab);
    }
    ts_xaxis(cr, r, px, py + ph, pw);
}

/* ---- flow shape -------------------------------------------------------------------------- */

struct sc_axes {
    double px, py, pw, ph;
    double x0, x1, y0, y1; /* log10 ranges */
};

static double
sc_x(const struct sc_axes *a, double lx)
{
    return a->px + a->pw * (lx - a->x0) / (a->x1 - a->x0);
}

static double
sc_y(const struct sc_axes *a, double ly)
{
    return a->py + a->ph - a->ph * (ly - a->y0) / (a->y1 - a->y0);
}

static void
sc_range(const struct nv_scatter *s, struct sc_axes *a)
{
    int x, y, minx = NV_SC_X, maxx = -1, miny = NV_SC_Y, maxy = -1;
    unsigned c;

    for (x = 0; x < NV_SC_X; x++)
        for (y = 0; y < NV_SC_Y; y++)
            for (c = 0; c < NV_NCLASS; c++)
                if (s->cell[x][y][c] > 0) {
                    minx = x < minx ? x : minx;
                    maxx = x > maxx ? x : maxx;
                    miny = y < miny ? y : miny;
                    maxy = y > maxy ? y : maxy;
                }
    if (maxx < 0) {
        minx = 15, maxx = 25, miny = 10, maxy = 30;
    }
    a->x0 = floor(minx / 5.0 - 4.0) - 0.5;
    a->x1 = ceil((maxx + 1) / 5.0 - 4.0) + 0.5;
    a->y0 = floor(miny / 5.0) - 0.5;
    a->y1 = ceil((maxy + 1) / 5.0) + 0.5;
    if (a->x1 - a->x0 < 4)
        a->x1 = a->x0 + 4;
    if (a->y1 - a->y0 < 4)
        a->y1 = a->y0 + 4;
}

static void
sc_axes_draw(cairo_t *cr, const struct sc_axes *a)
{
    static const struct { double s; const char *lab; } xt[] = {
        { 1e-4, "100us" }, { 1e-3, "1ms" }, { 1e-2, "10ms" }, { 0.1, "100ms" }, { 1, "1s" },
        { 10, "10s" }, { 60, "1min" }, { 600, "10min" }, { 3600, "1h" }, { 86400, "1d" },
    };
    static const char *const yl[] = { "1 B", "1 KiB", "1 MiB", "1 GiB", "1 TiB" };
    double last = -1e9;
    size_t i;

    nv_rgb(cr, nv_ink, 1);
    cairo_set_line_width(cr, 0.6);
    cairo_rectangle(cr, a->px, a->py, a->pw, a->ph);
    cairo_stroke(cr);
    nv_font(cr, 5.8, false);
    for (i = 0; i < sizeof(xt) / sizeof(xt[0]); i++) {
        double lx = log10(xt[i].s), x = sc_x(a, lx), tw = nv_text_width(cr, xt[i].lab);

        if (lx < a->x0 || lx > a->x1)
            continue;
        nv_hline(cr, x, x, a->py, nv_rule, 0.3);
        nv_rgb(cr, nv_rule, 1);
        cairo_move_to(cr, x, a->py);
        cairo_line_to(cr, x, a->py + a->ph);
        cairo_stroke(cr);
        if (x - tw / 2 < last + 3)
            continue;
        nv_rgb(cr, nv_ink2, 1);
        nv_text(cr, x - tw / 2 - 1, a->py + a->ph + 7.5, tw + 2, NV_CENTER, false, xt[i].lab);
        last = x + tw / 2;
    }
    last = 1e9;
    for (i = 0; i < 5; i++) {
        double ly = (double)i * log10(1024.0), y = sc_y(a, ly);

        if (ly < a->y0 || ly > a->y1)
            continue;
        nv_rgb(cr, nv_rule, 1);
        cairo_move_to(cr, a->px, y);
        cairo_line_to(cr, a->px + a->pw, y);
        cairo_stroke(cr);
        if (y > last - 8)
            continue;
        nv_rgb(cr, nv_ink2, 1);
        nv_text(cr, a->px - 30, y + 2, 28, NV_RIGHT, false, yl[i]);
        last = y;
    }
}

void
nv_draw_scatter(cairo_t *cr, const struct nv_report *r, double x, double y, double w, double h)
{
    const struct nv_scatter *s = r->a->scatter;
    struct sc_axes a;
    double placed[NV_SC_LABELS][4], listx, ly, cellw, cellh, rmax, nmax = 1;
    size_t i, np = 0;
    int cx, cy;

    double top = nv_panel(cr, x, y, w, "Flow shape: connection duration vs bytes",
                          "log-log; numbered: largest");

    a.px = x + 32;
    a.py = top + 3;
    a.pw = w * 0.6 - 32;
    a.ph = y + h - a.py - 18;
    sc_range(s, &a);
    sc_axes_draw(cr, &a);
    nv_font(cr, 5.8, false);
    nv_rgb(cr, nv_ink2, 1);
    nv_text(cr, a.px, a.py + a.ph + 14, a.pw, NV_CENTER, false, "duration (first to last packet)");
    /* Dot area grows with the log of the count, never past half a cell: dots do not merge. */
    cellw = a.pw / ((a.x1 - a.x0) * 5.0);
    cellh = a.ph / ((a.y1 - a.y0) * 5.0);
    rmax = 0.55 * (cellw < cellh ? cellw : cellh);
    rmax = rmax > 6.5 ? 6.5 : rmax < 1.2 ? 1.2 : rmax;
    for (cx = 0; cx < NV_SC_X; cx++)
        for (cy = 0; cy < NV_SC_Y; cy++) {
            uint64_t n = 0;
            unsigned c;

            for (c = 0; c < NV_NCLASS; c++)
                n += s->cell[cx][cy][c];
            nmax = (double)n > nmax ? (double)n : nmax;
        }
    for (cx = 0; cx < NV_SC_X; cx++) {
        for (cy = 0; cy < NV_SC_Y; cy++) {
            uint64_t n = 0, best = 0;
            unsigned c, bc = NV_C_OTHER;
            double rad;

            for (c = 0; c < NV_NCLASS; c++) {
                n += s->cell[cx][cy][c];
                if (s->cell[cx][cy][c] > best) {
                    best = s->cell[cx][cy][c];
                    bc = c;
                }
            }
            if (n == 0)
                continue;
            rad = rmax * sqrt(log(1.0 + (double)n) / log(1.0 + nmax));
            rad = rad < 1.0 ? 1.0 : rad;
            nv_rgb(cr, nv_class_rgb[bc], 0.75);
            cairo_arc(cr, sc_x(&a, cx / 5.0 - 4.0 + 0.1), sc_y(&a, cy / 5.0 + 0.1), rad, 0,
                      2 * 3.14159265358979);
            cairo_fill(cr);
        }
    }
    /* Numbered labels at the largest connections; a label that would overlap another is
     * tried on the other side, then dropped (the list still names it). */
    nv_font(cr, 5.8, true);
    for (i = 0; i < r->n_big; i++) {
        const struct nv_conn_point *p = &r->big[i];
        double lx = p->dur_s > 0 ? log10(p->dur_s) : a.x0, lyv = p->bytes ? log10((double)p->bytes) : 0;
        double pxp = sc_x(&a, lx < a.x0 ? a.x0 : lx), pyp = sc_y(&a, lyv), tw;
        char lab[24];
        int side;

        snprintf(lab, sizeof(lab), "%zu", i + 1);
        tw = nv_text_width(cr, lab);
        for (side = 0; side < 4; side++) {
            double bx = side == 0 ? pxp + 3 : side == 1 ? pxp - 3 - tw : pxp - tw / 2;
            double by = side < 2 ? pyp + 2 : side == 2 ? pyp - 4 : pyp + 8.5;
            size_t j;
            bool clash = bx < a.px || bx + tw > a.px + a.pw || by - 6 < a.py || by > a.py + a.ph;

            for (j = 0; j < np && !clash; j++)
                clash = !(bx + tw < placed[j][0] || bx > placed[j][2] || by < placed[j][1] ||
                          by - 6 > placed[j][3]);
            if (clash)
                continue;
            nv_rgb(cr, nv_ink, 1);
            nv_text(cr, bx, by, tw + 1, NV_LEFT, false, lab);
            placed[np][0] = bx, placed[np][1] = by - 6, placed[np][2] = bx + tw, placed[np][3] = by;
            np++;
            break;
        }
    }
    /* the list */
    listx = a.px + a.pw + 6;
    ly = a.py + 6;
    for (i = 0; i < r->n_big && ly < a.py + a.ph + 12; i++, ly += 8.2) {
        const struct nv_conn_point *p = &r->big[i];
        char addr[48], line[96], b[24], d[24];

        nv_fmt_addr(addr, sizeof(addr), p->family, p->server);
        nv_fmt_bytes(b, sizeof(b), p->bytes);
        nv_fmt_dur_short(d, sizeof(d), p->dur_s);
        nv_font(cr, 5.8, true);
        nv_rgb(cr, nv_class_rgb[p->cls], 1);
        snprintf(line, sizeof(line), "%zu", i + 1);
        nv_text(cr, listx, ly, 8, NV_RIGHT, false, line);
        nv_font(cr, 5.8, false);
        nv_rgb(cr, nv_ink, 1);
        snprintf(line, sizeof(line), "%s:%u", addr, p->port);
        nv_text(cr, listx + 10, ly, x + w - listx - 10 - 52, NV_LEFT, true, line);
        snprintf(line, sizeof(line), "%s %s", b, d);
        nv_text(cr, x + w - 52, ly, 52, NV_RIGHT, false, line);
    }
}

/* ---- ports ------------------------------------------------------------------------------- */

void
nv_draw_ports(cairo_t *cr, const struct nv_report *r, double x, double y, double w, double h,
              bool by_conns)
{
    const struct nv_row_port *rows = by_conns ? r->pconns : r->pbytes;
    size_t n = by_conns ? r->n_pconns : r->n_pbytes, i;
    double rh, max = 1, top;

    top = nv_panel(cr, x, y, w, by_conns ? "Ports by connections" : "Ports by bytes",
                   "server port");
    rh = (y + h - top) / NV_ROWS;
    rh = rh > 11 ? 11 : rh;
    for (i = 0; i < n; i++) {
        double v = by_conns ? (double)rows[i].conns : (double)rows[i].bytes;

        max = v > max ? v : max;
    }
    for (i = 0; i < n; i++) {
        const char *name = nv_port_name(rows[i].port);
        char lab[32], val[32];
        double v = by_conns ? (double)rows[i].conns : (double)rows[i].bytes;
        double by = top + rh * (double)i, lw = 50, vw = 40;

        snprintf(lab, sizeof(lab), "%u%s%s", rows[i].port, name ? " " : "", name ? name : "");
        if (by_conns)
            nv_fmt_count(val, sizeof(val), rows[i].conns);
        else
            nv_fmt_bytes(val, sizeof(val), rows[i].bytes);
        nv_font(cr, 6.4, false);
        nv_rgb(cr, nv_ink, 1);
        nv_text(cr, x, by + rh - 3, lw - 2, NV_LEFT, false, lab);
        nv_fill_rect(cr, x + lw, by + 1.5, (w - lw - vw) * v / max, rh - 3,
                     nv_class_rgb[rows[i].cls], 1);
        nv_rgb(cr, nv_ink, 1);
        nv_text(cr, x + w - vw, by + rh - 3, vw, NV_RIGHT, false, val);
    }
    if (n == 0) {
        nv_font(cr, 6.4, false);
        nv_rgb(cr, nv_ink2, 1);
        nv_text(cr, x, top + 10, w, NV_LEFT, false, "no connections closed");
    }
}
