#!/usr/bin/env python3
"""frameloom-client --sweep and the run records: the table's rows and numbers
(medians of repetitions with their spread), --json's records and summaries and
their round trip through the core's loader (JSON and CSV), --compare's records,
Ctrl-C during a sweep, and bad --sweep and --repeat values."""
import json
import os
import re
import signal
import statistics
import subprocess
import time

from fltest import clienttest as ct
from fltest.taplib import fixture, run, test

RECORDS_TOOL = os.environ.get("FRAMELOOM_RECORDS_TOOL", "")
if not ct.CLIENT or not ct.SERVER or not RECORDS_TOOL:
    ct.skip("FRAMELOOM_CLIENT, FRAMELOOM_SERVER or FRAMELOOM_RECORDS_TOOL is not set")
if not os.environ.get("FRAMELOOM_GIF_WORKER"):
    ct.skip("FRAMELOOM_GIF_WORKER is not set")

server = ct.frameloom_server()
work = ct.temp_dir()
FRAMES = 200
# Parameter, value, runs, median, min, max, frames/s, speed-up, efficiency, ideal, verdict.
ROW = re.compile(r"(threads|processes)\s+(\d+)\s+(\d+)\s+(\d+\.\d+)\s+(\d+\.\d+)\s+"
                 r"(\d+\.\d+)\s+(\d+\.\d)\s+(\d+\.\d\d)x\s+(\d+)%\s+(\d+\.\d\d)x\s+"
                 r"(baseline|faster|slower|no clear difference|one run: no spread)")
VERDICTS = {"baseline", "faster", "slower", "no clear difference", "unknown"}


def records_tool(fmt, path):
    return subprocess.run([RECORDS_TOOL, fmt, path], capture_output=True, text=True, timeout=30)


def close(a, b, tolerance):
    return abs(a - b) <= tolerance


@test
def bad_sweep_values_and_combinations_exit_2_with_a_sentence_and_do_nothing():
    wrong = []
    for args, needle in [
        (["--sweep", "threads=0"], "The sweep \"threads=0\" is not valid: \"0\" is not a number"),
        (["--sweep", "threads="], "it lists no values"),
        (["--sweep", "threads"], "expected threads=N,N,... or processes=N,N,..."),
        (["--sweep", "colours=1,2"], "the parameter must be threads or processes"),
        (["--sweep", "processes=1,x"], "\"x\" is not a number from 1 to 256"),
        (["--sweep", "threads=1,5000"], "\"5000\" is not a number from 1 to 4096"),
        (["--sweep", "threads=1", "--compare"], "drop --compare"),
        (["--sweep", "threads=1", "--sequential"], "drop --compare and --sequential"),
        (["--sweep", "threads=1", "--encode-only"], "drop --encode-only"),
        (["--sweep", "processes=1", "--download-only"], "drop --download-only"),
        # The swept value would silently replace these: refused, not ignored.
        (["--sweep", "threads=1,2", "--threads", "8"], "drop --threads"),
        (["--sweep", "processes=1,2", "--processes", "2"], "drop --processes"),
        (["--sweep", "threads=1", "--repeat", "0"], "Repetitions \"0\" is not valid"),
        (["--compare", "--warmup", "x"], "Warm-up runs \"x\" is not valid"),
        # One run is the lab's one run: repetitions belong to a compare or a sweep.
        (["--repeat", "3"], "add one of those"),
        (["--fresh-frames"], "add one of those"),
    ]:
        r = ct.run_client(args, work)
        first = r.stderr.splitlines()[0] if r.stderr else ""
        if not (r.returncode == 2 and first.startswith("frameloom-client: ") and needle in first
                and len(r.stderr.splitlines()) <= 2 and r.stdout == ""):
            wrong.append(f"{' '.join(args)}: status {r.returncode}, stderr {r.stderr!r}")
    assert not wrong, "\n".join(wrong)
    assert not os.path.exists(os.path.join(work, "frames")), "a bad sweep created frames/"


def base():
    return ["--port", str(server.port), "--frames", str(FRAMES)]


@fixture
def table_run():
    """A sweep of 3 thread counts and 2 process counts, 2 timed runs each after a
    warm-up: (result, stdout lines, the 5 rows' matches)."""
    r = ct.run_client(base() + ["--sweep", "threads=1,2,4", "--sweep", "processes=1,2",
                                "--repeat", "2", "--frames-dir", "table", "--output",
                                "table.gif"], work)
    lines = r.stdout.splitlines()
    return r, lines, [ROW.fullmatch(line.strip()) for line in lines[1:6]]


@test
def a_sweep_prints_one_row_per_value_in_the_order_asked():
    r, lines, rows = table_run()
    # Quiet on a pipe.
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert lines and lines[0].split() == ["Parameter", "Value", "Runs", "Median", "s", "Min",
                                          "s", "Max", "s", "Frames/s", "Speed-up", "Effic.",
                                          "Ideal", "Verdict"], r.stdout
    # 3 thread counts and 2 process counts.
    assert len(rows) == 5 and all(rows), r.stdout
    got = [(m.group(1), int(m.group(2)), int(m.group(3))) for m in rows]
    assert got == [("threads", 1, 2), ("threads", 2, 2), ("threads", 4, 2),
                   ("processes", 1, 2), ("processes", 2, 2)], f"not 2 runs each in order: {got}"


