#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/plugins/sdk.sh: a third party's view of the SDK. Installs the header and
# tcpflow-sdk.pc into a DESTDIR staging root (make install-pkgincludeHEADERS
# install-pkgconfigDATA in the build tree), builds sdk/example OUT OF TREE with nothing but
# `pkg-config tcpflow-sdk`, and loads the result: through the scanner-host driver always, and
# through the tcpflow binary ($TCPFLOW -P DIR -e entropy -r CAPTURE) when it supports that.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

: "${MAKE:=make}"
: "${CC:=cc}"
: "${NM:=nm}"
command -v pkg-config >/dev/null 2>&1 || skip_all "pkg-config not installed"
ROOT=$TF_TMP/root
EX=$TF_TMP/example

t_install() {
    rm -rf -- "$ROOT"
    if [ -f "$TF_BUILDDIR/Makefile" ]; then
        ( unset MAKEFLAGS MFLAGS MAKELEVEL
          $MAKE -C "$TF_BUILDDIR" install-pkgincludeHEADERS install-pkgconfigDATA \
              DESTDIR="$ROOT" ) >make.log 2>&1 || { diag_file make.log 30; return 1; }
    else
        # Run by hand without a configured tree: stage what `make install` would.
        mkdir -p "$ROOT/usr/local/include/tcpflow" "$ROOT/usr/local/lib/pkgconfig"
        cp "$TF_SRCDIR/sdk/include/tcpflow/scanner.h" "$ROOT/usr/local/include/tcpflow/"
        sed -e 's|@prefix@|/usr/local|; s|@exec_prefix@|${prefix}|' \
            -e 's|@libdir@|${exec_prefix}/lib|; s|@includedir@|${prefix}/include|' \
            -e 's|@TCPF_ABI_MAJOR@|1|g; s|@TCPF_ABI_MINOR@|0|g; s|@PACKAGE_VERSION@|0|' \
            "$TF_SRCDIR/sdk/tcpflow-sdk.pc.in" >"$ROOT/usr/local/lib/pkgconfig/tcpflow-sdk.pc"
    fi
    pc=$(find "$ROOT" -name tcpflow-sdk.pc | head -n 1)
    hdr=$(find "$ROOT" -path '*/include/tcpflow/scanner.h' | head -n 1)
    [ -n "$pc" ] && [ -n "$hdr" ] || fail "installed: $(cd "$ROOT" && find . -type f)"
    printf '%s\n' "$(dirname -- "$pc")" >"$TF_TMP/pcdir"
}

# pc ARGS: pkg-config that sees only the staged SDK.
pc() {
    PKG_CONFIG_LIBDIR=$(cat "$TF_TMP/pcdir") PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR=$ROOT \
        pkg-config "$@"
}

t_pkgconfig() {
    [ -f "$TF_TMP/pcdir" ] || tf_skip "SDK not installed"
    cflags=$(pc --cflags tcpflow-sdk) || fail "pkg-config --cflags failed"
    case $cflags in "-I$ROOT/"*/include*) ;; *) fail "Cflags: $cflags" ;; esac
    dir=$(pc --variable=plugindir tcpflow-sdk)
    case $dir in */tcpflow/plugins) ;; *) fail "plugindir: $dir" ;; esac
    [ "$(pc --variable=abi_major tcpflow-sdk)" = 1 ] || fail "abi_major"
}

t_build_example() {
    [ -f "$TF_TMP/pcdir" ] || tf_skip "SDK not installed"
    rm -rf -- "$EX"
    mkdir -p -- "$EX"
    # Out of tree: build directory outside the source tree, Makefile used in place.
    ( cd "$EX" && unset MAKEFLAGS MFLAGS MAKELEVEL &&
      PKG_CONFIG_LIBDIR=$(cat "$TF_TMP/pcdir") PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR=$ROOT \
      $MAKE -f "$TF_SRCDIR/sdk/example/Makefile" CC="$CC" CFLAGS="-O2 -g -Werror" ) \
        >build.log 2>&1 || { diag_file build.log 30; return 1; }
    [ -f "$EX/entropy.so" ] || fail "no entropy.so"
    chmod 0755 "$EX"
    chmod 0644 "$EX/entropy.so"
    syms=$($NM -D --defined-only "$EX/entropy.so" | awk '{ print $3 }' |
        grep -v -E '^__(odr_asan|asan|ubsan)' | tr '\n' ' ')
    [ "$syms" = "tcpf_scanner " ] || fail "entropy.so exports: $syms"
}

t_load_driver() {
    [ -f "$EX/entropy.so" ] || tf_skip "example not built"
    [ -x "$SHDRIVER" ] || tf_skip "shdriver not built"
    [ -f "$PLUGIN_FIXTURES/sink.so" ] || tf_skip "fixtures not built"
    plugdir "$TF_WORK/p" sink
    mkdir out
    drv -P "$EX" -P "$TF_WORK/p" -e entropy -S entropy.histogram=yes -n 2 -o out
    expect_rc 0 && hasnt stderr 'entropy' || return 1
    f=out/sink.txt
    has $f 'entry entropy entropy\.guess=http-request' &&
    has $f 'entry entropy entropy\.guess=http-response' &&
    has $f 'entry entropy entropy\.bits_per_byte=[0-9]+\.[0-9]{4}$' &&
    has $f 'entry entropy entropy\.bytes=240$' &&
    has $f 'entry entropy entropy\.flows\.http-request=2$' &&
    has $f 'derived entropy out/010\.000\.000\.002\.00080-010\.000\.000\.001\.01000-entropy\.txt size=[1-9]' &&
    has out/010.000.000.001.01000-010.000.000.002.00080-entropy.txt '^# flow 0 guess http-request bytes 47 '
}

t_load_tcpflow() {
    [ -f "$EX/entropy.so" ] || tf_skip "example not built"
    [ -x "$TCPFLOW" ] || tf_skip "no tcpflow binary"
    tf_tcpflow -P "$EX" -H
    [ "$TF_RC" -eq 0 ] && grep -q '^entropy ' "$TF_WORK/stdout" ||
        tf_skip "tcpflow does not load plugins with -P yet"
    cap=$(corpus cs-http-espn.pcapng)
    [ -f "$cap" ] || tf_skip "corpus capture missing"
    mkdir out
    tf_tcpflow -P "$EX" -e entropy -S entropy.histogram=yes -r "$cap" -o out
    expect_rc 0 || return 1
    n=$(find out -name '*-entropy.txt' | wc -l)
    [ "$n" -gt 0 ] || fail "no *-entropy.txt written"
    grep -l '^# flow [0-9]* guess http-request ' out/*-entropy.txt >/dev/null ||
        fail "no flow guessed as http-request"
}

plan 5
run_test "SDK installs into a DESTDIR root (header + tcpflow-sdk.pc)" t_install
run_test "pkg-config tcpflow-sdk: Cflags, plugindir, abi_major" t_pkgconfig
run_test "sdk/example builds out of tree with only pkg-config tcpflow-sdk" t_build_example
run_test "the example loads with -P and reports entropy and protocol guesses" t_load_driver
run_test "tcpflow -P DIR -e entropy -r CAPTURE writes the example's derived files" t_load_tcpflow
done_testing
