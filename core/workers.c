/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: tcpflow -j N: worker threads, batches from the main thread, ordered close merge
 * (see workers.h for the pipeline and the guarantees) */
#include "config.h"

#include "workers.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow.h"
#include "log.h"
#include "options.h"
#include "scanhost.h"

/* Bytes of one batch of records, and batches per worker (the main thread blocks when a
 * worker has all of them queued: back-pressure, bounded memory). */
#define WORKERS_BATCH_BYTES (128u * 1024u)
#define WORKERS_BATCHES 4u
/* Every this many packets every worker gets its batch (even empty), so that its progress
 * mark advances and queued closes can be released. */
#define WORKERS_ROUND 2048u
/* Closes queued on the main thread (a snapshot, the scanner state and the report entries
 * of a direction each, about 2 KB) are kept near this many: with more queued, a round comes
 * early (at most every WORKERS_ROUND_MIN packets), and at end of input a worker thread waits
 * while this many of its closes are queued while the main thread ends its own share a few
 * connections at a time between merges. Without it, 5000 flows ending within a few thousand
 * packets all sat in the queues at once (2 MB of peak RSS). */
#define WORKERS_EOF_BACKLOG 128u
#define WORKERS_ROUND_MIN 32u
/* A worker's progress mark once every segment before its WK_FINISH is processed: its closes
 * with a packet number are then releasable, its EOF closes follow their own rule (eof_last). */
#define WK_DONE_SEGMENTS (UINT64_MAX - 1)

enum wk_type { WK_SEG = 1, WK_TICK, WK_INPUT, WK_FINISH };

/* One record in a batch; a WK_SEG's payload follows it. Records are 8-byte aligned. */
struct wk_rec {
    uint32_t type;
    uint32_t size;           /* whole record, payload and padding included */
    uint64_t index;          /* packet number */
    union {
        struct tcpf_pkt pkt; /* WK_SEG: pointers are fixed up by the worker */
        struct tcpf_time now; /* WK_TICK */
        bool start_new;      /* WK_INPUT */
    } u;
};

struct wk_batch {
    struct wk_batch *next;
    uint64_t upto;           /* every packet numbered <= upto was routed before this batch */
    size_t used, cap;
    uint8_t *data;           /* WORKERS_BATCH_BYTES, grown for a record that is bigger */
};

/* A closed direction waiting for its turn on the main thread. */
struct wk_close {
    struct wk_close *next;
    struct tcpf_close_key key;
    struct tcpf_conn conn;   /* snapshot; conn.dir[dir].scan_state owns the scanner state */
    unsigned dir;
    enum tcpf_end_reason why;
};

struct wk_worker {
    struct tcpf_workers *w;
    pthread_t thread;
    struct tcpf_engine *eng;

    /* batch queue and free list (mutex m) */
    pthread_mutex_t m;
    pthread_cond_t cv_work, cv_free;
    struct wk_batch *q_head, *q_tail, *free_list;
    struct wk_batch *cur;    /* main thread's batch being filled */

    /* closes produced by this worker (mutex om), and the main thread's private FIFO */
    pthread_mutex_t om;
    struct wk_close *out_head, *out_tail;
    struct wk_close *pend_head, *pend_tail;
    uint64_t done;           /* packets processed through this number (atomic) */
    uint64_t eof_last;       /* sub of its newest EOF close so far (atomic): end of input
                              * closes oldest first, so all with a lower sub were queued */
    uint64_t queued;         /* closes queued and not yet released (atomic) */
    uint64_t conns;          /* connections created (atomic, for --progress) */
};

struct tcpf_workers {
    struct tcpf_scanhost *scanhost;
    unsigned n;
    struct wk_worker *wk;
    int64_t last_sec;
    bool have_sec;
    uint64_t last_index;
    uint32_t since_round;
    bool running;            /* every thread started */
    bool finished;
    /* Held by the main thread while it releases closes; a worker that cannot allocate a
     * close record takes it to close in place instead (order may then differ, data not). */
    pthread_mutex_t order_lock;
};

/* ---- hashing --------------------------------------------------------------------------- */

static uint64_t
wk_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t
wk_load64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* The share (0: the main thread, i: worker thread i) of a segment's connection. Symmetric
 * in the two endpoints; VLAN is left out so that every connection that could share an
 * output file name lands on the same share. */
