/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: flow file name templates (-T) and the -F letters, as in tcpflow 1.6.1
 *
 * A template is a string with %-escapes (TCPFLOW.md §1.4). It is expanded from a
 * struct tcpf_outname_vars that holds only addresses, ports, VLAN, MACs, times and
 * counters: no byte of TCP payload ever reaches a name. Expanded names are checked
 * before anyone opens them: no leading '/', no empty, "." or ".." component, each
 * component at most NAME_MAX bytes and the whole name shorter than PATH_MAX.
 *
 * Escapes (tcpflow 1.6.1 flow.cpp, with the differences marked *):
 *   %A %B  source / destination address: IPv4 "%03d.%03d.%03d.%03d", IPv6 inet_ntop
 *   %a %b  source / destination port, "%05d"
 *   %E %e  source / destination MAC "%02x:%02x:..."; *empty when the link has no MAC
 *          (tcpflow prints whatever 12 bytes began the frame)
 *   %V %v  "--" / the VLAN number when the first packet was tagged, else empty.
 *          *The number is whatever the caller stores in vars.vlan (decode gives the
 *          12-bit VLAN ID; tcpflow printed the whole 16-bit TCI)
 *   %T     first packet time, ISO-8601 UTC "YYYY-MM-DDTHH:MM:SSZ"; *seconds are clamped
 *          to 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z
 *   %t     first packet time, Unix seconds (signed decimal)
 *   %c     connection count if > 0, else empty;  %C  "c" if count > 0, else empty
 *   %#     connection count, always
 *   %N %K %M %G  flow id mod 1000, (id/10^3) mod 1000, (id/10^6) mod 1000,
 *          (id/10^9) mod 1000, each "%03d"
 *   %S     session id, "%020llu"
 *   %%     a literal '%'
 * Any other escape, or a template ending in '%', is an error.
 */
#ifndef TCPF_CORE_OUTNAME_H
#define TCPF_CORE_OUTNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#ifndef TCPF_ERRBUF_SIZE
#define TCPF_ERRBUF_SIZE 256
#endif

/* tcpflow's default template. */
#define TCPF_OUTNAME_DEFAULT "%A.%a-%B.%b%V%v%C%c"

/* Room for a template or an expanded name, terminating NUL included (PATH_MAX). */
#define TCPF_OUTNAME_MAX 4096

/* Return codes. */
#define TCPF_OUTNAME_OK        0
#define TCPF_OUTNAME_EINVAL   (-1) /* bad escape, trailing '%', NULL template */
#define TCPF_OUTNAME_ETOOLONG (-2) /* result does not fit the buffer / PATH_MAX / NAME_MAX */
#define TCPF_OUTNAME_EUNSAFE  (-3) /* expanded name is absolute or has an empty/./.. part */
#define TCPF_OUTNAME_EBADFLAG (-4) /* an unknown -F letter (tcpflow warns and goes on) */

/* Flags returned by the -F letters that do not edit the template. */
#define TCPF_OUTNAME_F_NOSTORE 0x1u /* -FX: write no flow files */
#define TCPF_OUTNAME_F_MD5     0x2u /* -FM: the md5 scanner was asked for */

/* What a name may be built from. Everything is copied by value; no pointers. */
struct tcpf_outname_vars {
    int family;                 /* TCPF_AF_INET or TCPF_AF_INET6 */
    uint8_t src[16], dst[16];   /* IPv4 uses the first 4 bytes */
    uint16_t sport, dport;
    bool has_vlan;
    uint16_t vlan;
    bool has_mac;
    uint8_t mac_src[6], mac_dst[6];
    struct tcpf_time first_ts;  /* first packet of the flow (after tdelta) */
    uint64_t flow_id;           /* %N %K %M %G: direction creation index */
    uint64_t session_id;        /* %S: connection creation index */
    uint64_t count;             /* connection count: %c %C %#. The writer sets this while
                                 * probing for a free name; leave it 0 otherwise. */
};

/* Checks every escape of tmpl. Returns TCPF_OUTNAME_OK, or TCPF_OUTNAME_EINVAL with
 * "invalid filename template '...': ..." in errbuf (errbuf may be NULL). */
