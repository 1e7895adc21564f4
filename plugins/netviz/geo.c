/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz optional GeoIP country and ASN columns from user-supplied MaxMind DB files
 * (libmaxminddb; GeoLite2-City/Country and GeoLite2-ASN layouts, or DB-IP lite).
 *
 * Built with NETVIZ_HAVE_MAXMINDDB only when configure found libmaxminddb. A missing or bad
 * database is one warning and no column: the report never depends on it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef NETVIZ_HAVE_MAXMINDDB
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include "nv.h"

struct nv_geo {
#ifdef NETVIZ_HAVE_MAXMINDDB
    MMDB_s city, asn;
    bool has_city, has_asn;
#endif
    char desc[256];
};

struct nv_geo *
nv_geo_open(const struct tcpf_host *host, const char *city_path, const char *asn_path)
{
    struct nv_geo *g;

    if ((city_path == NULL || city_path[0] == '\0') && (asn_path == NULL || asn_path[0] == '\0'))
        return NULL;
#ifndef NETVIZ_HAVE_MAXMINDDB
    host->log(host, TCPF_SLOG_WARN, "built without libmaxminddb: ignoring netviz.geoip/asn");
    return NULL;
#else
    if ((g = calloc(1, sizeof(*g))) == NULL)
        return NULL;
    if (city_path != NULL && city_path[0] != '\0') {
        int rc = MMDB_open(city_path, MMDB_MODE_MMAP, &g->city);

        if (rc == MMDB_SUCCESS)
            g->has_city = true;
        else
            host->log(host, TCPF_SLOG_WARN, "geoip database %s: %s; no country column",
                      city_path, MMDB_strerror(rc));
    }
    if (asn_path != NULL && asn_path[0] != '\0') {
        int rc = MMDB_open(asn_path, MMDB_MODE_MMAP, &g->asn);

        if (rc == MMDB_SUCCESS)
            g->has_asn = true;
        else
            host->log(host, TCPF_SLOG_WARN, "asn database %s: %s; no AS column", asn_path,
                      MMDB_strerror(rc));
    }
    if (!g->has_city && !g->has_asn) {
        free(g);
        return NULL;
    }
    {
        char a[96] = "", b[96] = "";

        if (g->has_city)
            snprintf(a, sizeof(a), "%s", g->city.metadata.database_type);
        if (g->has_asn)
            snprintf(b, sizeof(b), "%s", g->asn.metadata.database_type);
        char tmp[256];

        snprintf(tmp, sizeof(tmp), "GeoIP: %s%s%s", a, (a[0] && b[0]) ? " + " : "", b);
        nv_sanitize(g->desc, sizeof(g->desc), tmp);
    }
    return g;
#endif
}

void
nv_geo_close(struct nv_geo *g)
{
    if (g == NULL)
        return;
#ifdef NETVIZ_HAVE_MAXMINDDB
    if (g->has_city)
        MMDB_close(&g->city);
    if (g->has_asn)
        MMDB_close(&g->asn);
#endif
    free(g);
}

bool
nv_geo_enabled(const struct nv_geo *g)
{
    return g != NULL;
}

const char *
nv_geo_describe(const struct nv_geo *g)
{
    return g != NULL ? g->desc : "";
}

#ifdef NETVIZ_HAVE_MAXMINDDB
static MMDB_lookup_result_s
geo_find(MMDB_s *db, uint8_t family, const uint8_t *addr)
{
    struct sockaddr_storage ss;
    int err = 0;

    memset(&ss, 0, sizeof(ss));
    if (family == TCPF_FAMILY_IPV6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, addr, 16);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, addr, 4);
    }
    return MMDB_lookup_sockaddr(db, (struct sockaddr *)&ss, &err);
}

static void
geo_str(MMDB_lookup_result_s *r, char *out, size_t n, const char *const *path)
{
    MMDB_entry_data_s d;

    out[0] = '\0';
    if (!r->found_entry || MMDB_aget_value(&r->entry, &d, path) != MMDB_SUCCESS ||
        !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
        return;
    {
        char tmp[128];
        size_t l = d.data_size < sizeof(tmp) - 1 ? d.data_size : sizeof(tmp) - 1;

        memcpy(tmp, d.utf8_string, l);
        tmp[l] = '\0';
        nv_sanitize(out, n, tmp);
    }
}
#endif

void
nv_geo_lookup(struct nv_geo *g, uint8_t family, const uint8_t *addr, char *buf, size_t n)
{
    buf[0] = '\0';
    if (g == NULL)
        return;
#ifdef NETVIZ_HAVE_MAXMINDDB
    {
        char cc[16] = "", org[80] = "", asn[24] = "";

        if (g->has_city) {
            static const char *const p1[] = { "country", "iso_code", NULL };
            static const char *const p2[] = { "registered_country", "iso_code", NULL };
            MMDB_lookup_result_s r = geo_find(&g->city, family, addr);

            geo_str(&r, cc, sizeof(cc), p1);
            if (cc[0] == '\0')
                geo_str(&r, cc, sizeof(cc), p2);
        }
        if (g->has_asn) {
            static const char *const pn[] = { "autonomous_system_number", NULL };
            static const char *const po[] = { "autonomous_system_organization", NULL };
            MMDB_lookup_result_s r = geo_find(&g->asn, family, addr);
            MMDB_entry_data_s d;

            if (r.found_entry && MMDB_aget_value(&r.entry, &d, pn) == MMDB_SUCCESS &&
                d.has_data && d.type == MMDB_DATA_TYPE_UINT32)
                snprintf(asn, sizeof(asn), "AS%u", (unsigned)d.uint32);
            geo_str(&r, org, sizeof(org), po);
        }
        snprintf(buf, n, "%s%s%s%s%s", cc, cc[0] && asn[0] ? " " : "", asn,
                 (cc[0] || asn[0]) && org[0] ? " " : "", org);
    }
#else
    (void)family;
    (void)addr;
#endif
}
