#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deterministic generator of scenario and hostile packet captures for the tcpflow tests.

Usage:
    mkcaps.py OUTDIR [NAME[:key=value,...] ...]   generate the named scenarios (default: all
                                                  with default parameters)
    mkcaps.py --list                              list scenarios with their first doc line
    mkcaps.py --doc NAME                          print a scenario's full description
    mkcaps.py --good-prefix IN.pcap OUT.pcap      copy the leading run of well-formed records of a
                                                  classic pcap (stops at the first bad or cut one);
                                                  prints the number of records copied
    mkcaps.py --stream [PPS]                      write an endless in-order one-flow capture to
                                                  stdout, paced at PPS packets/s (default 2000);
                                                  used by the SIGTERM test

Each scenario writes OUTDIR/NAME.pcap (or .pcapng). With parameters, the output name carries
them: `c04:n=3000` writes `c04-n3000.pcap`. Where the expected output of OUR tcpflow is exact,
the scenario also writes OUTDIR/<file>.expect: a manifest of `sha256  relative-flow-file` lines,
sorted by path, in the same format as tests/lib.sh `tree_manifest` (report files excluded).

Only the python3 standard library is used; there is no randomness except from seeded
random.Random instances, and every timestamp is synthetic, so two runs give identical bytes.

Addresses used everywhere unless stated: client 192.168.1.2:1234, server 10.0.0.1:80 (IPv6:
2001:db8::2 -> 2001:db8::1). Timestamps start at 1600000000 (2020-09-13T12:26:40Z) and advance
1 ms per packet. Flow file names follow tcpflow's default template `%A.%a-%B.%b%V%v%C%c`.
"""

import os
import random
import socket
import struct
import sys
import hashlib

# ----------------------------------------------------------------------------------------------
# Primitive builders
# ----------------------------------------------------------------------------------------------

T0 = 1600000000
CLI4, SRV4 = "192.168.1.2", "10.0.0.1"
CLI6, SRV6 = "2001:db8::2", "2001:db8::1"
CPORT, SPORT = 1234, 80

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def is6(addr):
    return ":" in addr


def aton(addr):
    return socket.inet_pton(socket.AF_INET6 if is6(addr) else socket.AF_INET, addr)


def tcp_seg(src, dst, sport, dport, seq, ack, flags, payload=b"", doff=5, win=65535, opts=b""):
    """A TCP segment (header + payload) with a correct checksum for src/dst."""
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      (doff & 0xF) << 4, flags, win, 0, 0) + opts
    seg = hdr + payload
    if is6(src):
        pseudo = aton(src) + aton(dst) + struct.pack("!IxxxB", len(seg), 6)
    else:
        pseudo = aton(src) + aton(dst) + struct.pack("!xBH", 6, len(seg))
    c = csum(pseudo + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def ipv4(src, dst, payload, proto=6, ihl=5, tot_len=None, ident=1, frag=0, ttl=64, opts=b""):
    """frag: the 16-bit flags+offset field (0x2000 = MF, offset in 8-byte units)."""
    if tot_len is None:
        tot_len = 4 * max(ihl, 5) + len(payload) if ihl >= 5 else 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl & 0xF), 0, tot_len & 0xFFFF, ident, frag, ttl,
                      proto, 0, aton(src), aton(dst)) + opts
    c = csum(hdr[:20] + opts)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def ipv6(src, dst, payload, nh=6, plen=None, hlim=64):
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB16s16s", 0x60000000, plen & 0xFFFF, nh, hlim, aton(src), aton(dst)) \
        + payload


def ip(src, dst, seg):
    return ipv6(src, dst, seg) if is6(src) else ipv4(src, dst, seg)


MAC_C = bytes.fromhex("020000000002")
MAC_S = bytes.fromhex("020000000001")


SERVERS = {aton(SRV4), aton(SRV6), aton("10.255.255.1")}


def eth(payload, ethertype=None, vlans=(), src=None, dst=None, tpid=0x8100, pad=False):
    """Ethernet frame; MACs default by direction (server 02:..:01, everyone else 02:..:02)."""
    if src is None:
        v6 = payload[:1] and (payload[0] >> 4) == 6
        from_server = (payload[8:24] if v6 else payload[12:16]) in SERVERS
        src, dst = (MAC_S, MAC_C) if from_server else (MAC_C, MAC_S)
    if ethertype is None:
        ethertype = 0x86DD if payload[:1] and (payload[0] >> 4) == 6 else 0x0800
    tags = b""
    for i, vid in enumerate(vlans):
        t = tpid[i] if isinstance(tpid, (list, tuple)) else tpid
        tags += struct.pack("!HH", t, vid)
    f = dst + src + tags + struct.pack("!H", ethertype) + payload
    if pad and len(f) < 60:
        f += b"\0" * (60 - len(f))
    return f


# ----------------------------------------------------------------------------------------------
# Capture writers
# ----------------------------------------------------------------------------------------------

class Pcap:
    """Classic pcap writer. nsec: nanosecond magic; be: big-endian file."""

    def __init__(self, path, linktype=1, snaplen=262144, nsec=False, be=False):
        self.f = open(path, "wb")
        self.e = ">" if be else "<"
        self.nsec = nsec
        self.snaplen = snaplen
        self.t = 0
        magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
        self.f.write(struct.pack(self.e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))

    def ts(self):
        """Synthetic clock: T0 + 1 ms per packet."""
        t = self.t
        self.t += 1
        return T0 + t // 1000, (t % 1000) * 1000

    def add(self, frame, ts=None, caplen=None, origlen=None):
        sec, usec = ts if ts is not None else self.ts()
        if origlen is None:
            origlen = len(frame)
        if caplen is None:
            caplen = min(len(frame), self.snaplen)
        frac = usec * 1000 if self.nsec and ts is None else usec
        self.f.write(struct.pack(self.e + "IIII", sec & 0xFFFFFFFF, frac & 0xFFFFFFFF, caplen,
                                 origlen))
        self.f.write(frame[:caplen])

    def raw(self, data):
        self.f.write(data)

    def close(self):
        self.f.close()


class Pcapng:
    """Minimal little-endian pcapng writer: SHB, one IDB, EPBs (microsecond resolution)."""

    def __init__(self, path, linktype=1, snaplen=262144):
        self.f = open(path, "wb")
        self.t = 0
        self.snaplen = snaplen
        self._block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
        self._block(0x00000001, struct.pack("<HHI", linktype, 0, snaplen))

    def _block(self, btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        self.f.write(struct.pack("<II", btype, n) + body + struct.pack("<I", n))

    def add(self, frame, ts=None, caplen=None, origlen=None):
        if ts is None:
            t = self.t
            self.t += 1
            us = (T0 * 1000 + t) * 1000
        else:
            us = ts[0] * 1000000 + ts[1]
        if caplen is None:
            caplen = min(len(frame), self.snaplen)
        if origlen is None:
            origlen = len(frame)
        self._block(0x00000006, struct.pack("<IIIII", 0, us >> 32, us & 0xFFFFFFFF, caplen,
                                            origlen) + frame[:caplen])

    def close(self):
        self.f.close()


# ----------------------------------------------------------------------------------------------
# A TCP connection helper producing IP datagrams
# ----------------------------------------------------------------------------------------------

class Conn:
    def __init__(self, cli=(CLI4, CPORT), srv=(SRV4, SPORT), cisn=1000, sisn=5000):
        self.c, self.s = cli, srv
        self.cseq, self.sseq = cisn, sisn  # next sequence number to send

    def seg(self, from_client, flags, payload=b"", seq=None, **kw):
        a, b = (self.c, self.s) if from_client else (self.s, self.c)
        if seq is None:
            seq = self.cseq if from_client else self.sseq
        ack = self.sseq if from_client else self.cseq
        if not flags & ACK:
            ack = 0
        return tcp_seg(a[0], b[0], a[1], b[1], seq, ack, flags, payload, **kw)

    def ipseg(self, from_client, flags, payload=b"", seq=None, **kw):
        a, b = (self.c, self.s) if from_client else (self.s, self.c)
        return ip(a[0], b[0], self.seg(from_client, flags, payload, seq, **kw))

    def advance(self, from_client, n):
        if from_client:
            self.cseq = (self.cseq + n) & 0xFFFFFFFF
        else:
            self.sseq = (self.sseq + n) & 0xFFFFFFFF

    # Convenience packet sequences (lists of IP datagrams)
    def handshake(self):
        p = [self.ipseg(True, SYN)]
        self.advance(True, 1)
        p.append(self.ipseg(False, SYN | ACK))
        self.advance(False, 1)
        p.append(self.ipseg(True, ACK))
        return p

    def data(self, from_client, payload):
        p = self.ipseg(from_client, PSH | ACK, payload)
        self.advance(from_client, len(payload))
        return p

    def ack(self, from_client):
        return self.ipseg(from_client, ACK)

    def close(self):
        p = [self.ipseg(False, FIN | ACK)]
        self.advance(False, 1)
        p.append(self.ipseg(True, FIN | ACK))
        self.advance(True, 1)
        p.append(self.ipseg(False, ACK))
        return p


def fname(src, sport, dst, dport, vlan=""):
    def a(x):
        if is6(x):
            return socket.inet_ntop(socket.AF_INET6, aton(x))
        return ".".join("%03d" % int(o) for o in x.split("."))
    return "%s.%05d-%s.%05d%s" % (a(src), sport, a(dst), dport, vlan)


C2S = fname(CLI4, CPORT, SRV4, SPORT)
S2C = fname(SRV4, SPORT, CLI4, CPORT)

REQUEST = b"GET / HTTP/1.0\r\nHost: example.test\r\n\r\n"
RESPONSE = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"


def http_exchange(conn):
    """Handshake, request, response, FIN both ways: a list of IP datagrams."""
    p = conn.handshake()
    p.append(conn.data(True, REQUEST))
    p.append(conn.ack(False))
    p.append(conn.data(False, RESPONSE))
    p.append(conn.ack(True))
    p += conn.close()
    return p


# ----------------------------------------------------------------------------------------------
# Scenario registry
# ----------------------------------------------------------------------------------------------

SCENARIOS = {}


def scenario(name, ext="pcap", **defaults):
    def reg(fn):
        SCENARIOS[name] = (fn, ext, defaults)
        return fn
    return reg


# --- the in-order flow over many link types -------------------------------------------------

def _std_expect(c2s=C2S, s2c=S2C):
    return {c2s: REQUEST, s2c: RESPONSE}


def _flow(out, linktype, wrap, expect=True, v6=False, writer=Pcap, **wkw):
    conn = Conn((CLI6, CPORT), (SRV6, SPORT)) if v6 else Conn()
    w = writer(out, linktype, **wkw)
    for d in http_exchange(conn):
        w.add(wrap(d))
    w.close()
    if not expect:
        return None
    if v6:
        return _std_expect(fname(CLI6, CPORT, SRV6, SPORT), fname(SRV6, SPORT, CLI6, CPORT))
    return _std_expect()


@scenario("flow-eth")
def s_flow_eth(out):
    """Ethernet (DLT 1), one IPv4 HTTP/1.0 exchange with handshake and FIN both ways.
    Expected: two flow files, the request and the response, byte-exact (both tcpflows)."""
    return _flow(out, 1, eth)


@scenario("flow-eth6")
def s_flow_eth6(out):
    """Ethernet, the same exchange over IPv6 (2001:db8::2.01234 -> 2001:db8::1.00080).
    Expected: two flow files named in tcpflow's IPv6 form, byte-exact."""
    return _flow(out, 1, eth, v6=True)


