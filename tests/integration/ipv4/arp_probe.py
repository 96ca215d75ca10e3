#!/usr/bin/python3
"""Send crafted ARP frames from one interface and report every ARP reply seen.

Runs inside a host namespace (ip netns exec NS arp_probe.py IFACE ...). The receive
socket is open before the first frame leaves, so nothing that answers fast is missed.
Only replies whose sender IP is the probe's target are counted (--any-spa: all).
Prints one JSON object: {"sent": N, "replies": [{"delay": s, "hex": ..., "vlan": VID or
null, "src": mac, "spa": ip, "tha": mac, "tpa": ip}, ...]} where delay is measured from
the first frame sent. Only frames the interface received (not its own) with ARP op 2
are reported (--all-ops: any ARP op).

A reply leaving the wrong port is seen by monitors on the switch's other interfaces:

  --monitor IFACE -o FILE: runs until killed, appending one JSON line per ARP reply IFACE
  receives ({"t": monotonic time, "pkttype": ..., fields as above}); FILE exists once the
  socket listens. --monitors NAME=FILE... on a probe adds "elsewhere": the replies those
  monitors saw during the probe's window, with the same sender-IP filter, each tagged
  "at": NAME. --ignore-otherhost NAME...: frames for another MAC seen on these monitors
  (an L3 device, whose kernel drops them) are left out.

  --compare A.json B.json: compare two reports (replies and elsewhere replies as
  multisets of frame bytes and place; delays are not compared: they are random under
  proxy_delay); prints a one-line summary and exits 1 when the requester's replies
  differ, 2 when only the replies seen elsewhere do.

Frames are built by hand (no scapy import: it costs a second per call).
"""
import argparse
import ctypes
import errno
import json
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
SO_ATTACH_FILTER = 26
PACKET_OTHERHOST = 3
PACKET_OUTGOING = 4


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def ip_bytes(s):
    return socket.inet_aton(s)


def iface_mac(ifname):
    with open("/sys/class/net/%s/address" % ifname) as f:
        return f.read().strip()


def build(a, my_mac):
    if a.raw:
        return bytes.fromhex(a.raw)
    sha = a.sha or my_mac
    eth = mac_bytes(a.dst) + mac_bytes(a.src or my_mac)
    if a.vlan is not None:
        eth += struct.pack("!HH", ETH_P_8021Q, a.vlan)
    eth += struct.pack("!H", a.ethertype)
    body = struct.pack("!HHBBH", a.hrd, a.pro, a.hln, a.pln, a.op)
    body += mac_bytes(sha) + ip_bytes(a.sip) + mac_bytes(a.tha) + ip_bytes(a.tip)
    if a.truncate is not None:
        body = body[: a.truncate]
    frame = eth + body
    if a.pad and len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    return frame


def parse_reply(frame, vlan):
    """ARP fields of a received frame, or None when it is not ARP."""
    off = 12
    etype = struct.unpack("!H", frame[off:off + 2])[0]
    if etype == ETH_P_8021Q and len(frame) >= 18:
        vlan = struct.unpack("!H", frame[14:16])[0] & 0xFFF
        off = 16
        etype = struct.unpack("!H", frame[off:off + 2])[0]
    if etype != ETH_P_ARP or len(frame) < off + 2 + 28:
        return None
    b = frame[off + 2:]
    op = struct.unpack("!H", b[6:8])[0]
    return {
        "op": op,
        "vlan": vlan,
        "src": mac_str(frame[6:12]),
        "dst": mac_str(frame[0:6]),
        "sha": mac_str(b[8:14]),
        "spa": socket.inet_ntoa(b[14:18]),
        "tha": mac_str(b[18:24]),
        "tpa": socket.inet_ntoa(b[24:28]),
    }


def reinsert_tag(frame, tci):
    return frame[:12] + struct.pack("!HH", ETH_P_8021Q, tci) + frame[12:]


def open_rx(ifname, replies_only=True):
    # Bound to every protocol: a socket bound to ARP alone gets tagged frames only after
    # the kernel has cleared their tag.
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    attach_arp_filter(rx, replies_only)
    rx.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    rx.bind((ifname, ETH_P_ALL))
    return rx


def receive(rx):
    """(frame with its VLAN tag re-inserted, packet type), or None for nothing pending."""
    try:
        data, anc, _flags, addr = rx.recvmsg(65535, socket.CMSG_SPACE(20))
    except BlockingIOError:
        return None
    except OSError as e:
        # The interface went down (reported once); the socket hears it again once up.
        if e.errno == errno.ENETDOWN:
            return None
        raise
    for level, typ, cdata in anc:
        if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cdata) >= 20:
            status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", cdata[:20])
            if status & TP_STATUS_VLAN_VALID:
                data = reinsert_tag(data, tci)
    return data, addr[2]


def attach_arp_filter(sock, replies_only=True):
    """Kernel-side filter: ARP frames (replies only, by default), so a listener keeps up
    and loses nothing to its receive buffer during a flood of requests (a received VLAN
    tag is metadata, not in the data the filter reads)."""
    insns = [(0x28, 0, 0, 12),       # ldh [12]: ethertype
             (0x15, 0, 3, 0x0806),   # jeq ARP, else drop
             (0x28, 0, 0, 20),       # ldh [20]: ARP op
             (0x15, 0, 1, 2),        # jeq #2, else drop
             (0x06, 0, 0, 0xFFFF),   # ret #65535
             (0x06, 0, 0, 0)]        # ret #0
    if not replies_only:
        insns = insns[:2] + [(0x06, 0, 0, 0xFFFF), (0x06, 0, 0, 0)]
        insns[1] = (0x15, 0, 1, 0x0806)
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i) for i in insns))
    fprog = struct.pack("HL", len(insns), ctypes.addressof(code))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)


