#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/fuzz/privdrop.sh: RELIABILITY.md §7 item 35, privilege dropping. Needs root and a
# `nobody` account (skipped otherwise).
#   a  -U nobody as root: the output directory, flow files and report.xml are owned by nobody
#   b  while running, the process has nobody's uid, gid and supplementary groups (from
#      /proc/PID/status, on a paced capture read from stdin)
#   c  -U nobody still reads a capture only root can read: the input is opened before the drop
#      (the -U help line: "drop privileges to USER after opening the input"; tcpflow 1.6.1)
#   d  -z DIR without -U is rejected (usage error naming -U), nothing created
#   e  -z DIR -U nobody: the capture opened before the chroot, the output inside DIR, owned by
#      nobody
#   f  -U no-such-user: exit 1 naming the user, no output directory created
#   item 36 (the part tests/plugins/loader.sh cannot do without root): a plugin file, and a
#      plugin directory, owned by another user (nobody) are refused when running as root
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
. "$here/../lib.sh"

[ "$(id -u)" = 0 ] || skip_all "not root"
NOBODY_UID=$(id -u nobody 2>/dev/null) || skip_all "no 'nobody' account"
NOBODY_GID=$(id -g nobody)
[ -x "$TCPFLOW" ] || skip_all "no tcpflow binary at $TCPFLOW"
gencap flow-eth || skip_all "python3 / mkcaps.py unavailable"
CAP=$(gen flow-eth.pcap)

# nobody must be able to reach and write the work directory.
open_work() {
    d=$TF_WORK
    while [ "$d" != / ]; do
        [ -x "$d" ] || return 1
        d=$(dirname -- "$d")
    done
    chmod 1777 "$TF_WORK"
}
# owned_by_nobody DIR: every file and directory under DIR (DIR included) belongs to nobody.
owned_by_nobody() {
    bad=$(find "$1" \( ! -uid "$NOBODY_UID" -o ! -gid "$NOBODY_GID" \) -printf '%u:%g %p\n' | head -n 5)
    [ -z "$bad" ] && return 0
    diag "not owned by nobody:" "$bad"
    return 1
}
# todo_not_ok DESC REASON: a known bug (TAP TODO, counted as XFAIL).
todo_not_ok() {
    tap_n=$((tap_n + 1))
    printf 'not ok %d - %s # TODO %s\n' "$tap_n" "$(_tf_desc_esc "$1")" "$(_tf_desc_esc "$2")"
}
# run_todo DESC REASON FUNCTION: like run_test, but a failure is a TODO (known bug).
run_todo() {
    _d=$1 _r=$2
    shift 2
    _tf_test_seq=$((_tf_test_seq + 1))
    TF_WORK=$TF_TMP/t$(printf '%03d' "$_tf_test_seq")
    rm -rf -- "$TF_WORK"
    mkdir -p -- "$TF_WORK"
    ( cd -- "$TF_WORK" && "$@" )
    case $? in
        0) ok "$_d" ;;
        77) skip "$_d" "$(cat -- "$TF_WORK/.skip" 2>/dev/null)" ;;
        *) todo_not_ok "$_d" "$_r" ;;
    esac
    rm -rf -- "$TF_WORK"
}

t_a() {
    open_work || tf_skip "nobody cannot reach $TF_WORK"
    tf_tcpflow -U nobody -o "$TF_WORK/out" -r "$CAP"
    expect_rc 0 || return 1
    [ "$(nonempty_count "$TF_WORK/out")" -eq 2 ] || fail "expected 2 flow files, got $(nonempty_count "$TF_WORK/out")"
    owned_by_nobody "$TF_WORK/out" || return 1
    if [ -f "$TF_WORK/out/report.xml" ]; then xml_wellformed "$TF_WORK/out/report.xml" || return 1; fi
}
run_test "item 35a: -U nobody as root: output directory, flow files and report owned by nobody" t_a

