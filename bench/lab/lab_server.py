#!/usr/bin/env python3
"""The lab's threaded image server, written the way the lab writes it.

One thread per connection: a fresh random 10x10 RGB image made with Pillow,
saved as PNG into memory, sent with sendall, then the connection is closed.

Usage: lab_server.py [PORT [HOST]]   (defaults: 1234, 0.0.0.0 as in the lab)

Two additions for the benchmark, neither on the per-connection path:
PORT 0 binds any free port, and the "Listening on HOST:PORT" line (flushed)
tells a script which port and when the socket is ready.
Needs Pillow (Debian: python3-pil; run it with /usr/bin/python3).
"""
import io
import random
import socket
import sys
import threading

from PIL import Image

WIDTH, HEIGHT = 10, 10


def make_image():
    image = Image.new("RGB", (WIDTH, HEIGHT))
    pixels = [(random.randint(0, 255), random.randint(0, 255), random.randint(0, 255))
              for _ in range(WIDTH * HEIGHT)]
    image.putdata(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def handle_client(conn, addr):
    try:
        conn.sendall(make_image())
        print(f"Sent an image to ({addr[0]}, {addr[1]})")
    except OSError as error:
        print(f"Could not send an image to ({addr[0]}, {addr[1]}): {error}", file=sys.stderr)
    finally:
        conn.close()


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 1234
    host = sys.argv[2] if len(sys.argv) > 2 else "0.0.0.0"
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen()
    print(f"Listening on {host}:{server.getsockname()[1]}", flush=True)
    try:
        while True:
            conn, addr = server.accept()
            threading.Thread(target=handle_client, args=(conn, addr), daemon=True).start()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    main()
