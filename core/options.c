/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the command line: tcpflow 1.6.1's options plus ours (see tcpflow(1)) */
#include "config.h"

#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "outname.h"

enum {
    OPT_PLUGIN_DIR = 256,
    OPT_LIST_SCANNERS,
    OPT_NO_REPORT,
    OPT_PROGRESS,
};

static const char options_short[] = "aA:Bb:cCd:DE:e:F:f:gHhIi:j:JKlL:m:o:pP:qR:r:S:sT:U:Vvw:x:X:z:Z0";

static const struct option options_long[] = {
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { "verbose", no_argument, NULL, 'v' },
    { "relinquish-privileges", required_argument, NULL, 'U' },
    { "chroot", required_argument, NULL, 'z' },
    { "plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR },
    { "list-scanners", no_argument, NULL, OPT_LIST_SCANNERS },
    { "no-report", no_argument, NULL, OPT_NO_REPORT },
    { "progress", optional_argument, NULL, OPT_PROGRESS },
    { "jobs", required_argument, NULL, 'j' },
    { NULL, 0, NULL, 0 },
};

/* Appends p to a growable array of pointers; returns -1 on allocation failure. */
static int
options_push(const char ***arr, size_t *n, const char *p)
{
    const char **a = realloc(*arr, (*n + 1) * sizeof(**arr));

    if (a == NULL)
        return -1;
    a[(*n)++] = p;
    *arr = a;
    return 0;
}

/* Parses a non-negative decimal integer with optional K/M/G suffix (binary units). */
static int
options_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    if (s[0] == '-' || s[0] == '\0')
        return -1;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s)
        return -1;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    default: return -1;
    }
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* tcpflow's boolean convention: Y, y, T, t or 1 as first character means true. */
static bool
options_bool(const char *v)
{
    return v[0] == 'Y' || v[0] == 'y' || v[0] == 'T' || v[0] == 't' || v[0] == '1';
}

