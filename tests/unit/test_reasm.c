/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: unit tests for core/reasm.c: overlap/gap tables at five ISNs in many orders, limits
 *
 * The tables follow Suricata's stream-tcp-list tests: each step is (stream offset, bytes), the
 * expectation is the final delivered stream with '\0' for gap bytes. Every table runs at ISN
 * 0, 1, 2^31, 2^32-10 and 2^32-1. Order-independent tables also run reversed and shuffled
 * (fixed seeds) and must give the same stream; tables whose result depends on order by design
 * (conflicting overlaps: first wins) state the expectation for forward and reverse order.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "reasm.h"

#define PATTERN "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define PATLEN  62

static const uint32_t test_isns[] = { 0u, 1u, 0x80000000u, 0xfffffff6u, 0xffffffffu };
#define N_ISNS  (sizeof(test_isns) / sizeof(test_isns[0]))
#define N_SEEDS 6

/* ---- a sink that rebuilds the stream in memory ---- */

#define TS_MAX_CONF 16

struct tsink {
    uint8_t *buf;     /* stream bytes, gaps as 0 */
    uint8_t *written; /* 1 where a byte was delivered (not a gap) */
    size_t cap;
    uint64_t end;
    uint64_t calls, bytes, gaps, gap_bytes;
    uint64_t conf_off[TS_MAX_CONF], conf_len[TS_MAX_CONF];
    size_t nconf;
    uint64_t conf_bytes;
    uint64_t readbacks;
    bool readback_fails;
    bool readback_zero_holes; /* like the writer: holes read back as zeros */
    uint64_t late_calls, late_bytes;
    const uint8_t *ptr[8]; /* data pointers of the first deliveries */
};

/* Grows the sink buffers to hold `need` bytes. */
static void
ts_grow(struct tsink *t, size_t need)
{
    size_t ncap = t->cap ? t->cap : 64;

    if (need <= t->cap)
        return;
    while (ncap < need)
        ncap *= 2;
    t->buf = realloc(t->buf, ncap);
    t->written = realloc(t->written, ncap);
    assert_non_null(t->buf);
    assert_non_null(t->written);
    t->cap = ncap;
}

/* Checks the deliver contract (increasing, gap-consistent offsets) and stores the bytes. */
static void
ts_deliver(void *ctx, uint64_t off, const uint8_t *data, size_t len, uint64_t gap,
           const struct tcpf_time *ts)
{
    struct tsink *t = ctx;

    (void)ts;
    assert_true(len > 0);
    assert_true(off == t->end + gap);
    ts_grow(t, (size_t)(off + len));
    memset(t->buf + t->end, 0, (size_t)gap);
    memset(t->written + t->end, 0, (size_t)gap);
    memcpy(t->buf + off, data, len);
    memset(t->written + off, 1, len);
    if (gap > 0) {
        t->gaps++;
        t->gap_bytes += gap;
    }
    if (t->calls < 8)
        t->ptr[t->calls] = data;
    t->calls++;
    t->bytes += len;
    t->end = off + len;
}

/* Records one conflict report. */
static void
ts_conflict(void *ctx, uint64_t off, size_t len)
{
    struct tsink *t = ctx;

    assert_true(len > 0);
    if (t->nconf < TS_MAX_CONF) {
        t->conf_off[t->nconf] = off;
        t->conf_len[t->nconf] = len;
    }
    t->nconf++;
    t->conf_bytes += len;
}

/* Reads back delivered bytes; like a writer that knows its holes, a gap reads as -1 and a
 * read stops short at the next gap. */
static long
ts_readback(void *ctx, uint64_t off, uint8_t *buf, size_t len)
{
    struct tsink *t = ctx;
    size_t n = 0;

    t->readbacks++;
    if (t->readback_fails)
        return -1;
    if (t->readback_zero_holes) {
        n = off < t->end ? (size_t)(t->end - off) : 0;
        n = n < len ? n : len;
        if (n == 0)
            return -1;
        memcpy(buf, t->buf + off, n);
        return (long)n;
    }
    while (n < len && off + n < t->end && t->written[off + n])
        n++;
    if (n == 0)
        return -1;
    memcpy(buf, t->buf + off, n);
    return (long)n;
}

/* Stores a late fill like the writer would: at its offset, inside the delivered range, and
 * (the contract) never over a byte that was delivered or filled before. */
static void
ts_late_fill(void *ctx, uint64_t off, const uint8_t *data, size_t len)
{
    struct tsink *t = ctx;
    size_t i;

    assert_true(len > 0);
    assert_true(off + len <= t->end);
    for (i = 0; i < len; i++)
        assert_false(t->written[off + i]);
    memcpy(t->buf + off, data, len);
    memset(t->written + off, 1, len);
    t->late_calls++;
    t->late_bytes += len;
}

/* A sink for reasm_create feeding t, with or without the readback callback. */
static struct tcpf_reasm_sink
ts_sink(struct tsink *t, bool with_readback)
{
    struct tcpf_reasm_sink s = { ts_deliver, ts_conflict, with_readback ? ts_readback : NULL,
                                 ts_late_fill };

    (void)t;
    return s;
}

/* Gives lim's zero fields their defaults; returns lim (for tcpf_reasm_create). */
static const struct tcpf_reasm_limits *
resolved(struct tcpf_reasm_limits *lim)
{
    tcpf_reasm_limits_resolve(lim);
    return lim;
}

/* Frees the sink's buffers. */
static void
ts_free(struct tsink *t)
{
    free(t->buf);
    free(t->written);
}

/* ---- a sink that only counts (huge offsets) ---- */

struct csink {
    uint64_t end, calls, bytes, gaps, gap_bytes;
    const uint8_t *pat; /* if set: data at offset o must be pat[o % patlen] */
    size_t patlen;
};

/* Checks offsets (and sampled bytes against the pattern) and counts. */
static void
cs_deliver(void *ctx, uint64_t off, const uint8_t *data, size_t len, uint64_t gap,
           const struct tcpf_time *ts)
{
    struct csink *c = ctx;

    (void)ts;
    assert_true(len > 0);
    assert_true(off == c->end + gap);
    if (c->pat != NULL) {
        assert_int_equal(data[0], c->pat[off % c->patlen]);
        assert_int_equal(data[len - 1], c->pat[(off + len - 1) % c->patlen]);
    }
    if (gap > 0) {
        c->gaps++;
        c->gap_bytes += gap;
    }
    c->calls++;
    c->bytes += len;
    c->end = off + len;
}

/* ---- tables ---- */

enum {
    ST_DATA,
    ST_FIN,
    ST_SYN
};

struct step {
    int kind;
    int64_t rel;      /* stream offset: sequence number isn+1+rel */
    const char *data; /* NULL: PATTERN bytes at rel */
    uint32_t len;
};

#define DAT(rel, s)                                                                                \
    {                                                                                              \
        ST_DATA, (rel), (s), sizeof(s) - 1                                                         \
    }
#define PAT(rel, n)                                                                                \
    {                                                                                              \
        ST_DATA, (rel), NULL, (n)                                                                  \
    }
#define FIN(rel)                                                                                   \
    {                                                                                              \
        ST_FIN, (rel), NULL, 0                                                                     \
    }
#define SYN                                                                                        \
    {                                                                                              \
        ST_SYN, 0, NULL, 0                                                                         \
    }
#define STEPS(...)                                                                                 \
    .steps = (const struct step[]){ __VA_ARGS__ },                                                 \
    .nsteps = sizeof((const struct step[]){ __VA_ARGS__ }) / sizeof(struct step)
#define STREAM(s) .stream = (s), .stream_len = sizeof(s) - 1

/* Expected outcome of one run (after a final flush). Unlisted counters are expected 0. */
struct expect {
    const char *stream; /* NULL: this order is not run */
    size_t stream_len;
    uint64_t conflicts, conflict_bytes, gaps, gap_bytes, before_start_bytes;
    bool complete;
    int64_t start_rel; /* step offset that became stream offset 0 (midstream) */
    uint64_t cr[4][2]; /* reported conflict ranges {off, len}, in order; checked if ncr */
    size_t ncr;
};

struct table {
    const char *name;
    bool syn; /* set_isn(isn) before the steps */
    struct tcpf_reasm_limits lim;
    const struct step *steps;
    size_t nsteps;
    struct expect fwd; /* for order-independent tables: every order */
    struct expect rev; /* order-dependent tables: reverse order */
    int64_t rtx;       /* retransmitted in forward order; -1: not checked */
};

/* Order-independent tables: in order, reversed and shuffled must all give fwd. */
static const struct table perm_tables[] = {
    { .name = "in_order",
      .syn = true,
      .rtx = 0,
      STEPS(DAT(0, "ABC"), DAT(3, "DEF"), DAT(6, "GHI")),
      .fwd = { STREAM("ABCDEFGHI") } },
    { .name = "pieces",
      .syn = true,
      .rtx = 0,
      STEPS(PAT(0, 5), PAT(5, 7), PAT(12, 3), PAT(15, 10), PAT(25, 1), PAT(26, 14)),
      .fwd = { STREAM("0123456789abcdefghijklmnopqrstuvwxyzABCD") } },
    { .name = "identical_overlaps",
      .syn = true,
      .rtx = 6,
      STEPS(PAT(0, 10), PAT(5, 10), PAT(2, 3), PAT(8, 20), PAT(27, 3), PAT(0, 30), PAT(29, 1)),
      .fwd = { STREAM("0123456789abcdefghijklmnopqrst") } },
    { .name = "holes_flushed",
      .syn = true,
      .rtx = 0,
      STEPS(PAT(0, 5), PAT(10, 5), PAT(20, 5)),
      .fwd = { STREAM("01234\0\0\0\0\0abcde\0\0\0\0\0klmno"), .gaps = 2, .gap_bytes = 10 } },
    { .name = "holes_then_fill",
      .syn = true,
      .rtx = 0,
      STEPS(PAT(10, 5), PAT(0, 5), PAT(20, 5), PAT(5, 5), PAT(15, 5)),
      .fwd = { STREAM("0123456789abcdefghijklmno") } },
    { .name = "exact_same",
      .syn = true,
      .rtx = 1,
      STEPS(PAT(0, 8), PAT(0, 8), PAT(8, 4)),
      .fwd = { STREAM("0123456789ab") } },
    { .name = "cover_many",
      .syn = true,
      .rtx = 2,
      STEPS(PAT(2, 2), PAT(6, 2), PAT(10, 2), PAT(14, 2), PAT(0, 18), PAT(17, 3)),
      .fwd = { STREAM("0123456789abcdefghij") } },
    { .name = "fin_late_fill",
      .syn = true,
      .rtx = 0,
      STEPS(PAT(0, 3), PAT(6, 3), FIN(9), PAT(3, 3)),
      .fwd = { STREAM("012345678"), .complete = true } },
    { .name = "midstream_late_earlier",
      .syn = false,
      .rtx = 0,
      STEPS(DAT(10, "MIDDLE"), DAT(0, "0123456789")),
      .fwd = { STREAM("0123456789MIDDLE") } },
    { .name = "midstream_overlaps",
      .syn = false,
      .rtx = 3,
      STEPS(PAT(5, 10), PAT(0, 7), PAT(12, 8), PAT(3, 4)),
      .fwd = { STREAM("0123456789abcdefghij") } },
    { .name = "midstream_hole",
      .syn = false,
      .rtx = 0,
      STEPS(PAT(0, 4), PAT(8, 4)),
      .fwd = { STREAM("0123\0\0\0\0"
                      "89ab"),
               .gaps = 1, .gap_bytes = 4 } },
    { .name = "midstream_fin",
      .syn = false,
      .rtx = 0,
      STEPS(DAT(0, "ABCD"), FIN(8), DAT(4, "EFGHIJ")),
      .fwd = { STREAM("ABCDEFGH"), .complete = true } },
    { .name = "before_start",
      .syn = true,
      .rtx = 0,
      STEPS(DAT(-3, "abc"), DAT(-2, "bcABC"), DAT(3, "DEF")),
      .fwd = { STREAM("ABCDEF"), .before_start_bytes = 5 } },
    { .name = "set_isn_after_data",
      .syn = false,
      .rtx = -1,
      STEPS(DAT(-8, "uvwx"), DAT(-2, "xx0123"), DAT(10, "MIDDLE"), SYN, DAT(4, "456789")),
      .fwd = { STREAM("0123456789MIDDLE"), .before_start_bytes = 6 } },
};

