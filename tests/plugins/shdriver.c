/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: test driver: runs the scanner host (core/loader.c, core/scanhost.c) on synthetic
 * flows, without the rest of tcpflow
 *
 * usage: shdriver [-P DIR]... [-B BUILTIN_DIR] [-N] [-e NAME|-x NAME|-E NAME|-a]...
 *                 [-S scanner.key=value]... [-o OUTDIR] [-n FLOWS] [-L] [-d LEVEL] [-H]
 *   -N  honour TCPFLOW_PLUGIN_PATH      -L  leave the last flow's direction 1 open
 *   -H  list scanners and exit           -n  number of connections (default 2)
 * Each connection i is 10.0.0.1:(1000+i) -> 10.0.0.2:80. Direction 0 carries an HTTP
 * request in two chunks and closes with FIN; direction 1 carries a response, a 10-byte
 * hole, then 200 bytes of 0..255, and closes with RST (odd i) or end of input (even i).
 * Prints the host counters on stdout at the end. Exit: 0, 1 when create fails.
 */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flow.h"
#include "log.h"
#include "options.h"
#include "scanhost.h"

#define DRV_MAX_ARGS 64

static void
drv_packet(struct tcpf_scanhost *h, struct tcpf_conn *c, unsigned dir, const uint8_t *p,
           size_t len, const struct tcpf_time *ts)
{
    struct tcpf_pkt pkt;

    if (!tcpf_scanhost_wants_packets(h))
        return;
    memset(&pkt, 0, sizeof(pkt));
    pkt.ts = *ts;
    pkt.caplen = pkt.wirelen = (uint32_t)(54 + len);
    pkt.dlt = 1;
    pkt.family = TCPF_AF_INET;
    memcpy(pkt.src, dir ? c->key.addr_b : c->key.addr_a, 4);
    memcpy(pkt.dst, dir ? c->key.addr_a : c->key.addr_b, 4);
    pkt.sport = dir ? c->key.port_b : c->key.port_a;
    pkt.dport = dir ? c->key.port_a : c->key.port_b;
    pkt.flags = 0x18;
    pkt.payload = p;
    pkt.payload_len = (uint32_t)len;
    tcpf_scanhost_packet(h, &pkt);
}

/* Delivers one chunk, as the engine would. */
static void
drv_data(struct tcpf_scanhost *h, struct tcpf_conn *c, unsigned dir, uint64_t *off,
         const uint8_t *p, size_t len, uint64_t gap, struct tcpf_time *ts)
{
    struct tcpf_dir *d = &c->dir[dir];

    ts->nsec += 1000;
    d->packets++;
    d->wire_bytes += 54 + len;
    d->last_ts = *ts;
    drv_packet(h, c, dir, p, len, ts);
    *off += gap;
    tcpf_scanhost_flow_data(h, c, dir, *off, p, len, gap, ts);
    *off += len;
}

static void
drv_conn_init(struct tcpf_conn *c, unsigned i, struct tcpf_time ts)
{
    static const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };

    memset(c, 0, sizeof(*c));
    c->key.family = TCPF_AF_INET;
    c->key.port_a = (uint16_t)(1000 + i);
    c->key.port_b = 80;
    memcpy(c->key.addr_a, a, 4);
    memcpy(c->key.addr_b, b, 4);
    c->conn_id = i;
    c->uid = i; /* scanners' conn_id (flow_id = 2 * uid + dir) */
    c->dir[0].flow_id = 2 * (uint64_t)i;
    c->dir[1].flow_id = 2 * (uint64_t)i + 1;
    c->dir[0].first_ts = c->dir[1].first_ts = ts;
}

static void
drv_run(struct tcpf_scanhost *h, struct tcpf_conn *conns, unsigned n, bool leave_open)
{
    static const char req1[] = "GET /index.html HTTP/1.1\r\n";
    static const char req2[] = "Host: example.com\r\n\r\n";
    static const char rsp[] = "HTTP/1.1 200 OK\r\nContent-Length: 210\r\n\r\n";
    uint8_t body[200];
    char name[128];
    unsigned i, k;

    for (k = 0; k < sizeof(body); k++)
        body[k] = (uint8_t)k;
    for (i = 0; i < n; i++) {
        struct tcpf_conn *c = &conns[i];
        struct tcpf_time ts = { 1700000000 + (int64_t)i, 0 };
        uint64_t off0 = 0, off1 = 0;

        drv_conn_init(c, i, ts);
        for (k = 0; k < 2; k++) {
            tcpf_scanhost_flow_open(h, c, k);
            snprintf(name, sizeof(name), "010.000.000.%03u.%05u-010.000.000.%03u.%05u",
                     k ? 2 : 1, k ? 80 : 1000 + i, k ? 1 : 2, k ? 1000 + i : 80);
            tcpf_scanhost_set_flow_file(h, c, k, name);
        }
        drv_data(h, c, 0, &off0, (const uint8_t *)req1, strlen(req1), 0, &ts);
        drv_data(h, c, 0, &off0, (const uint8_t *)req2, strlen(req2), 0, &ts);
        drv_data(h, c, 1, &off1, (const uint8_t *)rsp, strlen(rsp), 0, &ts);
        drv_data(h, c, 1, &off1, body, sizeof(body), 10, &ts);
        tcpf_scanhost_report_add(h, c, 0, "tcpflow.test", "yes");
        tcpf_scanhost_flow_close(h, c, 0, TCPF_END_FIN);
        if (leave_open && i + 1 == n)
            continue;
        tcpf_scanhost_flow_close(h, c, 1, i % 2 ? TCPF_END_RST : TCPF_END_EOF);
    }
    tcpf_scanhost_report_add(h, NULL, 0, "tcpflow.flows", "done");
}

