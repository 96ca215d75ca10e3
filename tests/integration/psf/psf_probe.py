#!/usr/bin/python3
"""Scripted TCP conversations through a stateful middlebox, one verdict per segment.

Runs in the test's own namespace and opens one AF_PACKET socket in the client's
namespace and one in the server's (setns), so one process sends from either end and
watches the other. For every segment of a scenario it sends the frame from one end
(Ethernet destination: the next hop's MAC, given per end) and waits up to --wait
seconds for it to arrive at the other end. A segment is named by its IP ID, unique in
the run. The middlebox decides; the endpoints' kernels must not answer (the test drops
TCP to and from the probe ports in their nftables input and output hooks; AF_PACKET
sockets see the frames before that).

Output, one line per segment (whitespace separated):
  SCENARIO INDEX DIR FLAGS IPID DELIVERED WANT REASON NOTE...
DIR is c>s or s>c; FLAGS as tcpdump spells them ('.' for none); DELIVERED yes or no;
WANT the verdict docs/psf.md gives: pass, drop:REASON (the PSF drop reason), or
pass@new_not_syn (conntrack accepts it and so does PSF, but the reference ruleset's
rule for new TCP that is not a pure SYN drops it: an ORIGINAL segment before any reply
is `ct state new`);
REASON is what --stats named ('-' when not asked or nothing grew). A frame that
arrives after its segment was judged undelivered prints a line '# late IPID' and the
exit status is 2.

--stats CMD (the device under test): a command printing `pvlanctl -j stats show PORT`;
it runs before the first segment and after each one, and the drop reason whose
counter on --stats-port grew is printed in REASON.
"""
import argparse
import ctypes
import json
import os
import socket
import struct
import subprocess
import sys
import time

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 3
PACKET_OUTGOING = 4
M32 = 0xFFFFFFFF
WIN = 64240
MSS = [("MSS", 1460)]


class Step:
    def __init__(self, conn, d, flags, seq, ack, win, opts, data, want, note):
        self.conn, self.d, self.flags = conn, d, flags
        self.seq, self.ack, self.win, self.opts, self.data = seq, ack, win, opts, data
        self.want, self.note = want, note


class Conn:
    """One connection of a scenario: ports, and each side's next sequence number.

    seg() queues a segment. Its sequence number is the sender's next one plus dseq
    (or seq= exactly); its ACK (when the flags carry A) is the peer's next one plus
    dack (or ack= exactly). An in-sequence segment the docs expect to pass advances
    the sender's next sequence number by its payload, SYN and FIN; anything else
    (a probe off the sequence, a segment expected to drop) does not.
    """

    def __init__(self, sc, cport, sport, cisn, sisn):
        self.sc, self.cport, self.sport = sc, cport, sport
        self.nxt = {"c": cisn & M32, "s": sisn & M32}

    def seg(self, d, flags, want="pass", seq=None, ack=None, dseq=0, dack=0, win=WIN,
            opts=None, data=0, note="", advance=None):
        o = "s" if d == "c" else "c"
        s = (self.nxt[d] + dseq) & M32 if seq is None else seq & M32
        a = 0
        if "A" in flags:
            a = (self.nxt[o] + dack) & M32 if ack is None else ack & M32
        if opts is None:
            opts = MSS if "S" in flags else []
        self.sc.steps.append(Step(self, d, flags, s, a, win, opts, data, want, note))
        if advance is None:
            advance = seq is None and dseq == 0 and want == "pass"
        if advance:
            self.nxt[d] = (self.nxt[d] + data + ("S" in flags) + ("F" in flags)) & M32
        return self

    def isn(self, d, value):
        self.nxt[d] = value & M32

    def handshake(self, copts=None, sopts=None, cwin=WIN, swin=WIN):
        self.seg("c", "S", opts=copts, win=cwin, note="SYN")
        self.seg("s", "SA", opts=sopts, win=swin, note="SYN-ACK")
        self.seg("c", "A", win=cwin, note="ACK: ESTABLISHED")
        return self

    def close(self):
        self.seg("c", "FA", note="client FIN: FIN_WAIT")
        self.seg("s", "A", note="ACK of it: CLOSE_WAIT")
        self.seg("s", "FA", note="server FIN: LAST_ACK")
        self.seg("c", "A", note="last ACK: TIME_WAIT")
        return self


