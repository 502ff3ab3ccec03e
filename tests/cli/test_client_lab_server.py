#!/usr/bin/env python3
"""Interop: frameloom-client downloads 500 frames from the lab's threaded Pillow
server (lab_server.py), every frame opens in Pillow as a 10x10 RGB image, and
the GIF built from them holds 500 frames. Needs Pillow; skips without it."""
import io
import os
import re

from fltest import clienttest as ct
from fltest.taplib import Skip, fixture, run, test

try:
    from PIL import Image
except ImportError:
    ct.skip("Pillow is not installed for this python3")
if not ct.CLIENT or not ct.PYTHON_PIL:
    ct.skip("FRAMELOOM_CLIENT or PYTHON_PIL is not set")

work = ct.temp_dir()


def pillow_valid(data):
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.size == (10, 10) and image.mode == "RGB"
    except Exception:
        return False


@fixture
def download():
    """500 frames from the lab's server into frames/ (the encode test reads them)."""
    with ct.lab_server() as server:
        return ct.run_client(["--port", str(server.port), "--frames", "500", "--download-only"],
                             work)


@test
def the_lab_server_s_500_frames_arrive_and_each_opens_in_pillow_as_10x10_rgb():
    r = download()
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(rf"Frames download time: {ct.SECONDS_LINE}\n", r.stdout) is not None, \
        repr(r.stdout)
    ct.assert_frames(os.path.join(work, "frames"), 500, pillow_valid)


@test
def encode_only_builds_a_gif_of_the_500_frames_and_prints_its_line():
    if not os.environ.get("FRAMELOOM_GIF_WORKER"):
        raise Skip("FRAMELOOM_GIF_WORKER is not set")
    download()
    r = ct.run_client(["--frames", "500", "--encode-only"], work)
    assert r.returncode == 0 and re.fullmatch(rf"GIF creation time: {ct.SECONDS_LINE}\n",
                                              r.stdout) is not None, r.stdout + r.stderr
    with Image.open(os.path.join(work, "frameloom.gif")) as gif:
        assert gif.n_frames == 500, gif.n_frames


try:
    run()
finally:
    ct.remove(work)
