/* SPDX-License-Identifier: GPL-3.0-or-later */
/**
 * @file tcpflow/scanner.h
 * @brief The tcpflow scanner plugin ABI: the one header a scanner needs.
 *
 * A scanner is a shared object (`NAME.so`) that exports exactly one data symbol,
 * `tcpf_scanner`, a struct tcpf_scanner describing it. tcpflow loads it with dlopen(),
 * checks the descriptor, calls init() once with a table of host services (struct tcpf_host),
 * then feeds it packets and reassembled TCP streams. The plugin never links against tcpflow
 * symbols; everything it needs comes through struct tcpf_host. Build with
 * `-fPIC -fvisibility=hidden -shared` and mark only the descriptor with TCPF_EXPORT.
 *
 * Minimal scanner:
 * @code
 *   #include <tcpflow/scanner.h>
 *   static int hello_data(void *s, void *f, const struct tcpf_flow *flow,
 *                         const struct tcpf_chunk *c) { ...; return TCPF_OK; }
 *   TCPF_SCANNER_DEFINE = {
 *       TCPF_SCANNER_HEADER("hello"), .version = "1.0", .flow_data = hello_data,
 *   };
 * @endcode
 * (TCPF_SCANNER_DEFINE is `TCPF_EXPORT const struct tcpf_scanner tcpf_scanner`, plus
 * `extern "C"` in C++.) The guide is docs/writing-a-scanner.md in the tcpflow sources.
 *
 * @par Versioning
 * TCPF_ABI_MAJOR changes only for incompatible changes; the host refuses a plugin whose
 * abi_major differs. TCPF_ABI_MINOR is bumped when fields are appended to the end of
 * struct tcpf_scanner, struct tcpf_host or one of the views. The host refuses a plugin
 * built for a NEWER minor than its own (the plugin may rely on host services or fields the
 * host does not have; upgrade tcpflow); an older minor is accepted, and the host reads
 * descriptor fields only up to the plugin's struct_size. Every struct the host hands to a
 * plugin starts with struct_size: a plugin built for a newer minor that wants to run on an
 * older host must not read past it (the host refuses such plugins today, but views may be
 * handed to helper code compiled separately). The fields abi_major, abi_minor, struct_size,
 * flags, name and version of struct tcpf_scanner keep their offsets in every ABI version,
 * so that any host can name a plugin it refuses.
 *
 * @par Contract (the host guarantees)
 * - Threading: with tcpflow -j 1 (the default) every callback of every scanner is called
 *   from one thread, never re-entered, never concurrently. With -j N > 1 (ABI 1.1) tcpflow
 *   runs N worker threads, each owning the connections whose addresses and ports hash to it:
 *   - a scanner without TCPF_SCANNER_PARALLEL makes tcpflow fall back to -j 1 (with a
 *     notice), so a 1.0 scanner never sees a second thread;
 *   - for a scanner with TCPF_SCANNER_PARALLEL, flow_open, flow_data, flow_stream and
 *     flow_close run on worker threads, concurrently for different connections; both
 *     directions of one connection are always handled by the same worker, and the calls of
 *     one connection keep their -j 1 order. State shared between flows (counters, tables
 *     in sstate) must be locked or atomic;
 *   - init, packet and shutdown run on the main thread; packet in capture order;
 *   - flow_stream and flow_close of report sinks and of scanners with
 *     TCPF_SCANNER_ORDERED_CLOSE run on the main thread, one at a time, in exactly the
 *     order -j 1 would call them (after every flow_data of that flow), so run-level
 *     aggregates built there are the same whatever N is.
 *   Host services may be called only from inside a callback; they are thread-safe.
 * - Borrowing: every pointer a callback receives (flow views, chunks, packets, strings) is
 *   borrowed for the duration of that call only. Copy what you keep.
 * - Ordering: for each flow (one direction of a TCP connection) the calls are flow_open,
 *   then flow_data for each chunk in stream order, then flow_stream (if requested), then
 *   flow_close. Report sinks get flow_close after every other scanner's flow_close of that
 *   flow, and shutdown after every other scanner's shutdown.
 * - Exactly once: flow_close is called exactly once for every flow_open that returned
 *   TCPF_OK (or for every flow, when flow_open is NULL), whatever the reason the flow ended
 *   and also after the scanner detached itself or was detached for an error. fstate is the
 *   plugin's to free there. flow_open returning anything else gets no flow_close.
 * - Gaps: bytes missing from the capture are never skipped silently: each chunk says how
 *   many bytes are missing just before it (struct tcpf_chunk.gap), and flow_stream says how
 *   many missing bytes it filled with zeros.
 * - Errors: a negative return from packet, flow_open, flow_data or flow_stream detaches the
 *   scanner from that flow (packet: from packets for the rest of the run). The host counts
 *   it, logs the first one per scanner, still calls flow_close, and carries on: a scanner
 *   never stops the run. A negative return from init stops tcpflow with an error naming the
 *   plugin.
 *
 * @par Contract (the plugin promises)
 * - Never call exit() or abort() on bad input, never install signal handlers, never write
 *   to stdout, never create files except through tcpf_host.derived_open.
 * - Never keep a borrowed pointer past the callback that received it.
 * - Export only the descriptor (build with -fvisibility=hidden).
 * - Be defensive with the data: it is hostile network input.
 *
 * This header is self-contained C99 (also valid C++), and uses only <stdint.h>,
 * <stddef.h>, <stdbool.h> and <stdio.h>.
 */
