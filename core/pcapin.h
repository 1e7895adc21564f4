/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: capture input through libpcap: files (pcap, pcapng, nanosecond pcap, stdin) and
 * live interfaces; the only module that includes <pcap/pcap.h> */
#ifndef TCPF_CORE_PCAPIN_H
#define TCPF_CORE_PCAPIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

struct tcpf_pcapin;

/* Result of tcpf_pcapin_next(). */
enum tcpf_pcapin_rc {
    TCPF_PCAPIN_PACKET = 1,   /* a packet is ready */
    TCPF_PCAPIN_EOF = 0,      /* clean end of the file */
    TCPF_PCAPIN_DAMAGED = -1, /* the file is damaged from here on (truncated, bad record) */
    TCPF_PCAPIN_STOPPED = -2, /* tcpf_pcapin_stop() was called (signal) */
};

/* Opens a capture file ("-" = stdin) with nanosecond timestamps, applies the BPF expression
 * (may be NULL). On failure returns NULL and writes "FILE: reason" into errbuf. */
struct tcpf_pcapin *tcpf_pcapin_open_file(const char *path, const char *bpf, char *errbuf,
                                          size_t errlen);

/* Opens a live interface (NULL = libpcap's default device). Same error convention. */
struct tcpf_pcapin *tcpf_pcapin_open_live(const char *iface, bool promisc, int timeout_ms,
                                          const char *bpf, char *errbuf, size_t errlen);

/* Reads the next packet. On TCPF_PCAPIN_PACKET fills ts/caplen/wirelen/data (data borrowed
 * until the next call). On DAMAGED writes "FILE: reason" into errbuf. */
enum tcpf_pcapin_rc tcpf_pcapin_next(struct tcpf_pcapin *in, struct tcpf_time *ts,
                                     uint32_t *caplen, uint32_t *wirelen, const uint8_t **data,
                                     char *errbuf, size_t errlen);

/* Asks a blocked or looping reader to return TCPF_PCAPIN_STOPPED; async-signal-safe. */
void tcpf_pcapin_stop(struct tcpf_pcapin *in);

/* libpcap DLT of the input. */
int tcpf_pcapin_dlt(const struct tcpf_pcapin *in);

/* Name of the input as given by the user. */
const char *tcpf_pcapin_name(const struct tcpf_pcapin *in);

/* Bytes read so far and total size (0 when unknown: stdin, live), for progress reports. */
void tcpf_pcapin_position(const struct tcpf_pcapin *in, uint64_t *pos, uint64_t *size);

/* Closes the input. Accepts NULL. */
void tcpf_pcapin_close(struct tcpf_pcapin *in);

/* "libpcap version 1.10.3 ..." */
const char *tcpf_pcapin_lib_version(void);

/* Human name of a DLT ("EN10MB"), or "unknown". */
const char *tcpf_pcapin_dlt_name(int dlt);

#endif /* TCPF_CORE_PCAPIN_H */