@test
def each_row_s_median_spread_frames_per_second_and_speedup_agree():
    # frames/s = frames / median and the speed-up = the sweep's first median /
    # this one's, to the printed precision.
    r, lines, rows = table_run()
    assert len(rows) == 5 and all(rows), r.stdout
    consistent = True
    for group in (rows[:3], rows[3:]):
        first = float(group[0].group(4))
        consistent &= group[0].group(11) == "baseline"
        for m in group:
            median, low, high, rate, speedup = (float(m.group(i)) for i in (4, 5, 6, 7, 8))
            expected_rate = FRAMES / median
            consistent &= low <= median <= high
            # seconds have 6 decimals, rate 1: allow for both roundings.
            consistent &= close(rate, expected_rate, 0.06 + expected_rate * 1e-5 / median)
            consistent &= close(speedup, first / median, 0.006 + first * 1e-6 / median ** 2)
    assert consistent, r.stdout


@test
def the_table_says_how_each_point_was_measured_with_one_sentence_per_sweep():
    r, lines, rows = table_run()
    assert len(lines) >= 9 and lines[6] == ("2 timed runs after 1 warm-up each; every download "
                                            "overwrote the frames in place"), r.stdout
    assert (any(line.startswith("Threads: ") and line.endswith(".") for line in lines[7:])
            and any(line.startswith("Processes: ") for line in lines[7:])), r.stdout


@test
def a_sweep_leaves_the_gif_and_every_frame():
    table_run()
    # The processes sweep wrote the GIF.
    assert os.path.isfile(os.path.join(work, "table.gif")), os.listdir(work)
    ct.assert_frames(os.path.join(work, "table"), FRAMES)


@fixture
def json_sweep():
    """--json of 2 thread counts and 2 process counts, 2 repetitions each, saved to
    runs.csv too: (result, document, records)."""
    r = ct.run_client(base() + ["--sweep", "threads=1,3", "--sweep", "processes=2,1", "--json",
                                "--repeat", "2", "--frames-dir", "json", "--output", "json.gif",
                                "--save-records", "runs.csv"], work)
    try:
        doc = json.loads(r.stdout)
        records = doc["records"]
    except (ValueError, KeyError, TypeError) as e:
        raise AssertionError(f"--sweep --json printed no JSON: {e}: {r.stdout!r}") from e
    return r, doc, records


@test
def sweep_json_prints_8_records_labelled_in_rounds():
    # Every repetition is a record, in rounds (every point once per round), the
    # warm-ups left out.
    r, doc, records = json_sweep()
    assert r.returncode == 0 and len(records) == 8, r.stdout + r.stderr
    assert [(rec["label"], rec["repetition"]) for rec in records] == [
        ("threads=1", 1), ("threads=3", 1), ("threads=1", 2), ("threads=3", 2),
        ("processes=2", 1), ("processes=1", 1), ("processes=2", 2), ("processes=1", 2)], records


@test
def each_sweep_record_s_figures_agree_with_its_configuration():
    r, doc, records = json_sweep()
    assert len(records) == 8, r.stdout + r.stderr
    good = True
    for rec in records[:4]:
        good &= (rec["ok"] and rec["ran_download"] and not rec["ran_encode"]
                 and rec["frames"] == FRAMES and rec["encode_seconds"] is None
                 and rec["failures"] == 0 and rec["server"] == f"127.0.0.1:{server.port}"
                 and 0 < rec["download_wait_seconds"] < rec["download_seconds"] * rec["threads"]
                 and close(rec["download_rate"], FRAMES / rec["download_seconds"], 1e-6))
    for rec in records[4:]:
        good &= (rec["ok"] and rec["ran_encode"] and not rec["ran_download"]
                 and rec["width"] == 10 and rec["height"] == 10
                 and close(rec["encode_rate"], FRAMES / rec["encode_seconds"], 1e-6))
    good &= [rec["threads"] for rec in records[:4]] == [1, 3, 1, 3]
    good &= [rec["processes"] for rec in records[4:]] == [2, 1, 2, 1]
    assert good, records


