#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deterministic HTTP captures for the http scanner tests (python3 standard library only).

Usage: mkhttp.py OUTDIR [NAME ...]     (default: every scenario; --list lists them)

Each scenario writes OUTDIR/NAME.pcap, and OUTDIR/NAME.bodies: the expected body files, one
`sha256  FILE` line per file, sorted by name, FILE relative to the output directory (the same
format as tests/lib.sh tree_manifest). Scenarios whose output is only partly fixed (the bomb)
also write OUTDIR/NAME.facts, `key=value` lines read by the shell tests.

Addresses: client 192.168.1.2:1234, server 10.0.0.1:80 (see tests/tools/mkcaps.py, whose
packet builders are reused). Bodies travel in 1400-byte segments.
"""

import gzip
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import mkcaps  # noqa: E402

C2S = mkcaps.C2S
S2C = mkcaps.S2C
MSS = 1400


def sha(b):
    return hashlib.sha256(b).hexdigest()


class Cap:
    """One connection: handshake, then data in either direction, FIN at close()."""

    def __init__(self, out, name):
        self.path = os.path.join(out, name + ".pcap")
        self.w = mkcaps.Pcap(self.path)
        self.c = mkcaps.Conn()
        for d in self.c.handshake():
            self.w.add(mkcaps.eth(d))

    def send(self, from_client, data):
        for i in range(0, len(data), MSS):
            self.w.add(mkcaps.eth(self.c.data(from_client, data[i:i + MSS])))
        self.w.add(mkcaps.eth(self.c.ack(not from_client)))

    def lose(self, from_client, n):
        """n bytes never captured (a hole in the stream)."""
        self.c.advance(from_client, n)

    def close(self):
        for d in self.c.close():
            self.w.add(mkcaps.eth(d))
        self.w.close()


def resp(body, ctype="text/html", enc=None, status="200 OK", extra=b"", chunked=False):
    h = b"HTTP/1.1 " + status.encode() + b"\r\n"
    if ctype:
        h += b"Content-Type: " + ctype.encode() + b"\r\n"
    if enc:
        h += b"Content-Encoding: " + enc.encode() + b"\r\n"
    h += extra
    if chunked:
        h += b"Transfer-Encoding: chunked\r\n\r\n"
        out = b""
        for i in range(0, len(body), 1000):
            piece = body[i:i + 1000]
            out += b"%x\r\n" % len(piece) + piece + b"\r\n"
        return h + out + b"0\r\n\r\n"
    return h + b"Content-Length: %d\r\n\r\n" % len(body) + body


def req(method="GET", uri="/", extra=b"", body=None):
    r = method.encode() + b" " + uri.encode("latin-1") + b" HTTP/1.1\r\nHost: example.test\r\n" + extra
    if body is not None:
        r += b"Content-Length: %d\r\n" % len(body)
    return r + b"\r\n" + (body or b"")


def write_expect(out, name, files, facts=None):
    with open(os.path.join(out, name + ".bodies"), "w") as f:
        for fn in sorted(files):
            f.write("%s  %s\n" % (sha(files[fn]), fn))
    if facts:
        with open(os.path.join(out, name + ".facts"), "w") as f:
            for k in sorted(facts):
                f.write("%s=%s\n" % (k, facts[k]))


def body_text(n, seed):
    """Compressible but not trivial text."""
    words = [b"alpha", b"bravo", b"charlie", b"delta", b"echo", b"foxtrot", b"golf", b"hotel"]
    out, x, size = [], seed, 0
    while size < n:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(words[x % len(words)])
        size += len(out[-1]) + 1
    return b" ".join(out)[:n]


def gz(data, mtime=0):
    return gzip.compress(data, 6, mtime=mtime)


def raw_deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


SCEN = {}


def scenario(fn):
    SCEN[fn.__name__[2:].replace("_", "-")] = fn
    return fn


@scenario
def s_codings(out, name):
    """Keep-alive: identity, gzip, x-gzip, GZIP (upper case), zlib deflate, raw deflate,
    chunked gzip, two stacked gzip layers, a two-member gzip, application/json."""
    b = [body_text(5000 + 100 * i, i) for i in range(10)]
    items = [
        (resp(b[0]), b[0], ".html"),
        (resp(gz(b[1]), enc="gzip"), b[1], ".html"),
        (resp(gz(b[2]), enc="x-gzip"), b[2], ".html"),
        (resp(gz(b[3]), enc="GZIP", ctype="IMAGE/PNG"), b[3], ".png"),
        (resp(zlib.compress(b[4]), enc="deflate", ctype="text/plain"), b[4], ".txt"),
        (resp(raw_deflate(b[5]), enc="Deflate", ctype="text/css"), b[5], ".css"),
        (resp(gz(b[6]), enc="gzip", chunked=True, ctype="application/json; charset=utf-8"), b[6], ".json"),
        (resp(gz(gz(b[7])), enc="gzip, gzip", ctype="x-unknown/type"), b[7], ""),
        (resp(gz(b[8][:3000]) + gz(b[8][3000:]), enc="gzip"), b[8], ".html"),
        (resp(b[9], ctype="application/json"), b[9], ".json"),
    ]
    cap = Cap(out, name)
    files = {}
    for i, (r, body, ext) in enumerate(items):
        cap.send(True, req(uri="/r%d" % i))
        cap.send(False, r)
        files["%s-HTTPBODY-%03d%s" % (S2C, i + 1, ext)] = body
    cap.close()
    write_expect(out, name, files)


def _tool_compress(tool, data):
    exe = shutil.which(tool)
    if exe is None:
        return None
    args = [exe, "-c", "-q"] if tool == "zstd" else [exe, "-c"]
    r = subprocess.run(args, input=data, stdout=subprocess.PIPE, check=True)
    return r.stdout


@scenario
def s_br_zstd(out, name):
    """br and zstd bodies, and zstd over gzip (made with the brotli and zstd programs; a
    missing program drops its responses)."""
    cap = Cap(out, name)
    files = {}
    n = 0
    for tool, enc in (("brotli", "br"), ("zstd", "zstd")):
        body = body_text(20000, 7 + n)
        data = _tool_compress(tool, body)
        if data is None:
            continue
        n += 1
        cap.send(True, req(uri="/" + tool))
        cap.send(False, resp(data, enc=enc, ctype="text/plain", chunked=(tool == "zstd")))
        files["%s-HTTPBODY-%03d.txt" % (S2C, n)] = body
    body = body_text(9000, 99)
    data = _tool_compress("zstd", gz(body))
    if data is not None:
        n += 1
        cap.send(True, req(uri="/stacked"))
        cap.send(False, resp(data, enc="gzip, zstd", ctype="text/plain"))
        files["%s-HTTPBODY-%03d.txt" % (S2C, n)] = body
    cap.close()
    write_expect(out, name, files, {"responses": n})


@scenario
def s_bomb(out, name):
    """A gzip bomb: 1 GiB of zeros compressed to about 1 MiB, Content-Length framed. The body
    file must stop at a limit, the raw body be kept whole in HTTPBODY-001.raw."""
    # Full flushes make every 1 MiB block of zeros compress to the same bytes: build the
    # deflate stream from three compressed blocks instead of compressing 1 GiB (seconds).
    zero = bytes(1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)
    mid = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(zero) + c.flush()
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(zero, crc)
    data = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + first + mid * 1022 + last +
            struct.pack("<II", crc & 0xFFFFFFFF, (1 << 30) & 0xFFFFFFFF))
    cap = Cap(out, name)
    cap.send(True, req(uri="/bomb"))
    cap.send(False, resp(data, enc="gzip", ctype="text/html"))
    cap.send(True, req(uri="/after"))
    after = b"after the bomb"
    cap.send(False, resp(after, ctype="text/plain"))
    cap.close()
    write_expect(out, name, {"%s-HTTPBODY-001.raw" % S2C: data, "%s-HTTPBODY-002.txt" % S2C: after},
                 {"raw_len": len(data), "decoded_len": 1 << 30})


@scenario
def s_layers(out, name):
    """Three stacked gzip layers (beyond the default limit of 2): kept raw; a corrupt gzip body:
    what decodes is kept, plus the raw body; an unknown coding (compress): kept raw."""
    b1 = body_text(3000, 1)
    l3 = gz(gz(gz(b1)))
    b2 = body_text(200000, 2)
    g2 = bytearray(gz(b2))
    g2[len(g2) // 2] ^= 0xFF
    g2[len(g2) // 2 + 1] ^= 0x55
    g2 = bytes(g2)
    l4 = b"\x1f\x9d\x90compressed-data"
    cap = Cap(out, name)
    for i, r in enumerate((resp(l3, enc="gzip,gzip,gzip"), resp(g2, enc="gzip"),
                           resp(l4, enc="compress"))):
        cap.send(True, req(uri="/l%d" % i))
        cap.send(False, r)
    cap.close()
    files = {"%s-HTTPBODY-001.raw" % S2C: l3, "%s-HTTPBODY-002.raw" % S2C: g2,
             "%s-HTTPBODY-003.raw" % S2C: l4}
    write_expect(out, name, files)


@scenario
def s_nobody(out, name):
    """HEAD answered with Content-Length and no body, 204, 304 with Content-Length, then a 200:
    the 200's body is body 004 (tcpflow 1.6.1 took the next headers as the HEAD body).
    Then POST with Expect: 100-continue, 100 Continue, 201 with a body; the POST body is
    written on the request flow."""
    cap = Cap(out, name)
    body = body_text(3000, 5)
    post = body_text(1500, 6)
    made = b"created"
    cap.send(True, req("HEAD", "/h"))
    cap.send(False, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 3000\r\n\r\n")
    cap.send(True, req("GET", "/n"))
    cap.send(False, b"HTTP/1.1 204 No Content\r\n\r\n")
    cap.send(True, req("GET", "/m"))
    cap.send(False, b"HTTP/1.1 304 Not Modified\r\nContent-Length: 3000\r\n\r\n")
    cap.send(True, req("GET", "/b"))
    cap.send(False, resp(body))
    cap.send(True, b"POST /up HTTP/1.1\r\nHost: example.test\r\nContent-Type: text/plain\r\n"
             b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(post))
    cap.send(False, b"HTTP/1.1 100 Continue\r\n\r\n")
    cap.send(True, post)
    cap.send(False, resp(made, status="201 Created", ctype="text/plain"))
    cap.close()
    files = {"%s-HTTPBODY-004.html" % S2C: body, "%s-HTTPBODY-005.txt" % C2S: post,
             "%s-HTTPBODY-006.txt" % S2C: made}
    write_expect(out, name, files)


@scenario
def s_pipeline(out, name):
    """Three pipelined requests in one segment, three responses in one segment (one chunked),
    then an HTTP/1.0 response delimited by the close of the connection."""
    cap = Cap(out, name)
    b = [body_text(700 + i * 333, 20 + i) for i in range(4)]
    cap.send(True, req(uri="/1") + req(uri="/2") + req(uri="/3"))
    cap.send(False, resp(b[0]) + resp(b[1], chunked=True, ctype="text/plain") + resp(b[2]))
    cap.send(True, req(uri="/4"))
    cap.send(False, b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + b[3])
    cap.close()
    files = {"%s-HTTPBODY-001.html" % S2C: b[0], "%s-HTTPBODY-002.txt" % S2C: b[1],
             "%s-HTTPBODY-003.html" % S2C: b[2], "%s-HTTPBODY-004.html" % S2C: b[3]}
    write_expect(out, name, files)


@scenario
def s_gaps(out, name):
    """Holes: 1000 bytes missing inside a Content-Length body (zero-filled, parsing stays in
    step), then the whole head of the next response missing (message lost, resynchronised
    at the third response)."""
    cap = Cap(out, name)
    b1 = body_text(5600, 31)
    b2 = body_text(3000, 32)
    b3 = body_text(2000, 33)
    cap.send(True, req(uri="/1") + req(uri="/2") + req(uri="/3"))
    r1 = resp(b1)
    hl = len(r1) - len(b1)
    cap.send(False, r1[:hl + 1400])
    cap.lose(False, 1000)
    cap.send(False, r1[hl + 2400:])
    r2 = resp(b2, ctype="text/plain")
    cap.lose(False, 2000)
    cap.send(False, r2[2000:])
    cap.send(False, resp(b3, ctype="text/plain"))
    cap.close()
    filled = b1[:1400] + bytes(1000) + b1[2400:]
    files = {"%s-HTTPBODY-001.html" % S2C: filled, "%s-HTTPBODY-002.txt" % S2C: b3}
    write_expect(out, name, files)


@scenario
def s_hostile(out, name):
    """Hostile headers: path names in Content-Type and Content-Disposition (no effect on
    names), a 1 MB header line and 10,000 headers (http-parser's 80 KiB header limit: parse
    errors, resynchronised at the next response), a URI with non-ASCII bytes and <>."""
    cap = Cap(out, name)
    b = [body_text(500 + i, 40 + i) for i in range(4)]
    cap.send(True, req(uri="/caf\xc3\xa9/\xff<x>%0d%0a") + req(uri="/b") + req(uri="/c") + req(uri="/d"))
    cap.send(False, resp(b[0], ctype="../../../../tmp/evil/x",
                         extra=b'Content-Disposition: attachment; filename="../../../../tmp/evil.sh"\r\n'))
    cap.send(False, b"HTTP/1.1 200 OK\r\nX-Big: " + b"A" * (1 << 20) + b"\r\nContent-Length: 3\r\n\r\nabc")
    cap.send(False, resp(b[1], ctype="text/plain"))
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(10000))
    cap.send(False, b"HTTP/1.1 200 OK\r\n" + many + b"Content-Length: 3\r\n\r\nxyz")
    cap.send(False, resp(b[2], ctype="text/plain"))
    cap.close()
    files = {"%s-HTTPBODY-001" % S2C: b[0], "%s-HTTPBODY-003.txt" % S2C: b[1],
             "%s-HTTPBODY-005.txt" % S2C: b[2]}
    write_expect(out, name, files)


@scenario
def s_connect(out, name):
    """CONNECT, 200 Connection established, then TLS-like bytes both ways: parsing stops (no
    parse errors, no body files)."""
    cap = Cap(out, name)
    cap.send(True, b"CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n")
    cap.send(False, b"HTTP/1.1 200 Connection established\r\n\r\n")
    cap.send(True, b"\x16\x03\x01\x02\x00" + bytes(range(256)) * 2)
    cap.send(False, b"\x16\x03\x03\x00\x50" + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno")
    cap.close()
    write_expect(out, name, {})


@scenario
def s_midstream(out, name):
    """Capture starting inside a response body (no handshake, first bytes of the server side
    missing): the partial message is skipped, the next response is found."""
    path = os.path.join(out, name + ".pcap")
    w = mkcaps.Pcap(path)
    c = mkcaps.Conn()
    b1 = body_text(4000, 50)
    b2 = body_text(2500, 51)
    r1 = resp(b1)
    w.add(mkcaps.eth(c.data(False, r1[1500:])))
    w.add(mkcaps.eth(c.data(True, req(uri="/2"))))
    w.add(mkcaps.eth(c.data(False, resp(b2, ctype="text/plain"))))
    w.close()
    write_expect(out, name, {"%s-HTTPBODY-001.txt" % S2C: b2})


def main(argv):
    if len(argv) > 1 and argv[1] == "--list":
        for k in SCEN:
            print(k)
        return 0
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    for n in argv[2:] or list(SCEN):
        if n not in SCEN:
            sys.stderr.write("unknown scenario %s\n" % n)
            return 2
        SCEN[n](out, n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
