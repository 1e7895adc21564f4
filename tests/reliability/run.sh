#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Reliability checklist: one TAP test (or a few, lettered) per item of RELIABILITY.md section 7
# that concerns the core: items 1-25 and 29-33 (26-28 are the HTTP plugin's; 34+ are other
# areas). Test names start with "item NN". Hostile captures come from tests/tools/mkcaps.py,
# generated into the build directory at test time, and from tests/data/corpus.
# Exit statuses of ours: 0 ok, 1 fatal, 2 usage, 3 finished but input damaged.
# Every run is bounded by a timeout; TF_SLOW=N scales time limits (auto 4 for ASan builds).
# Run: make check TESTS=tests/reliability/run.sh, or by hand:
#      TCPFLOW=/path/to/tcpflow sh tests/reliability/run.sh [ITEM...]   (e.g. 05 31)
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"

[ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"
command -v "$PYTHON" >/dev/null 2>&1 || skip_all "python3 is needed to generate the captures"
TF_T=30

gencap empty header-only text unknown-dlt truncated garbage-record flow-eth flow-sll2 \
    flow-chdlc padded snaplen midstream frag4 frag6 c01 c02 c03 c04 c04:n=3000 c05 c08 c09 \
    c10 c11 c12 c13 c14 c15 c16 c17 c18 c18b c18c leadgap bulk \
    || { echo "Bail out! cannot generate captures"; exit 99; }

ONLY=$*
# item NN DESC FUNCTION: run FUNCTION as test "item NN: DESC" (filtered by the command line).
item() {
    _n=$1
    shift
    if [ -n "$ONLY" ]; then
        case " $ONLY " in *" ${_n%[a-z]} "*|*" $_n "*) ;; *) return 0 ;; esac
    fi
    _d=$1
    shift
    run_test "item $_n: $_d" "$@"
}

# ours [-t SECS] [-l LIMIT]... ARGS: run our tcpflow.
ours() {
    _o_opts=
    while [ $# -gt 0 ]; do
        case $1 in -t|-l|-i) _o_opts="$_o_opts $1 $2"; shift 2 ;; *) break ;; esac
    done
    # shellcheck disable=SC2086
    tf_run $_o_opts -- "$TCPFLOW" "$@"
}
# report_ok DIR: DIR/report.xml, if there is one, is well-formed.
report_ok() { [ ! -e "$1/report.xml" ] || xml_wellformed "$1/report.xml"; }
# one_error_naming FILE: exactly one stderr line, and it names FILE.
one_error_naming() {
    stderr_names "$1" || return 1
    [ "$(stderr_lines)" -eq 1 ] && return 0
    diag "expected one stderr line, got $(stderr_lines):"
    diag_file "$TF_WORK/stderr" 8
    return 1
}
# expect_manifest SCENARIO [OPTS...]: run on a generated capture; exit 0; output == .expect.
expect_manifest() {
    _s=$1
    shift
    _cap=$(ls -d "$GENDIR/$_s".pcap* | head -n 1)
    ours "$@" -o "out-$_s" -r "$_cap"
    expect_rc 0 || return 1
    manifest_matches "out-$_s" "$GENDIR/$_s.expect" || return 1
    report_ok "out-$_s"
}
# no_crash CAPTURE RC...: runs without a signal or timeout, exit status one of RC.
no_crash() {
    _c=$1
    shift
    rm -rf out
    ours -o out -r "$_c"
    expect_no_signal || return 1
    expect_rc "$@" || return 1
    report_ok out
}

# ---- Capture files ---------------------------------------------------------------------------

t01() {
    ours -o out -r "$(gen empty.pcap)"
    expect_rc 1 || return 1
    one_error_naming empty.pcap || return 1
    [ "$(nonempty_count out)" -eq 0 ] || fail "flow files written for an empty input"
}
item 01 "empty file: one error line naming it, exit 1" t01

t02() {
    ours -o out -r "$(gen header-only.pcap)"
    expect_rc 0 || return 1
    [ -z "$(tree_files out)" ] || fail "flow files from a header-only capture: $(tree_files out)"
    report_ok out || return 1
    if [ -f out/report.xml ] && grep -q '<fileobject' out/report.xml; then fail "report.xml lists flows"; fi
}
item 02 "header-only pcap: exit 0, no flow files, valid report" t02

