/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: a TCP connection and its two directions, as kept in the flow table
 *
 * A connection (struct tcpf_conn) is keyed by family, both addresses, both ports and VLAN.
 * dir[0] is the direction of the first packet seen (normally the client), dir[1] the reverse.
 * Each direction is one tcpflow "flow": one output file, one reassembler, its own counters.
 * Everything that lives as long as a connection hangs off it and is freed in
 * tcpf_flowtab_remove().
 */
#ifndef TCPF_CORE_FLOW_H
#define TCPF_CORE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

struct tcpf_reasm;
struct tcpf_wfile;

/* The bidirectional key, in the orientation of dir[0] (a = sender of dir[0]). */
struct tcpf_flowkey {
    uint8_t family;          /* TCPF_AF_INET / TCPF_AF_INET6 */
    bool has_vlan;
    uint16_t vlan;
    uint16_t port_a, port_b;
    uint8_t addr_a[16], addr_b[16];
};

/* Why a direction (or a whole connection) ended. Same values as the SDK's close reasons. */
enum tcpf_end_reason {
    TCPF_END_FIN = 1,        /* FIN seen and every byte before it delivered */
    TCPF_END_RST = 2,        /* in-window RST */
    TCPF_END_TIMEOUT = 3,    /* idle longer than the flow timeout (packet time) */
    TCPF_END_EVICTED = 4,    /* flow table or memory budget full */
    TCPF_END_EOF = 5,        /* end of input */
    TCPF_END_REUSED = 6,     /* a new connection (SYN) reused the 4-tuple */
};

/* One direction of a connection. */
struct tcpf_dir {
    struct tcpf_conn *conn;     /* back pointer (the reassembler's sink context is the dir) */
    uint8_t index;              /* 0 or 1 */
    bool active;                /* a SYN or data was seen: this direction is a flow */
    struct tcpf_reasm *reasm;   /* owned; NULL until the first packet with payload or SYN */
    struct tcpf_wfile *out;     /* owned; NULL until the first byte is written */
    uint64_t flow_id;           /* creation index of this direction (tcpflow's %N/%K/%M/%G) */

    struct tcpf_time first_ts, last_ts;
    uint64_t packets;           /* TCP packets seen on this direction */
    uint64_t wire_bytes;        /* sum of frame lengths on the wire */
    uint64_t cap_bytes;         /* sum of captured frame lengths */
    uint64_t payload_missing;   /* payload bytes promised by IP but cut by the snap length */
    uint32_t violations;        /* SYN with data after handshake, data before ISN, ... */
    uint32_t syn_count;
    bool has_mac;
    uint8_t mac_src[6], mac_dst[6];

    bool syn_seen;              /* a SYN (or SYN-ACK) was seen on this direction */
    bool fin_seen;
    bool rst_seen;
    bool closed;                /* no more data will be accepted on this instance */
    enum tcpf_end_reason end_reason;

    uint32_t isn;               /* valid when syn_seen */
    bool has_range;             /* start_seq/end_seq valid (set when the direction closes) */
    uint32_t start_seq, end_seq; /* sequence space the closed direction covered */
    uint32_t last_ack;          /* last ACK number this direction sent (valid when has_ack) */
    bool has_ack;
    uint32_t window;            /* last advertised window, scaled when both SYNs had wscale */
    int8_t wscale;              /* from this direction's SYN, -1 if none */

    void *scan_state;           /* owned by the scanner host (core/scanhost.c) */
};

/* One TCP connection instance. */
struct tcpf_conn {
    struct tcpf_flowkey key;
    uint64_t conn_id;           /* creation index of the connection in its engine (%S) */
    uint64_t uid;               /* number (from 1) of the capture packet that created it: the
                                 * scanners' conn_id, the same whatever tcpflow -j is */
    uint64_t last_index;        /* number of the last packet that touched it (LRU order) */
    struct tcpf_dir dir[2];
    struct tcpf_time last_ts;   /* last packet on either direction (idle timeout) */
    bool midstream;             /* no SYN seen when the connection was created */
    bool ended;                 /* both directions closed: kept only to recognise stragglers */
    void *engine;               /* the struct tcpf_engine that owns it */
    struct tcpf_conn *ended_prev, *ended_next; /* engine's FIFO of ended connections */

    /* flow table bookkeeping (flowtab.c only) */
    struct tcpf_conn *hash_next;
    struct tcpf_conn *lru_prev, *lru_next;
    uint32_t hash;
};

#endif /* TCPF_CORE_FLOW_H */
