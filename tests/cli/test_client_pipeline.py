#!/usr/bin/env python3
"""End to end with frameloom-server: 5000 frames at the default settings, both of
the lab's lines, a GIF that Pillow opens with 5000 frames whose pixels equal the
PNGs; --json for the whole pipeline; --compare's table. Needs Pillow (run with
PYTHON_PIL); skips without it."""
import json
import os
import re

from fltest import clienttest as ct
from fltest.taplib import fixture, run, test

try:
    from PIL import Image
except ImportError:
    ct.skip("Pillow is not installed for this python3")
if not ct.CLIENT or not ct.SERVER or not os.environ.get("FRAMELOOM_GIF_WORKER"):
    ct.skip("FRAMELOOM_CLIENT, FRAMELOOM_SERVER or FRAMELOOM_GIF_WORKER is not set")

server = ct.frameloom_server()
work = ct.temp_dir()


@fixture
def default_run():
    """Defaults but the port: 5000 frames, frames/, frameloom.gif (the long run, done once)."""
    return ct.run_client(["--port", str(server.port)], work, timeout=240)


@test
def the_default_pipeline_prints_exactly_the_lab_s_two_lines():
    r = default_run()
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(rf"Frames download time: {ct.SECONDS_LINE}\n"
                        rf"GIF creation time: {ct.SECONDS_LINE}\n", r.stdout) is not None, \
        repr(r.stdout)


@test
def the_default_pipeline_saves_5000_complete_frames():
    default_run()
    ct.assert_frames(os.path.join(work, "frames"), 5000)


@test
def the_default_gif_holds_5000_frames_equal_to_their_pngs():
    default_run()
    path, frames_dir, samples = (os.path.join(work, "frameloom.gif"),
                                 os.path.join(work, "frames"), [0, 1, 2, 2500, 4999])
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.size == (10, 10), f"{gif.format} {gif.size}"
        assert gif.n_frames == 5000, gif.n_frames
        # Loop forever, 500 ms per frame.
        assert gif.info.get("loop") == 0 and gif.info.get("duration") == 500, gif.info
        differ = []
        for i in samples:
            gif.seek(i)
            with Image.open(os.path.join(frames_dir, f"{i}.png")) as png:
                if gif.convert("RGB").tobytes() != png.convert("RGB").tobytes():
                    differ.append(i)
        assert not differ, f"of frames {samples}, these differ from their PNGs: {differ}"


@test
def json_for_both_stages_adds_up_and_delay_and_loop_reach_the_gif():
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
    assert r.returncode == 0 and ok, r.stdout
    with Image.open(os.path.join(work, "j.gif")) as gif:
        assert (gif.n_frames == 200 and gif.info.get("loop") == 3
                and gif.info.get("duration") == 100), gif.info


@test
def compare_prints_both_stages_then_a_sentence_per_stage():
    # Each stage's row: median, spread, speed-up and verdict.
    r = ct.run_client(["--port", str(server.port), "--frames", "300", "--compare",
                       "--frames-dir", "c", "--output", "c.gif"], work)
    lines = r.stdout.splitlines()
    verdict = r"\d+\.\d\dx  (faster|slower|no clear difference|one run: no spread)$"
    assert (r.returncode == 0 and len(lines) >= 6 and lines[0].split()[0] == "Stage"
            and lines[1].startswith("Download") and lines[2].startswith("GIF")
            and all(re.search(verdict, line) for line in lines[1:3])
            and lines[3].startswith("3 timed runs after 1 warm-up each")
            and lines[4].startswith("Download: ")
            and any(line.startswith("GIF: ") for line in lines[5:])), r.stdout + r.stderr


try:
    run()
finally:
    server.stop()
    ct.remove(work)
