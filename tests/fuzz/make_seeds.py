#!/usr/bin/env python3
"""Writes the seed corpora of frame_parser, pipeline and ctl_grammar (the frames of the
unit tests, switch set-ups that reach every stage, and pvlanctl lines from docs/cli.md),
and, given a built pvlanctl, ctl_request's: the requests that pvlanctl really sends for
those lines, read on a socket that acks each one.
    python3 tests/fuzz/make_seeds.py tests/fuzz/corpus [build/ctl/cli/pvlanctl]
Seeds are named seed_*; reproducers of findings are kept beside them under other names."""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading

H = [bytes([2, 0, 0, 0, 0, n]) for n in range(8)]
BCAST = b"\xff" * 6


def csum(b):
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return struct.pack("!H", ~s & 0xFFFF)


def ipv4(src, dst, proto, l4, frag=0x4000, ihl=5, opts=b""):
    hdr = struct.pack("!BBHHHBB2s4s4s", 0x40 | ihl, 0, 20 + len(opts) + len(l4), 1, frag, 64, proto, b"\0\0",
                      bytes(src), bytes(dst)) + opts
    return hdr[:10] + csum(hdr) + hdr[12:] + l4


def tcp(sport, dport, flags, seq=100, ack=0, payload=b"", opts=b""):
    doff = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, 65535, 0, 0) + opts + payload


def udp(sport, dport, payload=b""):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def arp(op, sha, sip, tha, tip):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, bytes(sip), tha, bytes(tip))


def eth(dst, src, etype, body, vid=None, outer=None):
    tags = b""
    if outer is not None:
        tags += struct.pack("!HH", 0x88A8, outer)
    if vid is not None:
        tags += struct.pack("!HH", 0x8100, vid)
    f = dst + src + tags + struct.pack("!H", etype) + body
    return f + b"\0" * max(0, 60 - len(f))


def ip(n):
    return [10, 0, 0, n]


def frames():
    syn_opts = b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + b"\0" * 8 + b"\x01\x03\x03\x07"
    ipv6_tcp = struct.pack("!IHBB16s16s", 0x60000000, 20, 6, 64, b"\xfd" + b"\0" * 14 + b"\x01",
                           b"\xfd" + b"\0" * 14 + b"\x02") + tcp(1000, 80, 0x02)
    return {
        "arp_request": eth(BCAST, H[1], 0x0806, arp(1, H[1], ip(1), b"\0" * 6, ip(254))),
        "arp_request_tagged": eth(BCAST, H[1], 0x0806, arp(1, H[1], ip(1), b"\0" * 6, ip(254)), vid=100),
        "arp_reply": eth(H[1], H[2], 0x0806, arp(2, H[2], ip(2), H[1], ip(1))),
        "ipv4_udp": eth(H[2], H[1], 0x0800, ipv4(ip(1), ip(2), 17, udp(40000, 40001, b"hello"))),
        "ipv4_tcp_syn": eth(H[2], H[1], 0x0800, ipv4(ip(1), ip(2), 6, tcp(1001, 1002, 0x02, opts=syn_opts))),
        "ipv4_tcp_data": eth(H[2], H[1], 0x0800, ipv4(ip(1), ip(2), 6, tcp(1001, 1002, 0x18, 101, 501, b"x" * 10))),
        "ipv4_icmp": eth(H[2], H[1], 0x0800, ipv4(ip(1), ip(2), 1, b"\x08\0\0\0\0\1\0\1" + b"p" * 8)),
        "ipv4_fragment": eth(H[2], H[1], 0x0800, ipv4(ip(1), ip(2), 17, b"\0" * 16, frag=0x0001)),
        "ipv4_options": eth(H[2], H[1], 0x0800, ipv4(ip(1), ip(2), 17, udp(1, 2), ihl=6, opts=b"\x94\x04\0\0")),
        "ipv6_tcp": eth(H[2], H[1], 0x86DD, ipv6_tcp),
        "qinq": eth(H[2], H[1], 0x0800, ipv4(ip(1), ip(2), 17, udp(1, 2)), vid=10, outer=20),
        "lldp": eth(b"\x01\x80\xc2\0\0\x0e", H[3], 0x88CC, b"\x02\x07\x04" + H[3] + b"\0"),
        "runt": H[2] + H[1] + b"\x08\x00",
    }


def write(dirname, name, data):
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, "seed_" + name), "wb") as f:
        f.write(data)


def frame_parser(out):
    fr = frames()
    d = os.path.join(out, "frame_parser")
    for name, f in fr.items():
        write(d, name, b"\0\0\0\0" + f)
    # A flow's next packet (the parse stage's shortcut): B shares A's first 40 bytes.
    a = fr["ipv4_tcp_data"]
    write(d, "same_flow", b"\0\0\0\x28" + a + b"\xff\x00\xff" + a[40:])
    # The kernel stripped the tag (AF_PACKET's auxiliary data), and an 802.1ad one.
    write(d, "aux_tag", b"\x01\x00\x64\0" + fr["ipv4_udp"])
    write(d, "aux_tag_8021ad", b"\x03\x00\x14\0" + fr["arp_request_tagged"])
    write(d, "truncated", b"\x04\0\0\0" + fr["ipv4_udp"])