class Scenario:
    def __init__(self, name, number, doc):
        self.name, self.number, self.doc = name, number, doc
        self.steps = []
        self.conns = 0

    def conn(self):
        """A new connection: its own client port, the scenario's server port."""
        j = self.conns
        self.conns += 1
        base = 1_000_003 * (self.number + 1) + 7919 * j
        return Conn(self, 20000 + 10 * self.number + j, 30000 + self.number,
                    base * 1009, 0xF0000000 - base * 2003)


SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def drop(reason):
    return "drop:" + reason


# ---- The scenarios (docs/psf.md §2-§3; policies.md §2.5 and §2.8) ------------------------

@scenario
def handshake_close(sc):
    """Three-way handshake, data both ways, FIN/ACK close from the client."""
    c = sc.conn().handshake()
    c.seg("c", "PA", data=100, note="client data")
    c.seg("s", "A", note="ACK of it")
    c.seg("s", "PA", data=200, note="server data")
    c.seg("c", "A", note="ACK of it")
    c.close()


@scenario
def data_before_handshake(sc):
    """Data and a FIN from the client while only its SYN was seen; server data
    between the SYN-ACK and the client's ACK."""
    c = sc.conn()
    c.seg("c", "S", note="SYN")
    c.seg("c", "PA", data=100, dack=1, want=drop("psf_invalid_state"),
          note="client data in SYN_SENT (ORIGINAL ack: IV)")
    c.seg("c", "FA", dack=1, want=drop("psf_invalid_state"),
          note="client FIN in SYN_SENT (IV)")
    c.seg("s", "A", seq=0, note="server bare ACK in SYN_SENT (REPLY ack: IG)", advance=False)
    c.seg("s", "SA", note="SYN-ACK: SYN_RECV")
    c.seg("s", "PA", data=50, note="server data before the client's ACK (REPLY ack: SYN_RECV)")
    c.seg("c", "PA", data=100, note="client data as the ACK: ESTABLISHED")
    c.seg("s", "A", note="ACK of it")


@scenario
def out_of_window(sc):
    """Data with the sequence far ahead of the receiver's window, far behind it, and
    just past its edge by less than the receiver's largest window."""
    c = sc.conn().handshake()
    c.seg("c", "PA", data=100, dseq=1_000_000, want=drop("psf_out_of_window"),
          note="client seq 1e6 ahead (SEQ over the upper bound)")
    c.seg("s", "PA", data=100, dseq=1_000_000, want=drop("psf_out_of_window"),
          note="server seq 1e6 ahead")
    c.seg("c", "PA", data=100, dseq=-1_000_000,
          note="client seq 1e6 behind (under the lower bound: passes, ignored)")
    c.seg("c", "PA", data=100, dseq=WIN + 1000,
          note="client seq past the window by < maxwin (more bytes than allowed: passes)")
    c.seg("c", "PA", data=100, note="in-sequence data still passes")
    c.seg("s", "A", note="ACK of it")


@scenario
def ack_unsent(sc):
    """ACKs of data the peer never sent."""
    c = sc.conn().handshake()
    c.seg("c", "A", dack=1, want=drop("psf_out_of_window"),
          note="client ACKs 1 byte the server never sent (ACK over the upper bound)")
    c.seg("c", "A", dack=100_000, want=drop("psf_out_of_window"),
          note="client ACKs 100000 bytes never sent")
    c.seg("s", "A", dack=5000, want=drop("psf_out_of_window"),
          note="server ACKs 5000 bytes never sent")
    c.seg("c", "PA", data=10, note="a correct segment still passes")
    c.seg("s", "A", note="ACK of it")


@scenario
def rst_from_client(sc):
    """RSTs from the client of an established (assured) connection: far ahead, below
    what the server acknowledged, in window but not exact, then exact."""
    c = sc.conn().handshake()
    c.seg("c", "PA", data=100, note="client data")
    c.seg("s", "A", note="ACK of it: assured")
    c.seg("c", "R", dseq=1_000_000, want=drop("psf_out_of_window"),
          note="RST 1e6 ahead (SEQ over the upper bound)")
    c.seg("c", "R", dseq=-50, want=drop("psf_out_of_window"),
          note="RST below the server's ACK (invalid rst)")
    c.seg("c", "R", dseq=10, note="RST in window, not exact (state kept for a challenge ACK)")
    c.seg("c", "PA", data=10, note="data still passes: not reset")
    c.seg("s", "A", note="ACK of it")
    c.seg("c", "R", note="RST exactly at the server's ACK: CLOSE")
    c.seg("s", "PA", data=10, note="server data after the RST (ack in CLOSE: CLOSE)")


