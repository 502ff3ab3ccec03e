#!/usr/bin/env python3
"""The lab's threaded image server, as the lab writes it: every connection gets a
fresh random 10x10 RGB image from Pillow, saved as PNG straight to the socket,
then the connection closes, and a "Sent an image to (HOST, PORT)" line is printed.
Used to check that frameloom-client interoperates, and that the checker passes it.

Usage: lab_server.py [PORT [HOST]]   (PORT 0 = any free port; prints the one bound)
"""
import io
import os
import socketserver
import sys

from PIL import Image


class ImageHandler(socketserver.BaseRequestHandler):
    def handle(self):
        image = Image.frombytes("RGB", (10, 10), os.urandom(10 * 10 * 3))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        self.request.sendall(buffer.getvalue())
        host, port = self.client_address[:2]
        print(f"Sent an image to ({host}, {port})")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    # socketserver listens with a backlog of 5: the kernel then drops some of
    # 16 connections made at once, and those clients wait forever (the checker
    # finds it). The lab's server handles many connections at once.
    request_queue_size = 128


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 1234
    host = sys.argv[2] if len(sys.argv) > 2 else "0.0.0.0"
    with Server((host, port), ImageHandler) as server:
        print(f"Listening on {host}:{server.server_address[1]}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
