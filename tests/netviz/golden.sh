#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/netviz/golden.sh: the SVG netviz draws for one small capture is byte-identical to the
# committed tests/netviz/golden/report.svg.gz. SVG text is drawn as glyph outlines, so the
# golden file holds only for the fonts and cairo version recorded in golden/render-env.txt;
# with other fonts the test is skipped (the reproducibility test in report.sh still runs).
# Regenerate (then review the PNG): sh tests/netviz/update-golden.sh
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

why=$(netviz_available) || skip_all "$why"

t_golden() {
    render_env >env.txt
    cmp -s env.txt "$GOLDEN_DIR/render-env.txt" ||
        tf_skip "fonts or cairo differ from golden/render-env.txt: $(diff "$GOLDEN_DIR/render-env.txt" env.txt | grep '^>' | tr '\n' ' ')"
    golden_run "$TF_WORK" || { diag_file "$TF_WORK/stderr" 5; fail "tcpflow failed"; }
    [ -s out/report.svg ] || fail "no report.svg"
    gzip -dc "$GOLDEN_DIR/report.svg.gz" >expected.svg || fail "cannot read the golden file"
    cmp -s expected.svg out/report.svg && return 0
    diag "report.svg differs from golden/report.svg.gz (first differing lines):"
    diff expected.svg out/report.svg | head -n 10 | cut -c1-160 | sed 's/^/#   /'
    diag "if the change is intended: sh tests/netviz/update-golden.sh, look at the PNG, commit"
    return 1
}

plan 1
run_test "golden SVG of $GOLDEN_CAP" t_golden
done_testing
