/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: dfxml scanner: report.xml (DFXML 2.0) of every flow, with hashes, anomalies and
 * provenance, written as a stream to a temporary file and renamed into place at the end
 *
 * References: DFXML schema 2.0.0-beta.0 (dfxml-working-group/dfxml_schema, dfxml.xsd);
 * dfxml_python's tcpflow conventions (dfxml/bin/TCPFlowObjects.py: the "#tcpflow" namespace
 * and tcpflow:scanner_result name=); tcpflow 1.6.1's report.xml (the tcpflow element's
 * attributes, kept under tcpflow:flow).
 *
 * Layout (one element per line, two-space indentation):
 *   <dfxml xmlns=DFXML xmlns:dc xmlns:tcpflow version="2.0.0-beta.0">
 *     <metadata><dc:type>Feature Extraction</dc:type></metadata>
 *     <creator> program, version, build_environment, execution_environment </creator>
 *     <source><image_filename/>...</source>
 *     <fileobject>...one per flow direction, in close order...</fileobject>
 *     <rusage>...</rusage>
 *     <tcpflow:run>run-level entries of the core and the scanners</tcpflow:run>
 *   </dfxml>
 * A fileobject holds filename (the flow file as tcpflow prints it, when there is one),
 * filesize, hashdigest* (only when the digests describe the file on disk, see below), then
 * tcpflow:flow (1.6.1's attributes plus ours), tcpflow:stream (what was hashed) and one
 * tcpflow:scanner_result per scanner that reported on the flow.
 *
 * Hashes are computed from the chunks as they are delivered (never by re-reading a file);
 * holes count as zero bytes, which is what the flow file holds there. They describe the file
 * only when nothing else changed it: they are moved from <hashdigest> to tcpflow:stream (with
 * matches_file="no" and the reasons) when the direction's file was split (file_splits), a
 * delivered hole was filled later (late_fill_bytes: the file has the late bytes, the hash has
 * zeros), -b clipped it (bytes_clipped, when the core reports it), or the file size the core
 * reports differs from the length hashed. Holes beyond dfxml.max_hash_zeros stop hashing for
 * the flow (bounded CPU on hostile captures).
 *
 * The digests are GNU Nettle's (its generic struct nettle_hash interface; one context block per
 * flow, so flows hashed on different worker threads share nothing).
 *
 * The plugin uses only <tcpflow/scanner.h>, libxml2 and Nettle. The report is created with
 * derived_open(NULL, "report.xml") (a host-made temporary renamed at derived_close), except
 * with -S dfxml.path=FILE (tcpflow -X FILE): FILE is a path the user named, relative to the
 * working directory as in tcpflow 1.6.1, so the plugin makes the temporary itself next to it
 * (O_CREAT|O_EXCL|O_NOFOLLOW) and renames it.
 */
/* No config.h in plugins: ask for POSIX.1-2008 (openat, gmtime_r, strdup...) here. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libxml/xmlversion.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha2.h>
#include <nettle/version.h>

#include <tcpflow/scanner.h>

#include "xmlsafe.h"

#define DFX_NS          "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
#define DFX_NS_TCPFLOW  DFX_NS "#tcpflow"
#define DFX_NS_DC       "http://purl.org/dc/elements/1.1/"
#define DFX_VERSION     "2.0.0-beta.0"
#define DFX_REPORT_NAME "report.xml"
#define DFX_MAX_HASHES  6
#define DFX_MAX_DIGEST  SHA512_DIGEST_SIZE /* the largest digest_size of dfx_hashdefs */
#define DFX_CTX_ALIGN   16u /* of each context in a flow's block (contexts hold uint64_t) */
/* Nettle 4 dropped the length argument of the digest functions (always the full digest). */
#if NETTLE_VERSION_MAJOR >= 4
#define DFX_DIGEST(alg, ctx, n, out) (alg)->digest((ctx), (out))
#else
#define DFX_DIGEST(alg, ctx, n, out) (alg)->digest((ctx), (n), (out))
#endif
#define DFX_CORE        "tcpflow" /* scanner name of the core's report entries */

static const struct {
    const char *name;              /* as written in hashdigest type= (DFXML hashDigestType) */
    const struct nettle_hash *alg; /* Nettle's implementation */
} dfx_hashdefs[] = {
    { "md5", &nettle_md5 },       { "sha1", &nettle_sha1 },     { "sha224", &nettle_sha224 },
    { "sha256", &nettle_sha256 }, { "sha384", &nettle_sha384 }, { "sha512", &nettle_sha512 },
};

