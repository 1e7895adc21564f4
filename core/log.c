/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: diagnostics on stderr with tcpflow's -d levels */
#include "config.h"

#include "log.h"

#include <stdio.h>

int tcpf_log_level = TCPF_LOG_WARN;

/* Formats one line into a buffer and writes it with a single fputs, so concurrent
 * writers (plugins, a future worker thread) never interleave inside a line. */
void
tcpf_vlog(enum tcpf_log_level level, const char *fmt, va_list ap)
{
    char line[1024];
    int n;

    if (level != TCPF_LOG_ERROR && (int)level > tcpf_log_level)
        return;
    n = snprintf(line, sizeof(line), "tcpflow: ");
    vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    fputs(line, stderr);
    fputc('\n', stderr);
}

void
tcpf_log(enum tcpf_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tcpf_vlog(level, fmt, ap);
    va_end(ap);
}
