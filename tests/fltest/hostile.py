"""Helpers the hostile client and encoder tests share (standard library only).

Fake peers on 127.0.0.1:0, a client run that reports its own peak RSS and CPU
time (os.wait4 on that one child), a full PNG check that inflates the pixels,
tiny tmpfs mounts for ENOSPC, and a look at /proc for children and zombies.
"""
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

from fltest import pngcheck  # noqa: F401  (re-exported for the tests)
from fltest import taplib

CLIENT = os.environ.get("FRAMELOOM_CLIENT", "")
SERVER = os.environ.get("FRAMELOOM_SERVER", "")
CORPUS = os.environ.get("FRAMELOOM_CORPUS", "")
WORKER = os.environ.get("FRAMELOOM_GIF_WORKER", "")
WORKER_TEST = os.environ.get("FRAMELOOM_GIF_WORKER_TEST", "")

# meson ends a test that runs over its timeout with SIGTERM: unwind, so that the
# tests' finally blocks unmount their tmpfs and kill their peers.
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))


# A check that fails because of a known, reported bug, and the runner that
# reports it as TAP "not ok # TODO" (taplib's; the names are kept for the tests).
Todo = taplib.Todo
run_tests = taplib.run_tests
_mounts = []


def run_and_clean_up(work):
    """run_tests, then (pass, fail or interrupted) unmounts every tmpfs that
    root_tmpfs mounted and removes work; exits with the verdict."""
    try:
        failed = run_tests()
    finally:
        for path in _mounts:
            umount(path)
        remove(work)
    sys.exit(1 if failed else 0)


def require(*names):
    """Skips the whole script (TAP's empty plan), saying why, when a program is not
    configured."""
    for name in names:
        if not os.environ.get(name):
            print(f"1..0 # SKIP {name} is not set")
            sys.exit(0)


# PNG bytes --------------------------------------------------------------------

def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def make_png(width=10, height=10, seed=None, depth=8, colour=2, idat=None, extra=b"",
             raw=None):
    """A PNG with random pixels (RGB8 unless told), one IDAT. raw gives the samples
    instead (rows without filter bytes); idat replaces the zlib data altogether."""
    rng = random.Random(seed)
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    row = (width * channels * depth + 7) // 8
    if raw is not None:
        idat = zlib.compress(b"".join(b"\0" + raw[y * row:(y + 1) * row]
                                      for y in range(height)))
    if idat is None:
        raw = b"".join(b"\0" + rng.randbytes(row) for _ in range(height))
        idat = zlib.compress(raw)
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (pngcheck.SIGNATURE + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def invalid_corpus_pngs():
    """(name below the folder, bytes) of every file of the corpus's png-invalid
    folder, in name order; raises taplib.Skip when the corpus is absent."""
    root = os.path.join(CORPUS, "png-invalid")
    if not CORPUS or not os.path.isdir(root):
        raise taplib.Skip(f"the corpus is absent ({root})")
    found = []
    for path in sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs):
        with open(path, "rb") as f:
            found.append((os.path.relpath(path, root), f.read()))
    return found


def huge_claim_png(width=100000, height=100000):
    """Well formed chunk by chunk (CRCs right), but the header claims width x height."""
    return make_png(width, height, idat=zlib.compress(b"\0" * 64))


