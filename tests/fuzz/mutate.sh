#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/fuzz/mutate.sh: the mutation run (RELIABILITY.md §6.6, §7 item 38). Seeded mutants of
# the corpus captures (tests/fuzz/mutate.py: byte flips, header-field mutations, truncation,
# `editcap -E` when installed) go through $TCPFLOW with every scanner that is built
# (-e http, -e netviz when listed by -H; the dfxml report is on by default), each run under
# `timeout`, `prlimit --fsize --nofile` (and --as without ASan) and, with ASan,
# ASAN_OPTIONS=hard_rss_limit_mb. Each mutant is one TAP test; it passes when
#   - the exit status is 0, 1 or 3 (no signal, no timeout, no usage error 2),
#   - stderr holds no sanitizer report (ASan, LSan, UBSan "runtime error"),
#   - the output tree is at most MAXOUT bytes (apparent size, 256 MiB),
#   - report.xml, when written, is well-formed.
# The last lines are a summary: counts per exit status and mutator, findings, wall times.
#
# Usage: tests/fuzz/mutate.sh [--seed S] [--count N] [--jobs J] [--keep DIR] [--all-seeds]
#   default (make check): --seed 1 --count 200 --jobs 2 on the corpus captures under 64 KB and
#   the small generated hostile captures; --all-seeds uses every corpus capture (tests/data/
#   corpus and bad/) up to 3 MB: the full local run is
#       TCPFLOW=/path/to/asan/tcpflow tests/fuzz/mutate.sh --count 1000 --all-seeds --keep DIR
#   --keep DIR copies each finding (mutant, stderr, command) to DIR.
# A mutant is regenerated alone with `mutate.py --seed S --only I --out DIR SEEDS...` (the
# seed list is printed as a diagnostic). Environment: TF_MUT_COUNT / TF_MUT_SEED override the
# defaults; TF_MUT_T is the per-run time limit in seconds (default 60).

# ---- worker mode: one mutant (run by xargs -P; must not source lib.sh) -----------------------
if [ "${1:-}" = --worker ]; then
    m=$2
    name=$(basename -- "$m")
    out=$MUT_WORK/out.$name
    err=$MUT_WORK/err.$name
    rm -rf -- "$out"
    start=$(date +%s%3N)
    # shellcheck disable=SC2086
    timeout -k 5 "$MUT_T" prlimit --fsize="$MUT_FSIZE" --nofile=256 $MUT_AS -- \
        "$TCPFLOW" -o "$out" $MUT_OPTS -r "$m" >/dev/null 2>"$err" </dev/null
    rc=$?
    ms=$(( $(date +%s%3N) - start ))
    bytes=0
    [ -d "$out" ] && bytes=$(find "$out" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d\n", s }')
    why=
    case $rc in 0|1|3) ;; 124) why="timeout" ;; *) if [ "$rc" -gt 128 ]; then why="signal-$((rc - 128))"; else why="exit-$rc"; fi ;; esac
    if grep -E -q 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|Sanitizer|FUZZ_CHECK' "$err"; then
        why="${why:+$why,}sanitizer"
    fi
    [ "$bytes" -le "$MUT_MAXOUT" ] || why="${why:+$why,}output-$bytes"
    if [ -f "$out/report.xml" ] && command -v xmllint >/dev/null 2>&1 &&
        ! xmllint --noout --huge "$out/report.xml" 2>/dev/null; then
        why="${why:+$why,}bad-report"
    fi
    if [ -n "$why" ] && [ -n "$MUT_KEEP" ]; then
        mkdir -p -- "$MUT_KEEP"
        cp -- "$m" "$MUT_KEEP/$name"
        cp -- "$err" "$MUT_KEEP/$name.stderr"
        printf '%s -o OUT %s -r %s\n' "$TCPFLOW" "$MUT_OPTS" "$name" >"$MUT_KEEP/$name.cmd"
    fi
    printf '%s %s %s %s %s\n' "$name" "$rc" "$ms" "$bytes" "${why:--}" >"$MUT_WORK/res.$name"
    rm -rf -- "$out"
    [ -n "$why" ] || rm -f -- "$err"
    exit 0
fi

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"

seed=${TF_MUT_SEED:-1}
count=${TF_MUT_COUNT:-200}
jobs=2
keep=
all=
while [ $# -gt 0 ]; do
    case $1 in
        --seed) seed=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        --all-seeds) all=1; shift ;;
        *) echo "usage: $0 [--seed S] [--count N] [--jobs J] [--keep DIR] [--all-seeds]" >&2; exit 2 ;;
    esac
done

[ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"
command -v "$PYTHON" >/dev/null 2>&1 || skip_all "python3 missing"
command -v prlimit >/dev/null 2>&1 || skip_all "prlimit (util-linux) missing"

# Seeds: corpus captures (small ones for make check) and a few generated hostile captures.
seedlist=$TF_TMP/seeds.txt
: >"$seedlist"
if [ -n "$all" ]; then
    find "$TF_CORPUS" -maxdepth 2 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) \
        -size -3000k | LC_ALL=C sort >>"$seedlist"
