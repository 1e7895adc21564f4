/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the packet pipeline and the TCP connection state machine
 * references: RFC 9293 (TCP), RFC 5961 §3 (RST acceptance), RFC 7413 (data in SYN) */
#include "config.h"

#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "flowtab.h"
#include "ipfrag.h"
#include "log.h"
#include "options.h"
#include "outname.h"
#include "reasm.h"
#include "scanhost.h"
#include "writer.h"

/* A connection whose directions are all closed is kept this long (packet time) so that late
 * retransmissions are recognised instead of starting a new instance. */
#define ENGINE_ENDED_LINGER_SEC 120

/* Minimum window assumed when validating an RST (RFC 9293 default window, unscaled). */
#define ENGINE_MIN_RST_WINDOW 65535u

struct tcpf_engine {
    const struct tcpf_options *opts;
    struct tcpf_writer *writer;
    struct tcpf_scanhost *scanhost;
    struct tcpf_console *console;
    struct tcpf_flowtab *flows;
    struct tcpf_ipfrag *frags;
    struct tcpf_memcap memcap;
    struct tcpf_reasm_limits reasm_limits;
    struct tcpf_stats stats;
    uint64_t next_flow_id;
    uint64_t max_flows;
    uint64_t cur_index;         /* number of the packet being processed */
    uint8_t phase;              /* tcpf_close_key.phase of closes happening now */
    tcpf_engine_router route;
    tcpf_engine_close_hook close_hook;
    void *ctx;
    struct tcpf_writer_stats wextra; /* absorbed from worker engines' writers */
    int dlt;
    bool start_new_flows;
    struct tcpf_time now;
    int64_t expired_sec;        /* now.sec of the last expiry scan */
    bool expired_once;
    struct tcpf_conn *ended_head, *ended_tail; /* ended connections, oldest first */
    uint32_t n_ended;
    uint32_t max_ended;         /* bound of n_ended */
};

/* ---- names -------------------------------------------------------------------------- */

/* Fills name variables for direction d of c (sender of d is the source). */
static void
engine_name_vars(const struct tcpf_conn *c, const struct tcpf_dir *d,
                 struct tcpf_outname_vars *v)
{
    const struct tcpf_flowkey *k = &c->key;

    memset(v, 0, sizeof(*v));
    v->family = k->family == TCPF_AF_INET6 ? TCPF_AF_INET6 : TCPF_AF_INET;
    memcpy(v->src, d->index == 0 ? k->addr_a : k->addr_b, 16);
    memcpy(v->dst, d->index == 0 ? k->addr_b : k->addr_a, 16);
    v->sport = d->index == 0 ? k->port_a : k->port_b;
    v->dport = d->index == 0 ? k->port_b : k->port_a;
    v->has_vlan = k->has_vlan;
    v->vlan = k->vlan;
    v->has_mac = d->has_mac;
    memcpy(v->mac_src, d->mac_src, 6);
    memcpy(v->mac_dst, d->mac_dst, 6);
    v->first_ts = d->first_ts;
    v->flow_id = d->flow_id;
    v->session_id = c->conn_id;
}

/* ---- reassembly sink ---------------------------------------------------------------- */

/* Tells the scanners the name of d's output file, relative to the output directory (the
 * writer's path carries the "outdir/" prefix the user sees). */
static void
engine_announce_file(struct tcpf_engine *e, struct tcpf_conn *c, struct tcpf_dir *d)
{
    const char *path = tcpf_wfile_path(d->out);
    const char *dir = e->opts->outdir;
    size_t n = strlen(dir);

    if (path == NULL)
        return;
    if (n > 0 && strcmp(dir, ".") != 0 && strncmp(path, dir, n) == 0 && path[n] == '/')
        path += n + 1;
    tcpf_scanhost_set_flow_file(e->scanhost, c, d->index, path);
}

/* Ordered data of one direction: to the flow file and to the scanners. */
static void
engine_deliver(void *ctx, uint64_t offset, const uint8_t *data, size_t len, uint64_t gap,
               const struct tcpf_time *ts)
{
    struct tcpf_dir *d = ctx;
    struct tcpf_conn *c = d->conn;
    struct tcpf_engine *e = c->engine;

    if (e->writer != NULL && e->opts->store) {
        bool named;
        uint32_t splits;

        if (d->out == NULL) {
            struct tcpf_outname_vars v;

            engine_name_vars(c, d, &v);
            d->out = tcpf_wfile_create(e->writer, &v);
            if (d->out == NULL)
                e->stats.alloc_failures++;
        }
        if (d->out != NULL) {
            named = tcpf_wfile_path(d->out) != NULL;
            splits = tcpf_wfile_splits(d->out);
            (void)tcpf_wfile_write(d->out, offset, data, len);
            if (e->scanhost != NULL &&
                ((!named && tcpf_wfile_path(d->out) != NULL) || splits != tcpf_wfile_splits(d->out)))
                engine_announce_file(e, c, d);
        }
    }
    if (e->scanhost != NULL)
        tcpf_scanhost_flow_data(e->scanhost, c, d->index, offset, data, len, gap, ts);
}

