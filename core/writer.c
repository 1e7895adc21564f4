/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: flow files: safe creation under the output directory, fd LRU, writes at offsets
 *
 * References: POSIX openat/mkdirat/pwrite/futimens; tcpflow 1.6.1 tcpip.cpp (store_packet,
 * open_file, close_file), flow.cpp (new_filename), tcpdemux.cpp (retrying_open).
 *
 * Write coalescing invariants: a wfile with buffered bytes (buf_len > 0) has an open fd;
 * the buffer holds file offsets [buf_off, buf_off + buf_len) and is newer than the file there
 * (a write that does not start inside or at the end of the run flushes it first); f->stored
 * counts buffered bytes (taken back out if their flush fails), stats.bytes_written only
 * bytes that reached the file.
 */
#include "config.h"

#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Opens retried after EMFILE/ENFILE (each retry first closes one of our files). */
#define WRITER_MAX_EMFILE_RETRIES 1024
/* Largest time we give futimens: 9999-12-31T23:59:59Z. */
#define WRITER_MAX_TIME_SEC INT64_C(253402300799)

struct tcpf_wfile {
    struct tcpf_writer *w;
    struct tcpf_outname_vars vars; /* vars.count: count of the current instance's name */
    char *path;                    /* prefix + name; NULL until the file exists */
    const char *name;              /* points into path after the prefix */
    int fd;                        /* -1 when not open (never created, evicted, finished) */
    dev_t dev;                  /* identity of the file, valid when have_id */
    ino_t ino;
    bool have_id;
    bool created;                  /* the current instance has a file */
    uint64_t base;                 /* stream offset of file offset 0 */
    uint64_t size;                 /* logical size of the instance */
    uint64_t stored;               /* bytes written to the instance */
    uint64_t holes;                /* hole bytes created in the instance */
    uint64_t holes_total;          /* hole bytes created in every instance of the direction */
    uint32_t instance;
    struct tcpf_wfile *lru_prev, *lru_next; /* open files only; head = least recent */
    uint8_t *buf;                  /* coalescing buffer, NULL if none */
    size_t buf_cap;                /* its size (counted in w->buf_used) */
    size_t buf_len;                /* bytes held */
    uint64_t buf_off;              /* file offset of buf[0] */
};

struct tcpf_writer {
    int dirfd;                     /* -1 with store == false */
    char *prefix;                  /* "" or "outdir/" */
    char tmpl[TCPF_OUTNAME_MAX];
    bool tmpl_has_count;           /* a collision can be resolved by probing */
    unsigned max_fds;
    int64_t max_bytes;
    bool store;
    uint64_t max_seek;
    uint64_t max_gap_total;
    size_t buf_budget;             /* bound of all coalescing buffers together */
    size_t buf_used;               /* bytes of coalescing buffers allocated now */
    tcpf_wfile_closed_fn on_close;
    void *on_close_ctx;

    struct tcpf_wfile *lru_head, *lru_tail;
    uint64_t live;                 /* wfiles created and not yet closed */
    bool failed;
    bool utime_warned;
    struct tcpf_writer_stats stats;
};

