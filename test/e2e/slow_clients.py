#!/usr/bin/env python3
"""test/e2e/slow_clients.py - many slow HTTP clients at once.

  slow_clients.py HOST PORT N --hold SECONDS --report FILE

Opens N connections; every other one sends the start of a request line
and then nothing more, the rest send nothing at all.  Holds them SECONDS
seconds, watching which ones the server closes, and writes to FILE:

  open N                       once all connect() calls returned
  refused K                    those the server closed within 1 s
  closed K of N after S s      at the end: closed by the server, and
                               when the last of them was closed

A connect() beyond the server's connection limit still succeeds: the
kernel queues it until the server accepts.

One process and one thread: process creation costs ~40 ms under UML.
"""
import argparse
import select
import socket
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("n", type=int)
    p.add_argument("--hold", type=float, default=15)
    p.add_argument("--report", required=True)
    a = p.parse_args()
    socks = []
    for i in range(a.n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect((a.host, a.port))
        if i % 2:
            s.send(b"GET /metr")
        socks.append(s)
    t0 = time.time()
    with open(a.report, "w") as f:
        f.write(f"open {a.n}\n")
    closed = {}
    poll = select.poll()
    for s in socks:
        poll.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
    by_fd = {s.fileno(): s for s in socks}
    reported = False
    while time.time() - t0 < a.hold:
        for fd, _ in poll.poll(100):
            s = by_fd[fd]
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed[fd] = time.time() - t0
                poll.unregister(fd)
        if not reported and time.time() - t0 >= 1:
            with open(a.report, "a") as f:
                f.write(f"refused {sum(1 for t in closed.values() if t < 1)}\n")
            reported = True
    last = max(closed.values()) if closed else 0
    with open(a.report, "a") as f:
        f.write(f"closed {len(closed)} of {a.n} after {last:.1f} s\n")
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
