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
# The main job: flows, report.xml (dfxml, on by default) and the netviz triage report.
# -P points at the plugins just built; an installed tcpflow finds them by itself.
./tcpflow -P "$(pwd)/plugins/.libs" -e netviz -o "$out" -r tests/data/corpus/cs-http-espn.pcapng
echo
echo "tcpflow wrote $(find "$out" -type f | wc -l) files into $(pwd)/$out:"
ls "$out" | head -20
echo "..."
echo "Triage report: $(pwd)/$out/report.pdf (also report.png, report.svg); DFXML: $(pwd)/$out/report.xml"
