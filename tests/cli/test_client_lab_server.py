#!/usr/bin/env python3
"""Interop: frameloom-client downloads 500 frames from the lab's threaded Pillow
server (lab_server.py), every frame opens in Pillow as a 10x10 RGB image, and
the GIF built from them holds 500 frames. Needs Pillow; skips without it."""
import io
import os
import re
import sys

from fltest import clienttest as ct  # noqa: E402

try:
    from PIL import Image
except ImportError:
    ct.skip("Pillow is not installed for this python3")
if not ct.CLIENT or not ct.PYTHON_PIL:
    ct.skip("FRAMELOOM_CLIENT or PYTHON_PIL is not set")

t = ct.Failures()
work = ct.temp_dir()


def pillow_valid(data):
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.size == (10, 10) and image.mode == "RGB"
    except Exception:
        return False


with ct.lab_server() as server:
    r = ct.run_client(["--port", str(server.port), "--frames", "500", "--download-only"], work)
t.check(r.returncode == 0, "500 frames from the lab's server: exit 0", r.stderr)
t.check(re.fullmatch(rf"Frames download time: {ct.SECONDS_LINE}\n", r.stdout) is not None,
        "stdout is exactly the download line", repr(r.stdout))
ct.check_frames(t, os.path.join(work, "frames"), 500, pillow_valid)

if os.environ.get("FRAMELOOM_GIF_WORKER"):
    r = ct.run_client(["--frames", "500", "--encode-only"], work)
    t.check(r.returncode == 0 and re.fullmatch(rf"GIF creation time: {ct.SECONDS_LINE}\n",
                                               r.stdout) is not None,
            "--encode-only builds the GIF and prints its line", r.stdout + r.stderr)
    with Image.open(os.path.join(work, "frameloom.gif")) as gif:
        t.check(gif.n_frames == 500, "the GIF holds the 500 frames", gif.n_frames)

ct.remove(work)
t.finish()