@scenario("flow-vlan")
def s_flow_vlan(out):
    """Ethernet with one 802.1Q tag (VID 100, priority 0, so TCI == VID).
    Expected: two flow files with the `--100` VLAN suffix, byte-exact."""
    _flow(out, 1, lambda d: eth(d, vlans=(100,)), expect=False)
    return _std_expect(C2S + "--100", S2C + "--100")


@scenario("flow-vlan-pcp")
def s_flow_vlan_pcp(out):
    """Ethernet with one 802.1Q tag VID 100 and priority 3 (TCI 0x6064 = 24676).
    tcpflow 1.6.1 names the files with the whole TCI (`--24676`); the VLAN ID is 100.
    No .expect: the suffix is a documented difference."""
    return _flow(out, 1, lambda d: eth(d, vlans=(0x6064,)), expect=False)


@scenario("flow-qinq")
def s_flow_qinq(out):
    """Ethernet with 802.1ad outer tag (0x88a8, VID 200) and inner 802.1Q (VID 100).
    Expected: the two flow files byte-exact; the name suffix is implementation-defined
    (1.6.1: none, since only an outer 0x8100 counts), so no .expect."""
    return _flow(out, 1, lambda d: eth(d, vlans=(200, 100), tpid=(0x88A8, 0x8100)), expect=False)


