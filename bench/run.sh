#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# summary: benchmark our tcpflow against Debian's tcpflow 1.6.1, a write floor and a pcap read loop
#
# Usage: bench/run.sh [--quick] [--runs N] [--scratch DIR] [--shapes huge,short,...] ...
#        (bench/run.sh --help lists every option; see bench/README.md)
# Environment: TCPFLOW (ours, default ./tcpflow), OLD_TCPFLOW (default /usr/bin/tcpflow),
#              BENCH_SCRATCH (default /var/tmp/tcpflow-bench), CC (default cc).
set -eu

here=$(cd "$(dirname "$0")" && pwd)

for tool in python3 /usr/bin/time; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run.sh: $tool is required" >&2
        exit 2
    fi
done
if ! command -v "${CC:-cc}" >/dev/null 2>&1; then
    echo "run.sh: a C compiler (${CC:-cc}) is required to build bench/pcapread.c" \
        "and bench/writefloor.c" >&2
    exit 2
fi
exec python3 "$here/bench.py" "$@"
