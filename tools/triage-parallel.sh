#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# summary: run tcpflow on many captures, one output directory each, several at a time
# (GNU parallel, or xargs -P without it), skip captures already done, then merge the reports
#
# Usage: tools/triage-parallel.sh [-P PROCS] [-j THREADS] [-o OUTROOT] [-M] CAPTURE|DIR...
#   -P PROCS    tcpflow processes at once (default: CPUs / THREADS, at least 1)
#   -j THREADS  worker threads per tcpflow process (default 1; passed as tcpflow -j THREADS
#               when above 1 and the binary has -j)
#   -o OUTROOT  where the results go (default ./triage-out)
#   -M          do not merge the reports at the end
# A DIR argument stands for every *.pcap, *.pcapng and *.cap file below it.
#
# For capture CAP (name NAME = its file name without the last extension) it writes
#   OUTROOT/NAME/           tcpflow's flow files and report.xml (tcpflow -o OUTROOT/NAME -r CAP)
#   OUTROOT/NAME.stderr     tcpflow's messages
#   OUTROOT/NAME.status     tcpflow's exit status, written when it has finished
# and at the end OUTROOT/merged.xml and OUTROOT/summary.tsv (tools/tcpflow-merge-reports).
# Run it again to resume: captures whose NAME.status is 0 (ok) or 3 (finished, damaged input)
# are skipped; any other capture's directory is removed and it runs again (tcpflow never
# overwrites files, so a rerun into a non-empty directory would add c1, c2... copies).
#
# Environment: TCPFLOW (default: tcpflow), TCPFLOW_ARGS (more tcpflow options, split on
# spaces, e.g. "-e http -S memcap=128M"), MERGE (default: tcpflow-merge-reports next to this
# script, else in PATH).
# Exit status: 0 every capture finished with status 0 or 3 and the merge worked; 1 otherwise;
# 2 usage. See docs/batch-triage.md.
set -u

self_dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
self=$self_dir/$(basename -- "$0")

usage() {
    sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "$self" >&2
    exit 2
}

die() {
    echo "triage-parallel: $1" >&2
    exit "${2:-1}"
}

# capname CAP: file name without directory and last extension.
capname() {
    _b=$(basename -- "$1")
    case $_b in
        ?*.*) printf '%s\n' "${_b%.*}" ;;
        *) printf '%s\n' "$_b" ;;
    esac
}

# run_one CAP: one capture (called by parallel / xargs through "$self --one CAP").
run_one() {
    cap=$1
    name=$(capname "$cap")
    out=$TRIAGE_OUTROOT/$name
    st=$out.status
    if [ -f "$st" ]; then
        case $(cat -- "$st") in
            0 | 3) printf 'done  %s (status %s, skipped)\n' "$cap" "$(cat -- "$st")"; return 0 ;;
        esac
    fi
    rm -rf -- "$out" "$st"
    # shellcheck disable=SC2086
    "$TCPFLOW" $TRIAGE_JOPT ${TCPFLOW_ARGS:-} -o "$out" -r "$cap" 2>"$out.stderr"
    rc=$?
    printf '%d\n' "$rc" >"$st.tmp" && mv -f -- "$st.tmp" "$st"
    printf 'exit %d  %s\n' "$rc" "$cap"
    return "$rc"
}

if [ "${1:-}" = "--one" ]; then
    [ $# -eq 2 ] || exit 2
    run_one "$2"
    exit $?
fi

procs=
threads=1
outroot=triage-out
merge=1
while getopts P:j:o:Mh opt; do
    case $opt in
        P) procs=$OPTARG ;;
        j) threads=$OPTARG ;;
        o) outroot=$OPTARG ;;
        M) merge= ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
case $threads in '' | *[!0-9]* | 0) die "-j takes a number >= 1" 2 ;; esac
if [ -z "$procs" ]; then
    cpus=$(nproc 2>/dev/null || echo 1)
    procs=$((cpus / threads))
    [ "$procs" -ge 1 ] || procs=1
fi
case $procs in '' | *[!0-9]* | 0) die "-P takes a number >= 1" 2 ;; esac

