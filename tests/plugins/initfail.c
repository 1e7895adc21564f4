/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: init() fails; enabling it must stop tcpflow naming the plugin.
 * TCPF_SCANNER_NO_ALL: -a / -e all leave it off. */
#include <tcpflow/scanner.h>

static int
if_init(const struct tcpf_host *host, void **sstate)
{
    (void)sstate;
    host->log(host, TCPF_SLOG_ERROR, "refusing to start (test)");
    return TCPF_ERR;
}

static int
if_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    (void)sstate, (void)fstate, (void)flow, (void)c;
    return TCPF_OK;
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    TCPF_SCANNER_HEADER("initfail"),
    .flags = TCPF_SCANNER_NO_ALL,
    .version = "1.0",
    .init = if_init,
    .flow_data = if_data,
};
