/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: a second scanner called "good" (the first one found must win) */
#include <tcpflow/scanner.h>

static int
dup_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    (void)sstate, (void)fstate, (void)flow, (void)c;
    return TCPF_OK;
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    TCPF_SCANNER_HEADER("good"),
    .version = "9.9-duplicate",
    .flow_data = dup_data,
};
