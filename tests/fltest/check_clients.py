#!/usr/bin/env python3
"""Lab clients that each break one requirement, for the checker's tests.

Usage: check_clients.py MODE PORT FRAMES

Every mode is the lab's optimised client (4 download threads, the lab's recv
loop, frames/<i>.png, the two timing lines) with its GIF made by
`frameloom-client make-gif` (FRAMELOOM_CLIENT, two worker processes), but for
one thing:
  good        nothing: it meets the lab
  sequential  downloads one frame at a time
  concat      makes the GIF in two halves and joins the files with cat
  lexical     makes the GIF of the frames sorted as text (10.png before 2.png)
  twice       fetches every tenth frame twice
  quiet       prints no timing lines
  oneprocess  makes the GIF with one worker process
  toomany     runs more processes than the cores while it makes the GIF
"""
import concurrent.futures
import os
import subprocess
import sys
import time

from fltest import lab_client  # the lab's own recv loop, beside this file

CLIENT = os.environ["FRAMELOOM_CLIENT"]
MODE, PORT, COUNT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def fetch(i):
    lab_client.fetch(PORT, "frames", i)


def make_gif(paths, output):
    processes = "1" if MODE in ("oneprocess", "toomany") else "2"
    helpers = []
    if MODE == "toomany":
        # One per core, beside the GIF's worker: busy while the GIF is made.
        helpers = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.5)"])
                   for _ in os.sched_getaffinity(0)]
    subprocess.run([CLIENT, "make-gif", "--quiet", "--processes", processes, "-o", output]
                   + paths, check=True, stdout=subprocess.DEVNULL)
    for helper in helpers:
        helper.wait()


def main():
    os.makedirs("frames", exist_ok=True)
    start = time.time()
    wanted = list(range(COUNT))
    if MODE == "twice":
        wanted += list(range(0, COUNT, 10))
    if MODE == "sequential":
        for i in wanted:
            fetch(i)
    else:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(fetch, wanted))
    download = time.time() - start
    start = time.time()
    paths = [os.path.join("frames", f"{i}.png") for i in range(COUNT)]
    if MODE == "lexical":
        paths = [os.path.join("frames", name) for name in sorted(os.listdir("frames"))]
    if MODE == "concat":
        half = COUNT // 2
        make_gif(paths[:half], "part1.tmp")
        make_gif(paths[half:], "part2.tmp")
        with open("client.gif", "wb") as out:
            for part in ("part1.tmp", "part2.tmp"):
                with open(part, "rb") as f:
                    out.write(f.read())
                os.unlink(part)
    else:
        make_gif(paths, "client.gif")
    if MODE != "quiet":
        print(f"Frames download time: {download}")
        print(f"GIF creation time: {time.time() - start}")


if __name__ == "__main__":
    main()
