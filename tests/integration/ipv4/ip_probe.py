#!/usr/bin/python3
"""Send crafted IPv4 frames from one interface, one per probe, in order.

Runs inside a host namespace (ip netns exec NS ip_probe.py IFACE PROBE...). Each PROBE
is SRC,DST,DPORT[,key=value...] with keys:
  eth=MAC     Ethernet destination (default: --eth-dst, or the IP multicast / broadcast
              MAC the destination implies)
  proto=N     IP protocol (default 17, UDP; 2 sends an IGMP-sized payload)
  tos=N       the DS field byte
The UDP destination port names the probe, so a receiver can count each one apart.
Frames are built by hand (no scapy import: it costs a second per call).
"""
import argparse
import socket
import struct
import sys
import time


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def default_eth_dst(dst, fallback):
    a = socket.inet_aton(dst)
    if a[0] >= 224 and a[0] < 240:
        return bytes([0x01, 0x00, 0x5E, a[1] & 0x7F, a[2], a[3]])
    if dst == "255.255.255.255":
        return b"\xff" * 6
    return fallback


def frame(src_mac, eth_dst, src, dst, dport, proto, tos, ident):
    if proto == 17:
        payload = struct.pack("!HHHH", 40000, dport, 8 + 4, 0) + b"pvl\0"
    else:
        payload = struct.pack("!BBHI", 0x16, 0, 0, 0) + struct.pack("!H", dport)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return eth_dst + src_mac + b"\x08\x00" + hdr + payload


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("probes", nargs="+")
    ap.add_argument("--eth-dst", required=True, help="default Ethernet destination (the L3 MAC)")
    ap.add_argument("--gap", type=float, default=0.002, help="seconds between frames")
    a = ap.parse_args()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    src_mac = s.getsockname()[4]
    fallback = mac_bytes(a.eth_dst)
    for i, p in enumerate(a.probes):
        parts = p.split(",")
        src, dst, dport = parts[0], parts[1], int(parts[2])
        opts = dict(kv.split("=", 1) for kv in parts[3:])
        eth = mac_bytes(opts["eth"]) if "eth" in opts else default_eth_dst(dst, fallback)
        s.send(frame(src_mac, eth, src, dst, dport, int(opts.get("proto", 17)), int(opts.get("tos", 0)), i + 1))
        time.sleep(a.gap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
