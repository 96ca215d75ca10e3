#!/usr/bin/env python3
"""The VXLAN datagrams of a capture, for the mirror tests.

  vxlan_pcap.py list PCAP [PORT]   one JSON object per VXLAN datagram (UDP to PORT, default
                                   4789) of PCAP (pcap as tcpdump -w writes it, Ethernet)
  vxlan_pcap.py frames PCAP        one JSON object per frame of PCAP (a capture on a host)

Each datagram: the outer IPv4 source, destination and total length, the UDP ports and
checksum, the VXLAN flags byte, whether the reserved bits are zero, the VNI, and the
inner frame (hex) with what it carries: its 802.1Q VLAN, IPv4/IPv6 addresses, protocol,
L4 ports, and whether its TCP/UDP/ICMP checksum is right (null when the frame was cut or
is not IP). Read with the standard library alone: importing scapy takes seconds.
"""
import json
import struct
import sys


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        yield linktype, data[off:off + incl], orig
        off += incl


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def describe(frame):
    """What an Ethernet frame carries, as far as its bytes go."""
    d = {"len": len(frame), "vlan": None, "ethertype": None, "src": None, "dst": None, "proto": None,
         "sport": None, "dport": None, "l4_csum_ok": None, "ip_id": None}
    if len(frame) < 14:
        return d
    o = 12
    et = struct.unpack("!H", frame[o:o + 2])[0]
    if et == 0x8100 and len(frame) >= 18:
        d["vlan"] = struct.unpack("!H", frame[14:16])[0] & 0xFFF
        o = 16
        et = struct.unpack("!H", frame[o:o + 2])[0]
    d["ethertype"] = et
    ip = frame[o + 2:]
    if et == 0x0800 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        d.update(src=".".join(map(str, ip[12:16])), dst=".".join(map(str, ip[16:20])), proto=ip[9],
                 ip_id=struct.unpack("!H", ip[4:6])[0])
        frag = struct.unpack("!H", ip[6:8])[0] & 0x3FFF
        pseudo = ip[12:20] + struct.pack("!BBH", 0, ip[9], total - ihl)
        l4, whole = ip[ihl:total], len(ip) >= total and frag == 0
    elif et == 0x86DD and len(ip) >= 40:
        plen = struct.unpack("!H", ip[4:6])[0]
        fmt = lambda a: ":".join("%x" % struct.unpack("!H", a[i:i + 2])[0] for i in range(0, 16, 2))
        d.update(src=fmt(ip[8:24]), dst=fmt(ip[24:40]), proto=ip[6])
        pseudo = ip[8:40] + struct.pack("!IxxxB", plen, ip[6])
        l4, whole = ip[40:40 + plen], len(ip) >= 40 + plen
    else:
        return d
    if d["proto"] in (6, 17) and len(l4) >= 4:
        d["sport"], d["dport"] = struct.unpack("!HH", l4[:4])
    if whole and d["proto"] in (6, 17, 58):
        d["l4_csum_ok"] = csum(pseudo + l4) == 0xFFFF
    elif whole and d["proto"] == 1:
        d["l4_csum_ok"] = csum(l4) == 0xFFFF
    return d


def vxlan(path, port=4789):
    for linktype, f, _ in records(path):
        if linktype != 1 or len(f) < 14 + 20 + 8 + 8:
            continue
        o = 14
        if f[12:14] == b"\x81\x00":
            o = 18
        if f[o - 2:o] != b"\x08\x00":
            continue
        ip = f[o:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17 or struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
            continue  # not UDP, or a fragment (the tests keep the underlay MTU large)
        udp = ip[ihl:]
        sport, dport, ulen, ucsum = struct.unpack("!HHHH", udp[:8])
        if dport != port:
            continue
        vx = udp[8:16]
        inner = udp[16:]
        yield {
            "outer_src": ".".join(map(str, ip[12:16])),
            "outer_dst": ".".join(map(str, ip[16:20])),
            "total_len": struct.unpack("!H", ip[2:4])[0],
            "df": bool(ip[6] & 0x40),
            "sport": sport,
            "dport": dport,
            "udp_len": ulen,
            "udp_csum": ucsum,
            "flags": vx[0],
            "reserved_zero": vx[1:4] == b"\0\0\0" and vx[7] == 0,
            "vni": int.from_bytes(vx[4:7], "big"),
            "inner": inner.hex(),
            "inner_info": describe(inner),
        }


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("list", "frames"):
        sys.exit(__doc__)
    if sys.argv[1] == "list":
        for d in vxlan(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 4789):
            print(json.dumps(d))
    else:
        for linktype, f, orig in records(sys.argv[2]):
            if linktype == 1:
                print(json.dumps({"frame": f.hex(), "orig_len": orig, "info": describe(f)}))


if __name__ == "__main__":
    main()
