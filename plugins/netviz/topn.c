/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz bounded top-N table (space-saving) and HyperLogLog distinct counter.
 *
 * Space-saving (Metwally, Agrawal, El Abbadi, "Efficient computation of frequent and top-k
 * elements in data streams", ICDT 2005): at most cap keys are monitored; a new key replaces
 * the lightest one and inherits its weight as an error bound. Any key whose true weight is
 * above total/cap is guaranteed to be in the table. Lookup is a linear-probing hash with
 * backward-shift deletion; the lightest entry is the root of a min-heap, so each update costs
 * O(1) expected + O(log cap).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nv.h"

#define TOP_EMPTY UINT32_MAX

/* FNV-1a 64 then a murmur finaliser (good low bits for masking). */
uint64_t
nv_hash(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

int
nv_top_init(struct nv_top *t, uint32_t cap)
{
    uint32_t i;

    memset(t, 0, sizeof(*t));
    if (cap < 16)
        cap = 16;
    t->cap = cap;
    t->nslot = 1;
    while (t->nslot < cap * 2)
        t->nslot <<= 1;
    t->e = calloc(cap, sizeof(*t->e));
    t->heap = calloc(cap, sizeof(*t->heap));
    t->slot = malloc((size_t)t->nslot * sizeof(*t->slot));
    if (t->e == NULL || t->heap == NULL || t->slot == NULL) {
        nv_top_fini(t);
        return TCPF_ENOMEM;
    }
    for (i = 0; i < t->nslot; i++)
        t->slot[i] = TOP_EMPTY;
    return TCPF_OK;
}

void
nv_top_fini(struct nv_top *t)
{
    free(t->e);
    free(t->heap);
    free(t->slot);
    memset(t, 0, sizeof(*t));
}

static void
top_heap_swap(struct nv_top *t, uint32_t a, uint32_t b)
{
    uint32_t x = t->heap[a];

    t->heap[a] = t->heap[b];
    t->heap[b] = x;
    t->e[t->heap[a]].heap_pos = a;
    t->e[t->heap[b]].heap_pos = b;
}

/* Weight grew (or a new leaf was added at the right place): restore the min-heap. */
static void
top_sift_down(struct nv_top *t, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;

        if (l < t->n && t->e[t->heap[l]].weight < t->e[t->heap[m]].weight)
            m = l;
        if (r < t->n && t->e[t->heap[r]].weight < t->e[t->heap[m]].weight)
            m = r;
        if (m == i)
            return;
        top_heap_swap(t, i, m);
        i = m;
    }
}

static void
top_sift_up(struct nv_top *t, uint32_t i)
{
    while (i > 0) {
        uint32_t p = (i - 1) / 2;

        if (t->e[t->heap[p]].weight <= t->e[t->heap[i]].weight)
            return;
        top_heap_swap(t, i, p);
        i = p;
    }
}

static uint32_t
top_find_slot(const struct nv_top *t, const uint8_t *key, uint64_t h)
{
    uint32_t s = (uint32_t)h & (t->nslot - 1);

    while (t->slot[s] != TOP_EMPTY && memcmp(t->e[t->slot[s]].key, key, NV_KEY_MAX) != 0)
        s = (s + 1) & (t->nslot - 1);
    return s;
}

/* Removes the key in slot s (backward-shift deletion keeps probe chains intact). */
static void
top_slot_delete(struct nv_top *t, uint32_t s)
{
    uint32_t mask = t->nslot - 1, j = s;

    t->slot[s] = TOP_EMPTY;
    for (;;) {
        uint32_t home;

        j = (j + 1) & mask;
        if (t->slot[j] == TOP_EMPTY)
            return;
        home = (uint32_t)nv_hash(t->e[t->slot[j]].key, NV_KEY_MAX) & mask;
        /* Move slot j back to s if its home is not cyclically within (s, j]. */
        if (((j - home) & mask) >= ((j - s) & mask)) {
            t->slot[s] = t->slot[j];
            t->slot[j] = TOP_EMPTY;
            s = j;
        }
    }
}

struct nv_top_entry *
nv_top_add(struct nv_top *t, const uint8_t *key, uint64_t w)
{
    uint64_t h = nv_hash(key, NV_KEY_MAX);
    uint32_t s = top_find_slot(t, key, h), idx;
    struct nv_top_entry *e;

    if (t->slot[s] != TOP_EMPTY) {
        e = &t->e[t->slot[s]];
        e->weight += w;
        top_sift_down(t, e->heap_pos);
        return e;
    }
    if (t->n < t->cap) {
        idx = t->n++;
        e = &t->e[idx];
        memset(e, 0, sizeof(*e));
        memcpy(e->key, key, NV_KEY_MAX);
        e->weight = w;
        e->heap_pos = idx;
        t->heap[idx] = idx;
        t->slot[s] = idx;
        top_sift_up(t, idx);
        return e;
    }
    /* Full: replace the lightest entry, which passes its weight on as the error bound. */
    idx = t->heap[0];
    e = &t->e[idx];
    top_slot_delete(t, top_find_slot(t, e->key, nv_hash(e->key, NV_KEY_MAX)));
    s = top_find_slot(t, key, h);
    t->slot[s] = idx;
    t->evictions++;
    {
        uint64_t min = e->weight;

        memset(e->key, 0, sizeof(e->key));
        memcpy(e->key, key, NV_KEY_MAX);
        memset(e->v, 0, sizeof(e->v));
        e->err = min;
        e->weight = min + w;
    }
    top_sift_down(t, 0);
    return e;
}

static int
top_cmp(const void *a, const void *b)
{
    const struct nv_top_entry *x = *(const struct nv_top_entry *const *)a;
    const struct nv_top_entry *y = *(const struct nv_top_entry *const *)b;

    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return memcmp(x->key, y->key, NV_KEY_MAX);
}

size_t
nv_top_best(const struct nv_top *t, const struct nv_top_entry **out, size_t k)
{
    const struct nv_top_entry **all;
    size_t i, n = t->n;

    if (n == 0 || k == 0)
        return 0;
    all = malloc(n * sizeof(*all));
    if (all == NULL)
        return 0;
    for (i = 0; i < n; i++)
        all[i] = &t->e[i];
    qsort(all, n, sizeof(*all), top_cmp);
    if (k > n)
        k = n;
    memcpy(out, all, k * sizeof(*all));
    free(all);
    return k;
}

/* ---- HyperLogLog ------------------------------------------------------------------------- */

void
nv_hll_add(struct nv_hll *h, uint64_t hash)
{
    uint32_t idx = (uint32_t)(hash >> (64 - NV_HLL_BITS));
    uint64_t rest = (hash << NV_HLL_BITS) | (1ULL << (NV_HLL_BITS - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);

    if (rank > h->reg[idx])
        h->reg[idx] = rank;
}

double
nv_hll_estimate(const struct nv_hll *h)
{
    const double m = (double)(1u << NV_HLL_BITS);
    double sum = 0.0, est;
    unsigned zeros = 0, i;

    for (i = 0; i < (1u << NV_HLL_BITS); i++) {
        sum += ldexp(1.0, -(int)h->reg[i]);
        if (h->reg[i] == 0)
            zeros++;
    }
    est = (0.7213 / (1.0 + 1.079 / m)) * m * m / sum;
    if (est <= 2.5 * m && zeros > 0)
        est = m * log(m / (double)zeros); /* linear counting for small cardinalities */
    return est;
}
