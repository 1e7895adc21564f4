/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: scanner plugin discovery, dlopen, ABI checks, option tables, enable/disable
 *
 * References: sdk/include/tcpflow/scanner.h (the ABI), RELIABILITY.md §4 "Plugin (scanner)
 * loading", STYLE.md §2.3.
 */
#include "config.h"

#include "loader.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* The frozen header of struct tcpf_scanner: these offsets never change, in any ABI. */
_Static_assert(offsetof(struct tcpf_scanner, abi_major) == 0, "frozen: abi_major");
_Static_assert(offsetof(struct tcpf_scanner, abi_minor) == 4, "frozen: abi_minor");
_Static_assert(offsetof(struct tcpf_scanner, struct_size) == 8, "frozen: struct_size");
_Static_assert(offsetof(struct tcpf_scanner, flags) == 12, "frozen: flags");
_Static_assert(offsetof(struct tcpf_scanner, name) == 16, "frozen: name");
_Static_assert(offsetof(struct tcpf_scanner, version) == 16 + sizeof(void *), "frozen: version");
/* The ABI 1.0 layout: fields may only be appended after shutdown. */
_Static_assert(offsetof(struct tcpf_scanner, description) == 16 + 2 * sizeof(void *),
               "1.0 layout: description");
_Static_assert(offsetof(struct tcpf_scanner, options) == 16 + 3 * sizeof(void *),
               "1.0 layout: options");
_Static_assert(offsetof(struct tcpf_scanner, stream_max) == 16 + 4 * sizeof(void *),
               "1.0 layout: stream_max");
_Static_assert(offsetof(struct tcpf_scanner, init) == 24 + 4 * sizeof(void *),
               "1.0 layout: init");
_Static_assert(offsetof(struct tcpf_scanner, shutdown) == 24 + 10 * sizeof(void *),
               "1.0 layout: shutdown");
_Static_assert(offsetof(struct tcpf_host, log) == 16, "1.0 layout: host log");
_Static_assert(offsetof(struct tcpf_scanner_option, type) == sizeof(void *),
               "1.0 layout: option type");
_Static_assert(TCPF_ABI_MAJOR == 1, "this loader implements ABI 1.x");

/* Bytes of the frozen header, and of the complete ABI 1.0 descriptor. */
#define LOADER_FROZEN_SIZE (offsetof(struct tcpf_scanner, version) + sizeof(const char *))
#define LOADER_SIZE_1_0    (offsetof(struct tcpf_scanner, shutdown) + sizeof(void (*)(void *)))

/* A file refused by the loader, remembered for "-e NAME" errors and -H. */
struct loader_refusal {
    char *name;   /* scanner name if readable, else the file name without ".so" */
    char *path;
    char *reason;
};

/* A searched directory whose "*.so" files are not loaded yet (loading is deferred to the
 * first need: tcpf_loader_apply_cmds, tcpf_loader_apply_settings, tcpf_loader_list). */
struct loader_srcdir {
    int fd;                  /* the checked directory, for openat() */
    char *path;              /* as given */
    enum tcpf_plugin_origin origin;
    char **files;            /* "*.so" names, strcmp order */
    size_t n_files;
};

struct tcpf_loader {
    struct tcpf_plugin *plugins;
    size_t n_plugins, cap_plugins;
    struct loader_refusal *refused;
    size_t n_refused, cap_refused;
    struct loader_srcdir *pending;  /* directories still to load, search order */
    size_t n_pending;
    bool all_off;            /* the commands disabled every scanner whatever its name: files
                              * are not loaded unless -H or a -S scanner.key needs them */
};

/* Process-wide table of files already mapped: (device, inode) -> dlopen handle. The
 * descriptor used for "/proc/self/fd/N" stays open as long as the object is mapped. */
struct loader_mapped {
    dev_t dev;
    ino_t ino;
    void *handle;   /* our one dlopen() reference */
    int fd;         /* the N of "/proc/self/fd/N" */
    size_t users;   /* loader_map() calls not yet matched by loader_unmap() */
};
static struct loader_mapped *loader_mapped_tab;
static size_t loader_mapped_n;

/* LeakSanitizer (sanitizer builds): what a plugin's libraries allocate in their constructors
 * while dlopen() runs is not ours to free, and LSan finds it through those libraries'
 * globals only while they are mapped; once an unused plugin is dlclose()d it would be
 * reported as leaked (e.g. pixman's implementation table, loaded by netviz's cairo). So
 * allocations during dlopen() are not leak-checked. Weak: NULL without a sanitizer runtime. */
extern void __lsan_disable(void) __attribute__((weak));
extern void __lsan_enable(void) __attribute__((weak));

/* ---- small helpers --------------------------------------------------------------------- */