@scenario("flow-mpls")
def s_flow_mpls(out):
    """Ethernet, MPLS (0x8847) with a two-label stack, then IPv4. 1.6.1 drops MPLS on Ethernet.
    Expected (ours): the two flow files, byte-exact."""
    def w(d):
        return eth(struct.pack("!II", (16 << 12) | 64, (17 << 12) | 0x100 | 64) + d,
                   ethertype=0x8847)
    return _flow(out, 1, w)


@scenario("flow-pppoe")
def s_flow_pppoe(out):
    """Ethernet, PPPoE session (0x8864) + PPP protocol 0x0021, then IPv4.
    Expected (ours): the two flow files, byte-exact. 1.6.1 drops PPPoE."""
    def w(d):
        return eth(struct.pack("!BBHHH", 0x11, 0, 0x1234, len(d) + 2, 0x0021) + d,
                   ethertype=0x8864)
    return _flow(out, 1, w)


@scenario("flow-null")
def s_flow_null(out):
    """DLT_NULL (0): 4-byte host-order (little-endian) AF_INET=2 header.
    Expected: the two flow files, byte-exact."""
    return _flow(out, 0, lambda d: struct.pack("<I", 2) + d)


@scenario("flow-null6")
def s_flow_null6(out):
    """DLT_NULL with IPv6 using the BSD/macOS family value 30 (little-endian).
    Expected (ours): the two IPv6 flow files; 1.6.1 silently drops them."""
    return _flow(out, 0, lambda d: struct.pack("<I", 30) + d, v6=True)


@scenario("flow-loop")
def s_flow_loop(out):
    """DLT_LOOP (108, OpenBSD): 4-byte network-order AF_INET=2. 1.6.1 rejects DLT 108.
    Expected (ours): the two flow files, byte-exact."""
    return _flow(out, 108, lambda d: struct.pack(">I", 2) + d)


@scenario("flow-raw")
def s_flow_raw(out):
    """LINKTYPE_RAW (101), IPv4. Expected: the two flow files, byte-exact."""
    return _flow(out, 101, lambda d: d)


@scenario("flow-raw6")
def s_flow_raw6(out):
    """LINKTYPE_RAW (101), IPv6. Expected: the two IPv6 flow files, byte-exact."""
    return _flow(out, 101, lambda d: d, v6=True)


@scenario("flow-sll")
def s_flow_sll(out):
    """LINUX_SLL (113) cooked header. Expected: the two flow files, byte-exact."""
    def w(d):
        return struct.pack("!HHH8sH", 0, 1, 6, MAC_C + b"\0\0", 0x0800) + d
    return _flow(out, 113, w)


@scenario("flow-sll2")
def s_flow_sll2(out):
    """LINUX_SLL2 (276), what `tcpdump -i any` writes. 1.6.1 rejects it (exit 1).
    Expected (ours): the two flow files, byte-exact."""
    def w(d):
        return struct.pack("!HHIHBB8s", 0x0800, 0, 2, 1, 0, 6, MAC_C + b"\0\0") + d
    return _flow(out, 276, w)


@scenario("flow-ppp")
def s_flow_ppp(out):
    """DLT_PPP (9): address 0xff, control 0x03, protocol 0x0021. Expected: both flow files."""
    return _flow(out, 9, lambda d: b"\xff\x03\x00\x21" + d)


@scenario("flow-chdlc")
def s_flow_chdlc(out):
    """Cisco HDLC (104): 0x0f 0x00 + ethertype 0x0800. 1.6.1 rejects DLT 104.
    Expected (ours): both flow files, byte-exact."""
    return _flow(out, 104, lambda d: b"\x0f\x00\x08\x00" + d)


@scenario("flow-nsec")
def s_flow_nsec(out):
    """Ethernet in a nanosecond-resolution pcap (magic a1b23c4d). Expected: both flow files."""
    return _flow(out, 1, eth, nsec=True)


