/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: link, IPv4, IPv6 and TCP header decoding; pure functions, no allocation, no I/O
 *
 * References: RFC 791 (IPv4), RFC 8200 (IPv6 and its extension headers), RFC 4302 (AH),
 * RFC 9293 (TCP), RFC 7323 (window scale), IEEE 802.1Q (VLAN, QinQ), RFC 3032 (MPLS label
 * stack), RFC 2516 (PPPoE), RFC 1661/1662 (PPP), libpcap's pcap-linktype(7) pages for the
 * DLT_* header layouts (NULL, LOOP, LINUX_SLL, LINUX_SLL2, NFLOG, C_HDLC, ARCNET_LINUX).
 *
 * Every byte of the frame is read through the rd_*() helpers below, which check the bounds and
 * assemble integers byte by byte: no struct is ever overlaid on packet memory, so neither the
 * alignment nor the end of the capture can be violated. Encapsulations are unwound in a loop
 * with a depth counter, never by recursion.
 */
#include "config.h"

#include "decode.h"

#include <stddef.h>
#include <string.h>

/* libpcap DLT_* values we decode (pcap/dlt.h; numbers are part of the file format). */
enum {
    DECODE_DLT_NULL = 0,
    DECODE_DLT_EN10MB = 1,
    DECODE_DLT_PPP = 9,
    DECODE_DLT_RAW_A = 12,
    DECODE_DLT_RAW_B = 14,
    DECODE_DLT_PPP_SERIAL = 50,
    DECODE_DLT_PPP_ETHER = 51,
    DECODE_DLT_RAW = 101,
    DECODE_DLT_C_HDLC = 104,
    DECODE_DLT_LOOP = 108,
    DECODE_DLT_LINUX_SLL = 113,
    DECODE_DLT_ARCNET_LINUX = 129,
    DECODE_DLT_IPV4 = 228,
    DECODE_DLT_IPV6 = 229,
    DECODE_DLT_NFLOG = 239,
    DECODE_DLT_LINUX_SLL2 = 276,
};

/* Ethertypes and PPP protocol numbers. */
enum {
    DECODE_ETH_IPV4 = 0x0800,
    DECODE_ETH_IPV6 = 0x86dd,
    DECODE_ETH_VLAN = 0x8100,
    DECODE_ETH_QINQ = 0x88a8,
    DECODE_ETH_QINQ_OLD = 0x9100,
    DECODE_ETH_MPLS_UC = 0x8847,
    DECODE_ETH_MPLS_MC = 0x8848,
    DECODE_ETH_PPPOE_SESS = 0x8864,
    DECODE_ETH_MAX_LEN = 1500, /* an 802.3 length field, not an ethertype */
    DECODE_PPP_IPV4 = 0x0021,
    DECODE_PPP_IPV6 = 0x0057,
};

enum {
    DECODE_IPPROTO_TCP = 6
};

/* Bound on IPv6 extension headers walked before the packet is called malformed. */
#define DECODE_MAX_IPV6_EXT 16

/* ---- bounds-checked readers ------------------------------------------------------------- */

/* True when [off, off+n) lies inside a buffer of len bytes (no overflow possible). */
static inline bool
decode_has(uint32_t len, uint32_t off, uint32_t n)
{
    return off <= len && n <= len - off;
}

/* Byte at off; caller checked decode_has(len, off, 1). */
static inline uint8_t
decode_rd8(const uint8_t *p, uint32_t off)
{
    return p[off];
}

/* Big-endian 16-bit value at off; caller checked decode_has(len, off, 2). */
static inline uint16_t
decode_rd16be(const uint8_t *p, uint32_t off)
{
    return (uint16_t)((unsigned)p[off] << 8 | (unsigned)p[off + 1]);
}

