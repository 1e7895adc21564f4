/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test helpers that build Ethernet, VLAN, MPLS, PPPoE, IPv4, IPv6 and TCP frames
 *
 * A struct fb is a byte buffer that headers are appended to in wire order. Length fields that
 * depend on what follows (IPv4 total length, IPv6 payload length, PPPoE length) are written by
 * the matching *_end() call once the payload is in place:
 *
 *     struct fb f;
 *     fb_init(&f);
 *     fb_eth(&f, FB_ETH_IPV4);
 *     uint32_t ip = fb_ipv4_begin(&f, FB_V4_A, FB_V4_B, 6);
 *     fb_tcp_std(&f);
 *     fb_ipv4_end(&f, ip);
 *
 * All multi-byte fields are written big-endian unless the helper says otherwise. Everything is
 * static inline so each test file gets its own copy.
 */
#ifndef TCPF_TESTS_UNIT_FRAMES_H
#define TCPF_TESTS_UNIT_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FB_CAP 20480

#define FB_ETH_IPV4  0x0800
#define FB_ETH_IPV6  0x86dd
#define FB_ETH_ARP   0x0806
#define FB_ETH_VLAN  0x8100
#define FB_ETH_QINQ  0x88a8
#define FB_ETH_9100  0x9100
#define FB_ETH_MPLS  0x8847
#define FB_ETH_PPPOE 0x8864

/* Standard endpoints and TCP fields used by fb_tcp_std() and the checks in the tests. */
#define FB_V4_A     0x0a000001u /* 10.0.0.1 */
#define FB_V4_B     0x0a000002u /* 10.0.0.2 */
#define FB_SPORT    40000
#define FB_DPORT    80
#define FB_SEQ      0x11223344u
#define FB_ACK      0x55667788u
#define FB_WIN      4096
#define FB_DATA     "HELLO"
#define FB_DATA_LEN 5u

static const uint8_t fb_v6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t fb_v6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t fb_mac_dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t fb_mac_src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* A frame under construction. */
struct fb {
    uint8_t b[FB_CAP];
    uint32_t len;
};

/* Empties f. */
static inline void
fb_init(struct fb *f)
{
    memset(f->b, 0, sizeof(f->b));
    f->len = 0;
}

/* Appends one byte; silently stops at FB_CAP (tests assert on lengths anyway). */
static inline void
fb_put8(struct fb *f, uint8_t v)
{
    if (f->len < FB_CAP)
        f->b[f->len++] = v;
}

/* Appends a big-endian 16-bit value. */
static inline void
fb_put16(struct fb *f, uint16_t v)
{
    fb_put8(f, (uint8_t)(v >> 8));
    fb_put8(f, (uint8_t)v);
}

/* Appends a big-endian 32-bit value. */
static inline void
fb_put32(struct fb *f, uint32_t v)
{
    fb_put16(f, (uint16_t)(v >> 16));
    fb_put16(f, (uint16_t)v);
}

/* Appends a little-endian 32-bit value. */
static inline void
fb_put32le(struct fb *f, uint32_t v)
{
    fb_put8(f, (uint8_t)v);
    fb_put8(f, (uint8_t)(v >> 8));
    fb_put8(f, (uint8_t)(v >> 16));
    fb_put8(f, (uint8_t)(v >> 24));
}

/* Appends a 16-bit value in this host's byte order (NFLOG TLVs as libpcap delivers them). */
static inline void
fb_put16host(struct fb *f, uint16_t v)
{
    uint8_t raw[2];

    memcpy(raw, &v, 2);
    fb_put8(f, raw[0]);
    fb_put8(f, raw[1]);
}

/* Appends n bytes from p. */
static inline void
fb_putn(struct fb *f, const void *p, size_t n)
{
    const uint8_t *s = p;
    size_t i;

    for (i = 0; i < n; i++)
        fb_put8(f, s[i]);
}

