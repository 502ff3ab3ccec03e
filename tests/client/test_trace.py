"""Trace files of real runs, parsed as the tools read them: every frame once,
no overlapping spans on a track, one named track per thread and per worker."""
import os
import sys
import tempfile
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..")]
import taplib  # noqa: E402
import clienttest  # noqa: E402
import tracecheck  # noqa: E402

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