/* Applies a -S pair the core owns. Returns 1 if consumed, 0 if not a core key, -1 if bad. */
static int
options_core_setting(struct tcpf_options *o, const char *name, const char *value)
{
    uint64_t v;

    if (strcmp(name, "enable_report") == 0) {
        o->enable_report = options_bool(value);
        return 1;
    }
    if (strcmp(name, "tdelta") == 0) {
        char *end;
        long long d;

        errno = 0;
        d = strtoll(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0')
            return -1;
        o->tdelta = d;
        return 1;
    }
    if (strcmp(name, "tcp_timeout") == 0 || strcmp(name, "max_flows") == 0 ||
        strcmp(name, "memcap") == 0 || strcmp(name, "max_gap_total") == 0 ||
        strcmp(name, "packet-buffer-timeout") == 0) {
        if (options_parse_size(value, &v) < 0)
            return -1;
        if (strcmp(name, "tcp_timeout") == 0)
            o->tcp_timeout = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
        else if (strcmp(name, "max_flows") == 0)
            o->max_flows = v == 0 || v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
        else if (strcmp(name, "memcap") == 0)
            o->memcap = v;
        else if (strcmp(name, "max_gap_total") == 0)
            o->max_gap_total = v;
        return 1;
    }
    return 0;
}

/* Appends the pair (name_len bytes of name, value) to o->settings. Returns the new entry, or
 * NULL with "out of memory" in errbuf. */
static struct tcpf_setting *
options_push_setting(struct tcpf_options *o, const char *name, size_t name_len,
                     const char *value, char *errbuf, size_t errlen)
{
    struct tcpf_setting *s = realloc(o->settings, (o->n_settings + 1) * sizeof(*s));

    if (s == NULL)
        goto oom;
    o->settings = s;
    s = &o->settings[o->n_settings];
    s->name = strndup(name, name_len);
    s->value = strdup(value);
    if (s->name == NULL || s->value == NULL) {
        free(s->name);
        free(s->value);
        goto oom;
    }
    o->n_settings++;
    return s;
oom:
    snprintf(errbuf, errlen, "out of memory");
    return NULL;
}

/* Splits "name=value" and records it; core keys are applied at once. */
static int
options_add_setting(struct tcpf_options *o, const char *arg, char *errbuf, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    struct tcpf_setting *s;

    if (eq == NULL || eq == arg || strchr(eq + 1, '=') != NULL) {
        snprintf(errbuf, errlen, "-S %s: expected name=value", arg);
        return -1;
    }
    s = options_push_setting(o, arg, (size_t)(eq - arg), eq + 1, errbuf, errlen);
    if (s == NULL)
        return -1;
    if (options_core_setting(o, s->name, s->value) < 0) {
        snprintf(errbuf, errlen, "-S %s: invalid value '%s'", s->name, s->value);
        return -1;
    }
    return 0;
}

/* -X FILE: the report writer (the dfxml scanner) takes the path as its setting dfxml.path,
 * appended like a -S pair (a later -X or -S dfxml.path wins). FILE may contain '='. */
static int
options_report_path(struct tcpf_options *o, const char *arg, char *errbuf, size_t errlen)
{
    if (options_push_setting(o, "dfxml.path", strlen("dfxml.path"), arg, errbuf, errlen) == NULL)
        return -1;
    o->report_path = arg;
    return 0;
}

static int
options_add_scanner_cmd(struct tcpf_options *o, char op, const char *name)
{
    struct tcpf_scanner_cmd *c = realloc(o->scanner_cmds, (o->n_scanner_cmds + 1) * sizeof(*c));

    if (c == NULL)
        return -1;
    c[o->n_scanner_cmds].op = op;
    c[o->n_scanner_cmds].name = name;
    o->scanner_cmds = c;
    o->n_scanner_cmds++;
    return 0;
}

/* Joins argv[from..argc) with single spaces into a new string (NULL if none). */
static char *
options_join(int argc, char **argv, int from)
{
    size_t len = 0;
    char *s, *p;
    int i;

    if (from >= argc)
        return NULL;
    for (i = from; i < argc; i++)
        len += strlen(argv[i]) + 1;
    s = malloc(len);
    if (s == NULL)
        return NULL;
    p = s;
    for (i = from; i < argc; i++) {
        size_t n = strlen(argv[i]);

        memcpy(p, argv[i], n);
        p += n;
        *p++ = i + 1 < argc ? ' ' : '\0';
    }
    return s;
}

/* The -T option: validates t and appends %C%c when it lacks %c (tcpflow's rule). */
static int
options_set_template(struct tcpf_options *o, const char *t, char *errbuf, size_t errlen)
{
    char e[TCPF_ERRBUF_SIZE] = "";

    if (tcpf_outname_set_template(t, o->tmpl, TCPF_OUTNAME_MAX, e) != TCPF_OUTNAME_OK) {
        snprintf(errbuf, errlen, "-T %s: %s", t, e);
        return -1;
    }
    return 0;
}

static void
options_defaults(struct tcpf_options *o)
{
    memset(o, 0, sizeof(*o));
    o->promisc = true;
    o->outdir = ".";
    o->store = true;
    o->max_bytes = -1;
    o->max_seek = 16u << 20;
    o->max_flows = 250000;
    o->memcap = 256u << 20;
    o->max_gap_total = 64u << 20;
    o->enable_report = true;
    o->debug = 1;
    o->progress = TCPF_PROGRESS_AUTO;
    o->jobs = 1;
}

/* Handles one option character. Returns 0, or -1 with errbuf set. */
static int
options_one(struct tcpf_options *o, int c, const char *arg, char *errbuf, size_t errlen)
{
    uint64_t v;

    switch (c) {
    case 'a': return options_add_scanner_cmd(o, 'a', NULL);
    case 'A': tcpf_log(TCPF_LOG_WARN, "-A%s has been deprecated. Just use -a", arg); return 0;
    case 'B': o->console.binary = true; return 0;
    case 'b':
        if (options_parse_size(arg, &v) < 0 || v > INT64_MAX) {
            snprintf(errbuf, errlen, "-b %s: expected a byte count", arg);
            return -1;
        }
        o->max_bytes = (int64_t)v;
        return 0;
    case 'c': o->console.enabled = true; return 0;
    case 'C': o->console.enabled = true; o->console.suppress_header = true; return 0;
    case 'd': {
        char *end;
        long d = strtol(arg, &end, 10);

        if (end == arg || *end != '\0') {
            snprintf(errbuf, errlen, "-d %s: expected a number", arg);
            return -1;
        }
        o->debug = d < 0 ? 1 : (int)(d > 1000 ? 1000 : d);
        return 0;
    }
    case 'D': o->console.enabled = true; o->console.hexdump = true; return 0;
    case 'E': return options_add_scanner_cmd(o, 'E', arg);
    case 'e': return options_add_scanner_cmd(o, 'e', arg);
    case 'x': return options_add_scanner_cmd(o, 'x', arg);
    case 'F': {
        unsigned fl = 0;
        int rc = tcpf_outname_apply_flags(o->tmpl, TCPF_OUTNAME_MAX, arg, &fl, errbuf);

        if (rc == TCPF_OUTNAME_EBADFLAG)
            tcpf_log(TCPF_LOG_WARN, "%s", errbuf); /* tcpflow warns and goes on */
        else if (rc != TCPF_OUTNAME_OK)
            return -1;
        if (fl & TCPF_OUTNAME_F_NOSTORE)
            o->store = false;
        if (fl & TCPF_OUTNAME_F_MD5) { /* tcpflow -FM: MD5 of every flow, in the report */
            o->md5 = true;
            return options_add_setting(o, "dfxml.hash=md5,sha256", errbuf, errlen);
        }
        return 0;
    }
    case 'f':
        if (options_parse_size(arg, &v) < 0 || v == 0 || v > 1000000) {
            snprintf(errbuf, errlen, "-f %s: expected a number of file descriptors", arg);
            return -1;
        }
        o->max_fds = (uint32_t)v;
        return 0;
    case 'j':
        if (strcmp(arg, "auto") == 0) {
            long n = sysconf(_SC_NPROCESSORS_ONLN);

            o->jobs = n < 1 ? 1 : n > TCPF_OPTIONS_MAX_JOBS ? TCPF_OPTIONS_MAX_JOBS : (uint32_t)n;
            return 0;
        }
        if (options_parse_size(arg, &v) < 0 || v == 0 || v > TCPF_OPTIONS_MAX_JOBS) {
            snprintf(errbuf, errlen, "-j %s: expected 1 to %d worker threads, or auto", arg,
                     TCPF_OPTIONS_MAX_JOBS);
            return -1;
        }
        o->jobs = (uint32_t)v;
        return 0;
    case 'g': o->console.color = true; return 0;
    case 'H': o->list_scanners = true; return 0;
    case 'h':
        if (o->help)
            o->help_more = true;
        o->help = true;
        return 0;
    case 'I': tcpf_log(TCPF_LOG_WARN, "-I (findx index files) is not supported yet; ignored"); return 0;
    case 'i': o->iface = arg; o->live = true; return 0;
    case 'J': o->console.enabled = true; o->console.json = true; return 0;
    case 'K':
        snprintf(errbuf, errlen, "-K (per-flow pcap output) is not supported yet");
        return -1;
    case 'l': return 0; /* handled after getopt: trailing args are files */
    case 'L': tcpf_log(TCPF_LOG_WARN, "-L %s: console semaphores are not supported; ignored", arg); return 0;
    case 'm':
        if (options_parse_size(arg, &v) < 0 || v == 0) {
            snprintf(errbuf, errlen, "-m %s: expected a byte count", arg);
            return -1;
        }
        o->max_seek = v;
        return 0;
    case 'o': o->outdir = arg; return 0;
    case 'p': o->promisc = false; return 0;
    case 'P':
    case OPT_PLUGIN_DIR: return options_push(&o->plugin_dirs, &o->n_plugin_dirs, arg);
    case 'q': o->quiet = true; return 0;
    case 'R': return options_push(&o->finish_inputs, &o->n_finish_inputs, arg);
    case 'r': return options_push(&o->inputs, &o->n_inputs, arg);
    case 'S': return options_add_setting(o, arg, errbuf, errlen);
    case 's': return 0; /* tcpflow 1.6.1: a no-op (stripping is the console default) */
    case 'T': return options_set_template(o, arg, errbuf, errlen);
    case 'U': o->user = arg; return 0;
    case 'V': o->version = true; return 0;
    case 'v': o->debug = 10; return 0;
    case 'w':
        snprintf(errbuf, errlen, "-w (write unprocessed packets) is not supported yet");
        return -1;
    case 'X': return options_report_path(o, arg, errbuf, errlen);
    case 'z': o->chroot_dir = arg; return 0;
    case 'Z': return options_add_setting(o, "http.decompress=no", errbuf, errlen);
    case '0': o->console.no_newline = true; return 0;
    case OPT_LIST_SCANNERS: o->list_scanners = true; return 0;
    case OPT_NO_REPORT: o->enable_report = false; return 0;
    case OPT_PROGRESS:
        if (arg == NULL || strcmp(arg, "always") == 0)
            o->progress = TCPF_PROGRESS_ALWAYS;
        else if (strcmp(arg, "auto") == 0)
            o->progress = TCPF_PROGRESS_AUTO;
        else if (strcmp(arg, "never") == 0)
            o->progress = TCPF_PROGRESS_NEVER;
        else {
            snprintf(errbuf, errlen, "--progress=%s: expected auto, always or never", arg);
            return -1;
        }
        return 0;
    default:
        snprintf(errbuf, errlen, "unknown option (try --help)");
        return -1;
    }
}

/* Status for a failed option: a usage error with its message, or out of memory (the helpers
 * that only allocate leave errbuf empty), which is fatal, not a usage error. */
static int
options_failed(char *errbuf, size_t errlen)
{
    if (errbuf[0] != '\0' && strcmp(errbuf, "out of memory") != 0)
        return TCPF_EXIT_USAGE;
    snprintf(errbuf, errlen, "out of memory while parsing the command line");
    return TCPF_EXIT_FATAL;
}

int
tcpf_options_parse(struct tcpf_options *o, int argc, char **argv, char *errbuf, size_t errlen)
{
    bool files_follow = false;
    int c;

    options_defaults(o);
    o->command_line = options_join(argc, argv, 0);
    o->tmpl = malloc(TCPF_OUTNAME_MAX);
    if (o->tmpl == NULL) {
        snprintf(errbuf, errlen, "out of memory while parsing the command line");
        return TCPF_EXIT_FATAL;
    }
    snprintf(o->tmpl, TCPF_OUTNAME_MAX, "%s", TCPF_OUTNAME_DEFAULT);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, options_short, options_long, NULL)) != -1) {
        if (c == '?') {
            if (optopt != 0 && optopt < 256)
                snprintf(errbuf, errlen, "option -%c: %s (try --help)", optopt,
                         strchr(options_short, optopt) ? "requires an argument" : "unknown option");
            else
                snprintf(errbuf, errlen, "%s: unknown option (try --help)", argv[optind - 1]);
            return TCPF_EXIT_USAGE;
        }
        if (c == 'l')
            files_follow = true;
        errbuf[0] = '\0';
        if (options_one(o, c, optarg, errbuf, errlen) < 0)
            return options_failed(errbuf, errlen);
    }
    if (files_follow) {
        for (; optind < argc; optind++)
            if (options_push(&o->inputs, &o->n_inputs, argv[optind]) < 0)
                return options_failed(errbuf, errlen);
    } else if (optind < argc && (o->bpf = options_join(argc, argv, optind)) == NULL) {
        return options_failed(errbuf, errlen);
    }
    if (o->chroot_dir != NULL && o->user == NULL) {
        snprintf(errbuf, errlen, "-z option requires -U option (chroot without dropping root is insecure)");
        return TCPF_EXIT_USAGE;
    }
    if (o->live && o->n_inputs > 0) {
        snprintf(errbuf, errlen, "-i and -r cannot be combined");
        return TCPF_EXIT_USAGE;
    }
    if (!o->help && !o->version && !o->list_scanners && o->n_inputs == 0 && !o->live)
        o->live = true; /* tcpflow: no -r means capture from the default interface */
    tcpf_log_level = o->debug;
    return TCPF_EXIT_OK;
}

