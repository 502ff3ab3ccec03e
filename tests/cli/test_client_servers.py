#!/usr/bin/env python3
"""frameloom-client --server, repeated: frames spread over several servers (each
server's own "Sent an image" lines counted), a dead server among live ones, all
servers dead, and malformed --server values."""
import json
import os
import re
import subprocess
import time

from fltest import clienttest as ct
from fltest.taplib import run, test

if not ct.CLIENT or not ct.SERVER:
    ct.skip("FRAMELOOM_CLIENT or FRAMELOOM_SERVER is not set")

work = ct.temp_dir()


class LoudServer(ct.Process):
    """A frameloom-server that prints its "Sent an image" lines (to a file, so a
    full pipe can never slow it down)."""

    def __init__(self):
        self.log_path = os.path.join(work, f"server-{len(os.listdir(work))}.log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen([ct.SERVER, "--host", "127.0.0.1", "--port", "0"],
                                     stdout=self.log, stderr=subprocess.PIPE, text=True)
        self.port = None
        for _ in range(200):
            self.log.seek(0)
            m = re.search(r"Listening on .*:(\d+)\n", self.log.read())
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                break

            time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError("frameloom-server did not start")

    def stop(self):
        ct.stop_process(self.proc)
        self.proc.stderr.close()

    def sent(self):
        """Images sent so far, by the server's own lines (call after stop)."""
        self.log.seek(0)
        return sum(1 for line in self.log if line.startswith("Sent an image to (127.0.0.1, "))


@test
def malformed_server_values_exit_2_with_a_sentence_and_create_nothing():
    wrong = []
    for args, needle in [
        (["--server", "127.0.0.1:"], "Server \"127.0.0.1:\" is not valid: expected HOST:PORT"),
        (["--server", ":1234"], "Server \":1234\" is not valid"),
        (["--server", "localhost:0"], "Server \"localhost:0\" is not valid"),
        (["--server", "localhost:70000"], "with a port from 1 to 65535"),
        (["--server", "[::1:80"], "Server \"[::1:80\" is not valid"),
        (["--server", ""], "Server \"\" is not valid"),
        (["--server", "a:1", "--host", "b"], "--server and --host cannot be used together"),
        (["--server", "a:x", "--server", "b:2"], "Server \"a:x\" is not valid"),
        ([a for i in range(33) for a in ("--server", f"127.0.0.1:{1000 + i}")],
         "Too many servers: 33, at most 32"),
    ]:
        r = ct.run_client(args, work)
        lines = r.stderr.splitlines()
        first = lines[0] if lines else ""
        if not (r.returncode == 2 and first.startswith("frameloom-client: ") and needle in first
                and r.stdout == "" and len(lines) <= 2):
            wrong.append(f"{' '.join(args)[:40]}: status {r.returncode}, stderr {r.stderr!r}")
    assert not wrong, "\n".join(wrong)
    assert not os.path.exists(os.path.join(work, "frames")), "a bad --server created frames/"


@test
def three_servers_share_the_frames_evenly_and_json_counts_as_they_do():
    # Round robin per frame: each server's own count agrees with the client's.
    servers = [LoudServer() for _ in range(3)]
    try:
        args = [a for s in servers for a in ("--server", f"127.0.0.1:{s.port}")]
        r = ct.run_client(args + ["--frames", "600", "--threads", "6", "--download-only",
                                  "--json", "--frames-dir", "spread"], work)
    finally:
        for s in servers:
            s.stop()
    sent = [s.sent() for s in servers]
    assert r.returncode == 0, r.stderr
    assert sent == [200, 200, 200], f"each server should send a third: {sent}"
    try:
        doc = json.loads(r.stdout)
        per = [x["frames"] for x in doc["run"]["download"]["servers"]]
        addresses = [x["address"] for x in doc["run"]["download"]["servers"]]
    except (ValueError, KeyError, TypeError) as e:
        per, addresses = [], str(e)
    assert per == sent and addresses == [f"127.0.0.1:{s.port}" for s in servers], \
        f"{per} {addresses}"
    ct.assert_frames(os.path.join(work, "spread"), 600)


@test
def a_dead_server_among_live_ones_costs_a_few_tries_and_no_frame():
    # Listed first, so frame 0 meets it; the two live servers share the frames.
    dead = ct.free_port()
    servers = [LoudServer() for _ in range(2)]
    try:
        args = ["--server", f"127.0.0.1:{dead}"]
        args += [a for s in servers for a in ("--server", f"127.0.0.1:{s.port}")]
        r = ct.run_client(args + ["--frames", "600", "--download-only", "--json",
                                  "--frames-dir", "onedown"], work)
    finally:
        for s in servers:
            s.stop()
    sent = [s.sent() for s in servers]
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert sum(sent) == 600 and min(sent) > 150, f"the live servers should share: {sent}"
    try:
        first = json.loads(r.stdout)["run"]["download"]["servers"][0]
    except (ValueError, KeyError, TypeError, IndexError) as e:
        first = {"error": str(e)}
    assert first.get("frames") == 0 and 1 <= first.get("failures", 0) < 50, first
    ct.assert_frames(os.path.join(work, "onedown"), 600)


@test
def all_servers_down_fails_in_seconds_with_one_sentence():
    p1, p2 = ct.free_port(), ct.free_port()
    r = ct.run_client(["--server", f"127.0.0.1:{p1}", "--server", f"127.0.0.1:{p2}",
                       "--frames", "20", "--download-only", "--frames-dir", "alldown"], work)
    assert r.returncode == 1 and re.fullmatch(
        r"frameloom-client: None of the 2 servers could be reached \(the last one tried said: "
        r"Could not connect to 127\.0\.0\.1:\d+: connection refused\)\n", r.stderr), r.stderr
    assert r.elapsed < 10, f"{r.elapsed:.1f} s"


@test
def a_server_without_a_port_takes_port_s():
    with ct.frameloom_server() as server:
        r = ct.run_client(["--port", str(server.port), "--server", "127.0.0.1", "--frames", "50",
                           "--download-only", "--frames-dir", "portless"], work)
    assert r.returncode == 0, r.stderr
    ct.assert_frames(os.path.join(work, "portless"), 50)


try:
    run()
finally:
    ct.remove(work)