struct dfx_state {
    const struct tcpf_host *host;
    FILE *fp;
    struct dfx_xml *x;
    bool own_file;    /* dfxml.path: created here, not by derived_open */
    int dirfd;        /* own_file: directory of the report */
    char *tmp_name;   /* own_file: temporary name in dirfd */
    char *final_name; /* own_file: last component of dfxml.path */
    const char *path; /* own_file: dfxml.path as given */
    const struct nettle_hash *md[DFX_MAX_HASHES];
    const char *md_name[DFX_MAX_HASHES];
    size_t md_off[DFX_MAX_HASHES]; /* offset of each context in a flow's block */
    size_t flow_size;              /* struct dfx_flow + the contexts */
    size_t n_md;
    uint64_t max_zeros;
    struct timespec t0; /* CLOCK_MONOTONIC at init, for rusage clocktime */
};

/* One allocation per flow: this struct, then the n_md digest contexts at md_off[i]. */
struct dfx_flow {
    uint64_t pos;          /* stream bytes hashed, holes included */
    uint64_t zeros;        /* zero bytes hashed for holes */
    const char *abandoned; /* why hashing stopped, or NULL */
    _Alignas(DFX_CTX_ALIGN) unsigned char ctx[]; /* the contexts */
};

static const struct tcpf_scanner_option dfx_options[] = {
    { "hash", TCPF_OPT_STR, "sha256",
      "digests of each flow file: md5,sha1,sha224,sha256,sha384,sha512 or none" },
    { "path", TCPF_OPT_STR, "",
      "write the report to this path (relative to the working directory, like -X); "
      "empty: OUTDIR/report.xml" },
    { "max_hash_zeros", TCPF_OPT_U64, "64M",
      "stop hashing a flow whose holes add up to more than this many bytes (0 = no limit)" },
    { NULL, 0, NULL, NULL },
};

/* ---- small helpers --------------------------------------------------------------------- */

/* ISO 8601 UTC, with microseconds when frac. Returns false if the time cannot be shown. */
static bool
dfx_iso_time(char *buf, size_t len, int64_t sec, uint32_t nsec, bool frac)
{
    struct tm tm;
    time_t t = (time_t)sec;
    size_t n;

    if ((int64_t)t != sec || gmtime_r(&t, &tm) == NULL || tm.tm_year > 9999 - 1900 ||
        tm.tm_year < -1900)
        return false;
    n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    if (n == 0)
        return false;
    if (frac)
        snprintf(buf + n, len - n, ".%06luZ", (unsigned long)(nsec % 1000000000u) / 1000);
    else
        snprintf(buf + n, len - n, "Z");
    return true;
}

static bool
dfx_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* Value of the core's entry `key` for the flow (the last one wins), or NULL. */
static const char *
dfx_core_entry(const struct tcpf_flow *flow, const char *key)
{
    const char *v = NULL;
    size_t i;

    /* ~25 lookups per flow over ~25 entries: test the first byte of the key before any
     * strcmp (this was a tenth of a run of short connections). */
    for (i = 0; i < flow->n_entries; i++) {
        const struct tcpf_report_entry *e = &flow->entries[i];

        if (e->key[0] == key[0] && strcmp(e->key, key) == 0 && strcmp(e->scanner, DFX_CORE) == 0)
            v = e->value;
    }
    return v;
}

static uint64_t
dfx_core_u64(const struct tcpf_flow *flow, const char *key, bool *present)
{
    uint64_t v = 0;
    bool ok = dfx_parse_u64(dfx_core_entry(flow, key), &v);

    if (present != NULL)
        *present = ok;
    return ok ? v : 0;
}

/* ---- options ----------------------------------------------------------------------------- */

/* Parses dfxml.hash ("md5,sha256", "none"). Returns TCPF_OK or TCPF_EINVAL (logged). */
static int
dfx_parse_hashes(struct dfx_state *s, const char *spec)
{
    const char *p = spec;
    size_t k;

    s->n_md = 0;
    while (*p != '\0') {
        size_t n = strcspn(p, ","), i, j;
        bool known = false;

        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == 4 && strncasecmp(p, "none", 4) == 0) {
            known = true;
        } else if (n > 0) {
            for (i = 0; i < sizeof(dfx_hashdefs) / sizeof(dfx_hashdefs[0]); i++) {
                if (strlen(dfx_hashdefs[i].name) != n || strncasecmp(p, dfx_hashdefs[i].name, n))
                    continue;
                known = true;
                for (j = 0; j < s->n_md; j++)
                    if (s->md_name[j] == dfx_hashdefs[i].name)
                        break;
                if (j < s->n_md)
                    break; /* listed twice */
                s->md[s->n_md] = dfx_hashdefs[i].alg;
                s->md_name[s->n_md++] = dfx_hashdefs[i].name;
                break;
            }
        }
        if (!known && n > 0) {
            s->host->log(s->host, TCPF_SLOG_ERROR,
                         "-S dfxml.hash=%.100s: unknown digest '%.*s' (use md5, sha1, sha224, "
                         "sha256, sha384, sha512 or none)",
                         spec, (int)(n > 40 ? 40 : n), p);
            return TCPF_EINVAL;
        }
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    s->flow_size = sizeof(struct dfx_flow);
    for (k = 0; k < s->n_md; k++) {
        s->md_off[k] = s->flow_size - offsetof(struct dfx_flow, ctx);
        s->flow_size += (s->md[k]->context_size + DFX_CTX_ALIGN - 1) & ~(size_t)(DFX_CTX_ALIGN - 1);
    }
    return TCPF_OK;
}