/* Order-dependent tables (first wins): forward and reverse expectations. */
static const struct table ordered_tables[] = {
    { .name = "exact_diff_delivered",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(0, "AAAA"), DAT(0, "BBBB"), DAT(4, "CC")),
      .fwd = { STREAM("AAAACC"), .conflicts = 1, .conflict_bytes = 4, .cr = { { 0, 4 } },
               .ncr = 1 },
      .rev = { STREAM("BBBBCC"), .conflicts = 1, .conflict_bytes = 4, .cr = { { 0, 4 } },
               .ncr = 1 } },
    { .name = "exact_diff_queued",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(2, "AAAA"), DAT(2, "BBBB"), DAT(0, "xy")),
      .fwd = { STREAM("xyAAAA"), .conflicts = 1, .conflict_bytes = 4, .cr = { { 2, 4 } },
               .ncr = 1 },
      .rev = { STREAM("xyBBBB"), .conflicts = 1, .conflict_bytes = 4, .cr = { { 2, 4 } },
               .ncr = 1 } },
    { .name = "partial_before",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(6, "EFGH"), DAT(2, "abcdXY"), DAT(0, "01")),
      .fwd = { STREAM("01abcdEFGH"), .conflicts = 1, .conflict_bytes = 2, .cr = { { 6, 2 } },
               .ncr = 1 },
      .rev = { STREAM("01abcdXYGH"), .conflicts = 1, .conflict_bytes = 2, .cr = { { 6, 2 } },
               .ncr = 1 } },
    { .name = "partial_after",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(2, "ABCD"), DAT(4, "xyEF"), DAT(0, "01")),
      .fwd = { STREAM("01ABCDEF"), .conflicts = 1, .conflict_bytes = 2, .cr = { { 4, 2 } },
               .ncr = 1 },
      .rev = { STREAM("01ABxyEF"), .conflicts = 1, .conflict_bytes = 2, .cr = { { 4, 2 } },
               .ncr = 1 } },
    { .name = "same_start",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(2, "ABC"), DAT(2, "XBCDEF"), DAT(0, "01")),
      .fwd = { STREAM("01ABCDEF"), .conflicts = 1, .conflict_bytes = 1, .cr = { { 2, 1 } },
               .ncr = 1 },
      .rev = { STREAM("01XBCDEF"), .conflicts = 1, .conflict_bytes = 1, .cr = { { 2, 1 } },
               .ncr = 1 } },
    { .name = "inside",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(2, "ABCDEFGH"), DAT(5, "xE"), DAT(0, "01")),
      .fwd = { STREAM("01ABCDEFGH"), .conflicts = 1, .conflict_bytes = 1, .cr = { { 5, 1 } },
               .ncr = 1 },
      .rev = { STREAM("01ABCxEFGH"), .conflicts = 1, .conflict_bytes = 1, .cr = { { 5, 1 } },
               .ncr = 1 } },
    { .name = "covering",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(5, "DE"), DAT(9, "H"), DAT(2, "ABCdEFGHIJ"), DAT(0, "01")),
      .fwd = { STREAM("01ABCDEFGHIJ"), .conflicts = 1, .conflict_bytes = 1, .cr = { { 5, 1 } },
               .ncr = 1 },
      .rev = { STREAM("01ABCdEFGHIJ"), .conflicts = 1, .conflict_bytes = 1, .cr = { { 5, 1 } },
               .ncr = 1 } },
    { .name = "delivered_two_runs",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(0, "ABCDEFGHIJ"), DAT(2, "CxExGH")),
      .fwd = { STREAM("ABCDEFGHIJ"), .conflicts = 1, .conflict_bytes = 2,
               .cr = { { 3, 1 }, { 5, 1 } }, .ncr = 2 },
      .rev = { STREAM("ABCxExGHIJ"), .conflicts = 1, .conflict_bytes = 2,
               .cr = { { 3, 1 }, { 5, 1 } }, .ncr = 2 } },
    { .name = "delivered_and_queued",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(0, "ABCD"), DAT(6, "GH"), DAT(2, "cDEfGHI")),
      .fwd = { STREAM("ABCDEfGHI"), .conflicts = 1, .conflict_bytes = 1, .cr = { { 2, 1 } },
               .ncr = 1 },
      .rev = { STREAM("ABcDEfGHI"), .conflicts = 1, .conflict_bytes = 1, .cr = { { 2, 1 } },
               .ncr = 1 } },
    { .name = "keepalive",
      .syn = true,
      .rtx = 1,
      STEPS(DAT(0, "ABCDEF"), DAT(5, "Z"), DAT(6, "GH")),
      .fwd = { STREAM("ABCDEFGH") } },
    /* reversed, the data is delivered before the FIN arrives: that FIN is then not believed */
    { .name = "data_after_fin",
      .syn = true,
      .rtx = 0,
      STEPS(FIN(5), DAT(0, "ABCDEFGH"), DAT(6, "xy")),
      .fwd = { STREAM("ABCDE"), .complete = true },
      .rev = { STREAM("ABCDEFxy"), .conflicts = 1, .conflict_bytes = 2, .cr = { { 6, 2 } },
               .ncr = 1 } },
    /* a FIN trims queued data beyond it (a shuffle delivering [4,12) first would not) */
    { .name = "fin_trims_queue",
      .syn = true,
      .rtx = 0,
      STEPS(PAT(14, 2), PAT(4, 8), FIN(6), PAT(0, 4)),
      .fwd = { STREAM("012345"), .complete = true },
      .rev = { STREAM("012345"), .complete = true } },
    { .name = "midstream_conflict",
      .syn = false,
      .rtx = 1,
      STEPS(DAT(2, "AAAA"), DAT(0, "xyBB")),
      .fwd = { STREAM("xyAAAA"), .conflicts = 1, .conflict_bytes = 2, .cr = { { 2, 2 } },
               .ncr = 1 },
      .rev = { STREAM("xyBBAA"), .conflicts = 1, .conflict_bytes = 2, .cr = { { 2, 2 } },
               .ncr = 1 } },
    { .name = "midstream_hold_reached",
      .syn = false,
      .lim = { .midstream_hold = 8 },
      .rtx = 0,
      STEPS(DAT(10, "ABCDEFGHIJ"), DAT(0, "0123456789")),
      .fwd = { STREAM("ABCDEFGHIJ"), .before_start_bytes = 10, .start_rel = 10 },
      .rev = { STREAM("0123456789ABCDEFGHIJ") } },
};

/* Names the run being checked, so a failure says which table, ISN and order. */
static char run_name[160];

#define CHECK_EQ(what, got, want)                                                                  \
    do {                                                                                           \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                                      \
        if (g_ != w_) {                                                                            \
            print_error("%s: %s = %llu, expected %llu\n", run_name, what, (unsigned long long)g_,  \
                        (unsigned long long)w_);                                                   \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Fills `out` with PATTERN bytes for stream offsets [rel, rel+len). */
static void
pattern_fill(uint8_t *out, int64_t rel, uint32_t len)
{
    uint32_t i;

    for (i = 0; i < len; i++)
        out[i] = (uint8_t)PATTERN[(((rel + i) % PATLEN) + PATLEN) % PATLEN];
}

/* Replays a table's steps in `order` at `isn` and checks the outcome against `ex`. */
static void
run_table(const struct table *t, uint32_t isn, const size_t *order, const struct expect *ex,
          bool check_rtx, bool with_memcap)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_memcap mc = { 0 };
    struct tcpf_reasm_limits lim = t->lim;
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, resolved(&lim), with_memcap ? &mc : NULL);
    const struct tcpf_reasm_stats *st;
    struct tcpf_time tv = { 1, 0 };
    uint8_t buf[256];
    size_t i;

    assert_non_null(r);
    if (t->syn)
        tcpf_reasm_set_isn(r, isn);
    for (i = 0; i < t->nsteps; i++) {
        const struct step *s = &t->steps[order[i]];
        uint32_t seq = isn + 1u + (uint32_t)s->rel;

        if (s->kind == ST_SYN) {
            tcpf_reasm_set_isn(r, isn);
        } else if (s->kind == ST_FIN) {
            tcpf_reasm_fin(r, seq);
        } else {
            assert_true(s->len <= sizeof(buf));
            if (s->data != NULL)
                memcpy(buf, s->data, s->len);
            else
                pattern_fill(buf, s->rel, s->len);
            assert_int_equal(tcpf_reasm_insert(r, seq, buf, s->len, &tv), 0);
        }
    }
    tcpf_reasm_flush(r);
    st = tcpf_reasm_stats(r);

    CHECK_EQ("stream length", ts.end, ex->stream_len);
    if (memcmp(ts.buf, ex->stream, ex->stream_len) != 0) {
        print_error("%s: stream differs\n", run_name);
        fail();
    }
    CHECK_EQ("conflicts", st->conflicts, ex->conflicts);
    CHECK_EQ("conflict_bytes", st->conflict_bytes, ex->conflict_bytes);
    CHECK_EQ("gaps", st->gaps, ex->gaps);
    CHECK_EQ("gap_bytes", st->gap_bytes, ex->gap_bytes);
    CHECK_EQ("before_start_bytes", st->before_start_bytes, ex->before_start_bytes);
    CHECK_EQ("complete", tcpf_reasm_complete(r), ex->complete);
    if (check_rtx && t->rtx >= 0)
        CHECK_EQ("retransmitted", st->retransmitted, t->rtx);
    /* sink and counters agree */
    CHECK_EQ("sink conflict bytes", ts.conf_bytes, st->conflict_bytes);
    CHECK_EQ("sink gaps", ts.gaps, st->gaps);
    CHECK_EQ("sink gap bytes", ts.gap_bytes, st->gap_bytes);
    CHECK_EQ("bytes_delivered", ts.bytes, st->bytes_delivered);
    CHECK_EQ("delivered_end", ts.end, tcpf_reasm_delivered_end(r));
    CHECK_EQ("next_seq", tcpf_reasm_next_seq(r),
             (uint32_t)(isn + 1u + (uint32_t)ex->start_rel + (uint32_t)ts.end));
    CHECK_EQ("queued after flush", tcpf_reasm_queued_bytes(r), 0);
    CHECK_EQ("memcap used", mc.used, 0);
    if (ex->conflicts == 0)
        CHECK_EQ("conflict reports", ts.nconf, 0);
    if (ex->ncr > 0) {
        CHECK_EQ("conflict reports", ts.nconf, ex->ncr);
        for (i = 0; i < ex->ncr; i++) {
            CHECK_EQ("conflict offset", ts.conf_off[i], ex->cr[i][0]);
            CHECK_EQ("conflict length", ts.conf_len[i], ex->cr[i][1]);
        }
    }
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* xorshift64 step. */
static uint64_t
rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Fisher-Yates shuffle of v[0..n) with a fixed seed. */
static void
shuffle(size_t *v, size_t n, uint64_t seed)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    size_t i;

    for (i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next(&s) % i), tmp = v[i - 1];

        v[i - 1] = v[j];
        v[j] = tmp;
    }
}

