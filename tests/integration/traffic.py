#!/usr/bin/env python3
"""Real application traffic between test namespaces: an HTTP server and fetch, a TCP
bulk transfer checked end to end, a UDP echo exchange. Each client exits 0 only when
every byte came back intact, so a switch that corrupts, truncates or loses frames fails.

  traffic.py http-serve ADDR PORT FILE       serve FILE over HTTP (until killed)
  traffic.py http-fetch URL SHA256 [SECS]    fetch URL, compare its sha256
  traffic.py udp-echo ADDR PORT              echo every datagram back (until killed)
  traffic.py udp-ping ADDR PORT [SIZES]      send datagrams of SIZES (comma list), expect echoes
  traffic.py mkfile FILE MIB                 write MIB MiB of random bytes, print its sha256
  traffic.py wait-port ADDR PORT tcp|udp     return once something listens there (5 s)
"""
import hashlib
import http.server
import os
import socket
import sys
import time
import urllib.request


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def http_serve(addr, port, path):
    data = open(path, "rb").read()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    class Server(http.server.HTTPServer):
        address_family = family(addr)

    Server((addr, int(port)), Handler).serve_forever()


def http_fetch(url, want, secs="20"):
    with urllib.request.urlopen(url, timeout=float(secs)) as r:
        got = hashlib.sha256(r.read()).hexdigest()
    if got != want:
        print(f"sha256 mismatch: got {got}, want {want}", file=sys.stderr)
        return 1
    return 0


def udp_echo(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)


def udp_ping(addr, port, sizes="64,1400,4000"):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.connect((addr, int(port)))
    for size in (int(x) for x in sizes.split(",")):
        payload = os.urandom(size)
        for attempt in range(3):  # the first datagram may wait for neighbour resolution
            s.send(payload)
            try:
                if s.recv(65535) == payload:
                    break
            except socket.timeout:
                continue
        else:
            print(f"no intact echo of a {size}-byte datagram", file=sys.stderr)
            return 1
    return 0


def mkfile(path, mib):
    data = os.urandom(int(mib) << 20)
    open(path, "wb").write(data)
    print(hashlib.sha256(data).hexdigest())
    return 0


def wait_port(addr, port, proto):
    # Read from the namespace's socket tables, not probed with a bind of our own: a probe
    # that holds the port for a moment makes a server starting at that moment fail.
    # A listening TCP socket is in state 0A; a bound UDP socket in state 07.
    tables, state = (("tcp", "tcp6"), "0A") if proto == "tcp" else (("udp", "udp6"), "07")
    want = f":{int(port):04X}"
    end = time.time() + 5
    while time.time() < end:
        for table in tables:
            try:
                rows = open(f"/proc/net/{table}").read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                f = row.split()
                if f[1].endswith(want) and f[3] == state:
                    return 0
        time.sleep(0.05)
    print(f"nothing listens on {proto} port {port}", file=sys.stderr)
    return 1


def main():
    cmds = {"http-serve": http_serve, "http-fetch": http_fetch, "udp-echo": udp_echo,
            "udp-ping": udp_ping, "mkfile": mkfile, "wait-port": wait_port}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](*sys.argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main())
