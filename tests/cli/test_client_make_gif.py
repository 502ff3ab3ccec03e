#!/usr/bin/env python3
"""frameloom-client make-gif: frames named as files, globs or folders, in
natural order; --fps, --scale, -o -; and the mistakes a user can make. The
frames each have their own colour, so the order a decoder (Pillow, when
$PYTHON_PIL has it) shows them in says which file became which frame."""
import os
import struct
import subprocess
import zlib

from fltest import clienttest as ct
from fltest.taplib import run, test

if not ct.CLIENT:
    ct.skip("FRAMELOOM_CLIENT is not set")

work = ct.temp_dir()


def png(width, height, rgb):
    return png_of(width, height, [rgb] * (width * height))


def png_of(width, height, pixels):
    """An RGB PNG of pixels ([(r, g, b)], row by row)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\0" + b"".join(bytes(p) for p in pixels[y * width:(y + 1) * width])
                    for y in range(height))
    return (ct.PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def colour(i):
    return (i * 20 % 256, 255 - i * 7 % 256, i * 53 % 256)


def write(path, i, width=6, height=4):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(png(width, height, colour(i)))


# The inputs, written once. shot-1 .. shot-12: a glob must give them as 1, 2, .. 12,
# not 1, 10, 11, 12, 2.
shots = os.path.join(work, "shots")
for i in range(1, 13):
    write(os.path.join(shots, f"shot-{i}.png"), i)
# A numbered folder, as the download writes it.
numbered = os.path.join(work, "numbered")
for i in range(5):
    write(os.path.join(numbered, f"{i}.png"), 40 + i)

PILLOW_CHECK = r"""
import sys
from PIL import Image
gif = Image.open(sys.argv[1])
out = []
for i in range(gif.n_frames):
    gif.seek(i)
    frame = gif.convert("RGB")
    out.append("%d,%d,%d %dx%d %s" % (*frame.getpixel((0, 0)), *frame.size,
                                       gif.info.get("duration")))
