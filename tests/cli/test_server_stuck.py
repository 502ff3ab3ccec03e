"""Hostile suite: the server under a stuck peer or a stuck pipe.

A stdout that is closed (`| head -2`) or that nobody drains, descriptors 0-2
closed at start, a stderr that is full, peers that never read replies larger
than any socket buffer, and a stop while huge images are being encoded. Every
program, not only the server, must survive a closed pipe and closed standard
descriptors. argv[1] is fl-hostile-load.
"""
import os
import select
import signal
import socket
import struct
import subprocess
import tempfile
import time
import zlib

from fltest.taplib import Skip, run, test
from fltest.hostile_server import (
    GRACE, SANITIZED, SERVER, SLOW, fds, kill_leftovers, load, note, rss_kib, slow_clients,
    start, stderr_of, stop, wait_until_quiet, _started)

CLIENT = os.environ.get("FRAMELOOM_CLIENT", "")
WORKER = os.environ.get("FRAMELOOM_GIF_WORKER", "")
APP = os.environ.get("FRAMELOOM_APP", "")
OUTPUT_GRACE = 1.0  # what the server gives its stdout after the stop (README)
SIGPIPE_BIT = 1 << (signal.SIGPIPE - 1)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port, seconds=10 * SLOW):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port} after {seconds} s")


def close_standard_descriptors():
    for fd in (0, 1, 2):
        os.close(fd)


def closed_pipe():
    """The write end of a pipe whose reader is gone, as after `| head`."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    return write_end


def full_pipe():
    """(read end, write end) of a pipe already full, that nobody will read."""
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        while True:
            os.write(write_end, b"x" * 4096)
    except BlockingIOError:
        pass
    os.set_blocking(write_end, True)
    return read_end, write_end


def sig_ignored(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("SigIgn:"):
                return int(line.split()[1], 16)
    raise AssertionError("no SigIgn")


def standard_targets(pid):
    return [os.readlink(f"/proc/{pid}/fd/{fd}") if os.path.exists(f"/proc/{pid}/fd/{fd}")
            else None for fd in (0, 1, 2)]


def read_line_within(pipe, seconds):
    ready, _, _ = select.select([pipe], [], [], seconds)
    assert ready, f"no line within {seconds} s"
    return pipe.readline()


def tiny_png():
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x10\x20\x30")) + chunk(b"IEND", b""))


def wait_exit(proc, seconds):
    try:
        proc.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


@test
def server_survives_a_closed_stdout_pipe():
    # `frameloom-server | head -2`: head reads two lines and leaves.
    proc, port = start(quiet=False)
    assert load(port, "sequential", 1)["served"] == 1
    assert read_line_within(proc.stdout, 5).startswith("Sent an image to (127.0.0.1, ")
    proc.stdout.close()
    result = load(port, "sequential", 300)
    assert proc.poll() is None, f"the server died with status {proc.returncode}"
    assert result["served"] == 300, result
    proc.send_signal(signal.SIGTERM)
    assert wait_exit(proc, GRACE + OUTPUT_GRACE + 3 * SLOW), "SIGTERM did not stop it"
    err = stderr_of(proc)
    note(f"300 images after stdout closed; exit {proc.returncode}; stderr {err.strip()!r}")
    assert proc.returncode == 0, (proc.returncode, err)
    assert "(the output is closed)" in err, err


@test
def server_with_descriptors_0_to_2_closed():
    # `frameloom-server <&- >&- 2>&-`: its sockets must not take 0, 1 or 2.
    port = free_port()
    proc = subprocess.Popen([SERVER, "--host", "127.0.0.1", "--port", str(port)],
                            preexec_fn=close_standard_descriptors)
    _started.append((proc, None))
    wait_listening(port)
    targets = standard_targets(proc.pid)
    result = load(port, "sequential", 200)
    alive = proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    stopped = wait_exit(proc, GRACE + OUTPUT_GRACE + 3 * SLOW)
    note(f"descriptors 0-2: {targets}; served {result['served']}/200; exit {proc.returncode}")
    assert alive and result["served"] == 200, (alive, result)
    assert targets == ["/dev/null"] * 3, targets
    assert stopped and proc.returncode == 0, proc.returncode


def run_with_closed_stdout(argv, **kwargs):
    write_end = closed_pipe()
    try:
        return subprocess.run(argv, stdout=write_end, stderr=subprocess.DEVNULL, timeout=60,
                              **kwargs).returncode
    finally:
        os.close(write_end)


@test
def every_program_survives_a_closed_stdout():
    statuses = {"frameloom-server --help": run_with_closed_stdout([SERVER, "--help"])}
    if CLIENT:
        statuses["frameloom-client --help"] = run_with_closed_stdout([CLIENT, "--help"])
    if APP:
        env = dict(os.environ, DISPLAY="", WAYLAND_DISPLAY="")
        statuses["frameloom --help"] = run_with_closed_stdout([APP, "--help"], env=env)
    if WORKER:
        with tempfile.TemporaryDirectory() as frames:
            with open(os.path.join(frames, "0.png"), "wb") as frame:
                frame.write(tiny_png())
            # FRAMES_DIR DELAY_CS FIRST N_FRAMES, then one range on stdin.
            statuses["frameloom-gif-worker (records to stdout)"] = run_with_closed_stdout(
                [WORKER, frames, "50", "0", "1"], input=b"0 1\n")
    note(f"exit statuses with stdout a closed pipe: {statuses}")
    killed = {name: code for name, code in statuses.items() if code == -signal.SIGPIPE}
    assert not killed, f"killed by SIGPIPE: {sorted(killed)}"


def black_hole():
    """A listening socket that never accepts: a client connects and waits."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def inspect_running(argv, settle=0.5, **kwargs):
    """Starts argv with descriptors 0-2 closed; returns (targets, SIGPIPE ignored)."""
    proc = subprocess.Popen(argv, preexec_fn=close_standard_descriptors, **kwargs)
    _started.append((proc, None))
    try:
        time.sleep(settle)
        assert proc.poll() is None, f"{argv[0]} exited with {proc.returncode}"
        return standard_targets(proc.pid), bool(sig_ignored(proc.pid) & SIGPIPE_BIT)
    finally:
        proc.kill()
        proc.wait()


