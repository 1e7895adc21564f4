#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Golden tests: each line of tests/golden/TESTLIST runs ours into a fresh directory and compares
# the exit status, stdout hash and the sha256 of every output file (report files excluded)
# with tests/golden/expected/NAME.manifest (format in tests/golden/common.sh).
# Regenerate expectations with tests/golden/update.sh NAME... | --all, then review the diff.
# Run: make check TESTS=tests/golden/run.sh, or by hand: TCPFLOW=... sh tests/golden/run.sh [NAME...]
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

[ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"

t_golden() {
    name=$1
    shift
    exp=$GOLDEN_DIR/expected/$name.manifest
    golden_manifest "$name" "$@" >got || return 1
    if [ ! -f "$exp" ]; then
        diag "no expected manifest $name.manifest: review the output, then run tests/golden/update.sh $name"
        diag_file got 10
        return 1
    fi
    cmp -s "$exp" got && return 0
    diag "$name: options: $*" "(- expected, + got)"
    diff "$exp" got | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | head -n 30 | sed 's/^/#   /'
    if [ -s "$TF_WORK/stderr" ]; then diag "stderr:"; diag_file "$TF_WORK/stderr" 5; fi
    return 1
}

golden_lines >"$TF_TMP/list"
seen=
while read -r name caps opts; do
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    case " $seen " in *" $name "*) not_ok "TESTLIST: duplicate name $name"; continue ;; esac
    seen="$seen $name"
    # shellcheck disable=SC2086
    run_test "golden $name: $caps ${opts:--}" t_golden "$name" "$caps" $opts </dev/null
done <"$TF_TMP/list"

# Expected manifests that no TESTLIST line uses are stale.
t_orphans() {
    st=0
    for f in "$GOLDEN_DIR"/expected/*.manifest; do
        [ -f "$f" ] || continue
        n=$(basename "$f" .manifest)
        case " $seen " in *" $n "*) ;; *) diag "orphan expected manifest $n.manifest"; st=1 ;; esac
    done
    return $st
}
[ $# -gt 0 ] || run_test "every expected manifest has a TESTLIST line" t_orphans
done_testing
