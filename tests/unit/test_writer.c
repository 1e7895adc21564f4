/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: unit tests for core/writer.c (flow files) and core/console.c (console modes)
 *
 * Each writer test runs in a fresh mkdtemp() directory. Tests that need another uid or a
 * lower rlimit run in a forked child and report through the exit status.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "options.h"
#include "writer.h"

#define NAME0 "010.000.000.001.40000-010.000.000.002.00080"

static char g_base[64];  /* the test's temporary directory */
static char g_out[128];  /* g_base/out: the output directory */

/* ---- helpers ---- */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    chmod(path, 0700);
    return remove(path);
}

static int
setup_dir(void **state)
{
    (void)state;
    snprintf(g_base, sizeof(g_base), "/tmp/tcpf_writer_XXXXXX");
    if (mkdtemp(g_base) == NULL)
        return -1;
    chmod(g_base, 0755);
    snprintf(g_out, sizeof(g_out), "%s/out", g_base);
    return 0;
}

static int
teardown_dir(void **state)
{
    (void)state;
    chmod(g_out, 0755);
    return nftw(g_base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Vars of flow i: 10.0.0.1:(40000+i) -> 10.0.0.2:80, first packet at 1600000000.5. */
static struct tcpf_outname_vars
vars_n(unsigned i)
{
    struct tcpf_outname_vars v;

    memset(&v, 0, sizeof(v));
    v.family = TCPF_AF_INET;
    v.src[0] = 10, v.src[3] = 1;
    v.dst[0] = 10, v.dst[3] = 2;
    v.sport = (uint16_t)(40000 + i);
    v.dport = 80;
    v.first_ts.sec = 1600000000;
    v.first_ts.nsec = 500000000;
    v.flow_id = i;
    return v;
}

static struct tcpf_writer *
make_writer(struct tcpf_writer_opts *o)
{
    char err[TCPF_ERRBUF_SIZE] = "";
    struct tcpf_writer *w;

    if (o->outdir == NULL || strcmp(o->outdir, ".") == 0)
        o->outdir = g_out;
    w = tcpf_writer_create(o, err);
    if (w == NULL)
        fail_msg("tcpf_writer_create: %s", err);
    return w;
}

static struct tcpf_writer *
default_writer(void)
{
    struct tcpf_writer_opts o;

    tcpf_writer_opts_init(&o);
    return make_writer(&o);
}

/* Reads g_out/name into buf; returns its length or -1. */
static long
slurp(const char *name, char *buf, size_t size)
{
    char path[PATH_MAX];
    FILE *fp;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", g_out, name);
    fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    n = fread(buf, 1, size, fp);
    fclose(fp);
    return (long)n;
}

static void
expect_file(const char *name, const void *want, size_t len)
{
    char buf[65536];
    long n = slurp(name, buf, sizeof(buf));

    if (n < 0)
        fail_msg("%s/%s missing", g_out, name);
    assert_int_equal(n, len);
    assert_memory_equal(buf, want, len);
}

static bool
exists(const char *name)
{
    char path[PATH_MAX];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", g_out, name);
    return lstat(path, &st) == 0;
}

static int
write_str(struct tcpf_wfile *f, uint64_t off, const char *s)
{
    return tcpf_wfile_write(f, off, (const uint8_t *)s, strlen(s));
}

/* Captures fd 2 into a temporary file between begin and end; end returns the line count. */
struct capture {
    int saved;
    FILE *tmp;
};

static void
capture_begin(struct capture *c)
{
    fflush(stderr);
    c->tmp = tmpfile();
    c->saved = dup(2);
    dup2(fileno(c->tmp), 2);
}

static int
capture_end(struct capture *c, char *text, size_t size)
{
    size_t n;
    int lines = 0;

    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    rewind(c->tmp);
    n = fread(text, 1, size - 1, c->tmp);
    text[n] = '\0';
    fclose(c->tmp);
    for (size_t i = 0; i < n; i++)
        lines += text[i] == '\n';
    return lines;
}

/* Runs fn in a child process; returns its exit status (or 100 + signal). */
static int
run_child(int (*fn)(void))
{
    pid_t pid;
    int st;

    fflush(NULL);
    pid = fork();
    if (pid == 0)
        _exit(fn());
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 99;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

/* ---- writer: basic placement ---- */

static void
test_in_order(void **state)
{
    struct tcpf_writer *w = default_writer();
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f = tcpf_wfile_create(w, &v);
    char want[PATH_MAX];

    (void)state;
    assert_null(tcpf_wfile_path(f));
    assert_false(exists(NAME0)); /* created lazily */
    assert_int_equal(write_str(f, 0, "hello "), 0);
    assert_int_equal(write_str(f, 6, "world"), 0);
    assert_int_equal(tcpf_wfile_write(f, 11, NULL, 0), 0);
    snprintf(want, sizeof(want), "%s/%s", g_out, NAME0);
    assert_string_equal(tcpf_wfile_path(f), want);
    assert_int_equal(tcpf_wfile_size(f), 11);
    assert_int_equal(tcpf_wfile_close(f), 0);
    expect_file(NAME0, "hello world", 11);
    assert_int_equal(tcpf_writer_stats(w)->files_created, 1);
    assert_int_equal(tcpf_writer_stats(w)->bytes_written, 11);
    assert_false(tcpf_writer_failed(w));
    tcpf_writer_destroy(w);
}

static void
test_out_of_order(void **state)
{
    struct tcpf_writer *w = default_writer();
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f = tcpf_wfile_create(w, &v);

    (void)state;
    write_str(f, 5, "56789");
    write_str(f, 0, "01234");
    write_str(f, 3, "xy"); /* overlap: last writer wins at this layer */
    assert_int_equal(tcpf_wfile_size(f), 10);
    tcpf_wfile_close(f);
    expect_file(NAME0, "012xy56789", 10);
    tcpf_writer_destroy(w);
}

static void
test_max_bytes(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v0 = vars_n(0), v1 = vars_n(1);
    struct tcpf_wfile *f, *g;
    struct tcpf_wfile_info info;

    (void)state;
    tcpf_writer_opts_init(&o);
    o.max_bytes = 4;
    w = make_writer(&o);
    f = tcpf_wfile_create(w, &v0);
    assert_int_equal(write_str(f, 0, "abcdef"), 0);
    assert_int_equal(write_str(f, 10, "xyz"), 0);
    assert_int_equal(write_str(f, 2, "CD"), 0);
    tcpf_wfile_get_info(f, &info);
    assert_int_equal(info.size, 13);   /* logical size keeps growing */
    assert_int_equal(info.stored, 6);  /* "abcd" + "CD" */
    tcpf_wfile_close(f);
    expect_file(NAME0, "abCD", 4);
    assert_int_equal(tcpf_writer_stats(w)->bytes_clipped, 5);
    tcpf_writer_destroy(w);

    /* -b 0: the file exists but is empty, as with tcpflow */
    o.max_bytes = 0;
    w = make_writer(&o);
    g = tcpf_wfile_create(w, &v1);
    assert_int_equal(write_str(g, 0, "data"), 0);
    tcpf_wfile_close(g);
    expect_file("010.000.000.001.40001-010.000.000.002.00080", "", 0);
    tcpf_writer_destroy(w);
}

static void
test_sparse_gap(void **state)
{
    struct tcpf_writer *w = default_writer();
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f = tcpf_wfile_create(w, &v);
    char buf[2000], want[1001];

    (void)state;
    write_str(f, 0, "A");
    write_str(f, 1000, "B");
    assert_int_equal(tcpf_wfile_size(f), 1001);
    assert_int_equal(tcpf_wfile_splits(f), 0);
    tcpf_wfile_close(f);
    memset(want, 0, sizeof(want));
    want[0] = 'A', want[1000] = 'B';
    assert_int_equal(slurp(NAME0, buf, sizeof(buf)), 1001);
    assert_memory_equal(buf, want, 1001);
    assert_int_equal(tcpf_writer_stats(w)->hole_bytes, 999);
    tcpf_writer_destroy(w);
}

struct closed_log {
    int n;
    char path[4][PATH_MAX];
    struct tcpf_wfile_info info[4];
};

static void
on_closed(void *ctx, const struct tcpf_wfile_info *info)
{
    struct closed_log *log = ctx;

    if (log->n < 4) {
        log->info[log->n] = *info;
        snprintf(log->path[log->n], PATH_MAX, "%s", info->path ? info->path : "(null)");
    }
    log->n++;
}

static void
test_gap_split(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    struct closed_log log;
    char want[PATH_MAX];

    (void)state;
    memset(&log, 0, sizeof(log));
    tcpf_writer_opts_init(&o);
    o.max_seek = 100;
    o.on_close = on_closed;
    o.on_close_ctx = &log;
    w = make_writer(&o);
    f = tcpf_wfile_create(w, &v);
    write_str(f, 0, "first");
    write_str(f, 50, "near");      /* hole 45 <= 100: same file */
    write_str(f, 1000, "second");  /* hole 946 > 100: new instance c1 */
    write_str(f, 1006, "+more");
    assert_int_equal(tcpf_wfile_splits(f), 1);
    snprintf(want, sizeof(want), "%s/%sc1", g_out, NAME0);
    assert_string_equal(tcpf_wfile_path(f), want);
    assert_int_equal(tcpf_wfile_size(f), 11);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.info[0].size, 54);
    assert_int_equal(log.info[0].instance, 0);
    /* data from before the new instance's base is dropped and counted */
    write_str(f, 998, "xxyy");
    assert_int_equal(tcpf_writer_stats(w)->bytes_before_base, 2);
    tcpf_wfile_close(f);
    assert_int_equal(log.n, 2);
    assert_string_equal(log.path[1], want);
    assert_int_equal(log.info[1].base, 1000);
    assert_int_equal(log.info[1].count, 1);
    assert_int_equal(log.info[1].instance, 1);
    {
        char w0[54] = "first";

        memset(w0 + 5, 0, sizeof(w0) - 5);
        memcpy(w0 + 50, "near", 4);
        expect_file(NAME0, w0, 54);
    }
    expect_file(NAME0 "c1", "yycond+more", 11);
    assert_int_equal(tcpf_writer_stats(w)->splits, 1);
    tcpf_writer_destroy(w);
}

static void
test_gap_total_split(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;

    (void)state;
    tcpf_writer_opts_init(&o);
    o.max_seek = 100;
    o.max_gap_total = 150;
    w = make_writer(&o);
    f = tcpf_wfile_create(w, &v);
    write_str(f, 0, "a");
    write_str(f, 81, "b");  /* hole 80: total 80 */
    write_str(f, 162, "c"); /* hole 80: total would be 160 > 150: split */
    assert_int_equal(tcpf_wfile_splits(f), 1);
    /* the budget is the direction's, not the file's: 70 more bytes of holes are left, so a
     * hole of 60 stays sparse, and the next one (60 > 10 left) splits again (c03 shape) */
    write_str(f, 223, "d"); /* hole 60 in c1: total 140 */
    write_str(f, 284, "e"); /* hole 60: total would be 200 > 150: split */
    assert_int_equal(tcpf_wfile_splits(f), 2);
    write_str(f, 300, "f"); /* any later hole splits too */
    assert_int_equal(tcpf_wfile_splits(f), 3);
    tcpf_wfile_close(f);
    assert_true(exists(NAME0));
    {
        char want[62];

        memset(want, 0, sizeof(want));
        want[0] = 'c';
        want[61] = 'd';
        expect_file(NAME0 "c1", want, sizeof(want));
    }
    expect_file(NAME0 "c2", "e", 1);
    expect_file(NAME0 "c3", "f", 1);

    /* a leading hole before any data moves the base, no split, no c1 */
    v = vars_n(5);
    f = tcpf_wfile_create(w, &v);
    write_str(f, 5000, "late start");
    assert_int_equal(tcpf_wfile_splits(f), 0);
    tcpf_wfile_close(f);
    expect_file("010.000.000.001.40005-010.000.000.002.00080", "late start", 10);
    tcpf_writer_destroy(w);
}

/* ---- writer: names, collisions and symlinks ---- */

static void
test_symlink_at_name(void **state)
{
    struct tcpf_writer *w = default_writer();
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    char victim[PATH_MAX], link[PATH_MAX], buf[64];
    FILE *fp;

    (void)state;
    snprintf(victim, sizeof(victim), "%s/victim", g_base);
    fp = fopen(victim, "w");
    fputs("precious", fp);
    fclose(fp);
    snprintf(link, sizeof(link), "%s/%s", g_out, NAME0);
    assert_int_equal(symlink(victim, link), 0);
    /* a dangling symlink too: O_EXCL must not create its target */
    snprintf(link, sizeof(link), "%s/%sc1", g_out, NAME0);
    assert_int_equal(symlink("/tmp/tcpf_should_not_exist_XXXX", link), 0);

    f = tcpf_wfile_create(w, &v);
    assert_int_equal(write_str(f, 0, "EVIL"), 0);
    tcpf_wfile_close(f);
    fp = fopen(victim, "r");
    assert_int_equal(fread(buf, 1, sizeof(buf), fp), 8);
    fclose(fp);
    assert_memory_equal(buf, "precious", 8);
    assert_int_equal(access("/tmp/tcpf_should_not_exist_XXXX", F_OK), -1);
    expect_file(NAME0 "c2", "EVIL", 4);
    assert_int_equal(tcpf_writer_stats(w)->name_collisions, 2);
    tcpf_writer_destroy(w);
}

static void
test_collision_probing(void **state)
{
    struct tcpf_writer *w = default_writer();
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *a, *b, *c;
    char path[PATH_MAX];
    int fd;

    (void)state;
    /* a previous run left NAME0 and NAME0c1 */
    snprintf(path, sizeof(path), "%s/%s", g_out, NAME0);
    fd = open(path, O_CREAT | O_WRONLY, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "old", 3), 3);
    close(fd);
    snprintf(path, sizeof(path), "%s/%sc1", g_out, NAME0);
    close(open(path, O_CREAT | O_WRONLY, 0644));

    a = tcpf_wfile_create(w, &v);
    b = tcpf_wfile_create(w, &v); /* the same 4-tuple again: next free counter */
    c = tcpf_wfile_create(w, &v);
    write_str(a, 0, "A");
    write_str(b, 0, "B");
    write_str(c, 0, "C");
    tcpf_wfile_close(a);
    tcpf_wfile_close(b);
    tcpf_wfile_close(c);
    expect_file(NAME0, "old", 3);
    expect_file(NAME0 "c2", "A", 1);
    expect_file(NAME0 "c3", "B", 1);
    expect_file(NAME0 "c4", "C", 1);
    assert_int_equal(tcpf_writer_stats(w)->name_collisions, 2 + 3 + 4);
    tcpf_writer_destroy(w);
}

static void
test_collision_no_counter(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    struct capture cap;
    char text[1024], path[PATH_MAX];

    (void)state;
    tcpf_writer_opts_init(&o);
    o.tmpl = "fixed"; /* raw template: no %c, so no probing is possible */
    w = make_writer(&o);
    snprintf(path, sizeof(path), "%s/fixed", g_out);
    close(open(path, O_CREAT | O_WRONLY, 0644));
    f = tcpf_wfile_create(w, &v);
    capture_begin(&cap);
    assert_int_equal(write_str(f, 0, "x"), TCPF_WRITER_EFAILED);
    assert_int_equal(capture_end(&cap, text, sizeof(text)), 1);
    assert_non_null(strstr(text, "fixed: File exists"));
    assert_true(tcpf_writer_failed(w));
    assert_int_equal(tcpf_wfile_close(f), TCPF_WRITER_EFAILED);
    tcpf_writer_destroy(w);
}

static void
test_subdir_template(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    struct capture cap;
    char path[PATH_MAX], outside[256], text[1024];
    struct stat st;

    (void)state;
    tcpf_writer_opts_init(&o);
    o.tmpl = "%K/%M%K/" TCPF_OUTNAME_DEFAULT;
    w = make_writer(&o);
    v.flow_id = 1234;
    f = tcpf_wfile_create(w, &v);
    write_str(f, 0, "deep");
    tcpf_wfile_close(f);
    expect_file("001/000001/010.000.000.001.40000-010.000.000.002.00080", "deep", 4);

    /* a planted symlink where a template directory goes: never followed */
    snprintf(outside, sizeof(outside), "%s/outside", g_base);
    assert_int_equal(mkdir(outside, 0755), 0);
    snprintf(path, sizeof(path), "%s/002", g_out);
    assert_int_equal(symlink(outside, path), 0);
    v.flow_id = 2000;
    f = tcpf_wfile_create(w, &v);
    capture_begin(&cap);
    assert_int_equal(write_str(f, 0, "evil"), TCPF_WRITER_EFAILED);
    assert_int_equal(capture_end(&cap, text, sizeof(text)), 1);
    assert_non_null(strstr(text, "002/000002/"));
    tcpf_wfile_close(f);
    snprintf(path, sizeof(path), "%s/000002", outside);
    assert_int_not_equal(lstat(path, &st), 0); /* nothing made inside the target */
    assert_true(tcpf_writer_failed(w));
    tcpf_writer_destroy(w);
}

/* ---- writer: descriptors ---- */

/* Writes 20 rounds to n interleaved files through w and checks every byte. */
static void
interleave(struct tcpf_writer *w, unsigned n)
{
    struct tcpf_wfile *f[64];
    struct tcpf_outname_vars v;
    char name[128], want[20 * 7];
    unsigned i, r;

    assert_true(n <= 64);
    for (i = 0; i < n; i++) {
        v = vars_n(i);
        f[i] = tcpf_wfile_create(w, &v);
    }
    for (r = 0; r < 20; r++)
        for (i = 0; i < n; i++) {
            char chunk[32];

            snprintf(chunk, sizeof(chunk), "%02u:%03u|", i % 100, r);
            assert_int_equal(tcpf_wfile_write(f[i], (uint64_t)r * 7, (uint8_t *)chunk, 7), 0);
        }
    for (i = 0; i < n; i++)
        assert_int_equal(tcpf_wfile_close(f[i]), 0);
    for (i = 0; i < n; i++) {
        for (r = 0; r < 20; r++) {
            char chunk[32];

            snprintf(chunk, sizeof(chunk), "%02u:%03u|", i % 100, r);
            memcpy(want + r * 7, chunk, 7);
        }
        snprintf(name, sizeof(name), "010.000.000.001.%05u-010.000.000.002.00080", 40000 + i);
        expect_file(name, want, sizeof(want));
    }
}

static void
test_fd_lru(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    const struct tcpf_writer_stats *s;

    (void)state;
    tcpf_writer_opts_init(&o);
    o.max_fds = 2;
    w = make_writer(&o);
    assert_int_equal(tcpf_writer_max_fds(w), 2);
    interleave(w, 50);
    s = tcpf_writer_stats(w);
    assert_true(s->max_open <= 2);
    assert_int_equal(s->open_now, 0);
    assert_int_equal(s->files_created, 50);
    assert_true(s->evictions >= 50 * 19);
    assert_true(s->reopens >= 50 * 19);
    assert_false(tcpf_writer_failed(w));
    tcpf_writer_destroy(w);
}

static void
test_reopen_checks(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v0 = vars_n(0), v1 = vars_n(1);
    struct tcpf_wfile *a, *b;
    struct capture cap;
    char path[PATH_MAX], other[PATH_MAX], text[1024];
    uint8_t buf[16];

    (void)state;
    tcpf_writer_opts_init(&o);
    o.max_fds = 1;
    w = make_writer(&o);
    a = tcpf_wfile_create(w, &v0);
    b = tcpf_wfile_create(w, &v1);
    write_str(a, 0, "abc");
    write_str(b, 0, "xyz"); /* evicts a */
    assert_int_equal(tcpf_writer_stats(w)->evictions, 1);
    /* readback reopens a */
    assert_int_equal(tcpf_wfile_readback(a, 1, buf, sizeof(buf)), 2);
    assert_memory_equal(buf, "bc", 2);
    assert_int_equal(tcpf_writer_stats(w)->reopens, 1);
    write_str(a, 3, "d"); /* a is open again: b evicted */

    /* someone swaps b's file for a symlink to another file: refused */
    snprintf(path, sizeof(path), "%s/010.000.000.001.40001-010.000.000.002.00080", g_out);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    capture_begin(&cap);
    assert_int_equal(write_str(b, 3, "!"), TCPF_WRITER_EFAILED);
    assert_int_equal(capture_end(&cap, text, sizeof(text)), 1);
    assert_true(tcpf_writer_failed(w));
    tcpf_wfile_close(a);
    tcpf_wfile_close(b);
    expect_file(NAME0, "abcd", 4);
    tcpf_writer_destroy(w);

    /* replaced by a regular file with another inode: refused too */
    teardown_dir(NULL);
    setup_dir(NULL);
    w = make_writer(&o);
    a = tcpf_wfile_create(w, &v0);
    b = tcpf_wfile_create(w, &v1);
    write_str(a, 0, "abc");
    write_str(b, 0, "xyz");
    /* (made before the old one goes, so the inode number cannot be reused) */
    snprintf(path, sizeof(path), "%s/%s", g_out, NAME0);
    snprintf(other, sizeof(other), "%s/other", g_out);
    close(open(other, O_CREAT | O_WRONLY, 0644));
    assert_int_equal(rename(other, path), 0);
    capture_begin(&cap);
    assert_int_equal(write_str(a, 3, "d"), TCPF_WRITER_EFAILED);
    assert_int_equal(capture_end(&cap, text, sizeof(text)), 1);
    assert_non_null(strstr(text, "replaced"));
    tcpf_wfile_close(a);
    tcpf_wfile_close(b);
    tcpf_writer_destroy(w);
}

static void
test_readback(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    uint8_t buf[32];

    (void)state;
    tcpf_writer_opts_init(&o);
    o.max_bytes = 8;
    o.max_seek = 100;
    w = make_writer(&o);
    f = tcpf_wfile_create(w, &v);
    assert_int_equal(tcpf_wfile_readback(f, 0, buf, 4), TCPF_WRITER_ENOTSTORED); /* no file */
    write_str(f, 0, "0123");
    write_str(f, 6, "6789ab");
    assert_int_equal(tcpf_wfile_readback(f, 0, buf, sizeof(buf)), 8); /* -b limit */
    assert_memory_equal(buf, "0123\0\0" "67", 8);
    assert_int_equal(tcpf_wfile_readback(f, 2, buf, 3), 3);
    assert_memory_equal(buf, "23\0", 3);
    assert_int_equal(tcpf_wfile_readback(f, 8, buf, 4), 0);
    assert_int_equal(tcpf_wfile_readback(f, 500, buf, 4), 0);
    write_str(f, 1000, "new"); /* split: base 1000 */
    assert_int_equal(tcpf_wfile_readback(f, 0, buf, 4), TCPF_WRITER_ENOTSTORED);
    assert_int_equal(tcpf_wfile_readback(f, 1001, buf, 4), 2);
    assert_memory_equal(buf, "ew", 2);
    tcpf_wfile_close(f);
    tcpf_writer_destroy(w);
}

static void
test_no_store(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    struct stat st;
    uint8_t buf[4];

    (void)state;
    tcpf_writer_opts_init(&o);
    o.store = false;
    o.max_seek = 10;
    w = make_writer(&o);
    assert_int_not_equal(stat(g_out, &st), 0); /* -FX creates nothing */
    f = tcpf_wfile_create(w, &v);
    assert_int_equal(write_str(f, 0, "abc"), 0);
    assert_int_equal(write_str(f, 5, "de"), 0);
    assert_int_equal(tcpf_wfile_size(f), 7);
    assert_null(tcpf_wfile_path(f));
    assert_int_equal(tcpf_wfile_readback(f, 0, buf, 3), TCPF_WRITER_ENOTSTORED);
    assert_int_equal(write_str(f, 100, "x"), 0);
    assert_int_equal(tcpf_wfile_splits(f), 1);
    assert_int_equal(tcpf_wfile_close(f), 0);
    assert_int_equal(tcpf_writer_stats(w)->files_created, 0);
    tcpf_writer_destroy(w);
}

static void
test_mtime(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0), v2 = vars_n(1), v3 = vars_n(2);
    struct tcpf_wfile *f, *g, *h;
    char path[PATH_MAX];
    struct stat st;

    (void)state;
    tcpf_writer_opts_init(&o);
    o.max_fds = 1;
    w = make_writer(&o);
    v2.first_ts.sec = -100;                /* absurd: clamped to the epoch */
    v2.first_ts.nsec = 2000000000u;        /* invalid nsec: 0 */
    v3.first_ts.sec = INT64_C(1) << 62;    /* absurd: clamped to year 9999 */
    f = tcpf_wfile_create(w, &v);
    g = tcpf_wfile_create(w, &v2);
    h = tcpf_wfile_create(w, &v3);
    write_str(f, 0, "x");
    write_str(g, 0, "y"); /* evicts f: its time is set at eviction too */
    snprintf(path, sizeof(path), "%s/%s", g_out, NAME0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mtim.tv_sec, 1600000000);
    assert_int_equal(st.st_mtim.tv_nsec, 500000000);
    write_str(h, 0, "z");
    tcpf_wfile_close(f);
    tcpf_wfile_close(g);
    tcpf_wfile_close(h);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mtim.tv_sec, 1600000000);
    assert_int_equal(st.st_atim.tv_sec, 1600000000);
    snprintf(path, sizeof(path), "%s/010.000.000.001.40001-010.000.000.002.00080", g_out);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mtim.tv_sec, 0);
    assert_int_equal(st.st_mtim.tv_nsec, 0);
    snprintf(path, sizeof(path), "%s/010.000.000.001.40002-010.000.000.002.00080", g_out);
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_mtim.tv_sec > 1600000000); /* clamped, whatever the fs accepts */
    assert_false(tcpf_writer_failed(w));
    tcpf_writer_destroy(w);
}

