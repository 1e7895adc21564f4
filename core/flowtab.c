/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the flow table: chained hash of connections plus an LRU list */
#include "config.h"

#include "flowtab.h"

#include <stdlib.h>
#include <string.h>

#define FLOWTAB_INITIAL_BUCKETS 1024u

struct tcpf_flowtab {
    struct tcpf_conn **buckets;
    size_t nbuckets;          /* power of two */
    size_t count;
    struct tcpf_conn *lru_head; /* oldest */
    struct tcpf_conn *lru_tail; /* newest */
    uint64_t next_conn_id;
};

struct tcpf_flowtab *
tcpf_flowtab_create(void)
{
    struct tcpf_flowtab *ft = calloc(1, sizeof(*ft));

    if (ft == NULL)
        return NULL;
    ft->nbuckets = FLOWTAB_INITIAL_BUCKETS;
    ft->buckets = calloc(ft->nbuckets, sizeof(*ft->buckets));
    if (ft->buckets == NULL) {
        free(ft);
        return NULL;
    }
    return ft;
}

void
tcpf_flowtab_destroy(struct tcpf_flowtab *ft)
{
    struct tcpf_conn *c, *next;

    if (ft == NULL)
        return;
    for (c = ft->lru_head; c != NULL; c = next) {
        next = c->lru_next;
        free(c);
    }
    free(ft->buckets);
    free(ft);
}

void
tcpf_flowkey_from_pkt(struct tcpf_flowkey *key, const struct tcpf_pkt *pkt)
{
    memset(key, 0, sizeof(*key));
    key->family = (uint8_t)pkt->family;
    key->has_vlan = pkt->has_vlan;
    key->vlan = pkt->has_vlan ? pkt->vlan : 0;
    key->port_a = pkt->sport;
    key->port_b = pkt->dport;
    memcpy(key->addr_a, pkt->src, sizeof(key->addr_a));
    memcpy(key->addr_b, pkt->dst, sizeof(key->addr_b));
}

/* FNV-1a over one endpoint (address and port). */
static uint32_t
flowtab_hash_endpoint(const uint8_t *addr, uint16_t port)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 16777619u;
    h = (h ^ (port & 0xffu)) * 16777619u;
    h = (h ^ (port >> 8)) * 16777619u;
    return h;
}

/* Symmetric hash: the same for both orientations of a connection. */
static uint32_t
flowtab_hash(const struct tcpf_pkt *pkt)
{
    uint32_t a = flowtab_hash_endpoint(pkt->src, pkt->sport);
    uint32_t b = flowtab_hash_endpoint(pkt->dst, pkt->dport);
    uint32_t h = (a ^ b) + (a + b) * 31u;

    h ^= (uint32_t)pkt->family * 0x9e3779b9u;
    if (pkt->has_vlan)
        h ^= ((uint32_t)pkt->vlan + 1u) * 0x85ebca6bu;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return h;
}

/* Returns 0 or 1 (orientation) when c is pkt's connection, -1 otherwise. */
static int
flowtab_match(const struct tcpf_conn *c, const struct tcpf_pkt *pkt)
{
    const struct tcpf_flowkey *k = &c->key;

    if (k->family != pkt->family || k->has_vlan != pkt->has_vlan ||
        (pkt->has_vlan && k->vlan != pkt->vlan))
        return -1;
    if (k->port_a == pkt->sport && k->port_b == pkt->dport &&
        memcmp(k->addr_a, pkt->src, 16) == 0 && memcmp(k->addr_b, pkt->dst, 16) == 0)
        return 0;
    if (k->port_a == pkt->dport && k->port_b == pkt->sport &&
        memcmp(k->addr_a, pkt->dst, 16) == 0 && memcmp(k->addr_b, pkt->src, 16) == 0)
        return 1;
    return -1;
}

