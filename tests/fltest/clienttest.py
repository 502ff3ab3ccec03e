"""Helpers shared by the frameloom-client test scripts (no third-party modules)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.environ.get("FRAMELOOM_CLIENT", "")
SERVER = os.environ.get("FRAMELOOM_SERVER", "")
PYTHON_PIL = os.environ.get("PYTHON_PIL", "")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SECONDS_LINE = r"\d+\.\d+"


def skip(reason):
    """Skips the whole script the TAP way (a plan of no tests)."""
    print(f"1..0 # SKIP {reason}")
    sys.exit(0)


def stop_process(proc, sig=signal.SIGINT):
    """Stops proc with sig as a user would; kills it if it is still there after 10 s."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Process:
    """A server started on port 0; the port is read from its "Listening on" line."""

    def __init__(self, argv, cwd=None):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, cwd=cwd)
        line = self.proc.stdout.readline()
        match = re.search(r"Listening on .*:(\d+)\s*$", line)
        if not match:
            self.stop()
            raise RuntimeError(f"{argv[0]} did not start: {line!r} {self.proc.stderr.read()}")
        self.port = int(match.group(1))

    def stop(self):
        stop_process(self.proc)
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def frameloom_server():
    return Process([SERVER, "--host", "127.0.0.1", "--port", "0", "--quiet"])


def lab_server():
    return Process([PYTHON_PIL, os.path.join(HERE, "lab_server.py"), "0", "127.0.0.1"])


def run_client(args, cwd, timeout=120, **kwargs):
    start = time.monotonic()
    result = subprocess.run([CLIENT] + args, cwd=cwd, capture_output=True, text=True,
                            timeout=timeout, **kwargs)
    result.elapsed = time.monotonic() - start
    return result


def free_port():
    """A port that was free a moment ago (nothing listens on it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def temp_dir():
    return tempfile.mkdtemp(prefix="fl-client-test-")


def remove(path):
    shutil.rmtree(path, ignore_errors=True)


def assert_frames(frames_dir, n, check_png=None):
    """Every frame 0..n-1 is there and is a complete PNG (check_png, if given, accepts
    its bytes); nothing else is. Raises AssertionError naming what is wrong."""
    names = sorted(os.listdir(frames_dir))
    expected = sorted(f"{i}.png" for i in range(n))
    assert names == expected, (f"not exactly {n} frames named 0..{n - 1}.png: {len(names)} "
                               f"entries, extra: {sorted(set(names) - set(expected))[:5]}")
    bad = []
    for i in range(n):
        try:
            with open(os.path.join(frames_dir, f"{i}.png"), "rb") as f:
                data = f.read()
        except OSError:
            data = b""
        if not data.startswith(PNG_SIGNATURE) or not data.endswith(b"IEND\xaeB`\x82"):
            bad.append(i)
        elif check_png is not None and not check_png(data):
            bad.append(i)
    assert not bad, f"not all {n} frames are complete PNGs; bad frames: {bad[:10]}"
