/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: http scanner: HTTP/1.x transactions of both directions, decoded bodies, report
 *
 * Each direction of a connection is parsed as it arrives (flow_data), with hparse.h (http-
 * parser 2.9). A flow is a request flow or a response flow according to its first message
 * (a request line, or "HTTP/1.x NNN"); the two flows of a connection share a struct
 * http_conn (found by conn_id) through which each response is paired with its request, in
 * order: a response to HEAD, a 1xx/204/304 response and a 2xx answer to CONNECT have no
 * body; 1xx responses (100 Continue) do not consume a request; 101 and CONNECT end parsing
 * (the rest is another protocol).
 *
 * Output per message with a body (see body.c): <flow file>-HTTPBODY-NNN[.ext], NNN the
 * 1-based message number on that flow (counting messages without a body, as tcpflow 1.6.1
 * does), ext from Content-Type via mime.c; <flow file>-HTTPBODY-NNN.raw when the body could
 * not be fully decoded. Names never contain text from the traffic. tcpflow 1.6.1 wrote
 * response bodies only; request bodies (POST, PUT) are written too unless
 * -S http.request_bodies=no. Report entries (key http.transaction on the response flow,
 * http.request on the request flow when the request had a body or an event, http.flow once
 * per flow, http.run once per run) are lists of key=value pairs separated by spaces, in
 * which bytes outside printable ASCII and spaces are written %XX.
 *
 * Resynchronisation policy. http-parser stops for good at the first error, and it cannot
 * know where bytes are missing. So:
 *   - At the start of a flow (stream offset 0, no gap) the first line must be an HTTP/1.x
 *     request or status line; otherwise the flow is not HTTP and the scanner detaches.
 *   - Missing bytes inside a body whose framing survives them (Content-Length, within one
 *     chunk's data, or a body delimited by close) are replaced by zeros (event
 *     holes-zero-filled), up to HTTP_GAP_FILL_MAX bytes, and parsing goes on in step.
 *   - Any other gap, a parse error, or a flow picked up mid-stream: the current message
 *     ends (events gap / parse-error), the parser is reset, and bytes are skipped (counted)
 *     until a plausible message start: right after the gap, or after a line feed, a
 *     complete status line "HTTP/1.x NNN" (response flows) or request line "METHOD target
 *     HTTP/1.x" with a method http-parser knows (request flows). A flow that has never
 *     produced a message gives up after HTTP_SCAN_BUDGET skipped bytes.
 *   - A header block larger than http-parser's limit (80 KiB) is a parse error, handled as
 *     above.
 * Pairing after a resynchronisation on the request side may be off (lost requests cannot be
 * counted); responses found without a queued request are reported as unpaired.
 */
#define _POSIX_C_SOURCE 200809L /* strdup, strcasecmp */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tcpflow/scanner.h>

#include "hparse.h"
#include "http.h"
#include "mime.h"

#define HTTP_CARRY_MAX (8 * 1024)          /* longest start line looked for when resyncing */
#define HTTP_SCAN_BUDGET (1024 * 1024)     /* bytes skipped before a never-HTTP flow is dropped */
#define HTTP_GAP_FILL_MAX (16 * 1024 * 1024) /* largest hole zero-filled inside a body */
#define HTTP_URI_MAX 2048                  /* URI bytes kept for the report */
#define HTTP_HDR_MAX 256                   /* bytes kept of Host, Content-Type, -Encoding */
#define HTTP_QUEUE_MAX 1024                /* requests waiting for their response */
#define HTTP_QUEUE_BYTES (64 * 1024)       /* ... and their total size */
#define HTTP_CONN_BUCKETS 4096

enum http_role {
    HR_UNKNOWN = 0,
    HR_REQUEST,
    HR_RESPONSE
};

enum http_mode {
    HM_START = 0, /* waiting for the first line at offset 0 */
    HM_SCAN,      /* looking for a message start (after a gap or an error) */
    HM_PARSE,     /* in step with the parser */
    HM_DONE       /* not HTTP, or switched protocols: detached */
};

/* A request waiting for its response. */
struct http_req {
    struct http_req *next;
    const char *method; /* static (http-parser's table) */
    char *uri;          /* sanitised */
    char *host;         /* sanitised */
    size_t size;
};

/* State shared by the two flows of a connection. */
struct http_conn {
    struct http_conn *next; /* hash chain */
    uint64_t conn_id;
    int refs;
    struct http_req *head, *tail;
    size_t n_req, req_bytes;
    uint64_t req_dropped;
    bool is_resynced; /* a flow lost its place: pairing from then on is a guess */
};

enum http_hdr {
    HH_NONE = -1,
    HH_HOST = 0,
    HH_CTYPE,
    HH_CENC,
    HH_N
};

