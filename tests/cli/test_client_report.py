"""frameloom-client --report DIR: the report names the machine and every run,
and the command it gives for a run repeats that run."""
import contextlib
import os
import shlex
import subprocess
import sys
import tempfile

from fltest import taplib
from fltest import clienttest
from fltest.pngcheck import png_pixels


def need_programs():
    if not clienttest.CLIENT or not clienttest.SERVER or not os.environ.get("FRAMELOOM_GIF_WORKER"):
        raise taplib.Skip("frameloom-client, frameloom-server or the GIF worker is not built")


def client(args, cwd):
    return subprocess.run([clienttest.CLIENT, "--quiet"] + args, cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, LANGUAGE="C", LC_ALL="C"))


@contextlib.contextmanager
def reported_run(args):
    """Runs the client with `--port PORT args --report out` against a fresh server,
    in a fresh folder root; yields (root, the run, report.md's text) while the
    server still runs."""
    need_programs()
    with tempfile.TemporaryDirectory() as root, clienttest.frameloom_server() as server:
        proc = client(["--port", str(server.port)] + args + ["--report", "out"], root)
        assert proc.returncode == 0, proc.stderr
        with open(os.path.join(root, "out", "report.md"), encoding="utf-8") as f:
            text = f.read()
        yield root, proc, text


@taplib.test
def sweep_report():
    """A sweep's report: the machine, a row per run, a command per run that repeats it."""
    with reported_run(["--frames", "200", "--sweep", "threads=1,3", "--sweep",
                       "processes=1,2"]) as (root, _, text):
        for heading in ("# Frameloom report", "## Machine", "## Runs"):
            assert heading in text, text
        for row in ("| Cores | %d |" % os.cpu_count(), "| GLib | 2.", "| libpng | 1.", "| giflib | 5."):
            assert row in text, text
        assert "--sweep threads=1,3 --sweep processes=1,2 --report out" in text, text
        for label in ("threads=1", "threads=3", "processes=1", "processes=2"):
            for repetition in (1, 2, 3):  # the default: 3 timed runs a point
                assert f"| {label} | {repetition} | 200 |" in text, text
        commands = [line.strip() for line in text.splitlines()
                    if line.startswith("      frameloom-client ")]
        assert len(commands) == 4, commands
        assert "--threads 3" in commands[1] and "--download-only" in commands[1], commands
        assert "--processes 2" in commands[3] and "--encode-only" in commands[3], commands
        # The second run again, from its line: the same stage, the same frames.
        argv = shlex.split(commands[1])
        again = client(argv[1:] + ["--json"], root)
        assert again.returncode == 0, again.stderr
        assert '"threads": 3' in again.stdout and '"download": true' in again.stdout, again.stdout


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", head
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@taplib.test
def run_report_has_the_timeline():
    """A run's report links the timeline's PNG and SVG beside it, with its figures."""
    with reported_run(["--frames", "120", "--threads", "3", "--processes", "2"]) \
            as (root, _, text):
        out = os.path.join(root, "out")
        assert "## Timeline" in text, text
        assert "](timeline.png)" in text and "](timeline.svg)" in text, text
        assert "- download thread 3: busy " in text, text
        assert "- GIF worker 2: busy " in text, text
        assert "Load imbalance between GIF workers: " in text, text
        width, height = png_size(os.path.join(out, "timeline.png"))
        # 1200 wide; 3 + 2 rows between the axis and the legend.
        assert width == 1200 and 150 < height < 400, (width, height)
        with open(os.path.join(out, "timeline.svg"), encoding="utf-8") as f:
            assert "<svg" in f.read(200), "not an SVG"
        assert sorted(os.listdir(out)) == ["report.md", "timeline.png", "timeline.svg"], \
            os.listdir(out)


# fl_draw_style_init's accent, the measurements' colour: #3584e4.
ACCENT = bytes((53, 132, 228, 255))


@taplib.test
def sweep_report_has_its_table_and_chart():
    """A threads sweep's report: its table and sentence, and its chart as PNG and SVG."""
    with reported_run(["--sweep", "threads=1,2", "--repeat", "2", "--warmup", "0",
                       "--frames", "40"]) as (root, proc, text):
        out = os.path.join(root, "out")
        assert "\n## Threads sweep\n" in text, text
        assert "| Point | Runs | Median (s) | Min..max (s) | Speed-up | Efficiency | Ideal | " \
               "Verdict |" in text, text
        assert "| threads=1 | 2 | " in text and "| 1.00× | 100% | 1.00× | baseline |" in text, text
        assert "| threads=2 | 2 | " in text, text
        # The sentence the CLI printed for the sweep, under the table.
        sentence = [line for line in proc.stdout.splitlines() if line.startswith("Threads: ")]
        assert len(sentence) == 1, proc.stdout
        assert "\n" + sentence[0][len("Threads: "):] + "\n" in text, (sentence, text)
        assert "](sweep-threads.png)" in text and "](sweep-threads.svg)" in text, text
        assert text.index("## Threads sweep") < text.index("](sweep-threads.png)"), text
        assert "## Processes sweep" not in text and "## Compare" not in text, text
        with open(os.path.join(out, "sweep-threads.png"), "rb") as f:
            width, height, rows = png_pixels(f.read())
        assert (width, height) == (900, 640), (width, height)
        assert any(_has_pixel(row, ACCENT) for row in rows), "no accent colour"
        with open(os.path.join(out, "sweep-threads.svg"), encoding="utf-8") as f:
            assert "<svg" in f.read(200), "not an SVG"
        assert sorted(os.listdir(out)) == ["report.md", "sweep-threads.png", "sweep-threads.svg",
                                           "timeline.png", "timeline.svg"], os.listdir(out)


def _has_pixel(row, rgba):
    return any(row[i:i + 4] == rgba for i in range(0, len(row), 4))


@taplib.test
def compare_report_has_its_table():
    """A compare's report: a row per stage against the baseline, and the sentences."""
    with reported_run(["--compare", "--threads", "2", "--processes", "2", "--repeat", "2",
                       "--warmup", "0", "--frames", "40"]) as (root, proc, text):
        assert "\n## Compare\n" in text, text
        assert "| Stage | Baseline s (min..max) | Chosen s (min..max) | Speed-up | Verdict |" \
            in text, text
        assert "\n| Download | " in text and "\n| GIF | " in text, text
        for stage in ("Download", "GIF"):
            line = [l for l in proc.stdout.splitlines() if l.startswith(stage + ": ")]
            assert len(line) == 1, proc.stdout
            assert "\n- " + line[0] + "\n" in text, (line, text)
        assert "## Threads sweep" not in text and "sweep-" not in text, text
        assert not any(name.startswith("sweep-") for name in os.listdir(os.path.join(root, "out")))


@taplib.test
def report_folder_that_cannot_be():
    """A --report folder that cannot be made: one sentence, exit 2, nothing run."""
    need_programs()
    with tempfile.TemporaryDirectory() as root:
        blocker = os.path.join(root, "file")
        open(blocker, "w").close()
        proc = client(["--port", "1", "--frames", "10", "--report", os.path.join(blocker, "r")],
                      root)
        assert proc.returncode == 2, proc
        assert proc.stderr.count("\n") == 1 and blocker in proc.stderr, proc.stderr
        assert not os.path.exists(os.path.join(root, "frames")), os.listdir(root)


sys.exit(1 if taplib.run_tests() else 0)
