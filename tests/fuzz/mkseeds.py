#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpora of the libFuzzer targets (tests/fuzz/corpus/{decode,reasm,http}).

Usage: mkseeds.py [OUTDIR]   (default: the corpus/ directory next to this script)

The seeds are committed; rerun this only to regenerate them (it is deterministic). Sources:
  decode  the first frames of the classic-pcap captures tests/tools/mkcaps.py generates (every
          link type it knows, fragments, the hostile c01/c02/c08/c09/c13 frames) and of the
          classic pcaps in tests/data/corpus, each prefixed with its link-type index byte as
          fuzz_decode.c expects; fragment captures as one multi-frame input ("\\xf7\\xf7NXT")
  reasm   hand-written segment programs in the record format of fuzz_reasm.c
  http    requests and responses, plain, chunked, gzip, deflate (zlib and raw), br and zstd
          (when the brotli / zstd command-line tools are installed), and raw decoder inputs
Only the python3 standard library is needed (plus the optional brotli/zstd tools).
"""

import gzip
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MKCAPS = os.path.join(TOP, "tests", "tools", "mkcaps.py")
CORPUS = os.path.join(TOP, "tests", "data", "corpus")

# Must match fuzz_dlts[] in targets/fuzz_decode.c.
DLTS = [0, 1, 9, 12, 14, 50, 51, 101, 104, 108, 113, 129, 228, 229, 239, 276, 105, 127, 147]
SEP = b"\xf7\xf7NXT"


def pcap_frames(path, limit):
    """(linktype, [frames]) of a classic pcap, or None."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    frames, pos = [], 24
    while pos + 16 <= len(data) and len(frames) < limit:
        incl = struct.unpack(e + "I", data[pos + 8:pos + 12])[0]
        if incl > 262144 or pos + 16 + incl > len(data):
            break
        frames.append(data[pos + 16:pos + 16 + incl])
        pos += 16 + incl
    return linktype, frames


def write(outdir, name, blob):
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(blob)


def seeds_decode(outdir):
    tmp = tempfile.mkdtemp(prefix="mkseeds-")
    try:
        specs = ["flow-eth", "flow-eth6", "flow-vlan", "flow-qinq", "flow-mpls", "flow-pppoe",
                 "flow-null", "flow-null6", "flow-loop", "flow-raw", "flow-raw6", "flow-sll",
                 "flow-sll2", "flow-ppp", "flow-chdlc", "flow-be", "frag4", "frag6", "padded",
                 "snaplen", "c01", "c02", "c08:tags=20", "c09", "c13"]
        subprocess.run([sys.executable, MKCAPS, tmp] + specs, check=True,
                       stdout=subprocess.DEVNULL)
        files = sorted(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".pcap"))
        files += sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS)
                        if f.endswith((".pcap", ".cap")) and os.path.getsize(os.path.join(CORPUS, f)) < 200000)
        n = 0
        for path in files:
            got = pcap_frames(path, 64)
            if got is None or got[0] not in DLTS:
                continue
            lt, frames = got
            base = os.path.splitext(os.path.basename(path))[0]
            idx = bytes([DLTS.index(lt)])
            if base.startswith("frag") or "frag" in base:
                # the whole fragment train as one input, so reassembly completes
                write(outdir, "%s-all" % base, idx + SEP.join(frames[:16]))
                n += 1
            # the first frame (a SYN) and the two largest of the first 64 (data)
            big = sorted(range(1, len(frames)), key=lambda i: (-len(frames[i]), i))[:2]
            picked = [frames[i] for i in sorted(set([0] + big)) if i < len(frames)]
            for i, fr in enumerate(picked):
                write(outdir, "%s-%d" % (base, i), idx + fr)
                n += 1
        return n
    finally:
        shutil.rmtree(tmp)


def reasm_rec(op, off, length, tag):
    off += 512
    return bytes([op, off & 0xFF, (off >> 8) & 0xFF, length, tag])


def seeds_reasm(outdir):
    R = reasm_rec
    progs = {
        # ISN 0, in order, then FIN
        "inorder": bytes([0x01, 0, 0, 0, 0]) + R(0, 0, 100, 1) + R(0, 100, 100, 1) + R(2, 200, 0, 0),
        # reordered with a hole filled late
        "reorder": bytes([0x01, 0, 0, 0, 0]) + R(0, 200, 100, 1) + R(0, 0, 100, 1) + R(0, 100, 100, 1),
        # conflicting overlaps: first wins
        "overlap": bytes([0x09, 0, 0, 0, 0]) + R(0, 10, 50, 1) + R(0, 0, 40, 2) + R(0, 30, 60, 3)
                   + R(0, 0, 100, 1),
        # retransmission of delivered bytes, identical and different
        "retrans": bytes([0x01, 0, 0, 0, 0]) + R(0, 0, 100, 1) + R(0, 50, 100, 1) + R(0, 20, 30, 7),
        # ISN 2^32-1 and 2^32-10 (wrap right at the start)
        "wrap1": bytes([0x11, 0, 0, 0, 0]) + R(0, 0, 200, 1) + R(0, 300, 50, 1) + R(0, 200, 100, 2),
        "wrap10": bytes([0x19, 0xFF, 0xFF, 0xFF, 0xF6]) + R(0, 5, 20, 1) + R(0, 0, 10, 1)
                  + R(4, 20, 16, 3),
        # before the start, after a FIN, a FIN behind the delivered end
        "edges": bytes([0x01, 0, 0, 0, 0]) + R(0, -100, 150, 1) + R(2, 30, 0, 0) + R(2, 300, 0, 0)
                 + R(0, 250, 100, 4) + R(4, 50, 19, 5),
        # explicit flush with a hole, then late fills
        "latefill": bytes([0x01, 0, 0, 0, 0]) + R(0, 0, 10, 1) + R(0, 100, 10, 1) + R(3, 0, 0, 0)
                    + R(0, 10, 90, 2) + R(0, 10, 90, 3) + R(0, 110, 20, 1),
        # small limits: forced flushes and jump candidates
        "caps": bytes([0x03, 0, 0, 0, 0]) + b"".join(R(4, 1000 + 5000 * i, 255, i) for i in range(10))
                + R(0, 0, 50, 1) + R(4, 40000, 255, 9) + R(0, 60000, 100, 1),
        # shared memcap 16 KiB
        "memcap": bytes([0x05, 0, 0, 0, 0]) + b"".join(R(4, 100 + 4200 * i, 255, i) for i in range(8))
                  + R(0, 0, 100, 1),
        # midstream (no ISN): structure checks only
        "midstream": bytes([0x00, 0, 0, 0, 0]) + R(0, 1000, 100, 1) + R(0, 900, 100, 1) + R(0, 1100, 50, 1)
                     + R(2, 1150, 0, 0),
        "midstream-small": bytes([0x02, 0, 0, 0, 0]) + b"".join(R(0, 3000 - 200 * i, 200, i) for i in range(12)),
        # many small segments, every other one first
        "interleave": bytes([0x01, 0, 0, 0, 0]) + b"".join(R(0, 10 * i, 10, 1) for i in range(1, 100, 2))
                      + b"".join(R(0, 10 * i, 10, 1) for i in range(0, 100, 2)),
    }
    for name, blob in progs.items():
        write(outdir, name, blob)
    return len(progs)


