# SPDX-License-Identifier: GPL-3.0-or-later
# tests/plugins/common.sh: shared setup of the scanner-ABI TAP scripts (sourced after lib.sh).
#   PLUGIN_FIXTURES  directory of the built fixture plugins (tests/plugins/.libs)
#   SHDRIVER         the scanner-host driver (tests/plugins/shdriver)
#   plugdir DIR NAME...   makes DIR (mode 0755) holding copies (mode 0644) of the named fixtures,
#                         so that umask or build-tree permissions never make them "unsafe"
#   drv ARGS...           tf_run of the driver
#   has FILE PATTERN / hasnt FILE PATTERN: grep -E with a diagnostic on failure
#   HOST_ABI_RE, NEWER_ABI  the SDK's ABI ("1\.1" as a regex), and the next minor ("1.2")

PLUGIN_FIXTURES=$TF_BUILDDIR/tests/plugins/.libs
_abi_hdr=$TF_SRCDIR/sdk/include/tcpflow/scanner.h
_abi_maj=$(sed -n 's/^#define TCPF_ABI_MAJOR \([0-9]*\).*/\1/p' "$_abi_hdr")
_abi_min=$(sed -n 's/^#define TCPF_ABI_MINOR \([0-9]*\).*/\1/p' "$_abi_hdr")
HOST_ABI_RE="$_abi_maj\\.$_abi_min"
NEWER_ABI="$_abi_maj.$((_abi_min + 1))"
SHDRIVER=$TF_BUILDDIR/tests/plugins/shdriver

plugdir() {
    _pd=$1
    shift
    mkdir -p -- "$_pd" && chmod 0755 -- "$_pd" || return 1
    for _pn in "$@"; do
        cp -- "$PLUGIN_FIXTURES/$_pn.so" "$_pd/$_pn.so" && chmod 0644 -- "$_pd/$_pn.so" || return 1
    done
}

drv() { tf_run -- "$SHDRIVER" "$@"; }

has() {
    grep -E -q -- "$2" "$1" && return 0
    diag "$(basename -- "$1") does not match /$2/:"
    diag_file "$1" 15
    return 1
}
hasnt() {
    grep -E -q -- "$2" "$1" || return 0
    diag "$(basename -- "$1") unexpectedly matches /$2/:"
    grep -E -- "$2" "$1" | head -n 5 | sed 's/^/#   /'
    return 1
}