#ifndef TCPFLOW_SCANNER_H
#define TCPFLOW_SCANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI major version: changed only for incompatible changes. */
#define TCPF_ABI_MAJOR 1
/** ABI minor version: bumped when fields are appended. */
#define TCPF_ABI_MINOR 1
/** Name of the one data symbol a plugin exports. */
#define TCPF_SCANNER_SYMBOL "tcpf_scanner"

/** Marks the descriptor as the plugin's only exported symbol. */
#if defined(_WIN32)
#define TCPF_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define TCPF_EXPORT __attribute__((visibility("default")))
#else
#define TCPF_EXPORT
#endif

/** printf-style checking of host log calls where the compiler supports it. */
#if defined(__GNUC__) || defined(__clang__)
#define TCPF_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define TCPF_PRINTF(fmt, args)
#endif

/** Longest scanner name (bytes, without the NUL). Names match [a-z0-9_]+. */
#define TCPF_NAME_MAX 32
/** Longest derived-file suffix (bytes, without the NUL). Suffixes match [A-Za-z0-9._-]+. */
#define TCPF_SUFFIX_MAX 64
/** Longest report key (bytes). Keys match [A-Za-z0-9_.:-]+. */
#define TCPF_KEY_MAX 64
/** Longest report value (bytes); longer values are refused with TCPF_EINVAL. */
#define TCPF_VALUE_MAX 65536
/** The host never buffers more than this many bytes of one flow for flow_stream. */
#define TCPF_STREAM_HOST_MAX (UINT64_C(64) << 20)

/** Return codes of callbacks and host services. */
enum tcpf_status {
    TCPF_OK = 0,      /**< success */
    TCPF_DETACH = 1,  /**< no more data for this flow, please (flow_close still comes) */
    TCPF_ERR = -1,    /**< generic failure */
    TCPF_ENOMEM = -2, /**< out of memory */
    TCPF_EINVAL = -3  /**< invalid argument */
};

/** Why a flow ended (argument of flow_close). */
enum tcpf_close_reason {
    TCPF_CLOSE_FIN = 1,     /**< FIN seen and every byte before it delivered */
    TCPF_CLOSE_RST = 2,     /**< in-window RST */
    TCPF_CLOSE_TIMEOUT = 3, /**< idle longer than the flow timeout (packet time) */
    TCPF_CLOSE_EVICTED = 4, /**< flow table or memory budget full */
    TCPF_CLOSE_EOF = 5,     /**< end of input */
    TCPF_CLOSE_REUSED = 6   /**< a new connection reused the 4-tuple */
};

