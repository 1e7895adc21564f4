#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tcpflow benchmark driver (python3 stdlib only); started by bench/run.sh, see README.md.

For each capture shape: generate the capture (cached in SCRATCH/caps); for each tool (our
tcpflow once per --jobs value, Debian's tcpflow 1.6.1, the writefloor write floor, the
pcapread ceiling) do one warm-up run that also samples the open descriptors; then RUNS rounds
of timed runs, the tool order reversed every other round (A B C, C B A, ...) so that slow
drift of the machine hits every tool alike. Before each timed run the tool's previous output
is removed and `sync` is called; for shapes that create many files, the run starts --settle
seconds after the last removal (ext4 charges file creation for recently deleted inodes; see
README.md). Prints one table row per tool, the ratios, and cmp's the flow files of each
"ours" row and of the write floor against 1.6.1's.
"""
import argparse
import filecmp
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

FULL = dict(huge_mb=1024, huge_flows=4, short_conns=1000000, inter_mb=500, inter_flows=5000,
            http_conns=6000, http_reqs=5)
QUICK = dict(huge_mb=100, huge_flows=4, short_conns=50000, inter_mb=50, inter_flows=2000,
             http_conns=600, http_reqs=5)
SHAPES = ("huge", "short", "interleaved", "http")
OLD = "tcpflow-1.6.1"
CEIL = "pcapread"
FLOOR = "writefloor"
READ_BUFFER = 128 << 10     # PCAPIN_READ_BUFFER in core/pcapin.c
# ext4 without a journal does not reuse an inode within 60 s of its deletion (RECENTCY_MIN in
# fs/ext4/ialloc.c, Linux >= 5.7; 300 s more while the inode table block is dirty, hence the
# sync), and scanning past such inodes costs ~0.5 ms per file creation. 62 s clears it.
SETTLE_DEFAULT = 62.0
SETTLE_MIN_FILES = 1000     # settle only for shapes whose output has more files than this
RAM_FS = ("tmpfs", "ramfs")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def capture(args, scratch, shape):
    """Generates (once) the capture of a shape; returns its path."""
    if shape == "huge":
        name, extra = "huge-%dmb-%df" % (args.huge_mb, args.huge_flows), \
            ["--size-mb", str(args.huge_mb), "--flows", str(args.huge_flows)]
    elif shape == "short":
        name, extra = "short-%dc" % args.short_conns, ["--conns", str(args.short_conns)]
    elif shape == "interleaved":
        name, extra = "interleaved-%dmb-%df" % (args.inter_mb, args.inter_flows), \
            ["--size-mb", str(args.inter_mb), "--flows", str(args.inter_flows)]
    else:
        name, extra = "http-%dc-%dr" % (args.http_conns, args.http_reqs), \
            ["--conns", str(args.http_conns), "--reqs", str(args.http_reqs)]
    path = os.path.join(scratch, "caps", name + ".pcap")
    if not os.path.exists(path):
        log("generating %s ..." % path)
        tmp = path + ".tmp"
        subprocess.run([sys.executable, os.path.join(HERE, "gencap.py"), shape, tmp] + extra,
                       check=True)
        os.rename(tmp, path)
    return path


def build_helper(scratch, name):
    """Builds bench/NAME.c into SCRATCH/NAME with `$CC -O2 ... -lpcap` unless the executable
    is newer than the source; returns its path."""
    exe = os.path.join(scratch, name)
    src = os.path.join(HERE, name + ".c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-O2", "-o", exe, src, "-lpcap"], check=True)
    return exe


def build_ceiling(scratch):
    """The ceiling: pcapread.c, a bare libpcap read loop that writes nothing."""
    return build_helper(scratch, CEIL)


def build_floor(scratch):
    """The write floor: writefloor.c, one pwrite() per TCP payload into tcpflow-named files."""
    return build_helper(scratch, FLOOR)


def clean(out):
    if os.path.lexists(out):
        shutil.rmtree(out)


def count_files(d, stop=None):
    """Number of files under d (counting stops once above `stop`, when given)."""
    n = 0
    for _, _, files in os.walk(d):
        n += len(files)
        if stop is not None and n > stop:
            break
    return n


def fs_type(path):
    return subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True,
                          text=True).stdout.strip()


def warm(path):
    with open(path, "rb") as fp:
        while fp.read(1 << 22):
            pass


def last_line(text):
    lines = [x for x in text.strip().split("\n") if x.strip()]
    return lines[-1][:200] if lines else ""


def sample_fds(cmd, errfile):
    """Runs cmd once, polling /proc/PID/fd every ~1 ms (the descriptor table is per process,
    so a multi-threaded run is covered too). Returns (max fds seen, exit code, stderr's last
    line)."""
    with open(errfile, "wb") as err:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        fddir = "/proc/%d/fd" % p.pid
        best = 0
        while p.poll() is None:
            try:
                best = max(best, len(os.listdir(fddir)))
            except OSError:
                pass
            time.sleep(0.001)
    with open(errfile, "rb") as fp:
        text = fp.read().decode(errors="replace")
    return best, p.returncode, last_line(text)


def timed(cmd, tf):
    """One run under /usr/bin/time. Returns (wall seconds, peak RSS KiB, exit code, stderr).
    %M is the process's ru_maxrss: one figure for all its threads."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    with open(tf) as fp:
        lines = [x for x in fp.read().split("\n") if x.strip()]
    rss = int(lines[-1]) if lines and lines[-1].strip().isdigit() else 0
    return wall, rss, p.returncode, p.stderr.decode(errors="replace")


