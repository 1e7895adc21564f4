/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: unit tests for core/ipfrag.c: ordering, overlaps (first wins), IPv6, timeouts,
 * memory and count limits, and malformed fragments */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"
#include "frames.h"
#include "ipfrag.h"

#define T_RAW 101

/* An unfragmented datagram and where its fragmentable part starts. */
struct dgram {
    struct fb f;
    uint32_t unfrag_len; /* IPv4 header, or IPv6 header + extension headers before TCP */
    bool v6;
};

/* Builds an IPv4 datagram (id 0x1234, DF clear) holding a TCP segment with data_len bytes of
 * a position-dependent pattern, source address src. */
static void
build_v4(struct dgram *d, uint32_t src, uint32_t data_len)
{
    static uint8_t data[FB_CAP];
    uint32_t i, ip;

    for (i = 0; i < data_len; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    fb_init(&d->f);
    ip = fb_ipv4_begin(&d->f, src, FB_V4_B, 6);
    fb_tcp_std_data(&d->f, data, data_len);
    fb_ipv4_end(&d->f, ip);
    d->unfrag_len = 20;
    d->v6 = false;
}

/* Builds an IPv6 datagram with a hop-by-hop header before a TCP segment of data_len bytes. */
static void
build_v6(struct dgram *d, uint32_t data_len)
{
    static uint8_t data[FB_CAP];
    uint32_t i, ip;

    for (i = 0; i < data_len; i++)
        data[i] = (uint8_t)(i * 13 + 1);
    fb_init(&d->f);
    ip = fb_ipv6_begin(&d->f, fb_v6_a, fb_v6_b, 0);
    fb_ipv6_ext(&d->f, 6, 0);
    fb_tcp_std_data(&d->f, data, data_len);
    fb_ipv6_end(&d->f, ip);
    d->unfrag_len = 48;
    d->v6 = true;
}

/* Writes into out the fragment of d carrying fragmentable bytes [off, off+len). */
static void
make_frag(const struct dgram *d, uint32_t off, uint32_t len, bool more, struct fb *out)
{
    fb_init(out);
    fb_putn(out, d->f.b, d->unfrag_len);
    if (!d->v6) {
        fb_set16(out, 6, (uint16_t)((d->f.b[6] << 8 & 0x4000) | (more ? 0x2000 : 0) | off / 8));
        fb_putn(out, d->f.b + d->unfrag_len + off, len);
        fb_ipv4_end(out, 0);
        return;
    }
    out->b[40] = 44; /* the hop-by-hop header now points at the Fragment header */
    fb_ipv6_frag(out, d->f.b[40], off, more, 0xcafe);
    fb_putn(out, d->f.b + d->unfrag_len + off, len);
    fb_ipv6_end(out, 0);
}

/* Decodes the frame f (DLT_RAW), stamps it at sec and adds it; returns the result. */
static const uint8_t *
add_frame(struct tcpf_ipfrag *fr, const struct fb *f, int64_t sec, uint32_t *len)
{
    struct tcpf_pkt pkt;

    memset(&pkt, 0, sizeof(pkt));
    assert_int_equal(tcpf_decode_frame(T_RAW, f->b, f->len, &pkt), TCPF_DECODE_FRAGMENT);
    pkt.ts.sec = sec;
    return tcpf_ipfrag_add(fr, &pkt, len);
}

/* Makes the fragment [off, off+len) of d and adds it at time sec. */
static const uint8_t *
add_frag(struct tcpf_ipfrag *fr, const struct dgram *d, uint32_t off, uint32_t len, bool more,
         int64_t sec, uint32_t *out_len)
{
    struct fb f;

    make_frag(d, off, len, more, &f);
    return add_frame(fr, &f, sec, out_len);
}

/* Asserts that out[0..*lenp) is exactly d, and that it decodes to its TCP segment. */
static void
check_whole(const struct dgram *d, const uint8_t *out, const uint32_t *lenp, uint32_t data_len)
{
    struct tcpf_pkt pkt;
    uint32_t len = *lenp;

    assert_non_null(out);
    assert_int_equal(len, d->f.len);
    assert_memory_equal(out, d->f.b, len);
    memset(&pkt, 0, sizeof(pkt));
    assert_int_equal(tcpf_decode_ip(out, len, &pkt), TCPF_DECODE_TCP);
    assert_int_equal(pkt.sport, FB_SPORT);
    assert_int_equal(pkt.seq, FB_SEQ);
    assert_int_equal(pkt.payload_len, data_len);
    assert_false(pkt.ip_truncated);
}

/* Creates a reassembler with the given limits (0 = default); never NULL. */
static struct tcpf_ipfrag *
new_fr(size_t memcap, uint32_t max, uint32_t timeout)
{
    struct tcpf_ipfrag_limits lim = { memcap, max, timeout };
    struct tcpf_ipfrag *fr = tcpf_ipfrag_create(&lim);

    assert_non_null(fr);
    return fr;
}

static void
test_v4_in_order(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    const uint8_t *out;
    uint32_t len = 99;

    (void)state;
    build_v4(&d, FB_V4_A, 100); /* 120 fragmentable bytes */
    assert_null(add_frag(fr, &d, 0, 48, true, 1, &len));
    assert_int_equal(len, 0);
    assert_null(add_frag(fr, &d, 48, 48, true, 1, &len));
    out = add_frag(fr, &d, 96, 24, false, 1, &len);
    check_whole(&d, out, &len, 100);
    assert_int_equal(tcpf_ipfrag_stats(fr)->fragments, 3);
    assert_int_equal(tcpf_ipfrag_stats(fr)->completed, 1);
    assert_int_equal(tcpf_ipfrag_stats(fr)->overlaps, 0);
    tcpf_ipfrag_destroy(fr);
}

static void
test_v4_reverse_order(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 100);
    assert_null(add_frag(fr, &d, 96, 24, false, 1, &len));
    assert_null(add_frag(fr, &d, 48, 48, true, 1, &len));
    check_whole(&d, add_frag(fr, &d, 0, 48, true, 1, &len), &len, 100);
    assert_int_equal(tcpf_ipfrag_stats(fr)->completed, 1);
    tcpf_ipfrag_destroy(fr);
}

