/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: built for a newer minor ABI than the host's: must be refused
 * (see "Versioning" in <tcpflow/scanner.h>) */
#include <tcpflow/scanner.h>

static int
nm_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    (void)sstate, (void)fstate, (void)flow, (void)c;
    return TCPF_OK;
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    .abi_major = TCPF_ABI_MAJOR,
    .abi_minor = TCPF_ABI_MINOR + 1,
    .struct_size = sizeof(struct tcpf_scanner),
    .name = "newer_minor",
    .version = "1.0",
    .flow_data = nm_data,
};