@test
def each_sweep_summary_s_medians_spreads_and_verdicts_follow_the_records():
    r, doc, records = json_sweep()
    assert len(records) == 8, r.stdout + r.stderr
    summaries = doc.get("sweeps", [])
    good = (len(summaries) == 2 and doc["repeat"] == 2 and doc["warmup"] == 1
            and doc["fresh_frames"] is False
            and [s["kind"] for s in summaries] == ["threads", "processes"])
    for summary, key in zip(summaries, ("download_seconds", "encode_seconds")):
        points = summary["points"]
        good &= [p["label"] for p in points] == sorted({rec["label"] for rec in records
                                                        if rec[key] is not None},
                                                       key=lambda x: [r["label"] for r in
                                                                      records].index(x))
        for p in points:
            values = [rec[key] for rec in records if rec["label"] == p["label"]]
            good &= (p["repetitions"] == 2
                     and close(p["seconds"]["median"], statistics.median(values), 1e-12)
                     and p["seconds"]["min"] == min(values)
                     and p["seconds"]["max"] == max(values)
                     and p["verdict"] in VERDICTS)
            b = points[0]["seconds"]
            overlap = p["seconds"]["min"] <= b["max"] and b["min"] <= p["seconds"]["max"]
            if p is not points[0]:
                good &= (p["verdict"] == "no clear difference") == overlap
        good &= isinstance(summary["sentence"], str) and summary["sentence"].endswith(".")
    assert good, summaries


@test
def save_records_csv_holds_the_json_records_and_both_formats_read_back_unchanged():
    r, doc, records = json_sweep()
    back = records_tool("json", os.path.join(work, "runs.csv"))
    assert back.returncode == 0 and json.loads(back.stdout) == records, back.stderr
    with open(os.path.join(work, "runs.json"), "w") as f:
        f.write(back.stdout)
    # The JSON reads back through fl_run_records_load to the same text.
    again = records_tool("json", os.path.join(work, "runs.json"))
    assert again.returncode == 0 and again.stdout == back.stdout, \
        again.stderr + again.stdout[:300]
    with open(os.path.join(work, "runs.csv")) as f:
        csv_text = f.read()
    # The CSV reads back to the same text: a header and 8 rows.
    back = records_tool("csv", os.path.join(work, "runs.csv"))
    assert back.returncode == 0 and back.stdout == csv_text and len(csv_text.splitlines()) == 9, \
        back.stderr
    leftovers = [n for n in os.listdir(work) if n.startswith(".runs")]
    assert not leftovers, f"temporary files beside the records: {leftovers}"


@test
def a_damaged_records_csv_is_named_by_line_and_field():
    json_sweep()
    with open(os.path.join(work, "runs.csv")) as f:
        csv_text = f.read()
    with open(os.path.join(work, "bad.csv"), "w") as f:
        f.write(csv_text.replace(",true,false,", ",maybe,false,", 1))
    back = records_tool("csv", os.path.join(work, "bad.csv"))
    assert back.returncode == 1 and re.fullmatch(
        r"Could not read run records from .*bad\.csv: line 2, field \"ran_download\": "
        r"expected true or false\n", back.stderr), back.stderr


@test
def compare_json_carries_its_runs_as_records():
    # 3 timed rounds of baseline and chosen after a warm-up; the speed-up is the
    # ratio of the medians, "baseline" and "chosen" the last runs.
    r = ct.run_client(base() + ["--compare", "--json", "--frames-dir", "cmp", "--output",
                                "cmp.gif", "--threads", "3", "--processes", "2"], work)
    try:
        doc = json.loads(r.stdout)
        recs = doc["records"]
        b = [x["download_seconds"] for x in recs if x["label"] == "baseline"]
        c = [x["download_seconds"] for x in recs if x["label"] == "chosen"]
        ok = ([x["label"] for x in recs] == ["baseline", "chosen"] * 3
              and [x["repetition"] for x in recs] == [1, 1, 2, 2, 3, 3]
              and [x["threads"] for x in recs] == [1, 3] * 3
              and [x["processes"] for x in recs] == [1, 2] * 3
              and recs[4]["download_seconds"] == doc["baseline"]["download"]["seconds"]
              and recs[5]["encode_seconds"] == doc["chosen"]["encode"]["seconds"]
              and close(doc["speedup"]["download"], statistics.median(b) / statistics.median(c),
                        1e-9 * doc["speedup"]["download"])
              and doc["summary"]["download"]["points"][1]["verdict"] in VERDICTS
              and doc["summary"]["encode"]["sentence"].endswith("."))
    except (ValueError, KeyError, TypeError) as e:
        ok = False
        r.stdout += f"\n{e}"
    assert r.returncode == 0 and ok, r.stdout + r.stderr


@test
def ctrl_c_during_a_sweep_stops_it_quickly_with_one_sentence():
    # The run in progress stops, no later run starts.
    proc = subprocess.Popen([ct.CLIENT, "--port", str(server.port), "--frames", "4000",
                             "--sweep", "threads=1,1,1,1,1,1,1,1", "--frames-dir", "cancel"],
                            cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    elapsed = time.monotonic() - start
    m = re.fullmatch(r"frameloom-client: Interrupted: the sweep stopped after (\d+) of its 24 "
                     r"timed runs\n", err)
    assert proc.returncode == 130 and m is not None and out == "", f"{proc.returncode} {err!r}"
    assert m is not None and int(m.group(1)) < 24, f"the sweep finished its runs: {err}"
    assert elapsed < 3.0, f"{elapsed:.2f} s"


try:
    run()
finally:
    server.stop()
    ct.remove(work)
