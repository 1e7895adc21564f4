/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: example third-party tcpflow scanner: per-flow byte entropy and a protocol guess
 *
 * For each flow (one direction of a TCP connection) it counts byte values in the first
 * entropy.max_bytes bytes, computes the Shannon entropy in bits per byte, and guesses the
 * protocol from the first bytes. The results go to the report (report_add), and, with
 * -S entropy.histogram=yes, to a derived file FLOWFILE-entropy.txt with the 256 counts.
 * At the end of the run it adds one run-level entry per protocol guessed.
 *
 * It uses only <tcpflow/scanner.h>. Build: make (see Makefile); load: tcpflow -P DIR -e entropy.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <tcpflow/scanner.h>

#define ENT_HEAD 16          /* bytes kept for the protocol guess */
#define ENT_MAX_GUESSES 16

struct ent_state {
    const struct tcpf_host *host;
    uint64_t max_bytes;
    bool histogram;
    const char *guess_name[ENT_MAX_GUESSES];
    uint64_t guess_count[ENT_MAX_GUESSES];
};

struct ent_flow {
    uint64_t counts[256];
    uint64_t seen;           /* bytes counted */
    uint8_t head[ENT_HEAD];
    size_t head_len;
    bool head_hole;          /* the start of the stream is missing */
};

static const struct tcpf_scanner_option ent_options[] = {
    { "max_bytes", TCPF_OPT_U64, "1M", "bytes of each flow to look at (0 = all)" },
    { "histogram", TCPF_OPT_BOOL, "no", "write FLOWFILE-entropy.txt with the byte counts" },
    { NULL, 0, NULL, NULL },
};

/* First-bytes signatures, most specific first. */
static const struct {
    const char *prefix;
    size_t len;
    const char *name;
} ent_sigs[] = {
    { "GET ", 4, "http-request" },   { "POST ", 5, "http-request" },
    { "PUT ", 4, "http-request" },   { "HEAD ", 5, "http-request" },
    { "DELETE ", 7, "http-request" }, { "OPTIONS ", 8, "http-request" },
    { "CONNECT ", 8, "http-request" }, { "PATCH ", 6, "http-request" },
    { "HTTP/1.", 7, "http-response" }, { "SSH-", 4, "ssh" },
    { "220 ", 4, "smtp-or-ftp-banner" }, { "220-", 4, "smtp-or-ftp-banner" },
    { "EHLO ", 5, "smtp-client" },   { "HELO ", 5, "smtp-client" },
    { "* OK", 4, "imap" },           { "+OK", 3, "pop3" },
    { "PRI * HTTP/2.0", 14, "http2" },
};

static const char *
ent_guess(const struct ent_flow *f)
{
    size_t i, printable = 0;

    if (f->head_hole)
        return "unknown-midstream";
    if (f->head_len == 0)
        return "empty";
    for (i = 0; i < sizeof(ent_sigs) / sizeof(ent_sigs[0]); i++)
        if (f->head_len >= ent_sigs[i].len && memcmp(f->head, ent_sigs[i].prefix,
                                                     ent_sigs[i].len) == 0)
            return ent_sigs[i].name;
    if (f->head_len >= 3 && f->head[0] == 0x16 && f->head[1] == 0x03 && f->head[2] <= 0x04)
        return "tls";
    for (i = 0; i < f->head_len; i++)
        if ((f->head[i] >= 0x20 && f->head[i] < 0x7f) || f->head[i] == '\r' ||
            f->head[i] == '\n' || f->head[i] == '\t')
            printable++;
    return printable * 10 >= f->head_len * 9 ? "text" : "binary";
}

static double
ent_bits(const struct ent_flow *f)
{
    double h = 0.0;
    int i;

    if (f->seen == 0)
        return 0.0;
    for (i = 0; i < 256; i++) {
        if (f->counts[i] > 0) {
            double p = (double)f->counts[i] / (double)f->seen;

            h -= p * log2(p);
        }
    }
    return h;
}

static int
ent_init(const struct tcpf_host *host, void **sstate)
{
    struct ent_state *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return TCPF_ENOMEM;
    s->host = host;
    if (host->cfg_u64(host, "max_bytes", &s->max_bytes) != TCPF_OK ||
        host->cfg_bool(host, "histogram", &s->histogram) != TCPF_OK) {
        free(s);
        return TCPF_EINVAL;
    }
    *sstate = s;
    return TCPF_OK;
}

