/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: the scanner host: host services, dispatch of packets and flow events, report
 * entries, derived files, detachment of misbehaving scanners
 *
 * References: sdk/include/tcpflow/scanner.h (the contract implemented here), RELIABILITY.md
 * §4 (output safety: openat O_CREAT|O_EXCL|O_NOFOLLOW, temporary name + renameat).
 */
#include "config.h"

#include "scanhost.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tcpflow/scanner.h>

#include "loader.h"
#include "log.h"

_Static_assert((int)TCPF_END_FIN == (int)TCPF_CLOSE_FIN &&
                   (int)TCPF_END_RST == (int)TCPF_CLOSE_RST &&
                   (int)TCPF_END_TIMEOUT == (int)TCPF_CLOSE_TIMEOUT &&
                   (int)TCPF_END_EVICTED == (int)TCPF_CLOSE_EVICTED &&
                   (int)TCPF_END_EOF == (int)TCPF_CLOSE_EOF &&
                   (int)TCPF_END_REUSED == (int)TCPF_CLOSE_REUSED,
               "core end reasons and SDK close reasons must agree");
_Static_assert((int)TCPF_LOG_ERROR == (int)TCPF_SLOG_ERROR &&
                   (int)TCPF_LOG_WARN == (int)TCPF_SLOG_WARN &&
                   (int)TCPF_LOG_NOTICE == (int)TCPF_SLOG_NOTICE &&
                   (int)TCPF_LOG_INFO == (int)TCPF_SLOG_INFO &&
                   (int)TCPF_LOG_DEBUG == (int)TCPF_SLOG_DEBUG,
               "core and SDK log levels must agree");
_Static_assert(TCPF_AF_INET == TCPF_FAMILY_IPV4 && TCPF_AF_INET6 == TCPF_FAMILY_IPV6,
               "address family values must agree");

#define SH_FLOW_MAGIC 0x7463666cu /* "tcfl" */
#define SH_CORE_NAME  "tcpflow"

/* State of one scanner on one flow. */
enum sh_slot_state {
    SH_SLOT_NONE = 0, /* not opened (flow_open declined or failed): no flow_close */
    SH_SLOT_OPEN,     /* receives data; flow_close due */
    SH_SLOT_NODATA,   /* detached (TCPF_DETACH or error): flow_close still due */
};

struct sh_slot {
    void *fstate;
    uint8_t state;
};

/* An owned report entry list (view points at the same array). */
struct sh_entries {
    struct tcpf_report_entry *v;
    size_t n, cap;
};

struct sh_derived {
    struct tcpf_derived_file *v;
    size_t n, cap;
};

/* A hole in the flow_stream buffer (zero bytes). */
struct sh_hole {
    uint64_t off, len;
};

/* The flow_stream buffer of a direction: bytes [0, len) of the stream; holes are zero bytes.
 * Allocated only for flows a scanner wants whole (stream_max > 0): thousands of open flows
 * should not each carry it. */
struct sh_stream {
    uint8_t *buf;
    size_t len, cap;
    uint64_t want;        /* bytes we want to keep (max over scanners) */
    uint64_t total;       /* stream end seen */
    struct sh_hole *holes; /* holes inside [0, len), in order */
    size_t n_holes, cap_holes;
    bool stopped;         /* budget exhausted or out of memory: no more buffering */
};

/* Per-direction state: struct tcpf_dir.scan_state. */
struct sh_flow {
    uint32_t magic;
    struct tcpf_flow view;
    struct tcpf_scanhost *h;
    struct tcpf_conn *conn;
    unsigned dir;
    char *file_path;                 /* owned: "outdir/" + name, as tcpflow prints it */
    const char *file_name;           /* the name relative to the output directory: a tail of
                                      * file_path */
    struct sh_entries entries;
    struct sh_derived derived;
    struct sh_stream *st; /* owned; NULL unless a scanner asked for flow_stream */
    struct sh_flow *prev, *next; /* all open flows, for shutdown */
    struct sh_slot slots[];  /* one per entry of h->flow_order */
};

/* One enabled scanner. api must stay the first member (host table -> scanner). */
struct sh_scanner {
    struct tcpf_host api;
    struct tcpf_scanhost *h;
    struct tcpf_plugin *p;
    const struct tcpf_scanner *d;   /* &p->desc */
    void *sstate;
    bool inited, shut, packets_on, error_logged, drop_logged, misuse_logged, nodir_logged;
    uint64_t errors, flows_detached;
};

/* An open derived file. */
struct sh_dfile {
    FILE *fp;
    struct sh_scanner *owner;
    struct sh_flow *fl;     /* NULL for run-level files, or when the flow is gone */
    bool is_run;
    size_t idx;             /* index in fl->derived or h->run_derived */
    char *tmp_name;         /* run-level: temporary name to rename from */
    char *name;             /* final name relative to the output directory */
};

struct tcpf_scanhost {
    struct tcpf_loader *ld;
    struct sh_scanner *sc;          /* enabled scanners, load order */
    size_t n_sc;
    size_t *flow_order;             /* flow scanners: non-sinks, then sinks */
    size_t n_flow;
    size_t *pkt_order;              /* scanners with a packet callback */
    size_t n_pkt;
    bool has_sink;
    bool no_report;                 /* report sinks are not enabled */
    int outdir_fd;
    const char *outdir;
    char *prefix;                   /* "" or "outdir/" (as the writer prints paths) */
    const char *command_line;
    const char *const *inputs;
    size_t n_inputs;
    uint64_t stream_budget, stream_used;
    struct sh_flow *flows;          /* open flows */
    struct sh_entries run_entries;
    struct sh_derived run_derived;
    struct sh_dfile *dfiles;
    size_t n_dfiles, cap_dfiles;
    unsigned tmp_counter;
    struct tcpf_run run;
    struct tcpf_scanhost_stats stats;
    bool shut, core_drop_logged;
    /* With tcpflow -j N, worker threads call the flow functions concurrently: this lock
     * guards everything above that is shared between flows (the open-flow list, the
     * derived-file table, run entries, the stream budget, counters and log-once flags).
     * It is never held while a scanner callback runs. */
    pthread_mutex_t lock;
};