class Tool:
    """One row of a shape's table: a name, a command line template and an output dir."""

    def __init__(self, name, argv, out, jobs=None, writes=True):
        self.name, self.argv, self.out, self.jobs, self.writes = name, argv, out, jobs, writes

    def cmd(self, cap):
        return [self.out if a == "OUT" else cap if a == "CAP" else a for a in self.argv]


def new_result(tool):
    return dict(tool=tool.name, jobs=tool.jobs, wall=None, walls=[], rss=0, fds=None, rc=None,
                err="", skipped=None)


class Outputs:
    """Removes output directories and keeps the time of the last removal, so that a timed
    run of a file-heavy shape starts at least `settle` seconds after it. With defer, a
    directory is renamed into a trash directory instead (no inode is freed, so no wait is
    needed) and the trash is emptied once per shape."""

    def __init__(self, parent, settle, defer):
        self.settle, self.defer = settle, defer
        self.trash = os.path.join(parent, "trash")
        self.n = 0
        self.last_delete = None
        self.waited = 0.0
        self.empty_trash()

    def remove(self, out):
        if not os.path.lexists(out):
            return
        if self.defer:
            os.makedirs(self.trash, exist_ok=True)
            self.n += 1
            os.rename(out, os.path.join(self.trash, "%d" % self.n))
            return
        clean(out)
        os.sync()
        self.last_delete = time.monotonic()

    def empty_trash(self):
        if os.path.lexists(self.trash):
            clean(self.trash)
            os.sync()
            self.last_delete = time.monotonic()

    def prepare(self, tool, many_files):
        """Before a timed run: remove the tool's previous output and, when the shape
        creates many files, wait until `settle` seconds have passed since the last
        removal."""
        if not tool.writes:
            return
        self.remove(tool.out)
        if self.settle <= 0 or not many_files or self.last_delete is None:
            return
        wait = self.settle - (time.monotonic() - self.last_delete)
        if wait > 0:
            log("  settling %.0f s before %s" % (wait, tool.name))
            time.sleep(wait)
            self.waited += wait


