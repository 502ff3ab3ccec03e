#!/usr/bin/env python3
"""Hostile suite, from the command line: a GIF worker killed mid-run (by its
test hook, and by SIGKILL from outside), a worker that hangs until Ctrl-C, and a
worker whose allocations fail (started through a wrapper that applies
prlimit --as to the real worker; a 2048x2048 frame then cannot be decoded).

Each time: exit status 1 (130 for Ctrl-C), one sentence naming the worker and a
frame range that holds the frame where it failed, nothing new at the output path
(an older GIF there stays byte for byte), no temporary file, and no worker process
left behind (neither running nor a zombie)."""
import contextlib
import os
import re
import signal
import subprocess
import time

from fltest import hostile as h
from fltest import taplib

h.require("FRAMELOOM_CLIENT", "FRAMELOOM_GIF_WORKER", "FRAMELOOM_GIF_WORKER_TEST")
work = h.temp_dir()
N = 40
PROCESSES = min(2, os.cpu_count() or 1)
FAILED = (r"GIF worker (\d+) \(frames? (\d+)(?:-(\d+))?\) ")


def make_frames(folder, n, big=None):
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        with open(os.path.join(folder, f"{i}.png"), "wb") as f:
            f.write(h.make_png(2048, 2048, seed=i) if i == big else h.make_png(seed=i))


FRAMES = os.path.join(work, "frames")
make_frames(FRAMES, N)


def args(output, n=N, folder=FRAMES):
    return ["--encode-only", "--frames", str(n), "--processes", str(PROCESSES),
            "--frames-dir", folder, "--output", output]


def env(**extra):
    e = dict(os.environ, FRAMELOOM_GIF_WORKER=h.WORKER_TEST)
    for key in ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT", "FRAMELOOM_GIF_WORKER_TEST_HANG_AT"):
        e.pop(key, None)
    e.update(extra)
    return e


def leftovers(output):
    folder, base = os.path.split(output)
    return [n for n in os.listdir(folder) if n.startswith("." + base)]


def assert_named(stderr, frame, why):
    """The last line is the sentence; it names a worker whose range holds frame."""
    line = stderr.splitlines()[-1] if stderr else ""
    m = re.fullmatch(rf"frameloom-client: {FAILED}{why}", line)
    assert m, f"expected a worker named for {why!r}: {stderr!r}"
    first = int(m.group(2))
    last = int(m.group(3)) if m.group(3) else first
    assert first <= frame <= last, f"frame {frame} is not in {first}-{last}: {line}"


def worker_pids(client_pid):
    return [pid for pid, _ in h.children(client_pid)]


def syscall(pid):
    try:
        with open(f"/proc/{pid}/syscall") as f:
            return f.read().split()[0]
    except (OSError, IndexError):
        return None


def gone(pids):
    """Pids no longer in /proc at all (so neither running nor zombies)."""
    return [p for p in pids if not os.path.exists(f"/proc/{p}")]


@taplib.test
def worker_killed_by_its_hook_is_named():
    output = os.path.join(work, "killed.gif")
    with open(output, "wb") as f:
        f.write(b"GIF89a an older file that must survive")
    r = h.client(args(output), work, env=env(FRAMELOOM_GIF_WORKER_TEST_KILL_AT="25"))
    assert r.returncode == 1, h.describe(r)
    assert_named(r.stderr, 25, "was killed by signal 9")
    assert len(r.stderr.splitlines()) == 1, h.describe(r)
    with open(output, "rb") as f:
        assert f.read() == b"GIF89a an older file that must survive", "the old GIF changed"
    assert leftovers(output) == [], leftovers(output)


def start_hung(output, hang_at):
    proc = subprocess.Popen([h.CLIENT] + args(output), cwd=work,
                            env=env(FRAMELOOM_GIF_WORKER_TEST_HANG_AT=str(hang_at)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait until the workers run and the hung one has stopped making progress.
    deadline = time.monotonic() + 20
    pids = []
    while time.monotonic() < deadline and proc.poll() is None:
        pids = worker_pids(proc.pid)
        if len(pids) >= 1:
            break
        time.sleep(0.02)
    time.sleep(0.5)
    return proc, worker_pids(proc.pid) or pids


@contextlib.contextmanager
def hung_client(output, hang_at):
    """start_hung for a with block: a client still running at its end is killed."""
    proc, pids = start_hung(output, hang_at)
    try:
        yield proc, pids
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@taplib.test
def worker_killed_from_outside_is_named_and_reaped():
    output = os.path.join(work, "outside.gif")
    with hung_client(output, 30) as (proc, pids):
        assert pids, "no worker process seen"
        # Kill the hung worker (in pause(), syscall 34 on x86-64) if it can be told
        # apart; otherwise every worker, and the first one in frame order is named.
        hung = [p for p in pids if syscall(p) == "34"] or pids
        for pid in hung:
            os.kill(pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1, (proc.returncode, err)
    assert_named(err, 30, "was killed by signal 9")
    assert gone(pids) == pids, f"still in /proc: {set(pids) - set(gone(pids))}"
    assert not os.path.exists(output) and leftovers(output) == [], leftovers(output)


@taplib.test
def ctrl_c_with_a_hung_worker_leaves_nothing():
    output = os.path.join(work, "hung.gif")
    with hung_client(output, 12) as (proc, pids):
        assert pids, "no worker process seen"
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        elapsed = time.monotonic() - start
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.startswith("frameloom-client: Interrupted") and out == "", err
    assert elapsed < 5, f"{elapsed:.1f} s to stop"
    time.sleep(0.2)
    assert gone(pids) == pids, f"workers left behind: {set(pids) - set(gone(pids))}"
    assert not os.path.exists(output) and leftovers(output) == [], leftovers(output)


@taplib.test
def worker_out_of_memory_is_named():
    folder = os.path.join(work, "big")
    make_frames(folder, 12, big=7)
    wrapper = os.path.join(work, "limited-worker")
    limit = 100 * 1024 * 1024
    with open(wrapper, "w") as f:
        # Under ASan the worker cannot start at all (see below): its complaint goes
        # to stderr, where the skip reads it, not into CI's sanitizer report folder.
        f.write('#!/bin/sh\nASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=stderr" '
                f'exec prlimit --as={limit} -- "{h.WORKER}" "$@"\n')
    os.chmod(wrapper, 0o755)
    e = dict(os.environ, FRAMELOOM_GIF_WORKER=wrapper)
    # The limit leaves room for small frames; a sanitizer build reserves terabytes of
    # address space at start and cannot run under any --as at all.
    r = h.client(args(os.path.join(work, "small.gif"), 6, folder), work, env=e)
    if r.returncode != 0:
        why = " / ".join(line.strip() for line in r.stderr.splitlines() if line.strip())
        raise taplib.Skip(f"the worker cannot start under prlimit --as ({why[:200]})")
    output = os.path.join(work, "oom.gif")
    r = h.client(args(output, 12, folder), work, env=e)
    assert r.returncode == 1, h.describe(r)
    # One sentence: GLib's own abort message stays off the terminal.
    assert len(r.stderr.splitlines()) == 1, h.describe(r)
    assert_named(r.stderr, 7, r"ran out of memory \(failed to allocate \d+ bytes\)")
    assert not os.path.exists(output) and leftovers(output) == [], leftovers(output)


h.run_and_clean_up(work)
