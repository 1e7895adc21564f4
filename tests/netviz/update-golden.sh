#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/netviz/update-golden.sh: regenerates tests/netviz/golden/report.svg.gz (and the
# render-env.txt it depends on) from the current build, and leaves a PNG of the same page in
# $top_builddir/tests/netviz-golden.png to look at before committing.
# Run from anywhere: TCPFLOW=/path/to/build/tcpflow sh tests/netviz/update-golden.sh
# (TCPFLOW_PLUGIN_PATH defaults to the build tree's plugins/.libs).
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

why=$(netviz_available) || { echo "update-golden: $why" >&2; exit 1; }
mkdir -p "$TF_TMP/g" "$GOLDEN_DIR"
golden_run "$TF_TMP/g" || { cat "$TF_TMP/g/stderr" >&2; exit 1; }
gzip -9n <"$TF_TMP/g/out/report.svg" >"$GOLDEN_DIR/report.svg.gz"
render_env >"$GOLDEN_DIR/render-env.txt"
( cd "$TF_TMP/g" && ./tcpflow -e netviz -S netviz.format=png -o png -r golden.pcap 2>/dev/null ) &&
    cp "$TF_TMP/g/png/report.png" "$TF_BUILDDIR/tests/netviz-golden.png"
echo "updated $GOLDEN_DIR/report.svg.gz ($(wc -c <"$GOLDEN_DIR/report.svg.gz") bytes); look at $TF_BUILDDIR/tests/netviz-golden.png"
