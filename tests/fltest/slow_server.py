#!/usr/bin/env python3
"""slow_server.py [--latency-ms N] [--size WxH]: the lab's protocol (connect, get
one PNG, EOF) with a simulated network delay before each image, like a server on
another machine. The GUI test points Compare and the sweeps at it for the
screenshots, where loopback on a busy 2-core machine would hide what threads do
for a client that waits on the network. Prints its port, serves until stdin
closes (so it never outlives the test). Standard library only."""
import argparse
import os
import socketserver
import struct
import sys
import threading
import time
import zlib


def png(width, height):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\0" + os.urandom(width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=4.0)
    parser.add_argument("--size", default="32x32")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            time.sleep(args.latency_ms / 1000.0)
            self.request.sendall(png(width, height))

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 512

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