@scenario
def rst_from_server(sc):
    """The same RSTs from the server side, RST+ACK."""
    c = sc.conn().handshake()
    c.seg("s", "PA", data=100, note="server data")
    c.seg("c", "A", note="ACK of it: assured")
    c.seg("s", "RA", dseq=1_000_000, want=drop("psf_out_of_window"), note="RST+ACK 1e6 ahead")
    c.seg("s", "RA", dseq=-50, want=drop("psf_out_of_window"),
          note="RST+ACK below the client's ACK (invalid rst)")
    c.seg("s", "RA", note="RST+ACK exact: CLOSE")
    c.seg("c", "PA", data=10, note="client data after the RST (ack in CLOSE)")


@scenario
def rst_before_reply(sc):
    """A RST before any reply removes the entry; what follows has no state."""
    c = sc.conn()
    c.seg("c", "S", note="SYN")
    c.seg("s", "RA", seq=0, dack=1, note="server RST+ACK seq 0 answering the SYN (deletes)",
          advance=False)
    c.seg("c", "A", dack=1, want=drop("psf_no_state"), note="client ACK: no entry any more")
    c2 = sc.conn()
    c2.seg("c", "S", note="second port: SYN")
    c2.seg("c", "R", want="pass@new_not_syn",
           note="the client's own RST before a reply (deletes; still ct state new)")
    c2.seg("s", "SA", want=drop("psf_no_state"), note="SYN-ACK: no entry any more")


@scenario
def fin_both_closing(sc):
    """Simultaneous close: both FINs cross."""
    c = sc.conn().handshake()
    c.seg("c", "FA", note="client FIN: FIN_WAIT")
    c.seg("s", "FA", dack=-1, advance=True, note="server FIN crossing it (not ACKing it): LAST_ACK")
    c.seg("c", "A", note="client ACKs the server FIN: TIME_WAIT")
    c.seg("s", "A", note="server ACKs the client FIN")


@scenario
def fin_half_close(sc):
    """Half close: the server keeps sending after the client's FIN; data after close."""
    c = sc.conn().handshake()
    c.seg("c", "FA", note="client FIN: FIN_WAIT")
    c.seg("s", "A", note="ACK of it: CLOSE_WAIT")
    c.seg("s", "PA", data=300, note="server data in CLOSE_WAIT")
    c.seg("c", "A", note="client ACKs it")
    c.seg("s", "FA", note="server FIN: LAST_ACK")
    c.seg("c", "A", note="last ACK: TIME_WAIT")
    c.seg("s", "A", note="server ACK in TIME_WAIT")
    c.seg("c", "FA", dseq=-1, note="client FIN retransmitted in TIME_WAIT")


@scenario
def retransmissions(sc):
    """A retransmitted SYN, SYN-ACK and data segment."""
    c = sc.conn()
    syn_seq = c.nxt["c"]
    c.seg("c", "S", note="SYN")
    c.seg("c", "S", seq=syn_seq, note="SYN retransmitted")
    sa_seq = c.nxt["s"]
    c.seg("s", "SA", note="SYN-ACK")
    c.seg("s", "SA", seq=sa_seq, note="SYN-ACK retransmitted (REPLY synack in SYN_RECV: IG)")
    c.seg("c", "A", note="ACK: ESTABLISHED")
    d_seq = c.nxt["c"]
    c.seg("c", "PA", data=100, note="data")
    c.seg("c", "PA", data=100, seq=d_seq, note="data retransmitted before its ACK")
    c.seg("s", "A", note="ACK of it")
    c.seg("c", "PA", data=100, seq=d_seq, note="data retransmitted after its ACK")
    c.seg("s", "A", note="duplicate ACK")


@scenario
def simultaneous_open(sc):
    """SYNs cross (SYN_SENT2), then a SYN-ACK from each side."""
    c = sc.conn()
    c.seg("c", "S", note="client SYN: SYN_SENT")
    c.seg("s", "S", note="server SYN: SYN_SENT2")
    c.seg("c", "SA", seq=(c.nxt["c"] - 1), note="client SYN-ACK: SYN_RECV", advance=False)
    c.seg("s", "SA", seq=(c.nxt["s"] - 1), note="server SYN-ACK (IG)", advance=False)
    c.seg("c", "A", note="client ACK: ESTABLISHED")
    c.seg("s", "PA", data=50, note="server data")
    c.seg("c", "PA", data=50, note="client data")


