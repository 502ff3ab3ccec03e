#!/usr/bin/env python3
"""Hostile suite: local faults during a download. Descriptors run out
(RLIMIT_NOFILE lowered on the running client with prlimit), the frames folder is
read-only, the frames folder is a tiny tmpfs that fills up (ENOSPC). Each is reported
once, in one sentence naming the path; the frames already written stay whole; no
temporary file is left; waiting for descriptors is not a busy loop."""
import hashlib
import os
import re
import subprocess
import time

from fltest import hostile as h
from fltest.procstat import cpu_seconds
from fltest import taplib

h.require("FRAMELOOM_CLIENT")
work = h.temp_dir()


def slow_png(delay):
    def handler(conn, n, peer):
        time.sleep(delay)
        conn.sendall(h.make_png(seed=n))
    return handler


def get_nofile(pid):
    """The soft RLIMIT_NOFILE of pid."""
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise RuntimeError("no open-files line in /proc/PID/limits")


def set_nofile(pid, limit):
    """Sets the soft limit only: raising a hard limit needs CAP_SYS_RESOURCE."""
    subprocess.run(["prlimit", f"--pid={pid}", f"--nofile={limit}:"], check=True)


def wait_for_frames(folder, count, proc, deadline=20):
    end = time.monotonic() + deadline
    while time.monotonic() < end and proc.poll() is None:
        try:
            if len([n for n in os.listdir(folder) if n.endswith(".png")]) >= count:
                return True
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    return False


def digests(folder):
    out = {}
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as f:
            out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


@taplib.test
def descriptor_shortage_waits_quietly_then_resumes():
    if subprocess.run(["which", "prlimit"], capture_output=True).returncode != 0:
        raise taplib.Skip("prlimit is not installed")
    folder = os.path.join(work, "nofile")
    seen = {}

    def squeeze(proc):
        assert wait_for_frames(folder, 10, proc), "the download did not start"
        normal = get_nofile(proc.pid)
        set_nofile(proc.pid, 3)         # stdin, stdout, stderr: nothing new opens
        time.sleep(0.3)
        before = cpu_seconds(proc.pid)
        time.sleep(2.0)
        seen["cpu"] = cpu_seconds(proc.pid) - before
        seen["during"] = len(os.listdir(folder))
        set_nofile(proc.pid, normal)

    with h.Peer(slow_png(0.02)) as peer:
        r = h.client(["--port", str(peer.port), "--frames", "200", "--threads", "4",
                      "--download-only", "--frames-dir", folder], work, timeout=60,
                     on_start=squeeze)
    assert r.returncode == 0, h.describe(r)
    assert sorted(os.listdir(folder)) == sorted(f"{i}.png" for i in range(200))
    assert h.folder_problems(folder) == [], h.folder_problems(folder)
    print(f"# shortage: {seen['cpu']:.3f} s CPU in 2 s, {seen['during']} entries meanwhile")
    assert seen["cpu"] < 0.5, f"{seen['cpu']:.2f} s of CPU in 2 s of shortage: a busy loop"
    assert seen["during"] < 200, "the shortage did not stop the download"


@taplib.test
def descriptor_shortage_that_lasts_fails_once_with_the_path():
    if subprocess.run(["which", "prlimit"], capture_output=True).returncode != 0:
        raise taplib.Skip("prlimit is not installed")
    folder = os.path.join(work, "nofile-for-good")
    kept = {}

    def squeeze(proc):
        assert wait_for_frames(folder, 10, proc), "the download did not start"
        set_nofile(proc.pid, 3)
        time.sleep(0.5)
        kept.update(digests(folder))

    # LeakSanitizer needs descriptors of its own at exit; it cannot have them here.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    with h.Peer(slow_png(0.02)) as peer:
        r = h.client(["--port", str(peer.port), "--frames", "200", "--threads", "4",
                      "--download-only", "--frames-dir", folder], work, timeout=120,
                     on_start=squeeze, env=env)
    assert r.returncode == 1, h.describe(r)
    # One sentence, naming the frame file or the address, and why.
    assert re.fullmatch(r"frameloom-client: Could not (create \S+/\d+\.png|connect to "
                        r"127\.0\.0\.1:\d+): too many open files\n", r.stderr), h.describe(r)
    after = digests(folder)
    assert all(after.get(name) == digest for name, digest in kept.items()), \
        "a frame written before the shortage changed"
    assert h.folder_problems(folder) == [], h.folder_problems(folder)
    # Bounded waiting (100 waits of about 0.3-0.5 s), and asleep meanwhile.
    assert r.elapsed < 90 and r.cpu < 2.0, h.describe(r)
    print(f"# lasting shortage: failed after {r.elapsed:.1f} s, {r.cpu:.2f} s CPU: "
          f"{r.stderr.strip()}")


@taplib.test
def read_only_folder_is_reported_once():
    folder = os.path.join(work, "ro")
    if h.is_root():
        folder = h.root_tmpfs(folder, "1m")
    else:
        os.makedirs(folder)
    with h.Peer(h.serve_png) as peer:
        r = h.client(["--port", str(peer.port), "--frames", "5", "--download-only",
                      "--frames-dir", folder], work)
        assert r.returncode == 0, h.describe(r)
        kept = digests(folder)
        if h.is_root():
            subprocess.run(["mount", "-o", "remount,ro", folder], check=True)
        else:
            os.chmod(folder, 0o555)
        r = h.client(["--port", str(peer.port), "--frames", "50", "--download-only",
                      "--frames-dir", folder], work)
    why = "read-only file system" if h.is_root() else "permission denied"
    assert r.returncode == 1, h.describe(r)
    assert re.fullmatch(rf"frameloom-client: Could not create {re.escape(folder)}/\d+\.png: "
                        rf"{why}\n", r.stderr), h.describe(r)
    assert digests(folder) == kept, "the frames already there changed"


@taplib.test
def full_disk_is_reported_once_and_frames_stay_whole():
    folder = h.root_tmpfs(os.path.join(work, "full"), "64k")
    with h.Peer(h.serve_png) as peer:
        r = h.client(["--port", str(peer.port), "--frames", "200", "--threads", "4",
                      "--download-only", "--frames-dir", folder], work)
    assert r.returncode == 1, h.describe(r)
    assert re.fullmatch(rf"frameloom-client: Could not (write|create) {re.escape(folder)}/"
                        r"\d+\.png: no space left on device\n", r.stderr), h.describe(r)
    names = os.listdir(folder)
    assert 1 <= len(names) < 200, names
    assert h.folder_problems(folder) == [], h.folder_problems(folder)
    print(f"# a 64 KiB tmpfs held {len(names)} whole frames, no partial one")


h.run_and_clean_up(work)