/* The message being parsed. */
struct http_msg {
    bool is_active;
    uint64_t no;
    char field[32];
    size_t field_len;
    bool field_long;
    bool in_value;
    int cur;                       /* enum http_hdr of the value being read */
    char hdr[HH_N][HTTP_HDR_MAX];  /* raw header values, NUL-terminated, cut at HTTP_HDR_MAX */
    size_t hdr_len[HH_N];
    bool hdr_seen[HH_N];
    char uri[HTTP_URI_MAX + 1];
    size_t uri_len;
    bool uri_long;
    const char *method;
    unsigned status;
    struct http_req *req;          /* responses: the paired request (owned) */
    bool has_body;
    struct http_body body;
};

struct http_state {
    const struct tcpf_host *host;
    struct http_cfg cfg;
    /* With tcpflow -j N the flows of different connections are scanned on different threads
     * (both flows of one connection stay on one thread): the connection table is locked and
     * the run counters are atomic. */
    pthread_mutex_t conns_lock;
    struct http_conn *conns[HTTP_CONN_BUCKETS];
    uint64_t n_flows, n_messages, n_bodies, n_limits, n_errors, n_gaps, n_resyncs;
};

struct http_flow {
    struct http_state *s;
    struct http_conn *conn;
    const struct tcpf_flow *view; /* borrowed, set during each callback */
    enum http_role role;
    enum http_mode mode;
    bool at_boundary;   /* HM_SCAN: the next data begins right after a gap */
    bool started;       /* saw data */
    bool ever_parsed;   /* a message began */
    bool tunnel;        /* a CONNECT succeeded: stop after this message */
    struct hp *p;
    struct http_msg msg;
    uint8_t *carry;     /* HM_START/HM_SCAN: a possible start line, incomplete */
    size_t carry_len;
    uint64_t n_msgs, n_errors, n_gaps, gap_bytes, n_resyncs, skipped, zero_filled;
    bool upgraded;
    const char *first_error;
};

static const struct tcpf_scanner_option http_options[] = {
    { "decompress", TCPF_OPT_BOOL, "yes", "undo Content-Encoding (gzip, deflate, br, zstd); "
                                          "-Z sets it to no" },
    { "max_decoded", TCPF_OPT_U64, "64M", "largest decoded body; beyond it the body is cut and "
                                          "the raw body kept (0: no limit)" },
    { "max_ratio", TCPF_OPT_U64, "1000", "largest decoded/compressed ratio once the decoded body "
                                         "exceeds 1 MiB (0: no limit)" },
    { "max_layers", TCPF_OPT_U64, "2", "most stacked content codings decoded; more: raw kept" },
    { "raw_keep", TCPF_OPT_U64, "1M", "raw bytes held while decoding, to keep the raw body when "
                                      "a limit or error comes within them" },
    { "max_memory", TCPF_OPT_U64, "32M", "memory cap of one body's decoders" },
    { "request_bodies", TCPF_OPT_BOOL, "yes", "also write request bodies (POST, PUT)" },
    { NULL, 0, NULL, NULL },
};

/* ---- small helpers ---------------------------------------------------------------------- */

/* Appends src[0..n) to buf (cap bytes, NUL-terminated), with bytes outside printable ASCII
 * and spaces written as %XX. Returns false when it had to cut. */
static bool
http_sanitise(char *buf, size_t cap, const char *src, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = strlen(buf), i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];

        if (c > 0x20 && c < 0x7f) {
            if (o + 1 >= cap)
                return false;
            buf[o++] = (char)c;
        } else {
            if (o + 3 >= cap)
                return false;
            buf[o++] = '%';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
        buf[o] = '\0';
    }
    return true;
}

/* Appends " key=value" (value sanitised) to a report line. */
static void
http_kv(char *line, size_t cap, const char *key, const char *value)
{
    size_t o = strlen(line);

    if (value == NULL || value[0] == '\0')
        return;
    snprintf(line + o, cap - o, "%s%s=", o ? " " : "", key);
    http_sanitise(line, cap, value, strlen(value));
}

static void
http_ku(char *line, size_t cap, const char *key, uint64_t v)
{
    size_t o = strlen(line);

    snprintf(line + o, cap - o, "%s%s=%llu", o ? " " : "", key, (unsigned long long)v);
}

/* ---- connections and the request queue ------------------------------------------------------ */

/* Adds one to a run counter shared by every worker thread. */
#define HTTP_COUNT(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

static struct http_conn *http_conn_get_locked(struct http_state *s, uint64_t id);
static void http_conn_put_locked(struct http_state *s, struct http_conn *c);

/* The connection record shared by both flows of connection id (a new one on first use), with
 * one more reference; NULL when out of memory. */
static struct http_conn *
http_conn_get(struct http_state *s, uint64_t id)
{
    struct http_conn *c;

    pthread_mutex_lock(&s->conns_lock);
    c = http_conn_get_locked(s, id);
    pthread_mutex_unlock(&s->conns_lock);
    return c;
}

