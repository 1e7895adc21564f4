/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: LD_PRELOAD shim that makes the Nth allocation after main() starts fail (item 34)
 *
 * Environment:
 *   FAILMALLOC_N=N        the Nth call (1-based) to malloc, calloc, realloc, posix_memalign,
 *                         aligned_alloc or memalign counted from the entry of main() returns
 *                         NULL (ENOMEM). Unset or 0: nothing fails (the shim only counts).
 *   FAILMALLOC_PERSIST=1  every call from the Nth on fails, not just the Nth.
 *   FAILMALLOC_TRACE=FD   write a backtrace (backtrace_symbols_fd) of each failed call to FD
 *   FAILMALLOC_SEGV=FD    on SIGSEGV/SIGBUS/SIGABRT write a backtrace to FD, then die by the
 *                         signal as before (finds the crash site without a debugger)
 *   FAILMALLOC_REPORT=FD  at exit, write "failmalloc: calls=C failed=F\n" to file descriptor FD
 *                         (so a test learns how many allocations a run makes and whether the
 *                         injected failure was reached).
 * The marker is main(): the shim interposes __libc_start_main and starts counting when the
 * program's main() is entered, so allocations by the dynamic loader and libc start-up are never
 * failed. Allocations by constructors of preloaded libraries are not counted either. The real
 * allocator is glibc's (__libc_malloc and friends), so no dlsym() recursion is involved.
 * Not usable with AddressSanitizer, whose runtime replaces malloc itself.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
void *memalign(size_t align, size_t size);

static volatile int fm_counting;
static unsigned long fm_n, fm_calls, fm_failed;
static int fm_persist, fm_report_fd = -1, fm_trace_fd = -1, fm_segv_fd = -1;

static int (*fm_real_main)(int, char **, char **);

static unsigned long
fm_env_ul(const char *name)
{
    const char *s = getenv(name);

    return s != NULL ? strtoul(s, NULL, 10) : 0;
}

static void
fm_report(void)
{
    char buf[96];
    int n;

    if (fm_report_fd < 0)
        return;
    fm_counting = 0;
    n = snprintf(buf, sizeof(buf), "failmalloc: calls=%lu failed=%lu\n", fm_calls, fm_failed);
    if (n > 0)
        (void)!write(fm_report_fd, buf, (size_t)n);
}

/* True when this allocation must fail. */
static int
fm_fail(void)
{
    unsigned long c;

    if (!fm_counting)
        return 0;
    c = __atomic_add_fetch(&fm_calls, 1, __ATOMIC_RELAXED);
    if (fm_n == 0)
        return 0;
    if (c == fm_n || (fm_persist && c > fm_n)) {
        __atomic_add_fetch(&fm_failed, 1, __ATOMIC_RELAXED);
        if (fm_trace_fd >= 0) {
            void *pcs[32];
            char head[64];
            int k = snprintf(head, sizeof(head), "failmalloc: failing call %lu:\n", c);

            fm_counting = 0; /* backtrace() must not recurse into a failure */
            if (k > 0)
                (void)!write(fm_trace_fd, head, (size_t)k);
            backtrace_symbols_fd(pcs, backtrace(pcs, 32), fm_trace_fd);
            fm_counting = 1;
        }
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

static void
fm_on_signal(int sig)
{
    void *pcs[48];
    char head[64];
    int k;

    fm_counting = 0;
    k = snprintf(head, sizeof(head), "failmalloc: signal %d after %lu calls:\n", sig, fm_calls);
    if (k > 0)
        (void)!write(fm_segv_fd, head, (size_t)k);
    backtrace_symbols_fd(pcs, backtrace(pcs, 48), fm_segv_fd);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int
fm_main(int argc, char **argv, char **envp)
{
    fm_n = fm_env_ul("FAILMALLOC_N");
    fm_persist = fm_env_ul("FAILMALLOC_PERSIST") != 0;
    if (getenv("FAILMALLOC_REPORT") != NULL) {
        fm_report_fd = (int)fm_env_ul("FAILMALLOC_REPORT");
        atexit(fm_report);
    }
    if (getenv("FAILMALLOC_SEGV") != NULL) {
        fm_segv_fd = (int)fm_env_ul("FAILMALLOC_SEGV");
        signal(SIGSEGV, fm_on_signal);
        signal(SIGBUS, fm_on_signal);
        signal(SIGABRT, fm_on_signal);
    }
    /* No backtrace() here to load libgcc_s early: that would shift the allocation count
     * and hide what a run without tracing does; the first trace loads it, uncounted. */
    if (getenv("FAILMALLOC_TRACE") != NULL)
        fm_trace_fd = (int)fm_env_ul("FAILMALLOC_TRACE");
    fm_counting = 1;
    return fm_real_main(argc, argv, envp);
}

typedef int (*fm_start_fn)(int (*)(int, char **, char **), int, char **, void (*)(void),
                           void (*)(void), void (*)(void), void *);

int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                      void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
                      void *stack_end);

int
__libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                  void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
                  void *stack_end)
{
    fm_start_fn real = (fm_start_fn)dlsym(RTLD_NEXT, "__libc_start_main");

    fm_real_main = main;
    return real(fm_main, argc, argv, init, fini, rtld_fini, stack_end);
}

void *
malloc(size_t size)
{
    return fm_fail() ? NULL : __libc_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
    return fm_fail() ? NULL : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t size)
{
    return fm_fail() ? NULL : __libc_realloc(p, size);
}

void *
memalign(size_t align, size_t size)
{
    return fm_fail() ? NULL : __libc_memalign(align, size);
}

void *
aligned_alloc(size_t align, size_t size)
{
    return fm_fail() ? NULL : __libc_memalign(align, size);
}

int
posix_memalign(void **out, size_t align, size_t size)
{
    void *p;

    if (fm_fail())
        return ENOMEM;
    p = __libc_memalign(align, size);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}