/* The reassembler found bytes that differ from an earlier copy (first copy kept). */
static void
engine_conflict(void *ctx, uint64_t offset, size_t len)
{
    struct tcpf_dir *d = ctx;

    tcpf_log(TCPF_LOG_INFO, "flow %llu: conflicting overlap of %zu bytes at offset %llu "
             "(first copy kept)", (unsigned long long)d->flow_id, len,
             (unsigned long long)offset);
}

/* Bytes that arrive after their hole was delivered as a gap: they go into the flow file at
 * their true offset (filling the hole) but never to in-order consumers. */
static void
engine_late_fill(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
    struct tcpf_dir *d = ctx;

    if (d->out != NULL)
        (void)tcpf_wfile_write(d->out, offset, data, len);
}

/* Reads back delivered bytes from the flow file for overlap comparison. */
static long
engine_readback(void *ctx, uint64_t offset, uint8_t *buf, size_t len)
{
    struct tcpf_dir *d = ctx;

    if (d->out == NULL)
        return -1;
    return tcpf_wfile_readback(d->out, offset, buf, len);
}

/* Memory pressure: flush queued out-of-order data of the least recently active flows. */
static void
engine_reclaim(void *ctx, size_t needed)
{
    struct tcpf_engine *e = ctx;
    size_t start = e->memcap.used;
    struct tcpf_conn *c;

    for (c = tcpf_flowtab_oldest(e->flows); c != NULL; c = tcpf_flowtab_newer(c)) {
        int i;

        for (i = 0; i < 2; i++)
            if (c->dir[i].reasm != NULL && tcpf_reasm_queued_bytes(c->dir[i].reasm) > 0)
                tcpf_reasm_flush(c->dir[i].reasm);
        if (start - e->memcap.used >= needed)
            break;
    }
}

/* ---- direction and connection lifecycle --------------------------------------------- */

/* Makes direction d of c a flow: id, reassembler, scanner open. */
static void
engine_dir_activate(struct tcpf_engine *e, struct tcpf_conn *c, struct tcpf_dir *d)
{
    static const struct tcpf_reasm_sink sink = {
        .deliver = engine_deliver,
        .conflict = engine_conflict,
        .readback = engine_readback,
        .late_fill = engine_late_fill,
    };

    d->active = true;
    d->flow_id = e->next_flow_id++;
    e->stats.dirs++;
    d->reasm = tcpf_reasm_create(&sink, d, &e->reasm_limits, &e->memcap);
    if (d->reasm == NULL)
        e->stats.alloc_failures++;
    if (e->scanhost != NULL)
        tcpf_scanhost_flow_open(e->scanhost, c, d->index);
}

/* Adds one closed direction's reassembly counters to the run totals. */
static void
engine_add_reasm_stats(struct tcpf_engine *e, const struct tcpf_reasm_stats *s)
{
    e->stats.reasm_out_of_order += s->out_of_order;
    e->stats.reasm_retransmitted += s->retransmitted;
    e->stats.reasm_conflicts += s->conflicts;
    e->stats.reasm_conflict_bytes += s->conflict_bytes;
    e->stats.reasm_gaps += s->gaps;
    e->stats.reasm_gap_bytes += s->gap_bytes;
    e->stats.reasm_before_start_bytes += s->before_start_bytes;
    e->stats.reasm_after_fin += s->after_fin;
    e->stats.reasm_forced_flushes += s->forced_flushes;
    e->stats.reasm_late_fill_bytes += s->late_fill_bytes;
}

static void
engine_count_close(struct tcpf_engine *e, enum tcpf_end_reason why)
{
    switch (why) {
    case TCPF_END_FIN: e->stats.closed_fin++; break;
    case TCPF_END_RST: e->stats.closed_rst++; break;
    case TCPF_END_TIMEOUT: e->stats.closed_timeout++; break;
    case TCPF_END_EVICTED: e->stats.closed_evicted++; break;
    case TCPF_END_EOF: e->stats.closed_eof++; break;
    case TCPF_END_REUSED: e->stats.closed_reused++; break;
    }
}

static const char *const engine_reason_names[] = {
    [TCPF_END_FIN] = "fin", [TCPF_END_RST] = "rst", [TCPF_END_TIMEOUT] = "timeout",
    [TCPF_END_EVICTED] = "evicted", [TCPF_END_EOF] = "eof", [TCPF_END_REUSED] = "reused",
};

/* v in decimal into buf (at least 21 bytes); returns buf. (snprintf was a tenth of the
 * user time of a run of short connections: ~25 numbers per flow.) */
static const char *
engine_u64_dec(uint64_t v, char buf[24])
{
    char *p = buf + 23;

    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return p;
}

