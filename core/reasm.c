/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: per-direction TCP byte-stream reassembly: serial arithmetic, first-wins overlaps, bounded queue
 *
 * References: RFC 9293 §3.4 (sequence numbers), RFC 1982 (serial number arithmetic),
 * RFC 1122 §4.2.3.6 (keep-alive probes), Ptacek & Newsham 1998 (overlap ambiguity).
 *
 * Coordinates. Every byte has a 64-bit stream offset; offset 0 is the first stream byte
 * (ISN+1). A sequence number is mapped relative to the reference `hi` (see reasm.h: the end of
 * the highest accepted byte, jump candidates excepted):
 *     off = hi + (int32_t)(seq - seq_of(hi))
 * so anything more than 2^31 behind the highest point counts as "behind". Before the start is
 * known (no SYN yet) offsets are provisional, the first segment's byte being REASM_PROV_BASE;
 * the queue, hi and the candidate are rebased once when the start is fixed (reasm_fix_start).
 *
 * Jump candidates (reasm_ref_advance) and remembered delivered gaps (reasm_gap_*, reasm_behind)
 * follow the rules written in reasm.h. Gaps live in a sorted array of at most REASM_GAPS_MAX
 * ranges (binary search, memmove of at most 64 entries).
 *
 * Queue. Out-of-order data lives in a sorted array of disjoint segments (struct reasm_seg),
 * each owning a copy of its bytes. Lookup is a binary search; an insert shifts the tail once
 * (one in-place merge from the back, however many holes a segment fills), so its cost is
 * O(log n + n) with n bounded by max_queued_segs (default 4096). A segment that extends a
 * queued one at its end is appended into it (amortised doubling, up to REASM_MERGE_MAX), which
 * keeps long runs of small segments behind one hole cheap. Draining pops a batch at once.
 *
 * Overlaps: FIRST WINS. A new segment only contributes the parts nobody supplied before. Its
 * other parts are compared with the queued copy in memory, or with the delivered copy through
 * sink.readback; every maximal run of differing bytes is one sink.conflict() call.
 *
 * Fast path: a segment at the next expected byte is delivered straight from the caller's buffer
 * (no copy, no allocation); queued segments it reaches are delivered in between, in order.
 */
#include "config.h"

#include "reasm.h"

#include <stdlib.h>
#include <string.h>

#define REASM_DEF_MAX_BYTES ((size_t)1 << 20)
#define REASM_DEF_MAX_SEGS  4096u
#define REASM_DEF_HOLD      ((size_t)64 << 10)
#define REASM_DEF_MAX_JUMP  ((size_t)16 << 20)
#define REASM_JUMP_LIMIT    ((size_t)1 << 31)    /* nothing is further ahead than this */
#define REASM_GAPS_MAX      64u                  /* delivered gaps remembered for late fills */
#define REASM_MERGE_MAX     ((uint32_t)64 << 10) /* appends grow a queued segment up to this */
#define REASM_CHUNK_MAX     ((size_t)1 << 30)    /* inserts are split: seq spans stay < 2^31 */
#define REASM_PROV_BASE     ((int64_t)1 << 62)   /* provisional offset of anchor_seq */
#define REASM_PEND_MAX      64u                  /* conflicts remembered before the start */
#define REASM_READBACK_LEN  4096u
#define REASM_KEEP_SLOTS    32u /* empty queues keep arrays this small */

/* One queued, out-of-order run of bytes. Segments in the queue never overlap. */
struct reasm_seg {
    int64_t off; /* stream offset of data[0] (provisional before the start is known) */
    uint32_t len;
    uint32_t cap;  /* allocated size of data */
    uint8_t *data; /* owned */
    struct tcpf_time ts;
    bool has_ts;
};

/* A part of a new segment not covered by queued data (scratch during one insert). */
struct reasm_piece {
    int64_t off;
    uint32_t len;
    int32_t left; /* index of the queued segment ending exactly at off, or -1 */
    uint8_t *buf; /* copy for a new queue entry, NULL if appended or failed */
    bool failed;  /* memory ran out: deliver it directly */
};

/* A conflict seen before the stream start was known (provisional offsets), or a delivered gap
 * still open to late fills. */
struct reasm_range {
    int64_t off;
    int64_t len;
};

/* The open run of differing bytes while one segment is compared. */
struct reasm_diff {
    int64_t off;
    int64_t len; /* 0: no open run */
    bool any;
};

struct tcpf_reasm {
    const struct tcpf_reasm_sink *sink;   /* borrowed */
    void *ctx;                            /* for sink's callbacks */
    const struct tcpf_reasm_limits *lim;  /* borrowed, resolved */
    struct tcpf_memcap *memcap;
    struct tcpf_reasm_stats st;

    bool has_start;
    bool has_anchor;
    bool has_fin_seq;     /* a FIN was recorded; its offset may not be known yet */
    bool fin_known;       /* fin_off is valid */
    bool in_cb;           /* a sink callback is running: nested calls are refused */
    bool reclaim_counted; /* memcap->reclaims already bumped for this insert */
    bool has_cand;        /* a jump candidate [cand_off, cand_end) is held */
    uint32_t start_seq;   /* sequence number of stream offset 0 */
    uint32_t anchor_seq;  /* before the start: seq at provisional offset REASM_PROV_BASE */
    uint32_t fin_seq;
    int64_t start_prov; /* provisional offset where the start was fixed */
    int64_t fin_off;
    int64_t delivered; /* stream offset one past the last delivered byte, gaps included */
    int64_t hi;        /* reference: end of the highest accepted byte, candidate excepted */
    int64_t cand_off, cand_end;

