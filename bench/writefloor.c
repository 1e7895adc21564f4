/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the benchmark's write floor: the kernel work any per-packet TCP demultiplexer pays
 *
 * Reads a capture with libpcap and writes each TCP payload with one pwrite() to its
 * direction's file, named like tcpflow names it (AAA.AAA.AAA.AAA.PPPPP-BBB...), at offset
 * seq - ISN. No reassembly, no overlap or hole handling, no buffering, no report: a file is
 * created at a direction's first payload and closed (after futimens, as tcpflow does) at its
 * FIN or RST, or at the end. What it costs is, on this machine, the least that a tool which
 * writes data as it arrives with bounded memory can cost on the same capture: libpcap's read,
 * one file creation per direction, one write per data packet, one close.
 *
 * With -b BYTES each direction instead gathers contiguous payload in a buffer of that size
 * and writes it with one pwrite() when full, at a jump or at the close: the least a
 * single-threaded tool that reads with libpcap and writes coalesced output pays (the
 * huge-flow shape's "read and write" floor; buffers are per open direction, unbounded in
 * number).
 *
 * The capture is read through a 128 KiB stdio buffer, as our tcpflow and `pcapread -B 131072`
 * read it.
 *
 * Only what bench/gencap.py writes is understood: Ethernet (VLAN tags skipped), IPv4 without
 * fragments, IPv6 without extension headers. Anything else is skipped. Built by bench.py:
 *   cc -O2 -o writefloor bench/writefloor.c -lpcap
 * Usage: writefloor [-b BYTES] CAPTURE OUTDIR  (prints packets, files, writes and bytes)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* One direction: its key (family, addresses, ports), file and ISN. */
struct wf_dir {
    uint8_t used, family;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    int fd;                 /* -1: not open (never opened, or closed at FIN/RST) */
    uint32_t isn;
    struct timespec last;
    uint8_t *buf;           /* -b: bytes [boff, boff + blen) of the file, not yet written */
    size_t blen;
    uint64_t boff;
};

static struct wf_dir *tab;
static size_t tab_cap, tab_used;
static int dir_fd;
static uint64_t n_files, n_bytes, n_writes;
static size_t buf_size; /* -b; 0: one pwrite per packet */

static uint64_t
key_hash(uint8_t family, const uint8_t *s, const uint8_t *d, uint16_t sp, uint16_t dp)
{
    uint64_t h = 1469598103934665603ull ^ family;

    for (int i = 0; i < 16; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    for (int i = 0; i < 16; i++)
        h = (h ^ d[i]) * 1099511628211ull;
    h = (h ^ sp) * 1099511628211ull;
    h = (h ^ dp) * 1099511628211ull;
    return h;
}

/* The slot of a key: an existing entry, or the empty slot where it goes. */
static struct wf_dir *
slot(uint8_t family, const uint8_t *s, const uint8_t *d, uint16_t sp, uint16_t dp)
{
    size_t i = (size_t)key_hash(family, s, d, sp, dp) & (tab_cap - 1);

    for (;; i = (i + 1) & (tab_cap - 1)) {
        struct wf_dir *e = &tab[i];

        if (!e->used)
            return e;
        if (e->family == family && e->sport == sp && e->dport == dp &&
            memcmp(e->src, s, 16) == 0 && memcmp(e->dst, d, 16) == 0)
            return e;
    }
}

static void
grow(void)
{
    struct wf_dir *old = tab;
    size_t old_cap = tab_cap;

    tab_cap = tab_cap ? tab_cap * 2 : 1024;
    tab = calloc(tab_cap, sizeof(*tab));
    if (tab == NULL) {
        perror("writefloor");
        exit(1);
    }
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].used)
            *slot(old[i].family, old[i].src, old[i].dst, old[i].sport, old[i].dport) = old[i];
    free(old);
}

static void
put_addr(char *out, size_t cap, uint8_t family, const uint8_t *a, uint16_t port)
{
    if (family == 4)
        snprintf(out, cap, "%03u.%03u.%03u.%03u.%05u", a[12], a[13], a[14], a[15], port);
    else {
        size_t n = 0;

        for (int i = 0; i < 16; i += 2)
            n += (size_t)snprintf(out + n, cap - n, "%s%x", i ? ":" : "", (a[i] << 8) | a[i + 1]);
        snprintf(out + n, cap - n, ".%05u", port);
    }
}

static void
put(struct wf_dir *e, const uint8_t *data, size_t len, uint64_t off)
{
    if (pwrite(e->fd, data, len, (off_t)off) < 0) {
        fprintf(stderr, "writefloor: write: %s\n", strerror(errno));
        exit(1);
    }
    n_writes++;
}

/* Writes e's buffered bytes, if any. */
static void
flush(struct wf_dir *e)
{
    if (e->blen > 0)
        put(e, e->buf, e->blen, e->boff);
    e->blen = 0;
}

/* One payload at file offset off: written now, or (-b) appended to the buffer. */
static void
store(struct wf_dir *e, const uint8_t *data, size_t len, uint64_t off)
{
    if (buf_size == 0 || len >= buf_size) {
        flush(e);
        put(e, data, len, off);
        return;
    }
    if (e->buf == NULL && (e->buf = malloc(buf_size)) == NULL) {
        perror("writefloor");
        exit(1);
    }
    if (e->blen > 0 && (off != e->boff + e->blen || e->blen + len > buf_size))
        flush(e);
    if (e->blen == 0)
        e->boff = off;
    memcpy(e->buf + e->blen, data, len);
    e->blen += len;
}

