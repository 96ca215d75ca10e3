"""Frames out of an interface at a fixed rate, for flood tests.

A flood sent as fast as Python can makes the kernel drop most of it at the switch port's
receive ring on a shared machine; pacing keeps the counts exact and the run short.
ENOBUFS/EAGAIN from the veth's queue is waited out, never counted as sent.
"""
import errno
import socket
import time


def send_paced(ifname, frames, rate):
    """Sends every frame of `frames` on `ifname` at `rate` frames/s; returns seconds taken."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    sock.bind((ifname, 0))
    t0 = time.monotonic()
    for i, f in enumerate(frames):
        if i % 64 == 0:
            late = t0 + i / rate - time.monotonic()
            if late > 0:
                time.sleep(late)
        while True:
            try:
                sock.send(f)
                break
            except OSError as e:
                if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                    raise
                time.sleep(0.0002)
    return time.monotonic() - t0