static void
test_outdir(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    char err[TCPF_ERRBUF_SIZE], path[PATH_MAX];
    int cwd;
    FILE *fp;

    (void)state;
    tcpf_writer_opts_init(&o);
    /* one level is created */
    o.outdir = g_out;
    w = tcpf_writer_create(&o, err);
    assert_non_null(w);
    tcpf_writer_destroy(w);
    /* two levels are not, like tcpflow */
    snprintf(path, sizeof(path), "%s/a/b", g_base);
    o.outdir = path;
    assert_null(tcpf_writer_create(&o, err));
    assert_non_null(strstr(err, "cannot create output directory"));
    assert_non_null(strstr(err, "No such file or directory"));
    /* an existing file is not a directory */
    snprintf(path, sizeof(path), "%s/plain", g_base);
    fp = fopen(path, "w");
    fclose(fp);
    assert_null(tcpf_writer_create(&o, err));
    assert_non_null(strstr(err, "is not a directory"));
    /* a bad template is refused at creation */
    o.outdir = g_out;
    o.tmpl = "%A%Q";
    assert_null(tcpf_writer_create(&o, err));
    assert_non_null(strstr(err, "%Q"));

    /* "." and "dir/" give tcpflow's report paths */
    o.tmpl = NULL;
    cwd = open(".", O_RDONLY | O_DIRECTORY);
    assert_int_equal(chdir(g_out), 0);
    o.outdir = ".";
    w = tcpf_writer_create(&o, err);
    assert_non_null(w);
    f = tcpf_wfile_create(w, &v);
    write_str(f, 0, "dot");
    assert_string_equal(tcpf_wfile_path(f), NAME0);
    tcpf_wfile_close(f);
    tcpf_writer_destroy(w);
    o.outdir = "sub/";
    w = tcpf_writer_create(&o, err);
    assert_non_null(w);
    f = tcpf_wfile_create(w, &v);
    write_str(f, 0, "sub");
    assert_string_equal(tcpf_wfile_path(f), "sub/" NAME0);
    tcpf_wfile_close(f);
    tcpf_writer_destroy(w);
    assert_int_equal(fchdir(cwd), 0);
    close(cwd);
    expect_file(NAME0, "dot", 3);
    expect_file("sub/" NAME0, "sub", 3);
}

