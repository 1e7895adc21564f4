#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/plugins/abi.sh: the SDK header stands alone (C99 -pedantic -Werror, and C++), its ABI
# version equals configure's, a C++ plugin gets an unmangled descriptor, and every fixture
# exports only its descriptor.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

HDR_DIR=$TF_SRCDIR/sdk/include
: "${CC:=cc}"
: "${NM:=nm}"
CXX=
for c in "${CXX_FOR_TESTS:-}" g++ c++ clang++; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && { CXX=$c; break; }
done

t_c99() {
    printf '#include <tcpflow/scanner.h>\nint tcpf_test_dummy;\n' >h.c
    # CC may carry -std=c11 from configure; the last -std wins.
    $CC -std=c99 -pedantic -Werror -Wall -Wextra -Wstrict-prototypes -Wundef \
        -I"$HDR_DIR" -c h.c -o h.o 2>err || { diag_file err; return 1; }
}

t_cxx() {
    [ -n "$CXX" ] || tf_skip "no C++ compiler"
    printf '#include <tcpflow/scanner.h>\nint tcpf_test_dummy;\n' >h.cc
    for std in c++11 c++17; do
        $CXX -std=$std -pedantic -Werror -Wall -Wextra -I"$HDR_DIR" -c h.cc -o h.o 2>err ||
            { diag "$std:"; diag_file err; return 1; }
    done
}

t_cxx_plugin() {
    [ -n "$CXX" ] || tf_skip "no C++ compiler"
    cat >p.cc <<'CXXEOF'
#include <tcpflow/scanner.h>
static int cxx_data(void *, void *, const struct tcpf_flow *, const struct tcpf_chunk *)
{
    return TCPF_OK;
}
static struct tcpf_scanner cxx_make()
{
    struct tcpf_scanner d = {};
    d.abi_major = TCPF_ABI_MAJOR;
    d.abi_minor = TCPF_ABI_MINOR;
    d.struct_size = sizeof(struct tcpf_scanner);
    d.name = "cxx";
    d.version = "1.0";
    d.flow_data = cxx_data;
    return d;
}
TCPF_SCANNER_DEFINE = cxx_make();
CXXEOF
    $CXX -std=c++11 -Wall -Wextra -Werror -fPIC -fvisibility=hidden -shared -I"$HDR_DIR" \
        p.cc -o cxx.so 2>err || { diag_file err; return 1; }
    syms=$(exported cxx.so)
    [ "$syms" = "tcpf_scanner " ] || fail "exported: $syms"
    [ -x "$SHDRIVER" ] || return 0
    mkdir -m 0755 d && cp cxx.so d/ && chmod 0644 d/cxx.so
    drv -P "$TF_WORK/d" -H
    expect_rc 0 && has "$TF_WORK/stdout" "^cxx 1\.0 \(ABI $HOST_ABI_RE\)"
}

t_abi_matches_configure() {
    pc=$TF_BUILDDIR/sdk/tcpflow-sdk.pc
    [ -f "$pc" ] || tf_skip "sdk/tcpflow-sdk.pc not generated (run configure)"
    hmaj=$(sed -n 's/^#define TCPF_ABI_MAJOR \([0-9]*\).*/\1/p' "$HDR_DIR/tcpflow/scanner.h")
    hmin=$(sed -n 's/^#define TCPF_ABI_MINOR \([0-9]*\).*/\1/p' "$HDR_DIR/tcpflow/scanner.h")
    cmaj=$(sed -n 's/^abi_major=//p' "$pc")
    cmin=$(sed -n 's/^abi_minor=//p' "$pc")
    [ -n "$hmaj" ] && [ "$hmaj.$hmin" = "$cmaj.$cmin" ] ||
        fail "header ABI $hmaj.$hmin, configure.ac ABI $cmaj.$cmin"
}

# exported SO: the dynamic symbols SO defines, sanitizer instrumentation (__odr_asan.*,
# __asan_*, __ubsan_*) left out.
exported() {
    $NM -D --defined-only "$1" | awk '{ print $3 }' | grep -v -E '^__(odr_asan|asan|ubsan)' |
        sort | tr '\n' ' '
}

t_exports() {
    [ -f "$PLUGIN_FIXTURES/good.so" ] || tf_skip "fixtures not built"
    for f in good dup_good wrong_major newer_minor bad_name initfail errors sink nosym; do
        want=tcpf_scanner
        [ $f = nosym ] && want=nosym_not_a_scanner
        syms=$(exported "$PLUGIN_FIXTURES/$f.so")
        [ "$syms" = "$want " ] || fail "$f.so exports: $syms (want only $want)"
    done
}

plan 5
run_test "scanner.h compiles alone with -std=c99 -pedantic -Werror" t_c99
run_test "scanner.h compiles as C++11 and C++17" t_cxx
run_test "a C++ plugin exports an unmangled tcpf_scanner and loads" t_cxx_plugin
run_test "TCPF_ABI_MAJOR/MINOR equal configure.ac's (tcpflow-sdk.pc)" t_abi_matches_configure
run_test "fixtures export only their descriptor (nm -D --defined-only)" t_exports
done_testing
