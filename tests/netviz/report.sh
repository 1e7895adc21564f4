#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/netviz/report.sh: the netviz scanner (issue 6): report.pdf/.png/.svg from corpus
# captures, the numbers and labels in the PDF text (pdftotext), PNG dimensions, page sizes,
# formats, byte-for-byte reproducibility, the empty ("no TCP traffic") page, options, and
# bounded memory on a generated capture with many hosts.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

why=$(netviz_available) || skip_all "$why"
command -v pdftotext >/dev/null 2>&1 || skip_all "pdftotext (poppler-utils) is not installed"
TF_T=$((60 * TF_SLOW))

ESPN=$(corpus cs-http-espn.pcapng)
V4V6=$(corpus tcpflow-test1-v4v6-gzip.pcap)
ONE=$(corpus tcpflow-one-packet.pcap)
UDP=$(corpus tcpflow-udp-only.pcap)

# run_viz CAP [ARGS]: tcpflow -e netviz -o out -r CAP ARGS, must exit 0.
run_viz() {
    _cap=$1
    shift
    tf_tcpflow -e netviz -o out -r "$_cap" "$@"
    expect_rc 0 || { diag_file "$TF_WORK/stderr" 5; return 1; }
}

t_espn() {
    run_viz "$ESPN" || return 1
    for f in pdf png svg; do [ -s out/report.$f ] || fail "no out/report.$f"; done
    pdf_text out/report.pdf >t.txt
    # 928 TCP packets (tshark -Y tcp; capinfos: 956 in all), 25 connections, 14 hosts;
    # the client 172.16.0.122 talks the most; 61 GET requests, all to port 80.
    has_text t.txt "Network triage report" "Packets" "928" "TCP, of 956 in capture" \
        "Connections" "25" "Hosts" "14" "Top talkers" "172.16.0.122" "Top conversations" \
        "205.234.218.129" "80 http" "Flow shape" "HTTP" "GET 61" "a.espncdn.com" \
        "2010-04-07 17:29:29.794785 UTC" "2010-04-07 17:29:31.830416 UTC" \
        "sha256 $(sha256sum <"$ESPN" | cut -c1-64)" || return 1
    # The top talker is the first row of the table.
    grep -A1 '^Host ' t.txt | tail -n1 | grep -q '^172\.16\.0\.122 ' ||
        { diag "first talker row:"; grep -A1 '^Host ' t.txt | sed 's/^/#   /'; return 1; }
    png_magic out/report.png || fail "report.png is not a PNG"
    [ "$(png_size out/report.png)" = "1240 1754" ] || fail "PNG size $(png_size out/report.png), want A4 at 150 dpi: 1240 1754"
    head -c 200 out/report.svg | grep -q '<svg' || fail "report.svg is not SVG"
    xml_wellformed out/report.svg
}

t_v4v6_numbers() {
    run_viz "$V4V6" || return 1
    pdf_text out/report.pdf >t.txt
    # 21 TCP packets of 31 (tshark: tcp && !icmp), 2 connections, 2 GET, 200 and 204.
    has_text t.txt "21" "TCP, of 31 in capture" "192.168.1.102" "74.125.19.104" "GET 2" \
        "clients1.google.com" "200 1" "204 1" "2008-10-06 17:54:52.549570 UTC"
}

t_one_packet() {
    run_viz "$ONE" || return 1
    pdf_text out/report.pdf >t.txt
    has_text t.txt "Network triage report" "Packets" "Top talkers" "74.125.19.104" || return 1
    grep -q 'No TCP traffic' t.txt && fail "a 1-packet capture got the empty page"
    [ "$(png_size out/report.png)" = "1240 1754" ] || fail "PNG size $(png_size out/report.png)"
}

t_no_tcp() {
    run_viz "$UDP" || return 1
    for f in pdf png svg; do [ -s out/report.$f ] || fail "no out/report.$f"; done
    pdf_text out/report.pdf >t.txt
    has_text t.txt "No TCP traffic" "none of them is TCP" "no TCP packet was seen"
}

t_letter() {
    run_viz "$V4V6" -S netviz.page=letter || return 1
    [ "$(png_size out/report.png)" = "1275 1650" ] || fail "PNG size $(png_size out/report.png), want Letter at 150 dpi: 1275 1650"
    if command -v pdfinfo >/dev/null 2>&1; then
        pdfinfo out/report.pdf | grep -q 'Page size: *612 x 792 pts' ||
            { pdfinfo out/report.pdf | sed 's/^/#   /'; fail "PDF is not US Letter"; }
    fi
}

t_format_one() {
    run_viz "$V4V6" -S netviz.format=svg || return 1
    [ -s out/report.svg ] || fail "no report.svg"
    [ ! -e out/report.pdf ] && [ ! -e out/report.png ] || fail "format=svg wrote other formats"
}

