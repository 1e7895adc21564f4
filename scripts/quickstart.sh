#!/usr/bin/env bash
# One command on a fresh Debian machine: install build dependencies, build, and run tcpflow
# on a capture shipped in tests/data/. Prints where the output went.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
out="demo-output"
rm -rf "$out"
./tcpflow -o "$out" -r tests/data/corpus/tcpflow-test1-v4v6-gzip.pcap
echo
echo "tcpflow wrote $(find "$out" -type f | wc -l) files into $(pwd)/$out:"
ls -l "$out"
