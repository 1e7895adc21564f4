/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the flow table: connections keyed by addresses, ports and VLAN, with an LRU order
 *
 * Lookups are symmetric: a packet finds its connection whichever direction it travels.
 * The table keeps every connection on one list ordered by last activity (packet time), so
 * idle expiry and eviction take the oldest in O(1). It owns struct tcpf_conn memory only;
 * what hangs off a connection (reassemblers, files, scanner state) is released by the caller
 * before tcpf_flowtab_remove().
 */
#ifndef TCPF_CORE_FLOWTAB_H
#define TCPF_CORE_FLOWTAB_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "packet.h"

struct tcpf_flowtab;

/* Creates an empty table. Returns NULL on allocation failure. */
struct tcpf_flowtab *tcpf_flowtab_create(void);

/* Frees the table and any connection structs still in it (their members must already be
 * released). Accepts NULL. */
void tcpf_flowtab_destroy(struct tcpf_flowtab *ft);

/* Fills *key from a decoded packet, oriented with the packet's sender as side a. */
void tcpf_flowkey_from_pkt(struct tcpf_flowkey *key, const struct tcpf_pkt *pkt);

/* Finds the connection of pkt. On a hit sets *dir to 0 when pkt travels like dir[0], else 1. */
struct tcpf_conn *tcpf_flowtab_lookup(struct tcpf_flowtab *ft, const struct tcpf_pkt *pkt,
                                      int *dir);

/* Adds a new zeroed connection whose dir[0] is pkt's direction, newest in LRU order.
 * conn_id is assigned from a running counter. Returns NULL on allocation failure. */
struct tcpf_conn *tcpf_flowtab_insert(struct tcpf_flowtab *ft, const struct tcpf_pkt *pkt);

/* Marks c as the most recently active connection. */
void tcpf_flowtab_touch(struct tcpf_flowtab *ft, struct tcpf_conn *c);

/* Unlinks c and frees the struct. */
void tcpf_flowtab_remove(struct tcpf_flowtab *ft, struct tcpf_conn *c);

/* Least recently active connection, or NULL when empty. */
struct tcpf_conn *tcpf_flowtab_oldest(const struct tcpf_flowtab *ft);

/* Next connection in LRU order (older to newer), or NULL. */
struct tcpf_conn *tcpf_flowtab_newer(const struct tcpf_conn *c);

/* Number of connections in the table. */
size_t tcpf_flowtab_count(const struct tcpf_flowtab *ft);

#endif /* TCPF_CORE_FLOWTAB_H */
