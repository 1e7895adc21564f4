/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the scanner host: loads scanners, offers them host services, dispatches packets
 * and flow events, collects report entries and derived files, detaches misbehaving scanners
 *
 * Life of a run (the engine and main.c make these calls):
 *   h = tcpf_scanhost_create(&cfg, errbuf, len);     load, -e/-x/-E/-a, -S, init()
 *   for each decoded TCP packet:
 *       if (tcpf_scanhost_wants_packets(h)) tcpf_scanhost_packet(h, &pkt);
 *   for each direction d (0/1) of a connection c:
 *       tcpf_scanhost_flow_open(h, c, d);            when the direction is created
 *       tcpf_scanhost_set_flow_file(h, c, d, name);  when its output file gets a name
 *       tcpf_scanhost_flow_data(h, c, d, off, p, n, gap, ts);   each in-order delivery
 *       tcpf_scanhost_flow_close(h, c, d, why);      exactly once, before c is freed
 *   tcpf_scanhost_shutdown(h);                       after the last flow was closed
 *   tcpf_scanhost_destroy(h);
 *
 * Per-direction state lives in struct tcpf_dir.scan_state, owned here: it is set by
 * flow_open (or implicitly by the first flow_data / set_flow_file) and freed, and reset to
 * NULL, by flow_close. The caller must not free a connection whose directions still have
 * scan_state; shutdown closes (reason EOF) any direction still open, so the connection must
 * still exist then.
 *
 * A scanner callback returning a negative value is detached from that flow (from packets,
 * for the packet callback), counted, and logged once per scanner; flow_close is still
 * called exactly once. Report sinks (TCPF_SCANNER_REPORT_SINK) get flow_close after every
 * other scanner and shutdown last.
 *
 * Enabled plugins are never dlclose()d (leak reports keep their symbols; see loader.h).
 * Threads (tcpflow -j N): create, packet, shutdown and destroy are called from the main
 * thread; flow_open, set_flow_file, flow_data, flow_close_unordered and report_add may be
 * called from worker threads, concurrently for different connections (each connection
 * stays on one worker); flow_close is called from the main thread in -j 1 order, with a
 * snapshot of the connection. The host serialises its own shared state internally.
 */
#ifndef TCPF_CORE_SCANHOST_H
#define TCPF_CORE_SCANHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "options.h"
#include "packet.h"

/* Run-wide budget of bytes buffered for scanners' flow_stream (when cfg.stream_budget is 0). */
#define TCPF_SCANHOST_STREAM_BUDGET (UINT64_C(256) << 20)
/* Most report entries kept per flow direction, and for the run; beyond them entries are
 * dropped and counted. */
#define TCPF_SCANHOST_MAX_FLOW_ENTRIES 4096
#define TCPF_SCANHOST_MAX_RUN_ENTRIES  65536
/* Most "-N" probes when a derived file name already exists. */
#define TCPF_SCANHOST_MAX_PROBES 1000

struct tcpf_scanhost;

/* Everything the host needs. Strings and arrays are borrowed for tcpf_scanhost_create only,
 * except outdir and inputs, which must live until tcpf_scanhost_destroy. */
struct tcpf_scanhost_config {
    const char *const *plugin_dirs;  /* -P / --plugin-dir, in order (absolute) */
    size_t n_plugin_dirs;
    bool use_env_path;               /* honour TCPFLOW_PLUGIN_PATH (ignored when privileged) */
    const char *builtin_dir;         /* TCPF_PLUGIN_DIR; NULL = none */
    const struct tcpf_scanner_cmd *cmds; /* -e/-x/-E/-a in command-line order */
    size_t n_cmds;
    const struct tcpf_setting *settings; /* all -S pairs; only "scanner.key" ones are used */
    size_t n_settings;
    int outdir_fd;                   /* output directory (borrowed); -1: no derived files */
    const char *outdir;              /* output directory as printed ("out", "." or "") */
    const char *const *inputs;       /* -r files or the interface, for report sinks */
    size_t n_inputs;
    const char *command_line;        /* for report sinks; may be NULL */
    uint64_t stream_budget;          /* bytes for flow_stream buffers; 0 = default */
    bool no_report;                  /* --no-report, enable_report=NO, no output directory:
                                      * report sinks (TCPF_SCANNER_REPORT_SINK) stay off */
};

/* Defaults: nothing to search but the compiled-in TCPF_PLUGIN_DIR, TCPFLOW_PLUGIN_PATH
 * honoured, no output directory (outdir_fd -1), no commands or settings. */
void tcpf_scanhost_config_init(struct tcpf_scanhost_config *cfg);

/* Counters for the run report and the exit summary. */
struct tcpf_scanhost_stats {
    uint64_t scanners_enabled;
    uint64_t scanner_errors;     /* negative returns from any callback */
    uint64_t flows_detached;     /* (scanner, flow) pairs detached for an error */
    uint64_t scanners_failing;   /* scanners with at least one error */
    uint64_t derived_files;      /* derived files created */
    uint64_t derived_failures;   /* derived_open/derived_close failures */
    uint64_t run_file_failures;  /* run-level derived files (report.xml...) not written */
    uint64_t entries_dropped;    /* report entries over the limits */
    uint64_t streams_truncated;  /* flow_stream deliveries cut by a limit */
};

