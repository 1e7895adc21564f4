#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/plugins/loader.sh: the plugin loader and scanner host, through tests/plugins/shdriver
# (no tcpflow binary needed): fixture behaviours, -e/-x/-E/-a, -S, safety rules, dispatch
# contract, derived files, report entries to a sink.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"
. "$here/common.sh"

[ -x "$SHDRIVER" ] || skip_all "tests/plugins/shdriver not built"
[ -f "$PLUGIN_FIXTURES/good.so" ] || skip_all "fixture plugins not built"
unset TCPFLOW_PLUGIN_PATH

ALL="good sink errors initfail wrong_major newer_minor nosym bad_name"

t_good_lists() {
    plugdir "$TF_WORK/p" good sink
    drv -P "$TF_WORK/p" -H
    expect_rc 0 &&
    has stdout "^good 1\.0-good \(ABI $HOST_ABI_RE\) disabled" &&
    has stdout "path: $TF_WORK/p/good.so" &&
    has stdout '-S good\.limit=4k  \(u64; default "4k"\) an unused size' &&
    has stdout "^sink 1\.0 \(ABI $HOST_ABI_RE\) enabled, report sink"
}

# refused FIXTURE REASON-REGEX PLUGIN-ABI: one log line naming file and both versions, the
# run goes on (exit 0) unless the scanner is asked for with -e, which is fatal with the reason.
refused() {
    plugdir "$TF_WORK/p" good "$1"
    drv -P "$TF_WORK/p" -e good
    expect_rc 0 || return 1
    [ "$(grep -c "$1\.so" "$TF_WORK/stderr")" -eq 1 ] || fail "expected exactly one line about $1"
    has stderr "loader: $TF_WORK/p/$1\.so: not loaded: $2.* \(plugin ABI $3, host ABI $HOST_ABI_RE\)$" ||
        return 1
    drv -P "$TF_WORK/p" -e "$4"
    expect_rc 1 && has stderr "-e $4: scanner '$4' was found at $TF_WORK/p/$1\.so but not loaded"
}
t_wrong_major() { refused wrong_major 'built for an incompatible scanner ABI \(major 2' 2.0 wrong_major; }
t_newer_minor() {
    refused newer_minor "built for scanner ABI $NEWER_ABI, newer than" "$NEWER_ABI" newer_minor
}
t_nosym() { refused nosym "no 'tcpf_scanner' symbol" unknown nosym; }
t_bad_name() { refused bad_name "invalid scanner name 'Bad-Name'" "$HOST_ABI_RE" bad_name; }

t_duplicate() {
    plugdir "$TF_WORK/a" good
    plugdir "$TF_WORK/b" dup_good
    drv -P "$TF_WORK/a" -P "$TF_WORK/b" -H
    expect_rc 0 && has stdout '^good 1\.0-good ' &&
    has stderr "$TF_WORK/b/dup_good\.so: scanner 'good' already loaded from $TF_WORK/a/good\.so" ||
        return 1
    drv -P "$TF_WORK/b" -P "$TF_WORK/a" -H
    expect_rc 0 && has stdout '^good 9\.9-duplicate '
}

t_unknown_e() {
    plugdir "$TF_WORK/p" good sink
    drv -P "$TF_WORK/p" -e nonesuch
    expect_rc 1 && has stderr "-e nonesuch: no scanner named 'nonesuch'; available: good, sink"
}

t_unknown_x() {
    plugdir "$TF_WORK/p" good
    drv -P "$TF_WORK/p" -x nonesuch -H
    expect_rc 0 && has stderr '-x nonesuch: no scanner of that name \(ignored\)'
}

