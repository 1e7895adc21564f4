/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: tcpflow's main(): options, inputs, privilege drop, the run, exit status */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "decode.h"
#include "engine.h"
#include "log.h"
#include "options.h"
#include "outname.h"
#include "pcapin.h"
#include "scanhost.h"
#include "workers.h"
#include "writer.h"

#include <tcpflow/scanner.h>

#define MAIN_ERRLEN 512

/* The input being read, so a signal can stop it. */
static struct tcpf_pcapin *volatile main_current_input;
static volatile sig_atomic_t main_signal;

/* SIGINT/SIGTERM: stop reading; main() then flushes every flow and exits. */
static void
main_on_signal(int sig)
{
    main_signal = sig;
    if (main_current_input != NULL)
        tcpf_pcapin_stop(main_current_input);
}

static void
main_install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = main_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* RLIMIT_FSIZE must surface as EFBIG, which the writer reports, not kill us. */
    signal(SIGXFSZ, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
}

static void
main_print_version(void)
{
    printf("tcpflow %s\n", PACKAGE_VERSION);
    printf("%s\n", tcpf_pcapin_lib_version());
    printf("scanner plugin ABI %d.%d\n", TCPF_ABI_MAJOR, TCPF_ABI_MINOR);
    printf("plugin directory %s\n", TCPF_PLUGIN_DIR);
}

/* Name of input i: the -r files, then the -R files. */
static const char *
main_input_name(const struct tcpf_options *o, size_t i)
{
    return i < o->n_inputs ? o->inputs[i] : o->finish_inputs[i - o->n_inputs];
}

/* Opens one capture file and checks its link type. On failure logs one line naming the file
 * and returns NULL. */
static struct tcpf_pcapin *
main_open_input(const char *name, const char *bpf)
{
    char err[MAIN_ERRLEN];
    struct tcpf_pcapin *in = tcpf_pcapin_open_file(name, bpf, err, sizeof(err));
    int dlt;

    if (in == NULL) {
        tcpf_log(TCPF_LOG_ERROR, "%s", err);
        return NULL;
    }
    dlt = tcpf_pcapin_dlt(in);
    if (!tcpf_decode_dlt_supported(dlt)) {
        tcpf_log(TCPF_LOG_ERROR, "%s: unsupported link type %d (%s)", name, dlt,
                 tcpf_pcapin_dlt_name(dlt));
        tcpf_pcapin_close(in);
        return NULL;
    }
    return in;
}

/* Opens and closes every -r/-R file once, so a missing or unsupported input fails the run
 * before any output directory or file is created. stdin is left for the real open. */
static int
main_check_inputs(const struct tcpf_options *o)
{
    size_t i;

    for (i = 0; i < o->n_inputs + o->n_finish_inputs; i++) {
        const char *name = main_input_name(o, i);
        struct tcpf_pcapin *in;

        if (strcmp(name, "-") == 0)
            continue;
        in = main_open_input(name, o->bpf);
        if (in == NULL)
            return -1;
        tcpf_pcapin_close(in);
    }
    return 0;
}

/* With -U the inputs are opened before privileges are dropped (and before a -z chroot), as
 * the user asked: returns an array of n handles (free with main_close_inputs), or NULL after
 * logging the error. */
static struct tcpf_pcapin **
main_open_inputs(const struct tcpf_options *o)
{
    size_t n = o->n_inputs + o->n_finish_inputs, i;
    struct tcpf_pcapin **in = calloc(n ? n : 1, sizeof(*in));

    if (in == NULL) {
        tcpf_log(TCPF_LOG_ERROR, "out of memory");
        return NULL;
    }
    for (i = 0; i < n; i++) {
        in[i] = main_open_input(main_input_name(o, i), o->bpf);
        if (in[i] == NULL) {
            while (i-- > 0)
                tcpf_pcapin_close(in[i]);
            free(in);
            return NULL;
        }
    }
    return in;
}

/* Closes whatever main_open_inputs opened that the run did not consume. */
static void
main_close_inputs(const struct tcpf_options *o, struct tcpf_pcapin **in)
{
    size_t i;

    if (in == NULL)
        return;
    for (i = 0; i < o->n_inputs + o->n_finish_inputs; i++)
        tcpf_pcapin_close(in[i]);
    free(in);
}