def measure_shape(tools, cap, runs, scratch, do_fds, outs):
    """Warm-up runs (and fd sampling) for every tool, then `runs` rounds of timed runs,
    alternating the tool order. Returns ({name: result}, whether a warm-up output had more
    than SETTLE_MIN_FILES files)."""
    tf = os.path.join(scratch, "time.out")
    errf = os.path.join(scratch, "stderr.out")
    res = {t.name: new_result(t) for t in tools}
    nfiles = 0
    for t in tools:
        r = res[t.name]
        outs.remove(t.out)
        log("  warm-up: %s" % t.name)
        if do_fds:
            r["fds"], rc, err = sample_fds(t.cmd(cap), errf)
        else:
            with open(errf, "wb") as ef:
                rc = subprocess.run(t.cmd(cap), stdout=subprocess.DEVNULL, stderr=ef).returncode
            with open(errf, "rb") as fp:
                err = last_line(fp.read().decode(errors="replace"))
        if rc == 2 and t.jobs is not None and t.jobs > 1:
            # Our -j option is missing (older binary) or refuses N: report and move on.
            r.update(rc=rc, err=err, skipped="usage error (exit 2): " + err)
            outs.remove(t.out)
            continue
        if t.writes:
            nfiles = max(nfiles, count_files(t.out, SETTLE_MIN_FILES))
    many = nfiles > SETTLE_MIN_FILES
    live = [t for t in tools if res[t.name]["skipped"] is None]
    for rnd in range(runs):
        order = live if rnd % 2 == 0 else list(reversed(live))
        for t in order:
            r = res[t.name]
            outs.prepare(t, many)
            log("  run %d/%d: %s" % (rnd + 1, runs, t.name))
            wall, rss, rc, err = timed(t.cmd(cap), tf)
            r["walls"].append(round(wall, 4))
            if r["wall"] is None or wall < r["wall"]:
                r["wall"] = wall
            r["rss"] = max(r["rss"], rss)
            r["rc"] = rc
            if rc != 0:
                r["err"] = last_line(err)
    return res, many


def flow_files(d):
    names = set()
    for root, _, files in os.walk(d):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), d)
            if rel != "report.xml":
                names.add(rel)
    return names


def compare(a, b, a_name="ours"):
    """Compares the flow files (all but report.xml) of dirs a (a_name's) and b (1.6.1's).
    Returns a sentence."""
    na, nb = flow_files(a), flow_files(b)
    if na != nb:
        only_a, only_b = sorted(na - nb), sorted(nb - na)
        return ("DIFFERENT file sets: %d only in %s %s, %d only in 1.6.1 %s"
                % (len(only_a), a_name, only_a[:3], len(only_b), only_b[:3]))
    bad = [n for n in sorted(na)
           if not filecmp.cmp(os.path.join(a, n), os.path.join(b, n), shallow=False)]
    if bad:
        return "DIFFERENT contents in %d of %d flow files, e.g. %s" % (len(bad), len(na), bad[:3])
    return "identical: %d flow files, cmp byte for byte" % len(na)


def fmt_row(cells, widths):
    return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"


def rule(widths):
    return "|" + "|".join("-" * (w + 2) for w in widths) + "|"


def ratio(a, b, fmt="%.2fx"):
    """a / b formatted, or '-' when either is missing."""
    if a is None or b is None or b <= 0:
        return "-"
    return fmt % (a / b)


def scanners_of(ours, plugin_dir):
    """The scanners our tcpflow enables by default, from `tcpflow [-P DIR] -H`."""
    argv = [ours] + (["-P", plugin_dir] if plugin_dir else []) + ["-H"]
    p = subprocess.run(argv, capture_output=True, text=True)
    on = []
    for line in (p.stdout + p.stderr).split("\n"):
        # "dfxml 1.0 (ABI 1.0) enabled, report sink"
        m = re.match(r"(\S+) \S+ \(ABI [^)]*\) enabled\b,? *(.*)$", line)
        if m:
            on.append(m.group(1) + (" (%s)" % m.group(2) if m.group(2) else ""))
    return on


def parse_jobs(text, ap):
    try:
        jobs = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        ap.error("--jobs takes a comma list of integers, e.g. 1,2,4")
    if not jobs or any(j < 1 for j in jobs):
        ap.error("--jobs takes a comma list of integers >= 1")
    return list(dict.fromkeys(jobs))