t_bad_options() {
    tf_tcpflow -e netviz -S netviz.format=gif -o out -r "$V4V6"
    expect_rc 1 2 || return 1
    grep -q 'format' "$TF_WORK/stderr" || fail "the error does not name the option"
    tf_tcpflow -e netviz -S netviz.page=a3 -o out2 -r "$V4V6"
    expect_rc 1 2
}

# Same input and command line (relative paths, run from two directories): identical bytes.
t_reproducible() {
    for d in a b; do
        mkdir $d && cp "$ESPN" $d/cap.pcapng || return 1
        (cd $d && "$TCPFLOW" -e netviz -o out -r cap.pcapng >/dev/null 2>err) || fail "run $d failed"
    done
    for f in pdf png svg; do
        cmp -s a/out/report.$f b/out/report.$f || fail "report.$f differs between two runs"
    done
    # The PDF carries the capture start as its creation date, never the wall clock.
    if command -v pdfinfo >/dev/null 2>&1; then
        TZ=UTC pdfinfo a/out/report.pdf | grep -q '^CreationDate: *Wed Apr  7 17:29:29 2010' ||
            { pdfinfo a/out/report.pdf | sed 's/^/#   /'; fail "creation date is not the capture start"; }
    fi
}

t_hash_off() {
    run_viz "$V4V6" -S netviz.hash_inputs=no || return 1
    pdf_text out/report.pdf >t.txt
    has_text t.txt "not hashed"
}

t_geoip_missing() {
    run_viz "$V4V6" -S netviz.geoip="$TF_WORK/none.mmdb" -S netviz.asn="$TF_WORK/none2.mmdb" || return 1
    [ -s out/report.pdf ] || fail "no report.pdf"
    grep -q 'none.mmdb' "$TF_WORK/stderr" || { diag_file "$TF_WORK/stderr"; fail "no warning naming the database"; }
}

# Headline numbers also go to the run-level report entries (report.xml when dfxml runs).
t_report_entries() {
    [ -f "$TCPFLOW_PLUGIN_PATH/dfxml.so" ] || tf_skip "dfxml.so not built"
    run_viz "$ESPN" || return 1
    [ -f out/report.xml ] || tf_skip "no report.xml (dfxml not enabled by default)"
    grep -q 'netviz.packets' out/report.xml || fail "report.xml lacks netviz.packets"
    grep 'netviz.packets' out/report.xml | grep -q '928' || fail "netviz.packets is not 928"
}

# Many hosts and connections (more than the top-N tables hold): memory stays bounded and the
# tables say they are estimates. 3000 connections x 3 packets, 6000 distinct hosts.
t_bounded() {
    "$PYTHON" - cap.pcap <<'PY' || tf_skip "cannot generate the capture"
import struct, sys
f = open(sys.argv[1], "wb")
f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
def pkt(t, src, dst, sp, dp, flags, pl=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, 1, 0, 5 << 4, flags, 65535, 0, 0) + pl
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, src, dst)
    fr = b"\0" * 12 + b"\x08\x00" + ip + tcp
    f.write(struct.pack("<IIII", 1700000000 + t // 1000, (t % 1000) * 1000, len(fr), len(fr)) + fr)
for i in range(3000):
    c = bytes([10, 1, i >> 8, i & 255]); s = bytes([20, 2, i >> 8, i & 255])
    pkt(i * 10, c, s, 40000, 443 + i % 7, 0x02)
    pkt(i * 10 + 1, s, c, 443 + i % 7, 40000, 0x12)
    pkt(i * 10 + 2, c, s, 40000, 443 + i % 7, 0x18, b"x" * (i % 300))
PY
    tf_run_rss -t "$TF_T" -- "$TCPFLOW" -e netviz -S netviz.table_size=64 -o out -r cap.pcap
    expect_rc 0 || { diag_file "$TF_WORK/stderr" 5; return 1; }
    rss_within 150 || return 1
    pdf_text out/report.pdf >t.txt
    has_text t.txt "9,000" "3,000" "top-N estimates" "Hosts"
}

plan 13
run_test "espn: labels, numbers, top talker, sha256, PNG size (A4)" t_espn
run_test "v4v6: TCP packet count, hosts, HTTP box" t_v4v6_numbers
run_test "one packet: a full report" t_one_packet
run_test "UDP only: a clear no-TCP-traffic page" t_no_tcp
run_test "page=letter: PDF and PNG sizes" t_letter
run_test "format=svg writes only report.svg" t_format_one
run_test "bad format or page: an error naming the option" t_bad_options
run_test "two runs give identical PDF, PNG, SVG; PDF date = capture start" t_reproducible
run_test "hash_inputs=no" t_hash_off
run_test "missing GeoIP/ASN databases: warning, report still made" t_geoip_missing
run_test "headline numbers in report.xml" t_report_entries
run_test "more hosts than the tables hold: bounded, marked as estimates" t_bounded
run_test "sanity: TCPFLOW_PLUGIN_PATH has netviz.so" test -f "$TCPFLOW_PLUGIN_PATH/netviz.so"
done_testing
