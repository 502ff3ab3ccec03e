#!/usr/bin/env python3
"""Hostile suite: the GIF's folder is a tiny tmpfs that fills up during the
encoding, or is full before it starts. Exit 1 with one sentence naming the output and
"no space left on device"; the temporary file is removed (the tmpfs is as empty as
before); an older GIF at the output path stays byte for byte. Needs root to mount a
tmpfs: skipped, saying so, otherwise."""
import os
import re

from fltest import hostile as h
from fltest import taplib

h.require("FRAMELOOM_CLIENT", "FRAMELOOM_GIF_WORKER")
work = h.temp_dir()
N = 400  # about 150 KiB of GIF: more than the 64 KiB tmpfs holds
FRAMES = os.path.join(work, "frames")
os.makedirs(FRAMES)
for i in range(N):
    with open(os.path.join(FRAMES, f"{i}.png"), "wb") as f:
        f.write(h.make_png(seed=i))


def used_kib(path):
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize // 1024


def encode(output):
    return h.client(["--encode-only", "--frames", str(N), "--processes",
                     str(min(2, os.cpu_count() or 1)), "--frames-dir", FRAMES,
                     "--output", output], work, timeout=60)


def assert_no_space(r, output):
    assert r.returncode == 1, h.describe(r)
    assert re.fullmatch(rf"frameloom-client: Could not (write|create) {re.escape(output)}: "
                        r"no space left on device\n", r.stderr), h.describe(r)


@taplib.test
def disk_fills_during_the_encoding():
    disk = h.root_tmpfs(os.path.join(work, "fills"), "64k")
    output = os.path.join(disk, "out.gif")
    before = used_kib(disk)
    r = encode(output)
    assert_no_space(r, output)
    assert os.listdir(disk) == [], f"left on the tmpfs: {os.listdir(disk)}"
    assert used_kib(disk) == before, f"{used_kib(disk)} KiB used, {before} KiB before"


@taplib.test
def disk_full_before_the_encoding_keeps_the_older_gif():
    disk = h.root_tmpfs(os.path.join(work, "full"), "64k")
    output = os.path.join(disk, "out.gif")
    with open(output, "wb") as f:
        f.write(b"GIF89a an older GIF")
    h.fill(disk)
    r = encode(output)
    assert_no_space(r, output)
    assert sorted(os.listdir(disk)) == ["filler", "out.gif"], os.listdir(disk)
    with open(output, "rb") as f:
        assert f.read() == b"GIF89a an older GIF", "the older GIF changed"


h.run_and_clean_up(work)