def write_json(path, doc):
    """Writes doc atomically (temporary file in the same directory, then rename)."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".bench-", suffix=".json", dir=d)
    with os.fdopen(fd, "w") as fp:
        json.dump(doc, fp, indent=2, sort_keys=False)
        fp.write("\n")
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    os.rename(tmp, path)


def parse_args():
    ap = argparse.ArgumentParser(description="tcpflow benchmark (see bench/README.md)")
    ap.add_argument("--quick", action="store_true", help="small captures (~50-100 MB each)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool (best is kept)")
    ap.add_argument("--scratch", default=os.environ.get("BENCH_SCRATCH", "/var/tmp/tcpflow-bench"),
                    help="captures and output go here (not the repository)")
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma list of " + ",".join(SHAPES))
    ap.add_argument("--tcpflow", default=os.environ.get("TCPFLOW", "./tcpflow"), help="ours")
    ap.add_argument("--plugin-dir", default=None,
                    help="passed to ours as -P DIR (default: DIR/plugins/.libs next to an "
                         "uninstalled --tcpflow when it exists; '' passes nothing)")
    ap.add_argument("--jobs", default="1,2",
                    help="comma list: one 'ours -jN' row per value; N=1 runs without -j "
                         "(default 1,2)")
    ap.add_argument("--ours-args", default="",
                    help="extra arguments for our tcpflow, split on blanks (e.g. "
                         "'-S dfxml.hash=none': 1.6.1 hashes nothing, ours sha256 by default)")
    ap.add_argument("--old", default=os.environ.get("OLD_TCPFLOW", "/usr/bin/tcpflow"),
                    help="tcpflow 1.6.1 ('' to skip)")
    ap.add_argument("--outdir-parent", default=None,
                    help="make the output dirs here instead of in SCRATCH (default: SCRATCH, "
                         "the captures' filesystem)")
    ap.add_argument("--settle", type=float, default=None,
                    help="seconds to wait after removing an output dir before a timed run of "
                         "a shape that creates over %d files (default: 0 when the output dirs "
                         "are on tmpfs, else %.0f)" % (SETTLE_MIN_FILES, SETTLE_DEFAULT))
    ap.add_argument("--defer-delete", action="store_true",
                    help="move each output dir into OUTDIR-PARENT/trash instead of deleting "
                         "it, and empty the trash once per shape: one settle per shape "
                         "instead of one per timed run, at the cost of disk space for every "
                         "run's output of a shape")
    ap.add_argument("--json", default=None, metavar="FILE",
                    help="also write every figure to FILE as JSON (rewritten after each shape)")
    ap.add_argument("--no-fds", action="store_true", help="skip descriptor sampling")
    ap.add_argument("--no-compare", action="store_true", help="skip the output comparison")
    ap.add_argument("--no-floor", action="store_true",
                    help="skip the writefloor row (one pwrite() per TCP payload, no "
                         "reassembly: the least a per-packet writer pays)")
    for k, v in FULL.items():
        ap.add_argument("--" + k.replace("_", "-"), type=int, default=None,
                        help="default %d (quick %d)" % (v, QUICK[k]))
    args = ap.parse_args()
    base = QUICK if args.quick else FULL
    for k, v in base.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    args.shape_list = [s for s in args.shapes.split(",") if s]
    for s in args.shape_list:
        if s not in SHAPES:
            ap.error("unknown shape %s" % s)
    args.jobs_list = parse_jobs(args.jobs, ap)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.settle is not None and args.settle < 0:
        ap.error("--settle must be >= 0")
    return ap, args


def make_tools(ours, plugin_dir, jobs_list, old, ceiling, outp, scratch, ours_args=(),
               floor=None):
    """The rows of every shape: ours per -j value, 1.6.1 (if old), the write floor (if
    floor) and the ceiling. The writing tools' output dirs are all under outp."""
    tools = []
    base = [ours] + (["-P", plugin_dir] if plugin_dir else []) + list(ours_args)
    for j in jobs_list:
        extra = ["-j", str(j)] if j > 1 else []
        tools.append(Tool("ours -j%d" % j, base + extra + ["-o", "OUT", "-r", "CAP"],
                          os.path.join(outp, "out-ours-j%d" % j), jobs=j))
    if old:
        tools.append(Tool(OLD, [old, "-o", "OUT", "-r", "CAP"], os.path.join(outp, "out-old")))
    if floor:
        tools.append(Tool(FLOOR, [floor, "CAP", "OUT"], os.path.join(outp, "out-floor")))
    # the same 128 KiB stdio buffer ours reads with (core/pcapin.c); libpcap's default 4 KiB
    # makes the loop ~30% slower and the ceiling easier to approach
    tools.append(Tool(CEIL, [ceiling, "-B", str(READ_BUFFER), "CAP"],
                      os.path.join(scratch, "out-none"), writes=False))
    return tools


