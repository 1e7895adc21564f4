/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: unit tests for core/outname.c: every escape, IPv4/IPv6, VLAN, -T, -F, limits */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "outname.h"

/* 10.0.0.1:40000 -> 10.0.0.2:80, no VLAN, no MAC, t=1600000000. */
static struct tcpf_outname_vars
v4_vars(void)
{
    struct tcpf_outname_vars v;

    memset(&v, 0, sizeof(v));
    v.family = TCPF_AF_INET;
    v.src[0] = 10, v.src[3] = 1;
    v.dst[0] = 10, v.dst[3] = 2;
    v.sport = 40000;
    v.dport = 80;
    v.first_ts.sec = 1600000000;
    return v;
}

/* Expands tmpl and checks the result. */
static void
expect_name(const char *tmpl, const struct tcpf_outname_vars *v, const char *want)
{
    char buf[TCPF_OUTNAME_MAX], err[TCPF_ERRBUF_SIZE] = "";
    int rc = tcpf_outname_expand(tmpl, v, buf, sizeof(buf), err);

    if (rc != TCPF_OUTNAME_OK)
        fail_msg("expand '%s' failed: %d %s", tmpl, rc, err);
    assert_string_equal(buf, want);
}

static void
test_default_ipv4(void **state)
{
    struct tcpf_outname_vars v = v4_vars();

    (void)state;
    expect_name(TCPF_OUTNAME_DEFAULT, &v, "010.000.000.001.40000-010.000.000.002.00080");
    v.count = 1;
    expect_name(TCPF_OUTNAME_DEFAULT, &v, "010.000.000.001.40000-010.000.000.002.00080c1");
    v.count = 12;
    expect_name(TCPF_OUTNAME_DEFAULT, &v, "010.000.000.001.40000-010.000.000.002.00080c12");
    v.src[0] = 192, v.src[1] = 168, v.src[2] = 255, v.src[3] = 254;
    v.sport = 0;
    v.dport = 65535;
    v.count = 0;
    expect_name("%A.%a-%B.%b", &v, "192.168.255.254.00000-010.000.000.002.65535");
}

static void
test_default_ipv6(void **state)
{
    struct tcpf_outname_vars v = v4_vars();
    static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    static const uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2 };

    (void)state;
    v.family = TCPF_AF_INET6;
    memcpy(v.src, a, 16);
    memcpy(v.dst, b, 16);
    expect_name(TCPF_OUTNAME_DEFAULT, &v, "2001:db8::1.40000-2001:db8:0:2::2.00080");
    memset(v.src, 0, 16);
    v.src[15] = 1;
    expect_name("%A", &v, "::1");
}

static void
test_vlan_mac(void **state)
{
    struct tcpf_outname_vars v = v4_vars();
    static const uint8_t ms[6] = { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc };
    static const uint8_t md[6] = { 0xff, 0xee, 0x0d, 0x0c, 0x0b, 0x0a };

    (void)state;
    expect_name("x%V%vy", &v, "xy");
    v.has_vlan = true;
    v.vlan = 100;
    expect_name(TCPF_OUTNAME_DEFAULT, &v, "010.000.000.001.40000-010.000.000.002.00080--100");
    v.count = 3;
    expect_name(TCPF_OUTNAME_DEFAULT, &v, "010.000.000.001.40000-010.000.000.002.00080--100c3");
    v.vlan = 0;
    expect_name("%V%v", &v, "--0");

    expect_name("[%E][%e]", &v, "[][]");
    v.has_mac = true;
    memcpy(v.mac_src, ms, 6);
    memcpy(v.mac_dst, md, 6);
    expect_name("%E_%e", &v, "00:1b:21:aa:bb:cc_ff:ee:0d:0c:0b:0a");
}

static void
test_times(void **state)
{
    struct tcpf_outname_vars v = v4_vars();

    (void)state;
    expect_name("%T", &v, "2020-09-13T12:26:40Z");
    expect_name("%t", &v, "1600000000");
    expect_name("%tT", &v, "1600000000T");
    v.first_ts.sec = 0;
    expect_name("%T|%t", &v, "1970-01-01T00:00:00Z|0");
    v.first_ts.sec = -5;
    expect_name("%T|%t", &v, "1970-01-01T00:00:00Z|-5");
    v.first_ts.sec = INT64_MAX;
    expect_name("%T", &v, "9999-12-31T23:59:59Z");
    v.first_ts.sec = 253402300799;
    expect_name("%T", &v, "9999-12-31T23:59:59Z");
}

