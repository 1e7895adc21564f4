/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: tcpflow -j N: worker threads that each own the connections hashing to them, fed
 * by the main thread, with closes merged back into -j 1 order
 *
 * Pipeline:
 *   main thread: libpcap -> front engine (decode, IP fragments, packet scanners)
 *                -> tcpf_workers_route(): picks the share by a symmetric hash of
 *                   (family, addresses, ports); share 0 is processed right there by the
 *                   main thread's own engine, share i > 0 is appended to worker i's batch
 *                   (so -j N runs N - 1 threads besides the main one: on a 2-core machine
 *                   -j 2 keeps both cores busy without a third thread competing for them)
 *   worker i:    batches -> its own engine (flow table, TCP state, reassembly), its own
 *                writer (flow files) and the scanners' flow callbacks
 *                (TCPF_SCANNER_PARALLEL); every closed direction is queued with its
 *                struct tcpf_close_key
 *   main thread: merges the queued closes of all workers in key order, calling
 *                tcpf_scanhost_flow_close() (report sinks, TCPF_SCANNER_ORDERED_CLOSE)
 *
 * Output is byte-identical to -j 1: each connection is handled by one engine exactly as -j 1
 * would (same packets, same order), connection ids are packet numbers, idle timeouts are
 * driven by the global capture clock (ticks sent to every worker), and ordered closes are
 * released only when every worker has processed the packets before them. Exceptions are
 * documented in docs/parallel.md (a resource limit binding, timestamps going backwards).
 *
 * Memory: WORKERS_BATCHES batches of WORKERS_BATCH_BYTES per worker thread, plus the queued closes
 * (released at least every WORKERS_ROUND packets).
 */
#ifndef TCPF_CORE_WORKERS_H
#define TCPF_CORE_WORKERS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "packet.h"

/* Most worker threads (-j). */
#define TCPF_WORKERS_MAX 64

struct tcpf_options;
struct tcpf_writer;
struct tcpf_scanhost;
struct tcpf_workers;

/* n engines, one per writer (writers[i] may be NULL: no flow files). Borrowed. */
struct tcpf_workers_config {
    const struct tcpf_options *opts;
    unsigned n;                        /* 2 .. TCPF_WORKERS_MAX */
    struct tcpf_writer *const *writers; /* n entries */
    struct tcpf_scanhost *scanhost;    /* may be NULL */
};

/* Creates the engines and starts the threads. NULL with a message in err on failure. */
struct tcpf_workers *tcpf_workers_create(const struct tcpf_workers_config *cfg, char *err,
                                         size_t errlen);

/* The front engine's router (struct tcpf_engine_config.route, ctx = the workers). */
void tcpf_workers_route(void *ctx, const struct tcpf_pkt *pkt, uint64_t index,
                        const struct tcpf_time *now);

/* The packets that follow may (not) start new connections (-R files). */
void tcpf_workers_set_input(struct tcpf_workers *w, bool start_new_flows);

/* Connections created so far (approximate while running; for --progress). */
uint64_t tcpf_workers_conns(const struct tcpf_workers *w);

/* End of input: every worker closes its flows, the threads are joined, the remaining closes
 * are merged, and the workers' counters are added to front. Idempotent. */
void tcpf_workers_finish(struct tcpf_workers *w, struct tcpf_engine *front);

/* Finishes if needed and frees everything. Accepts NULL. */
void tcpf_workers_destroy(struct tcpf_workers *w);

#endif /* TCPF_CORE_WORKERS_H */
