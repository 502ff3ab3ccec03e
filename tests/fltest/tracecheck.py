"""Checks a trace file the way Perfetto and chrome://tracing read it (standard library only)."""
import json
from collections import defaultdict


def load(path):
    """The trace's events; the file must be one JSON object with traceEvents."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    assert isinstance(data, dict) and isinstance(data.get("traceEvents"), list), \
        "not a Trace Event object"
    return data["traceEvents"]


def tracks(events):
    """{(pid, tid): name} of the named thread tracks."""
    return {(e["pid"], e["tid"]): e["args"]["name"] for e in events
            if e.get("ph") == "M" and e.get("name") == "thread_name"}


def process_names(events):
    return {e["pid"]: e["args"]["name"] for e in events
            if e.get("ph") == "M" and e.get("name") == "process_name"}


def spans(events, cat=None):
    return [e for e in events if e.get("ph") == "X" and (cat is None or e.get("cat") == cat)]


def check_nesting(events):
    """Top-level spans on one track never overlap; phases lie inside a top-level
    span of their track. Returns the top-level spans by track."""
    by_track = defaultdict(list)
    phases = defaultdict(list)
    for e in spans(events):
        assert e["dur"] >= 0, f"negative duration: {e}"
        (phases if e["cat"] == "phase" else by_track)[(e["pid"], e["tid"])].append(e)
    for key, items in by_track.items():
        items.sort(key=lambda e: e["ts"])
        for a, b in zip(items, items[1:]):
            assert b["ts"] >= a["ts"] + a["dur"], \
                f"spans overlap on track {key}: {a} and {b}"
    for key, items in phases.items():
        parents = by_track[key]
        for p in items:
            assert any(s["ts"] <= p["ts"] and p["ts"] + p["dur"] <= s["ts"] + s["dur"]
                       for s in parents), f"phase outside every span of track {key}: {p}"
    return by_track


def check_client(path, frames, threads, workers, program="frameloom-client"):
    """A good client run: every frame fetched exactly once, chunks covering every
    frame once, no overlap on a track, threads + workers named tracks, both
    stages. Returns the events."""
    events = load(path)
    assert list(process_names(events).values()) == [program], process_names(events)
    names = tracks(events)
    downloads = sorted(n for n in names.values() if n.startswith("download thread "))
    gif_workers = sorted(n for n in names.values() if n.startswith("GIF worker "))
    assert len(names) == threads + workers, f"{len(names)} tracks: {sorted(names.values())}"
    assert len(downloads) == threads and len(gif_workers) == workers, sorted(names.values())
    check_nesting(events)
    fetched = [e["args"]["frame"] for e in spans(events, "download") if e["name"] == "frame"]
    assert sorted(fetched) == list(range(frames)), \
        f"{len(fetched)} frame spans for {frames} frames, {len(set(fetched))} distinct"
    for e in spans(events, "download"):
        assert names[(e["pid"], e["tid"])].startswith("download thread "), e
    covered = []
    for e in spans(events, "encode"):
        assert e["name"] == "chunk", e
        assert names[(e["pid"], e["tid"])].startswith("GIF worker "), e
        covered += range(e["args"]["first frame"], e["args"]["first frame"] + e["args"]["frames"])
    assert sorted(covered) == list(range(frames)), "the chunks do not cover every frame once"
    stages = [e["name"] for e in events if e.get("ph") == "b" and e.get("cat") == "stage"]
    assert stages == ["download", "GIF"], stages
    return events
