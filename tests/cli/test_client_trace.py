"""Trace files of real runs, parsed as the tools read them: every frame once,
no overlapping spans on a track, one named track per thread and per worker."""
import os
import sys
import tempfile
import subprocess

from fltest import taplib
from fltest import clienttest
from fltest import tracecheck

TRACE_RUN = os.environ.get("FRAMELOOM_TRACE_RUN", "")


def run_helper(port, frames, threads, processes, root):
    path = os.path.join(root, "trace.json")
    proc = subprocess.run([TRACE_RUN, str(port), str(frames), str(threads), str(processes),
                           root, path], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return path


@taplib.test
def core_trace_of_a_run():
    """The core's writer after a real run: 600 frames, 4 threads, 2 workers."""
    if not TRACE_RUN or not clienttest.SERVER or not os.environ.get("FRAMELOOM_GIF_WORKER"):
        raise taplib.Skip("the trace helper, the server or the GIF worker is not built")
    with tempfile.TemporaryDirectory() as root, clienttest.frameloom_server() as server:
        path = run_helper(server.port, 600, 4, 2, root)
        events = tracecheck.check_client(path, 600, 4, 2)
        phases = {e["name"] for e in tracecheck.spans(events, "phase")}
        assert {"connect", "wait for the reply", "write the frame"} <= phases, phases
        chunk = tracecheck.spans(events, "encode")[0]
        assert {"decode ms", "quantise ms", "compress ms"} <= set(chunk["args"]), chunk


def client(args, cwd, timeout=120):
    return subprocess.run([clienttest.CLIENT, "--quiet"] + args, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def need_programs():
    if not clienttest.CLIENT or not clienttest.SERVER or not os.environ.get("FRAMELOOM_GIF_WORKER"):
        raise taplib.Skip("frameloom-client, frameloom-server or the GIF worker is not built")


@taplib.test
def client_trace():
    """frameloom-client --trace: the run on its tracks, and the lab's lines unchanged."""
    need_programs()
    with tempfile.TemporaryDirectory() as root, clienttest.frameloom_server() as server:
        path = os.path.join(root, "run.json")
        proc = client(["--port", str(server.port), "--frames", "800", "--threads", "3",
                       "--processes", "2", "--trace", path], root)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("Frames download time: "), proc.stdout
        tracecheck.check_client(path, 800, 3, 2)
        assert not [n for n in os.listdir(root) if n.startswith(".run.json")], os.listdir(root)


@taplib.test
def client_trace_of_a_failed_run():
    """A run that fails still leaves its trace: the attempts that failed, on their tracks."""
    need_programs()
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "failed.json")
        proc = client(["--port", "1", "--frames", "10", "--threads", "2", "--trace", path], root)
        assert proc.returncode == 1, proc
        events = tracecheck.load(path)
        failed = [e for e in tracecheck.spans(events, "download") if e["name"] == "failed"]
        retries = [e for e in tracecheck.spans(events, "download") if e["name"] == "retry"]
        # The frame that failed for good; the other thread's attempt was cut by the stop.
        assert any(e["args"]["error"] == "connect" for e in failed), failed
        assert all(e["args"]["error"] in ("connect", "cancelled") for e in failed), failed
        assert retries and all(e["args"]["error"] == "connect" for e in retries), retries
        tracecheck.check_nesting(events)
        stages = [e for e in events if e.get("ph") == "b" and e.get("cat") == "stage"]
        assert [e["args"].get("error") for e in stages] == ["connect"], stages


@taplib.test
def server_trace():
    """frameloom-server --trace: one span per connection, none overlapping on a
    handler's track, every connection once, the peers the client's."""
    need_programs()
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "server.json")
        server = clienttest.Process([clienttest.SERVER, "--host", "127.0.0.1", "--port", "0",
                                     "--quiet", "--trace", path], cwd=root)
        try:
            proc = client(["--port", str(server.port), "--frames", "300", "--threads", "4",
                           "--download-only"], root)
            assert proc.returncode == 0, proc.stderr
        finally:
            server.stop()
        events = tracecheck.load(path)
        assert list(tracecheck.process_names(events).values()) == ["frameloom-server"]
        names = tracecheck.tracks(events)
        assert names and all(n.startswith("handler thread ") for n in names.values()), names
        tracecheck.check_nesting(events)
        served = [e for e in tracecheck.spans(events, "serve")]
        assert sorted(e["args"]["connection"] for e in served) == list(range(300)), len(served)
        assert all(e["args"]["peer"].startswith("127.0.0.1:") for e in served), served[0]
        assert {(e["pid"], e["tid"]) for e in served} == set(names), "a track without a span"
        stages = [e["name"] for e in events if e.get("ph") == "b" and e.get("cat") == "stage"]
        assert stages == ["serve"], stages


@taplib.test
def unwritable_cli_traces():
    """A --trace that cannot be created: one sentence naming it, exit 2, nothing run."""
    need_programs()
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "missing", "t.json")
        proc = client(["--port", "1", "--frames", "10", "--trace", path], root)
        assert proc.returncode == 2, proc
        assert proc.stderr.count("\n") == 1 and path in proc.stderr, proc.stderr
        assert not os.path.exists(os.path.join(root, "frames")), os.listdir(root)
        proc = subprocess.run([clienttest.SERVER, "--port", "0", "--trace", path],
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2, proc
        assert proc.stderr.count("\n") == 1 and path in proc.stderr, proc.stderr
        assert "Listening" not in proc.stdout, proc.stdout


@taplib.test
def unwritable_trace_fails_before_the_run():
    """A trace that cannot be created is one sentence and exit 1; no frames fetched."""
    if not TRACE_RUN:
        raise taplib.Skip("the trace helper is not built")
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, "missing", "trace.json")
        proc = subprocess.run([TRACE_RUN, "1", "10", "2", "1", root, path],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1, proc
        assert proc.stderr.count("\n") == 1 and "trace.json" in proc.stderr, proc.stderr
        assert not os.path.exists(os.path.join(root, "frames")), os.listdir(root)


sys.exit(1 if taplib.run_tests() else 0)