t_b() {
    open_work || tf_skip "nobody cannot reach $TF_WORK"
    "$PYTHON" - "$TCPFLOW" "$TF_MKCAPS" "$TF_SLOW" >result <<'PY'
import subprocess, sys, time
tcpflow, mkcaps, slow = sys.argv[1], sys.argv[2], float(sys.argv[3])
prod = subprocess.Popen([sys.executable, mkcaps, "--stream", "2000"], stdout=subprocess.PIPE)
tf = subprocess.Popen([tcpflow, "-U", "nobody", "-o", "out", "-r", "-"], stdin=prod.stdout,
                      stdout=subprocess.DEVNULL, stderr=open("stderr.txt", "wb"))
prod.stdout.close()
time.sleep(1.0 * slow)
st = {}
try:
    for line in open("/proc/%d/status" % tf.pid):
        k, _, v = line.partition(":")
        st[k] = " ".join(v.split())
except OSError:
    pass
tf.terminate()
try:
    tf.wait(timeout=5 * slow)
except subprocess.TimeoutExpired:
    tf.kill(); tf.wait()
prod.kill(); prod.wait()
print(st.get("Uid", "-"), "|", st.get("Gid", "-"), "|", st.get("Groups", "-") or "none")
PY
    cp stderr.txt "$TF_WORK/stderr" 2>/dev/null
    IFS='|' read -r uids gids groups <result
    diag "Uid: $uids  Gid: $gids  Groups: $groups"
    want_u="$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
    want_g="$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID"
    [ "$(echo $uids)" = "$want_u" ] || fail "real/effective/saved/fs uid are not all nobody's ($NOBODY_UID)"
    [ "$(echo $gids)" = "$want_g" ] || fail "real/effective/saved/fs gid are not all nobody's ($NOBODY_GID)"
    for g in $groups; do
        [ "$g" = none ] && continue
        id -G nobody | tr ' ' '\n' | grep -qx "$g" || fail "supplementary group $g is not one of nobody's"
    done
}
run_test "item 35b: after -U nobody the process has nobody's uid, gid and groups (saved ids too)" t_b

t_c() {
    open_work || tf_skip "nobody cannot reach $TF_WORK"
    cp -- "$CAP" "$TF_WORK/secret.pcap"
    chmod 600 "$TF_WORK/secret.pcap"
    tf_tcpflow -U nobody -o "$TF_WORK/out" -r "$TF_WORK/secret.pcap"
    expect_rc 0 || return 1
    [ "$(nonempty_count "$TF_WORK/out")" -eq 2 ] || fail "expected 2 flow files"
    owned_by_nobody "$TF_WORK/out"
}
run_todo "item 35c: -U nobody reads a root-only capture (opened before the privileges are dropped)" \
    "core/main.c opens the -r files again after main_drop_privileges(): Permission denied, exit 1, and an output directory with report.xml is left behind" t_c

t_d() {
    mkdir root
    tf_tcpflow -z "$TF_WORK/root" -o "$TF_WORK/out" -r "$CAP"
    expect_rc 2 || return 1
    grep -q -- '-U' "$TF_WORK/stderr" || fail "the error does not mention -U: $(head -n 1 "$TF_WORK/stderr")"
    [ ! -e "$TF_WORK/out" ] && [ -z "$(ls root)" ] || fail "something was created"
}
run_test "item 35d: -z without -U is rejected (usage error naming -U), nothing created" t_d

t_e() {
    open_work || tf_skip "nobody cannot reach $TF_WORK"
    mkdir root
    chmod 1777 root
    tf_tcpflow -z "$TF_WORK/root" -U nobody -o /out -r "$CAP"
    expect_rc 0 || return 1
    [ "$(nonempty_count root/out)" -eq 2 ] || fail "expected 2 flow files under DIR/out"
    owned_by_nobody root/out
}
run_todo "item 35e: -z DIR -U nobody: capture opened before the chroot, output inside DIR owned by nobody" \
    "core/main.c opens the -r files after chroot(): the path is looked up inside DIR ('cannot open: No such file or directory'), exit 1, DIR/out created" t_e

t_f() {
    tf_tcpflow -U tcpflow-no-such-user -o "$TF_WORK/out" -r "$CAP"
    expect_rc 1 || return 1
    stderr_names tcpflow-no-such-user || return 1
    [ ! -e "$TF_WORK/out" ] || fail "an output directory was created"
}
run_test "item 35f: -U with an unknown user: exit 1 naming it, no output directory" t_f

t_owner() {
    src=${TCPFLOW_TEST_PLUGIN_DIR:-$TF_BUILDDIR/plugins/.libs}
    [ -f "$src/http.so" ] || tf_skip "http plugin not built"
    mkdir p q
    cp -- "$src/http.so" p/
    chown nobody p/http.so
    TCPFLOW_PLUGIN_PATH= tf_tcpflow -P "$TF_WORK/p" -e http -o "$TF_WORK/out" -r "$CAP"
    expect_rc 1 || return 1
    grep -q 'http\.so: not loaded: not owned by root or the effective user' "$TF_WORK/stderr" ||
        fail "no refusal naming http.so and its owner: $(head -n 2 "$TF_WORK/stderr")"
    cp -- "$src/http.so" q/
    chown nobody q
    TCPFLOW_PLUGIN_PATH= tf_tcpflow -P "$TF_WORK/q" -e http -o "$TF_WORK/out2" -r "$CAP"
    expect_rc 1 || return 1
    grep -q "plugin directory $TF_WORK/q refused: not owned by root or the effective user" "$TF_WORK/stderr" ||
        fail "no refusal naming the directory and its owner: $(head -n 2 "$TF_WORK/stderr")"
}
run_test "item 36: a plugin file or directory owned by another user is refused (as root)" t_owner
done_testing
