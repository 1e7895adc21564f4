/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the command line: tcpflow 1.6.1's options plus ours, parsed into one struct */
#ifndef TCPF_CORE_OPTIONS_H
#define TCPF_CORE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses (documented in tcpflow(1), EXIT STATUS). */
enum tcpf_exit {
    TCPF_EXIT_OK = 0,
    TCPF_EXIT_FATAL = 1,
    TCPF_EXIT_USAGE = 2,
    TCPF_EXIT_DAMAGED = 3,    /* finished, but some input was damaged */
};

/* Most -j worker threads (same as TCPF_WORKERS_MAX). */
#define TCPF_OPTIONS_MAX_JOBS 64

/* --progress */
enum tcpf_progress_mode {
    TCPF_PROGRESS_NEVER = 0,
    TCPF_PROGRESS_AUTO,       /* only when stderr is a terminal */
    TCPF_PROGRESS_ALWAYS,
};

/* Console output modes (-c, -C, -D, -J...). */
struct tcpf_console_opts {
    bool enabled;             /* -c or -C or -D or -J */
    bool suppress_header;     /* -C */
    bool binary;              /* -B */
    bool hexdump;             /* -D */
    bool color;               /* -g */
    bool no_newline;          /* -0 */
    bool json;                /* -J */
};

/* One -e/-x/-E/-a command, replayed in order by the scanner host. */
struct tcpf_scanner_cmd {
    char op;                  /* 'e' enable, 'x' disable, 'E' only, 'a' all */
    const char *name;         /* borrowed from argv; NULL for 'a' */
};

/* A -S name=value pair. */
struct tcpf_setting {
    char *name;
    char *value;
};

struct tcpf_options {
    /* input */
    const char **inputs;      /* -r files (and -l trailing files), in order; borrowed argv */
    size_t n_inputs;
    const char **finish_inputs; /* -R files: only continue existing flows */
    size_t n_finish_inputs;
    const char *iface;        /* -i */
    bool live;
    bool promisc;             /* cleared by -p */
    char *bpf;                /* trailing arguments joined with spaces; owned */

    /* output */
    const char *outdir;       /* -o, default "." */
    char *tmpl;               /* -T and -F applied; owned */
    bool store;               /* false with -FX */
    bool md5;                 /* -FM */
    int64_t max_bytes;        /* -b, -1 = unlimited */
    uint64_t max_seek;        /* -m */
    uint32_t max_fds;         /* -f, 0 = from RLIMIT_NOFILE */
    const char *report_path;  /* -X */
    bool quiet;               /* -q */
    enum tcpf_progress_mode progress; /* --progress */
    uint32_t jobs;            /* -j: worker threads (1 = none) */
    struct tcpf_console_opts console;

    /* flow handling (-S core settings) */
    int64_t tdelta;           /* -S tdelta=seconds added to timestamps */
    uint32_t tcp_timeout;     /* -S tcp_timeout=seconds idle (packet time), 0 = never */
    uint32_t max_flows;       /* -S max_flows=N connections in the table */
    uint64_t memcap;          /* -S memcap=bytes of out-of-order data across flows */
    uint64_t max_gap_total;   /* -S max_gap_total=bytes of holes per file before splitting */
    bool enable_report;       /* -S enable_report=NO disables report.xml */

    /* scanners */
    struct tcpf_scanner_cmd *scanner_cmds;
    size_t n_scanner_cmds;
    struct tcpf_setting *settings; /* all -S pairs in order (core ones too) */
    size_t n_settings;
    const char **plugin_dirs; /* -P / --plugin-dir */
    size_t n_plugin_dirs;
    bool list_scanners;       /* -H / --list-scanners */

    /* misc */
    const char *user;         /* -U / --relinquish-privileges */
    const char *chroot_dir;   /* -z / --chroot */
    int debug;                /* -d */
    bool help, help_more, version;
    char *command_line;       /* argv joined, for the report; owned */
};

/* Parses argv into *o (initialised with defaults first). Returns TCPF_EXIT_OK to run,
 * TCPF_EXIT_USAGE on a usage error, TCPF_EXIT_FATAL when memory ran out (message in errbuf). -h/--help and --version only
 * set flags; the caller prints. */
int tcpf_options_parse(struct tcpf_options *o, int argc, char **argv, char *errbuf,
                       size_t errlen);

/* Frees what tcpf_options_parse allocated. */
void tcpf_options_free(struct tcpf_options *o);

/* Prints the usage text (to stdout for --help). more = -hh. */
void tcpf_options_usage(FILE *out, bool more);

/* Value of the last -S name=value for `name`, or NULL. */
const char *tcpf_options_setting(const struct tcpf_options *o, const char *name);

#endif /* TCPF_CORE_OPTIONS_H */
