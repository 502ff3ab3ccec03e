"""Hostile suite, the server's faults (vanishing peers, descriptors and threads
running out, a stop under load, a soak), against the frameloom-server program.

The heavy client work is done by fl-hostile-load (C, argv[1]); this script starts
the server, measures it from /proc (VmRSS, descriptors, threads, CPU time) and
judges. Figures go to TAP comments so a run documents itself.
"""
import os
import shutil
import signal
import socket
import tempfile
import threading
import time

from fltest.taplib import Skip, run, test
from fltest.hostile_server import (
    GRACE, RSS_SLACK_KIB, SANITIZED, SLOW, assert_clean_exit, cpu_seconds, fds, kill_leftovers,
    load, note, rss_kib, settle, slow_clients, soak_scale, start, stderr_of, stop, threads,
    wait_until_quiet, server_env)

@test
def item1_vanishing_resetting_and_junk_peers():
    proc, port = start(env=server_env())
    pid = proc.pid
    # Warm-up: every handler thread, malloc arena and socket path once.
    assert load(port, "sequential", 2000)["served"] == 2000
    load(port, "vanish", 500)
    load(port, "reset", 500)
    load(port, "junk", 10, 1 << 20)
    assert load(port, "concurrent", 300)["served"] == 300
    time.sleep(0.3)
    rss0, fds0 = rss_kib(pid), fds(pid)
    samples = []
    for _ in range(5):
        load(port, "vanish", 1000)
        load(port, "reset", 1000)
        junk = load(port, "junk", 20, 1 << 20)
        assert proc.poll() is None, "the server died (SIGPIPE?)"
        samples.append(rss_kib(pid))
        assert settle(pid, fds, fds0) == fds0, "descriptors leaked"
    after = load(port, "sequential", 2000)
    assert (after["served"], after["invalid"], after["failed"]) == (2000, 0, 0), after
    growth = max(samples) - rss0
    note(f"RSS {rss0} KiB after warm-up, then {samples} KiB over 5 rounds of "
         f"1000 vanish + 1000 reset + 20 x 1 MiB junk; growth {growth} KiB; fds {fds0} flat; "
         f"junk clients that still got a PNG in the last round: {junk['served']}/20")
    assert growth < RSS_SLACK_KIB, f"RSS grew by {growth} KiB"
    sent, failed = assert_clean_exit(*stop(proc)[:3])
    note(f"Stopped line: {sent} sent, {failed} failed")
    assert failed > 0, "reset peers must show as failed connections"


@test
def item2_descriptors_exhausted():
    if shutil.which("prlimit") is None:
        raise Skip("prlimit is not installed")
    limit = 16
    # 1100x1100 (3.6 MB) with a 4 KiB receive window never fits the socket
    # buffers: each handler holds its descriptor until the 10 s send timeout.
    proc, port = start("--size", "1100x1100", prefix=("prlimit", f"--nofile={limit}:{limit}",
                                                      "--"))
    pid = proc.pid
    stalled = slow_clients(port, 40)
    deadline = time.monotonic() + 10 * SLOW
    while fds(pid) < limit and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fds(pid) == limit, f"descriptors never ran out: {fds(pid)} of {limit}"
    began = time.monotonic()
    # The last accepted ones still encode their image.
    wait_until_quiet(pid, 4 * SLOW)
    before = cpu_seconds(pid)
    time.sleep(2.0)
    used = cpu_seconds(pid) - before
    exhausted = fds(pid) == limit
    held = time.monotonic() - began
    for sock in stalled:
        sock.close()
    note(f"{limit} of {limit} descriptors in use; server CPU {used:.2f} s over 2 s while "
         f"exhausted")
    note(f"still exhausted at the end of the window: {exhausted}")
    assert used < 0.4, f"the accept loop spins: {used:.2f} s of CPU in 2 s"
    # Full service once the clients leave: more at once than the descriptors
    # allow, and some in a row, all whole (fewer of these big images when slow).
    at_once, in_row = (16, 4) if SANITIZED else (30, 10)
    took = time.monotonic()
    burst = load(port, "concurrent", at_once, 1, 60, "1100x1100")
    row = load(port, "sequential", in_row, "1100x1100")
    took = time.monotonic() - took
    note(f"after the clients left: {burst['served']}/{at_once} concurrent (retries "
         f"{burst['retries']}) and {row['served']}/{in_row} sequential in {took:.1f} s")
    assert burst["served"] == at_once and row["served"] == in_row, (burst, row)
    code, out, err, _ = stop(proc)
    assert_clean_exit(code, out, err)
    logs = err.count("Could not accept a connection: too many open files; pausing for 100 ms")
    exhausted_for = time.monotonic() - began
    note(f"{logs} back-off log lines over {held:.1f} s exhausted "
         f"({exhausted_for:.1f} s until stop)")
    assert logs >= 1, err
    assert logs <= exhausted_for + 2, f"{logs} lines in {exhausted_for:.1f} s: not rate-limited"
    assert f"The open-file limit is {limit} and cannot be raised" in err, err