/** Log levels for tcpf_host.log (the same scale as tcpflow's -d). */
enum tcpf_scanner_log_level {
    TCPF_SLOG_ERROR = 0,  /**< always printed */
    TCPF_SLOG_WARN = 1,   /**< printed by default */
    TCPF_SLOG_NOTICE = 2, /**< -d 2 */
    TCPF_SLOG_INFO = 3,   /**< -d 3 */
    TCPF_SLOG_DEBUG = 10  /**< -d 10 */
};

/** Descriptor flags (struct tcpf_scanner.flags). */
#define TCPF_SCANNER_ENABLED_BY_DEFAULT 0x1u /**< on unless -x NAME / -E other */
#define TCPF_SCANNER_REPORT_SINK        0x2u /**< receives every flow's report entries */
#define TCPF_SCANNER_NO_ALL             0x4u /**< not enabled by -a / -e all, only by name */
/** ABI 1.1: flow callbacks may run on worker threads (tcpflow -j N); see Threading above. */
#define TCPF_SCANNER_PARALLEL           0x8u
/** ABI 1.1: flow_stream/flow_close on the main thread in -j 1 order (implied for sinks). */
#define TCPF_SCANNER_ORDERED_CLOSE      0x10u

/** Address families in views. */
#define TCPF_FAMILY_IPV4 4
#define TCPF_FAMILY_IPV6 6

/** A timestamp: seconds and nanoseconds since the epoch (nsec < 1e9). */
struct tcpf_timestamp {
    int64_t sec;
    uint32_t nsec;
};

/** Types of scanner options (struct tcpf_scanner_option.type). */
enum tcpf_option_type {
    TCPF_OPT_STR = 1,  /**< any string */
    TCPF_OPT_BOOL = 2, /**< first character y/Y/t/T/1 (true) or n/N/f/F/0 (false) */
    TCPF_OPT_U64 = 3   /**< decimal or 0x hex, optional k/m/g/t suffix (powers of 1024) */
};

/**
 * One option a scanner accepts as `-S NAME.KEY=VALUE`. A scanner's options form an array
 * ended by an entry whose key is NULL. The host checks every default and every -S value
 * against the type before init, lists them in `tcpflow -H`, and refuses unknown keys.
 */
struct tcpf_scanner_option {
    const char *key;   /**< [a-z0-9_]+, unique within the scanner */
    uint32_t type;     /**< enum tcpf_option_type */
    const char *def;   /**< default value as a string (must parse as type); NULL = "" */
    const char *help;  /**< one line for -H */
};

/** One report entry (key/value) collected for a flow or for the run. */
struct tcpf_report_entry {
    const char *scanner; /**< name of the scanner that added it; "tcpflow" for the core */
    const char *key;
    const char *value;
};

/** One file a scanner created with derived_open. */
struct tcpf_derived_file {
    const char *scanner; /**< name of the scanner that created it */
    const char *name;    /**< path relative to the output directory */
    const char *path;    /**< as tcpflow prints it (output directory prefix + name) */
    uint64_t size;       /**< bytes, known once closed */
    bool is_closed;      /**< derived_close was called (size is final) */
};

/**
 * Read-only view of one flow: one direction of a TCP connection. Counters are current as
 * of the callback. The same pointer is passed to every scanner for the flow's lifetime,
 * but a plugin must not keep it (borrowed for each call).
 */