static void
test_v4_overlap_first_wins(void **state)
{
    struct dgram d;
    struct fb f;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 100);
    assert_null(add_frag(fr, &d, 0, 48, true, 1, &len));
    make_frag(&d, 40, 56, true, &f); /* overlaps [40, 48) with different bytes */
    memset(f.b + 20, 'X', 8);
    fb_ipv4_csum(&f, 0);
    assert_null(add_frame(fr, &f, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->overlaps, 1);
    check_whole(&d, add_frag(fr, &d, 96, 24, false, 1, &len), &len, 100);
    tcpf_ipfrag_destroy(fr);
}

static void
test_v4_overlap_spanning_several_pieces(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 100);
    assert_null(add_frag(fr, &d, 8, 8, true, 1, &len));
    assert_null(add_frag(fr, &d, 32, 16, true, 1, &len));
    assert_null(add_frag(fr, &d, 64, 8, true, 1, &len));
    assert_null(add_frag(fr, &d, 0, 96, true, 1, &len)); /* fills the gaps around them */
    check_whole(&d, add_frag(fr, &d, 96, 24, false, 1, &len), &len, 100);
    assert_int_equal(tcpf_ipfrag_stats(fr)->overlaps, 0);
    tcpf_ipfrag_destroy(fr);
}

static void
test_v4_duplicate_fragments(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 100);
    assert_null(add_frag(fr, &d, 0, 48, true, 1, &len));
    assert_null(add_frag(fr, &d, 0, 48, true, 1, &len));
    assert_null(add_frag(fr, &d, 96, 24, false, 1, &len));
    assert_null(add_frag(fr, &d, 96, 24, false, 1, &len));
    check_whole(&d, add_frag(fr, &d, 48, 48, true, 1, &len), &len, 100);
    assert_int_equal(tcpf_ipfrag_stats(fr)->fragments, 5);
    assert_int_equal(tcpf_ipfrag_stats(fr)->overlaps, 0);
    assert_int_equal(tcpf_ipfrag_stats(fr)->completed, 1);
    tcpf_ipfrag_destroy(fr);
}