static void
test_tables_any_order(void **state)
{
    size_t ti, ii, i, seed, order[32];

    (void)state;
    for (ti = 0; ti < sizeof(perm_tables) / sizeof(perm_tables[0]); ti++) {
        const struct table *t = &perm_tables[ti];

        assert_true(t->nsteps <= 32);
        for (ii = 0; ii < N_ISNS; ii++) {
            for (i = 0; i < t->nsteps; i++)
                order[i] = i;
            snprintf(run_name, sizeof(run_name), "%s isn=%u in order", t->name, test_isns[ii]);
            run_table(t, test_isns[ii], order, &t->fwd, true, true);
            for (i = 0; i < t->nsteps; i++)
                order[i] = t->nsteps - 1 - i;
            snprintf(run_name, sizeof(run_name), "%s isn=%u reversed", t->name, test_isns[ii]);
            run_table(t, test_isns[ii], order, &t->fwd, false, false);
            for (seed = 1; seed <= N_SEEDS; seed++) {
                for (i = 0; i < t->nsteps; i++)
                    order[i] = i;
                shuffle(order, t->nsteps, seed);
                snprintf(run_name, sizeof(run_name), "%s isn=%u seed=%zu", t->name, test_isns[ii],
                         seed);
                run_table(t, test_isns[ii], order, &t->fwd, false, seed % 2 == 0);
            }
        }
    }
}

static void
test_tables_ordered(void **state)
{
    size_t ti, ii, i, order[32];

    (void)state;
    for (ti = 0; ti < sizeof(ordered_tables) / sizeof(ordered_tables[0]); ti++) {
        const struct table *t = &ordered_tables[ti];

        for (ii = 0; ii < N_ISNS; ii++) {
            for (i = 0; i < t->nsteps; i++)
                order[i] = i;
            snprintf(run_name, sizeof(run_name), "%s isn=%u forward", t->name, test_isns[ii]);
            run_table(t, test_isns[ii], order, &t->fwd, true, ii % 2 == 0);
            if (t->rev.stream == NULL)
                continue;
            for (i = 0; i < t->nsteps; i++)
                order[i] = t->nsteps - 1 - i;
            snprintf(run_name, sizeof(run_name), "%s isn=%u reverse", t->name, test_isns[ii]);
            run_table(t, test_isns[ii], order, &t->rev, false, ii % 2 == 1);
        }
    }
}

/* Random segments with consistent content, random order, random ISN: always the pattern. */
static void
test_random_scatter(void **state)
{
    enum {
        SPAN = 20000,
        NSEG = 600
    };
    uint8_t *pat = malloc(SPAN);
    int64_t *off = malloc(NSEG * sizeof(*off));
    uint32_t *len = malloc(NSEG * sizeof(*len));
    size_t *order = malloc(NSEG * sizeof(*order));
    uint64_t seed;
    size_t i;

    (void)state;
    assert_non_null(pat);
    assert_non_null(off);
    assert_non_null(len);
    assert_non_null(order);
    pattern_fill(pat, 0, SPAN);
    for (seed = 1; seed <= 20; seed++) {
        uint64_t s = seed;
        struct tsink ts = { 0 };
        struct tcpf_reasm_sink sink = ts_sink(&ts, true);
        struct tcpf_memcap mc = { 0 };
        struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, &mc);
        uint32_t isn = seed < 5 ? test_isns[seed] : (uint32_t)rng_next(&s);
        bool syn = seed % 3 != 0;

        assert_non_null(r);
        /* a covering set: consecutive tiles, then random extra overlapping copies */
        for (i = 0; i < NSEG; i++) {
            if (i < NSEG / 2) {
                off[i] = (int64_t)(i * (SPAN / (NSEG / 2)));
                len[i] = i + 1 < NSEG / 2 ? SPAN / (NSEG / 2) : (uint32_t)(SPAN - off[i]);
            } else {
                off[i] = (int64_t)(rng_next(&s) % (SPAN - 1));
                len[i] = 1 + (uint32_t)(rng_next(&s) % 300);
                if (off[i] + len[i] > SPAN)
                    len[i] = (uint32_t)(SPAN - off[i]);
            }
            order[i] = i;
        }
        shuffle(order, NSEG, seed);
        if (syn)
            tcpf_reasm_set_isn(r, isn);
        for (i = 0; i < NSEG; i++) {
            size_t k = order[i];

            assert_int_equal(
                tcpf_reasm_insert(r, isn + 1u + (uint32_t)off[k], pat + off[k], len[k], NULL), 0);
        }
        tcpf_reasm_flush(r);
        assert_int_equal(ts.end, SPAN);
        assert_memory_equal(ts.buf, pat, SPAN);
        assert_int_equal(tcpf_reasm_stats(r)->conflicts, 0);
        assert_int_equal(tcpf_reasm_stats(r)->gaps, 0);
        assert_int_equal(mc.used, 0);
        tcpf_reasm_destroy(r);
        ts_free(&ts);
    }
    free(pat);
    free(off);
    free(len);
    free(order);
}

/* ---- single behaviours ---- */

static void
test_create_args(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, false);
    struct tcpf_reasm_sink nodeliver = { NULL, NULL, NULL, NULL };
    struct tcpf_reasm_limits raw = { .max_queued_segs = 3, .max_jump = (size_t)1 << 40 };
    struct tcpf_reasm *r;

    (void)state;
    assert_null(tcpf_reasm_create(NULL, NULL, NULL, NULL));
    assert_null(tcpf_reasm_create(&nodeliver, &ts, NULL, NULL));
    /* limits are borrowed, so they must come resolved */
    assert_null(tcpf_reasm_create(&sink, &ts, &raw, NULL));
    tcpf_reasm_limits_resolve(&raw);
    assert_int_equal(raw.max_queued_segs, 3);
    assert_int_equal(raw.max_queued_bytes, 1u << 20);
    assert_int_equal(raw.midstream_hold, 64u << 10);
    assert_int_equal(raw.max_jump, (size_t)1 << 31);
    r = tcpf_reasm_create(&sink, &ts, &raw, NULL);
    assert_non_null(r);
    tcpf_reasm_destroy(r);
    tcpf_reasm_destroy(NULL);
    r = tcpf_reasm_create(&sink, &ts, NULL, NULL);
    assert_non_null(r);
    assert_false(tcpf_reasm_has_start(r));
    assert_int_equal(tcpf_reasm_next_seq(r), 0);
    assert_int_equal(tcpf_reasm_delivered_end(r), 0);
    tcpf_reasm_flush(r); /* empty, start unknown: nothing happens */
    assert_false(tcpf_reasm_has_start(r));
    assert_int_equal(tcpf_reasm_insert(r, 5, (const uint8_t *)"x", 0, NULL), 0);
    assert_int_equal(tcpf_reasm_stats(r)->segments, 0);
    assert_false(tcpf_reasm_complete(r));
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* In-order data is delivered from the caller's buffer, also when it fills a hole. */
static void
test_fast_path_zero_copy(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, false);
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, NULL);
    uint8_t a[] = "hello", b[] = "WORLD", c[] = " big ";

    (void)state;
    assert_non_null(r);
    tcpf_reasm_set_isn(r, 1000);
    assert_int_equal(tcpf_reasm_next_seq(r), 1001);
    tcpf_reasm_insert(r, 1001, a, 5, NULL);
    assert_ptr_equal(ts.ptr[0], a);
    tcpf_reasm_insert(r, 1011, b, 5, NULL);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 5);
    assert_int_equal(tcpf_reasm_stats(r)->out_of_order, 1);
    tcpf_reasm_insert(r, 1006, c, 5, NULL);
    assert_int_equal(ts.calls, 3);
    assert_ptr_equal(ts.ptr[1], c);
    assert_ptr_not_equal(ts.ptr[2], b); /* the queued copy */
    assert_int_equal(ts.end, 15);
    assert_memory_equal(ts.buf, "hello big WORLD", 15);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 0);
    assert_int_equal(tcpf_reasm_next_seq(r), 1016);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* A 1-byte probe at next_seq-1 is a keep-alive: counted as retransmission, never read back. */