static void
finish(struct wf_dir *e)
{
    struct timespec t[2];

    if (e->fd < 0)
        return;
    flush(e);
    free(e->buf);
    e->buf = NULL;
    t[0] = t[1] = e->last;
    (void)futimens(e->fd, t);
    close(e->fd);
    e->fd = -1;
}

static void
tcp_packet(const struct pcap_pkthdr *h, uint8_t family, const uint8_t *s, const uint8_t *d,
           const uint8_t *tcp, size_t tcplen)
{
    uint16_t sp, dp;
    uint32_t seq;
    size_t off;
    uint8_t flags;
    struct wf_dir *e;

    if (tcplen < 20)
        return;
    sp = (uint16_t)(tcp[0] << 8 | tcp[1]);
    dp = (uint16_t)(tcp[2] << 8 | tcp[3]);
    seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
    off = (size_t)(tcp[12] >> 4) * 4;
    flags = tcp[13];
    if (off < 20 || off > tcplen)
        return;
    if ((tab_used + 1) * 2 > tab_cap)
        grow();
    e = slot(family, s, d, sp, dp);
    if (!e->used) {
        e->used = 1;
        e->family = family;
        memcpy(e->src, s, 16);
        memcpy(e->dst, d, 16);
        e->sport = sp;
        e->dport = dp;
        e->fd = -1;
        e->isn = (flags & 0x02) ? seq + 1 : seq;
        tab_used++;
    }
    e->last.tv_sec = h->ts.tv_sec;
    e->last.tv_nsec = (long)h->ts.tv_usec * 1000;
    if (tcplen > off) {
        if (e->fd < 0) {
            char a[64], b[64], name[140];

            put_addr(a, sizeof(a), family, s, sp);
            put_addr(b, sizeof(b), family, d, dp);
            snprintf(name, sizeof(name), "%s-%s", a, b);
            e->fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (e->fd < 0) {
                fprintf(stderr, "writefloor: %s: %s\n", name, strerror(errno));
                exit(1);
            }
            n_files++;
        }
        store(e, tcp + off, tcplen - off, (uint32_t)(seq - e->isn));
        n_bytes += tcplen - off;
    }
    if (flags & 0x05)
        finish(e);
}

static void
packet(const struct pcap_pkthdr *h, const uint8_t *p)
{
    size_t n = h->caplen, at = 12;
    uint16_t type;
    uint8_t s[16] = {0}, d[16] = {0};

    if (n < 14)
        return;
    type = (uint16_t)(p[12] << 8 | p[13]);
    while ((type == 0x8100 || type == 0x88a8) && at + 6 <= n) {
        at += 4;
        type = (uint16_t)(p[at] << 8 | p[at + 1]);
    }
    at += 2;
    if (type == 0x0800 && at + 20 <= n) {
        const uint8_t *ip = p + at;
        size_t ihl = (size_t)(ip[0] & 15) * 4, tot = (size_t)(ip[2] << 8 | ip[3]);

        if (ip[9] != 6 || ihl < 20 || tot < ihl || at + tot > n || (ip[6] & 0x3f) || ip[7])
            return;
        memcpy(s + 12, ip + 12, 4);
        memcpy(d + 12, ip + 16, 4);
        tcp_packet(h, 4, s, d, ip + ihl, tot - ihl);
    } else if (type == 0x86dd && at + 40 <= n) {
        const uint8_t *ip = p + at;
        size_t plen = (size_t)(ip[4] << 8 | ip[5]);

        if (ip[6] != 6 || at + 40 + plen > n)
            return;
        tcp_packet(h, 6, ip + 8, ip + 24, ip + 40, plen);
    }
}

int
main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t packets = 0;
    static char vbuf[128 << 10];
    struct rlimit rl;
    FILE *fp;
    pcap_t *p;
    int rc;

    if (argc == 5 && strcmp(argv[1], "-b") == 0) {
        char *end;

        buf_size = (size_t)strtoull(argv[2], &end, 10);
        if (*end != '\0' || buf_size == 0) {
            fprintf(stderr, "writefloor: -b wants a byte count\n");
            return 2;
        }
        argv += 2;
        argc -= 2;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: writefloor [-b BYTES] CAPTURE OUTDIR\n");
        return 2;
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    (void)mkdir(argv[2], 0755);
    dir_fd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
        fprintf(stderr, "writefloor: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    fp = fopen(argv[1], "rb");
    if (fp == NULL) {
        fprintf(stderr, "writefloor: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    setvbuf(fp, vbuf, _IOFBF, sizeof(vbuf)); /* as ours reads (core/pcapin.c) */
    p = pcap_fopen_offline(fp, err);
    if (p == NULL) {
        fprintf(stderr, "writefloor: %s\n", err);
        return 1;
    }
    if (pcap_datalink(p) != DLT_EN10MB) {
        fprintf(stderr, "writefloor: %s: only Ethernet captures\n", argv[1]);
        return 1;
    }
    grow();
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        packet(h, data);
        packets++;
    }
    if (rc == -1) {
        fprintf(stderr, "writefloor: %s\n", pcap_geterr(p));
        return 1;
    }
    pcap_close(p);
    for (size_t i = 0; i < tab_cap; i++)
        if (tab[i].used)
            finish(&tab[i]);
    printf("%llu packets, %llu files, %llu writes, %llu bytes\n", (unsigned long long)packets,
           (unsigned long long)n_files, (unsigned long long)n_writes,
           (unsigned long long)n_bytes);
    return 0;
}
