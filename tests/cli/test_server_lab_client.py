"""The lab's own client, as the lab writes it (lab_client.py), against
frameloom-server.

The lab client connects, calls recv(1024) until EOF, writes frames/<i>.png,
then opens every frame with Pillow (convert("RGBA")) and saves an animated GIF.
"""
import os
import re
import signal
import subprocess
import tempfile

from fltest.taplib import Skip, run, test
# The lab's client itself, which the checker also grades (test_check_client.py).
from fltest.lab_client import lab_download

try:
    from PIL import Image
except ImportError:
    Image = None

SERVER = os.environ["FRAMELOOM_SERVER"]
FRAMES = 500


@test
def lab_client_downloads_500_frames_that_pillow_opens():
    if Image is None:
        raise Skip("Pillow is not installed (Debian: python3-pil)")
    proc = subprocess.Popen([SERVER, "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.fullmatch(r"Listening on 127\.0\.0\.1:(\d+)\n", proc.stdout.readline()).group(1))
        with tempfile.TemporaryDirectory() as tmp:
            frames_dir = os.path.join(tmp, "frames")
            os.mkdir(frames_dir)
            lab_download(port, frames_dir, FRAMES)
            images = []
            for i in range(FRAMES):
                image = Image.open(os.path.join(frames_dir, f"{i}.png"))
                assert image.format == "PNG" and image.size == (10, 10) and image.mode == "RGB"
                images.append(image.convert("RGBA"))
            assert len({image.tobytes() for image in images}) == FRAMES
            gif = os.path.join(tmp, "lab.gif")
            images[0].save(gif, save_all=True, append_images=images[1:], duration=500, loop=0)
            assert Image.open(gif).n_frames > 1
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert out.count("Sent an image to (127.0.0.1, ") == FRAMES


run()
