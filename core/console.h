/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: tcpflow's console modes (-c -C -0 -B -D -g -J): segments printed as they arrive
 *
 * Each TCP segment with payload is printed when it arrives, with no reassembly: duplicates
 * and out-of-order data are printed again, in arrival order (TCPFLOW.md §2.3). The layout
 * is tcpflow 1.6.1's tcpip::print_packet():
 *
 *   [ESC[0;34m | ESC[0;31m]            -g: blue for client->server, red otherwise
 *   ["<name>: "]                        -c (not -C, not -J); -D adds "\n" after it
 *   body                                text (non-printables as '.'), raw (-B), hex (-D)
 *                                       or one JSON object (-J)
 *   [ESC[0m]                            -g
 *   ["\n"]                              unless -0
 *
 * Text: printable = 0x20..0x7e plus '\n' and '\r' (isprint() in the C locale, as with
 * tcpflow under LC_ALL=C); anything else, tab included, becomes '.'.
 * Hex (-D): lines "%04x: " + 32 bytes as "4745 5420 ..." (a space after every second
 * byte), padded so the ASCII column lines up with the widest line of the segment, then
 * " " and the bytes as ASCII (0x20..0x7e, else '.'), then "\n".
 * JSON (-J): {"src_host":"10.0.0.1","src_port":40000,"dst_host":"10.0.0.2","dst_port":80,
 * "payload": [71,69,84]} (tcpflow's spacing, including the space after "payload":). Hosts
 * are unpadded dotted quads or inet_ntop IPv6, taken from the segment's name variables
 * (tcpflow re-parsed them from the file name, which only worked for IPv4 with the default
 * template).
 * -b: at most max_bytes bytes are printed per flow direction; a segment past the cap
 * prints nothing, not even its header.
 *
 * Output errors: the first one makes the console fail for good (nothing more is printed).
 * EPIPE (reader gone; the caller must ignore SIGPIPE) is silent; any other error is logged
 * once as "tcpflow: stdout: <strerror>".
 */
#ifndef TCPF_CORE_CONSOLE_H
#define TCPF_CORE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "outname.h"

/* Return codes (also the sticky status). */
#define TCPF_CONSOLE_OK     0
#define TCPF_CONSOLE_EPIPE (-1) /* the reader went away: stop quietly */
#define TCPF_CONSOLE_EIO   (-2) /* another output error; logged once */
#define TCPF_CONSOLE_ENOMEM (-3) /* -b bookkeeping could not grow: segment not printed */

struct tcpf_console_opts; /* the -c/-C/-0/-B/-D/-g/-J flags, defined in options.h */
struct tcpf_console;

/* One segment to print. Everything is borrowed for the call. */
struct tcpf_console_seg {
    const char *name;                      /* flow name (template with count 0) */
    bool is_client;                        /* this direction sent the bare SYN: blue with -g */
    const struct tcpf_outname_vars *vars;  /* addresses and ports for -J; NULL prints "" / 0 */
    const uint8_t *data;
    size_t len;
};

/* Creates a console printing to `out` (borrowed; usually stdout) with the flags in *opts
 * (copied) and the -b cap max_bytes (< 0 = unlimited). Returns NULL on allocation failure. */
struct tcpf_console *tcpf_console_create(FILE *out, const struct tcpf_console_opts *opts,
                                         int64_t max_bytes);

/* Frees the console (not `out`). Returns its final status: TCPF_CONSOLE_OK, or the sticky
 * error (EPIPE included, so the caller can choose its exit status). Accepts NULL. */
int tcpf_console_destroy(struct tcpf_console *c);

/* Prints one segment and flushes. `printed` is the caller's per-direction count of bytes
 * printed so far (start at 0; updated) used for -b; NULL makes the console keep that count
 * itself, keyed by seg->name (16 bytes of memory per distinct name, only with -b). Returns
 * TCPF_CONSOLE_OK or the sticky error status. */
int tcpf_console_print(struct tcpf_console *c, const struct tcpf_console_seg *seg,
                       uint64_t *printed);

/* Shorthand for tcpf_console_print with no name variables and the console's own -b
 * count: use tcpf_console_print with seg.vars set when -J must show addresses. */
int tcpf_console_segment(struct tcpf_console *c, const char *name, bool is_client,
                         const uint8_t *data, size_t len);

/* Current status: TCPF_CONSOLE_OK or the sticky error. */
int tcpf_console_status(const struct tcpf_console *c);

/* Segments printed (even partly) and payload bytes printed so far. */
uint64_t tcpf_console_segments(const struct tcpf_console *c);
uint64_t tcpf_console_bytes(const struct tcpf_console *c);

#endif /* TCPF_CORE_CONSOLE_H */