#define SH_LOCK(h)   pthread_mutex_lock(&(h)->lock)
#define SH_UNLOCK(h) pthread_mutex_unlock(&(h)->lock)

/* ---- helpers ---------------------------------------------------------------------------- */

static struct sh_scanner *
sh_from_host(const struct tcpf_host *host)
{
    const struct sh_scanner *cs = (const struct sh_scanner *)(const void *)host;

    /* The table is inside h->sc[]; index it to get a non-const pointer. */
    return &cs->h->sc[cs - cs->h->sc];
}

static struct sh_flow *
sh_from_view(struct tcpf_scanhost *h, const struct tcpf_flow *view)
{
    struct sh_flow *fl;

    if (view == NULL)
        return NULL;
    fl = (struct sh_flow *)((uintptr_t)view - offsetof(struct sh_flow, view));
    if (fl->magic != SH_FLOW_MAGIC || fl->h != h)
        return NULL;
    return fl;
}

static void
sh_ts(struct tcpf_timestamp *out, const struct tcpf_time *in)
{
    out->sec = in->sec;
    out->nsec = in->nsec;
}

/* Grows a vector of elem-sized items to hold one more. 0 or -1. */
static int
sh_grow(void **v, size_t *cap, size_t n, size_t elem)
{
    void *nv;
    size_t ncap;

    if (n < *cap)
        return 0;
    ncap = *cap ? 2 * *cap : 4;
    nv = realloc(*v, ncap * elem);
    if (nv == NULL)
        return -1;
    *v = nv;
    *cap = ncap;
    return 0;
}

static void
sh_entries_free(struct sh_entries *e)
{
    size_t i;

    for (i = 0; i < e->n; i++)
        free((void *)(uintptr_t)e->v[i].key); /* one block: key, then value */
    free(e->v);
    memset(e, 0, sizeof(*e));
}

static void
sh_derived_free(struct sh_derived *d)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        free((void *)(uintptr_t)d->v[i].name);
        free((void *)(uintptr_t)d->v[i].path);
    }
    free(d->v);
    memset(d, 0, sizeof(*d));
}

/* Logs and counts a scanner's error return. fl NULL: packet callback. */
static void
sh_error(struct sh_scanner *s, struct sh_flow *fl, const char *cb, int rc)
{
    struct tcpf_scanhost *h = s->h;
    bool first;

    SH_LOCK(h);
    if (s->errors++ == 0)
        h->stats.scanners_failing++;
    h->stats.scanner_errors++;
    if (fl != NULL) {
        s->flows_detached++;
        h->stats.flows_detached++;
    }
    first = !s->error_logged;
    s->error_logged = true;
    SH_UNLOCK(h);
    if (!first)
        return;
    if (fl != NULL)
        tcpf_log(TCPF_LOG_WARN, "scanner %s: %s returned %d on flow %" PRIu64 "%s%s; detached "
                 "from that flow (further errors of this scanner are only counted)",
                 s->d->name, cb, rc, fl->view.flow_id, fl->file_path ? " " : "",
                 fl->file_path ? fl->file_path : "");
    else
        tcpf_log(TCPF_LOG_WARN, "scanner %s: %s returned %d; no more packets for it "
                 "(further errors of this scanner are only counted)", s->d->name, cb, rc);
}

/* ---- host services (struct tcpf_host) ------------------------------------------------------ */

