/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz output: one drawing routine on the PDF, PNG and SVG surfaces. */
#ifndef NETVIZ_RENDER_H
#define NETVIZ_RENDER_H

#include "report.h"

#define NV_FMT_PDF 0x1u
#define NV_FMT_PNG 0x2u
#define NV_FMT_SVG 0x4u

/* Writes report.{pdf,png,svg} (the formats set) as run-level derived files. create_date is
 * the PDF creation date (ISO 8601, UTC). TCPF_OK, or TCPF_ERR if any file failed (logged). */
int nv_render(const struct tcpf_host *host, const struct nv_report *r, unsigned formats,
              const char *create_date);

#endif /* NETVIZ_RENDER_H */
