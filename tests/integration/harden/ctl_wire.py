#!/usr/bin/env python3
"""A raw client of pvland's control socket, for what pvlanctl never sends.

Messages are built by hand (struct nlmsghdr, struct pvl_ctlhdr, attributes); command and
attribute numbers are read from include/pvland/ctl_proto.h, so they follow the header.
Each subcommand prints one JSON object (or nothing) for the shell test to check.

  case SOCK NAME        send one malformed or out-of-order message (NAME below), print
                        the answer, then check the same connection still serves a request
  hold SOCK N SECS      N connections each ask for the FDB and read nothing for SECS
  many SOCK N           N connections at once, each asks for the ports; count the answers
  limit SOCK N          N connections held open, then one more: print what it is told
  abandon SOCK N        N times: ask for the FDB and hang up without reading
  refused SOCK          connect, send a request, print what pvland answered
"""
import json
import os
import re
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "..", "..", "..", "include", "pvland", "ctl_proto.h")

NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_DUMP = 1, 2, 0x300
PVL_MSG_CTL = 0x10
MSG_MAX = 65536


def read_numbers():
    text = open(HEADER).read()
    cmds_block = text[text.index("#define PVL_CMDS(X)"):text.index("enum pvl_cmd {")]
    attrs_block = text[text.index("#define PVL_ATTRS(X)"):text.index("enum pvl_attr {")]
    cmds = {n: i + 1 for i, n in enumerate(re.findall(r"X\((\w+)\)", cmds_block))}
    attrs = {n: i + 1 for i, n in enumerate(re.findall(r"X\((\w+),\s*PVL_K_\w+", attrs_block))}
    version = int(re.search(r"#define PVL_CTL_VERSION (\d+)", text).group(1))
    return cmds, attrs, version


CMD, ATTR, VERSION = read_numbers()


def attr(name, payload):
    t = ATTR[name]
    a = struct.pack("=HH", 4 + len(payload), t) + payload
    return a + b"\0" * (-len(a) % 4)