static int
ent_open(void *sstate, const struct tcpf_flow *flow, void **fstate)
{
    (void)sstate;
    (void)flow;
    *fstate = calloc(1, sizeof(struct ent_flow));
    return *fstate != NULL ? TCPF_OK : TCPF_ENOMEM;
}

static int
ent_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    struct ent_state *s = sstate;
    struct ent_flow *f = fstate;
    size_t i, n = c->len;

    (void)flow;
    /* The guess needs the true first bytes: a hole before them makes it unknowable. */
    if (c->offset < ENT_HEAD && f->head_len < ENT_HEAD) {
        if (c->gap > 0 || c->offset != f->head_len) {
            f->head_hole = true;
        } else {
            size_t take = ENT_HEAD - f->head_len < n ? ENT_HEAD - f->head_len : n;

            memcpy(f->head + f->head_len, c->data, take);
            f->head_len += take;
        }
    }
    if (s->max_bytes > 0 && f->seen + n > s->max_bytes)
        n = (size_t)(s->max_bytes - f->seen);
    for (i = 0; i < n; i++)
        f->counts[c->data[i]]++;
    f->seen += n;
    /* Everything needed is in hand: ask for no more data (flow_close still comes). */
    if (s->max_bytes > 0 && f->seen >= s->max_bytes && (f->head_len == ENT_HEAD || f->head_hole))
        return TCPF_DETACH;
    return TCPF_OK;
}

static void
ent_count_guess(struct ent_state *s, const char *g)
{
    int i;

    for (i = 0; i < ENT_MAX_GUESSES && s->guess_name[i] != NULL; i++)
        if (strcmp(s->guess_name[i], g) == 0)
            break;
    if (i == ENT_MAX_GUESSES)
        return;
    s->guess_name[i] = g;
    s->guess_count[i]++;
}

static void
ent_close(void *sstate, void *fstate, const struct tcpf_flow *flow, enum tcpf_close_reason why)
{
    struct ent_state *s = sstate;
    struct ent_flow *f = fstate;
    const char *g = ent_guess(f);
    char v[64];
    FILE *fp;
    int i;

    (void)why;
    snprintf(v, sizeof(v), "%.4f", ent_bits(f));
    s->host->report_add(s->host, flow, "entropy.bits_per_byte", v);
    snprintf(v, sizeof(v), "%" PRIu64, f->seen);
    s->host->report_add(s->host, flow, "entropy.bytes", v);
    s->host->report_add(s->host, flow, "entropy.guess", g);
    ent_count_guess(s, g);
    s->host->log(s->host, TCPF_SLOG_INFO, "flow %" PRIu64 ": %s, %.4f bits/byte", flow->flow_id,
                 g, ent_bits(f));
    if (s->histogram && (fp = s->host->derived_open(s->host, flow, "entropy.txt")) != NULL) {
        fprintf(fp, "# flow %" PRIu64 " guess %s bytes %" PRIu64 " entropy %.4f\n",
                flow->flow_id, g, f->seen, ent_bits(f));
        for (i = 0; i < 256; i++)
            if (f->counts[i] > 0)
                fprintf(fp, "%3d %" PRIu64 "\n", i, f->counts[i]);
        s->host->derived_close(s->host, fp);
    }
    free(f);
}

static void
ent_shutdown(void *sstate)
{
    struct ent_state *s = sstate;
    char key[64], v[32];
    int i;

    for (i = 0; i < ENT_MAX_GUESSES && s->guess_name[i] != NULL; i++) {
        snprintf(key, sizeof(key), "entropy.flows.%s", s->guess_name[i]);
        snprintf(v, sizeof(v), "%" PRIu64, s->guess_count[i]);
        s->host->report_add(s->host, NULL, key, v);
    }
    free(s);
}

TCPF_EXPORT const struct tcpf_scanner tcpf_scanner = {
    TCPF_SCANNER_HEADER("entropy"),
    .version = "1.0",
    .description = "per-flow byte entropy and first-bytes protocol guess (SDK example)",
    /* tcpflow -j N: counting (flow_data) touches only this flow's state, so it may run on
     * worker threads; flow_close adds to the run's guess table, so it wants -j 1 order. */
    .flags = TCPF_SCANNER_PARALLEL | TCPF_SCANNER_ORDERED_CLOSE,
    .options = ent_options,
    .init = ent_init,
    .flow_open = ent_open,
    .flow_data = ent_data,
    .flow_close = ent_close,
    .shutdown = ent_shutdown,
};
