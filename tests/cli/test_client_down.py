#!/usr/bin/env python3
"""Hostile suite: the server is down, refuses, dies mid-run, or is a black hole
that drops SYNs. frameloom-client must retry a bounded number of times with growing
back-off, then fail with one sentence within its configured time (3 s connect
timeout, 5 attempts), without a busy loop, naming the failing frame once one is
known, and keeping every frame already written."""
import json
import os
import re
import shutil
import socket
import sys
import threading
import time

from fltest import hostile as h
from fltest import taplib

h.require("FRAMELOOM_CLIENT")
work = h.temp_dir()
ATTEMPTS = 5           # FL_DOWNLOAD_DEFAULT_ATTEMPTS
CONNECT_TIMEOUT = 3.0  # FL_DOWNLOAD_DEFAULT_CONNECT_TIMEOUT_MS


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@taplib.test
def refused_fails_fast_with_retries():
    port = free_port()
    r = h.client(["--port", str(port), "--frames", "20", "--download-only", "--json",
                  "--frames-dir", "refused"], work, timeout=30)
    assert r.returncode == 1, h.describe(r)
    assert r.stderr == (f"frameloom-client: Could not connect to 127.0.0.1:{port}: "
                        "connection refused\n"), h.describe(r)
    run = json.loads(r.stdout)["run"]["download"]
    # Every thread retried its frame before giving up; nothing was written.
    assert run["frames"] == 0 and run["failures"] >= 1, r.stdout
    assert run["retries"] >= ATTEMPTS - 1, r.stdout
    # Back-off between the 5 attempts sums to >= 150 ms; the whole run stays short.
    assert 0.15 <= r.elapsed < 10, h.describe(r)
    assert r.cpu < 1.0, h.describe(r)
    assert os.listdir(os.path.join(work, "refused")) == []


@taplib.test
def reset_is_retried_with_growing_back_off():
    with h.Peer(lambda conn, n, peer: h.reset(conn)) as peer:
        r = h.client(["--port", str(peer.port), "--frames", "1", "--threads", "1",
                      "--download-only", "--frames-dir", "reset"], work, timeout=30)
        times = list(peer.times)
    assert r.returncode == 1, h.describe(r)
    # The reset can come while the client still waits for its connect to complete
    # (a loaded machine), or once it reads: either sentence is the right one.
    assert re.fullmatch(rf"frameloom-client: Frame 0 failed after {ATTEMPTS} attempts: "
                        rf"Could not (?:read from|connect to) 127\.0\.0\.1:{peer.port}: "
                        r"connection reset by peer\n", r.stderr), h.describe(r)
    assert len(times) == ATTEMPTS, f"{len(times)} connections, expected {ATTEMPTS}"
    gaps = [b - a for a, b in zip(times, times[1:])]
    # Exponential back-off from 10 ms: each wait is at least 10 ms << k (sleep never
    # returns early, so these lower bounds hold on any machine).
    for k, gap in enumerate(gaps):
        assert gap >= 0.010 * (1 << k) * 0.95, f"gap {k} is {gap * 1000:.1f} ms: {gaps}"
    print(f"# back-off gaps (ms): {[round(g * 1000, 1) for g in gaps]}")
    assert r.cpu < 1.0, h.describe(r)


@taplib.test
def server_dies_mid_run_names_the_frame():
    served = 10
    folder = os.path.join(work, "dies")

    def handler(conn, n, peer):
        if n < served:
            conn.sendall(h.make_png(seed=n))
        if n == served - 1:
            peer.close_listener()
        if n >= served:
            h.reset(conn)

    with h.Peer(handler) as peer:
        r = h.client(["--port", str(peer.port), "--frames", "40", "--threads", "2",
                      "--download-only", "--frames-dir", "dies"], work, timeout=30)
    assert r.returncode == 1, h.describe(r)
    m = re.fullmatch(rf"frameloom-client: Frame (\d+) failed after {ATTEMPTS} attempts: "
                     rf"(Could not connect to 127\.0\.0\.1:{peer.port}: connection refused|"
                     r"Could not read from .*: connection reset by peer)\n", r.stderr)
    assert m, h.describe(r)
    names = sorted(os.listdir(folder))
    assert f"{m.group(1)}.png" not in names, names
    assert h.folder_problems(folder) == [], h.folder_problems(folder)
    assert 1 <= len(names) <= served, names
    assert r.cpu < 1.0, h.describe(r)


