#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/fuzz/replay.sh: replays the libFuzzer seed corpora and saved crash inputs through the
# `onefile` driver builds of the targets (tests/fuzz/replay_{decode,reasm,http}, gcc, with ASan
# and UBSan in the sanitizer build). RELIABILITY.md §7 item 39 (CI half).
# One test per target and directory: the replay program must exit 0, run every file, and
# print no sanitizer report or FUZZ_CHECK failure. Inputs under tests/fuzz/crashes/TARGET/
# are regressions: each once made a target fail and must now pass.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"

replay_one() {
    # replay_one TARGET DIR
    bin=$TF_BUILDDIR/tests/fuzz/replay_$1
    [ -x "$bin" ] || tf_skip "replay_$1 not built (plugin dependencies missing?)"
    n=$(find "$2" -maxdepth 1 -type f ! -name '.*' ! -name 'README*' | grep -c '')
    [ "$n" -gt 0 ] || tf_skip "no inputs in $2"
    files=$(find "$2" -maxdepth 1 -type f ! -name '.*' ! -name 'README*' | LC_ALL=C sort)
    # shellcheck disable=SC2086
    tf_run -t 120 -- "$bin" $files
    if ! expect_rc 0; then
        diag "last input started:"
        grep '^replay: ' "$TF_WORK/stdout" | tail -n 1 | sed 's/^/#   /'
        return 1
    fi
    if grep -E -q 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|FUZZ_CHECK' "$TF_WORK/stderr"; then
        diag "sanitizer or invariant report:"
        diag_file "$TF_WORK/stderr" 30
        return 1
    fi
    got=$(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$TF_WORK/stdout")
    [ "$got" = "$n" ] || fail "replayed ${got:-0} of $n inputs"
    diag "$1: $n inputs from $(basename -- "$2") in ${TF_MS} ms"
}

for t in decode reasm http; do
    run_test "replay $t seed corpus (tests/fuzz/corpus/$t)" replay_one "$t" "$TF_SRCDIR/tests/fuzz/corpus/$t"
    run_test "replay $t crash regressions (tests/fuzz/crashes/$t)" replay_one "$t" "$TF_SRCDIR/tests/fuzz/crashes/$t"
done
done_testing
