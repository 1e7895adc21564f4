/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: a well-behaved scanner using every callback and host service
 *
 * Checks the host's promises as it goes (data in order with gaps accounted for, typed option
 * lookups) and logs "good: VIOLATION ..." at error level when one is broken; the tests grep
 * for that word. Writes a derived file per flow ("good.txt") and one for the run
 * ("good-summary.txt"), and report entries good.* for the sink fixture to print.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <tcpflow/scanner.h>

struct good_state {
    const struct tcpf_host *host;
    const char *greeting;
    uint64_t limit;
    bool verbose;
    uint64_t packets, flows;
};

struct good_flow {
    uint64_t next;   /* expected offset of the next chunk, minus its gap */
    uint64_t bytes, gaps, gap_bytes, chunks;
};

static const struct tcpf_scanner_option good_options[] = {
    { "greeting", TCPF_OPT_STR, "hello", "text written at the top of each good.txt" },
    { "limit", TCPF_OPT_U64, "4k", "an unused size, to test suffixes" },
    { "verbose", TCPF_OPT_BOOL, "no", "log every chunk" },
    { NULL, 0, NULL, NULL },
};

static int
good_init(const struct tcpf_host *host, void **sstate)
{
    struct good_state *s = calloc(1, sizeof(*s));
    const char *str;

    if (s == NULL)
        return TCPF_ENOMEM;
    s->host = host;
    if (host->struct_size < sizeof(struct tcpf_host) || host->abi_major != TCPF_ABI_MAJOR)
        host->log(host, TCPF_SLOG_ERROR, "VIOLATION: host table too small");
    if (host->cfg_str(host, "greeting", &s->greeting) != TCPF_OK ||
        host->cfg_u64(host, "limit", &s->limit) != TCPF_OK ||
        host->cfg_bool(host, "verbose", &s->verbose) != TCPF_OK)
        host->log(host, TCPF_SLOG_ERROR, "VIOLATION: declared option not found");
    if (host->cfg_u64(host, "greeting", &s->limit) != TCPF_EINVAL ||
        host->cfg_str(host, "nosuchkey", &str) != TCPF_EINVAL)
        host->log(host, TCPF_SLOG_ERROR, "VIOLATION: wrong-type/unknown option accepted");
    host->log(host, TCPF_SLOG_WARN, "init greeting=%s limit=%" PRIu64 " verbose=%d",
              s->greeting, s->limit, (int)s->verbose);
    *sstate = s;
    return TCPF_OK;
}

static int
good_packet(void *sstate, const struct tcpf_packet *pkt)
{
    struct good_state *s = sstate;

    if (pkt->struct_size < sizeof(*pkt) || pkt->ip_proto != 6)
        s->host->log(s->host, TCPF_SLOG_ERROR, "VIOLATION: bad packet view");
    s->packets++;
    return TCPF_OK;
}

static int
good_open(void *sstate, const struct tcpf_flow *flow, void **fstate)
{
    struct good_state *s = sstate;
    struct good_flow *f = calloc(1, sizeof(*f));

    (void)flow;
    if (f == NULL)
        return TCPF_ENOMEM;
    s->flows++;
    *fstate = f;
    return TCPF_OK;
}

static int
good_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    struct good_state *s = sstate;
    struct good_flow *f = fstate;

    if (c->offset != f->next + c->gap)
        s->host->log(s->host, TCPF_SLOG_ERROR, "VIOLATION: flow %" PRIu64 " chunk at %" PRIu64
                     " expected %" PRIu64 " + gap %" PRIu64, flow->flow_id, c->offset, f->next,
                     c->gap);
    if (s->verbose)
        s->host->log(s->host, TCPF_SLOG_WARN, "flow %" PRIu64 " chunk offset=%" PRIu64
                     " len=%zu gap=%" PRIu64, flow->flow_id, c->offset, c->len, c->gap);
    f->next = c->offset + c->len;
    f->bytes += c->len;
    f->gap_bytes += c->gap;
    f->gaps += c->gap > 0;
    f->chunks++;
    return TCPF_OK;
}

