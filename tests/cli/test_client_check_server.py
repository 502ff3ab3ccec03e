"""frameloom-client --check-server: the lab's server requirements, each a named
check. Small servers that each break one requirement (check_servers.py) must
fail that check by name; the lab's reference-style servers pass every check."""
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
from fltest import clienttest as ct
from fltest.taplib import Skip, run, test

SERVERS = fltest.peer("check_servers.py")
PYTHON = sys.executable
# The checker and the servers it starts run here: a test never writes into the
# source tree (a server's temporary file included).
WORK = tempfile.mkdtemp(prefix="fl-check-server-test-")
NETWORK_CHECKS = ["connect", "reply-png", "image-size", "closes", "fresh", "random", "held-open",
                  "burst", "under-load", "threads", "early-close", "timing"]
COMMAND_CHECKS = ["ctrl-c", "lines", "address-reuse"]


def check(mode=None, command=None, extra=(), port=None):
    """Runs the checker with --json; returns (exit status, report, stderr)."""
    port = port or ct.free_port()
    args = ["--check-server", f"127.0.0.1:{port}", "--json"] + list(extra)
    if command is None and mode is not None:
        command = f"{PYTHON} {SERVERS} {mode} {port}"
    if command is not None:
        args += ["--check-server-command", command]
    r = ct.run_client(args, WORK, timeout=240)
    report = json.loads(r.stdout) if r.stdout.strip() else None
    return r.returncode, report, r.stderr


def statuses(report):
    return {c["id"]: c["status"] for c in report["checks"]}


def find(report, check_id):
    return next(c for c in report["checks"] if c["id"] == check_id)


def expect_only_failure(mode, failed_id, words=()):
    """mode's server fails check failed_id (its evidence naming words), and
    nothing else fails."""
    code, report, err = check(mode)
    got = statuses(report)
    assert code == 1, (code, err)
    assert got[failed_id] == "FAIL", (failed_id, got, find(report, failed_id))
    others = {k: v for k, v in got.items() if v == "FAIL" and k != failed_id}
    assert not others, (others, [find(report, k)["evidence"] for k in others])
    evidence = find(report, failed_id)["evidence"]
    for word in words:
        assert word in evidence, (word, evidence)
    return report


@test
def a_good_server_passes_every_check():
    code, report, err = check("good")
    assert code == 0, (code, err, report)
    assert [c["id"] for c in report["checks"]] == NETWORK_CHECKS + COMMAND_CHECKS, report
    assert set(statuses(report).values()) == {"PASS"}, statuses(report)
    assert report["ok"] is True and report["failed"] == 0 and report["failed_connections"] == 0
    timing = find(report, "timing")["figures"]
    assert timing["connections_per_second"] > 0 and timing["reference_connections_per_second"] > 0
    assert timing["p50_ms"] <= timing["p99_ms"]
    assert find(report, "threads")["figures"]["peak_threads"] > 1


@test
def the_lab_server_passes_every_check():
    if not ct.PYTHON_PIL:
        raise Skip("Pillow is not installed (Debian: python3-pil)")
    port = ct.free_port()
    code, report, err = check(command=f"{ct.PYTHON_PIL} {fltest.peer('lab_server.py')} "
                                      f"{port}", port=port)
    assert code == 0, (code, err, [(c["id"], c["evidence"]) for c in report["checks"]
                                   if c["status"] != "PASS"])
    assert set(statuses(report).values()) == {"PASS"}, statuses(report)
    lines = find(report, "lines")
    assert lines["figures"]["sent_lines"] >= lines["figures"]["images_received"] > 500


@test
def frameloom_server_passes_without_a_command():
    with ct.frameloom_server() as server:
        code, report, err = check(port=server.port)
    assert code == 0, (code, err, report)
    assert [c["id"] for c in report["checks"]] == NETWORK_CHECKS
    assert set(statuses(report).values()) == {"PASS"}, statuses(report)


@test
def a_serial_server_fails_threads():
    report = expect_only_failure("serial", "threads", ["one thread"])
    assert find(report, "threads")["figures"]["peak_threads"] == 1


@test
def a_jpeg_server_fails_reply_png():
    report = expect_only_failure("jpeg", "reply-png", ["JPEG"])
    got = statuses(report)
    for check_id in NETWORK_CHECKS[2:]:
        assert got[check_id] == "SKIP", (check_id, got)


@test
def a_web_server_is_named_as_one():
    expect_only_failure("http", "reply-png", ["HTTP"])


@test
def text_is_named_as_text():
    expect_only_failure("text", "reply-png", ["text"])


@test
def nothing_sent_is_named_as_nothing():
    expect_only_failure("empty", "reply-png", ["without sending anything"])


@test
def half_a_png_fails_reply_png():
    report = expect_only_failure("truncated", "reply-png")
    assert "PNG" in find(report, "reply-png")["evidence"], find(report, "reply-png")


@test
def a_server_of_20x20_images_fails_image_size():
    report = expect_only_failure("big", "image-size", ["20x20", "10x10"])
    figures = find(report, "image-size")["figures"]
    assert (figures["width"], figures["height"]) == (20, 20), figures
    assert statuses(report)["under-load"] == "PASS", find(report, "under-load")


@test
def a_server_that_repeats_its_image_fails_fresh():
    report = expect_only_failure("same", "fresh", ["same image"])
    assert statuses(report)["under-load"] == "PASS"


