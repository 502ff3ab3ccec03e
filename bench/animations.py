#!/usr/bin/env python3
"""animations.py: real kinds of animation, made here from a seed, and the GIF
makers measured on them side by side.

  animations.py make KIND DIR            frames DIR/<i>.png of one kind (seeded)
  animations.py check GIF DIR N          Pillow's frames against the PNGs
  animations.py run --build B --baseline BB [--work DIR] [--kinds K,...] [--reps R]

Kinds (all seeded, so every run and every machine gets the same frames):
  cartoon     320x240, 200 frames, 16 flat colours, shapes moving on a backdrop
  screen      640x400, 150 frames, a terminal typing aliased text (bitmap font)
  screen-aa   the same recording with antialiased text (DejaVu Sans Mono)
  photo       480x320, 100 frames, a pan and zoom over a smooth synthetic photo
  noise       160x120, 60 frames, uniform random pixels

`run` times, for each kind, in one run: Frameloom (this build's encode-frames,
P=2), Frameloom at the baseline build (today's encoder) and gifsicle -O3 on
that output, ffmpeg palettegen/paletteuse (its defaults, and diff statistics
with rectangles and no dithering), ImageMagick `-layers Optimize`, and Pillow
(`save_all`). Every GIF is decoded with Pillow and compared with the PNGs:
frames, exact frames, PSNR over all frames (RGB), bytes, wall seconds (median
of R repetitions). Needs python3-pil, python3-numpy, ffmpeg, imagemagick,
gifsicle and fonts-dejavu-core.
"""
import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFont

KINDS = ["cartoon", "screen", "screen-aa", "photo", "noise"]
DELAY_MS = 500


def save(frames_dir, i, array):
    Image.fromarray(array, "RGB").save(os.path.join(frames_dir, f"{i}.png"), compress_level=1)


