#!/usr/bin/env python3
"""The lab's client, optimised the way the lab does it: threads for the download,
a multiprocessing.Pool to load the frames for the GIF.

Same protocol, files and output lines as lab_client.py: COUNT frames into
frames/<i>.png (each thread connects, recv(1024) until EOF, writes its frame),
then Pool workers open and convert the frames to RGBA, and Pillow saves the GIF
(save_all, 500 ms per frame, looping forever).

Usage: lab_client_optimized.py [--host H] [--port N] [--count N] [--threads T]
                               [--processes P] [--frames-dir D] [--output F]
Needs Pillow (Debian: python3-pil; run it with /usr/bin/python3).
"""
import argparse
import multiprocessing
import os
import socket
import threading
import time

from PIL import Image


def download_frame(host, port, frames_dir, i):
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((host, port))
    with open(os.path.join(frames_dir, f"{i}.png"), "wb") as frame:
        while True:
            data = client.recv(1024)
            if not data:
                break
            frame.write(data)
    client.close()


def download_range(host, port, frames_dir, indices):
    for i in indices:
        download_frame(host, port, frames_dir, i)


def download(host, port, count, frames_dir, n_threads):
    os.makedirs(frames_dir, exist_ok=True)
    threads = [threading.Thread(target=download_range,
                                args=(host, port, frames_dir, range(t, count, n_threads)))
               for t in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def load_frame(path):
    return Image.open(path).convert("RGBA")


def make_gif(count, frames_dir, output, n_processes):
    paths = [os.path.join(frames_dir, f"{i}.png") for i in range(count)]
    with multiprocessing.Pool(n_processes) as pool:
        frames = pool.map(load_frame, paths, chunksize=max(1, count // (4 * n_processes)))
    frames[0].save(output, save_all=True, append_images=frames[1:], duration=500, loop=0)


def main():
    parser = argparse.ArgumentParser(description="The lab's optimised image client.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1234)
    parser.add_argument("--count", type=int, default=5000, help="frames to download")
    parser.add_argument("--threads", type=int, default=8, help="download threads")
    parser.add_argument("--processes", type=int, default=os.cpu_count(),
                        help="Pool processes that load the frames")
    parser.add_argument("--frames-dir", default="frames")
    parser.add_argument("--output", default="output.gif")
    args = parser.parse_args()

    start = time.time()
    download(args.host, args.port, args.count, args.frames_dir, args.threads)
    print(f"Frames download time: {time.time() - start}")

    start = time.time()
    make_gif(args.count, args.frames_dir, args.output, args.processes)
    print(f"GIF creation time: {time.time() - start}")


if __name__ == "__main__":
    main()
