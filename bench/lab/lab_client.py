#!/usr/bin/env python3
"""The lab's client, unoptimised, written the way the lab writes it.

Downloads COUNT frames one after another (connect, recv(1024) until EOF, write
frames/<i>.png), then makes an animated GIF of them with Pillow (every frame
opened and converted to RGBA, save_all, 500 ms per frame, looping forever),
and prints the two stage times in the lab's format.

Usage: lab_client.py [--host H] [--port N] [--count N] [--frames-dir D] [--output F]
Needs Pillow (Debian: python3-pil; run it with /usr/bin/python3).
"""
import argparse
import os
import socket
import time

from PIL import Image


def download(host, port, count, frames_dir):
    os.makedirs(frames_dir, exist_ok=True)
    for i in range(count):
        client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        client.connect((host, port))
        with open(os.path.join(frames_dir, f"{i}.png"), "wb") as frame:
            while True:
                data = client.recv(1024)
                if not data:
                    break
                frame.write(data)
        client.close()


def make_gif(count, frames_dir, output):
    frames = [Image.open(os.path.join(frames_dir, f"{i}.png")).convert("RGBA")
              for i in range(count)]
    frames[0].save(output, save_all=True, append_images=frames[1:], duration=500, loop=0)


def main():
    parser = argparse.ArgumentParser(description="The lab's sequential image client.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1234)
    parser.add_argument("--count", type=int, default=5000, help="frames to download")
    parser.add_argument("--frames-dir", default="frames")
    parser.add_argument("--output", default="output.gif")
    args = parser.parse_args()

    start = time.time()
    download(args.host, args.port, args.count, args.frames_dir)
    print(f"Frames download time: {time.time() - start}")

    start = time.time()
    make_gif(args.count, args.frames_dir, args.output)
    print(f"GIF creation time: {time.time() - start}")


if __name__ == "__main__":
    main()
