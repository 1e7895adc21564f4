/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: unit tests of the loader's pure checks: names, option values, descriptor rules,
 * derived-file suffixes (core/loader.c, core/scanhost.c) */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "loader.h"
#include "scanhost.h"

static int
t_data(void *s, void *f, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    (void)s, (void)f, (void)flow, (void)c;
    return TCPF_OK;
}

static int
t_open(void *s, const struct tcpf_flow *flow, void **f)
{
    (void)s, (void)flow, (void)f;
    return TCPF_OK;
}

static int
t_stream(void *s, void *f, const struct tcpf_flow *flow, const struct tcpf_stream *st)
{
    (void)s, (void)f, (void)flow, (void)st;
    return TCPF_OK;
}

/* A valid 1.0 descriptor to mutate. */
static struct tcpf_scanner
t_desc(void)
{
    struct tcpf_scanner d = {
        TCPF_SCANNER_HEADER("ok_name1"),
        .version = "1",
        .flow_data = t_data,
    };
    return d;
}

static int
t_check(const struct tcpf_scanner *d, char *why, size_t len)
{
    struct tcpf_scanner out;

    why[0] = '\0';
    return tcpf_loader_check_desc(d, &out, why, len);
}

static void
test_names(void **state)
{
    char long_name[TCPF_NAME_MAX + 2];

    (void)state;
    assert_true(tcpf_loader_name_ok("http"));
    assert_true(tcpf_loader_name_ok("a_1"));
    assert_false(tcpf_loader_name_ok(""));
    assert_false(tcpf_loader_name_ok(NULL));
    assert_false(tcpf_loader_name_ok("all"));
    assert_false(tcpf_loader_name_ok("Http"));
    assert_false(tcpf_loader_name_ok("a-b"));
    assert_false(tcpf_loader_name_ok("a.b"));
    assert_false(tcpf_loader_name_ok("../x"));
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_false(tcpf_loader_name_ok(long_name));
    long_name[TCPF_NAME_MAX] = '\0';
    assert_true(tcpf_loader_name_ok(long_name));
}

static void
test_values(void **state)
{
    struct tcpf_optval v = { 0 };

    (void)state;
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "0", &v), 0);
    assert_int_equal(v.u64, 0);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "4k", &v), 0);
    assert_int_equal(v.u64, 4096);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "0x10", &v), 0);
    assert_int_equal(v.u64, 16);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "2G", &v), 0);
    assert_int_equal(v.u64, UINT64_C(2) << 30);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "18446744073709551615", &v), 0);
    assert_true(v.u64 == UINT64_MAX);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "18446744073709551616", &v), -1);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "17179869184T", &v), -1);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "-1", &v), -1);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, " 1", &v), -1);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "1kb", &v), -1);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_U64, "", &v), -1);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_BOOL, "yes", &v), 0);
    assert_true(v.b);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_BOOL, "0", &v), 0);
    assert_false(v.b);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_BOOL, "T", &v), 0);
    assert_true(v.b);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_BOOL, "", &v), -1);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_BOOL, "maybe", &v), -1);
    assert_int_equal(tcpf_loader_parse_value(TCPF_OPT_STR, "", &v), 0);
    assert_int_equal(tcpf_loader_parse_value(99, "1", &v), -1);
}

static void
test_desc_versions(void **state)
{
    struct tcpf_scanner d;
    char why[256];

    (void)state;
    d = t_desc();
    assert_int_equal(t_check(&d, why, sizeof(why)), 0);
    d.abi_major = TCPF_ABI_MAJOR + 1;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "incompatible"));
    d = t_desc();
    d.abi_major = 0;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    d = t_desc();
    d.abi_minor = TCPF_ABI_MINOR + 1;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "newer"));
    d = t_desc();
    d.struct_size = 8;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "too small"));
    d = t_desc();
    d.struct_size = (uint32_t)offsetof(struct tcpf_scanner, shutdown);
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "1.0 layout"));
}

