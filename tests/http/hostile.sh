#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/http/hostile.sh: decompression bombs, codings beyond the limits, corrupt data and
# hostile headers (RELIABILITY.md section 7 items 26-28). No timing assertions: the runs
# have a time limit (tf_run) only so that a hang fails instead of blocking.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"
need_http
command -v "$PYTHON" >/dev/null 2>&1 || skip_all "python3 missing"

# size NAME-SUFFIX: size of the one output file whose name ends with it
size_of() {
    _f=$(ls "$TF_WORK/out" | grep -- "$1\$" | head -n 1)
    [ -n "$_f" ] || { echo -1; return; }
    wc -c <"$TF_WORK/out/$_f" | tr -d ' '
}

t_bomb() {
    mkhttp bomb || return 1
    http_run "$HTTP_GEN/bomb.pcap"
    expect_rc 0 || return 1
    has_bodies bomb || return 1       # raw body kept whole, next response fine
    s=$(size_of -HTTPBODY-001.html)
    [ "$s" -gt 0 ] && [ "$s" -le $((64 * 1024 * 1024)) ] || fail "decoded body size $s not within (0, 64 MiB]"
    report_has 'decompression-limit'
}

t_bomb_size() {
    mkhttp bomb || return 1
    http_run "$HTTP_GEN/bomb.pcap" -S http.max_ratio=0 -S http.max_decoded=8M
    expect_rc 0 || return 1
    has_bodies bomb || return 1
    s=$(size_of -HTTPBODY-001.html)
    [ "$s" -eq $((8 * 1024 * 1024)) ] || fail "decoded body is $s bytes, not the 8 MiB cap"
    report_has 'decompression-limit:size'
}

t_bomb_layers() {
    mkhttp bomb || return 1
    http_run "$HTTP_GEN/bomb.pcap" -S http.max_layers=0
    expect_rc 0 || return 1
    has_bodies bomb || return 1
    [ "$(size_of -HTTPBODY-001.html)" = -1 ] || fail "decoded a body with max_layers=0"
    report_has 'decompression-limit:layers'
}

t_layers() {
    mkhttp layers || return 1
    http_run "$HTTP_GEN/layers.pcap"
    expect_rc 0 || return 1
    has_bodies layers || return 1
    report_has 'decompression-limit:layers' || return 1
    report_has 'decode-error' || return 1
    report_has 'unsupported-encoding'
}

t_hostile() {
    mkhttp hostile || return 1
    mkdir -p "$TF_WORK/sub"
    cd "$TF_WORK/sub" || return 1
    http_run "$HTTP_GEN/hostile.pcap"
    expect_rc 0 || return 1
    same_bodies hostile || return 1
    # nothing outside the output directory, every name ours
    [ -z "$(ls -A "$TF_WORK/sub")" ] || fail "files created in the working directory"
    bad=$(ls "$TF_WORK/out" | grep -v -E '^[0-9.]+-[0-9.]+(-HTTPBODY-[0-9]{3,}(\.[a-z0-9]+)?)?$' | grep -v '^report\.xml$')
    [ -z "$bad" ] || fail "unexpected names:" "$bad"
    report_has 'HPE_HEADER_OVERFLOW'
}

run_test "gzip bomb (1 GiB of zeros in 1 MiB): capped, raw body kept, reported" t_bomb
run_test "gzip bomb, ratio cap off: decoded body stops at max_decoded" t_bomb_size
run_test "gzip bomb with max_layers=0: kept raw only" t_bomb_layers
run_test "3 gzip layers, corrupt gzip, compress: raw kept, events reported" t_layers
run_test "hostile headers: names never from traffic, 1 MB line and 10k headers refused" t_hostile
done_testing