/* Adds one "key=value" report entry for direction d (scanner "tcpflow"). */
static void
engine_report_u64(struct tcpf_engine *e, struct tcpf_conn *c, struct tcpf_dir *d,
                  const char *key, uint64_t v)
{
    char buf[24];

    tcpf_scanhost_report_add(e->scanhost, c, d->index, key, engine_u64_dec(v, buf));
}

/* "aa:bb:cc:dd:ee:ff" into out[18]. */
static void
engine_format_mac(const uint8_t mac[6], char out[18])
{
    static const char hex[] = "0123456789abcdef";
    int i;

    for (i = 0; i < 6; i++) { /* "xx:xx:...": snprintf was a percent of short-flow runs */
        out[3 * i] = hex[mac[i] >> 4];
        out[3 * i + 1] = hex[mac[i] & 15];
        out[3 * i + 2] = i < 5 ? ':' : '\0';
    }
}

/* The core's per-flow facts for report sinks (dfxml), added just before flow_close. Keys are
 * documented in docs/writing-a-scanner.md ("Entries from the core"). */
static void
engine_report_dir(struct tcpf_engine *e, struct tcpf_conn *c, struct tcpf_dir *d,
                  const struct tcpf_reasm_stats *rs, enum tcpf_end_reason why)
{
    char mac[18];

    if (d->out != NULL) {
        engine_report_u64(e, c, d, "filesize", tcpf_wfile_size(d->out));
        engine_report_u64(e, c, d, "file_splits", tcpf_wfile_splits(d->out));
    }
    engine_report_u64(e, c, d, "packets", d->packets);
    engine_report_u64(e, c, d, "len", d->wire_bytes);
    engine_report_u64(e, c, d, "caplen", d->cap_bytes);
    engine_report_u64(e, c, d, "violations", d->violations);
    engine_report_u64(e, c, d, "payload_missing", d->payload_missing);
    if (rs != NULL) {
        engine_report_u64(e, c, d, "out_of_order_count", rs->out_of_order);
        engine_report_u64(e, c, d, "retransmitted", rs->retransmitted);
        engine_report_u64(e, c, d, "conflicts", rs->conflicts);
        engine_report_u64(e, c, d, "conflict_bytes", rs->conflict_bytes);
        engine_report_u64(e, c, d, "gaps", rs->gaps);
        engine_report_u64(e, c, d, "gap_bytes", rs->gap_bytes);
        engine_report_u64(e, c, d, "late_fill_bytes", rs->late_fill_bytes);
        engine_report_u64(e, c, d, "before_start_bytes", rs->before_start_bytes);
        engine_report_u64(e, c, d, "after_fin", rs->after_fin);
    }
    if (d->has_mac) {
        engine_format_mac(d->mac_src, mac);
        tcpf_scanhost_report_add(e->scanhost, c, d->index, "mac_saddr", mac);
        engine_format_mac(d->mac_dst, mac);
        tcpf_scanhost_report_add(e->scanhost, c, d->index, "mac_daddr", mac);
    }
    tcpf_scanhost_report_add(e->scanhost, c, d->index, "close_reason", engine_reason_names[why]);
    tcpf_scanhost_report_add(e->scanhost, c, d->index, "midstream", c->midstream ? "1" : "0");
}

/* Ends one active direction: delivers what is queued (with gaps), closes its file, tells the
 * scanners. Keeps the sequence range so stragglers can be recognised. */
static void
engine_dir_close(struct tcpf_engine *e, struct tcpf_conn *c, struct tcpf_dir *d,
                 enum tcpf_end_reason why)
{
    struct tcpf_reasm_stats rs;
    bool have_rs = false;

    if (!d->active || d->closed)
        return;
    if (d->reasm != NULL) {
        tcpf_reasm_flush(d->reasm);
        if (tcpf_reasm_has_start(d->reasm)) {
            uint64_t end = tcpf_reasm_delivered_end(d->reasm);

            d->end_seq = tcpf_reasm_next_seq(d->reasm);
            d->start_seq = d->end_seq - (uint32_t)end;
            d->has_range = true;
        }
        rs = *tcpf_reasm_stats(d->reasm);
        have_rs = true;
        engine_add_reasm_stats(e, &rs);
        tcpf_reasm_destroy(d->reasm);
        d->reasm = NULL;
    }
    if (e->scanhost != NULL)
        engine_report_dir(e, c, d, have_rs ? &rs : NULL, why);
    if (d->out != NULL) {
        if (e->scanhost != NULL)
            engine_announce_file(e, c, d);
        (void)tcpf_wfile_close(d->out);
        d->out = NULL;
    }
    if (e->scanhost != NULL) {
        tcpf_scanhost_flow_close_unordered(e->scanhost, c, d->index, why);
        if (e->close_hook != NULL) {
            struct tcpf_close_key key = {
                .index = e->cur_index,
                .phase = e->phase,
                .sub = e->phase == 1 ? c->last_index : 0,
            };

            e->close_hook(e->ctx, c, d->index, why, &key);
        } else {
            tcpf_scanhost_flow_close(e->scanhost, c, d->index, why);
        }
    }
    d->closed = true;
    d->end_reason = why;
    engine_count_close(e, why);
}

