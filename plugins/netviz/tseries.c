/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz adaptive time series: bytes per interval by service class, bounded.
 *
 * NV_TS_BINS bins of a width taken from a ladder in which every width is a whole multiple of
 * the one before (1 ms, 2 ms, 10 ms ... 1 s, 2 s, 10 s, 20 s, 1 min ... 1 day, 7 days, 28 days,
 * 364 days). Bin 0 starts at a multiple of the width (UTC-aligned), so when the capture
 * outgrows the bins, each bin folds exactly into one bin of the next width: the series never
 * needs the packets again, and its memory never grows.
 */
#include <stdlib.h>
#include <string.h>

#include "nv.h"

static const int64_t ts_ladder[] = {
    1, 2, 10, 20, 100, 200, 1000, 2000, 10000, 20000, 60000, 120000, 600000, 1200000,
    3600000, 7200000, 21600000, 43200000, 86400000, 604800000, 2419200000LL, 31449600000LL,
    314496000000LL,
};
#define TS_NSTEP ((int)(sizeof(ts_ladder) / sizeof(ts_ladder[0])))

int
nv_ts_init(struct nv_tseries *ts)
{
    memset(ts, 0, sizeof(*ts));
    ts->step = -1;
    ts->bytes = calloc(NV_TS_BINS, sizeof(*ts->bytes));
    ts->conns = calloc(NV_TS_BINS, sizeof(*ts->conns));
    if (ts->bytes == NULL || ts->conns == NULL) {
        nv_ts_fini(ts);
        return TCPF_ENOMEM;
    }
    return TCPF_OK;
}

void
nv_ts_fini(struct nv_tseries *ts)
{
    free(ts->bytes);
    free(ts->conns);
    ts->bytes = NULL;
    ts->conns = NULL;
}

int64_t
nv_ts_width(const struct nv_tseries *ts)
{
    return ts->step < 0 ? 0 : ts_ladder[ts->step];
}

static int64_t
ts_floor(int64_t v, int64_t w)
{
    int64_t q = v / w;

    if (v % w != 0 && v < 0)
        q--;
    return q * w;
}

/* Folds the bins into the next ladder width. */
static void
ts_coarsen(struct nv_tseries *ts)
{
    int64_t w1 = ts_ladder[ts->step + 1], w0 = ts_ladder[ts->step];
    int64_t o1 = ts_floor(ts->origin, w1);
    uint32_t i, used = 0;

    for (i = 0; i < ts->used; i++) {
        uint32_t j = (uint32_t)((ts->origin + (int64_t)i * w0 - o1) / w1);
        unsigned c;

        if (j == i)
            continue;
        for (c = 0; c < NV_NCLASS; c++) {
            ts->bytes[j][c] += ts->bytes[i][c];
            ts->bytes[i][c] = 0;
        }
        ts->conns[j] += ts->conns[i];
        ts->conns[i] = 0;
    }
    if (ts->used > 0)
        used = (uint32_t)((ts->origin + (int64_t)(ts->used - 1) * w0 - o1) / w1) + 1;
    ts->used = used;
    ts->origin = o1;
    ts->step++;
}

/* Makes room for a sample at ms: coarsens and/or shifts. Returns its bin, or -1. */
static int64_t
ts_place(struct nv_tseries *ts, int64_t ms)
{
    for (;;) {
        int64_t w = ts_ladder[ts->step];
        int64_t lo = ms < ts->origin ? ts_floor(ms, w) : ts->origin;
        int64_t end = ts->origin + (int64_t)ts->used * w;
        int64_t hi = ms + 1 > end ? ms + 1 : end;
        int64_t need = (hi - lo + w - 1) / w;

        if (need <= NV_TS_BINS) {
            if (lo < ts->origin) {
                uint32_t shift = (uint32_t)((ts->origin - lo) / w);

                memmove(ts->bytes + shift, ts->bytes, ts->used * sizeof(*ts->bytes));
                memset(ts->bytes, 0, shift * sizeof(*ts->bytes));
                memmove(ts->conns + shift, ts->conns, ts->used * sizeof(*ts->conns));
                memset(ts->conns, 0, shift * sizeof(*ts->conns));
                ts->origin = lo;
                ts->used += shift;
            }
            return (ms - ts->origin) / w;
        }
        if (ts->step + 1 >= TS_NSTEP)
            return -1;
        ts_coarsen(ts);
    }
}

