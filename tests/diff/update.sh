#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates tests/diff/known-differences.tsv from the current behaviour of $TCPFLOW against
# Debian tcpflow 1.6.1. Existing reasons are kept (matched on capture, flow, kind; a capture
# that had a `*` row keeps one `*` row with the new manifest sha256); new differences get
# REASON-TODO (followed by the capture's hint from tests/diff/hints.tsv, if any), which makes
# tests/diff/run.sh fail until someone writes the reason. Review the
# result with `git diff tests/diff/known-differences.tsv`.
# Usage: TCPFLOW=build/tcpflow sh tests/diff/update.sh [--stdout]
#   --stdout   print the new table instead of rewriting the file in the source tree
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

[ -x "$TCPFLOW" ] || { echo "update.sh: no tcpflow binary at $TCPFLOW" >&2; exit 1; }
have_reference || { echo "update.sh: reference tcpflow 1.6.1 not found at $TF_REFERENCE" >&2; exit 1; }

new=$TF_TMP/known-differences.tsv
if [ -f "$DIFF_TSV" ]; then
    grep '^#' "$DIFF_TSV" >"$new"
else
    printf '# capture\tflow\tkind\treason\tour_sha256\n' >"$new"
fi
todo=0
for cap in $(diff_captures); do
    diff_capture "$cap" >/dev/null 2>&1 || echo "update.sh: warning: ours $(rc_text) on $cap" >&2
    [ -s "$TF_WORK/diffs" ] || continue
    known_rows "$cap" >"$TF_WORK/known"
    star=$(awk -F'\t' '$1 == "*" { print $2 "\t" $3; exit }' "$TF_WORK/known")
    if [ -n "$star" ]; then
        printf '%s\t*\t%s\t%s\n' "$cap" "$star" "$(cat "$TF_WORK/ours.sha")" >>"$new"
        continue
    fi
    while IFS="$(printf '\t')" read -r flow kind sha; do
        reason=$(awk -F'\t' -v f="$flow" -v k="$kind" '$1 == f && $2 == k { print $3; exit }' "$TF_WORK/known")
        if [ -z "$reason" ]; then
            hint=$(awk -F'\t' -v c="$cap" '!/^#/ && $1 == c { print $2; exit }' "$here/hints.tsv" 2>/dev/null)
            reason=REASON-TODO${hint:+: $hint}
            todo=$((todo + 1))
        fi
        printf '%s\t%s\t%s\t%s\t%s\n' "$cap" "$flow" "$kind" "$reason" "$sha" >>"$new"
    done <"$TF_WORK/diffs"
done
if [ "${1:-}" = --stdout ]; then
    cat "$new"
else
    cp -- "$new" "$DIFF_TSV"
    echo "update.sh: wrote $DIFF_TSV ($(grep -vc '^#' "$DIFF_TSV") rows, $todo REASON-TODO)" >&2
fi
