# SPDX-License-Identifier: GPL-3.0-or-later
# tests/netviz/common.sh: shared helpers of the netviz tests (sourced after tests/lib.sh).
: "${TCPFLOW_PLUGIN_PATH:=$TF_BUILDDIR/plugins/.libs}"
export TCPFLOW_PLUGIN_PATH
NETVIZ_SRC=$TF_SRCDIR/tests/netviz
GOLDEN_DIR=$NETVIZ_SRC/golden

netviz_available() {
    [ -x "$TCPFLOW" ] || { echo "no tcpflow binary at $TCPFLOW"; return 1; }
    [ -f "$TCPFLOW_PLUGIN_PATH/netviz.so" ] || { echo "netviz.so not built (needs cairo)"; return 1; }
    return 0
}

# png_size FILE: prints "WIDTH HEIGHT" from the IHDR chunk (bytes 16..23, big-endian).
png_size() {
    od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%d %d\n", (($1*256+$2)*256+$3)*256+$4, (($5*256+$6)*256+$7)*256+$8 }'
}

# png_magic FILE: the 8-byte PNG signature is there.
png_magic() {
    [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ]
}

# pdf_text FILE: text of the PDF, one line per text line, runs of blanks squeezed.
pdf_text() { pdftotext -layout "$1" - 2>/dev/null | tr -s ' '; }

# has_text FILE.txt STRING...: each STRING occurs (fixed string) in FILE.txt.
has_text() {
    _f=$1
    shift
    for _s in "$@"; do
        grep -qF -- "$_s" "$_f" || { diag "PDF text lacks: $_s"; return 1; }
    done
    return 0
}

# The golden SVG depends on the fonts and the cairo version: they are recorded next to it.
render_env() {
    printf 'font %s\n' "$(fc-match 'DejaVu Sans' 2>/dev/null)"
    printf 'font-bold %s\n' "$(fc-match 'DejaVu Sans:bold' 2>/dev/null)"
    printf 'cairo %s\n' "$(pkg-config --modversion cairo 2>/dev/null || echo unknown)"
}

# golden_run DIR: renders the golden capture inside DIR with a fixed, relative command line
# (./tcpflow -e netviz -S netviz.format=svg -o out -r golden.pcap), so that the report's
# command line and input name do not depend on where the build tree is.
GOLDEN_CAP=tcpflow-test1-v4v6-gzip.pcap
golden_run() {
    ( cd "$1" && cp "$TF_CORPUS/$GOLDEN_CAP" golden.pcap && ln -sf "$TCPFLOW" tcpflow &&
      ./tcpflow -e netviz -S netviz.format=svg -o out -r golden.pcap >stdout 2>stderr )
}