t03() {
    st=0
    mkdir adir
    printf 'NOTAPCAP\001\002\003\004%016d' 0 >badmagic.pcap
    for f in adir "$TF_WORK/no-such-file.pcap" "$(gen text.txt)" badmagic.pcap; do
        rm -rf out
        ours -o out -r "$f"
        if ! expect_rc 1 || ! one_error_naming "$(basename -- "$f")"; then diag "input: $f"; st=1; fi
    done
    # Several -r: a bad one among good ones is reported and the run exits 1 (stop or continue
    # is documented in the man page).
    rm -rf out
    ours -o out -r "$(gen flow-eth.pcap)" -r "$TF_WORK/no-such-file.pcap"
    expect_rc 1 && stderr_names no-such-file.pcap || st=1
    return $st
}
item 03 "directory, missing file, text file, unknown magic as -r: error naming it, exit 1" t03

t04() {
    st=0
    for f in lp-pcap-version-2-5.pcap lp-pcapng-version-0-1.pcapng lp-pcapng-shb-option-too-long.pcapng lp-linktype-reserved-bits.pcap; do
        rm -rf out
        ours -o out -r "$(corpus "bad/$f")"
        expect_no_signal && expect_rc 1 && one_error_naming "$f" || st=1
    done
    return $st
}
item 04 "libpcap-rejected files (bad/lp-*): error naming the file, exit 1" t04

# Damaged corpus files: exit 3, and the flows equal those of the file cut to its good records.
t05a() {
    st=0
    for f in sv-fuzz-huge-caplen.pcap sv-garbage-record-smtp.pcap sv-truncated-file-pgsql.pcap; do
        n=$("$PYTHON" "$TF_MKCAPS" --good-prefix "$(corpus "bad/$f")" "good-$f") || { st=1; continue; }
        rm -rf out-good out-bad
        ours -o out-good -r "good-$f"
        expect_rc 0 || { diag "$f: the good prefix ($n records) does not run cleanly"; st=1; continue; }
        ours -o out-bad -r "$(corpus "bad/$f")"
        expect_no_signal || { st=1; continue; }
        expect_rc 3 || { diag "$f"; st=1; }
        stderr_names "$f" || st=1
        if ! tree_diff out-good out-bad >d; then
            diag "$f: flows differ from those of its first $n good records:"; diag_file d 10; st=1
        fi
        report_ok out-bad || st=1
    done
    return $st
}
item 05a "bad record / cut file (bad/sv-*): exit 3, every flow of the good records written" t05a
t05b() {
    st=0
    for s in truncated garbage-record; do
        rm -rf "out-$s"
        ours -o "out-$s" -r "$(gen "$s.pcap")"
        expect_rc 3 || st=1
        manifest_matches "out-$s" "$(gen "$s.expect")" || st=1
        report_ok "out-$s" || st=1
    done
    return $st
}
item 05b "generated cut file and garbage record: exit 3, good flows byte-exact" t05b

t06() {
    no_crash "$(corpus bad/zeek-pcapng-multi-snaplen.pcapng)" 0 1 3 || return 1
    [ "$TF_RC" -ne 1 ] || stderr_names zeek-pcapng-multi-snaplen.pcapng
}
item 06 "pcapng with mixed link types and snaplens: read it or fail cleanly" t06

t07a() {
    ours -o out -r "$(gen unknown-dlt.pcap)"
    expect_rc 1 || return 1
    one_error_naming unknown-dlt.pcap || return 1
    grep -q 147 "$TF_WORK/stderr" || fail "the error does not give the link type number 147"
}
item 07a "unsupported link type: error naming file and type, exit 1" t07a
t07b() {
    st=0
    for f in sv-sll2-http-download.pcap zeek-sll2-tls.pcap zeek-nflog-http.pcap sv-chdlc-http.pcap td-arcnet-http.pcap; do
        rm -rf out
        ours -o out -r "$(corpus "$f")"
        expect_rc 0 || { diag "$f"; st=1; continue; }
        [ "$(nonempty_count out)" -gt 0 ] || { diag "$f: no flow files"; st=1; }
    done
    expect_manifest flow-sll2 || st=1
    expect_manifest flow-chdlc || st=1
    return $st
}
item 07b "SLL2, NFLOG, Cisco HDLC and ARCNET are supported" t07b