@test
def a_server_of_solid_colours_fails_random():
    expect_only_failure("solid", "random", ["single colour"])


@test
def a_warning_alone_exits_0():
    code, report, err = check("fewcolours")
    got = statuses(report)
    assert got["random"] == "WARN", (got, find(report, "random"))
    assert "FAIL" not in got.values(), got
    assert code == 0 and report["ok"] is True and report["warned"] >= 1, (code, err)


@test
def a_server_without_address_reuse_fails_address_reuse():
    report = expect_only_failure("noreuse", "address-reuse", ["SO_REUSEADDR", "in use"])
    assert statuses(report)["ctrl-c"] == "PASS"


@test
def a_server_sharing_a_temporary_file_fails_under_load():
    before = set(os.listdir(fltest.FOLDER))
    code, report, err = check("tempfile")
    got = statuses(report)
    assert code == 1 and got["under-load"] == "FAIL", (got, find(report, "under-load"))
    assert got["burst"] == "PASS", find(report, "burst")
    # Its file went to a folder of its own, not the source tree nor the checker's.
    assert set(os.listdir(fltest.FOLDER)) == before, set(os.listdir(fltest.FOLDER)) - before
    assert os.listdir(WORK) == [], os.listdir(WORK)


@test
def a_server_that_keeps_connections_open_fails_closes():
    code, report, err = check("noclose")
    got = statuses(report)
    assert code == 1 and got["closes"] == "FAIL", got
    assert got["fresh"] == "SKIP", got


@test
def a_flaky_server_stops_the_run_unless_max_failures_allows():
    code, report, err = check("flaky")
    got = statuses(report)
    assert code == 1, code
    assert got["timing"] == "SKIP" and "--max-failures" in find(report, "timing")["evidence"], got
    code, report, err = check("flaky", extra=["--max-failures", "100000"])
    got = statuses(report)
    assert code == 1 and got["burst"] == "FAIL" and got["timing"] == "FAIL", got
    timing = find(report, "timing")["figures"]
    assert timing["connections_per_second"] > 0, timing
    assert report["failed_connections"] > 10
    assert "reset" in report["failures"][0]["sentence"], report["failures"]
    assert sum(f["count"] for f in report["failures"]) == report["failed_connections"]


@test
def nothing_listening_fails_connect_and_skips_the_rest():
    code, report, err = check(port=ct.free_port())
    got = statuses(report)
    assert code == 1 and got["connect"] == "FAIL", got
    assert "refused" in find(report, "connect")["evidence"]
    assert all(got[k] == "SKIP" for k in NETWORK_CHECKS[1:]), got


@test
def the_table_is_one_line_per_check():
    port = ct.free_port()
    r = ct.run_client(["--check-server", f"127.0.0.1:{port}", "--check-server-command",
                       f"{PYTHON} {SERVERS} jpeg {port}"], WORK, timeout=120)
    lines = r.stdout.splitlines()
    assert r.returncode == 1, r
    assert lines[0].startswith("Checking the server"), lines
    rows = [line for line in lines if line[:4] in ("PASS", "WARN", "FAIL", "SKIP")]
    assert len(rows) == len(NETWORK_CHECKS + COMMAND_CHECKS), lines
    assert any(row.startswith("FAIL  Sends one complete PNG") and "JPEG" in row for row in rows)
    assert "1 failed" in lines[-1] or any("1 failed" in line for line in lines), lines


@test
def usage_errors_exit_2():
    for args in (["--check-server-command", "x"], ["--check-server", "nohost:99999"],
                 ["--check-server", "127.0.0.1:1", "--max-failures", "x"],
                 ["--check-server", "127.0.0.1:1", "--threads", "4"],
                 ["--max-failures", "3"],
                 ["--check-server", "127.0.0.1:1", "--check-server-command", " "]):
        r = ct.run_client(args, WORK, timeout=30)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert r.stderr.startswith("frameloom-client: "), (args, r.stderr)


@test
def a_command_that_cannot_start_is_one_sentence():
    r = ct.run_client(["--check-server", f"127.0.0.1:{ct.free_port()}", "--check-server-command",
                       "/nonexistent/server --x"], WORK, timeout=30)
    assert r.returncode == 1, r
    assert "Could not start “/nonexistent/server --x”" in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1, r.stderr


@test
def a_port_already_taken_is_refused_before_the_command_starts():
    with ct.frameloom_server() as server:
        r = ct.run_client(["--check-server", f"127.0.0.1:{server.port}",
                           "--check-server-command", f"{PYTHON} {SERVERS} good {server.port}"],
                          WORK, timeout=30)
    assert r.returncode == 1 and "already listens" in r.stderr, (r.returncode, r.stderr)


@test
def ctrl_c_stops_the_checker_and_the_server_it_started():
    port = ct.free_port()
    proc = subprocess.Popen([ct.CLIENT, "--check-server", f"127.0.0.1:{port}",
                             "--check-server-command", f"{PYTHON} {SERVERS} good {port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=WORK)
    first = proc.stdout.readline()
    assert first.startswith("Checking"), first
    assert proc.stdout.readline().startswith("PASS  Accepts")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, out, err)
    assert "Interrupted" in err, err
    # The started server is gone: nothing listens on its port again (a connect
    # is refused; no `ss`, whose iproute2 a fresh Debian may lack).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"something still listens on {port}")


try:
    run()
finally:
    shutil.rmtree(WORK, ignore_errors=True)