static void host_log(const struct tcpf_host *host, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
host_log(const struct tcpf_host *host, int level, const char *fmt, ...)
{
    struct sh_scanner *s = sh_from_host(host);
    char msg[900];
    va_list ap;
    size_t i;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* One line, no control characters from the plugin's message. */
    for (i = 0; msg[i] != '\0'; i++)
        if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
            msg[i] = (msg[i] == '\n' && msg[i + 1] == '\0') ? '\0' : '?';
    if (level < TCPF_SLOG_ERROR)
        level = TCPF_SLOG_ERROR;
    tcpf_log((enum tcpf_log_level)level, "%s: %s", s->d->name, msg);
}

static int
host_cfg_str(const struct tcpf_host *host, const char *key, const char **out)
{
    const struct tcpf_optval *v = tcpf_loader_option(sh_from_host(host)->p, key, TCPF_OPT_STR);

    if (v == NULL || out == NULL)
        return TCPF_EINVAL;
    *out = v->str;
    return TCPF_OK;
}

static int
host_cfg_u64(const struct tcpf_host *host, const char *key, uint64_t *out)
{
    const struct tcpf_optval *v = tcpf_loader_option(sh_from_host(host)->p, key, TCPF_OPT_U64);

    if (v == NULL || out == NULL)
        return TCPF_EINVAL;
    *out = v->u64;
    return TCPF_OK;
}

static int
host_cfg_bool(const struct tcpf_host *host, const char *key, bool *out)
{
    const struct tcpf_optval *v = tcpf_loader_option(sh_from_host(host)->p, key,
                                                     TCPF_OPT_BOOL);

    if (v == NULL || out == NULL)
        return TCPF_EINVAL;
    *out = v->b;
    return TCPF_OK;
}

bool
tcpf_scanhost_suffix_ok(const char *s)
{
    size_t i;

    if (s == NULL || s[0] == '\0' || s[0] == '.' || s[0] == '-' || strstr(s, "..") != NULL)
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];

        if (i >= TCPF_SUFFIX_MAX)
            return false;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* The writer's prefix for outdir: "" for "" or ".", "outdir/" otherwise. Caller frees. */
static char *
sh_prefix(const char *o)
{
    size_t ol = o ? strlen(o) : 0;
    char *p;

    if (ol == 0 || strcmp(o, ".") == 0)
        return strdup("");
    if ((p = malloc(ol + 2)) != NULL)
        snprintf(p, ol + 2, "%s%s", o, o[ol - 1] == '/' ? "" : "/");
    return p;
}

/* prefix + name, as printed. Caller frees. */
static char *
sh_display(const struct tcpf_scanhost *h, const char *name)
{
    size_t len = strlen(h->prefix) + strlen(name) + 1;
    char *s = malloc(len);

    if (s != NULL)
        snprintf(s, len, "%s%s", h->prefix, name);
    return s;
}

/* Creates name exclusively under the output directory. Returns fd or -1 (errno set). */
static int
sh_create(struct tcpf_scanhost *h, const char *name)
{
    return openat(h->outdir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0644);
}

/* Opens a flow-level derived file: base-suffix, then base-stem-N.ext. *name is set. */
static int
sh_open_flow_file(struct tcpf_scanhost *h, struct sh_flow *fl, const char *suffix,
                  char **name)
{
    char base[64], buf[PATH_MAX];
    const char *b = fl->file_name, *ext = strrchr(suffix, '.');
    int fd = -1, n, i;

    if (b == NULL) {
        snprintf(base, sizeof(base), "flow-%" PRIu64, fl->view.flow_id);
        b = base;
    }
    if (ext == NULL)
        ext = suffix + strlen(suffix);
    for (i = 0; i <= TCPF_SCANHOST_MAX_PROBES; i++) {
        if (i == 0)
            n = snprintf(buf, sizeof(buf), "%s-%s", b, suffix);
        else
            n = snprintf(buf, sizeof(buf), "%s-%.*s-%d%s", b, (int)(ext - suffix), suffix, i,
                         ext);
        if (n < 0 || (size_t)n >= sizeof(buf)) {
            errno = ENAMETOOLONG;
            return -1;
        }
        fd = sh_create(h, buf);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd >= 0 && (*name = strdup(buf)) == NULL) {
        unlinkat(h->outdir_fd, buf, 0);
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    return fd;
}

/* Opens a run-level file under a temporary name; *tmp is set. */
static int
sh_open_run_file(struct tcpf_scanhost *h, const char *suffix, char **tmp)
{
    char buf[PATH_MAX];
    int fd = -1, i;

    for (i = 0; i <= TCPF_SCANHOST_MAX_PROBES; i++) {
        snprintf(buf, sizeof(buf), ".%s.tmp.%ld.%u", suffix, (long)getpid(), h->tmp_counter++);
        fd = sh_create(h, buf);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd >= 0 && (*tmp = strdup(buf)) == NULL) {
        unlinkat(h->outdir_fd, buf, 0);
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    return fd;
}

/* Appends a derived record; returns its index or -1. */
static long
sh_derived_add(struct sh_derived *d, struct sh_scanner *s, char *name, char *path)
{
    if (sh_grow((void **)&d->v, &d->cap, d->n, sizeof(*d->v)) < 0)
        return -1;
    d->v[d->n].scanner = s->d->name;
    d->v[d->n].name = name;
    d->v[d->n].path = path;
    d->v[d->n].size = 0;
    d->v[d->n].is_closed = false;
    return (long)d->n++;
}

static FILE *sh_derived_open(struct sh_scanner *s, const struct tcpf_flow *flow,
                             const char *suffix);

static FILE *
host_derived_open(const struct tcpf_host *host, const struct tcpf_flow *flow, const char *suffix)
{
    struct sh_scanner *s = sh_from_host(host);
    FILE *fp;

    SH_LOCK(s->h);
    fp = sh_derived_open(s, flow, suffix);
    SH_UNLOCK(s->h);
    return fp;
}

/* host_derived_open with the host lock held. */
static FILE *
sh_derived_open(struct sh_scanner *s, const struct tcpf_flow *flow, const char *suffix)
{
    struct tcpf_scanhost *h = s->h;
    struct sh_flow *fl = NULL;
    struct sh_derived *dv;
    struct sh_dfile *df;
    char *name = NULL, *tmp = NULL, *path = NULL, *dname = NULL;
    FILE *fp = NULL;
    long idx;
    int fd;

    if (flow != NULL && (fl = sh_from_view(h, flow)) == NULL) {
        if (!s->misuse_logged)
            tcpf_log(TCPF_LOG_WARN, "scanner %s: derived_open: not a flow of this run",
                     s->d->name);
        s->misuse_logged = true;
        goto fail_nofd;
    }
    if (!tcpf_scanhost_suffix_ok(suffix)) {
        if (!s->misuse_logged)
            tcpf_log(TCPF_LOG_WARN, "scanner %s: derived_open: invalid name suffix '%.80s'",
                     s->d->name, suffix ? suffix : "(null)");
        s->misuse_logged = true;
        goto fail_nofd;
    }
    if (h->outdir_fd < 0) {
        if (!s->nodir_logged)
            tcpf_log(TCPF_LOG_WARN, "scanner %s: derived_open: no output directory",
                     s->d->name);
        s->nodir_logged = true;
        goto fail_nofd;
    }
    if (fl != NULL) {
        fd = sh_open_flow_file(h, fl, suffix, &name);
    } else {
        fd = sh_open_run_file(h, suffix, &tmp);
        name = strdup(suffix);
    }
    if (fd < 0) {
        tcpf_log(TCPF_LOG_WARN, "scanner %s: cannot create %sfile '%s': %s", s->d->name,
                 fl ? "flow " : "run ", suffix, strerror(errno));
        goto fail;
    }
    if (name == NULL)
        goto fail_oom;
    if ((path = sh_display(h, name)) == NULL || (dname = strdup(name)) == NULL ||
        sh_grow((void **)&h->dfiles, &h->cap_dfiles, h->n_dfiles, sizeof(*h->dfiles)) < 0)
        goto fail_oom;
    dv = fl ? &fl->derived : &h->run_derived;
    if ((fp = fdopen(fd, "wb")) == NULL)
        goto fail_oom;
    if ((idx = sh_derived_add(dv, s, name, path)) < 0) {
        fclose(fp);
        unlinkat(h->outdir_fd, tmp ? tmp : name, 0);
        fd = -1;
        goto fail_oom;
    }
    if (fl) {
        fl->view.derived = fl->derived.v;
        fl->view.n_derived = fl->derived.n;
    }
    df = &h->dfiles[h->n_dfiles++];
    df->fp = fp;
    df->owner = s;
    df->fl = fl;
    df->is_run = fl == NULL;
    df->idx = (size_t)idx;
    df->tmp_name = tmp;
    df->name = dname;
    h->stats.derived_files++;
    return fp;
fail_oom:
    tcpf_log(TCPF_LOG_WARN, "scanner %s: derived_open: out of memory", s->d->name);
    if (fd >= 0) {
        unlinkat(h->outdir_fd, tmp ? tmp : name, 0);
        if (fp == NULL)
            close(fd);
    }
fail:
    free(name);
    free(tmp);
    free(path);
    free(dname);
fail_nofd:
    h->stats.derived_failures++;
    return NULL;
}

/* Finishes one open derived file: flush, size, close, rename. Removes it from h->dfiles. */
static int
sh_dfile_finish(struct tcpf_scanhost *h, size_t i)
{
    struct sh_dfile df = h->dfiles[i];
    struct tcpf_derived_file *rec = NULL;
    struct stat st;
    int rc = TCPF_OK, err = 0;

    h->dfiles[i] = h->dfiles[--h->n_dfiles];
    if (df.is_run)
        rec = &h->run_derived.v[df.idx];
    else if (df.fl != NULL)
        rec = &df.fl->derived.v[df.idx];
    errno = 0;
    if (fflush(df.fp) != 0 || ferror(df.fp))
        err = errno ? errno : EIO;
    if (fstat(fileno(df.fp), &st) == 0 && rec != NULL)
        rec->size = (uint64_t)st.st_size;
    if (fclose(df.fp) != 0 && err == 0)
        err = errno;
    if (err == 0 && df.tmp_name != NULL &&
        renameat(h->outdir_fd, df.tmp_name, h->outdir_fd, df.name) != 0)
        err = errno;
    if (err != 0) {
        tcpf_log(TCPF_LOG_ERROR, "scanner %s: %s: %s", df.owner->d->name,
                 rec ? rec->path : df.name, strerror(err));
        if (df.tmp_name != NULL)
            unlinkat(h->outdir_fd, df.tmp_name, 0);
        h->stats.derived_failures++;
        if (df.is_run)
            h->stats.run_file_failures++;
        rc = TCPF_ERR;
    }
    if (rec != NULL)
        rec->is_closed = true;
    free(df.tmp_name);
    free(df.name);
    return rc;
}

static int
host_derived_close(const struct tcpf_host *host, FILE *fp)
{
    struct sh_scanner *s = sh_from_host(host);
    struct tcpf_scanhost *h = s->h;
    size_t i;
    int rc;

    SH_LOCK(h);
    for (i = 0; i < h->n_dfiles; i++)
        if (h->dfiles[i].fp == fp) {
            rc = sh_dfile_finish(h, i);
            SH_UNLOCK(h);
            return rc;
        }
    SH_UNLOCK(h);
    tcpf_log(TCPF_LOG_WARN, "scanner %s: derived_close: not an open derived file", s->d->name);
    return TCPF_EINVAL;
}

static bool
sh_key_ok(const char *k)
{
    size_t i;

    if (k == NULL || k[0] == '\0')
        return false;
    for (i = 0; k[i] != '\0'; i++) {
        char c = k[i];

        if (i >= TCPF_KEY_MAX)
            return false;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == ':'))
            return false;
    }
    return true;
}

/* Adds an entry from `who` (scanner name) to fl, or to the run when fl is NULL. */
static int sh_report_add_locked(struct tcpf_scanhost *h, const char *who, bool *drop_logged,
                                struct sh_flow *fl, const char *key, const char *value);

/* Adds an entry; the host lock is taken because the run list, the counters and the
 * log-once flags are shared (a flow's own list is only touched by its worker). */
static int
sh_report_add(struct tcpf_scanhost *h, const char *who, bool *drop_logged, struct sh_flow *fl,
              const char *key, const char *value)
{
    int rc;

    SH_LOCK(h);
    rc = sh_report_add_locked(h, who, drop_logged, fl, key, value);
    SH_UNLOCK(h);
    return rc;
}

static int
sh_report_add_locked(struct tcpf_scanhost *h, const char *who, bool *drop_logged,
                     struct sh_flow *fl, const char *key, const char *value)
{
    struct sh_entries *e = fl ? &fl->entries : &h->run_entries;
    size_t limit = fl ? TCPF_SCANHOST_MAX_FLOW_ENTRIES : TCPF_SCANHOST_MAX_RUN_ENTRIES;
    size_t klen, vlen;
    char *k, *v;

    if (!sh_key_ok(key) || value == NULL || strnlen(value, TCPF_VALUE_MAX + 1) > TCPF_VALUE_MAX)
        return TCPF_EINVAL;
    if (!h->has_sink)
        return TCPF_OK;
    if (e->n >= limit) {
        h->stats.entries_dropped++;
        if (!*drop_logged)
            tcpf_log(TCPF_LOG_WARN, "%s: more than %zu report entries for %s; dropping the "
                     "rest (counted)", who, limit, fl ? "one flow" : "the run");
        *drop_logged = true;
        return TCPF_ENOMEM;
    }
    if (sh_grow((void **)&e->v, &e->cap, e->n, sizeof(*e->v)) < 0)
        return TCPF_ENOMEM;
    klen = strlen(key) + 1;
    vlen = strlen(value) + 1;
    if ((k = malloc(klen + vlen)) == NULL) /* one allocation per entry: ~20 per flow */
        return TCPF_ENOMEM;
    memcpy(k, key, klen);
    v = k + klen;
    memcpy(v, value, vlen);
    e->v[e->n].scanner = who;
    e->v[e->n].key = k;
    e->v[e->n].value = v;
    e->n++;
    if (fl != NULL) {
        fl->view.entries = e->v;
        fl->view.n_entries = e->n;
    }
    return TCPF_OK;
}

static int
host_report_add(const struct tcpf_host *host, const struct tcpf_flow *flow, const char *key,
                const char *value)
{
    struct sh_scanner *s = sh_from_host(host);
    struct sh_flow *fl = NULL;

    if (flow != NULL && (fl = sh_from_view(s->h, flow)) == NULL)
        return TCPF_EINVAL;
    return sh_report_add(s->h, s->d->name, &s->drop_logged, fl, key, value);
}

static const struct tcpf_run *
host_run_info(const struct tcpf_host *host)
{
    struct tcpf_scanhost *h = sh_from_host(host)->h;

    SH_LOCK(h);
    h->run.struct_size = sizeof(h->run);
    h->run.inputs = h->inputs;
    h->run.n_inputs = h->n_inputs;
    h->run.outdir = h->outdir;
    h->run.command_line = h->command_line;
#ifdef PACKAGE_VERSION
    h->run.host_version = PACKAGE_VERSION;
#else
    h->run.host_version = "unknown";
#endif
    h->run.entries = h->run_entries.v;
    h->run.n_entries = h->run_entries.n;
    h->run.derived = h->run_derived.v;
    h->run.n_derived = h->run_derived.n;
    h->run.scanner_errors = h->stats.scanner_errors;
    h->run.flows_detached = h->stats.flows_detached;
    SH_UNLOCK(h);
    return &h->run;
}

/* ---- create / list -------------------------------------------------------------------------- */

static struct tcpf_loader *
sh_load(const struct tcpf_scanhost_config *cfg, char *errbuf, size_t errlen)
{
    struct tcpf_loader_config lc = {
        .dirs = cfg->plugin_dirs,
        .n_dirs = cfg->n_plugin_dirs,
        .use_env = cfg->use_env_path,
        .builtin_dir = cfg->builtin_dir,
    };
    struct tcpf_loader *ld = tcpf_loader_create(&lc, errbuf, errlen);

    if (ld == NULL)
        return NULL;
    if (tcpf_loader_apply_cmds(ld, cfg->cmds, cfg->n_cmds, errbuf, errlen) < 0 ||
        tcpf_loader_apply_settings(ld, cfg->settings, cfg->n_settings, errbuf, errlen) < 0) {
        tcpf_loader_destroy(ld);
        return NULL;
    }
    return ld;
}

void
tcpf_scanhost_config_init(struct tcpf_scanhost_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->use_env_path = true;
    cfg->outdir_fd = -1;
#ifdef TCPF_PLUGIN_DIR
    cfg->builtin_dir = TCPF_PLUGIN_DIR;
#endif
}

int
tcpf_scanhost_list(const struct tcpf_scanhost_config *cfg, FILE *out)
{
    char err[1024];
    struct tcpf_loader *ld = sh_load(cfg, err, sizeof(err));

    if (ld == NULL) {
        tcpf_log(TCPF_LOG_ERROR, "%s", err);
        return -1;
    }
    tcpf_loader_list(ld, out);
    tcpf_loader_destroy(ld);
    return 0;
}

static bool
sh_is_flow_scanner(const struct tcpf_scanner *d)
{
    return d->flow_open || d->flow_data || d->flow_stream || d->flow_close;
}

/* Builds the enabled-scanner tables. 0 or -1 (memory). */
static int
sh_tables(struct tcpf_scanhost *h)
{
    size_t i, n = tcpf_loader_count(h->ld), pass;

    h->sc = calloc(n ? n : 1, sizeof(*h->sc));
    h->flow_order = calloc(n ? n : 1, sizeof(*h->flow_order));
    h->pkt_order = calloc(n ? n : 1, sizeof(*h->pkt_order));
    if (h->sc == NULL || h->flow_order == NULL || h->pkt_order == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        struct tcpf_plugin *p = tcpf_loader_plugin(h->ld, i);
        struct sh_scanner *s;

        if (!p->enabled || (h->no_report && (p->desc.flags & TCPF_SCANNER_REPORT_SINK)))
            continue;
        s = &h->sc[h->n_sc++];
        s->api.struct_size = sizeof(s->api);
        s->api.abi_major = TCPF_ABI_MAJOR;
        s->api.abi_minor = TCPF_ABI_MINOR;
        s->api.log = host_log;
        s->api.cfg_str = host_cfg_str;
        s->api.cfg_u64 = host_cfg_u64;
        s->api.cfg_bool = host_cfg_bool;
        s->api.derived_open = host_derived_open;
        s->api.derived_close = host_derived_close;
        s->api.report_add = host_report_add;
        s->api.run_info = host_run_info;
        s->h = h;
        s->p = p;
        s->d = &p->desc;
        s->packets_on = p->desc.packet != NULL;
        if (p->desc.packet != NULL)
            h->pkt_order[h->n_pkt++] = h->n_sc - 1;
        if (p->desc.flags & TCPF_SCANNER_REPORT_SINK)
            h->has_sink = true;
    }
    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < h->n_sc; i++)
            if (sh_is_flow_scanner(h->sc[i].d) &&
                ((h->sc[i].d->flags & TCPF_SCANNER_REPORT_SINK) != 0) == (pass == 1))
                h->flow_order[h->n_flow++] = i;
    h->stats.scanners_enabled = h->n_sc;
    return 0;
}