def floor_wall(res):
    """The write floor's best wall time, or None when it was not run or its last run
    failed (a failed run is no floor)."""
    r = res.get(FLOOR)
    if r is None or r["wall"] is None or r["rc"] != 0:
        return None
    return r["wall"]


def report_floor(res, o_wall, f_wall):
    """Prints the shape's write-floor lines: 1.6.1 against the floor, and the best
    throughput ratio over 1.6.1 that a per-packet writer could reach (1.6.1 wall / floor
    wall). Returns the shape-level JSON fields (None where not measured)."""
    fields = dict(floor_wall=round(f_wall, 4) if f_wall else None, old_vs_floor=None,
                  floor_vs_old=None)
    r = res.get(FLOOR)
    if r is None or r["skipped"]:
        return fields
    if f_wall is None:
        print("(no %s ratios: its last run exited with %s)" % (FLOOR, r["rc"]))
        return fields
    if o_wall:
        fields["old_vs_floor"] = round(f_wall / o_wall, 4)
        fields["floor_vs_old"] = round(o_wall / f_wall, 4)
        print("ratios: 1.6.1/%s throughput %.2fx (%s wall / 1.6.1 wall)"
              % (FLOOR, fields["old_vs_floor"], FLOOR))
        print("a per-packet writer's best vs 1.6.1: %.2fx (1.6.1 wall / %s wall)"
              % (fields["floor_vs_old"], FLOOR))
    return fields