def monitor(ifname, out):
    rx = open_rx(ifname)
    with open(out, "a", buffering=1) as f:
        while True:
            got = receive(rx)
            if got is None or got[1] == PACKET_OUTGOING:
                continue
            fields = parse_reply(got[0], None)
            if fields is None:
                continue
            fields.update(t=time.monotonic(), pkttype=got[1], hex=got[0].hex())
            f.write(json.dumps(fields) + "\n")


def seen_elsewhere(a, t0, end, want_spa):
    """Replies the monitors saw between t0 and end, as the probe filters its own."""
    time.sleep(0.05)  # a frame that reached the requester by `end` reached them too
    found = []
    for spec in a.monitors or []:
        name, path = spec.split("=", 1)
        try:
            lines = open(path).read().splitlines()
        except FileNotFoundError:
            continue
        for line in lines:
            try:
                f = json.loads(line)
            except ValueError:
                continue  # a line still being written
            if not t0 <= f["t"] <= end or (f["op"] != 2 and not a.all_ops):
                continue
            if want_spa and f["spa"] != want_spa:
                continue
            if f["pkttype"] == PACKET_OTHERHOST and name in (a.ignore_otherhost or []):
                continue
            found.append({"at": name, "delay": round(f["t"] - t0, 4), "src": f["src"],
                          "spa": f["spa"], "hex": f["hex"]})
    return found


def probe(a):
    my_mac = iface_mac(a.iface)
    frame = build(a, my_mac)
    rx = open_rx(a.iface, replies_only=not a.all_ops)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((a.iface, 0))
    # Drain anything queued before the first send.
    rx.setblocking(False)
    try:
        while True:
            rx.recv(65535)
    except BlockingIOError:
        pass
    t0 = time.monotonic()
    for i in range(a.count):
        if i and a.interval:
            time.sleep(a.interval)
        tx.send(frame)
    if a.sent_file:
        open(a.sent_file, "w").close()
    end = time.monotonic() + a.window
    replies = []
    # A late answer to an earlier probe must not count for this one: by default only
    # replies about this probe's target (spa == tip) are reported.
    want_spa = a.spa or (None if a.any_spa or a.raw else a.tip)
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([rx], [], [], left)
        if not r:
            continue
        got = receive(rx)
        t = time.monotonic() - t0
        if got is None or got[1] == PACKET_OUTGOING:
            continue
        data = got[0]
        f = parse_reply(data, None)
        if f is None or (f["op"] != 2 and not a.all_ops):
            continue
        if want_spa and f["spa"] != want_spa:
            continue
        f["delay"] = round(t, 4)
        f["hex"] = data.hex()
        replies.append(f)
    return {"sent": a.count, "frame": frame.hex(), "replies": replies,
            "elsewhere": seen_elsewhere(a, t0, end, want_spa)}


def compare(paths):
    docs = []
    for p in paths:
        with open(p) as f:
            docs.append(json.load(f))
    ref, dut = (sorted(r["hex"] for r in d["replies"]) for d in docs)
    ref_else, dut_else = (sorted((r["at"], r["hex"]) for r in d.get("elsewhere", [])) for d in docs)
    if ref == dut and ref_else == dut_else:
        print("same: %d replies, %d elsewhere" % (len(ref), len(ref_else)))
        return 0
    print("DIFFER: ref %d replies %s / dut %d replies %s; elsewhere ref %s / dut %s"
          % (len(ref), ref, len(dut), dut, ref_else, dut_else))
    return 1 if ref != dut else 2


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--compare":
        return compare(sys.argv[2:4])
    if len(sys.argv) > 1 and sys.argv[1] == "--monitor":
        p = argparse.ArgumentParser()
        p.add_argument("--monitor", required=True)
        p.add_argument("-o", "--out", required=True)
        a = p.parse_args()
        return monitor(a.monitor, a.out)
    p = argparse.ArgumentParser()
    p.add_argument("iface")
    p.add_argument("--op", type=int, default=1)
    p.add_argument("--sip", default="0.0.0.0")
    p.add_argument("--tip", default="0.0.0.0")
    p.add_argument("--sha")
    p.add_argument("--tha", default="00:00:00:00:00:00")
    p.add_argument("--dst", default="ff:ff:ff:ff:ff:ff")
    p.add_argument("--src")
    p.add_argument("--vlan", type=int)
    p.add_argument("--ethertype", type=lambda s: int(s, 0), default=ETH_P_ARP)
    p.add_argument("--hrd", type=int, default=1)
    p.add_argument("--pro", type=lambda s: int(s, 0), default=0x0800)
    p.add_argument("--hln", type=int, default=6)
    p.add_argument("--pln", type=int, default=4)
    p.add_argument("--truncate", type=int, help="keep only N bytes of the ARP body")
    p.add_argument("--pad", action="store_true", help="pad the frame to 60 bytes")
    p.add_argument("--raw", help="send these bytes (hex) instead")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--interval", type=float, default=0.0)
    p.add_argument("--window", type=float, default=0.15)
    p.add_argument("--spa", help="report only replies with this sender IP (default: --tip)")
    p.add_argument("--any-spa", action="store_true", help="report replies whatever their sender IP")
    p.add_argument("--all-ops", action="store_true")
    p.add_argument("--sent-file", help="create this file once every frame is sent")
    p.add_argument("--monitors", nargs="*", help="NAME=FILE logs of --monitor processes")
    p.add_argument("--ignore-otherhost", nargs="*", help="monitor NAMEs that drop frames for other MACs")
    p.add_argument("-o", "--out", help="write the JSON here instead of stdout")
    a = p.parse_args()
    res = json.dumps(probe(a))
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            f.write(res)
        os.rename(a.out + ".tmp", a.out)
    else:
        print(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