int tcpf_outname_validate(const char *tmpl, char errbuf[TCPF_ERRBUF_SIZE]);

/* True when tmpl contains the escape %c (a literal "%%c" does not count). tmpl must be valid. */
bool tcpf_outname_has_count(const char *tmpl);

/* True when the expansion of tmpl can change with vars.count (%c, %C or %#): only then can
 * the writer probe c1, c2, ... on a name collision. tmpl must be valid. */
bool tcpf_outname_depends_on_count(const char *tmpl);

/* The -T option: validates user_tmpl and copies it to out, appending "%C%c" when it lacks
 * %c, as tcpflow does. out must hold outsize bytes (TCPF_OUTNAME_MAX is enough). Returns
 * TCPF_OUTNAME_OK, TCPF_OUTNAME_EINVAL or TCPF_OUTNAME_ETOOLONG (message in errbuf). */
int tcpf_outname_set_template(const char *user_tmpl, char *out, size_t outsize,
                              char errbuf[TCPF_ERRBUF_SIZE]);

/* Applies one -F letter to the template held in tmpl[0..tmplsize) (edited in place):
 *   c  every name carries the counter: each %C becomes a literal "c" and each %c becomes
 *      %#, so the default template gives "...c0", "...c1", ... (*tcpflow 1.6.1 turned %c
 *      into %C and produced "...cc" with no number; we do what its help text promises)
 *   C  prepends "%#-": every name starts with its connection counter (tcpflow 1.6.1's help
 *      promised this but rejected the letter);
 *   t  prepends "%tT";  T  prepends "%T";  k  prepends "%K/";
 *   m  prepends "%M000-%M999/%M%K/";
 *   g  prepends "%G000000-%G999999/%G%M000-%G%M999/%G%M%K/";
 *   X  sets TCPF_OUTNAME_F_NOSTORE in *flags;  M  sets TCPF_OUTNAME_F_MD5 in *flags.
 * Returns TCPF_OUTNAME_OK; TCPF_OUTNAME_EBADFLAG for any other letter, with
 * "-F invalid format specification 'z'" in errbuf and the template unchanged (the caller
 * warns and continues, like tcpflow); TCPF_OUTNAME_ETOOLONG if the result would not fit
 * (template unchanged). flags may be NULL. */
int tcpf_outname_apply_flag(char *tmpl, size_t tmplsize, char letter, unsigned *flags,
                            char errbuf[TCPF_ERRBUF_SIZE]);

/* Applies every letter of `letters` in order with tcpf_outname_apply_flag. Valid letters are
 * applied even when another is invalid. Returns TCPF_OUTNAME_OK, TCPF_OUTNAME_ETOOLONG (stops
 * there), or TCPF_OUTNAME_EBADFLAG with errbuf naming the first invalid letter. */
int tcpf_outname_apply_flags(char *tmpl, size_t tmplsize, const char *letters,
                             unsigned *flags, char errbuf[TCPF_ERRBUF_SIZE]);

/* Expands tmpl with *vars into buf[0..bufsize) and checks the result is a safe relative
 * name (see the file comment). Never writes past bufsize; buf is "" on error. Returns
 * TCPF_OUTNAME_OK, TCPF_OUTNAME_EINVAL, TCPF_OUTNAME_ETOOLONG or TCPF_OUTNAME_EUNSAFE, with
 * a message in errbuf (may be NULL). Builds no heap memory; safe per packet. */
int tcpf_outname_expand(const char *tmpl, const struct tcpf_outname_vars *vars, char *buf,
                        size_t bufsize, char errbuf[TCPF_ERRBUF_SIZE]);

/* Formats an address as a name would: pad=true gives %A's "010.000.000.001" for IPv4,
 * pad=false gives "10.0.0.1"; IPv6 is inet_ntop in both cases. Returns the length, or -1
 * for an unknown family or a buffer too small (buf is then ""). 46 bytes always suffice. */
int tcpf_outname_format_addr(int family, const uint8_t addr[16], bool pad, char *buf,
                             size_t bufsize);

#endif /* TCPF_CORE_OUTNAME_H */
