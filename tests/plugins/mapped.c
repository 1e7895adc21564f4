/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test fixture: at init, logs which plugin files of its own directory are mapped
 *
 * The loader unloads every plugin that is not enabled before any init() (core/loader.h), so
 * by the time this scanner's init runs, /proc/self/maps must show only the enabled plugins
 * of its directory. init logs "mapped: FILE.so" (warning level) once for each "*.so" file
 * of the directory this object was loaded from that is mapped, then "mapped: done". Not
 * enabled by default; does nothing else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tcpflow/scanner.h>

#define MAPPED_MAX_FILES 64

/* One line of /proc/self/maps: its address range and path ("" if anonymous). */
static int
mapped_parse(const char *line, uintptr_t *lo, uintptr_t *hi, const char **path)
{
    unsigned long long a, b;
    int n = 0;

    if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &a, &b, &n) < 2 || n == 0)
        return -1;
    *lo = (uintptr_t)a;
    *hi = (uintptr_t)b;
    *path = line + n;
    return 0;
}

static int
mapped_init(const struct tcpf_host *host, void **sstate)
{
    char line[4096], dir[4096], seen[MAPPED_MAX_FILES][256];
    uintptr_t self = (uintptr_t)&mapped_init, lo, hi;
    size_t n_seen = 0, dlen, i;
    const char *path, *base;
    char *slash;
    FILE *fp;

    *sstate = NULL;
    dir[0] = '\0';
    if ((fp = fopen("/proc/self/maps", "r")) == NULL) {
        host->log(host, TCPF_SLOG_ERROR, "cannot read /proc/self/maps");
        return TCPF_ERR;
    }
    /* Pass 1: the directory of the file that holds this function. */
    while (fgets(line, sizeof(line), fp) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (mapped_parse(line, &lo, &hi, &path) == 0 && self >= lo && self < hi &&
            path[0] == '/' && strlen(path) < sizeof(dir)) {
            strcpy(dir, path);
            break;
        }
    }
    if ((slash = strrchr(dir, '/')) == NULL) {
        fclose(fp);
        host->log(host, TCPF_SLOG_ERROR, "cannot find this plugin in /proc/self/maps");
        return TCPF_ERR;
    }
    slash[1] = '\0';
    dlen = strlen(dir);
    /* Pass 2: every "*.so" of that directory, once each. */
    rewind(fp);
    while (fgets(line, sizeof(line), fp) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (mapped_parse(line, &lo, &hi, &path) < 0 || strncmp(path, dir, dlen) != 0)
            continue;
        base = path + dlen;
        if (strchr(base, '/') != NULL || strlen(base) < 4 || strlen(base) >= sizeof(seen[0]) ||
            strcmp(base + strlen(base) - 3, ".so") != 0)
            continue;
        for (i = 0; i < n_seen; i++)
            if (strcmp(seen[i], base) == 0)
                break;
        if (i < n_seen || n_seen == MAPPED_MAX_FILES)
            continue;
        strcpy(seen[n_seen++], base);
        host->log(host, TCPF_SLOG_WARN, "%s", base);
    }
    fclose(fp);
    host->log(host, TCPF_SLOG_WARN, "done");
    return TCPF_OK;
}

static void
mapped_close(void *sstate, void *fstate, const struct tcpf_flow *flow,
             enum tcpf_close_reason why)
{
    (void)sstate, (void)fstate, (void)flow, (void)why;
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    TCPF_SCANNER_HEADER("mapped"),
    .version = "1.0",
    .description = "test fixture: logs which plugins of its directory are mapped at init",
    .init = mapped_init,
    .flow_close = mapped_close,
};