void
nv_ts_add(struct nv_tseries *ts, int64_t ms, unsigned cls, uint64_t bytes, bool conn_start)
{
    int64_t b;

    if (ts->bytes == NULL || cls >= NV_NCLASS)
        return;
    /* Out of any plausible range (hostile timestamps): counted, not drawn. */
    if (ms < -(INT64_C(1) << 52) || ms > (INT64_C(1) << 52)) {
        ts->clamped++;
        return;
    }
    if (ts->step < 0) {
        ts->step = 0;
        ts->origin = ms;
        ts->used = 0;
    }
    b = ts_place(ts, ms);
    if (b < 0) {
        ts->clamped++;
        return;
    }
    ts->bytes[b][cls] += bytes;
    if (conn_start)
        ts->conns[b]++;
    if ((uint32_t)b + 1 > ts->used)
        ts->used = (uint32_t)b + 1;
}

size_t
nv_ts_view(const struct nv_tseries *ts, size_t max_bins, int64_t *width, int64_t *origin,
           uint64_t **out_bytes, uint64_t **out_conns)
{
    int step = ts->step;
    int64_t w0, w, o, last;
    size_t n, i;
    uint64_t *b, *k;

    *out_bytes = NULL;
    *out_conns = NULL;
    if (step < 0 || ts->used == 0 || max_bins == 0)
        return 0;
    w0 = ts_ladder[step];
    last = ts->origin + (int64_t)(ts->used - 1) * w0;
    for (;;) {
        w = ts_ladder[step];
        o = ts_floor(ts->origin, w);
        n = (size_t)((last - o) / w) + 1;
        if (n <= max_bins || step + 1 >= TS_NSTEP)
            break;
        step++;
    }
    b = calloc(n * NV_NCLASS, sizeof(*b));
    k = calloc(n, sizeof(*k));
    if (b == NULL || k == NULL) {
        free(b);
        free(k);
        return 0;
    }
    for (i = 0; i < ts->used; i++) {
        size_t j = (size_t)((ts->origin + (int64_t)i * w0 - o) / w);
        unsigned c;

        if (j >= n)
            continue;
        for (c = 0; c < NV_NCLASS; c++)
            b[j * NV_NCLASS + c] += ts->bytes[i][c];
        k[j] += ts->conns[i];
    }
    *width = w;
    *origin = o;
    *out_bytes = b;
    *out_conns = k;
    return n;
}

uint64_t
nv_ts_peak(const struct nv_tseries *ts, int64_t *win_ms, int64_t *at_ms)
{
    int64_t w0, win, o;
    uint64_t best = 0, cur = 0;
    int64_t cur_start = INT64_MIN;
    uint32_t i;

    *win_ms = 0;
    *at_ms = 0;
    if (ts->step < 0 || ts->used == 0)
        return 0;
    w0 = ts_ladder[ts->step];
    win = w0 < 1000 ? 1000 : w0; /* 1000 is on the ladder: finer widths divide it */
    o = ts->origin;
    for (i = 0; i < ts->used; i++) {
        int64_t start = ts_floor(o + (int64_t)i * w0, win);
        uint64_t sum = 0;
        unsigned c;

        if (start != cur_start) {
            cur_start = start;
            cur = 0;
        }
        for (c = 0; c < NV_NCLASS; c++)
            sum += ts->bytes[i][c];
        cur += sum;
        if (cur > best) {
            best = cur;
            *at_ms = cur_start;
        }
    }
    *win_ms = win;
    return best;
}