/* -U/-z: chroot, then drop groups, gid and uid; verify root cannot be regained. */
static int
main_drop_privileges(const struct tcpf_options *o)
{
    struct passwd *pw;

    if (o->user == NULL)
        return 0;
    pw = getpwnam(o->user);
    if (pw == NULL) {
        tcpf_log(TCPF_LOG_ERROR, "-U %s: no such user", o->user);
        return -1;
    }
    if (o->chroot_dir != NULL && (chroot(o->chroot_dir) < 0 || chdir("/") < 0)) {
        tcpf_log(TCPF_LOG_ERROR, "-z %s: cannot chroot: %s", o->chroot_dir, strerror(errno));
        return -1;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
        setuid(pw->pw_uid) < 0) {
        tcpf_log(TCPF_LOG_ERROR, "-U %s: cannot drop privileges: %s", o->user, strerror(errno));
        return -1;
    }
    if (pw->pw_uid != 0 && setuid(0) == 0) {
        tcpf_log(TCPF_LOG_ERROR, "-U %s: privileges could be regained; refusing to run", o->user);
        return -1;
    }
    tcpf_log(TCPF_LOG_NOTICE, "dropped privileges to %s", o->user);
    return 0;
}

/* The --progress line: percent of the current input, MB/s, packets, connections, ETA. */
struct main_progress {
    const struct tcpf_workers *workers; /* -j N: connections are counted there */
    bool enabled;
    bool drawn;
    double start, last;
};

static double
main_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Redraws at most 4 times a second, starting one second into the run. */
static void
main_progress_draw(struct main_progress *p, const struct tcpf_pcapin *in,
                   const struct tcpf_engine *eng, bool final)
{
    const struct tcpf_stats *s = tcpf_engine_stats(eng);
    uint64_t conns = p->workers != NULL ? tcpf_workers_conns(p->workers) : s->conns;
    double now = main_now(), el = now - p->start, mbs;
    uint64_t pos, size;
    char pct[16] = "", eta[32] = "";

    if (!p->enabled || (!final && (el < 1.0 || now - p->last < 0.25)) || (final && !p->drawn))
        return;
    p->last = now;
    p->drawn = true;
    tcpf_pcapin_position(in, &pos, &size);
    mbs = el > 0 ? (double)pos / 1e6 / el : 0;
    if (size > 0 && pos <= size) {
        snprintf(pct, sizeof(pct), "%5.1f%% ", 100.0 * (double)pos / (double)size);
        if (mbs > 0 && !final)
            snprintf(eta, sizeof(eta), "  ETA %.0f s", (double)(size - pos) / 1e6 / mbs);
    }
    fprintf(stderr, "\r%s: %s%.1f MB/s  %llu packets  %llu connections%s\033[K%s",
            tcpf_pcapin_name(in), pct, mbs, (unsigned long long)s->packets,
            (unsigned long long)conns, eta, final ? "\n" : "");
}

/* Feeds every packet of one input to the engine. Returns TCPF_EXIT_OK, TCPF_EXIT_DAMAGED or
 * -1 when stopped by a signal. */
static int
main_run_input(struct tcpf_engine *eng, struct tcpf_workers *workers, struct tcpf_pcapin *in,
               bool start_new_flows, struct main_progress *prog)
{
    char err[MAIN_ERRLEN];
    struct tcpf_time ts;
    uint32_t caplen, wirelen;
    const uint8_t *data;
    enum tcpf_pcapin_rc rc;

    tcpf_engine_set_input(eng, tcpf_pcapin_dlt(in), start_new_flows);
    if (workers != NULL)
        tcpf_workers_set_input(workers, start_new_flows);
    main_current_input = in;
    while ((rc = tcpf_pcapin_next(in, &ts, &caplen, &wirelen, &data, err, sizeof(err))) ==
           TCPF_PCAPIN_PACKET) {
        tcpf_engine_packet(eng, &ts, caplen, wirelen, data);
        if (prog->enabled && (tcpf_engine_stats(eng)->packets & 0x3fff) == 0)
            main_progress_draw(prog, in, eng, false);
    }
    main_progress_draw(prog, in, eng, true);
    main_current_input = NULL;
    if (rc == TCPF_PCAPIN_DAMAGED) {
        tcpf_log(TCPF_LOG_ERROR, "%s (input damaged; flows read before this point are kept)",
                 err);
        return TCPF_EXIT_DAMAGED;
    }
    return rc == TCPF_PCAPIN_STOPPED ? -1 : TCPF_EXIT_OK;
}