# ---- Packet decoding -------------------------------------------------------------------------

item 08 "IPv6 plen 65535 with 5 bytes captured (c01): file is exactly HELLO" expect_manifest c01
item 09 "IPv4 IHL 15 on 28 bytes and IHL<5 (c02): dropped, file GOODDATA" expect_manifest c02

t10() {
    st=0
    no_crash "$(corpus td-bigtcp-ipv4.pcap)" 0 || st=1
    has_sha out 80484c421ec1980d392fceee13bc53c85fb17d8f79a89a4e6b2f6943abd5a3ae || st=1
    no_crash "$(corpus td-tso-http-xml.pcap)" 0 || st=1
    has_sha out d452fb9898cb9996681eabbe2e46b84922f5d2697dfa99b6a04b0c18456917ea || st=1
    expect_manifest padded || st=1
    no_crash "$(corpus sv-imap.pcap)" 0 || st=1
    for f in $(cd out && find . -type f -size +0 ! -name report.xml); do
        if [ "$(tr -d '\000' <"out/$f" | wc -c)" -eq 0 ]; then diag "sv-imap: $f holds only NULs (padding)"; st=1; fi
    done
    return $st
}
item 10 "IPv4 length 0 (TSO/BIG TCP) from the capture length; Ethernet padding never written" t10

item 11 "TCP data offset 0, 2 and 15 (c13): dropped, file is exactly DATA" expect_manifest c13

t12() {
    st=0
    expect_manifest snaplen || st=1
    for f in zeek-tcp-snaplen-truncated.pcap tcpflow-snaplen40.pcap zeek-tcp-truncated-header.pcap; do
        no_crash "$(corpus "$f")" 0 3 || { diag "$f"; st=1; }
    done
    return $st
}
item 12 "snaplen-cut frames: captured bytes at the right offsets, no crash" t12

t13() {
    expect_manifest c08 || return 1
    within_ms 2000 || return 1
    no_crash "$(corpus zeek-vlan-qinqinq-http.pcap)" 0 || return 1
    [ "$(nonempty_count out)" -gt 0 ] || fail "QinQinQ: no flow files"
}
item 13 "500 stacked VLAN tags (c08): bounded depth, deep frames dropped; QinQinQ decoded" t13

t14() {
    st=0
    for s in c18 c18b c18c; do
        no_crash "$(gen "$s.pcap")" 0 1 || { diag "$s"; st=1; continue; }
        [ "$TF_RC" -eq 0 ] || one_error_naming "$s.pcap" || st=1
    done
    return $st
}
item 14 "random radiotap / 802.11 / short prism frames (c18*): decoded or rejected, no crash" t14

t15() {
    st=0
    expect_manifest c09 || st=1
    expect_manifest frag4 || st=1
    expect_manifest frag6 || st=1
    no_crash "$(corpus sv-ipv6-frag-vlan.pcap)" 0 || st=1
    has_sha out c2e686823489ced2017f6059b8b239318b6364f6dcd835d0a519105a1eadd6e4 || st=1
    no_crash "$(corpus zeek-ipv4-frag-http.pcap)" 0 || st=1
    return $st
}
item 15 "IP fragments reassembled (v4, v6); a lone first fragment is never written (c09)" t15

item 16 "absurd timestamps (c10): no crash, flows byte-exact" expect_manifest c10

t17() {
    st=0
    expect_manifest c17 || st=1
    for f in sv-tcp-overlap-exact-vlan.pcap sv-tcp-overlap-partial-vlan.pcap; do
        no_crash "$(corpus "$f")" 0 || st=1
    done
    return $st
}
item 17 "conflicting overlaps (c17): first-wins output" t17

t18() {
    expect_manifest c14 || return 1
    no_crash "$(corpus zeek-ftp-seq-wrap.pcap)" 0
}
item 18 "sequence wraparound with reordering (c14): A*100..F*100" t18

