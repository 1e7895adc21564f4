#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a capture that exercises tcpflow -j N's ordering rules (tests/parallel/jobs.sh).

Usage: mkpar.py OUT.pcap [--conns N] [--seed S]

Ethernet/IPv4 (some 802.1Q) TCP, classic pcap, deterministic. Many connections whose packets
interleave over a few hundred seconds of capture time, with:
  - HTTP/1.1 request/response payloads (so the http scanner has work on every worker);
  - idle periods longer than a short tcp_timeout, then more data (timeout + new instance);
  - the same 4-tuple reused with a new SYN/ISN (REUSED closes, ...c1 files);
  - RSTs, connections left open at the end of the capture (EOF closes), segments swapped
    (out of order) and retransmitted, and the same 4-tuple on two VLANs;
  - packets whose time goes backwards by a fraction of a second (jitter).
"""
import argparse
import random
import struct

ETH_VLAN = 0x8100


def ip_csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, payload=b"", vlan=None):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", ip_csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02"
    if vlan is not None:
        eth += struct.pack("!HH", ETH_VLAN, vlan)
    return eth + struct.pack("!H", 0x0800) + ip + tcp


class Conn:
    def __init__(self, rnd, i):
        self.cli = [10, 1, (i >> 8) & 0xFF, i & 0xFF]
        self.srv = [10, 2, 0, 1 + i % 7]
        self.cport = 20000 + i
        self.sport = 80
        self.vlan = None
        self.isn_c = rnd.randrange(1 << 32)
        self.isn_s = rnd.randrange(1 << 32)

    def pkts(self, rnd, body_kb):
        """The connection's packets as (frame) in order, with an idle marker (None)."""
        c, s, cp, sp, v = self.cli, self.srv, self.cport, self.sport, self.vlan
        sc, ss = self.isn_c, self.isn_s
        out = [frame(c, s, cp, sp, sc, 0, 0x02, vlan=v),
               frame(s, c, sp, cp, ss, sc + 1, 0x12, vlan=v),
               frame(c, s, cp, sp, sc + 1, ss + 1, 0x10, vlan=v)]
        sc += 1
        ss += 1
        for r in range(rnd.randrange(1, 4)):
            req = b"GET /obj/%d/%d HTTP/1.1\r\nHost: h%d.example\r\n\r\n" % (cp, r, cp % 13)
            out.append(frame(c, s, cp, sp, sc, ss, 0x18, req, vlan=v))
            sc += len(req)
            body = bytes(rnd.randrange(32, 127) for _ in range(rnd.randrange(100, body_kb * 1024)))
            resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" \
                % len(body) + body
            segs = [resp[k:k + 1400] for k in range(0, len(resp), 1400)]
            frames = []
            for seg in segs:
                frames.append(frame(s, c, sp, cp, ss, sc, 0x18, seg, vlan=v))
                ss += len(seg)
            if len(frames) > 2 and rnd.random() < 0.3:   # out of order
                k = rnd.randrange(len(frames) - 1)
                frames[k], frames[k + 1] = frames[k + 1], frames[k]
            if frames and rnd.random() < 0.2:             # retransmission
                frames.append(frames[rnd.randrange(len(frames))])
            out += frames
            if rnd.random() < 0.25:
                out.append(None)                          # idle: a long pause here
        end = rnd.random()
        if end < 0.6:
            out += [frame(c, s, cp, sp, sc, ss, 0x11, vlan=v),
                    frame(s, c, sp, cp, ss, sc + 1, 0x11, vlan=v),
                    frame(c, s, cp, sp, sc + 1, ss + 1, 0x10, vlan=v)]
        elif end < 0.75:
            out.append(frame(c, s, cp, sp, sc, ss, 0x14, vlan=v))
        # else: left open (closed at end of input)
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--conns", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    streams = []
    for i in range(a.conns):
        cn = Conn(rnd, i)
        if i % 17 == 5:
            cn.vlan = 10
        streams.append(cn.pkts(rnd, 6))
        if i % 11 == 3:                   # the same 4-tuple again, new ISNs
            cn.isn_c = rnd.randrange(1 << 32)
            cn.isn_s = rnd.randrange(1 << 32)
            streams[-1] = streams[-1] + [None] + cn.pkts(rnd, 3)
        if i % 17 == 5:                   # and on another VLAN
            cn.vlan = 20
            streams.append(cn.pkts(rnd, 3))
    # Interleave: connections start at staggered times; each step takes the next packet of a
    # random active stream. An idle marker delays that stream by 5-40 s of capture time.
    t = 1700000000.0
    pos = [0] * len(streams)
    ready = [0.0] * len(streams)
    active = []
    nxt = 0
    recs = []
    while nxt < len(streams) or active:
        while nxt < len(streams) and (len(active) < 40 or not active):
            active.append(nxt)
            ready[nxt] = t
            nxt += 1
        cands = [k for k in active if ready[k] <= t]
        if not cands:
            t = min(ready[k] for k in active)
            continue
        k = rnd.choice(cands)
        p = streams[k][pos[k]]
        pos[k] += 1
        if p is None:
            ready[k] = t + rnd.uniform(5, 40)
        else:
            jitter = -rnd.uniform(0, 0.5) if rnd.random() < 0.01 else 0.0
            ts = t + jitter
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            if usec >= 1000000:
                sec, usec = sec + 1, usec - 1000000
            recs.append(struct.pack("<IIII", sec, usec, len(p), len(p)) + p)
            t += rnd.uniform(0.0005, 0.05)
        if pos[k] >= len(streams[k]):
            active.remove(k)
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for r in recs:
            f.write(r)


if __name__ == "__main__":
    main()