struct tcpf_scanhost *
tcpf_scanhost_create(const struct tcpf_scanhost_config *cfg, char *errbuf, size_t errlen)
{
    struct tcpf_scanhost *h = calloc(1, sizeof(*h));
    size_t i;
    int rc;

    if (h == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&h->lock, NULL);
    h->outdir_fd = cfg->outdir_fd;
    h->outdir = cfg->outdir;
    h->no_report = cfg->no_report;
    h->command_line = cfg->command_line;
    if ((h->prefix = sh_prefix(cfg->outdir)) == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        goto fail;
    }
    h->inputs = cfg->inputs;
    h->n_inputs = cfg->n_inputs;
    h->stream_budget = cfg->stream_budget ? cfg->stream_budget : TCPF_SCANHOST_STREAM_BUDGET;
    if ((h->ld = sh_load(cfg, errbuf, errlen)) == NULL)
        goto fail;
    if (sh_tables(h) < 0) {
        snprintf(errbuf, errlen, "out of memory");
        goto fail;
    }
    for (i = 0; i < h->n_sc; i++) {
        struct sh_scanner *s = &h->sc[i];

        if (s->d->init != NULL && (rc = s->d->init(&s->api, &s->sstate)) < 0) {
            snprintf(errbuf, errlen, "scanner %s (%s): initialisation failed (%d)", s->d->name,
                     s->p->path, rc);
            goto fail;
        }
        s->inited = true;
        tcpf_log(TCPF_LOG_INFO, "scanner %s %s enabled (%s)", s->d->name, s->d->version,
                 s->p->path);
    }
    return h;
fail:
    tcpf_scanhost_destroy(h);
    return NULL;
}