/* Frees c (its directions are closed), unlinking it from the ended list. */
static void
engine_conn_free(struct tcpf_engine *e, struct tcpf_conn *c)
{
    if (c->ended) {
        if (c->ended_prev != NULL)
            c->ended_prev->ended_next = c->ended_next;
        else
            e->ended_head = c->ended_next;
        if (c->ended_next != NULL)
            c->ended_next->ended_prev = c->ended_prev;
        else
            e->ended_tail = c->ended_prev;
        e->n_ended--;
    }
    tcpf_flowtab_remove(e->flows, c);
}

/* Marks c ended: it stays in the table only to recognise stragglers, on a FIFO bounded by
 * max_ended (the oldest ended connection is freed first), so finished connections
 * cost no memory beyond that however many a capture holds. */
static void
engine_mark_ended(struct tcpf_engine *e, struct tcpf_conn *c)
{
    if (c->ended)
        return;
    c->ended = true;
    c->ended_next = NULL;
    c->ended_prev = e->ended_tail;
    if (e->ended_tail != NULL)
        e->ended_tail->ended_next = c;
    else
        e->ended_head = c;
    e->ended_tail = c;
    if (++e->n_ended > e->max_ended)
        engine_conn_free(e, e->ended_head);
}

/* Ends every open direction of c; c stays in the table as an ended connection. */
static void
engine_conn_end(struct tcpf_engine *e, struct tcpf_conn *c, enum tcpf_end_reason why)
{
    engine_dir_close(e, c, &c->dir[0], why);
    engine_dir_close(e, c, &c->dir[1], why);
}

/* Ends c and frees it. */
static void
engine_conn_remove(struct tcpf_engine *e, struct tcpf_conn *c, enum tcpf_end_reason why)
{
    engine_conn_end(e, c, why);
    engine_conn_free(e, c);
}

/* True when every active direction of c is closed. */
static bool
engine_conn_all_closed(const struct tcpf_conn *c)
{
    return (!c->dir[0].active || c->dir[0].closed) && (!c->dir[1].active || c->dir[1].closed);
}

/* Expires idle connections from the old end of the LRU list (packet time): frees ended
 * connections idle longer than the linger time and times out open ones idle longer than
 * tcp_timeout. Ended connections still lingering are stepped over (at most max_ended
 * of them), so they never hold back the timeout of an open connection behind them. Idle
 * times are whole seconds, so nothing new can expire until the clock's second changes:
 * the scan runs once per second of capture time. */
static void
engine_expire(struct tcpf_engine *e)
{
    struct tcpf_conn *c, *next;
    uint32_t skipped = 0;

    if (e->expired_once && e->now.sec == e->expired_sec)
        return;
    e->expired_once = true;
    e->expired_sec = e->now.sec;
    for (c = tcpf_flowtab_oldest(e->flows); c != NULL; c = next) {
        int64_t idle = e->now.sec - c->last_ts.sec;

        next = tcpf_flowtab_newer(c);
        if (c->ended) {
            if (idle > ENGINE_ENDED_LINGER_SEC)
                engine_conn_free(e, c);
            else if (++skipped > e->max_ended)
                break;
        } else if (e->opts->tcp_timeout > 0 && idle > (int64_t)e->opts->tcp_timeout) {
            engine_conn_remove(e, c, TCPF_END_TIMEOUT);
        } else {
            break;
        }
    }
}

/* ---- TCP state ---------------------------------------------------------------------- */

/* Serial-number "a is before b" (RFC 1982). */
static bool
seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

/* Next sequence number direction d is expected to send, if known. */
static bool
engine_dir_next_seq(const struct tcpf_dir *d, uint32_t *next)
{
    if (d->reasm != NULL && tcpf_reasm_has_start(d->reasm)) {
        *next = tcpf_reasm_next_seq(d->reasm);
        return true;
    }
    if (d->syn_seen) {
        *next = d->isn + 1;
        return true;
    }
    return false;
}

/* RFC 5961-style acceptance: an RST sent on direction d is believed only if its sequence
 * number lies in the window the peer offered [next - 1, next + window]. When nothing is
 * known about d's sequence space, an RST that acknowledges the peer's next byte is believed
 * (the answer to a SYN), and so is one on a connection that never carried data. */
static bool
engine_rst_valid(const struct tcpf_conn *c, const struct tcpf_dir *d, const struct tcpf_pkt *pkt)
{
    const struct tcpf_dir *peer = &c->dir[d->index ^ 1];
    uint32_t next, win;

    win = peer->window > ENGINE_MIN_RST_WINDOW ? peer->window : ENGINE_MIN_RST_WINDOW;
    if (engine_dir_next_seq(d, &next)) {
        int64_t delta = (int32_t)(pkt->seq - next);

        return delta >= -1 && delta <= (int64_t)win;
    }
    if ((pkt->flags & TCPF_TH_ACK) && engine_dir_next_seq(peer, &next)) {
        int64_t delta = (int32_t)(pkt->ack - next);

        return delta >= -(int64_t)win && delta <= (int64_t)win;
    }
    return true;
}

