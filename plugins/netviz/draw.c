/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz drawing primitives: palette, fonts, fitted text, panels, tables. */
#include <string.h>

#include "draw.h"

#define NV_FONT_FACE "DejaVu Sans"
#define NV_ELLIPSIS "\xe2\x80\xa6" /* U+2026 */

/* Okabe & Ito, "Color Universal Design" (2008); grey for everything else. */
const struct nv_rgb nv_class_rgb[NV_NCLASS] = {
    { 0.000, 0.447, 0.698 }, /* HTTP: blue #0072B2 */
    { 0.902, 0.624, 0.000 }, /* TLS: orange #E69F00 */
    { 0.000, 0.620, 0.451 }, /* SSH: bluish green #009E73 */
    { 0.835, 0.369, 0.000 }, /* Mail: vermillion #D55E00 */
    { 0.800, 0.475, 0.655 }, /* DNS: reddish purple #CC79A7 */
    { 0.337, 0.706, 0.914 }, /* Files/DB: sky blue #56B4E9 */
    { 0.941, 0.894, 0.259 }, /* Remote: yellow #F0E442 */
    { 0.600, 0.600, 0.600 }, /* Other: grey */
};
const struct nv_rgb nv_ink = { 0.13, 0.13, 0.13 };
const struct nv_rgb nv_ink2 = { 0.40, 0.40, 0.40 };
const struct nv_rgb nv_rule = { 0.80, 0.80, 0.80 };
const struct nv_rgb nv_panel_bg = { 0.955, 0.955, 0.955 };
const struct nv_rgb nv_good = { 0.000, 0.620, 0.451 };
const struct nv_rgb nv_bad = { 0.835, 0.369, 0.000 };

void
nv_rgb(cairo_t *cr, struct nv_rgb c, double alpha)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

void
nv_font(cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face(cr, NV_FONT_FACE, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

double
nv_text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;

    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

/* Longest prefix (end) or prefix+suffix (mid) of s, plus an ellipsis, within w. */
static void
draw_fit(cairo_t *cr, const char *s, double w, bool mid, char *out, size_t outlen)
{
    size_t len = strlen(s), lo = 0, hi = len, keep;

    while (lo < hi) { /* binary search on the number of characters kept (ASCII text) */
        size_t m = (lo + hi + 1) / 2, a = mid ? (m + 1) / 2 : m, b = mid ? m / 2 : 0;

        snprintf(out, outlen, "%.*s%s%s", (int)a, s, NV_ELLIPSIS, s + len - b);
        if (nv_text_width(cr, out) <= w)
            lo = m;
        else
            hi = m - 1;
    }
    keep = lo;
    if (mid)
        snprintf(out, outlen, "%.*s%s%s", (int)((keep + 1) / 2), s, NV_ELLIPSIS,
                 s + len - keep / 2);
    else
        snprintf(out, outlen, "%.*s%s", (int)keep, s, NV_ELLIPSIS);
    if (nv_text_width(cr, out) > w)
        out[0] = '\0';
}

double
nv_text(cairo_t *cr, double x, double y, double w, enum nv_align al, bool mid, const char *s)
{
    char fit[1024];
    double tw;

    if (s == NULL || s[0] == '\0' || w <= 0)
        return 0;
    tw = nv_text_width(cr, s);
    if (tw > w) {
        draw_fit(cr, strlen(s) < 900 ? s : "", w, mid, fit, sizeof(fit));
        s = fit;
        tw = nv_text_width(cr, s);
        if (s[0] == '\0')
            return 0;
    }
    cairo_move_to(cr, al == NV_LEFT ? x : al == NV_CENTER ? x + (w - tw) / 2 : x + w - tw, y);
    cairo_show_text(cr, s);
    return tw;
}

void
nv_fill_rect(cairo_t *cr, double x, double y, double w, double h, struct nv_rgb c, double alpha)
{
    if (w <= 0 || h <= 0)
        return;
    nv_rgb(cr, c, alpha);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

void
nv_hline(cairo_t *cr, double x0, double x1, double y, struct nv_rgb c, double lw)
{
    nv_rgb(cr, c, 1);
    cairo_set_line_width(cr, lw);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
}

double
nv_panel(cairo_t *cr, double x, double y, double w, const char *title, const char *note)
{
    double tw;

    nv_font(cr, 8.2, true);
    nv_rgb(cr, nv_ink, 1);
    tw = nv_text(cr, x, y + 8, w, NV_LEFT, false, title);
    if (note != NULL && note[0] != '\0') {
        nv_font(cr, 6.2, false);
        nv_rgb(cr, nv_ink2, 1);
        nv_text(cr, x + tw + 6, y + 8, w - tw - 6, NV_RIGHT, false, note);
    }
    nv_hline(cr, x, x + w, y + 11, nv_ink, 0.6);
    return y + 14;
}

double
nv_table_draw(cairo_t *cr, double x, double y, const struct nv_table *t)
{
    double cx, by = y, tot = 0;
    size_t r, c;

    for (c = 0; c < t->ncol; c++)
        tot += t->col[c].w;

    nv_font(cr, t->font, true);
    nv_rgb(cr, nv_ink2, 1);
    for (c = 0, cx = x; c < t->ncol; cx += t->col[c].w, c++)
        nv_text(cr, cx + 1.5, by + t->font, t->col[c].w - 3, t->col[c].al, false,
                t->col[c].head);
    by += t->row_h;
    nv_font(cr, t->font, false);
    for (r = 0; r < t->nrow; r++) {
        if (r % 2 == 1)
            nv_fill_rect(cr, x, by, tot, t->row_h, nv_panel_bg, 1);
        if (t->bar != NULL) {
            double bx = x, bw;

            for (c = 0; c < t->bar_col; c++)
                bx += t->col[c].w;
            bw = t->col[t->bar_col].w * (t->bar[r] < 0 ? 0 : t->bar[r] > 1 ? 1 : t->bar[r]);
            nv_fill_rect(cr, bx, by + 1.2, bw, t->row_h - 2.4,
                         t->chip != NULL ? t->chip[r] : nv_rule, 0.28);
        }
        if (t->chip != NULL)
            nv_fill_rect(cr, x, by + 2, 2.5, t->row_h - 4, t->chip[r], 1);
        nv_rgb(cr, nv_ink, 1);
        for (c = 0, cx = x; c < t->ncol; cx += t->col[c].w, c++)
            nv_text(cr, cx + (c == 0 && t->chip ? 4 : 1.5), by + t->row_h - 2.6,
                    t->col[c].w - (c == 0 && t->chip ? 5.5 : 3), t->col[c].al, t->col[c].mid,
                    t->cells[r * t->ncol + c]);
        by += t->row_h;
        nv_hline(cr, x, cx, by, nv_rule, 0.3);
    }
    return by - y;
}