struct tcpf_conn *
tcpf_flowtab_lookup(struct tcpf_flowtab *ft, const struct tcpf_pkt *pkt, int *dir)
{
    uint32_t h = flowtab_hash(pkt);
    struct tcpf_conn *c;

    for (c = ft->buckets[h & (ft->nbuckets - 1)]; c != NULL; c = c->hash_next) {
        int d;

        if (c->hash != h)
            continue;
        d = flowtab_match(c, pkt);
        if (d >= 0) {
            *dir = d;
            return c;
        }
    }
    return NULL;
}

/* Doubles the bucket array; on allocation failure keeps the old one (longer chains). */
static void
flowtab_grow(struct tcpf_flowtab *ft)
{
    size_t n = ft->nbuckets * 2, i;
    struct tcpf_conn **b = calloc(n, sizeof(*b));

    if (b == NULL)
        return;
    for (i = 0; i < ft->nbuckets; i++) {
        struct tcpf_conn *c = ft->buckets[i], *next;

        for (; c != NULL; c = next) {
            next = c->hash_next;
            c->hash_next = b[c->hash & (n - 1)];
            b[c->hash & (n - 1)] = c;
        }
    }
    free(ft->buckets);
    ft->buckets = b;
    ft->nbuckets = n;
}

static void
flowtab_lru_append(struct tcpf_flowtab *ft, struct tcpf_conn *c)
{
    c->lru_next = NULL;
    c->lru_prev = ft->lru_tail;
    if (ft->lru_tail != NULL)
        ft->lru_tail->lru_next = c;
    else
        ft->lru_head = c;
    ft->lru_tail = c;
}

static void
flowtab_lru_unlink(struct tcpf_flowtab *ft, struct tcpf_conn *c)
{
    if (c->lru_prev != NULL)
        c->lru_prev->lru_next = c->lru_next;
    else
        ft->lru_head = c->lru_next;
    if (c->lru_next != NULL)
        c->lru_next->lru_prev = c->lru_prev;
    else
        ft->lru_tail = c->lru_prev;
    c->lru_prev = c->lru_next = NULL;
}

struct tcpf_conn *
tcpf_flowtab_insert(struct tcpf_flowtab *ft, const struct tcpf_pkt *pkt)
{
    struct tcpf_conn *c;
    size_t b;

    if (ft->count >= ft->nbuckets)
        flowtab_grow(ft);
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    tcpf_flowkey_from_pkt(&c->key, pkt);
    c->hash = flowtab_hash(pkt);
    c->conn_id = ft->next_conn_id++;
    c->dir[0].wscale = -1;
    c->dir[1].wscale = -1;
    c->dir[0].conn = c;
    c->dir[1].conn = c;
    c->dir[1].index = 1;
    b = c->hash & (ft->nbuckets - 1);
    c->hash_next = ft->buckets[b];
    ft->buckets[b] = c;
    flowtab_lru_append(ft, c);
    ft->count++;
    return c;
}

void
tcpf_flowtab_touch(struct tcpf_flowtab *ft, struct tcpf_conn *c)
{
    if (ft->lru_tail == c)
        return;
    flowtab_lru_unlink(ft, c);
    flowtab_lru_append(ft, c);
}

void
tcpf_flowtab_remove(struct tcpf_flowtab *ft, struct tcpf_conn *c)
{
    struct tcpf_conn **pp = &ft->buckets[c->hash & (ft->nbuckets - 1)];

    while (*pp != NULL && *pp != c)
        pp = &(*pp)->hash_next;
    if (*pp == c)
        *pp = c->hash_next;
    flowtab_lru_unlink(ft, c);
    ft->count--;
    free(c);
}

struct tcpf_conn *
tcpf_flowtab_oldest(const struct tcpf_flowtab *ft)
{
    return ft->lru_head;
}

struct tcpf_conn *
tcpf_flowtab_newer(const struct tcpf_conn *c)
{
    return c->lru_next;
}

size_t
tcpf_flowtab_count(const struct tcpf_flowtab *ft)
{
    return ft->count;
}