static void
loader_err(char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
loader_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (errbuf == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

bool
tcpf_loader_name_ok(const char *name)
{
    size_t i;

    if (name == NULL || name[0] == '\0' || strcmp(name, "all") == 0)
        return false;
    for (i = 0; name[i] != '\0'; i++) {
        char c = name[i];

        if (i >= TCPF_NAME_MAX)
            return false;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

int
tcpf_loader_parse_value(uint32_t type, const char *text, struct tcpf_optval *out)
{
    unsigned long long v;
    char *end;
    int shift = 0;

    if (text == NULL)
        text = "";
    switch (type) {
    case TCPF_OPT_STR:
        return 0;
    case TCPF_OPT_BOOL:
        if (strchr("YyTt1", text[0]) != NULL && text[0] != '\0')
            out->b = true;
        else if (strchr("NnFf0", text[0]) != NULL && text[0] != '\0')
            out->b = false;
        else
            return -1;
        return 0;
    case TCPF_OPT_U64:
        if (!isdigit((unsigned char)text[0]))
            return -1;
        errno = 0;
        v = strtoull(text, &end, 0);
        if (errno != 0 || end == text)
            return -1;
        switch (*end) {
        case 'k': case 'K': shift = 10; end++; break;
        case 'm': case 'M': shift = 20; end++; break;
        case 'g': case 'G': shift = 30; end++; break;
        case 't': case 'T': shift = 40; end++; break;
        default: break;
        }
        if (*end != '\0' || (shift > 0 && v > (UINT64_MAX >> shift)))
            return -1;
        out->u64 = (uint64_t)v << shift;
        return 0;
    default:
        return -1;
    }
}

static const char *
loader_type_name(uint32_t type)
{
    switch (type) {
    case TCPF_OPT_STR: return "string";
    case TCPF_OPT_BOOL: return "bool";
    case TCPF_OPT_U64: return "u64";
    default: return "?";
    }
}

/* Checks the option table of a (copied) descriptor. */
static int
loader_check_options(const struct tcpf_scanner *d, char *errbuf, size_t errlen)
{
    const struct tcpf_scanner_option *o = d->options;
    size_t i, j;

    if (o == NULL)
        return 0;
    for (i = 0; o[i].key != NULL; i++) {
        struct tcpf_optval v = { 0 };

        if (i >= TCPF_LOADER_MAX_OPTIONS) {
            loader_err(errbuf, errlen, "more than %d options", TCPF_LOADER_MAX_OPTIONS);
            return -1;
        }
        if (strcmp(o[i].key, "all") == 0 || !tcpf_loader_name_ok(o[i].key)) {
            loader_err(errbuf, errlen, "invalid option key '%.40s' (want [a-z0-9_]+)",
                       o[i].key);
            return -1;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(o[j].key, o[i].key) == 0) {
                loader_err(errbuf, errlen, "option '%s' declared twice", o[i].key);
                return -1;
            }
        }
        if (o[i].type < TCPF_OPT_STR || o[i].type > TCPF_OPT_U64) {
            loader_err(errbuf, errlen, "option '%s' has unknown type %" PRIu32, o[i].key,
                       o[i].type);
            return -1;
        }
        if (tcpf_loader_parse_value(o[i].type, o[i].def, &v) < 0) {
            loader_err(errbuf, errlen, "default '%.40s' of option '%s' is not a valid %s",
                       o[i].def ? o[i].def : "", o[i].key, loader_type_name(o[i].type));
            return -1;
        }
    }
    return 0;
}

/* Rules about which callbacks go together (see struct tcpf_scanner). */
static int
loader_check_callbacks(const struct tcpf_scanner *d, char *errbuf, size_t errlen)
{
    if (d->packet == NULL && d->flow_data == NULL && d->flow_stream == NULL &&
        d->flow_close == NULL) {
        loader_err(errbuf, errlen,
                   "no packet, flow_data, flow_stream or flow_close callback: nothing to do");
        return -1;
    }
    if (d->flow_open != NULL && d->flow_close == NULL) {
        loader_err(errbuf, errlen, "flow_open without flow_close");
        return -1;
    }
    if ((d->flow_stream != NULL) != (d->stream_max > 0)) {
        loader_err(errbuf, errlen, "flow_stream and stream_max must be set together");
        return -1;
    }
    return 0;
}

int
tcpf_loader_check_desc(const struct tcpf_scanner *d, struct tcpf_scanner *out, char *errbuf,
                       size_t errlen)
{
    struct tcpf_scanner c;

    if (d->struct_size < LOADER_FROZEN_SIZE) {
        loader_err(errbuf, errlen, "descriptor too small (%" PRIu32 " bytes)", d->struct_size);
        return -1;
    }
    if (d->abi_major != TCPF_ABI_MAJOR) {
        loader_err(errbuf, errlen, "built for an incompatible scanner ABI (major %" PRIu32
                   ", this tcpflow needs %d); rebuild it against this tcpflow's SDK",
                   d->abi_major, TCPF_ABI_MAJOR);
        return -1;
    }
    if (d->abi_minor > TCPF_ABI_MINOR) {
        loader_err(errbuf, errlen, "built for scanner ABI %" PRIu32 ".%" PRIu32 ", newer than"
                   " this tcpflow's %d.%d; upgrade tcpflow or rebuild the plugin", d->abi_major,
                   d->abi_minor, TCPF_ABI_MAJOR, TCPF_ABI_MINOR);
        return -1;
    }
    if (d->struct_size < LOADER_SIZE_1_0) {
        loader_err(errbuf, errlen, "descriptor smaller than the ABI 1.0 layout (%" PRIu32
                   " < %zu bytes)", d->struct_size, (size_t)LOADER_SIZE_1_0);
        return -1;
    }
    memset(&c, 0, sizeof(c));
    memcpy(&c, d, d->struct_size < sizeof(c) ? d->struct_size : sizeof(c));
    if (!tcpf_loader_name_ok(c.name)) {
        loader_err(errbuf, errlen, "invalid scanner name '%.40s' (want [a-z0-9_]+, at most %d"
                   " bytes, not \"all\")", c.name ? c.name : "(null)", TCPF_NAME_MAX);
        return -1;
    }
    if (c.version == NULL) {
        loader_err(errbuf, errlen, "scanner '%s' has no version", c.name);
        return -1;
    }
    if (loader_check_callbacks(&c, errbuf, errlen) < 0)
        return -1;
    if (loader_check_options(&c, errbuf, errlen) < 0)
        return -1;
    *out = c;
    return 0;
}

/* ---- refusals and plugin entries ---------------------------------------------------------- */

/* Records and logs a refused file. name may be NULL (derived from the file name). */
static void
loader_refuse(struct tcpf_loader *ld, const char *path, const char *name, const char *reason,
              const struct tcpf_scanner *d)
{
    char abi[48];
    struct loader_refusal *r;
    const char *base;
    char *guess = NULL;

    if (d != NULL)
        snprintf(abi, sizeof(abi), "%" PRIu32 ".%" PRIu32, d->abi_major, d->abi_minor);
    else
        snprintf(abi, sizeof(abi), "unknown");
    tcpf_log(TCPF_LOG_WARN, "loader: %s: not loaded: %s (plugin ABI %s, host ABI %d.%d)", path,
             reason, abi, TCPF_ABI_MAJOR, TCPF_ABI_MINOR);

    if (name == NULL || !tcpf_loader_name_ok(name)) {
        base = strrchr(path, '/');
        base = base ? base + 1 : path;
        guess = strdup(base);
        if (guess != NULL && strlen(guess) > 3 && strcmp(guess + strlen(guess) - 3, ".so") == 0)
            guess[strlen(guess) - 3] = '\0';
    } else {
        guess = strdup(name);
    }
    if (ld->n_refused == ld->cap_refused) {
        size_t cap = ld->cap_refused ? 2 * ld->cap_refused : 8;
        struct loader_refusal *nr = realloc(ld->refused, cap * sizeof(*nr));

        if (nr == NULL) {
            free(guess);
            return;
        }
        ld->refused = nr;
        ld->cap_refused = cap;
    }
    r = &ld->refused[ld->n_refused];
    r->name = guess;
    r->path = strdup(path);
    r->reason = strdup(reason);
    if (r->name == NULL || r->path == NULL || r->reason == NULL) {
        free(r->name);
        free(r->path);
        free(r->reason);
        return;
    }
    ld->n_refused++;
}

static void
loader_plugin_fini(struct tcpf_plugin *p)
{
    size_t i;

    for (i = 0; i < p->n_options; i++)
        free(p->values[i].str);
    free(p->values);
    free(p->path);
    free(p->strings);
    free(p->options);
}

/* Bytes needed to copy s (with its NUL), 0 for NULL. */
static size_t
loader_strsize(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

/* Copies s to *at (advanced), or returns NULL for NULL. */
static const char *
loader_strput(char **at, const char *s)
{
    char *r = *at;
    size_t n = loader_strsize(s);

    if (s == NULL)
        return NULL;
    memcpy(r, s, n);
    *at += n;
    return r;
}

/* Points p->desc's name, version, description and options at owned copies (p->strings and
 * p->options), so that nothing in the entry but the callbacks refers to the plugin's memory.
 * d has been checked (options valid, at most TCPF_LOADER_MAX_OPTIONS). 0 or -1 (memory). */
static int
loader_copy_texts(struct tcpf_plugin *p, const struct tcpf_scanner *d, size_t n_options)
{
    const struct tcpf_scanner_option *o = d->options;
    size_t i, len;
    char *at;

    len = loader_strsize(d->name) + loader_strsize(d->version) +
          loader_strsize(d->description);
    for (i = 0; i < n_options; i++)
        len += loader_strsize(o[i].key) + loader_strsize(o[i].def) + loader_strsize(o[i].help);
    if ((p->strings = malloc(len)) == NULL)
        return -1;
    if (o != NULL && (p->options = calloc(n_options + 1, sizeof(*p->options))) == NULL)
        return -1;
    at = p->strings;
    p->desc.name = loader_strput(&at, d->name);
    p->desc.version = loader_strput(&at, d->version);
    p->desc.description = loader_strput(&at, d->description);
    for (i = 0; i < n_options; i++) {
        p->options[i].key = loader_strput(&at, o[i].key);
        p->options[i].type = o[i].type;
        p->options[i].def = loader_strput(&at, o[i].def);
        p->options[i].help = loader_strput(&at, o[i].help);
    }
    p->desc.options = p->options; /* NULL when the plugin declares none */
    return 0;
}

/* Adds a validated descriptor of the object behind handle (the entry takes over that
 * loader_map() reference on success). Returns 0, or -1 on allocation failure. */
static int
loader_add(struct tcpf_loader *ld, const struct tcpf_scanner *d, const char *path,
           enum tcpf_plugin_origin origin, void *handle)
{
    struct tcpf_plugin *p;
    size_t i, n = 0;

    if (ld->n_plugins == ld->cap_plugins) {
        size_t cap = ld->cap_plugins ? 2 * ld->cap_plugins : 8;
        struct tcpf_plugin *np = realloc(ld->plugins, cap * sizeof(*np));

        if (np == NULL)
            return -1;
        ld->plugins = np;
        ld->cap_plugins = cap;
    }
    p = &ld->plugins[ld->n_plugins];
    memset(p, 0, sizeof(*p));
    p->desc = *d;
    p->origin = origin;
    p->enabled = (d->flags & TCPF_SCANNER_ENABLED_BY_DEFAULT) != 0;
    p->loaded = true;
    p->path = strdup(path);
    if (d->options != NULL)
        while (d->options[n].key != NULL)
            n++;
    p->values = calloc(n ? n : 1, sizeof(*p->values));
    if (p->path == NULL || p->values == NULL || loader_copy_texts(p, d, n) < 0)
        goto fail;
    for (i = 0; i < n; i++) {
        const char *def = p->desc.options[i].def ? p->desc.options[i].def : "";

        p->values[i].str = strdup(def);
        if (p->values[i].str == NULL)
            goto fail;
        p->n_options = i + 1;
        (void)tcpf_loader_parse_value(p->desc.options[i].type, def, &p->values[i]);
    }
    p->n_options = n;
    p->handle = handle;
    ld->n_plugins++;
    return 0;
fail:
    loader_plugin_fini(p);
    return -1;
}

/* ---- files and directories ---------------------------------------------------------------- */

/* Ownership and mode rule shared by files and directories. NULL if fine, else why not. */
static const char *
loader_unsafe(const struct stat *st)
{
    if (st->st_uid != 0 && st->st_uid != geteuid())
        return "not owned by root or the effective user";
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return "group- or world-writable";
    return NULL;
}

/* dlopen()s the checked file behind fd, or reuses an earlier mapping of the same file.
 * Returns the handle (fd then belongs to the process table, or was closed), or NULL with
 * the reason in why (fd closed). Each success is matched by one loader_unmap(), unless the
 * plugin is enabled (then never). */
static void *
loader_map(int fd, const struct stat *st, char *why, size_t whylen)
{
    char procpath[64];
    struct loader_mapped *t;
    void *handle;
    size_t i;
    const char *e;

    for (i = 0; i < loader_mapped_n; i++) {
        if (loader_mapped_tab[i].dev == st->st_dev && loader_mapped_tab[i].ino == st->st_ino) {
            close(fd);
            loader_mapped_tab[i].users++;
            return loader_mapped_tab[i].handle;
        }
    }
    t = realloc(loader_mapped_tab, (loader_mapped_n + 1) * sizeof(*t));
    if (t == NULL) {
        close(fd);
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    loader_mapped_tab = t;
    snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", fd);
    dlerror();
    if (__lsan_disable != NULL && __lsan_enable != NULL)
        __lsan_disable();
    handle = dlopen(procpath, RTLD_NOW | RTLD_LOCAL);
    if (__lsan_disable != NULL && __lsan_enable != NULL)
        __lsan_enable();
    if (handle == NULL) {
        e = dlerror();
        /* glibc prefixes the message with the name we passed: drop it. */
        if (e != NULL && strncmp(e, procpath, strlen(procpath)) == 0 &&
            strncmp(e + strlen(procpath), ": ", 2) == 0)
            e += strlen(procpath) + 2;
        snprintf(why, whylen, "dlopen failed: %s", e ? e : "unknown error");
        close(fd);
        return NULL;
    }
    /* Keep fd open while mapped: glibc now knows the object as procpath. */
    loader_mapped_tab[loader_mapped_n].dev = st->st_dev;
    loader_mapped_tab[loader_mapped_n].ino = st->st_ino;
    loader_mapped_tab[loader_mapped_n].handle = handle;
    loader_mapped_tab[loader_mapped_n].fd = fd;
    loader_mapped_tab[loader_mapped_n].users = 1;
    loader_mapped_n++;
    return handle;
}

/* Gives back one loader_map() reference to handle. The last one dlclose()s the object; if
 * it is really gone (RTLD_NOLOAD finds nothing), its descriptor is closed and its table
 * entry dropped. If it stays mapped (RTLD_NODELETE, or another object depends on it), the
 * reference RTLD_NOLOAD returned is kept, with the descriptor, so that the name
 * "/proc/self/fd/N" keeps meaning that file. Returns true if the object was unmapped. */
static bool
loader_unmap(void *handle)
{
    char procpath[64];
    struct loader_mapped *m = NULL;
    void *again;
    size_t i;

    for (i = 0; i < loader_mapped_n; i++)
        if (loader_mapped_tab[i].handle == handle)
            m = &loader_mapped_tab[i];
    if (m == NULL || m->users == 0)
        return false; /* not ours: leave it alone */
    if (--m->users > 0)
        return false;
    snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", m->fd);
    if (dlclose(m->handle) != 0) {
        const char *e = dlerror();

        tcpf_log(TCPF_LOG_WARN, "loader: dlclose failed: %s", e ? e : "unknown error");
        return false; /* keep the handle and the descriptor: still mapped */
    }
    again = dlopen(procpath, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (again != NULL) {
        m->handle = again;
        return false;
    }
    dlerror();
    close(m->fd);
    *m = loader_mapped_tab[--loader_mapped_n];
    return true;
}

/* Unloads every plugin that is loaded but not enabled (see loader.h), and logs which. */
static void
loader_unload_disabled(struct tcpf_loader *ld)
{
    char names[1024], kept[1024];
    size_t i, n = 0, used;

    names[0] = kept[0] = '\0';
    for (i = 0; i < ld->n_plugins; i++) {
        struct tcpf_plugin *p = &ld->plugins[i];
        struct tcpf_scanner keep;
        bool gone;

        if (!p->loaded || p->enabled)
            continue;
        /* Keep what describes the scanner (its texts are copies: loader_copy_texts); drop
         * everything else, the callbacks (and any later field) pointing into the plugin. */
        memset(&keep, 0, sizeof(keep));
        keep.abi_major = p->desc.abi_major;
        keep.abi_minor = p->desc.abi_minor;
        keep.struct_size = p->desc.struct_size;
        keep.flags = p->desc.flags;
        keep.name = p->desc.name;
        keep.version = p->desc.version;
        keep.description = p->desc.description;
        keep.options = p->desc.options;
        keep.stream_max = p->desc.stream_max;
        p->desc = keep;
        p->loaded = false;
        gone = loader_unmap(p->handle);
        p->handle = NULL;
        used = strlen(names);
        snprintf(names + used, sizeof(names) - used, "%s%s", n++ ? ", " : "", p->desc.name);
        if (!gone) {
            used = strlen(kept);
            snprintf(kept + used, sizeof(kept) - used, "%s%s", kept[0] ? ", " : "",
                     p->desc.name);
        }
    }
    if (n == 0)
        return;
    tcpf_log(TCPF_LOG_INFO, "loader: unloaded %zu scanner%s not enabled: %s", n,
             n == 1 ? "" : "s", names);
    if (kept[0] != '\0')
        tcpf_log(TCPF_LOG_INFO, "loader: still mapped after dlclose (in use or RTLD_NODELETE):"
                 " %s", kept);
}

/* Loads one file (already known to end in ".so") from an open directory. */
static int
loader_file(struct tcpf_loader *ld, int dirfd, const char *dir, const char *file,
            enum tcpf_plugin_origin origin)
{
    char path[4096], why[512];
    const struct tcpf_scanner *sym;
    struct tcpf_scanner d;
    struct tcpf_plugin *dup;
    struct stat st;
    const char *bad;
    void *handle;
    int fd;

    snprintf(path, sizeof(path), "%s%s%s", dir,
             dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", file);
    fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        loader_refuse(ld, path, NULL,
                      errno == ELOOP ? "is a symbolic link" : strerror(errno), NULL);
        return 0;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        loader_refuse(ld, path, NULL, "not a regular file", NULL);
        return 0;
    }
    if ((bad = loader_unsafe(&st)) != NULL) {
        close(fd);
        loader_refuse(ld, path, NULL, bad, NULL);
        return 0;
    }
    handle = loader_map(fd, &st, why, sizeof(why));
    if (handle == NULL) {
        loader_refuse(ld, path, NULL, why, NULL);
        return 0;
    }
    /* From here on, every way out but loader_add() gives the reference back: a refused or
     * duplicate file is unloaded at once (after its name was copied for messages). */
    dlerror();
    sym = (const struct tcpf_scanner *)dlsym(handle, TCPF_SCANNER_SYMBOL);
    if (sym == NULL) {
        loader_refuse(ld, path, NULL, "no '" TCPF_SCANNER_SYMBOL "' symbol (not a tcpflow "
                      "scanner?)", NULL);
        loader_unmap(handle);
        return 0;
    }
    if (tcpf_loader_check_desc(sym, &d, why, sizeof(why)) < 0) {
        bool named = sym->struct_size >= LOADER_FROZEN_SIZE;

        loader_refuse(ld, path, named ? sym->name : NULL, why, named ? sym : NULL);
        loader_unmap(handle);
        return 0;
    }
    if ((dup = tcpf_loader_find(ld, d.name)) != NULL) {
        if (dup->handle == handle) {
            /* The very same object reached through a second directory: silently the same. */
            tcpf_log(TCPF_LOG_NOTICE, "loader: %s: same file as %s, skipped", path, dup->path);
        } else {
            tcpf_log(TCPF_LOG_WARN, "loader: %s: scanner '%s' already loaded from %s; "
                     "ignoring this one", path, d.name, dup->path);
        }
        loader_unmap(handle);
        return 0;
    }
    if (loader_add(ld, &d, path, origin, handle) < 0) {
        loader_unmap(handle);
        return -1;
    }
    tcpf_log(TCPF_LOG_INFO, "loader: %s: scanner '%s' %s (ABI %" PRIu32 ".%" PRIu32 ")", path,
             d.name, d.version, d.abi_major, d.abi_minor);
    return 0;
}

static int
loader_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
loader_srcdir_free(struct loader_srcdir *d)
{
    size_t i;

    for (i = 0; i < d->n_files; i++)
        free(d->files[i]);
    free(d->files);
    free(d->path);
    if (d->fd >= 0)
        close(d->fd);
}

/* Loads the files of every pending directory, in search order. If the commands disabled
 * everything (all_off), each new plugin starts disabled and is unloaded at the end. Returns
 * 0, or -1 with errbuf set (memory); the directories are released either way. */
static int
loader_load_pending(struct tcpf_loader *ld, char *errbuf, size_t errlen)
{
    size_t i, j, first = ld->n_plugins;
    int rc = 0;

    for (i = 0; i < ld->n_pending; i++) {
        struct loader_srcdir *d = &ld->pending[i];

        for (j = 0; j < d->n_files && rc == 0; j++) {
            if (loader_file(ld, d->fd, d->path, d->files[j], d->origin) < 0) {
                loader_err(errbuf, errlen, "out of memory while loading plugins");
                rc = -1;
            }
        }
        loader_srcdir_free(d);
    }
    free(ld->pending);
    ld->pending = NULL;
    ld->n_pending = 0;
    if (ld->all_off) {
        for (i = first; i < ld->n_plugins; i++)
            ld->plugins[i].enabled = false;
        loader_unload_disabled(ld);
    }
    return rc;
}

/* Checks dir and lists its "*.so" files for loader_load_pending. strict: problems with the
 * directory itself are fatal (-P). Returns 0, or -1 with errbuf set. */
static int
loader_dir(struct tcpf_loader *ld, const char *dir, enum tcpf_plugin_origin origin,
           bool strict, char *errbuf, size_t errlen)
{
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    struct loader_srcdir *pd;
    struct dirent *de;
    struct stat st;
    const char *bad;
    int dirfd, lfd, rc = 0;
    DIR *dp;

    if (dir[0] != '/') {
        if (strict) {
            loader_err(errbuf, errlen, "plugin directory '%s' is not an absolute path", dir);
            return -1;
        }
        tcpf_log(TCPF_LOG_WARN, "loader: %s: ignored: not an absolute path", dir);
        return 0;
    }
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        if (strict) {
            loader_err(errbuf, errlen, "plugin directory %s: %s", dir, strerror(errno));
            return -1;
        }
        tcpf_log(errno == ENOENT ? TCPF_LOG_INFO : TCPF_LOG_WARN, "loader: %s: %s", dir,
                 strerror(errno));
        return 0;
    }
    bad = fstat(dirfd, &st) < 0 ? strerror(errno) : loader_unsafe(&st);
    if (bad != NULL) {
        close(dirfd);
        if (strict) {
            loader_err(errbuf, errlen, "plugin directory %s refused: %s", dir, bad);
            return -1;
        }
        tcpf_log(TCPF_LOG_WARN, "loader: plugin directory %s refused: %s", dir, bad);
        return 0;
    }
    lfd = dup(dirfd);
    dp = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (dp == NULL) {
        if (lfd >= 0)
            close(lfd);
        close(dirfd);
        loader_err(errbuf, errlen, "plugin directory %s: %s", dir, strerror(errno));
        return strict ? -1 : 0;
    }
    while ((de = readdir(dp)) != NULL) {
        size_t len = strlen(de->d_name);

        if (de->d_name[0] == '.' || len < 4 || strcmp(de->d_name + len - 3, ".so") != 0)
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*nn));

            if (nn == NULL)
                goto oom;
            names = nn;
        }
        if ((names[n] = strdup(de->d_name)) == NULL)
            goto oom;
        n++;
    }
    closedir(dp);
    dp = NULL;
    if (n == 0) {
        close(dirfd);
        free(names);
        return 0;
    }
    qsort(names, n, sizeof(*names), loader_cmp);
    pd = realloc(ld->pending, (ld->n_pending + 1) * sizeof(*pd));
    if (pd == NULL)
        goto oom;
    ld->pending = pd;
    pd = &ld->pending[ld->n_pending];
    if ((pd->path = strdup(dir)) == NULL)
        goto oom;
    pd->fd = dirfd;
    pd->origin = origin;
    pd->files = names;
    pd->n_files = n;
    ld->n_pending++;
    return 0;
oom:
    loader_err(errbuf, errlen, "out of memory while loading plugins");
    rc = -1;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (dp != NULL)
        closedir(dp);
    close(dirfd);
    return rc;
}

/* Loads the directories of TCPFLOW_PLUGIN_PATH. */
static int
loader_env(struct tcpf_loader *ld, char *errbuf, size_t errlen)
{
    const char *env;
    char *copy, *p, *save = NULL;
    int rc = 0;

    if (getuid() != geteuid() || getgid() != getegid()) {
        if (getenv(TCPF_PLUGIN_PATH_ENV) != NULL)
            tcpf_log(TCPF_LOG_NOTICE, "loader: %s ignored: running with elevated privileges",
                     TCPF_PLUGIN_PATH_ENV);
        return 0;
    }
    env = getenv(TCPF_PLUGIN_PATH_ENV);
    if (env == NULL || env[0] == '\0')
        return 0;
    if ((copy = strdup(env)) == NULL) {
        loader_err(errbuf, errlen, "out of memory");
        return -1;
    }
    for (p = strtok_r(copy, ":", &save); p != NULL && rc == 0; p = strtok_r(NULL, ":", &save))
        rc = loader_dir(ld, p, TCPF_ORIGIN_ENV, false, errbuf, errlen);
    free(copy);
    return rc;
}

struct tcpf_loader *
tcpf_loader_create(const struct tcpf_loader_config *cfg, char *errbuf, size_t errlen)
{
    struct tcpf_loader *ld = calloc(1, sizeof(*ld));
    size_t i;

    if (ld == NULL) {
        loader_err(errbuf, errlen, "out of memory");
        return NULL;
    }
    for (i = 0; i < cfg->n_dirs; i++)
        if (loader_dir(ld, cfg->dirs[i], TCPF_ORIGIN_CMDLINE, true, errbuf, errlen) < 0)
            goto fail;
    if (cfg->use_env && loader_env(ld, errbuf, errlen) < 0)
        goto fail;
    if (cfg->builtin_dir != NULL && cfg->builtin_dir[0] != '\0' &&
        loader_dir(ld, cfg->builtin_dir, TCPF_ORIGIN_BUILTIN, false, errbuf, errlen) < 0)
        goto fail;
    return ld;
fail:
    tcpf_loader_destroy(ld);
    return NULL;
}

void
tcpf_loader_destroy(struct tcpf_loader *ld)
{
    size_t i;

    if (ld == NULL)
        return;
    for (i = 0; i < ld->n_pending; i++)
        loader_srcdir_free(&ld->pending[i]);
    free(ld->pending);
    for (i = 0; i < ld->n_plugins; i++)
        loader_plugin_fini(&ld->plugins[i]);
    for (i = 0; i < ld->n_refused; i++) {
        free(ld->refused[i].name);
        free(ld->refused[i].path);
        free(ld->refused[i].reason);
    }
    free(ld->plugins);
    free(ld->refused);
    free(ld);
}

size_t
tcpf_loader_count(const struct tcpf_loader *ld)
{
    return ld->n_plugins;
}

struct tcpf_plugin *
tcpf_loader_plugin(struct tcpf_loader *ld, size_t i)
{
    return i < ld->n_plugins ? &ld->plugins[i] : NULL;
}

struct tcpf_plugin *
tcpf_loader_find(struct tcpf_loader *ld, const char *name)
{
    size_t i;

    for (i = 0; i < ld->n_plugins; i++)
        if (strcmp(ld->plugins[i].desc.name, name) == 0)
            return &ld->plugins[i];
    return NULL;
}

void
tcpf_loader_names(const struct tcpf_loader *ld, char *buf, size_t len)
{
    size_t i, used;

    if (len == 0)
        return;
    buf[0] = '\0';
    for (i = 0; i < ld->n_plugins; i++) {
        used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", ld->plugins[i].desc.name);
    }
    if (ld->n_plugins == 0)
        snprintf(buf, len, "(none)");
}

/* ---- enable / disable and settings ------------------------------------------------------- */

/* Error for an unknown scanner name: why a file of that name was refused, or what exists. */
static void
loader_unknown(const struct tcpf_loader *ld, const char *what, const char *name, char *errbuf,
               size_t errlen)
{
    char names[1024];
    size_t i;

    for (i = 0; i < ld->n_refused; i++) {
        if (strcmp(ld->refused[i].name, name) == 0) {
            loader_err(errbuf, errlen, "%s: scanner '%s' was found at %s but not loaded: %s",
                       what, name, ld->refused[i].path, ld->refused[i].reason);
            return;
        }
    }
    tcpf_loader_names(ld, names, sizeof(names));
    loader_err(errbuf, errlen, "%s: no scanner named '%s'; available: %s", what, name, names);
}

static void
loader_set_all(struct tcpf_loader *ld, bool on)
{
    size_t i;

    for (i = 0; i < ld->n_plugins; i++)
        if (!on || (ld->plugins[i].desc.flags & TCPF_SCANNER_NO_ALL) == 0)
            ld->plugins[i].enabled = on;
}

/* True if cmds leave every scanner disabled whatever the plugin files hold: the last one is
 * "-x all" and none names a scanner (which could warn or fail, so needs the names). */
static bool
loader_cmds_all_off(const struct tcpf_scanner_cmd *cmds, size_t n)
{
    size_t i;

    if (n == 0)
        return false;
    for (i = 0; i < n; i++) {
        const char *name = cmds[i].name ? cmds[i].name : "all";

        if (cmds[i].op != 'a' && cmds[i].op != 'e' && cmds[i].op != 'E' && cmds[i].op != 'x')
            return false;
        if (cmds[i].op != 'a' && strcmp(name, "all") != 0)
            return false;
    }
    return cmds[n - 1].op == 'x';
}

int
tcpf_loader_apply_cmds(struct tcpf_loader *ld, const struct tcpf_scanner_cmd *cmds, size_t n,
                       char *errbuf, size_t errlen)
{
    struct tcpf_plugin *p;
    char what[TCPF_NAME_MAX + 64];
    size_t i, files = 0;

    if (ld->n_pending > 0 && loader_cmds_all_off(cmds, n)) {
        /* Nothing can be enabled: do not map (nor run the constructors of) any plugin. */
        ld->all_off = true;
        for (i = 0; i < ld->n_pending; i++)
            files += ld->pending[i].n_files;
        tcpf_log(TCPF_LOG_INFO, "loader: every scanner disabled (-x all): %zu plugin file%s "
                 "not loaded", files, files == 1 ? "" : "s");
    } else if (loader_load_pending(ld, errbuf, errlen) < 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        const char *name = cmds[i].name ? cmds[i].name : "all";

        snprintf(what, sizeof(what), "-%c %.*s", cmds[i].op, TCPF_NAME_MAX + 16, name);
        switch (cmds[i].op) {
        case 'a':
            loader_set_all(ld, true);
            break;
        case 'E':
            loader_set_all(ld, false);
            /* fall through */
        case 'e':
            if (strcmp(name, "all") == 0) {
                loader_set_all(ld, true);
            } else if ((p = tcpf_loader_find(ld, name)) != NULL) {
                p->enabled = true;
            } else {
                loader_unknown(ld, what, name, errbuf, errlen);
                return -1;
            }
            break;
        case 'x':
            if (strcmp(name, "all") == 0)
                loader_set_all(ld, false);
            else if ((p = tcpf_loader_find(ld, name)) != NULL)
                p->enabled = false;
            else
                tcpf_log(TCPF_LOG_WARN, "-x %s: no scanner of that name (ignored)", name);
            break;
        default:
            loader_err(errbuf, errlen, "internal error: scanner command '%c'", cmds[i].op);
            return -1;
        }
    }
    for (i = 0; i < ld->n_plugins; i++) {
        if (ld->plugins[i].enabled && !ld->plugins[i].loaded) {
            ld->plugins[i].enabled = false;
            loader_err(errbuf, errlen, "internal error: scanner '%s' was unloaded by an earlier"
                       " tcpf_loader_apply_cmds", ld->plugins[i].desc.name);
            return -1;
        }
    }
    loader_unload_disabled(ld);
    return 0;
}

/* Applies one "scanner.key" = value. */
static int
loader_setting(struct tcpf_loader *ld, const char *name, const char *value, char *errbuf,
               size_t errlen)
{
    const char *dot = strchr(name, '.');
    char sname[TCPF_NAME_MAX + 1], what[128], keys[1024];
    struct tcpf_plugin *p;
    struct tcpf_optval v;
    size_t i, used;

    snprintf(what, sizeof(what), "-S %.100s", name);
    if ((size_t)(dot - name) > TCPF_NAME_MAX) {
        loader_err(errbuf, errlen, "%s: no such scanner", what);
        return -1;
    }
    memcpy(sname, name, (size_t)(dot - name));
    sname[dot - name] = '\0';
    if ((p = tcpf_loader_find(ld, sname)) == NULL) {
        loader_unknown(ld, what, sname, errbuf, errlen);
        return -1;
    }
    for (i = 0; i < p->n_options; i++)
        if (strcmp(p->desc.options[i].key, dot + 1) == 0)
            break;
    if (i == p->n_options) {
        keys[0] = '\0';
        for (i = 0; i < p->n_options; i++) {
            used = strlen(keys);
            snprintf(keys + used, sizeof(keys) - used, "%s%s.%s", i ? ", " : "", sname,
                     p->desc.options[i].key);
        }
        loader_err(errbuf, errlen, "%s: scanner '%s' has no option '%.40s'; it has: %s", what,
                   sname, dot + 1, p->n_options ? keys : "(none)");
        return -1;
    }
    v = p->values[i];
    if (tcpf_loader_parse_value(p->desc.options[i].type, value, &v) < 0) {
        loader_err(errbuf, errlen, "%s: '%.100s' is not a valid %s", what, value,
                   loader_type_name(p->desc.options[i].type));
        return -1;
    }
    if ((v.str = strdup(value)) == NULL) {
        loader_err(errbuf, errlen, "out of memory");
        return -1;
    }
    free(p->values[i].str);
    v.is_set = true;
    p->values[i] = v;
    return 0;
}

int
tcpf_loader_apply_settings(struct tcpf_loader *ld, const struct tcpf_setting *settings,
                           size_t n, char *errbuf, size_t errlen)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strchr(settings[i].name, '.') == NULL)
            continue;
        if (ld->n_pending > 0 && loader_load_pending(ld, errbuf, errlen) < 0)
            return -1;
        if (loader_setting(ld, settings[i].name, settings[i].value, errbuf, errlen) < 0)
            return -1;
    }
    return 0;
}