t19() {
    st=0
    expect_manifest c11 || st=1
    # The RST evasion captures: the whole HTTP request and response, nothing else.
    for x in linux:cad722bc8b7c172420ac5f73b147dfd75047e3ec562cc8cd06fc1d051ac81551 \
             windows:b902b3dd5879528b368c7230e2ab44eb250833838fe40be51f434aba2a9be4a5; do
        no_crash "$(corpus "sv-tcp-rst-evasion-${x%%:*}.pcap")" 0 || { st=1; continue; }
        has_sha out "${x#*:}" || st=1
        has_sha out 46417b1b3b283d76350920b0be6e3a1bb13ea37f28dcddbaa6f33ffc32bb06f2 || st=1
        [ "$(nonempty_count out)" -eq 2 ] || { diag "rst-evasion-${x%%:*}: $(nonempty_count out) non-empty files, expected 2"; st=1; }
    done
    return $st
}
item 19 "blind out-of-window RST does not split the stream (c11); RST evasion captures" t19

t20() {
    st=0
    expect_manifest midstream || st=1
    for f in zeek-tcp-missing-syn.pcap tcpflow-one-packet.pcap zeek-tcp-handshake-reorder.pcap; do
        no_crash "$(corpus "$f")" 0 || { st=1; continue; }
        [ "$(nonempty_count out)" -gt 0 ] || { diag "$f: no flow files"; st=1; }
    done
    # c12: src == dst and sport == dport; both "directions" share one key. No crash, and both
    # payloads end up in the output (how they are split is the documented policy).
    no_crash "$(gen c12.pcap)" 0 || st=1
    for w in ping-from-a pong-from-b; do
        find out -type f ! -name report.xml -exec cat {} + | tr -d '\000' | grep -q "$w" ||
            { diag "c12: '$w' not in the output"; st=1; }
    done
    return $st
}
item 20 "midstream and SYN-less flows: data from the first byte seen; self-connection (c12)" t20

# ---- Reassembly: scale ------------------------------------------------------------------------

t21() {
    ours -t 60 -o out1500 -r "$(gen c04.pcap)"
    expect_rc 0 || return 1
    ms1500=$TF_MS
    ours -t 60 -o out3000 -r "$(gen c04-n3000.pcap)"
    expect_rc 0 || return 1
    diag "c04: 1,500 segments ${ms1500} ms, 3,000 segments ${TF_MS} ms"
    within_ms 1000 || return 1
    b=$(tree_bytes out3000)
    [ "$b" -le 268435456 ] || fail "c04 n=3000 output is $b bytes (limit 256 MiB)"
}
item 21 "3,000 backwards segments (c04): under 1 s, bounded output" t21

t22() {
    ours -t 60 -l fsize=1073741824 -o out -r "$(gen c03.pcap)"
    expect_no_signal || return 1
    expect_rc 0 || return 1
    b=$(tree_bytes out)
    diag "c03: output ${b} bytes (apparent) in ${TF_MS} ms"
    [ "$b" -le 268435456 ] || fail "c03 output is $b bytes (limit 256 MiB; 1.6.1 writes 3.18 GB)"
    n=$(find out -type f ! -name report.xml -exec cat {} + | tr -d '\000' | grep -c '^J[0-9][0-9][0-9]xxxxx$')
    [ "$n" -eq 200 ] || fail "found $n of the 200 data segments in the output"
}
item 22 "200 forward jumps of 16,000,000 (c03): no multi-GB sparse file, all data kept" t22

t23() {
    tf_run_rss -t 120 -- "$TCPFLOW" -o out -r "$(gen c05.pcap)"
    expect_rc 0 || return 1
    diag "c05 (20,000 flows): ${TF_MS} ms, max RSS ${TF_RSS_KB} KiB"
    rss_within 256 || return 1
    n=$(find out -type f -size 1c ! -name report.xml | grep -c '')
    [ "$n" -eq 20000 ] || fail "$n one-byte flow files, expected 20000"
    bad=$(find out -type f -size 1c ! -name report.xml -exec cat {} + | tr -d x | wc -c)
    [ "$bad" -eq 0 ] || fail "flow files hold bytes other than x"
}
item 23 "20,000 half-open flows (c05): all written, RSS bounded" t23

t24() {
    tf_run_rss -t 60 -- "$TCPFLOW" -o out -r "$(gen c16.pcap)"
    expect_rc 0 || return 1
    diag "c16 (200,000 one-byte segments): ${TF_MS} ms, max RSS ${TF_RSS_KB} KiB"
    manifest_matches out "$(gen c16.expect)" || return 1
    within_ms 2000 || return 1
    rss_within 64
}
item 24 "200,000 one-byte segments (c16): byte-exact, linear time, bounded RSS" t24