void
tcpf_options_free(struct tcpf_options *o)
{
    size_t i;

    for (i = 0; i < o->n_settings; i++) {
        free(o->settings[i].name);
        free(o->settings[i].value);
    }
    free(o->settings);
    free(o->scanner_cmds);
    free(o->inputs);
    free(o->finish_inputs);
    free(o->plugin_dirs);
    free(o->bpf);
    free(o->tmpl);
    free(o->command_line);
    memset(o, 0, sizeof(*o));
}

const char *
tcpf_options_setting(const struct tcpf_options *o, const char *name)
{
    size_t i;
    const char *v = NULL;

    for (i = 0; i < o->n_settings; i++)
        if (strcmp(o->settings[i].name, name) == 0)
            v = o->settings[i].value;
    return v;
}

void
tcpf_options_usage(FILE *out, bool more)
{
    fprintf(out,
        "Usage: tcpflow [OPTION]... [-r FILE]... [BPF EXPRESSION]\n"
        "Reassembles TCP connections from captures and writes each direction to a file.\n"
        "\n"
        "Input:\n"
        "  -r FILE        read a pcap or pcapng file (repeatable; - = stdin)\n"
        "  -R FILE        read FILE but only continue flows already seen\n"
        "  -l             trailing arguments are input files, not a filter\n"
        "  -i IFACE       capture live from IFACE;  -p  no promiscuous mode\n"
        "  EXPRESSION     a pcap-filter(7) expression (trailing arguments, joined)\n"
        "\n"
        "Output:\n"
        "  -o DIR         write flow files into DIR (created if missing)\n"
        "  -T TEMPLATE    file name template (default %%A.%%a-%%B.%%b%%V%%v%%C%%c)\n"
        "  -F LETTERS     c/C: counter on every name (end/start)  t/T: time prefix\n"
        "                 k/m/g: bin into directories by thousands/millions/billions of flows\n"
        "                 X: no flow files  M: MD5 hashes\n"
        "  -b N           store at most N bytes per flow direction\n"
        "  -m N           a gap of more than N bytes starts a new file (default 16M)\n"
        "  -f N           keep at most N flow files open (default: from ulimit -n)\n"
        "  -X FILE        write the report to FILE;  --no-report  write none\n"
        "  -c, -C         print data to stdout (-C without names); -0 no newline\n"
        "  -D             hex dump to stdout;  -B binary (no stripping);  -g colour;  -J JSON\n"
        "  -s             accepted for compatibility (no effect)\n"
        "\n"
        "Scanners:\n"
        "  -e NAME        enable scanner NAME (or 'all');  -x NAME  disable;  -E NAME  only NAME\n"
        "  -a             enable all scanners\n"
        "  -S NAME=VALUE  set a setting; scanner settings are SCANNER.KEY=VALUE\n"
        "  -P DIR, --plugin-dir=DIR  also search DIR for scanner plugins\n"
        "  -H, --list-scanners       list scanners with their settings\n"
        "\n"
        "Other:\n"
        "  -d N           debug level (default 1);  -v  verbose (-d 10);  -q  quiet\n"
        "  --progress[=auto|always|never]  progress line on stderr (default auto: when stderr\n"
        "                 is a terminal and the run takes over a second)\n"
        "  -j N|auto      N worker threads for reassembly, output and scanners (default 1;\n"
        "                 auto: one per CPU); output is the same as with -j 1\n"
        "  -U USER        drop privileges to USER after opening the input\n"
        "  -z DIR         chroot to DIR (requires -U)\n"
        "  -h, --help     this help (-hh: settings);  -V, --version  versions\n");
    if (more)
        fprintf(out,
            "\n"
            "Core settings (-S):\n"
            "  tdelta=SECONDS        add SECONDS to every timestamp (default 0)\n"
            "  tcp_timeout=SECONDS   close flows idle this long in packet time (default 0: never)\n"
            "  max_flows=N           connections kept in memory, ~1 KiB each; oldest evicted (default 250000)\n"
            "  memcap=BYTES          out-of-order data buffered across flows (default 256M)\n"
            "  max_gap_total=BYTES   holes per file before a new file starts (default 64M)\n"
            "  enable_report=NO      write no report.xml\n");
    fprintf(out, "\nExit status: 0 ok, 1 fatal error, 2 usage error, 3 finished but input damaged.\n"
                 "Report bugs to: %s\n", PACKAGE_BUGREPORT);
}
