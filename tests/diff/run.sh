#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Differential test against Debian tcpflow 1.6.1 (/usr/bin/tcpflow, or TF_REFERENCE=PATH).
# For every capture in tests/data/corpus (top level, then bad/), runs `tcpflow -o DIR -r CAP`
# with 1.6.1 and with ours ($TCPFLOW) and compares the set of flow files and their bytes
# (report.xml / report.pdf ignored). Every difference must be listed in
# tests/diff/known-differences.tsv (see tests/diff/common.sh for the columns); the test asserts
# our side of each listed difference (our file's sha256, or the file's absence) and fails on
# unlisted, stale or REASON-TODO rows, and when ours times out or dies by a signal.
# Without the reference binary every test is skipped.
# Run: make check TESTS=tests/diff/run.sh, or by hand: TCPFLOW=... sh tests/diff/run.sh [CAPTURE...]
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

[ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"

t_capture() {
    cap=$1
    diff_capture "$cap" || return 1
    known_rows "$cap" >known
    st=0
    if grep -q 'REASON-TODO' known; then
        diag "$cap: known-differences.tsv has REASON-TODO rows; write the reasons"
        st=1
    fi
    star=$(awk -F'\t' '$1 == "*" { print $4; exit }' known)
    if [ -n "$star" ]; then
        # One row covers every difference of the capture: our whole output is pinned.
        if [ ! -s "$TF_WORK/diffs" ]; then
            diag "$cap: listed with '*' but ours now matches 1.6.1 exactly; remove the row"
            return 1
        fi
        got=$(cat "$TF_WORK/ours.sha")
        if [ "$got" != "$star" ]; then
            diag "$cap: our output changed (manifest sha256 $got, listed $star); our files:"
            diag_file "$TF_WORK/ours.manifest" 15
            diag "differences from 1.6.1:"
            diag_file "$TF_WORK/diffs" 15
            return 1
        fi
        return $st
    fi
    # Per-file rows: every actual difference must be listed with our sha; every row must occur.
    awk -F'\t' '{ print $1 "\t" $2 "\t" $4 }' known | LC_ALL=C sort >listed
    if ! cmp -s listed "$TF_WORK/diffs"; then
        diag "$cap: differences from 1.6.1 do not match known-differences.tsv"
        diag "(- listed but not observed, + observed but not listed; fields: flow kind our_sha256)"
        diff listed "$TF_WORK/diffs" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | head -n 30 | sed 's/^/#   /'
        st=1
    fi
    return $st
}

if ! have_reference; then
    plan 1
    skip "differential test against tcpflow 1.6.1" "reference $TF_REFERENCE (TCPFLOW 1.6.1) not installed"
    exit 0
fi

if [ $# -gt 0 ]; then caps=$*; else caps=$(diff_captures); fi
for cap in $caps; do
    n=$(known_rows "$cap" | grep -c '')
    run_test "diff $cap ($n known difference(s))" t_capture "$cap"
done
# Rows naming captures that no longer exist are errors too.
t_stale_captures() {
    [ -f "$DIFF_TSV" ] || return 0
    st=0
    for c in $(awk -F'\t' '!/^#/ && NF >= 5 { print $1 }' "$DIFF_TSV" | sort -u); do
        [ -f "$TF_CORPUS/$c" ] || { diag "known-differences.tsv names missing capture $c"; st=1; }
    done
    bad=$(awk -F'\t' '!/^#/ && NF > 0 && NF != 5' "$DIFF_TSV" | head -n 3)
    [ -z "$bad" ] || { diag "malformed rows (need 5 tab-separated columns):" "$bad"; st=1; }
    return $st
}
[ $# -gt 0 ] || run_test "known-differences.tsv is well-formed and names existing captures" t_stale_captures
done_testing
