#!/usr/bin/env python3
"""frameloom-client --server, repeated: frames spread over several servers (each
server's own "Sent an image" lines counted), a dead server among live ones, all
servers dead, and malformed --server values."""
import json
import os
import re
import subprocess
import sys
import time

from fltest import clienttest as ct  # noqa: E402

if not ct.CLIENT or not ct.SERVER:
    ct.skip("FRAMELOOM_CLIENT or FRAMELOOM_SERVER is not set")

t = ct.Failures()
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


# Malformed --server values: exit 2, one sentence, nothing done.
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
    t.check(r.returncode == 2 and first.startswith("frameloom-client: ") and needle in first
            and r.stdout == "" and len(lines) <= 2,
            f"--server error {' '.join(args)[:40]} exits 2 with a sentence",
            f"status {r.returncode}, stderr {r.stderr!r}")
t.check(not os.path.exists(os.path.join(work, "frames")), "a bad --server creates nothing")

# Three servers: the frames spread evenly (round robin per frame), each server's
# own count agrees with the client's, every frame is there.
servers = [LoudServer() for _ in range(3)]
try:
    args = [a for s in servers for a in ("--server", f"127.0.0.1:{s.port}")]
    r = ct.run_client(args + ["--frames", "600", "--threads", "6", "--download-only",
                              "--json", "--frames-dir", "spread"], work)
finally:
    for s in servers:
        s.stop()
sent = [s.sent() for s in servers]
t.check(r.returncode == 0, "600 frames over 3 servers exit 0", r.stderr)
t.check(sent == [200, 200, 200], "each server sent a third of the frames", sent)
try:
    doc = json.loads(r.stdout)
    per = [x["frames"] for x in doc["run"]["download"]["servers"]]
    addresses = [x["address"] for x in doc["run"]["download"]["servers"]]
except (ValueError, KeyError, TypeError) as e:
    per, addresses = [], str(e)
t.check(per == sent and addresses == [f"127.0.0.1:{s.port}" for s in servers],
        "--json's per-server counts match the servers' own", f"{per} {addresses}")
ct.check_frames(t, os.path.join(work, "spread"), 600)

# One of three down (listed first, so frame 0 meets it): the run succeeds, the
# two live servers share the frames, the dead one costs a few tries at most.
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
t.check(r.returncode == 0 and r.stderr == "", "a dead server among live ones does not sink "
        "the run", r.stderr)
t.check(sum(sent) == 600 and min(sent) > 150, "the live servers share the frames", sent)
try:
    first = json.loads(r.stdout)["run"]["download"]["servers"][0]
except (ValueError, KeyError, TypeError, IndexError) as e:
    first = {"error": str(e)}
t.check(first.get("frames") == 0 and 1 <= first.get("failures", 0) < 50,
        "the dead server delivered nothing and cost few tries", first)
ct.check_frames(t, os.path.join(work, "onedown"), 600)

# All down: one sentence, exit 1, fast.
p1, p2 = ct.free_port(), ct.free_port()
r = ct.run_client(["--server", f"127.0.0.1:{p1}", "--server", f"127.0.0.1:{p2}",
                   "--frames", "20", "--download-only", "--frames-dir", "alldown"], work)
t.check(r.returncode == 1 and re.fullmatch(
    r"frameloom-client: None of the 2 servers could be reached \(the last one tried said: "
    r"Could not connect to 127\.0\.0\.1:\d+: connection refused\)\n", r.stderr),
    "all servers down exits 1 with one sentence", r.stderr)
t.check(r.elapsed < 10, "all servers down fails in seconds", f"{r.elapsed:.1f} s")

# --server without a port takes --port's.
with ct.frameloom_server() as server:
    r = ct.run_client(["--port", str(server.port), "--server", "127.0.0.1", "--frames", "50",
                       "--download-only", "--frames-dir", "portless"], work)
t.check(r.returncode == 0, "--server HOST uses --port", r.stderr)
ct.check_frames(t, os.path.join(work, "portless"), 50)

ct.remove(work)
t.finish()