/* Child: read-only output directory, as an unprivileged user. Exit 0 when the writer fails
 * with exactly one error line and keeps quiet afterwards. */
static int
child_readonly(void)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v0 = vars_n(0), v1 = vars_n(1);
    struct tcpf_wfile *a, *b;
    struct capture cap;
    char err[TCPF_ERRBUF_SIZE], text[2048];
    int lines, i;

    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
        return 2;
    tcpf_writer_opts_init(&o);
    o.outdir = g_out;
    w = tcpf_writer_create(&o, err);
    if (w == NULL)
        return 3;
    a = tcpf_wfile_create(w, &v0);
    b = tcpf_wfile_create(w, &v1);
    capture_begin(&cap);
    for (i = 0; i < 100; i++) {
        if (write_str(a, (uint64_t)i * 4, "data") != TCPF_WRITER_EFAILED)
            return 4;
        if (write_str(b, (uint64_t)i * 4, "more") != TCPF_WRITER_EFAILED)
            return 5;
    }
    lines = capture_end(&cap, text, sizeof(text));
    if (lines != 1 || strstr(text, "Permission denied") == NULL ||
        strstr(text, "tcpflow: ") != text || strstr(text, g_out) == NULL) {
        fprintf(stderr, "got %d lines: %s", lines, text);
        return 6;
    }
    if (!tcpf_writer_failed(w) || tcpf_writer_stats(w)->skipped_bytes != 800)
        return 7;
    tcpf_wfile_close(a);
    tcpf_wfile_close(b);
    tcpf_writer_destroy(w);
    return 0;
}