@scenario("flow-be")
def s_flow_be(out):
    """Ethernet in a big-endian classic pcap. Expected: both flow files, byte-exact."""
    return _flow(out, 1, eth, be=True)


@scenario("flow-pcapng", ext="pcapng")
def s_flow_pcapng(out):
    """Ethernet in pcapng (SHB, IDB, EPBs). Expected: both flow files, byte-exact."""
    return _flow(out, 1, eth, writer=Pcapng)


@scenario("flow-reuse")
def s_flow_reuse(out):
    """Two connections on the same 4-tuple, the first closed by FIN, then a new SYN.
    Expected: four files; the second connection's get the `c1` suffix."""
    w = Pcap(out, 1)
    c1 = Conn()
    for d in http_exchange(c1):
        w.add(eth(d))
    c2 = Conn(cisn=900000, sisn=700000)
    for d in c2.handshake():
        w.add(eth(d))
    w.add(eth(c2.data(True, b"SECOND-REQUEST")))
    w.add(eth(c2.data(False, b"SECOND-RESPONSE")))
    for d in c2.close():
        w.add(eth(d))
    w.close()
    return {C2S: REQUEST, S2C: RESPONSE, C2S + "c1": b"SECOND-REQUEST",
            S2C + "c1": b"SECOND-RESPONSE"}


@scenario("padded")
def s_padded(out):
    """Ethernet frames padded to the 60-byte minimum: handshake, `HELLO`, `WORLD`, FINs; every
    frame shorter than 60 bytes carries NUL padding after the IP datagram.
    Expected (ours): one file `HELLOWORLD` (10 bytes), no file for the server direction.
    1.6.1 writes `HELLOWORLD` + padding bytes and a file of NULs for the SYN-ACK direction."""
    conn = Conn()
    w = Pcap(out, 1)
    p = conn.handshake()
    p.append(conn.data(True, b"HELLO"))
    p.append(conn.ack(False))
    p.append(conn.data(True, b"WORLD"))
    p.append(conn.ack(False))
    p += conn.close()
    for d in p:
        w.add(eth(d, pad=True))
    w.close()
    return {C2S: b"HELLOWORLD"}


@scenario("frag4")
def s_frag4(out):
    """IPv4: a 300-byte TCP segment split into three fragments delivered last, first, middle,
    then `TAIL` and FINs. Expected (ours): client file = 300 bytes of 'Q'..  + `TAIL`, byte-exact
    (1.6.1 cannot reassemble fragments)."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    body = bytes((0x41 + (i % 26)) for i in range(300))
    seg = conn.seg(True, PSH | ACK, body)
    conn.advance(True, len(body))
    # fragments of the 320-byte IP payload: 0..103, 104..207, 208..319
    parts = [(0, seg[0:104], True), (13, seg[104:208], True), (26, seg[208:], False)]
    frames = [eth(ipv4(CLI4, SRV4, data, ident=0x4242, frag=(0x2000 if mf else 0) | off))
              for off, data, mf in parts]
    for i in (2, 0, 1):
        w.add(frames[i])
    w.add(eth(conn.ack(False)))
    w.add(eth(conn.data(True, b"TAIL")))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: body + b"TAIL"}


@scenario("frag6")
def s_frag6(out):
    """IPv6 with Fragment extension headers: a 300-byte segment in three fragments, delivered
    middle, last, first; then `TAIL`. Expected (ours): client file = the 300 bytes + `TAIL`."""
    conn = Conn((CLI6, CPORT), (SRV6, SPORT))
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    body = bytes((0x61 + (i % 26)) for i in range(300))
    seg = conn.seg(True, PSH | ACK, body)
    conn.advance(True, len(body))
    parts = [(0, seg[0:104], True), (104, seg[104:208], True), (208, seg[208:], False)]
    frames = []
    for off, data, mf in parts:
        fh = struct.pack("!BBHI", 6, 0, off | (1 if mf else 0), 0x01020304)
        frames.append(eth(ipv6(CLI6, SRV6, fh + data, nh=44)))
    for i in (1, 2, 0):
        w.add(frames[i])
    w.add(eth(conn.ack(False)))
    w.add(eth(conn.data(True, b"TAIL")))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {fname(CLI6, CPORT, SRV6, SPORT): body + b"TAIL"}


@scenario("midstream")
def s_midstream(out):
    """SYN-less flow: `MIDDLE` at seq 5000 then `END` at 5006, no handshake, no FIN.
    Expected: one file `MIDDLEEND` (data from the first byte seen)."""
    w = Pcap(out, 1)
    w.add(eth(ip(CLI4, SRV4, tcp_seg(CLI4, SRV4, CPORT, SPORT, 5000, 77, PSH | ACK, b"MIDDLE"))))
    w.add(eth(ip(CLI4, SRV4, tcp_seg(CLI4, SRV4, CPORT, SPORT, 5006, 77, PSH | ACK, b"END"))))
    w.close()
    return {C2S: b"MIDDLEEND"}


@scenario("snaplen")
def s_snaplen(out):
    """Snaplen 100 (header) and caplen cut: segments 'a'*40, 'b'*80 (only 46 payload bytes
    captured: 14+20+20+46 = 100), 'c'*40, FINs. Expected (ours): client file of 160 bytes:
    a*40 + b*46 + 34 NULs (the gap, at its true offset) + c*40."""
    conn = Conn()
    w = Pcap(out, 1, snaplen=100)
    for d in conn.handshake():
        w.add(eth(d))
    for pl in (b"a" * 40, b"b" * 80, b"c" * 40):
        w.add(eth(conn.data(True, pl)))
    w.add(eth(conn.ack(False)))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: b"a" * 40 + b"b" * 46 + b"\0" * 34 + b"c" * 40}


@scenario("bulk", mb=8)
def s_bulk(out, mb):
    """One in-order flow carrying MB mebibytes (default 8) in 1400-byte segments, then FINs.
    Used for disk-full and EFBIG tests. Expected: the client file byte-exact."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    total = int(mb) * 1048576
    data = _pattern(total)
    for i in range(0, total, 1400):
        w.add(eth(conn.data(True, data[i:i + 1400])))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: data}