/* Big-endian 32-bit value at off; caller checked decode_has(len, off, 4). */
static inline uint32_t
decode_rd32be(const uint8_t *p, uint32_t off)
{
    return (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 |
           (uint32_t)p[off + 3];
}

/* Little-endian 32-bit value at off; caller checked decode_has(len, off, 4). */
static inline uint32_t
decode_rd32le(const uint8_t *p, uint32_t off)
{
    return (uint32_t)p[off + 3] << 24 | (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 1] << 8 |
           (uint32_t)p[off];
}

/* 16-bit value at off in the byte order of this host; caller checked the bounds. Used only for
 * NFLOG, whose TLV fields libpcap hands over in host byte order (it swaps them when reading a
 * file written on a host of the other byte order). */
static inline uint16_t
decode_rd16host(const uint8_t *p, uint32_t off)
{
    uint16_t v;

    memcpy(&v, p + off, sizeof(v));
    return v;
}

/* ---- public helpers ---------------------------------------------------------------------- */

/* True for the DLTs tcpf_decode_frame() dispatches on below; keep the two lists in step. */
bool
tcpf_decode_dlt_supported(int dlt)
{
    switch (dlt) {
    case DECODE_DLT_NULL:
    case DECODE_DLT_EN10MB:
    case DECODE_DLT_PPP:
    case DECODE_DLT_RAW_A:
    case DECODE_DLT_RAW_B:
    case DECODE_DLT_PPP_SERIAL:
    case DECODE_DLT_PPP_ETHER:
    case DECODE_DLT_RAW:
    case DECODE_DLT_C_HDLC:
    case DECODE_DLT_LOOP:
    case DECODE_DLT_LINUX_SLL:
    case DECODE_DLT_ARCNET_LINUX:
    case DECODE_DLT_IPV4:
    case DECODE_DLT_IPV6:
    case DECODE_DLT_NFLOG:
    case DECODE_DLT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

/* Static snake_case name of st; "unknown" for values outside the enum. */
const char *
tcpf_decode_status_name(enum tcpf_decode_status st)
{
    static const char *const names[TCPF_DECODE_STATUS_COUNT] = {
        [TCPF_DECODE_TCP] = "tcp",
        [TCPF_DECODE_FRAGMENT] = "fragment",
        [TCPF_DECODE_NOT_IP] = "not_ip",
        [TCPF_DECODE_NOT_TCP] = "not_tcp",
        [TCPF_DECODE_TRUNC_LINK] = "trunc_link",
        [TCPF_DECODE_TRUNC_IP] = "trunc_ip",
        [TCPF_DECODE_TRUNC_TCP] = "trunc_tcp",
        [TCPF_DECODE_BAD_IP] = "bad_ip",
        [TCPF_DECODE_BAD_TCP] = "bad_tcp",
        [TCPF_DECODE_ENCAP_DEPTH] = "encap_depth",
        [TCPF_DECODE_UNSUPPORTED] = "unsupported",
    };

    if ((unsigned)st >= TCPF_DECODE_STATUS_COUNT)
        return "unknown";
    return names[st];
}

/* ---- TCP ----------------------------------------------------------------------------------- */

/* Reads the MSS and window-scale options of a SYN from opt[0..len). Malformed options stop the
 * parse without failing the segment: they are the receiver's problem, not ours.
 *
 *   kind 0: end of list   kind 1: NOP   kind 2 len 4: MSS (16 bits)   kind 3 len 3: shift
 */
static void
decode_tcp_options(const uint8_t *opt, uint32_t len, struct tcpf_pkt *pkt)
{
    uint32_t off = 0;

    while (off < len) {
        uint8_t kind = decode_rd8(opt, off);
        uint8_t olen;

        if (kind == 0)
            return;
        if (kind == 1) {
            off++;
            continue;
        }
        if (!decode_has(len, off, 2))
            return;
        olen = decode_rd8(opt, off + 1);
        if (olen < 2 || !decode_has(len, off, olen))
            return;
        if (kind == 2 && olen == 4)
            pkt->mss = decode_rd16be(opt, off + 2);
        else if (kind == 3 && olen == 3)
            pkt->wscale = (int8_t)(decode_rd8(opt, off + 2) > 14 ? 14 : decode_rd8(opt, off + 2));
        off += olen;
    }
}

/* Decodes the TCP segment at seg. claim_len is the segment length the (trusted) IP header
 * announces, cap_len <= claim_len the bytes actually present.
 *
 *    0                   1                   2                   3
 *   |          Source Port          |       Destination Port        |
 *   |                        Sequence Number                        |
 *   |                    Acknowledgment Number                      |
 *   |  Data |       |C|E|U|A|P|R|S|F|                               |
 *   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *   |           Checksum            |         Urgent Pointer        |
 *   |                    Options                    |    Padding    |
 */
static enum tcpf_decode_status
decode_tcp(const uint8_t *seg, uint32_t claim_len, uint32_t cap_len, struct tcpf_pkt *pkt)
{
    uint32_t hlen;

    if (claim_len < 20)
        return TCPF_DECODE_BAD_TCP;
    if (cap_len < 20)
        return TCPF_DECODE_TRUNC_TCP;
    hlen = (uint32_t)(decode_rd8(seg, 12) >> 4) * 4;
    if (hlen < 20 || hlen > claim_len)
        return TCPF_DECODE_BAD_TCP;
    if (hlen > cap_len)
        return TCPF_DECODE_TRUNC_TCP;

    pkt->sport = decode_rd16be(seg, 0);
    pkt->dport = decode_rd16be(seg, 2);
    pkt->seq = decode_rd32be(seg, 4);
    pkt->ack = decode_rd32be(seg, 8);
    pkt->flags = decode_rd8(seg, 13);
    pkt->window = decode_rd16be(seg, 14);
    if (pkt->flags & TCPF_TH_SYN)
        decode_tcp_options(seg + 20, hlen - 20, pkt);
    pkt->payload = seg + hlen;
    pkt->payload_len = cap_len - hlen;
    pkt->payload_missing = claim_len - cap_len;
    return TCPF_DECODE_TCP;
}

/* ---- IPv4 ---------------------------------------------------------------------------------- */

/*    0                   1                   2                   3
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options                    |    Padding    |
 *
 * Total length 0 is what TSO / BIG TCP captures carry: the captured bytes are then the datagram.
 * Captured bytes past the total length are link padding and are ignored.
 */
static enum tcpf_decode_status
decode_ipv4(const uint8_t *ip, uint32_t len, struct tcpf_pkt *pkt)
{
    uint32_t hlen, claim, have;
    uint16_t fragfield;
    uint8_t proto;

    if (len < 20)
        return TCPF_DECODE_TRUNC_IP;
    hlen = (uint32_t)(decode_rd8(ip, 0) & 0x0f) * 4;
    if (hlen < 20)
        return TCPF_DECODE_BAD_IP;
    claim = decode_rd16be(ip, 2);
    if (claim == 0)
        claim = len;
    if (hlen > claim)
        return TCPF_DECODE_BAD_IP;
    if (hlen > len)
        return TCPF_DECODE_TRUNC_IP;
    have = claim < len ? claim : len;

    pkt->family = TCPF_AF_INET;
    memcpy(pkt->src, ip + 12, 4);
    memcpy(pkt->dst, ip + 16, 4);
    pkt->ip = ip;
    pkt->ip_len = have;
    pkt->ip_truncated = claim > len;
    proto = decode_rd8(ip, 9);

    fragfield = decode_rd16be(ip, 6);
    if ((fragfield & 0x2000) || (fragfield & 0x1fff)) {
        pkt->frag_id = decode_rd16be(ip, 4);
        pkt->frag_offset = (uint32_t)(fragfield & 0x1fff) * 8;
        pkt->frag_more = (fragfield & 0x2000) != 0;
        pkt->frag_proto = proto;
        pkt->frag_hdr = ip;
        pkt->frag_hdr_len = hlen;
        pkt->frag_data = ip + hlen;
        pkt->frag_data_len = have - hlen;
        return TCPF_DECODE_FRAGMENT;
    }
    if (proto != DECODE_IPPROTO_TCP)
        return TCPF_DECODE_NOT_TCP;
    return decode_tcp(ip + hlen, claim - hlen, have - hlen, pkt);
}

/* ---- IPv6 ---------------------------------------------------------------------------------- */

/* Fills the fragment fields from the Fragment header at ip[off..off+8) (RFC 8200 §4.5):
 *
 *   |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *   |                         Identification                        |
 */
static enum tcpf_decode_status
decode_ipv6_frag(const uint8_t *ip, uint32_t off, uint32_t have, struct tcpf_pkt *pkt)
{
    uint16_t offfield = decode_rd16be(ip, off + 2);

    pkt->frag_id = decode_rd32be(ip, off + 4);
    pkt->frag_offset = offfield & 0xfff8u;
    pkt->frag_more = (offfield & 1u) != 0;
    pkt->frag_proto = decode_rd8(ip, off);
    pkt->frag_hdr = ip;
    pkt->frag_hdr_len = off;
    pkt->frag_data = ip + off + 8;
    pkt->frag_data_len = have - off - 8;
    return TCPF_DECODE_FRAGMENT;
}

/* Length of the extension header of type nh at ip[off], whose first two bytes are present. */
static uint32_t
decode_ipv6_ext_len(uint8_t nh, const uint8_t *ip, uint32_t off)
{
    if (nh == 51) /* AH: payload length in 4-octet units, minus 2 */
        return ((uint32_t)decode_rd8(ip, off + 1) + 2) * 4;
    if (nh == 44) /* Fragment: fixed 8 bytes (its second byte is reserved) */
        return 8;
    return ((uint32_t)decode_rd8(ip, off + 1) + 1) * 8; /* RFC 8200 §4 generic form */
}

/*   |Version| Traffic Class |           Flow Label                  |
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   |                Source Address (16) | Destination Address (16) |
 *
 * Payload length 0 (jumbogram or TSO capture) means "the captured bytes". Extension headers are
 * walked up to DECODE_MAX_IPV6_EXT of them: 0 hop-by-hop, 43 routing, 44 fragment, 51 AH,
 * 60 destination options, 135 mobility, 139 HIP, 140 shim6.
 */
static enum tcpf_decode_status
decode_ipv6(const uint8_t *ip, uint32_t len, struct tcpf_pkt *pkt)
{
    uint32_t claim, have, off = 40;
    uint8_t nh;
    int n;

    if (len < 40)
        return TCPF_DECODE_TRUNC_IP;
    claim = decode_rd16be(ip, 4);
    claim = claim == 0 ? len : claim + 40;
    have = claim < len ? claim : len;

    pkt->family = TCPF_AF_INET6;
    memcpy(pkt->src, ip + 8, 16);
    memcpy(pkt->dst, ip + 24, 16);
    pkt->ip = ip;
    pkt->ip_len = have;
    pkt->ip_truncated = claim > len;

    nh = decode_rd8(ip, 6);
    for (n = 0; n <= DECODE_MAX_IPV6_EXT; n++) {
        uint32_t elen;

        switch (nh) {
        case DECODE_IPPROTO_TCP:
            return decode_tcp(ip + off, claim - off, have - off, pkt);
        case 0:
        case 43:
        case 44:
        case 51:
        case 60:
        case 135:
        case 139:
        case 140:
            break;
        default: /* 59 no next header, 50 ESP, UDP, ICMPv6, ... */
            return TCPF_DECODE_NOT_TCP;
        }
        if (!decode_has(claim, off, 2))
            return TCPF_DECODE_BAD_IP;
        if (!decode_has(have, off, 2))
            return TCPF_DECODE_TRUNC_IP;
        elen = decode_ipv6_ext_len(nh, ip, off);
        if (!decode_has(claim, off, elen))
            return TCPF_DECODE_BAD_IP;
        if (!decode_has(have, off, elen))
            return TCPF_DECODE_TRUNC_IP;
        /* An atomic fragment (offset 0, M clear) is a whole datagram (RFC 6946). */
        if (nh == 44 && (decode_rd16be(ip, off + 2) & 0xfff9u) != 0)
            return decode_ipv6_frag(ip, off, have, pkt);
        nh = decode_rd8(ip, off);
        off += elen;
    }
    return TCPF_DECODE_BAD_IP;
}

/* ---- IP dispatch ------------------------------------------------------------------------- */

/* Clears every network- and transport-layer field of pkt; link fields are kept. */
static void
decode_reset_net(struct tcpf_pkt *pkt)
{
    memset((char *)pkt + offsetof(struct tcpf_pkt, family), 0,
           sizeof(*pkt) - offsetof(struct tcpf_pkt, family));
    pkt->ip = NULL;
    pkt->frag_hdr = NULL;
    pkt->frag_data = NULL;
    pkt->payload = NULL;
    pkt->wscale = -1;
}

/* Decodes the datagram at ip[0..len) by its version nibble; want is 4, 6 or 0 for either. */
static enum tcpf_decode_status
decode_ip_version(const uint8_t *ip, uint32_t len, int want, struct tcpf_pkt *pkt)
{
    int version;

    if (len < 1)
        return TCPF_DECODE_TRUNC_IP;
    version = decode_rd8(ip, 0) >> 4;
    if (want != 0 && version != want)
        return TCPF_DECODE_BAD_IP;
    if (version == 4)
        return decode_ipv4(ip, len, pkt);
    if (version == 6)
        return decode_ipv6(ip, len, pkt);
    return TCPF_DECODE_BAD_IP;
}

/* Resets the network and transport fields of pkt, then decodes ip[0..len) by version. */
enum tcpf_decode_status
tcpf_decode_ip(const uint8_t *ip, uint32_t len, struct tcpf_pkt *pkt)
{
    decode_reset_net(pkt);
    return decode_ip_version(ip, len, 0, pkt);
}

/* ---- ethertype chains: VLAN, MPLS, PPPoE, LLC/SNAP ------------------------------------- */

/* Decodes what follows the PPP protocol number proto at f[off..caplen). */
static enum tcpf_decode_status
decode_ppp_proto(const uint8_t *f, uint32_t caplen, uint32_t off, uint16_t proto,
                 struct tcpf_pkt *pkt)
{
    if (proto == DECODE_PPP_IPV4)
        return decode_ip_version(f + off, caplen - off, 4, pkt);
    if (proto == DECODE_PPP_IPV6)
        return decode_ip_version(f + off, caplen - off, 6, pkt);
    return TCPF_DECODE_NOT_IP;
}

/* PPPoE session header (RFC 2516) at f[off], then a 2-byte PPP protocol:
 *   | VER=1 | TYPE=1|   CODE = 0    |          SESSION_ID           |
 *   |            LENGTH             |          PPP protocol         |
 */
static enum tcpf_decode_status
decode_pppoe(const uint8_t *f, uint32_t caplen, uint32_t off, struct tcpf_pkt *pkt)
{
    if (!decode_has(caplen, off, 8))
        return TCPF_DECODE_TRUNC_LINK;
    if (decode_rd8(f, off) != 0x11 || decode_rd8(f, off + 1) != 0x00)
        return TCPF_DECODE_NOT_IP;
    return decode_ppp_proto(f, caplen, off + 8, decode_rd16be(f, off + 6), pkt);
}

/* MPLS label stack entries (RFC 3032) from f[off], popped to the bottom of stack; the payload
 * is told apart by its IP version nibble. *depth counts the layers seen so far.
 *   |                Label                  | TC  |S|      TTL      |
 */
static enum tcpf_decode_status
decode_mpls(const uint8_t *f, uint32_t caplen, uint32_t off, int *depth, struct tcpf_pkt *pkt)
{
    for (;;) {
        bool bottom;

        if (++*depth > TCPF_MAX_ENCAP_DEPTH)
            return TCPF_DECODE_ENCAP_DEPTH;
        if (!decode_has(caplen, off, 4))
            return TCPF_DECODE_TRUNC_LINK;
        bottom = (decode_rd8(f, off + 2) & 1) != 0;
        off += 4;
        if (bottom)
            break;
    }
    if (!decode_has(caplen, off, 1))
        return TCPF_DECODE_TRUNC_IP;
    switch (decode_rd8(f, off) >> 4) {
    case 4:
    case 6:
        return decode_ip_version(f + off, caplen - off, 0, pkt);
    default: /* pseudowire control word, Ethernet over MPLS, ... */
        return TCPF_DECODE_NOT_IP;
    }
}

/* Follows the ethertype type whose payload starts at f[off]: VLAN tags (802.1Q 0x8100, 802.1ad
 * 0x88a8, legacy 0x9100), MPLS, PPPoE session, LLC/SNAP after an 802.3 length, then IPv4/IPv6.
 * Iterative; each layer counts toward TCPF_MAX_ENCAP_DEPTH.
 *   VLAN tag:  | PCP |D|        VID (12)       |     inner ethertype     |
 *   SNAP:      | DSAP=AA | SSAP=AA | CTL=03 | OUI = 00 00 00 | ethertype |
 */
static enum tcpf_decode_status
decode_ethertype(const uint8_t *f, uint32_t caplen, uint32_t off, uint16_t type,
                 struct tcpf_pkt *pkt)
{
    int depth = 0;

    for (;;) {
        switch (type) {
        case DECODE_ETH_IPV4:
            return decode_ip_version(f + off, caplen - off, 4, pkt);
        case DECODE_ETH_IPV6:
            return decode_ip_version(f + off, caplen - off, 6, pkt);
        case DECODE_ETH_MPLS_UC:
        case DECODE_ETH_MPLS_MC:
            return decode_mpls(f, caplen, off, &depth, pkt);
        case DECODE_ETH_PPPOE_SESS:
            if (++depth > TCPF_MAX_ENCAP_DEPTH)
                return TCPF_DECODE_ENCAP_DEPTH;
            return decode_pppoe(f, caplen, off, pkt);
        case DECODE_ETH_VLAN:
        case DECODE_ETH_QINQ:
        case DECODE_ETH_QINQ_OLD:
            if (++depth > TCPF_MAX_ENCAP_DEPTH)
                return TCPF_DECODE_ENCAP_DEPTH;
            if (!decode_has(caplen, off, 4))
                return TCPF_DECODE_TRUNC_LINK;
            if (!pkt->has_vlan) {
                pkt->has_vlan = true;
                pkt->vlan = decode_rd16be(f, off) & 0x0fff;
            }
            type = decode_rd16be(f, off + 2);
            off += 4;
            continue;
        default:
            break;
        }
        if (type > DECODE_ETH_MAX_LEN)
            return TCPF_DECODE_NOT_IP;
        if (++depth > TCPF_MAX_ENCAP_DEPTH)
            return TCPF_DECODE_ENCAP_DEPTH;
        if (!decode_has(caplen, off, 8))
            return TCPF_DECODE_TRUNC_LINK;
        if (decode_rd16be(f, off) != 0xaaaa || decode_rd8(f, off + 2) != 0x03 ||
            decode_rd8(f, off + 3) != 0 || decode_rd16be(f, off + 4) != 0)
            return TCPF_DECODE_NOT_IP;
        type = decode_rd16be(f, off + 6);
        off += 8;
    }
}

/* ---- link layers ------------------------------------------------------------------------- */

/* DLT_EN10MB:  | destination MAC (6) | source MAC (6) | ethertype or 802.3 length (2) | */
static enum tcpf_decode_status
decode_en10mb(const uint8_t *f, uint32_t caplen, struct tcpf_pkt *pkt)
{
    if (caplen < 14)
        return TCPF_DECODE_TRUNC_LINK;
    pkt->has_mac = true;
    memcpy(pkt->mac_dst, f, 6);
    memcpy(pkt->mac_src, f + 6, 6);
    return decode_ethertype(f, caplen, 14, decode_rd16be(f, 12), pkt);
}

/* DLT_NULL / DLT_LOOP: a 4-byte address family, in the writer's byte order for NULL and in
 * network byte order for LOOP. AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 23 (Windows),
 * 24 (NetBSD/OpenBSD), 26 (Solaris), 28 (FreeBSD) or 30 (Darwin). */
static enum tcpf_decode_status
decode_null(const uint8_t *f, uint32_t caplen, bool either_order, struct tcpf_pkt *pkt)
{
    uint32_t af;

    if (caplen < 4)
        return TCPF_DECODE_TRUNC_LINK;
    af = decode_rd32be(f, 0);
    if (either_order && af > 0xffff)
        af = decode_rd32le(f, 0);
    switch (af) {
    case 2:
        return decode_ip_version(f + 4, caplen - 4, 4, pkt);
    case 10:
    case 23:
    case 24:
    case 26:
    case 28:
    case 30:
        return decode_ip_version(f + 4, caplen - 4, 6, pkt);
    default:
        return TCPF_DECODE_NOT_IP;
    }
}

/* DLT_PPP / DLT_PPP_SERIAL (RFC 1662): optional address 0xff and control 0x03, then a protocol
 * of 1 byte (odd first byte: protocol-field compression) or 2 bytes. PPP_SERIAL may also hold
 * Cisco HDLC frames (address 0x0f or 0x8f), which are passed to the C_HDLC decoder. */
static enum tcpf_decode_status
decode_ppp(const uint8_t *f, uint32_t caplen, bool serial, struct tcpf_pkt *pkt)
{
    uint32_t off = 0;
    uint16_t proto;

    if (caplen < 1)
        return TCPF_DECODE_TRUNC_LINK;
    if (serial && (decode_rd8(f, 0) == 0x0f || decode_rd8(f, 0) == 0x8f)) {
        if (caplen < 4)
            return TCPF_DECODE_TRUNC_LINK;
        return decode_ethertype(f, caplen, 4, decode_rd16be(f, 2), pkt);
    }
    if (decode_has(caplen, 0, 2) && decode_rd8(f, 0) == 0xff && decode_rd8(f, 1) == 0x03)
        off = 2;
    if (!decode_has(caplen, off, 1))
        return TCPF_DECODE_TRUNC_LINK;
    if (decode_rd8(f, off) & 1) {
        proto = decode_rd8(f, off);
        off += 1;
    } else {
        if (!decode_has(caplen, off, 2))
            return TCPF_DECODE_TRUNC_LINK;
        proto = decode_rd16be(f, off);
        off += 2;
    }
    return decode_ppp_proto(f, caplen, off, proto, pkt);
}

/* DLT_C_HDLC:  | address 0x0f/0x8f | control 0x00 | ethertype (2) | */
static enum tcpf_decode_status
decode_chdlc(const uint8_t *f, uint32_t caplen, struct tcpf_pkt *pkt)
{
    if (caplen < 4)
        return TCPF_DECODE_TRUNC_LINK;
    return decode_ethertype(f, caplen, 4, decode_rd16be(f, 2), pkt);
}

/* DLT_LINUX_SLL (16 bytes):
 *   | packet type (2) | ARPHRD type (2) | addr len (2) | address (8) | protocol (2) |
 * DLT_LINUX_SLL2 (20 bytes):
 *   | protocol (2) | reserved (2) | ifindex (4) | ARPHRD (2) | pkt type (1) | addr len (1) |
 *   | address (8) |
 * The protocol is an ethertype (VLAN tags reinserted by libpcap included). */
static enum tcpf_decode_status
decode_sll(const uint8_t *f, uint32_t caplen, bool v2, struct tcpf_pkt *pkt)
{
    uint32_t hlen = v2 ? 20 : 16;

    if (caplen < hlen)
        return TCPF_DECODE_TRUNC_LINK;
    return decode_ethertype(f, caplen, hlen, decode_rd16be(f, v2 ? 0 : 14), pkt);
}

/* DLT_NFLOG: | family (1) | version (1) | resource id (2, BE) |, then TLVs
 *   | length (2) | type (2) | value ... padded to 4 bytes |
 * with length and type in host byte order (libpcap swaps them for us); length counts the
 * 4-byte TLV header. Type 9 (NFULA_PAYLOAD) holds the IP datagram. */
static enum tcpf_decode_status
decode_nflog(const uint8_t *f, uint32_t caplen, struct tcpf_pkt *pkt)
{
    uint32_t off = 4;
    int want;

    if (caplen < 4)
        return TCPF_DECODE_TRUNC_LINK;
    switch (decode_rd8(f, 0)) {
    case 2:
        want = 4;
        break;
    case 10:
        want = 6;
        break;
    default:
        return TCPF_DECODE_NOT_IP;
    }
    while (decode_has(caplen, off, 4)) {
        uint32_t tlen = decode_rd16host(f, off);
        uint16_t type = decode_rd16host(f, off + 2);

        if (tlen < 4)
            return TCPF_DECODE_TRUNC_LINK;
        if (type == 9) {
            uint32_t have = caplen - off - 4;
            return decode_ip_version(f + off + 4, tlen - 4 < have ? tlen - 4 : have, want, pkt);
        }
        tlen = (tlen + 3) & ~3u;
        if (!decode_has(caplen, off, tlen))
            break;
        off += tlen;
    }
    /* No payload TLV: absent when the TLVs end exactly at the capture end, else cut off. */
    return off == caplen ? TCPF_DECODE_NOT_IP : TCPF_DECODE_TRUNC_LINK;
}

/* DLT_ARCNET_LINUX:
 *   | src (1) | dst (1) | offset (2) | protocol id (1) | split flag (1) | sequence (2) |
 * The last three bytes exist only for RFC 1201 protocol ids (0xd4 IPv4, 0xc4 IPv6, ...);
 * RFC 1051 ids (0xf0 IPv4, 0xf1 ARP) and diagnostics (0x80) have the 5-byte header. */
static enum tcpf_decode_status
decode_arcnet(const uint8_t *f, uint32_t caplen, struct tcpf_pkt *pkt)
{
    uint8_t type;

    if (caplen < 5)
        return TCPF_DECODE_TRUNC_LINK;
    type = decode_rd8(f, 4);
    switch (type) {
    case 0xf0:
        return decode_ip_version(f + 5, caplen - 5, 4, pkt);
    case 0xf1:
    case 0x80:
        return TCPF_DECODE_NOT_IP;
    default:
        break;
    }
    if (caplen < 8)
        return TCPF_DECODE_TRUNC_LINK;
    if (type == 0xd4)
        return decode_ip_version(f + 8, caplen - 8, 4, pkt);
    if (type == 0xc4)
        return decode_ip_version(f + 8, caplen - 8, 6, pkt);
    return TCPF_DECODE_NOT_IP;
}

/* Resets every field of pkt but ts, caplen and wirelen, then dispatches on the link type. */
enum tcpf_decode_status
tcpf_decode_frame(int dlt, const uint8_t *frame, uint32_t caplen, struct tcpf_pkt *pkt)
{
    pkt->dlt = dlt;
    pkt->has_mac = false;
    memset(pkt->mac_src, 0, sizeof(pkt->mac_src));
    memset(pkt->mac_dst, 0, sizeof(pkt->mac_dst));
    pkt->has_vlan = false;
    pkt->vlan = 0;
    decode_reset_net(pkt);
    if (caplen > 0 && frame == NULL)
        return TCPF_DECODE_TRUNC_LINK;

    switch (dlt) {
    case DECODE_DLT_EN10MB:
        return decode_en10mb(frame, caplen, pkt);
    case DECODE_DLT_NULL:
        return decode_null(frame, caplen, true, pkt);
    case DECODE_DLT_LOOP:
        return decode_null(frame, caplen, false, pkt);
    case DECODE_DLT_RAW:
    case DECODE_DLT_RAW_A:
    case DECODE_DLT_RAW_B:
        return decode_ip_version(frame, caplen, 0, pkt);
    case DECODE_DLT_IPV4:
        return decode_ip_version(frame, caplen, 4, pkt);
    case DECODE_DLT_IPV6:
        return decode_ip_version(frame, caplen, 6, pkt);
    case DECODE_DLT_LINUX_SLL:
        return decode_sll(frame, caplen, false, pkt);
    case DECODE_DLT_LINUX_SLL2:
        return decode_sll(frame, caplen, true, pkt);
    case DECODE_DLT_PPP:
        return decode_ppp(frame, caplen, false, pkt);
    case DECODE_DLT_PPP_SERIAL:
        return decode_ppp(frame, caplen, true, pkt);
    case DECODE_DLT_PPP_ETHER:
        return decode_pppoe(frame, caplen, 0, pkt);
    case DECODE_DLT_C_HDLC:
        return decode_chdlc(frame, caplen, pkt);
    case DECODE_DLT_NFLOG:
        return decode_nflog(frame, caplen, pkt);
    case DECODE_DLT_ARCNET_LINUX:
        return decode_arcnet(frame, caplen, pkt);
    default:
        return TCPF_DECODE_UNSUPPORTED;
    }
}
