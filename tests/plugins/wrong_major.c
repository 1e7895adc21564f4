/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: built for a future incompatible ABI (major + 1): must be refused */
#include <tcpflow/scanner.h>

static int
wm_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    (void)sstate, (void)fstate, (void)flow, (void)c;
    return TCPF_OK;
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    .abi_major = TCPF_ABI_MAJOR + 1,
    .abi_minor = 0,
    .struct_size = sizeof(struct tcpf_scanner),
    .name = "wrong_major",
    .version = "1.0",
    .flow_data = wm_data,
};