static void
test_counters_ids(void **state)
{
    struct tcpf_outname_vars v = v4_vars();

    (void)state;
    expect_name("a%cb%Cc%#d", &v, "abc0d");
    v.count = 7;
    expect_name("a%cb%Cc%#d", &v, "a7bcc7d");
    v.flow_id = UINT64_C(1234567890123);
    expect_name("%N|%K|%M|%G", &v, "123|890|567|234");
    v.flow_id = 5;
    expect_name("%G%M%K%N", &v, "000000000005");
    v.session_id = 42;
    expect_name("%S", &v, "00000000000000000042");
    v.session_id = UINT64_MAX;
    expect_name("%S", &v, "18446744073709551615");
    expect_name("100%%", &v, "100%");
    expect_name("%%c", &v, "%c");
}

static void
test_invalid_escapes(void **state)
{
    struct tcpf_outname_vars v = v4_vars();
    char buf[64], err[TCPF_ERRBUF_SIZE];

    (void)state;
    err[0] = '\0';
    assert_int_equal(tcpf_outname_validate("%A%z", err), TCPF_OUTNAME_EINVAL);
    assert_non_null(strstr(err, "unknown escape %z"));
    assert_int_equal(tcpf_outname_validate("abc%", err), TCPF_OUTNAME_EINVAL);
    assert_non_null(strstr(err, "cannot end with a %"));
    assert_int_equal(tcpf_outname_validate("%\x01", err), TCPF_OUTNAME_EINVAL);
    assert_non_null(strstr(err, "\\x01"));
    assert_int_equal(tcpf_outname_validate(NULL, err), TCPF_OUTNAME_EINVAL);
    assert_int_equal(tcpf_outname_validate("%A%a%B%b%E%e%V%v%T%t%c%C%#%N%K%M%G%S%%", err),
                     TCPF_OUTNAME_OK);
    assert_int_equal(tcpf_outname_validate("plain", NULL), TCPF_OUTNAME_OK);

    strcpy(buf, "junk");
    assert_int_equal(tcpf_outname_expand("x%q", &v, buf, sizeof(buf), err),
                     TCPF_OUTNAME_EINVAL);
    assert_string_equal(buf, "");
    assert_int_equal(tcpf_outname_expand("x%", &v, buf, sizeof(buf), NULL),
                     TCPF_OUTNAME_EINVAL);
    v.family = 99;
    assert_int_equal(tcpf_outname_expand("%A", &v, buf, sizeof(buf), err), TCPF_OUTNAME_EINVAL);
    assert_non_null(strstr(err, "family"));
}

static void
test_set_template(void **state)
{
    struct tcpf_outname_vars v = v4_vars();
    char t[TCPF_OUTNAME_MAX], err[TCPF_ERRBUF_SIZE];
    char big[TCPF_OUTNAME_MAX + 10];

    (void)state;
    assert_int_equal(tcpf_outname_set_template("flow", t, sizeof(t), err), 0);
    assert_string_equal(t, "flow%C%c");
    expect_name(t, &v, "flow");
    v.count = 2;
    expect_name(t, &v, "flowc2");

    /* tcpflow: -T 'flow%#' gives flow0, flow1c1 */
    assert_int_equal(tcpf_outname_set_template("flow%#", t, sizeof(t), err), 0);
    assert_string_equal(t, "flow%#%C%c");
    v.count = 0;
    expect_name(t, &v, "flow0");
    v.count = 1;
    expect_name(t, &v, "flow1c1");

    assert_int_equal(tcpf_outname_set_template("x%cy", t, sizeof(t), err), 0);
    assert_string_equal(t, "x%cy");
    /* a literal "%%c" is not the %c escape */
    assert_int_equal(tcpf_outname_set_template("x%%c", t, sizeof(t), err), 0);
    assert_string_equal(t, "x%%c%C%c");

    assert_int_equal(tcpf_outname_set_template("bad%y", t, sizeof(t), err),
                     TCPF_OUTNAME_EINVAL);
    assert_int_equal(tcpf_outname_set_template("abcdef", t, 8, err), TCPF_OUTNAME_ETOOLONG);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(tcpf_outname_set_template(big, t, sizeof(t), err), TCPF_OUTNAME_ETOOLONG);

    assert_true(tcpf_outname_has_count("%c"));
    assert_false(tcpf_outname_has_count("%%c%C"));
    assert_true(tcpf_outname_depends_on_count("a%#"));
    assert_true(tcpf_outname_depends_on_count("a%C"));
    assert_false(tcpf_outname_depends_on_count("%A%%c"));
}