static void writer_err(char *errbuf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes one message into errbuf (if not NULL). */
static void
writer_err(char *errbuf, const char *fmt, ...)
{
    va_list ap;

    if (errbuf == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, TCPF_ERRBUF_SIZE, fmt, ap);
    va_end(ap);
}

/* Records the first failure: one line "tcpflow: PATH: strerror", then the writer is failed
 * for good. Later failures are silent. */
static void
writer_fail(struct tcpf_writer *w, const char *path, int err)
{
    if (w->failed)
        return;
    w->failed = true;
    if (err == EMFILE || err == ENFILE)
        tcpf_log(TCPF_LOG_ERROR, "%s: %s (no flow file left to close; raise ulimit -n)", path,
                 strerror(err));
    else
        tcpf_log(TCPF_LOG_ERROR, "%s: %s", path, strerror(err));
}

/* Like writer_fail for errors that have a message instead of an errno. */
static void
writer_fail_msg(struct tcpf_writer *w, const char *msg)
{
    if (w->failed)
        return;
    w->failed = true;
    tcpf_log(TCPF_LOG_ERROR, "%s", msg);
}

void
tcpf_writer_opts_init(struct tcpf_writer_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->outdir = ".";
    o->tmpl = TCPF_OUTNAME_DEFAULT;
    o->max_fds = 0;
    o->max_bytes = -1;
    o->store = true;
    o->max_seek = TCPF_WRITER_DEFAULT_MAX_SEEK;
    o->max_gap_total = TCPF_WRITER_DEFAULT_MAX_GAP_TOTAL;
    o->buf_budget = TCPF_WRITER_DEFAULT_BUF_BUDGET;
}

int
tcpf_writer_check_fds(char errbuf[TCPF_ERRBUF_SIZE])
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0; /* cannot tell; EMFILE handling still applies */
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)TCPF_WRITER_MIN_FDS) {
        writer_err(errbuf, "need at least %d file descriptors, have %llu", TCPF_WRITER_MIN_FDS,
                   (unsigned long long)rl.rlim_cur);
        return -1;
    }
    return 0;
}

unsigned
tcpf_writer_default_max_fds(void)
{
    struct rlimit rl;
    rlim_t n;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return TCPF_WRITER_MAX_FDS_CAP;
    n = rl.rlim_cur;
    if (n <= (rlim_t)TCPF_WRITER_FD_RESERVE)
        return 1;
    n -= TCPF_WRITER_FD_RESERVE;
    return n > TCPF_WRITER_MAX_FDS_CAP ? TCPF_WRITER_MAX_FDS_CAP : (unsigned)n;
}

/* Creates (one level) and opens the output directory. Returns the fd or -1 with errbuf. */
static int
writer_open_outdir(const char *outdir, char *errbuf)
{
    struct stat st;
    int fd;

    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        writer_err(errbuf, "cannot create output directory '%.160s': %s", outdir,
                   strerror(errno));
        return -1;
    }
    fd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOTDIR)
            writer_err(errbuf, "output directory '%.160s' is not a directory", outdir);
        else
            writer_err(errbuf, "cannot open output directory '%.160s': %s", outdir,
                       strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
        (st.st_mode & S_ISVTX) == 0)
        tcpf_log(TCPF_LOG_WARN,
                 "output directory '%.160s' is writable by others and not sticky: "
                 "other users can plant files in it",
                 outdir);
    return fd;
}

struct tcpf_writer *
tcpf_writer_create(const struct tcpf_writer_opts *opts, char errbuf[TCPF_ERRBUF_SIZE])
{
    struct tcpf_writer *w;
    const char *outdir = opts->outdir;
    const char *tmpl = opts->tmpl != NULL ? opts->tmpl : TCPF_OUTNAME_DEFAULT;
    size_t dlen;

    if (outdir == NULL || outdir[0] == '\0')
        outdir = ".";
    if (tcpf_outname_validate(tmpl, errbuf) != TCPF_OUTNAME_OK)
        return NULL;
    if (strlen(tmpl) >= sizeof(w->tmpl)) {
        writer_err(errbuf, "filename template too long");
        return NULL;
    }
    w = calloc(1, sizeof(*w));
    if (w == NULL)
        goto fail_nomem;
    w->dirfd = -1;
    memcpy(w->tmpl, tmpl, strlen(tmpl) + 1);
    w->tmpl_has_count = tcpf_outname_depends_on_count(w->tmpl);
    w->max_fds = opts->max_fds != 0 ? opts->max_fds : tcpf_writer_default_max_fds();
    w->max_bytes = opts->max_bytes;
    w->store = opts->store;
    w->max_seek = opts->max_seek != 0 ? opts->max_seek : TCPF_WRITER_DEFAULT_MAX_SEEK;
    w->max_gap_total =
        opts->max_gap_total != 0 ? opts->max_gap_total : TCPF_WRITER_DEFAULT_MAX_GAP_TOTAL;
    w->buf_budget = opts->buf_budget;
    w->on_close = opts->on_close;
    w->on_close_ctx = opts->on_close_ctx;

    /* tcpflow's form: "dir/name", or "name" when dir is "." */
    dlen = strlen(outdir);
    if (strcmp(outdir, ".") == 0)
        w->prefix = strdup("");
    else if (outdir[dlen - 1] == '/')
        w->prefix = strdup(outdir);
    else if ((w->prefix = malloc(dlen + 2)) != NULL) {
        memcpy(w->prefix, outdir, dlen);
        memcpy(w->prefix + dlen, "/", 2);
    }
    if (w->prefix == NULL)
        goto fail_nomem;

    if (w->store) {
        w->dirfd = writer_open_outdir(outdir, errbuf);
        if (w->dirfd < 0)
            goto fail;
    }
    return w;

fail_nomem:
    writer_err(errbuf, "out of memory");
fail:
    if (w != NULL) {
        free(w->prefix);
        free(w);
    }
    return NULL;
}

