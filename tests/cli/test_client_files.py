#!/usr/bin/env python3
"""Hostile suite: files that are not what they seem.

- Only a regular file (or nothing) is ever replaced, at --output, at a frame and at
  --save-records: a FIFO, a symbolic link (to /proc/self/fd/1), a folder or a device
  there is one sentence and exit 1, the thing left as it was; a bad --output is
  found before any download. A replaced file keeps its mode and owner.
- SIGKILL leaves no temporary file (O_TMPFILE), and the temporaries older runs left
  are removed by the next run.
- A second client on a frames folder in use is refused, naming the folder and the
  process that holds it; the first run's GIF has only its own frames.
"""
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time

from fltest import hostile as h
from fltest import taplib

h.require("FRAMELOOM_CLIENT", "FRAMELOOM_GIF_WORKER")
work = h.temp_dir()


def counting_peer(delay=0.0):
    def handler(conn, n, peer):
        if delay:
            time.sleep(delay)
        conn.sendall(h.make_png(seed=n))
    return h.Peer(handler, backlog=512)


def run(args, peer, **kwargs):
    return h.client(["--port", str(peer.port), "--quiet"] + args, work, **kwargs)


def fresh(name):
    path = os.path.join(work, name)
    h.remove(path)
    os.makedirs(path)
    return path


def kind(path):
    mode = os.lstat(path).st_mode
    return ("fifo" if stat.S_ISFIFO(mode) else "link" if stat.S_ISLNK(mode)
            else "dir" if stat.S_ISDIR(mode) else "chr" if stat.S_ISCHR(mode)
            else "reg" if stat.S_ISREG(mode) else "other")


def special_files(folder):
    """(path, kind, the word the sentence uses) for each thing that is not a file."""
    fifo = os.path.join(folder, "fifo.gif")
    os.mkfifo(fifo)
    link = os.path.join(folder, "stdout.gif")
    os.symlink("/proc/self/fd/1", link)
    sub = os.path.join(folder, "folder.gif")
    os.mkdir(sub)
    found = [(fifo, "fifo", "a FIFO"), (link, "link", "a symbolic link"),
             (sub, "dir", "a folder")]
    if h.is_root():
        null = os.path.join(folder, "null.gif")
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        found.append((null, "chr", "a device"))
    return found


@taplib.test
def output_that_is_not_a_file_is_refused_before_the_download():
    folder = fresh("special-output")
    frames = os.path.join(folder, "frames")
    with counting_peer() as peer:
        for path, was, word in special_files(folder):
            r = run(["--frames", "20", "--frames-dir", frames, "--output", path], peer)
            expected = (f"frameloom-client: Could not write {path}: it is {word}, and only a "
                        f"regular file is ever replaced\n")
            assert r.returncode == 1 and r.stderr == expected, f"{path}: {h.describe(r)}"
            assert kind(path) == was, f"{path} is now {kind(path)}"
        assert peer.connections == 0, f"{peer.connections} frames downloaded first"
        # A folder that does not exist: found before the download too.
        bad = os.path.join(folder, "no-such-folder", "out.gif")
        r = run(["--frames", "20", "--frames-dir", frames, "--output", bad], peer)
        assert r.returncode == 1 and r.stderr == (
            f"frameloom-client: Could not write {bad}: its folder "
            f"{os.path.dirname(bad)} does not exist\n"), h.describe(r)
        assert peer.connections == 0, f"{peer.connections} frames downloaded first"


@taplib.test
def frame_that_is_not_a_file_is_refused_and_left_alone():
    folder = fresh("special-frame")
    fifo = os.path.join(folder, "3.png")
    os.mkfifo(fifo)
    os.symlink("/proc/self/fd/1", os.path.join(folder, "5.png"))
    with counting_peer() as peer:
        r = run(["--frames", "8", "--threads", "1", "--frames-dir", folder, "--download-only"],
                peer)
    assert r.returncode == 1, h.describe(r)
    assert re.fullmatch(rf"frameloom-client: Could not write {re.escape(folder)}/3\.png: it is "
                        r"a FIFO, and only a regular file is ever replaced\n", r.stderr), \
        h.describe(r)
    assert kind(fifo) == "fifo" and kind(os.path.join(folder, "5.png")) == "link"


@taplib.test
def save_records_that_is_not_a_file_is_refused():
    folder = fresh("special-records")
    fifo = os.path.join(folder, "runs.csv")
    os.mkfifo(fifo)
    with counting_peer() as peer:
        r = run(["--frames", "5", "--frames-dir", os.path.join(folder, "frames"),
                 "--download-only", "--save-records", fifo], peer, timeout=30)
    assert not r.timed_out and r.returncode == 1, h.describe(r)
    assert f"Could not write {fifo}: it is a FIFO" in r.stderr, h.describe(r)
    assert kind(fifo) == "fifo"


