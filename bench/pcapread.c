/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the benchmark's ceiling: a minimal libpcap read loop that touches every byte
 *
 * Reads every packet of a capture with pcap_next_ex() and folds all captured bytes into a
 * checksum (so the data really is read), then prints packets, bytes and the checksum.
 * -B BYTES gives the capture's stdio stream a buffer of that size (pcap_fopen_offline), as
 * our tcpflow reads with 128 KiB (core/pcapin.c); without it libpcap opens the file with
 * stdio's default 4 KiB buffer, which on the bench VM made the loop 30% slower (1.15 GB:
 * 0.35 s instead of 0.26-0.28 s with 128 or 256 KiB). bench.py passes -B 131072.
 * Built by bench.py:  cc -O2 -o pcapread bench/pcapread.c -lpcap
 * Usage: pcapread [-B BYTES] FILE
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t packets = 0, bytes = 0, sum = 0;
    size_t bufsize = 0;
    char *vbuf = NULL;
    pcap_t *p;
    int rc;

    if (argc == 4 && strcmp(argv[1], "-B") == 0) {
        bufsize = (size_t)strtoull(argv[2], NULL, 10);
        argv += 2;
        argc -= 2;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: pcapread [-B BYTES] FILE\n");
        return 2;
    }
    if (bufsize > 0) {
        FILE *fp = fopen(argv[1], "rb");

        if (fp == NULL || (vbuf = malloc(bufsize)) == NULL) {
            perror("pcapread");
            return 1;
        }
        setvbuf(fp, vbuf, _IOFBF, bufsize);
        p = pcap_fopen_offline(fp, err);
    } else {
        p = pcap_open_offline(argv[1], err);
    }
    if (p == NULL) {
        fprintf(stderr, "pcapread: %s\n", err);
        return 1;
    }
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        uint32_t i = 0, n = h->caplen;

        for (; i + 8 <= n; i += 8) {
            uint64_t w;

            memcpy(&w, data + i, 8);
            sum += w;
        }
        for (; i < n; i++)
            sum += data[i];
        packets++;
        bytes += n;
    }
    if (rc == -1) {
        fprintf(stderr, "pcapread: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    free(vbuf);
    printf("%llu packets, %llu bytes, sum %016llx\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)sum);
    return 0;
}
