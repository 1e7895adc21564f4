#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Command-line behaviour of tcpflow: help, version, usage errors, input/output errors, and
# file naming with -T templates and -F letters (tcpflow 1.6.1 compatible names).
# Exit statuses: 0 ok, 1 fatal, 2 usage, 3 finished but input damaged.
# Run: make check TESTS=tests/cli.sh, or by hand: TCPFLOW=/path/to/tcpflow sh tests/cli.sh
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/lib.sh"

[ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"
TF_T=20
gencap flow-eth flow-vlan flow-eth6 || skip_all "cannot generate captures (python3 missing?)"
ETH=$(gen flow-eth.pcap)
C2S=192.168.001.002.01234-010.000.000.001.00080
S2C=010.000.000.001.00080-192.168.001.002.01234

t_help() {
    tf_tcpflow --help
    expect_rc 0 || return 1
    [ -s "$TF_WORK/stdout" ] || fail "--help printed nothing on stdout"
    grep -q -- '-r' "$TF_WORK/stdout" || fail "--help does not mention -r"
    [ ! -s "$TF_WORK/stderr" ] || { diag "--help wrote to stderr:"; diag_file "$TF_WORK/stderr"; return 1; }
}
t_h() {
    tf_tcpflow -h
    expect_rc 0 || return 1
    [ -s "$TF_WORK/stdout" ] || fail "-h printed nothing on stdout"
}
t_version() {
    tf_tcpflow --version
    expect_rc 0 || return 1
    grep -Eq '[0-9]+\.[0-9]+' "$TF_WORK/stdout" || fail "no version number on stdout"
    grep -qi 'libpcap' "$TF_WORK/stdout" || { diag "no libpcap version on stdout:"; diag_file "$TF_WORK/stdout"; return 1; }
}
t_unknown_long() {
    tf_tcpflow --no-such-option
    expect_rc 2 || return 1
    [ -s "$TF_WORK/stderr" ] || fail "no message on stderr"
}
t_unknown_short() {
    tf_tcpflow -Q -r "$ETH"
    expect_rc 2 || return 1
    [ -s "$TF_WORK/stderr" ] || fail "no message on stderr"
    [ ! -e report.xml ] || fail "a usage error still wrote report.xml"
}
t_missing_input() {
    tf_tcpflow -o out -r "$TF_WORK/no-such-file.pcap"
    expect_rc 1 || return 1
    [ "$(stderr_lines)" -eq 1 ] || { diag "expected one stderr line, got $(stderr_lines):"; diag_file "$TF_WORK/stderr"; return 1; }
    stderr_names "no-such-file.pcap"
}
t_outdir_is_file() {
    echo "I am a file" >plainfile
    tf_tcpflow -o plainfile -r "$ETH"
    expect_rc 1 || return 1
    stderr_names plainfile || return 1
    [ "$(cat plainfile)" = "I am a file" ] || fail "the regular file was modified"
}
t_outdir_created() {
    tf_tcpflow -o newdir -r "$ETH"
    expect_rc 0 || return 1
    manifest_matches newdir "$(gen flow-eth.expect)"
}
t_stdin() {
    tf_run -i "$ETH" -- "$TCPFLOW" -o out -r -
    expect_rc 0 || return 1
    manifest_matches out "$(gen flow-eth.expect)"
}
t_progress() {
    tf_tcpflow --progress=sometimes -o out -r "$ETH"
    expect_rc 2 || return 1
    stderr_names "--progress=sometimes" || return 1
    tf_tcpflow --progress=never -o out2 -r "$ETH"
    expect_rc 0 || return 1
    [ ! -s "$TF_WORK/stderr" ] || fail "--progress=never wrote to stderr"
}
t_bad_template() {
    tf_tcpflow -o out -T 'x%Q' -r "$ETH"
    expect_rc 1 2 || return 1
    [ -s "$TF_WORK/stderr" ] || fail "no message on stderr"
}
t_max_bytes() {
    tf_tcpflow -o out -b 10 -r "$ETH"
    expect_rc 0 || return 1
    [ "$(cat "out/$C2S")" = "GET / HTTP" ] || fail "-b 10: request file is '$(cat "out/$C2S")'"
    [ "$(cat "out/$S2C")" = "HTTP/1.0 2" ] || fail "-b 10: response file is '$(cat "out/$S2C")'"
}

# names CAPTURE EXPECTED-NAMES OPTIONS...: the set of output files (report files excluded)
# equals EXPECTED-NAMES (newline-separated).
names() {
    _cap=$1 _want=$2
    shift 2
    tf_tcpflow -o out "$@" -r "$_cap"
    expect_rc 0 || return 1
    tree_files out >got
    printf '%s\n' "$_want" | LC_ALL=C sort >want
    cmp -s want got && return 0
    diag "options: $*" "expected files:"
    diag_file want
    diag "got:"
    diag_file got
    return 1
}

run_test "--help prints usage on stdout and exits 0" t_help
run_test "-h prints usage and exits 0" t_h
run_test "--version prints the version and the libpcap version, exits 0" t_version
run_test "unknown long option: exit 2 with a message" t_unknown_long
run_test "unknown short option -Q: exit 2, no report written" t_unknown_short
run_test "--progress: a bad mode is a usage error; never prints nothing" t_progress
run_test "-r missing file: exit 1, one stderr line naming the file" t_missing_input
run_test "-o onto a regular file: exit 1, names it, file untouched" t_outdir_is_file
run_test "-o creates a missing output directory" t_outdir_created
run_test "-r - reads the capture from stdin" t_stdin
run_test "-T with an unknown escape: usage/fatal error" t_bad_template
run_test "-b 10 truncates each direction to 10 bytes" t_max_bytes

run_test "default names: %A.%a-%B.%b%V%v%C%c" names "$ETH" "$C2S
$S2C"
run_test "-T %A.%a-%B.%b gives the default names" names "$ETH" "$C2S
$S2C" -T '%A.%a-%B.%b'
run_test "-T %t-%N: first-packet Unix time and flow number" names "$ETH" "1600000000-000
1600000000-001" -T '%t-%N'
run_test "-T %T: ISO time; a name collision gets c1" names "$ETH" "2020-09-13T12:26:40Z
2020-09-13T12:26:40Zc1" -T '%T'
run_test "-T dir/%a-%b creates subdirectories" names "$ETH" "dir/01234-00080
dir/00080-01234" -T 'dir/%a-%b'
run_test "-T %A%%%B: literal percent" names "$ETH" "192.168.001.002%010.000.000.001
010.000.000.001%192.168.001.002" -T '%A%%%B'
run_test "-T %E-%e: MAC addresses" names "$ETH" "02:00:00:00:00:02-02:00:00:00:00:01
02:00:00:00:00:01-02:00:00:00:00:02" -T '%E-%e'
run_test "-T %S-%a: session id shared by both directions" names "$ETH" "00000000000000000000-01234
00000000000000000000-00080" -T '%S-%a'
run_test "-T flow%#: connection counter always, collision adds c1" names "$ETH" "flow0
flow1c1" -T 'flow%#'
run_test "-Fk bins by thousands of flows" names "$ETH" "000/$C2S
000/$S2C" -Fk
run_test "-Fm bins by millions" names "$ETH" "000000-000999/000000/$C2S
000000-000999/000000/$S2C" -Fm
run_test "-Fg bins by billions" names "$ETH" "000000000-000999999/000000000-000000999/000000000/$C2S
000000000-000999999/000000000-000000999/000000000/$S2C" -Fg
run_test "-Ft prefixes the Unix time and T" names "$ETH" "1600000000T$C2S
1600000000T$S2C" -Ft
run_test "-FT prefixes the ISO time" names "$ETH" "2020-09-13T12:26:40Z$C2S
2020-09-13T12:26:40Z$S2C" -FT
run_test "VLAN 100: --100 suffix" names "$(gen flow-vlan.pcap)" "$C2S--100
$S2C--100"
run_test "IPv6 names use the compressed address form" names "$(gen flow-eth6.pcap)" "2001:db8::2.01234-2001:db8::1.00080
2001:db8::1.00080-2001:db8::2.01234"

done_testing
