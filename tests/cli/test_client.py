#!/usr/bin/env python3
"""frameloom-client as a user meets it: options, exit codes, the lab's stdout
lines, --json, and the failures a user can cause (server down, a garbage
server, a frames folder that cannot be created, Ctrl-C)."""
import json
import os
import re
import resource
import signal
import socket
import socketserver
import subprocess
import threading
import time

from fltest import clienttest as ct
from fltest.taplib import Skip, run, test

if not ct.CLIENT or not ct.SERVER:
    ct.skip("FRAMELOOM_CLIENT or FRAMELOOM_SERVER is not set")

# One frameloom-server for every test that downloads from it.
server = ct.frameloom_server()
work = ct.temp_dir()


def json_holds(r, holds):
    """Whether r's stdout is JSON and holds(doc) is true of it. Not JSON, or a field
    missing or of the wrong type: false, and why is added to r.stdout (which the
    failure message shows)."""
    try:
        return holds(json.loads(r.stdout))
    except (ValueError, KeyError, TypeError) as e:
        r.stdout += f"\n{e}"
        return False


def gif_delays(path):
    """The delay (centiseconds) of every graphic control extension in a GIF."""
    with open(path, "rb") as f:
        data = f.read()
    return [data[i + 4] | data[i + 5] << 8 for i in range(len(data) - 6)
            if data[i:i + 3] == b"\x21\xf9\x04"]


@test
def help_lists_the_options_and_version_names_the_program():
    r = ct.run_client(["--help"], work)
    assert r.returncode == 0 and "--download-only" in r.stdout and "--threads" in r.stdout, \
        r.stdout + r.stderr
    r = ct.run_client(["--version"], work)
    assert r.returncode == 0 and re.fullmatch(r"frameloom-client \d+\.\d+\.\d+\n", r.stdout), \
        r.stdout


@test
def bad_usage_exits_2_with_a_sentence_and_creates_nothing():
    wrong = []
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
        if not (r.returncode == 2 and first.startswith("frameloom-client: ") and needle in first
                and r.stdout == ""):
            wrong.append(f"{' '.join(args)}: status {r.returncode}, stderr {r.stderr!r}")
    assert not wrong, "\n".join(wrong)
    assert not os.path.exists(os.path.join(work, "frames")), "bad usage created frames/"


@test
def more_processes_than_cpus_warns():
    # Allowed, with a warning; the missing frames then fail the run.
    r = ct.run_client(["--encode-only", "--processes", "64", "--frames", "3",
                       "--frames-dir", "missing"], work)
    warning = ("frameloom-client: warning: 64 worker processes on "
               f"{os.cpu_count()} CPUs")
    assert r.stderr.startswith(warning) and r.returncode == 1, r.stderr


@test
def a_bad_save_records_folder_fails_before_the_download():
    r = ct.run_client(["--port", "1", "--frames-dir", "records-first", "--save-records",
                       "no-such-folder/runs.csv"], work)
    assert (r.returncode == 1 and r.stderr == "frameloom-client: Could not write "
            "no-such-folder/runs.csv: its folder no-such-folder does not exist\n"
            and not os.path.exists(os.path.join(work, "records-first"))), r.stderr


@test
def server_down_exits_1_fast_with_one_sentence_and_no_gif():
    port = ct.free_port()
    r = ct.run_client(["--port", str(port), "--frames-dir", "down"], work)
    assert r.returncode == 1, r.returncode
    assert r.stderr == (f"frameloom-client: Could not connect to 127.0.0.1:{port}: "
                        "connection refused\n"), r.stderr
    assert r.stdout == "", r.stdout
    assert r.elapsed < 2.0, f"{r.elapsed:.2f} s"
    assert not os.path.exists(os.path.join(work, "frameloom.gif")), "a GIF was written"


@test
def delay_ms_7_warns_and_is_stored_as_2_centiseconds():
    # 1..14 ms would be 0 or 1 centisecond, played at 100 ms: a warning, and 20 ms.
    r = ct.run_client(["--port", str(server.port), "--frames", "3", "--delay-ms", "7",
                       "--frames-dir", "fast", "--output", "fast.gif"], work)
    assert r.returncode == 0 and r.stderr == (
        "frameloom-client: warning: GIF delays are whole hundredths of a second, and browsers "
        "and the app play a delay under 20 ms at 100 ms: --delay-ms 7 is stored as 20 ms\n"), \
        r.stderr
    delays = gif_delays(os.path.join(work, "fast.gif"))
    assert delays == [2, 2, 2], delays


@test
def download_only_prints_exactly_the_download_line_and_saves_500_frames():
    r = ct.run_client(["--port", str(server.port), "--frames", "500", "--download-only"], work)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(rf"Frames download time: {ct.SECONDS_LINE}\n", r.stdout) is not None, \
        repr(r.stdout)
    # No progress on stderr: it is not a terminal.
    assert r.stderr == "", repr(r.stderr)
    ct.assert_frames(os.path.join(work, "frames"), 500)


@test
def json_holds_the_configuration_and_the_download_figures():
    r = ct.run_client(["--port", str(server.port), "--frames", "300", "--download-only",
                       "--json", "--threads", "3", "--frames-dir", "json-frames"], work)
    assert r.returncode == 0, r.stderr
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        raise AssertionError(f"--json printed no JSON object: {e}: {r.stdout!r}") from e
    assert (doc["ok"] is True and doc["run"]["download"]["frames"] == 300
            and doc["run"]["download"]["failures"] == 0
            and doc["run"]["download"]["bytes"] > 300 * 100
            and isinstance(doc["run"]["download"]["seconds"], float)
            and doc["run"]["encode"] is None
            and doc["config"]["threads"] == 3 and doc["config"]["frames_dir"] == "json-frames"), \
        r.stdout