/* Reads the -r inputs, then the -R inputs, or the live interface. Returns the exit status
 * contribution of the inputs. */
static int
main_run_inputs(const struct tcpf_options *o, struct tcpf_engine *eng,
                struct tcpf_workers *workers, struct tcpf_pcapin *live,
                struct tcpf_pcapin **opened)
{
    int status = TCPF_EXIT_OK;
    struct main_progress prog = { 0 };
    size_t i;

    prog.enabled = o->progress == TCPF_PROGRESS_ALWAYS ||
                   (o->progress == TCPF_PROGRESS_AUTO && isatty(STDERR_FILENO) && !o->quiet);
    prog.start = main_now();
    prog.workers = workers;
    if (live != NULL) {
        int rc = main_run_input(eng, workers, live, true, &prog);

        return rc < 0 ? TCPF_EXIT_OK : rc;
    }
    for (i = 0; i < o->n_inputs + o->n_finish_inputs; i++) {
        bool finish = i >= o->n_inputs;
        struct tcpf_pcapin *in;
        int rc;

        if (opened != NULL) {
            in = opened[i];
            opened[i] = NULL;
        } else {
            in = main_open_input(main_input_name(o, i), o->bpf);
        }
        if (in == NULL) {
            status = TCPF_EXIT_FATAL;
            continue;
        }
        prog.drawn = false;
        rc = main_run_input(eng, workers, in, !finish, &prog);
        tcpf_pcapin_close(in);
        if (rc < 0)
            break;
        if (rc == TCPF_EXIT_DAMAGED && status == TCPF_EXIT_OK)
            status = TCPF_EXIT_DAMAGED;
    }
    return status;
}

/* Builds the scanner host configuration from the options. */
static void
main_scanhost_config(const struct tcpf_options *o, struct tcpf_scanhost_config *sc, int dirfd)
{
    tcpf_scanhost_config_init(sc);
    sc->plugin_dirs = o->plugin_dirs;
    sc->n_plugin_dirs = o->n_plugin_dirs;
    sc->cmds = o->scanner_cmds;
    sc->n_cmds = o->n_scanner_cmds;
    sc->settings = o->settings;
    sc->n_settings = o->n_settings;
    sc->outdir_fd = dirfd;
    sc->outdir = o->outdir;
    sc->inputs = o->inputs;
    sc->n_inputs = o->n_inputs;
    sc->command_line = o->command_line;
    /* No report without an output directory (console modes, -FX) or when asked not to. */
    sc->no_report = !o->enable_report || dirfd < 0;
}

/* Why -j N cannot be honoured for this run (NULL: it can): output whose order or names
 * depend on the order in which all connections are seen needs the single engine. The
 * reason is a printf format with one %s (the scanner's name); literal %'s are doubled. */
static const char *
main_jobs_blocker(const struct tcpf_options *o, const struct tcpf_scanhost *host,
                  const char **scanner)
{
    const char *t = o->tmpl != NULL ? o->tmpl : TCPF_OUTNAME_DEFAULT;
    bool seen[128] = { false };
    size_t i;

    if (o->console.enabled)
        return "console output (-c/-C/-D/-J) is printed in capture order";
    for (i = 0; t[i] != '\0'; i++) {
        if (t[i] == '%' && t[i + 1] != '\0') {
            seen[(unsigned char)t[i + 1] & 0x7f] = true;
            i++;
        }
    }
    if (seen['N'] || seen['K'] || seen['M'] || seen['G'] || seen['S'])
        return "the file name template counts flows or sessions (%%N %%K %%M %%G %%S, "
               "-Fk/-Fm/-Fg)";
    if (!seen['A'] || !seen['a'] || !seen['B'] || !seen['b'])
        return "the file name template does not name both addresses and ports "
               "(%%A %%a %%B %%b)";
    if (!tcpf_scanhost_parallel_ok(host, scanner))
        return "scanner %s does not declare TCPF_SCANNER_PARALLEL";
    return NULL;
}