print("\n".join(out))
"""


def frames(gif):
    """[(colour, size, duration)] as Pillow sees them, or None without Pillow."""
    if not ct.PYTHON_PIL:
        return None
    r = subprocess.run([ct.PYTHON_PIL, "-c", PILLOW_CHECK, gif], capture_output=True, text=True)
    if r.returncode != 0:
        return [("error", r.stderr)]
    result = []
    for line in r.stdout.strip().split("\n"):
        rgb, size, duration = line.split(" ")
        result.append((tuple(int(v) for v in rgb.split(",")), size, int(duration)))
    return result


def expect(gif, indices, size="6x4", duration=500):
    got = frames(gif)
    if got is None:
        return True
    return got == [(colour(i), size, duration) for i in indices] or got


@test
def a_glob_the_shell_did_not_expand_comes_in_natural_order_at_the_fps_asked():
    out = os.path.join(work, "glob.gif")
    r = ct.run_client(["make-gif", os.path.join(shots, "shot-*.png"), "-o", out, "--fps", "4"],
                      work)
    assert r.returncode == 0 and r.stdout.startswith("GIF creation time: "), r.stdout + r.stderr
    # 4 fps is 250 ms.
    got = expect(out, range(1, 13), duration=250)
    assert got is True, got


@test
def files_keep_the_order_given():
    # The shell's own expansion is the user's order.
    out = os.path.join(work, "files.gif")
    names = [os.path.join(shots, f"shot-{i}.png") for i in (3, 1, 2)]
    r = ct.run_client(["make-gif", *names, "-o", out, "--delay-ms", "120"], work)
    got = expect(out, (3, 1, 2), duration=120)
    assert r.returncode == 0 and got is True, (r.stderr, got)


@test
def folders_give_0_png_onwards_in_order_and_other_names_in_natural_order():
    out = os.path.join(work, "folders.gif")
    r = ct.run_client(["make-gif", numbered, shots, "-o", out], work)
    got = expect(out, [40, 41, 42, 43, 44] + list(range(1, 13)))
    assert r.returncode == 0 and got is True, (r.stderr, got)


@test
def scale_3_makes_6x4_frames_18x12():
    out = os.path.join(work, "scaled.gif")
    r = ct.run_client(["make-gif", numbered, "-o", out, "--scale", "3"], work)
    got = expect(out, range(40, 45), size="18x12")
    assert r.returncode == 0 and got is True, (r.stderr, got)


@test
def output_dash_writes_the_same_gif_and_only_it_to_stdout():
    file_out = os.path.join(work, "same.gif")
    r = ct.run_client(["make-gif", numbered, "-o", file_out, "-q"], work)
    p = subprocess.run([ct.CLIENT, "make-gif", numbered, "-o", "-", "-q"], cwd=work,
                       capture_output=True, timeout=60)
    with open(file_out, "rb") as f:
        same = f.read()
    assert p.returncode == 0 and p.stdout == same and p.stdout.startswith(b"GIF89a"), \
        (p.returncode, p.stderr, len(p.stdout), len(same))
    leftovers = [n for n in os.listdir(os.environ.get("TMPDIR", "/tmp"))
                 if n.startswith("frameloom-") and n.endswith(".gif")]
    assert leftovers == [], f"temporary files left: {leftovers}"


@test
def mistakes_exit_2_or_1_with_a_sentence_and_no_gif():
    # Usage (2) or bad input (1).
    wrong = []
    for args, status, needle in [
        (["make-gif"], 2, "Name the images"),
        (["make-gif", numbered, "--fps", "4", "--delay-ms", "10"], 2, "--fps and --delay-ms"),
        (["make-gif", numbered, "--fps", "0"], 2, "Frames per second \"0\" is not valid"),
        (["make-gif", numbered, "--scale", "0"], 2, "Scale \"0\" is not valid"),
        (["make-gif", numbered, "-o", "-", "--json"], 2, "drop --json"),
        (["make-gif", os.path.join(shots, "nope-*.png")], 1, "No file matches"),
        (["make-gif", os.path.join(work, "missing.png")], 1, "Could not read"),
        (["make-gif", os.path.join(work, "missing")], 1, "Could not read"),
    ]:
        r = ct.run_client(args + ["-o", os.path.join(work, "bad.gif")] if "-o" not in args
                          else args, work)
        lines = r.stderr.splitlines()
        if not (r.returncode == status and lines and lines[0].startswith("frameloom-client")
                and needle in lines[0] and not os.path.exists(os.path.join(work, "bad.gif"))):
            wrong.append(f"{' '.join(os.path.basename(a) for a in args)} (expected {status}): "
                         f"{(r.returncode, r.stderr)}")
    assert not wrong, "\n".join(wrong)


@test
def a_frame_that_is_not_a_png_is_named_and_no_gif_is_left():
    bad = os.path.join(work, "bad-frames")
    os.makedirs(bad)
    write(os.path.join(bad, "a1.png"), 1)
    with open(os.path.join(bad, "a2.png"), "wb") as f:
        f.write(b"not a png at all")
    r = ct.run_client(["make-gif", bad, "-o", os.path.join(work, "bad.gif")], work)
    assert (r.returncode == 1 and "a2.png is not a valid PNG" in r.stderr
            and not os.path.exists(os.path.join(work, "bad.gif"))), r.stderr


# --exact-first: a first frame of 320 colours, then a flat one. Without the
# option the first is quantised (2 frames); with it, blocks of at most 256
# colours (here 2: 12 rows of 20, then 4), the last of which shows it exactly.
rich = os.path.join(work, "rich")
os.makedirs(rich)
pixels = [(x * 12, y * 15, (x * y) % 256) for y in range(16) for x in range(20)]
with open(os.path.join(rich, "0.png"), "wb") as f:
    f.write(png_of(20, 16, pixels))
write(os.path.join(rich, "1.png"), 7, 20, 16)
EXACT_CHECK = r"""
import sys
from PIL import Image
gif = Image.open(sys.argv[1])
gif.seek(gif.n_frames - 2)
first = list(gif.convert("RGB").getdata())
print(gif.n_frames, first == [tuple(p) for p in eval(sys.argv[2])])
"""


def make_rich_gif(option, want):
    """make-gif of the rich frames with option; True when the GIF is as want says
    (None: the first frame quantised in one block)."""
    out = os.path.join(work, "rich.gif")
    r = ct.run_client(["make-gif", rich, "-o", out, "-q"] + option, work)
    ok = r.returncode == 0
    if ok and ct.PYTHON_PIL:
        p = subprocess.run([ct.PYTHON_PIL, "-c", EXACT_CHECK, out, repr(pixels)],
                           capture_output=True, text=True)
        got = p.stdout.strip()
        ok = got == want if want else got.startswith("2 ")
    return ok, r.stderr


@test
def without_exact_first_the_first_frame_is_quantised_in_one_block():
    ok, stderr = make_rich_gif([], None)
    assert ok, (stderr, ok)


@test
def exact_first_shows_the_first_frame_exactly_in_2_blocks():
    ok, stderr = make_rich_gif(["--exact-first"], "3 True")
    assert ok, (stderr, ok)


try:
    run()
finally:
    ct.remove(work)