/* Per-direction counters and link details of a packet that belongs to an active flow. */
static void
engine_dir_account(struct tcpf_dir *d, const struct tcpf_pkt *pkt)
{
    if (d->packets == 0) {
        d->first_ts = pkt->ts;
        d->has_mac = pkt->has_mac;
        memcpy(d->mac_src, pkt->mac_src, 6);
        memcpy(d->mac_dst, pkt->mac_dst, 6);
    }
    d->last_ts = pkt->ts;
    d->packets++;
    d->wire_bytes += pkt->wirelen;
    d->cap_bytes += pkt->caplen;
    d->payload_missing += pkt->payload_missing;
}

/* Window bookkeeping: the window this direction advertises bounds what its peer may send. */
static void
engine_dir_window(struct tcpf_conn *c, struct tcpf_dir *d, const struct tcpf_pkt *pkt)
{
    const struct tcpf_dir *peer = &c->dir[d->index ^ 1];

    if (pkt->flags & TCPF_TH_SYN) {
        d->wscale = pkt->wscale;
        d->window = pkt->window;
        return;
    }
    if (d->wscale >= 0 && peer->wscale >= 0)
        d->window = (uint32_t)pkt->window << d->wscale;
    else
        d->window = pkt->window;
    if (pkt->flags & TCPF_TH_ACK) {
        d->last_ack = pkt->ack;
        d->has_ack = true;
    }
}

/* A packet for a closed direction. Returns true when the packet was consumed (counted and
 * ignored); false when it must start a new connection instance. */
static bool
engine_closed_dir_packet(struct tcpf_engine *e, struct tcpf_conn *c, struct tcpf_dir *d,
                         const struct tcpf_pkt *pkt)
{
    uint32_t seq = pkt->seq;

    if (pkt->flags & TCPF_TH_SYN)
        return false;
    if (pkt->payload_len == 0)
        return true;
    if (d->has_range && !seq_lt(seq, d->start_seq) && seq_lt(seq, d->end_seq + 1)) {
        e->stats.late_retransmissions++;
        return true;
    }
    if (!engine_conn_all_closed(c)) {
        e->stats.data_after_close++;
        return true;
    }
    return false;
}

/* Finds or creates the connection of pkt; sets *dirp. Returns NULL if the packet is ignored. */
static struct tcpf_conn *
engine_conn_for(struct tcpf_engine *e, const struct tcpf_pkt *pkt, int *dirp)
{
    struct tcpf_conn *c = tcpf_flowtab_lookup(e->flows, pkt, dirp);
    bool syn = pkt->flags & TCPF_TH_SYN;

    if (c != NULL) {
        struct tcpf_dir *d = &c->dir[*dirp];

        if (d->closed || c->ended) {
            if (engine_closed_dir_packet(e, c, d, pkt))
                return NULL;
            engine_conn_remove(e, c, TCPF_END_REUSED);
            c = NULL;
        } else if (syn && d->syn_seen && pkt->seq != d->isn &&
                   (d->packets > d->syn_count || d->fin_seen)) {
            engine_conn_remove(e, c, TCPF_END_REUSED);
            c = NULL;
        } else {
            return c;
        }
    }
    if ((pkt->flags & TCPF_TH_RST) || (!syn && pkt->payload_len == 0)) {
        e->stats.no_flow++;
        return NULL;
    }
    if (!e->start_new_flows) {
        e->stats.ignored_finish_only++;
        return NULL;
    }
    while (tcpf_flowtab_count(e->flows) >= e->max_flows) {
        struct tcpf_conn *old = tcpf_flowtab_oldest(e->flows);

        engine_conn_remove(e, old, TCPF_END_EVICTED);
    }
    c = tcpf_flowtab_insert(e->flows, pkt);
    if (c == NULL) {
        e->stats.alloc_failures++;
        return NULL;
    }
    c->engine = e;
    c->uid = e->cur_index;
    c->midstream = !syn;
    e->stats.conns++;
    if (tcpf_flowtab_count(e->flows) > e->stats.max_conns)
        e->stats.max_conns = tcpf_flowtab_count(e->flows);
    *dirp = 0;
    return c;
}

