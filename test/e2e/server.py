#!/usr/bin/env python3
"""test/e2e/server.py - a pod's server for the end-to-end tests.

  server.py NAME udp PORT    answer every datagram with NAME
  server.py NAME echo PORT   per TCP connection: send NAME, then echo every
                             line back until the client closes; the line
                             "rst" makes it close with a reset instead

One thread per TCP connection, so a held connection never blocks others.
"""
import socket
import struct
import sys
import threading


def udp(name, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        _, peer = s.recvfrom(2048)
        s.sendto(name.encode() + b"\n", peer)


def echo_one(conn, name):
    with conn:
        conn.sendall(name.encode() + b"\n")
        f = conn.makefile("rb")
        for line in f:
            if line.strip() == b"rst":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
                return
            conn.sendall(line)


def echo(name, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=echo_one, args=(conn, name),
                         daemon=True).start()


def main():
    name, mode, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"udp": udp, "echo": echo}[mode](name, port)


if __name__ == "__main__":
    main()
