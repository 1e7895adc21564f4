/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the benchmark's ceiling: a minimal libpcap read loop that touches every byte
 *
 * Reads every packet of a capture with pcap_next_ex() and folds all captured bytes into a
 * checksum (so the data really is read), then prints packets, bytes and the checksum.
 * Built by bench/run.sh:  cc -O2 -o pcapread bench/pcapread.c -lpcap
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t packets = 0, bytes = 0, sum = 0;
    pcap_t *p;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: pcapread FILE\n");
        return 2;
    }
    p = pcap_open_offline(argv[1], err);
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
    printf("%llu packets, %llu bytes, sum %016llx\n", (unsigned long long)packets,
           (unsigned long long)bytes, (unsigned long long)sum);
    return 0;
}