@scenario
def pickup(sc):
    """Mid-stream segments with no SYN seen: loose=0 opens nothing."""
    c = sc.conn()
    c.seg("c", "A", dack=1, want=drop("psf_no_state"), note="bare ACK, no SYN seen")
    c.seg("c", "PA", data=100, dack=1, want=drop("psf_no_state"), note="data, no SYN seen")
    c.seg("s", "A", dack=1, want=drop("psf_no_state"), note="bare ACK from the server")
    c.seg("s", "FA", dack=1, want=drop("psf_no_state"), note="FIN, no state")
    c.seg("c", "R", want=drop("psf_no_state"), note="RST, no state")


@scenario
def synack_no_syn(sc):
    """A SYN-ACK with no SYN, from either side (the asymmetric-path case)."""
    c = sc.conn()
    c.seg("s", "SA", dack=1, want=drop("psf_no_state"), note="server SYN-ACK, no SYN seen")
    c.seg("c", "SA", dack=1, want=drop("psf_no_state"), note="client SYN-ACK, no SYN seen")


@scenario
def invalid_flags(sc):
    """Flag combinations outside the nine, on an established connection and as a
    first segment; SYN+URG and ACK+URG are among the nine."""
    c = sc.conn().handshake()
    bad = drop("psf_invalid_flags")
    c.seg("c", "", want=bad, note="NULL")
    c.seg("c", "F", want=bad, note="FIN alone")
    c.seg("c", "SF", want=bad, note="SYN+FIN")
    c.seg("c", "SR", want=bad, note="SYN+RST")
    c.seg("s", "FPU", want=bad, note="FIN+PSH+URG (XMAS)")
    c.seg("s", "SRA", want=bad, note="SYN+RST+ACK")
    c.seg("c", "UA", data=10, note="ACK+URG with data passes")
    c.seg("s", "A", note="ACK of it")
    n = sc.conn()
    n.seg("c", "SF", want=bad, note="SYN+FIN as a first segment")
    n.seg("c", "SU", note="SYN+URG opens")
    n.seg("s", "SAE", note="SYN-ACK+ECE")
    n.seg("c", "AC", note="ACK+CWR: ESTABLISHED")


@scenario
def wscale_both(sc):
    """Window scaling offered by both SYNs: the client's window 1024 << 7 lets the
    server send 120000 bytes ahead; beyond the scaled edge by less than the client's
    largest window passes (ignored), by more drops."""
    c = sc.conn()
    c.seg("c", "S", win=65535, opts=MSS + [("WScale", 7)], note="SYN wscale 7")
    c.seg("s", "SA", win=65535, opts=MSS + [("WScale", 7)], note="SYN-ACK wscale 7")
    c.seg("c", "A", win=1024, note="ACK, window 1024 << 7 = 131072")
    c.seg("s", "PA", data=100, dseq=120_000, note="server data 120000 ahead (in the scaled window)")
    c.seg("s", "PA", data=100, dseq=131_072 + 60_000,
          note="server data past the scaled edge by 60000 (< maxwin 131072: passes)")
    c.seg("s", "PA", data=100, dseq=131_072 + 200_000 + 200_000, want=drop("psf_out_of_window"),
          note="server data 400000 past the edge (> maxwin)")
    c.seg("s", "PA", data=100, note="in-sequence data")


@scenario
def wscale_one_side(sc):
    """Only the client offers window scaling: no scaling either way, so the segment
    that fits the scaled window above is far past the unscaled one."""
    c = sc.conn()
    c.seg("c", "S", win=65535, opts=MSS + [("WScale", 7)], note="SYN wscale 7")
    c.seg("s", "SA", win=65535, note="SYN-ACK without wscale")
    c.seg("c", "A", win=1024, note="ACK, window 1024 (unscaled)")
    c.seg("s", "PA", data=100, dseq=120_000, want=drop("psf_out_of_window"),
          note="server data 120000 ahead (past 1024 by more than maxwin 65535)")
    c.seg("s", "PA", data=100, dseq=1024 + 30_000,
          note="server data past the edge by 31000 (< maxwin: passes)")
    c.seg("s", "PA", data=100, note="in-sequence data")