/* Creates the -j N writers w[1..n-1] beside w[0], made from the same options, and shares
 * the descriptor and buffer budgets out between all n. Returns 0, or -1 after logging. */
static int
main_more_writers(const struct tcpf_writer_opts *wo, unsigned n, struct tcpf_writer **w)
{
    char err[MAIN_ERRLEN];
    unsigned i;

    for (i = 1; i < n; i++) {
        w[i] = tcpf_writer_create(wo, err);
        if (w[i] == NULL) {
            tcpf_log(TCPF_LOG_ERROR, "%s", err);
            return -1;
        }
    }
    for (i = 0; i < n; i++)
        tcpf_writer_share_budgets(w[i], n);
    return 0;
}

/* True if any writer of w[0..TCPF_WORKERS_MAX) (NULL entries skipped) has failed. */
static bool
main_writers_failed(struct tcpf_writer *const *w)
{
    unsigned i;

    for (i = 0; i < TCPF_WORKERS_MAX; i++)
        if (w[i] != NULL && tcpf_writer_failed(w[i]))
            return true;
    return false;
}

/* The run proper, after options are parsed. Returns the exit status. */
static int
main_run(struct tcpf_options *o)
{
    char err[MAIN_ERRLEN];
    struct tcpf_writer_opts wo;
    struct tcpf_writer *writers[TCPF_WORKERS_MAX] = { NULL }; /* one per share with -j N */
    struct tcpf_writer *writer = NULL;                      /* writers[0] */
    struct tcpf_workers *workers = NULL;
    unsigned jobs = o->jobs, i;
    struct tcpf_scanhost *host = NULL;
    struct tcpf_scanhost_config sc;
    struct tcpf_console *console = NULL;
    struct tcpf_engine *eng = NULL;
    struct tcpf_engine_config ec;
    struct tcpf_pcapin *live = NULL;
    struct tcpf_pcapin **opened = NULL;
    int status = TCPF_EXIT_FATAL;

    /* with -U the inputs are opened (and so checked) below, before the privilege drop */
    if (o->user == NULL && main_check_inputs(o) < 0)
        return TCPF_EXIT_FATAL;
    if (o->live) {
        live = tcpf_pcapin_open_live(o->iface, o->promisc, 10, o->bpf, err, sizeof(err));
        if (live == NULL) {
            tcpf_log(TCPF_LOG_ERROR, "%s", err);
            return TCPF_EXIT_FATAL;
        }
    }
    if (o->user != NULL && !o->live && (opened = main_open_inputs(o)) == NULL)
        return TCPF_EXIT_FATAL;
    if (main_drop_privileges(o) < 0)
        goto out;
    if (tcpf_writer_check_fds(err) < 0) {
        tcpf_log(TCPF_LOG_ERROR, "%s", err);
        goto out;
    }
    if (o->console.enabled) {
        console = tcpf_console_create(stdout, &o->console, o->max_bytes);
        if (console == NULL)
            goto out;
    } else {
        tcpf_writer_opts_init(&wo);
        wo.outdir = o->outdir;
        wo.tmpl = o->tmpl;
        wo.max_fds = o->max_fds;
        wo.max_bytes = o->max_bytes;
        wo.store = o->store;
        wo.max_seek = o->max_seek;
        wo.max_gap_total = o->max_gap_total;
        writer = writers[0] = tcpf_writer_create(&wo, err);
        if (writer == NULL) {
            tcpf_log(TCPF_LOG_ERROR, "%s", err);
            goto out;
        }
    }
    main_scanhost_config(o, &sc, writer != NULL ? tcpf_writer_dirfd(writer) : -1);
    host = tcpf_scanhost_create(&sc, err, sizeof(err));
    if (host == NULL) {
        tcpf_log(TCPF_LOG_ERROR, "%s", err);
        goto out;
    }
    if (jobs > 1) {
        const char *scanner = "?", *why = main_jobs_blocker(o, host, &scanner);

        if (why != NULL) {
            char msg[256];

            snprintf(msg, sizeof(msg), why, scanner);
            tcpf_log(TCPF_LOG_WARN, "-j %u: running single-threaded: %s", jobs, msg);
            jobs = 1;
        }
    }
    memset(&ec, 0, sizeof(ec));
    ec.opts = o;
    ec.writer = writer;
    ec.scanhost = tcpf_scanhost_any_enabled(host) ? host : NULL;
    ec.console = console;
    if (jobs > 1) {
        struct tcpf_workers_config wc;

        if (writer != NULL && main_more_writers(&wo, jobs, writers) < 0)
            goto out;
        memset(&wc, 0, sizeof(wc));
        wc.opts = o;
        wc.n = jobs;
        wc.writers = writers;
        wc.scanhost = ec.scanhost;
        if ((workers = tcpf_workers_create(&wc, err, sizeof(err))) == NULL) {
            tcpf_log(TCPF_LOG_ERROR, "%s", err);
            goto out;
        }
        ec.writer = NULL; /* the front engine only decodes and routes */
        ec.route = tcpf_workers_route;
        ec.ctx = workers;
    }
    eng = tcpf_engine_create(&ec);
    if (eng == NULL) {
        tcpf_log(TCPF_LOG_ERROR, "out of memory");
        goto out;
    }
    status = main_run_inputs(o, eng, workers, live, opened);
    tcpf_engine_finish(eng);
    tcpf_workers_finish(workers, eng);
    if (main_signal != 0) {
        tcpf_log(TCPF_LOG_ERROR, "interrupted by signal %d; open flows were flushed and closed",
                 (int)main_signal);
        status = TCPF_EXIT_FATAL;
    }
    if (main_writers_failed(writers))
        status = TCPF_EXIT_FATAL;
    tcpf_engine_report_run(eng);
    tcpf_scanhost_report_add(host, NULL, 0, "exit_status",
                             status == TCPF_EXIT_OK ? "0" : status == TCPF_EXIT_DAMAGED ? "3" : "1");
out:
    tcpf_workers_destroy(workers);
    tcpf_engine_destroy(eng);
    if (host != NULL) {
        tcpf_scanhost_shutdown(host);
        /* report.xml (or another run-level file) could not be written: say so. */
        if (tcpf_scanhost_stats(host)->run_file_failures > 0)
            status = TCPF_EXIT_FATAL;
        tcpf_scanhost_destroy(host);
    }
    if (main_writers_failed(writers))
        status = TCPF_EXIT_FATAL;
    for (i = 0; i < TCPF_WORKERS_MAX; i++)
        tcpf_writer_destroy(writers[i]);
    if (console != NULL && tcpf_console_destroy(console) < 0)
        status = TCPF_EXIT_FATAL;
    tcpf_pcapin_close(live);
    main_close_inputs(o, opened);
    return status;
}

int
main(int argc, char **argv)
{
    struct tcpf_options o;
    char err[MAIN_ERRLEN] = "";
    int status;

    main_install_signals();
    status = tcpf_options_parse(&o, argc, argv, err, sizeof(err));
    if (status != TCPF_EXIT_OK) {
        tcpf_log(TCPF_LOG_ERROR, "%s", err);
        tcpf_options_free(&o);
        return status;
    }
    if (o.help) {
        tcpf_options_usage(stdout, o.help_more);
        status = TCPF_EXIT_OK;
    } else if (o.version) {
        main_print_version();
        status = TCPF_EXIT_OK;
    } else if (o.list_scanners) {
        struct tcpf_scanhost_config sc;

        main_scanhost_config(&o, &sc, -1);
        status = tcpf_scanhost_list(&sc, stdout) < 0 ? TCPF_EXIT_FATAL : TCPF_EXIT_OK;
    } else {
        status = main_run(&o);
    }
    tcpf_options_free(&o);
    if (fflush(stdout) != 0 && status == TCPF_EXIT_OK)
        status = TCPF_EXIT_FATAL;
    return status;
}