static void
test_readonly_outdir(void **state)
{
    (void)state;
    assert_int_equal(mkdir(g_out, 0555), 0);
    assert_int_equal(chmod(g_out, 0555), 0);
    assert_int_equal(run_child(child_readonly), 0);
}

/* Child: RLIMIT_FSIZE makes writes fail with EFBIG (SIGXFSZ ignored): one line, failed.
 * Without coalescing (budget 0) the write that crosses the limit fails. */
static int
child_efbig(void)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    struct capture cap;
    struct rlimit rl = { 1000, 1000 };
    char err[TCPF_ERRBUF_SIZE], text[2048], chunk[300];
    int lines, i, rc = 0;

    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        return 2;
    tcpf_writer_opts_init(&o);
    o.outdir = g_out;
    o.buf_budget = 0;
    w = tcpf_writer_create(&o, err);
    if (w == NULL)
        return 3;
    f = tcpf_wfile_create(w, &v);
    memset(chunk, 'q', sizeof(chunk));
    capture_begin(&cap);
    for (i = 0; i < 10; i++)
        rc |= tcpf_wfile_write(f, (uint64_t)i * 300, (uint8_t *)chunk, 300);
    lines = capture_end(&cap, text, sizeof(text));
    if (rc != TCPF_WRITER_EFAILED || lines != 1 || strstr(text, "File too large") == NULL)
        return 4;
    /* 1000 bytes stored: 3 whole chunks and 100 bytes of the fourth (a short write) */
    if (tcpf_writer_stats(w)->bytes_written != 1000 ||
        tcpf_writer_stats(w)->skipped_bytes != 2000)
        return 5;
    if (tcpf_wfile_close(f) != TCPF_WRITER_EFAILED || !tcpf_writer_failed(w))
        return 6;
    tcpf_writer_destroy(w);
    return 0;
}

/* Child: the same with coalescing: the 3000 bytes sit in the buffer, the error shows when
 * the file is closed (flushed), names it, and the accounting is the same. */
static int
child_efbig_flush(void)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    struct capture cap;
    struct rlimit rl = { 1000, 1000 };
    char err[TCPF_ERRBUF_SIZE], text[2048], chunk[300];
    struct tcpf_wfile_info info;
    int lines, i, rc = 0;

    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        return 2;
    tcpf_writer_opts_init(&o);
    o.outdir = g_out;
    w = tcpf_writer_create(&o, err);
    if (w == NULL)
        return 3;
    f = tcpf_wfile_create(w, &v);
    memset(chunk, 'q', sizeof(chunk));
    capture_begin(&cap);
    for (i = 0; i < 10; i++)
        rc |= tcpf_wfile_write(f, (uint64_t)i * 300, (uint8_t *)chunk, 300);
    if (rc != TCPF_WRITER_OK || tcpf_writer_stats(w)->write_calls != 0)
        return 4; /* all buffered */
    tcpf_wfile_get_info(f, &info);
    if (info.stored != 3000)
        return 5;
    if (tcpf_wfile_close(f) != TCPF_WRITER_EFAILED || !tcpf_writer_failed(w))
        return 6;
    lines = capture_end(&cap, text, sizeof(text));
    if (lines != 1 || strstr(text, "File too large") == NULL || strstr(text, NAME0) == NULL) {
        fprintf(stderr, "got %d lines: %s", lines, text);
        return 7;
    }
    if (tcpf_writer_stats(w)->bytes_written != 1000 ||
        tcpf_writer_stats(w)->skipped_bytes != 2000)
        return 8;
    tcpf_writer_destroy(w);
    return 0;
}

