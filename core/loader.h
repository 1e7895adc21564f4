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
 * The descriptor of a dlopen()ed file stays open as long as the object is mapped: glibc
 * remembers objects by the name "/proc/self/fd/N", so that name must never point at another
 * file. A process-wide table reuses the mapping when the same file is loaded again
 * (tcpf_scanhost_list, then tcpf_scanhost_create), counting its users.
 *
 * Unloading (memory: a plugin's libraries cost megabytes of resident memory, see issue 8).
 * Files are loaded when the -e/-x/-E/-a commands are applied, not when the directories are
 * searched, and not at all when the commands disable everything by "-x all" (unless -H or a
 * "-S scanner.key" needs the descriptors). Otherwise every plugin file has to be dlopen()ed
 * to read its descriptor, so every plugin's constructors (and its libraries') run. Then:
 *   - a refused file (no symbol, bad descriptor, duplicate name) is dlclose()d at once;
 *   - at the end of a successful tcpf_loader_apply_cmds, when the enabled set is known and
 *     before any init(), every plugin left disabled is dlclose()d (one INFO line
 *     "loader: unloaded N scanners not enabled: a, b"); its entry stays, with loaded false;
 *   - an enabled plugin is never dlclose()d, not even by tcpf_loader_destroy, so that leak
 *     reports can still symbolise its frames.
 * An object still mapped after dlclose() (RTLD_NODELETE, or in use by another object) keeps
 * its descriptor and table entry. Entries never point into a plugin's memory except through
 * desc's callbacks: name, version, description and the option table are copies, so -H, -S
 * checks and error messages work the same for unloaded plugins; an unloaded entry's
 * callbacks are NULL.
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

/* One validated scanner. */
struct tcpf_plugin {
    struct tcpf_scanner desc;        /* copy of the first struct_size bytes, rest zero; its
                                      * strings and option table are owned copies */
    char *path;                      /* owned: "DIR/FILE.so" as found */
    enum tcpf_plugin_origin origin;
    bool enabled;                    /* after tcpf_loader_apply_cmds */
    bool loaded;                     /* false once unloaded (then never enabled; callbacks
                                      * NULL) */
    size_t n_options;
    struct tcpf_optval *values;      /* owned; parallel to desc.options */
    /* private to the loader */
    void *handle;                    /* dlopen handle; NULL once unloaded */
    char *strings;                   /* owned: desc.name, version, description, option texts */
    struct tcpf_scanner_option *options; /* owned: what desc.options points to, or NULL */
};

/* What to search. All strings borrowed for the call. */
struct tcpf_loader_config {
    const char *const *dirs;   /* -P directories in order */
    size_t n_dirs;
    bool use_env;              /* honour TCPFLOW_PLUGIN_PATH (when not privileged) */
    const char *builtin_dir;   /* TCPF_PLUGIN_DIR, or NULL for none */
};

struct tcpf_loader;

/* Searches the plugin directories and lists their "*.so" files; the files are opened,
 * checked and loaded by the first call that needs them (tcpf_loader_apply_cmds, a
 * "scanner.key" setting in tcpf_loader_apply_settings, or tcpf_loader_list). A bad plugin
 * file is refused with a warning then, never fatal. Fatal here (returns NULL with one
 * sentence in errbuf): a relative -P directory, a -P directory that cannot be opened or is
 * unsafe, out of memory. */
struct tcpf_loader *tcpf_loader_create(const struct tcpf_loader_config *cfg, char *errbuf,
                                       size_t errlen);

/* Frees the loader and its plugin entries. Does not dlclose() (an enabled plugin stays
 * mapped; disabled ones were already unloaded by tcpf_loader_apply_cmds). Accepts NULL. */
void tcpf_loader_destroy(struct tcpf_loader *ld);

/* Validated plugins (loaded or since unloaded), in load order; none after "-x all" unless
 * something made the loader read the files (-H, -S scanner.key). */
size_t tcpf_loader_count(const struct tcpf_loader *ld);
struct tcpf_plugin *tcpf_loader_plugin(struct tcpf_loader *ld, size_t i);

/* The loaded plugin called name, or NULL. */
struct tcpf_plugin *tcpf_loader_find(struct tcpf_loader *ld, const char *name);

/* Replays -e/-x/-E/-a in order over the defaults (TCPF_SCANNER_ENABLED_BY_DEFAULT).
 * "all" is accepted by -e, -x and -E. -e/-E of an unknown scanner fails with a sentence
 * listing the available ones (or why a scanner of that name was refused); -x of an unknown
 * scanner is a warning. Loads the plugin files first, except when the commands disable every
 * scanner without naming one (ending in "-x all", e.g. "-x all" or "-a -x all"): then no
 * file is opened at all (one INFO line). On success, unloads (dlclose) every plugin left
 * disabled; call it once, before any init(). A later call cannot enable an unloaded plugin
 * (-1 with a sentence). Returns 0 or -1 (then nothing is unloaded). */
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

/* Prints the -H listing: every scanner (name, version, ABI, state, path, description,
 * options with defaults and help), then every refused file with its reason. Loads the
 * plugin files first if "-x all" left them unloaded. */
void tcpf_loader_list(struct tcpf_loader *ld, FILE *out);

/* Writes the ", "-separated scanner names to buf (for error messages). */
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