int
main(int argc, char **argv)
{
    const char *dirs[DRV_MAX_ARGS], *inputs[1] = { "synthetic.pcap" };
    struct tcpf_scanner_cmd cmds[DRV_MAX_ARGS];
    struct tcpf_setting settings[DRV_MAX_ARGS];
    struct tcpf_scanhost_config cfg;
    const struct tcpf_scanhost_stats *st;
    struct tcpf_scanhost *h;
    struct tcpf_conn *conns;
    const char *outdir = NULL;
    unsigned nflows = 2;
    bool list = false, leave_open = false;
    char err[1024];
    int c, ofd = -1, rc = 0;

    memset(&cfg, 0, sizeof(cfg));
    while ((c = getopt(argc, argv, "P:B:Ne:x:E:aS:o:n:Ld:H")) != -1) {
        if ((c == 'P' && cfg.n_plugin_dirs == DRV_MAX_ARGS) ||
            (strchr("exEa", c) && cfg.n_cmds == DRV_MAX_ARGS) ||
            (c == 'S' && cfg.n_settings == DRV_MAX_ARGS)) {
            fprintf(stderr, "shdriver: too many arguments\n");
            return 2;
        }
        switch (c) {
        case 'P': dirs[cfg.n_plugin_dirs++] = optarg; break;
        case 'B': cfg.builtin_dir = optarg; break;
        case 'N': cfg.use_env_path = true; break;
        case 'e': case 'x': case 'E': case 'a':
            cmds[cfg.n_cmds].op = (char)c;
            cmds[cfg.n_cmds++].name = c == 'a' ? NULL : optarg;
            break;
        case 'S': {
            char *eq = strchr(optarg, '=');

            if (eq == NULL) {
                fprintf(stderr, "shdriver: -S wants name=value\n");
                return 2;
            }
            *eq = '\0';
            settings[cfg.n_settings].name = optarg;
            settings[cfg.n_settings++].value = eq + 1;
            break;
        }
        case 'o': outdir = optarg; break;
        case 'n': nflows = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'L': leave_open = true; break;
        case 'd': tcpf_log_level = atoi(optarg); break;
        case 'H': list = true; break;
        default: return 2;
        }
    }
    cfg.plugin_dirs = dirs;
    cfg.cmds = cmds;
    cfg.settings = settings;
    cfg.inputs = inputs;
    cfg.n_inputs = 1;
    cfg.outdir = outdir;
    if (list)
        return tcpf_scanhost_list(&cfg, stdout) == 0 ? 0 : 1;
    if (outdir != NULL && (ofd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        perror(outdir);
        return 1;
    }
    cfg.outdir_fd = ofd;
    h = tcpf_scanhost_create(&cfg, err, sizeof(err));
    if (h == NULL) {
        fprintf(stderr, "shdriver: %s\n", err);
        if (ofd >= 0)
            close(ofd);
        return 1;
    }
    conns = calloc(nflows ? nflows : 1, sizeof(*conns));
    if (conns == NULL)
        return 1;
    if (tcpf_scanhost_any_enabled(h))
        drv_run(h, conns, nflows, leave_open);
    tcpf_scanhost_shutdown(h);
    st = tcpf_scanhost_stats(h);
    printf("enabled=%" PRIu64 " errors=%" PRIu64 " detached=%" PRIu64 " failing=%" PRIu64
           " derived=%" PRIu64 " derived_failures=%" PRIu64 " dropped=%" PRIu64
           " truncated=%" PRIu64 "\n", st->scanners_enabled, st->scanner_errors,
           st->flows_detached, st->scanners_failing, st->derived_files, st->derived_failures,
           st->entries_dropped, st->streams_truncated);
    for (unsigned i = 0; i < nflows; i++)
        if (conns[i].dir[0].scan_state != NULL || conns[i].dir[1].scan_state != NULL)
            rc = 3; /* the host must have released every direction */
    tcpf_scanhost_destroy(h);
    free(conns);
    if (ofd >= 0)
        close(ofd);
    return rc;
}