/* on_close callback that records the stored count of the last instance. */
static void
on_closed_stored(void *ctx, const struct tcpf_wfile_info *info)
{
    *(uint64_t *)ctx = info->stored;
}

/* Child: two files, max_fds 1, RLIMIT_FSIZE 1000. The big one's buffered bytes fail when a
 * write to the small one evicts it: the message names the big file, not the one written;
 * the failed file's stored count loses the bytes that did not land. */
static int
child_efbig_evict(void)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v0 = vars_n(0), v1 = vars_n(1);
    struct tcpf_wfile *small, *big;
    struct capture cap;
    struct rlimit rl = { 1000, 1000 };
    char err[TCPF_ERRBUF_SIZE], text[2048], chunk[1500];
    uint64_t stored = 0;
    int lines;

    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        return 2;
    tcpf_writer_opts_init(&o);
    o.outdir = g_out;
    o.max_fds = 1;
    o.on_close = on_closed_stored;
    o.on_close_ctx = &stored;
    w = tcpf_writer_create(&o, err);
    if (w == NULL)
        return 3;
    small = tcpf_wfile_create(w, &v0);
    big = tcpf_wfile_create(w, &v1);
    memset(chunk, 'B', sizeof(chunk));
    capture_begin(&cap);
    if (write_str(small, 0, "small") != TCPF_WRITER_OK)
        return 4;
    if (tcpf_wfile_write(big, 0, (uint8_t *)chunk, sizeof(chunk)) != TCPF_WRITER_OK)
        return 5; /* evicted small (flushed fine); big is buffered */
    if (write_str(small, 5, "more") != TCPF_WRITER_EFAILED)
        return 6; /* evicting big flushed it: EFBIG */
    lines = capture_end(&cap, text, sizeof(text));
    if (lines != 1 || strstr(text, "File too large") == NULL ||
        strstr(text, "010.000.000.001.40001-") == NULL || strstr(text, NAME0) != NULL) {
        fprintf(stderr, "got %d lines: %s", lines, text);
        return 7;
    }
    tcpf_wfile_close(big);
    if (stored != 1000)
        return 8;
    tcpf_wfile_close(small);
    if (tcpf_writer_stats(w)->bytes_written != 1005 ||
        tcpf_writer_stats(w)->skipped_bytes != 500 + 4)
        return 9;
    tcpf_writer_destroy(w);
    return 0;
}

static void
test_efbig(void **state)
{
    (void)state;
    assert_int_equal(run_child(child_efbig), 0);
    teardown_dir(NULL);
    setup_dir(NULL);
    assert_int_equal(run_child(child_efbig_flush), 0);
    teardown_dir(NULL);
    setup_dir(NULL);
    assert_int_equal(run_child(child_efbig_evict), 0);
}

/* ---- writer: write coalescing ---- */

/* Returns the size of g_out/name on disk, or -1. */
static long
disk_size(const char *name)
{
    char path[PATH_MAX];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", g_out, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void
test_coalesce_basic(void **state)
{
    struct tcpf_writer *w = default_writer();
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f = tcpf_wfile_create(w, &v);
    const struct tcpf_writer_stats *s = tcpf_writer_stats(w);
    static uint8_t big[3 * TCPF_WRITER_BUF_MAX], back[3 * TCPF_WRITER_BUF_MAX];
    size_t i, off;

    (void)state;
    for (i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 131 + (i >> 9));
    /* 1448-byte appends: only full buffers are written before the close */
    for (off = 0; off < sizeof(big); off += 1448) {
        size_t n = sizeof(big) - off < 1448 ? sizeof(big) - off : 1448;

        assert_int_equal(tcpf_wfile_write(f, off, big + off, n), 0);
    }
    /* the buffer grows 4K..128K keeping its bytes, then one pwrite per full 128 KiB: 2
     * writes so far, the last 128 KiB are held until the close */
    assert_int_equal(s->write_calls, 2);
    assert_int_equal(s->buf_peak, TCPF_WRITER_BUF_MAX);
    assert_int_equal(tcpf_wfile_readback(f, 0, back, sizeof(back)), sizeof(big));
    assert_memory_equal(back, big, sizeof(big));
    assert_int_equal(tcpf_wfile_close(f), 0);
    assert_int_equal(s->write_calls, 3);
    assert_int_equal(s->bytes_written, sizeof(big));
    {
        char path[PATH_MAX];
        FILE *fp;

        snprintf(path, sizeof(path), "%s/%s", g_out, NAME0);
        fp = fopen(path, "rb");
        assert_non_null(fp);
        assert_int_equal(fread(back, 1, sizeof(back), fp), sizeof(big));
        fclose(fp);
        assert_memory_equal(back, big, sizeof(big));
    }
    tcpf_writer_destroy(w);
}

static void
test_readback_buffered(void **state)
{
    struct tcpf_writer *w = default_writer();
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f = tcpf_wfile_create(w, &v);
    uint8_t buf[64];

    (void)state;
    write_str(f, 0, "hello");
    write_str(f, 5, "world");
    assert_int_equal(disk_size(NAME0), 0); /* created, nothing written yet */
    assert_int_equal(tcpf_wfile_readback(f, 0, buf, sizeof(buf)), 10);
    assert_memory_equal(buf, "helloworld", 10);
    assert_int_equal(tcpf_wfile_readback(f, 3, buf, 4), 4);
    assert_memory_equal(buf, "lowo", 4);
    assert_int_equal(tcpf_writer_stats(w)->write_calls, 0);

    /* a hole: "helloworld" goes to disk, "abcde" is buffered at 20, the hole [10,20) is
     * past the file's end and reads as zeros */
    write_str(f, 20, "abcde");
    assert_int_equal(disk_size(NAME0), 10);
    assert_int_equal(tcpf_wfile_readback(f, 8, buf, 20), 17);
    assert_memory_equal(buf, "ld\0\0\0\0\0\0\0\0\0\0abcde", 17);
    assert_int_equal(tcpf_wfile_readback(f, 12, buf, 2), 2);
    assert_memory_equal(buf, "\0\0", 2);

    /* an overwrite in the middle: the buffer is flushed, the new bytes are buffered in the
     * middle of the file; readback takes them from the buffer and the rest from the file */
    write_str(f, 3, "LOWO");
    assert_int_equal(disk_size(NAME0), 25);
    assert_int_equal(tcpf_wfile_readback(f, 0, buf, sizeof(buf)), 25);
    assert_memory_equal(buf, "helLOWOrld\0\0\0\0\0\0\0\0\0\0abcde", 25);
    assert_int_equal(tcpf_wfile_readback(f, 22, buf, 10), 3);
    assert_memory_equal(buf, "cde", 3);
    tcpf_wfile_close(f);
    expect_file(NAME0, "helLOWOrld\0\0\0\0\0\0\0\0\0\0abcde", 25);
    tcpf_writer_destroy(w);
}

/* A write that starts inside the buffered run (a retransmission) overwrites it in place
 * and may extend it, without a flush. */
static void
test_overwrite_in_buffer(void **state)
{
    struct tcpf_writer *w = default_writer();
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f = tcpf_wfile_create(w, &v);
    struct tcpf_wfile_info info;
    uint8_t buf[32];

    (void)state;
    write_str(f, 0, "hello");
    write_str(f, 5, "world");
    write_str(f, 2, "LL");    /* inside */
    write_str(f, 8, "LDxy");  /* inside, then past the end */
    write_str(f, 12, "!");    /* an append again */
    assert_int_equal(tcpf_writer_stats(w)->write_calls, 0);
    assert_int_equal(disk_size(NAME0), 0);
    assert_int_equal(tcpf_wfile_readback(f, 0, buf, sizeof(buf)), 13);
    assert_memory_equal(buf, "heLLoworLDxy!", 13);
    tcpf_wfile_get_info(f, &info);
    assert_int_equal(info.size, 13);
    assert_int_equal(info.stored, 5 + 5 + 2 + 4 + 1);
    write_str(f, 1, "E");     /* not at the start of the run: still inside */
    tcpf_wfile_close(f);
    assert_int_equal(tcpf_writer_stats(w)->write_calls, 1);
    expect_file(NAME0, "hELLoworLDxy!", 13);
    tcpf_writer_destroy(w);
}

static void
test_budget_fallback(void **state)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_wfile *f[4];
    struct tcpf_outname_vars v;
    const struct tcpf_writer_stats *s;
    char name[128], want[4][48];
    unsigned i, r;

    (void)state;
    tcpf_writer_opts_init(&o);
    o.buf_budget = 2 * TCPF_WRITER_BUF_MIN; /* two small buffers */
    w = make_writer(&o);
    s = tcpf_writer_stats(w);
    for (i = 0; i < 4; i++) {
        v = vars_n(i);
        f[i] = tcpf_wfile_create(w, &v);
    }
    for (r = 0; r < 10; r++)
        for (i = 0; i < 4; i++) {
            char chunk[8];

            snprintf(chunk, sizeof(chunk), "%u%u%u|", i, r, i);
            memcpy(want[i] + r * 4, chunk, 4);
            assert_int_equal(tcpf_wfile_write(f[i], (uint64_t)r * 4, (uint8_t *)chunk, 4), 0);
        }
    /* files 0 and 1 hold buffers, 2 and 3 wrote each chunk directly (and asked again) */
    assert_int_equal(s->buf_peak, 2 * TCPF_WRITER_BUF_MIN);
    assert_int_equal(s->write_calls, 20);
    assert_int_equal(s->buffers_denied, 20);
    assert_int_equal(disk_size("010.000.000.001.40002-010.000.000.002.00080"), 40);
    assert_int_equal(disk_size(NAME0), 0);
    /* closing file 0 frees its buffer: file 3 gets it on its next write */
    tcpf_wfile_close(f[0]);
    assert_int_equal(write_str(f[3], 40, "+tail"), 0);
    assert_int_equal(s->write_calls, 21);
    for (i = 1; i < 4; i++)
        tcpf_wfile_close(f[i]);
    assert_int_equal(s->write_calls, 23);
    for (i = 0; i < 3; i++) {
        snprintf(name, sizeof(name), "010.000.000.001.%05u-010.000.000.002.00080", 40000 + i);
        expect_file(name, want[i], 40);
    }
    memcpy(want[3] + 40, "+tail", 5);
    expect_file("010.000.000.001.40003-010.000.000.002.00080", want[3], 45);
    assert_false(tcpf_writer_failed(w));
    tcpf_writer_destroy(w);
}

