/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the packet pipeline: decode -> fragments -> flow table -> TCP state -> reassembly
 * -> (flow files, scanners). One engine per run (tcpflow -j 1), or one front engine that
 * decodes plus one engine per worker thread (tcpflow -j N, core/workers.h); an engine is
 * used by one thread at a time.
 *
 * TCP rules (documented in docs/reassembly.md):
 *  - A connection is created by a SYN or by a segment carrying data (midstream pickup);
 *    pure ACKs, FINs and RSTs of unknown connections are counted and ignored.
 *  - A direction closes when its FIN was seen and every byte before it delivered, on an
 *    in-window RST (both directions), on idle timeout, eviction, or end of input.
 *  - A SYN on a closed direction, or a SYN with a new ISN, starts a new connection instance
 *    (its files get the next free name: ...c1, ...c2). Late retransmissions of a closed
 *    direction's bytes are counted and ignored; new data after a RST starts a new instance.
 *  - An RST whose sequence number is outside the receiver's window is a blind RST: counted
 *    and ignored, so it cannot split or truncate a stream.
 */
#ifndef TCPF_CORE_ENGINE_H
#define TCPF_CORE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"
#include "packet.h"

struct tcpf_options;
struct tcpf_writer;
struct tcpf_scanhost;
struct tcpf_console;
struct tcpf_engine;

/* Run-level counters; every packet that is not turned into stream bytes is counted here. */
struct tcpf_stats {
    uint64_t packets;               /* frames read */
    uint64_t bytes;                 /* frame bytes on the wire */
    uint64_t decode[TCPF_DECODE_STATUS_COUNT]; /* by decode outcome */
    uint64_t tcp_packets;           /* TCP segments decoded (fragments reassembled included) */
    uint64_t payload_missing;       /* payload bytes cut by the snap length */
    uint64_t no_flow;               /* ACK/FIN/RST of unknown connections */
    uint64_t conns;                 /* connections created */
    uint64_t dirs;                  /* directions (flows) created */
    uint64_t closed_fin, closed_rst, closed_timeout, closed_evicted, closed_eof, closed_reused;
    uint64_t rst_ignored;           /* blind / out-of-window RSTs */
    uint64_t late_retransmissions;  /* data for bytes of a closed direction */
    uint64_t data_after_close;      /* new data on a FIN-closed direction: dropped */
    uint64_t syn_with_data;         /* SYNs carrying payload (TCP Fast Open) */
    uint64_t ignored_finish_only;   /* -R: packets of flows not already open */
    uint64_t alloc_failures;
    /* summed over closed directions */
    uint64_t reasm_out_of_order, reasm_retransmitted, reasm_conflicts, reasm_conflict_bytes;
    uint64_t reasm_gaps, reasm_gap_bytes, reasm_before_start_bytes, reasm_after_fin;
    uint64_t reasm_forced_flushes, reasm_late_fill_bytes, memcap_reclaims;
    uint64_t max_conns;             /* high-water mark of the flow table */
    uint64_t frag_completed, frag_timed_out, frag_evicted, frag_invalid, frag_overlaps;
};

/* Where a direction's close falls in the -j 1 order of closes (tcpflow -j N merges the
 * workers' closes by this key, so report sinks see the same order whatever N is):
 * the packet number being processed (UINT64_MAX at end of input), then 0 for closes caused
 * by that packet itself or 1 for idle/EOF closes, which happen oldest first, so `sub` is
 * the number of the last packet of the connection. Ties keep the emitting engine's order. */
struct tcpf_close_key {
    uint64_t index;
    uint64_t sub;
    uint8_t phase;
};

/* Instead of closing ordered scanners itself, a worker engine hands each closed direction to
 * this hook (tcpf_scanhost_flow_close must eventually be called with a copy of c). */
typedef void (*tcpf_engine_close_hook)(void *ctx, struct tcpf_conn *c, unsigned dir,
                                       enum tcpf_end_reason why,
                                       const struct tcpf_close_key *key);

/* A front engine (tcpflow -j N) decodes, then hands each packet here instead of tracking
 * TCP itself: pkt is the decoded segment (borrowed for the call) or NULL for a packet that
 * is not TCP; index is the packet's number (from 1) and now its (adjusted) time. */
typedef void (*tcpf_engine_router)(void *ctx, const struct tcpf_pkt *pkt, uint64_t index,
                                   const struct tcpf_time *now);

/* Most ended connections an engine keeps for recognising stragglers (tcpflow 1.6.1 kept
 * 100); with -j N each share keeps 1/N of them. */
#define TCPF_ENGINE_MAX_ENDED 4096u

/* What the engine drives. writer, scanhost and console may be NULL. All are borrowed. */
struct tcpf_engine_config {
    const struct tcpf_options *opts;
    struct tcpf_writer *writer;
    struct tcpf_scanhost *scanhost;
    struct tcpf_console *console;
    /* tcpflow -j N only (all zero/NULL otherwise): */
    tcpf_engine_router route;        /* front engine: decode and route, no TCP */
    tcpf_engine_close_hook close_hook; /* worker engine: ordered closes go here */
    void *ctx;                       /* for route / close_hook */
    uint64_t max_flows;              /* 0: opts->max_flows */
    uint64_t memcap;                 /* 0: opts->memcap */
    uint32_t max_ended;              /* 0: TCPF_ENGINE_MAX_ENDED */
};

/* Creates an engine. Returns NULL on allocation failure. */
struct tcpf_engine *tcpf_engine_create(const struct tcpf_engine_config *cfg);

/* Frees the engine. Call tcpf_engine_finish() first to close flows. Accepts NULL. */
void tcpf_engine_destroy(struct tcpf_engine *e);

/* Sets the link type of the packets that follow, and whether new connections may start
 * (false for tcpflow's -R files). */
void tcpf_engine_set_input(struct tcpf_engine *e, int dlt, bool start_new_flows);

/* Processes one captured frame. data is borrowed for the call. */
void tcpf_engine_packet(struct tcpf_engine *e, const struct tcpf_time *ts, uint32_t caplen,
                        uint32_t wirelen, const uint8_t *data);

/* Worker engine: one decoded TCP segment (as routed by a front engine), number index. */
void tcpf_engine_segment(struct tcpf_engine *e, const struct tcpf_pkt *pkt, uint64_t index);

/* Worker engine: the capture clock reached now at packet number index (idle timeouts). */
void tcpf_engine_tick(struct tcpf_engine *e, const struct tcpf_time *now, uint64_t index);

/* Adds src's counters (and its writer's) into dst, for the run report of tcpflow -j N. */
void tcpf_engine_absorb(struct tcpf_engine *dst, const struct tcpf_engine *src);

/* End of input: flushes and closes every open flow (reason EOF). */
void tcpf_engine_finish(struct tcpf_engine *e);

/* tcpf_engine_finish in steps: ends at most max connections, least recently used first (so
 * their close keys' sub rises), and returns false while some remain. The call that returns
 * true has done all of tcpf_engine_finish. */
bool tcpf_engine_finish_step(struct tcpf_engine *e, size_t max);

/* Adds the run-level counters as report entries (scanner "tcpflow") for report sinks.
 * Call after tcpf_engine_finish() and before the scanner host shuts down. */
void tcpf_engine_report_run(struct tcpf_engine *e);

/* Counters so far. */
const struct tcpf_stats *tcpf_engine_stats(const struct tcpf_engine *e);

#endif /* TCPF_CORE_ENGINE_H */
