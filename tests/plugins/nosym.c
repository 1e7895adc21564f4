/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: a shared object without the tcpf_scanner symbol: must be refused */
#include <tcpflow/scanner.h>

TCPF_EXPORT int nosym_not_a_scanner(void);

int
nosym_not_a_scanner(void)
{
    return 42;
}