bool
tcpf_scanhost_any_enabled(const struct tcpf_scanhost *h)
{
    return h != NULL && h->n_sc > 0;
}

bool
tcpf_scanhost_wants_packets(const struct tcpf_scanhost *h)
{
    return h != NULL && h->n_pkt > 0;
}

const struct tcpf_scanhost_stats *
tcpf_scanhost_stats(const struct tcpf_scanhost *h)
{
    return &h->stats;
}

/* ---- packets ------------------------------------------------------------------------------ */

void
tcpf_scanhost_packet(struct tcpf_scanhost *h, const struct tcpf_pkt *pkt)
{
    struct tcpf_packet v;
    size_t i;
    int rc;

    if (h == NULL || h->n_pkt == 0)
        return;
    memset(&v, 0, sizeof(v));
    v.struct_size = sizeof(v);
    sh_ts(&v.ts, &pkt->ts);
    v.caplen = pkt->caplen;
    v.wirelen = pkt->wirelen;
    v.dlt = pkt->dlt;
    v.has_mac = pkt->has_mac;
    memcpy(v.mac_src, pkt->mac_src, 6);
    memcpy(v.mac_dst, pkt->mac_dst, 6);
    v.has_vlan = pkt->has_vlan;
    v.vlan = pkt->vlan;
    v.family = (uint8_t)pkt->family;
    v.ip_proto = 6;
    memcpy(v.src, pkt->src, 16);
    memcpy(v.dst, pkt->dst, 16);
    v.ip = pkt->ip;
    v.ip_len = pkt->ip_len;
    v.sport = pkt->sport;
    v.dport = pkt->dport;
    v.seq = pkt->seq;
    v.ack = pkt->ack;
    v.tcp_flags = pkt->flags;
    v.window = pkt->window;
    v.payload = pkt->payload;
    v.payload_len = pkt->payload_len;
    for (i = 0; i < h->n_pkt; i++) {
        struct sh_scanner *s = &h->sc[h->pkt_order[i]];

        if (!s->packets_on)
            continue;
        rc = s->d->packet(s->sstate, &v);
        if (rc == TCPF_DETACH) {
            s->packets_on = false;
        } else if (rc < 0) {
            s->packets_on = false;
            sh_error(s, NULL, "packet", rc);
        }
    }
}