class Program:
    """pipeline_fuzz.cc's input, choice by choice, in the order the target reads them."""
    VIDS = [1, 2, 10, 20, 100, 101, 102, 200, 4094]

    def __init__(self, mode=3, verdicts=(1, 0, 2, 0x81, 4, 0, 3, 0x40)):
        self.b = bytearray([mode, *verdicts])

    def byte(self, v):
        self.b.append(v & 0xFF)

    def vid(self, v):
        self.byte(self.VIDS.index(v))

    def vlans(self, decls):  # [(vid, type 0-3, primary)]
        self.byte(len(decls))
        for vid, t, primary in decls:
            self.vid(vid)
            self.byte(t)
            self.vid(primary)

    def config(self, kind, trunk=False, vlan=1, allowed=(), native=None, flags=0, guard=0, sec=0,
               limit=1, aging=0, initial=None, psf=(2, 0, 0, 7)):
        self.byte(int(trunk))
        self.vid(vlan)
        self.byte(len(allowed))
        for v in allowed:
            self.vid(v)
        self.byte(native is not None)
        if native is not None:
            self.vid(native)
        self.byte(flags)
        if kind != 2:
            self.byte(guard)
        self.byte(sec | (0x20 if initial is not None else 0))
        self.byte(limit)
        self.byte(aging)
        if initial is not None:
            self.byte(initial)
        for v in psf:
            self.byte(v)

    def ports(self, ports):  # [(kind 0 tap/1 netdev/2 internal, config kwargs, endpoint mac or None)]
        self.byte(len(ports) - 2)
        for kind, cfg, endpoint in ports:
            self.byte(kind)
            self.config(kind, **cfg)
            self.byte(endpoint is not None)
            if endpoint is not None:
                self.byte(endpoint)
                self.byte(0)

    def statics(self, entries):  # [(vid, host, port)]
        self.byte(len(entries))
        for vid, host, port in entries:
            self.vid(vid)
            self.byte(host)
            self.byte(port)

    def batch(self, port, frames):
        """frames: [(dst 'h'+n | 'b', src n, vid or None, body after the MACs and tag)]"""
        self.byte(0xFF)
        self.byte(port)
        self.byte(len(frames) - 1)
        for dst, src, vid, body in frames:
            if dst == "b":
                self.byte(0)
            else:
                self.byte(4)
                self.byte(dst)
            self.byte(4)
            self.byte(src)
            self.byte(1 if vid is not None else 0)
            if vid is not None:
                self.vid(vid)
                self.byte(0)
            self.byte(len(body) & 0xFF)
            self.byte(1 if len(body) > 255 else 0)
            self.b += body
            self.byte(0)  # how: as received, no offload header

    def tick(self, port, sixteenths):
        self.byte(40)
        self.byte(port)
        self.b += struct.pack("!H", sixteenths)


def body(frame):
    return frame[12:]  # after the MACs, untagged


def pipeline(out):
    fr = frames()
    d = os.path.join(out, "pipeline")
    access = lambda v, **kw: dict(vlan=v, **kw)
    # Three access ports, an internal port and a trunk in VLAN 100: ARP, TCP, UDP.
    p = Program()
    p.vlans([])
    p.ports([(0, access(100), 1), (0, access(100), 2), (1, access(100), 3), (2, access(100), None),
             (1, dict(trunk=True, vlan=1, allowed=(100, 200), native=1), None)])
    p.statics([(100, 2, 1)])
    p.batch(0, [("b", 1, None, body(fr["arp_request"])), (2, 1, None, body(fr["ipv4_tcp_syn"]))])
    p.batch(1, [(1, 2, None, body(fr["ipv4_udp"]))])
    p.batch(4, [("b", 5, 100, body(fr["arp_request"])), (1, 5, 100, body(fr["ipv4_icmp"]))])
    p.tick(0, 16 * 400)
    p.batch(0, [(2, 1, None, body(fr["ipv4_tcp_data"]))] * 4)
    write(d, "l2_and_arp", bytes(p.b))
    # Private VLANs: promiscuous, isolated and community hosts, an isolated port flag.
    p = Program()
    p.vlans([(100, 1, 100), (101, 2, 100), (102, 3, 100)])
    p.ports([(2, access(100), None), (0, access(101), 1), (0, access(101), 2), (0, access(102), 3),
             (0, access(102, flags=0x01), 4), (1, dict(trunk=True, vlan=1, allowed=(100, 101, 102)), None)])
    p.statics([])
    for port, src in ((1, 1), (3, 3), (4, 4)):
        p.batch(port, [("b", src, None, body(fr["arp_request"])), (1, src, None, body(fr["ipv4_udp"]))])
    p.batch(5, [("b", 6, 101, body(fr["arp_request"])), ("b", 6, 102, body(fr["ipv4_udp"]))])
    write(d, "private_vlan", bytes(p.b))
    # Port security and protocol state filtering: a TCP handshake through psf ports,
    # forged sources, MAC learning at its limit.
    p = Program(mode=0)
    p.vlans([])
    p.ports([(0, access(1, sec=0x03, initial=1, psf=(1, 1, 0, 3)), 1),
             (0, access(1, sec=0x18, limit=1, aging=5, psf=(0, 1, 1, 3)), 2),
             (1, access(1, guard=1), 3)])
    p.statics([])
    syn = ipv4(ip(1), ip(2), 6, tcp(1001, 1002, 0x02, 100))
    synack = ipv4(ip(2), ip(1), 6, tcp(1002, 1001, 0x12, 500, 101))
    ack = ipv4(ip(1), ip(2), 6, tcp(1001, 1002, 0x10, 101, 501, b"data"))
    p.batch(0, [(2, 1, None, b"\x08\x00" + syn)])
    p.batch(1, [(1, 2, None, b"\x08\x00" + synack), (1, 6, None, b"\x08\x00" + synack)])
    p.batch(0, [(2, 1, None, b"\x08\x00" + ack), (2, 4, None, b"\x08\x00" + ack)])
    p.tick(1, 16 * 10)
    p.batch(2, [(1, 3, None, body(fr["ipv4_udp"]))])
    write(d, "security_psf", bytes(p.b))