TCPFLOW=${TCPFLOW:-tcpflow}
command -v "$TCPFLOW" >/dev/null 2>&1 || die "$TCPFLOW not found (set TCPFLOW)"
TRIAGE_JOPT=
if [ "$threads" -gt 1 ]; then
    if "$TCPFLOW" -h 2>&1 | grep -q -- '^ *-j N'; then
        TRIAGE_JOPT="-j $threads"
    else
        echo "triage-parallel: $TCPFLOW has no -j option; running with one thread" >&2
    fi
fi
mkdir -p -- "$outroot" || exit 1
TRIAGE_OUTROOT=$outroot
export TCPFLOW TRIAGE_JOPT TRIAGE_OUTROOT

# The capture list, NUL-separated (names may hold spaces), and no two with the same NAME.
list=$outroot/captures.list
: >"$list.tmp" || exit 1
for a in "$@"; do
    if [ -d "$a" ]; then
        find "$a" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 |
            LC_ALL=C sort -z >>"$list.tmp"
    elif [ -f "$a" ]; then
        printf '%s\0' "$a" >>"$list.tmp"
    else
        die "$a: no such capture or directory"
    fi
done
mv -f -- "$list.tmp" "$list"
dups=$(tr '\0' '\n' <"$list" | while IFS= read -r c; do capname "$c"; done |
    LC_ALL=C sort | uniq -d)
if [ -n "$dups" ]; then
    echo "triage-parallel: several captures would share an output directory:" >&2
    printf '  %s\n' "$dups" >&2
    echo "triage-parallel: rename them or run them in separate OUTROOTs" >&2
    exit 1
fi
n=$(tr -cd '\0' <"$list" | wc -c)
echo "triage-parallel: $n captures, $procs processes x $threads threads, output in $outroot"

if command -v parallel >/dev/null 2>&1 &&
    parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
    parallel --will-cite -0 -j "$procs" --halt never --joblog "$outroot/joblog" \
        -a "$list" "$self" --one
else
    xargs -0 -P "$procs" -n 1 "$self" --one <"$list"
fi

# Tally the statuses (from the .status files, so skipped captures count too).
ok=0 damaged=0 failed=0
failed_list=$outroot/failed.list
reports=$outroot/reports.list
: >"$failed_list"
: >"$reports"
tr '\0' '\n' <"$list" | {
    while IFS= read -r c; do
        name=$(capname "$c")
        s=$(cat -- "$outroot/$name.status" 2>/dev/null || echo none)
        case $s in
            0) ok=$((ok + 1)) ;;
            3) damaged=$((damaged + 1)) ;;
            *) failed=$((failed + 1)); printf '%s\t%s\n' "$s" "$c" >>"$failed_list" ;;
        esac
        case $s in
            0 | 3)
                r=$outroot/$name/report.xml
                if [ -f "$r" ]; then printf '%s\n' "$r" >>"$reports"; fi ;;
        esac
    done
    echo "triage-parallel: $ok ok, $damaged finished with damaged input (status 3), $failed failed"
    if [ "$failed" -ne 0 ]; then
        echo "triage-parallel: failed captures (status, capture; see NAME.stderr):"
        sed 's/^/  /' "$failed_list"
    fi
    [ "$failed" -eq 0 ]
}
st=$?

if [ -n "$merge" ] && [ -s "$reports" ]; then
    m=${MERGE:-}
    if [ -z "$m" ]; then
        if [ -x "$self_dir/tcpflow-merge-reports" ]; then m=$self_dir/tcpflow-merge-reports
        else m=tcpflow-merge-reports; fi
    fi
    if "$m" -q -o "$outroot/merged.xml" --summary --reports-from "$reports" \
        >"$outroot/summary.tsv.tmp"; then
        mv -f -- "$outroot/summary.tsv.tmp" "$outroot/summary.tsv"
        echo "triage-parallel: merged $(grep -c '' <"$reports") reports into" \
            "$outroot/merged.xml; totals in $outroot/summary.tsv"
    else
        rm -f -- "$outroot/summary.tsv.tmp"
        st=1
    fi
fi
exit "$st"