t25() {
    tf_run_rss -t 60 -- "$TCPFLOW" -o out -r "$(gen leadgap.pcap)"
    expect_rc 0 || return 1
    diag "leadgap (16 MiB after a 1000-byte hole): ${TF_MS} ms, max RSS ${TF_RSS_KB} KiB"
    manifest_matches out "$(gen leadgap.expect)" || return 1
    rss_within 96
}
item 25 "leading hole then 16 MiB: queue capped, data flushed with the gap, not dropped" t25

# ---- Output and environment faults -----------------------------------------------------------

t29() {
    mkdir out
    echo VICTIM-FLOW >victim-flow
    echo VICTIM-REPORT >victim-report
    ln -s ../victim-flow out/192.168.001.002.01234-010.000.000.001.00080
    ln -s ../victim-report out/report.xml
    ours -o out -r "$(gen flow-eth.pcap)"
    expect_no_signal || return 1
    expect_rc 0 1 || return 1
    st=0
    [ "$(cat victim-flow)" = VICTIM-FLOW ] || { diag "the flow-file symlink was followed: victim modified"; st=1; }
    [ "$(cat victim-report)" = VICTIM-REPORT ] || { diag "the report.xml symlink was followed: victim modified"; st=1; }
    if [ "$TF_RC" -eq 1 ]; then [ -s "$TF_WORK/stderr" ] || { diag "exit 1 without a message"; st=1; }; fi
    return $st
}
item 29 "symlinks planted for a flow file and report.xml: victims untouched" t29

t30a() {
    [ "$(id -u)" -eq 0 ] || tf_skip "needs root to mount a tmpfs"
    command -v mount >/dev/null 2>&1 || tf_skip "no mount"
    mkdir small
    mount -t tmpfs -o size=2m tmpfs small 2>/dev/null || tf_skip "cannot mount a tmpfs here"
    ours -o small/out -r "$(gen bulk.pcap)"
    st=0
    expect_no_signal || st=1
    [ $st -ne 0 ] || expect_rc 1 || st=1
    # One line for the first failing flow file; the report may add one saying it was not
    # written (RELIABILITY.md §4).
    [ $st -ne 0 ] || stderr_names "small/out/" || st=1
    [ $st -ne 0 ] || [ "$(grep -vc 'report\.xml' "$TF_WORK/stderr")" -eq 1 ] || { diag_file "$TF_WORK/stderr" 8; st=1; }
    [ ! -e small/out/report.xml ] || xml_wellformed small/out/report.xml || st=1
    umount small || umount -l small
    return $st
}
item 30a "disk full (2 MiB tmpfs, 8 MiB flow): one error naming the file, exit 1" t30a
t30b() {
    command -v prlimit >/dev/null 2>&1 || tf_skip "no prlimit"
    ours -l fsize=1048576 -o out -r "$(gen bulk.pcap)"
    expect_no_signal || return 1
    expect_rc 1 || return 1
    one_error_naming "out/" || return 1
    [ ! -e out/report.xml ] || xml_wellformed out/report.xml
}
item 30b "file size limit (prlimit --fsize 1 MiB): no SIGXFSZ, one error, exit 1" t30b

t31a() {
    command -v prlimit >/dev/null 2>&1 || tf_skip "no prlimit"
    ours -t 60 -l nofile=12 -o out -r "$(gen c15.pcap)"
    expect_rc 0 || return 1
    manifest_matches out "$(gen c15.expect)"
}
item 31a "ulimit -n 12 with 2,000 interleaved flows (c15): all 2,000 x 500 bytes exact" t31a
t31b() {
    command -v prlimit >/dev/null 2>&1 || tf_skip "no prlimit"
    ours -t 10 -l nofile=5 -o out -r "$(gen c15.pcap)"
    expect_rc 1 || return 1
    within_ms 1000 || return 1
    grep -qi 'descriptor' "$TF_WORK/stderr" || { diag "no 'need at least N file descriptors' message:"; diag_file "$TF_WORK/stderr"; return 1; }
}
item 31b "ulimit -n 5: error about file descriptors within 1 s, exit 1" t31b