def _pattern(n):
    unit = b"".join(b"%07d\n" % i for i in range(131072))  # 1 MiB of numbered lines
    return (unit * (n // len(unit) + 1))[:n]


@scenario("leadgap", mb=16)
def s_leadgap(out, mb):
    """A hole at the start (the first 1000-byte segment after the SYN is never sent), then MB
    mebibytes (default 16) in order in 1400-byte segments, FINs. Reliability item 25.
    Expected (ours): the client file is 1000 NULs (the gap at its true offset) + the data,
    byte-exact; the out-of-order queue is flushed with a recorded gap, not dropped."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    conn.advance(True, 1000)
    total = int(mb) * 1048576
    data = _pattern(total)
    for i in range(0, total, 1400):
        w.add(eth(conn.data(True, data[i:i + 1400])))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: b"\0" * 1000 + data}


# --- bad files -------------------------------------------------------------------------------

@scenario("empty")
def s_empty(out):
    """A 0-byte file. Expected: one error line naming the file, exit 1 (item 1)."""
    open(out, "wb").close()


@scenario("header-only")
def s_header_only(out):
    """A 24-byte pcap header (Ethernet) and no records. Expected: exit 0, no flow files (item 2)."""
    Pcap(out, 1).close()


@scenario("text", ext="txt")
def s_text(out):
    """A text file. Expected: one error line naming the file, exit 1 (item 3)."""
    with open(out, "w") as f:
        f.write("This is not a packet capture.\nJust text.\n" * 4)


@scenario("unknown-dlt")
def s_unknown_dlt(out):
    """A pcap with link type 147 (DLT_USER0) and three records. Expected: an error naming the
    file and the link type, exit 1 (item 7)."""
    w = Pcap(out, 147)
    for i in range(3):
        w.add(b"\x00\x01\x02\x03" * 10)
    w.close()


@scenario("truncated")
def s_truncated(out):
    """Handshake, `part-one` (complete), then a `part-two-...` data record cut in the middle
    of its bytes (the file ends there). Expected (ours): exit 3 (input damaged), client file
    `part-one` byte-exact (item 5)."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    w.add(eth(conn.data(True, b"part-one")))
    w.add(eth(conn.ack(False)))
    frame = eth(conn.data(True, b"part-two-which-is-cut-off-in-the-middle"))
    sec, usec = w.ts()
    w.raw(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame[:len(frame) - 20])
    w.close()
    return {C2S: b"part-one"}


@scenario("garbage-record")
def s_garbage_record(out):
    """The complete flow-eth exchange, then a record header claiming caplen 0xFFFFFF00 followed
    by junk. Expected (ours): exit 3, both flow files byte-exact (item 5)."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in http_exchange(conn):
        w.add(eth(d))
    w.raw(struct.pack("<IIII", T0 + 60, 0, 0xFFFFFF00, 0xFFFFFF00) + b"\xde\xad\xbe\xef" * 16)
    w.close()
    return _std_expect()


# --- c01 .. c20 (RELIABILITY.md section 8.2) -----------------------------------------------

@scenario("c01")
def s_c01(out):
    """IPv6 payload length 65535 with only 5 payload bytes captured (`HELLO`): handshake, then a
    data segment whose IPv6 plen claims 65535 and whose record has caplen == the real bytes and
    origlen == 14+40+65535. Expected (ours): client file exactly `HELLO`, truncation counted.
    1.6.1: a 65,515-byte file with heap contents (item 8)."""
    conn = Conn((CLI6, CPORT), (SRV6, SPORT))
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    seg = conn.seg(True, PSH | ACK, b"HELLO")
    conn.advance(True, 5)
    frame = eth(ipv6(CLI6, SRV6, seg, plen=65535))
    w.add(frame, caplen=len(frame), origlen=14 + 40 + 65535)
    w.close()
    return {fname(CLI6, CPORT, SRV6, SPORT): b"HELLO"}


@scenario("c02")
def s_c02(out):
    """IPv4 header-length abuse inside a valid flow: `GOOD` (valid), then a datagram with IHL 15
    but total length 28 (8 bytes after a 20-byte header), one with IHL 4 and one with IHL 0,
    each carrying EVIL bytes, then `DATA` (valid) and FINs. Expected (ours): the malformed
    datagrams are dropped and counted; one client file `GOODDATA` (item 9). 1.6.1: a 65,504-byte
    file with ports read from beyond the buffer."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    w.add(eth(conn.data(True, b"GOOD")))
    evil = conn.seg(True, PSH | ACK, b"EVILEVIL")
    w.add(eth(ipv4(CLI4, SRV4, evil[:8], ihl=15, tot_len=28)))
    w.add(eth(ipv4(CLI4, SRV4, evil, ihl=4, tot_len=20 + len(evil))))
    w.add(eth(ipv4(CLI4, SRV4, evil, ihl=0, tot_len=20 + len(evil))))
    w.add(eth(conn.data(True, b"DATA")))
    w.add(eth(conn.ack(False)))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: b"GOODDATA"}


@scenario("c03", jumps=200)
def s_c03(out, jumps):
    """Forward sequence jumps just under tcpflow's 16 MiB max_seek: after a handshake, JUMPS
    (default 200) segments of 10 bytes (`J000xxxxx\\n`...), each 16,000,000 bytes after the
    previous. Expected (ours): no multi-GB sparse file (per-flow hole cap, e.g. 64 MiB; beyond
    it a new file or a recorded gap), every data byte present (item 22). 1.6.1: a
    3,184,000,010-byte sparse file."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    base = conn.cseq
    for i in range(int(jumps)):
        pl = b"J%03dxxxxx\n" % (i % 1000)
        w.add(eth(conn.ipseg(True, PSH | ACK, pl, seq=(base + i * 16000000) & 0xFFFFFFFF)))
    w.close()


@scenario("c04", n=1500)
def s_c04(out, n):
    """Backwards segments in a SYN-less flow: N (default 1500) segments of 100 bytes, each
    60,000 sequence numbers BEFORE the previous one. Expected (ours): linear time (< 1 s for
    3,000), output bounded by the gap policy (item 21). 1.6.1 shifts the whole file for every
    prepend: 8.2 s for 1,500, 43.9 s for 3,000."""
    w = Pcap(out, 1)
    base = 0x40000000
    for k in range(int(n)):
        pl = bytes([0x41 + k % 26]) * 100
        w.add(eth(ip(CLI4, SRV4, tcp_seg(CLI4, SRV4, CPORT, SPORT, base - k * 60000, 1,
                                          PSH | ACK, pl))))
    w.close()


@scenario("c05", n=20000)
def s_c05(out, n):
    """N (default 20,000; the study used 300,000) half-open flows: for each flow a SYN and one
    data byte `x`, never answered or closed. Client i is 10.(i>>16).(i>>8&255).(i&255) port
    1024+(i%60000), server 10.255.255.1:80. Expected (ours): N one-byte flow files (possibly
    binned into directories), RSS within the flow-table budget, evictions reported (item 23)."""
    w = Pcap(out, 1)
    n = int(n)
    for i in range(1, n + 1):
        src = "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
        sp = 1024 + (i % 60000)
        w.add(eth(ip(src, "10.255.255.1", tcp_seg(src, "10.255.255.1", sp, 80, 7000, 0, SYN))))
        w.add(eth(ip(src, "10.255.255.1", tcp_seg(src, "10.255.255.1", sp, 80, 7001, 1,
                                                  PSH | ACK, b"x"))))
    w.close()


@scenario("c08", tags=500)
def s_c08(out, tags):
    """TAGS (default 500) stacked 802.1Q tags in front of a whole flow carrying `DEEP`, plus a
    normal untagged flow carrying `SHALLOW` from 192.168.1.3:1235. Expected (ours): the deep
    frames are dropped and counted (encapsulation depth <= 16), no recursion, one file
    `SHALLOW` (item 13). 1.6.1 decodes them and names the file with a `--1` suffix."""
    w = Pcap(out, 1)
    vl = tuple((i % 4094) + 1 for i in range(int(tags)))
    conn = Conn()
    p = conn.handshake()
    p.append(conn.data(True, b"DEEP"))
    p += conn.close()
    for d in p:
        w.add(eth(d, vlans=vl))
    conn2 = Conn(("192.168.1.3", 1235))
    p = conn2.handshake()
    p.append(conn2.data(True, b"SHALLOW"))
    p += conn2.close()
    for d in p:
        w.add(eth(d))
    w.close()
    return {fname("192.168.1.3", 1235, SRV4, SPORT): b"SHALLOW"}


@scenario("c09")
def s_c09(out):
    """First IPv4 fragment only: handshake, `HELLO`, then an 80-byte segment of which only the
    first fragment (MF set: TCP header + 28 data bytes) is captured, then `WORLD`, FINs.
    Expected (ours): the fragment is never written as if it were the whole segment; the
    incomplete datagram is dropped (counted) and its 80 bytes are a gap: client file `HELLO` +
    80 NULs + `WORLD` (item 15). 1.6.1 writes the 28 fragment bytes."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    w.add(eth(conn.data(True, b"HELLO")))
    seg = conn.seg(True, PSH | ACK, b"F" * 80)
    conn.advance(True, 80)
    w.add(eth(ipv4(CLI4, SRV4, seg[:48], ident=0x99, frag=0x2000, tot_len=20 + 48)))
    w.add(eth(conn.data(True, b"WORLD")))
    w.add(eth(conn.ack(False)))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: b"HELLO" + b"\0" * 80 + b"WORLD"}