static void
test_flag_letters(void **state)
{
    struct tcpf_outname_vars v = v4_vars();
    char t[TCPF_OUTNAME_MAX], err[TCPF_ERRBUF_SIZE];
    unsigned flags = 0;

    (void)state;
    strcpy(t, TCPF_OUTNAME_DEFAULT);
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 't', &flags, err), 0);
    assert_string_equal(t, "%tT%A.%a-%B.%b%V%v%C%c");
    expect_name(t, &v, "1600000000T010.000.000.001.40000-010.000.000.002.00080");

    strcpy(t, TCPF_OUTNAME_DEFAULT);
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'T', &flags, err), 0);
    expect_name(t, &v, "2020-09-13T12:26:40Z010.000.000.001.40000-010.000.000.002.00080");

    strcpy(t, TCPF_OUTNAME_DEFAULT);
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'k', &flags, err), 0);
    assert_string_equal(t, "%K/" TCPF_OUTNAME_DEFAULT);
    v.flow_id = 1234567;
    expect_name(t, &v, "234/010.000.000.001.40000-010.000.000.002.00080");

    strcpy(t, TCPF_OUTNAME_DEFAULT);
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'm', &flags, err), 0);
    expect_name(t, &v, "001000-001999/001234/010.000.000.001.40000-010.000.000.002.00080");

    strcpy(t, TCPF_OUTNAME_DEFAULT);
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'g', &flags, err), 0);
    v.flow_id = 0;
    expect_name(t, &v,
                "000000000-000999999/000000000-000000999/000000000/"
                "010.000.000.001.40000-010.000.000.002.00080");

    /* -Fc: every name carries the counter, c0 included (tcpflow's "cc" bug fixed) */
    strcpy(t, TCPF_OUTNAME_DEFAULT);
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'c', &flags, err), 0);
    assert_string_equal(t, "%A.%a-%B.%b%V%vc%#");
    expect_name(t, &v, "010.000.000.001.40000-010.000.000.002.00080c0");
    v.count = 1;
    expect_name(t, &v, "010.000.000.001.40000-010.000.000.002.00080c1");
    assert_true(tcpf_outname_depends_on_count(t));

    /* -FC: the counter leads every name */
    strcpy(t, TCPF_OUTNAME_DEFAULT);
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'C', &flags, err), 0);
    assert_string_equal(t, "%#-" TCPF_OUTNAME_DEFAULT);
    v.count = 0;
    expect_name(t, &v, "0-010.000.000.001.40000-010.000.000.002.00080");
    v.count = 2;
    expect_name(t, &v, "2-010.000.000.001.40000-010.000.000.002.00080c2");
    v.count = 1;

    /* X and M only set flags */
    assert_int_equal(flags, 0);
    strcpy(t, "abc");
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'X', &flags, err), 0);
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'M', &flags, err), 0);
    assert_int_equal(flags, TCPF_OUTNAME_F_NOSTORE | TCPF_OUTNAME_F_MD5);
    assert_string_equal(t, "abc");
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'X', NULL, err), 0);

    /* unknown letters: distinct code, tcpflow's message, template unchanged */
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'z', &flags, err),
                     TCPF_OUTNAME_EBADFLAG);
    assert_string_equal(err, "-F invalid format specification 'z'");
    assert_int_equal(tcpf_outname_apply_flag(t, sizeof(t), 'p', &flags, err),
                     TCPF_OUTNAME_EBADFLAG);
    assert_string_equal(t, "abc");
}

static void
test_flag_strings(void **state)
{
    char t[TCPF_OUTNAME_MAX], err[TCPF_ERRBUF_SIZE];
    char small[12];
    unsigned flags = 0;

    (void)state;
    /* applied in order: k then t gives %tT%K/... */
    strcpy(t, "n%c");
    assert_int_equal(tcpf_outname_apply_flags(t, sizeof(t), "kt", &flags, err), 0);
    assert_string_equal(t, "%tT%K/n%c");

    /* bad letters are skipped, the good ones applied, the first bad one reported */
    strcpy(t, "n%c");
    assert_int_equal(tcpf_outname_apply_flags(t, sizeof(t), "kzcp", &flags, err),
                     TCPF_OUTNAME_EBADFLAG);
    assert_string_equal(err, "-F invalid format specification 'z'");
    assert_string_equal(t, "%K/n%#");

    /* too long: error, template unchanged */
    strcpy(small, "%A%c");
    assert_int_equal(tcpf_outname_apply_flags(small, sizeof(small), "g", &flags, err),
                     TCPF_OUTNAME_ETOOLONG);
    assert_string_equal(small, "%A%c");
    assert_int_equal(tcpf_outname_apply_flags(small, sizeof(small), "k", &flags, err), 0);
    assert_string_equal(small, "%K/%A%c");
    assert_int_equal(tcpf_outname_apply_flags(small, sizeof(small), "kk", &flags, err),
                     TCPF_OUTNAME_ETOOLONG);
}

