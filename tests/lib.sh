# SPDX-License-Identifier: GPL-3.0-or-later
# tests/lib.sh: a small TAP helper library for the shell tests. Source it from a test script:
#
#     here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
#     . "$here/../lib.sh"          (or "$here/lib.sh" from tests/)
#
# Environment (exported by tests/Makemodule.am; every one has a default so a script also runs
# by hand from any directory):
#   top_srcdir    source tree (read-only under distcheck)   default: the directory above tests/
#   top_builddir  build tree; the only place tests write     default: top_srcdir
#   TCPFLOW       the binary under test                      default: $top_builddir/tcpflow
#   TF_KEEP=1     keep the temporary directory after the run (for debugging)
#   TF_SLOW=N     multiply every time limit by N (sanitizer builds, slow CI machines)
#
# What it provides:
#   TAP       plan N | skip_all REASON | ok DESC | not_ok DESC | skip DESC REASON | diag TEXT...
#             run_test DESC FUNCTION [ARGS]: runs FUNCTION in a subshell inside a fresh work dir
#             ($TF_WORK); status 0 = ok, 77 = skip (reason from tf_skip), else not ok.
#             done_testing: prints the trailing plan; returns 1 on failures when stdout is a
#             terminal or TF_EXIT_STATUS=1, else 0 (automake's tap-driver counts "not ok").
#   temp      $TF_TMP: $top_builddir/tests/tmp/<test-name>, emptied at start, removed on exit.
#   running   tf_run [-t SECS] [-i FILE] [-l RLIMIT=VAL]... -- CMD ARGS...
#             runs CMD with a time limit (timeout -k 5), stdout to $TF_WORK/stdout, stderr to
#             $TF_WORK/stderr; sets TF_RC (124 = timed out, 128+N = killed by signal N) and
#             TF_MS (wall time in milliseconds). -l applies prlimit, e.g. -l nofile=12.
#             tf_run_rss: like tf_run but also sets TF_RSS_KB (max RSS of the child, via python3).
#             tf_tcpflow ARGS: tf_run -- "$TCPFLOW" ARGS (honours TF_T for the time limit).
#   trees     tree_manifest DIR: `sha256  relative/path` for every file under DIR, sorted by path,
#             excluding report files (report.xml, report.pdf at the top, *.findx never excluded).
#             tree_sha DIR: sha256 of that manifest. tree_diff A B: diff of the two manifests.
#             tree_bytes DIR: total apparent size of the files in the manifest.
#   checks    expect_rc N... (TF_RC is one of N), expect_no_signal, xml_wellformed FILE,
#             stderr_names FILE (stderr mentions FILE), stderr_lines (count of stderr lines).
#   captures  gencap SPEC...: generate captures with tests/tools/mkcaps.py into $TF_TMP/gen
#             (removed with $TF_TMP), or, when TF_GEN_CACHE=DIR is set, into a cache
#             DIR/<hash of mkcaps.py>/ shared by runs and parallel tests (files are moved in
#             atomically); sets GENDIR. gen FILE: path in GENDIR. corpus FILE: corpus path.
# Every helper quotes its arguments; none writes outside $top_builddir.

set -u
LC_ALL=C
export LC_ALL
TZ=UTC
export TZ

_tf_here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
if [ -z "${top_srcdir:-}" ]; then
    # Scripts live in tests/ or tests/<dir>/.
    if [ -f "$_tf_here/lib.sh" ]; then top_srcdir="$_tf_here/.."; else top_srcdir="$_tf_here/../.."; fi
