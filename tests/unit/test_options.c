/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: unit tests of core/options.c: tcpflow 1.6.1 flags, ordering, settings, errors */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"

/* Parses a NULL-terminated argument list; returns the parser's status. */
static int
parse(struct tcpf_options *o, char *err, const char *const *args)
{
    char *argv[64];
    int argc = 0;

    argv[argc++] = (char *)"tcpflow";
    while (*args != NULL && argc < 63)
        argv[argc++] = (char *)*args++;
    argv[argc] = NULL;
    err[0] = '\0';
    return tcpf_options_parse(o, argc, argv, err, 256);
}

static void
test_defaults(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const a[] = { "-r", "x.pcap", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, a), TCPF_EXIT_OK);
    assert_int_equal(o.n_inputs, 1);
    assert_string_equal(o.inputs[0], "x.pcap");
    assert_string_equal(o.outdir, ".");
    assert_string_equal(o.tmpl, "%A.%a-%B.%b%V%v%C%c");
    assert_true(o.store);
    assert_int_equal(o.max_bytes, -1);
    assert_int_equal(o.max_seek, 16u << 20);
    assert_false(o.live);
    assert_null(o.bpf);
    assert_true(o.enable_report);
    tcpf_options_free(&o);
}

static void
test_trailing_args_are_a_filter(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const a[] = { "-r", "x.pcap", "tcp", "port", "80", "-o", "out", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, a), TCPF_EXIT_OK);
    assert_string_equal(o.bpf, "tcp port 80");
    assert_string_equal(o.outdir, "out"); /* options after the expression still count */
    tcpf_options_free(&o);
}

static void
test_l_makes_trailing_args_files(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const a[] = { "-l", "a.pcap", "b.pcap", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, a), TCPF_EXIT_OK);
    assert_int_equal(o.n_inputs, 2);
    assert_string_equal(o.inputs[1], "b.pcap");
    assert_null(o.bpf);
    tcpf_options_free(&o);
}

/* -T replaces the template, so -F before it is lost and -F after it applies (tcpflow). */
static void
test_template_and_F_order(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const a[] = { "-r", "x", "-Fk", "-T", "%a-%b", NULL };
    const char *const b[] = { "-r", "x", "-T", "%a-%b", "-Fk", NULL };
    const char *const c[] = { "-r", "x", "-FX", "-FM", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, a), TCPF_EXIT_OK);
    assert_string_equal(o.tmpl, "%a-%b%C%c");
    tcpf_options_free(&o);
    assert_int_equal(parse(&o, err, b), TCPF_EXIT_OK);
    assert_string_equal(o.tmpl, "%K/%a-%b%C%c");
    tcpf_options_free(&o);
    assert_int_equal(parse(&o, err, c), TCPF_EXIT_OK);
    assert_false(o.store);
    assert_true(o.md5);
    tcpf_options_free(&o);
}

static void
test_bad_template_is_usage_error(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const a[] = { "-r", "x", "-T", "%Q", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, a), TCPF_EXIT_USAGE);
    assert_non_null(strstr(err, "-T %Q"));
    tcpf_options_free(&o);
}

static void
test_settings(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const a[] = { "-r", "x", "-S", "tcp_timeout=30", "-S", "memcap=2M", "-S",
                              "http.max_layers=3", "-S", "enable_report=NO", "-S",
                              "tdelta=-3600", NULL };
    const char *const bad[] = { "-r", "x", "-S", "a=b=c", NULL };
    const char *const badval[] = { "-r", "x", "-S", "max_flows=lots", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, a), TCPF_EXIT_OK);
    assert_int_equal(o.tcp_timeout, 30);
    assert_int_equal(o.memcap, 2u << 20);
    assert_false(o.enable_report);
    assert_int_equal(o.tdelta, -3600);
    assert_string_equal(tcpf_options_setting(&o, "http.max_layers"), "3");
    assert_null(tcpf_options_setting(&o, "http.nothing"));
    tcpf_options_free(&o);
    assert_int_equal(parse(&o, err, bad), TCPF_EXIT_USAGE);
    tcpf_options_free(&o);
    assert_int_equal(parse(&o, err, badval), TCPF_EXIT_USAGE);
    assert_non_null(strstr(err, "max_flows"));
    tcpf_options_free(&o);
}

