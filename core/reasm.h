/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: per-direction TCP byte-stream reassembly: ordering, overlaps, gaps, memory caps; no I/O
 *
 * One struct tcpf_reasm orders the bytes of one direction of one connection. It maps 32-bit
 * sequence numbers (serial arithmetic, RFC 1982 / RFC 9293 §3.4) to 64-bit stream offsets, keeps
 * out-of-order segments in a bounded queue, and hands contiguous in-order data to a sink.
 * Overlap policy: FIRST WINS. Bytes already accepted (queued or delivered) are never replaced;
 * a later copy that differs is counted as a conflict and reported to the sink.
 *
 * Reference point. A sequence number is mapped to the offset nearest (within 2^31) to the
 * REFERENCE: the end of the highest byte accepted so far, queued or delivered. A stream that
 * keeps moving forward is therefore followed across any number of wraps, even when a hole
 * before it never fills (capture loss, sampled captures).
 *
 * Jumps. A segment starting more than max_jump bytes beyond the reference is a JUMP CANDIDATE:
 * it is queued at its offset but does not move the reference. The next segment beyond
 * max_jump from the reference decides:
 *   - it brings bytes outside the candidate and ends less than max_jump before the candidate
 *     (so: close to it, overlapping it, or anywhere after it): the jump is CONFIRMED, the
 *     reference moves to the higher of both ends;
 *   - it ends max_jump or more before the candidate: it becomes the candidate instead;
 *   - it lies inside the candidate (a duplicate): nothing changes.
 * Segments within max_jump of the reference move it as usual; once the reference comes within
 * max_jump of the candidate, the candidate counts as ordinary data (reference moves to its end).
 * An unconfirmed candidate (e.g. one bogus sequence number) stays queued as ordinary far-ahead
 * data, delivered with a gap at flush, and never disturbs the segments around the reference.
 *
 * Late fills. When a hole is delivered as a gap (forced flush: caps, memcap, close) the range is
 * remembered (the REASM_GAPS_MAX = 64 most recent ranges; older ones are forgotten). Bytes that
 * arrive later inside a remembered gap are a LATE FILL: never compared, never a conflict,
 * counted and handed to sink.late_fill, never to deliver. The range shrinks as it fills, so a
 * second copy of the same bytes is compared against the first (first wins). Outside a
 * remembered gap, bytes behind the delivered end are compared through sink.readback.
 */
#ifndef TCPF_CORE_REASM_H
#define TCPF_CORE_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* Global reassembly memory budget shared by every direction. */
struct tcpf_memcap {
    size_t limit;    /* bytes; 0 = unlimited */
    size_t used;     /* bytes currently queued across all flows */
    size_t peak;
    /* Called when an insert would exceed limit: free at least `needed` bytes by flushing other
     * flows (tcpf_reasm_flush). May be NULL. `ctx` is reclaim_ctx. */
    void (*reclaim)(void *ctx, size_t needed);
    void *reclaim_ctx;
    uint64_t reclaims; /* times reclaim or a self-flush was needed */
};

/* Where ordered data goes. All callbacks are optional except deliver.
 * Callbacks run inside tcpf_reasm_insert/flush/set_isn. On the same reassembler they must not
 * call destroy; a nested insert returns -1, nested flush and set_isn are ignored, a nested
 * tcpf_reasm_fin is recorded (queued data already being delivered still goes out). */
struct tcpf_reasm_sink {
    /* In-order data at stream offset `offset`; `gap` bytes before it are known missing
     * (offset - gap is where the previous delivery ended). data/len borrowed for the call. */
    void (*deliver)(void *ctx, uint64_t offset, const uint8_t *data, size_t len, uint64_t gap,
                    const struct tcpf_time *ts);
    /* A segment overlapped accepted bytes at [offset, offset+len) with different content.
     * One call per maximal run of differing bytes (so one segment may give several calls). */
    void (*conflict)(void *ctx, uint64_t offset, size_t len);
    /* Reads back already-delivered bytes for overlap comparison; returns bytes read or -1.
     * A short read or -1 (e.g. for a range delivered as a gap) ends the comparison there.
     * Never called for a keep-alive probe. */
    long (*readback)(void *ctx, uint64_t offset, uint8_t *buf, size_t len);
    /* Bytes that arrived after their range was delivered as a gap, at their true offset, each
     * byte at most once (see "Late fills" above). For the output file only: never part of the
     * in-order stream. data/len borrowed for the call. */
    void (*late_fill)(void *ctx, uint64_t offset, const uint8_t *data, size_t len);
};