/* The TCP part of the pipeline. */
static void
engine_tcp(struct tcpf_engine *e, const struct tcpf_pkt *pkt)
{
    struct tcpf_conn *c;
    struct tcpf_dir *d;
    bool syn = pkt->flags & TCPF_TH_SYN;
    int dir;

    e->stats.tcp_packets++;
    e->stats.payload_missing += pkt->payload_missing;
    c = engine_conn_for(e, pkt, &dir);
    if (c == NULL)
        return;
    d = &c->dir[dir];
    c->last_ts = pkt->ts;
    c->last_index = e->cur_index;
    tcpf_flowtab_touch(e->flows, c);
    if (!d->active) {
        if (!syn && pkt->payload_len == 0 && !(pkt->flags & TCPF_TH_RST)) {
            engine_dir_window(c, d, pkt);
            return; /* pure ACK of a direction that never spoke: no flow (tcpflow) */
        }
        engine_dir_activate(e, c, d);
    }
    engine_dir_account(d, pkt);
    engine_dir_window(c, d, pkt);
    if (syn) {
        d->syn_count++;
        if (!d->syn_seen) {
            d->syn_seen = true;
            d->isn = pkt->seq;
            if (d->reasm != NULL)
                tcpf_reasm_set_isn(d->reasm, pkt->seq);
        }
        if (pkt->payload_len > 0)
            e->stats.syn_with_data++;
    }
    if (pkt->flags & TCPF_TH_RST) {
        if (!engine_rst_valid(c, d, pkt)) {
            e->stats.rst_ignored++;
            d->violations++;
            return;
        }
        d->rst_seen = true;
        if (pkt->payload_len > 0 && d->reasm != NULL)
            tcpf_reasm_insert(d->reasm, pkt->seq, pkt->payload, pkt->payload_len, &pkt->ts);
        engine_conn_end(e, c, TCPF_END_RST);
        engine_mark_ended(e, c);
        return;
    }
    if (pkt->payload_len > 0 && d->reasm != NULL) {
        uint32_t data_seq = syn ? pkt->seq + 1 : pkt->seq;

        if (tcpf_reasm_insert(d->reasm, data_seq, pkt->payload, pkt->payload_len, &pkt->ts) < 0)
            e->stats.alloc_failures++;
    }
    if ((pkt->flags & TCPF_TH_FIN) && d->reasm != NULL) {
        d->fin_seen = true;
        tcpf_reasm_fin(d->reasm, (syn ? pkt->seq + 1 : pkt->seq) + pkt->payload_len);
    }
    if (d->fin_seen && d->reasm != NULL && tcpf_reasm_complete(d->reasm))
        engine_dir_close(e, c, d, TCPF_END_FIN);
    if (engine_conn_all_closed(c))
        engine_mark_ended(e, c);
}

/* Console modes print each segment as it arrives, before reassembly (tcpflow -c). The
 * client (blue with -g) is the side that opened the connection with a bare SYN. */
static void
engine_console(struct tcpf_engine *e, const struct tcpf_pkt *pkt)
{
    struct tcpf_conn tmp, *c;
    struct tcpf_outname_vars v;
    struct tcpf_console_seg seg;
    char name[TCPF_OUTNAME_MAX];
    int dir = 0;

    if (pkt->payload_len == 0)
        return;
    memset(&tmp, 0, sizeof(tmp));
    tcpf_flowkey_from_pkt(&tmp.key, pkt);
    tmp.dir[0].has_mac = pkt->has_mac;
    memcpy(tmp.dir[0].mac_src, pkt->mac_src, 6);
    memcpy(tmp.dir[0].mac_dst, pkt->mac_dst, 6);
    tmp.dir[0].first_ts = pkt->ts;
    engine_name_vars(&tmp, &tmp.dir[0], &v);
    if (tcpf_outname_expand(e->opts->tmpl, &v, name, sizeof(name), NULL) != TCPF_OUTNAME_OK)
        name[0] = '\0';
    c = tcpf_flowtab_lookup(e->flows, pkt, &dir);
    memset(&seg, 0, sizeof(seg));
    seg.name = name;
    seg.is_client = c != NULL ? (!c->midstream && dir == 0)
                              : (pkt->flags & (TCPF_TH_SYN | TCPF_TH_ACK)) == TCPF_TH_SYN;
    seg.vars = &v;
    seg.data = pkt->payload;
    seg.len = pkt->payload_len;
    (void)tcpf_console_print(e->console, &seg, NULL);
}

/* Handles a decoded packet that is an IP fragment. Returns true when pkt now holds a whole
 * TCP segment from a completed datagram. */
static bool
engine_fragment(struct tcpf_engine *e, struct tcpf_pkt *pkt)
{
    const uint8_t *dgram;
    uint32_t len = 0;
    enum tcpf_decode_status st;

    if (pkt->frag_proto != 6)
        return false;
    dgram = tcpf_ipfrag_add(e->frags, pkt, &len);
    if (dgram == NULL)
        return false;
    st = tcpf_decode_ip(dgram, len, pkt);
    e->stats.decode[st]++;
    return st == TCPF_DECODE_TCP;
}