t_enable_cmds() {
    plugdir "$TF_WORK/p" good sink errors initfail
    drv -P "$TF_WORK/p" -E good -H
    expect_rc 0 && has stdout '^good .* enabled' && has stdout '^sink .* disabled' &&
        has stdout '^errors .* disabled' || return 1
    drv -P "$TF_WORK/p" -a -H
    expect_rc 0 && has stdout '^good .* enabled' && has stdout '^errors .* enabled' &&
        has stdout '^initfail .* disabled' || return 1
    drv -P "$TF_WORK/p" -e all -x sink -H
    expect_rc 0 && has stdout '^good .* enabled' && has stdout '^sink .* disabled' || return 1
    drv -P "$TF_WORK/p" -x all -e errors -H
    expect_rc 0 && has stdout '^errors .* enabled' && has stdout '^good .* disabled' &&
        has stdout '^sink .* disabled'
}

t_settings() {
    plugdir "$TF_WORK/p" good sink
    mkdir out
    drv -P "$TF_WORK/p" -e good -S good.greeting=hi -S good.limit=2k -S good.verbose=yes -o out
    expect_rc 0 && has stderr 'good: init greeting=hi limit=2048 verbose=1' &&
        has out/010.000.000.001.01000-010.000.000.002.00080-good.txt '^hi bytes=47' || return 1
    drv -P "$TF_WORK/p" -S good.nokey=1
    expect_rc 1 && has stderr "-S good\.nokey: scanner 'good' has no option 'nokey'; it has: good\.greeting, good\.limit, good\.verbose" || return 1
    drv -P "$TF_WORK/p" -S nope.x=1
    expect_rc 1 && has stderr "no scanner named 'nope'" || return 1
    drv -P "$TF_WORK/p" -S good.limit=lots
    expect_rc 1 && has stderr "-S good\.limit: 'lots' is not a valid u64" || return 1
    drv -P "$TF_WORK/p" -S good.verbose=maybe
    expect_rc 1 && has stderr "is not a valid bool"
}

t_errors_detached() {
    plugdir "$TF_WORK/p" good sink errors
    mkdir out
    drv -P "$TF_WORK/p" -e good -e errors -n 5 -o out
    expect_rc 0 || return 1
    # errors: 5 flows accepted (dir 0), each fails on its second chunk; packet fails once.
    has stdout 'errors=6 detached=5 failing=1' &&
    has out/errors-summary.txt '^opens=5 closes=5 calls_after_error=0 packets=3$' || return 1
    [ "$(grep -c 'scanner errors: flow_data returned -1' "$TF_WORK/stderr")" -eq 1 ] ||
        fail "the first error must be logged exactly once"
    has stderr 'scanner errors: 6 errors, detached from 5 flows' &&
    hasnt stderr 'VIOLATION' &&
    # the other scanners are unaffected: all 10 flows reached good and the sink
    [ "$(grep -c 'entry good good.bytes=' out/sink.txt)" -eq 10 ] ||
        fail "good should have reported 10 flows"
    has out/sink.txt '^run inputs=1 outdir=out errors=6 detached=5$'
}

t_initfail() {
    plugdir "$TF_WORK/p" good initfail
    drv -P "$TF_WORK/p" -e initfail
    expect_rc 1 && has stderr "scanner initfail \($TF_WORK/p/initfail\.so\): initialisation failed" &&
        has stderr 'initfail: refusing to start'
}

t_unsafe() {
    plugdir "$TF_WORK/p" good
    chmod g+w "$TF_WORK/p/good.so"
    drv -P "$TF_WORK/p" -e good
    expect_rc 1 && has stderr "good\.so: not loaded: group- or world-writable" || return 1
    chmod g-w "$TF_WORK/p/good.so"
    chmod o+w "$TF_WORK/p"
    drv -P "$TF_WORK/p" -H
    expect_rc 1 && has stderr "plugin directory $TF_WORK/p refused: group- or world-writable" ||
        return 1
    chmod o-w "$TF_WORK/p"
    plugdir "$TF_WORK/q"
    ln -s "$TF_WORK/p/good.so" "$TF_WORK/q/good.so"
    drv -P "$TF_WORK/q" -e good
    expect_rc 1 && has stderr "q/good\.so: not loaded: is a symbolic link" || return 1
    drv -P p -H
    expect_rc 1 && has stderr "plugin directory 'p' is not an absolute path" || return 1
    drv -P "$TF_WORK/missing" -H
    expect_rc 1 && has stderr "plugin directory $TF_WORK/missing: No such file or directory"
}

