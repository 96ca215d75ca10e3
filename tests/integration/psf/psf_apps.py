#!/usr/bin/env python3
"""Small TCP applications for the psf integration tests (real sockets, kernel TCP).

  echo-serve ADDR PORT     line echo server, a thread per connection; prints
                           "accept IP:PORT" when accept() returns (the handshake
                           completed at the server) and "eof IP:PORT"
  oneshot ADDR PORT SECS   connect, send one line, read its echo, SECS for each step;
                           prints "connect ok SPORT" / "connect failed ERR", "echo ok" /
                           "echo timeout"; exit 0 only when the echo came back
  session ADDR PORT SECS   connect (SECS), print "connected SPORT" or "connect failed
                           ERR" (exit 1); then one command per stdin line:
                             send TAG SECS  send "TAG\\n", read until TAG is echoed:
                                            prints "send TAG ok" or "send TAG timeout"
                             wait TAG SECS  read until TAG is echoed (data sent before):
                                            prints "wait TAG ok|timeout"
                             close          shutdown, read to EOF, close; prints "closed"
                             abort          close with a RST (SO_LINGER 0); "closed"
  ticker ADDR PORT INTERVAL STOPFILE
                           connect, then send a numbered line every INTERVAL seconds and
                           wait for its echo (5 s at most) until STOPFILE exists; prints
                           "connected SPORT", then "sent N echoed M max_rtt_ms R"; exit 0
                           when every line came back
"""
import socket
import sys
import threading
import time


def out(*a):
    print(*a, flush=True)


def echo_serve(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(64)

    def serve(c, peer):
        name = "%s:%d" % peer
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                c.sendall(d)
        except OSError:
            pass
        out("eof", name)
        c.close()

    while True:
        c, peer = ls.accept()
        out("accept", "%s:%d" % peer)
        threading.Thread(target=serve, args=(c, peer), daemon=True).start()


def connect(addr, port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(float(secs))
    s.connect((addr, int(port)))
    return s


class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""

    def until(self, tag, secs):
        want = tag.encode() + b"\n"
        end = time.monotonic() + float(secs)
        while True:
            i = self.buf.find(want)
            if i >= 0 and (i == 0 or self.buf[i - 1:i] == b"\n"):
                self.buf = self.buf[i + len(want):]
                return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return False
            if not d:
                return False
            self.buf += d


def oneshot(addr, port, secs):
    try:
        s = connect(addr, port, secs)
    except OSError as e:
        out("connect failed", e)
        return 1
    out("connect ok", s.getsockname()[1])
    s.sendall(b"oneshot\n")
    ok = Reader(s).until("oneshot", secs)
    out("echo", "ok" if ok else "timeout")
    s.close()
    return 0 if ok else 1


def session(addr, port, secs):
    try:
        s = connect(addr, port, secs)
    except OSError as e:
        out("connect failed", e)
        return 1
    out("connected", s.getsockname()[1])
    r = Reader(s)
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        if w[0] in ("send", "wait"):
            if w[0] == "send":
                s.sendall(w[1].encode() + b"\n")
            out(w[0], w[1], "ok" if r.until(w[1], w[2]) else "timeout")
        elif w[0] == "abort":
            # A RST instead of a FIN: no orphan socket retransmits after the test moved on.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
            out("closed")
            return 0
        elif w[0] == "close":
            s.shutdown(socket.SHUT_WR)
            # Read the peer's FIN so the close completes on both sides (TIME_WAIT here).
            s.settimeout(3)
            try:
                while s.recv(65536):
                    pass
            except OSError:
                pass
            s.close()
            out("closed")
            return 0
    return 0


def ticker(addr, port, interval, stopfile):
    import os
    try:
        s = connect(addr, port, 3)
    except OSError as e:
        out("connect failed", e)
        return 1
    out("connected", s.getsockname()[1])
    r, sent, echoed, worst = Reader(s), 0, 0, 0.0
    while not os.path.exists(stopfile):
        sent += 1
        t0 = time.monotonic()
        s.sendall(b"t%d\n" % sent)
        if not r.until("t%d" % sent, 5):
            out("stalled at line", sent)
            break
        echoed += 1
        worst = max(worst, time.monotonic() - t0)
        time.sleep(float(interval))
    out("sent", sent, "echoed", echoed, "max_rtt_ms", "%.1f" % (worst * 1000))
    s.close()
    return 0 if sent == echoed else 1


def main():
    cmds = {"echo-serve": echo_serve, "oneshot": oneshot, "session": session, "ticker": ticker}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](*sys.argv[2:]) or 0


if __name__ == "__main__":
    sys.exit(main())