def report_shape(shape, cap, size, tools, res, old, jobs_list, args):
    """Prints a shape's table, ratios and comparison; returns the summary rows, the JSON
    records of the ours rows and the shape-level write-floor fields."""
    mb = size / 1e6
    widths = (14, 8, 9, 11, 7, 4)
    print(fmt_row(("tool", "wall s", "MB/s", "peak RSS MB", "max fds", "exit"), widths))
    print(rule(widths))
    for t in tools:
        r = res[t.name]
        if r["skipped"]:
            print(fmt_row((t.name, "-", "-", "-", "-", r["rc"]), widths))
            print("  (%s not run: %s)" % (t.name, r["skipped"]))
            continue
        print(fmt_row((t.name, "%.3f" % r["wall"], "%.1f" % (mb / r["wall"]),
                       "%.1f" % (r["rss"] / 1024.0), "-" if r["fds"] is None else r["fds"],
                       r["rc"]), widths))
        if r["err"]:
            print("  (%s exit %s: %s)" % (t.name, r["rc"], r["err"]))
    o_res = res.get(OLD) if old else None
    c_res = res[CEIL]
    o_wall = o_res["wall"] if o_res else None
    f_wall = floor_wall(res)
    j1 = res.get("ours -j1")
    rows, recs = [], []
    for j in jobs_list:
        name = "ours -j%d" % j
        r = res[name]
        ok = r["wall"] is not None
        rec = dict(jobs=j, ran=ok, skipped=r["skipped"])
        if ok:
            rec["mb_per_s"] = round(mb / r["wall"], 2)
            rec["ceiling_fraction"] = round(c_res["wall"] / r["wall"], 4)
            parts = []
            if o_res and o_res["wall"]:
                rec["vs_old_throughput"] = round(o_res["wall"] / r["wall"], 4)
                rec["vs_old_rss"] = round(r["rss"] / max(o_res["rss"], 1), 4)
                parts.append("%s/1.6.1 throughput %.2fx, peak RSS %.2fx"
                             % (name, rec["vs_old_throughput"], rec["vs_old_rss"]))
            parts.append("%s/ceiling throughput %.3f" % (name, rec["ceiling_fraction"]))
            if f_wall:
                rec["vs_floor"] = round(f_wall / r["wall"], 4)
                parts.append("%s/%s throughput %.2fx" % (name, FLOOR, rec["vs_floor"]))
            if j > 1 and j1 and j1["wall"]:
                rec["scaling"] = round(j1["wall"] / r["wall"], 4)
                parts.append("scaling (-j1 wall / -j%d wall) %.2fx" % (j, rec["scaling"]))
            print("ratios: " + "; ".join(parts))
        rows.append([shape, j, "%.1f" % mb,
                     "%.1f" % (mb / r["wall"]) if ok else "-",
                     "%.1f" % (mb / o_res["wall"]) if o_res and o_res["wall"] else "-",
                     ratio(o_res["wall"], r["wall"]) if ok and o_res else "-",
                     ratio(r["rss"], max(o_res["rss"], 1)) if ok and o_res else "-",
                     "%.0f%%" % (100.0 * c_res["wall"] / r["wall"]) if ok else "-",
                     ratio(j1["wall"], r["wall"]) if ok and j > 1 and j1 else "-",
                     ratio(f_wall, r["wall"]) if ok else "-",
                     ratio(f_wall, o_wall), ratio(o_wall, f_wall)])
        recs.append(rec)
    fields = report_floor(res, o_wall, f_wall)
    if old and o_res and o_res["wall"] and not args.no_compare:
        old_out = [t.out for t in tools if t.name == OLD][0]
        for t in tools:
            if (t.jobs is not None or t.name == FLOOR) and res[t.name]["wall"] is not None:
                line = compare(t.out, old_out, "ours" if t.jobs is not None else t.name)
                res[t.name]["compare"] = line
                print("outputs of %s and 1.6.1: %s" % (t.name, line))
    return rows, recs, fields