static void
test_v4_header_rewritten(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    const uint8_t *out;
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 30);
    fb_set16(&d.f, 6, 0x4000); /* DF survives reassembly */
    fb_ipv4_csum(&d.f, 0);
    assert_null(add_frag(fr, &d, 0, 32, true, 5, &len));
    out = add_frag(fr, &d, 32, 18, false, 5, &len);
    assert_non_null(out);
    assert_int_equal(len, 70);
    assert_int_equal(out[2] << 8 | out[3], 70);
    assert_int_equal(out[6] << 8 | out[7], 0x4000);
    assert_memory_equal(out, d.f.b, len); /* checksum recomputed too */
    tcpf_ipfrag_destroy(fr);
}

static void
test_v6_in_order(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v6(&d, 200); /* 220 fragmentable bytes */
    assert_null(add_frag(fr, &d, 0, 104, true, 1, &len));
    assert_null(add_frag(fr, &d, 104, 104, true, 1, &len));
    check_whole(&d, add_frag(fr, &d, 208, 12, false, 1, &len), &len, 200);
    assert_int_equal(tcpf_ipfrag_stats(fr)->completed, 1);
    tcpf_ipfrag_destroy(fr);
}

static void
test_v6_out_of_order_with_overlap(void **state)
{
    struct dgram d;
    struct fb f;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v6(&d, 200);
    assert_null(add_frag(fr, &d, 208, 12, false, 1, &len));
    assert_null(add_frag(fr, &d, 96, 112, true, 1, &len));
    make_frag(&d, 0, 104, true, &f);
    memset(f.b + 56 + 100, 'Z', 4); /* last 4 bytes conflict with the earlier fragment */
    check_whole(&d, add_frame(fr, &f, 1, &len), &len, 200);
    assert_int_equal(tcpf_ipfrag_stats(fr)->overlaps, 1);
    tcpf_ipfrag_destroy(fr);
}

static void
test_timeout_expires_incomplete(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 10);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 100);
    assert_null(add_frag(fr, &d, 0, 48, true, 100, &len));
    assert_null(add_frag(fr, &d, 48, 48, true, 110, &len)); /* age 10: still alive */
    assert_int_equal(tcpf_ipfrag_stats(fr)->timed_out, 0);
    assert_null(add_frag(fr, &d, 96, 24, false, 111, &len)); /* age 11: first two dropped */
    assert_int_equal(tcpf_ipfrag_stats(fr)->timed_out, 1);
    assert_null(add_frag(fr, &d, 48, 48, true, 112, &len));
    check_whole(&d, add_frag(fr, &d, 0, 48, true, 112, &len), &len, 100);
    tcpf_ipfrag_destroy(fr);
}

static void
test_timeout_with_time_going_backwards(void **state)
{
    struct dgram a, b;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 10);
    uint32_t len;

    (void)state;
    build_v4(&a, FB_V4_A, 100);
    build_v4(&b, 0x0a000003u, 100);
    assert_null(add_frag(fr, &a, 0, 48, true, 1000, &len));
    assert_null(add_frag(fr, &b, 0, 48, true, 5, &len)); /* stamped in the past: "now" */
    assert_null(add_frag(fr, &a, 48, 48, true, 1011, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->timed_out, 2);
    tcpf_ipfrag_destroy(fr);
}

