/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: IPv4 and IPv6 fragment reassembly with a bounded memory budget and a timeout
 *
 * References: RFC 791 §3.2 and RFC 815 (IPv4 reassembly), RFC 8200 §4.5 (IPv6 Fragment header
 * and reassembly), RFC 5722 (overlapping fragments), RFC 6946 (atomic fragments).
 *
 * A datagram in progress is keyed by (family, source, destination, identification, protocol);
 * the protocol is part of the key for IPv4 only, as RFC 8200 keys IPv6 by addresses and id.
 * Its data is a list of non-overlapping pieces sorted by offset. Overlap policy: FIRST WINS;
 * a later fragment contributes only the bytes nobody supplied yet, and is counted in
 * stats.overlaps when the bytes it would have replaced differ.
 *
 * Bounds: every byte held (datagram records, saved headers, pieces) is charged to memcap; at
 * the cap, or at max_datagrams, the oldest datagrams are evicted. Datagrams expire timeout_sec
 * of packet time after their first fragment; expiry runs lazily on each add, from the head of
 * an oldest-first list, so it costs O(1) amortized. Packet time is made monotonic (a packet
 * stamped earlier than one already seen counts as "now") so that list stays ordered.
 * At most IPFRAG_MAX_PIECES pieces per datagram keep each insertion linear. Besides the memcap,
 * the reassembler keeps one output buffer (at most 40 + 65535 bytes) for the last datagram.
 *
 * Fragments with ip_truncated set (cut by the snap length) are counted invalid: their missing
 * bytes could never be filled in. The IPv4 header of the result comes from the offset-0
 * fragment with total length set, MF and offset cleared (DF kept) and the checksum recomputed;
 * for IPv6 the Fragment header is removed, the Next Header byte that named it is patched and
 * the payload length set.
 */
#include "config.h"

#include "ipfrag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define IPFRAG_DEFAULT_MEMCAP  ((size_t)32 * 1024 * 1024)
#define IPFRAG_DEFAULT_MAX     8192u
#define IPFRAG_DEFAULT_TIMEOUT 60u
#define IPFRAG_MAX_PIECES      1024u
#define IPFRAG_MAX_BUCKETS     65536u
#define IPFRAG_IP_MAXPACKET    65535u

enum {
    IPFRAG_TOO_MANY = 1,
    IPFRAG_NOMEM = 2
};

/* One run of bytes [start, end) of the datagram payload. */
struct ipfrag_piece {
    struct ipfrag_piece *next;
    uint32_t start, end;
    uint8_t data[];
};

/* Identity of a datagram in progress. */
struct ipfrag_key {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t family;
    uint8_t proto; /* IPv4 only; 0 for IPv6 */
};

/* One datagram in progress. */
struct ipfrag_dgram {
    struct ipfrag_dgram *hnext;         /* hash chain */
    struct ipfrag_dgram *older, *newer; /* age list, by first fragment */
    struct ipfrag_key key;
    int64_t first_sec;
    uint8_t *hdr; /* unfragmentable part of the offset-0 fragment, NULL until seen */
    uint32_t hdr_len;
    uint8_t proto; /* upper-layer protocol from the offset-0 fragment */
    bool has_last;
    uint32_t total;   /* payload length, known once the last fragment arrived */
    uint32_t covered; /* bytes held in pieces */
    uint32_t npieces;
    struct ipfrag_piece *pieces;
    size_t mem; /* bytes charged to the memcap */
};

struct tcpf_ipfrag {
    struct tcpf_ipfrag_limits lim;
    struct tcpf_ipfrag_stats stats;
    struct ipfrag_dgram **buckets;
    uint32_t nbuckets; /* power of two */
    uint32_t count;
    size_t mem;
    struct ipfrag_dgram *oldest, *newest;
    int64_t now_sec;
    bool have_now;
    uint8_t *out; /* the last reassembled datagram */
    size_t out_cap;
};

/* Allocates the reassembler; its hash table, sized for max_datagrams (at most 65536 buckets),
 * is allocated with the first fragment. */
