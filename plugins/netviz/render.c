/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz surfaces: the one page drawn on PDF, PNG (150 dpi) and SVG, each written to
 * a run-level derived file (report.pdf, report.png, report.svg) through the host.
 *
 * Reproducibility: the PDF's creation date is the first packet's time (cairo otherwise puts
 * the wall clock in /CreationDate; see ECOSYSTEM.md 1.6), PNG has no tIME chunk, and SVG ids
 * come from counters that restart with every document. No wall-clock time is used anywhere.
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "render.h"

#if defined(__SANITIZE_ADDRESS__)
/* Leak-checking builds only: give back cairo's and fontconfig's process-wide caches so that
 * LeakSanitizer reports our leaks, not theirs (cairo's own test suite does the same). */
void FcFini(void);
#endif

#define PNG_DPI 150.0

static cairo_status_t
render_write(void *closure, const unsigned char *data, unsigned int len)
{
    FILE *fp = closure;

    return fwrite(data, 1, len, fp) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* Draws the page on s and reports cairo errors. */
static int
render_page(const struct tcpf_host *host, cairo_surface_t *s, const struct nv_report *r,
            double scale, const char *what)
{
    cairo_t *cr = cairo_create(s);
    cairo_status_t st;

    if (scale != 1.0)
        cairo_scale(cr, scale, scale);
    nv_draw_page(cr, r);
    cairo_show_page(cr);
    st = cairo_status(cr);
    cairo_destroy(cr);
    if (st != CAIRO_STATUS_SUCCESS) {
        host->log(host, TCPF_SLOG_ERROR, "%s: drawing failed: %s", what,
                  cairo_status_to_string(st));
        return TCPF_ERR;
    }
    return TCPF_OK;
}

static int
render_pdf(const struct tcpf_host *host, FILE *fp, const struct nv_report *r,
           const char *create_date)
{
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(render_write, fp, r->page_w,
                                                             r->page_h);
    int rc;

    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "tcpflow netviz report");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "tcpflow netviz " NV_VERSION);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, create_date);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, create_date);
    rc = render_page(host, s, r, 1.0, "report.pdf");
    cairo_surface_finish(s);
    if (rc == TCPF_OK && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = TCPF_ERR;
    cairo_surface_destroy(s);
    return rc;
}

static int
render_svg(const struct tcpf_host *host, FILE *fp, const struct nv_report *r)
{
    cairo_surface_t *s = cairo_svg_surface_create_for_stream(render_write, fp, r->page_w,
                                                             r->page_h);
    int rc;

    cairo_svg_surface_restrict_to_version(s, CAIRO_SVG_VERSION_1_1);
    rc = render_page(host, s, r, 1.0, "report.svg");
    cairo_surface_finish(s);
    if (rc == TCPF_OK && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = TCPF_ERR;
    cairo_surface_destroy(s);
    return rc;
}

static int
render_png(const struct tcpf_host *host, FILE *fp, const struct nv_report *r)
{
    int w = (int)lround(r->page_w * PNG_DPI / 72.0), h = (int)lround(r->page_h * PNG_DPI / 72.0);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    int rc = render_page(host, s, r, PNG_DPI / 72.0, "report.png");

    if (rc == TCPF_OK && cairo_surface_write_to_png_stream(s, render_write, fp) !=
                             CAIRO_STATUS_SUCCESS)
        rc = TCPF_ERR;
    cairo_surface_destroy(s);
    return rc;
}

int
nv_render(const struct tcpf_host *host, const struct nv_report *r, unsigned formats,
          const char *create_date)
{
    static const struct { unsigned fmt; const char *name; } files[] = {
        { NV_FMT_PDF, "report.pdf" }, { NV_FMT_PNG, "report.png" }, { NV_FMT_SVG, "report.svg" },
    };
    int rc = TCPF_OK;
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        FILE *fp;
        int one;

        if (!(formats & files[i].fmt))
            continue;
        fp = host->derived_open(host, NULL, files[i].name);
        if (fp == NULL) {
            rc = TCPF_ERR; /* the host logged why */
            continue;
        }
        one = files[i].fmt == NV_FMT_PDF ? render_pdf(host, fp, r, create_date)
              : files[i].fmt == NV_FMT_PNG ? render_png(host, fp, r)
                                            : render_svg(host, fp, r);
        if (host->derived_close(host, fp) != TCPF_OK || one != TCPF_OK)
            rc = TCPF_ERR;
    }
#if defined(__SANITIZE_ADDRESS__)
    cairo_debug_reset_static_data();
    FcFini();
#endif
    return rc;
}
