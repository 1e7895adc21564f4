# SPDX-License-Identifier: GPL-3.0-or-later
# tests/http/common.sh: shared by the http scanner tests. Source after tests/lib.sh.
#   need_http              skip_all unless the http plugin is on TCPFLOW_PLUGIN_PATH
#   http_run CAP [ARGS]    tcpflow -e http [ARGS] -o $TF_WORK/out -r CAP (sets TF_RC, ...)
#   bodies                 `sha256  name` of the HTTPBODY files in $TF_WORK/out, by name
#   report_has TEXT        report.xml mentions TEXT (true when no report sink is built)
#   mkhttp NAME...         generates tests/http/mkhttp.py captures into $HTTP_GEN (once)

need_http() {
    _h_found=
    _h_ifs=$IFS; IFS=:
    for _h_d in ${TCPFLOW_PLUGIN_PATH:-}; do [ -f "$_h_d/http.so" ] && _h_found=1; done
    IFS=$_h_ifs
    [ -n "$_h_found" ] || skip_all "http plugin not built (TCPFLOW_PLUGIN_PATH has no http.so)"
    [ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"
}

http_run() {
    _h_cap=$1; shift
    rm -rf -- "$TF_WORK/out"
    mkdir -p -- "$TF_WORK/out"
    tf_run -t 60 -- "$TCPFLOW" -e http "$@" -o "$TF_WORK/out" -r "$_h_cap"
}

bodies() {
    ( cd -- "$TF_WORK/out" && find . -name '*HTTPBODY*' -type f | sed 's|^\./||' | LC_ALL=C sort |
        while IFS= read -r _h_x; do sha256sum -- "$_h_x"; done )
}

# The report is written by a report sink (dfxml); without one there is nothing to check.
report_has() {
    [ -f "$TF_WORK/out/report.xml" ] || return 0
    grep -q 'http\.' "$TF_WORK/out/report.xml" || return 0
    grep -q -e "$1" "$TF_WORK/out/report.xml" && return 0
    diag "report.xml does not mention '$1'"
    return 1
}

HTTP_GEN=$TF_TMP/gen-http
mkhttp() {
    mkdir -p -- "$HTTP_GEN"
    for _h_n in "$@"; do
        [ -f "$HTTP_GEN/$_h_n.pcap" ] && continue
        ${PYTHON} "$TF_SRCDIR/tests/http/mkhttp.py" "$HTTP_GEN" "$_h_n" >"$HTTP_GEN/log" 2>&1 ||
            { diag "mkhttp.py $_h_n failed:"; diag_file "$HTTP_GEN/log"; return 1; }
    done
}

# same_bodies NAME: the HTTPBODY files are exactly those of $HTTP_GEN/NAME.bodies.
same_bodies() {
    bodies >"$TF_WORK/got"
    cmp -s -- "$TF_WORK/got" "$HTTP_GEN/$1.bodies" && return 0
    diag "body files differ (- expected, + got):"
    diff -- "$HTTP_GEN/$1.bodies" "$TF_WORK/got" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | head -n 20 | sed 's/^/#   /'
    return 1
}

# has_bodies NAME: every file of $HTTP_GEN/NAME.bodies is there with that content.
has_bodies() {
    bodies >"$TF_WORK/got"
    _h_miss=$(LC_ALL=C sort "$HTTP_GEN/$1.bodies" | LC_ALL=C comm -23 - "$(LC_ALL=C sort "$TF_WORK/got" >"$TF_WORK/got.s"; echo "$TF_WORK/got.s")")
    [ -z "$_h_miss" ] && return 0
    diag "missing or different body files:" "$_h_miss"
    return 1
}