static void
test_keepalive_no_readback(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, NULL);

    (void)state;
    assert_non_null(r);
    tcpf_reasm_set_isn(r, 0xfffffffdu);
    tcpf_reasm_insert(r, 0xfffffffeu, (const uint8_t *)"ABCDEF", 6, NULL);
    tcpf_reasm_insert(r, 0xfffffffeu + 5u, (const uint8_t *)"\0", 1, NULL);
    assert_int_equal(ts.readbacks, 0);
    assert_int_equal(tcpf_reasm_stats(r)->retransmitted, 1);
    assert_int_equal(tcpf_reasm_stats(r)->conflicts, 0);
    /* two bytes at the same place are not a keep-alive: compared, conflict */
    tcpf_reasm_insert(r, 0xfffffffeu + 4u, (const uint8_t *)"EX", 2, NULL);
    assert_int_equal(ts.readbacks, 1);
    assert_int_equal(tcpf_reasm_stats(r)->conflicts, 1);
    assert_int_equal(tcpf_reasm_stats(r)->conflict_bytes, 1);
    assert_int_equal(ts.conf_off[0], 5);
    assert_int_equal(ts.end, 6);
    assert_memory_equal(ts.buf, "ABCDEF", 6);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* Without readback, or when it fails, overlaps with delivered bytes are not compared. */
static void
test_readback_absent_or_failing(void **state)
{
    int pass;

    (void)state;
    for (pass = 0; pass < 2; pass++) {
        struct tsink ts = { 0 };
        struct tcpf_reasm_sink sink = ts_sink(&ts, pass == 1);
        struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, NULL);

        assert_non_null(r);
        ts.readback_fails = true;
        tcpf_reasm_set_isn(r, 7);
        tcpf_reasm_insert(r, 8, (const uint8_t *)"ABCD", 4, NULL);
        tcpf_reasm_insert(r, 8, (const uint8_t *)"XXXXYY", 6, NULL);
        assert_int_equal(ts.readbacks, pass == 1 ? 1 : 0);
        assert_int_equal(tcpf_reasm_stats(r)->conflicts, 0);
        assert_int_equal(tcpf_reasm_stats(r)->retransmitted, 1);
        assert_int_equal(ts.end, 6);
        assert_memory_equal(ts.buf, "ABCDYY", 6);
        tcpf_reasm_destroy(r);
        ts_free(&ts);
    }
}

/* complete() only once every byte before the FIN is delivered; data beyond it is counted. */
static void
test_fin_sequence(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, NULL);
    const uint32_t isn = 0xfffffff6u;

    (void)state;
    assert_non_null(r);
    tcpf_reasm_fin(r, isn + 1 + 9); /* before the start is known: remembered */
    assert_false(tcpf_reasm_complete(r));
    tcpf_reasm_set_isn(r, isn);
    tcpf_reasm_insert(r, isn + 1, (const uint8_t *)"ABC", 3, NULL);
    tcpf_reasm_insert(r, isn + 1 + 6, (const uint8_t *)"GHIJK", 5, NULL);
    assert_int_equal(tcpf_reasm_stats(r)->after_fin, 1);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 3);
    assert_false(tcpf_reasm_complete(r));
    tcpf_reasm_fin(r, isn + 1 + 20); /* a second FIN is ignored */
    tcpf_reasm_insert(r, isn + 1 + 3, (const uint8_t *)"DEF", 3, NULL);
    assert_true(tcpf_reasm_complete(r));
    assert_int_equal(ts.end, 9);
    assert_memory_equal(ts.buf, "ABCDEFGHI", 9);
    tcpf_reasm_insert(r, isn + 1 + 9, (const uint8_t *)"Z", 1, NULL);
    assert_int_equal(tcpf_reasm_stats(r)->after_fin, 2);
    assert_int_equal(ts.end, 9);
    tcpf_reasm_destroy(r);
    ts_free(&ts);

    /* a FIN behind delivered data is not believed; a later one is */
    memset(&ts, 0, sizeof(ts));
    r = tcpf_reasm_create(&sink, &ts, NULL, NULL);
    assert_non_null(r);
    tcpf_reasm_set_isn(r, 100);
    tcpf_reasm_insert(r, 101, (const uint8_t *)"ABCDEF", 6, NULL);
    tcpf_reasm_fin(r, 103);
    assert_false(tcpf_reasm_complete(r));
    tcpf_reasm_insert(r, 107, (const uint8_t *)"GH", 2, NULL);
    assert_int_equal(tcpf_reasm_stats(r)->after_fin, 0);
    tcpf_reasm_fin(r, 109);
    assert_true(tcpf_reasm_complete(r));
    tcpf_reasm_destroy(r);
    ts_free(&ts);

    /* SYN and FIN, no data */
    memset(&ts, 0, sizeof(ts));
    r = tcpf_reasm_create(&sink, &ts, NULL, NULL);
    assert_non_null(r);
    tcpf_reasm_set_isn(r, 0xffffffffu);
    tcpf_reasm_fin(r, 0);
    assert_true(tcpf_reasm_complete(r));
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* Midstream: nothing is delivered until midstream_hold bytes are queued; then offset 0 is the
 * lowest queued byte and earlier data is before_start. */
static void
test_midstream_hold(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_reasm_limits lim = { .midstream_hold = 16 };
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, resolved(&lim), NULL);
    const uint32_t base = 0xfffffffcu;

    (void)state;
    assert_non_null(r);
    tcpf_reasm_insert(r, base + 10, (const uint8_t *)"MIDDLE", 6, NULL);
    assert_false(tcpf_reasm_has_start(r));
    assert_int_equal(ts.calls, 0);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 6);
    tcpf_reasm_insert(r, base, (const uint8_t *)"0123456789", 10, NULL);
    assert_true(tcpf_reasm_has_start(r));
    assert_int_equal(ts.end, 16);
    assert_memory_equal(ts.buf, "0123456789MIDDLE", 16);
    assert_int_equal(tcpf_reasm_next_seq(r), base + 16);
    tcpf_reasm_set_isn(r, base - 100); /* ignored: the start is fixed */
    assert_int_equal(tcpf_reasm_next_seq(r), base + 16);
    tcpf_reasm_insert(r, base - 4, (const uint8_t *)"wxyz", 4, NULL);
    assert_int_equal(tcpf_reasm_stats(r)->before_start, 1);
    assert_int_equal(tcpf_reasm_stats(r)->before_start_bytes, 4);
    tcpf_reasm_insert(r, base - 2, (const uint8_t *)"yz01", 4, NULL);
    assert_int_equal(tcpf_reasm_stats(r)->before_start, 2);
    assert_int_equal(tcpf_reasm_stats(r)->before_start_bytes, 6);
    assert_int_equal(tcpf_reasm_stats(r)->retransmitted, 1);
    assert_int_equal(ts.end, 16);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* A late SYN keeps queued midstream data at its proper offsets. */
static void
test_set_isn_after_midstream(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, NULL);

    (void)state;
    assert_non_null(r);
    tcpf_reasm_insert(r, 20, (const uint8_t *)"KLMN", 4, NULL);
    tcpf_reasm_insert(r, 8, (const uint8_t *)"xxABC", 5, NULL);
    assert_int_equal(ts.calls, 0);
    tcpf_reasm_set_isn(r, 9); /* offset 0 = seq 10 */
    assert_true(tcpf_reasm_has_start(r));
    assert_int_equal(tcpf_reasm_stats(r)->before_start_bytes, 2);
    assert_int_equal(ts.end, 3);
    assert_memory_equal(ts.buf, "ABC", 3);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 4);
    tcpf_reasm_insert(r, 13, (const uint8_t *)"DEFGHIJ", 7, NULL);
    assert_int_equal(ts.end, 14);
    assert_memory_equal(ts.buf, "ABCDEFGHIJKLMN", 14);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* Per-direction segment cap: the lowest queued data goes out after a gap. */
static void
test_cap_segments(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_reasm_limits lim = { .max_queued_segs = 3 };
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, resolved(&lim), NULL);
    const struct tcpf_reasm_stats *st;

    (void)state;
    assert_non_null(r);
    st = tcpf_reasm_stats(r);
    tcpf_reasm_set_isn(r, 0xffffffffu);
    tcpf_reasm_insert(r, 10, (const uint8_t *)"ab", 2, NULL);
    tcpf_reasm_insert(r, 20, (const uint8_t *)"kl", 2, NULL);
    tcpf_reasm_insert(r, 30, (const uint8_t *)"uv", 2, NULL);
    assert_int_equal(st->forced_flushes, 0);
    assert_int_equal(ts.calls, 0);
    tcpf_reasm_insert(r, 40, (const uint8_t *)"EF", 2, NULL);
    assert_int_equal(st->forced_flushes, 1);
    assert_int_equal(st->gaps, 1);
    assert_int_equal(st->gap_bytes, 10);
    assert_int_equal(ts.end, 12);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 6);
    /* the late hole filler lies in a delivered gap: a late fill, not compared, no conflict */
    tcpf_reasm_insert(r, 0, (const uint8_t *)"0123456789", 10, NULL);
    assert_int_equal(st->retransmitted, 0);
    assert_int_equal(st->conflicts, 0);
    assert_int_equal(st->late_fill, 1);
    assert_int_equal(st->late_fill_bytes, 10);
    assert_int_equal(ts.readbacks, 0);
    assert_int_equal(ts.end, 12);
    tcpf_reasm_flush(r);
    assert_int_equal(ts.end, 42);
    assert_memory_equal(ts.buf,
                        "0123456789ab\0\0\0\0\0\0\0\0kl\0\0\0\0\0\0\0\0uv"
                        "\0\0\0\0\0\0\0\0EF",
                        42);
    assert_int_equal(st->gaps, 4);
    assert_int_equal(st->gap_bytes, 34);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* Forced delivery continues through queued segments contiguous with the forced one. */
static void
test_cap_forced_drains_contiguous(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_reasm_limits lim = { .max_queued_segs = 2 };
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, resolved(&lim), NULL);

    (void)state;
    assert_non_null(r);
    tcpf_reasm_set_isn(r, 0);
    tcpf_reasm_insert(r, 13, (const uint8_t *)"CD", 2, NULL); /* offset 12 */
    tcpf_reasm_insert(r, 11, (const uint8_t *)"AB", 2, NULL); /* offset 10: not merged */
    assert_int_equal(ts.calls, 0);
    tcpf_reasm_insert(r, 21, (const uint8_t *)"XY", 2, NULL);
    assert_int_equal(tcpf_reasm_stats(r)->forced_flushes, 1);
    assert_int_equal(ts.end, 14);
    assert_int_equal(ts.calls, 2);
    assert_int_equal(tcpf_reasm_stats(r)->gaps, 1);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 2);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* Conflicts found before a late SYN are reported at their real offsets, clipped at offset 0. */
