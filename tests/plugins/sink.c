/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: a report sink that prints what it receives to sink.txt
 *
 * Per flow (at flow_close, after every other scanner): "flow ID dir D reason R file PATH",
 * then "  entry SCANNER KEY=VALUE" and "  derived SCANNER NAME size=N closed=0|1". At
 * shutdown: "run inputs=N outdir=DIR errors=N detached=N" and the run-level entries and
 * derived files in the same format. Enabled by default, like the real dfxml sink.
 */
#include <inttypes.h>
#include <stdlib.h>

#include <tcpflow/scanner.h>

struct sink_state {
    const struct tcpf_host *host;
    FILE *out;
};

static int
sink_init(const struct tcpf_host *host, void **sstate)
{
    struct sink_state *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return TCPF_ENOMEM;
    s->host = host;
    s->out = host->derived_open(host, NULL, "sink.txt");
    *sstate = s;
    return TCPF_OK;
}

static void
sink_lists(FILE *out, const struct tcpf_report_entry *e, size_t ne,
           const struct tcpf_derived_file *d, size_t nd)
{
    size_t i;

    for (i = 0; i < ne; i++)
        fprintf(out, "  entry %s %s=%s\n", e[i].scanner, e[i].key, e[i].value);
    for (i = 0; i < nd; i++)
        fprintf(out, "  derived %s %s size=%" PRIu64 " closed=%d\n", d[i].scanner, d[i].path,
                d[i].size, (int)d[i].is_closed);
}

static void
sink_close(void *sstate, void *fstate, const struct tcpf_flow *flow, enum tcpf_close_reason why)
{
    struct sink_state *s = sstate;

    (void)fstate;
    if (s->out == NULL)
        return;
    fprintf(s->out, "flow %" PRIu64 " dir %u reason %d file %s\n", flow->flow_id,
            (unsigned)flow->dir, (int)why, flow->file_path ? flow->file_path : "-");
    sink_lists(s->out, flow->entries, flow->n_entries, flow->derived, flow->n_derived);
}

static void
sink_shutdown(void *sstate)
{
    struct sink_state *s = sstate;
    const struct tcpf_run *r = s->host->run_info(s->host);

    if (s->out != NULL) {
        fprintf(s->out, "run inputs=%zu outdir=%s errors=%" PRIu64 " detached=%" PRIu64 "\n",
                r->n_inputs, r->outdir ? r->outdir : "-", r->scanner_errors, r->flows_detached);
        sink_lists(s->out, r->entries, r->n_entries, r->derived, r->n_derived);
        s->host->derived_close(s->host, s->out);
    }
    free(s);
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    TCPF_SCANNER_HEADER("sink"),
    .flags = TCPF_SCANNER_ENABLED_BY_DEFAULT | TCPF_SCANNER_REPORT_SINK,
    .version = "1.0",
    .description = "test fixture: report sink writing sink.txt",
    .init = sink_init,
    .flow_close = sink_close,
    .shutdown = sink_shutdown,
};
