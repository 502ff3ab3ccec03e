#!/usr/bin/env python3
"""Hostile suite: a frames folder that holds odd and bad frames.

Bad frames (an invalid file, a zero-byte file, a gap in the numbering, every file of
the png-invalid corpus): the encoding stops with one sentence naming the file and
why, exit 1, nothing at the output path, no temporary file.

Odd but valid frames (different sizes, 16-bit RGB, 16-bit grey+alpha, palette+tRNS,
RGBA): the documented rule is followed, checked pixel by pixel on what giflib
decodes: the logical screen is the largest width and the largest height, every frame
sits at the top left at its own size, 16-bit samples are scaled to 8 bits, and a
pixel whose alpha is below 128 is the frame's transparent index while every other
pixel keeps its exact colour (up to 256 colours a frame). gifsicle --info must read
the GIF too (skipped, saying so, when gifsicle is absent).

usage: test_encoder_frames.py FL_HOSTILE_GIFINFO"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

from fltest import hostile as h
from fltest import taplib

h.require("FRAMELOOM_CLIENT", "FRAMELOOM_GIF_WORKER")
GIFINFO = sys.argv[1]
work = h.temp_dir()


PROCESSES = min(2, os.cpu_count() or 1)


def encode(folder, n, output, processes=PROCESSES, extra_env=None):
    env = dict(os.environ, **(extra_env or {}))
    return h.client(["--encode-only", "--frames", str(n), "--processes", str(processes),
                     "--frames-dir", folder, "--output", output], work, env=env, timeout=60)


def no_output(output):
    """Nothing at the output path and no temporary file beside it."""
    folder = os.path.dirname(output) or "."
    base = os.path.basename(output)
    leftovers = [n for n in os.listdir(folder) if n == base or n.startswith("." + base)]
    return leftovers == [], leftovers


def good_frames(folder, n):
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        with open(os.path.join(folder, f"{i}.png"), "wb") as f:
            f.write(h.make_png(seed=i))


def assert_named(r, output, pattern):
    assert r.returncode == 1, h.describe(r)
    assert re.fullmatch(rf"frameloom-client: {pattern}\n", r.stderr), \
        f"expected {pattern!r}\n{h.describe(r)}"
    ok, leftovers = no_output(output)
    assert ok, f"left at the output path: {leftovers}"


def bad_folder(name, n, bad_index, content):
    folder = os.path.join(work, name)
    good_frames(folder, n)
    path = os.path.join(folder, f"{bad_index}.png")
    if content is None:
        os.unlink(path)
    else:
        with open(path, "wb") as f:
            f.write(content)
    return folder


def assert_bad_frame_is_named(name, bad_index, content, pattern):
    """12 frames in work/name, frame bad_index replaced by content (None: missing):
    the encoding to work/name.gif fails with pattern, where {folder} stands for the
    frames folder."""
    folder = bad_folder(name, 12, bad_index, content)
    out = os.path.join(work, f"{name}.gif")
    assert_named(encode(folder, 12, out), out, pattern.format(folder=re.escape(folder)))


@taplib.test
def invalid_file_is_named():
    assert_bad_frame_is_named("invalid", 7, b"GIF89a this is not a PNG at all" * 4,
                              r"{folder}/7\.png is not a valid PNG: the signature is wrong")


@taplib.test
def zero_byte_file_is_named():
    assert_bad_frame_is_named("empty", 3, b"", r"{folder}/3\.png is not a valid PNG: no data")


@taplib.test
def gap_is_named():
    assert_bad_frame_is_named("gap", 5, None,
                              r"Could not (read|open) {folder}/5\.png: no such file or directory")


@taplib.test
def several_problems_at_once_name_one_of_them():
    # The run stops at the first failure a worker reports and names that file; the
    # other problems may not have been reached.
    folder = bad_folder("several", 12, 1, b"")
    os.unlink(os.path.join(folder, "5.png"))
    with open(os.path.join(folder, "9.png"), "wb") as f:
        f.write(b"junk")
    out = os.path.join(work, "several.gif")
    r = encode(folder, 12, out)
    assert_named(r, out, rf"(.*{re.escape(folder)}/(1|5|9)\.png.*)")


@taplib.test
def every_invalid_corpus_png_is_named_or_encodes_cleanly():
    corpus = h.invalid_corpus_pngs()
    wrong, accepted = [], []
    for k, (name, data) in enumerate(corpus):
        folder = bad_folder(f"corpus-{k}", 3, 1, data)
        out = os.path.join(work, f"corpus-{k}.gif")
        r = encode(folder, 3, out, processes=1)
        if r.returncode == 0:
            accepted.append(name)
            info = subprocess.run([GIFINFO, out], capture_output=True, text=True)
            if info.returncode != 0:
                wrong.append(f"{name}: encoded, but giflib says {info.stderr.strip()}")
            continue
        if not re.fullmatch(rf"frameloom-client: {re.escape(folder)}/1\.png is not a valid "
                            r"PNG: .+\n", r.stderr):
            wrong.append(f"{name}: {h.describe(r)}")
        elif not no_output(out)[0]:
            wrong.append(f"{name}: left {no_output(out)[1]}")
    print(f"# {len(corpus)} corpus files as frame 1; encoded anyway (libpng accepts them): "
          f"{accepted}")
    assert not wrong, "\n".join(wrong)


# Odd but valid frames -------------------------------------------------------------

def rgb8(w, h_, rng):
    raw = rng.randbytes(w * h_ * 3)
    expected = [(raw[i], raw[i + 1], raw[i + 2], 255) for i in range(0, len(raw), 3)]
    return h.make_png(w, h_, raw=raw), expected


def rgb16(w, h_, rng):
    samples = rng.randbytes(w * h_ * 3)
    # v * 257 scales back to exactly v whether 16-bit samples are scaled or stripped.
    raw = b"".join(bytes([v, v]) for v in samples)
    expected = [(samples[i], samples[i + 1], samples[i + 2], 255)
                for i in range(0, len(samples), 3)]
    return h.make_png(w, h_, depth=16, colour=2, raw=raw), expected


def grey_alpha16(w, h_, rng):
    samples = rng.randbytes(w * h_ * 2)
    raw = b"".join(bytes([v, v]) for v in samples)
    expected = [(samples[i], samples[i], samples[i], samples[i + 1])
                for i in range(0, len(samples), 2)]
    return h.make_png(w, h_, depth=16, colour=4, raw=raw), expected


def palette_trns(w, h_, rng):
    palette = rng.randbytes(256 * 3)
    alpha = bytes(rng.choice([0, 1, 127, 128, 200, 255]) for _ in range(200))  # 56 opaque
    indices = rng.randbytes(w * h_)
    extra = h.chunk(b"PLTE", palette) + h.chunk(b"tRNS", alpha)
    expected = [(palette[3 * i], palette[3 * i + 1], palette[3 * i + 2],
                 alpha[i] if i < len(alpha) else 255) for i in indices]
    return h.make_png(w, h_, depth=8, colour=3, raw=indices, extra=extra), expected


def rgba8(w, h_, rng):
    raw = rng.randbytes(w * h_ * 4)
    expected = [tuple(raw[i:i + 4]) for i in range(0, len(raw), 4)]
    return h.make_png(w, h_, depth=8, colour=6, raw=raw), expected


ODD = [(rgb8, 10, 10), (rgb16, 20, 5), (grey_alpha16, 7, 30), (palette_trns, 12, 12),
       (rgba8, 1, 1), (rgb8, 16, 16), (palette_trns, 3, 9)]


@taplib.test
def odd_frames_follow_the_documented_rule():
    rng = random.Random(5)
    folder = os.path.join(work, "odd")
    os.makedirs(folder)
    expected = []
    for i, (make, w, h_) in enumerate(ODD):
        data, pixels = make(w, h_, rng)
        with open(os.path.join(folder, f"{i}.png"), "wb") as f:
            f.write(data)
        expected.append((w, h_, pixels))
    out = os.path.join(work, "odd.gif")
    r = encode(folder, len(ODD), out)
    assert r.returncode == 0, h.describe(r)

    dump = tempfile.mkdtemp(dir=work)
    info = subprocess.run([GIFINFO, out, dump], capture_output=True, text=True)
    assert info.returncode == 0, f"giflib: {info.stderr}"
    lines = info.stdout.splitlines()
    screen_w = max(w for w, _, _ in expected)
    screen_h = max(h_ for _, h_, _ in expected)
    assert lines[0] == f"screen {screen_w} {screen_h} images {len(ODD)} loop 0", lines[0]
    for i, (w, h_, pixels) in enumerate(expected):
        m = re.fullmatch(rf"image {i} left 0 top 0 width {w} height {h_} delay 50 "
                         r"transparent (-?\d+) colours (\d+)", lines[1 + i])
        assert m, f"frame {i} ({ODD[i][0].__name__} {w}x{h_}): {lines[1 + i]}"
        with open(os.path.join(dump, f"{i}.rgba"), "rb") as f:
            got = f.read()
        bad = []
        for p, (r_, g, b, a) in enumerate(pixels):
            gr, gg, gb, ga = got[4 * p:4 * p + 4]
            if a < 128:
                if ga != 0:
                    bad.append((p, "should be transparent", (r_, g, b, a), (gr, gg, gb, ga)))
            elif ga != 255 or (gr, gg, gb) != (r_, g, b):
                bad.append((p, "should be exact", (r_, g, b, a), (gr, gg, gb, ga)))
        assert not bad, f"frame {i} ({ODD[i][0].__name__}): {len(bad)} pixels wrong: {bad[:3]}"
        # Opaque frames may declare an unused transparent index too (for disposal 2).
        if any(a < 128 for *_, a in pixels):
            assert int(m.group(1)) >= 0, lines[1 + i]

    if shutil.which("gifsicle") is None:
        print("# SKIP part: gifsicle is not installed")
        return
    g = subprocess.run(["gifsicle", "--info", out], capture_output=True, text=True)
    assert g.returncode == 0 and g.stderr == "", g.stderr
    assert f"{len(ODD)} images" in g.stdout and f"logical screen {screen_w}x{screen_h}" \
        in g.stdout, g.stdout
    print(f"# giflib and gifsicle read {len(ODD)} odd frames on a {screen_w}x{screen_h} screen")


h.run_and_clean_up(work)
