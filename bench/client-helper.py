#!/usr/bin/env python3
"""Helper of bench/run-client.sh: runs one stage of the lab's Python clients
(bench/lab/lab_client.py and lab_client_optimized.py, their own functions,
unchanged) and times it inside the process like the lab does (time.time()
around the stage, interpreter start-up and imports excluded), or checks a GIF.

  client-helper.py download seq|opt HOST PORT N DIR    the download stage alone
  client-helper.py gif seq|opt N DIR OUT.gif           the GIF stage alone
  client-helper.py check GIF DIR N                     frame count, losslessness

Every command prints one JSON object. "opt" uses the optimised client's
defaults: 8 download threads, a Pool of os.cpu_count() processes.
check: "n_frames" is Pillow's n_frames (Pillow's writer merges identical
consecutive frames, the frames here all differ), "exact" how many of the first
min(n_frames, N) frames decode to exactly the PNG's pixels (alpha < 128 taken
as transparent, its colour ignored), "max_error" the largest channel difference
seen and "mean_error" the mean absolute channel difference over all frames.
Needs Pillow: run it with /usr/bin/python3.
"""
import json
import os
import sys
import time

from PIL import Image, ImageChops

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lab"))
import lab_client  # noqa: E402
import lab_client_optimized  # noqa: E402


def normalised(image):
    """RGBA with every pixel of alpha < 128 as (0, 0, 0, 0), else alpha 255."""
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    if alpha.getextrema()[0] >= 128:
        return rgba.convert("RGB")
    mask = alpha.point(lambda a: 255 if a >= 128 else 0)
    out = Image.new("RGBA", rgba.size, (0, 0, 0, 0))
    out.paste(rgba.convert("RGB"), (0, 0), mask)
    out.putalpha(mask)
    return out


def check(gif_path, frames_dir, n):
    gif = Image.open(gif_path)
    n_frames = gif.n_frames
    exact = 0
    max_error = 0
    error_sum = 0
    channels = 0
    for i in range(min(n, n_frames)):
        gif.seek(i)
        want = normalised(Image.open(os.path.join(frames_dir, f"{i}.png")))
        got = normalised(gif)
        if got.mode != want.mode:
            got, want = got.convert("RGBA"), want.convert("RGBA")
        if got.size != want.size:
            continue
        if got.tobytes() == want.tobytes():
            exact += 1
            channels += len(want.getbands()) * want.size[0] * want.size[1]
            continue
        diff = ImageChops.difference(got, want)
        max_error = max(max_error, max(high for _, high in diff.getextrema()))
        histogram = diff.histogram()
        for band in range(len(diff.getbands())):
            error_sum += sum(value * count
                             for value, count in enumerate(histogram[band * 256:(band + 1) * 256]))
        channels += len(diff.getbands()) * diff.size[0] * diff.size[1]
    return {"n_frames": n_frames, "expected": n, "exact": exact, "max_error": max_error,
            "mean_error": round(error_sum / channels, 4) if channels else None,
            "bytes": os.path.getsize(gif_path)}


def main():
    args = sys.argv[1:]
    if len(args) == 6 and args[0] == "download" and args[1] in ("seq", "opt"):
        host, port, n, frames_dir = args[2], int(args[3]), int(args[4]), args[5]
        start = time.time()
        if args[1] == "seq":
            lab_client.download(host, port, n, frames_dir)
        else:
            lab_client_optimized.download(host, port, n, frames_dir, 8)
        print(json.dumps({"seconds": time.time() - start}))
    elif len(args) == 5 and args[0] == "gif" and args[1] in ("seq", "opt"):
        n, frames_dir, output = int(args[2]), args[3], args[4]
        start = time.time()
        if args[1] == "seq":
            lab_client.make_gif(n, frames_dir, output)
        else:
            lab_client_optimized.make_gif(n, frames_dir, output, os.cpu_count())
        print(json.dumps({"seconds": time.time() - start}))
    elif len(args) == 4 and args[0] == "check":
        print(json.dumps(check(args[1], args[2], int(args[3]))))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