/* ---- the report file --------------------------------------------------------------------- */

/* dfxml.path: creates a temporary next to path. Returns TCPF_OK or TCPF_ERR (logged). */
static int
dfx_open_own(struct dfx_state *s, const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX], tmp[NAME_MAX + 1];
    int fd = -1, i, n;

    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else if ((size_t)(slash - path) >= sizeof(dir))
        goto toolong;
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    s->final_name = strdup(slash ? slash + 1 : path);
    if (s->final_name == NULL) {
        errno = ENOMEM;
        goto fail;
    }
    if (s->final_name[0] == '\0' || strcmp(s->final_name, ".") == 0 ||
        strcmp(s->final_name, "..") == 0) {
        errno = EISDIR;
        goto fail;
    }
    s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->dirfd < 0)
        goto fail;
    for (i = 0; i < 100; i++) {
        n = snprintf(tmp, sizeof(tmp), ".%s.tmp.%ld.%d", s->final_name, (long)getpid(), i);
        if (n < 0 || (size_t)n >= sizeof(tmp))
            goto toolong;
        fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0)
        goto fail;
    if ((s->tmp_name = strdup(tmp)) == NULL || (s->fp = fdopen(fd, "wb")) == NULL) {
        unlinkat(s->dirfd, tmp, 0);
        close(fd);
        errno = ENOMEM;
        goto fail;
    }
    s->own_file = true;
    return TCPF_OK;
toolong:
    errno = ENAMETOOLONG;
fail:
    s->host->log(s->host, TCPF_SLOG_ERROR, "cannot create the report %s: %s", path,
                 strerror(errno));
    return TCPF_ERR;
}

/* Closes the report: renamed into place if complete, else removed. Returns TCPF_OK or
 * TCPF_ERR (logged, here or by the host). */
static int
dfx_close_report(struct dfx_state *s, bool complete)
{
    int err = 0;

    if (!s->own_file) {
        if (!complete)
            (void)fgetc(s->fp); /* reading a write-only stream sets its error indicator, so
                                 * derived_close discards the temporary (no abort service) */
        return s->host->derived_close(s->host, s->fp) == TCPF_OK && complete ? TCPF_OK : TCPF_ERR;
    }
    errno = 0;
    if (fflush(s->fp) != 0 || ferror(s->fp))
        err = errno ? errno : EIO;
    if (fclose(s->fp) != 0 && err == 0)
        err = errno ? errno : EIO;
    if (!complete && err == 0)
        err = ECANCELED;
    if (err == 0 && renameat(s->dirfd, s->tmp_name, s->dirfd, s->final_name) != 0)
        err = errno;
    if (err != 0) {
        unlinkat(s->dirfd, s->tmp_name, 0);
        if (complete) /* an incomplete report was logged by the caller */
            s->host->log(s->host, TCPF_SLOG_ERROR, "%s: %s; no report written", s->path,
                         strerror(err));
    }
    return err ? TCPF_ERR : TCPF_OK;
}

/* ---- header ---------------------------------------------------------------------------- */

/* __DATE__ "Mmm dd yyyy" + __TIME__ as xs:dateTime (local time of the build, no zone). */
static void
dfx_compilation_date(char *buf, size_t len)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *d = __DATE__, *m = strstr(months, (char[4]){ d[0], d[1], d[2], 0 });
    int day = atoi(d + 4), year = atoi(d + 7);

    snprintf(buf, len, "%04d-%02d-%02dT%s", year, m ? (int)(m - months) / 3 + 1 : 1, day, __TIME__);
}


/* The name of uid from /etc/passwd, into buf (NUL-terminated). Returns false if there is
 * none. Read directly rather than through getpwuid(): glibc's NSS asserts and aborts when
 * one of its own allocations fails (found by tests/fuzz/allocfail.sh), and a report must
 * never cost the run. Users known only to LDAP and the like get no username (uid stays). */