static unsigned
wk_pick(const struct tcpf_workers *w, const struct tcpf_pkt *pkt)
{
    const uint8_t *a = pkt->src, *b = pkt->dst;
    uint16_t pa = pkt->sport, pb = pkt->dport;
    int c = memcmp(a, b, 16);
    uint64_t h = (uint64_t)pkt->family;

    if (c > 0 || (c == 0 && pa > pb)) {
        const uint8_t *t = a;
        uint16_t tp = pa;

        a = b;
        b = t;
        pa = pb;
        pb = tp;
    }
    h = wk_mix(h, wk_load64(a));
    h = wk_mix(h, wk_load64(a + 8));
    h = wk_mix(h, wk_load64(b));
    h = wk_mix(h, wk_load64(b + 8));
    h = wk_mix(h, ((uint64_t)pa << 16) | pb);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    /* The main thread also reads and decodes every packet, so it takes half a worker
     * thread's share: 2n - 1 slots, one for share 0, two for each worker thread. */
    h %= 2 * (uint64_t)w->n - 1;
    return h == 0 ? 0 : (unsigned)((h + 1) / 2);
}

/* ---- batches (main thread side) ------------------------------------------------------------ */

/* Queues k's current batch, marked complete through packet upto, and takes a free one
 * (waiting for the worker to return one). */
static void
wk_send(struct wk_worker *k, uint64_t upto)
{
    struct wk_batch *b = k->cur;

    b->upto = upto;
    b->next = NULL;
    pthread_mutex_lock(&k->m);
    if (k->q_tail != NULL)
        k->q_tail->next = b;
    else
        k->q_head = b;
    k->q_tail = b;
    pthread_cond_signal(&k->cv_work);
    while (k->free_list == NULL)
        pthread_cond_wait(&k->cv_free, &k->m);
    k->cur = k->free_list;
    k->free_list = k->cur->next;
    pthread_mutex_unlock(&k->m);
    k->cur->used = 0;
    k->cur->next = NULL;
}

/* Room for a record of packet number index with `payload` bytes after it in k's batch
 * (sends the batch first when full; grows an empty batch for a record bigger than a batch,
 * which a 256 KiB frame can be). NULL only when memory runs out. */
static struct wk_rec *
wk_append(struct wk_worker *k, uint32_t type, uint64_t index, size_t payload)
{
    size_t size = (offsetof(struct wk_rec, u) + sizeof(((struct wk_rec *)0)->u) + payload + 7) &
                  ~(size_t)7;
    struct wk_rec *r;

    if (k->cur->used + size > k->cur->cap && k->cur->used > 0)
        wk_send(k, index - 1); /* the current packet's record goes in the next batch */
    if (size > k->cur->cap) {
        uint8_t *d = realloc(k->cur->data, size);

        if (d == NULL)
            return NULL;
        k->cur->data = d;
        k->cur->cap = size;
    }
    r = (struct wk_rec *)(void *)(k->cur->data + k->cur->used);
    k->cur->used += size;
    r->type = type;
    r->size = (uint32_t)size;
    r->index = index;
    return r;
}

/* ---- ordered closes (main thread) ---------------------------------------------------------- */

static int
wk_key_cmp(const struct tcpf_close_key *a, const struct tcpf_close_key *b)
{
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    if (a->phase != b->phase)
        return a->phase < b->phase ? -1 : 1;
    if (a->sub != b->sub)
        return a->sub < b->sub ? -1 : 1;
    return 0;
}

/* Progress of every share, read before its queued closes are taken (so that every close a
 * mark vouches for is in the queue taken). */
struct wk_marks {
    uint64_t done[TCPF_WORKERS_MAX];
    uint64_t eof_last[TCPF_WORKERS_MAX];
    uint64_t min_done;
};

/* Can the close at the head of k's queue, the lowest key of all queued closes, go now?
 * A close with a packet number: when every share has processed that packet. An EOF close
 * (index UINT64_MAX, sub = its connection's last packet): when every share is past its
 * segments and every other share has either finished or already queued an EOF close of a
 * later connection (each share's EOF closes come in rising sub). */