/* Drops a reference; the last one frees the record and its queued requests. */
static void
http_conn_put(struct http_state *s, struct http_conn *c)
{
    pthread_mutex_lock(&s->conns_lock);
    http_conn_put_locked(s, c);
    pthread_mutex_unlock(&s->conns_lock);
}

static struct http_conn *
http_conn_get_locked(struct http_state *s, uint64_t id)
{
    struct http_conn **head = &s->conns[id % HTTP_CONN_BUCKETS], *c;

    for (c = *head; c != NULL; c = c->next) {
        if (c->conn_id == id) {
            c->refs++;
            return c;
        }
    }
    if ((c = calloc(1, sizeof(*c))) == NULL)
        return NULL;
    c->conn_id = id;
    c->refs = 1;
    c->next = *head;
    *head = c;
    return c;
}

static void
http_req_free(struct http_req *r)
{
    if (r == NULL)
        return;
    free(r->uri);
    free(r->host);
    free(r);
}

static void
http_conn_put_locked(struct http_state *s, struct http_conn *c)
{
    struct http_conn **pp;

    if (c == NULL || --c->refs > 0)
        return;
    for (pp = &s->conns[c->conn_id % HTTP_CONN_BUCKETS]; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    while (c->head != NULL) {
        struct http_req *r = c->head;

        c->head = r->next;
        http_req_free(r);
    }
    free(c);
}

static void
http_conn_push(struct http_conn *c, const struct http_msg *m)
{
    struct http_req *r;
    char uri[HTTP_URI_MAX * 3 + 1] = "", host[HTTP_HDR_MAX * 3 + 1] = "";
    size_t size;

    if (c == NULL)
        return;
    http_sanitise(uri, sizeof(uri), m->uri, m->uri_len);
    http_sanitise(host, sizeof(host), m->hdr[HH_HOST], m->hdr_len[HH_HOST]);
    size = sizeof(*r) + strlen(uri) + strlen(host) + 2;
    if (c->n_req >= HTTP_QUEUE_MAX || c->req_bytes + size > HTTP_QUEUE_BYTES ||
        (r = calloc(1, sizeof(*r))) == NULL) {
        c->req_dropped++;
        return;
    }
    r->method = m->method;
    r->uri = strdup(uri);
    r->host = strdup(host);
    r->size = size;
    if (r->uri == NULL || r->host == NULL) {
        http_req_free(r);
        c->req_dropped++;
        return;
    }
    if (c->tail != NULL)
        c->tail->next = r;
    else
        c->head = r;
    c->tail = r;
    c->n_req++;
    c->req_bytes += size;
}

static struct http_req *
http_conn_pop(struct http_conn *c)
{
    struct http_req *r;

    if (c == NULL || (r = c->head) == NULL)
        return NULL;
    c->head = r->next;
    if (c->head == NULL)
        c->tail = NULL;
    c->n_req--;
    c->req_bytes -= r->size;
    r->next = NULL;
    return r;
}

/* ---- messages ------------------------------------------------------------------------------- */

/* Report entry of a finished message. */
static void
http_msg_report(struct http_flow *f)
{
    struct http_msg *m = &f->msg;
    struct http_body *b = &m->body;
    char line[HTTP_URI_MAX * 3 + HTTP_HDR_MAX * 9 + 1024], ev[512], num[16];
    bool is_req = f->role == HR_REQUEST;

    if (is_req && !m->has_body && (b->events | (m->uri_long ? HEV_URI_LONG : 0)) == 0)
        return;
    line[0] = '\0';
    http_ku(line, sizeof(line), "n", m->no);
    if (is_req) {
        http_kv(line, sizeof(line), "method", m->method);
        http_kv(line, sizeof(line), "host", m->hdr[HH_HOST]);
        if (m->uri_len > 0) {
            size_t o = strlen(line);

            snprintf(line + o, sizeof(line) - o, " uri=");
            http_sanitise(line, sizeof(line), m->uri, m->uri_len);
        }
    } else if (m->req != NULL) {
        http_kv(line, sizeof(line), "method", m->req->method);
        http_kv(line, sizeof(line), "host", m->req->host);
        http_kv(line, sizeof(line), "uri", m->req->uri);
    }
    if (!is_req) {
        snprintf(num, sizeof(num), "%u", m->status);
        http_kv(line, sizeof(line), "status", num);
    }
    http_kv(line, sizeof(line), "content_type", m->hdr[HH_CTYPE]);
    http_kv(line, sizeof(line), "content_encoding", m->hdr[HH_CENC]);
    if (m->has_body) {
        http_ku(line, sizeof(line), "raw_bytes", b->raw_len);
        if (b->mode != HB_NONE && b->out_len > 0)
            http_ku(line, sizeof(line), "decoded_bytes", b->out_len);
        http_kv(line, sizeof(line), "sha256", b->sha_hex);
        http_kv(line, sizeof(line), "file", b->out_name);
        http_kv(line, sizeof(line), "raw_sha256", b->rsha_hex);
        http_kv(line, sizeof(line), "raw_file", b->raw_name);
        if (b->holes > 0)
            http_ku(line, sizeof(line), "zero_filled", b->holes);
    }
    http_events_str(b->events | (m->uri_long ? HEV_URI_LONG : 0), ev, sizeof(ev));
    http_kv(line, sizeof(line), "events", ev);
    http_kv(line, sizeof(line), "detail", b->detail);
    f->s->host->report_add(f->s->host, f->view, is_req ? "http.request" : "http.transaction",
                           line);
}

/* Ends the current message with extra events (HEV_*), writes its report entry. */
static void
http_msg_end(struct http_flow *f, unsigned events)
{
    struct http_msg *m = &f->msg;

    if (!m->is_active)
        return;
    m->body.view = f->view;
    if (m->has_body) {
        http_body_end(&m->body, events);
        if (m->body.events & HEV_LIMITS)
            HTTP_COUNT(f->s->n_limits);
        if (m->body.out_name != NULL || m->body.raw_name != NULL)
            HTTP_COUNT(f->s->n_bodies);
    } else {
        m->body.events |= events;
    }
    if (f->role == HR_RESPONSE && m->req == NULL && m->status >= 200)
        m->body.events |= HEV_UNPAIRED;
    else if (f->role == HR_RESPONSE && f->conn != NULL && f->conn->is_resynced)
        m->body.events |= HEV_PAIR_GUESS;
    http_msg_report(f);
    http_body_free(&m->body);
    http_req_free(m->req);
    m->req = NULL;
    m->is_active = false;
    HTTP_COUNT(f->s->n_messages);
}

static int
http_cb_begin(void *ctx)
{
    struct http_flow *f = ctx;
    struct http_msg *m = &f->msg;
    uint64_t no = ++f->n_msgs;

    http_msg_end(f, HEV_PARSE_ERROR); /* not expected: a message never completed */
    memset(m, 0, sizeof(*m));
    m->is_active = true;
    m->no = no;
    m->cur = HH_NONE;
    f->ever_parsed = true;
    return 0;
}

static int
http_cb_url(void *ctx, const char *at, size_t len)
{
    struct http_msg *m = &((struct http_flow *)ctx)->msg;
    size_t take = len;

    if (take > HTTP_URI_MAX - m->uri_len) {
        take = HTTP_URI_MAX - m->uri_len;
        m->uri_long = true;
    }
    memcpy(m->uri + m->uri_len, at, take);
    m->uri_len += take;
    m->uri[m->uri_len] = '\0';
    return 0;
}

static int
http_cb_field(void *ctx, const char *at, size_t len)
{
    struct http_msg *m = &((struct http_flow *)ctx)->msg;

    if (m->in_value) {
        m->in_value = false;
        m->field_len = 0;
        m->field_long = false;
    }
    if (len > sizeof(m->field) - 1 - m->field_len) {
        m->field_long = true;
        return 0;
    }
    memcpy(m->field + m->field_len, at, len);
    m->field_len += len;
    m->field[m->field_len] = '\0';
    return 0;
}

static int
http_cb_value(void *ctx, const char *at, size_t len)
{
    struct http_msg *m = &((struct http_flow *)ctx)->msg;
    size_t take;

    if (!m->in_value) {
        static const char *const names[HH_N] = { "host", "content-type", "content-encoding" };
        int i;

        m->in_value = true;
        m->cur = HH_NONE;
        for (i = 0; i < HH_N && !m->field_long; i++) {
            if (strcasecmp(m->field, names[i]) == 0) {
                m->cur = i;
                /* A repeated header: Content-Encoding lists join (RFC 9110 5.3); others:
                 * the first wins. */
                if (m->hdr_seen[i] && i == HH_CENC && m->hdr_len[i] + 2 < HTTP_HDR_MAX) {
                    m->hdr[i][m->hdr_len[i]++] = ',';
                    m->hdr[i][m->hdr_len[i]] = '\0';
                } else if (m->hdr_seen[i]) {
                    m->cur = HH_NONE;
                }
                m->hdr_seen[i] = true;
            }
        }
    }
    if (m->cur == HH_NONE)
        return 0;
    take = len;
    if (take > HTTP_HDR_MAX - 1 - m->hdr_len[m->cur])
        take = HTTP_HDR_MAX - 1 - m->hdr_len[m->cur];
    memcpy(m->hdr[m->cur] + m->hdr_len[m->cur], at, take);
    m->hdr_len[m->cur] += take;
    m->hdr[m->cur][m->hdr_len[m->cur]] = '\0';
    return 0;
}

static void
http_msg_body_begin(struct http_flow *f)
{
    struct http_msg *m = &f->msg;

    m->has_body = true;
    http_body_begin(&m->body, f->s->host, &f->s->cfg, m->no, mime_ext(m->hdr[HH_CTYPE]),
                    m->hdr[HH_CENC]);
}

static int
http_cb_headers(void *ctx, const struct hp_info *info)
{
    struct http_flow *f = ctx;
    struct http_msg *m = &f->msg;
    const char *method;

    if (info->is_request) {
        m->method = info->method;
        http_conn_push(f->conn, m);
        if (f->s->cfg.request_bodies && ((info->has_length && info->content_length > 0) ||
                                         info->is_chunked))
            http_msg_body_begin(f);
        return 0;
    }
    m->status = info->status;
    if (info->status >= 200 || info->status == 101)
        m->req = http_conn_pop(f->conn);
    method = m->req != NULL ? m->req->method : "";
    if (info->status < 200 || info->status == 204 || info->status == 304 ||
        strcmp(method, "HEAD") == 0)
        return 1;
    if (strcmp(method, "CONNECT") == 0 && info->status < 300) {
        f->tunnel = true;
        return 1;
    }
    http_msg_body_begin(f);
    return 0;
}

static int
http_cb_body(void *ctx, const char *at, size_t len)
{
    struct http_flow *f = ctx;

    if (f->msg.has_body) {
        f->msg.body.view = f->view;
        http_body_write(&f->msg.body, (const uint8_t *)at, len);
    }
    return 0;
}

static int
http_cb_complete(void *ctx)
{
    struct http_flow *f = ctx;

    http_msg_end(f, 0);
    return f->tunnel ? 1 : 0; /* stop: the rest is a tunnel */
}

static const struct hp_callbacks http_callbacks = {
    .begin = http_cb_begin,
    .url = http_cb_url,
    .header_field = http_cb_field,
    .header_value = http_cb_value,
    .headers_done = http_cb_headers,
    .body = http_cb_body,
    .complete = http_cb_complete,
};

/* ---- finding message starts ----------------------------------------------------------------- */

enum http_verdict {
    HV_NO = 0,
    HV_YES,
    HV_MORE
};

/* Does b[0..n) begin with "HTTP/1.x NNN" followed by a space or line end? */
static enum http_verdict
http_status_line(const uint8_t *b, size_t n)
{
    static const char pat[] = "HTTP/1.d ddd";
    size_t i;

    for (i = 0; i < sizeof(pat) - 1; i++) {
        if (i >= n)
            return HV_MORE;
        if (pat[i] == 'd' ? (b[i] < '0' || b[i] > '9') : b[i] != (uint8_t)pat[i])
            return HV_NO;
    }
    if (i >= n)
        return HV_MORE;
    return b[i] == ' ' || b[i] == '\r' || b[i] == '\n' ? HV_YES : HV_NO;
}

/* Does b[0..n) begin with a request line "METHOD target HTTP/1.x" CRLF? */
static enum http_verdict
http_request_line(const uint8_t *b, size_t n)
{
    size_t i = 0, t;

    while (i < n && i < 24 && b[i] >= 'A' && b[i] <= 'Z')
        i++;
    if (i == n)
        return HV_MORE;
    if (i == 0 || b[i] != ' ' || !hp_is_method((const char *)b, i))
        return HV_NO;
    t = ++i;
    while (i < n && b[i] > 0x20 && b[i] != 0x7f)
        i++;
    if (i == n)
        return i - t < HTTP_CARRY_MAX ? HV_MORE : HV_NO;
    if (i == t || b[i] != ' ')
        return HV_NO;
    i++;
    for (t = 0; t < 7; t++) {
        if (i + t >= n)
            return HV_MORE;
        if (b[i + t] != (uint8_t)"HTTP/1."[t])
            return HV_NO;
    }
    i += 7;
    if (i >= n)
        return HV_MORE;
    if (b[i] < '0' || b[i] > '9')
        return HV_NO;
    if (++i >= n)
        return HV_MORE;
    return b[i] == '\r' || b[i] == '\n' ? HV_YES : HV_NO;
}

static enum http_verdict
http_start_line(const struct http_flow *f, const uint8_t *b, size_t n, enum http_role *role)
{
    enum http_verdict rq = HV_NO, rs = HV_NO;

    if (f->role != HR_REQUEST)
        rs = http_status_line(b, n);
    if (f->role != HR_RESPONSE && rs != HV_YES)
        rq = http_request_line(b, n);
    if (rs == HV_YES || rq == HV_YES) {
        *role = rs == HV_YES ? HR_RESPONSE : HR_REQUEST;
        return HV_YES;
    }
    return rs == HV_MORE || rq == HV_MORE ? HV_MORE : HV_NO;
}

/* ---- the per-flow machine ------------------------------------------------------------------- */

static void http_process(struct http_flow *f, const uint8_t *data, size_t len);

/* A message start was found: set the role, create or reset the parser. */
static bool
http_start_parsing(struct http_flow *f, enum http_role role)
{
    enum hp_type t = role == HR_REQUEST ? HP_REQUEST : HP_RESPONSE;

    if (f->role == HR_UNKNOWN)
        f->role = role;
    if (f->p == NULL) {
        if ((f->p = hp_create(t, &http_callbacks, f)) == NULL) {
            f->mode = HM_DONE;
            return false;
        }
    } else {
        hp_reset(f->p, t);
    }
    if (f->mode == HM_SCAN) {
        f->n_resyncs++;
        if (f->conn != NULL)
            f->conn->is_resynced = true;
    }
    f->mode = HM_PARSE;
    return true;
}

static void
http_give_up_maybe(struct http_flow *f)
{
    if (!f->ever_parsed && f->skipped > HTTP_SCAN_BUDGET)
        f->mode = HM_DONE;
}

/* Feeds the held start line (and what follows) once it proved a message start. */
static void
http_flush_carry(struct http_flow *f)
{
    uint8_t *buf = f->carry;
    size_t n = f->carry_len;

    f->carry = NULL;
    f->carry_len = 0;
    http_process(f, buf, n);
    if (f->carry == NULL)
        f->carry = buf;
    else
        free(buf);
}

/* Next possible message start in data[from..len): just after a line feed, or (response and
 * unknown flows) wherever "HTTP/1." begins, including a prefix of it at the very end.
 * Returns len when there is none. */
static size_t
http_next_start(const struct http_flow *f, const uint8_t *data, size_t len, size_t from)
{
    static const char pat[] = "HTTP/1.";
    const uint8_t *nl;
    size_t best = len, k;

    if (from >= len)
        return len;
    if ((nl = memchr(data + from, '\n', len - from)) != NULL)
        best = (size_t)(nl - data) + 1;
    if (f->role == HR_REQUEST)
        return best;
    for (k = from; k < best; k++) {
        const uint8_t *h = memchr(data + k, 'H', best - k);
        size_t m;

        if (h == NULL)
            break;
        k = (size_t)(h - data);
        for (m = 0; m < sizeof(pat) - 1 && k + m < len && data[k + m] == (uint8_t)pat[m]; m++)
            ;
        if (m == sizeof(pat) - 1 || k + m == len)
            return k;
    }
    return best;
}

/* HM_START / HM_SCAN: consumes bytes while looking for a message start. Returns how many
 * bytes of data were used (the caller goes on with the rest in the new mode). */
static size_t
http_scan(struct http_flow *f, const uint8_t *data, size_t len)
{
    enum http_role role = HR_UNKNOWN;
    enum http_verdict v;
    size_t k;

    if (f->carry_len > 0) {
        size_t add = len < HTTP_CARRY_MAX - f->carry_len ? len : HTTP_CARRY_MAX - f->carry_len;

        memcpy(f->carry + f->carry_len, data, add);
        f->carry_len += add;
        v = http_start_line(f, f->carry, f->carry_len, &role);
        if (v == HV_MORE && f->carry_len < HTTP_CARRY_MAX)
            return add;
        if (v == HV_YES) {
            if (http_start_parsing(f, role))
                http_flush_carry(f);
            return add;
        }
        /* Not a start: go on after its first byte (the appended bytes are scanned again from
         * data when the carry ended before them). */
        f->carry_len -= add;
        if (f->mode == HM_START) {
            f->mode = HM_DONE;
            f->carry_len = 0;
            return 0;
        }
        k = http_next_start(f, f->carry, f->carry_len, 1);
        if (k < f->carry_len) {
            memmove(f->carry, f->carry + k, f->carry_len - k);
            f->skipped += k;
            f->carry_len -= k;
            return 0;
        }
        f->skipped += f->carry_len;
        f->carry_len = 0;
        if (f->mode == HM_START)
            f->mode = HM_DONE;
        http_give_up_maybe(f);
        return 0;
    }
    k = 0;
    if (!f->at_boundary && f->mode != HM_START)
        k = http_next_start(f, data, len, 0);
    f->at_boundary = false;
    for (;;) {
        if (k >= len) {
            f->skipped += len;
            http_give_up_maybe(f);
            return len;
        }
        v = http_start_line(f, data + k, len - k, &role);
        if (v == HV_YES) {
            f->skipped += k;
            http_start_parsing(f, role);
            return k;
        }
        if (v == HV_MORE && len - k < HTTP_CARRY_MAX) {
            if (f->carry == NULL && (f->carry = malloc(HTTP_CARRY_MAX)) == NULL) {
                f->mode = HM_DONE;
                return len;
            }
            memcpy(f->carry, data + k, len - k);
            f->carry_len = len - k;
            f->skipped += k;
            return len;
        }
        if (f->mode == HM_START) {
            f->mode = HM_DONE;
            return len;
        }
        k = http_next_start(f, data, len, k + 1);
    }
}

/* The parser failed at data[n]: end the message, look for the next start. */
static void
http_parse_error(struct http_flow *f)
{
    if (f->tunnel) {
        f->mode = HM_DONE;
        return;
    }
    f->n_errors++;
    HTTP_COUNT(f->s->n_errors);
    if (f->first_error == NULL)
        f->first_error = hp_error_name(f->p);
    if (f->msg.is_active && f->role == HR_RESPONSE && f->msg.status == 0 && f->msg.req == NULL)
        f->msg.req = http_conn_pop(f->conn); /* a response died in its head: it answered one */
    if (f->msg.is_active) {
        f->msg.body.detail = f->msg.body.detail ? f->msg.body.detail : hp_error_name(f->p);
        http_msg_end(f, HEV_PARSE_ERROR);
    }
    f->mode = HM_SCAN;
    f->at_boundary = false;
}

static void
http_process(struct http_flow *f, const uint8_t *data, size_t len)
{
    while (len > 0 && f->mode != HM_DONE) {
        size_t n;

        if (f->mode == HM_PARSE) {
            enum hp_status st;

            n = hp_feed(f->p, data, len, &st);
            if (st == HP_UPGRADE) {
                http_msg_end(f, 0);
                f->upgraded = true;
                f->mode = HM_DONE;
                return;
            }
            if (st == HP_ERROR) {
                http_parse_error(f);
                if (n == 0 && f->mode == HM_SCAN) {
                    /* the first byte was refused: never look for a start there again */
                    n = 1;
                    f->skipped++;
                }
            }
        } else {
            n = http_scan(f, data, len);
        }
        data += n;
        len -= n;
    }
}

static const uint8_t http_zeros[64 * 1024];

/* chunk->gap missing bytes before the next data. */
static void
http_gap(struct http_flow *f, uint64_t gap)
{
    f->n_gaps++;
    f->gap_bytes += gap;
    HTTP_COUNT(f->s->n_gaps);
    if (f->mode == HM_PARSE && gap <= HTTP_GAP_FILL_MAX && hp_gap_fillable(f->p, gap)) {
        uint64_t left = gap;

        f->zero_filled += gap;
        if (f->msg.has_body) {
            f->msg.body.holes += gap;
            f->msg.body.events |= HEV_HOLES;
        }
        while (left > 0 && f->mode == HM_PARSE) {
            size_t n = left < sizeof(http_zeros) ? (size_t)left : sizeof(http_zeros);

            http_process(f, http_zeros, n);
            left -= n;
        }
        return;
    }
    if (f->mode == HM_PARSE)
        http_msg_end(f, HEV_GAP);
    else
        f->skipped += f->carry_len;
    f->carry_len = 0;
    if (f->mode != HM_DONE) {
        f->mode = HM_SCAN;
        f->at_boundary = true;
    }
}

/* ---- scanner callbacks ---------------------------------------------------------------------- */

static int
http_init(const struct tcpf_host *host, void **sstate)
{
    struct http_state *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return TCPF_ENOMEM;
    s->host = host;
    pthread_mutex_init(&s->conns_lock, NULL);
    if (host->cfg_bool(host, "decompress", &s->cfg.decompress) != TCPF_OK ||
        host->cfg_bool(host, "request_bodies", &s->cfg.request_bodies) != TCPF_OK ||
        host->cfg_u64(host, "max_decoded", &s->cfg.max_decoded) != TCPF_OK ||
        host->cfg_u64(host, "max_ratio", &s->cfg.max_ratio) != TCPF_OK ||
        host->cfg_u64(host, "max_layers", &s->cfg.max_layers) != TCPF_OK ||
        host->cfg_u64(host, "raw_keep", &s->cfg.raw_keep) != TCPF_OK ||
        host->cfg_u64(host, "max_memory", &s->cfg.max_memory) != TCPF_OK) {
        pthread_mutex_destroy(&s->conns_lock);
        free(s);
        return TCPF_EINVAL;
    }
    if (s->cfg.max_layers > HDEC_MAX_CODINGS)
        s->cfg.max_layers = HDEC_MAX_CODINGS;
    if (s->cfg.raw_keep > SIZE_MAX / 4)
        s->cfg.raw_keep = SIZE_MAX / 4;
    if (s->cfg.max_memory > SIZE_MAX / 2)
        s->cfg.max_memory = SIZE_MAX / 2;
    *sstate = s;
    return TCPF_OK;
}

static int
http_open(void *sstate, const struct tcpf_flow *flow, void **fstate)
{
    struct http_state *s = sstate;
    struct http_flow *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return TCPF_ENOMEM;
    f->s = s;
    if ((f->conn = http_conn_get(s, flow->conn_id)) == NULL) {
        free(f);
        return TCPF_ENOMEM;
    }
    f->mode = HM_START;
    HTTP_COUNT(s->n_flows);
    *fstate = f;
    return TCPF_OK;
}

static int
http_data(void *sstate, void *fstate, const struct tcpf_flow *flow, const struct tcpf_chunk *c)
{
    struct http_flow *f = fstate;

    (void)sstate;
    f->view = flow;
    if (f->mode != HM_DONE) {
        if (!f->started && (c->gap > 0 || c->offset > 0 || flow->midstream)) {
            /* picked up mid-stream: any message start will do */
            f->mode = HM_SCAN;
            f->at_boundary = true;
            if (c->gap > 0 || c->offset > 0) {
                f->n_gaps++;
                f->gap_bytes += c->gap;
                HTTP_COUNT(f->s->n_gaps);
            }
        } else if (c->gap > 0) {
            http_gap(f, c->gap);
        }
        f->started = true;
        if (c->len > 0 && c->data != NULL)
            http_process(f, c->data, c->len);
    }
    f->view = NULL;
    return f->mode == HM_DONE ? TCPF_DETACH : TCPF_OK;
}

static void
http_close(void *sstate, void *fstate, const struct tcpf_flow *flow, enum tcpf_close_reason why)
{
    struct http_state *s = sstate;
    struct http_flow *f = fstate;
    char line[512];

    (void)why;
    if (f == NULL)
        return;
    f->view = flow;
    if (f->mode == HM_PARSE && f->p != NULL) {
        if (hp_eof(f->p) != HP_OK && f->msg.is_active)
            f->msg.body.detail = f->msg.body.detail ? f->msg.body.detail : "flow ended";
    }
    http_msg_end(f, HEV_INCOMPLETE);
    if (f->ever_parsed || f->n_errors > 0) {
        line[0] = '\0';
        http_kv(line, sizeof(line), "role", f->role == HR_REQUEST ? "request" : "response");
        http_ku(line, sizeof(line), "messages", f->n_msgs);
        http_ku(line, sizeof(line), "parse_errors", f->n_errors);
        http_ku(line, sizeof(line), "gaps", f->n_gaps);
        http_ku(line, sizeof(line), "gap_bytes", f->gap_bytes);
        http_ku(line, sizeof(line), "zero_filled", f->zero_filled);
        http_ku(line, sizeof(line), "resyncs", f->n_resyncs);
        http_ku(line, sizeof(line), "skipped_bytes", f->skipped);
        if (f->role == HR_REQUEST && f->conn != NULL)
            http_ku(line, sizeof(line), "requests_unqueued", f->conn->req_dropped);
        if (f->upgraded)
            http_kv(line, sizeof(line), "upgraded", "yes");
        http_kv(line, sizeof(line), "first_error", f->first_error);
        s->host->report_add(s->host, flow, "http.flow", line);
    }
    hp_destroy(f->p);
    free(f->carry);
    http_conn_put(s, f->conn);
    free(f);
}

static void
http_shutdown(void *sstate)
{
    struct http_state *s = sstate;
    char line[512];
    size_t i;

    line[0] = '\0';
    http_ku(line, sizeof(line), "flows", s->n_flows);
    http_ku(line, sizeof(line), "messages", s->n_messages);
    http_ku(line, sizeof(line), "bodies", s->n_bodies);
    http_ku(line, sizeof(line), "limits", s->n_limits);
    http_ku(line, sizeof(line), "parse_errors", s->n_errors);
    http_ku(line, sizeof(line), "gaps", s->n_gaps);
    s->host->report_add(s->host, NULL, "http.run", line);
    for (i = 0; i < HTTP_CONN_BUCKETS; i++) {
        while (s->conns[i] != NULL) {
            struct http_conn *c = s->conns[i];

            c->refs = 1;
            http_conn_put(s, c);
        }
    }
    pthread_mutex_destroy(&s->conns_lock);
    free(s);
}

TCPF_SCANNER_DEFINE = {
    TCPF_SCANNER_HEADER("http"),
    .version = "2.0",
    .description = "HTTP/1.x: request and response bodies (decoded) to FLOW-HTTPBODY-NNN files, "
                   "a report entry per transaction",
    /* flows scanned on worker threads with -j N: see struct http_state */
    .flags = TCPF_SCANNER_PARALLEL,
    .options = http_options,
    .init = http_init,
    .flow_open = http_open,
    .flow_data = http_data,
    .flow_close = http_close,
    .shutdown = http_shutdown,
};