static bool
dfx_local_username(uid_t uid, char *buf, size_t len)
{
    char line[512];
    bool found = false;
    FILE *fp = fopen("/etc/passwd", "re");

    if (fp == NULL)
        return false;
    while (!found && fgets(line, sizeof(line), fp) != NULL) {
        char *name = line, *c1 = strchr(line, ':'), *c2, *end;
        unsigned long v;

        if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
            continue;
        errno = 0;
        v = strtoul(c2 + 1, &end, 10);
        if (errno != 0 || end == c2 + 1 || *end != ':' || v != (unsigned long)uid)
            continue;
        *c1 = '\0';
        if (name[0] != '\0' && strlen(name) < len) {
            memcpy(buf, name, strlen(name) + 1);
            found = true;
        }
    }
    fclose(fp);
    return found;
}

static void
dfx_write_creator(struct dfx_state *s, const struct tcpf_run *run)
{
    struct dfx_xml *x = s->x;
    struct utsname u;
    char buf[64];

    dfx_xml_start(x, "creator");
    dfx_xml_elem(x, "program", "tcpflow");
    dfx_xml_elem(x, "version", run->host_version ? run->host_version : "unknown");
    dfx_xml_start(x, "build_environment");
#ifdef __VERSION__
    dfx_xml_elem(x, "compiler", __VERSION__);
#endif
    dfx_compilation_date(buf, sizeof(buf));
    dfx_xml_elem(x, "compilation_date", buf);
    dfx_xml_start(x, "library");
    dfx_xml_attr(x, "name", "libxml2");
    dfx_xml_attr(x, "version", LIBXML_DOTTED_VERSION);
    dfx_xml_end(x);
    dfx_xml_start(x, "library");
    dfx_xml_attr(x, "name", "nettle");
    snprintf(buf, sizeof(buf), "%d.%d", NETTLE_VERSION_MAJOR, NETTLE_VERSION_MINOR);
    dfx_xml_attr(x, "version", buf);
    dfx_xml_end(x);
    dfx_xml_end(x); /* build_environment */
    dfx_xml_start(x, "execution_environment");
    if (uname(&u) == 0) {
        dfx_xml_elem(x, "os_sysname", u.sysname);
        dfx_xml_elem(x, "os_release", u.release);
        dfx_xml_elem(x, "os_version", u.version);
        dfx_xml_elem(x, "host", u.nodename);
        dfx_xml_elem(x, "arch", u.machine);
    }
    if (run->command_line != NULL)
        dfx_xml_elem(x, "command_line", run->command_line);
    dfx_xml_elem_u64(x, "uid", (uint64_t)getuid());
    if (dfx_local_username(getuid(), buf, sizeof(buf)))
        dfx_xml_elem(x, "username", buf);
    if (dfx_iso_time(buf, sizeof(buf), (int64_t)time(NULL), 0, false))
        dfx_xml_elem(x, "start_time", buf);
    dfx_xml_end(x); /* execution_environment */
    dfx_xml_end(x); /* creator */
}

static void
dfx_write_header(struct dfx_state *s)
{
    const struct tcpf_run *run = s->host->run_info(s->host);
    struct dfx_xml *x = s->x;
    size_t i;

    dfx_xml_start(x, "dfxml");
    dfx_xml_attr(x, "xmlns", DFX_NS);
    dfx_xml_attr(x, "xmlns:dc", DFX_NS_DC);
    dfx_xml_attr(x, "xmlns:tcpflow", DFX_NS_TCPFLOW);
    dfx_xml_attr(x, "version", DFX_VERSION);
    dfx_xml_start(x, "metadata");
    dfx_xml_elem(x, "dc:type", "Feature Extraction");
    dfx_xml_end(x);
    if (run == NULL)
        return;
    dfx_write_creator(s, run);
    dfx_xml_start(x, "source");
    for (i = 0; i < run->n_inputs; i++)
        dfx_xml_elem(x, "image_filename", run->inputs[i]);
    dfx_xml_end(x);
}

/* ---- callbacks ------------------------------------------------------------------------- */

static void dfx_shutdown(void *sstate);