@test
def every_program_opens_descriptors_0_to_2_and_ignores_sigpipe():
    seen = {}  # program: (what 0, 1 and 2 point to, SIGPIPE ignored)
    port = free_port()
    seen["frameloom-server"] = inspect_running([SERVER, "--host", "127.0.0.1", "--port",
                                                str(port)])
    if CLIENT:
        with black_hole() as hole, tempfile.TemporaryDirectory() as work:
            seen["frameloom-client"] = inspect_running(
                [CLIENT, "--port", str(hole.getsockname()[1]), "--frames", "1", "--quiet",
                 "--frames-dir", os.path.join(work, "frames"),
                 "--output", os.path.join(work, "out.gif")])
    if WORKER:
        # It waits for ranges on stdin: give it an open one.
        read_end, write_end = os.pipe()
        with tempfile.TemporaryDirectory() as frames:
            with open(os.path.join(frames, "0.png"), "wb") as frame:
                frame.write(tiny_png())
            proc = subprocess.Popen([WORKER, frames, "50", "0", "1"], stdin=read_end,
                                    preexec_fn=lambda: (os.close(1), os.close(2)))
            _started.append((proc, None))
            os.close(read_end)
            time.sleep(0.5)
            seen["frameloom-gif-worker"] = (standard_targets(proc.pid)[1:],
                                            bool(sig_ignored(proc.pid) & SIGPIPE_BIT))
            os.close(write_end)
            proc.wait(timeout=10)
    if APP and os.environ.get("DISPLAY"):
        # Without a session bus GTK warns; here that is not the point.
        env = {key: value for key, value in os.environ.items() if key != "G_DEBUG"}
        seen["frameloom"] = inspect_running([APP], settle=2.0 * SLOW, env=env)
    note(f"descriptors and SIGPIPE ignored, started with 0-2 closed: {seen}")
    for name, (targets, ignored) in seen.items():
        assert all(target == "/dev/null" for target in targets), (name, targets)
        assert ignored, f"{name} does not ignore SIGPIPE"
    if APP and not os.environ.get("DISPLAY"):
        raise Skip("no DISPLAY: the app was not started (its closed stdout was checked)")