/* Per-direction limits (tcpf_reasm_limits_resolve gives zero fields their defaults). Caps are
 * checked after each insert: while over, queued data is delivered from the lowest offset
 * upward with gaps for the holes. */
struct tcpf_reasm_limits {
    size_t max_queued_bytes;  /* out-of-order bytes per direction before forced flush (1 MiB) */
    uint32_t max_queued_segs; /* out-of-order segments per direction (4096) */
    size_t midstream_hold;    /* SYN-less streams: bytes held before the start is fixed (64 KiB) */
    size_t max_jump;          /* beyond the reference: a jump candidate, see above (16 MiB) */
};

/* Counters per direction. */
struct tcpf_reasm_stats {
    uint64_t segments;        /* segments with payload given to insert */
    uint64_t bytes_delivered; /* payload bytes delivered, excluding gaps */
    uint64_t out_of_order;    /* segments that arrived ahead of the next expected byte */
    uint64_t retransmitted;   /* segments wholly or partly covering accepted bytes */
    uint64_t conflicts;       /* conflicting overlaps (bytes differed) */
    uint64_t conflict_bytes;
    uint64_t gaps;            /* holes delivered as gaps */
    uint64_t gap_bytes;
    uint64_t before_start;    /* segments (or parts) before stream offset 0: dropped */
    uint64_t before_start_bytes;
    uint64_t after_fin;       /* segments (or parts) beyond the FIN: dropped */
    uint64_t forced_flushes;  /* queue flushed early because of a cap */
    uint64_t late_fill;       /* segments with bytes landing in a remembered delivered gap */
    uint64_t late_fill_bytes;
};

struct tcpf_reasm;

/* Gives every zero field of *lim its default and clamps max_jump: do this once before
 * handing lim to tcpf_reasm_create. */
void tcpf_reasm_limits_resolve(struct tcpf_reasm_limits *lim);

/* Creates a reassembler calling sink's callbacks with ctx. sink and limits are borrowed, not
 * copied (thousands of directions share one of each): both must outlive the reassembler.
 * limits NULL means the defaults; otherwise it must be resolved (tcpf_reasm_limits_resolve).
 * memcap may be shared by many; NULL means no global budget. Returns NULL when sink has no
 * deliver callback, limits is not resolved, or memory runs out. */
struct tcpf_reasm *tcpf_reasm_create(const struct tcpf_reasm_sink *sink, void *ctx,
                                     const struct tcpf_reasm_limits *limits,
                                     struct tcpf_memcap *memcap);

/* Frees the reassembler and its queue WITHOUT delivering. Accepts NULL. */
void tcpf_reasm_destroy(struct tcpf_reasm *r);

/* Fixes the initial sequence number: the first stream byte (offset 0) is isn+1. Called on SYN.
 * Ignored once the start is fixed. */
void tcpf_reasm_set_isn(struct tcpf_reasm *r, uint32_t isn);

/* True once the stream start (offset 0) is known. */
bool tcpf_reasm_has_start(const struct tcpf_reasm *r);

/* Adds a segment of payload starting at sequence `seq`. Delivers whatever becomes contiguous.
 * Returns 0, or a negative value only on allocation failure (data then delivered with a gap
 * or counted as lost, never silently dropped). */
int tcpf_reasm_insert(struct tcpf_reasm *r, uint32_t seq, const uint8_t *data, size_t len,
                      const struct tcpf_time *ts);

/* Records a FIN whose sequence number is `seq` (the FIN occupies seq; data ends at seq). */
void tcpf_reasm_fin(struct tcpf_reasm *r, uint32_t seq);

/* True when a FIN was seen and every byte before it has been delivered. */
bool tcpf_reasm_complete(const struct tcpf_reasm *r);

/* Delivers everything queued, in order, with gaps for the holes. Used at close, eviction and
 * memcap pressure. */
void tcpf_reasm_flush(struct tcpf_reasm *r);

/* Sequence number of the next expected in-order byte (valid once the start is known). */
uint32_t tcpf_reasm_next_seq(const struct tcpf_reasm *r);

/* Stream offset one past the last delivered byte (gaps included). */
uint64_t tcpf_reasm_delivered_end(const struct tcpf_reasm *r);

/* Bytes currently queued out of order. */
size_t tcpf_reasm_queued_bytes(const struct tcpf_reasm *r);

/* Counters. */
const struct tcpf_reasm_stats *tcpf_reasm_stats(const struct tcpf_reasm *r);

#endif /* TCPF_CORE_REASM_H */