static void
test_memcap_evicts_oldest(void **state)
{
    struct dgram a, b, c;
    struct tcpf_ipfrag *fr = new_fr(4000, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&a, 0x0a000011u, 1600);
    build_v4(&b, 0x0a000012u, 1600);
    build_v4(&c, 0x0a000013u, 1600);
    assert_null(add_frag(fr, &a, 0, 1480, true, 1, &len));
    assert_null(add_frag(fr, &b, 0, 1480, true, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->evicted, 0);
    assert_null(add_frag(fr, &c, 0, 1480, true, 1, &len)); /* a must go */
    assert_int_equal(tcpf_ipfrag_stats(fr)->evicted, 1);
    assert_null(add_frag(fr, &a, 1480, 140, false, 1, &len));
    check_whole(&b, add_frag(fr, &b, 1480, 140, false, 1, &len), &len, 1600);
    tcpf_ipfrag_destroy(fr);
}

static void
test_memcap_smaller_than_fragment(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(1000, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 1600);
    assert_null(add_frag(fr, &d, 0, 1480, true, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->evicted, 1);
    assert_null(add_frag(fr, &d, 1480, 140, false, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->completed, 0);
    tcpf_ipfrag_destroy(fr);
}

static void
test_max_datagrams_evicts_oldest(void **state)
{
    struct dgram a, b, c;
    struct tcpf_ipfrag *fr = new_fr(0, 2, 0);
    uint32_t len;

    (void)state;
    build_v4(&a, 0x0a000011u, 100);
    build_v4(&b, 0x0a000012u, 100);
    build_v4(&c, 0x0a000013u, 100);
    assert_null(add_frag(fr, &a, 0, 48, true, 1, &len));
    assert_null(add_frag(fr, &b, 0, 48, true, 1, &len));
    assert_null(add_frag(fr, &c, 0, 48, true, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->evicted, 1);
    assert_null(add_frag(fr, &a, 48, 72, false, 1, &len)); /* a's head is gone... */
    assert_int_equal(tcpf_ipfrag_stats(fr)->evicted, 2);   /* ...and b made room for its tail */
    check_whole(&c, add_frag(fr, &c, 48, 72, false, 1, &len), &len, 100);
    assert_null(add_frag(fr, &b, 48, 72, false, 1, &len));
    tcpf_ipfrag_destroy(fr);
}

static void
test_oversize_datagram_rejected(void **state)
{
    struct dgram d;
    struct fb f;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 100);
    assert_null(add_frag(fr, &d, 0, 48, true, 1, &len));
    make_frag(&d, 0, 24, false, &f);
    fb_set16(&f, 6, 65512 / 8); /* 20 + 65512 + 24 > 65535 */
    fb_ipv4_csum(&f, 0);
    assert_null(add_frame(fr, &f, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->invalid, 1);
    assert_int_equal(tcpf_ipfrag_stats(fr)->fragments, 1);
    tcpf_ipfrag_destroy(fr);
}

static void
test_inconsistent_ends_rejected(void **state)
{
    struct dgram d, big;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 100);
    assert_null(add_frag(fr, &d, 48, 48, true, 1, &len));
    assert_null(add_frag(fr, &d, 8, 32, false, 1, &len)); /* ends before held data */
    assert_int_equal(tcpf_ipfrag_stats(fr)->invalid, 1);
    assert_null(add_frag(fr, &d, 96, 24, false, 1, &len));
    assert_null(add_frag(fr, &d, 96, 16, false, 1, &len)); /* a second, different end */
    assert_int_equal(tcpf_ipfrag_stats(fr)->invalid, 2);
    build_v4(&big, FB_V4_A, 200); /* same key, more data past the known end */
    assert_null(add_frag(fr, &big, 112, 16, true, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->invalid, 3);
    check_whole(&d, add_frag(fr, &d, 0, 48, true, 1, &len), &len, 100);
    tcpf_ipfrag_destroy(fr);
}

static void
test_zero_length_non_last_rejected(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 100);
    assert_null(add_frag(fr, &d, 48, 0, true, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->invalid, 1);
    assert_int_equal(tcpf_ipfrag_stats(fr)->fragments, 0);
    tcpf_ipfrag_destroy(fr);
}

static void
test_truncated_fragment_rejected(void **state)
{
    struct dgram d;
    struct fb f;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&d, FB_V4_A, 100);
    make_frag(&d, 0, 48, true, &f);
    f.len -= 8; /* cut by the snap length */
    assert_null(add_frame(fr, &f, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->invalid, 1);
    tcpf_ipfrag_destroy(fr);
}

static void
test_too_many_pieces_rejected(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len, i;

    (void)state;
    build_v4(&d, FB_V4_A, 16400); /* every other 8-byte block, backwards */
    for (i = 0; i < 1024; i++)
        assert_null(add_frag(fr, &d, 16368 - i * 16, 8, true, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->invalid, 0);
    assert_null(add_frag(fr, &d, 8, 8, true, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->invalid, 1);
    tcpf_ipfrag_destroy(fr);
}

static void
test_keys_kept_apart(void **state)
{
    struct dgram a, b;
    struct fb f;
    struct tcpf_ipfrag *fr = new_fr(0, 0, 0);
    uint32_t len;

    (void)state;
    build_v4(&a, FB_V4_A, 100);
    build_v4(&b, 0x0a000009u, 100);
    assert_null(add_frag(fr, &a, 0, 48, true, 1, &len));
    assert_null(add_frag(fr, &b, 48, 72, false, 1, &len)); /* same id, other source */
    make_frag(&a, 48, 72, false, &f);
    f.b[9] = 17; /* same id and addresses, other protocol */
    fb_ipv4_csum(&f, 0);
    assert_null(add_frame(fr, &f, 1, &len));
    assert_int_equal(tcpf_ipfrag_stats(fr)->completed, 0);
    check_whole(&a, add_frag(fr, &a, 48, 72, false, 1, &len), &len, 100);
    check_whole(&b, add_frag(fr, &b, 0, 48, true, 1, &len), &len, 100);
    tcpf_ipfrag_destroy(fr);
}

static void
test_destroy_with_pending_datagrams(void **state)
{
    struct dgram d;
    struct tcpf_ipfrag *fr = tcpf_ipfrag_create(NULL);
    uint32_t len, i;

    (void)state;
    assert_non_null(fr);
    for (i = 0; i < 50; i++) {
        build_v4(&d, 0x0a000100u + i, 100);
        assert_null(add_frag(fr, &d, 0, 48, true, 1, &len));
    }
    tcpf_ipfrag_destroy(fr);
    tcpf_ipfrag_destroy(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4_in_order),
        cmocka_unit_test(test_v4_reverse_order),
        cmocka_unit_test(test_v4_overlap_first_wins),
        cmocka_unit_test(test_v4_overlap_spanning_several_pieces),
        cmocka_unit_test(test_v4_duplicate_fragments),
        cmocka_unit_test(test_v4_header_rewritten),
        cmocka_unit_test(test_v6_in_order),
        cmocka_unit_test(test_v6_out_of_order_with_overlap),
        cmocka_unit_test(test_timeout_expires_incomplete),
        cmocka_unit_test(test_timeout_with_time_going_backwards),
        cmocka_unit_test(test_memcap_evicts_oldest),
        cmocka_unit_test(test_memcap_smaller_than_fragment),
        cmocka_unit_test(test_max_datagrams_evicts_oldest),
        cmocka_unit_test(test_oversize_datagram_rejected),
        cmocka_unit_test(test_inconsistent_ends_rejected),
        cmocka_unit_test(test_zero_length_non_last_rejected),
        cmocka_unit_test(test_truncated_fragment_rejected),
        cmocka_unit_test(test_too_many_pieces_rejected),
        cmocka_unit_test(test_keys_kept_apart),
        cmocka_unit_test(test_destroy_with_pending_datagrams),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