t_env_path() {
    plugdir "$TF_WORK/a" good
    plugdir "$TF_WORK/b" dup_good sink
    TCPFLOW_PLUGIN_PATH="relative:$TF_WORK/b::$TF_WORK/nowhere" drv -N -H
    expect_rc 0 && has stdout '^good 9\.9-duplicate' && has stdout '^sink ' &&
        has stderr 'relative: ignored: not an absolute path' || return 1
    # -P comes first; without -N (not honoured) the variable is ignored
    TCPFLOW_PLUGIN_PATH="$TF_WORK/b" drv -N -P "$TF_WORK/a" -H
    expect_rc 0 && has stdout '^good 1\.0-good' || return 1
    TCPFLOW_PLUGIN_PATH="$TF_WORK/b" drv -H
    expect_rc 0 && has stdout '^No scanners found'
}

t_builtin_dir() {
    plugdir "$TF_WORK/a" good
    drv -B "$TF_WORK/a" -H
    expect_rc 0 && has stdout "path: $TF_WORK/a/good\.so \(installed\)" || return 1
    drv -B "$TF_WORK/none" -H
    expect_rc 0 && has stdout '^No scanners found'
}

t_dispatch_contract() {
    plugdir "$TF_WORK/p" good sink
    mkdir out
    drv -P "$TF_WORK/p" -e good -n 3 -L -o out
    expect_rc 0 && hasnt stderr 'VIOLATION' || return 1
    f=out/sink.txt
    # in-order data, gaps reported: dir 1 has a 10-byte hole after the response header
    has $f '^flow 1 dir 1 reason 5 file out/010\.000\.000\.002\.00080-010\.000\.000\.001\.01000$' &&
    has $f 'entry good good\.gaps=1/10' &&
    # the whole stream at close, capped at the scanner's stream_max (64): holes zero-filled
    has $f 'entry good good\.stream_len=64' && has $f 'entry good good\.stream_gap_bytes=10' &&
    has $f 'entry good good\.stream_truncated=yes' && has $f 'entry good good\.stream_head=GET' &&
    # the sink sees the core's and the other scanners' entries and derived files of the flow
    has $f 'entry tcpflow tcpflow\.test=yes' &&
    has $f 'derived good out/010\.000\.000\.001\.01000-010\.000\.000\.002\.00080-good\.txt size=24 closed=1' &&
    # close reasons: FIN, RST, EOF; the direction left open is closed by shutdown (EOF)
    has $f '^flow 3 dir 1 reason 2 ' && has $f '^flow 5 dir 1 reason 5 ' &&
    # run-level entries and files
    has $f 'entry tcpflow tcpflow\.flows=done' && has $f 'entry good good\.packets=12' &&
    has $f 'derived good out/good-summary\.txt size=19 closed=1' &&
    has out/good-summary.txt '^flows=6 packets=12$'
}

t_derived_safety() {
    plugdir "$TF_WORK/p" good sink
    mkdir out
    base=out/010.000.000.001.01000-010.000.000.002.00080
    echo precious >victim
    echo taken >"$base-good.txt"
    ln -s "$TF_WORK/victim" "$base-good-1.txt"
    ln -s "$TF_WORK/victim" out/good-summary.txt
    drv -P "$TF_WORK/p" -e good -n 1 -o out
    expect_rc 0 || return 1
    has victim '^precious$' && has "$base-good.txt" '^taken$' &&
    has "$base-good-2.txt" '^hello bytes=47' &&
    [ -f out/good-summary.txt ] && [ ! -L out/good-summary.txt ] ||
        fail "run-level file must replace the planted symlink"
    has out/good-summary.txt '^flows=2' &&
    has stderr "derived_open: invalid name suffix '\.\./escape'" &&
    [ "$(grep -c 'invalid name suffix' "$TF_WORK/stderr")" -eq 1 ] ||
        fail "misuse must be logged once per scanner"
    [ -z "$(find out -name '.*tmp*')" ] || fail "temporary files left behind"
}

