/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: flow files: safe creation under the output directory, fd LRU, writes at offsets
 *
 * One struct tcpf_writer per run owns the output directory fd and the LRU of open flow
 * files. One struct tcpf_wfile per flow direction is owned by that direction
 * (struct tcpf_dir.out) and freed by tcpf_wfile_close().
 *
 * Safety (RELIABILITY.md §4):
 *  - the output directory is opened once; every file is created with
 *    openat(dirfd, name, O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0666), so a planted
 *    symlink or an existing file is never opened: it is an EEXIST and the name is probed
 *    again with connection count 1, 2, ... (tcpflow's "c1" rule), at most
 *    TCPF_WRITER_MAX_PROBES times;
 *  - template subdirectories ("%K/...") are made with mkdirat() and entered with
 *    openat(O_DIRECTORY|O_NOFOLLOW), one component at a time: a symlinked directory is an
 *    error, never followed;
 *  - a file closed by the fd LRU is reopened with O_NOFOLLOW and must have the device and
 *    inode it was created with, else it counts as replaced and is an error.
 * Write coalescing: an open file may hold a buffer of bytes appended contiguously (each write
 * starting where the buffered run ends, or inside it: an overwrite), written with one
 * pwrite() when the buffer is full and before anything else touches the file: a write
 * elsewhere in it, its eviction from the fd LRU, a split, tcpf_wfile_close(). Readback sees
 * buffered bytes. A buffer is allocated on
 * a file's first stored write with TCPF_WRITER_BUF_MIN bytes and doubles, each time it fills,
 * up to TCPF_WRITER_BUF_MAX; all buffers of a writer together stay within opts.buf_budget
 * (TCPF_WRITER_DEFAULT_BUF_BUDGET), and a file that gets no buffer writes directly. Buffers
 * are freed when their file is closed or evicted, so none is left at tcpf_writer_destroy.
 * Errors: the first failing system call prints one line "tcpflow: PATH: strerror" naming the
 * file it was about and makes the writer fail for good: nothing more is created or written
 * (the bytes are counted as skipped), files already open are still closed and bytes already
 * accepted into their buffers are still written. tcpf_writer_failed() then tells the caller
 * to exit 1. With coalescing, a write error (ENOSPC, EFBIG, EIO) usually shows at the flush:
 * during a later write to the same file, a write to another file that evicts it, or its
 * close; the message still names the file whose bytes were lost. SIGXFSZ must be ignored by
 * the caller so that RLIMIT_FSIZE gives EFBIG.
 *
 * Not thread-safe: one thread uses a writer and all its files.
 */
#ifndef TCPF_CORE_WRITER_H
#define TCPF_CORE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outname.h"

/* -m default: a single forward hole larger than this starts a new file instance. */
#define TCPF_WRITER_DEFAULT_MAX_SEEK      (UINT64_C(16) << 20)
/* Cumulative hole bytes in one file instance beyond which a new instance starts. */
#define TCPF_WRITER_DEFAULT_MAX_GAP_TOTAL (UINT64_C(64) << 20)
/* Descriptors kept back from RLIMIT_NOFILE for everything that is not a flow file: stdin,
 * stdout, stderr, the capture, the output directory, a template subdirectory while it is
 * walked, the report's temporary file and the -w pcap. */
#define TCPF_WRITER_FD_RESERVE 8
/* RLIMIT_NOFILE below this fails at start-up: the reserve plus two flow files. */
#define TCPF_WRITER_MIN_FDS (TCPF_WRITER_FD_RESERVE + 2)
/* Upper bound of the derived max_fds when RLIMIT_NOFILE is huge or unlimited. */
#define TCPF_WRITER_MAX_FDS_CAP 65536
/* Name probes (count 0, 1, 2, ...) before creating a file gives up. */
#define TCPF_WRITER_MAX_PROBES 100000
/* Write coalescing buffer of one open file: first allocation, and the size it doubles up to
 * while its file keeps appending (one pwrite per TCPF_WRITER_BUF_MAX bytes of a big flow). */
#define TCPF_WRITER_BUF_MIN (4u << 10)
#define TCPF_WRITER_BUF_MAX (128u << 10)
/* Default bound of all coalescing buffers of one writer together (opts.buf_budget): the most
 * the writer adds to the heap however many flows are open (128 KiB = one big flow writing
 * 128 KiB at a time, or 32 small ones with 4 KiB). Files beyond it write each segment
 * directly. Kept small so that peak RSS stays below tcpflow 1.6.1's with thousands of open
 * flows (4 MiB cost 4-5 MB of peak RSS on bench's interleaved shape, 1 MiB still 0.6-0.9 MB,
 * 256 KiB 0.27 MB more than 128 KiB, for no measurable speed); a big flow needs only one
 * buffer of 128 KiB to cut its writes ~90-fold. */
#define TCPF_WRITER_DEFAULT_BUF_BUDGET ((size_t)128 << 10)

/* Return codes. */
#define TCPF_WRITER_OK      0
#define TCPF_WRITER_EFAILED (-1) /* the writer has failed (now or earlier); see the log */
#define TCPF_WRITER_ENOTSTORED (-1) /* readback: not in a file (-1, as reasm.h expects) */

/* Describes one finished file instance, for the report. Borrowed for the callback only. */
struct tcpf_wfile_info {
    const char *path;      /* "outdir/name" ("name" when outdir is "."); NULL if no file */
    uint64_t base;         /* stream offset of the file's byte 0 */
    uint64_t size;         /* logical size: highest offset given + 1 (tcpflow's filesize) */
    uint64_t stored;       /* bytes actually written (less with -b or after an error) */
    uint64_t count;        /* connection count used in the name */
    uint32_t instance;     /* 0 for the first file of the direction, 1 after a split, ... */
};

/* Called when a file instance is finished (split or tcpf_wfile_close), before it is freed.
 * Called also with path NULL for instances that got data but no file (-FX, failure). */
typedef void (*tcpf_wfile_closed_fn)(void *ctx, const struct tcpf_wfile_info *info);

/* Writer options. Always start from tcpf_writer_opts_init(): zero is not the default for
 * several fields (max_bytes 0 means "-b 0", store false means "-FX"). */
struct tcpf_writer_opts {
    const char *outdir;       /* -o as the user gave it; NULL or "" = "." */
    const char *tmpl;         /* final template (after -T/-F); NULL = TCPF_OUTNAME_DEFAULT */
    unsigned max_fds;         /* -f; 0 = RLIMIT_NOFILE - TCPF_WRITER_FD_RESERVE (capped) */
    int64_t max_bytes;        /* -b: bytes stored per file; < 0 = unlimited */
    bool store;               /* false for -FX: no directory, no files; sizes still kept */
    uint64_t max_seek;        /* -m; 0 = TCPF_WRITER_DEFAULT_MAX_SEEK */
    uint64_t max_gap_total;   /* 0 = TCPF_WRITER_DEFAULT_MAX_GAP_TOTAL */
    size_t buf_budget;        /* bytes for all coalescing buffers; 0 = no coalescing (one
                               * pwrite per write); default TCPF_WRITER_DEFAULT_BUF_BUDGET */
    tcpf_wfile_closed_fn on_close; /* optional */
    void *on_close_ctx;
};

/* Run-wide counters. */
struct tcpf_writer_stats {
    uint64_t files_created;
    uint64_t name_collisions;   /* EEXIST while probing names (each one a c+1 retry) */
    uint64_t reopens;           /* files reopened after an eviction */
    uint64_t evictions;         /* files closed to stay under max_fds or after EMFILE */
    uint64_t emfile_retries;    /* opens retried after EMFILE/ENFILE */
    uint32_t open_now;
    uint32_t max_open;
    uint64_t bytes_written;     /* bytes that reached files (a write over bytes still in a
                                 * coalescing buffer reaches the file once) */
    uint64_t bytes_clipped;     /* not stored because of -b */
    uint64_t bytes_before_base; /* dropped: before the start of the current file instance */
    uint64_t hole_bytes;        /* forward holes left sparse */
    uint64_t splits;            /* new file instances started by a hole */
    uint64_t skipped_bytes;     /* not written because the writer had failed */
    uint64_t write_calls;       /* pwrite() system calls made */
    uint64_t buffers_denied;    /* buffer requests refused: budget used up (retried on the
                                 * file's next write) */
    uint64_t buf_peak;          /* most bytes of coalescing buffers allocated at once */
};

struct tcpf_writer;
struct tcpf_wfile;

/* Fills *o with the defaults: outdir ".", default template, max_fds 0 (derive),
 * max_bytes -1, store true, default max_seek, max_gap_total and buf_budget, no callback. */
void tcpf_writer_opts_init(struct tcpf_writer_opts *o);

/* Start-up check of RLIMIT_NOFILE. Returns 0, or -1 with "need at least N file descriptors,
 * have M" in errbuf when the soft limit is below TCPF_WRITER_MIN_FDS. */
int tcpf_writer_check_fds(char errbuf[TCPF_ERRBUF_SIZE]);

/* max_fds that opts.max_fds == 0 stands for: soft RLIMIT_NOFILE - TCPF_WRITER_FD_RESERVE,
 * at least 1 and at most TCPF_WRITER_MAX_FDS_CAP. */
unsigned tcpf_writer_default_max_fds(void);

/* Creates a writer. Unless opts->store is false, creates the output directory if missing
 * (one level, mode 0777 & umask, like tcpflow) and opens it. Checks the template with
 * tcpf_outname_validate. Warns when the directory is group/world-writable without the
 * sticky bit. Returns NULL with one sentence in errbuf ("cannot create output directory
 * 'x': ...", "output directory 'x' is not a directory", "out of memory", a template error). */
struct tcpf_writer *tcpf_writer_create(const struct tcpf_writer_opts *opts,
                                       char errbuf[TCPF_ERRBUF_SIZE]);

/* Closes the directory and frees the writer. Every wfile must have been closed with
 * tcpf_wfile_close() first (a live one left is a program bug: message and abort()).
 * Accepts NULL. */
void tcpf_writer_destroy(struct tcpf_writer *w);

/* True once any output operation has failed; the run must then exit 1. */
bool tcpf_writer_failed(const struct tcpf_writer *w);

/* Counters; the pointer lives as long as the writer. */
const struct tcpf_writer_stats *tcpf_writer_stats(const struct tcpf_writer *w);

/* The output directory's descriptor (borrowed: valid until tcpf_writer_destroy), for other
 * output that must be created safely beside the flow files; -1 when store is false. */
int tcpf_writer_dirfd(const struct tcpf_writer *w);

/* The effective max_fds (after deriving it from RLIMIT_NOFILE). */
unsigned tcpf_writer_max_fds(const struct tcpf_writer *w);

/* tcpflow -j N: keeps 1/n of the descriptor budget (at least one) and of the coalescing
 * buffer budget, for a writer that shares the run's budgets with n - 1 others. Call before
 * the first file is created. */
void tcpf_writer_share_budgets(struct tcpf_writer *w, unsigned n);

/* Creates the output state of one flow direction. *vars is copied (vars->count is ignored:
 * probing starts at 0). No file is created until the first tcpf_wfile_write() with data,
 * and the name is chosen then. Returns NULL only on allocation failure. */
struct tcpf_wfile *tcpf_wfile_create(struct tcpf_writer *w, const struct tcpf_outname_vars *vars);

/* Stores len bytes of the stream at stream offset `offset` (64-bit; the first byte of the
 * direction is offset 0). Any order is allowed; an overlap overwrites (last writer wins; the
 * reassembler decides what reaches here). Rules, per file instance (file offset =
 * offset - base):
 *  - a forward hole (file offset > logical size) is left sparse and reads as zeros, unless
 *    the hole is larger than max_seek or the holes of the whole direction (all its
 *    instances) would exceed max_gap_total:
 *    then this instance is finished and a new one starts (name probed from count + 1, like
 *    tcpflow's max_seek split) with this data at its byte 0 (base = offset). Such a hole
 *    before the instance has any data just moves base (no split, no new name);
 *  - bytes before base are dropped (counted in bytes_before_base);
 *  - -b: bytes at file offsets >= max_bytes are not written; the logical size still grows.
 *    The file is still created, so -b 0 gives empty files as in tcpflow.
 * len 0 does nothing. The bytes may stay in f's coalescing buffer until a later flush (see
 * the top of this file). Returns TCPF_WRITER_OK, or TCPF_WRITER_EFAILED if this or an
 * earlier operation failed (the error was logged once; bytes are counted as skipped); an
 * error met while flushing this or another (evicted) file also gives TCPF_WRITER_EFAILED. */
int tcpf_wfile_write(struct tcpf_wfile *f, uint64_t offset, const uint8_t *data, size_t len);

/* Reads back stored bytes at stream offset `offset` for the reassembler's overlap check
 * (reopening the file if the LRU closed it). Returns the number of bytes read (0 at or past
 * the logical end; fewer than len where the stored part ends), or TCPF_WRITER_ENOTSTORED
 * when the bytes are not in a file: -FX, before the instance's base, no file yet, or the
 * writer has failed. Holes read as zeros. Bytes still in the coalescing buffer are read from
 * it (no flush). */
long tcpf_wfile_readback(struct tcpf_wfile *f, uint64_t offset, uint8_t *buf, size_t len);

/* Finishes and frees f: writes its buffered bytes, closes its descriptor, sets the file's
 * atime and mtime to the flow's first packet time (vars.first_ts, clamped to 1970..9999, a
 * failure is one warning per run and never fatal), calls on_close. Accepts NULL. Returns
 * TCPF_WRITER_OK or TCPF_WRITER_EFAILED (the flush or close failed now, or the writer had
 * failed). */
int tcpf_wfile_close(struct tcpf_wfile *f);

/* Path of the current instance as shown to the user ("outdir/name", or "name" when outdir
 * is "." or ""), or NULL before its file exists. Valid until the next write or close. */
const char *tcpf_wfile_path(const struct tcpf_wfile *f);

/* Describes the current instance (info->path as tcpf_wfile_path). */
void tcpf_wfile_get_info(const struct tcpf_wfile *f, struct tcpf_wfile_info *info);

/* Logical size of the current instance (tcpflow's filesize). */
uint64_t tcpf_wfile_size(const struct tcpf_wfile *f);

/* Number of splits (new instances) this direction went through. */
uint32_t tcpf_wfile_splits(const struct tcpf_wfile *f);

#endif /* TCPF_CORE_WRITER_H */