def start_stuck_stdout(*args):
    """The server printing its lab lines to a pipe read up to the first line only."""
    return start(*args, quiet=False)


@test
def stop_completes_with_a_stdout_nobody_reads():
    proc, port = start_stuck_stdout()
    result = load(port, "sequential", 20000)
    assert result["served"] == 20000, result
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    stopped = wait_exit(proc, GRACE + OUTPUT_GRACE + 4 * SLOW)
    took = time.monotonic() - began
    err = stderr_of(proc)
    note(f"20000 lines into a pipe nobody reads: served all in {result['seconds']:.1f} s; "
         f"SIGTERM -> exit {proc.returncode} after {took:.2f} s; stderr {err.strip()[-200:]!r}")
    assert stopped, f"SIGTERM did not stop it within {took:.1f} s"
    assert proc.returncode == 0, (proc.returncode, err)
    assert "(the output is too slow)" in err, err


@test
def a_second_signal_always_ends_it():
    proc, port = start_stuck_stdout()
    assert load(port, "sequential", 20000)["served"] == 20000
    proc.send_signal(signal.SIGTERM)
    # The stop itself is over at once; the last lines wait on the stuck pipe.
    time.sleep(0.3)
    assert proc.poll() is None, "nothing left to wait for: the test proves nothing"
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    stopped = wait_exit(proc, 1.0 * SLOW)
    took = time.monotonic() - began
    note(f"second SIGTERM while the last lines wait: exit {proc.returncode} after {took:.2f} s")
    assert stopped, "the second SIGTERM was ignored"
    assert proc.returncode == 130, proc.returncode


@test
def a_full_stderr_does_not_stop_service():
    # Log lines (here the back-off of descriptors exhausted) onto a stderr pipe
    # that is full and never read.
    read_end, write_end = full_pipe()
    limit = 16
    proc = subprocess.Popen(["prlimit", f"--nofile={limit}:{limit}", "--", SERVER, "--host",
                             "127.0.0.1", "--port", "0", "--quiet", "--size", "1100x1100"],
                            stdout=subprocess.PIPE, stderr=write_end, text=True)
    _started.append((proc, lambda: (os.close(read_end), os.close(write_end))))
    line = read_line_within(proc.stdout, 10 * SLOW)
    port = int(line.rsplit(":", 1)[1])
    stalled = slow_clients(port, 40)
    deadline = time.monotonic() + 10 * SLOW
    while fds(proc.pid) < limit and time.monotonic() < deadline:
        time.sleep(0.05)
    exhausted = fds(proc.pid) == limit
    time.sleep(1.5)  # a back-off line or two, into the full pipe
    for sock in stalled:
        sock.close()
    result = load(port, "concurrent", 10, 1, 30, "1100x1100")
    proc.send_signal(signal.SIGTERM)
    stopped = wait_exit(proc, GRACE + OUTPUT_GRACE + 3 * SLOW)
    note(f"descriptors exhausted: {exhausted}; afterwards {result['served']}/10 served; "
         f"exit {proc.returncode}")
    assert exhausted, "descriptors never ran out: no log line was due"
    assert result["served"] == 10, result
    assert stopped and proc.returncode == 0, proc.returncode