t_no_outdir() {
    plugdir "$TF_WORK/p" good
    drv -P "$TF_WORK/p" -e good -n 1
    expect_rc 0 && has stderr 'derived_open: no output directory' && has stdout 'derived=0'
}

# Plugins that are not enabled are dlclose()d before any init(): the "mapped" fixture's init
# lists the plugin files of its directory that are still mapped (from /proc/self/maps).
t_unload_disabled() {
    plugdir "$TF_WORK/p" good sink errors mapped wrong_major nosym
    drv -P "$TF_WORK/p" -e mapped -d 3
    expect_rc 0 && has stderr 'mapped: done' &&
    has stderr 'mapped: mapped\.so' && has stderr 'mapped: sink\.so' &&
    hasnt stderr 'mapped: (good|errors|wrong_major|nosym)\.so' &&
    has stderr 'loader: unloaded 2 scanners not enabled: errors, good$' || return 1
    drv -P "$TF_WORK/p" -x all -e good -e mapped
    expect_rc 0 && has stderr 'mapped: done' &&
    has stderr 'mapped: good\.so' && has stderr 'good: init greeting=hello' &&
    hasnt stderr 'mapped: (sink|errors|wrong_major|nosym)\.so' || return 1
    # -H and -S still see the unloaded scanners (names, options and defaults are copies)
    drv -P "$TF_WORK/p" -e mapped -H
    expect_rc 0 && has stdout '^good 1\.0-good .* disabled' &&
    has stdout '-S good\.limit=4k  \(u64; default "4k"\) an unused size' &&
    has stdout '^errors .* disabled' || return 1
    drv -P "$TF_WORK/p" -e mapped -S good.limit=lots
    expect_rc 1 && has stderr "-S good\.limit: 'lots' is not a valid u64" || return 1
    drv -P "$TF_WORK/p" -e mapped -S good.nokey=1
    expect_rc 1 && has stderr "it has: good\.greeting, good\.limit, good\.verbose"
}

t_unload_duplicates() {
    plugdir "$TF_WORK/a" good mapped
    plugdir "$TF_WORK/b" dup_good
    # a refused duplicate is unloaded at once; the one that won stays
    drv -P "$TF_WORK/a" -P "$TF_WORK/b" -e good -e mapped
    expect_rc 0 && has stderr 'mapped: done' && has stderr 'mapped: good\.so' &&
    hasnt stderr 'mapped: dup_good\.so' || return 1
    drv -P "$TF_WORK/b" -P "$TF_WORK/a" -x good -e mapped
    expect_rc 0 && has stderr 'mapped: done' && hasnt stderr 'mapped: (dup_good|good)\.so' ||
        return 1
    # the same file through two directories is one mapping with two users
    drv -P "$TF_WORK/a" -P "$TF_WORK/a/" -e good -e mapped -d 2
    expect_rc 0 && has stderr 'same file as' && has stderr 'mapped: good\.so' || return 1
    drv -P "$TF_WORK/a" -P "$TF_WORK/a/" -e mapped -d 2
    expect_rc 0 && has stderr 'same file as' && has stderr 'mapped: done' &&
    hasnt stderr 'mapped: good\.so'
}

