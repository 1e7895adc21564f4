/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: scanner plugin discovery, dlopen, ABI checks, option tables, enable/disable
 *
 * Search order (first found wins for a given scanner name; later ones are refused with a
 * warning naming both paths):
 *   1. every -P/--plugin-dir directory, in command-line order (absolute paths only);
 *   2. TCPFLOW_PLUGIN_PATH, a colon-separated list of absolute directories, unless the
 *      process runs with elevated privileges (uid != euid or gid != egid);
 *   3. the compiled-in plugin directory (TCPF_PLUGIN_DIR, $(pkglibdir)/plugins).
 * Never the current directory, never a relative path. Within a directory, files named
 * "*.so" are loaded in strcmp order.
 *
 * Safety (RELIABILITY.md §4): a directory must be owned by root or the effective uid and not
 * group/world-writable; each file is opened O_RDONLY|O_NOFOLLOW|O_CLOEXEC (a symlink is
 * refused), must be a regular file with the same ownership and mode rules, and is mapped with
 * dlopen("/proc/self/fd/N", RTLD_NOW|RTLD_LOCAL) so that what was checked is what gets loaded.
 * Plugins are never dlclose()d, and the descriptor of a dlopen()ed file stays open for the
 * life of the process: glibc remembers objects by the name "/proc/self/fd/N", so that name
 * must never point at another file. A process-wide table reuses the mapping when the same
 * file is loaded again (tcpf_scanhost_list, then tcpf_scanhost_create).
 *
 * Descriptor checks, in order: symbol present; frozen header readable; abi_major equal;
 * abi_minor not newer than the host; struct_size at least the 1.0 layout; name valid and not
 * "all"; version present; callback rules; option table valid with parsable defaults.
 * Each refusal is one warning "loader: PATH: not loaded: REASON (plugin ABI x.y, host ABI
 * a.b)" and is remembered, so that "-e NAME" of a refused scanner fails with that reason.
 *
 * Not thread-safe (loading happens once at start-up).
 */
#ifndef TCPF_CORE_LOADER_H
#define TCPF_CORE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <tcpflow/scanner.h>

#include "options.h"

/* Most options one scanner may declare. */
#define TCPF_LOADER_MAX_OPTIONS 64
/* Environment variable with extra plugin directories. */
#define TCPF_PLUGIN_PATH_ENV "TCPFLOW_PLUGIN_PATH"

/* Where a plugin was found. */
enum tcpf_plugin_origin {
    TCPF_ORIGIN_CMDLINE = 0, /* -P */
    TCPF_ORIGIN_ENV = 1,     /* TCPFLOW_PLUGIN_PATH */
    TCPF_ORIGIN_BUILTIN = 2, /* TCPF_PLUGIN_DIR */
};

/* A parsed option value. str is owned by the plugin entry (valid until destroy). */
struct tcpf_optval {
    char *str;      /* the text as given (default or -S), always set */
    uint64_t u64;   /* TCPF_OPT_U64 */
    bool b;         /* TCPF_OPT_BOOL */
    bool is_set;    /* given with -S (not the default) */
};

/* One loaded, validated scanner. */
struct tcpf_plugin {
    struct tcpf_scanner desc;        /* copy of the first struct_size bytes, rest zero */
    char *path;                      /* owned: "DIR/FILE.so" as found */
    enum tcpf_plugin_origin origin;
    bool enabled;                    /* after tcpf_loader_apply_cmds */
    size_t n_options;
    struct tcpf_optval *values;      /* owned; parallel to desc.options */
};

/* What to search. All strings borrowed for the call. */
struct tcpf_loader_config {
    const char *const *dirs;   /* -P directories in order */
    size_t n_dirs;
    bool use_env;              /* honour TCPFLOW_PLUGIN_PATH (when not privileged) */
    const char *builtin_dir;   /* TCPF_PLUGIN_DIR, or NULL for none */
};

struct tcpf_loader;

/* Searches and loads every plugin. A bad plugin file is refused with a warning, never fatal
 * here. Fatal (returns NULL with one sentence in errbuf): a relative -P directory, a -P
 * directory that cannot be opened or is unsafe, out of memory. */
struct tcpf_loader *tcpf_loader_create(const struct tcpf_loader_config *cfg, char *errbuf,
                                       size_t errlen);

/* Frees the loader and its plugin entries. Does not dlclose(). Accepts NULL. */
void tcpf_loader_destroy(struct tcpf_loader *ld);

/* Loaded plugins, in load order. */
size_t tcpf_loader_count(const struct tcpf_loader *ld);
struct tcpf_plugin *tcpf_loader_plugin(struct tcpf_loader *ld, size_t i);

/* The loaded plugin called name, or NULL. */
struct tcpf_plugin *tcpf_loader_find(struct tcpf_loader *ld, const char *name);

/* Replays -e/-x/-E/-a in order over the defaults (TCPF_SCANNER_ENABLED_BY_DEFAULT).
 * "all" is accepted by -e, -x and -E. -e/-E of an unknown scanner fails with a sentence
 * listing the available ones (or why a scanner of that name was refused); -x of an unknown
 * scanner is a warning. Returns 0 or -1. */
int tcpf_loader_apply_cmds(struct tcpf_loader *ld, const struct tcpf_scanner_cmd *cmds,
                           size_t n, char *errbuf, size_t errlen);

/* Applies the -S settings whose name contains a '.' ("scanner.key"); others are the core's
 * and are ignored. Unknown scanner, unknown key or a value that does not parse: -1 with a
 * sentence in errbuf. Settings for a loaded but disabled scanner are checked too. */
int tcpf_loader_apply_settings(struct tcpf_loader *ld, const struct tcpf_setting *settings,
                               size_t n, char *errbuf, size_t errlen);

/* Looks up an option of p by key and type. Returns the value, or NULL if p declares no such
 * key with that type. */
const struct tcpf_optval *tcpf_loader_option(const struct tcpf_plugin *p, const char *key,
                                             uint32_t type);

/* Prints the -H listing: every loaded scanner (name, version, ABI, state, path, description,
 * options with defaults and help), then every refused file with its reason. */
void tcpf_loader_list(const struct tcpf_loader *ld, FILE *out);

/* Appends ", "-separated loaded scanner names to buf (for error messages). */
void tcpf_loader_names(const struct tcpf_loader *ld, char *buf, size_t len);

/* ---- pure helpers, exposed for unit tests -------------------------------------------- */

/* True if name matches [a-z0-9_]+, is at most TCPF_NAME_MAX bytes and is not "all". */
bool tcpf_loader_name_ok(const char *name);

/* Validates a descriptor of struct_size bytes at d (a plugin's symbol). On success copies it
 * into *out (zero-filled beyond struct_size) and returns 0; else writes the reason (without
 * the path) into errbuf and returns -1. */
int tcpf_loader_check_desc(const struct tcpf_scanner *d, struct tcpf_scanner *out,
                           char *errbuf, size_t errlen);

/* Parses text as an option of type; *out gets u64/b (str is not touched). 0 or -1. */
int tcpf_loader_parse_value(uint32_t type, const char *text, struct tcpf_optval *out);

#endif /* TCPF_CORE_LOADER_H */
