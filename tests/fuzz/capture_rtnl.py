#!/usr/bin/env python3
"""Writes rtnl_convert seeds: the kernel's own answers to link, address, route and
proxy-neighbour dumps, one file per dump, in a namespace this script sets up (addresses,
a multipath route, blackhole/prohibit/local routes, a static proxy entry) and deletes.
Run as root: python3 tests/fuzz/capture_rtnl.py tests/fuzz/corpus/rtnl_convert"""
import os
import socket
import struct
import subprocess
import sys

NS = f"pvfz{os.getpid()}"
RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH = 18, 22, 26, 30
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
NLMSG_DONE = 3
NTF_PROXY = 0x08


def sh(*cmd):
    subprocess.run(["ip", "-n", NS, *cmd], check=True)


def dump(msg_type, family, body):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    req = struct.pack("=IHHII", 16 + len(body), msg_type, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body
    s.send(req)
    out = b""
    while True:
        buf = s.recv(65536)
        done = False
        off = 0
        while off + 16 <= len(buf):
            ln, t = struct.unpack_from("=IH", buf, off)
            if t == NLMSG_DONE:
                done = True
                break
            out += buf[off:off + ln] + b"\0" * ((-ln) % 4)
            off += (ln + 3) & ~3
        if done:
            return out


def main():
    dest = sys.argv[1]
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        sh("link", "set", "lo", "up")
        sh("link", "add", "a0", "type", "veth", "peer", "name", "a1")
        sh("link", "set", "a0", "up")
        sh("link", "set", "a1", "up")
        sh("addr", "add", "10.1.0.1/24", "dev", "a0")
        sh("addr", "add", "10.1.1.1", "peer", "10.1.1.2/32", "dev", "a1")
        sh("addr", "add", "fd00::1/64", "dev", "a0")
        sh("route", "add", "10.2.0.0/16", "nexthop", "via", "10.1.0.2", "dev", "a0", "weight", "2",
           "nexthop", "via", "10.1.1.2", "dev", "a1")
        sh("route", "add", "blackhole", "10.3.0.0/16")
        sh("route", "add", "prohibit", "10.4.0.0/16", "metric", "5")
        sh("route", "add", "10.5.0.0/24", "via", "10.1.0.3", "dev", "a0", "realm", "7", "tos", "0x10")
        sh("neigh", "add", "proxy", "10.1.0.9", "dev", "a0")
        subprocess.run(["ip", "netns", "exec", NS, sys.executable, __file__, "--dump", dest], check=True)
    finally:
        subprocess.run(["ip", "netns", "del", NS])


def dump_all(dest):
    ifinfo = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
    ifaddr = struct.pack("=BBBBi", socket.AF_INET, 0, 0, 0, 0)
    rtmsg = struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0)
    ndmsg = struct.pack("=BxxxiHBB", socket.AF_INET, 0, 0, NTF_PROXY, 0)
    for name, t, body in (("links", RTM_GETLINK, ifinfo), ("addrs", RTM_GETADDR, ifaddr),
                          ("routes", RTM_GETROUTE, rtmsg), ("proxy_neigh", RTM_GETNEIGH, ndmsg)):
        with open(os.path.join(dest, f"seed_{name}"), "wb") as f:
            f.write(dump(t, socket.AF_UNSPEC, body))


if sys.argv[1] == "--dump":
    dump_all(sys.argv[2])
else:
    main()