static void
test_prestart_conflicts_rebased(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, NULL);
    const uint32_t start = 5; /* isn 4 */

    (void)state;
    assert_non_null(r);
    tcpf_reasm_insert(r, start - 10, (const uint8_t *)"CC", 2, NULL);
    tcpf_reasm_insert(r, start - 10, (const uint8_t *)"DD", 2, NULL);
    tcpf_reasm_insert(r, start - 4, (const uint8_t *)"AAAAAA", 6, NULL);
    tcpf_reasm_insert(r, start - 2, (const uint8_t *)"BBBBBB", 6, NULL);
    assert_int_equal(tcpf_reasm_stats(r)->conflicts, 2);
    assert_int_equal(tcpf_reasm_stats(r)->conflict_bytes, 6);
    assert_int_equal(ts.nconf, 0);
    tcpf_reasm_set_isn(r, start - 1);
    assert_int_equal(ts.nconf, 1);
    assert_int_equal(ts.conf_off[0], 0);
    assert_int_equal(ts.conf_len[0], 2);
    assert_int_equal(tcpf_reasm_stats(r)->before_start_bytes, 2 + 4);
    assert_int_equal(ts.end, 4);
    assert_memory_equal(ts.buf, "AABB", 4);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* Sink callbacks calling back into the same reassembler: insert refused, flush ignored,
 * FIN recorded at once. */
struct nest_ctx {
    struct tsink ts;
    struct tcpf_reasm *r;
    int insert_rc;
};

/* deliver callback that tries to re-enter the reassembler. */
static void
nest_deliver(void *ctx, uint64_t off, const uint8_t *data, size_t len, uint64_t gap,
             const struct tcpf_time *tv)
{
    struct nest_ctx *n = ctx;

    ts_deliver(&n->ts, off, data, len, gap, tv);
    n->insert_rc = tcpf_reasm_insert(n->r, 1000, (const uint8_t *)"zz", 2, NULL);
    tcpf_reasm_flush(n->r);
    tcpf_reasm_fin(n->r, 1 + 6);
}

static void
test_nested_calls(void **state)
{
    struct nest_ctx n = { 0 };
    struct tcpf_reasm_sink sink = { nest_deliver, NULL, NULL, NULL };

    (void)state;
    n.r = tcpf_reasm_create(&sink, &n, NULL, NULL);
    assert_non_null(n.r);
    tcpf_reasm_set_isn(n.r, 0);
    tcpf_reasm_insert(n.r, 5, (const uint8_t *)"EFGH", 4, NULL); /* queued */
    tcpf_reasm_insert(n.r, 1, (const uint8_t *)"ABCD", 4, NULL);
    assert_int_equal(n.insert_rc, -1);
    assert_int_equal(n.ts.end, 8);
    assert_int_equal(tcpf_reasm_stats(n.r)->segments, 2);
    /* the FIN (offset 6) came while "ABCD" was delivered; the queued "EFGH" was already on
     * its way out, so it is delivered whole */
    assert_true(tcpf_reasm_complete(n.r));
    tcpf_reasm_destroy(n.r);
    ts_free(&n.ts);
}

/* Comparison with delivered bytes stops at a short readback; bytes in a remembered delivered
 * gap are not read back at all (late fill). */
static void
test_readback_short(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_reasm_limits lim = { .max_queued_segs = 1 };
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, resolved(&lim), NULL);

    (void)state;
    assert_non_null(r);
    tcpf_reasm_set_isn(r, 0);
    tcpf_reasm_insert(r, 1, (const uint8_t *)"ABCD", 4, NULL);
    tcpf_reasm_insert(r, 9, (const uint8_t *)"IJ", 2, NULL);
    tcpf_reasm_insert(r, 13, (const uint8_t *)"MN", 2, NULL); /* cap: IJ out after a gap */
    assert_int_equal(ts.end, 10);
    tcpf_reasm_insert(r, 2, (const uint8_t *)"Bx", 2, NULL);     /* conflict at 2 */
    tcpf_reasm_insert(r, 4, (const uint8_t *)"dxxxxI", 6, NULL); /* 'd' differs, then gap */
    assert_int_equal(ts.readbacks, 3); /* [3,4) and [8,9); the gap [4,8) is a late fill */
    assert_int_equal(tcpf_reasm_stats(r)->late_fill_bytes, 4);
    assert_int_equal(ts.late_bytes, 4);
    assert_int_equal(tcpf_reasm_stats(r)->conflicts, 2);
    assert_int_equal(tcpf_reasm_stats(r)->conflict_bytes, 2);
    assert_int_equal(ts.nconf, 2);
    assert_int_equal(ts.conf_off[1], 3);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* Per-direction byte cap, and a midstream queue over the cap fixes its start. */
static void
test_cap_bytes(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_reasm_limits lim = { .max_queued_bytes = 8, .midstream_hold = 100 };
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, resolved(&lim), NULL);
    const struct tcpf_reasm_stats *st;

    (void)state;
    assert_non_null(r);
    st = tcpf_reasm_stats(r);
    tcpf_reasm_set_isn(r, 0x7fffffffu);
    tcpf_reasm_insert(r, 0x80000000u + 10, (const uint8_t *)"AAAA", 4, NULL);
    tcpf_reasm_insert(r, 0x80000000u + 20, (const uint8_t *)"BBBB", 4, NULL);
    assert_int_equal(st->forced_flushes, 0);
    tcpf_reasm_insert(r, 0x80000000u + 30, (const uint8_t *)"CCCC", 4, NULL);
    assert_int_equal(st->forced_flushes, 1);
    assert_int_equal(ts.end, 14);
    assert_int_equal(st->gap_bytes, 10);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 8);
    /* one segment larger than the cap goes out at once, after the queue */
    {
        uint8_t big[20];

        memset(big, 'D', sizeof(big));
        tcpf_reasm_insert(r, 0x80000000u + 40, big, sizeof(big), NULL);
    }
    assert_int_equal(tcpf_reasm_queued_bytes(r), 0);
    assert_int_equal(ts.end, 60);
    assert_int_equal(st->gaps, 4);
    tcpf_reasm_destroy(r);
    ts_free(&ts);

    /* midstream, hold above the cap: the cap fixes the start at the lowest queued byte */
    memset(&ts, 0, sizeof(ts));
    r = tcpf_reasm_create(&sink, &ts, resolved(&lim), NULL);
    assert_non_null(r);
    st = tcpf_reasm_stats(r);
    tcpf_reasm_insert(r, 500, (const uint8_t *)"EFGH", 4, NULL);
    tcpf_reasm_insert(r, 510, (const uint8_t *)"OPQR", 4, NULL);
    assert_false(tcpf_reasm_has_start(r));
    tcpf_reasm_insert(r, 520, (const uint8_t *)"YZ", 2, NULL);
    assert_true(tcpf_reasm_has_start(r));
    assert_int_equal(ts.end, 4); /* offset 0 = seq 500 */
    assert_int_equal(tcpf_reasm_queued_bytes(r), 6);
    tcpf_reasm_flush(r);
    assert_int_equal(ts.end, 22);
    assert_memory_equal(ts.buf, "EFGH\0\0\0\0\0\0OPQR\0\0\0\0\0\0YZ", 22);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

struct reclaim_ctx {
    struct tcpf_reasm *victim;
    size_t calls;
    size_t needed;
};

/* memcap reclaim callback: flushes the victim (another flow, or the caller itself). */
static void
reclaim_flush(void *ctx, size_t needed)
{
    struct reclaim_ctx *c = ctx;

    c->calls++;
    c->needed = needed;
    if (c->victim != NULL)
        tcpf_reasm_flush(c->victim);
}

/* Global memcap: reclaim flushes another flow to make room. */
static void
test_memcap_reclaim_other(void **state)
{
    struct tsink ta = { 0 }, tb = { 0 };
    struct tcpf_reasm_sink sa = ts_sink(&ta, true), sb = ts_sink(&tb, true);
    struct reclaim_ctx rc = { 0 };
    struct tcpf_memcap mc = { .limit = 10, .reclaim = reclaim_flush, .reclaim_ctx = &rc };
    struct tcpf_reasm *a = tcpf_reasm_create(&sa, &ta, NULL, &mc);
    struct tcpf_reasm *b = tcpf_reasm_create(&sb, &tb, NULL, &mc);
    uint8_t buf[8];

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    rc.victim = a;
    pattern_fill(buf, 4, 8);
    tcpf_reasm_set_isn(a, 0xfffffff6u);
    tcpf_reasm_set_isn(b, 1);
    tcpf_reasm_insert(a, 0xfffffff6u + 1 + 4, buf, 8, NULL);
    assert_int_equal(mc.used, 8);
    tcpf_reasm_insert(b, 2, (const uint8_t *)"in order", 8, NULL); /* fast path: no reclaim */
    assert_int_equal(rc.calls, 0);
    tcpf_reasm_insert(b, 2 + 12, (const uint8_t *)"WXYZ", 4, NULL);
    assert_int_equal(rc.calls, 1);
    assert_int_equal(rc.needed, 2);
    assert_int_equal(mc.reclaims, 1);
    assert_int_equal(ta.end, 12);
    assert_int_equal(tcpf_reasm_stats(a)->gaps, 1);
    assert_int_equal(tcpf_reasm_queued_bytes(b), 4);
    assert_int_equal(tcpf_reasm_stats(b)->forced_flushes, 0);
    assert_int_equal(mc.used, 4);
    assert_int_equal(mc.peak, 8);
    tcpf_reasm_destroy(b); /* destroy releases its share of the budget */
    assert_int_equal(mc.used, 0);
    tcpf_reasm_destroy(a);
    ts_free(&ta);
    ts_free(&tb);
}

/* Re-entrancy: reclaim flushes the very reassembler that is inserting. */
static void
test_memcap_reclaim_self(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct reclaim_ctx rc = { 0 };
    struct tcpf_memcap mc = { .limit = 10, .reclaim = reclaim_flush, .reclaim_ctx = &rc };
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, &mc);

    (void)state;
    assert_non_null(r);
    rc.victim = r;
    /* midstream, so the flush inside reclaim also has to fix the start */
    tcpf_reasm_insert(r, 100, (const uint8_t *)"ABCDEFGH", 8, NULL);
    assert_false(tcpf_reasm_has_start(r));
    tcpf_reasm_insert(r, 120, (const uint8_t *)"WXYZ", 4, NULL);
    assert_int_equal(rc.calls, 1);
    assert_true(tcpf_reasm_has_start(r));
    assert_int_equal(ts.end, 8);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 4);
    assert_int_equal(mc.used, 4);
    tcpf_reasm_insert(r, 108, (const uint8_t *)"IJKLMNOPQRST", 12, NULL);
    assert_int_equal(ts.end, 24);
    assert_memory_equal(ts.buf, "ABCDEFGHIJKLMNOPQRSTWXYZ", 24);
    assert_int_equal(mc.used, 0);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* No reclaim callback (or one that frees nothing): the inserting flow flushes itself. */