@taplib.test
def replaced_files_keep_their_mode_and_owner():
    folder = fresh("keep-mode")
    frames = os.path.join(folder, "frames")
    gif = os.path.join(folder, "out.gif")
    records = os.path.join(folder, "runs.csv")
    with counting_peer() as peer:
        r = run(["--frames", "4", "--frames-dir", frames, "--output", gif], peer)
        assert r.returncode == 0, h.describe(r)
        targets = [gif, records, os.path.join(frames, "2.png")]
        with open(records, "w") as f:
            f.write("old\n")
        owner = (1234, 2345) if h.is_root() else (os.getuid(), os.getgid())
        for path in targets:
            os.chmod(path, 0o600)
            if h.is_root():
                os.chown(path, *owner)
        r = run(["--frames", "4", "--frames-dir", frames, "--output", gif, "--save-records",
                 records], peer)
    assert r.returncode == 0, h.describe(r)
    for path in targets:
        st = os.lstat(path)
        assert stat.S_IMODE(st.st_mode) == 0o600, f"{path}: {oct(st.st_mode)}"
        assert (st.st_uid, st.st_gid) == owner, f"{path}: {st.st_uid}:{st.st_gid}"
    with open(records) as f:
        assert f.read() != "old\n", "the records were not written"


def dot_files(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


def kill_runs(peer, frames, gif, kills):
    for k in range(kills):
        proc = subprocess.Popen([h.CLIENT, "--port", str(peer.port), "--quiet",
                                 "--frames", "3000", "--threads", "64",
                                 "--frames-dir", frames, "--output", gif],
                                cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Killed while frames are being written (a sanitizer build starts slowly).
        end = time.monotonic() + 30
        while time.monotonic() < end and proc.poll() is None:
            if os.path.isdir(frames) and len(os.listdir(frames)) >= 50:
                break
            time.sleep(0.01)
        time.sleep(0.05 * k)
        proc.send_signal(signal.SIGKILL)
        proc.wait()


@taplib.test
def sigkill_leaves_no_temporary_file():
    folder = fresh("killed")
    frames = os.path.join(folder, "frames")
    gif = os.path.join(folder, "out.gif")
    with counting_peer() as peer:
        # New frames have no name until they are complete (O_TMPFILE): none left.
        kill_runs(peer, frames, gif, 1)
        assert dot_files(frames) + dot_files(folder) == [], dot_files(frames)
        # Replacing frames that are there: each thread keeps one spare file under a
        # hidden name, tagged with its process, to swap with the old frame (linkat
        # never replaces, and a new inode per frame costs twice the time). A kill
        # leaves the spares, at most one per thread, for the next run to remove: it
        # does so before its threads start, so one run's spares (64) at most are left.
        kill_runs(peer, frames, gif, 7)
        left = dot_files(frames) + dot_files(folder)
        print(f"# after 7 more kills: {len(os.listdir(frames))} frames, {len(left)} "
              f"temporaries {left[:3]}")
        assert len(left) <= 64 and all(re.fullmatch(r"\.[\w.]+\.png\.tmp-\d+-\d+", n)
                                           for n in left), left
        # Older runs (or a file system without O_TMPFILE) left named temporaries:
        # the next run removes them, and its own frames replace the old ones.
        for name in (".7.png.tmp-Ab3dEf", f".12.png.tmp-{2 ** 22 + 7}-3"):
            open(os.path.join(frames, name), "wb").close()
        for name in (".out.gif.tmp-x1Y2z3", f".out.gif.tmp-{2 ** 22 + 7}-1"):
            open(os.path.join(folder, name), "wb").close()
        live = os.path.join(folder, f".out.gif.tmp-{os.getpid()}-1")
        open(live, "wb").close()
        r = run(["--frames", "300", "--threads", "8", "--frames-dir", frames, "--output", gif],
                peer)
    assert r.returncode == 0, h.describe(r)
    assert dot_files(frames) == [], dot_files(frames)
    # One whose process is alive may still be written: it stays.
    assert dot_files(folder) == [os.path.basename(live)], dot_files(folder)


@taplib.test
def a_second_client_on_a_folder_in_use_is_refused():
    folder = fresh("two-clients")
    frames = os.path.join(folder, "frames")
    with counting_peer(delay=0.02) as peer:
        first = subprocess.Popen([h.CLIENT, "--port", str(peer.port), "--quiet", "--json",
                                  "--frames", "150", "--threads", "1", "--frames-dir", frames,
                                  "--output", os.path.join(folder, "first.gif")],
                                 cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        end = time.monotonic() + 20
        while time.monotonic() < end and not (os.path.isdir(frames) and os.listdir(frames)):
            time.sleep(0.02)
        second = run(["--frames", "150", "--frames-dir", frames,
                      "--output", os.path.join(folder, "second.gif")], peer)
        out, err = first.communicate(timeout=60)
    assert second.returncode == 1, h.describe(second)
    assert second.stderr == (f"frameloom-client: The frames folder {frames} is in use by process "
                             f"{first.pid} (frameloom-client): two runs in one folder would mix "
                             f"their frames\n"), h.describe(second)
    assert first.returncode == 0, err
    assert json.loads(out)["run"]["encode"]["frames"] == 150
    assert not os.path.exists(os.path.join(folder, "second.gif"))


try:
    failed = h.run_tests()
finally:
    h.remove(work)
sys.exit(1 if failed else 0)
