#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/http/corpus.sh: golden tests of the http scanner on corpus captures.
# For each capture in expected/LIST:
#   - every object tshark 4.0.17 exports (expected/NAME.tshark, made by update-expected.sh) is
#     one of our body files (tshark also exports request bodies; where tshark exports nothing
#     for a body (a gap) we may have more files);
#   - our body files are exactly expected/NAME.manifest (reviewed golden output).
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"
need_http

t_corpus() {
    n=$1
    f=$(corpus "$n.pcap"); [ -f "$f" ] || f=$(corpus "$n.pcapng")
    http_run "$f"
    expect_rc 0 3 || return 1
    bodies >"$TF_WORK/got"
    cut -d' ' -f1 "$TF_WORK/got" | LC_ALL=C sort -u >"$TF_WORK/got.sha"
    miss=$(LC_ALL=C comm -23 "$here/expected/$n.tshark" "$TF_WORK/got.sha")
    [ -z "$miss" ] || fail "objects tshark extracts that we do not:" "$miss"
    manifest_ok=0
    cmp -s "$TF_WORK/got" "$here/expected/$n.manifest" && manifest_ok=1
    if [ $manifest_ok = 0 ]; then
        diag "body files differ from expected/$n.manifest (- expected, + got):"
        diff -- "$here/expected/$n.manifest" "$TF_WORK/got" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | head -n 10 | sed 's/^/#   /'
        return 1
    fi
    return 0
}

for n in $(cat "$here/expected/LIST"); do
    run_test "$n: bodies match tshark and the golden manifest" t_corpus "$n"
done
done_testing