void
tcpf_engine_packet(struct tcpf_engine *e, const struct tcpf_time *ts, uint32_t caplen,
                   uint32_t wirelen, const uint8_t *data)
{
    struct tcpf_pkt pkt;
    enum tcpf_decode_status st;

    e->stats.packets++;
    e->stats.bytes += wirelen;
    e->cur_index = e->stats.packets;
    memset(&pkt, 0, sizeof(pkt));
    pkt.ts = *ts;
    pkt.ts.sec += e->opts->tdelta;
    pkt.caplen = caplen;
    pkt.wirelen = wirelen;
    e->now = pkt.ts;
    st = tcpf_decode_frame(e->dlt, data, caplen, &pkt);
    e->stats.decode[st]++;
    if (st == TCPF_DECODE_FRAGMENT && !engine_fragment(e, &pkt))
        goto out;
    if (st != TCPF_DECODE_TCP && st != TCPF_DECODE_FRAGMENT)
        goto out;
    if (e->scanhost != NULL && tcpf_scanhost_wants_packets(e->scanhost))
        tcpf_scanhost_packet(e->scanhost, &pkt);
    if (e->route != NULL) {
        e->route(e->ctx, &pkt, e->cur_index, &e->now);
        return;
    }
    if (e->console != NULL)
        engine_console(e, &pkt);
    e->phase = 0;
    engine_tcp(e, &pkt);
out:
    if (e->route != NULL) {
        e->route(e->ctx, NULL, e->cur_index, &e->now);
        return;
    }
    e->phase = 1;
    engine_expire(e);
}

void
tcpf_engine_segment(struct tcpf_engine *e, const struct tcpf_pkt *pkt, uint64_t index)
{
    e->cur_index = index;
    e->now = pkt->ts;
    e->phase = 0;
    engine_tcp(e, pkt);
    e->phase = 1;
    engine_expire(e);
}

void
tcpf_engine_tick(struct tcpf_engine *e, const struct tcpf_time *now, uint64_t index)
{
    e->cur_index = index;
    e->now = *now;
    e->phase = 1;
    engine_expire(e);
}

/* ---- setup -------------------------------------------------------------------------- */

struct tcpf_engine *
tcpf_engine_create(const struct tcpf_engine_config *cfg)
{
    struct tcpf_engine *e = calloc(1, sizeof(*e));

    if (e == NULL)
        return NULL;
    e->opts = cfg->opts;
    e->writer = cfg->writer;
    e->scanhost = cfg->scanhost;
    e->console = cfg->console;
    e->route = cfg->route;
    e->close_hook = cfg->close_hook;
    e->ctx = cfg->ctx;
    e->max_flows = cfg->max_flows ? cfg->max_flows : cfg->opts->max_flows;
    e->max_ended = cfg->max_ended ? cfg->max_ended : TCPF_ENGINE_MAX_ENDED;
    tcpf_reasm_limits_resolve(&e->reasm_limits);
    e->start_new_flows = true;
    e->memcap.limit = (size_t)(cfg->memcap ? cfg->memcap : cfg->opts->memcap);
    e->memcap.reclaim = engine_reclaim;
    e->memcap.reclaim_ctx = e;
    e->flows = tcpf_flowtab_create();
    e->frags = tcpf_ipfrag_create(NULL);
    if (e->flows == NULL || e->frags == NULL) {
        tcpf_engine_destroy(e);
        return NULL;
    }
    return e;
}

void
tcpf_engine_set_input(struct tcpf_engine *e, int dlt, bool start_new_flows)
{
    e->dlt = dlt;
    e->start_new_flows = start_new_flows;
}

void
tcpf_engine_finish(struct tcpf_engine *e)
{
    while (!tcpf_engine_finish_step(e, SIZE_MAX))
        ;
}

bool
tcpf_engine_finish_step(struct tcpf_engine *e, size_t max)
{
    struct tcpf_conn *c;
    const struct tcpf_ipfrag_stats *fs;

    e->cur_index = UINT64_MAX;
    e->phase = 1;
    while ((c = tcpf_flowtab_oldest(e->flows)) != NULL) {
        if (max-- == 0)
            return false;
        engine_conn_remove(e, c, TCPF_END_EOF);
    }
    fs = tcpf_ipfrag_stats(e->frags);
    e->stats.frag_completed = fs->completed;
    e->stats.frag_timed_out = fs->timed_out;
    e->stats.frag_evicted = fs->evicted;
    e->stats.frag_invalid = fs->invalid;
    e->stats.frag_overlaps = fs->overlaps;
    e->stats.memcap_reclaims = e->memcap.reclaims;
    return true;
}

/* Adds the counters of a to sum (max_open becomes the sum of the high-water marks). */
static void
engine_writer_stats_add(struct tcpf_writer_stats *sum, const struct tcpf_writer_stats *a)
{
    sum->files_created += a->files_created;
    sum->max_open += a->max_open;
    sum->evictions += a->evictions;
    sum->splits += a->splits;
    sum->bytes_written += a->bytes_written;
    sum->bytes_clipped += a->bytes_clipped;
    sum->skipped_bytes += a->skipped_bytes;
}

/* Adds one run-level counter entry (scanner "tcpflow"). */
static void
engine_report_run_u64(struct tcpf_engine *e, const char *key, uint64_t v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
    tcpf_scanhost_report_add(e->scanhost, NULL, 0, key, buf);
}

