/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: a misbehaving scanner
 *
 * flow_open declines direction 1 (TCPF_DETACH: no flow_close may follow); flow_data fails on
 * every chunk after the first; packet fails on the third packet. The host must detach it,
 * never call it again for that flow (or for packets), still call flow_close exactly once per
 * accepted flow, and carry on. At shutdown it writes errors-summary.txt with its counts:
 * "opens=N closes=N calls_after_error=N packets=N".
 */
#include <inttypes.h>
#include <stdlib.h>

#include <tcpflow/scanner.h>

struct err_state {
    const struct tcpf_host *host;
    uint64_t opens, closes, after_error, packets;
    bool packet_failed;
};

struct err_flow {
    uint64_t chunks;
    bool failed;
};

static int
err_init(const struct tcpf_host *host, void **sstate)
{
    struct err_state *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return TCPF_ENOMEM;
    s->host = host;
    *sstate = s;
    return TCPF_OK;
}

static int
err_packet(void *sstate, const struct tcpf_packet *pkt)
{
    struct err_state *s = sstate;

    (void)pkt;
    if (s->packet_failed)
        s->after_error++;
    if (++s->packets == 3) {
        s->packet_failed = true;
        return TCPF_ERR;
    }
    return TCPF_OK;
}

static int
err_open(void *sstate, const struct tcpf_flow *flow, void **fstate)
{
    struct err_state *s = sstate;

    if (flow->dir == 1)
        return TCPF_DETACH;
    if ((*fstate = calloc(1, sizeof(struct err_flow))) == NULL)
        return TCPF_ENOMEM;
    s->opens++;
    return TCPF_OK;
}

static int
err_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    struct err_state *s = sstate;
    struct err_flow *f = fstate;

    (void)flow, (void)c;
    if (f->failed)
        s->after_error++;
    if (++f->chunks >= 2) {
        f->failed = true;
        return TCPF_ERR;
    }
    return TCPF_OK;
}

static void
err_close(void *sstate, void *fstate, const struct tcpf_flow *flow, enum tcpf_close_reason why)
{
    struct err_state *s = sstate;

    (void)flow, (void)why;
    s->closes++;
    free(fstate);
}

static void
err_shutdown(void *sstate)
{
    struct err_state *s = sstate;
    FILE *fp = s->host->derived_open(s->host, NULL, "errors-summary.txt");

    if (fp != NULL) {
        fprintf(fp, "opens=%" PRIu64 " closes=%" PRIu64 " calls_after_error=%" PRIu64
                " packets=%" PRIu64 "\n", s->opens, s->closes, s->after_error, s->packets);
        s->host->derived_close(s->host, fp);
    }
    free(s);
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    TCPF_SCANNER_HEADER("errors"),
    .version = "1.0",
    .description = "test fixture: returns errors",
    .init = err_init,
    .packet = err_packet,
    .flow_open = err_open,
    .flow_data = err_data,
    .flow_close = err_close,
    .shutdown = err_shutdown,
};