/* xorshift64*: deterministic test randomness. */
static uint64_t
rnd(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * UINT64_C(2685821657736338717);
}

/* Compares regular file a with b byte for byte. */
static bool
files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    static char ba[65536], bb[65536];
    bool same = fa != NULL && fb != NULL;
    size_t na, nb;

    while (same) {
        na = fread(ba, 1, sizeof(ba), fa);
        nb = fread(bb, 1, sizeof(bb), fb);
        same = na == nb && memcmp(ba, bb, na) == 0;
        if (na == 0)
            break;
    }
    if (fa != NULL)
        fclose(fa);
    if (fb != NULL)
        fclose(fb);
    return same;
}

/* nftw() has no context argument: the tree walk of trees_equal. */
static const char *g_walk_root, *g_walk_other;
static unsigned g_walk_files;
static bool g_walk_same;

static int
walk_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    char other[2 * PATH_MAX];

    (void)ftw;
    if (flag != FTW_F || !S_ISREG(st->st_mode))
        return 0;
    g_walk_files++;
    if (g_walk_other != NULL) {
        snprintf(other, sizeof(other), "%s%s", g_walk_other, path + strlen(g_walk_root));
        if (!files_equal(path, other)) {
            fprintf(stderr, "# differs: %s %s\n", path, other);
            g_walk_same = false;
        }
    }
    return 0;
}

/* True when trees a and b hold the same regular files with the same bytes. */
static bool
trees_equal(const char *a, const char *b)
{
    unsigned na;

    g_walk_same = true;
    g_walk_files = 0;
    g_walk_root = a;
    g_walk_other = b;
    if (nftw(a, walk_entry, 16, FTW_PHYS) != 0)
        return false;
    na = g_walk_files;
    g_walk_files = 0;
    g_walk_root = b;
    g_walk_other = NULL;
    if (nftw(b, walk_entry, 16, FTW_PHYS) != 0)
        return false;
    return g_walk_same && na == g_walk_files && na > 0;
}

#define RND_FILES 24

struct instance_sums {
    uint64_t n, size, stored;
};

/* on_close callback: adds up the finished instances. */
static void
on_closed_sum(void *ctx, const struct tcpf_wfile_info *info)
{
    struct instance_sums *sum = ctx;

    sum->n++;
    sum->size += info->size;
    sum->stored += info->stored;
}

/* Runs one random sequence of writes and readbacks over RND_FILES files against two
 * writers with the same options except coalescing (default budget into g_base/a, a small
 * one into g_base/b, none into g_base/c): every readback must give the same answer and the
 * output trees must be byte-identical. */
static void
random_run(uint64_t seed, unsigned max_fds, int64_t max_bytes)
{
    static const size_t budgets[3] = { TCPF_WRITER_DEFAULT_BUF_BUDGET,
                                       3 * TCPF_WRITER_BUF_MIN, 0 };
    static const char *dirs[3] = { "a", "b", "c" };
    struct tcpf_writer *w[3];
    struct tcpf_wfile *f[3][RND_FILES];
    uint64_t end[RND_FILES] = { 0 };
    static uint8_t data[600000], rb[3][70000];
    char outdir[3][PATH_MAX];
    struct instance_sums sums[3];
    uint64_t x = seed * 0x9E3779B97F4A7C15u + 1;
    unsigned op, i, k;

    for (i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)rnd(&x);
    for (k = 0; k < 3; k++) {
        struct tcpf_writer_opts o;

        tcpf_writer_opts_init(&o);
        snprintf(outdir[k], PATH_MAX, "%s/%s", g_base, dirs[k]);
        o.outdir = outdir[k];
        o.max_fds = max_fds;
        o.max_bytes = max_bytes;
        o.max_seek = 40000;
        o.buf_budget = budgets[k];
        o.on_close = on_closed_sum;
        o.on_close_ctx = &sums[k];
        memset(&sums[k], 0, sizeof(sums[k]));
        w[k] = make_writer(&o);
        for (i = 0; i < RND_FILES; i++) {
            struct tcpf_outname_vars v = vars_n(i % (RND_FILES - 4)); /* some share names */

            f[k][i] = tcpf_wfile_create(w[k], &v);
        }
    }
    for (op = 0; op < 2500; op++) {
        uint64_t r = rnd(&x), off;
        size_t len, src;
        unsigned kind = (unsigned)(r % 100);

        i = (unsigned)((r >> 8) % RND_FILES);
        len = 1 + (size_t)((r >> 16) % 3000);
        if (kind < 70)
            off = end[i]; /* append */
        else if (kind < 80)
            off = end[i] > 0 ? (r >> 32) % end[i] : 0; /* overwrite (retransmission) */
        else if (kind < 88)
            off = end[i] + (r >> 32) % 5000; /* small hole */
        else if (kind < 90)
            off = end[i] + 50000 + (r >> 32) % 1000; /* hole > max_seek: split */
        else if (kind < 91) {
            off = end[i];
            len = (size_t)(r >> 40) % 300000 + 1; /* often bigger than any buffer */
        } else {
            /* readback somewhere around the end */
            long got[3];

            off = end[i] > 0 ? (r >> 32) % (end[i] + 100) : 0;
            len = 1 + (size_t)((r >> 16) % sizeof(rb[0]));
            for (k = 0; k < 3; k++)
                got[k] = tcpf_wfile_readback(f[k][i], off, rb[k], len);
            assert_int_equal(got[0], got[2]);
            assert_int_equal(got[1], got[2]);
            if (got[2] > 0) {
                assert_memory_equal(rb[0], rb[2], (size_t)got[2]);
                assert_memory_equal(rb[1], rb[2], (size_t)got[2]);
            }
            continue;
        }
        src = (size_t)(rnd(&x) % (sizeof(data) - len));
        for (k = 0; k < 3; k++)
            assert_int_equal(tcpf_wfile_write(f[k][i], off, data + src, len), 0);
        if (off + len > end[i])
            end[i] = off + len;
        if (kind < 10 && (r >> 60) == 0) {
            /* now and then a direction ends and a new one takes the slot */
            struct tcpf_outname_vars v = vars_n(i % (RND_FILES - 4));

            for (k = 0; k < 3; k++) {
                assert_int_equal(tcpf_wfile_close(f[k][i]), 0);
                f[k][i] = tcpf_wfile_create(w[k], &v);
            }
            end[i] = 0;
        }
    }
    for (k = 0; k < 3; k++) {
        for (i = 0; i < RND_FILES; i++)
            assert_int_equal(tcpf_wfile_close(f[k][i]), 0);
        assert_false(tcpf_writer_failed(w[k]));
    }
    /* the same per-instance accounting, far fewer system calls; an overwrite of buffered
     * bytes reaches the file once, so bytes_written can only be lower */
    assert_int_equal(sums[0].stored, sums[2].stored);
    assert_int_equal(sums[1].stored, sums[2].stored);
    assert_int_equal(sums[0].size, sums[2].size);
    assert_int_equal(sums[0].n, sums[2].n);
    assert_int_equal(sums[1].n, sums[2].n);
    assert_true(tcpf_writer_stats(w[0])->bytes_written <=
                tcpf_writer_stats(w[2])->bytes_written);
    assert_int_equal(tcpf_writer_stats(w[0])->splits, tcpf_writer_stats(w[2])->splits);
    assert_true(tcpf_writer_stats(w[0])->write_calls < tcpf_writer_stats(w[2])->write_calls);
    assert_true(tcpf_writer_stats(w[1])->buf_peak <= 3 * TCPF_WRITER_BUF_MIN);
    for (k = 0; k < 3; k++)
        tcpf_writer_destroy(w[k]);
    assert_true(trees_equal(outdir[0], outdir[2]));
    assert_true(trees_equal(outdir[1], outdir[2]));
}