struct tcpf_flow {
    uint32_t struct_size;        /**< sizeof(struct tcpf_flow) of the host */
    uint32_t dir;                /**< 0: first direction seen (normally client->server) */
    uint64_t flow_id;            /**< id of this direction, unique within the run and the
                                  * same whatever -j: since ABI 1.1, 2 * conn_id + dir */
    uint64_t conn_id;            /**< id of the connection (both directions), unique within
                                  * the run and the same whatever -j: since ABI 1.1 the number
                                  * (from 1) of the capture packet that created it */
    uint8_t family;              /**< TCPF_FAMILY_IPV4 or TCPF_FAMILY_IPV6 */
    bool has_vlan;
    uint16_t vlan;
    uint16_t sport, dport;       /**< sender and receiver ports of this direction */
    uint8_t src[16], dst[16];    /**< sender, receiver; IPv4 uses the first 4 bytes */
    bool midstream;              /**< the connection was picked up without a SYN */
    struct tcpf_timestamp first_ts, last_ts;
    uint64_t packets;            /**< TCP packets seen on this direction so far */
    uint64_t wire_bytes;         /**< frame bytes on the wire so far */
    uint64_t stream_bytes;       /**< payload bytes delivered to scanners so far */
    uint64_t gap_bytes;          /**< bytes known missing (holes) so far */
    uint64_t gaps;               /**< number of holes so far */
    const char *file_name;       /**< flow file relative to the output dir, or NULL */
    const char *file_path;       /**< flow file as tcpflow prints it, or NULL */
    /** Report entries collected so far for this flow (all scanners and the core). */
    const struct tcpf_report_entry *entries;
    size_t n_entries;
    /** Derived files created so far for this flow. */
    const struct tcpf_derived_file *derived;
    size_t n_derived;
};

/** A piece of a stream, in order. */
struct tcpf_chunk {
    uint32_t struct_size;        /**< sizeof(struct tcpf_chunk) of the host */
    uint64_t offset;             /**< stream offset of data[0] (0 = first byte after SYN) */
    const uint8_t *data;         /**< len bytes; may be NULL when len is 0 */
    size_t len;
    uint64_t gap;                /**< bytes known missing just before data[0] (0 = none) */
    struct tcpf_timestamp ts;    /**< time of the packet that completed this chunk */
};

/**
 * The whole stream of a flow, delivered once at close to scanners that set stream_max.
 * Holes are filled with zero bytes and counted; beyond stream_max (and the host's limits)
 * the stream is cut and is_truncated set.
 */
struct tcpf_stream {
    uint32_t struct_size;        /**< sizeof(struct tcpf_stream) of the host */
    const uint8_t *data;         /**< len bytes, starting at stream offset 0 */
    size_t len;
    uint64_t total_len;          /**< length of the stream as seen (end of last chunk) */
    uint64_t gap_bytes;          /**< zero bytes standing for holes within data */
    bool is_truncated;           /**< len < total_len: limit reached */
};

/** A decoded TCP packet, for scanners with a packet callback (graphing, statistics). */
struct tcpf_packet {
    uint32_t struct_size;        /**< sizeof(struct tcpf_packet) of the host */
    struct tcpf_timestamp ts;
    uint32_t caplen, wirelen;    /**< captured / on-the-wire frame length */
    int32_t dlt;                 /**< libpcap link type (DLT_*) */
    bool has_mac;
    uint8_t mac_src[6], mac_dst[6];
    bool has_vlan;
    uint16_t vlan;
    uint8_t family;              /**< TCPF_FAMILY_IPV4 or TCPF_FAMILY_IPV6 */
    uint8_t ip_proto;            /**< 6 (TCP): the only kind delivered in ABI 1.0 */
    uint8_t src[16], dst[16];
    const uint8_t *ip;           /**< the IP header (ip_len bytes) */
    uint32_t ip_len;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t tcp_flags;           /**< FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20 */
    uint16_t window;             /**< raw, unscaled */
    const uint8_t *payload;      /**< payload_len bytes of TCP payload */
    uint32_t payload_len;
};

