/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: IPv4 and IPv6 fragment reassembly with a bounded memory budget and a timeout */
#ifndef TCPF_CORE_IPFRAG_H
#define TCPF_CORE_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

struct tcpf_ipfrag;

/* Limits; zero fields take the documented defaults. */
struct tcpf_ipfrag_limits {
    size_t memcap;          /* bytes held across all datagrams in progress (default 32 MiB) */
    uint32_t max_datagrams; /* datagrams in progress (default 8192) */
    uint32_t timeout_sec;   /* packet-time seconds before an incomplete datagram is dropped (default 60) */
};

/* Counters the reassembler keeps; read them at any time. */
struct tcpf_ipfrag_stats {
    uint64_t fragments;     /* fragments accepted */
    uint64_t completed;     /* datagrams reassembled */
    uint64_t timed_out;     /* datagrams dropped incomplete by timeout */
    uint64_t evicted;       /* datagrams dropped incomplete for memcap/max_datagrams */
    uint64_t overlaps;      /* fragments overlapping with different bytes (first wins) */
    uint64_t invalid;       /* fragments beyond 65535 bytes, inconsistent ends, ... */
};

/* Creates a fragment reassembler. Returns NULL on allocation failure. */
struct tcpf_ipfrag *tcpf_ipfrag_create(const struct tcpf_ipfrag_limits *limits);

/* Frees it and every datagram in progress. Accepts NULL. */
void tcpf_ipfrag_destroy(struct tcpf_ipfrag *fr);

/* Adds the fragment described by pkt (decode returned TCPF_DECODE_FRAGMENT). When it completes
 * a datagram, returns a pointer to the whole reassembled IP datagram (header rewritten to
 * describe the unfragmented datagram) and sets *len; the buffer is owned by fr and valid until
 * the next call. Otherwise returns NULL. Also expires old datagrams using pkt->ts. */
const uint8_t *tcpf_ipfrag_add(struct tcpf_ipfrag *fr, const struct tcpf_pkt *pkt, uint32_t *len);

/* Current counters. */
const struct tcpf_ipfrag_stats *tcpf_ipfrag_stats(const struct tcpf_ipfrag *fr);

#endif /* TCPF_CORE_IPFRAG_H */