def sample_threads(pid, stop_event, peak):
    while not stop_event.is_set():
        try:
            peak[0] = max(peak[0], threads(pid))
        except (OSError, AssertionError):
            return
        time.sleep(0.001)


# Big enough that 1000 clients keep every thread busy, so the pool grows to its cap.
BURST_SIZE = "100x100"


def bursts_within_cap(proc, port, cap, rounds=3):
    """Bursts of 1000 retrying clients while sampling Threads; returns (result, peak)."""
    peak = [threads(proc.pid)]
    done = threading.Event()
    sampler = threading.Thread(target=sample_threads, args=(proc.pid, done, peak))
    sampler.start()
    try:
        result = load(port, "concurrent", 1000, rounds, 60, BURST_SIZE)
    finally:
        done.set()
        sampler.join()
    note(f"{rounds} bursts of 1000: served {result['served']}, failed {result['failed']}, "
         f"retries {result['retries']}, {result['seconds']:.1f} s; peak Threads {peak[0]} "
         f"(cap {cap})")
    assert proc.poll() is None, "the server died"
    assert result["served"] == 1000 * rounds and result["failed"] == 0, result
    assert result["invalid"] == 0, result
    assert peak[0] <= cap, f"{peak[0]} threads, above the cap {cap}"
    return result, peak[0]


def start_for_bursts(*args, **kwargs):
    return start("--size", BURST_SIZE, *args, **kwargs)


def non_handler_threads(pid):
    """Threads that are not handlers (main, a sanitizer's): the server starts 2 handlers."""
    return threads(pid) - 2


@test
def item3_max_connections_caps_threads():
    cap = 8
    proc, port = start_for_bursts("--max-connections", str(cap))
    others = non_handler_threads(proc.pid)
    _, peak = bursts_within_cap(proc, port, cap + others)
    assert peak > 2 + others, "the pool never grew: the bursts did not load the server"
    assert_clean_exit(*stop(proc)[:3], images=3000)


def pids_cgroup():
    root = "/sys/fs/cgroup/pids"
    if not os.path.isdir(root) or not os.access(root, os.W_OK):
        return None
    try:
        return tempfile.mkdtemp(prefix="frameloom-hostile-", dir=root)
    except OSError:
        return None


def remove_cgroup(path):
    # The kernel removes its files with the folder; rmdir fails while tasks remain.
    for _ in range(100):
        try:
            os.rmdir(path)
            return
        except OSError:
            time.sleep(0.05)


@test
def item3_thread_creation_fails_under_a_pids_cgroup():
    group = pids_cgroup()
    if group is None:
        raise Skip("no writable pids cgroup (v1) at /sys/fs/cgroup/pids")
    cap = 6  # tasks: main (+ a sanitizer's thread) + 2 handlers at start, room for few more

    def enter():
        with open(os.path.join(group, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))

    with open(os.path.join(group, "pids.max"), "w") as limit:
        limit.write(str(cap))
    proc, port = start_for_bursts(preexec_fn=enter, cleanup=lambda: remove_cgroup(group))
    bursts_within_cap(proc, port, cap)
    with open(os.path.join(group, "pids.events")) as events:
        refused = int(events.read().split()[1])
    if SANITIZED:
        # LeakSanitizer needs a thread of its own at exit to check for leaks.
        with open(os.path.join(group, "pids.max"), "w") as limit:
            limit.write("max")
    code, out, err, took = stop(proc)
    assert_clean_exit(code, out, err, images=3000)
    note(f"pids.events max={refused}; stopped in {took:.1f} s")
    assert refused > 0, "the cgroup never refused a thread: the test proved nothing"
    assert "Could not start a connection thread: resource temporarily unavailable" in err, err
    assert err.count("Could not start a connection thread") <= 5 * SLOW + 10, err


@test
def item3_thread_creation_fails_under_rlimit_nproc():
    if os.geteuid() != 0 or shutil.which("setpriv") is None or shutil.which("prlimit") is None:
        raise Skip("needs root, setpriv and prlimit to run the server as an unused uid")
    if SANITIZED:
        raise Skip("RLIMIT_NPROC also stops the sanitizer's own threads; the cgroup test covers it")
    uid = 40000 + os.getpid() % 20000  # an unused uid: RLIMIT_NPROC counts per user
    cap = 5
    proc, port = start_for_bursts(prefix=("setpriv", f"--reuid={uid}", f"--regid={uid}",
                                          "--clear-groups", "prlimit", f"--nproc={cap}:{cap}",
                                          "--"))
    bursts_within_cap(proc, port, cap)
    code, out, err, _ = stop(proc)
    assert_clean_exit(code, out, err, images=3000)
    assert "Could not start a connection thread: resource temporarily unavailable" in err, err