@scenario("c10")
def s_c10(out):
    """Absurd timestamps on the flow-eth exchange: usec >= 1e6, seconds 0xFFFFFFFF, usec
    0xFFFFFFFF, time going backwards by a day and to 0. Expected: no crash, exit 0, both flow
    files byte-exact (item 16)."""
    conn = Conn()
    w = Pcap(out, 1)
    stamps = [(T0, 2000000), (0xFFFFFFFF, 999999), (T0, 0xFFFFFFFF), (T0 - 86400, 5),
              (0, 0), (0xFFFFFFFF, 0), (T0, 1000000), (1, 1), (T0 + 1, 3), (0x7FFFFFFF, 999999)]
    for i, d in enumerate(http_exchange(conn)):
        w.add(eth(d), ts=stamps[i % len(stamps)])
    w.close()
    return _std_expect()


@scenario("c11")
def s_c11(out):
    """Blind RST with an out-of-window sequence number: handshake, client `first-half-`, a RST
    spoofed from the client with seq 2^30 ahead, then `second-half` and FINs. The server sends
    no data. Expected (ours): one file `first-half-second-half`, anomaly recorded (item 19).
    1.6.1 splits the stream into two files."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    w.add(eth(conn.data(True, b"first-half-")))
    w.add(eth(conn.ack(False)))
    w.add(eth(conn.ipseg(True, RST, seq=(conn.cseq + 0x40000000) & 0xFFFFFFFF)))
    w.add(eth(conn.data(True, b"second-half")))
    w.add(eth(conn.ack(False)))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: b"first-half-second-half"}


@scenario("c12")
def s_c12(out):
    """src == dst and sport == dport (10.0.0.5:5000 talking to itself): SYN (seq 1000), SYN-ACK
    (seq 900000) on the very same 4-tuple, `ping-from-a`, `pong-from-b`, FINs. Both "directions"
    share one key. Expected: no crash, exit 0, the payload bytes written somewhere (policy
    documented). 1.6.1 merges them into one 913-byte file with an 898-byte hole."""
    a = ("10.0.0.5", 5000)
    conn = Conn(a, a, cisn=1000, sisn=900000)
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    w.add(eth(conn.data(True, b"ping-from-a")))
    w.add(eth(conn.data(False, b"pong-from-b")))
    for d in conn.close():
        w.add(eth(d))
    w.close()


@scenario("c13")
def s_c13(out):
    """TCP data offset abuse: after the handshake, segments with doff 0, doff 2 and doff 15 (on
    a 24-byte segment) each carrying `XXXX` at seq 1, then a valid `DATA` at seq 1 and FINs.
    Expected (ours): the bad segments are dropped and counted; client file exactly `DATA`, no
    TCP header bytes in it (item 11). 1.6.1 writes header bytes as data."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    for doff in (0, 2, 15):
        w.add(eth(conn.ipseg(True, PSH | ACK, b"XXXX", doff=doff)))
    w.add(eth(conn.data(True, b"DATA")))
    w.add(eth(conn.ack(False)))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: b"DATA"}


