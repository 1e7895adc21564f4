/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: link, IPv4, IPv6 and TCP header decoding; pure functions, no allocation, no I/O */
#ifndef TCPF_CORE_DECODE_H
#define TCPF_CORE_DECODE_H

#include <stdint.h>

#include "packet.h"

/* Outcome of decoding one frame. Every value other than TCP names why the packet
 * carries no usable TCP segment; the caller counts it in struct tcpf_stats. */
enum tcpf_decode_status {
    TCPF_DECODE_TCP = 0,        /* pkt holds a TCP segment */
    TCPF_DECODE_FRAGMENT,       /* an IP fragment: pkt holds the IP-level fields; see ipfrag.h */
    TCPF_DECODE_NOT_IP,         /* ARP, LLDP, ...: not for us */
    TCPF_DECODE_NOT_TCP,        /* IP, but UDP/ICMP/... */
    TCPF_DECODE_TRUNC_LINK,     /* frame shorter than its link header */
    TCPF_DECODE_TRUNC_IP,       /* IP header cut off by the snap length */
    TCPF_DECODE_TRUNC_TCP,      /* TCP header cut off by the snap length */
    TCPF_DECODE_BAD_IP,         /* bad version, IHL < 5, IHL past the datagram, bad ext header */
    TCPF_DECODE_BAD_TCP,        /* data offset < 5 or past the segment end */
    TCPF_DECODE_ENCAP_DEPTH,    /* more than TCPF_MAX_ENCAP_DEPTH stacked layers */
    TCPF_DECODE_UNSUPPORTED,    /* link type or encapsulation we do not decode */
    TCPF_DECODE_STATUS_COUNT
};

/* True when decode_frame() knows how to decode this libpcap DLT. */
bool tcpf_decode_dlt_supported(int dlt);

/* Short name of a status, for counters and logs ("trunc_ip", ...). */
const char *tcpf_decode_status_name(enum tcpf_decode_status st);

/* Decodes one captured frame of link type dlt. Fills *pkt (ts/caplen/wirelen are left
 * for the caller). Never reads outside frame[0..caplen). */
enum tcpf_decode_status tcpf_decode_frame(int dlt, const uint8_t *frame, uint32_t caplen,
                                          struct tcpf_pkt *pkt);

/* Decodes a bare IPv4/IPv6 datagram (used on reassembled fragments). Keeps the link
 * fields already in *pkt. Never reads outside ip[0..len). */
enum tcpf_decode_status tcpf_decode_ip(const uint8_t *ip, uint32_t len, struct tcpf_pkt *pkt);

#endif /* TCPF_CORE_DECODE_H */
