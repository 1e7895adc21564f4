# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by tests/diff/run.sh and tests/diff/update.sh (source after tests/lib.sh).
#
# known-differences.tsv: one row per difference between Debian tcpflow 1.6.1 and ours, for
# `tcpflow -o DIR -r CAPTURE` over every capture in tests/data/corpus (top level and bad/).
# Columns (tab-separated; lines starting with # are comments):
#   capture     path under tests/data/corpus, e.g. sv-imap.pcap or bad/sv-garbage-record-smtp.pcap
#   flow        the flow file's path relative to the output directory, or * for "every
#               difference of this capture" (used when a whole capture differs, e.g. a link
#               type 1.6.1 rejects)
#   kind        missing-in-ours | extra-in-ours | content   (for * rows: the main kind)
#   reason      why we differ: a 1.6.1 bug or our improvement. REASON-TODO fails the test.
#   our_sha256  sha256 of OUR file (content, extra-in-ours); - for missing-in-ours; for * rows,
#               the sha256 of our whole output manifest (tests/lib.sh tree_manifest).
# Report files (report.xml, report.pdf) are never compared.

DIFF_TSV=$TF_SRCDIR/tests/diff/known-differences.tsv
TF_T=60

# diff_captures: relative paths of every capture, top level first, then bad/.
diff_captures() {
    ( cd -- "$TF_CORPUS" && for f in *; do
        case $f in *.pcap|*.pcapng|*.cap|*.pcap.gz) [ -f "$f" ] && printf '%s\n' "$f" ;; esac
      done
      for f in bad/*; do [ -f "$f" ] && printf '%s\n' "$f"; done )
}

# diff_capture CAP: run 1.6.1 and ours on CAP (relative to the corpus). Writes
#   $TF_WORK/ref, $TF_WORK/ours      the output directories
#   $TF_WORK/diffs                   "flow<TAB>kind<TAB>our_sha256" lines, sorted
#   $TF_WORK/ours.rc, ours.sha       our exit status and output-manifest sha256
# Returns 1 (with diagnostics) if ours timed out or died by a signal.
diff_capture() {
    _cap=$TF_CORPUS/$1
    rm -rf -- "$TF_WORK/ref" "$TF_WORK/ours"
    tf_run -t "$TF_T" -- "$TF_REFERENCE" -o "$TF_WORK/ref" -r "$_cap"
    cp -- "$TF_WORK/stderr" "$TF_WORK/ref.stderr"
    if [ "$TF_RC" -eq 124 ] || [ "$TF_RC" -gt 128 ]; then
        diag "note: reference tcpflow $(rc_text) on $1"
    fi
    tf_run -t "$TF_T" -- "$TCPFLOW" -o "$TF_WORK/ours" -r "$_cap"
    cp -- "$TF_WORK/stderr" "$TF_WORK/ours.stderr"
    echo "$TF_RC" >"$TF_WORK/ours.rc"
    tree_manifest "$TF_WORK/ref" >"$TF_WORK/ref.manifest"
    tree_manifest "$TF_WORK/ours" >"$TF_WORK/ours.manifest"
    sha256sum <"$TF_WORK/ours.manifest" | cut -d' ' -f1 >"$TF_WORK/ours.sha"
    awk 'FILENAME == ARGV[1] { r[substr($0, 67)] = substr($0, 1, 64); next }
         { p = substr($0, 67); h = substr($0, 1, 64)
           if (!(p in r)) print p "\textra-in-ours\t" h
           else { if (r[p] != h) print p "\tcontent\t" h; delete r[p] } }
         END { for (p in r) print p "\tmissing-in-ours\t-" }' \
        "$TF_WORK/ref.manifest" "$TF_WORK/ours.manifest" | LC_ALL=C sort >"$TF_WORK/diffs"
    expect_no_signal
}

# known_rows CAP: the TSV rows for CAP as "flow<TAB>kind<TAB>reason<TAB>sha".
known_rows() {
    [ -f "$DIFF_TSV" ] || return 0
    awk -F'\t' -v c="$1" '!/^#/ && NF >= 5 && $1 == c { print $2 "\t" $3 "\t" $4 "\t" $5 }' "$DIFF_TSV"
}
