/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: libFuzzer target: TCP reassembly (core/reasm) against a first-wins byte-map model
 *
 * Input layout:
 *   byte 0       mode: bit 0 set the ISN first (model checked); bit 1 small limits (caps,
 *                max_jump 4096, midstream_hold 512: forced flushes and jump candidates);
 *                bit 2 a shared memcap of 16 KiB (self-flush path); bits 3-4 the ISN:
 *                0, 1, 2^32-1 or bytes 1-4 (so 2^32-10 and other wrap points are reachable)
 *   bytes 1-4    ISN (big-endian), used when bits 3-4 are 3
 *   records of 5 bytes: op, off_lo, off_hi, len, tag
 *     op & 3 in {0,1}: a segment at stream offset (off - 512) (so 512 bytes before the start
 *                      are reachable) of len bytes (x16 when op & 4); byte i of the segment is
 *                      (tag * 31 + offset + i) & 0xff, so equal tags retransmit the same bytes
 *                      and different tags conflict
 *     op & 3 == 2:     a FIN at stream offset (off - 512)
 *     op & 3 == 3:     tcpf_reasm_flush()
 *   At the end the stream is flushed.
 *
 * Model (when the ISN is set first): byte o of the stream is the first copy of o inserted at
 * o >= 0, below the accepted FIN; a FIN at an offset below the delivered end is forgotten, as
 * reasm.h documents, and an accepted one removes the model bytes at or beyond it. Oracle:
 *   - deliveries are contiguous (offset - gap = previous end), no byte is delivered twice;
 *   - every delivered and late-filled byte equals the model byte at its offset;
 *   - with no flush before the end and no forced flush, the final stream (deliveries + late
 *     fills) equals the model exactly: every model byte delivered, every hole a gap;
 *   - nothing stays queued after the final flush.
 * Without the ISN (midstream) only the structural checks apply.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "reasm.h"

#define FZ_PRE 512                     /* offsets (off - FZ_PRE): some before the start */
#define FZ_SPACE (65536 + 4096)        /* above the highest reachable offset (65023 + 4080) */

struct fz {
    bool model_on;
    uint8_t model[FZ_SPACE];
    bool model_has[FZ_SPACE];
    uint8_t out[FZ_SPACE];
    uint8_t out_state[FZ_SPACE]; /* 0 nothing, 1 delivered data, 2 gap, 3 late fill */
    uint64_t end;                /* end of the deliveries so far */
    bool midstream;
};

static struct fz *fz;

static void
fz_deliver(void *ctx, uint64_t offset, const uint8_t *data, size_t len, uint64_t gap,
           const struct tcpf_time *ts)
{
    struct fz *z = ctx;
    uint64_t o;

    (void)ts;
    FUZZ_CHECK(len > 0 || gap > 0);
    FUZZ_CHECK(offset >= gap && offset - gap == z->end);
    if (z->midstream) { /* offsets are the reassembler's own: structure only */
        z->end = offset + len;
        return;
    }
    FUZZ_CHECK(offset + len <= FZ_SPACE);
    for (o = offset - gap; o < offset; o++) {
        FUZZ_CHECK(z->out_state[o] == 0);
        z->out_state[o] = 2;
    }
    for (o = 0; o < len; o++) {
        FUZZ_CHECK(z->out_state[offset + o] == 0);
        z->out_state[offset + o] = 1;
        z->out[offset + o] = data[o];
        if (z->model_on) {
            FUZZ_CHECK(z->model_has[offset + o]);
            FUZZ_CHECK(z->model[offset + o] == data[o]);
        }
    }
    z->end = offset + len;
}

static void
fz_conflict(void *ctx, uint64_t offset, size_t len)
{
    (void)ctx;
    FUZZ_CHECK(len > 0);
    FUZZ_CHECK(offset < (uint64_t)1 << 40);
}

static long
fz_readback(void *ctx, uint64_t offset, uint8_t *buf, size_t len)
{
    struct fz *z = ctx;
    size_t n = 0;

    if (z->midstream)
        return -1;
    while (n < len && offset + n < FZ_SPACE &&
           (z->out_state[offset + n] == 1 || z->out_state[offset + n] == 3)) {
        buf[n] = z->out[offset + n];
        n++;
    }
    return n > 0 ? (long)n : -1;
}