const struct tcpf_optval *
tcpf_loader_option(const struct tcpf_plugin *p, const char *key, uint32_t type)
{
    size_t i;

    if (key == NULL)
        return NULL;
    for (i = 0; i < p->n_options; i++)
        if (strcmp(p->desc.options[i].key, key) == 0)
            return p->desc.options[i].type == type ? &p->values[i] : NULL;
    return NULL;
}

/* ---- -H ------------------------------------------------------------------------------------ */

void
tcpf_loader_list(struct tcpf_loader *ld, FILE *out)
{
    static const char *const origin[] = { "-P", TCPF_PLUGIN_PATH_ENV, "installed" };
    char err[128];
    size_t i, j;

    if (ld->n_pending > 0 && loader_load_pending(ld, err, sizeof(err)) < 0)
        tcpf_log(TCPF_LOG_ERROR, "%s", err);

    if (ld->n_plugins == 0)
        fprintf(out, "No scanners found.\n");
    for (i = 0; i < ld->n_plugins; i++) {
        const struct tcpf_plugin *p = &ld->plugins[i];
        const struct tcpf_scanner *d = &p->desc;

        fprintf(out, "%s %s (ABI %" PRIu32 ".%" PRIu32 ") %s%s\n", d->name, d->version,
                d->abi_major, d->abi_minor, p->enabled ? "enabled" : "disabled",
                (d->flags & TCPF_SCANNER_REPORT_SINK) ? ", report sink" : "");
        fprintf(out, "    path: %s (%s)\n", p->path, origin[p->origin]);
        if (d->description != NULL)
            fprintf(out, "    %s\n", d->description);
        for (j = 0; j < p->n_options; j++) {
            const struct tcpf_scanner_option *o = &d->options[j];

            fprintf(out, "    -S %s.%s=%s  (%s; default \"%s\") %s\n", d->name, o->key,
                    p->values[j].str, loader_type_name(o->type), o->def ? o->def : "",
                    o->help ? o->help : "");
        }
    }
    for (i = 0; i < ld->n_refused; i++)
        fprintf(out, "not loaded: %s: %s\n", ld->refused[i].path, ld->refused[i].reason);
}