@scenario
def sack(sc):
    """SACK permitted by both SYNs: a SACK block counts as the highest ACK; a block
    past the data sent is refused."""
    c = sc.conn()
    c.seg("c", "S", opts=MSS + [("SAckOK", b"")], note="SYN SACK-permitted")
    c.seg("s", "SA", opts=MSS + [("SAckOK", b"")], note="SYN-ACK SACK-permitted")
    c.seg("c", "A", note="ACK: ESTABLISHED")
    s0 = c.nxt["s"]
    c.seg("s", "PA", data=100, note="server data 1")
    c.seg("s", "PA", data=100, note="server data 2 (lost on the way, say)")
    c.seg("s", "PA", data=100, note="server data 3")
    c.seg("c", "A", ack=s0 + 100, opts=[("NOP", None), ("NOP", None), ("SAck", (s0 + 200, s0 + 300))],
          note="ACK 1 with SACK of 3")
    c.seg("c", "A", ack=s0 + 100, opts=[("NOP", None), ("NOP", None), ("SAck", (s0 + 300, s0 + 400))],
          want=drop("psf_out_of_window"), note="ACK 1 with SACK past the data sent")
    c.seg("c", "A", note="ACK of all")


@scenario
def sack_not_permitted(sc):
    """The same SACK block past the data when SACK was not permitted: the block is
    not read, the ACK passes."""
    c = sc.conn().handshake()
    s0 = c.nxt["s"]
    c.seg("s", "PA", data=100, note="server data")
    c.seg("c", "A", ack=s0 + 100, opts=[("NOP", None), ("NOP", None), ("SAck", (s0 + 300, s0 + 400))],
          note="ACK with a SACK block past the data (SACK not permitted: ignored)")


@scenario
def reopen(sc):
    """After a FIN close (TIME_WAIT) a new SYN on the same ports reopens."""
    c = sc.conn().handshake()
    c.seg("c", "PA", data=100, note="data")
    c.seg("s", "A", note="ACK of it")
    c.close()
    c.isn("c", c.nxt["c"] + 100_000)
    c.isn("s", c.nxt["s"] + 500_000)
    c.handshake()
    c.seg("c", "PA", data=100, note="data on the new connection")


@scenario
def reopen_by_server(sc):
    """After a FIN close the former server sends the new SYN: roles swap."""
    c = sc.conn().handshake()
    c.close()
    c.isn("s", c.nxt["s"] + 500_000)
    c.isn("c", c.nxt["c"] + 100_000)
    c.seg("s", "S", note="server SYN in TIME_WAIT (REPLY syn, closed by FIN: reopens)")
    c.seg("c", "SA", note="client SYN-ACK")
    c.seg("s", "A", note="server ACK: ESTABLISHED")


@scenario
def syn_after_rst(sc):
    """A new SYN after the server reset the connection (not closed by FIN, reset by
    the other side): the SYN is ignored, the SYN-ACK resynchronises."""
    c = sc.conn().handshake()
    c.seg("s", "RA", note="server RST+ACK: CLOSE")
    c.isn("c", c.nxt["c"] + 100_000)
    c.isn("s", c.nxt["s"] + 500_000)
    c.handshake()
    c.seg("c", "PA", data=100, note="data on the new connection")
    c.seg("s", "A", note="ACK of it")


@scenario
def second_connection(sc):
    """A second connection from a new source port while the first is open."""
    a = sc.conn().handshake()
    b = sc.conn()
    b.seg("c", "S", note="second port: SYN")
    a.seg("c", "PA", data=100, note="first connection data")
    b.seg("s", "SA", note="second port: SYN-ACK")
    a.seg("s", "A", note="first connection ACK")
    b.seg("c", "A", note="second port: ACK")
    b.seg("c", "PA", data=100, note="second port: data")
    b.seg("s", "A", note="second port: ACK of it")
    b.seg("c", "A", dack=7, want=drop("psf_out_of_window"),
          note="second port: ACK of data never sent (its own window)")


# ---- Sending and watching -------------------------------------------------------------

def libc_setns(fd):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