def main():
    ap, args = parse_args()
    ours = os.path.abspath(args.tcpflow)
    if not os.access(ours, os.X_OK):
        ap.error("our tcpflow not found at %s (set TCPFLOW or --tcpflow)" % ours)
    if args.plugin_dir is None:
        cand = os.path.join(os.path.dirname(ours), "plugins", ".libs")
        plugin_dir = cand if os.path.isdir(cand) else None
    else:
        plugin_dir = os.path.abspath(args.plugin_dir) if args.plugin_dir else None
    old = args.old if args.old and os.access(args.old, os.X_OK) else None
    scratch = os.path.abspath(args.scratch)
    os.makedirs(os.path.join(scratch, "caps"), exist_ok=True)
    ceiling = build_ceiling(scratch)
    floor = None if args.no_floor else build_floor(scratch)
    outp = os.path.abspath(args.outdir_parent) if args.outdir_parent else scratch
    os.makedirs(outp, exist_ok=True)
    fs, ofs = fs_type(scratch), fs_type(outp)
    settle = args.settle if args.settle is not None else \
        (0.0 if ofs in RAM_FS else SETTLE_DEFAULT)
    outs = Outputs(outp, settle, args.defer_delete)
    tools = make_tools(ours, plugin_dir, args.jobs_list, old, ceiling, outp, scratch,
                       args.ours_args.split(), floor)
    scanners = scanners_of(ours, plugin_dir)

    ver = subprocess.run([ours, "-V"], capture_output=True, text=True).stdout.split("\n")[0]
    print("# tcpflow benchmark: %s, %d timed runs (best kept, tool order alternating) + 1 "
          "warm-up/fd-sampling run" % ("quick" if args.quick else "full", args.runs))
    print("# ours: %s (%s); 1.6.1: %s; ceiling: %s; write floor: %s"
          % (ours, ver, old or "skipped", ceiling, floor or "skipped (--no-floor)"))
    print("# host: %s, %d CPUs; captures in %s (%s); output dirs in %s (%s)"
          % (platform.platform(), os.cpu_count(), scratch, fs, outp, ofs))
    if settle > 0:
        print("# settle: timed runs of shapes with over %d output files start at least %.0f s "
              "after the last removal of an output dir%s" % (
                  SETTLE_MIN_FILES, settle,
                  "; removals deferred to the end of each shape" if args.defer_delete else ""))
    else:
        print("# settle: none (%s)" % ("output on %s" % ofs if ofs in RAM_FS else "--settle 0"))
    print("# command: %s" % shlex.join(sys.argv))
    print("# tool commands (OUT = output dir, CAP = capture):")
    for t in tools:
        print("#   %-14s %s" % (t.name + ":", shlex.join(t.argv)))
    print("# ours scanners enabled by default: %s%s"
          % (", ".join(scanners) if scanners else "none found",
             "" if plugin_dir else " (no -P: installed plugin dir and $TCPFLOW_PLUGIN_PATH)"))
    if not any(x.startswith("dfxml") for x in scanners):
        print("# WARNING: ours writes no report.xml (dfxml scanner not found), 1.6.1 does: "
              "the comparison favours ours (see --plugin-dir)")
    print()
    doc = dict(kind="tcpflow-bench", version=1, started=time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                         time.gmtime()),
               argv=sys.argv, quick=args.quick, runs=args.runs, ours=ours, ours_version=ver,
               plugin_dir=plugin_dir, scanners=scanners, old=old, ceiling=ceiling, floor=floor,
               host=platform.platform(), cpus=os.cpu_count(), scratch=scratch, scratch_fs=fs,
               outdir_parent=outp, outdir_fs=ofs, settle_s=settle,
               defer_delete=args.defer_delete, jobs=args.jobs_list,
               commands={t.name: t.argv for t in tools}, shapes=[])
    summary = []
    for shape in args.shape_list:
        cap = capture(args, scratch, shape)
        size = os.path.getsize(cap)
        warm(cap)
        print("## %s: %s, %.1f MB" % (shape, os.path.basename(cap), size / 1e6), flush=True)
        log("%s:" % shape)
        waited = outs.waited
        res, many = measure_shape(tools, cap, args.runs, scratch, not args.no_fds, outs)
        rows, recs, floor_fields = report_shape(shape, cap, size, tools, res, old,
                                                args.jobs_list, args)
        for t in tools:
            outs.remove(t.out)
        outs.empty_trash()
        summary += rows
        print(flush=True)
        doc["shapes"].append(dict(
            shape=shape, capture=cap, bytes=size, many_files=many,
            settle_applies=many and settle > 0, settle_waited_s=round(outs.waited - waited, 1),
            tools=[res[t.name] for t in tools], ours=recs, **floor_fields))
        if args.json:
            write_json(args.json, doc)
    sw = (12, 4, 9, 10, 11, 12, 13, 10, 8, 10, 11, 11)
    print("## summary")
    print(fmt_row(("shape", "-j", "cap MB", "ours MB/s", "1.6.1 MB/s", "ours/1.6.1",
                   "RSS ours/old", "% ceiling", "scaling", "ours/floor", "1.6.1/floor",
                   "floor/1.6.1"), sw))
    print(rule(sw))
    for row in summary:
        print(fmt_row(row, sw))
    if args.json:
        doc["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        write_json(args.json, doc)
        print("\n# figures also written to %s" % os.path.abspath(args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