/** Run-level information for report sinks (tcpf_host.run_info). */
struct tcpf_run {
    uint32_t struct_size;                      /**< sizeof(struct tcpf_run) of the host */
    const char *const *inputs;                 /**< capture files or interface */
    size_t n_inputs;
    const char *outdir;                        /**< output directory as printed */
    const struct tcpf_report_entry *entries;   /**< run-level entries (flow NULL) */
    size_t n_entries;
    const struct tcpf_derived_file *derived;   /**< run-level derived files */
    size_t n_derived;
    uint64_t scanner_errors;                   /**< error returns from all scanners */
    uint64_t flows_detached;                   /**< flows detached for an error */
    const char *command_line;                  /**< tcpflow's arguments, or NULL */
    const char *host_version;                  /**< tcpflow's version, e.g. "2.0.0" */
};

struct tcpf_host;

/** Signature of tcpf_host.log. */
typedef void (*tcpf_log_fn)(const struct tcpf_host *host, int level, const char *fmt, ...)
    TCPF_PRINTF(3, 4);

/**
 * Services the host offers a scanner. Each scanner receives its own table in init(); it
 * stays valid until shutdown() returns. Always pass the table itself as first argument.
 */
struct tcpf_host {
    uint32_t struct_size; /**< sizeof(struct tcpf_host) of the host */
    uint32_t abi_major;   /**< the host's TCPF_ABI_MAJOR */
    uint32_t abi_minor;   /**< the host's TCPF_ABI_MINOR */

    /** Logs one line "tcpflow: NAME: message" to stderr at level (enum
     *  tcpf_scanner_log_level). No newline needed. */
    tcpf_log_fn log;

    /** Value of a declared option (default or -S). TCPF_OK, or TCPF_EINVAL if key is not a
     *  declared option of this type. *out is valid until shutdown returns. */
    int (*cfg_str)(const struct tcpf_host *host, const char *key, const char **out);
    int (*cfg_u64)(const struct tcpf_host *host, const char *key, uint64_t *out);
    int (*cfg_bool)(const struct tcpf_host *host, const char *key, bool *out);

    /**
     * Creates a new file inside the output directory and opens it for writing. With a
     * flow, the name is the flow's file name + "-" + suffix (e.g. "...00080-HTTPBODY-001.html");
     * without one (flow NULL), the name is suffix itself, written to a temporary file and
     * renamed into place atomically by derived_close (use it for run-level reports).
     * suffix must match [A-Za-z0-9._-]+, start with neither '.' nor '-', contain no "..",
     * and be at most TCPF_SUFFIX_MAX bytes. Existing files and symlinks are never opened
     * or followed: a flow-level name that exists gets "-1", "-2"... inserted before the
     * suffix's extension. Returns NULL on failure (logged by the host).
     * Close ONLY with derived_close (never fclose): the host records name and size for the
     * report. A file may outlive the flow it belongs to; close it by shutdown at the latest.
     */
    FILE *(*derived_open)(const struct tcpf_host *host, const struct tcpf_flow *flow,
                          const char *suffix);
    /** Closes a file from derived_open. TCPF_OK, or TCPF_ERR if a write had failed (logged). */
    int (*derived_close)(const struct tcpf_host *host, FILE *fp);

    /**
     * Adds a report entry for flow (NULL: for the run). key must match [A-Za-z0-9_.:-]+, at
     * most TCPF_KEY_MAX bytes; value is any text up to TCPF_VALUE_MAX bytes. Both are copied.
     * Report sinks (e.g. dfxml) see them in struct tcpf_flow.entries at flow_close and in
     * tcpf_host.run_info at shutdown. Returns TCPF_OK (also when no sink is enabled and the
     * entry is dropped), TCPF_EINVAL or TCPF_ENOMEM.
     */
    int (*report_add)(const struct tcpf_host *host, const struct tcpf_flow *flow,
                      const char *key, const char *value);

    /** Run-level view for report sinks; valid until the calling callback returns. */
    const struct tcpf_run *(*run_info)(const struct tcpf_host *host);
    /* ABI 1.1 and later append here; check struct_size before using them. */
};