static bool
wk_releasable(const struct tcpf_workers *w, const struct wk_worker *k, const struct wk_marks *mk)
{
    const struct tcpf_close_key *key = &k->pend_head->key;
    unsigned j;

    if (key->index != UINT64_MAX)
        return key->index <= mk->min_done;
    if (mk->min_done < WK_DONE_SEGMENTS)
        return false;
    for (j = 0; j < w->n; j++)
        if (&w->wk[j] != k && mk->done[j] != UINT64_MAX && mk->eof_last[j] <= key->sub)
            return false;
    return true;
}

/* Releases, in key order, every queued close that no share can still precede (everything
 * when all is true). */
static void
wk_merge(struct tcpf_workers *w, bool all)
{
    struct wk_marks mk;
    unsigned i;

    mk.min_done = UINT64_MAX;
    for (i = 0; i < w->n; i++) { /* first the marks, then the queues they vouch for */
        mk.eof_last[i] = __atomic_load_n(&w->wk[i].eof_last, __ATOMIC_ACQUIRE);
        mk.done[i] = __atomic_load_n(&w->wk[i].done, __ATOMIC_ACQUIRE);
        if (mk.done[i] < mk.min_done)
            mk.min_done = mk.done[i];
    }
    for (i = 0; i < w->n; i++) {
        struct wk_worker *k = &w->wk[i];

        pthread_mutex_lock(&k->om);
        if (k->out_head != NULL) {
            if (k->pend_tail != NULL)
                k->pend_tail->next = k->out_head;
            else
                k->pend_head = k->out_head;
            k->pend_tail = k->out_tail;
            k->out_head = k->out_tail = NULL;
        }
        pthread_mutex_unlock(&k->om);
    }
    pthread_mutex_lock(&w->order_lock);
    for (;;) {
        struct wk_worker *best = NULL;
        struct wk_close *r;

        for (i = 0; i < w->n; i++) {
            struct wk_close *h = w->wk[i].pend_head;

            if (h != NULL && (best == NULL || wk_key_cmp(&h->key, &best->pend_head->key) < 0))
                best = &w->wk[i];
        }
        if (best == NULL || (!all && !wk_releasable(w, best, &mk)))
            break;
        r = best->pend_head;
        best->pend_head = r->next;
        if (best->pend_head == NULL)
            best->pend_tail = NULL;
        tcpf_scanhost_flow_close(w->scanhost, &r->conn, r->dir, r->why);
        free(r);
        __atomic_sub_fetch(&best->queued, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&w->order_lock);
}

/* ---- worker thread ------------------------------------------------------------------------- */

/* The worker engine's close hook: snapshot the connection and queue the close. */
static void
wk_on_close(void *ctx, struct tcpf_conn *c, unsigned dir, enum tcpf_end_reason why,
            const struct tcpf_close_key *key)
{
    struct wk_worker *k = ctx;
    struct wk_close *r;
    unsigned i;
    bool eof = key->index == UINT64_MAX;

    if (c->dir[dir].scan_state == NULL) {
        if (eof) /* nothing to queue, but this share is past key->sub */
            __atomic_store_n(&k->eof_last, key->sub, __ATOMIC_RELEASE);
        return;
    }
    /* End of input on a worker thread: wait for the main thread to drain (it never waits
     * here itself, so it always can; see wk_releasable for why the lowest close can go). */
    while (eof && k != &k->w->wk[0] &&
           __atomic_load_n(&k->queued, __ATOMIC_ACQUIRE) >= WORKERS_EOF_BACKLOG) {
        struct timespec ts = { 0, 200000 };

        nanosleep(&ts, NULL);
    }
    r = malloc(sizeof(*r));
    if (r == NULL) {
        /* Out of memory: close now, in whatever order; the flow is still reported. */
        pthread_mutex_lock(&k->w->order_lock);
        tcpf_scanhost_flow_close(k->w->scanhost, c, dir, why);
        pthread_mutex_unlock(&k->w->order_lock);
        return;
    }
    r->next = NULL;
    r->key = *key;
    r->conn = *c;
    for (i = 0; i < 2; i++) {
        r->conn.dir[i].conn = &r->conn;
        r->conn.dir[i].reasm = NULL;
        r->conn.dir[i].out = NULL;
        if (i != dir)
            r->conn.dir[i].scan_state = NULL;
    }
    r->conn.hash_next = r->conn.lru_prev = r->conn.lru_next = NULL;
    r->conn.ended_prev = r->conn.ended_next = NULL;
    r->dir = dir;
    r->why = why;
    c->dir[dir].scan_state = NULL; /* now owned by the snapshot */
    pthread_mutex_lock(&k->om);
    if (k->out_tail != NULL)
        k->out_tail->next = r;
    else
        k->out_head = r;
    k->out_tail = r;
    pthread_mutex_unlock(&k->om);
    __atomic_add_fetch(&k->queued, 1, __ATOMIC_RELEASE);
    if (eof)
        __atomic_store_n(&k->eof_last, key->sub, __ATOMIC_RELEASE);
}

/* Runs one batch through the worker's engine. Returns false after WK_FINISH. */
static bool
wk_run_batch(struct wk_worker *k, struct wk_batch *b)
{
    size_t off = 0;
    bool more = true;

    while (off < b->used) {
        struct wk_rec *r = (struct wk_rec *)(void *)(b->data + off);

        switch (r->type) {
        case WK_SEG:
            r->u.pkt.payload = (const uint8_t *)r + offsetof(struct wk_rec, u) +
                               sizeof(r->u);
            tcpf_engine_segment(k->eng, &r->u.pkt, r->index);
            break;
        case WK_TICK:
            tcpf_engine_tick(k->eng, &r->u.now, r->index);
            break;
        case WK_INPUT:
            tcpf_engine_set_input(k->eng, 0, r->u.start_new);
            break;
        case WK_FINISH:
            __atomic_store_n(&k->done, WK_DONE_SEGMENTS, __ATOMIC_RELEASE);
            tcpf_engine_finish(k->eng);
            more = false;
            break;
        default:
            break;
        }
        off += r->size;
    }
    __atomic_store_n(&k->conns, tcpf_engine_stats(k->eng)->conns, __ATOMIC_RELAXED);
    __atomic_store_n(&k->done, more ? b->upto : UINT64_MAX, __ATOMIC_RELEASE);
    return more;
}

static void *
wk_main(void *arg)
{
    struct wk_worker *k = arg;
    bool more = true;

    while (more) {
        struct wk_batch *b;

        pthread_mutex_lock(&k->m);
        while (k->q_head == NULL)
            pthread_cond_wait(&k->cv_work, &k->m);
        b = k->q_head;
        k->q_head = b->next;
        if (k->q_head == NULL)
            k->q_tail = NULL;
        pthread_mutex_unlock(&k->m);

        more = wk_run_batch(k, b);

        pthread_mutex_lock(&k->m);
        b->next = k->free_list;
        k->free_list = b;
        pthread_cond_signal(&k->cv_free);
        pthread_mutex_unlock(&k->m);
    }
    return NULL;
}

/* ---- routing (main thread) ----------------------------------------------------------------- */

/* Closes queued on all shares and not yet released. */
static uint64_t
wk_backlog(const struct tcpf_workers *w)
{
    uint64_t sum = 0;
    unsigned i;

    for (i = 0; i < w->n; i++)
        sum += __atomic_load_n(&w->wk[i].queued, __ATOMIC_RELAXED);
    return sum;
}

/* Sends every worker its batch (a round), then releases the closes that became ready. */
static void
wk_round(struct tcpf_workers *w)
{
    unsigned i;

    for (i = 1; i < w->n; i++)
        wk_send(&w->wk[i], w->last_index);
    w->since_round = 0;
    __atomic_store_n(&w->wk[0].conns, tcpf_engine_stats(w->wk[0].eng)->conns, __ATOMIC_RELAXED);
    wk_merge(w, false);
}

void
tcpf_workers_route(void *ctx, const struct tcpf_pkt *pkt, uint64_t index,
                   const struct tcpf_time *now)
{
    struct tcpf_workers *w = ctx;
    unsigned target = w->n, i;
    bool tick = !w->have_sec || now->sec != w->last_sec;

    w->last_index = index;
    w->have_sec = true;
    w->last_sec = now->sec;
    if (pkt != NULL) {
        struct wk_rec *r;

        target = wk_pick(w, pkt);
        if (target == 0) { /* the main thread's own share */
            tcpf_engine_segment(w->wk[0].eng, pkt, index);
            goto out;
        }
        r = wk_append(&w->wk[target], WK_SEG, index, pkt->payload_len);
        if (r == NULL) {
            tcpf_log(TCPF_LOG_ERROR, "-j: out of memory: packet %llu dropped",
                     (unsigned long long)index);
            goto out;
        }
        r->u.pkt = *pkt;
        r->u.pkt.ip = NULL;
        r->u.pkt.frag_hdr = NULL;
        r->u.pkt.frag_data = NULL;
        r->u.pkt.payload = NULL;
        if (pkt->payload_len > 0)
            memcpy((uint8_t *)r + offsetof(struct wk_rec, u) + sizeof(r->u), pkt->payload,
                   pkt->payload_len);
    }
    /* The clock's second changed: every other worker checks its idle connections at this
     * same packet, as the single engine of -j 1 would. */
out:
    if (tick) {
        if (target != 0)
            tcpf_engine_tick(w->wk[0].eng, now, index);
        for (i = 1; i < w->n; i++)
            if (i != target)
                wk_append(&w->wk[i], WK_TICK, index, 0)->u.now = *now;
    }
    __atomic_store_n(&w->wk[0].done, index, __ATOMIC_RELEASE);
    /* the backlog (an atomic load per share) is looked at only every WORKERS_ROUND_MIN
     * packets, not on every packet */
    if (++w->since_round >= WORKERS_ROUND ||
        (w->since_round % WORKERS_ROUND_MIN == 0 && wk_backlog(w) >= WORKERS_EOF_BACKLOG))
        wk_round(w);
}

void
tcpf_workers_set_input(struct tcpf_workers *w, bool start_new_flows)
{
    unsigned i;

    tcpf_engine_set_input(w->wk[0].eng, 0, start_new_flows);
    for (i = 1; i < w->n; i++)
        wk_append(&w->wk[i], WK_INPUT, w->last_index + 1, 0)->u.start_new = start_new_flows;
}

uint64_t
tcpf_workers_conns(const struct tcpf_workers *w)
{
    uint64_t sum = 0;
    unsigned i;

    for (i = 0; i < w->n; i++)
        sum += __atomic_load_n(&w->wk[i].conns, __ATOMIC_RELAXED);
    return sum;
}

/* ---- life cycle ---------------------------------------------------------------------------- */

struct tcpf_workers *
tcpf_workers_create(const struct tcpf_workers_config *cfg, char *err, size_t errlen)
{
    struct tcpf_workers *w = calloc(1, sizeof(*w));
    unsigned i, j;

    if (w == NULL || cfg->n < 2 || cfg->n > TCPF_WORKERS_MAX)
        goto oom;
    w->scanhost = cfg->scanhost;
    w->n = cfg->n;
    pthread_mutex_init(&w->order_lock, NULL);
    if ((w->wk = calloc(cfg->n, sizeof(*w->wk))) == NULL)
        goto oom;
    for (i = 0; i < w->n; i++) {
        struct wk_worker *k = &w->wk[i];
        struct tcpf_engine_config ec;

        k->w = w;
        pthread_mutex_init(&k->m, NULL);
        pthread_mutex_init(&k->om, NULL);
        pthread_cond_init(&k->cv_work, NULL);
        pthread_cond_init(&k->cv_free, NULL);
        for (j = 0; i > 0 && j < WORKERS_BATCHES; j++) { /* share 0: inline, no batches */
            struct wk_batch *b = calloc(1, sizeof(*b));

            if (b == NULL || (b->data = malloc(WORKERS_BATCH_BYTES)) == NULL) {
                free(b);
                goto oom;
            }
            b->cap = WORKERS_BATCH_BYTES;
            b->next = k->free_list;
            k->free_list = b;
        }
        if (i > 0) {
            k->cur = k->free_list;
            k->free_list = k->cur->next;
            k->cur->next = NULL;
            k->cur->used = 0;
        }
        memset(&ec, 0, sizeof(ec));
        ec.opts = cfg->opts;
        ec.writer = cfg->writers[i];
        ec.scanhost = cfg->scanhost;
        ec.close_hook = wk_on_close;
        ec.ctx = k;
        /* the run's limits are shared out between the workers */
        ec.max_flows = cfg->opts->max_flows / w->n ? cfg->opts->max_flows / w->n : 1;
        ec.memcap = cfg->opts->memcap / w->n ? cfg->opts->memcap / w->n : 1;
        ec.max_ended = TCPF_ENGINE_MAX_ENDED / w->n ? TCPF_ENGINE_MAX_ENDED / w->n : 1;
        if ((k->eng = tcpf_engine_create(&ec)) == NULL)
            goto oom;
    }
    for (i = 1; i < w->n; i++) {
        int rc = pthread_create(&w->wk[i].thread, NULL, wk_main, &w->wk[i]);

        if (rc != 0) {
            snprintf(err, errlen, "-j %u: cannot start worker thread %u: %s", cfg->n, i + 1,
                     strerror(rc));
            for (j = 1; j < i; j++) { /* nothing routed yet: stop the threads started */
                struct wk_worker *k = &w->wk[j];

                wk_append(k, WK_FINISH, UINT64_MAX, 0);
                wk_send(k, UINT64_MAX);
                pthread_join(k->thread, NULL);
            }
            tcpf_workers_destroy(w);
            return NULL;
        }
    }
    w->running = true;
    return w;
oom:
    snprintf(err, errlen, "-j %u: out of memory", cfg->n);
    tcpf_workers_destroy(w);
    return NULL;
}

void
tcpf_workers_finish(struct tcpf_workers *w, struct tcpf_engine *front)
{
    unsigned i;

    if (w == NULL || !w->running || w->finished)
        return;
    w->finished = true;
    for (i = 1; i < w->n; i++) {
        struct wk_worker *k = &w->wk[i];

        wk_append(k, WK_FINISH, UINT64_MAX, 0); /* fits: a record without payload */
        wk_send(k, UINT64_MAX);
    }
    /* The main thread's share, a few connections at a time, releasing closes in between
     * while the others drain. */
    __atomic_store_n(&w->wk[0].done, WK_DONE_SEGMENTS, __ATOMIC_RELEASE);
    for (;;) {
        if (__atomic_load_n(&w->wk[0].queued, __ATOMIC_ACQUIRE) >= WORKERS_EOF_BACKLOG) {
            struct timespec ts = { 0, 200000 }; /* ahead of the workers: let them catch up */

            nanosleep(&ts, NULL);
        } else if (tcpf_engine_finish_step(w->wk[0].eng, WORKERS_EOF_BACKLOG / 4)) {
            break;
        }
        wk_merge(w, false);
    }
    __atomic_store_n(&w->wk[0].done, UINT64_MAX, __ATOMIC_RELEASE);
    /* Release closes while the workers drain, so queued scanner state does not pile up. */
    for (i = 0; i < w->n; i++) {
        while (__atomic_load_n(&w->wk[i].done, __ATOMIC_ACQUIRE) != UINT64_MAX) {
            struct timespec ts = { 0, 2000000 };

            wk_merge(w, false);
            nanosleep(&ts, NULL);
        }
    }
    for (i = 1; i < w->n; i++)
        pthread_join(w->wk[i].thread, NULL);
    wk_merge(w, true);
    for (i = 0; i < w->n && front != NULL; i++)
        tcpf_engine_absorb(front, w->wk[i].eng);
}

void
tcpf_workers_destroy(struct tcpf_workers *w)
{
    unsigned i;

    if (w == NULL)
        return;
    tcpf_workers_finish(w, NULL);
    for (i = 0; w->wk != NULL && i < w->n; i++) {
        struct wk_worker *k = &w->wk[i];
        struct wk_batch *b;

        tcpf_engine_destroy(k->eng);
        while ((b = k->free_list) != NULL) {
            k->free_list = b->next;
            free(b->data);
            free(b);
        }
        while ((b = k->q_head) != NULL) {
            k->q_head = b->next;
            free(b->data);
            free(b);
        }
        if (k->cur != NULL)
            free(k->cur->data);
        free(k->cur);
        pthread_mutex_destroy(&k->m);
        pthread_mutex_destroy(&k->om);
        pthread_cond_destroy(&k->cv_work);
        pthread_cond_destroy(&k->cv_free);
    }
    free(w->wk);
    pthread_mutex_destroy(&w->order_lock);
    free(w);
}