/* Overwrites a big-endian 16-bit value at off. */
static inline void
fb_set16(struct fb *f, uint32_t off, uint16_t v)
{
    f->b[off] = (uint8_t)(v >> 8);
    f->b[off + 1] = (uint8_t)v;
}

/* Ethernet II header from fb_mac_src to fb_mac_dst with ethertype (or 802.3 length) type. */
static inline void
fb_eth(struct fb *f, uint16_t type)
{
    fb_putn(f, fb_mac_dst, 6);
    fb_putn(f, fb_mac_src, 6);
    fb_put16(f, type);
}

/* One VLAN tag: TCI then the inner ethertype (the tag's own TPID was the previous type). */
static inline void
fb_vlan(struct fb *f, uint16_t tci, uint16_t inner)
{
    fb_put16(f, tci);
    fb_put16(f, inner);
}

/* One MPLS label stack entry; bottom sets the S bit. TTL 64. */
static inline void
fb_mpls(struct fb *f, uint32_t label, bool bottom)
{
    fb_put32(f, (label & 0xfffffu) << 12 | (bottom ? 0x100u : 0u) | 64u);
}

/* PPPoE session header (session 0x0001) and PPP protocol; returns its offset for fb_pppoe_end. */
static inline uint32_t
fb_pppoe_begin(struct fb *f, uint16_t ppp_proto)
{
    uint32_t off = f->len;

    fb_put8(f, 0x11);
    fb_put8(f, 0x00);
    fb_put16(f, 0x0001);
    fb_put16(f, 0);
    fb_put16(f, ppp_proto);
    return off;
}

/* Sets the PPPoE length (PPP protocol + payload) of the header at off. */
static inline void
fb_pppoe_end(struct fb *f, uint32_t off)
{
    fb_set16(f, off + 4, (uint16_t)(f->len - off - 6));
}

/* IPv4 header with opt_words 32-bit words of options (NOPs ending in EOL), id 0x1234, DF clear,
 * TTL 64; returns its offset for fb_ipv4_end. */
static inline uint32_t
fb_ipv4_begin_opts(struct fb *f, uint32_t src, uint32_t dst, uint8_t proto, unsigned opt_words)
{
    uint32_t off = f->len;
    unsigned i;

    fb_put8(f, (uint8_t)(0x40 | (5 + opt_words)));
    fb_put8(f, 0);
    fb_put16(f, 0);      /* total length, set by fb_ipv4_end */
    fb_put16(f, 0x1234); /* identification */
    fb_put16(f, 0);      /* flags, fragment offset */
    fb_put8(f, 64);
    fb_put8(f, proto);
    fb_put16(f, 0); /* checksum, set by fb_ipv4_end */
    fb_put32(f, src);
    fb_put32(f, dst);
    for (i = 0; i < opt_words * 4; i++)
        fb_put8(f, i + 1 == opt_words * 4 ? 0 : 1);
    return off;
}

/* IPv4 header without options. */
static inline uint32_t
fb_ipv4_begin(struct fb *f, uint32_t src, uint32_t dst, uint8_t proto)
{
    return fb_ipv4_begin_opts(f, src, dst, proto, 0);
}

