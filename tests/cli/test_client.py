#!/usr/bin/env python3
"""frameloom-client as a user meets it: options, exit codes, the lab's stdout
lines, --json, and the failures a user can cause (server down, a garbage
server, a frames folder that cannot be created, Ctrl-C)."""
import json
import os
import re
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time

from fltest import clienttest as ct  # noqa: E402

if not ct.CLIENT or not ct.SERVER:
    ct.skip("FRAMELOOM_CLIENT or FRAMELOOM_SERVER is not set")

t = ct.Failures()
work = ct.temp_dir()

# --help and --version.
r = ct.run_client(["--help"], work)
t.check(r.returncode == 0 and "--download-only" in r.stdout and "--threads" in r.stdout,
        "--help lists the options and exits 0", r.stdout + r.stderr)
r = ct.run_client(["--version"], work)
t.check(r.returncode == 0 and re.fullmatch(r"frameloom-client \d+\.\d+\.\d+\n", r.stdout),
        "--version prints the program and its version", r.stdout)

# Bad usage: exit 2, a sentence naming the problem, nothing on stdout, no work done.
for args, needle in [
    (["--no-such-option"], "no-such-option"),
    (["--frames", "abc"], "Frames \"abc\" is not valid"),
    (["--frames", "0"], "Frames \"0\" is not valid"),
    (["--threads", "-3"], "Threads \"-3\" is not valid"),
    (["--processes", "0"], "Processes \"0\" is not valid"),
    (["--port", "70000"], "Port \"70000\" is not valid"),
    (["--delay-ms", "x"], "Delay \"x\" is not valid"),
    (["--download-only", "--encode-only"], "cannot be used together"),
    (["--sequential", "--threads", "4"], "--sequential"),
    (["--sequential", "--compare"], "--compare"),
    (["stray"], "Unexpected argument \"stray\""),
    # An empty name is a mistake (an unset variable), found before any work.
    (["--output", ""], "--output"),
    (["--save-records", ""], "--save-records"),
    (["--frames-dir", ""], "--frames-dir"),
]:
    r = ct.run_client(args, work)
    first = r.stderr.splitlines()[0] if r.stderr else ""
    t.check(r.returncode == 2 and first.startswith("frameloom-client: ") and needle in first
            and r.stdout == "", f"bad usage {' '.join(args)} exits 2 with a sentence",
            f"status {r.returncode}, stderr {r.stderr!r}")
t.check(not os.path.exists(os.path.join(work, "frames")), "bad usage creates nothing")

# More worker processes than CPUs: allowed, with a warning.
r = ct.run_client(["--encode-only", "--processes", "64", "--frames", "3",
                   "--frames-dir", "missing"], work)
warning = ("frameloom-client: warning: 64 worker processes on "
           f"{os.cpu_count()} CPUs")
t.check(r.stderr.startswith(warning) and r.returncode == 1, "more processes than CPUs warns (missing frames then fail)",
        r.stderr)

# A records file in a folder that does not exist: said before any download.
r = ct.run_client(["--port", "1", "--frames-dir", "records-first", "--save-records",
                   "no-such-folder/runs.csv"], work)
t.check(r.returncode == 1 and r.stderr == "frameloom-client: Could not write "
        "no-such-folder/runs.csv: its folder no-such-folder does not exist\n"
        and not os.path.exists(os.path.join(work, "records-first")),
        "a bad --save-records folder fails before the download", r.stderr)

# A server that is not there: one sentence, exit 1, fast.
port = ct.free_port()
r = ct.run_client(["--port", str(port), "--frames-dir", "down"], work)
t.check(r.returncode == 1, "server down exits 1", r.returncode)
t.check(r.stderr == f"frameloom-client: Could not connect to 127.0.0.1:{port}: "
        "connection refused\n", "server down prints the one sentence", r.stderr)
t.check(r.stdout == "", "server down prints nothing on stdout", r.stdout)
t.check(r.elapsed < 2.0, "server down fails fast", f"{r.elapsed:.2f} s")
t.check(not os.path.exists(os.path.join(work, "frameloom.gif")), "no GIF when the server is down")

def gif_delays(path):
    """The delay (centiseconds) of every graphic control extension in a GIF."""
    with open(path, "rb") as f:
        data = f.read()
    return [data[i + 4] | data[i + 5] << 8 for i in range(len(data) - 6)
            if data[i:i + 3] == b"\x21\xf9\x04"]