static void
test_desc_rules(void **state)
{
    static const struct tcpf_scanner_option dup[] = {
        { "a", TCPF_OPT_STR, "x", "" }, { "a", TCPF_OPT_STR, "y", "" }, { NULL, 0, NULL, NULL }
    };
    static const struct tcpf_scanner_option bad_def[] = {
        { "n", TCPF_OPT_U64, "many", "" }, { NULL, 0, NULL, NULL }
    };
    static const struct tcpf_scanner_option bad_type[] = {
        { "n", 7, "1", "" }, { NULL, 0, NULL, NULL }
    };
    static const struct tcpf_scanner_option bad_key[] = {
        { "N-1", TCPF_OPT_STR, "1", "" }, { NULL, 0, NULL, NULL }
    };
    static const struct tcpf_scanner_option good[] = {
        { "n", TCPF_OPT_U64, NULL, "" }, { NULL, 0, NULL, NULL }
    };
    struct tcpf_scanner d;
    char why[256];

    (void)state;
    d = t_desc();
    d.name = "Bad";
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    d = t_desc();
    d.name = NULL;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    d = t_desc();
    d.version = NULL;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    d = t_desc();
    d.flow_data = NULL;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "nothing to do"));
    d = t_desc();
    d.flow_open = t_open;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "flow_open without flow_close"));
    d = t_desc();
    d.flow_stream = t_stream;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    d.stream_max = 100;
    assert_int_equal(t_check(&d, why, sizeof(why)), 0);
    d.flow_stream = NULL;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    d = t_desc();
    d.options = dup;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "twice"));
    d.options = bad_def;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "not a valid u64"));
    d.options = bad_type;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    d.options = bad_key;
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
    d.options = good; /* NULL default reads as "": not a u64 */
    assert_int_equal(t_check(&d, why, sizeof(why)), -1);
}

/* A descriptor from an older minor (struct_size of 1.0) is read only up to struct_size. */
static void
test_desc_copy_bounded(void **state)
{
    struct tcpf_scanner d = t_desc(), out;
    char why[64];

    (void)state;
    memset(&out, 0xa5, sizeof(out));
    assert_int_equal(tcpf_loader_check_desc(&d, &out, why, sizeof(why)), 0);
    assert_ptr_equal(out.flow_data, t_data);
    assert_null(out.shutdown);
}

static void
test_suffixes(void **state)
{
    char longs[TCPF_SUFFIX_MAX + 2];

    (void)state;
    assert_true(tcpf_scanhost_suffix_ok("HTTPBODY-001.html"));
    assert_true(tcpf_scanhost_suffix_ok("a_b.c-d"));
    assert_false(tcpf_scanhost_suffix_ok(""));
    assert_false(tcpf_scanhost_suffix_ok(NULL));
    assert_false(tcpf_scanhost_suffix_ok(".hidden"));
    assert_false(tcpf_scanhost_suffix_ok("-x"));
    assert_false(tcpf_scanhost_suffix_ok("a..b"));
    assert_false(tcpf_scanhost_suffix_ok("a/b"));
    assert_false(tcpf_scanhost_suffix_ok("a b"));
    assert_false(tcpf_scanhost_suffix_ok("a\nb"));
    assert_false(tcpf_scanhost_suffix_ok("caf\xc3\xa9"));
    memset(longs, 'a', sizeof(longs) - 1);
    longs[sizeof(longs) - 1] = '\0';
    assert_false(tcpf_scanhost_suffix_ok(longs));
    longs[TCPF_SUFFIX_MAX] = '\0';
    assert_true(tcpf_scanhost_suffix_ok(longs));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_desc_versions),
        cmocka_unit_test(test_desc_rules),
        cmocka_unit_test(test_desc_copy_bounded),
        cmocka_unit_test(test_suffixes),
    };

    return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
