/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: diagnostics on stderr with tcpflow's -d levels; never writes to stdout */
#ifndef TCPF_CORE_LOG_H
#define TCPF_CORE_LOG_H

#include <stdarg.h>

/* Levels match tcpflow's -d: 0 silent but errors, 1 default (warnings), 2 notices, 10 = -v. */
enum tcpf_log_level {
    TCPF_LOG_ERROR = 0,
    TCPF_LOG_WARN = 1,
    TCPF_LOG_NOTICE = 2,
    TCPF_LOG_INFO = 3,
    TCPF_LOG_DEBUG = 10,
};

/* Current debug level (-d N); messages above it are dropped. Default 1. */
extern int tcpf_log_level;

/* Prints "tcpflow: <message>\n" to stderr if level <= tcpf_log_level. Errors always print. */
void tcpf_log(enum tcpf_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like tcpf_log with a va_list. */
void tcpf_vlog(enum tcpf_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif /* TCPF_CORE_LOG_H */