def message(cmd, attrs=b"", flags=NLM_F_REQUEST, seq=1, mtype=PVL_MSG_CTL, version=None):
    body = struct.pack("=BBH", CMD.get(cmd, 0) if isinstance(cmd, str) else cmd,
                       VERSION if version is None else version, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def vlan_add(vid, **kw):
    return message("VLAN_ADD", attr("VLAN", struct.pack("=H", vid)), **kw)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    return s


def parse(datagram):
    """Messages of one datagram: (type, flags, seq, error or None, error message)."""
    out, off = [], 0
    while off + 16 <= len(datagram):
        length, mtype, flags, seq, _ = struct.unpack_from("=IHHII", datagram, off)
        if length < 16:
            break
        err, msg = None, ""
        if mtype == NLMSG_ERROR:
            err = struct.unpack_from("=i", datagram, off + 16)[0]
            a = off + 16 + 20  # struct nlmsgerr: error + the request's nlmsghdr
            while a + 4 <= off + length:
                alen, atype = struct.unpack_from("=HH", datagram, a)
                if alen < 4:
                    break
                if atype == ATTR["ERROR_MSG"]:
                    msg = datagram[a + 4:a + alen].split(b"\0")[0].decode()
                a += (alen + 3) & ~3
        out.append((mtype, flags, seq, err, msg))
        off += (length + 3) & ~3
    return out


def exchange(s, data, timeout=5.0):
    """Sends `data`; returns (records, error, message, seq) once the NLMSG_ERROR arrives."""
    s.settimeout(timeout)
    try:
        s.send(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused before reading: pvland's answer is still there to read
    records = 0
    while True:
        d = s.recv(MSG_MAX + 4096)
        if not d:
            raise ConnectionError("pvland closed the connection")
        for mtype, flags, seq, err, msg in parse(d):
            if mtype == NLMSG_ERROR:
                return records, err, msg, seq
            records += 1


def cases():
    good = vlan_add(99, seq=5)
    record = vlan_add(98, flags=NLM_F_MULTI, seq=6)  # what a reply record looks like
    ack = struct.pack("=IHHII", 36, NLMSG_ERROR, 0, 7, 0) + struct.pack("=i", 0) + b"\0" * 16
    done = struct.pack("=IHHII", 20, NLMSG_DONE, NLM_F_MULTI, 8, 0) + b"\0" * 4
    return {
        "garbage": bytes(range(1, 40)),
        "short_header": good[:10],
        # The header says more than the datagram holds.
        "truncated": good[:-4],
        # An attribute whose length runs past the message.
        "attr_overrun": message("VLAN_ADD", struct.pack("=HH", 200, ATTR["VLAN"]) + b"\0" * 4),
        "bad_version": vlan_add(99, version=VERSION + 1),
        # A good request with 70 kB of attributes: larger than any request may be.
        "oversized": message("VLAN_ADD", attr("VLAN", struct.pack("=H", 97)) + attr("NAME", b"x" * 4000 + b"\0") * 18),
        "reply_record": record,
        "ack": ack,
        "done": done,
        "unknown_cmd": message(200),
        # A good request followed by a broken one in the same datagram: neither runs.
        "good_then_truncated": vlan_add(96, seq=9) + good[:-4],
    }


def do_case(path, name):
    s = connect(path)
    records, err, msg, _ = exchange(s, cases()[name])
    # The same connection goes on: a request after the bad one is answered.
    after = exchange(s, message("VLAN_GET", flags=NLM_F_REQUEST | NLM_F_DUMP, seq=11))
    print(json.dumps({"records": records, "error": err, "msg": msg, "after_error": after[1], "after_seq": after[3]}))


def do_pipelined(path):
    """Three requests sent before any answer is read: each answered, in order."""
    s = connect(path)
    for seq in (21, 22, 23):
        s.send(message("PORT_GET", flags=NLM_F_REQUEST | NLM_F_DUMP, seq=seq))
    seqs = []
    s.settimeout(5)
    while len(seqs) < 3:
        for mtype, _, seq, err, _ in parse(s.recv(MSG_MAX + 4096)):
            if mtype == NLMSG_ERROR:
                seqs.append([seq, err])
    print(json.dumps({"acks": seqs}))


def do_hold(path, n, secs):
    conns = []
    for _ in range(n):
        s = connect(path)
        s.send(message("FDB_GET", flags=NLM_F_REQUEST | NLM_F_DUMP, seq=1))
        conns.append(s)
    print("ready", flush=True)
    time.sleep(secs)


def do_many(path, n):
    conns = [connect(path) for _ in range(n)]  # all connected before any request
    for i, s in enumerate(conns):
        s.send(message("PORT_GET", flags=NLM_F_REQUEST | NLM_F_DUMP, seq=1000 + i))
    ok = 0
    for i, s in enumerate(conns):
        s.settimeout(10)
        done = False
        while not done:
            for mtype, _, seq, err, _ in parse(s.recv(MSG_MAX + 4096)):
                if mtype == NLMSG_ERROR:
                    done = True
                    ok += err == 0 and seq == 1000 + i
    print(json.dumps({"answered": ok}))


def do_limit(path, n):
    """n connections, each answered once (so pvland has accepted it), then one more."""
    conns = []
    for i in range(n):
        s = connect(path)
        exchange(s, message("BRIDGE_GET", seq=i + 1))
        conns.append(s)
    extra = connect(path)
    try:
        _, err, msg, _ = exchange(extra, message("BRIDGE_GET", seq=1))
    except OSError as e:
        err, msg = None, str(e)
    for s in conns:
        s.close()
    time.sleep(0.2)
    after = exchange(connect(path), message("BRIDGE_GET", seq=2))[1]
    print(json.dumps({"extra_error": err, "extra_msg": msg, "after_error": after}))


def do_abandon(path, n):
    for _ in range(n):
        s = connect(path)
        s.send(message("FDB_GET", flags=NLM_F_REQUEST | NLM_F_DUMP, seq=1))
        s.close()


def do_refused(path):
    s = connect(path)
    try:
        s.send(vlan_add(95))
    except OSError:
        pass  # pvland may have closed already; its answer is still there to read
    s.settimeout(5)
    d = s.recv(MSG_MAX)
    msgs = parse(d)
    rest = s.recv(MSG_MAX)  # then the connection ends
    print(json.dumps({"error": msgs[0][3] if msgs else None, "msg": msgs[0][4] if msgs else "", "closed": rest == b""}))


def main():
    op, path = sys.argv[1], sys.argv[2]
    if op == "case":
        do_case(path, sys.argv[3])
    elif op == "pipelined":
        do_pipelined(path)
    elif op == "hold":
        do_hold(path, int(sys.argv[3]), float(sys.argv[4]))
    elif op == "many":
        do_many(path, int(sys.argv[3]))
    elif op == "limit":
        do_limit(path, int(sys.argv[3]))
    elif op == "abandon":
        do_abandon(path, int(sys.argv[3]))
    elif op == "refused":
        do_refused(path)
    else:
        sys.exit("unknown operation " + op)


if __name__ == "__main__":
    main()
