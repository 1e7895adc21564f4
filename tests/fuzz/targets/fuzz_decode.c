/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: libFuzzer target: link/IP/TCP decoding (core/decode) and IP fragment reassembly
 *
 * Input: byte 0 picks a link type from fuzz_dlts[] (the DLTs tcpf_decode_dlt_supported()
 * accepts, plus three it must refuse: 802.11, radiotap, USER0). The rest is one frame. As an
 * extension, the separator "\xf7\xf7NXT" splits the rest into several frames that share one
 * fragment reassembler, so fragment sequences can complete; frame i gets timestamp
 * 1600000000 + i * (byte 0 >> 6) * 20 s, so some sequences cross the 60 s fragment timeout.
 * Each frame is copied into a buffer of exactly its length (ASan sees any over-read).
 *
 * Oracle: besides the sanitizers, every pointer decode returns lies inside the frame (or the
 * reassembled datagram), payload + payload_len never passes the end, unsupported link types are
 * refused, and a datagram from ipfrag decodes within its own length.
 */
#include <stdbool.h>
#include <string.h>

#include "decode.h"
#include "fuzz.h"
#include "ipfrag.h"

static const int fuzz_dlts[] = {
    0, 1, 9, 12, 14, 50, 51, 101, 104, 108, 113, 129, 228, 229, 239, 276, /* supported */
    105, 127, 147                                                         /* refused */
};
#define FUZZ_NDLT (sizeof(fuzz_dlts) / sizeof(fuzz_dlts[0]))

static const uint8_t fuzz_sep[5] = { 0xf7, 0xf7, 'N', 'X', 'T' };

/* p lies in [base, base+len] and p+n does not pass base+len. */
static bool
fuzz_within(const uint8_t *base, size_t len, const uint8_t *p, size_t n)
{
    return p >= base && p <= base + len && n <= (size_t)(base + len - p);
}

/* Checks the decoded view of a buffer [base, base+len). */
static void
fuzz_check_pkt(enum tcpf_decode_status st, const struct tcpf_pkt *pkt, const uint8_t *base,
               size_t len)
{
    FUZZ_CHECK((unsigned)st < TCPF_DECODE_STATUS_COUNT);
    FUZZ_CHECK(tcpf_decode_status_name(st) != NULL);
    if (st == TCPF_DECODE_TCP) {
        FUZZ_CHECK(pkt->family == TCPF_AF_INET || pkt->family == TCPF_AF_INET6);
        FUZZ_CHECK(pkt->ip != NULL && fuzz_within(base, len, pkt->ip, pkt->ip_len));
        FUZZ_CHECK(pkt->payload_len == 0 ||
                   (pkt->payload != NULL && fuzz_within(base, len, pkt->payload, pkt->payload_len)));
        FUZZ_CHECK(pkt->payload_len == 0 ||
                   fuzz_within(pkt->ip, pkt->ip_len, pkt->payload, pkt->payload_len));
    } else if (st == TCPF_DECODE_FRAGMENT) {
        FUZZ_CHECK(pkt->frag_hdr != NULL && fuzz_within(base, len, pkt->frag_hdr, pkt->frag_hdr_len));
        FUZZ_CHECK(pkt->frag_data_len == 0 ||
                   (pkt->frag_data != NULL && fuzz_within(base, len, pkt->frag_data, pkt->frag_data_len)));
    }
}

/* Decodes one frame (copied to an exact-size buffer) and feeds fragments to fr. */
static void
fuzz_frame(struct tcpf_ipfrag *fr, int dlt, const uint8_t *data, size_t size, int64_t sec)
{
    struct tcpf_pkt pkt;
    enum tcpf_decode_status st;
    uint8_t *frame;
    const uint8_t *dgram;
    uint32_t dlen = 0;

    frame = malloc(size ? size : 1);
    if (frame == NULL)
        return;
    if (size)
        memcpy(frame, data, size);
    memset(&pkt, 0, sizeof(pkt));
    pkt.ts.sec = sec;
    pkt.caplen = (uint32_t)size;
    pkt.wirelen = (uint32_t)size;
    st = tcpf_decode_frame(dlt, frame, (uint32_t)size, &pkt);
    fuzz_check_pkt(st, &pkt, frame, size);
    if (!tcpf_decode_dlt_supported(dlt))
        FUZZ_CHECK(st == TCPF_DECODE_UNSUPPORTED);
    if (st == TCPF_DECODE_FRAGMENT) {
        dgram = tcpf_ipfrag_add(fr, &pkt, &dlen);
        if (dgram != NULL) {
            /* the engine decodes the datagram into the same pkt (link fields kept) */
            uint8_t *copy = malloc(dlen ? dlen : 1);

            if (copy != NULL) {
                if (dlen)
                    memcpy(copy, dgram, dlen);
                st = tcpf_decode_ip(copy, dlen, &pkt);
                fuzz_check_pkt(st, &pkt, copy, dlen);
                free(copy);
            }
        }
    }
    free(frame);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tcpf_ipfrag_limits lim;
    struct tcpf_ipfrag *fr;
    const uint8_t *p, *end;
    int dlt;
    int64_t sec = 1600000000;
    unsigned step;

    if (size < 1)
        return 0;
    dlt = fuzz_dlts[data[0] % FUZZ_NDLT];
    step = (unsigned)(data[0] >> 6) * 20;
    memset(&lim, 0, sizeof(lim));
    lim.memcap = 256 * 1024; /* small, so eviction paths run too */
    lim.max_datagrams = 16;
    fr = tcpf_ipfrag_create(&lim);
    if (fr == NULL)
        return 0;
    p = data + 1;
    end = data + size;
    for (;;) {
        const uint8_t *q = p;

        while (q + sizeof(fuzz_sep) <= end && memcmp(q, fuzz_sep, sizeof(fuzz_sep)) != 0)
            q++;
        if (q + sizeof(fuzz_sep) > end)
            q = end;
        fuzz_frame(fr, dlt, p, (size_t)(q - p), sec);
        sec += step;
        if (q == end)
            break;
        p = q + sizeof(fuzz_sep);
    }
    {
        const struct tcpf_ipfrag_stats *s = tcpf_ipfrag_stats(fr);

        FUZZ_CHECK(s != NULL && s->completed <= s->fragments);
    }
    tcpf_ipfrag_destroy(fr);
    return 0;
}