else
    find "$TF_CORPUS" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) \
        -size -64k | LC_ALL=C sort >>"$seedlist"
fi
if gencap c01 c02 c09 c11 c13 c14 c17 flow-eth6 frag4 frag6 2>/dev/null; then
    for f in c01 c02 c09 c11 c13 c14 c17 flow-eth6 frag4 frag6; do
        [ -f "$GENDIR/$f.pcap" ] && printf '%s\n' "$GENDIR/$f.pcap" >>"$seedlist"
    done
fi
nseeds=$(grep -c '' "$seedlist")
[ "$nseeds" -gt 0 ] || skip_all "no seed captures found"

MUT_WORK=$TF_TMP/run
mkdir -p -- "$MUT_WORK" "$TF_TMP/mutants"
# shellcheck disable=SC2046
"$PYTHON" "$here/mutate.py" --seed "$seed" --count "$count" --out "$TF_TMP/mutants" \
    $(cat "$seedlist") >"$TF_TMP/manifest.tsv" 2>"$TF_TMP/mutate.err" ||
    { echo "Bail out! mutate.py failed: $(head -3 "$TF_TMP/mutate.err")"; exit 99; }

MUT_OPTS="-e http"
if "$TCPFLOW" -H 2>/dev/null | grep -q '^ *netviz'; then MUT_OPTS="$MUT_OPTS -e netviz"; fi
# MUT_EXTRA: more options for every run, e.g. MUT_EXTRA='-j 3' for the worker threads
MUT_OPTS="$MUT_OPTS ${MUT_EXTRA:-}"
MUT_T=${TF_MUT_T:-60}
MUT_FSIZE=$((1024 * 1024 * 1024))
MUT_MAXOUT=$((256 * 1024 * 1024))
MUT_AS=
if [ -n "$TF_ASAN" ]; then
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:hard_rss_limit_mb=2048:exitcode=86"
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}:exitcode=87"
    export ASAN_OPTIONS UBSAN_OPTIONS
else
    MUT_AS="--as=$((2048 * 1024 * 1024))"
fi
MUT_KEEP=$keep
case $MUT_KEEP in ''|/*) ;; *) MUT_KEEP=$(pwd)/$MUT_KEEP ;; esac
export MUT_WORK MUT_OPTS MUT_T MUT_FSIZE MUT_MAXOUT MUT_AS MUT_KEEP TCPFLOW

diag "mutation run: seed $seed, $count mutants of $nseeds seed captures, $jobs jobs" \
     "tcpflow $MUT_OPTS${TF_ASAN:+ (ASan build)}; time limit ${MUT_T}s, fsize 1 GiB, nofile 256"
t0=$(_tf_now_ms)
cut -f1 "$TF_TMP/manifest.tsv" | sed "s|^|$TF_TMP/mutants/|" |
    xargs -P "$jobs" -n 1 sh "$here/mutate.sh" --worker
wall=$(( $(_tf_now_ms) - t0 ))

plan "$count"
findings=0
while IFS="$(printf '\t')" read -r name kind base detail; do
    res=$MUT_WORK/res.$name
    if [ ! -f "$res" ]; then
        not_ok "mutant $name: no result (worker died)"
        findings=$((findings + 1))
        continue
    fi
    read -r _n rc ms bytes why <"$res"
    if [ "$why" = "-" ]; then
        ok "mutant $name: exit $rc, ${ms} ms, $bytes bytes"
    else
        not_ok "mutant $name ($kind $detail): $why (exit $rc, ${ms} ms, $bytes bytes)"
        findings=$((findings + 1))
        diag "seed $base; regenerate: tests/fuzz/mutate.py --seed $seed --only ${name%%-*} --out DIR SEEDS"
        [ -f "$MUT_WORK/err.$name" ] && diag_file "$MUT_WORK/err.$name" 25
    fi
done <"$TF_TMP/manifest.tsv"

# Summary.
cat "$MUT_WORK"/res.* 2>/dev/null >"$TF_TMP/results.txt"
diag "summary: $count mutants, $findings findings, wall ${wall} ms with $jobs jobs"
diag "exit statuses: $(awk '{ c[$2]++ } END { for (k in c) printf "%s:%d ", k, c[k] }' "$TF_TMP/results.txt")"
diag "mutators: $(cut -f2 "$TF_TMP/manifest.tsv" | sort | uniq -c | awk '{ printf "%s:%d ", $2, $1 }')"
diag "per-run ms: $(awk '{ print $3 }' "$TF_TMP/results.txt" | sort -n |
    awk '{ a[NR] = $1; s += $1 } END { if (NR) printf "median %d, max %d, mean %d", a[int((NR + 1) / 2)], a[NR], s / NR }')"
diag "largest output: $(awk '{ print $4 }' "$TF_TMP/results.txt" | sort -n | tail -1) bytes"
done_testing