with ct.frameloom_server() as server:
    # 1..14 ms would be 0 or 1 centisecond, played at 100 ms: a warning, and 20 ms.
    r = ct.run_client(["--port", str(server.port), "--frames", "3", "--delay-ms", "7",
                       "--frames-dir", "fast", "--output", "fast.gif"], work)
    t.check(r.returncode == 0 and r.stderr == (
        "frameloom-client: warning: GIF delays are whole hundredths of a second, and browsers "
        "and the app play a delay under 20 ms at 100 ms: --delay-ms 7 is stored as 20 ms\n"),
        "--delay-ms 7 warns", r.stderr)
    t.check(gif_delays(os.path.join(work, "fast.gif")) == [2, 2, 2],
            "--delay-ms 7 is stored as 2 centiseconds",
            gif_delays(os.path.join(work, "fast.gif")))

    # The lab's line, exactly, and nothing on stderr (it is not a terminal).
    r = ct.run_client(["--port", str(server.port), "--frames", "500", "--download-only"], work)
    t.check(r.returncode == 0, "--download-only of 500 frames exits 0", r.stderr)
    t.check(re.fullmatch(rf"Frames download time: {ct.SECONDS_LINE}\n", r.stdout) is not None,
            "stdout is exactly the download line", repr(r.stdout))
    t.check(r.stderr == "", "no progress on stderr when it is not a terminal", repr(r.stderr))
    ct.check_frames(t, os.path.join(work, "frames"), 500)

    r = ct.run_client(["--port", str(server.port), "--frames", "300", "--download-only",
                       "--json", "--threads", "3", "--frames-dir", "json-frames"], work)
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        doc = None
        t.check(False, "--json prints one JSON object", f"{e}: {r.stdout!r}")
    if doc is not None:
        t.check(doc["ok"] is True and doc["run"]["download"]["frames"] == 300
                and doc["run"]["download"]["failures"] == 0
                and doc["run"]["download"]["bytes"] > 300 * 100
                and isinstance(doc["run"]["download"]["seconds"], float)
                and doc["run"]["encode"] is None
                and doc["config"]["threads"] == 3 and doc["config"]["frames_dir"] == "json-frames",
                "--json holds the configuration and the download figures", r.stdout)
    t.check(r.returncode == 0, "--json run exits 0", r.stderr)

    r = ct.run_client(["--port", str(server.port), "--frames", "100", "--download-only",
                       "--compare", "--json", "--frames-dir", "cmp"], work)
    try:
        doc = json.loads(r.stdout)
        ok = (doc["baseline"]["download"]["threads"] == 1
              and doc["chosen"]["download"]["frames"] == 100
              and isinstance(doc["speedup"]["download"], float)
              and doc["speedup"]["encode"] is None)
    except (ValueError, KeyError, TypeError) as e:
        ok = False
        r.stdout += f"\n{e}"
    t.check(r.returncode == 0 and ok, "--compare --json holds baseline, chosen and speed-up",
            r.stdout + r.stderr)

    # The baseline fails (nothing listens): the chosen run never starts, so it
    # has no figures (null), not a download of 0 frames in 0.0 s.
    dead = ct.free_port()
    r = ct.run_client(["--server", f"127.0.0.1:{dead}", "--frames", "5", "--download-only",
                       "--compare", "--json", "--frames-dir", "cmp-dead"], work)
    try:
        doc = json.loads(r.stdout)
        ok = (doc["chosen"] is None and doc["baseline"]["ok"] is False
              and doc["baseline"]["download"]["frames"] == 0
              and f"127.0.0.1:{dead}" in doc["baseline"]["error"]
              and [x["label"] for x in doc["records"]] == ["baseline"]
              and doc["ok"] is False)
    except (ValueError, KeyError, TypeError) as e:
        ok = False
        r.stdout += f"\n{e}"
    t.check(r.returncode == 1 and ok, "--compare --json: a failed baseline leaves chosen null",
            r.stdout + r.stderr)

    # A frames folder that cannot exist (a file is in the way): one sentence, exit 1.
    with open(os.path.join(work, "blocker"), "w") as f:
        f.write("x")
    r = ct.run_client(["--port", str(server.port), "--frames", "10", "--download-only",
                       "--frames-dir", "blocker/frames"], work)
    t.check(r.returncode == 1 and "Could not create the folder blocker/frames" in r.stderr
            and len(r.stderr.splitlines()) == 1,
            "an impossible frames folder exits 1 with one sentence", r.stderr)

    # A frames folder nobody can add files to: one sentence naming the file, exit 1.
    r = ct.run_client(["--port", str(server.port), "--frames", "10", "--download-only",
                       "--frames-dir", "/proc/self"], work)
    t.check(r.returncode == 1 and re.fullmatch(r"frameloom-client: Could not create "
                                               r"/proc/self/\d+\.png: .*\n", r.stderr),
            "an unwritable frames folder exits 1 with one sentence", r.stderr)


class GarbageHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"this is not a PNG" * 10)


class Quiet(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Quiet(("127.0.0.1", 0), GarbageHandler) as garbage:
    threading.Thread(target=garbage.serve_forever, daemon=True).start()
    gport = garbage.server_address[1]
    r = ct.run_client(["--port", str(gport), "--frames", "20", "--download-only",
                       "--frames-dir", "garbage"], work)
    garbage.shutdown()
t.check(r.returncode == 1, "a garbage server exits 1", r.returncode)
# Text never becomes a PNG: said as what it is, and not retried.
t.check(re.fullmatch(rf"frameloom-client: Frame \d+ failed and was not retried: The reply from "
                     rf"127\.0\.0\.1:{gport} is text, not a PNG\n",
                     r.stderr) is not None, "a garbage server names the frame and the reason",
        r.stderr)
t.check(os.listdir(os.path.join(work, "garbage")) == [], "no frame from a garbage server")

# Ctrl-C while every connection waits on a server that never answers.
silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(64)
proc = subprocess.Popen([ct.CLIENT, "--port", str(silent.getsockname()[1]), "--frames", "50",
                         "--frames-dir", "silent", "--output", "silent.gif"], cwd=work,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
time.sleep(0.5)
start = time.monotonic()
proc.send_signal(signal.SIGINT)
try:
    out, err = proc.communicate(timeout=5)
except subprocess.TimeoutExpired:
    proc.kill()
    out, err = proc.communicate()
elapsed = time.monotonic() - start
silent.close()
t.check(proc.returncode == 130, "Ctrl-C exits 130", proc.returncode)
t.check(err.startswith("frameloom-client: Interrupted") and out == "",
        "Ctrl-C says so in one sentence", err)
t.check(elapsed < 1.5, "Ctrl-C ends the run quickly", f"{elapsed:.2f} s")
t.check(not os.path.exists(os.path.join(work, "silent.gif")), "Ctrl-C leaves no GIF")

# A GIF worker killed mid-run: exit 1, the worker and its frames named, no GIF.
test_worker = os.environ.get("FRAMELOOM_GIF_WORKER_TEST")
if test_worker:
    with ct.frameloom_server() as server:
        r = ct.run_client(["--port", str(server.port), "--frames", "40", "--download-only",
                           "--frames-dir", "killed"], work)
    env = dict(os.environ, FRAMELOOM_GIF_WORKER=test_worker,
               FRAMELOOM_GIF_WORKER_TEST_KILL_AT="30")
    r = ct.run_client(["--encode-only", "--frames", "40", "--processes", "2",
                       "--frames-dir", "killed", "--output", "killed.gif"], work, env=env)
    t.check(r.returncode == 1, "a killed worker exits 1", r.returncode)
    t.check(r.stderr == "frameloom-client: GIF worker 2 (frames 20-39) was killed by signal 9\n",
            "a killed worker is named with its frames", r.stderr)
    t.check(not os.path.exists(os.path.join(work, "killed.gif"))
            and not [n for n in os.listdir(work) if n.startswith(".killed.gif")],
            "a killed worker leaves no GIF and no temporary file", os.listdir(work))

# Descriptors run out (64 threads, a hard limit of 24): frames wait, none is lost.
import resource  # noqa: E402


def low_nofile():
    resource.setrlimit(resource.RLIMIT_NOFILE, (24, 24))


with ct.frameloom_server() as server:
    r = ct.run_client(["--port", str(server.port), "--frames", "1000", "--threads", "64",
                       "--download-only", "--frames-dir", "nofile"], work, preexec_fn=low_nofile)
t.check(r.returncode == 0, "64 threads under a 24-descriptor limit still succeed", r.stderr)
ct.check_frames(t, os.path.join(work, "nofile"), 1000)
t.check(not [n for n in os.listdir(os.path.join(work, "nofile")) if n.startswith(".")],
        "no temporary file is left when descriptors run out")

ct.remove(work)
t.finish()