/* ---- flows -------------------------------------------------------------------------------- */

/* Copies the changing counters of the direction into the view. */
static void
sh_view_update(struct sh_flow *fl)
{
    const struct tcpf_dir *d = &fl->conn->dir[fl->dir];

    sh_ts(&fl->view.first_ts, &d->first_ts);
    sh_ts(&fl->view.last_ts, &d->last_ts);
    fl->view.packets = d->packets;
    fl->view.wire_bytes = d->wire_bytes;
    fl->view.flow_id = 2 * fl->conn->uid + fl->dir;
}

static void
sh_view_init(struct sh_flow *fl)
{
    const struct tcpf_flowkey *k = &fl->conn->key;
    struct tcpf_flow *v = &fl->view;

    v->struct_size = sizeof(*v);
    v->dir = fl->dir;
    v->conn_id = fl->conn->uid;
    v->family = k->family;
    v->has_vlan = k->has_vlan;
    v->vlan = k->vlan;
    v->midstream = fl->conn->midstream;
    if (fl->dir == 0) {
        v->sport = k->port_a;
        v->dport = k->port_b;
        memcpy(v->src, k->addr_a, 16);
        memcpy(v->dst, k->addr_b, 16);
    } else {
        v->sport = k->port_b;
        v->dport = k->port_a;
        memcpy(v->src, k->addr_b, 16);
        memcpy(v->dst, k->addr_a, 16);
    }
    sh_view_update(fl);
}

/* Calls flow_open of every flow scanner; sets buffering needs. */
static void
sh_open_all(struct tcpf_scanhost *h, struct sh_flow *fl)
{
    uint64_t want = 0;
    size_t i;
    int rc;

    for (i = 0; i < h->n_flow; i++) {
        struct sh_scanner *s = &h->sc[h->flow_order[i]];
        struct sh_slot *sl = &fl->slots[i];

        sl->fstate = NULL;
        rc = s->d->flow_open ? s->d->flow_open(s->sstate, &fl->view, &sl->fstate) : TCPF_OK;
        if (rc == TCPF_OK) {
            sl->state = SH_SLOT_OPEN;
            if (s->d->stream_max > want)
                want = s->d->stream_max;
        } else {
            sl->state = SH_SLOT_NONE;
            if (rc < 0)
                sh_error(s, fl, "flow_open", rc);
        }
    }
    if (want > TCPF_STREAM_HOST_MAX)
        want = TCPF_STREAM_HOST_MAX;
    if (want > SIZE_MAX / 2)
        want = SIZE_MAX / 2;
    if (want > 0) {
        fl->st = calloc(1, sizeof(*fl->st));
        if (fl->st != NULL)
            fl->st->want = want;
        else
            tcpf_log(TCPF_LOG_WARN, "scanners: out of memory: flow %" PRIu64 " gets no "
                     "flow_stream data", fl->view.flow_id);
    }
}

static struct sh_flow *
sh_flow_get(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir)
{
    struct tcpf_dir *d;
    struct sh_flow *fl;

    if (h == NULL || h->n_flow == 0 || dir > 1)
        return NULL;
    d = &conn->dir[dir];
    if (d->scan_state != NULL)
        return d->scan_state;
    fl = calloc(1, sizeof(*fl) + h->n_flow * sizeof(fl->slots[0]));
    if (fl == NULL) {
        tcpf_log(TCPF_LOG_WARN, "scanners: out of memory: flow %" PRIu64 " not scanned",
                 d->flow_id);
        return NULL;
    }
    fl->magic = SH_FLOW_MAGIC;
    fl->h = h;
    fl->conn = conn;
    fl->dir = dir;
    sh_view_init(fl);
    SH_LOCK(h);
    fl->next = h->flows;
    if (h->flows != NULL)
        h->flows->prev = fl;
    h->flows = fl;
    SH_UNLOCK(h);
    d->scan_state = fl;
    sh_open_all(h, fl);
    return fl;
}

