/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the decoded view of one captured frame, as produced by decode.c */
#ifndef TCPF_CORE_PACKET_H
#define TCPF_CORE_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Address families as stored in struct tcpf_pkt / tcpf_flowkey (host AF values). */
#define TCPF_AF_INET  4
#define TCPF_AF_INET6 6

/* Maximum stacked encapsulation layers (VLAN, MPLS, PPPoE...) before a frame is dropped. */
#define TCPF_MAX_ENCAP_DEPTH 16

/* TCP flag bits, as on the wire. */
#define TCPF_TH_FIN 0x01
#define TCPF_TH_SYN 0x02
#define TCPF_TH_RST 0x04
#define TCPF_TH_PSH 0x08
#define TCPF_TH_ACK 0x10
#define TCPF_TH_URG 0x20

/* A packet timestamp: seconds and nanoseconds since the epoch (nsec < 1e9 always). */
struct tcpf_time {
    int64_t sec;
    uint32_t nsec;
};

/* Everything the core needs from one frame. All pointers borrow the frame buffer
 * (or the fragment reassembly buffer) and are valid only until the next packet. */
struct tcpf_pkt {
    struct tcpf_time ts;
    uint32_t caplen;        /* bytes captured for the whole frame */
    uint32_t wirelen;       /* bytes on the wire for the whole frame */

    /* link layer */
    int dlt;                /* libpcap DLT_* of the frame */
    bool has_mac;           /* true only when the link really carries MAC addresses */
    uint8_t mac_src[6], mac_dst[6];
    bool has_vlan;
    uint16_t vlan;          /* VLAN ID (12 bits) of the outermost 802.1Q/802.1ad tag */

    /* network layer */
    int family;             /* TCPF_AF_INET or TCPF_AF_INET6 */
    uint8_t src[16], dst[16]; /* IPv4 uses the first 4 bytes, rest zero */
    const uint8_t *ip;      /* start of the IP header */
    uint32_t ip_len;        /* IP datagram length we trust: min(header length field, captured) */
    bool ip_truncated;      /* the IP length field claimed more than was captured */

    /* IP fragment (valid when decode returned TCPF_DECODE_FRAGMENT) */
    uint32_t frag_id;       /* IPv4 identification or IPv6 fragment identification */
    uint32_t frag_offset;   /* byte offset of this fragment's data in the datagram payload */
    bool frag_more;         /* more-fragments flag */
    uint8_t frag_proto;     /* upper-layer protocol of the datagram (6 = TCP) */
    const uint8_t *frag_hdr;   /* unfragmentable part: IPv4 header / IPv6 header + ext headers */
    uint32_t frag_hdr_len;
    const uint8_t *frag_data;  /* this fragment's data */
    uint32_t frag_data_len;

    /* transport layer (valid when decode returned TCPF_DECODE_TCP) */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;          /* TCPF_TH_* */
    uint16_t window;        /* raw, unscaled */
    int8_t wscale;          /* window-scale option on a SYN, -1 if absent */
    uint16_t mss;           /* MSS option, 0 if absent */
    const uint8_t *payload; /* TCP payload (never Ethernet padding, never header bytes) */
    uint32_t payload_len;   /* bytes of payload present in the buffer */
    uint32_t payload_missing; /* payload bytes the IP header promised but the capture lacks */
};

#endif /* TCPF_CORE_PACKET_H */