@scenario("c14")
def s_c14(out):
    """Sequence wraparound with reordering: client ISN 2^32-250, six 100-byte segments
    A*100..F*100 (the wrap falls inside C) delivered in the order A C B E F D, then FINs.
    Expected: client file of 600 bytes, A*100 B*100 ... F*100 (item 18)."""
    conn = Conn(cisn=0xFFFFFFFF - 249)
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    base = conn.cseq
    segs = []
    for i, ch in enumerate(b"ABCDEF"):
        segs.append(eth(conn.ipseg(True, PSH | ACK, bytes([ch]) * 100,
                                   seq=(base + 100 * i) & 0xFFFFFFFF)))
    conn.advance(True, 600)
    for i in (0, 2, 1, 4, 5, 3):
        w.add(segs[i])
    w.add(eth(conn.ack(False)))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: b"".join(bytes([c]) * 100 for c in b"ABCDEF")}


@scenario("c15", n=2000, size=500)
def s_c15(out, n, size):
    """N (default 2,000) flows opened together, then their data interleaved round-robin in
    100-byte segments (SIZE bytes per flow, default 500), then FINs from every client. Client i
    is 10.1.(i>>8).(i&255) port 10000+i, server 10.0.0.1:80. Expected: N client files of SIZE
    bytes each, byte-exact, also with `prlimit --nofile=12` (item 31)."""
    n, size = int(n), int(size)
    w = Pcap(out, 1)
    conns, datas, expect = [], [], {}
    for i in range(n):
        src = "10.1.%d.%d" % ((i >> 8) & 255, i & 255)
        c = Conn((src, 10000 + i), (SRV4, SPORT), cisn=1000 + i * 7, sisn=50000 + i)
        conns.append(c)
        d = (b"flow%05d:" % i) * (size // 10 + 1)
        datas.append(d[:size])
        expect[fname(src, 10000 + i, SRV4, SPORT)] = d[:size]
        for p in c.handshake():
            w.add(eth(p))
    for off in range(0, size, 100):
        for i, c in enumerate(conns):
            w.add(eth(c.data(True, datas[i][off:off + 100])))
    for c in conns:
        for p in c.close():
            w.add(eth(p))
    w.close()
    return expect


@scenario("c16", n=200000)
def s_c16(out, n):
    """One flow of N (default 200,000; the study used 1,000,000) one-byte segments, in order,
    with handshake and FINs. Expected: the client file byte-exact (a..z repeating), linear time,
    bounded RSS (item 24). 1.6.1: 1.7 s and 18 MB for 1,000,000."""
    n = int(n)
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    alpha = b"abcdefghijklmnopqrstuvwxyz"
    for i in range(n):
        w.add(eth(conn.data(True, alpha[i % 26:i % 26 + 1])))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: (alpha * (n // 26 + 1))[:n]}


@scenario("c17")
def s_c17(out):
    """Conflicting overlaps. Client stream offsets (relative to ISN+1), in arrival order:
    0 `GOODGOODGOOD`; 12 `GOODGOODGOOD`; 4 `EVILEVIL` (conflicting retransmission inside);
    20 `EVILEVIL` (conflicts on 20-23, extends with 24-27); 40 `GOODGOOD` (out of order, hole
    28-39); 36 `EVILEVIL` (conflicts with queued 40-43); 28 `GOODGOOD` (fills the hole); FINs.
    Expected (ours, default first-wins): `GOOD`x6 `EVIL` `GOOD`x2 `EVIL` `GOOD`x2 (48 bytes),
    every conflict counted (item 17). 1.6.1 (last-wins): `GOODEVILEVILGOODGOODEVILEVILGOOD`
    `GOODEVILEVILGOOD`."""
    conn = Conn()
    w = Pcap(out, 1)
    for d in conn.handshake():
        w.add(eth(d))
    base = conn.cseq
    for off, pl in ((0, b"GOODGOODGOOD"), (12, b"GOODGOODGOOD"), (4, b"EVILEVIL"),
                    (20, b"EVILEVIL"), (40, b"GOODGOOD"), (36, b"EVILEVIL"), (28, b"GOODGOOD")):
        w.add(eth(conn.ipseg(True, PSH | ACK, pl, seq=(base + off) & 0xFFFFFFFF)))
    conn.advance(True, 48)
    w.add(eth(conn.ack(False)))
    for d in conn.close():
        w.add(eth(d))
    w.close()
    return {C2S: b"GOOD" * 6 + b"EVIL" + b"GOOD" * 2 + b"EVIL" + b"GOOD" * 2}


def _random_frames(out, linktype, seed, count, prefix, lo, hi):
    rnd = random.Random(seed)
    w = Pcap(out, linktype)
    for _ in range(count):
        body = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(lo, hi)))
        w.add(prefix(rnd) + body)
    w.close()


@scenario("c18", n=1000)
def s_c18(out, n):
    """N (default 1,000) seeded-random radiotap (DLT 127) frames: an 8-byte radiotap header
    with a random present word, then random 802.11 bytes. Expected: no crash; either decoded
    or the link type rejected with an error naming the file (item 14)."""
    _random_frames(out, 127, 18, int(n),
                   lambda r: struct.pack("<BBHI", 0, 0, 8, r.getrandbits(32) & r.choice(
                       (0, 0xFF, 0xFFFFFFFF))), 0, 300)


@scenario("c18b", n=1000)
def s_c18b(out, n):
    """N seeded-random raw 802.11 (DLT 105) frames whose first byte marks a data frame half
    of the time. Expected: no crash; decoded or rejected with an error (item 14)."""
    _random_frames(out, 105, 1802, int(n), lambda r: bytes([r.choice((0x08, 0x88, 0x80,
                                                                     r.getrandbits(8)))]), 0, 300)


@scenario("c18c", n=200)
def s_c18c(out, n):
    """N seeded-random short Prism (DLT 119) frames of 0..40 bytes (shorter than the 144-byte
    Prism header). Expected: no crash; decoded or rejected with an error (item 14)."""
    _random_frames(out, 119, 1803, int(n), lambda r: b"", 0, 40)


# ----------------------------------------------------------------------------------------------
# Extra modes
# ----------------------------------------------------------------------------------------------

def good_prefix(src, dst):
    """Copy the header and every complete, sane record of a classic pcap until the first bad or
    cut record. Returns the number of records copied."""
    with open(src, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit("%s: too short for a pcap header" % src)
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        raise SystemExit("%s: not a classic pcap file" % src)
    snaplen = struct.unpack(e + "I", data[16:20])[0]
    limit = max(snaplen, 262144)
    pos, n = 24, 0
    while pos + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(e + "IIII", data[pos:pos + 16])
        if caplen > limit or pos + 16 + caplen > len(data):
            break
        pos += 16 + caplen
        n += 1
    with open(dst, "wb") as f:
        f.write(data[:pos])
    return n


def stream(pps):
    """An endless one-flow capture on stdout, paced at pps packets per second."""
    import time
    out = sys.stdout.buffer
    w = Pcap(os.devnull, 1)
    w.f.close()

    class Sink:
        def write(self, b):
            out.write(b)
    w.f = Sink()
    w.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    conn = Conn()
    for d in conn.handshake():
        w.add(eth(d))
    out.flush()
    i = 0
    delay = 1.0 / pps if pps > 0 else 0
    try:
        while True:
            w.add(eth(conn.data(True, (b"%09d:" % i) * 100)))
            i += 1
            if i % 10 == 0:
                out.flush()
                if delay:
                    time.sleep(delay * 10)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    return 0


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------

def write_expect(path, expect):
    lines = []
    for name, data in expect.items():
        lines.append((name, hashlib.sha256(data).hexdigest()))
    lines.sort()
    with open(path, "w") as f:
        for name, h in lines:
            f.write("%s  %s\n" % (h, name))


def generate(outdir, spec):
    name, _, params = spec.partition(":")
    if name not in SCENARIOS:
        raise SystemExit("mkcaps.py: unknown scenario '%s' (try --list)" % name)
    fn, ext, defaults = SCENARIOS[name]
    kw = dict(defaults)
    base = name
    if params:
        for kv in params.split(","):
            k, eq, v = kv.partition("=")
            if not eq or k not in defaults:
                raise SystemExit("mkcaps.py: scenario '%s' has no parameter '%s' (has: %s)"
                                 % (name, k, ", ".join(sorted(defaults)) or "none"))
            kw[k] = v
            base += "-%s%s" % (k, v)
    out = os.path.join(outdir, "%s.%s" % (base, ext))
    expect = fn(out, **kw)
    if expect is not None:
        write_expect(os.path.join(outdir, base + ".expect"), expect)
    return out


def main(argv):
    if len(argv) >= 2 and argv[1] == "--list":
        for n in sorted(SCENARIOS):
            fn, ext, d = SCENARIOS[n]
            ps = " ".join("%s=%s" % kv for kv in sorted(d.items()))
            print("%-14s %-22s %s" % (n, ps, (fn.__doc__ or "").strip().splitlines()[0]))
        return 0
    if len(argv) == 3 and argv[1] == "--doc":
        print(SCENARIOS[argv[2]][0].__doc__)
        return 0
    if len(argv) == 4 and argv[1] == "--good-prefix":
        print(good_prefix(argv[2], argv[3]))
        return 0
    if len(argv) in (2, 3) and argv[1] == "--stream":
        return stream(float(argv[2]) if len(argv) == 3 else 2000.0)
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    specs = argv[2:] or sorted(SCENARIOS)
    for s in specs:
        generate(outdir, s)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