void
tcpf_scanhost_flow_open(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir)
{
    (void)sh_flow_get(h, conn, dir);
}

void
tcpf_scanhost_set_flow_file(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir,
                            const char *path)
{
    struct sh_flow *fl = sh_flow_get(h, conn, dir);
    size_t plen;
    char *n, *p;

    if (fl == NULL || path == NULL || (fl->file_path && strcmp(fl->file_path, path) == 0))
        return;
    /* One allocation, "prefix" + name: the name is its tail (thousands of open flows). */
    plen = strlen(h->prefix);
    if (plen > 0 && strncmp(path, h->prefix, plen) == 0 && path[plen] != '\0')
        p = strdup(path);
    else
        p = sh_display(h, path);
    if (p == NULL)
        return;
    n = p + plen;
    free(fl->file_path);
    fl->file_name = n;
    fl->file_path = p;
    fl->view.file_name = n;
    fl->view.file_path = p;
}

/* Keeps [offset, offset+len) of the stream for flow_stream, within the limits. */
static void
sh_buffer(struct tcpf_scanhost *h, struct sh_flow *fl, uint64_t offset, const uint8_t *data,
          size_t len)
{
    struct sh_stream *st = fl->st;
    uint64_t end = offset + len, want = end < st->want ? end : st->want;
    uint64_t fill_end = offset < want ? offset : want;
    size_t ncap;
    uint8_t *nb;

    if (end > st->total)
        st->total = end;
    if (st->stopped || want <= st->len)
        return;
    if (want > st->cap) {
        ncap = st->cap ? st->cap : 4096;
        while (ncap < want)
            ncap *= 2;
        if (ncap > st->want)
            ncap = (size_t)st->want;
        SH_LOCK(h);
        if (h->stream_used + (ncap - st->cap) > h->stream_budget)
            ncap = (size_t)want;
        if (h->stream_used + (ncap - st->cap) > h->stream_budget) {
            SH_UNLOCK(h);
            st->stopped = true;
            return;
        }
        h->stream_used += ncap - st->cap; /* reserved before realloc, returned on failure */
        SH_UNLOCK(h);
        if ((nb = realloc(st->buf, ncap)) == NULL) {
            SH_LOCK(h);
            h->stream_used -= ncap - st->cap;
            SH_UNLOCK(h);
            st->stopped = true;
            return;
        }
        st->buf = nb;
        st->cap = ncap;
    }
    if (fill_end > st->len) { /* a hole: zero bytes, remembered */
        if (sh_grow((void **)&st->holes, &st->cap_holes, st->n_holes, sizeof(*st->holes)) < 0) {
            st->stopped = true;
            return;
        }
        st->holes[st->n_holes].off = st->len;
        st->holes[st->n_holes].len = fill_end - st->len;
        st->n_holes++;
        memset(st->buf + st->len, 0, (size_t)(fill_end - st->len));
        st->len = (size_t)fill_end;
    }
    if (want > st->len) {
        memcpy(st->buf + st->len, data + (st->len - offset), (size_t)want - st->len);
        st->len = (size_t)want;
    }
}

void
tcpf_scanhost_flow_data(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir,
                        uint64_t offset, const uint8_t *data, size_t len, uint64_t gap,
                        const struct tcpf_time *ts)
{
    struct sh_flow *fl = sh_flow_get(h, conn, dir);
    struct tcpf_chunk c;
    size_t i;
    int rc;

    if (fl == NULL)
        return;
    sh_view_update(fl);
    fl->view.stream_bytes += len;
    fl->view.gap_bytes += gap;
    fl->view.gaps += gap > 0;
    if (fl->st != NULL)
        sh_buffer(h, fl, offset, data, len);
    memset(&c, 0, sizeof(c));
    c.struct_size = sizeof(c);
    c.offset = offset;
    c.data = data;
    c.len = len;
    c.gap = gap;
    if (ts != NULL)
        sh_ts(&c.ts, ts);
    for (i = 0; i < h->n_flow; i++) {
        struct sh_scanner *s = &h->sc[h->flow_order[i]];
        struct sh_slot *sl = &fl->slots[i];

        if (sl->state != SH_SLOT_OPEN || s->d->flow_data == NULL)
            continue;
        rc = s->d->flow_data(s->sstate, sl->fstate, &fl->view, &c);
        if (rc == TCPF_DETACH) {
            sl->state = SH_SLOT_NODATA;
        } else if (rc < 0) {
            sl->state = SH_SLOT_NODATA;
            sh_error(s, fl, "flow_data", rc);
        }
    }
}

/* flow_stream then flow_close of the i-th flow scanner. */
static void
sh_close_one(struct tcpf_scanhost *h, struct sh_flow *fl, size_t i, enum tcpf_close_reason why)
{
    struct sh_scanner *s = &h->sc[h->flow_order[i]];
    struct sh_slot *sl = &fl->slots[i];
    struct tcpf_stream st;
    size_t k;
    int rc;

    if (sl->state == SH_SLOT_NONE)
        return;
    if (sl->state == SH_SLOT_OPEN && s->d->flow_stream != NULL) {
        memset(&st, 0, sizeof(st));
        st.struct_size = sizeof(st);
        if (fl->st != NULL) {
            const struct sh_stream *b = fl->st;

            st.data = b->buf;
            st.len = b->len < s->d->stream_max ? b->len : (size_t)s->d->stream_max;
            st.total_len = b->total;
            for (k = 0; k < b->n_holes && b->holes[k].off < st.len; k++)
                st.gap_bytes += b->holes[k].off + b->holes[k].len <= st.len
                                    ? b->holes[k].len : st.len - b->holes[k].off;
        }
        st.is_truncated = st.len < st.total_len;
        if (st.is_truncated) {
            SH_LOCK(h);
            h->stats.streams_truncated++;
            SH_UNLOCK(h);
        }
        rc = s->d->flow_stream(s->sstate, sl->fstate, &fl->view, &st);
        if (rc < 0)
            sh_error(s, fl, "flow_stream", rc);
    }
    if (s->d->flow_close != NULL)
        s->d->flow_close(s->sstate, sl->fstate, &fl->view, why);
    sl->state = SH_SLOT_NONE;
    sl->fstate = NULL;
}