t32() {
    st=0
    cap=$(gen flow-eth.pcap)
    # (a) the output directory's parent is missing: error, or created; never a crash.
    ours -o missing/parent/out -r "$cap"
    expect_rc 0 1 || st=1
    if [ "$TF_RC" -eq 1 ]; then stderr_names missing/parent || st=1
    elif [ "$(nonempty_count missing/parent/out)" -ne 2 ]; then diag "missing parent: exit 0 but flows not written"; st=1; fi
    # (b) the output "directory" is a regular file.
    echo data >afile
    ours -o afile -r "$cap"
    expect_rc 1 && one_error_naming afile || st=1
    # (c) the output directory is not writable.
    mkdir rodir
    ro=
    if [ "$(id -u)" -eq 0 ]; then
        mount -t tmpfs -o ro,size=1m tmpfs rodir 2>/dev/null && ro=mounted
    else
        chmod 555 rodir && ro='chmod'
    fi
    if [ -n "$ro" ]; then
        ours -o rodir -r "$cap"
        expect_rc 1 && stderr_names rodir || st=1
        if [ "$ro" = mounted ]; then umount rodir || umount -l rodir; else chmod 755 rodir; fi
    else
        diag "(c) skipped: cannot make a read-only directory"
    fi
    # (d) the input is missing: exit 1 and no output directory created.
    ours -o newout -r "$TF_WORK/missing.pcap"
    expect_rc 1 && one_error_naming missing.pcap || st=1
    [ ! -e newout ] || { diag "an output directory was created for an input that could not be opened"; st=1; }
    return $st
}
item 32 "output dir missing parent / a file / read-only; input missing: errors, no half tree" t32

t33() {
    # A paced endless capture on a pipe; SIGTERM after 1 s; tcpflow must exit (not die) within
    # 2 s with its open flow flushed: the file is an exact prefix of the stream.
    "$PYTHON" - "$TCPFLOW" "$TF_MKCAPS" "$TF_SLOW" >result <<'EOF'
import os, signal, subprocess, sys, time
tcpflow, mkcaps, slow = sys.argv[1], sys.argv[2], float(sys.argv[3])
prod = subprocess.Popen([sys.executable, mkcaps, "--stream", "5000"], stdout=subprocess.PIPE)
with open("stderr.txt", "wb") as err:
    tf = subprocess.Popen([tcpflow, "-o", "out", "-r", "-"], stdin=prod.stdout, stderr=err,
                          stdout=subprocess.DEVNULL)
prod.stdout.close()
time.sleep(1.0 * slow)
if tf.poll() is not None:
    print("early", tf.returncode)
    prod.kill(); sys.exit(0)
t0 = time.monotonic()
tf.send_signal(signal.SIGTERM)
try:
    rc = tf.wait(timeout=2.0 * slow)
    print("exit" if rc >= 0 else "signal", abs(rc), int((time.monotonic() - t0) * 1000))
except subprocess.TimeoutExpired:
    tf.kill(); tf.wait()
    print("hung", 0, 0)
prod.kill(); prod.wait()
EOF
    read -r how code ms <result
    cp stderr.txt "$TF_WORK/stderr" 2>/dev/null
    case $how in
        exit) diag "exited with status $code ${ms} ms after SIGTERM" ;;
        signal) fail "killed by signal $code (SIGTERM not handled): flows not flushed, report not finalized" ;;
        hung) fail "still running 2 s after SIGTERM (killed)" ;;
        early) fail "exited with status $code before the signal was sent" ;;
        *) fail "harness error: $(cat result)" ;;
    esac
    [ "$code" -le 3 ] || [ "$code" -eq 130 ] || [ "$code" -eq 143 ] || fail "undocumented exit status $code"
    f=out/192.168.001.002.01234-010.000.000.001.00080
    [ -s "$f" ] || fail "no flow data written before the signal"
    "$PYTHON" -c '
import sys
data = open(sys.argv[1], "rb").read()
n = len(data) // 1000 + 1
exp = b"".join((b"%09d:" % i) * 100 for i in range(n))
sys.exit(0 if exp.startswith(data) else 1)' "$f" || fail "the flow file is not a prefix of the streamed data ($(wc -c <"$f") bytes)"
    report_ok out
}
item 33 "SIGTERM mid-run: exits within 2 s, flows flushed, report valid" t33

done_testing