class End:
    def __init__(self, nspath, ifname, ip, next_hop):
        own = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open(nspath, os.O_RDONLY)
        try:
            libc_setns(target)
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            self.sock.bind((ifname, 0))
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        finally:
            libc_setns(own)
            os.close(own)
            os.close(target)
        self.mac = ":".join("%02x" % b for b in self.sock.getsockname()[4])
        self.ip, self.next_hop = ip, next_hop
        self.ip_raw = socket.inet_aton(ip)

    def drain(self):
        self.sock.setblocking(False)
        try:
            while True:
                self.sock.recv(65535)
        except BlockingIOError:
            pass
        self.sock.setblocking(True)

    def arrivals(self, src_raw, deadline):
        """IP IDs of TCP frames from src_raw arriving until deadline (a generator)."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                return
            if addr[2] == PACKET_OUTGOING or len(data) < 34 or data[12:14] != b"\x08\x00":
                continue
            if data[23] != 6 or data[26:30] != src_raw or data[30:34] != self.ip_raw:
                continue
            yield struct.unpack("!H", data[18:20])[0]


def flag_text(flags):
    order = "FSRPUAEC"
    return "".join(f for f in order if f in flags) or "."


def drop_counts(cmd, port):
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True, check=True).stdout
    j = json.loads(out)
    ports = j if isinstance(j, list) else [j]
    counts = {}
    for p in ports:
        if p.get("name") != port:
            continue
        for d in p.get("drops", []):
            counts[d["reason"]] = counts.get(d["reason"], 0) + d["count"]
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenarios", nargs="*", help="scenario names (default: all)")
    ap.add_argument("--list", action="store_true", help="print the scenario names and exit")
    ap.add_argument("--cli", nargs=4, metavar=("NSPATH", "IF", "IP", "NEXTHOP_MAC"))
    ap.add_argument("--srv", nargs=4, metavar=("NSPATH", "IF", "IP", "NEXTHOP_MAC"))
    ap.add_argument("--wait", type=float, default=0.25, help="seconds to wait for a segment")
    ap.add_argument("--id-base", type=int, default=1000, help="IP ID of the first segment")
    ap.add_argument("--stats", help="command printing `pvlanctl -j stats show PORT`")
    ap.add_argument("--stats-port", default="pc")
    a = ap.parse_args()

    built = []
    for number, fn in enumerate(SCENARIOS):
        sc = Scenario(fn.__name__, number, " ".join((fn.__doc__ or "").split()))
        fn(sc)
        built.append(sc)
    if a.list:
        for sc in built:
            print(sc.name, len(sc.steps), sc.doc)
        return 0
    names = set(a.scenarios)
    unknown = names - {sc.name for sc in built}
    if unknown:
        ap.error("unknown scenario(s): " + " ".join(sorted(unknown)))
    if not a.cli or not a.srv:
        ap.error("--cli and --srv are required")

    ends = {"c": End(*a.cli), "s": End(*a.srv)}
    counts = drop_counts(a.stats, a.stats_port) if a.stats else None
    ipid = a.id_base
    judged_no = set()
    late = []
    for sc in built:
        if names and sc.name not in names:
            continue
        for i, st in enumerate(sc.steps):
            src = ends[st.d]
            dst = ends["s" if st.d == "c" else "c"]
            sport, dport = (st.conn.cport, st.conn.sport) if st.d == "c" else (st.conn.sport, st.conn.cport)
            ipid = (ipid + 1) & 0xFFFF
            frame = (Ether(src=src.mac, dst=src.next_hop) /
                     IP(src=src.ip, dst=dst.ip, id=ipid, ttl=64, flags="DF") /
                     TCP(sport=sport, dport=dport, flags=st.flags, seq=st.seq, ack=st.ack,
                         window=st.win, options=st.opts))
            if st.data:
                frame = frame / Raw(b"p" * st.data)
            src.sock.send(bytes(frame))
            got = False
            for seen in dst.arrivals(src.ip_raw, time.monotonic() + a.wait):
                if seen == ipid:
                    got = True
                    break
                if seen in judged_no:
                    late.append(seen)
            if not got:
                judged_no.add(ipid)
            reason = "-"
            if counts is not None:
                now = drop_counts(a.stats, a.stats_port)
                grew = sorted(r for r in now if now[r] > counts.get(r, 0))
                reason = ",".join(grew) if grew else "-"
                counts = now
            print(sc.name, i + 1, "c>s" if st.d == "c" else "s>c", flag_text(st.flags), ipid,
                  "yes" if got else "no", st.want, reason, st.note, flush=True)
    # Anything still in flight for a segment judged undelivered is a late arrival.
    for d in ("c", "s"):
        src = ends["s" if d == "c" else "c"]
        for seen in ends[d].arrivals(src.ip_raw, time.monotonic() + 0.2):
            if seen in judged_no:
                late.append(seen)
    for seen in late:
        print("# late", seen, flush=True)
    return 2 if late else 0


if __name__ == "__main__":
    sys.exit(main())
