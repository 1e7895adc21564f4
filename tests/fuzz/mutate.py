#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seeded mutants of capture files for the mutation run (tests/fuzz/mutate.sh).

Usage: mutate.py --seed S --count N --out DIR [--no-editcap] SEED-FILE...

Writes N mutants DIR/NNNNN-MUTATOR-SEEDNAME (extension kept) and prints one line per mutant:
"NAME<TAB>MUTATOR<TAB>SEEDFILE<TAB>DETAIL". Mutant i depends only on (S, i, the seed files),
so "--seed 1 --count 1000" starts with the same 200 files as "--seed 1 --count 200", and one
mutant can be regenerated alone with --only I. Mutators (RELIABILITY.md §8.1):
  flip     overwrite 1-24 random bytes anywhere (file and record headers included); in a quarter
           of the files also truncate, insert a random chunk or duplicate a chunk
  struct   classic pcap only: for each packet, with a per-file probability of 2-30 %, change one
           header field: TCP seq/ack (random or interesting values: 0, 2^31, 2^32-1, +-2^31,
           +-2^30, +-2^24, +16,000,000), flags, data offset, window, ports, urgent pointer,
           payload bytes; IPv4 IHL, total length, fragment bits/offset, protocol; IPv6 payload
           length, next header; the record caplen (shrunk with the bytes removed, so the file
           stays readable, or grown: a bad record) / origlen; the timestamp (usec >= 1e6,
           0xFFFFFFFF s, backwards); or swap, duplicate (altered payload) or drop the packet
  trunc    cut the file at a random offset (mostly mid-record)
  editcap  `editcap -E p --seed N` with p in {0.002, 0.005, 0.01, 0.02, 0.05, 0.1}
           (skipped, i.e. replaced by flip/struct, when editcap is not installed or --no-editcap)
