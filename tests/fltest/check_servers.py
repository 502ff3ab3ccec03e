#!/usr/bin/env python3
"""Lab servers that each break one requirement, for the checker's tests.

Usage: check_servers.py MODE PORT

Every mode is the lab's threaded server (standard library only: the PNG is
written with zlib) but for one thing:
  good       nothing: it meets the lab
  serial     handles one connection after another, on one thread
  jpeg       sends a JPEG instead of a PNG
  http       answers like a web server
  text       answers with a line of text
  empty      closes the connection without sending anything
  truncated  sends the first half of the PNG, then closes
  big        sends 20x20 images
  same       sends the same image every time
  solid      sends a fresh image of one colour
  fewcolours sends fresh images of four colours (worth a warning, not a failure)
  noreuse    does not mark its socket for address reuse
  tempfile   writes each image to one shared file and sends it back from there
  flaky      resets every 7th connection after the 30th
  noclose    sends the image but keeps the connection open
"""
import os
import shutil
import socket
import socketserver
import struct
import sys
import tempfile
import threading
import time
import zlib


def png(width, height, rgb):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def random_png():
    return png(10, 10, os.urandom(300))


MODE = sys.argv[1]
# The shared file lives in a folder of its own, never where the server was
# started from (a test runs it from anywhere, the source tree included).
SHARED = (os.path.join(tempfile.mkdtemp(prefix="fl-check-server-"), "image.png")
          if MODE == "tempfile" else None)
SAME = random_png()
LOCK = threading.Lock()
COUNT = [0]
JPEG = b"\xff\xd8\xff\xe0\0\x10JFIF\0\1\1\0\0\1\0\1\0\0\xff\xd9"
HTTP = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello\r\n"


# One colour has only 2^24 values: the burst's 500, drawn at random, hold a
# repeat in one run of about 135, which the check under load rightly calls a
# shared buffer. A random start and an odd step give 2^24 fresh colours instead.
SOLID_START = int.from_bytes(os.urandom(3), "big")
SOLID_STEP = int.from_bytes(os.urandom(3), "big") | 1


def solid_colour():
    with LOCK:
        COUNT[0] += 1
        number = COUNT[0]
    return ((SOLID_START + number * SOLID_STEP) % (1 << 24)).to_bytes(3, "big")


def reply():
    if MODE == "jpeg":
        return JPEG
    if MODE == "http":
        return HTTP
    if MODE == "text":
        return b"Hello from the server\n"
    if MODE == "empty":
        return b""
    if MODE == "truncated":
        image = random_png()
        return image[:len(image) // 2]
    if MODE == "big":
        return png(20, 20, os.urandom(1200))
    if MODE == "same":
        return SAME
    if MODE == "solid":
        return png(10, 10, solid_colour() * 100)
    if MODE == "fewcolours":
        palette = [os.urandom(3) for _ in range(4)]
        return png(10, 10, b"".join(palette[b % 4] for b in os.urandom(100)))
    if MODE == "tempfile":
        with open(SHARED, "wb") as f:
            f.write(random_png())
        time.sleep(0.002)  # a slow disk: the next handler overwrites the file meanwhile
        with open(SHARED, "rb") as f:
            return f.read()
    return random_png()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        with LOCK:
            COUNT[0] += 1
            number = COUNT[0]
        if MODE == "flaky" and number > 30 and number % 7 == 0:
            # A reset, as a handler that crashes with the socket open causes.
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.request.close()
            return
        self.request.sendall(reply())
        if MODE == "noclose":
            time.sleep(30)
        host, port = self.client_address[:2]
        print(f"Sent an image to ({host}, {port})")


Base = socketserver.TCPServer if MODE == "serial" else socketserver.ThreadingTCPServer


class Server(Base):
    allow_reuse_address = MODE != "noreuse"
    daemon_threads = True
    request_queue_size = 128


def main():
    port = int(sys.argv[2])
    with Server(("127.0.0.1", port), Handler) as server:
        print(f"Listening on 127.0.0.1:{server.server_address[1]}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            if SHARED is not None:
                shutil.rmtree(os.path.dirname(SHARED), ignore_errors=True)


if __name__ == "__main__":
    main()