static void
test_coalesce_random(void **state)
{
    uint64_t seed;

    (void)state;
    for (seed = 1; seed <= 3; seed++) {
        /* plenty of descriptors, a tight LRU, and -b */
        random_run(seed, 64, -1);
        teardown_dir(NULL);
        setup_dir(NULL);
        random_run(seed + 100, 5, -1);
        teardown_dir(NULL);
        setup_dir(NULL);
        random_run(seed + 200, 7, 20000);
        teardown_dir(NULL);
        setup_dir(NULL);
    }
}

/* Child: RLIMIT_NOFILE 5 fails the start-up check with the documented message. */
static int
child_fds_too_few(void)
{
    struct rlimit rl = { 5, 5 };
    char err[TCPF_ERRBUF_SIZE] = "";

    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 2;
    if (tcpf_writer_check_fds(err) != -1)
        return 3;
    if (strcmp(err, "need at least 10 file descriptors, have 5") != 0)
        return 4;
    if (tcpf_writer_default_max_fds() != 1)
        return 5;
    return 0;
}

/* Child: RLIMIT_NOFILE 12 but max_fds 100: EMFILE is met and handled by closing our own
 * files; every byte still lands. */
static int
child_emfile(void)
{
    struct rlimit rl = { 12, 12 };
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_wfile *f[40];
    struct tcpf_outname_vars v;
    char err[TCPF_ERRBUF_SIZE], name[128], buf[256], want[200];
    unsigned i, r;

    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 2;
    if (tcpf_writer_check_fds(err) != 0 || tcpf_writer_default_max_fds() != 4)
        return 3;
    tcpf_writer_opts_init(&o);
    o.outdir = g_out;
    o.max_fds = 100;
    w = tcpf_writer_create(&o, err);
    if (w == NULL)
        return 4;
    for (i = 0; i < 40; i++) {
        v = vars_n(i);
        f[i] = tcpf_wfile_create(w, &v);
    }
    for (r = 0; r < 10; r++)
        for (i = 0; i < 40; i++) {
            char chunk[64];

            snprintf(chunk, sizeof(chunk), "flow %02u round %02u  |", i % 100, r % 100);
            if (tcpf_wfile_write(f[i], (uint64_t)r * 20, (uint8_t *)chunk, 20) != 0)
                return 5;
        }
    for (i = 0; i < 40; i++)
        if (tcpf_wfile_close(f[i]) != 0)
            return 6;
    if (tcpf_writer_failed(w) || tcpf_writer_stats(w)->emfile_retries == 0)
        return 7;
    tcpf_writer_destroy(w);
    for (i = 0; i < 40; i++) {
        for (r = 0; r < 10; r++) {
            char chunk[64];

            snprintf(chunk, sizeof(chunk), "flow %02u round %02u  |", i % 100, r % 100);
            memcpy(want + r * 20, chunk, 20);
        }
        snprintf(name, sizeof(name), "010.000.000.001.%05u-010.000.000.002.00080", 40000 + i);
        if (slurp(name, buf, sizeof(buf)) != 200 || memcmp(buf, want, 200) != 0)
            return 8;
    }
    return 0;
}

/* Child: no fd left at all and none of ours to close: one clear error. */
static int
child_emfile_none(void)
{
    struct tcpf_writer_opts o;
    struct tcpf_writer *w;
    struct tcpf_outname_vars v = vars_n(0);
    struct tcpf_wfile *f;
    struct capture cap;
    struct rlimit rl;
    char err[TCPF_ERRBUF_SIZE], text[2048];
    int lines;

    tcpf_writer_opts_init(&o);
    o.outdir = g_out;
    w = tcpf_writer_create(&o, err);
    if (w == NULL)
        return 2;
    f = tcpf_wfile_create(w, &v);
    capture_begin(&cap); /* uses fds: do it before lowering the limit */
    rl.rlim_cur = rl.rlim_max = (rlim_t)dup(0); /* the lowest free fd: no room above */
    close((int)rl.rlim_cur);
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 3;
    if (write_str(f, 0, "x") != TCPF_WRITER_EFAILED)
        return 4;
    lines = capture_end(&cap, text, sizeof(text));
    if (lines != 1 || strstr(text, "Too many open files") == NULL)
        return 5;
    tcpf_wfile_close(f);
    tcpf_writer_destroy(w);
    return 0;
}

static void
test_fd_limits(void **state)
{
    char err[TCPF_ERRBUF_SIZE];

    (void)state;
    assert_int_equal(tcpf_writer_check_fds(err), 0);
    assert_int_equal(run_child(child_fds_too_few), 0);
    assert_int_equal(run_child(child_emfile), 0);
    assert_int_equal(run_child(child_emfile_none), 0);
}

/* ---- console ---- */

/* Prints segments through a console on a temporary file and returns the output.
 * printed NULL: the console keeps the -b counts by name. */
static size_t
console_run(const struct tcpf_console_opts *o, int64_t max_bytes,
            const struct tcpf_console_seg *segs, size_t nseg, uint64_t *printed, char *out,
            size_t size)
{
    struct tcpf_console *c;
    FILE *fp = tmpfile();
    size_t i, n;

    c = tcpf_console_create(fp, o, max_bytes);
    assert_non_null(c);
    for (i = 0; i < nseg; i++)
        assert_int_equal(tcpf_console_print(c, &segs[i], printed), TCPF_CONSOLE_OK);
    assert_int_equal(tcpf_console_destroy(c), TCPF_CONSOLE_OK);
    rewind(fp);
    n = fread(out, 1, size - 1, fp);
    out[n] = '\0';
    fclose(fp);
    return n;
}

static struct tcpf_console_seg
seg_of(const char *name, const char *data, size_t len, bool client)
{
    struct tcpf_console_seg s;

    memset(&s, 0, sizeof(s));
    s.name = name;
    s.data = (const uint8_t *)data;
    s.len = len;
    s.is_client = client;
    return s;
}