static int
dfx_init(const struct tcpf_host *host, void **sstate)
{
    struct dfx_state *s = calloc(1, sizeof(*s));
    const char *spec = NULL, *path = NULL;

    if (s == NULL)
        return TCPF_ENOMEM;
    s->host = host;
    s->dirfd = -1;
    *sstate = s;
    clock_gettime(CLOCK_MONOTONIC, &s->t0);
    if (host->cfg_str(host, "hash", &spec) != TCPF_OK ||
        host->cfg_str(host, "path", &path) != TCPF_OK ||
        host->cfg_u64(host, "max_hash_zeros", &s->max_zeros) != TCPF_OK ||
        dfx_parse_hashes(s, spec) != TCPF_OK)
        goto fail;
    if (path != NULL && path[0] != '\0') {
        s->path = path;
        if (dfx_open_own(s, path) != TCPF_OK)
            goto fail;
    } else {
        /* NULL without an output directory (console modes) or on failure (logged by the
         * host): the run goes on without a report. */
        s->fp = host->derived_open(host, NULL, DFX_REPORT_NAME);
        if (s->fp == NULL)
            return TCPF_OK;
    }
    s->x = dfx_xml_create(s->fp);
    if (s->x == NULL) {
        host->log(host, TCPF_SLOG_ERROR, "out of memory");
        dfx_close_report(s, false);
        s->fp = NULL;
        goto fail;
    }
    dfx_write_header(s);
    return TCPF_OK;
fail:
    dfx_shutdown(s);
    *sstate = NULL;
    return TCPF_ERR;
}

static void
dfx_flow_free(struct dfx_flow *f)
{
    free(f);
}

static int
dfx_flow_open(void *sstate, const struct tcpf_flow *flow, void **fstate)
{
    struct dfx_state *s = sstate;
    struct dfx_flow *f;
    size_t i;

    (void)flow;
    if (s->x == NULL)
        return TCPF_DETACH; /* no report: nothing to do, and no flow_close */
    if (s->n_md == 0)
        return TCPF_OK; /* fstate NULL: no hashing */
    f = calloc(1, s->flow_size);
    if (f == NULL)
        return TCPF_OK; /* still reported, without hashes */
    for (i = 0; i < s->n_md; i++)
        s->md[i]->init(f->ctx + s->md_off[i]);
    *fstate = f;
    return TCPF_OK;
}

static void
dfx_hash_update(struct dfx_state *s, struct dfx_flow *f, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < s->n_md; i++)
        s->md[i]->update(f->ctx + s->md_off[i], n, p);
}

static int
dfx_flow_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    static const uint8_t zeros[65536];
    struct dfx_state *s = sstate;
    struct dfx_flow *f = fstate;
    uint64_t skip;

    (void)flow;
    if (f == NULL || f->abandoned != NULL)
        return TCPF_DETACH;
    if (c->offset > f->pos) {
        uint64_t hole = c->offset - f->pos;

        if (s->max_zeros != 0 && hole > s->max_zeros - f->zeros) {
            f->abandoned = "max_hash_zeros";
            return TCPF_DETACH;
        }
        f->zeros += hole;
        while (hole > 0) {
            size_t n = hole > sizeof(zeros) ? sizeof(zeros) : (size_t)hole;

            dfx_hash_update(s, f, zeros, n);
            hole -= n;
        }
        f->pos = c->offset;
    }
    skip = f->pos - c->offset; /* bytes of this chunk already hashed (never expected) */
    if (c->len > skip && c->data != NULL) {
        dfx_hash_update(s, f, c->data + skip, c->len - (size_t)skip);
        f->pos = c->offset + c->len;
    }
    return TCPF_OK;
}

/* Finishes the digests into hex[i]. Returns false if there are none. */
static bool
dfx_hash_final(struct dfx_state *s, struct dfx_flow *f, char hex[][DFX_MAX_DIGEST * 2 + 1])
{
    uint8_t md[DFX_MAX_DIGEST];
    unsigned int n, j;
    size_t i;

    if (f == NULL || f->abandoned != NULL || s->n_md == 0)
        return false;
    for (i = 0; i < s->n_md; i++) {
        n = s->md[i]->digest_size;
        DFX_DIGEST(s->md[i], f->ctx + s->md_off[i], n, md);
        for (j = 0; j < n; j++) {
            hex[i][2 * j] = "0123456789abcdef"[md[j] >> 4];
            hex[i][2 * j + 1] = "0123456789abcdef"[md[j] & 15];
        }
        hex[i][2 * n] = '\0';
    }
    return true;
}

/* The core's per-flow entries shown as tcpflow:flow attributes when non-zero (besides the
 * always-present ones written in dfx_write_flow_attrs). */
static const char *const dfx_nonzero_keys[] = {
    "retransmitted",   "conflicts",       "conflict_bytes",     "gaps",
    "gap_bytes",       "late_fill_bytes", "before_start_bytes", "after_fin",
    "payload_missing", "file_splits",     "bytes_clipped",
};
/* Core keys consumed by dfx_write_flow_attrs / the fileobject itself. */
static const char *const dfx_known_keys[] = {
    "filesize",   "packets",   "len",       "caplen",       "out_of_order_count",
    "violations", "mac_saddr", "mac_daddr", "close_reason", "midstream",
};