def black_hole():
    """A listening socket (backlog 0) that never accepts, its queue filled: the kernel
    drops every further SYN, so connects hang until the client's timeout."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(0)
    port = sock.getsockname()[1]
    fillers = []
    for _ in range(16):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        fillers.append(s)
        time.sleep(0.05)
    # Probe: a fresh connect must not complete.
    probe = socket.socket()
    probe.settimeout(0.5)
    try:
        probe.connect(("127.0.0.1", port))
        hole = False
    except (socket.timeout, OSError):
        hole = True
    probe.close()
    return sock, port, fillers, hole


@taplib.test
def black_hole_times_out_within_the_configured_time():
    sock, port, fillers, hole = black_hole()
    try:
        if not hole:
            raise taplib.Skip("the kernel did not drop SYNs to a full listen queue")
        r = h.client(["--port", str(port), "--frames", "8", "--download-only",
                      "--frames-dir", "hole"], work, timeout=90)
    finally:
        for s in fillers:
            s.close()
        sock.close()
    assert r.returncode == 1, h.describe(r)
    assert re.fullmatch(rf"frameloom-client: (Frame \d+ failed after {ATTEMPTS} attempts: )?"
                        rf"Could not connect to 127\.0\.0\.1:{port}: connection timed out\n",
                        r.stderr), h.describe(r)
    # Each attempt waits out its connect timeout: 5 x 3 s plus back-off, never much more.
    low = ATTEMPTS * CONNECT_TIMEOUT * 0.95
    high = ATTEMPTS * CONNECT_TIMEOUT + 10
    assert low <= r.elapsed <= high, f"{r.elapsed:.1f} s not in [{low}, {high}]"
    # 4 threads waiting ~15 s: polling at 20 Hz costs milliseconds, a spin costs seconds.
    assert r.cpu < 1.5, h.describe(r)
    print(f"# black hole: {r.elapsed:.1f} s wall, {r.cpu:.3f} s CPU")
    assert os.listdir(os.path.join(work, "hole")) == []


def v6_png_server():
    """A server on [::1] only, on a port where 127.0.0.1 refuses."""
    sock = socket.socket(socket.AF_INET6)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind(("::1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        return None, None
    finally:
        probe.close()

    def serve():
        n = 0
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            conn.sendall(h.make_png(seed=n))
            conn.close()
            n += 1

    threading.Thread(target=serve, daemon=True).start()
    return sock, port


def in_own_hosts(argv, hosts, prefer_ipv4):
    """argv with its own /etc/hosts (and /etc/gai.conf), in a private mount namespace:
    nothing outside the child sees them."""
    folder = h.temp_dir("fl-hosts-")
    with open(os.path.join(folder, "hosts"), "w") as f:
        f.write(hosts)
    with open(os.path.join(folder, "gai.conf"), "w") as f:
        # RFC 6724 puts ::1 first; this precedence puts IPv4 first instead.
        f.write("precedence ::ffff:0:0/96 100\n" if prefer_ipv4 else "")
    script = (f"mount --bind {folder}/hosts /etc/hosts && "
              f"mount --bind {folder}/gai.conf /etc/gai.conf && exec \"$@\"")
    return ["unshare", "--mount", "sh", "-c", script, "sh"] + argv


def require_namespaces():
    if not h.is_root() or not shutil.which("unshare") or not os.path.exists("/etc/gai.conf"):
        raise taplib.Skip("needs root, unshare and /etc/gai.conf (a private /etc/hosts)")
    try:
        socket.socket(socket.AF_INET6).close()
    except OSError:
        raise taplib.Skip("no IPv6")


@taplib.test
def every_address_of_a_name_is_tried():
    require_namespaces()
    hosts = "::1 fl-dual\n127.0.0.1 fl-dual\n"
    # ::1 comes first and refuses: the server is on 127.0.0.1.
    with h.Peer(h.serve_png) as peer:
        r = h.run(in_own_hosts([h.CLIENT, "--host", "fl-dual", "--port", str(peer.port),
                                "--frames", "20", "--download-only", "--frames-dir", "dual4"],
                               hosts, prefer_ipv4=False), cwd=work, timeout=60)
    assert r.returncode == 0, h.describe(r)
    # 127.0.0.1 comes first and refuses: the server is on ::1 only (as "localhost"
    # with a server on ::1 was refused).
    sock, port = v6_png_server()
    if sock is None:
        raise taplib.Skip("no free port on both ::1 and 127.0.0.1")
    try:
        r = h.run(in_own_hosts([h.CLIENT, "--host", "fl-dual", "--port", str(port),
                                "--frames", "20", "--download-only", "--frames-dir", "dual6"],
                               hosts, prefer_ipv4=True), cwd=work, timeout=60)
    finally:
        sock.close()
    assert r.returncode == 0, h.describe(r)
    assert len(os.listdir(os.path.join(work, "dual6"))) == 20


try:
    failed = h.run_tests()
finally:
    h.remove(work)
sys.exit(1 if failed else 0)