/* True if the i-th flow scanner's flow_close must run in -j 1 order on the main thread. */
static bool
sh_ordered_close(const struct tcpf_scanhost *h, size_t i)
{
    uint32_t f = h->sc[h->flow_order[i]].d->flags;

    return (f & (TCPF_SCANNER_REPORT_SINK | TCPF_SCANNER_ORDERED_CLOSE)) != 0;
}

void
tcpf_scanhost_flow_close_unordered(struct tcpf_scanhost *h, struct tcpf_conn *conn,
                                   unsigned dir, enum tcpf_end_reason why)
{
    struct sh_flow *fl;
    size_t i;

    if (h == NULL || dir > 1 || (fl = conn->dir[dir].scan_state) == NULL)
        return;
    sh_view_update(fl);
    for (i = 0; i < h->n_flow; i++)
        if (!sh_ordered_close(h, i))
            sh_close_one(h, fl, i, (enum tcpf_close_reason)why);
}

bool
tcpf_scanhost_parallel_ok(const struct tcpf_scanhost *h, const char **blocker)
{
    size_t i;

    for (i = 0; h != NULL && i < h->n_flow; i++) {
        const struct tcpf_scanner *d = h->sc[h->flow_order[i]].d;

        if (!(d->flags & TCPF_SCANNER_PARALLEL)) {
            if (blocker != NULL)
                *blocker = d->name;
            return false;
        }
    }
    return true;
}

void
tcpf_scanhost_flow_close(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir,
                         enum tcpf_end_reason why)
{
    struct sh_flow *fl;
    size_t i;

    if (h == NULL || dir > 1 || (fl = conn->dir[dir].scan_state) == NULL)
        return;
    fl->conn = conn; /* with -j N this is the worker's snapshot of the connection */
    sh_view_update(fl);
    /* Scanners that close in any order first (a no-op for those already closed by
     * tcpf_scanhost_flow_close_unordered), then the ordered ones; flow_order lists non-sinks
     * first, so sinks see everything the others reported. */
    for (i = 0; i < h->n_flow; i++)
        if (!sh_ordered_close(h, i))
            sh_close_one(h, fl, i, (enum tcpf_close_reason)why);
    for (i = 0; i < h->n_flow; i++)
        if (sh_ordered_close(h, i))
            sh_close_one(h, fl, i, (enum tcpf_close_reason)why);
    SH_LOCK(h);
    for (i = 0; i < h->n_dfiles; i++)
        if (h->dfiles[i].fl == fl)
            h->dfiles[i].fl = NULL; /* the record goes away with the flow */
    if (fl->prev != NULL)
        fl->prev->next = fl->next;
    else
        h->flows = fl->next;
    if (fl->next != NULL)
        fl->next->prev = fl->prev;
    if (fl->st != NULL)
        h->stream_used -= fl->st->cap;
    SH_UNLOCK(h);
    conn->dir[dir].scan_state = NULL;
    sh_entries_free(&fl->entries);
    sh_derived_free(&fl->derived);
    if (fl->st != NULL) {
        free(fl->st->buf);
        free(fl->st->holes);
        free(fl->st);
    }
    free(fl->file_path); /* file_name points into it */
    fl->magic = 0;
    free(fl);
}

int
tcpf_scanhost_report_add(struct tcpf_scanhost *h, struct tcpf_conn *conn, unsigned dir,
                         const char *key, const char *value)
{
    struct sh_flow *fl = NULL;

    if (h == NULL || dir > 1)
        return TCPF_EINVAL;
    if (conn != NULL && (fl = conn->dir[dir].scan_state) == NULL)
        return sh_key_ok(key) && value != NULL ? TCPF_OK : TCPF_EINVAL; /* nobody listens */
    return sh_report_add(h, SH_CORE_NAME, &h->core_drop_logged, fl, key, value);
}

/* ---- shutdown ------------------------------------------------------------------------------ */

/* Closes derived files left open by scanner s (or by anyone when s is NULL). */
static void
sh_close_leftovers(struct tcpf_scanhost *h, const struct sh_scanner *s)
{
    size_t i = 0;

    while (i < h->n_dfiles) {
        if (s != NULL && h->dfiles[i].owner != s) {
            i++;
            continue;
        }
        tcpf_log(TCPF_LOG_NOTICE, "scanner %s: derived file %s left open; closing it",
                 h->dfiles[i].owner->d->name, h->dfiles[i].name);
        (void)sh_dfile_finish(h, i);
    }
}

void
tcpf_scanhost_shutdown(struct tcpf_scanhost *h)
{
    size_t i, pass;

    if (h == NULL || h->shut)
        return;
    h->shut = true;
    while (h->flows != NULL) {
        struct sh_flow *fl = h->flows;

        tcpf_scanhost_flow_close(h, fl->conn, fl->dir, TCPF_END_EOF);
    }
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < h->n_sc; i++) {
            struct sh_scanner *s = &h->sc[i];

            if (((s->d->flags & TCPF_SCANNER_REPORT_SINK) != 0) != (pass == 1) || !s->inited ||
                s->shut)
                continue;
            s->shut = true;
            if (s->d->shutdown != NULL)
                s->d->shutdown(s->sstate);
            sh_close_leftovers(h, s);
        }
    }
    sh_close_leftovers(h, NULL);
    for (i = 0; i < h->n_sc; i++) {
        const struct sh_scanner *s = &h->sc[i];

        if (s->errors > 0)
            tcpf_log(TCPF_LOG_WARN, "scanner %s: %" PRIu64 " error%s, detached from %" PRIu64
                     " flow%s", s->d->name, s->errors, s->errors == 1 ? "" : "s",
                     s->flows_detached, s->flows_detached == 1 ? "" : "s");
    }
}

void
tcpf_scanhost_destroy(struct tcpf_scanhost *h)
{
    if (h == NULL)
        return;
    tcpf_scanhost_shutdown(h);
    sh_entries_free(&h->run_entries);
    sh_derived_free(&h->run_derived);
    free(h->dfiles);
    free(h->sc);
    free(h->flow_order);
    free(h->pkt_order);
    free(h->prefix);
    tcpf_loader_destroy(h->ld);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