/**
 * The descriptor. Define it as `TCPF_EXPORT const struct tcpf_scanner tcpf_scanner`.
 * Callbacks left NULL are skipped. At least one of packet, flow_data, flow_stream,
 * flow_close is required; flow_open requires flow_close (it creates fstate);
 * flow_stream requires stream_max > 0 and vice versa.
 */
struct tcpf_scanner {
    /* Frozen in every ABI version. */
    uint32_t abi_major;   /**< TCPF_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;   /**< TCPF_ABI_MINOR the plugin was built with */
    uint32_t struct_size; /**< sizeof(struct tcpf_scanner) the plugin was built with */
    uint32_t flags;       /**< TCPF_SCANNER_* */
    const char *name;     /**< [a-z0-9_]+, at most TCPF_NAME_MAX; not "all"; unique */
    const char *version;  /**< the scanner's own version, free text */
    /* ABI 1.0 */
    const char *description;                    /**< one line for -H; may be NULL */
    const struct tcpf_scanner_option *options;  /**< NULL or ended by a NULL key */
    /** flow_stream: bytes of each flow to buffer (capped at TCPF_STREAM_HOST_MAX and a
     *  run-wide budget); 0 = no flow_stream. */
    uint64_t stream_max;

    /** Called once after options are parsed, only if the scanner is enabled. host stays
     *  valid until shutdown returns; *sstate is passed to every other callback. */
    int (*init)(const struct tcpf_host *host, void **sstate);
    /** Every decoded TCP packet, before reassembly. TCPF_DETACH stops packets for the run. */
    int (*packet)(void *sstate, const struct tcpf_packet *pkt);
    /** A flow begins. Set *fstate (initially NULL). TCPF_DETACH: not interested. */
    int (*flow_open)(void *sstate, const struct tcpf_flow *flow, void **fstate);
    /** In-order data; chunk->gap says what is missing before it. TCPF_DETACH: no more. */
    int (*flow_data)(void *sstate, void *fstate, const struct tcpf_flow *flow,
                     const struct tcpf_chunk *chunk);
    /** The buffered stream, once, just before flow_close (see struct tcpf_stream). */
    int (*flow_stream)(void *sstate, void *fstate, const struct tcpf_flow *flow,
                       const struct tcpf_stream *stream);
    /** The flow ended; free fstate. Exactly once per successful flow_open. */
    void (*flow_close)(void *sstate, void *fstate, const struct tcpf_flow *flow,
                       enum tcpf_close_reason why);
    /** End of run, after the last flow_close; free sstate. Not called if init failed. */
    void (*shutdown)(void *sstate);
    /* ABI 1.1 and later append here. */
};

/** Fills the frozen header fields; use first in the descriptor's initializer (C99). */
#define TCPF_SCANNER_HEADER(n)                                                               \
    .abi_major = TCPF_ABI_MAJOR, .abi_minor = TCPF_ABI_MINOR,                                \
    .struct_size = (uint32_t)sizeof(struct tcpf_scanner), .name = (n)

/** The descriptor every plugin defines (declared here so that it has C linkage). */
TCPF_EXPORT extern const struct tcpf_scanner tcpf_scanner;

/**
 * Starts the definition of the descriptor, in C and in C++ (where a const object needs
 * `extern "C"` to be exported): `TCPF_SCANNER_DEFINE = { TCPF_SCANNER_HEADER("x"), ... };`
 * In C this is the same as `TCPF_EXPORT const struct tcpf_scanner tcpf_scanner`.
 */
#ifdef __cplusplus
#define TCPF_SCANNER_DEFINE extern "C" TCPF_EXPORT const struct tcpf_scanner tcpf_scanner
#else
#define TCPF_SCANNER_DEFINE TCPF_EXPORT const struct tcpf_scanner tcpf_scanner
#endif

#ifdef __cplusplus
}
#endif

#endif /* TCPFLOW_SCANNER_H */