struct tcpf_ipfrag *
tcpf_ipfrag_create(const struct tcpf_ipfrag_limits *limits)
{
    struct tcpf_ipfrag *fr = calloc(1, sizeof(*fr));

    if (fr == NULL)
        return NULL;
    if (limits != NULL)
        fr->lim = *limits;
    if (fr->lim.memcap == 0)
        fr->lim.memcap = IPFRAG_DEFAULT_MEMCAP;
    if (fr->lim.max_datagrams == 0)
        fr->lim.max_datagrams = IPFRAG_DEFAULT_MAX;
    if (fr->lim.timeout_sec == 0)
        fr->lim.timeout_sec = IPFRAG_DEFAULT_TIMEOUT;
    fr->nbuckets = 64;
    while (fr->nbuckets < fr->lim.max_datagrams && fr->nbuckets < IPFRAG_MAX_BUCKETS)
        fr->nbuckets *= 2;
    return fr; /* buckets come with the first fragment: most captures have none */
}

/* Frees one datagram record and its pieces; does not unlink it. */
static void
ipfrag_free_dgram(struct ipfrag_dgram *d)
{
    struct ipfrag_piece *p = d->pieces;

    while (p != NULL) {
        struct ipfrag_piece *next = p->next;
        free(p);
        p = next;
    }
    free(d->hdr);
    free(d);
}

/* Frees every datagram in progress (walking the age list), the table and the output buffer. */
void
tcpf_ipfrag_destroy(struct tcpf_ipfrag *fr)
{
    struct ipfrag_dgram *d;

    if (fr == NULL)
        return;
    d = fr->oldest;
    while (d != NULL) {
        struct ipfrag_dgram *next = d->newer;
        ipfrag_free_dgram(d);
        d = next;
    }
    free(fr->buckets);
    free(fr->out);
    free(fr);
}

/* The live counters; the pointer stays valid until tcpf_ipfrag_destroy(). */
const struct tcpf_ipfrag_stats *
tcpf_ipfrag_stats(const struct tcpf_ipfrag *fr)
{
    return &fr->stats;
}

/* Hash of a key (FNV-1a over its fields, then a murmur3 finalizer). */
static uint32_t
ipfrag_hash(const struct ipfrag_key *k)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < 16; i++)
        h = (h ^ k->src[i]) * 16777619u;
    for (i = 0; i < 16; i++)
        h = (h ^ k->dst[i]) * 16777619u;
    h = (h ^ k->id) * 16777619u;
    h = (h ^ ((uint32_t)k->family << 8 | k->proto)) * 16777619u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* True when a and b name the same datagram. */