/* Writes the RFC 1071 checksum of the IPv4 header at off. */
static inline void
fb_ipv4_csum(struct fb *f, uint32_t off)
{
    uint32_t hlen = (uint32_t)(f->b[off] & 0x0f) * 4, sum = 0, i;

    fb_set16(f, off + 10, 0);
    for (i = 0; i < hlen; i += 2)
        sum += (uint32_t)f->b[off + i] << 8 | f->b[off + i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    fb_set16(f, off + 10, (uint16_t)~sum);
}

/* Sets the total length of the IPv4 header at off to everything appended since, and its
 * checksum. */
static inline void
fb_ipv4_end(struct fb *f, uint32_t off)
{
    fb_set16(f, off + 2, (uint16_t)(f->len - off));
    fb_ipv4_csum(f, off);
}

/* IPv6 header (traffic class 0, flow label 0, hop limit 64); returns its offset. */
static inline uint32_t
fb_ipv6_begin(struct fb *f, const uint8_t src[16], const uint8_t dst[16], uint8_t nh)
{
    uint32_t off = f->len;

    fb_put32(f, 0x60000000u);
    fb_put16(f, 0); /* payload length, set by fb_ipv6_end */
    fb_put8(f, nh);
    fb_put8(f, 64);
    fb_putn(f, src, 16);
    fb_putn(f, dst, 16);
    return off;
}

/* Sets the payload length of the IPv6 header at off. */
static inline void
fb_ipv6_end(struct fb *f, uint32_t off)
{
    fb_set16(f, off + 4, (uint16_t)(f->len - off - 40));
}

/* Generic IPv6 extension header of (units + 1) * 8 bytes, padded with PadN-free zeros. */
static inline void
fb_ipv6_ext(struct fb *f, uint8_t nh, uint8_t units)
{
    unsigned i;

    fb_put8(f, nh);
    fb_put8(f, units);
    for (i = 2; i < (unsigned)(units + 1) * 8; i++)
        fb_put8(f, 0);
}

/* IPv6 Fragment header: offset in bytes (multiple of 8), M flag, identification. */
static inline void
fb_ipv6_frag(struct fb *f, uint8_t nh, uint32_t offset, bool more, uint32_t id)
{
    fb_put8(f, nh);
    fb_put8(f, 0);
    fb_put16(f, (uint16_t)((offset & 0xfff8u) | (more ? 1u : 0u)));
    fb_put32(f, id);
}

/* A TCP segment description for fb_tcp. opt_len must be a multiple of 4. */
struct fb_tcp_spec {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t win;
    const uint8_t *opt;
    uint32_t opt_len;
    const void *data;
    uint32_t data_len;
};

/* Appends a TCP header (checksum 0) plus options and data. */
static inline void
fb_tcp(struct fb *f, const struct fb_tcp_spec *t)
{
    fb_put16(f, t->sport);
    fb_put16(f, t->dport);
    fb_put32(f, t->seq);
    fb_put32(f, t->ack);
    fb_put8(f, (uint8_t)(((20 + t->opt_len) / 4) << 4));
    fb_put8(f, t->flags);
    fb_put16(f, t->win);
    fb_put16(f, 0);
    fb_put16(f, 0);
    fb_putn(f, t->opt, t->opt_len);
    fb_putn(f, t->data, t->data_len);
}

/* The standard segment header (FB_SPORT -> FB_DPORT, FB_SEQ/FB_ACK, PSH|ACK, FB_WIN, no
 * options) carrying data[0..len). */
static inline void
fb_tcp_std_data(struct fb *f, const void *data, uint32_t len)
{
    struct fb_tcp_spec t = {
        .sport = FB_SPORT,
        .dport = FB_DPORT,
        .seq = FB_SEQ,
        .ack = FB_ACK,
        .flags = 0x18,
        .win = FB_WIN,
        .data = data,
        .data_len = len,
    };

    fb_tcp(f, &t);
}

/* The standard segment carrying "HELLO". */
static inline void
fb_tcp_std(struct fb *f)
{
    fb_tcp_std_data(f, FB_DATA, FB_DATA_LEN);
}

/* The standard segment in an IPv4 datagram from FB_V4_A to FB_V4_B. */
static inline void
fb_ipv4_tcp_std(struct fb *f)
{
    uint32_t ip = fb_ipv4_begin(f, FB_V4_A, FB_V4_B, 6);

    fb_tcp_std(f);
    fb_ipv4_end(f, ip);
}

/* The standard segment in an IPv6 datagram from fb_v6_a to fb_v6_b. */
static inline void
fb_ipv6_tcp_std(struct fb *f)
{
    uint32_t ip = fb_ipv6_begin(f, fb_v6_a, fb_v6_b, 6);

    fb_tcp_std(f);
    fb_ipv6_end(f, ip);
}

#endif /* TCPF_TESTS_UNIT_FRAMES_H */
