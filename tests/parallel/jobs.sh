#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/parallel/jobs.sh: tcpflow -j N (core/workers.c) gives the same output bytes as -j 1:
# every flow file and derived file identical, report.xml identical after the usual
# normalisation (normalise.sed) minus the two high-water marks that are sums over workers,
# same exit status. On every corpus capture (damaged ones included), on a generated capture
# built to stress the ordering rules (mkpar.py: timeouts, reused 4-tuples, RSTs, VLANs,
# reordering, EOF closes, time jitter) with several tcp_timeouts and -j 2/3/4/7, with -R,
# and the fall-backs to one thread (console output, counter templates, a 1.0 scanner).
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"

[ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"
command -v "$PYTHON" >/dev/null 2>&1 || skip_all "python3 is needed to generate the capture"
: "${TCPFLOW_PLUGIN_PATH:=$TF_BUILDDIR/plugins/.libs}"
export TCPFLOW_PLUGIN_PATH
NORMALISE=$TF_SRCDIR/tests/dfxml/normalise.sed
FIXTURES=$TF_BUILDDIR/tests/plugins/.libs
HAVE_HTTP=
[ -f "$TCPFLOW_PLUGIN_PATH/http.so" ] && HAVE_HTTP=1
TF_T=60

PAR=$TF_TMP/par.pcap
"$PYTHON" "$here/mkpar.py" "$PAR" || skip_all "mkpar.py failed"

# run_in DIR ARGS...: runs tcpflow in DIR (created) with -o out; records the exit status in
# DIR/rc and normalises DIR/out/report.xml.
run_in() {
    _d=$1
    shift
    mkdir -p "$_d"
    (cd "$_d" && timeout -k 5 "$((TF_T * TF_SLOW))" "$TCPFLOW" -o out "$@" >stdout 2>stderr; echo $? >rc)
    if [ -f "$_d/out/report.xml" ]; then
        sed -f "$NORMALISE" "$_d/out/report.xml" |
            grep -v 'key="max_open_connections"\|key="max_open_files"' >"$_d/report.norm"
        rm -f "$_d/out/report.xml"
    fi
    return 0
}

# same DIR_A DIR_B: identical trees (names and bytes), reports and exit statuses.
same() {
    if [ -d "$1/out" ] || [ -d "$2/out" ] && ! diff -r "$1/out" "$2/out" >"$TF_WORK/diff" 2>&1; then
        diag "$1 and $2 differ:"
        diag_file "$TF_WORK/diff" 10
        return 1
    fi
    if [ -f "$1/report.norm" ] || [ -f "$2/report.norm" ]; then
        if ! diff "$1/report.norm" "$2/report.norm" >"$TF_WORK/diff" 2>&1; then
            diag "report.xml of $1 and $2 differ:"
            diag_file "$TF_WORK/diff" 10
            return 1
        fi
    fi
    if grep -l 'Sanitizer\|runtime error' "$1/stderr" "$2/stderr" >"$TF_WORK/san" 2>/dev/null; then
        diag "sanitizer report in $(cat "$TF_WORK/san")"
        return 1
    fi
    [ "$(cat "$1/rc")" = "$(cat "$2/rc")" ] ||
        fail "exit status $(cat "$1/rc") with $1, $(cat "$2/rc") with $2"
}

scanners() { if [ -n "$HAVE_HTTP" ]; then printf '%s\n' -e http; fi; }

# t_corpus FILE: -j 1 and -j 3 agree on one corpus capture.
t_corpus() {
    # shellcheck disable=SC2046
    run_in j1 $(scanners) -r "$1"
    # shellcheck disable=SC2046
    run_in j3 $(scanners) -j 3 -r "$1"
    same j1 j3 || return 1
    if grep -q 'running single-threaded' j3/stderr; then
        diag_file j3/stderr 3
        fail "-j 3 fell back to one thread"
    fi
}

# t_par TIMEOUT: the ordering capture with tcp_timeout TIMEOUT (0: none) at -j 2, 3, 4, 7.
t_par() {
    # shellcheck disable=SC2046
    run_in j1 $(scanners) -S tcp_timeout="$1" -r "$PAR"
    [ "$(cat j1/rc)" = 0 ] || { diag_file j1/stderr 5; fail "-j 1 exited $(cat j1/rc)"; }
    n=$(find j1/out -type f | wc -l)
    [ "$n" -gt 500 ] || fail "only $n files with -j 1: the capture did not do its job"
    for j in 2 3 4 7; do
        # shellcheck disable=SC2046
        run_in "j$j" $(scanners) -S tcp_timeout="$1" -j "$j" -r "$PAR"
        same j1 "j$j" || return 1
    done
    if [ "$1" != 0 ]; then
        grep -q 'close_reason="timeout"' j1/report.norm || fail "no idle timeout happened"
    fi
    grep -q 'close_reason="rst"' j1/report.norm || fail "no RST close happened"
}

# The same capture read as -r first half and -R (finish only) second half.
t_finish_input() {
    run_in j1 -r "$(corpus tcpflow-many-short-flows.pcap)" -R "$PAR"
    run_in j2 -j 2 -r "$(corpus tcpflow-many-short-flows.pcap)" -R "$PAR"
    same j1 j2
}

# -j with an output that must stay single-threaded: a notice, and still the -j 1 output.
t_fallback_console() {
    tf_tcpflow -j 2 -c -r "$(corpus tcpflow-out-of-order.pcap)"
    expect_rc 0 || return 1
    grep -q 'running single-threaded: console output' "$TF_WORK/stderr" ||
        { diag_file "$TF_WORK/stderr" 3; fail "no fall-back notice for -c"; }
    cp "$TF_WORK/stdout" j2.txt
    tf_tcpflow -c -r "$(corpus tcpflow-out-of-order.pcap)"
    cmp -s "$TF_WORK/stdout" j2.txt || fail "-j 2 -c printed something else than -c"
}
t_fallback_template() {
    run_in j1 -Fk -r "$PAR"
    run_in j2 -Fk -j 2 -r "$PAR"
    grep -q 'running single-threaded: the file name template counts .*(%N %K %M %G %S' j2/stderr ||
        { diag_file j2/stderr 3; fail "no fall-back notice for -Fk"; }
    same j1 j2 || return 1
    run_in t2 -T '%A-%B' -j 2 -r "$PAR"
    grep -q 'does not name both addresses and ports' t2/stderr ||
        { diag_file t2/stderr 3; fail "no fall-back notice for -T %A-%B"; }
}
t_fallback_scanner() {
    [ -f "$FIXTURES/good.so" ] || tf_skip "fixture plugins not built"
    mkdir p
    cp "$FIXTURES/good.so" p/
    chmod 755 p
    chmod 644 p/good.so
    run_in j2 -P "$TF_WORK/p" -e good -j 2 -r "$(corpus tcpflow-out-of-order.pcap)"
    grep -q 'running single-threaded: scanner good does not declare TCPF_SCANNER_PARALLEL' \
        j2/stderr || { diag_file j2/stderr 3; fail "no fall-back notice for an ABI 1.0 scanner"; }
    [ "$(cat j2/rc)" = 0 ] || fail "exit status $(cat j2/rc)"
    # The fall-back keeps the whole descriptor budget (-f): the same evictions as -j 1.
    run_in f1 -P "$TF_WORK/p" -e good -f 16 -r "$PAR"
    run_in f2 -P "$TF_WORK/p" -e good -f 16 -j 2 -r "$PAR"
    grep -q 'key="fd_evictions"' f1/report.norm || fail "no fd_evictions entry in report.xml"
    same f1 f2
}
t_usage() {
    for bad in 0 65 x 2k; do
        tf_tcpflow -j "$bad" -r "$(corpus tcpflow-out-of-order.pcap)"
        expect_rc 2 || { diag "-j $bad"; return 1; }
    done
    run_in a -j auto -r "$PAR"
    [ "$(cat a/rc)" = 0 ] || fail "-j auto exited $(cat a/rc)"
    run_in b --jobs=2 -r "$PAR"
    same a b
}

# rss_j4_over_j1 CAP LIMIT_KIB: -j 1 and -j 4 on CAP write the same flow files and the same
# report (normalised, output directory aside), and -j 4 peaks at most LIMIT_KIB above -j 1
# (not checked under a sanitizer, whose heap says nothing about ours).
rss_j4_over_j1() {
    mkdir -p a b
    tf_run_rss -- "$TCPFLOW" -o a/out -r "$1"
    expect_rc 0 || return 1
    r1=$TF_RSS_KB
    tf_run_rss -- "$TCPFLOW" -j 4 -o b/out -r "$1"
    expect_rc 0 || return 1
    r4=$TF_RSS_KB
    diag "max RSS -j 1: ${r1} KiB, -j 4: ${r4} KiB"
    diff -r -x report.xml a/out b/out >"$TF_WORK/diff" 2>&1 || { diag_file "$TF_WORK/diff" 5; fail "-j 4 output differs"; }
    sed -f "$NORMALISE" a/out/report.xml | grep -v 'max_open_connections\|max_open_files\|<filename>' >a.norm
    sed -f "$NORMALISE" b/out/report.xml | grep -v 'max_open_connections\|max_open_files\|<filename>' >b.norm
    diff a.norm b.norm >"$TF_WORK/diff" 2>&1 || { diag_file "$TF_WORK/diff" 5; fail "-j 4 report differs"; }
    [ -n "$TF_ASAN" ] && return 0
    [ $((r4 - r1)) -le "$2" ] || fail "-j 4 peaks $((r4 - r1)) KiB above -j 1 (limit $2)"
}

# t_ended_budget: the 4096 ended connections kept for recognising stragglers are shared out
# between the shares (regression: every share kept 4096, so -j 4 on 20,000 finished short
# connections peaked 10.4 MB above -j 1 where it now peaks 5 MB above; the rest is batches).
t_ended_budget() {
    [ -f "$TF_TMP/short20k.pcap" ] || "$PYTHON" "$TF_SRCDIR/bench/gencap.py" short \
        "$TF_TMP/short20k.pcap" --conns 20000 >/dev/null || fail "gencap.py failed"
    rss_j4_over_j1 "$TF_TMP/short20k.pcap" 7680
}

# t_close_backlog: closes wait on the main thread for their turn, but not all at once
# (regression: 4000 flows ending in one burst at the end of the capture were all queued, with
# their report entries: -j 4 peaked 7.6 MB above -j 1, now 2.5 MB).
t_close_backlog() {
    "$PYTHON" "$TF_SRCDIR/bench/gencap.py" interleaved cap.pcap --size-mb 8 --flows 4000 \
        >/dev/null || fail "gencap.py failed"
    rss_j4_over_j1 cap.pcap 5120
}

# t_eof_race: the end-of-input closes of -j 2 merge in -j 1's order even when the machine is
# busy. Regression: the merge read a share's progress after taking its queue, so a close
# queued in between could be overtaken (5 of 48 runs of 4 concurrent loops differed).
# Probabilistic by nature: 4 loops of 5 runs at once, each compared with -j 1.
t_eof_race() {
    run_in ref -r "$PAR"
    for w in 1 2 3 4; do
        (
            for i in 1 2 3 4 5; do
                run_in "w$w" -j 2 -r "$PAR"
                cmp -s "w$w/report.norm" ref/report.norm || echo "loop $w run $i" >>bad
                rm -rf "w$w"
            done
        ) &
    done
    wait
    [ ! -s bad ] || fail "report.xml differs from -j 1 in: $(tr '\n' ' ' <bad)"
}

for f in "$TF_CORPUS"/*.pcap "$TF_CORPUS"/*.pcapng "$TF_CORPUS"/bad/*; do
    [ -f "$f" ] || continue
    run_test "-j 3 = -j 1: ${f#"$TF_CORPUS"/}" t_corpus "$f"
done
run_test "-j 2/3/4/7 = -j 1: ordering capture, no timeout" t_par 0
run_test "-j 2/3/4/7 = -j 1: ordering capture, tcp_timeout=10" t_par 10
run_test "-j 2/3/4/7 = -j 1: ordering capture, tcp_timeout=2" t_par 2
run_test "-j 2 = -j 1 with -r then -R" t_finish_input
run_test "-j 2 -c falls back to one thread, same output" t_fallback_console
run_test "-j 2 with counter / partial templates falls back, same output" t_fallback_template
run_test "-j 2 with a scanner without TCPF_SCANNER_PARALLEL falls back" t_fallback_scanner
run_test "-j: bad values are usage errors; auto and --jobs work" t_usage
run_test "-j 4: the ended-connection budget is shared out (peak RSS)" t_ended_budget
run_test "-j 4: 4000 flows ending at once are not all queued (peak RSS), same report" t_close_backlog
run_test "-j 2 x 20 runs, 4 at once: end-of-input closes keep -j 1's order" t_eof_race
done_testing