static bool
ipfrag_key_eq(const struct ipfrag_key *a, const struct ipfrag_key *b)
{
    return a->id == b->id && a->family == b->family && a->proto == b->proto &&
           memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

/* Unlinks d from its hash chain and the age list, releases its memory charge and frees it. */
static void
ipfrag_drop(struct tcpf_ipfrag *fr, struct ipfrag_dgram *d)
{
    struct ipfrag_dgram **pp = &fr->buckets[ipfrag_hash(&d->key) & (fr->nbuckets - 1)];

    while (*pp != d)
        pp = &(*pp)->hnext;
    *pp = d->hnext;
    if (d->older != NULL)
        d->older->newer = d->newer;
    else
        fr->oldest = d->newer;
    if (d->newer != NULL)
        d->newer->older = d->older;
    else
        fr->newest = d->older;
    fr->count--;
    fr->mem -= d->mem;
    ipfrag_free_dgram(d);
}

/* Drops datagrams whose first fragment is more than timeout_sec older than now_sec. */
static void
ipfrag_expire(struct tcpf_ipfrag *fr)
{
    while (fr->oldest != NULL &&
           (uint64_t)fr->now_sec - (uint64_t)fr->oldest->first_sec > fr->lim.timeout_sec) {
        ipfrag_drop(fr, fr->oldest);
        fr->stats.timed_out++;
    }
}

/* Fills k from a decoded fragment. */
static void
ipfrag_key_of(const struct tcpf_pkt *pkt, struct ipfrag_key *k)
{
    memset(k, 0, sizeof(*k));
    memcpy(k->src, pkt->src, 16);
    memcpy(k->dst, pkt->dst, 16);
    k->id = pkt->frag_id;
    k->family = (uint8_t)pkt->family;
    k->proto = pkt->family == TCPF_AF_INET ? pkt->frag_proto : 0;
}

/* Finds the datagram for k, or creates it (evicting the oldest at max_datagrams). NULL on
 * allocation failure. */
static struct ipfrag_dgram *
ipfrag_lookup(struct tcpf_ipfrag *fr, const struct ipfrag_key *k)
{
    uint32_t b = ipfrag_hash(k) & (fr->nbuckets - 1);
    struct ipfrag_dgram *d;

    if (fr->buckets == NULL && (fr->buckets = calloc(fr->nbuckets, sizeof(*fr->buckets))) == NULL)
        return NULL;
    for (d = fr->buckets[b]; d != NULL; d = d->hnext)
        if (ipfrag_key_eq(&d->key, k))
            return d;
    while (fr->count >= fr->lim.max_datagrams && fr->oldest != NULL) {
        ipfrag_drop(fr, fr->oldest);
        fr->stats.evicted++;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->key = *k;
    d->first_sec = fr->now_sec;
    d->mem = sizeof(*d);
    d->hnext = fr->buckets[b];
    fr->buckets[b] = d;
    d->older = fr->newest;
    if (fr->newest != NULL)
        fr->newest->newer = d;
    else
        fr->oldest = d;
    fr->newest = d;
    fr->count++;
    fr->mem += d->mem;
    return d;
}

/* Checks a fragment [start, end) against what d already knows; false when it is inconsistent:
 * past 65535 bytes, a zero-length non-last fragment, an end that disagrees with the last
 * fragment, or a last fragment that ends before data already held. */
static bool
ipfrag_consistent(const struct ipfrag_dgram *d, const struct tcpf_pkt *pkt, uint32_t start,
                  uint32_t end)
{
    uint32_t extra = pkt->family == TCPF_AF_INET ? pkt->frag_hdr_len : pkt->frag_hdr_len - 40;
    const struct ipfrag_piece *p;

    if (end > IPFRAG_IP_MAXPACKET || extra > IPFRAG_IP_MAXPACKET - end)
        return false;
    if (pkt->frag_more && start == end)
        return false;
    if (d->has_last) {
        if (pkt->frag_more ? end > d->total : end != d->total)
            return false;
        return true;
    }
    if (!pkt->frag_more)
        for (p = d->pieces; p != NULL; p = p->next)
            if (p->end > end)
                return false;
    return true;
}

/* Allocates a piece holding data[0..end-start) for [start, end); NULL on failure. */
static struct ipfrag_piece *
ipfrag_piece_new(uint32_t start, uint32_t end, const uint8_t *data)
{
    struct ipfrag_piece *p = malloc(sizeof(*p) + (end - start));

    if (p == NULL)
        return NULL;
    p->next = NULL;
    p->start = start;
    p->end = end;
    memcpy(p->data, data, end - start);
    return p;
}

/* Inserts the bytes of [start, end) (data = fragment data at start) not already held, keeping
 * the list sorted; sets *differs when an already-held byte differs. Returns 0, or
 * IPFRAG_TOO_MANY past IPFRAG_MAX_PIECES pieces, or IPFRAG_NOMEM; on failure the pieces
 * inserted so far stay and d remains consistent. */
static int
ipfrag_insert(struct tcpf_ipfrag *fr, struct ipfrag_dgram *d, uint32_t start, uint32_t end,
              const uint8_t *data, bool *differs)
{
    struct ipfrag_piece **pp = &d->pieces;
    uint32_t pos = start;

    while (pos < end) {
        struct ipfrag_piece *cur = *pp, *np;
        uint32_t gap_end;

        if (cur != NULL && cur->end <= pos) {
            pp = &cur->next;
            continue;
        }
        if (cur != NULL && cur->start <= pos) { /* pos inside cur: compare, first wins */
            uint32_t ov_end = cur->end < end ? cur->end : end;
            if (memcmp(cur->data + (pos - cur->start), data + (pos - start), ov_end - pos) != 0)
                *differs = true;
            pos = ov_end;
            pp = &cur->next;
            continue;
        }
        gap_end = cur != NULL && cur->start < end ? cur->start : end;
        if (d->npieces >= IPFRAG_MAX_PIECES)
            return IPFRAG_TOO_MANY;
        np = ipfrag_piece_new(pos, gap_end, data + (pos - start));
        if (np == NULL)
            return IPFRAG_NOMEM;
        np->next = cur;
        *pp = np;
        pp = &np->next;
        d->npieces++;
        d->covered += gap_end - pos;
        d->mem += sizeof(*np) + (gap_end - pos);
        fr->mem += sizeof(*np) + (gap_end - pos);
        pos = gap_end;
    }
    return 0;
}

/* Offset, inside an IPv6 unfragmentable part hdr[0..len), of the Next Header byte that names
 * the Fragment header (the last one in the chain). hdr was validated by decode. */
static uint32_t
ipfrag_ipv6_nh_offset(const uint8_t *hdr, uint32_t len)
{
    uint32_t nhoff = 6, off = 40;

    while (off + 2 <= len) {
        uint8_t nh = hdr[nhoff];
        uint32_t elen = nh == 51   ? ((uint32_t)hdr[off + 1] + 2) * 4
                        : nh == 44 ? 8
                                   : ((uint32_t)hdr[off + 1] + 1) * 8;
        nhoff = off;
        off += elen;
    }
    return nhoff;
}

/* Writes the reassembled datagram of d into fr->out; returns its length, 0 on failure. */
static uint32_t
ipfrag_build(struct tcpf_ipfrag *fr, const struct ipfrag_dgram *d)
{
    size_t len = (size_t)d->hdr_len + d->total;
    const struct ipfrag_piece *p;

    if (len > fr->out_cap) {
        uint8_t *nb = realloc(fr->out, len);
        if (nb == NULL)
            return 0;
        fr->out = nb;
        fr->out_cap = len;
    }
    memcpy(fr->out, d->hdr, d->hdr_len);
    for (p = d->pieces; p != NULL; p = p->next)
        memcpy(fr->out + d->hdr_len + p->start, p->data, p->end - p->start);
    if (d->key.family == TCPF_AF_INET) {
        uint32_t sum = 0, i;
        fr->out[2] = (uint8_t)(len >> 8);
        fr->out[3] = (uint8_t)len;
        fr->out[6] &= 0x40; /* keep DF; clear MF and the offset */
        fr->out[7] = 0;
        fr->out[10] = fr->out[11] = 0;
        for (i = 0; i < d->hdr_len; i += 2)
            sum += (uint32_t)fr->out[i] << 8 | fr->out[i + 1];
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        fr->out[10] = (uint8_t)(~sum >> 8);
        fr->out[11] = (uint8_t)~sum;
    } else {
        size_t plen = len - 40;
        fr->out[ipfrag_ipv6_nh_offset(d->hdr, d->hdr_len)] = d->proto;
        fr->out[4] = (uint8_t)(plen >> 8);
        fr->out[5] = (uint8_t)plen;
    }
    return (uint32_t)len;
}

/* Saves the unfragmentable part of the offset-0 fragment into d. False on allocation failure. */
static bool
ipfrag_save_hdr(struct tcpf_ipfrag *fr, struct ipfrag_dgram *d, const struct tcpf_pkt *pkt)
{
    d->hdr = malloc(pkt->frag_hdr_len);
    if (d->hdr == NULL)
        return false;
    memcpy(d->hdr, pkt->frag_hdr, pkt->frag_hdr_len);
    d->hdr_len = pkt->frag_hdr_len;
    d->proto = pkt->frag_proto;
    d->mem += d->hdr_len;
    fr->mem += d->hdr_len;
    return true;
}

/* Evicts the oldest datagrams until need more bytes fit under the memcap. Returns false when
 * d itself had to go (it is then freed). */
static bool
ipfrag_make_room(struct tcpf_ipfrag *fr, struct ipfrag_dgram *d, size_t need)
{
    while (fr->mem + need > fr->lim.memcap && fr->oldest != NULL) {
        struct ipfrag_dgram *victim = fr->oldest;
        ipfrag_drop(fr, victim);
        fr->stats.evicted++;
        if (victim == d)
            return false;
    }
    return true;
}

/* False for fragments we cannot use: not IPv4/IPv6, cut by the snap length (their missing
 * bytes can never be filled in), or with impossible header or offset values. */
static bool
ipfrag_usable(const struct tcpf_pkt *pkt)
{
    if (pkt->family != TCPF_AF_INET && pkt->family != TCPF_AF_INET6)
        return false;
    if (pkt->ip_truncated || pkt->frag_hdr == NULL || pkt->frag_data == NULL)
        return false;
    if (pkt->frag_hdr_len < (pkt->family == TCPF_AF_INET ? 20u : 40u))
        return false;
    return pkt->frag_offset <= IPFRAG_IP_MAXPACKET && pkt->frag_data_len <= IPFRAG_IP_MAXPACKET;
}

/* Builds the complete datagram d into fr->out and forgets d. Returns fr->out and sets *len, or
 * NULL when the result would exceed 65535 bytes or the output buffer cannot grow. */
static const uint8_t *
ipfrag_complete(struct tcpf_ipfrag *fr, struct ipfrag_dgram *d, uint32_t *len)
{
    uint32_t extra = d->key.family == TCPF_AF_INET ? d->hdr_len : d->hdr_len - 40;
    uint32_t outlen = 0;

    if (extra > IPFRAG_IP_MAXPACKET - d->total)
        fr->stats.invalid++;
    else if ((outlen = ipfrag_build(fr, d)) == 0)
        fr->stats.evicted++;
    else
        fr->stats.completed++;
    ipfrag_drop(fr, d);
    *len = outlen;
    return outlen != 0 ? fr->out : NULL;
}

/* Expires, validates, stores the new bytes of one fragment, and on completion builds the
 * datagram in fr->out and forgets it. See ipfrag.h for the contract. */
const uint8_t *
tcpf_ipfrag_add(struct tcpf_ipfrag *fr, const struct tcpf_pkt *pkt, uint32_t *len)
{
    struct ipfrag_key key;
    struct ipfrag_dgram *d;
    uint32_t start = pkt->frag_offset, end;
    bool differs = false;
    int rc;

    *len = 0;
    if (!fr->have_now || pkt->ts.sec > fr->now_sec)
        fr->now_sec = pkt->ts.sec;
    fr->have_now = true;
    ipfrag_expire(fr);

    if (!ipfrag_usable(pkt)) {
        fr->stats.invalid++;
        return NULL;
    }
    end = start + pkt->frag_data_len;
    ipfrag_key_of(pkt, &key);
    d = ipfrag_lookup(fr, &key);
    if (d == NULL) {
        fr->stats.evicted++;
        return NULL;
    }
    if (!ipfrag_consistent(d, pkt, start, end)) {
        fr->stats.invalid++;
        if (d->pieces == NULL && d->hdr == NULL && !d->has_last)
            ipfrag_drop(fr, d); /* created for this fragment alone */
        return NULL;
    }
    if (!ipfrag_make_room(fr, d,
                          sizeof(struct ipfrag_piece) + pkt->frag_data_len +
                              (start == 0 && d->hdr == NULL ? pkt->frag_hdr_len : 0)))
        return NULL;
    if (start == 0 && d->hdr == NULL && !ipfrag_save_hdr(fr, d, pkt)) {
        ipfrag_drop(fr, d);
        fr->stats.evicted++;
        return NULL;
    }
    rc = ipfrag_insert(fr, d, start, end, pkt->frag_data, &differs);
    if (rc != 0) {
        ipfrag_drop(fr, d);
        if (rc == IPFRAG_TOO_MANY)
            fr->stats.invalid++;
        else
            fr->stats.evicted++;
        return NULL;
    }
    /* Gap filling may have split the fragment into several pieces: settle the exact charge. */
    if (!ipfrag_make_room(fr, d, 0))
        return NULL;
    fr->stats.fragments++;
    if (differs)
        fr->stats.overlaps++;
    if (!pkt->frag_more) {
        d->has_last = true;
        d->total = end;
    }
    if (!d->has_last || d->hdr == NULL || d->covered != d->total)
        return NULL;
    return ipfrag_complete(fr, d, len);
}
