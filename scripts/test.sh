#!/usr/bin/env bash
# The whole test suite, as CI runs it (after scripts/install-deps.sh):
#   1. gcc -O2 -Werror build + make check
#   2. ASan+UBSan build + make check
#   3. ThreadSanitizer build + the -j N tests (tests/parallel/jobs.sh: worker threads and
#      the ordered close merge; a TSan report fails them)
#   4. make distcheck
# Ends with one line "N passed, N failed" summing every test case of every pass.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc)
[ -x configure ] || ./autogen.sh >/dev/null 2>&1 || { echo "autogen failed"; exit 1; }
pass=0 fail=0 skip=0 rc=0

# count PASS/FAIL lines of one build's test-suite.log
tally() {
    local log="$1/tests/test-suite.log" p f s
    [ -f "$log" ] || log="$1/test-suite.log"
    if [ ! -f "$log" ]; then echo "no test log in $1"; fail=$((fail + 1)); return; fi
    p=$(awk '/^# PASS:/{print $3}' "$log"); f=$(awk '/^# (FAIL|ERROR|XPASS):/{s+=$3} END{print s+0}' "$log")
    s=$(awk '/^# SKIP:/{print $3}' "$log")
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skip=$((skip + ${s:-0}))
    echo "$2: ${p:-0} passed, ${f:-0} failed, ${s:-0} skipped"
}

# build_and_check DIR LABEL CONFIGURE-ARGS...
build_and_check() {
    local dir="$1" label="$2"; shift 2
    rm -rf "$dir"; mkdir -p "$dir"
    ( cd "$dir" && "$top/configure" "$@" >configure.log 2>&1 ) || { echo "$label: configure failed"; cat "$dir/configure.log" | tail -30; rc=1; return; }
    ( cd "$dir" && make -j"$jobs" >build.log 2>&1 ) || { echo "$label: build failed"; tail -40 "$dir/build.log"; rc=1; return; }
    # shellcheck disable=SC2086
    ( cd "$dir" && make -j"$jobs" check ${CHECK_ARGS:-} >check.log 2>&1 ) || { rc=1; echo "$label: make check failed:"; grep -E '^(FAIL|ERROR|XPASS)' "$dir/check.log" | head -50; \
        for f in $(grep -lE '^(not ok|# (FAIL|ERROR))' "$dir"/tests/*.log "$dir"/tests/*/*.log 2>/dev/null | head -5); do echo "--- $f"; grep -vE '^ok ' "$f" | head -40; done; }
    tally "$dir" "$label"
}

build_and_check _build/release "release (-O2 -Werror)" --enable-werror CFLAGS="-O2 -g"
build_and_check _build/sanitize "sanitizers (ASan+UBSan)" --enable-werror --enable-sanitizers CFLAGS="-O1 -g"
CHECK_ARGS="TESTS=tests/parallel/jobs.sh" \
    build_and_check _build/tsan "ThreadSanitizer (-j N tests)" --enable-werror \
    CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread"
if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
    ( cd _build/release && make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS="--enable-werror" >distcheck.log 2>&1 ) \
        && { echo "distcheck: ok"; pass=$((pass + 1)); } \
        || { echo "distcheck: FAILED"; tail -40 _build/release/distcheck.log; fail=$((fail + 1)); rc=1; }
fi
echo "${pass} passed, ${fail} failed, ${skip} skipped"
[ "$fail" -eq 0 ] && [ "$rc" -eq 0 ]