def peak_rss_while(pid, seconds, limit_kib):
    """Samples VmRSS for `seconds`; stops early once it passes limit_kib."""
    peak = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and peak <= limit_kib:
        peak = max(peak, rss_kib(pid))
        time.sleep(0.02)
    return peak


@test
def memory_is_bounded_with_stalled_readers_of_huge_images():
    # 16384x4096 RGB is 192 MiB a reply; 20 peers that never read. The server
    # is killed as soon as it passes the bound, so a server that holds whole
    # images fails fast instead of taking gigabytes.
    limit_kib = (96 if SANITIZED else 48) * 1024
    proc, port = start("--size", "16384x4096")
    base_rss, base_fds = rss_kib(proc.pid), fds(proc.pid)
    stalled = slow_clients(port, 20)
    peak = peak_rss_while(proc.pid, 3.0 * SLOW, limit_kib)
    if peak <= limit_kib:
        wait_until_quiet(proc.pid, 10 * SLOW)
        peak = max(peak, peak_rss_while(proc.pid, 1.0, limit_kib))
    in_flight = fds(proc.pid) - base_fds
    for sock in stalled:
        sock.close()
    note(f"20 stalled readers of 16384x4096: {in_flight} in flight, RSS {base_rss} KiB idle, "
         f"peak {peak} KiB (bound {limit_kib} KiB)")
    assert peak <= limit_kib, f"RSS reached {peak} KiB with 20 stalled readers"
    assert in_flight == 20, in_flight
    code, _, err, _ = stop(proc)
    assert code == 0, (code, err)


@test
def stalled_readers_beyond_the_cap_do_not_deny_service():
    if not CLIENT:
        raise Skip("frameloom-client is not built")
    # 64 peers that never read 4.3 MB replies, 16 threads: a normal client
    # still gets its frames at once, and the stalled replies end by their
    # deadline (10 s + 1 us per byte).
    proc, port = start("--size", "1200x1200", "--max-connections", "16")
    base_fds = fds(proc.pid)
    stalled = slow_clients(port, 64)
    time.sleep(0.5)
    with tempfile.TemporaryDirectory() as work:
        began = time.monotonic()
        client = subprocess.run([CLIENT, "--port", str(port), "--frames", "20", "--threads", "4",
                                 "--download-only", "--quiet",
                                 "--frames-dir", os.path.join(work, "frames")],
                                capture_output=True, text=True, timeout=300)
        took = time.monotonic() - began
    held = fds(proc.pid) - base_fds
    deadline = time.monotonic() + 10 + 1200 * 1200 * 3 / 1e6 + 10 * SLOW
    while fds(proc.pid) > base_fds and time.monotonic() < deadline:
        time.sleep(0.2)
    left = fds(proc.pid) - base_fds
    for sock in stalled:
        sock.close()
    code, out, err, _ = stop(proc)
    note(f"64 stalled readers, 16 threads: a client got 20 frames in {took:.1f} s (exit "
         f"{client.returncode}) while {held} stalled were held; {left} still held after "
         f"their deadline; {out.strip().splitlines()[-1]!r}")
    assert client.returncode == 0, client.stderr
    assert took < 10 * SLOW, f"the normal client took {took:.1f} s"
    assert left == 0, f"{left} stalled connections outlived their deadline"
    assert code == 0, (code, err)


@test
def stop_honours_its_grace_with_huge_images():
    # Six readers of 16384x4096 that never read: their replies are being
    # encoded, or wait on the peer, when SIGTERM comes.
    proc, port = start("--size", "16384x4096")
    stalled = slow_clients(port, 6)
    time.sleep(0.3)
    code, out, err, took = stop(proc, timeout=120)
    for sock in stalled:
        sock.close()
    note(f"SIGINT with 6 replies of 16384x4096 under way: exit {code} after {took:.2f} s "
         f"(grace {GRACE} s)")
    assert code == 0, (code, err)
    assert took < GRACE + 1.5 * SLOW, f"the stop took {took:.2f} s"


run(after_each=kill_leftovers)
