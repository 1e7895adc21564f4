#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/http/update-expected.sh: regenerates tests/http/expected/ (run by hand, review the diff).
#   NAME.tshark    sorted unique sha256 of the objects `tshark --export-objects http` extracts
#                  (TShark 4.0.17, Debian 12), with the command below. tests/http/corpus.sh
#                  checks that each one is among our HTTPBODY files.
#   NAME.manifest  our HTTPBODY files (`sha256  name`), reviewed once; corpus.sh checks that
#                  they stay the same.
# Usage: TCPFLOW=... TCPFLOW_PLUGIN_PATH=... tests/http/update-expected.sh [NAME...]
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
corpus=$here/../data/corpus
: "${TCPFLOW:?set TCPFLOW to the built binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in ${*:-$(cat "$here/expected/LIST")}; do
    f=$corpus/$n.pcap; [ -f "$f" ] || f=$corpus/$n.pcapng
    mkdir "$tmp/$n" "$tmp/$n.ts"
    if command -v tshark >/dev/null 2>&1; then
        tshark -q -r "$f" -o tcp.desegment_tcp_streams:TRUE -o http.decompress_body:TRUE \
            -o http.dechunk_body:TRUE -d tcp.port==443,http \
            --export-objects "http,$tmp/$n.ts" >/dev/null 2>&1 || true
        ( cd "$tmp/$n.ts" && find . -type f -exec sha256sum {} + | cut -d' ' -f1 | LC_ALL=C sort -u ) \
            >"$here/expected/$n.tshark"
    fi
    "$TCPFLOW" -e http -o "$tmp/$n" -r "$f" 2>/dev/null || true
    ( cd "$tmp/$n" && find . -name '*HTTPBODY*' -type f | sed 's|^\./||' | LC_ALL=C sort |
        while IFS= read -r x; do sha256sum -- "$x"; done ) >"$here/expected/$n.manifest"
done
