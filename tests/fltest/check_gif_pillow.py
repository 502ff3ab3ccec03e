#!/usr/bin/env python3
"""check_gif_pillow.py GIF FRAMES_DIR N: Pillow reads the GIF as the lab would.

Prints "ok N frames, duration D, loop L" when Pillow sees N frames, every one
equal to FRAMES_DIR/<i>.png at the top left of the screen, transparent beyond
it (alpha < 128 compared as transparent), else exits 1.
"""
import sys

from PIL import Image


def rgba_key(pixel):
    r, g, b, a = pixel
    return (0, 0, 0, 0) if a < 128 else (r, g, b, 255)


def main():
    gif_path, frames_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gif = Image.open(gif_path)
    if gif.n_frames != n:
        sys.exit(f"n_frames is {gif.n_frames}, expected {n}")
    for i in range(n):
        gif.seek(i)
        got = gif.convert("RGBA")
        frame = Image.open(f"{frames_dir}/{i}.png").convert("RGBA")
        want = Image.new("RGBA", got.size, (0, 0, 0, 0))
        want.paste(frame, (0, 0))
        if frame.width > got.width or frame.height > got.height:
            sys.exit(f"frame {i}: size {frame.size} beyond the screen {got.size}")
        if [rgba_key(p) for p in got.getdata()] != [rgba_key(p) for p in want.getdata()]:
            sys.exit(f"frame {i}: pixels differ")
        if gif.info.get("duration") != 500:
            sys.exit(f"frame {i}: duration {gif.info.get('duration')}")
    print(f"ok {n} frames, duration {gif.info.get('duration')}, loop {gif.info.get('loop')}")


if __name__ == "__main__":
    main()