static bool
dfx_core_key_known(const char *key)
{
    size_t i;

    /* per entry of every flow: the first byte rules out most keys without a call */
    for (i = 0; i < sizeof(dfx_known_keys) / sizeof(dfx_known_keys[0]); i++)
        if (key[0] == dfx_known_keys[i][0] && strcmp(key, dfx_known_keys[i]) == 0)
            return true;
    for (i = 0; i < sizeof(dfx_nonzero_keys) / sizeof(dfx_nonzero_keys[0]); i++)
        if (key[0] == dfx_nonzero_keys[i][0] && strcmp(key, dfx_nonzero_keys[i]) == 0)
            return true;
    return false;
}

static void
dfx_attr_nonzero(struct dfx_xml *x, const struct tcpf_flow *flow, const char *key)
{
    const char *v = dfx_core_entry(flow, key);

    if (v != NULL && strcmp(v, "0") != 0)
        dfx_xml_attr(x, key, v);
}

/* <tcpflow:flow .../>: tcpflow 1.6.1's attributes in its order, then ours. */
static void
dfx_write_flow_attrs(struct dfx_xml *x, const struct tcpf_flow *flow)
{
    char buf[64];
    int af = flow->family == TCPF_FAMILY_IPV6 ? AF_INET6 : AF_INET;
    const char *v, *len;
    size_t i;

    dfx_xml_start(x, "tcpflow:flow");
    if (dfx_iso_time(buf, sizeof(buf), flow->first_ts.sec, flow->first_ts.nsec, true))
        dfx_xml_attr(x, "startime", buf); /* sic: tcpflow's spelling */
    if (dfx_iso_time(buf, sizeof(buf), flow->last_ts.sec, flow->last_ts.nsec, true))
        dfx_xml_attr(x, "endtime", buf);
    if ((v = dfx_core_entry(flow, "mac_daddr")) != NULL)
        dfx_xml_attr(x, "mac_daddr", v);
    if ((v = dfx_core_entry(flow, "mac_saddr")) != NULL)
        dfx_xml_attr(x, "mac_saddr", v);
    dfx_xml_attr_u64(x, "family", (uint64_t)af);
    if (inet_ntop(af, flow->src, buf, sizeof(buf)) != NULL)
        dfx_xml_attr(x, "src_ipn", buf);
    if (inet_ntop(af, flow->dst, buf, sizeof(buf)) != NULL)
        dfx_xml_attr(x, "dst_ipn", buf);
    dfx_xml_attr_u64(x, "srcport", flow->sport);
    dfx_xml_attr_u64(x, "dstport", flow->dport);
    if (flow->has_vlan)
        dfx_xml_attr_u64(x, "vlan", flow->vlan);
    v = dfx_core_entry(flow, "packets");
    if (v != NULL)
        dfx_xml_attr(x, "packets", v);
    else
        dfx_xml_attr_u64(x, "packets", flow->packets);
    dfx_attr_nonzero(x, flow, "out_of_order_count");
    dfx_attr_nonzero(x, flow, "violations");
    v = dfx_core_entry(flow, "len");
    if (v != NULL)
        dfx_xml_attr(x, "len", v);
    else
        dfx_xml_attr_u64(x, "len", flow->wire_bytes);
    if ((v = dfx_core_entry(flow, "caplen")) != NULL &&
        (len = dfx_core_entry(flow, "len")) != NULL && strcmp(v, len) != 0)
        dfx_xml_attr(x, "caplen", v); /* 1.6.1: only when it differs from len */
    dfx_xml_attr_u64(x, "conn_id", flow->conn_id);
    dfx_xml_attr_u64(x, "dir", flow->dir);
    if ((v = dfx_core_entry(flow, "close_reason")) != NULL)
        dfx_xml_attr(x, "close_reason", v);
    if (flow->midstream)
        dfx_xml_attr(x, "midstream", "1");
    for (i = 0; i < sizeof(dfx_nonzero_keys) / sizeof(dfx_nonzero_keys[0]); i++)
        dfx_attr_nonzero(x, flow, dfx_nonzero_keys[i]);
    dfx_xml_end(x);
}

/* One tcpflow:scanner_result per scanner (first-appearance order): its entries as
 * <tcpflow:entry key=>value</tcpflow:entry>, and its derived files as tcpflow:file. For a
 * flow (is_flow), the core's entries already shown in tcpflow:flow are left out; a derived
 * file named skip_derived (the report itself) is left out. */
/* Entry e is a core fact already shown in the flow's tcpflow:flow element. */
static bool
dfx_entry_hidden(const struct tcpf_report_entry *e, bool is_flow)
{
    return is_flow && strcmp(e->scanner, DFX_CORE) == 0 && dfx_core_key_known(e->key);
}

