#!/usr/bin/env python3
"""End to end with frameloom-server: 5000 frames at the default settings, both of
the lab's lines, a GIF that Pillow opens with 5000 frames whose pixels equal the
PNGs; --json for the whole pipeline; --compare's table. Needs Pillow (run with
PYTHON_PIL); skips without it."""
import json
import os
import re
import sys

from fltest import clienttest as ct  # noqa: E402

try:
    from PIL import Image
except ImportError:
    ct.skip("Pillow is not installed for this python3")
if not ct.CLIENT or not ct.SERVER or not os.environ.get("FRAMELOOM_GIF_WORKER"):
    ct.skip("FRAMELOOM_CLIENT, FRAMELOOM_SERVER or FRAMELOOM_GIF_WORKER is not set")

t = ct.Failures()
work = ct.temp_dir()


def check_gif(path, frames_dir, n, samples):
    with Image.open(path) as gif:
        t.check(gif.format == "GIF" and gif.size == (10, 10), f"{path} is a 10x10 GIF",
                f"{gif.format} {gif.size}")
        t.check(gif.n_frames == n, f"the GIF holds {n} frames", gif.n_frames)
        t.check(gif.info.get("loop") == 0 and gif.info.get("duration") == 500,
                "loop forever, 500 ms per frame", gif.info)
        differ = []
        for i in samples:
            gif.seek(i)
            with Image.open(os.path.join(frames_dir, f"{i}.png")) as png:
                if gif.convert("RGB").tobytes() != png.convert("RGB").tobytes():
                    differ.append(i)
        t.check(not differ, f"frames {samples} equal their PNGs pixel for pixel",
                f"differ: {differ}")


with ct.frameloom_server() as server:
    # Defaults but the port: 5000 frames, frames/, frameloom.gif.
    r = ct.run_client(["--port", str(server.port)], work, timeout=240)
    t.check(r.returncode == 0, "the default pipeline exits 0", r.stderr)
    t.check(re.fullmatch(rf"Frames download time: {ct.SECONDS_LINE}\n"
                         rf"GIF creation time: {ct.SECONDS_LINE}\n", r.stdout) is not None,
            "stdout is exactly the lab's two lines", repr(r.stdout))
    ct.check_frames(t, os.path.join(work, "frames"), 5000)
    check_gif(os.path.join(work, "frameloom.gif"), os.path.join(work, "frames"), 5000,
              [0, 1, 2, 2500, 4999])

    r = ct.run_client(["--port", str(server.port), "--frames", "200", "--json",
                       "--frames-dir", "j", "--output", "j.gif", "--delay-ms", "100",
                       "--loop", "3"], work)
    try:
        doc = json.loads(r.stdout)
        ok = (doc["ok"] and doc["run"]["download"]["frames"] == 200
              and doc["run"]["encode"]["frames"] == 200
              and doc["run"]["encode"]["bytes"] == os.path.getsize(os.path.join(work, "j.gif"))
              and doc["config"]["delay_ms"] == 100 and doc["config"]["loop"] == 3)
    except (ValueError, KeyError, TypeError) as e:
        ok = False
        r.stdout += f"\n{e}"
    t.check(r.returncode == 0 and ok, "--json for both stages parses and adds up", r.stdout)
    with Image.open(os.path.join(work, "j.gif")) as gif:
        t.check(gif.n_frames == 200 and gif.info.get("loop") == 3
                and gif.info.get("duration") == 100, "--delay-ms and --loop reach the GIF",
                gif.info)

    r = ct.run_client(["--port", str(server.port), "--frames", "300", "--compare",
                       "--frames-dir", "c", "--output", "c.gif"], work)
    lines = r.stdout.splitlines()
    verdict = r"\d+\.\d\dx  (faster|slower|no clear difference|one run: no spread)$"
    t.check(r.returncode == 0 and len(lines) >= 6 and lines[0].split()[0] == "Stage"
            and lines[1].startswith("Download") and lines[2].startswith("GIF")
            and all(re.search(verdict, line) for line in lines[1:3])
            and lines[3].startswith("3 timed runs after 1 warm-up each")
            and lines[4].startswith("Download: ")
            and any(line.startswith("GIF: ") for line in lines[5:]),
            "--compare prints both stages with median, spread, speed-up and verdict, then a "
            "sentence per stage", r.stdout + r.stderr)

ct.remove(work)
t.finish()
