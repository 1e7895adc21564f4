/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture for the dfxml report: a scanner (-e dfxml_hostile) whose report
 * entries, per flow and for the run, hold every kind of string XML 1.0 cannot carry as is:
 * control characters, invalid UTF-8 (stray bytes, overlongs, surrogates, U+FFFE), "]]>",
 * markup characters and a value of the maximum length. The report must still validate. */
#include <string.h>

#include <tcpflow/scanner.h>

static char hostile_long[TCPF_VALUE_MAX + 1];

static const char *const hostile_values[][2] = {
    { "ctl", "a\x01" "b\x08" "c\x0b" "d\x0c" "e\x1f" "f\x7f" "g\t\r\n" },
    { "utf8", "\xff\xfe bad \xc0\xaf overlong \xed\xa0\x80 surrogate \xef\xbf\xbe fffe "
              "\xf4\x90\x80\x80 big \xe2\x82 cut caf\xc3\xa9 ok \xf0\x9f\x98\x80 ok" },
    { "cdata", "]]> <![CDATA[ x ]]> <tag attr=\"v\"> &amp; & ' \" </dfxml>" },
    { "empty", "" },
};

static void
hostile_add(const struct tcpf_host *host, const struct tcpf_flow *flow)
{
    size_t i;

    for (i = 0; i < sizeof(hostile_values) / sizeof(hostile_values[0]); i++)
        host->report_add(host, flow, hostile_values[i][0], hostile_values[i][1]);
    host->report_add(host, flow, "long", hostile_long);
}

static int
hostile_init(const struct tcpf_host *host, void **sstate)
{
    size_t i;

    for (i = 0; i < TCPF_VALUE_MAX; i++)
        hostile_long[i] = (char)(i % 7 == 0 ? 0x01 : i % 7 == 1 ? 0xff : 'A' + (int)(i % 26));
    hostile_long[TCPF_VALUE_MAX] = '\0';
    *sstate = (void *)(uintptr_t)host;
    return TCPF_OK;
}

static void
hostile_close(void *sstate, void *fstate, const struct tcpf_flow *flow,
              enum tcpf_close_reason why)
{
    (void)fstate;
    (void)why;
    hostile_add((const struct tcpf_host *)sstate, flow);
}

static void
hostile_shutdown(void *sstate)
{
    hostile_add((const struct tcpf_host *)sstate, NULL);
}

TCPF_SCANNER_DEFINE = {
    TCPF_SCANNER_HEADER("dfxml_hostile"),
    .version = "1",
    .description = "test fixture: hostile report entries",
    .init = hostile_init,
    .flow_close = hostile_close,
    .shutdown = hostile_shutdown,
};