    struct reasm_seg *q; /* sorted by off, disjoint */
    uint32_t n, qcap;
    size_t queued_bytes;
    struct reasm_piece *pieces;
    uint32_t pcap;
    struct reasm_range *pend;
    uint32_t npend;
    struct reasm_range *gaps; /* delivered gaps open to late fills: sorted, disjoint */
    uint32_t ngaps, gcap;
};

static int64_t
reasm_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Sequence number of stream offset `off` (provisional before the start is known). */
static uint32_t
reasm_off_seq(const struct tcpf_reasm *r, int64_t off)
{
    if (r->has_start)
        return r->start_seq + (uint32_t)off;
    return r->anchor_seq + (uint32_t)(off - REASM_PROV_BASE);
}

/* Stream offset of `seq`: the one within 2^31 of the reference (start or anchor known). */
static int64_t
reasm_seq_off(const struct tcpf_reasm *r, uint32_t seq)
{
    return r->hi + (int32_t)(seq - reasm_off_seq(r, r->hi));
}

/* [s, e) is about to be accepted: moves the reference, holding, confirming or replacing a jump
 * candidate (rules in reasm.h). */
static void
reasm_ref_advance(struct tcpf_reasm *r, int64_t s, int64_t e)
{
    int64_t jump = (int64_t)r->lim->max_jump;

    if (e <= r->hi)
        return;
    if (s - r->hi <= jump) {
        r->hi = e;
    } else if (!r->has_cand || e + jump <= r->cand_off) {
        r->has_cand = true; /* a new jump, or one far before the held candidate: replaces it */
        r->cand_off = s;
        r->cand_end = e;
        return;
    } else if (s >= r->cand_off && e <= r->cand_end) {
        return; /* a copy of (part of) the candidate confirms nothing */
    } else {
        r->hi = e > r->cand_end ? e : r->cand_end; /* confirmed: the stream moved there */
        r->has_cand = false;
    }
    if (r->has_cand && r->cand_off - r->hi <= jump) {
        if (r->cand_end > r->hi)
            r->hi = r->cand_end; /* reached: the candidate is ordinary data now */
        r->has_cand = false;
    }
}

/* Keeps the reference at or beyond the delivered end, and forgets a candidate that was
 * delivered (forced out) or cut off by the FIN. */
static void
reasm_ref_sync(struct tcpf_reasm *r)
{
    if (!r->has_start)
        return;
    if (r->hi < r->delivered)
        r->hi = r->delivered;
    if (r->has_cand && (r->delivered > r->cand_off || (r->fin_known && r->fin_off <= r->cand_off)))
        r->has_cand = false;
}

/* Makes room for one more remembered gap: grows the array up to REASM_GAPS_MAX. Returns false
 * when full (or out of memory): the caller then forgets the oldest. */
static bool
reasm_gap_room(struct tcpf_reasm *r)
{
    uint32_t ncap;
    struct reasm_range *ng;

    if (r->ngaps < r->gcap)
        return true;
    if (r->gcap >= REASM_GAPS_MAX)
        return false;
    ncap = r->gcap ? r->gcap * 2 : 4;
    if (ncap > REASM_GAPS_MAX)
        ncap = REASM_GAPS_MAX;
    ng = realloc(r->gaps, (size_t)ncap * sizeof(*ng));
    if (ng == NULL)
        return false;
    r->gaps = ng;
    r->gcap = ncap;
    return true;
}

/* Forgets the oldest (lowest) remembered gap. */
static void
reasm_gap_forget_oldest(struct tcpf_reasm *r)
{
    memmove(r->gaps, r->gaps + 1, (size_t)(r->ngaps - 1) * sizeof(*r->gaps));
    r->ngaps--;
}

/* Remembers the delivered gap [off, off+len); it lies beyond every remembered one. */
static void
reasm_gap_add(struct tcpf_reasm *r, int64_t off, int64_t len)
{
    if (!reasm_gap_room(r)) {
        if (r->ngaps == 0)
            return;
        reasm_gap_forget_oldest(r);
    }
    r->gaps[r->ngaps].off = off;
    r->gaps[r->ngaps].len = len;
    r->ngaps++;
}