static void
test_console_text(void **state)
{
    struct tcpf_console_opts o;
    struct tcpf_console_seg s[2];
    char out[512];
    uint64_t printed = 0;
    size_t n;

    (void)state;
    memset(&o, 0, sizeof(o));
    o.enabled = true; /* -c */
    s[0] = seg_of("A-B", "GET /\x01\t\xff\r\n", 10, true);
    s[1] = seg_of("B-A", "HI", 2, false);
    n = console_run(&o, -1, s, 2, &printed, out, sizeof(out));
    assert_int_equal(n, 24);
    assert_memory_equal(out, "A-B: GET /...\r\n\nB-A: HI\n", 24);
    assert_int_equal(printed, 12);

    o.suppress_header = true; /* -C */
    o.no_newline = true;      /* -0 */
    n = console_run(&o, -1, s, 2, NULL, out, sizeof(out));
    assert_int_equal(n, 12);
    assert_memory_equal(out, "GET /...\r\nHI", 12);

    o.binary = true; /* -B */
    n = console_run(&o, -1, s, 1, NULL, out, sizeof(out));
    assert_int_equal(n, 10);
    assert_memory_equal(out, "GET /\x01\t\xff\r\n", 10);

    memset(&o, 0, sizeof(o));
    o.color = true; /* -g */
    n = console_run(&o, -1, s, 2, NULL, out, sizeof(out));
    assert_string_equal(out, "\033[0;34mA-B: GET /...\r\n\033[0m\n\033[0;31mB-A: HI\033[0m\n");
}

static void
test_console_cap(void **state)
{
    struct tcpf_console_opts o;
    struct tcpf_console_seg s[5];
    struct tcpf_console *c;
    char out[512];
    uint64_t printed = 0;
    FILE *fp;
    size_t n;

    (void)state;
    memset(&o, 0, sizeof(o));
    s[0] = seg_of("f", "abc", 3, true);
    s[1] = seg_of("f", "def", 3, true);
    s[2] = seg_of("f", "ghi", 3, true);
    console_run(&o, 5, s, 3, &printed, out, sizeof(out));
    assert_string_equal(out, "f: abc\nf: de\n");
    assert_int_equal(printed, 5);

    /* the console's own per-name counts (tcpf_console_segment), many names */
    fp = tmpfile();
    c = tcpf_console_create(fp, &o, 2);
    assert_non_null(c);
    for (int i = 0; i < 300; i++) {
        char name[16];

        snprintf(name, sizeof(name), "n%d", i);
        assert_int_equal(tcpf_console_segment(c, name, true, (const uint8_t *)"xyz", 3), 0);
        assert_int_equal(tcpf_console_segment(c, name, true, (const uint8_t *)"xyz", 3), 0);
    }
    assert_int_equal(tcpf_console_segment(c, "n7", false, (const uint8_t *)"Q", 1), 0);
    assert_int_equal(tcpf_console_segments(c), 300);
    assert_int_equal(tcpf_console_bytes(c), 600);
    assert_int_equal(tcpf_console_destroy(c), 0);
    rewind(fp);
    n = fread(out, 1, 20, fp);
    fclose(fp);
    assert_int_equal(n, 20);
    assert_memory_equal(out, "n0: xy\nn1: xy\nn2: xy", 20);
}

static void
test_console_hex(void **state)
{
    struct tcpf_console_opts o;
    struct tcpf_console_seg s;
    char out[1024], want[1024], data[40];
    int i;

    (void)state;
    for (i = 0; i < 40; i++)
        data[i] = (char)(0x41 + i);
    data[39] = '\n';
    memset(&o, 0, sizeof(o));
    o.hexdump = true;
    s = seg_of("f", data, 40, true);
    console_run(&o, -1, &s, 1, NULL, out, sizeof(out));
    /* the ASCII column of the short line lines up with the full one (column 87) */
    snprintf(want, sizeof(want),
             "f: \n"
             "0000: 4142 4344 4546 4748 494a 4b4c 4d4e 4f50 5152 5354 5556 5758 595a 5b5c "
             "5d5e 5f60  ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`\n"
             "0020: 6162 6364 6566 670a%62sabcdefg.\n"
             "\n",
             "");
    assert_string_equal(out, want);
}

static void
test_console_json(void **state)
{
    struct tcpf_console_opts o;
    struct tcpf_console_seg s;
    struct tcpf_outname_vars v = vars_n(0);
    char out[512];

    (void)state;
    memset(&o, 0, sizeof(o));
    o.json = true;
    s = seg_of("ignored", "GE\x00\xff", 4, true);
    s.vars = &v;
    console_run(&o, -1, &s, 1, NULL, out, sizeof(out));
    assert_string_equal(out, "{\"src_host\":\"10.0.0.1\",\"src_port\":40000,\"dst_host\":"
                             "\"10.0.0.2\",\"dst_port\":80,\"payload\": [71,69,0,255]}\n");
    v.family = TCPF_AF_INET6;
    memset(v.src, 0, 16);
    v.src[15] = 1;
    memset(v.dst, 0, 16);
    v.dst[0] = 0xfe, v.dst[1] = 0x80, v.dst[15] = 2;
    console_run(&o, -1, &s, 1, NULL, out, sizeof(out));
    assert_string_equal(out, "{\"src_host\":\"::1\",\"src_port\":40000,\"dst_host\":"
                             "\"fe80::2\",\"dst_port\":80,\"payload\": [71,69,0,255]}\n");
}

static void
test_console_errors(void **state)
{
    struct tcpf_console_opts o;
    struct tcpf_console *c;
    struct tcpf_console_seg s = seg_of("f", "data", 4, true);
    struct capture cap;
    char text[1024];
    int p[2], i;
    FILE *fp;

    (void)state;
    memset(&o, 0, sizeof(o));
    /* EPIPE: quiet, sticky */
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    fp = fdopen(p[1], "w");
    c = tcpf_console_create(fp, &o, -1);
    capture_begin(&cap);
    assert_int_equal(tcpf_console_print(c, &s, NULL), TCPF_CONSOLE_EPIPE);
    assert_int_equal(tcpf_console_print(c, &s, NULL), TCPF_CONSOLE_EPIPE);
    assert_int_equal(capture_end(&cap, text, sizeof(text)), 0);
    assert_int_equal(tcpf_console_destroy(c), TCPF_CONSOLE_EPIPE);
    fclose(fp);
    signal(SIGPIPE, SIG_DFL);

    /* ENOSPC on /dev/full: one line, sticky */
    fp = fopen("/dev/full", "w");
    if (fp == NULL)
        skip();
    c = tcpf_console_create(fp, &o, -1);
    capture_begin(&cap);
    for (i = 0; i < 5; i++)
        assert_int_equal(tcpf_console_print(c, &s, NULL), TCPF_CONSOLE_EIO);
    assert_int_equal(capture_end(&cap, text, sizeof(text)), 1);
    assert_non_null(strstr(text, "tcpflow: stdout: No space left on device"));
    assert_int_equal(tcpf_console_status(c), TCPF_CONSOLE_EIO);
    assert_int_equal(tcpf_console_destroy(c), TCPF_CONSOLE_EIO);
    fclose(fp);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown_dir)
    const struct CMUnitTest tests[] = {
        T(test_in_order),
        T(test_out_of_order),
        T(test_max_bytes),
        T(test_sparse_gap),
        T(test_gap_split),
        T(test_gap_total_split),
        T(test_symlink_at_name),
        T(test_collision_probing),
        T(test_collision_no_counter),
        T(test_subdir_template),
        T(test_fd_lru),
        T(test_reopen_checks),
        T(test_readback),
        T(test_no_store),
        T(test_mtime),
        T(test_outdir),
        T(test_readonly_outdir),
        T(test_efbig),
        T(test_coalesce_basic),
        T(test_readback_buffered),
        T(test_overwrite_in_buffer),
        T(test_budget_fallback),
        T(test_coalesce_random),
        T(test_fd_limits),
        cmocka_unit_test(test_console_text),
        cmocka_unit_test(test_console_cap),
        cmocka_unit_test(test_console_hex),
        cmocka_unit_test(test_console_json),
        cmocka_unit_test(test_console_errors),
    };
#undef T

    return cmocka_run_group_tests_name("writer", tests, NULL, NULL);
}