static void
test_memcap_self_flush(void **state)
{
    int pass;

    (void)state;
    for (pass = 0; pass < 2; pass++) {
        struct tsink ts = { 0 };
        struct tcpf_reasm_sink sink = ts_sink(&ts, true);
        struct reclaim_ctx rc = { 0 };
        struct tcpf_memcap mc = { .limit = 10 };
        struct tcpf_reasm *r;

        if (pass == 1) {
            mc.reclaim = reclaim_flush; /* victim NULL: frees nothing */
            mc.reclaim_ctx = &rc;
        }
        r = tcpf_reasm_create(&sink, &ts, NULL, &mc);
        assert_non_null(r);
        tcpf_reasm_set_isn(r, 0);
        tcpf_reasm_insert(r, 5, (const uint8_t *)"ABCDEFGH", 8, NULL);
        tcpf_reasm_insert(r, 21, (const uint8_t *)"WXYZ", 4, NULL);
        assert_int_equal(rc.calls, pass == 1 ? 1 : 0);
        assert_int_equal(mc.reclaims, 1);
        assert_int_equal(tcpf_reasm_stats(r)->forced_flushes, 1);
        assert_int_equal(ts.end, 12);
        assert_int_equal(ts.gap_bytes, 4);
        assert_int_equal(mc.used, 4);
        assert_int_equal(mc.peak, 12);
        tcpf_reasm_destroy(r);
        assert_int_equal(mc.used, 0);
        ts_free(&ts);
    }
}

/* No memcap at all, limit 0 = unlimited. */
static void
test_memcap_null(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink = ts_sink(&ts, true);
    struct tcpf_memcap mc = { 0 };
    struct tcpf_reasm *r;
    int pass;
    uint32_t i;
    uint8_t buf[100];

    (void)state;
    for (pass = 0; pass < 2; pass++) {
        memset(&ts, 0, sizeof(ts));
        r = tcpf_reasm_create(&sink, &ts, NULL, pass ? &mc : NULL);
        assert_non_null(r);
        tcpf_reasm_set_isn(r, 0);
        for (i = 100; i > 0; i--) {
            pattern_fill(buf, (int64_t)(i - 1) * 100, 100);
            tcpf_reasm_insert(r, 1 + (i - 1) * 100, buf, 100, NULL);
        }
        assert_int_equal(ts.end, 10000);
        assert_int_equal(tcpf_reasm_stats(r)->forced_flushes, 0);
        if (pass)
            assert_int_equal(mc.peak, 9900);
        tcpf_reasm_destroy(r);
        ts_free(&ts);
    }
}

/* ---- scale ---- */

/* One million 1-byte segments: in order, then behind a leading hole. */
static void
test_million_one_byte(void **state)
{
    enum {
        N = 1000000
    };
    int pass;

    (void)state;
    for (pass = 0; pass < 2; pass++) {
        static uint8_t pat[256];
        struct csink cs = { .pat = pat, .patlen = sizeof(pat) };
        struct tcpf_reasm_sink sink = { cs_deliver, NULL, NULL, NULL };
        struct tcpf_memcap mc = { 0 };
        struct tcpf_reasm *r = tcpf_reasm_create(&sink, &cs, NULL, &mc);
        const uint32_t isn = 0xfff00000u;
        uint32_t i;

        assert_non_null(r);
        for (i = 0; i < sizeof(pat); i++)
            pat[i] = (uint8_t)(i * 37 + 11);
        tcpf_reasm_set_isn(r, isn);
        for (i = pass; i < N; i++)
            tcpf_reasm_insert(r, isn + 1 + i, &pat[i % 256], 1, NULL);
        if (pass == 1) {
            assert_int_equal(cs.bytes, 0);
            assert_int_equal(tcpf_reasm_queued_bytes(r), N - 1);
            tcpf_reasm_insert(r, isn + 1, &pat[0], 1, NULL);
        }
        assert_int_equal(cs.bytes, N);
        assert_int_equal(cs.end, N);
        assert_int_equal(cs.gaps, 0);
        assert_int_equal(mc.used, 0);
        assert_int_equal(tcpf_reasm_stats(r)->segments, N);
        if (pass == 0)
            assert_int_equal(cs.calls, N); /* one delivery each, from the caller's buffer */
        else
            assert_true(cs.calls < N / 1000); /* merged while queued */
        tcpf_reasm_destroy(r);
    }
}

/* 3,000 segments arriving backwards: contiguous (SYN), and c04-style 60,000 apart midstream. */
static void
test_backwards(void **state)
{
    enum {
        N = 3000,
        SZ = 100
    };
    uint8_t *pat = malloc((size_t)N * SZ);
    uint32_t i;

    (void)state;
    assert_non_null(pat);
    pattern_fill(pat, 0, N * SZ);
    {
        struct tsink ts = { 0 };
        struct tcpf_reasm_sink sink = ts_sink(&ts, true);
        struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, NULL);

        assert_non_null(r);
        tcpf_reasm_set_isn(r, 0xfffffff6u);
        for (i = N; i > 0; i--)
            tcpf_reasm_insert(r, 0xfffffff7u + (i - 1) * SZ, pat + (i - 1) * SZ, SZ, NULL);
        assert_int_equal(ts.end, N * SZ);
        assert_memory_equal(ts.buf, pat, N * SZ);
        assert_int_equal(tcpf_reasm_stats(r)->out_of_order, N - 1);
        tcpf_reasm_destroy(r);
        ts_free(&ts);
    }
    {
        struct csink cs = { 0 };
        struct tcpf_reasm_sink sink = { cs_deliver, NULL, NULL, NULL };
        struct tcpf_reasm *r = tcpf_reasm_create(&sink, &cs, NULL, NULL);
        const struct tcpf_reasm_stats *st;
        uint32_t held = (uint32_t)((64u << 10) / SZ + 1); /* segments until the hold is full */

        assert_non_null(r);
        st = tcpf_reasm_stats(r);
        for (i = N; i > 0; i--)
            tcpf_reasm_insert(r, 1000u + (i - 1) * 60000u, pat, SZ, NULL);
        tcpf_reasm_flush(r);
        assert_int_equal(st->before_start, N - held);
        assert_int_equal(st->before_start_bytes, (N - held) * SZ);
        assert_int_equal(cs.bytes, held * SZ);
        assert_int_equal(cs.end, (uint64_t)(held - 1) * 60000u + SZ);
        assert_int_equal(cs.gaps, held - 1);
        tcpf_reasm_destroy(r);
    }
    free(pat);
}

/* Serial arithmetic: 2^31 or more ahead counts as behind; just under is ahead. */
static void
test_serial_far(void **state)
{
    struct csink cs = { 0 };
    struct tcpf_reasm_sink sink = { cs_deliver, NULL, NULL, NULL };
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &cs, NULL, NULL);
    const struct tcpf_reasm_stats *st;
    const uint32_t isn = 0xfffffff0u;

    (void)state;
    assert_non_null(r);
    st = tcpf_reasm_stats(r);
    tcpf_reasm_set_isn(r, isn);
    tcpf_reasm_insert(r, isn + 1, (const uint8_t *)"0123456789", 10, NULL);
    tcpf_reasm_insert(r, isn + 11 + 0x80000000u, (const uint8_t *)"far", 3, NULL);
    assert_int_equal(st->before_start, 1);
    assert_int_equal(st->out_of_order, 0);
    tcpf_reasm_insert(r, isn + 11 + 0x7ffffff0u, (const uint8_t *)"ahead", 5, NULL);
    assert_int_equal(st->out_of_order, 1);
    assert_int_equal(tcpf_reasm_queued_bytes(r), 5);
    tcpf_reasm_flush(r);
    assert_int_equal(cs.end, 10 + 0x7ffffff0ull + 5);
    assert_int_equal(st->gap_bytes, 0x7ffffff0ull);
    tcpf_reasm_destroy(r);
}

/* More than 4 GiB of sequence space: 64-bit offsets, a reordering across the 4 GiB mark,
 * and (where the address space allows) single inserts larger than 2 GiB. */