static void
dfx_write_results(struct dfx_xml *x, const struct tcpf_report_entry *e, size_t ne,
                  const struct tcpf_derived_file *d, size_t nd, bool is_flow,
                  const char *skip_derived)
{
    /* Which entries are hidden, worked out once per flow and not in the nested loops below
     * (that lookup was the strcmp hot spot of short-connection runs); the rare flow with
     * more entries than fit here, when memory is short too, works it out as it goes. */
    bool hidden_small[64], *hidden = ne <= 64 ? hidden_small : malloc(ne * sizeof(bool));
    size_t i, j, k;

#define DFX_HIDDEN(n) (hidden != NULL ? hidden[n] : dfx_entry_hidden(&e[n], is_flow))
    for (i = 0; hidden != NULL && i < ne; i++)
        hidden[i] = dfx_entry_hidden(&e[i], is_flow);
    for (k = 0; k < ne + nd; k++) {
        const char *name = k < ne ? e[k].scanner : d[k - ne].scanner;
        bool seen = false, any = false;

        if (k < ne && DFX_HIDDEN(k))
            continue;
        for (j = 0; j < k && !seen; j++) {
            const char *prev = j < ne ? e[j].scanner : d[j - ne].scanner;

            if (j < ne && DFX_HIDDEN(j))
                continue;
            seen = strcmp(prev, name) == 0;
        }
        if (seen)
            continue;
        for (i = k; i < ne + nd; i++) {
            if (i < ne) {
                if (strcmp(e[i].scanner, name) != 0 || DFX_HIDDEN(i))
                    continue;
            } else if (strcmp(d[i - ne].scanner, name) != 0 ||
                       (skip_derived != NULL && strcmp(d[i - ne].name, skip_derived) == 0)) {
                continue;
            }
            if (!any) {
                dfx_xml_start(x, "tcpflow:scanner_result");
                dfx_xml_attr(x, "name", name);
                any = true;
            }
            if (i < ne) {
                dfx_xml_start(x, "tcpflow:entry");
                dfx_xml_attr(x, "key", e[i].key);
                dfx_xml_text(x, e[i].value);
                dfx_xml_end(x);
            } else {
                dfx_xml_start(x, "tcpflow:file");
                dfx_xml_attr(x, "filename", d[i - ne].path ? d[i - ne].path : d[i - ne].name);
                dfx_xml_attr_u64(x, "filesize", d[i - ne].size);
                dfx_xml_end(x);
            }
        }
        if (any)
            dfx_xml_end(x);
    }
#undef DFX_HIDDEN
    if (hidden != hidden_small)
        free(hidden);
}

/* Why the stream digests do not describe the file: comma-separated reasons into buf. */
static void
dfx_mismatch(const struct tcpf_flow *flow, const struct dfx_flow *f, char *buf, size_t len)
{
    bool has_size;
    uint64_t size = dfx_core_u64(flow, "filesize", &has_size);
    size_t n = 0;

    buf[0] = '\0';
#define DFX_REASON(cond, word)                                                                     \
    if ((cond) && n < len)                                                                         \
        n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", word);
    DFX_REASON(flow->file_path == NULL, "no-file")
    DFX_REASON(dfx_core_u64(flow, "file_splits", NULL) > 0, "split")
    DFX_REASON(dfx_core_u64(flow, "late_fill_bytes", NULL) > 0, "late-fill")
    DFX_REASON(dfx_core_u64(flow, "bytes_clipped", NULL) > 0, "clipped")
    DFX_REASON(flow->file_path != NULL && (!has_size || size != f->pos), "size")
#undef DFX_REASON
}

static void
dfx_flow_close(void *sstate, void *fstate, const struct tcpf_flow *flow, enum tcpf_close_reason why)
{
    struct dfx_state *s = sstate;
    struct dfx_flow *f = fstate;
    struct dfx_xml *x = s->x;
    char hex[DFX_MAX_HASHES][DFX_MAX_DIGEST * 2 + 1], why_not[96];
    bool have = dfx_hash_final(s, f, hex), match;
    size_t i;

    (void)why;
    if (x == NULL || dfx_xml_failed(x)) {
        dfx_flow_free(f);
        return;
    }
    why_not[0] = '\0';
    if (f != NULL)
        dfx_mismatch(flow, f, why_not, sizeof(why_not));
    match = have && why_not[0] == '\0';
    dfx_xml_start(x, "fileobject");
    if (flow->file_path != NULL)
        dfx_xml_elem(x, "filename", flow->file_path);
    dfx_xml_elem_u64(x, "filesize", dfx_core_u64(flow, "filesize", NULL));
    for (i = 0; match && i < s->n_md; i++) {
        dfx_xml_start(x, "hashdigest");
        dfx_xml_attr(x, "type", s->md_name[i]);
        dfx_xml_text(x, hex[i]);
        dfx_xml_end(x);
    }
    dfx_write_flow_attrs(x, flow);
    if (f != NULL && (f->pos > 0 || flow->file_path != NULL)) {
        dfx_xml_start(x, "tcpflow:stream");
        dfx_xml_attr_u64(x, "len", f->pos);
        dfx_xml_attr_u64(x, "zero_fill_bytes", f->zeros);
        if (f->abandoned != NULL) {
            dfx_xml_attr(x, "hash_abandoned", f->abandoned);
        } else {
            dfx_xml_attr(x, "matches_file", match ? "yes" : "no");
            if (!match)
                dfx_xml_attr(x, "reason", why_not);
        }
        for (i = 0; have && !match && i < s->n_md; i++) {
            dfx_xml_start(x, "tcpflow:hashdigest");
            dfx_xml_attr(x, "type", s->md_name[i]);
            dfx_xml_text(x, hex[i]);
            dfx_xml_end(x);
        }
        dfx_xml_end(x);
    }
    dfx_write_results(x, flow->entries, flow->n_entries, flow->derived, flow->n_derived, true,
                      NULL);
    dfx_xml_end(x); /* fileobject */
    dfx_flow_free(f);
}

