#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/http/decode.sh: the http scanner on generated captures (tests/http/mkhttp.py):
# content codings, bodiless responses, 100 Continue, pipelining, gaps, CONNECT, mid-stream.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"
need_http
command -v "$PYTHON" >/dev/null 2>&1 || skip_all "python3 missing"

t_codings() {
    mkhttp codings || return 1
    http_run "$HTTP_GEN/codings.pcap"
    expect_rc 0 || return 1
    same_bodies codings || return 1
    report_has 'content_encoding=x-gzip'
}

t_br_zstd() {
    mkhttp br-zstd || return 1
    [ -s "$HTTP_GEN/br-zstd.bodies" ] || tf_skip "neither brotli nor zstd program installed"
    http_run "$HTTP_GEN/br-zstd.pcap"
    expect_rc 0 || return 1
    same_bodies br-zstd
}

t_decompress_no() {
    mkhttp codings || return 1
    http_run "$HTTP_GEN/codings.pcap" -Z
    expect_rc 0 || return 1
    # body 2 is stored gzip-compressed under its .html name, as tcpflow -Z does
    f=$(ls "$TF_WORK/out" | grep -- '-HTTPBODY-002\.html$') || fail "no HTTPBODY-002.html"
    [ "$(head -c 2 "$TF_WORK/out/$f" | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "$f is not gzip data"
    ! ls "$TF_WORK/out" | grep -q '\.raw$' || fail "unexpected .raw file with -Z"
    report_has 'not-decoded'
}

t_nobody() {
    mkhttp nobody || return 1
    http_run "$HTTP_GEN/nobody.pcap"
    expect_rc 0 || return 1
    same_bodies nobody
}

t_pipeline() {
    mkhttp pipeline || return 1
    http_run "$HTTP_GEN/pipeline.pcap"
    expect_rc 0 || return 1
    same_bodies pipeline
}

t_gaps() {
    mkhttp gaps || return 1
    http_run "$HTTP_GEN/gaps.pcap"
    expect_rc 0 3 || return 1
    same_bodies gaps || return 1
    report_has 'holes-zero-filled' || return 1
    report_has 'resyncs=1'
}

t_connect() {
    mkhttp connect || return 1
    http_run "$HTTP_GEN/connect.pcap"
    expect_rc 0 || return 1
    same_bodies connect || return 1
    report_has 'upgraded=yes' || return 1
    ! grep -q 'parse_errors=[1-9]' "$TF_WORK/out/report.xml" 2>/dev/null || fail "parse errors after CONNECT"
}

t_midstream() {
    mkhttp midstream || return 1
    http_run "$HTTP_GEN/midstream.pcap"
    expect_rc 0 3 || return 1
    same_bodies midstream
}

run_test "gzip, x-gzip, GZIP, deflate (zlib and raw), chunked, 2 layers, 2 members: decoded, named by type" t_codings
run_test "br, zstd and zstd over gzip decoded" t_br_zstd
run_test "-Z (http.decompress=no): bodies stored as sent, no .raw" t_decompress_no
run_test "HEAD, 204, 304 without body; 100 Continue; POST body on the request flow" t_nobody
run_test "pipelined requests and responses, body delimited by close" t_pipeline
run_test "hole inside a body zero-filled; lost response head: resynchronised" t_gaps
run_test "CONNECT tunnel: parsing stops without errors" t_connect
run_test "capture starting inside a body: next response found" t_midstream
done_testing