def full_png_problem(data):
    """None when data is one complete PNG whose pixels inflate to exactly the size its
    header promises (non-interlaced 8-bit frames, as frames are); else the reason."""
    try:
        width, height = pngcheck.png_size(data)
    except AssertionError as e:
        return str(e) or "structure"
    ihdr, idat = pngcheck.png_header_and_data(data)
    depth, colour, interlace = ihdr[8], ihdr[9], ihdr[12]
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour)
    if channels is None:
        return f"colour type {colour}"
    try:
        raw = zlib.decompress(idat)
    except zlib.error as e:
        return f"zlib: {e}"
    if interlace:
        return None  # frames are never interlaced; the structure was checked
    expected = height * (1 + (width * channels * depth + 7) // 8)
    if len(raw) != expected:
        return f"{len(raw)} pixel bytes instead of {expected}"
    return None


def folder_problems(folder):
    """Every entry of a frames folder that is not a complete, valid <i>.png: a list of
    (name, reason). Temporary files (dot names) count as problems."""
    problems = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.startswith(".") or not name.endswith(".png"):
            problems.append((name, "not a frame name (temporary file?)"))
            continue
        with open(path, "rb") as f:
            reason = full_png_problem(f.read())
        if reason:
            problems.append((name, reason))
    return problems


# Fake peers -------------------------------------------------------------------

class Peer:
    """A TCP peer on 127.0.0.1:0: handler(sock, n) serves connection n (0-based) on its
    own thread. Records the monotonic time of every accepted connection."""

    def __init__(self, handler, backlog=128):
        self.handler = handler
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        self.times = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = []
        self.accepter = threading.Thread(target=self._accept, daemon=True)
        self.accepter.start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                n = len(self.times)
                self.times.append(time.monotonic())
            thread = threading.Thread(target=self._serve, args=(conn, n), daemon=True)
            thread.start()
            with self.lock:
                self.threads.append(thread)

    def _serve(self, conn, n):
        try:
            self.handler(conn, n, self)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    @property
    def connections(self):
        with self.lock:
            return len(self.times)

    def close_listener(self):
        """From now on connections are refused (nothing listens on the port)."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def stop(self):
        self.stopping.set()
        self.close_listener()
        self.accepter.join(5)
        with self.lock:
            threads = list(self.threads)
        for thread in threads:
            thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def reset(conn):
    """Closes with an RST instead of a FIN (SO_LINGER 0)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def serve_png(conn, n, peer):
    conn.sendall(make_png(seed=n))


# Programs -----------------------------------------------------------------------

class Result:
    pass


def run(argv, cwd=None, env=None, timeout=60, preexec_fn=None, on_start=None):
    """Runs argv to the end; the result has returncode, stdout, stderr, elapsed (s),
    cpu (user+system s) and maxrss_kb of that one process, and timed_out."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err,
                                preexec_fn=preexec_fn)
        result = Result()
        result.timed_out = False

        def watchdog():
            result.timed_out = True
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, watchdog)
        timer.start()
        try:
            if on_start is not None:
                on_start(proc)
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        result.elapsed = time.monotonic() - start
        result.returncode = proc.returncode
        result.cpu = usage.ru_utime + usage.ru_stime
        result.maxrss_kb = usage.ru_maxrss
        out.seek(0)
        err.seek(0)
        result.stdout = out.read().decode("utf-8", "replace")
        result.stderr = err.read().decode("utf-8", "replace")
        return result


def client(args, cwd, **kwargs):
    return run([CLIENT] + args, cwd=cwd, **kwargs)


def describe(r):
    return (f"status {r.returncode}, {r.elapsed:.2f} s, cpu {r.cpu:.2f} s, "
            f"peak RSS {r.maxrss_kb} KiB, timed out {r.timed_out}\n"
            f"stdout: {r.stdout!r}\nstderr: {r.stderr!r}")


def server():
    """frameloom-server on 127.0.0.1:0; returns (process, port). Stop with stop_server."""
    proc = subprocess.Popen([SERVER, "--host", "127.0.0.1", "--port", "0", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    try:
        return proc, int(line.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        stop_server(proc)
        raise RuntimeError(f"the server did not start: {line!r}")


def stop_server(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.stdout.close()


def download(folder, n, cwd):
    """Fills folder with n frames from a real server (for the encoder tests)."""
    proc, port = server()
    try:
        r = client(["--port", str(port), "--frames", str(n), "--download-only",
                    "--frames-dir", folder], cwd)
    finally:
        stop_server(proc)
    assert r.returncode == 0, describe(r)


# The machine ----------------------------------------------------------------------

def temp_dir(prefix="fl-hostile-"):
    return tempfile.mkdtemp(prefix=prefix)


def remove(path):
    subprocess.run(["chmod", "-R", "u+rwX", path], stderr=subprocess.DEVNULL)
    shutil.rmtree(path, ignore_errors=True)


def mount_tmpfs(path, size="64k"):
    """Mounts a tmpfs of size at path; raises taplib.Skip with the reason if it cannot."""
    os.makedirs(path, exist_ok=True)
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                            path], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise taplib.Skip(f"cannot mount a tmpfs: {e}")
    if r.returncode != 0:
        raise taplib.Skip(f"cannot mount a tmpfs (not privileged?): {r.stderr.strip()}")


def root_tmpfs(path, size="64k"):
    """mount_tmpfs for root only (raises taplib.Skip otherwise); run_and_clean_up
    unmounts it."""
    if not is_root():
        raise taplib.Skip("not root: cannot mount a tmpfs")
    mount_tmpfs(path, size)
    _mounts.append(path)
    return path


def umount(path):
    subprocess.run(["umount", "-l", path], capture_output=True, timeout=20)


def fill(path):
    """Fills the file system holding path: returns the filler file's name."""
    filler = os.path.join(path, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while os.write(fd, b"\0" * 4096) > 0:
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def children(pid):
    """(pid, state) of every process whose parent is pid, zombies included."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append((int(entry), fields[0]))
    return found


def sanitizer(program):
    """'thread', 'address' or None: the sanitizer program was built with (its runtime
    shows in the binary's symbols). Memory bounds scale with it: TSan shadows every
    byte the program touches several times over."""
    try:
        with open(program, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if b"__tsan_init" in data:
        return "thread"
    if b"__asan_init" in data:
        return "address"
    return None


def is_root():
    return os.geteuid() == 0