static void
fz_late_fill(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    struct fz *z = ctx;
    size_t i;

    FUZZ_CHECK(len > 0);
    FUZZ_CHECK(offset + len <= z->end);
    if (z->midstream)
        return;
    for (i = 0; i < len; i++) {
        FUZZ_CHECK(z->out_state[offset + i] == 2); /* only into a delivered gap, once */
        z->out_state[offset + i] = 3;
        z->out[offset + i] = data[i];
        if (z->model_on) {
            FUZZ_CHECK(z->model_has[offset + i]);
            FUZZ_CHECK(z->model[offset + i] == data[i]);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tcpf_reasm_sink sink;
    struct tcpf_reasm_limits lim;
    struct tcpf_memcap mc;
    struct tcpf_reasm *r;
    struct tcpf_time ts = { 1600000000, 0 };
    const struct tcpf_reasm_stats *st;
    uint8_t seg[4096];
    uint8_t mode;
    uint32_t isn = 0;
    bool early_flush = false, fin_done = false;
    int64_t fin_off = -1;
    size_t pos;

    if (size < 5)
        return 0;
    if (fz == NULL) {
        fz = malloc(sizeof(*fz));
        if (fz == NULL)
            return 0;
    }
    memset(fz, 0, sizeof(*fz));
    mode = data[0];
    switch ((mode >> 3) & 3) {
    case 0: isn = 0; break;
    case 1: isn = 1; break;
    case 2: isn = 0xffffffffu; break;
    default:
        isn = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
        break;
    }
    fz->model_on = (mode & 1) != 0;
    fz->midstream = !fz->model_on;

    memset(&sink, 0, sizeof(sink));
    sink.deliver = fz_deliver;
    sink.conflict = fz_conflict;
    sink.readback = fz_readback;
    sink.late_fill = fz_late_fill;
    memset(&lim, 0, sizeof(lim));
    if (mode & 2) {
        lim.max_queued_bytes = 8192;
        lim.max_queued_segs = 16;
        lim.midstream_hold = 512;
        lim.max_jump = 4096;
    }
    memset(&mc, 0, sizeof(mc));
    mc.limit = 16384;
    tcpf_reasm_limits_resolve(&lim);
    r = tcpf_reasm_create(&sink, fz, &lim, (mode & 4) ? &mc : NULL);
    if (r == NULL)
        return 0;
    if (fz->model_on) {
        tcpf_reasm_set_isn(r, isn);
        FUZZ_CHECK(tcpf_reasm_has_start(r));
    }

    for (pos = 5; pos + 5 <= size; pos += 5) {
        uint8_t op = data[pos];
        int64_t off = (int64_t)(data[pos + 1] | (unsigned)data[pos + 2] << 8) - FZ_PRE;
        size_t len = data[pos + 3] * ((op & 4) ? 16u : 1u);
        uint8_t tag = data[pos + 4];
        uint32_t seq = isn + 1 + (uint32_t)off; /* wraps on purpose */
        size_t i;

        ts.nsec = (uint32_t)(pos % 1000000000u);
        switch (op & 3) {
        case 0:
        case 1:
            for (i = 0; i < len; i++)
                seg[i] = (uint8_t)(tag * 31u + (uint64_t)(off + (int64_t)i));
            if (fz->model_on) {
                for (i = 0; i < len; i++) {
                    int64_t o = off + (int64_t)i;

                    if (o < 0 || (fin_off >= 0 && o >= fin_off) || fz->model_has[o])
                        continue;
                    fz->model_has[o] = true;
                    fz->model[o] = seg[i];
                }
            }
            (void)tcpf_reasm_insert(r, seq, seg, len, &ts);
            break;
        case 2:
            if (fz->model_on && !fin_done) {
                /* reasm.h: a FIN behind the delivered end is forgotten */
                if (off >= (int64_t)tcpf_reasm_delivered_end(r)) {
                    int64_t o;

                    fin_done = true;
                    fin_off = off;
                    for (o = off; o < FZ_SPACE; o++)
                        fz->model_has[o] = false;
                }
            }
            tcpf_reasm_fin(r, seq);
            break;
        default:
            early_flush = true;
            tcpf_reasm_flush(r);
            break;
        }
        if (fz->model_on) {
            FUZZ_CHECK(tcpf_reasm_delivered_end(r) == fz->end);
            FUZZ_CHECK(tcpf_reasm_next_seq(r) == isn + 1 + (uint32_t)fz->end);
        }
    }
    st = tcpf_reasm_stats(r);
    if (fz->model_on && !early_flush && st->forced_flushes == 0 && st->gaps == 0) {
        uint64_t o, hi = 0;

        tcpf_reasm_flush(r);
        for (o = 0; o < FZ_SPACE; o++)
            if (fz->model_has[o])
                hi = o + 1;
        FUZZ_CHECK(fz->end == hi);
        for (o = 0; o < hi; o++) {
            if (fz->model_has[o])
                FUZZ_CHECK(fz->out_state[o] == 1 && fz->out[o] == fz->model[o]);
            else
                FUZZ_CHECK(fz->out_state[o] == 2);
        }
    } else {
        tcpf_reasm_flush(r);
    }
    FUZZ_CHECK(tcpf_reasm_queued_bytes(r) == 0);
    if (fin_done)
        FUZZ_CHECK(fz->end <= (uint64_t)fin_off);
    st = tcpf_reasm_stats(r);
    FUZZ_CHECK(st->conflict_bytes >= st->conflicts);
    tcpf_reasm_destroy(r);
    FUZZ_CHECK(mc.used == 0);
    return 0;
}
