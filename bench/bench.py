#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tcpflow benchmark driver (python3 stdlib only); started by bench/run.sh, see README.md.

For each capture shape: generate the capture (cached in SCRATCH/caps), then for each tool
(our tcpflow, Debian's tcpflow 1.6.1, the pcapread ceiling) do one warm-up run that also
samples the open descriptors, then RUNS timed runs; print one table row per tool and the
ratios, and cmp the flow files of ours and 1.6.1.
"""
import argparse
import filecmp
import os
import platform
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

FULL = dict(huge_mb=1024, huge_flows=4, short_conns=1000000, inter_mb=500, inter_flows=5000,
            http_conns=6000, http_reqs=5)
QUICK = dict(huge_mb=100, huge_flows=4, short_conns=50000, inter_mb=50, inter_flows=2000,
             http_conns=600, http_reqs=5)
SHAPES = ("huge", "short", "interleaved", "http")


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


def build_ceiling(scratch):
    exe = os.path.join(scratch, "pcapread")
    src = os.path.join(HERE, "pcapread.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-O2", "-o", exe, src, "-lpcap"], check=True)
    return exe


def clean(out):
    if os.path.lexists(out):
        shutil.rmtree(out)


def warm(path):
    with open(path, "rb") as fp:
        while fp.read(1 << 22):
            pass


def sample_fds(cmd):
    """Runs cmd once, polling /proc/PID/fd every ~1 ms. Returns (max fds seen, exit code)."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fddir = "/proc/%d/fd" % p.pid
    best = 0
    while p.poll() is None:
        try:
            best = max(best, len(os.listdir(fddir)))
        except OSError:
            pass
        time.sleep(0.001)
    return best, p.returncode


def timed(cmd, tf):
    """One run under /usr/bin/time. Returns (wall seconds, peak RSS KiB, exit code, stderr)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    with open(tf) as fp:
        lines = [x for x in fp.read().split("\n") if x.strip()]
    rss = int(lines[-1]) if lines and lines[-1].strip().isdigit() else 0
    return wall, rss, p.returncode, p.stderr.decode(errors="replace")


def measure(tool, cmd, out, runs, scratch, do_fds):
    """Warm-up (+ fd sampling) run and `runs` timed runs; output dir removed before each."""
    res = dict(tool=tool, wall=None, rss=0, fds=None, rc=None, err="")
    tf = os.path.join(scratch, "time.out")
    clean(out)
    os.sync()
    if do_fds:
        res["fds"], _ = sample_fds(cmd)
    else:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(runs):
        clean(out)
        os.sync()
        wall, rss, rc, err = timed(cmd, tf)
        if res["wall"] is None or wall < res["wall"]:
            res["wall"] = wall
        res["rss"] = max(res["rss"], rss)
        res["rc"] = rc
        if rc not in (0,):
            res["err"] = err.strip().split("\n")[-1][:200]
    return res


def flow_files(d):
    names = set()
    for root, _, files in os.walk(d):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), d)
            if rel != "report.xml":
                names.add(rel)
    return names


def compare(a, b):
    """Compares the flow files (all but report.xml) of dirs a and b. Returns a sentence."""
    na, nb = flow_files(a), flow_files(b)
    if na != nb:
        only_a, only_b = sorted(na - nb), sorted(nb - na)
        return ("DIFFERENT file sets: %d only in ours %s, %d only in 1.6.1 %s"
                % (len(only_a), only_a[:3], len(only_b), only_b[:3]))
    bad = [n for n in sorted(na)
           if not filecmp.cmp(os.path.join(a, n), os.path.join(b, n), shallow=False)]
    if bad:
        return "DIFFERENT contents in %d of %d flow files, e.g. %s" % (len(bad), len(na), bad[:3])
    return "identical: %d flow files, cmp byte for byte" % len(na)


def fmt_row(cells, widths):
    return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"


def main():
    ap = argparse.ArgumentParser(description="tcpflow benchmark (see bench/README.md)")
    ap.add_argument("--quick", action="store_true", help="small captures (~50-100 MB each)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool (best is kept)")
    ap.add_argument("--scratch", default=os.environ.get("BENCH_SCRATCH", "/var/tmp/tcpflow-bench"),
                    help="captures and output go here (not the repository)")
    ap.add_argument("--shapes", default=",".join(SHAPES), help="comma list of " + ",".join(SHAPES))
    ap.add_argument("--tcpflow", default=os.environ.get("TCPFLOW", "./tcpflow"), help="ours")
    ap.add_argument("--old", default=os.environ.get("OLD_TCPFLOW", "/usr/bin/tcpflow"),
                    help="tcpflow 1.6.1 ('' to skip)")
    ap.add_argument("--outdir-parent", default=None,
                    help="make the output dirs here instead of in SCRATCH (default: SCRATCH, "
                         "the captures' filesystem)")
    ap.add_argument("--no-fds", action="store_true", help="skip descriptor sampling")
    ap.add_argument("--no-compare", action="store_true", help="skip the output comparison")
    for k, v in FULL.items():
        ap.add_argument("--" + k.replace("_", "-"), type=int, default=None,
                        help="default %d (quick %d)" % (v, QUICK[k]))
    args = ap.parse_args()
    base = QUICK if args.quick else FULL
    for k, v in base.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    shapes = [s for s in args.shapes.split(",") if s]
    for s in shapes:
        if s not in SHAPES:
            ap.error("unknown shape %s" % s)
    ours = os.path.abspath(args.tcpflow)
    if not os.access(ours, os.X_OK):
        ap.error("our tcpflow not found at %s (set TCPFLOW or --tcpflow)" % ours)
    old = args.old if args.old and os.access(args.old, os.X_OK) else None
    scratch = os.path.abspath(args.scratch)
    os.makedirs(os.path.join(scratch, "caps"), exist_ok=True)
    ceiling = build_ceiling(scratch)

    ver = subprocess.run([ours, "-V"], capture_output=True, text=True).stdout.split("\n")[0]
    fs = subprocess.run(["stat", "-f", "-c", "%T", scratch], capture_output=True,
                        text=True).stdout.strip()
    print("# tcpflow benchmark: %s, %d timed runs (best kept) + 1 warm-up/fd-sampling run"
          % ("quick" if args.quick else "full", args.runs))
    print("# ours: %s (%s); 1.6.1: %s; ceiling: %s" % (ours, ver, old or "skipped", ceiling))
    outp = os.path.abspath(args.outdir_parent) if args.outdir_parent else scratch
    ofs = subprocess.run(["stat", "-f", "-c", "%T", outp], capture_output=True,
                         text=True).stdout.strip()
    print("# host: %s, %d CPUs; captures in %s (%s); output dirs in %s (%s)"
          % (platform.platform(), os.cpu_count(), scratch, fs, outp, ofs))
    print("# command: %s" % " ".join(sys.argv))
    print()
    widths = (14, 8, 9, 11, 7, 4)
    summary = []
    for shape in shapes:
        cap = capture(args, scratch, shape)
        size = os.path.getsize(cap)
        warm(cap)
        outp = os.path.abspath(args.outdir_parent) if args.outdir_parent else scratch
        out_ours = os.path.join(outp, "out-ours")
        out_old = os.path.join(outp, "out-old")
        tools = [("ours", [ours, "-o", out_ours, "-r", cap], out_ours)]
        if old:
            tools.append(("tcpflow-1.6.1", [old, "-o", out_old, "-r", cap], out_old))
        tools.append(("pcapread", [ceiling, cap], os.path.join(scratch, "out-none")))
        print("## %s: %s, %.1f MB" % (shape, os.path.basename(cap), size / 1e6))
        print(fmt_row(("tool", "wall s", "MB/s", "peak RSS MB", "max fds", "exit"), widths))
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        res = {}
        for name, cmd, out in tools:
            log("%s: %s ..." % (shape, name))
            r = measure(name, cmd, out, args.runs, scratch, not args.no_fds)
            res[name] = r
            print(fmt_row((name, "%.3f" % r["wall"], "%.1f" % (size / 1e6 / r["wall"]),
                           "%.1f" % (r["rss"] / 1024.0),
                           "-" if r["fds"] is None else r["fds"], r["rc"]), widths), flush=True)
            if r["err"]:
                print("  (%s exit %s: %s)" % (name, r["rc"], r["err"]))
        o, c = res["ours"], res["pcapread"]
        line = "ratios: ours/ceiling throughput %.2f" % (c["wall"] / o["wall"])
        row = [shape, "%.1f" % (size / 1e6), "%.1f" % (size / 1e6 / o["wall"])]
        if old:
            t = res["tcpflow-1.6.1"]
            line = ("ratios: ours/1.6.1 throughput %.2fx, peak RSS %.2fx; " %
                    (t["wall"] / o["wall"], o["rss"] / max(t["rss"], 1))) + line[8:]
            row += ["%.1f" % (size / 1e6 / t["wall"]), "%.2fx" % (t["wall"] / o["wall"]),
                    "%.2fx" % (o["rss"] / max(t["rss"], 1))]
        else:
            row += ["-", "-", "-"]
        row += ["%.0f%%" % (100.0 * c["wall"] / o["wall"])]
        print(line)
        if old and not args.no_compare:
            print("outputs of ours and 1.6.1: " + compare(out_ours, out_old))
        for _, _, out in tools:
            clean(out)
        summary.append(row)
        print()
    sw = (12, 9, 10, 11, 12, 13, 12)
    print("## summary")
    print(fmt_row(("shape", "cap MB", "ours MB/s", "1.6.1 MB/s", "ours/1.6.1", "RSS ours/old",
                   "% ceiling"), sw))
    print("|" + "|".join("-" * (w + 2) for w in sw) + "|")
    for row in summary:
        print(fmt_row(row, sw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
