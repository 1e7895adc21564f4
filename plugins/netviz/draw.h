/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz drawing primitives on a cairo context: palette, fonts, text that always
 * fits its box (measured with cairo_text_extents, ellipsized), panel frames, tables.
 * Coordinates are PDF points (1/72 in); the PNG surface is scaled, never re-laid out.
 */
#ifndef NETVIZ_DRAW_H
#define NETVIZ_DRAW_H

#include <cairo.h>

#include "report.h"

struct nv_rgb {
    double r, g, b;
};

/* Okabe & Ito (2008) colour-blind-safe palette, one colour per service class. */
extern const struct nv_rgb nv_class_rgb[NV_NCLASS];
extern const struct nv_rgb nv_ink, nv_ink2, nv_rule, nv_panel_bg, nv_good, nv_bad;

enum nv_align { NV_LEFT, NV_CENTER, NV_RIGHT };

void nv_rgb(cairo_t *cr, struct nv_rgb c, double alpha);
void nv_font(cairo_t *cr, double size, bool bold);
double nv_text_width(cairo_t *cr, const char *s);
/* Shows s with its baseline at y, aligned within [x, x + w]; shortened with an ellipsis (at
 * the end, or in the middle when mid is set: keeps both ends of an address) so that it never
 * exceeds w. Returns the width drawn. */
double nv_text(cairo_t *cr, double x, double y, double w, enum nv_align al, bool mid,
               const char *s);
/* A panel: title at the top left, a hairline under it. Returns the y where content starts. */
double nv_panel(cairo_t *cr, double x, double y, double w, const char *title, const char *note);
void nv_fill_rect(cairo_t *cr, double x, double y, double w, double h, struct nv_rgb c,
                  double alpha);
void nv_hline(cairo_t *cr, double x0, double x1, double y, struct nv_rgb c, double lw);

/* A table: ncol columns; cells[r * ncol + c]; optional chip colour per row (NULL = none) and
 * a data bar (fraction 0..1 per row) drawn behind column bar_col. */
struct nv_col {
    const char *head;
    double w;
    enum nv_align al;
    bool mid;
};
struct nv_table {
    const struct nv_col *col;
    size_t ncol, nrow;
    const char *const *cells;
    const struct nv_rgb *chip; /* nrow colours or NULL */
    const double *bar;         /* nrow fractions or NULL */
    size_t bar_col;
    double font, row_h;
};
/* Draws the table at (x, y); returns its height. */
double nv_table_draw(cairo_t *cr, double x, double y, const struct nv_table *t);

/* The whole page (panels.c); cr is in points, page r->page_w x r->page_h. */
void nv_draw_page(cairo_t *cr, const struct nv_report *r);
/* Panels (panels.c, charts.c). */
void nv_draw_timeseries(cairo_t *cr, const struct nv_report *r, double x, double y, double w,
                        double h);
void nv_draw_scatter(cairo_t *cr, const struct nv_report *r, double x, double y, double w,
                     double h);
void nv_draw_ports(cairo_t *cr, const struct nv_report *r, double x, double y, double w,
                   double h, bool by_conns);

#endif /* NETVIZ_DRAW_H */
