#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/plugins/e2e.sh: scanner plugins through the tcpflow binary ($TCPFLOW): -P, -H, -e,
# -x, -S, errors from a scanner, derived files next to the flow files. Needs the binary and
# the fixture plugins; skips everything when the binary cannot load plugins yet.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

unset TCPFLOW_PLUGIN_PATH
[ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"
[ -f "$PLUGIN_FIXTURES/good.so" ] || skip_all "fixture plugins not built"
CAP=$(corpus cs-http-espn.pcapng)
[ -f "$CAP" ] || skip_all "corpus capture cs-http-espn.pcapng missing"
P=$TF_TMP/p
plugdir "$P" good sink errors wrong_major || skip_all "cannot stage fixtures"
TF_WORK=$TF_TMP/probe
mkdir -p "$TF_WORK"
tf_tcpflow -P "$P" -H
grep -q '^good 1\.0-good ' "$TF_WORK/stdout" 2>/dev/null ||
    skip_all "this tcpflow does not list -P plugins with -H yet"

t_list() {
    tf_tcpflow -P "$P" --list-scanners
    expect_rc 0 && has stdout "^good 1\.0-good \(ABI $HOST_ABI_RE\) disabled" &&
        has stdout "path: $P/good\.so" && has stdout '-S good\.greeting=hello' &&
        has stdout "not loaded: $P/wrong_major\.so"
}

t_unknown() {
    tf_tcpflow -P "$P" -e nonesuch -r "$CAP" -o out
    [ "$TF_RC" -ne 0 ] || fail "tcpflow -e nonesuch succeeded"
    has stderr "available: errors, good, sink" || return 1
    tf_tcpflow -P "$P" -e wrong_major -r "$CAP" -o out
    [ "$TF_RC" -ne 0 ] && has stderr "wrong_major\.so but not loaded"
}

t_run_good() {
    mkdir out
    tf_tcpflow -P "$P" -e good -S good.greeting=hi -r "$CAP" -o out
    expect_rc 0 && hasnt stderr VIOLATION || return 1
    n=$(find out -name '*-good.txt' | wc -l)
    [ "$n" -gt 0 ] || fail "no derived files"
    for f in out/*-good.txt; do
        flow=${f%-good.txt}
        [ -f "$flow" ] || fail "$f has no flow file beside it"
        grep -q '^hi bytes=' "$f" || fail "$f: $(cat "$f")"
    done
    has out/good-summary.txt '^flows=[1-9][0-9]* packets=[1-9]' &&
        has out/sink.txt 'entry good good\.bytes='
}

t_errors() {
    mkdir out
    tf_tcpflow -P "$P" -e errors -r "$CAP" -o out
    expect_rc 0 || return 1
    [ "$(grep -c 'scanner errors: flow_data returned' "$TF_WORK/stderr")" -le 1 ] ||
        fail "errors must be logged once"
    has out/errors-summary.txt 'calls_after_error=0' || return 1
    o=$(sed 's/.*opens=\([0-9]*\).*/\1/' out/errors-summary.txt)
    c=$(sed 's/.*closes=\([0-9]*\).*/\1/' out/errors-summary.txt)
    [ "$o" = "$c" ] || fail "opens=$o closes=$c"
}

t_disabled() {
    mkdir out
    tf_tcpflow -P "$P" -x all -r "$CAP" -o out
    expect_rc 0 && [ ! -f out/sink.txt ] && [ -z "$(find out -name '*-good.txt')" ]
}

# Plugins that are not enabled are dlclose()d before any init() (issue 8: their libraries
# would otherwise stay resident for the whole run); "mapped" lists what is still mapped.
t_unloaded() {
    P2=$TF_TMP/p2
    plugdir "$P2" good sink errors mapped wrong_major || return 1
    mkdir out
    tf_tcpflow -P "$P2" -e mapped -r "$CAP" -o out
    expect_rc 0 && has stderr 'mapped: done' && has stderr 'mapped: mapped\.so' &&
    has stderr 'mapped: sink\.so' && hasnt stderr 'mapped: (good|errors|wrong_major)\.so' &&
    has out/sink.txt '^run inputs=1' || return 1
    mkdir out2
    tf_tcpflow -P "$P2" -x all -d 3 -r "$CAP" -o out2
    expect_rc 0 && has stderr 'every scanner disabled \(-x all\): 5 plugin files not loaded' &&
    hasnt stderr 'wrong_major' && [ ! -f out2/sink.txt ]
}

plan 6
run_test "tcpflow -P DIR --list-scanners" t_list
run_test "tcpflow -e of an unknown or refused scanner fails" t_unknown
run_test "tcpflow -e good -S good.greeting=hi: derived files beside flow files, sink fed" t_run_good
run_test "tcpflow with a failing scanner: run completes, exactly-once close" t_errors
run_test "tcpflow -x all: no scanner output" t_disabled
run_test "tcpflow: plugins not enabled are unloaded before the run; -x all loads none" t_unloaded
done_testing
