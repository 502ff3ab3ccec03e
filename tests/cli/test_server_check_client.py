"""frameloom-server --check-client: the lab's client requirements, each a named
check. Small clients that each break one requirement (check_clients.py) must
fail that check by name; frameloom-client and the lab's reference-style
Python client (lab_client.py) pass every check."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import fltest
from fltest.taplib import Skip, run, test

SERVER = os.environ["FRAMELOOM_SERVER"]
CLIENT = os.environ.get("FRAMELOOM_CLIENT", "")
PYTHON_PIL = os.environ.get("PYTHON_PIL", "")
CLIENTS = fltest.peer("check_clients.py")
LAB_CLIENT = fltest.peer("lab_client.py")
FRAMES = 400
ALL_CHECKS = ["exit", "connections", "frames", "concurrency", "gif", "gif-order", "gif-pixels",
              "gif-timing", "timing-lines", "processes"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check(command_for_port, extra=(), frames=FRAMES):
    """Runs the checker on the command (a function of the port) in a fresh
    folder; returns (exit status, report, stderr, folder)."""
    port = free_port()
    work = tempfile.mkdtemp(prefix="fl-check-client-")
    args = [SERVER, "--host", "127.0.0.1", "--port", str(port), "--check-client", "--json",
            "--check-frames", str(frames), "--check-dir", work,
            "--check-client-command", command_for_port(port)] + list(extra)
    r = subprocess.run(args, capture_output=True, text=True, timeout=240)
    shutil.rmtree(work, ignore_errors=True)
    assert r.stdout.strip(), (r.returncode, r.stderr)
    return r.returncode, json.loads(r.stdout), r.stderr


def statuses(report):
    return {c["id"]: c["status"] for c in report["checks"]}


def find(report, check_id):
    return next(c for c in report["checks"] if c["id"] == check_id)


def describe(report):
    return [(c["id"], c["status"], c["evidence"]) for c in report["checks"] if c["status"] != "PASS"]


def expect_only_failure(mode, failed_id, words=()):
    code, report, err = check(lambda port: f"{sys.executable} {CLIENTS} {mode} {port} {FRAMES}")
    got = statuses(report)
    assert code == 1, (code, err, describe(report))
    assert got[failed_id] == "FAIL", (failed_id, describe(report))
    others = [k for k, v in got.items() if v == "FAIL" and k != failed_id]
    assert not others, describe(report)
    for word in words:
        assert word in find(report, failed_id)["evidence"], find(report, failed_id)
    return report


@test
def frameloom_client_passes_every_check():
    code, report, err = check(lambda port: f"{CLIENT} --host 127.0.0.1 --port {port} "
                                           f"--frames {FRAMES} --quiet")
    assert code == 0, (code, err, describe(report))
    assert [c["id"] for c in report["checks"]] == ALL_CHECKS, report
    assert set(statuses(report).values()) == {"PASS"}, describe(report)
    # Two connections surely open at once, or more than one on average
    # (connections too short for two looks at the kernel's table in a row).
    figures = find(report, "concurrency")["figures"]
    assert figures["peak"] > 1 or figures["mean"] >= 1.25, figures
    assert find(report, "gif-pixels")["figures"]["exact_frames"] == FRAMES


@test
def a_good_client_passes_every_check():
    code, report, err = check(lambda port: f"{sys.executable} {CLIENTS} good {port} {FRAMES}")
    assert code == 0, (code, err, describe(report))
    assert set(statuses(report).values()) == {"PASS"}, describe(report)


@test
def the_lab_client_optimised_passes_every_check():
    if not PYTHON_PIL:
        raise Skip("Pillow is not installed (Debian: python3-pil)")
    code, report, err = check(lambda port: f"{PYTHON_PIL} {LAB_CLIENT} {port} {FRAMES} 4 2")
    assert code == 0, (code, err, describe(report))
    assert set(statuses(report).values()) == {"PASS"}, describe(report)


@test
def the_lab_first_client_passes_as_the_first_client():
    if not PYTHON_PIL:
        raise Skip("Pillow is not installed (Debian: python3-pil)")
    code, report, err = check(lambda port: f"{PYTHON_PIL} {LAB_CLIENT} {port} {FRAMES}",
                              extra=["--check-sequential"])
    got = statuses(report)
    assert code == 0, (code, err, describe(report))
    assert got["concurrency"] == "SKIP" and got["processes"] == "SKIP", got
    assert "FAIL" not in got.values() and "WARN" not in got.values(), describe(report)


@test
def a_client_with_one_connection_at_a_time_fails_concurrency():
    report = expect_only_failure("sequential", "concurrency", ["one connection at a time"])
    assert find(report, "concurrency")["figures"]["peak"] == 1


@test
def a_client_that_joins_two_gifs_fails_gif():
    expect_only_failure("concat", "gif", ["2 GIFs back to back", f"({FRAMES // 2} frames)"])


@test
def a_client_that_sorts_its_frames_as_text_fails_gif_order():
    expect_only_failure("lexical", "gif-order", ["10.png"])


@test
def a_client_that_fetches_twice_fails_connections():
    expect_only_failure("twice", "connections", ["more than once"])


@test
def a_client_without_the_timing_lines_fails_timing_lines():
    expect_only_failure("quiet", "timing-lines", ["Frames download time:"])


@test
def a_client_that_makes_the_gif_in_one_process_fails_processes():
    report = expect_only_failure("oneprocess", "processes", ["one process at a time"])
    assert find(report, "processes")["figures"]["peak_processes"] == 1


@test
def a_client_with_more_processes_than_cores_fails_processes():
    report = expect_only_failure("toomany", "processes", ["more than the"])
    figures = find(report, "processes")["figures"]
    assert figures["peak_processes"] > figures["cores"], figures


@test
def without_a_command_the_report_comes_once_the_gif_is_written():
    port = free_port()
    work = tempfile.mkdtemp(prefix="fl-check-client-")
    try:
        server = subprocess.Popen([SERVER, "--host", "127.0.0.1", "--port", str(port),
                                   "--check-client", "--json", "--check-frames", str(FRAMES),
                                   "--check-dir", work], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        line = server.stderr.readline()
        assert line == f"Listening on 127.0.0.1:{port}\n", line
        r = subprocess.run([CLIENT, "--host", "127.0.0.1", "--port", str(port), "--frames",
                            str(FRAMES), "--quiet"], cwd=work, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, r.stderr
        out, err = server.communicate(timeout=60)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = json.loads(out)
    assert server.returncode == 0, (err, describe(report))
    assert [c["id"] for c in report["checks"]] == ["connections", "frames", "concurrency", "gif",
                                                     "gif-order", "gif-pixels", "gif-timing"]


@test
def ctrl_c_ends_a_run_without_a_command_and_reports_it():
    port = free_port()
    work = tempfile.mkdtemp(prefix="fl-check-client-")
    server = subprocess.Popen([SERVER, "--host", "127.0.0.1", "--port", str(port),
                               "--check-client", "--check-dir", work], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert server.stdout.readline().startswith("Listening on")
    assert server.stdout.readline().startswith("Checking the client")
    time.sleep(0.3)
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=60)
    shutil.rmtree(work, ignore_errors=True)
    assert server.returncode == 1, (server.returncode, out, err)
    assert "FAIL  One connection per image" in out and "never connected" in out, out


@test
def usage_errors_exit_2():
    for args in (["--check-dir", "x"], ["--check-client", "--check-frames", "x"],
                 ["--json"], ["--check-client", "--trace", "t.json"],
                 ["--check-client", "--check-client-command", " "]):
        r = subprocess.run([SERVER] + args, capture_output=True, text=True, timeout=30)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert r.stderr.startswith("frameloom-server: "), (args, r.stderr)


@test
def a_client_command_that_cannot_start_is_one_sentence():
    r = subprocess.run([SERVER, "--host", "127.0.0.1", "--port", str(free_port()),
                        "--check-client", "--check-client-command", "/nonexistent/client"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1, r
    assert "Could not start “/nonexistent/client”" in r.stderr, r.stderr


run()
