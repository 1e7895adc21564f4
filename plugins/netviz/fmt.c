/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz text formatting: human units (IEC bytes, SI bit rates), UTC times
 * (ISO 8601), addresses (RFC 5952 via inet_ntop), and the sanitiser every label goes through.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nv.h"

void
nv_fmt_bytes(char *buf, size_t n, uint64_t v)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double d = (double)v;
    int u = 0;

    if (v < 1024) {
        snprintf(buf, n, "%" PRIu64 " B", v);
        return;
    }
    while (d >= 1024.0 && u < 6) {
        d /= 1024.0;
        u++;
    }
    snprintf(buf, n, d >= 99.95 ? "%.0f %s" : d >= 9.995 ? "%.1f %s" : "%.2f %s", d, unit[u]);
}

void
nv_fmt_count(char *buf, size_t n, uint64_t v)
{
    char raw[32], out[48];
    size_t l, i, o = 0;

    if (v >= UINT64_C(10000000000)) {
        double d = (double)v / 1e9;

        snprintf(buf, n, d >= 1000 ? "%.0f T" : "%.1f G", d >= 1000 ? d / 1000 : d);
        return;
    }
    snprintf(raw, sizeof(raw), "%" PRIu64, v);
    l = strlen(raw);
    for (i = 0; i < l; i++) {
        if (i > 0 && (l - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = raw[i];
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
}

void
nv_fmt_rate(char *buf, size_t n, double bytes_per_s)
{
    static const char *const unit[] = { "bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s" };
    double d = bytes_per_s * 8.0;
    int u = 0;

    while (d >= 1000.0 && u < 4) {
        d /= 1000.0;
        u++;
    }
    snprintf(buf, n, d >= 99.95 || u == 0 ? "%.0f %s" : "%.1f %s", d, unit[u]);
}

void
nv_fmt_dur(char *buf, size_t n, double s)
{
    uint64_t t;

    if (!(s >= 0))
        s = 0;
    if (s < 0.001)
        snprintf(buf, n, s == 0 ? "0 s" : "%.0f us", s * 1e6);
    else if (s < 1)
        snprintf(buf, n, "%.0f ms", s * 1e3);
    else if (s < 60)
        snprintf(buf, n, "%.*f s", s < 10 ? 2 : 1, s);
    else if ((t = (uint64_t)(s + 0.5)) < 3600)
        snprintf(buf, n, "%" PRIu64 " min %02" PRIu64 " s", t / 60, t % 60);
    else if (t < 86400)
        snprintf(buf, n, "%" PRIu64 " h %02" PRIu64 " min", t / 3600, (t / 60) % 60);
    else
        snprintf(buf, n, "%" PRIu64 " d %02" PRIu64 " h", t / 86400, (t / 3600) % 24);
}

void
nv_fmt_width(char *buf, size_t n, int64_t ms)
{
    if (ms < 1000)
        snprintf(buf, n, "%" PRId64 " ms", ms);
    else if (ms < 60000)
        snprintf(buf, n, "%" PRId64 " s", ms / 1000);
    else if (ms < 3600000)
        snprintf(buf, n, "%" PRId64 " min", ms / 60000);
    else if (ms < 86400000)
        snprintf(buf, n, "%" PRId64 " h", ms / 3600000);
    else
        snprintf(buf, n, "%" PRId64 " d", ms / 86400000);
}

void
nv_fmt_utc(char *buf, size_t n, struct tcpf_timestamp ts, bool with_frac)
{
    struct tm tm;
    time_t t = (time_t)ts.sec;

    if (ts.sec < -(INT64_C(1) << 40) || ts.sec > (INT64_C(1) << 40) ||
        gmtime_r(&t, &tm) == NULL) {
        snprintf(buf, n, "(out of range: %" PRId64 " s)", ts.sec);
        return;
    }
    if (with_frac)
        snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d.%06u UTC", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unsigned)(ts.nsec / 1000u % 1000000u));
    else
        snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
nv_fmt_addr(char *buf, size_t n, uint8_t family, const uint8_t *addr)
{
    char tmp[INET6_ADDRSTRLEN];

    if (inet_ntop(family == TCPF_FAMILY_IPV6 ? AF_INET6 : AF_INET, addr, tmp, sizeof(tmp)) ==
        NULL)
        snprintf(tmp, sizeof(tmp), "?");
    snprintf(buf, n, "%s", tmp);
}

bool
nv_addr_internal(uint8_t family, const uint8_t *a)
{
    if (family == TCPF_FAMILY_IPV4)
        return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
               (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
               (a[0] == 100 && (a[1] & 0xc0) == 64);
    return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
           (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0);
}

void
nv_sanitize(char *dst, size_t n, const char *src)
{
    size_t i = 0;

    if (n == 0)
        return;
    for (; src != NULL && *src != '\0' && i + 1 < n; src++) {
        unsigned char c = (unsigned char)*src;

        dst[i++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[i] = '\0';
}

const char *
nv_port_name(uint16_t port)
{
    static const struct { uint16_t port; const char *name; } names[] = {
        { 20, "ftp-data" }, { 21, "ftp" },     { 22, "ssh" },       { 23, "telnet" },
        { 25, "smtp" },     { 53, "dns" },     { 80, "http" },      { 81, "http" },
        { 110, "pop3" },    { 135, "msrpc" },  { 139, "netbios" },  { 143, "imap" },
        { 443, "https" },   { 445, "smb" },    { 465, "smtps" },    { 587, "submission" },
        { 636, "ldaps" },   { 853, "dot" },    { 873, "rsync" },    { 993, "imaps" },
        { 995, "pop3s" },   { 1433, "mssql" }, { 1723, "pptp" },    { 2049, "nfs" },
        { 3128, "proxy" },  { 3306, "mysql" }, { 3389, "rdp" },     { 5432, "postgres" },
        { 5900, "vnc" },    { 5985, "winrm" }, { 6379, "redis" },   { 8000, "http" },
        { 8080, "http" }, { 8443, "https" }, { 8888, "http" }, { 9200, "elastic" },
        { 27017, "mongodb" },
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].port == port)
            return names[i].name;
    return NULL;
}

void
nv_fmt_dur_short(char *buf, size_t n, double s)
{
    uint64_t t;

    if (!(s >= 0) || s < 60) {
        nv_fmt_dur(buf, n, s);
        return;
    }
    t = (uint64_t)(s + 0.5);
    if (t < 3600)
        snprintf(buf, n, "%" PRIu64 "m%02" PRIu64 "s", t / 60, t % 60);
    else if (t < 86400)
        snprintf(buf, n, "%" PRIu64 "h%02" PRIu64 "m", t / 3600, (t / 60) % 60);
    else
        snprintf(buf, n, "%" PRIu64 "d%02" PRIu64 "h", t / 86400, (t / 3600) % 24);
}