# Commands that disable every scanner without naming one: no plugin file is even opened,
# unless -H or a -S scanner.key needs the descriptors.
t_all_off_not_loaded() {
    plugdir "$TF_WORK/p" good sink wrong_major
    drv -P "$TF_WORK/p" -x all -d 3
    expect_rc 0 && has stdout '^enabled=0 ' &&
    has stderr 'loader: every scanner disabled \(-x all\): 3 plugin files not loaded' &&
    hasnt stderr "scanner '(good|sink)'" && hasnt stderr 'wrong_major' || return 1
    drv -P "$TF_WORK/p" -a -e all -E all -x all -d 3
    expect_rc 0 && has stderr 'every scanner disabled' && hasnt stderr "scanner 'good'" ||
        return 1
    # a command naming a scanner needs the names: files are loaded, then unloaded
    drv -P "$TF_WORK/p" -x nonesuch -x all -d 3
    expect_rc 0 && has stderr '-x nonesuch: no scanner of that name' &&
    has stderr "scanner 'good'" && has stderr 'wrong_major\.so: not loaded' &&
    has stderr 'unloaded 2 scanners not enabled: good, sink' &&
    hasnt stderr 'every scanner disabled' || return 1
    drv -P "$TF_WORK/p" -x all -e good -d 3
    expect_rc 0 && has stdout '^enabled=1 ' && hasnt stderr 'every scanner disabled' || return 1
    drv -P "$TF_WORK/p" -x all -H
    expect_rc 0 && has stdout '^good .* disabled' && has stdout '^sink .* disabled' &&
    has stdout "not loaded: $TF_WORK/p/wrong_major\.so" || return 1
    drv -P "$TF_WORK/p" -x all -S good.limit=lots
    expect_rc 1 && has stderr "-S good\.limit: 'lots' is not a valid u64" || return 1
    drv -P "$TF_WORK/p" -x all -S good.limit=2k -d 3
    expect_rc 0 && has stdout '^enabled=0 ' &&
    has stderr 'unloaded 2 scanners not enabled: good, sink' || return 1
    # directories are still searched and checked at start
    drv -P "$TF_WORK/missing" -x all
    expect_rc 1 && has stderr "plugin directory $TF_WORK/missing: No such file or directory"
}

plan 21
run_test "good: loads via -P, -H shows name, version, ABI, path, options" t_good_lists
run_test "wrong ABI major: refused with one line naming both versions; fatal only with -e" t_wrong_major
run_test "newer ABI minor: refused (documented policy); fatal only with -e" t_newer_minor
run_test "missing descriptor symbol: refused; fatal only with -e" t_nosym
run_test "invalid scanner name: refused" t_bad_name
run_test "duplicate name: first found wins, warning names both paths" t_duplicate
run_test "-e of an unknown scanner lists the available ones" t_unknown_e
run_test "-x of an unknown scanner is a warning" t_unknown_x
run_test "-E / -a / -e all / -x all, in order; NO_ALL honoured" t_enable_cmds
run_test "-S scanner.key=value: typed, checked, unknown scanner/key refused" t_settings
run_test "a scanner returning errors is detached per flow, counted, logged once" t_errors_detached
run_test "init failure is fatal and names the plugin" t_initfail
run_test "unsafe files/dirs, symlinks, relative and missing -P refused" t_unsafe
run_test "TCPFLOW_PLUGIN_PATH: absolute entries only, after -P" t_env_path
run_test "compiled-in plugin directory searched last, may be absent" t_builtin_dir
run_test "dispatch contract: order, gaps, stream at close, sinks last, exactly-once close" t_dispatch_contract
run_test "derived files: O_EXCL, -N on collision, symlinks never followed, atomic run files" t_derived_safety
run_test "no output directory: derived_open fails cleanly" t_no_outdir
run_test "plugins not enabled are unloaded before init; -H and -S still see them" t_unload_disabled
run_test "refused duplicates unloaded at once; one file via two directories stays mapped" t_unload_duplicates
run_test "-x all: plugin files not loaded at all (unless -H or -S scanner.key)" t_all_off_not_loaded
done_testing