static void
test_scanner_commands_keep_order(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const a[] = { "-r", "x", "-e", "http", "-x", "netviz", "-a", "-E", "md5",
                              "-P", "/opt/p", "--plugin-dir=/opt/q", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, a), TCPF_EXIT_OK);
    assert_int_equal(o.n_scanner_cmds, 4);
    assert_int_equal(o.scanner_cmds[0].op, 'e');
    assert_string_equal(o.scanner_cmds[0].name, "http");
    assert_int_equal(o.scanner_cmds[1].op, 'x');
    assert_int_equal(o.scanner_cmds[2].op, 'a');
    assert_int_equal(o.scanner_cmds[3].op, 'E');
    assert_int_equal(o.n_plugin_dirs, 2);
    assert_string_equal(o.plugin_dirs[1], "/opt/q");
    tcpf_options_free(&o);
}

static void
test_X_becomes_report_setting_and_Z_http(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const a[] = { "-r", "x", "-X", "/tmp/r=1.xml", "-Z", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, a), TCPF_EXIT_OK);
    assert_string_equal(tcpf_options_setting(&o, "dfxml.path"), "/tmp/r=1.xml");
    assert_string_equal(tcpf_options_setting(&o, "http.decompress"), "no");
    tcpf_options_free(&o);
}

static void
test_usage_errors(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const unknown[] = { "--bogus", NULL };
    const char *const missing[] = { "-r", NULL };
    const char *const chroot_alone[] = { "-r", "x", "-z", "/var/empty", NULL };
    const char *const live_and_file[] = { "-i", "eth0", "-r", "x", NULL };
    const char *const badb[] = { "-r", "x", "-b", "-5", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, unknown), TCPF_EXIT_USAGE);
    tcpf_options_free(&o);
    assert_int_equal(parse(&o, err, missing), TCPF_EXIT_USAGE);
    assert_non_null(strstr(err, "requires an argument"));
    tcpf_options_free(&o);
    assert_int_equal(parse(&o, err, chroot_alone), TCPF_EXIT_USAGE);
    tcpf_options_free(&o);
    assert_int_equal(parse(&o, err, live_and_file), TCPF_EXIT_USAGE);
    tcpf_options_free(&o);
    assert_int_equal(parse(&o, err, badb), TCPF_EXIT_USAGE);
    tcpf_options_free(&o);
}

static void
test_console_and_misc_flags(void **state)
{
    struct tcpf_options o;
    char err[256];
    const char *const a[] = { "-r", "x", "-C", "-B", "-g", "-0", "-b", "4k", "-d", "-3",
                              "-q", "-s", "-hh", NULL };

    (void)state;
    assert_int_equal(parse(&o, err, a), TCPF_EXIT_OK);
    assert_true(o.console.enabled);
    assert_true(o.console.suppress_header);
    assert_true(o.console.binary);
    assert_true(o.console.color);
    assert_true(o.console.no_newline);
    assert_int_equal(o.max_bytes, 4096);
    assert_int_equal(o.debug, 1); /* negative -d resets to 1, as tcpflow */
    assert_true(o.quiet);
    assert_true(o.help);
    assert_true(o.help_more);
    tcpf_options_free(&o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_trailing_args_are_a_filter),
        cmocka_unit_test(test_l_makes_trailing_args_files),
        cmocka_unit_test(test_template_and_F_order),
        cmocka_unit_test(test_bad_template_is_usage_error),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_scanner_commands_keep_order),
        cmocka_unit_test(test_X_becomes_report_setting_and_Z_http),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_console_and_misc_flags),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