Standard library only.
"""

import os
import random
import shutil
import struct
import subprocess
import sys

INTERESTING32 = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF6, 0x40000000, 0x01000000]
DELTAS = [2**31, -2**31, 2**30, -2**30, 2**24, -2**24, 16000000, -1, 1, 65536]


def parse_pcap(data):
    """(endian, header, [[hdr16, frame]]) of a classic pcap, or None (pcapng, damaged...)."""
    if len(data) < 24:
        return None
    m = data[:4]
    if m in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif m in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    recs, pos = [], 24
    while pos + 16 <= len(data):
        incl = struct.unpack(e + "I", data[pos + 8:pos + 12])[0]
        if incl > 262144 or pos + 16 + incl > len(data):
            break
        recs.append([bytearray(data[pos:pos + 16]), bytearray(data[pos + 16:pos + 16 + incl])])
        pos += 16 + incl
    return e, data[:24], recs, data[pos:]


def ip_offset(linktype, fr):
    """Offset of the IP header in frame fr for the link types we know, or None."""
    if linktype == 1:
        off = 12
        while off + 2 <= len(fr):
            et = fr[off] << 8 | fr[off + 1]
            if et in (0x8100, 0x88A8, 0x9100):
                off += 4
                continue
            return off + 2 if et in (0x0800, 0x86DD) else None
        return None
    if linktype in (0, 108):
        return 4
    if linktype in (12, 14, 101, 228, 229):
        return 0
    if linktype == 113:
        return 16
    if linktype == 276:
        return 20
    if linktype in (9, 50):
        return 4 if fr[:2] == b"\xff\x03" else 2
    if linktype == 104:
        return 4
    return None


def struct_mutate(rng, data):
    p = parse_pcap(data)
    if p is None or not p[2]:
        return None, "not-a-classic-pcap"
    e, hdr, recs, tail = p
    linktype = struct.unpack(e + "I", hdr[20:24])[0] & 0x0FFFFFFF
    prob = rng.uniform(0.02, 0.30)
    done = []
    out = []
    i = 0
    while i < len(recs):
        rh, fr = recs[i]
        if rng.random() >= prob:
            out.append([rh, fr])
            i += 1
            continue
        what = mutate_packet(rng, e, linktype, rh, fr, recs, i, out)
        done.append(what)
        i += 1
    if not done:  # at least one change
        k = rng.randrange(len(out))
        done.append(mutate_packet(rng, e, linktype, out[k][0], out[k][1], out, k, None))
    body = b"".join(bytes(rh) + bytes(fr) for rh, fr in out)
    return hdr + body + tail, ",".join(sorted(set(done)))


def set32(e, b, off, v):
    b[off:off + 4] = struct.pack(e + "I", v & 0xFFFFFFFF)


def mutate_packet(rng, e, linktype, rh, fr, recs, i, out):
    """Mutates one record in place (or the list: swap/dup/drop). Returns the field name."""
    kind = rng.choice(["tcp"] * 6 + ["ip"] * 4 + ["rec"] * 2 + ["ts", "list"])
    if kind == "list" and out is not None:
        op = rng.choice(["swap", "dup", "drop"])
        if op == "drop":
            return "drop"
        if op == "dup":
            out.append([bytearray(rh), bytearray(fr)])
            f2 = bytearray(fr)
            for _ in range(rng.randint(1, 8)):
                if f2:
                    f2[rng.randrange(len(f2))] = rng.randrange(256)
            out.append([bytearray(rh), f2])
            return "dup"
        if out:
            prev = out.pop()
            out.append([rh, fr])
            out.append(prev)
            return "swap"
        out.append([rh, fr])
        return "swap"
    if out is not None:
        out.append([rh, fr])
    if kind == "ts":
        c = rng.randrange(3)
        if c == 0:
            set32(e, rh, 4, rng.randrange(1000000, 2**32))
        elif c == 1:
            set32(e, rh, 0, 0xFFFFFFFF)
        else:
            set32(e, rh, 0, struct.unpack(e + "I", rh[0:4])[0] - rng.randrange(1, 100000))
        return "ts"
    if kind == "rec":
        c = rng.randrange(3)
        if c == 0 and len(fr) > 1:  # shrink caplen, bytes removed: a snaplen cut
            n = rng.randrange(len(fr))
            del fr[n:]
            set32(e, rh, 8, n)
            return "caplen-cut"
        if c == 1:  # grow caplen: a bad record
            set32(e, rh, 8, rng.choice([len(fr) + rng.randint(1, 64), 0xFFFFFF00, 262145, 65536]))
            return "caplen-bad"
        set32(e, rh, 12, rng.choice([0, len(fr) - 1, len(fr) + 1000, 0xFFFFFFFF, rng.randrange(2**32)]))
        return "origlen"
    ipo = ip_offset(linktype, fr)
    if ipo is None or ipo + 20 > len(fr):
        for _ in range(rng.randint(1, 4)):
            if fr:
                fr[rng.randrange(len(fr))] = rng.randrange(256)
        return "bytes"
    v = fr[ipo] >> 4
    if v == 4:
        ihl = (fr[ipo] & 15) * 4
        proto = fr[ipo + 9]
        tcpo = ipo + ihl if proto == 6 else None
    elif v == 6 and ipo + 40 <= len(fr):
        tcpo = ipo + 40 if fr[ipo + 6] == 6 else None
    else:
        tcpo = None
    if kind == "tcp" and tcpo is not None and tcpo + 20 <= len(fr):
        f = rng.choice(["seq", "ack", "flags", "doff", "win", "ports", "urg", "payload", "seq"])
        if f in ("seq", "ack"):
            o = tcpo + (4 if f == "seq" else 8)
            cur = struct.unpack("!I", fr[o:o + 4])[0]
            c = rng.randrange(3)
            nv = rng.choice(INTERESTING32) if c == 0 else (cur + rng.choice(DELTAS)) if c == 1 else rng.randrange(2**32)
            fr[o:o + 4] = struct.pack("!I", nv & 0xFFFFFFFF)
        elif f == "flags":
            fr[tcpo + 13] = rng.choice([rng.randrange(256), fr[tcpo + 13] ^ 0x02, fr[tcpo + 13] ^ 0x01,
                                         fr[tcpo + 13] ^ 0x04, 0x3F])
        elif f == "doff":
            fr[tcpo + 12] = (rng.randrange(16) << 4) | (fr[tcpo + 12] & 15)
        elif f == "win":
            fr[tcpo + 14:tcpo + 16] = struct.pack("!H", rng.choice([0, 1, 0xFFFF, rng.randrange(65536)]))
        elif f == "ports":
            o = tcpo + rng.choice([0, 2])
            fr[o:o + 2] = struct.pack("!H", rng.choice([0, 80, 0xFFFF, rng.randrange(65536)]))
        elif f == "urg":
            fr[tcpo + 13] |= 0x20
            fr[tcpo + 18:tcpo + 20] = struct.pack("!H", rng.randrange(65536))
        else:
            for _ in range(rng.randint(1, 16)):
                o = rng.randrange(tcpo, len(fr))
                fr[o] = rng.randrange(256)
        return "tcp-" + f
    if v == 4:
        f = rng.choice(["ihl", "totlen", "frag", "proto", "ver"])
        if f == "ihl":
            fr[ipo] = 0x40 | rng.randrange(16)
        elif f == "totlen":
            tl = struct.unpack("!H", fr[ipo + 2:ipo + 4])[0]
            fr[ipo + 2:ipo + 4] = struct.pack("!H", rng.choice([0, 1, 20, tl - 1, tl + 1, 0xFFFF, rng.randrange(65536)]) & 0xFFFF)
        elif f == "frag":
            fr[ipo + 6:ipo + 8] = struct.pack("!H", rng.choice([0x2000, 0x4000, 0x2000 | rng.randrange(8192),
                                                               rng.randrange(8192), 0x1FFF, rng.randrange(65536)]))
        elif f == "proto":
            fr[ipo + 9] = rng.choice([0, 4, 17, 41, rng.randrange(256)])
        else:
            fr[ipo] = (rng.randrange(16) << 4) | (fr[ipo] & 15)
        return "ip4-" + f
    if v == 6 and ipo + 40 <= len(fr):
        f = rng.choice(["plen", "nh", "ver"])
        if f == "plen":
            pl = struct.unpack("!H", fr[ipo + 4:ipo + 6])[0]
            fr[ipo + 4:ipo + 6] = struct.pack("!H", rng.choice([0, 1, pl - 1, pl + 1, 0xFFFF, rng.randrange(65536)]) & 0xFFFF)
        elif f == "nh":
            fr[ipo + 6] = rng.choice([0, 43, 44, 60, 59, 17, 41, rng.randrange(256)])
        else:
            fr[ipo] = (rng.randrange(16) << 4) | (fr[ipo] & 15)
        return "ip6-" + f
    fr[rng.randrange(len(fr))] = rng.randrange(256)
    return "bytes"


def flip(rng, data):
    b = bytearray(data)
    n = rng.randint(1, 24)
    for _ in range(n):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    extra = ""
    if rng.random() < 0.25 and b:
        c = rng.randrange(3)
        if c == 0:
            del b[rng.randrange(len(b)):]
            extra = "+trunc"
        elif c == 1:
            o = rng.randrange(len(b) + 1)
            b[o:o] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 256)))
            extra = "+insert"
        else:
            s = rng.randrange(len(b))
            ln = rng.randint(1, min(4096, len(b) - s))
            o = rng.randrange(len(b) + 1)
            b[o:o] = b[s:s + ln]
            extra = "+dupchunk"
    return bytes(b), "%d-bytes%s" % (n, extra)


def trunc(rng, data):
    if len(data) <= 24:
        return data[:rng.randrange(len(data) + 1)], "cut"
    o = rng.randrange(24, len(data))
    return data[:o], "cut-at-%d" % o


def editcap(rng, src, dst):
    p = rng.choice([0.002, 0.005, 0.01, 0.02, 0.05, 0.1])
    s = rng.randrange(1, 2**31)
    ext = os.path.splitext(src)[1]
    fmt = "pcap" if ext in (".pcap", ".cap") else "pcapng"
    r = subprocess.run(["editcap", "-F", fmt, "-E", str(p), "--seed", str(s), src, dst],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode != 0 or not os.path.exists(dst):
        return None
    return "p=%s seed=%d" % (p, s)


def main(argv):
    seed, count, out, only, use_editcap = 1, 200, None, None, True
    files = []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--seed":
            seed = int(argv[i + 1]); i += 2
        elif a == "--count":
            count = int(argv[i + 1]); i += 2
        elif a == "--out":
            out = argv[i + 1]; i += 2
        elif a == "--only":
            only = int(argv[i + 1]); i += 2
        elif a == "--no-editcap":
            use_editcap = False; i += 1
        else:
            files.append(a); i += 1
    if out is None or not files:
        sys.stderr.write(__doc__)
        return 2
    if use_editcap and shutil.which("editcap") is None:
        use_editcap = False
    files = sorted(files, key=os.path.basename)
    os.makedirs(out, exist_ok=True)
    blobs = {}
    for n in range(count) if only is None else [only]:
        rng = random.Random("%d-%d" % (seed, n))
        src = rng.choice(files)
        if src not in blobs:
            with open(src, "rb") as f:
                blobs[src] = f.read()
        data = blobs[src]
        r = rng.random()
        kind = "flip" if r < 0.30 else "struct" if r < 0.70 else "trunc" if r < 0.80 else "editcap"
        if kind == "editcap" and not use_editcap:
            kind = rng.choice(["flip", "struct"])
        base = os.path.basename(src)
        name = "%05d-%s-%s" % (n, kind, base)
        dst = os.path.join(out, name)
        detail = None
        if kind == "editcap":
            detail = editcap(rng, src, dst)
            if detail is None:
                kind = "flip"
                name = "%05d-%s-%s" % (n, kind, base)
                dst = os.path.join(out, name)
        if kind == "struct":
            blob, detail = struct_mutate(rng, data)
            if blob is None:  # pcapng or unparsable: flip instead
                kind = "flip"
                name = "%05d-%s-%s" % (n, kind, base)
                dst = os.path.join(out, name)
            else:
                with open(dst, "wb") as f:
                    f.write(blob)
        if kind == "flip":
            blob, detail = flip(rng, data)
            with open(dst, "wb") as f:
                f.write(blob)
        elif kind == "trunc":
            blob, detail = trunc(rng, data)
            with open(dst, "wb") as f:
                f.write(blob)
        print("%s\t%s\t%s\t%s" % (name, kind, base, detail))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