@test
def compare_json_holds_baseline_chosen_and_speedup():
    r = ct.run_client(["--port", str(server.port), "--frames", "100", "--download-only",
                       "--compare", "--json", "--frames-dir", "cmp"], work)
    ok = json_holds(r, lambda doc: (doc["baseline"]["download"]["threads"] == 1
                                    and doc["chosen"]["download"]["frames"] == 100
                                    and isinstance(doc["speedup"]["download"], float)
                                    and doc["speedup"]["encode"] is None))
    assert r.returncode == 0 and ok, r.stdout + r.stderr


@test
def compare_json_with_a_failed_baseline_leaves_chosen_null():
    # Nothing listens: the chosen run never starts, so it has no figures (null),
    # not a download of 0 frames in 0.0 s.
    dead = ct.free_port()
    r = ct.run_client(["--server", f"127.0.0.1:{dead}", "--frames", "5", "--download-only",
                       "--compare", "--json", "--frames-dir", "cmp-dead"], work)
    ok = json_holds(r, lambda doc: (doc["chosen"] is None and doc["baseline"]["ok"] is False
                                    and doc["baseline"]["download"]["frames"] == 0
                                    and f"127.0.0.1:{dead}" in doc["baseline"]["error"]
                                    and [x["label"] for x in doc["records"]] == ["baseline"]
                                    and doc["ok"] is False))
    assert r.returncode == 1 and ok, r.stdout + r.stderr


@test
def an_impossible_frames_folder_exits_1_with_one_sentence():
    # A file is in the way.
    with open(os.path.join(work, "blocker"), "w") as f:
        f.write("x")
    r = ct.run_client(["--port", str(server.port), "--frames", "10", "--download-only",
                       "--frames-dir", "blocker/frames"], work)
    assert (r.returncode == 1 and "Could not create the folder blocker/frames" in r.stderr
            and len(r.stderr.splitlines()) == 1), r.stderr


@test
def an_unwritable_frames_folder_exits_1_with_one_sentence_naming_the_file():
    r = ct.run_client(["--port", str(server.port), "--frames", "10", "--download-only",
                       "--frames-dir", "/proc/self"], work)
    assert r.returncode == 1 and re.fullmatch(r"frameloom-client: Could not create "
                                              r"/proc/self/\d+\.png: .*\n", r.stderr), r.stderr


class GarbageHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b"this is not a PNG" * 10)


class Quiet(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


@test
def a_garbage_server_exits_1_naming_the_frame_and_saves_nothing():
    with Quiet(("127.0.0.1", 0), GarbageHandler) as garbage:
        threading.Thread(target=garbage.serve_forever, daemon=True).start()
        gport = garbage.server_address[1]
        r = ct.run_client(["--port", str(gport), "--frames", "20", "--download-only",
                           "--frames-dir", "garbage"], work)
        garbage.shutdown()
    assert r.returncode == 1, r.returncode
    # Text never becomes a PNG: said as what it is, and not retried.
    assert re.fullmatch(rf"frameloom-client: Frame \d+ failed and was not retried: The reply "
                        rf"from 127\.0\.0\.1:{gport} is text, not a PNG\n",
                        r.stderr) is not None, r.stderr
    saved = os.listdir(os.path.join(work, "garbage"))
    assert saved == [], f"frames from a garbage server: {saved}"


@test
def ctrl_c_while_every_connection_waits_exits_130_at_once_without_a_gif():
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
    assert proc.returncode == 130, proc.returncode
    assert err.startswith("frameloom-client: Interrupted") and out == "", err
    assert elapsed < 1.5, f"{elapsed:.2f} s"
    assert not os.path.exists(os.path.join(work, "silent.gif")), "Ctrl-C left a GIF"


@test
def a_killed_worker_is_named_with_its_frames_and_leaves_no_gif():
    test_worker = os.environ.get("FRAMELOOM_GIF_WORKER_TEST")
    if not test_worker:
        raise Skip("FRAMELOOM_GIF_WORKER_TEST is not set")
    r = ct.run_client(["--port", str(server.port), "--frames", "40", "--download-only",
                       "--frames-dir", "killed"], work)
    assert r.returncode == 0, r.stderr
    env = dict(os.environ, FRAMELOOM_GIF_WORKER=test_worker,
               FRAMELOOM_GIF_WORKER_TEST_KILL_AT="30")
    r = ct.run_client(["--encode-only", "--frames", "40", "--processes", "2",
                       "--frames-dir", "killed", "--output", "killed.gif"], work, env=env)
    assert r.returncode == 1, r.returncode
    assert r.stderr == "frameloom-client: GIF worker 2 (frames 20-39) was killed by signal 9\n", \
        r.stderr
    assert (not os.path.exists(os.path.join(work, "killed.gif"))
            and not [n for n in os.listdir(work) if n.startswith(".killed.gif")]), \
        os.listdir(work)


def low_nofile():
    resource.setrlimit(resource.RLIMIT_NOFILE, (24, 24))


@test
def running_out_of_descriptors_makes_frames_wait_and_loses_none():
    # 64 threads under a hard limit of 24 descriptors.
    r = ct.run_client(["--port", str(server.port), "--frames", "1000", "--threads", "64",
                       "--download-only", "--frames-dir", "nofile"], work, preexec_fn=low_nofile)
    assert r.returncode == 0, r.stderr
    ct.assert_frames(os.path.join(work, "nofile"), 1000)
    leftovers = [n for n in os.listdir(os.path.join(work, "nofile")) if n.startswith(".")]
    assert not leftovers, f"temporary files left: {leftovers}"


try:
    run()
finally:
    server.stop()
    ct.remove(work)
