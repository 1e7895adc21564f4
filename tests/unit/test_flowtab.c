/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: unit tests of core/flowtab.c: symmetric lookup, VLAN in the key, LRU order */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flowtab.h"

/* A TCP packet view from 10.0.0.a:pa to 10.0.0.b:pb (only the fields the key uses). */
static struct tcpf_pkt
pkt4(uint8_t a, uint16_t pa, uint8_t b, uint16_t pb)
{
    struct tcpf_pkt p;

    memset(&p, 0, sizeof(p));
    p.family = TCPF_AF_INET;
    p.src[0] = 10;
    p.src[3] = a;
    p.dst[0] = 10;
    p.dst[3] = b;
    p.sport = pa;
    p.dport = pb;
    return p;
}

static void
test_lookup_is_symmetric(void **state)
{
    struct tcpf_flowtab *ft = tcpf_flowtab_create();
    struct tcpf_pkt fwd = pkt4(1, 40000, 2, 80), rev = pkt4(2, 80, 1, 40000);
    struct tcpf_conn *c;
    int dir = -1;

    (void)state;
    assert_non_null(ft);
    assert_null(tcpf_flowtab_lookup(ft, &fwd, &dir));
    c = tcpf_flowtab_insert(ft, &fwd);
    assert_non_null(c);
    assert_ptr_equal(tcpf_flowtab_lookup(ft, &fwd, &dir), c);
    assert_int_equal(dir, 0);
    assert_ptr_equal(tcpf_flowtab_lookup(ft, &rev, &dir), c);
    assert_int_equal(dir, 1);
    assert_ptr_equal(c->dir[1].conn, c);
    assert_int_equal(c->dir[1].index, 1);
    tcpf_flowtab_destroy(ft);
}

static void
test_vlan_is_part_of_the_key(void **state)
{
    struct tcpf_flowtab *ft = tcpf_flowtab_create();
    struct tcpf_pkt a = pkt4(1, 1000, 2, 80), b = a, plain = a;
    struct tcpf_conn *ca, *cb;
    int dir;

    (void)state;
    a.has_vlan = true;
    a.vlan = 100;
    b.has_vlan = true;
    b.vlan = 200;
    ca = tcpf_flowtab_insert(ft, &a);
    cb = tcpf_flowtab_insert(ft, &b);
    assert_ptr_not_equal(ca, cb);
    assert_ptr_equal(tcpf_flowtab_lookup(ft, &a, &dir), ca);
    assert_ptr_equal(tcpf_flowtab_lookup(ft, &b, &dir), cb);
    assert_null(tcpf_flowtab_lookup(ft, &plain, &dir));
    tcpf_flowtab_destroy(ft);
}

static void
test_same_endpoints_different_ports(void **state)
{
    struct tcpf_flowtab *ft = tcpf_flowtab_create();
    struct tcpf_pkt a = pkt4(1, 1000, 2, 80), b = pkt4(1, 1001, 2, 80);
    struct tcpf_pkt self = pkt4(5, 7, 5, 7); /* src == dst, sport == dport (c12) */
    int dir;

    (void)state;
    assert_non_null(tcpf_flowtab_insert(ft, &a));
    assert_null(tcpf_flowtab_lookup(ft, &b, &dir));
    assert_non_null(tcpf_flowtab_insert(ft, &self));
    assert_non_null(tcpf_flowtab_lookup(ft, &self, &dir));
    assert_int_equal(dir, 0);
    assert_int_equal(tcpf_flowtab_count(ft), 2);
    tcpf_flowtab_destroy(ft);
}

static void
test_lru_order_and_remove(void **state)
{
    struct tcpf_flowtab *ft = tcpf_flowtab_create();
    struct tcpf_conn *c[3];
    struct tcpf_pkt p;
    int i;

    (void)state;
    for (i = 0; i < 3; i++) {
        p = pkt4((uint8_t)(i + 1), 1000, 9, 80);
        c[i] = tcpf_flowtab_insert(ft, &p);
    }
    assert_ptr_equal(tcpf_flowtab_oldest(ft), c[0]);
    tcpf_flowtab_touch(ft, c[0]);
    assert_ptr_equal(tcpf_flowtab_oldest(ft), c[1]);
    assert_ptr_equal(tcpf_flowtab_newer(c[1]), c[2]);
    assert_ptr_equal(tcpf_flowtab_newer(c[2]), c[0]);
    assert_null(tcpf_flowtab_newer(c[0]));
    tcpf_flowtab_remove(ft, c[1]);
    assert_ptr_equal(tcpf_flowtab_oldest(ft), c[2]);
    assert_int_equal(tcpf_flowtab_count(ft), 2);
    p = pkt4(2, 1000, 9, 80);
    assert_null(tcpf_flowtab_lookup(ft, &p, &i));
    tcpf_flowtab_destroy(ft);
}

/* Many connections force the bucket array to grow; every one must still be found. */
static void
test_growth_keeps_every_connection(void **state)
{
    struct tcpf_flowtab *ft = tcpf_flowtab_create();
    struct tcpf_pkt p;
    uint32_t i;
    int dir;

    (void)state;
    for (i = 0; i < 20000; i++) {
        p = pkt4((uint8_t)(i & 0xff), (uint16_t)(1024 + i / 256), 2, 443);
        assert_non_null(tcpf_flowtab_insert(ft, &p));
    }
    assert_int_equal(tcpf_flowtab_count(ft), 20000);
    for (i = 0; i < 20000; i++) {
        p = pkt4(2, 443, (uint8_t)(i & 0xff), (uint16_t)(1024 + i / 256));
        assert_non_null(tcpf_flowtab_lookup(ft, &p, &dir));
        assert_int_equal(dir, 1);
    }
    tcpf_flowtab_destroy(ft);
}

static void
test_ipv6_keys(void **state)
{
    struct tcpf_flowtab *ft = tcpf_flowtab_create();
    struct tcpf_pkt a, b;
    int dir;

    (void)state;
    memset(&a, 0, sizeof(a));
    a.family = TCPF_AF_INET6;
    a.src[0] = 0x20;
    a.src[15] = 1;
    a.dst[0] = 0x20;
    a.dst[15] = 2;
    a.sport = 5000;
    a.dport = 80;
    b = a;
    b.family = TCPF_AF_INET; /* same bytes, other family: another connection */
    assert_non_null(tcpf_flowtab_insert(ft, &a));
    assert_null(tcpf_flowtab_lookup(ft, &b, &dir));
    tcpf_flowtab_destroy(ft);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_is_symmetric),
        cmocka_unit_test(test_vlan_is_part_of_the_key),
        cmocka_unit_test(test_same_endpoints_different_ports),
        cmocka_unit_test(test_lru_order_and_remove),
        cmocka_unit_test(test_growth_keeps_every_connection),
        cmocka_unit_test(test_ipv6_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