fi
TF_SRCDIR=$(CDPATH= cd -- "$top_srcdir" && pwd)
if [ -z "${top_builddir:-}" ]; then top_builddir=$TF_SRCDIR; fi
TF_BUILDDIR=$(CDPATH= cd -- "$top_builddir" && pwd)
: "${TCPFLOW:=$TF_BUILDDIR/tcpflow}"
case $TCPFLOW in /*) ;; *) TCPFLOW=$(pwd)/$TCPFLOW ;; esac
export TCPFLOW
TF_DATA=$TF_SRCDIR/tests/data
TF_CORPUS=$TF_DATA/corpus
TF_MKCAPS=$TF_SRCDIR/tests/tools/mkcaps.py
# Sanitizer builds are slower and use more memory: scale time limits (unless TF_SLOW is set)
# and memory limits (TF_RSS_FACTOR) automatically.
TF_ASAN=
# any sanitizer runtime (ASan, TSan): time limits stretched, RSS limits meaningless
if command -v ldd >/dev/null 2>&1 && ldd "$TCPFLOW" 2>/dev/null | grep -q 'libasan\|libtsan'; then TF_ASAN=1; fi
if [ -n "$TF_ASAN" ]; then : "${TF_SLOW:=4}" "${TF_RSS_FACTOR:=4}"; fi
: "${TF_SLOW:=1}" "${TF_RSS_FACTOR:=1}"
: "${PYTHON:=python3}"

# ---- TAP ------------------------------------------------------------------------------------
tap_n=0
tap_failed=0

plan() { printf '1..%s\n' "$1"; _tf_planned=1; }
skip_all() { printf '1..0 # SKIP %s\n' "$*"; exit 0; }
# A '#' in a description would start a TAP directive (automake's driver ignores the TAP '\#'
# escape), so it is written as "(hash)".
_tf_desc_esc() { printf '%s' "$*" | tr '\n' ' ' | sed 's/#/(hash)/g'; }
ok() { tap_n=$((tap_n + 1)); printf 'ok %d - %s\n' "$tap_n" "$(_tf_desc_esc "$@")"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); printf 'not ok %d - %s\n' "$tap_n" "$(_tf_desc_esc "$@")"; }
skip() { tap_n=$((tap_n + 1)); printf 'ok %d - %s # SKIP %s\n' "$tap_n" "$(_tf_desc_esc "$1")" "${2:-}"; }
diag() {
    # Every line of every argument becomes a "# " comment line.
    printf '%s\n' "$@" | sed 's/^/# /'
}
diag_file() {
    # diag_file FILE [MAXLINES]: show (the start of) a file as diagnostics.
    [ -f "$1" ] || return 0
    head -n "${2:-20}" -- "$1" | sed 's/^/#   /'
}
# The exit status is 0 under a TAP driver (stdout not a terminal: failures are counted from the
# "not ok" lines, and a non-zero status would add an ERROR); by hand it is 1 on any failure.
# TF_EXIT_STATUS=1 forces the failing status everywhere.
done_testing() {
    [ "${_tf_planned:-0}" = 1 ] || printf '1..%d\n' "$tap_n"
    [ "$tap_failed" -eq 0 ] && return 0
    if [ -t 1 ] || [ "${TF_EXIT_STATUS:-0}" = 1 ]; then return 1; fi
    return 0
}

# tf_skip REASON: from inside a run_test function, mark the test skipped.
tf_skip() { printf '%s\n' "$*" >"$TF_WORK/.skip"; exit 77; }
# fail MESSAGE: from inside a run_test function, print a diagnostic and fail.
fail() { diag "$@"; exit 1; }

_tf_test_seq=0
run_test() {
    _tf_desc=$1
    shift
    _tf_test_seq=$((_tf_test_seq + 1))
    TF_WORK=$TF_TMP/t$(printf '%03d' "$_tf_test_seq")
    rm -rf -- "$TF_WORK"
    mkdir -p -- "$TF_WORK"
    ( cd -- "$TF_WORK" && "$@" )
    _tf_rc=$?
    case $_tf_rc in
        0) ok "$_tf_desc" ;;
        77) skip "$_tf_desc" "$(cat -- "$TF_WORK/.skip" 2>/dev/null)" ;;
        *) not_ok "$_tf_desc" ;;
    esac
    if [ "${TF_KEEP:-0}" != 1 ]; then
        chmod -R u+rwX -- "$TF_WORK" 2>/dev/null
        rm -rf -- "$TF_WORK"
    fi
    return 0
}

# ---- temporary directory ---------------------------------------------------------------------
_tf_name=$(basename -- "$_tf_here")-$(basename -- "$0" .sh)
TF_TMP=$TF_BUILDDIR/tests/tmp/$_tf_name
TF_WORK=$TF_TMP/work
_tf_cleanup() {
    if [ "${TF_KEEP:-0}" = 1 ]; then
        printf '# kept %s\n' "$TF_TMP"
    else
        chmod -R u+rwX -- "$TF_TMP" 2>/dev/null
        rm -rf -- "$TF_TMP"
        rmdir -- "$TF_BUILDDIR/tests/tmp" 2>/dev/null
    fi
    return 0
}
rm -rf -- "$TF_TMP"
mkdir -p -- "$TF_TMP" "$TF_WORK" || { echo "Bail out! cannot create $TF_TMP"; exit 99; }
trap '_tf_cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- running ---------------------------------------------------------------------------------
TF_T=30
_tf_now_ms() { date +%s%3N; }

tf_run() {
    _tf_t=$TF_T
    _tf_in=/dev/null
    _tf_lim=
    while [ $# -gt 0 ]; do
        case $1 in
            -t) _tf_t=$2; shift 2 ;;
            -i) _tf_in=$2; shift 2 ;;
            -l) _tf_lim="$_tf_lim --$2"; shift 2 ;;
            --) shift; break ;;
            *) break ;;
        esac
    done
    _tf_t=$(awk -v t="$_tf_t" -v s="$TF_SLOW" 'BEGIN { printf "%d", t * s + 0.999 }')
    _tf_start=$(_tf_now_ms)
    if [ -n "$_tf_lim" ]; then
        # shellcheck disable=SC2086
        timeout -k 5 "$_tf_t" prlimit $_tf_lim -- "$@" <"$_tf_in" >"$TF_WORK/stdout" 2>"$TF_WORK/stderr"
    else
        timeout -k 5 "$_tf_t" "$@" <"$_tf_in" >"$TF_WORK/stdout" 2>"$TF_WORK/stderr"
    fi
    TF_RC=$?
    TF_MS=$(($(_tf_now_ms) - _tf_start))
    return 0
}

tf_tcpflow() { tf_run -t "$TF_T" -- "$TCPFLOW" "$@"; }

# tf_run_rss [-t SECS] [-i FILE] [-l name=value]... -- CMD ARGS: sets TF_RC, TF_MS, TF_RSS_KB.
# Limits are applied with setrlimit in the child (name: as, nofile, fsize, cpu; value in bytes
# or count). A timeout kills the child's process group and gives TF_RC=124.
TF_PY_RUNNER='
import os, resource, signal, subprocess, sys, time
t = float(sys.argv[1]); stdin = sys.argv[2]; out = sys.argv[3]; err = sys.argv[4]
lims = [a for a in sys.argv[5:] if a.startswith("@")]
cmd = [a for a in sys.argv[5:] if not a.startswith("@")]
names = {"as": resource.RLIMIT_AS, "nofile": resource.RLIMIT_NOFILE,
         "fsize": resource.RLIMIT_FSIZE, "cpu": resource.RLIMIT_CPU}
def pre():
    os.setpgrp()
    for l in lims:
        k, v = l[1:].split("=")
        resource.setrlimit(names[k], (int(v), int(v)))
t0 = time.monotonic()
with open(stdin, "rb") as i, open(out, "wb") as o, open(err, "wb") as e:
    p = subprocess.Popen(cmd, stdin=i, stdout=o, stderr=e, preexec_fn=pre)
    try:
        rc = p.wait(timeout=t)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL); p.wait(); rc = -999
ms = int((time.monotonic() - t0) * 1000)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
rc = 124 if rc == -999 else (128 - rc if rc < 0 else rc)
print(rc, ms, rss)
'
tf_run_rss() {
    _tf_t=$TF_T
    _tf_in=/dev/null
    _tf_lim=
    while [ $# -gt 0 ]; do
        case $1 in
            -t) _tf_t=$2; shift 2 ;;
            -i) _tf_in=$2; shift 2 ;;
            -l) _tf_lim="$_tf_lim @$2"; shift 2 ;;
            --) shift; break ;;
            *) break ;;
        esac
    done
    _tf_t=$(awk -v t="$_tf_t" -v s="$TF_SLOW" 'BEGIN { printf "%d", t * s + 0.999 }')
    # shellcheck disable=SC2086
    set -- $(${PYTHON} -c "$TF_PY_RUNNER" "$_tf_t" "$_tf_in" "$TF_WORK/stdout" "$TF_WORK/stderr" $_tf_lim "$@")
    TF_RC=${1:-125}
    TF_MS=${2:-0}
    TF_RSS_KB=${3:-0}
    return 0
}

# rc_text: human description of TF_RC.
rc_text() {
    if [ "$TF_RC" -eq 124 ]; then printf 'timed out'
    elif [ "$TF_RC" -gt 128 ]; then printf 'killed by signal %d' $((TF_RC - 128))
    else printf 'exit %d' "$TF_RC"; fi
}

# expect_rc N...: TF_RC is one of the given values; on failure, diagnostics with stderr.
expect_rc() {
    for _tf_x in "$@"; do [ "$TF_RC" -eq "$_tf_x" ] && return 0; done
    diag "expected exit status $*, got $(rc_text) after ${TF_MS} ms; stderr:"
    diag_file "$TF_WORK/stderr" 10
    return 1
}
expect_no_signal() {
    [ "$TF_RC" -ne 124 ] && [ "$TF_RC" -le 128 ] && return 0
    diag "$(rc_text) after ${TF_MS} ms; stderr:"
    diag_file "$TF_WORK/stderr" 10
    return 1
}
stderr_lines() { grep -c '' <"$TF_WORK/stderr"; }
# stderr_names FILE: some stderr line mentions FILE (as given on the command line).
stderr_names() {
    grep -F -q -- "$1" "$TF_WORK/stderr" && return 0
    diag "stderr does not name '$1':"
    diag_file "$TF_WORK/stderr" 10
    return 1
}
# xml_wellformed FILE: xmllint --noout, or python3's parser when xmllint is missing.
xml_wellformed() {
    if command -v xmllint >/dev/null 2>&1; then
        xmllint --noout "$1" 2>"$TF_WORK/xmllint.err" && return 0
        diag "$1 is not well-formed:"
        diag_file "$TF_WORK/xmllint.err" 5
        return 1
    fi
    ${PYTHON} -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1" 2>"$TF_WORK/xmllint.err" && return 0
    diag "$1 is not well-formed:"
    diag_file "$TF_WORK/xmllint.err" 5
    return 1
}
# within_ms LIMIT: TF_MS <= LIMIT * TF_SLOW
within_ms() {
    _tf_lim=$(awk -v t="$1" -v s="$TF_SLOW" 'BEGIN { printf "%d", t * s }')
    [ "$TF_MS" -le "$_tf_lim" ] && return 0
    diag "took ${TF_MS} ms, limit ${_tf_lim} ms"
    return 1
}

# rss_within MB: TF_RSS_KB <= MB * TF_RSS_FACTOR mebibytes.
rss_within() {
    _tf_lim=$(( $1 * TF_RSS_FACTOR * 1024 ))
    [ "$TF_RSS_KB" -le "$_tf_lim" ] && return 0
    diag "max RSS ${TF_RSS_KB} KiB, limit ${_tf_lim} KiB"
    return 1
}

# ---- trees -----------------------------------------------------------------------------------
# tree_manifest DIR: "sha256  path" for each regular file (and symlink target file) under DIR
# except top-level report.xml / report.pdf. Sorted by path. Empty output for a missing DIR.
tree_manifest() {
    [ -d "$1" ] || return 0
    ( cd -- "$1" && find . \( -type f -o -type l \) ! -path ./report.xml ! -path ./report.pdf -print0 |
        xargs -0 -r sha256sum -- 2>/dev/null |
        sed 's|^\([0-9a-f]*\)  \./|\1  |' |
        LC_ALL=C sort -k 2 )
}
tree_sha() { tree_manifest "$1" | sha256sum | cut -d' ' -f1; }
tree_diff() {
    tree_manifest "$1" >"$TF_WORK/.mA"
    tree_manifest "$2" >"$TF_WORK/.mB"
    diff -- "$TF_WORK/.mA" "$TF_WORK/.mB"
}
# has_sha DIR SHA256: some output file under DIR has this content hash.
has_sha() {
    tree_manifest "$1" | grep -q "^$2 " && return 0
    diag "no output file with sha256 $2; got:"
    tree_manifest "$1" | head -n 10 | sed 's/^/#   /'
    return 1
}
# nonempty_count DIR: number of non-empty output files.
nonempty_count() {
    [ -d "$1" ] || { echo 0; return 0; }
    ( cd -- "$1" && find . -type f -size +0 ! -path ./report.xml ! -path ./report.pdf | grep -c '' )
}
# tree_files DIR: relative paths of the manifest files.
tree_files() { tree_manifest "$1" | cut -c 67-; }
# tree_bytes DIR: total apparent bytes of the manifest files.
tree_bytes() {
    [ -d "$1" ] || { echo 0; return 0; }
    ( cd -- "$1" && find . -type f ! -path ./report.xml ! -path ./report.pdf -printf '%s\n' |
        awk '{ s += $1 } END { printf "%d\n", s }' )
}
# manifest_matches DIR EXPECTFILE: the manifest of DIR equals EXPECTFILE; diff as diagnostics.
manifest_matches() {
    tree_manifest "$1" >"$TF_WORK/.manifest"
    if cmp -s -- "$TF_WORK/.manifest" "$2"; then return 0; fi
    diag "output of $(basename -- "$1") differs from $(basename -- "$2") (- expected, + got):"
    diff -- "$2" "$TF_WORK/.manifest" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | head -n 20 | sed 's/^/#   /'
    return 1
}

# ---- captures --------------------------------------------------------------------------------
corpus() { printf '%s/%s\n' "$TF_CORPUS" "$1"; }

# gencap SPEC...: generate captures (cached by the generator's hash). Sets GENDIR.
gencap() {
    command -v "${PYTHON}" >/dev/null 2>&1 || return 1
    case $- in *f*) _tf_noglob=1; set +f ;; *) _tf_noglob= ;; esac
    _tf_gencap "$@"
    _tf_st=$?
    [ -z "$_tf_noglob" ] || set -f
    return $_tf_st
}
_tf_gencap() {
    if [ -n "${TF_GEN_CACHE:-}" ]; then
        _tf_h=$(sha256sum <"$TF_MKCAPS" | cut -c 1-12)
        GENDIR=$TF_GEN_CACHE/$_tf_h
    else
        GENDIR=$TF_TMP/gen
    fi
    mkdir -p -- "$GENDIR" || return 1
    for _tf_spec in "$@"; do
        _tf_base=$(printf '%s' "$_tf_spec" | sed 's/:/-/; s/=//g; s/,/-/g')
        [ -f "$GENDIR/.done-$_tf_base" ] && continue
        _tf_stage=$TF_TMP/gen-stage.$$
        rm -rf -- "$_tf_stage"
        mkdir -p -- "$_tf_stage"
        ${PYTHON} "$TF_MKCAPS" "$_tf_stage" "$_tf_spec" >"$_tf_stage.log" 2>&1 || {
            diag "mkcaps.py $_tf_spec failed:"; diag_file "$_tf_stage.log"; rm -rf -- "$_tf_stage"; return 1; }
        for _tf_f in "$_tf_stage"/*; do mv -f -- "$_tf_f" "$GENDIR/"; done
        : >"$GENDIR/.done-$_tf_base"
        rm -rf -- "$_tf_stage" "$_tf_stage.log"
    done
    return 0
}
# gen FILE: path of a generated capture/expect file in GENDIR.
gen() { printf '%s/%s\n' "$GENDIR" "$1"; }

# have_reference: Debian's tcpflow 1.6.1 is installed (for differential tests).
TF_REFERENCE=${TF_REFERENCE:-/usr/bin/tcpflow}
have_reference() {
    [ -x "$TF_REFERENCE" ] || return 1
    "$TF_REFERENCE" -V 2>&1 | grep -q 'TCPFLOW 1\.6\.1'
}