@test
def item4_sigint_with_hundreds_of_slow_clients():
    # 300 readers of 4.3 MB images through 4 KiB windows, all reading a trickle:
    # each keeps a handler 50 ms at most (plus what the kernel's buffer takes),
    # then a wait loop holds it, so more are in flight than the 16 threads.
    proc, port = start("--size", "1200x1200", "--max-connections", "16")
    pid = proc.pid
    base_fds = fds(pid)
    non_handler_threads_at_start = non_handler_threads(pid)
    clients = slow_clients(port, 300)
    done = threading.Event()

    def trickle():
        while not done.is_set():
            for sock in clients:
                try:
                    sock.recv(512, socket.MSG_DONTWAIT)
                except OSError:
                    pass
            time.sleep(0.1)

    reader = threading.Thread(target=trickle)
    reader.start()
    try:
        deadline = time.monotonic() + 20 * SLOW
        while fds(pid) < base_fds + 32 and time.monotonic() < deadline:
            time.sleep(0.05)
        in_flight = fds(pid) - base_fds
        assert in_flight >= 32, f"{in_flight} connections in flight, expected more than 16"
        assert threads(pid) <= 16 + non_handler_threads_at_start, threads(pid)
        began = time.monotonic()
        proc.send_signal(signal.SIGINT)
        refused_after = None
        while time.monotonic() - began < 5:
            probe = socket.socket()
            probe.settimeout(1)
            code = probe.connect_ex(("127.0.0.1", port))
            probe.close()
            if code != 0:
                refused_after = time.monotonic() - began
                alive = proc.poll() is None
                break
            time.sleep(0.01)
        out, _ = proc.communicate(timeout=GRACE + 10 * SLOW)
        took = time.monotonic() - began
    finally:
        done.set()
        reader.join()
        for sock in clients:
            sock.close()
    err = stderr_of(proc)
    note(f"300 slow clients, {in_flight} in flight: refused {refused_after:.3f} s after SIGINT "
         f"(server still draining: {alive}); exit {proc.returncode} after {took:.2f} s")
    assert refused_after is not None and refused_after < 1.0, refused_after
    assert alive, "the server had already exited: the refusal proves nothing"
    assert took < GRACE + 3 * SLOW, f"exit took {took:.2f} s, the grace is {GRACE} s"
    sent, failed = assert_clean_exit(proc.returncode, out, err)
    assert failed >= in_flight, (sent, failed)


@test
def item5_soak():
    scale = soak_scale()
    chunk = max(1, int(10000 * scale))
    rounds = max(2, int(10 * scale))
    proc, port = start(env=server_env())
    pid = proc.pid
    began = time.monotonic()
    warm = load(port, "sequential", chunk, "10x10", 10000)
    warm_conc = load(port, "concurrent", 1000)
    assert warm["duplicates"] == 0, warm
    time.sleep(0.2)
    rss0, fds0 = rss_kib(pid), fds(pid)
    totals = {"served": warm["served"] + warm_conc["served"], "invalid": 0, "failed": 0}
    rss, fd_counts = [], []
    seq_time, conc_time = warm["seconds"], 0.0
    for _ in range(9):
        result = load(port, "sequential", chunk)
        seq_time += result["seconds"]
        for key in ("served", "invalid", "failed"):
            totals[key] += result[key]
        rss.append(rss_kib(pid))
        fd_counts.append(settle(pid, fds, fds0))
    for _ in range(rounds):
        result = load(port, "concurrent", 1000)
        conc_time += result["seconds"]
        for key in ("served", "invalid", "failed"):
            totals[key] += result[key]
        rss.append(rss_kib(pid))
        fd_counts.append(settle(pid, fds, fds0))
    took = time.monotonic() - began
    expected = 10 * chunk + 1000 + rounds * 1000
    note(f"soak: {10 * chunk} sequential ({seq_time:.1f} s) + {rounds} x 1000 concurrent "
         f"({conc_time:.1f} s) + 1000 warm-up, {took:.1f} s in all; all {totals['served']} "
         f"replies valid, none equal among the first {min(chunk, 10000)}")
    note(f"RSS {rss0} KiB after warm-up, then min {min(rss)} max {max(rss)} KiB; "
         f"fds {fds0} then {sorted(set(fd_counts))}")
    assert totals == {"served": expected, "invalid": 0, "failed": 0}, totals
    assert set(fd_counts) == {fds0}, fd_counts
    assert max(rss) - rss0 < RSS_SLACK_KIB, f"RSS grew from {rss0} to {max(rss)} KiB"
    assert_clean_exit(*stop(proc)[:3], images=expected)


run(after_each=kill_leftovers)