/* Index of the first remembered gap ending after `off` (binary search). */
static uint32_t
reasm_gap_find(const struct tcpf_reasm *r, int64_t off)
{
    uint32_t lo = 0, hi = r->ngaps;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (r->gaps[mid].off + r->gaps[mid].len <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Removes [lo, hi) (inside it) from remembered gap i: deletes, shrinks or splits it. A split
 * with no room forgets the oldest piece. */
static void
reasm_gap_cut(struct tcpf_reasm *r, uint32_t i, int64_t lo, int64_t hi)
{
    struct reasm_range *g = &r->gaps[i];
    int64_t gend = g->off + g->len;

    if (lo == g->off && hi == gend) {
        memmove(g, g + 1, (size_t)(r->ngaps - i - 1) * sizeof(*g));
        r->ngaps--;
        return;
    }
    if (lo == g->off) {
        g->off = hi;
        g->len = gend - hi;
        return;
    }
    if (hi == gend) {
        g->len = lo - g->off;
        return;
    }
    if (!reasm_gap_room(r)) {
        if (i == 0) { /* the left piece is the oldest: forget it */
            g->off = hi;
            g->len = gend - hi;
            return;
        }
        reasm_gap_forget_oldest(r);
        i--;
    }
    g = &r->gaps[i];
    memmove(g + 2, g + 1, (size_t)(r->ngaps - i - 1) * sizeof(*g));
    g->len = lo - g->off;
    g[1].off = hi;
    g[1].len = gend - hi;
    r->ngaps++;
}

/* Adds (or with a negative delta removes) queued bytes to this queue and the global budget. */
static void
reasm_account(struct tcpf_reasm *r, int64_t delta)
{
    struct tcpf_memcap *mc = r->memcap;

    r->queued_bytes = (size_t)((int64_t)r->queued_bytes + delta);
    if (mc == NULL)
        return;
    mc->used = (size_t)((int64_t)mc->used + delta);
    if (mc->used > mc->peak)
        mc->peak = mc->used;
}

/* Hands [off, off+len) to the sink; the distance from the delivered end is the gap. */
static void
reasm_emit(struct tcpf_reasm *r, int64_t off, const uint8_t *data, size_t len,
           const struct tcpf_time *ts)
{
    uint64_t gap = (uint64_t)(off - r->delivered);

    if (gap > 0) {
        r->st.gaps++;
        r->st.gap_bytes += gap;
        reasm_gap_add(r, r->delivered, (int64_t)gap);
    }
    r->delivered = off + (int64_t)len;
    r->st.bytes_delivered += len;
    r->in_cb = true;
    r->sink->deliver(r->ctx, (uint64_t)off, data, len, gap, ts);
    r->in_cb = false;
}

/* Delivers a queued segment and releases its bytes; the descriptor is removed by reasm_pop. */
static void
reasm_emit_seg(struct tcpf_reasm *r, struct reasm_seg *g)
{
    reasm_emit(r, g->off, g->data, g->len, g->has_ts ? &g->ts : NULL);
    reasm_account(r, -(int64_t)g->len);
    free(g->data);
    g->data = NULL;
}

/* Frees a queued segment without delivering it (data counted elsewhere as dropped). */
static void
reasm_drop_seg(struct tcpf_reasm *r, struct reasm_seg *g)
{
    reasm_account(r, -(int64_t)g->len);
    free(g->data);
    g->data = NULL;
}

/* Removes the first k descriptors (their data already released). */
static void
reasm_pop(struct tcpf_reasm *r, uint32_t k)
{
    if (k == 0)
        return;
    memmove(r->q, r->q + k, (size_t)(r->n - k) * sizeof(*r->q));
    r->n -= k;
}

/* Gives back large arrays once the queue is empty, so idle flows stay small. Called only at
 * the end of a public operation (the piece scratch may be in use before that). */
static void
reasm_shrink(struct tcpf_reasm *r)
{
    if (r->n != 0)
        return;
    if (r->qcap > REASM_KEEP_SLOTS) {
        free(r->q);
        r->q = NULL;
        r->qcap = 0;
    }
    if (r->pcap > REASM_KEEP_SLOTS) {
        free(r->pieces);
        r->pieces = NULL;
        r->pcap = 0;
    }
}

/* Delivers the queued segments that are now contiguous with the delivered end. */
static void
reasm_drain(struct tcpf_reasm *r)
{
    uint32_t k = 0;

    while (k < r->n && r->q[k].off == r->delivered)
        reasm_emit_seg(r, &r->q[k++]);
    reasm_pop(r, k);
}

/* Grows the array *arr of elements of `size` bytes, capacity *cap, to hold `need` entries
 * (doubling). Returns false on allocation failure, leaving the array as it was. */
static bool
reasm_grow(void **arr, uint32_t *cap, uint32_t need, size_t size)
{
    uint32_t ncap;
    void *n;

    if (need <= *cap)
        return true;
    ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap = ncap > UINT32_MAX / 2 ? need : ncap * 2;
    n = realloc(*arr, (size_t)ncap * size);
    if (n == NULL)
        return false;
    *arr = n;
    *cap = ncap;
    return true;
}

/* Grows the segment array to hold `need` entries. Returns false on allocation failure. */
static bool
reasm_reserve_segs(struct tcpf_reasm *r, uint32_t need)
{
    void *q = r->q;
    bool ok = reasm_grow(&q, &r->qcap, need, sizeof(*r->q));

    r->q = q;
    return ok;
}

/* Grows the piece scratch array to hold `need` entries. Returns false on allocation failure. */
static bool
reasm_reserve_pieces(struct tcpf_reasm *r, uint32_t need)
{
    void *p = r->pieces;
    bool ok = reasm_grow(&p, &r->pcap, need, sizeof(*r->pieces));

    r->pieces = p;
    return ok;
}

/* Index of the first queued segment that ends after `off` (binary search; ends are sorted
 * because segments are disjoint). */
static uint32_t
reasm_lower_bound(const struct tcpf_reasm *r, int64_t off)
{
    uint32_t lo = 0, hi = r->n;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (r->q[mid].off + r->q[mid].len <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Tells the sink about a conflicting range (stream offsets). */
static void
reasm_report_conflict(struct tcpf_reasm *r, int64_t off, int64_t len)
{
    if (r->sink->conflict == NULL)
        return;
    r->in_cb = true;
    r->sink->conflict(r->ctx, (uint64_t)off, (size_t)len);
    r->in_cb = false;
}

/* Remembers a conflict found before the start is known; reported by reasm_fix_start. Beyond
 * REASM_PEND_MAX (or without memory) it stays counted in the stats only. */
static void
reasm_pend_add(struct tcpf_reasm *r, int64_t off, int64_t len)
{
    if (r->npend >= REASM_PEND_MAX)
        return;
    if (r->pend == NULL) {
        r->pend = malloc(REASM_PEND_MAX * sizeof(*r->pend));
        if (r->pend == NULL)
            return;
    }
    r->pend[r->npend].off = off;
    r->pend[r->npend].len = len;
    r->npend++;
}

/* Closes the open run of differing bytes: counts it and reports it (or remembers it). */
static void
reasm_diff_end(struct tcpf_reasm *r, struct reasm_diff *d)
{
    if (d->len == 0)
        return;
    r->st.conflict_bytes += (uint64_t)d->len;
    if (!r->has_start)
        reasm_pend_add(r, d->off, d->len);
    else
        reasm_report_conflict(r, d->off, d->len);
    d->len = 0;
}

/* Compares accepted bytes `old` with a new copy `cand` at offset `off`, extending or opening
 * runs of differing bytes. Runs stay open across calls so adjacent ones merge. */
static void
reasm_diff_cmp(struct tcpf_reasm *r, struct reasm_diff *d, int64_t off, const uint8_t *old,
               const uint8_t *cand, size_t len)
{
    size_t i;

    if (len == 0 || memcmp(old, cand, len) == 0)
        return;
    for (i = 0; i < len; i++) {
        if (old[i] == cand[i])
            continue;
        d->any = true;
        if (d->len > 0 && d->off + d->len == off + (int64_t)i) {
            d->len++;
            continue;
        }
        reasm_diff_end(r, d);
        d->off = off + (int64_t)i;
        d->len = 1;
    }
}

/* Compares a new copy of already-delivered bytes with what the sink reads back. Without a
 * readback callback, or where it fails or comes up short, the rest is not compared. */
static void
reasm_cmp_delivered(struct tcpf_reasm *r, struct reasm_diff *d, int64_t off, const uint8_t *data,
                    size_t len)
{
    uint8_t buf[REASM_READBACK_LEN];

    if (r->sink->readback == NULL)
        return;
    while (len > 0) {
        size_t want = len < sizeof(buf) ? len : sizeof(buf);
        long got;

        r->in_cb = true;
        got = r->sink->readback(r->ctx, (uint64_t)off, buf, want);
        r->in_cb = false;

        if (got <= 0)
            return;
        if ((size_t)got > want)
            got = (long)want;
        reasm_diff_cmp(r, d, off, buf, data, (size_t)got);
        if ((size_t)got < want)
            return;
        off += got;
        data += got;
        len -= (size_t)got;
    }
}

/* [s, m) lies before the delivered end. Parts inside a remembered gap are late fills: the gap
 * shrinks and the bytes go to sink.late_fill, uncompared. The other parts cover delivered bytes
 * and are compared (a retransmission). */
static void
reasm_behind(struct tcpf_reasm *r, struct reasm_diff *d, int64_t s, int64_t m, const uint8_t *data,
             bool *retrans)
{
    int64_t cur = s;
    bool filled = false;

    while (cur < m) {
        uint32_t i = reasm_gap_find(r, cur);
        int64_t lo = m, hi = m;

        if (i < r->ngaps && r->gaps[i].off < m) {
            lo = r->gaps[i].off > cur ? r->gaps[i].off : cur;
            hi = reasm_min(r->gaps[i].off + r->gaps[i].len, m);
        }
        if (lo > cur) {
            *retrans = true;
            reasm_cmp_delivered(r, d, cur, data + (cur - s), (size_t)(lo - cur));
        }
        if (hi > lo) {
            reasm_gap_cut(r, i, lo, hi);
            filled = true;
            r->st.late_fill_bytes += (uint64_t)(hi - lo);
            if (r->sink->late_fill != NULL) {
                r->in_cb = true;
                r->sink->late_fill(r->ctx, (uint64_t)lo, data + (lo - s), (size_t)(hi - lo));
                r->in_cb = false;
            }
        }
        cur = hi;
    }
    if (filled)
        r->st.late_fill++;
}

/* Once the start and a FIN are known: fixes the FIN offset and, unless a sink callback is
 * running (a drain loop is then in progress), drops queued data beyond it. A FIN behind the delivered end is not
 * believable (data already went past it): forgotten, so a later FIN can still be recorded. */
static void
reasm_apply_fin(struct tcpf_reasm *r)
{
    int64_t off;

    if (!r->has_fin_seq || !r->has_start)
        return;
    if (!r->fin_known) {
        off = reasm_seq_off(r, r->fin_seq);
        if (off < r->delivered) {
            r->has_fin_seq = false;
            return;
        }
        r->fin_known = true;
        r->fin_off = off;
    }
    if (r->in_cb)
        return;
    off = r->fin_off;
    while (r->n > 0 && r->q[r->n - 1].off >= off) {
        r->st.after_fin++;
        reasm_drop_seg(r, &r->q[r->n - 1]);
        r->n--;
    }
    if (r->n > 0 && r->q[r->n - 1].off + r->q[r->n - 1].len > off) {
        struct reasm_seg *g = &r->q[r->n - 1];
        uint32_t keep = (uint32_t)(off - g->off);

        r->st.after_fin++;
        reasm_account(r, -(int64_t)(g->len - keep));
        g->len = keep;
    }
}

/* Fixes stream offset 0 at provisional offset `prov` (sequence number `seq`): rebases the
 * queue and pending conflicts, drops what lies before offset 0 (before_start), applies a
 * pending FIN and delivers what became contiguous. */
static void
reasm_fix_start(struct tcpf_reasm *r, int64_t prov, uint32_t seq)
{
    uint32_t i, k = 0;

    r->has_start = true;
    r->start_seq = seq;
    r->start_prov = prov;
    r->delivered = 0;
    r->hi -= prov;
    r->cand_off -= prov;
    r->cand_end -= prov;
    for (i = 0; i < r->n; i++)
        r->q[i].off -= prov;
    reasm_ref_sync(r);
    while (k < r->n && r->q[k].off + r->q[k].len <= 0) {
        r->st.before_start++;
        r->st.before_start_bytes += r->q[k].len;
        reasm_drop_seg(r, &r->q[k++]);
    }
    reasm_pop(r, k);
    if (r->n > 0 && r->q[0].off < 0) {
        struct reasm_seg *g = &r->q[0];
        uint32_t cut = (uint32_t)-g->off;

        r->st.before_start++;
        r->st.before_start_bytes += cut;
        memmove(g->data, g->data + cut, g->len - cut);
        g->len -= cut;
        g->off = 0;
        reasm_account(r, -(int64_t)cut);
    }
    for (i = 0; i < r->npend; i++) {
        int64_t off = r->pend[i].off - prov, len = r->pend[i].len;

        if (off + len <= 0)
            continue;
        if (off < 0) {
            len += off;
            off = 0;
        }
        reasm_report_conflict(r, off, len);
    }
    free(r->pend);
    r->pend = NULL;
    r->npend = 0;
    reasm_apply_fin(r);
    reasm_drain(r);
    reasm_ref_sync(r);
}

/* Memory ran out while queueing [s, e): deliver it straight from the caller's buffer after
 * force-delivering every queued segment below it (holes become gaps), so nothing is lost
 * but the chance to reorder. Offsets are provisional if the start is not known yet. */
static void
reasm_fallback(struct tcpf_reasm *r, int64_t s, int64_t e, const uint8_t *data,
               const struct tcpf_time *ts)
{
    uint32_t k = 0;

    r->st.forced_flushes++;
    if (!r->has_start) {
        int64_t prov = (r->n > 0 && r->q[0].off < s) ? r->q[0].off : s;

        reasm_fix_start(r, prov, reasm_off_seq(r, prov));
        s -= prov;
        e -= prov;
    }
    if (r->fin_known && e > r->fin_off) {
        r->st.after_fin++;
        e = r->fin_off;
    }
    if (s < r->delivered) { /* the start fixing above delivered part of it from the queue */
        data += reasm_min(r->delivered, e) - s;
        s = r->delivered;
    }
    while (s < e) {
        if (k < r->n && r->q[k].off <= s) {
            int64_t gend = r->q[k].off + r->q[k].len;

            reasm_emit_seg(r, &r->q[k++]);
            if (gend > s) {
                data += reasm_min(gend, e) - s;
                s = gend;
            }
        } else {
            int64_t m = (k < r->n && r->q[k].off < e) ? r->q[k].off : e;

            reasm_emit(r, s, data, (size_t)(m - s), ts);
            data += m - s;
            s = m;
        }
    }
    reasm_pop(r, k);
    reasm_drain(r);
}

/* [s, e) starts at the delivered end: deliver it from the caller's buffer, interleaved with
 * the queued segments it reaches (first wins: where they overlap, the queued copy goes out). */
static void
reasm_place_direct(struct tcpf_reasm *r, int64_t s, int64_t e, const uint8_t *data,
                   const struct tcpf_time *ts, struct reasm_diff *d, bool *retrans)
{
    uint32_t k = 0;

    while (s < e) {
        if (k < r->n && r->q[k].off == s) {
            struct reasm_seg *g = &r->q[k++];
            int64_t gend = g->off + g->len;
            int64_t m = reasm_min(gend, e);

            reasm_diff_cmp(r, d, s, g->data, data, (size_t)(m - s));
            *retrans = true;
            data += m - s;
            s = gend;
            reasm_emit_seg(r, g);
        } else {
            int64_t m = (k < r->n && r->q[k].off < e) ? r->q[k].off : e;

            reasm_emit(r, s, data, (size_t)(m - s), ts);
            data += m - s;
            s = m;
        }
    }
    reasm_pop(r, k);
    reasm_drain(r);
}

/* Appends `len` bytes to queued segment g if it stays under REASM_MERGE_MAX. */
static bool
reasm_append(struct tcpf_reasm *r, struct reasm_seg *g, const uint8_t *src, uint32_t len)
{
    uint32_t need = g->len + len;

    if (len > REASM_MERGE_MAX || need > REASM_MERGE_MAX)
        return false;
    if (need > g->cap) {
        uint32_t ncap = g->cap * 2 > need ? g->cap * 2 : need;
        uint8_t *nd;

        if (ncap > REASM_MERGE_MAX)
            ncap = REASM_MERGE_MAX;
        nd = realloc(g->data, ncap);
        if (nd == NULL)
            return false;
        g->data = nd;
        g->cap = ncap;
    }
    memcpy(g->data + g->len, src, len);
    g->len = need;
    reasm_account(r, len);
    return true;
}

/* Splits [s, e) into pieces not covered by the queue, comparing the covered parts. Fills
 * r->pieces (capacity n+1 reserved by the caller) and returns how many. */
static uint32_t
reasm_split(struct tcpf_reasm *r, int64_t s, int64_t e, const uint8_t *data, struct reasm_diff *d,
            bool *retrans)
{
    uint32_t i = reasm_lower_bound(r, s), j, np = 0;
    int32_t left = (i > 0 && r->q[i - 1].off + r->q[i - 1].len == s) ? (int32_t)i - 1 : -1;
    int64_t cur = s;

    for (j = i; j < r->n && r->q[j].off < e; j++) {
        struct reasm_seg *g = &r->q[j];
        int64_t gend = g->off + g->len;
        int64_t lo = cur > g->off ? cur : g->off;
        int64_t hi = reasm_min(e, gend);

        if (g->off > cur) {
            r->pieces[np++] =
                (struct reasm_piece){ cur, (uint32_t)(g->off - cur), left, NULL, false };
        }
        reasm_diff_cmp(r, d, lo, g->data + (lo - g->off), data + (lo - s), (size_t)(hi - lo));
        *retrans = true;
        cur = gend;
        left = (int32_t)j;
    }
    if (cur < e)
        r->pieces[np++] = (struct reasm_piece){ cur, (uint32_t)(e - cur), left, NULL, false };
    return np;
}

/* Inserts the new pieces (those with a buffer) into the sorted queue with one pass from the
 * back. Capacity must be reserved. Returns how many were inserted. */
static uint32_t
reasm_merge_pieces(struct tcpf_reasm *r, uint32_t np, uint32_t nnew, const struct tcpf_time *ts)
{
    int64_t a = (int64_t)r->n - 1, w = (int64_t)r->n + nnew - 1, b = (int64_t)np - 1;

    while (b >= 0) {
        struct reasm_piece *p = &r->pieces[b];

        if (p->buf == NULL) {
            b--;
            continue;
        }
        if (a >= 0 && r->q[a].off > p->off) {
            r->q[w--] = r->q[a--];
            continue;
        }
        r->q[w].off = p->off;
        r->q[w].len = p->len;
        r->q[w].cap = p->len;
        r->q[w].data = p->buf;
        r->q[w].has_ts = ts != NULL;
        if (ts != NULL)
            r->q[w].ts = *ts;
        else
            memset(&r->q[w].ts, 0, sizeof(r->q[w].ts));
        reasm_account(r, p->len);
        w--;
        b--;
    }
    r->n += nnew;
    return nnew;
}

/* Queues the parts of [s, e) that no accepted byte covers (s beyond the delivered end, or
 * provisional offsets before the start). Returns 0, or -1 if memory ran out (that data is
 * then delivered at once by reasm_fallback). */
static int
reasm_place_queue(struct tcpf_reasm *r, int64_t s, int64_t e, const uint8_t *data,
                  const struct tcpf_time *ts, struct reasm_diff *d, bool *retrans)
{
    uint32_t np, i, nnew = 0;
    bool was_prestart = !r->has_start;
    int rc = 0;

    if (!reasm_reserve_pieces(r, r->n + 1)) {
        reasm_fallback(r, s, e, data, ts);
        return -1;
    }
    np = reasm_split(r, s, e, data, d, retrans);
    reasm_diff_end(r, d);
    for (i = 0; i < np; i++) {
        struct reasm_piece *p = &r->pieces[i];
        const uint8_t *src = data + (p->off - s);

        if (p->left >= 0 && reasm_append(r, &r->q[p->left], src, p->len))
            continue;
        p->buf = malloc(p->len);
        if (p->buf == NULL) {
            p->failed = true;
            continue;
        }
        memcpy(p->buf, src, p->len);
        nnew++;
    }
    if (nnew > 0 && !reasm_reserve_segs(r, r->n + nnew)) {
        for (i = 0; i < np; i++) {
            if (r->pieces[i].buf != NULL) {
                free(r->pieces[i].buf);
                r->pieces[i].buf = NULL;
                r->pieces[i].failed = true;
            }
        }
        nnew = 0;
    }
    if (nnew > 0)
        reasm_merge_pieces(r, np, nnew, ts);
    for (i = 0; i < np; i++) {
        struct reasm_piece p = r->pieces[i];
        int64_t shift = (was_prestart && r->has_start) ? r->start_prov : 0;

        if (!p.failed)
            continue;
        rc = -1;
        reasm_fallback(r, p.off - shift, p.off - shift + p.len, data + (p.off - s), ts);
    }
    return rc;
}

/* Budget check: over the per-direction caps (with `n_left` segments) or the global memcap. */
static bool
reasm_over(const struct tcpf_reasm *r, uint32_t n_left, bool *by_memcap)
{
    const struct tcpf_memcap *mc = r->memcap;

    if (r->queued_bytes > r->lim->max_queued_bytes || n_left > r->lim->max_queued_segs)
        return true;
    if (mc != NULL && mc->limit != 0 && mc->used > mc->limit) {
        *by_memcap = true;
        return true;
    }
    return false;
}

/* Enforces the caps after an insert: force-delivers from the lowest queued segment upward,
 * with a gap for each hole, until the queue is back under every cap. */
static void
reasm_enforce(struct tcpf_reasm *r)
{
    uint32_t k = 0;
    bool by_memcap = false;

    if (r->n == 0 || !reasm_over(r, r->n, &by_memcap))
        return;
    r->st.forced_flushes++;
    if (by_memcap && !r->reclaim_counted) {
        r->memcap->reclaims++;
        r->reclaim_counted = true;
    }
    if (!r->has_start)
        reasm_fix_start(r, r->q[0].off, reasm_off_seq(r, r->q[0].off));
    while (k < r->n && reasm_over(r, r->n - k, &by_memcap)) {
        reasm_emit_seg(r, &r->q[k++]);
        while (k < r->n && r->q[k].off == r->delivered)
            reasm_emit_seg(r, &r->q[k++]);
    }
    reasm_pop(r, k);
}

/* Asks the memcap owner to free room before this insert may queue up to `len` bytes. Runs
 * before any state is looked at, because reclaim may flush this reassembler too. */
static void
reasm_reclaim(struct tcpf_reasm *r, uint32_t seq, size_t len)
{
    struct tcpf_memcap *mc = r->memcap;

    if (mc == NULL || mc->limit == 0 || mc->reclaim == NULL)
        return;
    if (r->has_start && reasm_seq_off(r, seq) <= r->delivered)
        return; /* starts at or behind the delivered end: delivered directly, never queued */
    if (mc->used + len <= mc->limit)
        return;
    if (!r->reclaim_counted) {
        mc->reclaims++;
        r->reclaim_counted = true;
    }
    mc->reclaim(mc->reclaim_ctx, mc->used + len - mc->limit);
}

/* Places one segment of at most REASM_CHUNK_MAX bytes (see tcpf_reasm_insert). */
static int
reasm_insert_one(struct tcpf_reasm *r, uint32_t seq, const uint8_t *data, size_t len,
                 const struct tcpf_time *ts)
{
    struct reasm_diff d = { 0, 0, false };
    bool retrans = false;
    int64_t s, e;
    int rc = 0;

    reasm_reclaim(r, seq, len);
    if (!r->has_start) {
        if (!r->has_anchor) {
            r->anchor_seq = seq;
            r->has_anchor = true;
            r->hi = REASM_PROV_BASE;
        }
        s = reasm_seq_off(r, seq);
        reasm_ref_advance(r, s, s + (int64_t)len);
        rc = reasm_place_queue(r, s, s + (int64_t)len, data, ts, &d, &retrans);
        goto done;
    }
    s = reasm_seq_off(r, seq);
    e = s + (int64_t)len;
    /* keep-alive probe: one byte at SND.NXT-1 (also at offset -1 when nothing was sent yet) */
    if (len == 1 && s == r->delivered - 1) {
        r->st.retransmitted++;
        return 0;
    }
    if (s < 0) {
        r->st.before_start++;
        r->st.before_start_bytes += (uint64_t)(reasm_min(e, 0) - s);
        if (e <= 0)
            goto done;
        data += -s;
        s = 0;
    }
    if (r->fin_known && e > r->fin_off) {
        r->st.after_fin++;
        if (s >= r->fin_off)
            goto done;
        e = r->fin_off;
    }
    if (s < r->delivered) {
        int64_t m = reasm_min(e, r->delivered);

        reasm_behind(r, &d, s, m, data, &retrans);
        data += m - s;
        s = m;
    }
    if (s < e)
        reasm_ref_advance(r, s, e);
    if (s < e && s == r->delivered) {
        reasm_place_direct(r, s, e, data, ts, &d, &retrans);
    } else if (s < e) {
        r->st.out_of_order++;
        rc = reasm_place_queue(r, s, e, data, ts, &d, &retrans);
    }
done:
    reasm_diff_end(r, &d);
    if (d.any)
        r->st.conflicts++;
    if (retrans)
        r->st.retransmitted++;
    if (!r->has_start && r->n > 0 && r->queued_bytes >= r->lim->midstream_hold)
        reasm_fix_start(r, r->q[0].off, reasm_off_seq(r, r->q[0].off));
    reasm_enforce(r);
    reasm_apply_fin(r);
    reasm_ref_sync(r);
    reasm_shrink(r);
    return rc;
}

/* The limits of a reassembler created with limits NULL. */
static const struct tcpf_reasm_limits reasm_default_limits = {
    .max_queued_bytes = REASM_DEF_MAX_BYTES,
    .max_queued_segs = REASM_DEF_MAX_SEGS,
    .midstream_hold = REASM_DEF_HOLD,
    .max_jump = REASM_DEF_MAX_JUMP,
};

void
tcpf_reasm_limits_resolve(struct tcpf_reasm_limits *lim)
{
    if (lim->max_queued_bytes == 0)
        lim->max_queued_bytes = REASM_DEF_MAX_BYTES;
    if (lim->max_queued_segs == 0)
        lim->max_queued_segs = REASM_DEF_MAX_SEGS;
    if (lim->midstream_hold == 0)
        lim->midstream_hold = REASM_DEF_HOLD;
    if (lim->max_jump == 0)
        lim->max_jump = REASM_DEF_MAX_JUMP;
    if (lim->max_jump > REASM_JUMP_LIMIT)
        lim->max_jump = REASM_JUMP_LIMIT;
}

struct tcpf_reasm *
tcpf_reasm_create(const struct tcpf_reasm_sink *sink, void *ctx,
                  const struct tcpf_reasm_limits *limits, struct tcpf_memcap *memcap)
{
    struct tcpf_reasm *r;

    if (sink == NULL || sink->deliver == NULL)
        return NULL;
    if (limits == NULL)
        limits = &reasm_default_limits;
    if (limits->max_queued_bytes == 0 || limits->max_queued_segs == 0 ||
        limits->midstream_hold == 0 || limits->max_jump == 0 || limits->max_jump > REASM_JUMP_LIMIT)
        return NULL;
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->sink = sink;
    r->ctx = ctx;
    r->lim = limits;
    r->memcap = memcap;
    return r;
}

void
tcpf_reasm_destroy(struct tcpf_reasm *r)
{
    uint32_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->n; i++)
        reasm_drop_seg(r, &r->q[i]);
    free(r->q);
    free(r->pieces);
    free(r->pend);
    free(r->gaps);
    free(r);
}

void
tcpf_reasm_set_isn(struct tcpf_reasm *r, uint32_t isn)
{
    uint32_t start = isn + 1;

    if (r == NULL || r->has_start || r->in_cb)
        return;
    if (!r->has_anchor) {
        r->anchor_seq = start;
        r->has_anchor = true;
        r->hi = REASM_PROV_BASE;
    }
    reasm_fix_start(r, reasm_seq_off(r, start), start);
    reasm_shrink(r);
}

bool
tcpf_reasm_has_start(const struct tcpf_reasm *r)
{
    return r != NULL && r->has_start;
}

int
tcpf_reasm_insert(struct tcpf_reasm *r, uint32_t seq, const uint8_t *data, size_t len,
                  const struct tcpf_time *ts)
{
    int rc = 0;

    if (r == NULL || r->in_cb)
        return -1;
    if (len == 0)
        return 0;
    r->st.segments++;
    r->reclaim_counted = false;
    while (len > 0) {
        size_t chunk = len < REASM_CHUNK_MAX ? len : REASM_CHUNK_MAX;

        if (reasm_insert_one(r, seq, data, chunk, ts) < 0)
            rc = -1;
        seq += (uint32_t)chunk;
        data += chunk;
        len -= chunk;
    }
    return rc;
}

void
tcpf_reasm_fin(struct tcpf_reasm *r, uint32_t seq)
{
    if (r == NULL || r->has_fin_seq)
        return;
    r->has_fin_seq = true;
    r->fin_seq = seq;
    reasm_apply_fin(r); /* from a sink callback: queue trimmed when the running call ends */
    if (!r->in_cb)
        reasm_ref_sync(r);
}

bool
tcpf_reasm_complete(const struct tcpf_reasm *r)
{
    return r != NULL && r->fin_known && r->delivered >= r->fin_off;
}

void
tcpf_reasm_flush(struct tcpf_reasm *r)
{
    uint32_t k;

    if (r == NULL || r->in_cb || r->n == 0)
        return;
    if (!r->has_start)
        reasm_fix_start(r, r->q[0].off, reasm_off_seq(r, r->q[0].off));
    for (k = 0; k < r->n; k++)
        reasm_emit_seg(r, &r->q[k]);
    reasm_pop(r, r->n);
    reasm_apply_fin(r);
    reasm_ref_sync(r);
    reasm_shrink(r);
}

uint32_t
tcpf_reasm_next_seq(const struct tcpf_reasm *r)
{
    if (r == NULL || !r->has_start)
        return 0;
    return r->start_seq + (uint32_t)r->delivered;
}

uint64_t
tcpf_reasm_delivered_end(const struct tcpf_reasm *r)
{
    return r != NULL && r->has_start ? (uint64_t)r->delivered : 0;
}

size_t
tcpf_reasm_queued_bytes(const struct tcpf_reasm *r)
{
    return r != NULL ? r->queued_bytes : 0;
}

const struct tcpf_reasm_stats *
tcpf_reasm_stats(const struct tcpf_reasm *r)
{
    return &r->st;
}