static double
dfx_tv(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void
dfx_write_rusage(struct dfx_state *s)
{
    struct dfx_xml *x = s->x;
    struct rusage ru;
    struct timespec now;
    char buf[48];

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    dfx_xml_start(x, "rusage");
    snprintf(buf, sizeof(buf), "%.6f", dfx_tv(&ru.ru_utime));
    dfx_xml_elem(x, "utime", buf);
    snprintf(buf, sizeof(buf), "%.6f", dfx_tv(&ru.ru_stime));
    dfx_xml_elem(x, "stime", buf);
    dfx_xml_elem_u64(x, "maxrss", (uint64_t)ru.ru_maxrss);
    dfx_xml_elem_u64(x, "minflt", (uint64_t)ru.ru_minflt);
    dfx_xml_elem_u64(x, "majflt", (uint64_t)ru.ru_majflt);
    dfx_xml_elem_u64(x, "nswap", (uint64_t)ru.ru_nswap);
    dfx_xml_elem_u64(x, "inblock", (uint64_t)ru.ru_inblock);
    dfx_xml_elem_u64(x, "oublock", (uint64_t)ru.ru_oublock);
    snprintf(buf, sizeof(buf), "%.6f",
             (double)(now.tv_sec - s->t0.tv_sec) + (double)(now.tv_nsec - s->t0.tv_nsec) / 1e9);
    dfx_xml_elem(x, "clocktime", buf);
    dfx_xml_end(x);
}

static void
dfx_shutdown(void *sstate)
{
    struct dfx_state *s = sstate;
    const struct tcpf_run *run;
    int err = 0;

    if (s == NULL)
        return;
    if (s->x != NULL) {
        run = s->host->run_info(s->host);
        dfx_write_rusage(s);
        dfx_xml_start(s->x, "tcpflow:run");
        if (run != NULL) {
            dfx_xml_attr_u64(s->x, "scanner_errors", run->scanner_errors);
            dfx_xml_attr_u64(s->x, "flows_detached", run->flows_detached);
            dfx_write_results(s->x, run->entries, run->n_entries, run->derived, run->n_derived,
                              false, s->own_file ? NULL : DFX_REPORT_NAME);
        }
        if (dfx_xml_finish(s->x, &err) == 0) {
            (void)dfx_close_report(s, true);
        } else {
            /* A write error of a derived file is logged by the host at derived_close. */
            if (s->own_file || !ferror(s->fp))
                s->host->log(s->host, TCPF_SLOG_ERROR, "%s: %s; no report written",
                             s->own_file ? s->path : DFX_REPORT_NAME, strerror(err));
            (void)dfx_close_report(s, false);
        }
        s->x = NULL;
        s->fp = NULL;
    }
    if (s->dirfd >= 0)
        close(s->dirfd);
    free(s->tmp_name);
    free(s->final_name);
    free(s);
}

TCPF_SCANNER_DEFINE = {
    TCPF_SCANNER_HEADER("dfxml"),
    .version = "1.0",
    /* hashing (flow_data) runs on worker threads with -j N; flow_close (a sink) in order */
    .flags = TCPF_SCANNER_ENABLED_BY_DEFAULT | TCPF_SCANNER_REPORT_SINK | TCPF_SCANNER_PARALLEL,
    .description = "report.xml: DFXML 2.0 of every flow, with hashes, anomalies and provenance",
    .options = dfx_options,
    .init = dfx_init,
    .flow_open = dfx_flow_open,
    .flow_data = dfx_flow_data,
    .flow_close = dfx_flow_close,
    .shutdown = dfx_shutdown,
};
