"""What the hostile server suites share: starting frameloom-server, measuring it
from /proc, and the clients (fl-hostile-load, argv[1] of every script).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

# The suites import these from here, with the rest of what they share.
from fltest.procstat import cpu_seconds, wait_until_quiet  # noqa: F401  (re-exported for the tests)

SERVER = os.environ["FRAMELOOM_SERVER"]
LOAD = sys.argv[1]
GRACE = 2.0  # the documented shutdown grace (README, frameloom-server(1))
_started = []


def sanitized():
    """ASan/TSan builds are slower and keep freed memory in quarantine."""
    with open(SERVER, "rb") as binary:
        data = binary.read()
    return b"__asan_init" in data or b"__tsan_init" in data


SANITIZED = sanitized()
SLOW = 3 if SANITIZED else 1
# RSS growth allowed after warm-up. Under ASan its allocator keeps per-thread
# caches and (even at 4 MiB) a quarantine; LeakSanitizer judges leaks there.
RSS_SLACK_KIB = 16384 if SANITIZED else 4096


def note(text):
    print(f"# {text}", flush=True)


def soak_scale():
    try:
        scale = float(os.environ.get("FRAMELOOM_SOAK_SCALE", "1"))
    except ValueError:
        scale = 1.0
    return min(max(scale, 0.001), 1.0) if scale > 0 else 1.0


def kill_leftovers():
    while _started:
        proc, cleanup = _started.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if cleanup:
            cleanup()


def start(*args, prefix=(), env=None, preexec_fn=None, cleanup=None, quiet=True):
    """Starts the server on a free loopback port; stderr goes to a file we read later."""
    err = tempfile.TemporaryFile(mode="w+")
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    proc = subprocess.Popen([*prefix, SERVER, "--host", "127.0.0.1", "--port", "0",
                             *(["--quiet"] if quiet else []), *args],
                            stdout=subprocess.PIPE, stderr=err, text=True, env=full_env,
                            preexec_fn=preexec_fn)
    proc.err_file = err
    _started.append((proc, cleanup))
    line = proc.stdout.readline()
    match = re.fullmatch(r"Listening on 127\.0\.0\.1:(\d+)\n", line)
    if not match:
        err.seek(0)
        raise AssertionError(f"unexpected first line {line!r}, stderr {err.read()!r}")
    return proc, int(match.group(1))


def stderr_of(proc):
    proc.err_file.seek(0)
    return proc.err_file.read()


def stop(proc, timeout=30):
    """SIGINT; returns (status, stdout, stderr, seconds to exit)."""
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out, stderr_of(proc), time.monotonic() - began


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {name} in /proc/{pid}/status")


def rss_kib(pid):
    return status_field(pid, "VmRSS")


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def threads(pid):
    return status_field(pid, "Threads")


def load(port, mode, *args, timeout=600):
    out = subprocess.run([LOAD, str(port), mode, *map(str, args)], capture_output=True,
                         text=True, timeout=timeout)
    assert out.returncode == 0, (mode, out.returncode, out.stderr)
    return {key: float(value) if "." in value else int(value)
            for key, value in re.findall(r"(\w+)=([\d.]+)", out.stdout)}


def settle(pid, measure, expected, seconds=5):
    """Waits (bounded) for a gauge to come back to expected; returns its last value."""
    deadline = time.monotonic() + seconds
    value = measure(pid)
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.05)
        value = measure(pid)
    return value


def assert_clean_exit(code, out, err, images=None):
    assert code == 0, (code, err[-2000:])
    assert "Sanitizer" not in err and "runtime error" not in err, err[-2000:]
    match = re.search(r"Stopped: (\d+) images sent, (\d+) failed connections\n\Z", out)
    assert match, out[-500:]
    if images is not None:
        assert int(match.group(1)) >= images, (match.group(1), images)
    return int(match.group(1)), int(match.group(2))


def slow_clients(port, count, rcvbuf=4096):
    """Clients with a tiny receive window: a big image keeps their handler in send()."""
    socks = []
    for _ in range(count):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.connect(("127.0.0.1", port))
        socks.append(sock)
    return socks


def server_env():
    """Less ASan quarantine, so freed memory does not read as growth."""
    if not SANITIZED:
        return None
    options = os.environ.get("ASAN_OPTIONS", "")
    return {"ASAN_OPTIONS": (options + ":" if options else "") + "quarantine_size_mb=4"}
