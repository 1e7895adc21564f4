#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate synthetic pcap captures of several shapes for bench/run.sh (python3 stdlib only).

Shapes (all Ethernet + IPv4 + TCP, classic pcap, microsecond timestamps, checksums left 0,
which tcpflow does not check):

  huge         few huge flows: FLOWS connections sending SIZE_MB in total, 1448-byte
               segments round-robin over the flows, one pure ACK back every 2 segments
  short        many short connections, one after another with 64 overlapping at a time:
               SYN, SYN/ACK, ACK, a ~90-byte request, a ~600-byte response, FIN/ACK x2, ACK
  interleaved  FLOWS concurrent flows of random size (SIZE_MB in total) whose packets are
               randomly interleaved; 2% of segments are swapped with the next one of the
               same flow (reordering) and 1% are sent again 1-50 packets later
               (retransmission, same bytes)
  http         CONNS keep-alive HTTP/1.1 connections, REQS request/response pairs each,
               responses with Content-Encoding: gzip bodies (2-200 KB of text before gzip)

Every flow has a distinct 4-tuple and is complete in both directions, so tcpflow 1.6.1
reassembles all of them correctly and its output can be compared byte for byte.
Deterministic: the same arguments (and --seed) give the same file.

Usage: gencap.py SHAPE OUT.pcap [--size-mb N] [--flows N] [--conns N] [--reqs N] [--seed N]
"""
import argparse
import gzip
import random
import struct
import sys

PCAP_HDR = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
REC = struct.Struct("<IIII")
ETH = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
IPTCP = struct.Struct("!BBHHHBBH4s4sHHIIBBHHH")
MSS = 1448

FIN, SYN, PSH, ACK = 0x01, 0x02, 0x08, 0x10


class Writer:
    """Buffered pcap writer with a packet clock of 10 us per packet."""

    def __init__(self, path):
        self.fp = open(path, "wb")
        self.fp.write(PCAP_HDR)
        self.parts = []
        self.t = 1600000000 * 1000000
        self.ipid = 0
        self.packets = 0
        self.bytes = len(PCAP_HDR)

    def pkt(self, src, dst, sport, dport, seq, ack, flags, payload=b""):
        self.t += 10
        self.ipid = (self.ipid + 1) & 0xFFFF
        iplen = 40 + len(payload)
        caplen = 14 + iplen
        self.parts.append(REC.pack(self.t // 1000000, self.t % 1000000, caplen, caplen))
        self.parts.append(ETH)
        self.parts.append(IPTCP.pack(0x45, 0, iplen, self.ipid, 0x4000, 64, 6, 0, src, dst,
                                     sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50,
                                     flags, 65535, 0, 0))
        if payload:
            self.parts.append(payload)
        self.packets += 1
        self.bytes += 16 + caplen
        if len(self.parts) >= 40000:
            self.flush()

    def flush(self):
        self.fp.write(b"".join(self.parts))
        self.parts = []

    def close(self):
        self.flush()
        self.fp.close()


def ip(a, b, c, d):
    return bytes((a, b, c, d))


class Conn:
    """One TCP connection: client c -> server s, with running sequence numbers."""

    def __init__(self, w, cip, sip, cport, sport, rng):
        self.w, self.cip, self.sip, self.cport, self.sport = w, cip, sip, cport, sport
        self.cseq = rng.getrandbits(32)
        self.sseq = rng.getrandbits(32)

    def handshake(self):
        w = self.w
        w.pkt(self.cip, self.sip, self.cport, self.sport, self.cseq, 0, SYN)
        w.pkt(self.sip, self.cip, self.sport, self.cport, self.sseq, self.cseq + 1, SYN | ACK)
        self.cseq += 1
        self.sseq += 1
        w.pkt(self.cip, self.sip, self.cport, self.sport, self.cseq, self.sseq, ACK)

    def send(self, from_client, data, ack_every=0):
        """Sends data in MSS segments; ack_every > 0 adds a pure ACK every N segments."""
        w = self.w
        n = 0
        for off in range(0, len(data), MSS):
            seg = data[off:off + MSS]
            self.segment(from_client, seg)
            n += 1
            if ack_every and n % ack_every == 0:
                self.ack(not from_client)

    def segment(self, from_client, seg):
        w = self.w
        if from_client:
            w.pkt(self.cip, self.sip, self.cport, self.sport, self.cseq, self.sseq, ACK | PSH, seg)
            self.cseq += len(seg)
        else:
            w.pkt(self.sip, self.cip, self.sport, self.cport, self.sseq, self.cseq, ACK | PSH, seg)
            self.sseq += len(seg)

    def ack(self, from_client):
        w = self.w
        if from_client:
            w.pkt(self.cip, self.sip, self.cport, self.sport, self.cseq, self.sseq, ACK)
        else:
            w.pkt(self.sip, self.cip, self.sport, self.cport, self.sseq, self.cseq, ACK)

    def close(self):
        w = self.w
        w.pkt(self.cip, self.sip, self.cport, self.sport, self.cseq, self.sseq, FIN | ACK)
        self.cseq += 1
        w.pkt(self.sip, self.cip, self.sport, self.cport, self.sseq, self.cseq, FIN | ACK)
        self.sseq += 1
        w.pkt(self.cip, self.sip, self.cport, self.sport, self.cseq, self.sseq, ACK)


def random_block(rng, size):
    return bytes(rng.getrandbits(8) for _ in range(4096)) * (size // 4096)


def client_addr(i):
    """Distinct client (ip, port) for connection i: 10.a.b.c, ports 10000..59999."""
    host, port = divmod(i, 50000)
    return ip(10, 1 + (host >> 16) % 250, (host >> 8) & 255, host & 255), 10000 + port


def gen_huge(w, rng, size_mb, flows):
    total = size_mb << 20
    per = total // flows
    block = random_block(rng, 1 << 20)
    conns = []
    for i in range(flows):
        c = Conn(w, ip(10, 0, 0, 1 + i), ip(10, 0, 1, 1), 40000 + i, 80, rng)
        c.handshake()
        conns.append(c)
    # round-robin segments; pure ACK every 2 segments of a flow
    pos = [0] * flows
    n = 0
    while True:
        active = False
        for i, c in enumerate(conns):
            if pos[i] >= per:
                continue
            active = True
            ln = min(MSS, per - pos[i])
            o = (pos[i] * 7) % (len(block) - MSS)
            c.segment(False, block[o:o + ln])
            pos[i] += ln
            n += 1
            if n % 2 == 0:
                c.ack(True)
        if not active:
            break
    for c in conns:
        c.close()


def gen_short(w, rng, conns):
    sip = ip(10, 0, 1, 1)
    body = random_block(rng, 4096)
    window = []
    for i in range(conns):
        cip, cport = client_addr(i)
        c = Conn(w, cip, sip, cport, 80, rng)
        req = b"GET /item/%d HTTP/1.1\r\nHost: example.test\r\nUser-Agent: bench\r\n\r\n" % i
        rlen = 300 + (i * 37) % 900
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % rlen + body[:rlen]
        window.append([c, 0, req, resp])
        # 64 connections in flight: advance each one step per round
        if len(window) >= 64 or i == conns - 1:
            while window:
                nxt = []
                for st in window:
                    c, step, req, resp = st
                    if step == 0:
                        c.handshake()
                    elif step == 1:
                        c.send(True, req)
                    elif step == 2:
                        c.send(False, resp)
                    else:
                        c.close()
                        continue
                    st[1] += 1
                    nxt.append(st)
                window = nxt


def gen_interleaved(w, rng, size_mb, flows):
    total = size_mb << 20
    block = random_block(rng, 1 << 20)
    # flow sizes: random, summing to about total
    weights = [rng.random() + 0.05 for _ in range(flows)]
    s = sum(weights)
    sizes = [max(1, int(total * x / s)) for x in weights]
    conns, queues, ends = [], [], []
    for i in range(flows):
        cip, cport = client_addr(i)
        c = Conn(w, cip, ip(10, 0, 2, 1 + i % 200), cport, 443, rng)
        c.handshake()
        conns.append(c)
        # plan of (from_client, seq_offset, bytes) segments for both directions
        segs = []
        base = {True: 0, False: 0}
        off = rng.randrange(len(block) - MSS)
        remaining = sizes[i]
        while remaining > 0:
            frm = rng.random() < 0.2
            ln = min(remaining, rng.choice((MSS, MSS, MSS, 536, 100 + rng.randrange(1300))))
            o = (off + remaining * 13) % (len(block) - MSS)
            segs.append((frm, base[frm], block[o:o + ln]))
            base[frm] += ln
            remaining -= ln
        # reordering: swap 2% with the next segment
        j = 0
        while j < len(segs) - 1:
            if rng.random() < 0.02:
                segs[j], segs[j + 1] = segs[j + 1], segs[j]
                j += 2
            else:
                j += 1
        # retransmission: 1% sent again (same bytes) 1..50 places later
        keyed = [(float(j), sg) for j, sg in enumerate(segs)]
        for j, sg in enumerate(segs):
            if rng.random() < 0.01:
                keyed.append((j + rng.randrange(1, 50) + 0.5, sg))
        keyed.sort(key=lambda x: x[0])
        plan = [sg for _, sg in keyed]
        ends.append((base[True], base[False]))
        queues.append(plan)
    isn = [(c.cseq, c.sseq) for c in conns]
    live = list(range(flows))
    pos = [0] * flows
    while live:
        k = rng.randrange(len(live))
        i = live[k]
        frm, off, data = queues[i][pos[i]]
        c = conns[i]
        cs, ss = isn[i]
        if frm:
            w.pkt(c.cip, c.sip, c.cport, c.sport, cs + off, ss, ACK | PSH, data)
        else:
            w.pkt(c.sip, c.cip, c.sport, c.cport, ss + off, cs, ACK | PSH, data)
        pos[i] += 1
        if pos[i] == len(queues[i]):
            live[k] = live[-1]
            live.pop()
    for i, c in enumerate(conns):
        cs, ss = isn[i]
        c.cseq = cs + ends[i][0]
        c.sseq = ss + ends[i][1]
        c.close()


def gen_http(w, rng, conns, reqs):
    words = (b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
             b"incididunt ut labore et dolore magna aliqua <div class=\"row\"> </div> "
             b"{\"id\": 12345, \"name\": \"value\"} ").split()
    bodies = []
    for k in range(64):
        n = 2000 + rng.randrange(200000)
        parts, ln = [], 0
        while ln < n:
            x = words[rng.randrange(len(words))]
            parts.append(x)
            ln += len(x) + 1
        raw = b" ".join(parts)[:n]
        bodies.append(gzip.compress(raw, compresslevel=6, mtime=0))
    sip = ip(10, 0, 3, 1)
    window = []
    for i in range(conns):
        cip, cport = client_addr(i)
        c = Conn(w, cip, sip, cport, 80, rng)
        window.append([c, 0, i])
        if len(window) >= 32 or i == conns - 1:
            while window:
                nxt = []
                for st in window:
                    c, step, ci = st
                    if step == 0:
                        c.handshake()
                    elif step <= reqs:
                        body = bodies[(ci * 7 + step) % len(bodies)]
                        req = (b"GET /page/%d/%d HTTP/1.1\r\nHost: www.example.test\r\n"
                               b"Accept-Encoding: gzip\r\n\r\n" % (ci, step))
                        c.send(True, req)
                        hdr = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                               b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
                               % len(body))
                        c.send(False, hdr + body, ack_every=2)
                    else:
                        c.close()
                        continue
                    st[1] += 1
                    nxt.append(st)
                window = nxt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shape", choices=("huge", "short", "interleaved", "http"))
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--flows", type=int, default=4)
    ap.add_argument("--conns", type=int, default=50000)
    ap.add_argument("--reqs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    w = Writer(a.out)
    if a.shape == "huge":
        gen_huge(w, rng, a.size_mb, a.flows)
    elif a.shape == "short":
        gen_short(w, rng, a.conns)
    elif a.shape == "interleaved":
        gen_interleaved(w, rng, a.size_mb, a.flows)
    else:
        gen_http(w, rng, a.conns, a.reqs)
    w.close()
    print("%s: %d packets, %.1f MB" % (a.out, w.packets, w.bytes / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