void
tcpf_engine_report_run(struct tcpf_engine *e)
{
    const struct tcpf_stats *s = &e->stats;
    char key[64];
    int i;

    if (e->scanhost == NULL)
        return;
    engine_report_run_u64(e, "packets", s->packets);
    engine_report_run_u64(e, "bytes", s->bytes);
    engine_report_run_u64(e, "tcp_packets", s->tcp_packets);
    for (i = 0; i < TCPF_DECODE_STATUS_COUNT; i++) {
        if (i == TCPF_DECODE_TCP || s->decode[i] == 0)
            continue;
        snprintf(key, sizeof(key), "dropped.%s", tcpf_decode_status_name(i));
        engine_report_run_u64(e, key, s->decode[i]);
    }
    engine_report_run_u64(e, "payload_missing", s->payload_missing);
    engine_report_run_u64(e, "no_flow", s->no_flow);
    engine_report_run_u64(e, "connections", s->conns);
    engine_report_run_u64(e, "total_flows", s->dirs);
    engine_report_run_u64(e, "max_open_connections", s->max_conns);
    engine_report_run_u64(e, "closed.fin", s->closed_fin);
    engine_report_run_u64(e, "closed.rst", s->closed_rst);
    engine_report_run_u64(e, "closed.timeout", s->closed_timeout);
    engine_report_run_u64(e, "closed.evicted", s->closed_evicted);
    engine_report_run_u64(e, "closed.eof", s->closed_eof);
    engine_report_run_u64(e, "closed.reused", s->closed_reused);
    engine_report_run_u64(e, "rst_ignored", s->rst_ignored);
    engine_report_run_u64(e, "late_retransmissions", s->late_retransmissions);
    engine_report_run_u64(e, "data_after_close", s->data_after_close);
    engine_report_run_u64(e, "syn_with_data", s->syn_with_data);
    engine_report_run_u64(e, "reasm.conflicts", s->reasm_conflicts);
    engine_report_run_u64(e, "reasm.conflict_bytes", s->reasm_conflict_bytes);
    engine_report_run_u64(e, "reasm.gaps", s->reasm_gaps);
    engine_report_run_u64(e, "reasm.gap_bytes", s->reasm_gap_bytes);
    engine_report_run_u64(e, "reasm.forced_flushes", s->reasm_forced_flushes);
    engine_report_run_u64(e, "reasm.memcap_reclaims", s->memcap_reclaims);
    engine_report_run_u64(e, "ipfrag.completed", s->frag_completed);
    engine_report_run_u64(e, "ipfrag.timed_out", s->frag_timed_out);
    engine_report_run_u64(e, "ipfrag.evicted", s->frag_evicted);
    engine_report_run_u64(e, "ipfrag.invalid", s->frag_invalid);
    engine_report_run_u64(e, "alloc_failures", s->alloc_failures);
    if (e->writer != NULL || e->wextra.files_created > 0 || e->route != NULL) {
        struct tcpf_writer_stats sum = e->wextra;
        const struct tcpf_writer_stats *w = &sum;

        if (e->writer != NULL)
            engine_writer_stats_add(&sum, tcpf_writer_stats(e->writer));

        engine_report_run_u64(e, "files_created", w->files_created);
        engine_report_run_u64(e, "max_open_files", w->max_open);
        engine_report_run_u64(e, "fd_evictions", w->evictions);
        engine_report_run_u64(e, "file_splits", w->splits);
        engine_report_run_u64(e, "bytes_written", w->bytes_written);
        engine_report_run_u64(e, "bytes_clipped", w->bytes_clipped);
        engine_report_run_u64(e, "bytes_not_written_after_error", w->skipped_bytes);
    }
}

void
tcpf_engine_absorb(struct tcpf_engine *dst, const struct tcpf_engine *src)
{
    uint64_t *d = (uint64_t *)(void *)&dst->stats;
    const uint64_t *s = (const uint64_t *)(const void *)&src->stats;
    size_t i;

    /* Every field of struct tcpf_stats is a uint64_t counter (checked below); frame and
     * decode counters come from the front engine, the rest from the workers. max_conns
     * becomes the sum of the workers' high-water marks (an upper bound). */
    _Static_assert(sizeof(struct tcpf_stats) % sizeof(uint64_t) == 0,
                   "struct tcpf_stats must hold only uint64_t counters");
    for (i = 0; i < sizeof(dst->stats) / sizeof(uint64_t); i++)
        d[i] += s[i];
    if (src->writer != NULL)
        engine_writer_stats_add(&dst->wextra, tcpf_writer_stats(src->writer));
}

const struct tcpf_stats *
tcpf_engine_stats(const struct tcpf_engine *e)
{
    return &e->stats;
}

void
tcpf_engine_destroy(struct tcpf_engine *e)
{
    if (e == NULL)
        return;
    tcpf_flowtab_destroy(e->flows);
    tcpf_ipfrag_destroy(e->frags);
    free(e);
}
