#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/merge/merge.sh: tools/tcpflow-merge-reports (issue 8): our tcpflow on three corpus
# captures (one with damaged input, exit status 3) into separate directories, then the merged
# DFXML validates against the schema, has every fileobject, sums (or takes the maximum or worst
# status of) the run counters, and names files that exist with the sizes the reports give,
# wherever the merged file is written and after the output trees have been moved. --summary,
# --reports-from, and the errors: an unreadable, truncated or non-DFXML report exits 1 with one
# line naming it and leaves no output file behind.
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"

SCHEMA=$TF_SRCDIR/tests/dfxml/schema/dfxml.xsd
MERGE=${TCPFLOW_MERGE:-$TF_SRCDIR/tools/tcpflow-merge-reports}
CAPS="tcpflow-out-of-order.pcap cs-http-ip4and6.pcapng sv-null-http-41-flows.pcap"
BAD=bad/sv-truncated-file-pgsql.pcap

command -v "$PYTHON" >/dev/null 2>&1 || skip_all "python3 is not installed"
command -v xmllint >/dev/null 2>&1 || skip_all "xmllint (libxml2-utils) is not installed"
[ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"
[ -f "$MERGE" ] || skip_all "no merge tool at $MERGE"
: "${TCPFLOW_PLUGIN_PATH:=$TF_BUILDDIR/plugins/.libs}"
export TCPFLOW_PLUGIN_PATH
[ -f "$TCPFLOW_PLUGIN_PATH/dfxml.so" ] || skip_all "dfxml.so not built (needs libxml2 and nettle)"

# ---- helpers -------------------------------------------------------------------------------

# merge ARGS: runs the merge tool (stdout, stderr and TF_RC as tf_run).
merge() { tf_run -- "$PYTHON" "$MERGE" "$@"; }

# make_reports: tcpflow on the captures into r1 r2 r3 (r4: damaged input, status 3).
make_reports() {
    i=0
    for c in $CAPS $BAD; do
        i=$((i + 1))
        tf_tcpflow -o "r$i" -r "$(corpus "$c")"
        case $c in bad/*) expect_rc 3 || return 1 ;; *) expect_rc 0 || return 1 ;; esac
        [ -f "r$i/report.xml" ] || { diag "r$i/report.xml missing"; return 1; }
    done
}

schema_ok() {
    xmllint --nonet --noout --schema "$SCHEMA" "$1" 2>"$TF_WORK/schema.err" && return 0
    diag "$1 does not validate against the DFXML schema:"
    diag_file "$TF_WORK/schema.err" 8
    return 1
}

# check_merged MERGED REPORT...: the merged document against its inputs: fileobject counts,
# summed / maximum / worst counters, image_filenames, and every filename (relative to the
# merged file's directory) is an existing file of the size in <filesize> / filesize=.
check_merged() {
    "$PYTHON" - "$@" <<'EOF' >"$TF_WORK/check.out" 2>&1
import os, sys, xml.etree.ElementTree as ET
NS = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
T = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML#tcpflow}"
merged, reports = sys.argv[1], sys.argv[2:]
base = os.path.dirname(os.path.abspath(merged))
bad = []
def core(root):
    d = {}
    for run in root.findall(T + "run"):
        for sr in run.findall(T + "scanner_result"):
            if sr.get("name") == "tcpflow":
                for e in sr.findall(T + "entry"):
                    d[e.get("key")] = int(e.text)
    return d
m = ET.parse(merged).getroot()
ins = [ET.parse(r).getroot() for r in reports]
n_in = sum(len(r.findall(NS + "fileobject")) for r in ins)
fos = m.findall(NS + "fileobject")
if len(fos) != n_in:
    bad.append("fileobjects: merged %d, inputs %d" % (len(fos), n_in))
mc, cs = core(m), [core(r) for r in ins]
for k in ("packets", "bytes", "tcp_packets", "connections", "total_flows", "files_created",
          "bytes_written", "reasm.gaps", "reasm.gap_bytes"):
    if mc.get(k) != sum(c[k] for c in cs):
        bad.append("%s: merged %s, sum %d" % (k, mc.get(k), sum(c[k] for c in cs)))
for k in ("max_open_connections", "max_open_files"):
    if mc.get(k) != max(c[k] for c in cs):
        bad.append("%s: merged %s, max %d" % (k, mc.get(k), max(c[k] for c in cs)))
st = [c["exit_status"] for c in cs]
want = max(st, key=lambda v: (0 if v == 0 else 1 if v == 3 else 2, v))
if mc.get("exit_status") != want:
    bad.append("exit_status: merged %s, want %d" % (mc.get("exit_status"), want))
runs = m.findall(T + "run")
if len(runs) != 1 or runs[0].get("reports") != str(len(reports)):
    bad.append("expected one summed tcpflow:run with reports=%d" % len(reports))
imgs = [i.text for i in m.find(NS + "source").findall(NS + "image_filename")]
want_imgs = [i.text for r in ins for i in r.find(NS + "source").findall(NS + "image_filename")]
if imgs != want_imgs:
    bad.append("image_filenames %s, want %s" % (imgs, want_imgs))
blocks = m.findall(T + "merged_report")
if [b.get("index") for b in blocks] != [str(i + 1) for i in range(len(reports))]:
    bad.append("merged_report blocks: %s" % [b.get("index") for b in blocks])
for b, r in zip(blocks, reports):
    p = os.path.join(base, b.get("path"))
    if not os.path.samefile(p, r):
        bad.append("merged_report %s path %s is not %s" % (b.get("index"), p, r))
named = 0
for fo in fos:
    fn, size = fo.find(NS + "filename"), fo.find(NS + "filesize")
    if fo.find(T + "from_report") is None:
        bad.append("fileobject without tcpflow:from_report")
    if fn is None:
        continue
    named += 1
    p = fn.text if os.path.isabs(fn.text) else os.path.join(base, fn.text)
    if not os.path.isfile(p):
        bad.append("%s does not resolve (%s)" % (fn.text, p))
    elif size is not None and os.path.getsize(p) != int(size.text):
        bad.append("%s: %d bytes, report says %s" % (fn.text, os.path.getsize(p), size.text))
for e in m.iter(T + "file"):
    p = os.path.join(base, e.get("filename"))
    if not os.path.isfile(p) or os.path.getsize(p) != int(e.get("filesize")):
        bad.append("tcpflow:file %s does not resolve with its size" % e.get("filename"))
if named == 0:
    bad.append("no fileobject has a filename")
print("\n".join(bad[:10]) if bad else "ok: %d fileobjects, %d with files" % (len(fos), named))
sys.exit(1 if bad else 0)
EOF
    _st=$?
    [ "$_st" -eq 0 ] && return 0
    diag "merged report check failed:"
    diag_file "$TF_WORK/check.out" 10
    return 1
}

# no_output FILE: neither FILE nor a temporary of it exists.
no_output() {
    _d=$(dirname -- "$1")
    _b=$(basename -- "$1")
    [ ! -e "$1" ] || { diag "$1 was written"; return 1; }
    left=$(find "$_d" -maxdepth 1 -name ".$_b.*" 2>/dev/null)
    [ -z "$left" ] || { diag "temporary left: $left"; return 1; }
}

# ---- tests ---------------------------------------------------------------------------------

t_merge() {
    make_reports || return 1
    merge -o merged.xml r1 r2/report.xml r3 r4/report.xml
    expect_rc 0 || return 1
    [ "$(stderr_lines)" -eq 0 ] || { diag "stderr:"; diag_file "$TF_WORK/stderr"; return 1; }
    schema_ok merged.xml || return 1
    check_merged merged.xml r1/report.xml r2/report.xml r3/report.xml r4/report.xml
}
run_test "3 reports + 1 damaged: schema-valid, every fileobject, counters summed, files resolve" \
    t_merge

t_elsewhere() {
    make_reports || return 1
    mkdir -p deep/er
    merge -o deep/er/m.xml r1 r2 r3 r4
    expect_rc 0 || return 1
    schema_ok deep/er/m.xml || return 1
    check_merged deep/er/m.xml r1/report.xml r2/report.xml r3/report.xml r4/report.xml || return 1
    grep -q '<filename>\.\./\.\./r1/' deep/er/m.xml || { diag "names not relative to deep/er"; return 1; }
    merge --absolute -o abs.xml r1 r3
    expect_rc 0 || return 1
    grep -q "<filename>$TF_WORK/r1/" abs.xml || { diag "--absolute: names not absolute"; return 1; }
    check_merged abs.xml r1/report.xml r3/report.xml
}
run_test "merged file in another directory, and --absolute: names still resolve" t_elsewhere

t_moved() {
    make_reports || return 1
    # The reports name files as r1/..., relative to where tcpflow ran; move the trees.
    mkdir -p elsewhere/deeper
    mv r1 elsewhere/one && mv r3 elsewhere/deeper/three || return 1
    merge -o m.xml elsewhere/one elsewhere/deeper/three/report.xml
    expect_rc 0 || return 1
    [ "$(stderr_lines)" -eq 0 ] || { diag "stderr:"; diag_file "$TF_WORK/stderr"; return 1; }
    schema_ok m.xml || return 1
    check_merged m.xml elsewhere/one/report.xml elsewhere/deeper/three/report.xml
}
run_test "output trees moved after the run: names resolve against each report's directory" \
    t_moved

t_report_path() {
    # The report is not in the output directory (-S dfxml.path, like -X).
    tf_tcpflow -S dfxml.path=side.xml -o flows -r "$(corpus sv-null-http-41-flows.pcap)"
    expect_rc 0 || return 1
    [ -f side.xml ] || { diag "side.xml not written"; return 1; }
    mkdir sub
    merge -o sub/m.xml side.xml
    expect_rc 0 || return 1
    schema_ok sub/m.xml || return 1
    check_merged sub/m.xml side.xml
}
run_test "a report written outside its output directory (-S dfxml.path)" t_report_path

t_summary() {
    make_reports || return 1
    printf '%s\n' r1/report.xml r2 >list
    merge --summary --reports-from list r3 r4
    expect_rc 0 || return 1
    # header + 4 rows; report, captures, fileobjects, flows, packets, bytes, exit_status.
    [ "$(grep -c '' "$TF_WORK/stdout")" -eq 5 ] || { diag "rows:"; diag_file "$TF_WORK/stdout"; return 1; }
    head -n 1 "$TF_WORK/stdout" | grep -q "^report	captures	fileobjects	flows	packets	bytes	exit_status$" ||
        { diag "header:"; diag_file "$TF_WORK/stdout" 1; return 1; }
    i=0
    for r in r3 r4 r1 r2; do
        i=$((i + 1))
        row=$(sed -n "$((i + 1))p" "$TF_WORK/stdout")
        f=$(grep -c '<fileobject>' "$r/report.xml")
        p=$(sed -n 's/.*<tcpflow:entry key="packets">\([0-9]*\)<.*/\1/p' "$r/report.xml")
        s=$(sed -n 's/.*<tcpflow:entry key="exit_status">\([0-9]*\)<.*/\1/p' "$r/report.xml")
        printf '%s\n' "$row" | awk -F '\t' -v r="$r/report.xml" -v f="$f" -v p="$p" -v s="$s" \
            '$1 == r && $3 == f && $5 == p && $7 == s { ok = 1 } END { exit !ok }' ||
            { diag "row $i: $row (want $r/report.xml, $f fileobjects, $p packets, status $s)"; return 1; }
    done
    [ ! -e merged.xml ] || return 1
}
run_test "--summary: TSV of per-report totals; --reports-from" t_summary

t_stdout() {
    make_reports || return 1
    merge r1 r2
    expect_rc 0 || return 1
    cp "$TF_WORK/stdout" out.xml
    schema_ok out.xml || return 1
    check_merged out.xml r1/report.xml r2/report.xml
}
run_test "merged document on standard output" t_stdout

t_errors() {
    make_reports || return 1
    head -c 2000 r3/report.xml >truncated.xml
    printf '<dfxml><unclosed></dfxml>\n' >garbage.xml
    printf '<?xml version="1.0"?>\n<html/>\n' >other.xml
    : >empty.xml
    for bad in truncated.xml garbage.xml other.xml empty.xml missing.xml; do
        merge -o m.xml r1 "$bad" r2
        expect_rc 1 || { diag "input $bad"; return 1; }
        [ "$(stderr_lines)" -eq 1 ] || { diag "$bad: stderr is not one line:"; diag_file "$TF_WORK/stderr"; return 1; }
        stderr_names "$bad" || return 1
        no_output m.xml || return 1
    done
    # An existing output is left as it was.
    echo keep >m.xml
    merge -o m.xml r1 truncated.xml
    expect_rc 1 || return 1
    [ "$(cat m.xml)" = keep ] || { diag "m.xml changed"; return 1; }
    merge -o m.xml r1 r1/report.xml
    expect_rc 2 || return 1
    merge -o m.xml
    expect_rc 2
}
run_test "unreadable, truncated, malformed, non-DFXML, empty report: exit 1, one line, no output" \
    t_errors

t_streaming() {
    # A synthetic report with 100,000 fileobjects (~35 MB): memory stays flat.
    "$PYTHON" - big.xml <<'EOF' || return 1
import sys
with open(sys.argv[1], "w") as fp:
    fp.write('<?xml version="1.0" encoding="UTF-8"?>\n<dfxml xmlns="http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML" xmlns:tcpflow="http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML#tcpflow" version="2.0.0-beta.0">\n  <metadata/>\n  <source><image_filename>big.pcap</image_filename></source>\n')
    for i in range(100000):
        fp.write('  <fileobject>\n    <filename>out/f%06d</filename>\n    <filesize>%d</filesize>\n    <tcpflow:flow src_ipn="10.0.0.1" dst_ipn="10.0.0.2" srcport="%d" dstport="80" packets="3" len="300"/>\n  </fileobject>\n' % (i, i, i % 65536))
    fp.write('  <tcpflow:run><tcpflow:scanner_result name="tcpflow"><tcpflow:entry key="packets">600000</tcpflow:entry><tcpflow:entry key="exit_status">0</tcpflow:entry></tcpflow:scanner_result></tcpflow:run>\n</dfxml>\n')
EOF
    tf_run_rss -t 120 -- "$PYTHON" "$MERGE" -q -o m.xml big.xml
    expect_rc 0 || return 1
    n=$(grep -c '<fileobject>' m.xml)
    [ "$n" -eq 100000 ] || { diag "$n fileobjects merged"; return 1; }
    diag "100,000 fileobjects: ${TF_MS} ms, max RSS ${TF_RSS_KB} KiB"
    # Parsing it all into a tree takes about 200 MiB; streaming stays well below 64.
    [ "$TF_RSS_KB" -le 65536 ] || { diag "max RSS ${TF_RSS_KB} KiB: not streaming"; return 1; }
}
run_test "100,000 fileobjects merged in bounded memory (streaming)" t_streaming

done_testing