CLI = """\
vlan add 100 pvlan primary
vlan add 101 pvlan isolated primary 100
vlan add 102 pvlan community primary 100
vlan show 101
vlan del 102
port set p1 vlan 101
port set p2 mode trunk allowed 100-103 native none
port set p2 isolated on mcast_flood off
port set p1 source_guard strict
port set p1 forged_transmits reject mac_changes reject
port set p2 mac_learning on mac_limit 16 mac_limit_policy drop
port set p1 psf enabled
port show p1
port show
port del p2
fdb add 02:00:00:00:00:0a port p1 vlan 101
fdb show port p1
fdb del 02:00:00:00:00:0a
fdb flush vlan 101 dynamic
bridge set ageing_time 60
bridge show
stats show p1
stats clear p1
stats show
conntrack show p1
why p1 -n 1
why
sysctl -w net.ipv4.conf.gw.proxy_arp_pvlan=1 net.ipv4.neigh.gw.proxy_delay=20
sysctl -n net.ipv4.neigh.gw.proxy_qlen
route get 192.0.2.1
neigh show proxy
monitor drops
capture p1 -w - udp port 9999
port add t1 type tap vlan 101
help
port help
"""


def ctl_grammar(out):
    d = os.path.join(out, "ctl_grammar")
    write(d, "cli_md", CLI.encode())
    for name in ("private-vlan", "port-security", "rp-filter"):
        src = os.path.join(os.path.dirname(__file__), "../../examples", name, "lab.conf")
        with open(src, "rb") as f:
            write(d, "lab_" + name.replace("-", "_"), f.read())
    write(d, "quoting", b"port set 'p1' vlan \"100\" # comment\n  # only a comment\nport show p\"1\"\n")


def ctl_request(out, pvlanctl):
    """The requests pvlanctl sends for each line of CLI, as ctl_request_fuzz.cc reads
    them: a flags byte, then each datagram as a 2-byte length and its bytes."""
    d = os.path.join(out, "ctl_request")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        srv.bind(path)
        srv.listen(8)
        got = []

        def serve():
            while True:
                try:
                    c, _ = srv.accept()
                except OSError:
                    return
                req = c.recv(65536)
                got.append(req)
                seq = struct.unpack_from("=I", req, 8)[0]
                # NLMSG_ERROR, error 0: an ack with the request's header.
                c.send(struct.pack("=IHHIIi", 36, 2, 0, seq, 0, 0) + req[:16])
                c.close()

        threading.Thread(target=serve, daemon=True).start()
        lines = [l for l in CLI.splitlines() if not l.startswith(("help", "port help", "monitor", "capture"))]
        everything = b""
        for i, line in enumerate(lines):
            before = len(got)
            subprocess.run([pvlanctl, "-s", path] + line.split(), capture_output=True, timeout=10)
            if len(got) > before:
                req = got[-1]
                write(d, f"{i:02d}_" + "_".join(w for w in line.split()[:2] if w.isalnum()), b"\0" + struct.pack("!H", len(req)) + req)
                everything += struct.pack("!H", len(req)) + req
        srv.close()
        # Every request in one input (a session), and the same read as replies too.
        write(d, "session", b"\0" + everything)
        write(d, "session_as_replies", b"\1" + everything)


out = sys.argv[1]
frame_parser(out)
pipeline(out)
ctl_grammar(out)
if len(sys.argv) > 2:
    ctl_request(out, sys.argv[2])