def make_cartoon(frames_dir, rng):
    w, h, n = 320, 240, 200
    palette = rng.integers(0, 256, size=(16, 3), dtype=np.uint8)
    colours = [tuple(int(v) for v in c) for c in palette]
    backdrop = Image.new("RGB", (w, h), colours[0])
    d = ImageDraw.Draw(backdrop)
    for k in range(12):  # hills and houses that stay
        x, y = int(rng.integers(0, w)), int(rng.integers(h // 2, h))
        d.rectangle([x, y, x + int(rng.integers(20, 80)), h], fill=colours[1 + k % 5])
    shapes = []
    for k in range(6):
        shapes.append(dict(x=float(rng.integers(0, w)), y=float(rng.integers(0, h)),
                           vx=float(rng.uniform(-3, 3)), vy=float(rng.uniform(-2, 2)),
                           r=int(rng.integers(8, 24)), c=colours[6 + k], e=colours[12 + k % 4]))
    for i in range(n):
        im = backdrop.copy()
        d = ImageDraw.Draw(im)
        for s in shapes:
            s["x"] = (s["x"] + s["vx"]) % w
            s["y"] = (s["y"] + s["vy"]) % h
            x, y, r = int(s["x"]), int(s["y"]), s["r"]
            d.ellipse([x - r, y - r, x + r, y + r], fill=s["c"], outline=s["e"])
            d.rectangle([x - 2, y - r // 2, x + 2, y - r // 2 + 4], fill=colours[15])
        save(frames_dir, i, np.asarray(im))


def make_screen(frames_dir, rng, antialiased):
    w, h, n = 640, 400, 150
    if antialiased:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 13)
        line_h = 16
    else:
        font = ImageFont.load_default()
        line_h = 12
    inks = [(220, 220, 220), (120, 200, 120), (230, 200, 90), (120, 160, 240), (230, 110, 110),
            (200, 140, 230), (90, 210, 210)]
    words = ["make", "gif", "frame", "loom", "encode", "worker", "chunk", "palette", "./build",
             "ninja", "meson", "test", "OK", "FAIL", "--tap", "lzw", "0x2c", "delay", "ms"]
    lines = []  # (text, ink)
    typed = 0
    bg = (24, 26, 30)
    rows = (h - 24) // line_h
    for i in range(n):
        # Type 1-4 characters a frame; a finished line starts a new one, and the
        # screen scrolls when it is full.
        if not lines or typed >= len(lines[-1][0]):
            text = " ".join(words[int(rng.integers(0, len(words)))]
                            for _ in range(int(rng.integers(3, 9))))
            lines.append((("$ " if rng.random() < 0.3 else "  ") + text,
                          inks[int(rng.integers(0, len(inks)))]))
            typed = 0
            lines = lines[-rows:]
        typed += int(rng.integers(1, 5))
        im = Image.new("RGB", (w, h), bg)
        d = ImageDraw.Draw(im)
        d.rectangle([0, 0, w, 18], fill=(50, 54, 62))
        d.text((8, 3), "frameloom - terminal", font=font, fill=(200, 200, 200))
        for k, (text, ink) in enumerate(lines):
            shown = text if k < len(lines) - 1 else text[:typed]
            d.text((8, 24 + k * line_h), shown, font=font, fill=ink)
        if (i // 3) % 2 == 0:  # the cursor blinks
            k = len(lines) - 1
            x = 8 + int(d.textlength(lines[-1][0][:typed], font=font))
            d.rectangle([x, 24 + k * line_h, x + 6, 24 + k * line_h + line_h - 3],
                        fill=(220, 220, 220))
        save(frames_dir, i, np.asarray(im))


def make_photo(frames_dir, rng):
    w, h, n = 480, 320, 100
    big_w, big_h = 1200, 800
    yy, xx = np.mgrid[0:big_h, 0:big_w].astype(np.float32)
    img = np.zeros((big_h, big_w, 3), np.float32)
    img += np.stack([xx / big_w * 120 + 40, yy / big_h * 90 + 60, 160 - xx / big_w * 60], -1)
    for _ in range(60):  # soft blobs: sky, trees, faces, whatever
        cx, cy = rng.uniform(0, big_w), rng.uniform(0, big_h)
        s = rng.uniform(20, 160)
        col = rng.uniform(-90, 90, size=3)
        g = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))
        img += g[..., None] * col
    img += rng.normal(0, 3.0, size=img.shape)  # sensor grain
    photo = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    for i in range(n):
        t = i / (n - 1)
        zoom = 1.0 + 0.6 * t
        cw, ch = big_w / 2 / zoom, big_h / 2 / zoom
        cx = big_w * (0.3 + 0.4 * t)
        cy = big_h * (0.45 + 0.1 * math.sin(t * math.pi))
        box = (cx - cw / 2 * 1.0, cy - ch / 2, cx + cw / 2, cy + ch / 2)
        frame = photo.resize((w, h), Image.BILINEAR, box=box)
        save(frames_dir, i, np.asarray(frame))


def make_noise(frames_dir, rng):
    for i in range(60):
        save(frames_dir, i, rng.integers(0, 256, size=(120, 160, 3), dtype=np.uint8))


def make(kind, frames_dir):
    os.makedirs(frames_dir, exist_ok=True)
    rng = np.random.default_rng(KINDS.index(kind) + 1700)
    if kind == "cartoon":
        make_cartoon(frames_dir, rng)
    elif kind == "screen":
        make_screen(frames_dir, rng, False)
    elif kind == "screen-aa":
        make_screen(frames_dir, rng, True)
    elif kind == "photo":
        make_photo(frames_dir, rng)
    elif kind == "noise":
        make_noise(frames_dir, rng)
    else:
        sys.exit(f"unknown kind {kind}")


def count_frames(frames_dir):
    n = 0
    while os.path.exists(os.path.join(frames_dir, f"{n}.png")):
        n += 1
    return n


def check(gif_path, frames_dir, n):
    """(frames Pillow sees, exact frames, PSNR over all frames in dB, inf when exact)."""
    gif = Image.open(gif_path)
    seen = gif.n_frames
    exact, squared, samples = 0, 0.0, 0
    for i in range(min(n, seen)):
        gif.seek(i)
        got = np.asarray(gif.convert("RGB"), dtype=np.int32)
        want = np.asarray(Image.open(os.path.join(frames_dir, f"{i}.png")).convert("RGB"),
                          dtype=np.int32)
        if got.shape != want.shape:
            # A tool that changed the size is compared on the common part only.
            hh, ww = min(got.shape[0], want.shape[0]), min(got.shape[1], want.shape[1])
            got, want = got[:hh, :ww], want[:hh, :ww]
        diff = got - want
        sq = float((diff * diff).sum())
        exact += sq == 0
        squared += sq
        samples += diff.size
    mse = squared / max(samples, 1)
    psnr = math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)
    return seen, exact, psnr


def timed(argv, **kwargs):
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   **kwargs)
    return time.perf_counter() - start


def pillow_make(frames_dir, n, out):
    frames = [Image.open(os.path.join(frames_dir, f"{i}.png")).convert("RGB") for i in range(n)]
    frames[0].save(out, save_all=True, append_images=frames[1:], duration=DELAY_MS, loop=0)