static void
test_over_4gib(void **state)
{
    enum {
        CH = 1 << 20
    };
    const uint64_t total = 5ull << 30;
    const uint32_t isn = 0xfffffff6u;
    uint8_t *pat = malloc(CH);
    struct csink cs = { .pat = pat, .patlen = CH };
    struct tcpf_reasm_sink sink = { cs_deliver, NULL, NULL, NULL };
    struct tcpf_reasm *r = tcpf_reasm_create(&sink, &cs, NULL, NULL);
    uint64_t off;
    size_t i;
    void *big;

    (void)state;
    assert_non_null(pat);
    assert_non_null(r);
    for (i = 0; i < CH; i++)
        pat[i] = (uint8_t)((i * 2654435761u) >> 13);
    tcpf_reasm_set_isn(r, isn);
    for (off = 0; off < total; off += CH) {
        if (off == (4ull << 30) - CH) { /* swap the two chunks around the 4 GiB mark */
            tcpf_reasm_insert(r, isn + 1 + (uint32_t)(off + CH), pat, CH, NULL);
            assert_int_equal(tcpf_reasm_queued_bytes(r), CH);
            tcpf_reasm_insert(r, isn + 1 + (uint32_t)off, pat, CH, NULL);
            off += CH;
            continue;
        }
        tcpf_reasm_insert(r, isn + 1 + (uint32_t)off, pat, CH, NULL);
    }
    assert_int_equal(cs.end, total);
    assert_int_equal(cs.bytes, total);
    assert_int_equal(cs.gaps, 0);
    assert_int_equal(tcpf_reasm_delivered_end(r), total);
    assert_int_equal(tcpf_reasm_next_seq(r), isn + 1 + (uint32_t)total);
    assert_int_equal(tcpf_reasm_stats(r)->bytes_delivered, total);
    tcpf_reasm_fin(r, isn + 1 + (uint32_t)total);
    assert_true(tcpf_reasm_complete(r));
    tcpf_reasm_destroy(r);

    /* 3 GiB and then 2.5 GiB in two inserts, from read-only zero pages (never touched much) */
    big = mmap(NULL, 3ull << 30, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (big != MAP_FAILED) {
        static const uint8_t zero[1];

        memset(&cs, 0, sizeof(cs));
        cs.pat = zero;
        cs.patlen = 1;
        r = tcpf_reasm_create(&sink, &cs, NULL, NULL);
        assert_non_null(r);
        tcpf_reasm_set_isn(r, isn);
        tcpf_reasm_insert(r, isn + 1, big, 3ull << 30, NULL);
        tcpf_reasm_insert(r, isn + 1 + (uint32_t)(3ull << 30), big, 5ull << 29, NULL);
        assert_int_equal(cs.end, (3ull << 30) + (5ull << 29));
        assert_int_equal(tcpf_reasm_stats(r)->segments, 2);
        assert_int_equal(tcpf_reasm_stats(r)->out_of_order, 0);
        assert_int_equal(tcpf_reasm_next_seq(r), isn + 1 + (uint32_t)((3ull << 30) + (5ull << 29)));
        tcpf_reasm_destroy(r);
        munmap(big, 3ull << 30);
    }
    free(pat);
}

/* ---- reference point and jumps ---- */

#define RS_MAX 32

/* A sink recording the first RS_MAX deliveries (offset, length, gap, first byte). */
struct rsink {
    uint64_t off[RS_MAX], len[RS_MAX], gap[RS_MAX];
    uint8_t first[RS_MAX];
    size_t n;
    uint64_t end, bytes;
};

/* Checks the deliver contract and records the delivery. */
static void
rs_deliver(void *ctx, uint64_t off, const uint8_t *data, size_t len, uint64_t gap,
           const struct tcpf_time *ts)
{
    struct rsink *c = ctx;

    (void)ts;
    assert_true(len > 0);
    assert_true(off == c->end + gap);
    if (c->n < RS_MAX) {
        c->off[c->n] = off;
        c->len[c->n] = len;
        c->gap[c->n] = gap;
        c->first[c->n] = data[0];
    }
    c->n++;
    c->bytes += len;
    c->end = off + len;
}

/* The data direction of tests/data/corpus/zeek-ftp-seq-wrap.pcap (port 37150): a >4 GiB FTP
 * transfer of which only samples were captured. `wraps` is how often the sequence space wrapped
 * before the segment, so its true offset is seq + wraps * 2^32 - (isn + 1). */
static const struct {
    uint32_t seq, len, wraps;
} zeek_wrap[] = {
    { 3914442134u, 14480, 0 }, { 4294812326u, 752, 0 }, { 238246u, 752, 1 },
    { 1912709798u, 752, 1 },   { 1958191782u, 752, 1 }, { 3880231590u, 752, 1 },
    { 3922564950u, 2896, 1 },  { 4294943398u, 752, 1 }, { 238246u, 752, 2 },
    { 741173030u, 1182, 2 },
};
#define ZEEK_ISN  3914442133u
#define ZEEK_FIN  741174212u /* FIN with the last segment (wraps 2) */
#define ZEEK_NSEG (sizeof(zeek_wrap) / sizeof(zeek_wrap[0]))

/* A forward-moving stream sampled across two wraps, with holes that never fill: every sample
 * lands at its true 64-bit offset, in arrival order, and the FIN completes the stream. Run
 * with the whole pattern shifted through the test ISNs. */
static void
test_jump_zeek_seq_wrap(void **state)
{
    static uint8_t payload[14480];
    size_t ii, i;

    (void)state;
    for (ii = 0; ii < N_ISNS; ii++) {
        const uint32_t shift = test_isns[ii];
        struct rsink rs = { 0 };
        struct tcpf_reasm_sink sink = { rs_deliver, NULL, NULL, NULL };
        struct tcpf_reasm *r = tcpf_reasm_create(&sink, &rs, NULL, NULL);
        const struct tcpf_reasm_stats *st;
        uint64_t total = 0, want_end = 0;

        assert_non_null(r);
        st = tcpf_reasm_stats(r);
        tcpf_reasm_set_isn(r, ZEEK_ISN + shift);
        for (i = 0; i < ZEEK_NSEG; i++) {
            memset(payload, (int)('A' + i), zeek_wrap[i].len);
            assert_int_equal(
                tcpf_reasm_insert(r, zeek_wrap[i].seq + shift, payload, zeek_wrap[i].len, NULL), 0);
            total += zeek_wrap[i].len;
        }
        tcpf_reasm_fin(r, ZEEK_FIN + shift);
        assert_false(tcpf_reasm_complete(r));
        tcpf_reasm_flush(r);
        /* one delivery per sample, in arrival order, each after a gap but the first */
        assert_int_equal(rs.n, ZEEK_NSEG);
        for (i = 0; i < ZEEK_NSEG; i++) {
            uint64_t want =
                zeek_wrap[i].seq + ((uint64_t)zeek_wrap[i].wraps << 32) - ((uint64_t)ZEEK_ISN + 1);

            assert_int_equal(rs.first[i], 'A' + i);
            assert_int_equal(rs.off[i], want);
            assert_int_equal(rs.len[i], zeek_wrap[i].len);
            if (i > 0) {
                assert_true(rs.off[i] > rs.off[i - 1]);
                assert_true(rs.gap[i] > 0);
            }
            want_end = want + zeek_wrap[i].len;
        }
        assert_int_equal(rs.bytes, total);
        assert_int_equal(st->bytes_delivered, total);
        assert_int_equal(rs.end, want_end);
        assert_true(rs.end > (4ull << 30));
        assert_int_equal(tcpf_reasm_delivered_end(r), want_end);
        assert_int_equal(want_end, ZEEK_FIN + (2ull << 32) - ((uint64_t)ZEEK_ISN + 1));
        assert_true(tcpf_reasm_complete(r));
        assert_int_equal(st->before_start, 0);
        assert_int_equal(st->after_fin, 0);
        assert_int_equal(st->retransmitted, 0);
        assert_int_equal(st->out_of_order, ZEEK_NSEG - 1);
        tcpf_reasm_destroy(r);
    }
}

/* One bogus segment far ahead in the middle of a normal stream: held as a jump candidate, it
 * does not move the reference. The normal segments after it are delivered as usual, an old
 * retransmission is still recognised as one (measured from the bogus segment it would be
 * 2^31 or more behind, i.e. "ahead" by 4 GiB), and the bogus bytes go out at flush after a
 * gap. Distances: the brief's 1.5 GiB, and just under 2^31. */
static void
test_jump_bogus_segment(void **state)
{
    static const int64_t dist[] = { 3ll << 29, 0x80000000ll - 20000 };
    const uint32_t isn = 0xfffffff0u;
    uint8_t buf[1000];
    size_t pi;

    (void)state;
    for (pi = 0; pi < sizeof(dist) / sizeof(dist[0]); pi++) {
        struct csink cs = { .pat = (const uint8_t *)PATTERN, .patlen = PATLEN };
        struct tcpf_reasm_sink sink = { cs_deliver, NULL, NULL, NULL };
        struct tcpf_reasm *r = tcpf_reasm_create(&sink, &cs, NULL, NULL);
        const struct tcpf_reasm_stats *st;
        int64_t bogus = 0;
        int64_t k;

        assert_non_null(r);
        st = tcpf_reasm_stats(r);
        tcpf_reasm_set_isn(r, isn);
        for (k = 0; k < 64; k++) {
            if (k == 32) {
                bogus = k * 1000 + dist[pi];
                pattern_fill(buf, bogus, 1000);
                tcpf_reasm_insert(r, isn + 1 + (uint32_t)bogus, buf, 1000, NULL);
                assert_int_equal(tcpf_reasm_queued_bytes(r), 1000);
            }
            pattern_fill(buf, k * 1000, 1000);
            tcpf_reasm_insert(r, isn + 1 + (uint32_t)(k * 1000), buf, 1000, NULL);
        }
        assert_int_equal(cs.end, 64000);
        assert_int_equal(cs.bytes, 64000);
        assert_int_equal(cs.gaps, 0);
        assert_int_equal(st->out_of_order, 1);
        assert_int_equal(st->before_start, 0);
        assert_int_equal(st->retransmitted, 0);
        assert_int_equal(tcpf_reasm_queued_bytes(r), 1000);
        /* an old retransmission: behind, not queued 4 GiB ahead */
        pattern_fill(buf, 1000, 1000);
        tcpf_reasm_insert(r, isn + 1 + 1000, buf, 1000, NULL);
        assert_int_equal(st->retransmitted, 1);
        assert_int_equal(tcpf_reasm_queued_bytes(r), 1000);
        tcpf_reasm_flush(r);
        assert_int_equal(cs.end, (uint64_t)bogus + 1000);
        assert_int_equal(cs.gaps, 1);
        assert_int_equal(cs.gap_bytes, (uint64_t)bogus - 64000);
        assert_int_equal(cs.bytes, 65000);
        tcpf_reasm_destroy(r);
    }
}

#define PROBE_BACK 100

/* Tells where the reference is, without knowing it: a 10-byte probe 2^31 - PROBE_BACK bytes
 * beyond `ref` is queued ahead if the reference is at most PROBE_BACK bytes before `ref` (or
 * beyond it); otherwise it is 2^31 or more away, counts as behind, and (offsets here being
 * small) before the start, which changes nothing. Returns true if it was queued. */
static bool
probe_ahead(struct tcpf_reasm *r, uint32_t isn, int64_t ref)
{
    const struct tcpf_reasm_stats *st = tcpf_reasm_stats(r);
    uint64_t ooo = st->out_of_order, bs = st->before_start;
    int64_t off = ref + 0x80000000ll - PROBE_BACK;
    uint8_t buf[10];

    pattern_fill(buf, off, sizeof(buf));
    tcpf_reasm_insert(r, isn + 1 + (uint32_t)off, buf, sizeof(buf), NULL);
    if (st->out_of_order == ooo + 1)
        return true;
    assert_int_equal(st->before_start, bs + 1);
    return false;
}

/* Inserts `len` PATTERN bytes at stream offset `off`. */
static void
ins_pat(struct tcpf_reasm *r, uint32_t isn, int64_t off, uint32_t len)
{
    uint8_t buf[8192];

    assert_true(len <= sizeof(buf));
    pattern_fill(buf, off, len);
    tcpf_reasm_insert(r, isn + 1 + (uint32_t)off, buf, len, NULL);
}

/* The jump rules of reasm.h, one case per reassembler (max_jump 4096): confirm by a segment
 * after the candidate (adjacent or far), no confirmation by a copy of the candidate, a jump
 * far before the candidate replaces it, and the reference reaching the candidate. */
static void
test_jump_rules(void **state)
{
    const uint32_t isn = 0x7ffffff0u;
    struct tcpf_reasm_limits lim = { .max_jump = 4096 };
    int c;

    (void)state;
    for (c = 0; c < 6; c++) {
        struct csink cs = { .pat = (const uint8_t *)PATTERN, .patlen = PATLEN };
        struct tcpf_reasm_sink sink = { cs_deliver, NULL, NULL, NULL };
        struct tcpf_reasm *r = tcpf_reasm_create(&sink, &cs, resolved(&lim), NULL);

        assert_non_null(r);
        tcpf_reasm_set_isn(r, isn);
        ins_pat(r, isn, 0, 100);
        switch (c) {
        case 0: /* candidate, then the next bytes right after it: confirmed */
            ins_pat(r, isn, 1000000, 100);
            assert_false(probe_ahead(r, isn, 1000100));
            ins_pat(r, isn, 1000100, 100);
            assert_true(probe_ahead(r, isn, 1000200));
            break;
        case 1: /* candidate, then a segment 40 MB after it (sampled capture): confirmed */
            ins_pat(r, isn, 1000000, 100);
            ins_pat(r, isn, 41000000, 100);
            assert_true(probe_ahead(r, isn, 41000100));
            break;
        case 2: /* candidate, then normal data: unchanged, the candidate stays queued */
            ins_pat(r, isn, 1000000, 100);
            ins_pat(r, isn, 100, 100);
            assert_false(probe_ahead(r, isn, 1000100));
            assert_true(probe_ahead(r, isn, 200));
            assert_int_equal(tcpf_reasm_queued_bytes(r), 110);
            break;
        case 3: /* a copy of the candidate confirms nothing */
            ins_pat(r, isn, 1000000, 100);
            ins_pat(r, isn, 1000000, 100);
            ins_pat(r, isn, 1000020, 50);
            assert_int_equal(tcpf_reasm_stats(r)->retransmitted, 2);
            assert_false(probe_ahead(r, isn, 1000100));
            break;
        case 4: /* a jump far before the candidate replaces it; its confirmation leaves the
                 * old candidate as ordinary queued data */
            ins_pat(r, isn, 2000000, 100);
            ins_pat(r, isn, 1000000, 100);
            ins_pat(r, isn, 1000100, 100);
            assert_false(probe_ahead(r, isn, 2000100));
            assert_true(probe_ahead(r, isn, 1000200));
            break;
        default: /* normal data comes within max_jump of the candidate: reference at its end */
            ins_pat(r, isn, 10000, 100);
            ins_pat(r, isn, 100, 6900);
            assert_int_equal(cs.end, 7000);
            assert_true(probe_ahead(r, isn, 10100));
            break;
        }
        tcpf_reasm_flush(r);
        assert_int_equal(cs.bytes + 0, tcpf_reasm_stats(r)->bytes_delivered);
        tcpf_reasm_destroy(r);
    }
}

/* ---- late data into delivered gaps ---- */

/* Delivers "ABCD" [0,4), then forces "KLMN" [10,14) out after the gap [4,10) (segment cap 1);
 * "UVWX" [20,24) stays queued. */
static struct tcpf_reasm *
late_setup(struct tsink *ts, struct tcpf_reasm_sink *sink)
{
    static struct tcpf_reasm_limits lim = { .max_queued_segs = 1 }; /* outlives r */
    struct tcpf_reasm *r;

    *sink = ts_sink(ts, true);
    r = tcpf_reasm_create(sink, ts, resolved(&lim), NULL);
    assert_non_null(r);
    tcpf_reasm_set_isn(r, 0xffffffffu);
    tcpf_reasm_insert(r, 0, (const uint8_t *)"ABCD", 4, NULL);
    tcpf_reasm_insert(r, 10, (const uint8_t *)"KLMN", 4, NULL);
    tcpf_reasm_insert(r, 20, (const uint8_t *)"UVWX", 4, NULL);
    assert_int_equal(ts->end, 14);
    assert_int_equal(tcpf_reasm_stats(r)->gap_bytes, 6);
    return r;
}

/* A whole gap filled at once, then a gap filled in pieces, where a second fill overlapping the
 * first is compared with it (first wins) and a fill never reaches deliver. */
static void
test_late_fill_gaps(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink;
    struct tcpf_reasm *r = late_setup(&ts, &sink);
    const struct tcpf_reasm_stats *st = tcpf_reasm_stats(r);

    (void)state;
    tcpf_reasm_insert(r, 4, (const uint8_t *)"efghij", 6, NULL); /* all of [4,10) */
    assert_int_equal(st->late_fill, 1);
    assert_int_equal(st->late_fill_bytes, 6);
    assert_int_equal(ts.late_calls, 1);
    assert_int_equal(ts.readbacks, 0);
    assert_int_equal(st->retransmitted, 0);
    assert_int_equal(ts.calls, 2);
    assert_int_equal(st->bytes_delivered, 8);
    /* the same bytes again: no longer a gap, compared with the fill */
    tcpf_reasm_insert(r, 4, (const uint8_t *)"efgXij", 6, NULL);
    assert_int_equal(st->late_fill, 1);
    assert_int_equal(st->retransmitted, 1);
    assert_int_equal(st->conflicts, 1);
    assert_int_equal(ts.conf_off[0], 7);
    tcpf_reasm_flush(r); /* gap [14,20) */
    assert_int_equal(ts.end, 24);
    tcpf_reasm_insert(r, 16, (const uint8_t *)"qr", 2, NULL);  /* middle: splits the gap */
    tcpf_reasm_insert(r, 14, (const uint8_t *)"opQ", 3, NULL); /* [14,16) fill, [16] differs */
    assert_int_equal(st->conflicts, 2);
    assert_int_equal(ts.conf_off[1], 16);
    assert_int_equal(ts.conf_len[1], 1);
    tcpf_reasm_insert(r, 17, (const uint8_t *)"rstUV", 5, NULL); /* [17] same, [18,20) fill,
                                                                   * [20,22) delivered */
    assert_int_equal(st->conflicts, 2);
    assert_int_equal(st->late_fill, 4);
    assert_int_equal(st->late_fill_bytes, 6 + 2 + 2 + 2);
    assert_int_equal(ts.late_bytes, st->late_fill_bytes);
    assert_memory_equal(ts.buf, "ABCDefghijKLMNopqrstUVWX", 24);
    tcpf_reasm_insert(r, 14, (const uint8_t *)"opqrst", 6, NULL); /* all filled: compared */
    assert_int_equal(st->late_fill, 4);
    assert_int_equal(st->conflicts, 2);
    assert_int_equal(st->bytes_delivered, 12);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* One segment across delivered bytes, a gap, delivered bytes and the delivered end: only the
 * gap is a late fill; the rest takes the overlap path, and the tail is delivered. */
static void
test_late_fill_across_delivered(void **state)
{
    struct tsink ts = { 0 };
    struct tcpf_reasm_sink sink;
    struct tcpf_reasm *r = late_setup(&ts, &sink);
    const struct tcpf_reasm_stats *st = tcpf_reasm_stats(r);

    (void)state;
    tcpf_reasm_insert(r, 2, (const uint8_t *)"CDefghijKxMNop", 14, NULL); /* [2,16) */
    assert_int_equal(st->late_fill, 1);
    assert_int_equal(st->late_fill_bytes, 6);
    assert_int_equal(st->retransmitted, 1);
    assert_int_equal(st->conflicts, 1);
    assert_int_equal(ts.nconf, 1);
    assert_int_equal(ts.conf_off[0], 11);
    assert_int_equal(ts.conf_len[0], 1);
    assert_int_equal(ts.end, 16);
    assert_memory_equal(ts.buf, "ABCDefghijKLMNop", 16);
    assert_int_equal(st->bytes_delivered, 10);
    tcpf_reasm_destroy(r);
    ts_free(&ts);
}

/* 80 delivered gaps: the 64 most recent are remembered. Filling all of them: the recent ones
 * are late fills; the forgotten ones take today's path (compared through readback, which for a
 * writer that reads holes as zeros gives conflicts). A split when full forgets the oldest. */
static void
test_late_fill_many_gaps(void **state)
{
    enum {
        NG = 80
    };
    int pass;

    (void)state;
    for (pass = 0; pass < 2; pass++) {
        struct tsink ts = { .readback_zero_holes = pass == 1 };
        struct tcpf_reasm_sink sink = ts_sink(&ts, true);
        struct tcpf_reasm *r = tcpf_reasm_create(&sink, &ts, NULL, NULL);
        const struct tcpf_reasm_stats *st;
        uint8_t want[NG * 10];
        int k;

        assert_non_null(r);
        st = tcpf_reasm_stats(r);
        tcpf_reasm_set_isn(r, 0xfffffff6u);
        for (k = 0; k < NG; k++) /* [10k+5, 10k+10), leaving the holes [10k, 10k+5) */
            ins_pat(r, 0xfffffff6u, 10 * k + 5, 5);
        tcpf_reasm_flush(r);
        assert_int_equal(st->gaps, NG);
        /* a fill in the middle of the newest gap splits it: the oldest remembered is dropped */
        ins_pat(r, 0xfffffff6u, 10 * (NG - 1) + 2, 1);
        assert_int_equal(st->late_fill, 1);
        for (k = 0; k < NG; k++)
            ins_pat(r, 0xfffffff6u, 10 * k, 5);
        /* remembered: gaps NG-64+1 .. NG-1, and both halves of the split one */
        assert_int_equal(st->late_fill, 1 + 63);
        assert_int_equal(st->late_fill_bytes, 1 + 63 * 5 - 1);
        assert_int_equal(st->retransmitted, NG - 63 + 1); /* + the split gap's middle byte */
        assert_int_equal(st->conflicts, pass == 1 ? NG - 63 : 0);
        pattern_fill(want, 0, sizeof(want));
        for (k = 0; k < NG - 63; k++)
            memset(want + 10 * k, 0, 5);
        assert_int_equal(ts.end, sizeof(want));
        assert_memory_equal(ts.buf, want, sizeof(want));
        tcpf_reasm_destroy(r);
        ts_free(&ts);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_any_order),
        cmocka_unit_test(test_tables_ordered),
        cmocka_unit_test(test_random_scatter),
        cmocka_unit_test(test_create_args),
        cmocka_unit_test(test_fast_path_zero_copy),
        cmocka_unit_test(test_keepalive_no_readback),
        cmocka_unit_test(test_readback_absent_or_failing),
        cmocka_unit_test(test_fin_sequence),
        cmocka_unit_test(test_midstream_hold),
        cmocka_unit_test(test_set_isn_after_midstream),
        cmocka_unit_test(test_cap_segments),
        cmocka_unit_test(test_cap_bytes),
        cmocka_unit_test(test_cap_forced_drains_contiguous),
        cmocka_unit_test(test_prestart_conflicts_rebased),
        cmocka_unit_test(test_nested_calls),
        cmocka_unit_test(test_readback_short),
        cmocka_unit_test(test_memcap_reclaim_other),
        cmocka_unit_test(test_memcap_reclaim_self),
        cmocka_unit_test(test_memcap_self_flush),
        cmocka_unit_test(test_memcap_null),
        cmocka_unit_test(test_million_one_byte),
        cmocka_unit_test(test_backwards),
        cmocka_unit_test(test_serial_far),
        cmocka_unit_test(test_over_4gib),
        cmocka_unit_test(test_jump_zeek_seq_wrap),
        cmocka_unit_test(test_jump_bogus_segment),
        cmocka_unit_test(test_jump_rules),
        cmocka_unit_test(test_late_fill_gaps),
        cmocka_unit_test(test_late_fill_across_delivered),
        cmocka_unit_test(test_late_fill_many_gaps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