def chunked(body, size=7):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def tool(cmd, data):
    if shutil.which(cmd[0]) is None:
        return None
    return subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True).stdout


def seeds_http(outdir):
    text = b"<html><body>" + b"hello, fuzzer! " * 40 + b"</body></html>\n"
    gz = gzip.compress(text, mtime=0)
    zl = zlib.compress(text)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = co.compress(text) + co.flush()
    br = tool(["brotli", "-c"], text)
    zs = tool(["zstd", "-q", "-c"], text)

    def resp(ce, body, chunk=False, status=b"200 OK", extra=b""):
        h = b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html\r\n" + extra
        if ce:
            h += b"Content-Encoding: " + ce + b"\r\n"
        if chunk:
            return h + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(body)
        return h + b"Content-Length: %d\r\n\r\n" % len(body) + body

    RESP, REQ = b"\x02", b"\x00"
    WHOLE, SMALL = b"\x80", b"\x06"
    seeds = {
        "req-get": REQ + WHOLE + b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n",
        "req-pipeline": REQ + SMALL + b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\n"
                        b"POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
        "req-chunked-gzip": REQ + WHOLE + b"POST /u HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n" + chunked(gz),
        "resp-plain": RESP + WHOLE + resp(b"", text),
        "resp-gzip": RESP + WHOLE + resp(b"gzip", gz),
        "resp-gzip-chunked": RESP + SMALL + resp(b"gzip", gz, chunk=True),
        "resp-xgzip": RESP + WHOLE + resp(b"x-gzip", gz),
        "resp-deflate-zlib": RESP + WHOLE + resp(b"deflate", zl),
        "resp-deflate-raw": RESP + SMALL + resp(b"deflate", raw),
        "resp-gzip-gzip": RESP + WHOLE + resp(b"gzip, gzip", gzip.compress(gz, mtime=0)),
        "resp-identity-gzip": RESP + WHOLE + resp(b"identity, GZIP", gz),
        "resp-unsupported": RESP + WHOLE + resp(b"compress", b"xyz"),
        "resp-corrupt-gzip": RESP + WHOLE + resp(b"gzip", gz[:20] + b"\xff" * 10 + gz[30:]),
        "resp-keepalive": RESP + SMALL + resp(b"", b"one") + resp(b"gzip", gz)
                          + resp(b"", b"", status=b"304 Not Modified") + resp(b"", b"two", chunk=True),
        "resp-close": RESP + WHOLE + b"HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + gz,
        "resp-upgrade": RESP + WHOLE + b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        b"Connection: Upgrade\r\n\r\n\x81\x05hello",
        "raw-gzip": b"\x01\x80\x00" + gz,
        "raw-gzip-members": b"\x01\x10\x00" + gz + gzip.compress(b"second member", mtime=0),
        "raw-deflate": b"\x01\x80\x01" + zl,
        "raw-deflate-raw": b"\x01\x03\x01" + raw,
        "raw-gzip-deflate": b"\x03\x80\x01\x00" + zlib.compress(gz),
        # a small gzip bomb: 4 MiB of zeros (the 16 KiB memory cap still decodes it)
        "raw-gzip-zeros": b"\x01\x80\x00" + gzip.compress(b"\0" * (4 << 20), mtime=0),
    }
    if br is not None:
        seeds["resp-br"] = RESP + WHOLE + resp(b"br", br)
        seeds["raw-br"] = b"\x01\x80\x02" + br
    if zs is not None:
        seeds["resp-zstd"] = RESP + SMALL + resp(b"zstd", zs, chunk=True)
        seeds["raw-zstd"] = b"\x01\x80\x03" + zs
    for name, blob in seeds.items():
        write(outdir, name, blob)
    return len(seeds)


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join(HERE, "corpus")
    for sub, fn in (("decode", seeds_decode), ("reasm", seeds_reasm), ("http", seeds_http)):
        d = os.path.join(out, sub)
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        print("%s: %d seeds" % (sub, fn(d)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
