#!/usr/bin/env python3
"""The lab's client, as the lab writes it: one connection per image, recv(1024)
until EOF, frames/<i>.png, then every frame opened with Pillow
(convert("RGBA")) and saved as one animated GIF (500 ms, looping forever),
with the lab's two timing lines.

Usage: lab_client.py PORT [FRAMES [THREADS [PROCESSES]]]

THREADS and PROCESSES (default 1, the lab's first client) make the lab's
optimised client: the downloads on a pool of threads, the frames opened and
converted on a pool of processes.
"""
import concurrent.futures
import multiprocessing
import os
import socket
import sys
import time


def fetch(port, frames_dir, i):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(("127.0.0.1", port))
    data = b""
    while True:
        chunk = sock.recv(1024)
        if not chunk:
            break
        data += chunk
    sock.close()
    with open(os.path.join(frames_dir, f"{i}.png"), "wb") as frame:
        frame.write(data)


def lab_download(port, frames_dir, count, threads=1):
    if threads == 1:
        for i in range(count):
            fetch(port, frames_dir, i)
        return
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda i: fetch(port, frames_dir, i), range(count)))


def load(path):
    from PIL import Image
    image = Image.open(path).convert("RGBA")
    return image.size, image.tobytes()


def lab_gif(frames_dir, count, path, processes=1):
    from PIL import Image
    paths = [os.path.join(frames_dir, f"{i}.png") for i in range(count)]
    if processes == 1:
        images = [Image.open(p).convert("RGBA") for p in paths]
    else:
        with multiprocessing.Pool(processes) as pool:
            images = [Image.frombytes("RGBA", size, data) for size, data in pool.map(load, paths)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=500, loop=0)


def main():
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    processes = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    os.makedirs("frames", exist_ok=True)
    start = time.time()
    lab_download(port, "frames", count, threads)
    print(f"Frames download time: {time.time() - start}")
    start = time.time()
    lab_gif("frames", count, "lab.gif", processes)
    print(f"GIF creation time: {time.time() - start}")


if __name__ == "__main__":
    main()
