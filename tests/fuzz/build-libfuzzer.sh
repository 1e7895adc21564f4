#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/fuzz/build-libfuzzer.sh: builds the libFuzzer targets with clang out of tree and runs
# each for a while. Not part of `make check` or CI (CI replays the corpora with the `onefile`
# driver instead, see tests/fuzz/README.md); run it before a release (RELIABILITY.md §7 item 39:
# 10 minutes per target without a finding).
#
# Usage: tests/fuzz/build-libfuzzer.sh [-t SECONDS] [-j JOBS] [-o OUTDIR] [-n] [TARGET...]
#   -t SECONDS  run each target this long (default 600; 0 = build only)
#   -j JOBS     libFuzzer -jobs/-workers (default 1)
#   -o OUTDIR   build and work directory (default /tmp/tcpflow-libfuzzer); never the source tree
#   -n          build only (same as -t 0)
#   TARGET      decode, reasm, http (default: all three)
# Needs: clang (clang-14 on Debian 12) and libclang-rt-14-dev (apt-get install -y clang
# libclang-rt-14-dev), plus the build dependencies of tcpflow (configure runs once in
# OUTDIR/cfg to make config.h).
#
# For each TARGET it builds OUTDIR/fuzz_TARGET with -fsanitize=fuzzer,address,undefined, copies
# the committed seeds (tests/fuzz/corpus/TARGET) and saved crashes (tests/fuzz/crashes/TARGET)
# into the working corpus OUTDIR/corpus/TARGET (new inputs libFuzzer finds accumulate there
# across runs), and runs it with -max_total_time=SECONDS -rss_limit_mb=2048 -timeout=10. Crash,
# leak, timeout and OOM inputs are written to OUTDIR/artifacts/TARGET/. The script ends with
# one line per target, "TARGET: runs=N findings=M", and exits 1 if any target found something.
# A finding worth keeping goes (minimised with -minimize_crash=1) into tests/fuzz/crashes/TARGET/,
# where `make check` replays it under gcc+ASan from then on.
set -u
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
src=$(CDPATH= cd -- "$here/../.." && pwd)
secs=600
jobs=1
out=/tmp/tcpflow-libfuzzer
while getopts t:j:o:nh opt; do
    case $opt in
        t) secs=$OPTARG ;;
        j) jobs=$OPTARG ;;
        o) out=$OPTARG ;;
        n) secs=0 ;;
        *) sed -n '2,28p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- decode reasm http
: "${CC:=clang}"
command -v "$CC" >/dev/null 2>&1 || { echo "build-libfuzzer.sh: $CC not found (apt-get install -y clang libclang-rt-14-dev)" >&2; exit 1; }
mkdir -p "$out/cfg" || exit 1
out=$(CDPATH= cd -- "$out" && pwd)
case $out in "$src"|"$src"/*) echo "build-libfuzzer.sh: OUTDIR must be outside the source tree" >&2; exit 2 ;; esac

if [ ! -f "$out/cfg/config.h" ]; then
    echo "configuring in $out/cfg ..."
    ( cd "$out/cfg" && "$src/configure" CC="$CC" >configure.log 2>&1 ) || {
        echo "build-libfuzzer.sh: configure failed, see $out/cfg/configure.log" >&2; exit 1; }
fi

FLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11"
INC="-I$out/cfg -I$src/core -I$src/sdk/include -I$src/tests/fuzz/targets"
pc() { pkg-config "$@" 2>/dev/null; }

build() {
    t=$1
    case $t in
        decode) srcs="$src/core/decode.c $src/core/ipfrag.c"; extra= ;;
        reasm) srcs="$src/core/reasm.c"; extra= ;;
        http)
            srcs="$src/plugins/http/hdecode.c $src/plugins/http/hparse.c"
            extra="-I$src/plugins/http $(pc --cflags zlib) -lhttp_parser $(pc --libs zlib)"
            if pc --exists libbrotlidec; then extra="$extra -DHTTP_HAVE_BROTLI $(pc --cflags --libs libbrotlidec)"; fi
            if pc --exists libzstd; then extra="$extra -DHTTP_HAVE_ZSTD $(pc --cflags --libs libzstd)"; fi
            ;;
        *) echo "build-libfuzzer.sh: unknown target '$t' (decode, reasm, http)" >&2; return 1 ;;
    esac
    echo "building $out/fuzz_$t"
    # shellcheck disable=SC2086
    "$CC" $FLAGS $INC -o "$out/fuzz_$t" "$src/tests/fuzz/targets/fuzz_$t.c" $srcs $extra \
        $(pc --libs libpcap) -lpthread
}

status=0
summary=
for t in "$@"; do
    build "$t" || { status=1; continue; }
    [ "$secs" -gt 0 ] || continue
    mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
    cp -f "$src/tests/fuzz/corpus/$t/"* "$out/corpus/$t/" 2>/dev/null
    cp -f "$src/tests/fuzz/crashes/$t/"* "$out/corpus/$t/" 2>/dev/null
    rm -f "$out/corpus/$t/README"*
    rm -f "$out/artifacts/$t"/fuzz-*.log
    par=
    [ "$jobs" -le 1 ] || par="-jobs=$jobs -workers=$jobs"
    before=$(ls "$out/artifacts/$t" | grep -c -v '^fuzz-[0-9]*\.log$')
    echo "running fuzz_$t for $secs s ($jobs job(s)); log: $out/fuzz_$t.log"
    ( cd "$out/artifacts/$t" &&
      ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "$out/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
          $par -artifact_prefix="$out/artifacts/$t/" -print_final_stats=1 \
          "$out/corpus/$t" >"$out/fuzz_$t.log" 2>&1 )
    rc=$?
    after=$(ls "$out/artifacts/$t" | grep -c -v '^fuzz-[0-9]*\.log$')
    if [ "$jobs" -gt 1 ]; then logs=$(ls "$out/artifacts/$t"/fuzz-*.log 2>/dev/null); else logs=$out/fuzz_$t.log; fi
    # shellcheck disable=SC2086
    runs=$(grep -h '^stat::number_of_executed_units' $logs 2>/dev/null | awk '{ s += $2 } END { print s + 0 }')
    found=$((after - before))
    [ "$rc" -eq 0 ] || [ "$found" -gt 0 ] || found=1
    summary="$summary$t: runs=$runs findings=$found exit=$rc corpus=$(ls "$out/corpus/$t" | wc -l)
"
    [ "$found" -eq 0 ] || status=1
done
printf '%s' "$summary"
exit $status