void
tcpf_writer_destroy(struct tcpf_writer *w)
{
    if (w == NULL)
        return;
    if (w->live != 0) {
        fprintf(stderr, "%s:%d: tcpf_writer_destroy: %llu flow files not closed\n", __FILE__,
                __LINE__, (unsigned long long)w->live);
        abort();
    }
    if (w->dirfd >= 0)
        close(w->dirfd);
    free(w->prefix);
    free(w);
}

bool
tcpf_writer_failed(const struct tcpf_writer *w)
{
    return w->failed;
}

const struct tcpf_writer_stats *
tcpf_writer_stats(const struct tcpf_writer *w)
{
    return &w->stats;
}

int
tcpf_writer_dirfd(const struct tcpf_writer *w)
{
    return w->dirfd;
}

unsigned
tcpf_writer_max_fds(const struct tcpf_writer *w)
{
    return w->max_fds;
}

void
tcpf_writer_share_budgets(struct tcpf_writer *w, unsigned n)
{
    if (n < 2)
        return;
    w->max_fds = w->max_fds / n > 0 ? w->max_fds / n : 1;
    w->buf_budget /= n;
}

/* ---- the LRU of open files ---- */

/* Unlinks an open file from the LRU. */
static void
writer_lru_remove(struct tcpf_writer *w, struct tcpf_wfile *f)
{
    if (f->lru_prev != NULL)
        f->lru_prev->lru_next = f->lru_next;
    else
        w->lru_head = f->lru_next;
    if (f->lru_next != NULL)
        f->lru_next->lru_prev = f->lru_prev;
    else
        w->lru_tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

/* Appends f as the most recently used open file. */
static void
writer_lru_append(struct tcpf_writer *w, struct tcpf_wfile *f)
{
    f->lru_next = NULL;
    f->lru_prev = w->lru_tail;
    if (w->lru_tail != NULL)
        w->lru_tail->lru_next = f;
    else
        w->lru_head = f;
    w->lru_tail = f;
}

/* Moves an open file to the most recently used end. */
static void
writer_lru_touch(struct tcpf_writer *w, struct tcpf_wfile *f)
{
    if (w->lru_tail == f)
        return;
    writer_lru_remove(w, f);
    writer_lru_append(w, f);
}

/* Clamps a packet time to something every filesystem accepts. */
static struct timespec
writer_file_time(const struct tcpf_time *ts)
{
    struct timespec t;
    int64_t sec = ts->sec;

    if (sec < 0)
        sec = 0;
    if (sec > WRITER_MAX_TIME_SEC)
        sec = WRITER_MAX_TIME_SEC;
    if (sizeof(time_t) < 8 && sec > INT32_MAX)
        sec = INT32_MAX;
    t.tv_sec = (time_t)sec;
    t.tv_nsec = ts->nsec < 1000000000u ? (long)ts->nsec : 0;
    return t;
}

/* pwrite() of all len bytes at off, looping over short writes and EINTR; counts each call
 * in *calls. Returns 0, or -1 with *err and *done (bytes written before the failure). */
static int
writer_pwrite_all(int fd, const uint8_t *data, size_t len, uint64_t off, int *err,
                  size_t *done, uint64_t *calls)
{
    ssize_t n;

    *done = 0;
    if (off > (uint64_t)INT64_MAX - len) {
        *err = EFBIG;
        return -1;
    }
    while (*done < len) {
        (*calls)++;
        n = pwrite(fd, data + *done, len - *done, (off_t)(off + *done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *err = n < 0 ? errno : EIO;
            return -1;
        }
        *done += (size_t)n;
    }
    return 0;
}

/* Writes len bytes at file offset rel of f straight to its (open) file and accounts for
 * them. Returns TCPF_WRITER_OK, or TCPF_WRITER_EFAILED after logging a failure naming f. */
static int
wfile_pwrite(struct tcpf_wfile *f, uint64_t rel, const uint8_t *data, size_t len)
{
    struct tcpf_writer *w = f->w;
    size_t done;
    int err;

    if (writer_pwrite_all(f->fd, data, len, rel, &err, &done, &w->stats.write_calls) != 0) {
        writer_fail(w, f->path, err);
        f->stored += done;
        w->stats.bytes_written += done;
        w->stats.skipped_bytes += len - done;
        return TCPF_WRITER_EFAILED;
    }
    f->stored += len;
    w->stats.bytes_written += len;
    return TCPF_WRITER_OK;
}

/* Writes f's buffered bytes (one pwrite, unless short) and empties the buffer. On failure
 * the error names f, and the bytes that did not reach the file leave f->stored and count as
 * skipped. Returns 0 or -1. */
static int
wfile_flush(struct tcpf_wfile *f)
{
    struct tcpf_writer *w = f->w;
    size_t len = f->buf_len, done;
    int err, rc;

    if (len == 0)
        return 0;
    f->buf_len = 0;
    rc = writer_pwrite_all(f->fd, f->buf, len, f->buf_off, &err, &done,
                           &w->stats.write_calls);
    w->stats.bytes_written += done;
    if (rc != 0) {
        writer_fail(w, f->path, err);
        f->stored -= len - done;
        w->stats.skipped_bytes += len - done;
        return -1;
    }
    return 0;
}

/* Frees f's coalescing buffer (which must be empty) and returns it to the budget. */
static void
wfile_buf_release(struct tcpf_wfile *f)
{
    if (f->buf == NULL)
        return;
    free(f->buf);
    f->w->buf_used -= f->buf_cap;
    f->buf = NULL;
    f->buf_cap = 0;
}

/* Gives f a buffer of TCPF_WRITER_BUF_MIN bytes, or doubles a full one (keeping its
 * contents), within TCPF_WRITER_BUF_MAX and the writer's budget. Returns false if not. */
static bool
wfile_buf_grow(struct tcpf_wfile *f)
{
    struct tcpf_writer *w = f->w;
    size_t ncap = f->buf_cap == 0 ? TCPF_WRITER_BUF_MIN : f->buf_cap * 2;
    uint8_t *nbuf;

    if (ncap > TCPF_WRITER_BUF_MAX)
        return false;
    if (ncap - f->buf_cap > w->buf_budget - w->buf_used) {
        if (f->buf_cap == 0 && w->buf_budget != 0)
            w->stats.buffers_denied++;
        return false;
    }
    nbuf = realloc(f->buf, ncap);
    if (nbuf == NULL)
        return false; /* not an error: this file writes directly */
    w->buf_used += ncap - f->buf_cap;
    if (w->buf_used > w->stats.buf_peak)
        w->stats.buf_peak = w->buf_used;
    f->buf = nbuf;
    f->buf_cap = ncap;
    return true;
}

/* Closes f's descriptor after writing its buffered bytes and stamping the first packet time
 * on it; its buffer goes back to the budget. */
static void
wfile_close_fd(struct tcpf_wfile *f)
{
    struct tcpf_writer *w = f->w;
    struct timespec times[2];

    if (f->fd < 0) {
        wfile_buf_release(f);
        return;
    }
    (void)wfile_flush(f);
    wfile_buf_release(f);
    times[0] = times[1] = writer_file_time(&f->vars.first_ts);
    if (futimens(f->fd, times) != 0 && !w->utime_warned) {
        w->utime_warned = true;
        tcpf_log(TCPF_LOG_WARN, "%s: cannot set file times: %s", f->path, strerror(errno));
    }
    if (close(f->fd) != 0 && errno != EINTR)
        writer_fail(w, f->path, errno);
    f->fd = -1;
    writer_lru_remove(w, f);
    w->stats.open_now--;
}

/* Closes the least recently used open file. Returns false if none is open. */
static bool
writer_evict_one(struct tcpf_writer *w)
{
    struct tcpf_wfile *f = w->lru_head;
    struct stat st;

    if (f == NULL)
        return false;
    /* Remember which file this is, so a reopen can tell whether it was replaced. The fd
     * still refers to the inode we created, whatever happened to its name. */
    if (!f->have_id && fstat(f->fd, &st) == 0) {
        f->dev = st.st_dev;
        f->ino = st.st_ino;
        f->have_id = true;
    }
    wfile_close_fd(f);
    w->stats.evictions++;
    return true;
}

/* openat() that survives EINTR, and EMFILE/ENFILE by closing our least recently used
 * files (bounded). Returns the fd, or -1 with *err set. */
static int
writer_openat(struct tcpf_writer *w, int dirfd, const char *name, int flags, mode_t mode,
              int *err)
{
    int fd, tries;

    for (tries = 0; tries < WRITER_MAX_EMFILE_RETRIES; tries++) {
        fd = openat(dirfd, name, flags, mode);
        if (fd >= 0)
            return fd;
        if (errno == EINTR)
            continue;
        if ((errno != EMFILE && errno != ENFILE) || !writer_evict_one(w))
            break;
        w->stats.emfile_retries++;
    }
    *err = errno;
    return -1;
}

/* Opens (create: creates with O_EXCL) the file `name` below the output directory, walking
 * and (create) making its subdirectories without following symlinks. Returns the fd or -1
 * with *err set. name is a checked relative name (no "", ".", ".." component). */
static int
writer_open_name(struct tcpf_writer *w, const char *name, bool create, int *err)
{
    char comp[TCPF_OUTNAME_MAX];
    const char *p = name, *slash;
    int cur = w->dirfd, nfd, fd;
    size_t len;

    while ((slash = strchr(p, '/')) != NULL) {
        len = (size_t)(slash - p);
        memcpy(comp, p, len);
        comp[len] = '\0';
        if (create && mkdirat(cur, comp, 0777) != 0 && errno != EEXIST) {
            *err = errno;
            goto fail;
        }
        nfd = writer_openat(w, cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0,
                            err);
        if (nfd < 0)
            goto fail;
        if (cur != w->dirfd)
            close(cur);
        cur = nfd;
        p = slash + 1;
    }
    if (create)
        fd = writer_openat(w, cur, p, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666,
                           err);
    else
        fd = writer_openat(w, cur, p, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0, err);
    if (cur != w->dirfd)
        close(cur);
    return fd;

fail:
    if (cur != w->dirfd)
        close(cur);
    return -1;
}

/* Sets f->path to prefix + name. Returns false on allocation failure. */
static bool
wfile_set_path(struct tcpf_wfile *f, const char *name)
{
    size_t plen = strlen(f->w->prefix), nlen = strlen(name);
    char *path = malloc(plen + nlen + 1);

    if (path == NULL)
        return false;
    memcpy(path, f->w->prefix, plen);
    memcpy(path + plen, name, nlen + 1);
    free(f->path);
    f->path = path;
    f->name = path + plen;
    return true;
}

/* Reports a failure about `name` (not yet f->path) in tcpflow's "dir/name: error" form. */
static void
wfile_fail_name(struct tcpf_wfile *f, const char *name, int err)
{
    char path[TCPF_OUTNAME_MAX + 512];

    snprintf(path, sizeof(path), "%s%s", f->w->prefix, name);
    writer_fail(f->w, path, err);
}

/* Makes room for one more open flow file under max_fds. */
static void
writer_make_room(struct tcpf_writer *w)
{
    while (w->stats.open_now >= w->max_fds && writer_evict_one(w))
        ;
}

/* Registers a freshly opened fd as f's. */
static void
wfile_opened(struct tcpf_wfile *f, int fd)
{
    struct tcpf_writer *w = f->w;

    f->fd = fd;
    writer_lru_append(w, f);
    w->stats.open_now++;
    if (w->stats.open_now > w->stats.max_open)
        w->stats.max_open = w->stats.open_now;
}

/* Creates the current instance's file, probing connection counts from vars.count up.
 * Returns 0 or -1 (writer failed). */
static int
wfile_create_file(struct tcpf_wfile *f)
{
    struct tcpf_writer *w = f->w;
    char name[TCPF_OUTNAME_MAX], prev[TCPF_OUTNAME_MAX];
    char msg[TCPF_ERRBUF_SIZE];
    int fd = -1, err = 0, probe;

    prev[0] = '\0';
    for (probe = 0; probe < TCPF_WRITER_MAX_PROBES; probe++, f->vars.count++) {
        if (tcpf_outname_expand(w->tmpl, &f->vars, name, sizeof(name), msg) != 0) {
            writer_fail_msg(w, msg);
            return -1;
        }
        if (probe > 0 && (!w->tmpl_has_count || strcmp(name, prev) == 0))
            break; /* the name cannot change: give up with EEXIST */
        writer_make_room(w);
        if (w->failed)
            return -1; /* an evicted file's flush failed: create nothing more */
        fd = writer_open_name(w, name, true, &err);
        if (fd >= 0)
            break;
        if (err != EEXIST) {
            wfile_fail_name(f, name, err);
            return -1;
        }
        w->stats.name_collisions++;
        memcpy(prev, name, sizeof(prev));
    }
    if (fd < 0) {
        wfile_fail_name(f, name, EEXIST);
        return -1;
    }
    if (!wfile_set_path(f, name)) {
        close(fd);
        wfile_fail_name(f, name, ENOMEM);
        return -1;
    }
    f->have_id = false; /* taken at the first eviction: most files are never reopened */
    f->created = true;
    w->stats.files_created++;
    wfile_opened(f, fd);
    return 0;
}

/* Reopens an evicted file and checks it is still the one we created. Returns 0 or -1. */
static int
wfile_reopen(struct tcpf_wfile *f)
{
    struct tcpf_writer *w = f->w;
    struct stat st;
    int fd, err = 0;

    writer_make_room(w);
    if (w->failed)
        return -1;
    fd = writer_open_name(w, f->name, false, &err);
    if (fd < 0) {
        writer_fail(w, f->path, err);
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !f->have_id || st.st_dev != f->dev ||
        st.st_ino != f->ino) {
        close(fd);
        if (!w->failed) {
            w->failed = true;
            tcpf_log(TCPF_LOG_ERROR, "%s: file was replaced while tcpflow was writing it",
                     f->path);
        }
        return -1;
    }
    w->stats.reopens++;
    wfile_opened(f, fd);
    return 0;
}

/* Makes sure f has an open descriptor (creating or reopening the file). Returns 0 or -1. */
static int
wfile_ensure_open(struct tcpf_wfile *f)
{
    if (f->fd >= 0) {
        writer_lru_touch(f->w, f);
        return 0;
    }
    if (f->w->failed)
        return -1;
    return f->created ? wfile_reopen(f) : wfile_create_file(f);
}

struct tcpf_wfile *
tcpf_wfile_create(struct tcpf_writer *w, const struct tcpf_outname_vars *vars)
{
    struct tcpf_wfile *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return NULL;
    f->w = w;
    f->vars = *vars;
    f->vars.count = 0;
    f->fd = -1;
    w->live++;
    return f;
}

/* Fills *info for the current instance. */
static void
wfile_info(const struct tcpf_wfile *f, struct tcpf_wfile_info *info)
{
    info->path = f->created ? f->path : NULL;
    info->base = f->base;
    info->size = f->size;
    info->stored = f->stored;
    info->count = f->vars.count;
    info->instance = f->instance;
}

/* Finishes the current instance: closes its file and tells on_close. */
static void
wfile_finish_instance(struct tcpf_wfile *f)
{
    struct tcpf_wfile_info info;

    wfile_close_fd(f);
    if (f->w->on_close != NULL && (f->created || f->size > 0)) {
        wfile_info(f, &info);
        f->w->on_close(f->w->on_close_ctx, &info);
    }
}

/* Starts a new instance whose byte 0 is stream offset `base`. */
static void
wfile_split(struct tcpf_wfile *f, uint64_t base)
{
    wfile_finish_instance(f);
    if (f->created)
        f->vars.count++; /* probing resumes after the name just used */
    f->created = false;
    f->base = base;
    f->size = f->stored = f->holes = 0;
    f->instance++;
    f->w->stats.splits++;
}

/* Stores len > 0 bytes at file offset rel of f (open): when they start inside or right at
 * the end of the buffered run they overwrite and extend it, else the run is flushed and a
 * new one starts here; what no buffer can take is written directly. Returns TCPF_WRITER_OK
 * or TCPF_WRITER_EFAILED. */
static int
wfile_store(struct tcpf_wfile *f, uint64_t rel, const uint8_t *data, size_t len)
{
    size_t n;

    if (f->buf_len > 0 && rel >= f->buf_off && rel - f->buf_off <= f->buf_len) {
        n = f->buf_len - (size_t)(rel - f->buf_off); /* buffered bytes at and after rel */
        if (n > len)
            n = len;
        memcpy(f->buf + (rel - f->buf_off), data, n);
        f->stored += n;
        rel += n;
        data += n;
        len -= n;
    } else if (f->buf_len > 0 && wfile_flush(f) != 0) {
        goto fail;
    }
    while (len > 0) {
        if (f->buf_len == 0)
            f->buf_off = rel;
        if (f->buf_len == f->buf_cap && !wfile_buf_grow(f)) {
            /* no room and no more budget: write the full buffer, then go on in it */
            if (wfile_flush(f) != 0)
                goto fail;
            f->buf_off = rel;
            if (len >= f->buf_cap) /* also without a buffer: straight to the file */
                return wfile_pwrite(f, rel, data, len);
        }
        n = f->buf_cap - f->buf_len;
        if (n > len)
            n = len;
        memcpy(f->buf + f->buf_len, data, n);
        f->buf_len += n;
        f->stored += n;
        rel += n;
        data += n;
        len -= n;
    }
    return TCPF_WRITER_OK;

fail:
    f->w->stats.skipped_bytes += len;
    return TCPF_WRITER_EFAILED;
}

int
tcpf_wfile_write(struct tcpf_wfile *f, uint64_t offset, const uint8_t *data, size_t len)
{
    struct tcpf_writer *w = f->w;
    uint64_t rel, hole, end;
    size_t wlen;

    if (len == 0)
        return w->failed ? TCPF_WRITER_EFAILED : TCPF_WRITER_OK;
    if (offset < f->base) {
        uint64_t cut = f->base - offset;

        if (cut >= len) {
            w->stats.bytes_before_base += len;
            return w->failed ? TCPF_WRITER_EFAILED : TCPF_WRITER_OK;
        }
        w->stats.bytes_before_base += cut;
        data += cut;
        len -= (size_t)cut;
        offset = f->base;
    }
    rel = offset - f->base;
    if (rel > f->size) {
        hole = rel - f->size;
        /* max_gap_total bounds the holes of the whole direction, not only of one file:
         * once it is spent every further hole starts a new file, so the apparent size of
         * all the direction's files stays below its data plus max_gap_total. */
        if (hole > w->max_seek || hole > w->max_gap_total - f->holes_total) {
            if (f->size == 0 && !f->created)
                f->base = offset; /* nothing in this instance yet: start it here */
            else
                wfile_split(f, offset);
            rel = 0;
        } else {
            f->holes += hole;
            f->holes_total += hole;
            w->stats.hole_bytes += hole;
        }
    }
    end = rel + len;
    if (end < rel)
        end = UINT64_MAX;
    if (end > f->size)
        f->size = end;
    if (!w->store)
        return TCPF_WRITER_OK;

    wlen = len;
    if (w->max_bytes >= 0) {
        if (rel >= (uint64_t)w->max_bytes)
            wlen = 0;
        else if (len > (uint64_t)w->max_bytes - rel)
            wlen = (size_t)((uint64_t)w->max_bytes - rel);
        w->stats.bytes_clipped += len - wlen;
    }
    /* (opening may evict, and so flush, another file: that can fail the writer too) */
    if (w->failed || wfile_ensure_open(f) != 0 || w->failed) {
        w->stats.skipped_bytes += wlen;
        return TCPF_WRITER_EFAILED;
    }
    if (wlen == 0)
        return TCPF_WRITER_OK;
    return wfile_store(f, rel, data, wlen);
}

/* pread() of up to len bytes at file offset off of f (open), stopping at the end of the
 * file. Returns the bytes read, or -1 after failing the writer. */
static ssize_t
wfile_pread(struct tcpf_wfile *f, uint8_t *buf, size_t len, uint64_t off)
{
    size_t done = 0;
    ssize_t n;

    while (done < len) {
        n = pread(f->fd, buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            writer_fail(f->w, f->path, errno);
            return -1;
        }
        if (n == 0)
            break; /* the stored part ends here (-b, or a write that failed) */
        done += (size_t)n;
    }
    return (ssize_t)done;
}

long
tcpf_wfile_readback(struct tcpf_wfile *f, uint64_t offset, uint8_t *buf, size_t len)
{
    struct tcpf_writer *w = f->w;
    uint64_t rel, limit, bo, be;
    size_t done = 0;
    ssize_t n;

    if (!w->store || w->failed || !f->created || offset < f->base)
        return TCPF_WRITER_ENOTSTORED;
    rel = offset - f->base;
    limit = f->size;
    if (w->max_bytes >= 0 && limit > (uint64_t)w->max_bytes)
        limit = (uint64_t)w->max_bytes;
    if (rel >= limit)
        return 0;
    if (len > limit - rel)
        len = (size_t)(limit - rel);
    if (len > LONG_MAX)
        len = LONG_MAX;
    if (wfile_ensure_open(f) != 0 || w->failed)
        return TCPF_WRITER_ENOTSTORED;
    if (f->buf_len == 0) {
        n = wfile_pread(f, buf, len, rel);
        return n < 0 ? TCPF_WRITER_ENOTSTORED : (long)n;
    }
    /* [rel, rel + len) against the buffered run [bo, be): the part before it comes from
     * the file, where bytes past the file's end are a hole that the buffered bytes would
     * have extended the file over (zeros); the part in it from the buffer; the part after
     * it from the file, where the stored part may end. */
    bo = f->buf_off;
    be = bo + f->buf_len;
    if (rel < bo) {
        size_t part = (size_t)(bo - rel < len ? bo - rel : len);

        n = wfile_pread(f, buf, part, rel);
        if (n < 0)
            return TCPF_WRITER_ENOTSTORED;
        memset(buf + n, 0, part - (size_t)n);
        done = part;
    }
    if (done < len && rel + done < be) {
        size_t part = (size_t)(be - (rel + done));

        if (part > len - done)
            part = len - done;
        memcpy(buf + done, f->buf + (rel + done - bo), part);
        done += part;
    }
    if (done < len) {
        n = wfile_pread(f, buf + done, len - done, rel + done);
        if (n < 0)
            return TCPF_WRITER_ENOTSTORED;
        done += (size_t)n;
    }
    return (long)done;
}

int
tcpf_wfile_close(struct tcpf_wfile *f)
{
    struct tcpf_writer *w;

    if (f == NULL)
        return TCPF_WRITER_OK;
    w = f->w;
    wfile_finish_instance(f);
    free(f->path);
    free(f);
    w->live--;
    return w->failed ? TCPF_WRITER_EFAILED : TCPF_WRITER_OK;
}

const char *
tcpf_wfile_path(const struct tcpf_wfile *f)
{
    return f->created ? f->path : NULL;
}

void
tcpf_wfile_get_info(const struct tcpf_wfile *f, struct tcpf_wfile_info *info)
{
    wfile_info(f, info);
}

uint64_t
tcpf_wfile_size(const struct tcpf_wfile *f)
{
    return f->size;
}

uint32_t
tcpf_wfile_splits(const struct tcpf_wfile *f)
{
    return f->instance;
}
