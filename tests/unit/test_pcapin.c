/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: unit tests of core/pcapin.c: formats, timestamps, damaged and unreadable files */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcapin.h"

static char test_dir[] = "/tmp/tcpf-pcapin-XXXXXX";

static void
put32(FILE *f, uint32_t v, int big)
{
    uint8_t b[4];

    if (big) {
        b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16); b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
    } else {
        b[3] = (uint8_t)(v >> 24); b[2] = (uint8_t)(v >> 16); b[1] = (uint8_t)(v >> 8); b[0] = (uint8_t)v;
    }
    fwrite(b, 1, 4, f);
}

static void
put16(FILE *f, uint16_t v, int big)
{
    uint8_t b[2];

    b[big ? 0 : 1] = (uint8_t)(v >> 8);
    b[big ? 1 : 0] = (uint8_t)v;
    fwrite(b, 1, 2, f);
}

/* Writes a classic pcap with `n` 60-byte records; magic selects µs/ns; big selects order.
 * cut > 0 truncates the last record by that many bytes. Returns the path (static buffer). */
static const char *
write_pcap(const char *name, uint32_t magic, int big, int n, uint32_t frac, int cut)
{
    static char path[256];
    uint8_t frame[60];
    FILE *f;
    int i;

    snprintf(path, sizeof(path), "%s/%s", test_dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    put32(f, magic, big);
    put16(f, 2, big);
    put16(f, 4, big);
    put32(f, 0, big);
    put32(f, 0, big);
    put32(f, 65535, big);
    put32(f, 1, big);
    memset(frame, 0xab, sizeof(frame));
    for (i = 0; i < n; i++) {
        put32(f, 1600000000u + (uint32_t)i, big);
        put32(f, frac, big);
        put32(f, sizeof(frame), big);
        put32(f, 1514, big);
        fwrite(frame, 1, sizeof(frame) - (i == n - 1 ? (size_t)cut : 0), f);
    }
    fclose(f);
    return path;
}

static int
count_packets(struct tcpf_pcapin *in, enum tcpf_pcapin_rc *last, struct tcpf_time *first)
{
    char err[256];
    struct tcpf_time ts;
    uint32_t caplen, wirelen;
    const uint8_t *data;
    int n = 0;

    while ((*last = tcpf_pcapin_next(in, &ts, &caplen, &wirelen, &data, err, sizeof(err))) ==
           TCPF_PCAPIN_PACKET) {
        if (n == 0 && first != NULL)
            *first = ts;
        assert_int_equal(caplen, 60);
        assert_int_equal(wirelen, 1514);
        n++;
    }
    return n;
}

static void
test_microsecond_and_nanosecond(void **state)
{
    char err[256];
    struct tcpf_pcapin *in;
    enum tcpf_pcapin_rc rc;
    struct tcpf_time ts;

    (void)state;
    in = tcpf_pcapin_open_file(write_pcap("us.pcap", 0xa1b2c3d4, 0, 3, 123456, 0), NULL, err,
                               sizeof(err));
    assert_non_null(in);
    assert_int_equal(tcpf_pcapin_dlt(in), 1);
    assert_int_equal(count_packets(in, &rc, &ts), 3);
    assert_int_equal(rc, TCPF_PCAPIN_EOF);
    assert_int_equal(ts.sec, 1600000000);
    assert_int_equal(ts.nsec, 123456000);
    tcpf_pcapin_close(in);

    in = tcpf_pcapin_open_file(write_pcap("ns.pcap", 0xa1b23c4d, 1, 2, 987654321, 0), NULL, err,
                               sizeof(err));
    assert_non_null(in);
    assert_int_equal(count_packets(in, &rc, &ts), 2);
    assert_int_equal(ts.nsec, 987654321);
    tcpf_pcapin_close(in);
}

/* A microsecond field of 10^6 or more is clamped, never overflowing nsec. */
static void
test_absurd_fraction_is_clamped(void **state)
{
    char err[256];
    struct tcpf_pcapin *in;
    enum tcpf_pcapin_rc rc;
    struct tcpf_time ts;

    (void)state;
    in = tcpf_pcapin_open_file(write_pcap("abs.pcap", 0xa1b2c3d4, 0, 1, 0xfffffff0u, 0), NULL, err,
                               sizeof(err));
    assert_non_null(in);
    assert_int_equal(count_packets(in, &rc, &ts), 1);
    assert_true(ts.nsec < 1000000000u);
    tcpf_pcapin_close(in);
}

static void
test_truncated_record_is_damaged(void **state)
{
    char err[256] = "";
    struct tcpf_pcapin *in;
    enum tcpf_pcapin_rc rc;
    struct tcpf_time ts;
    uint32_t caplen, wirelen;
    const uint8_t *data;
    int n = 0;

    (void)state;
    in = tcpf_pcapin_open_file(write_pcap("cut.pcap", 0xa1b2c3d4, 0, 4, 0, 20), NULL, err,
                               sizeof(err));
    assert_non_null(in);
    while ((rc = tcpf_pcapin_next(in, &ts, &caplen, &wirelen, &data, err, sizeof(err))) ==
           TCPF_PCAPIN_PACKET)
        n++;
    assert_int_equal(n, 3);
    assert_int_equal(rc, TCPF_PCAPIN_DAMAGED);
    assert_non_null(strstr(err, "cut.pcap"));
    tcpf_pcapin_close(in);
}

static void
test_unreadable_inputs_name_the_file(void **state)
{
    char err[256], path[256];
    FILE *f;

    (void)state;
    assert_null(tcpf_pcapin_open_file("/nonexistent/x.pcap", NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/x.pcap"));

    assert_null(tcpf_pcapin_open_file(test_dir, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "directory"));

    snprintf(path, sizeof(path), "%s/empty.pcap", test_dir);
    f = fopen(path, "wb");
    fclose(f);
    assert_null(tcpf_pcapin_open_file(path, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "empty.pcap"));

    snprintf(path, sizeof(path), "%s/text.pcap", test_dir);
    f = fopen(path, "wb");
    fputs("this is not a capture file at all\n", f);
    fclose(f);
    assert_null(tcpf_pcapin_open_file(path, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "text.pcap"));
}

static void
test_bad_filter_names_file_and_expression(void **state)
{
    char err[256];

    (void)state;
    assert_null(tcpf_pcapin_open_file(write_pcap("f.pcap", 0xa1b2c3d4, 0, 1, 0, 0),
                                      "tcp port nosuchport", err, sizeof(err)));
    assert_non_null(strstr(err, "f.pcap"));
    assert_non_null(strstr(err, "nosuchport"));
}

static void
test_filter_applies(void **state)
{
    char err[256];
    struct tcpf_pcapin *in;
    enum tcpf_pcapin_rc rc;

    (void)state;
    /* the 0xab frames are not TCP: a "tcp" filter passes none */
    in = tcpf_pcapin_open_file(write_pcap("g.pcap", 0xa1b2c3d4, 0, 5, 0, 0), "tcp", err,
                               sizeof(err));
    assert_non_null(in);
    assert_int_equal(count_packets(in, &rc, NULL), 0);
    assert_int_equal(rc, TCPF_PCAPIN_EOF);
    tcpf_pcapin_close(in);
}

static int
setup(void **state)
{
    (void)state;
    return mkdtemp(test_dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_microsecond_and_nanosecond),
        cmocka_unit_test(test_absurd_fraction_is_clamped),
        cmocka_unit_test(test_truncated_record_is_damaged),
        cmocka_unit_test(test_unreadable_inputs_name_the_file),
        cmocka_unit_test(test_bad_filter_names_file_and_expression),
        cmocka_unit_test(test_filter_applies),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
