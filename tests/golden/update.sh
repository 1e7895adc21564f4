#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates golden expectations from the current binary: tests/golden/expected/NAME.manifest.
# Usage: TCPFLOW=build/tcpflow sh tests/golden/update.sh NAME... | --all
# Writes into the source tree; review with `git diff tests/golden/expected` before committing.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

[ $# -gt 0 ] || { echo "usage: $0 NAME... | --all" >&2; exit 2; }
[ -x "$TCPFLOW" ] || { echo "update.sh: no tcpflow binary at $TCPFLOW" >&2; exit 1; }
mkdir -p -- "$GOLDEN_DIR/expected"
golden_lines >"$TF_TMP/list"
st=0
found=
while read -r name caps opts; do
    if [ "$1" != --all ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    found="$found $name"
    # shellcheck disable=SC2086
    if golden_manifest "$name" "$caps" $opts >"$TF_TMP/$name.manifest" </dev/null; then
        if cmp -s "$TF_TMP/$name.manifest" "$GOLDEN_DIR/expected/$name.manifest" 2>/dev/null; then
            echo "unchanged $name"
        else
            cp -- "$TF_TMP/$name.manifest" "$GOLDEN_DIR/expected/$name.manifest"
            echo "updated   $name ($(head -n 1 "$TF_TMP/$name.manifest"), $(($(grep -c '' "$TF_TMP/$name.manifest") - 1)) file(s))"
        fi
    else
        echo "FAILED    $name" >&2
        st=1
    fi
done <"$TF_TMP/list"
if [ "$1" != --all ]; then
    for n in "$@"; do
        case " $found " in *" $n "*) ;; *) echo "update.sh: no TESTLIST line named $n" >&2; st=1 ;; esac
    done
fi
exit $st