static void
test_long_names(void **state)
{
    struct tcpf_outname_vars v = v4_vars();
    char tmpl[TCPF_OUTNAME_MAX], buf[TCPF_OUTNAME_MAX + 16], err[TCPF_ERRBUF_SIZE];
    char small[20];
    size_t i;

    (void)state;
    /* a component longer than NAME_MAX */
    memset(tmpl, 'a', 300);
    tmpl[300] = '\0';
    assert_int_equal(tcpf_outname_expand(tmpl, &v, buf, sizeof(buf), err),
                     TCPF_OUTNAME_ETOOLONG);
    assert_string_equal(buf, "");
    /* exactly NAME_MAX is fine */
    tmpl[255] = '\0';
    assert_int_equal(tcpf_outname_expand(tmpl, &v, buf, sizeof(buf), err), TCPF_OUTNAME_OK);

    /* the whole name beyond PATH_MAX: 200 x "%S/" expands to 200 x 21 bytes */
    tmpl[0] = '\0';
    for (i = 0; i < 200; i++)
        strcat(tmpl, "%S/");
    strcat(tmpl, "x");
    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(tcpf_outname_expand(tmpl, &v, buf, sizeof(buf), err),
                     TCPF_OUTNAME_ETOOLONG);
    for (i = TCPF_OUTNAME_MAX; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 'Z');

    /* a small caller buffer is never overrun */
    memset(small, 'Z', sizeof(small));
    assert_int_equal(tcpf_outname_expand(TCPF_OUTNAME_DEFAULT, &v, small, 16, err),
                     TCPF_OUTNAME_ETOOLONG);
    for (i = 16; i < sizeof(small); i++)
        assert_int_equal(small[i], 'Z');
    assert_int_equal(tcpf_outname_expand("ab", &v, small, 3, err), TCPF_OUTNAME_OK);
    assert_string_equal(small, "ab");
    assert_int_equal(tcpf_outname_expand("abc", &v, small, 3, err), TCPF_OUTNAME_ETOOLONG);
    assert_int_equal(tcpf_outname_expand("abc", &v, small, 0, err), TCPF_OUTNAME_ETOOLONG);
}

static void
test_unsafe_names(void **state)
{
    struct tcpf_outname_vars v = v4_vars();
    char buf[TCPF_OUTNAME_MAX], err[TCPF_ERRBUF_SIZE];
    static const char *const bad[] = {
        "/etc/x%c", "a//b", "../x", "a/../b", "a/./b", "a/..", "x/%C%c", "%V/%A", ".", "",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = tcpf_outname_expand(bad[i], &v, buf, sizeof(buf), err);

        if (rc != TCPF_OUTNAME_EUNSAFE)
            fail_msg("'%s' gave %d, want EUNSAFE", bad[i], rc);
        assert_string_equal(buf, "");
    }
    /* ".." inside a component is just a name */
    expect_name("a..b/.hidden/c.", &v, "a..b/.hidden/c.");
    v.count = 1;
    expect_name("x/%C%c", &v, "x/c1");
}

static void
test_format_addr(void **state)
{
    uint8_t a[16] = { 10, 0, 0, 1 };
    char buf[64];

    (void)state;
    assert_int_equal(tcpf_outname_format_addr(TCPF_AF_INET, a, true, buf, sizeof(buf)), 15);
    assert_string_equal(buf, "010.000.000.001");
    assert_int_equal(tcpf_outname_format_addr(TCPF_AF_INET, a, false, buf, sizeof(buf)), 8);
    assert_string_equal(buf, "10.0.0.1");
    assert_int_equal(tcpf_outname_format_addr(TCPF_AF_INET, a, true, buf, 10), -1);
    assert_string_equal(buf, "");
    assert_int_equal(tcpf_outname_format_addr(7, a, false, buf, sizeof(buf)), -1);
    a[0] = 255, a[1] = 9, a[2] = 100, a[3] = 199;
    assert_int_equal(tcpf_outname_format_addr(TCPF_AF_INET, a, true, buf, 16), 15);
    assert_string_equal(buf, "255.009.100.199");
    assert_int_equal(tcpf_outname_format_addr(TCPF_AF_INET, a, true, buf, 15), -1);
    assert_string_equal(buf, "");
    memset(a, 0, sizeof(a));
    a[0] = 0xfe, a[1] = 0x80, a[15] = 0xab;
    assert_int_equal(tcpf_outname_format_addr(TCPF_AF_INET6, a, true, buf, sizeof(buf)), 8);
    assert_string_equal(buf, "fe80::ab");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_ipv4),   cmocka_unit_test(test_default_ipv6),
        cmocka_unit_test(test_vlan_mac),       cmocka_unit_test(test_times),
        cmocka_unit_test(test_counters_ids),   cmocka_unit_test(test_invalid_escapes),
        cmocka_unit_test(test_set_template),   cmocka_unit_test(test_flag_letters),
        cmocka_unit_test(test_flag_strings),   cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_unsafe_names),   cmocka_unit_test(test_format_addr),
    };

    return cmocka_run_group_tests_name("outname", tests, NULL, NULL);
}