static int
good_stream(void *sstate, void *fstate, const struct tcpf_flow *flow,
            const struct tcpf_stream *st)
{
    struct good_state *s = sstate;
    char v[64];

    (void)fstate;
    if (st->len > 64 || (st->len < st->total_len) != st->is_truncated)
        s->host->log(s->host, TCPF_SLOG_ERROR, "VIOLATION: stream len %zu total %" PRIu64,
                     st->len, st->total_len);
    snprintf(v, sizeof(v), "%zu", st->len);
    s->host->report_add(s->host, flow, "good.stream_len", v);
    snprintf(v, sizeof(v), "%" PRIu64, st->gap_bytes);
    s->host->report_add(s->host, flow, "good.stream_gap_bytes", v);
    s->host->report_add(s->host, flow, "good.stream_truncated", st->is_truncated ? "yes" : "no");
    s->host->report_add(s->host, flow, "good.stream_head",
                        st->len >= 4 && memcmp(st->data, "GET ", 4) == 0 ? "GET" : "other");
    return TCPF_OK;
}

static void
good_close(void *sstate, void *fstate, const struct tcpf_flow *flow, enum tcpf_close_reason why)
{
    struct good_state *s = sstate;
    struct good_flow *f = fstate;
    char v[64];
    FILE *fp;

    if (flow->gap_bytes != f->gap_bytes || flow->stream_bytes != f->bytes)
        s->host->log(s->host, TCPF_SLOG_ERROR, "VIOLATION: view counters differ");
    snprintf(v, sizeof(v), "%" PRIu64, f->bytes);
    s->host->report_add(s->host, flow, "good.bytes", v);
    snprintf(v, sizeof(v), "%" PRIu64 "/%" PRIu64, f->gaps, f->gap_bytes);
    s->host->report_add(s->host, flow, "good.gaps", v);
    snprintf(v, sizeof(v), "%d", (int)why);
    s->host->report_add(s->host, flow, "good.reason", v);
    if (s->host->report_add(s->host, flow, "bad key!", "x") != TCPF_EINVAL)
        s->host->log(s->host, TCPF_SLOG_ERROR, "VIOLATION: bad report key accepted");
    if (s->host->derived_open(s->host, flow, "../escape") != NULL)
        s->host->log(s->host, TCPF_SLOG_ERROR, "VIOLATION: bad suffix accepted");
    fp = s->host->derived_open(s->host, flow, "good.txt");
    if (fp != NULL) {
        fprintf(fp, "%s bytes=%" PRIu64 " chunks=%" PRIu64 "\n", s->greeting, f->bytes,
                f->chunks);
        if (s->host->derived_close(s->host, fp) != TCPF_OK)
            s->host->log(s->host, TCPF_SLOG_ERROR, "derived_close failed");
    }
    free(f);
}

static void
good_shutdown(void *sstate)
{
    struct good_state *s = sstate;
    char v[64];
    FILE *fp;

    snprintf(v, sizeof(v), "%" PRIu64, s->packets);
    s->host->report_add(s->host, NULL, "good.packets", v);
    fp = s->host->derived_open(s->host, NULL, "good-summary.txt");
    if (fp != NULL) {
        fprintf(fp, "flows=%" PRIu64 " packets=%" PRIu64 "\n", s->flows, s->packets);
        s->host->derived_close(s->host, fp);
    }
    free(s);
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    TCPF_SCANNER_HEADER("good"),
    .version = "1.0-good",
    .description = "test fixture: uses every callback and host service",
    .options = good_options,
    .stream_max = 64,
    .init = good_init,
    .packet = good_packet,
    .flow_open = good_open,
    .flow_data = good_data,
    .flow_stream = good_stream,
    .flow_close = good_close,
    .shutdown = good_shutdown,
};