def contenders(args, frames_dir, n, work):
    enc = os.path.join(args.build, "tests", "encoder", "encode-frames")
    base = os.path.join(args.baseline, "tests", "encoder", "encode-frames")
    worker = os.path.join(args.build, "src", "worker", "frameloom-gif-worker")
    base_worker = os.path.join(args.baseline, "src", "worker", "frameloom-gif-worker")
    out = lambda name: os.path.join(work, name + ".gif")  # noqa: E731
    files = [os.path.join(frames_dir, f"{i}.png") for i in range(n)]
    rate = str(1000 / DELAY_MS)
    yield ("Frameloom P=2 (this build)", out("frameloom"),
           lambda: timed([enc, frames_dir, str(n), out("frameloom"), "2", worker]))
    yield ("Frameloom P=2 (baseline: today's encoder)", out("baseline"),
           lambda: timed([base, frames_dir, str(n), out("baseline"), "2", base_worker]))
    yield ("gifsicle -O3 on the baseline's GIF", out("gifsicle"),
           lambda: timed(["gifsicle", "-O3", out("baseline"), "-o", out("gifsicle")]))
    yield ("ffmpeg palettegen + paletteuse (defaults)", out("ffmpeg"),
           lambda: timed(["ffmpeg", "-v", "error", "-y", "-framerate", rate, "-i",
                          os.path.join(frames_dir, "%d.png"), "-vf",
                          "split[a][b];[a]palettegen[p];[b][p]paletteuse", out("ffmpeg")]))
    yield ("ffmpeg palettegen=stats_mode=diff, paletteuse=dither=none:diff_mode=rectangle",
           out("ffmpeg-diff"),
           lambda: timed(["ffmpeg", "-v", "error", "-y", "-framerate", rate, "-i",
                          os.path.join(frames_dir, "%d.png"), "-vf",
                          "split[a][b];[a]palettegen=stats_mode=diff[p];"
                          "[b][p]paletteuse=dither=none:diff_mode=rectangle", out("ffmpeg-diff")]))
    yield ("ImageMagick -layers Optimize", out("magick"),
           lambda: timed(["convert", "-delay", str(DELAY_MS // 10), "-loop", "0", *files,
                          "-layers", "Optimize", out("magick")]))
    yield ("Pillow save_all", out("pillow"),
           lambda: timed([sys.executable, __file__, "pillow", frames_dir, str(n), out("pillow")]))


def run(args):
    kinds = args.kinds.split(",") if args.kinds else KINDS
    print(f"Machine: {os.cpu_count()} CPUs; load average {os.getloadavg()} at start.")
    for kind in kinds:
        frames_dir = os.path.join(args.work, kind)
        if count_frames(frames_dir) == 0:
            make(kind, frames_dir)
        n = count_frames(frames_dir)
        work = os.path.join(args.work, kind + "-out")
        os.makedirs(work, exist_ok=True)
        first = Image.open(os.path.join(frames_dir, "0.png"))
        print(f"\n#### {kind}: {first.width}x{first.height}, {n} frames\n")
        print("| contender | median s | bytes | frames | exact frames | PSNR dB |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, path, go in contenders(args, frames_dir, n, work):
            times = []
            try:
                for _ in range(args.reps):
                    times.append(go())
            except (subprocess.CalledProcessError, FileNotFoundError) as e:
                detail = getattr(e, "stderr", b"") or b""
                print(f"| {name} | failed: {detail.decode(errors='replace').strip()[:80]} "
                      "| | | | |")
                continue
            seen, exact, psnr = check(path, frames_dir, n)
            print(f"| {name} | {statistics.median(times):.3f} | {os.path.getsize(path):,} | "
                  f"{seen} | {exact} | {'exact' if psnr == math.inf else f'{psnr:.2f}'} |",
                  flush=True)
    print(f"\nLoad average {os.getloadavg()} at the end.")


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 2 and sys.argv[1] == "check":
        seen, exact, psnr = check(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        print(f"{seen} frames, {exact} exact, PSNR {psnr:.2f} dB")
    elif len(sys.argv) >= 2 and sys.argv[1] == "pillow":
        pillow_make(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        p = argparse.ArgumentParser()
        p.add_argument("cmd", choices=["run"])
        p.add_argument("--build", required=True)
        p.add_argument("--baseline", required=True)
        p.add_argument("--work", default="/tmp/fl-animations")
        p.add_argument("--kinds", default="")
        p.add_argument("--reps", type=int, default=3)
        args = p.parse_args()
        for tool in ("ffmpeg", "convert", "gifsicle"):
            if shutil.which(tool) is None:
                sys.exit(f"animations.py: {tool} is not installed")
        run(args)


if __name__ == "__main__":
    main()