/* Loads the scanners, replays -e/-x/-E/-a, applies "-S scanner.key=value", and calls init()
 * of every enabled scanner. Returns NULL with one sentence in errbuf on: a bad -P directory,
 * -e/-E of an unknown or refused scanner (lists the available ones), an unknown scanner or
 * key in -S, a bad -S value, a scanner's init() failing (names the plugin path), or memory. */
struct tcpf_scanhost *tcpf_scanhost_create(const struct tcpf_scanhost_config *cfg,
                                           char *errbuf, size_t errlen);

/* -H / --list-scanners: loads as create does (no init) and prints every scanner with name,
 * version, ABI, state, path, description and options (defaults and help), then the files
 * that were refused and why. Returns 0, or -1 after logging the error. */
int tcpf_scanhost_list(const struct tcpf_scanhost_config *cfg, FILE *out);

/* True if at least one scanner is enabled / wants packets. Cheap. */
bool tcpf_scanhost_any_enabled(const struct tcpf_scanhost *h);
bool tcpf_scanhost_wants_packets(const struct tcpf_scanhost *h);

/* One decoded TCP packet (decode returned TCPF_DECODE_TCP), timestamps already adjusted. */
void tcpf_scanhost_packet(struct tcpf_scanhost *h, const struct tcpf_pkt *pkt);

/* Direction dir (0/1) of conn begins. Idempotent. */
void tcpf_scanhost_flow_open(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir);

/* In-order data of direction dir at stream offset `offset`; `gap` bytes before it are
 * missing. data is borrowed for the call. Opens the direction if needed. */
void tcpf_scanhost_flow_data(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir,
                             uint64_t offset, const uint8_t *data, size_t len, uint64_t gap,
                             const struct tcpf_time *ts);

/* The output file of direction dir is now `path`, as tcpflow prints it (tcpf_wfile_path():
 * "outdir/name", or "name" when outdir is "." or ""); a path without that prefix is taken as
 * relative to the output directory. Called again after a split; cheap when unchanged.
 * Derived files of the flow are named after it. Copied. */
void tcpf_scanhost_set_flow_file(struct tcpf_scanhost *h, struct tcpf_conn *conn,
                                 unsigned dir, const char *path);

/* Direction dir ended: flow_stream and flow_close of every scanner not yet closed (those
 * without ordering needs first, then TCPF_SCANNER_ORDERED_CLOSE ones, then sinks), then
 * frees dir's scan_state. conn may be a copy of the connection (its dir[dir].scan_state is
 * what counts). No-op if the direction was never opened. */
void tcpf_scanhost_flow_close(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir,
                              enum tcpf_end_reason why);

/* First half of closing direction dir (worker thread with -j N): flow_stream and
 * flow_close of the scanners whose close order does not matter (neither report sinks nor
 * TCPF_SCANNER_ORDERED_CLOSE). tcpf_scanhost_flow_close must follow, and does the rest. */
void tcpf_scanhost_flow_close_unordered(struct tcpf_scanhost *h, struct tcpf_conn *conn,
                                        unsigned dir, enum tcpf_end_reason why);

/* True if every enabled flow scanner declares TCPF_SCANNER_PARALLEL (tcpflow -j N may use
 * worker threads); otherwise sets *blocker (may be NULL) to the first one that does not. */
bool tcpf_scanhost_parallel_ok(const struct tcpf_scanhost *h, const char **blocker);

/* A report entry from the core itself (scanner "tcpflow"): for direction dir of conn, or for
 * the run when conn is NULL. Same rules as the SDK's report_add. Call it before
 * tcpf_scanhost_flow_close of that direction: a direction without scan state (never opened,
 * already closed, or no flow scanner enabled) drops the entry. Returns 0 or a negative
 * TCPF_E* code (see <tcpflow/scanner.h>). */
int tcpf_scanhost_report_add(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir,
                             const char *key, const char *value);

/* Closes flows still open (reason EOF), calls shutdown of every scanner (sinks last), closes
 * derived files the scanners left open, and logs one summary line per failing scanner.
 * Idempotent. */
void tcpf_scanhost_shutdown(struct tcpf_scanhost *h);

/* Shuts down if needed and frees everything. Never dlclose()s. Accepts NULL. */
void tcpf_scanhost_destroy(struct tcpf_scanhost *h);

/* Counters so far. */
const struct tcpf_scanhost_stats *tcpf_scanhost_stats(const struct tcpf_scanhost *h);

/* True if suffix is a valid derived-file suffix (see tcpf_host.derived_open). For tests. */
bool tcpf_scanhost_suffix_ok(const char *suffix);

#endif /* TCPF_CORE_SCANHOST_H */
