/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: an invalid scanner name ([a-z0-9_]+ only): must be refused */
#include <tcpflow/scanner.h>

static int
bn_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    (void)sstate, (void)fstate, (void)flow, (void)c;
    return TCPF_OK;
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    TCPF_SCANNER_HEADER("Bad-Name"),
    .version = "1.0",
    .flow_data = bn_data,
};
