#!/usr/bin/env python3
"""Turns bench/run-client.sh's raw results (one JSON object per line) into markdown:
per stage the median seconds of every contender, the checks of every GIF, and the
ratios behind the client's speed goals (ratio of medians, and in brackets the median
of the ratios within each repetition, where both ran back to back).
Usage: summarize-client.py RAW.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

LABELS = {
    ("download", "py-seq"): "lab's Python client, unoptimised (`lab_client.py`)",
    ("download", "py-opt"): "lab's Python client, optimised (8 threads)",
    ("download", "fl-seq"): "`frameloom-client --sequential --download-only`",
    ("download", "fl"): "`frameloom-client --download-only` (defaults: 4 threads)",
    ("download", "c-floor"): "C floor: `fl-loadgen --threads 4 --write-dir` vs nginx",
    ("gif", "pillow-seq"): "Pillow as the lab does (`lab_client.py`'s make_gif)",
    ("gif", "pillow-opt"): "Pillow + `multiprocessing.Pool` (optimised client's make_gif)",
    ("gif", "convert"): "ImageMagick `convert -delay 50 -loop 0 <files>`",
    ("gif", "convert-nodither"): "ImageMagick `convert +dither -delay 50 -loop 0 <files>`",
    ("gif", "ffmpeg"): "ffmpeg `-framerate 2 -i %d.png out.gif` (default)",
    ("gif", "ffmpeg-pal"): "ffmpeg, per-frame palettegen/paletteuse, no dither",
    ("gif", "fl-P1"): "`frameloom-client --encode-only -P 1`",
    ("gif", "fl-P2"): "`frameloom-client --encode-only -P 2` (default)",
    ("gif", "decode-floor"): "decode floor: libpng only, 1 process (`decode-floor`)",
    ("gif", "gif-floor"): "libpng + giflib floor, 1 process (`decode-floor DIR N OUT`)",
    ("e2e", "py-seq"): "lab's Python client, unoptimised",
    ("e2e", "py-opt"): "lab's Python client, optimised",
    ("e2e", "fl-seq"): "`frameloom-client --sequential`",
    ("e2e", "fl"): "`frameloom-client` (defaults)",
}
TITLES = {
    "download": "Download stage, frames of 10x10 from frameloom-server (C floor: nginx)",
    "gif10": "GIF stage alone, the same frames of 10x10",
    "gif64": "GIF stage alone, frames of 64x64 with ~4096 colours each (quantised)",
    "e2e": "End to end (download + GIF), defaults, frameloom-server",
}


def label(stage, tool):
    return LABELS.get(("gif" if stage.startswith("gif") else stage, tool), tool)


def main():
    if len(sys.argv) != 2:
        sys.exit("Usage: summarize-client.py RAW.jsonl")
    seconds = defaultdict(list)
    walls = defaultdict(list)
    extra = defaultdict(lambda: defaultdict(list))
    by_rep = {}
    checks = {}
    identity = {}
    order = defaultdict(list)
    with open(sys.argv[1]) as raw:
        for line in raw:
            r = json.loads(line)
            stage = r["stage"]
            if stage.startswith("check-"):
                checks[(stage[6:], r["tool"])] = r["result"]
                continue
            if stage.startswith("identity-"):
                identity[stage[9:]] = r["identical"]
                continue
            key = (stage, r["tool"])
            if r["tool"] not in order[stage]:
                order[stage].append(r["tool"])
            seconds[key].append(r["seconds"])
            walls[key].append(r["wall"])
            by_rep[(stage, r["tool"], r["rep"])] = r["seconds"]
            for field in ("download", "gif", "frames", "extrapolated"):
                if field in r:
                    extra[key][field].append(r[field])
    med = {k: statistics.median(v) for k, v in seconds.items()}

    def ratio(stage, a, b):
        if (stage, a) not in med or (stage, b) not in med or med[(stage, a)] == 0:
            return "n/a"
        pairs = [by_rep[(stage, b, rep)] / by_rep[(stage, a, rep)]
                 for (s, t, rep) in by_rep
                 if s == stage and t == a and (stage, b, rep) in by_rep and by_rep[(stage, a, rep)]]
        paired = f" ({statistics.median(pairs):.2f})" if len(pairs) > 1 else ""
        return f"{med[(stage, b)] / med[(stage, a)]:.2f}{paired}"

    for stage in ("download", "gif10", "gif64", "e2e"):
        if stage not in order:
            continue
        print(f"#### {TITLES[stage]}")
        print()
        head = "| contender | median s | min .. max | median wall s | reps |"
        rule = "|---|---:|---:|---:|---:|"
        if stage.startswith("gif"):
            head += " frames (Pillow) | exact frames | max / mean error | GIF bytes |"
            rule += "---:|---:|---:|---:|"
        if stage == "e2e":
            head += " median download s | median GIF s |"
            rule += "---:|---:|"
        print(head)
        print(rule)
        kind = "gif" if stage.startswith("gif") else stage
        known = [t for (k, t) in LABELS if k == kind]
        tools = sorted(order[stage], key=lambda t: known.index(t) if t in known else len(known))
        for tool in tools:
            key = (stage, tool)
            cells = [label(stage, tool), f"{med[key]:.3f}",
                     f"{min(seconds[key]):.3f} .. {max(seconds[key]):.3f}",
                     f"{statistics.median(walls[key]):.3f}", str(len(seconds[key]))]
            if extra[key].get("extrapolated"):
                cells[1] += f" (extrapolated from {extra[key]['frames'][0]} frames)"
            if stage.startswith("gif"):
                c = checks.get(key)
                if c:
                    err = "0" if c["max_error"] == 0 else f"{c['max_error']} / {c['mean_error']}"
                    cells += [f"{c['n_frames']} of {c['expected']}", f"{c['exact']}",
                              err, f"{c['bytes']:,}"]
                else:
                    cells += ["-", "-", "-", "-"]
            if stage == "e2e":
                cells += [f"{statistics.median(extra[key]['download']):.3f}",
                          f"{statistics.median(extra[key]['gif']):.3f}"]
            print("| " + " | ".join(cells) + " |")
        print()
        if stage in identity:
            print(f"frameloom's GIF byte-identical for P = 1 and P = 2: {identity[stage]}.")
            print()

    print("#### Ratios (how many times faster; median of the per-repetition ratios in brackets)")
    print()
    print("| ratio | value | goal |")
    print("|---|---:|---|")
    rows = [
        ("download: C floor time / frameloom default time", "download", "fl", "c-floor",
         ">= 1/1.2 = 0.83 (frameloom within 1.2x of the floor)"),
        ("download: optimised Python / frameloom default", "download", "fl", "py-opt", "~6"),
        ("download: unoptimised Python / frameloom default", "download", "fl", "py-seq", ""),
        ("download: frameloom --sequential / frameloom default", "download", "fl", "fl-seq", ""),
        ("GIF 10x10: Pillow + Pool (optimised) / frameloom P=2", "gif10", "fl-P2", "pillow-opt", "~85"),
        ("GIF 10x10: Pillow (lab) / frameloom P=2", "gif10", "fl-P2", "pillow-seq", ""),
        ("GIF 10x10: convert +dither / frameloom P=2", "gif10", "fl-P2", "convert-nodither", ""),
        ("GIF 10x10: ffmpeg default / frameloom P=2", "gif10", "fl-P2", "ffmpeg", ""),
        ("GIF 10x10: libpng + giflib floor / frameloom P=2", "gif10", "fl-P2", "gif-floor", "> 1"),
        ("GIF 10x10: decode floor / frameloom P=2", "gif10", "fl-P2", "decode-floor", ""),
        ("GIF 10x10: frameloom P=1 / P=2", "gif10", "fl-P2", "fl-P1", ""),
        ("GIF 64x64: frameloom P=1 / P=2", "gif64", "fl-P2", "fl-P1", ">= 1.6"),
        ("GIF 64x64: decode floor / frameloom P=2", "gif64", "fl-P2", "decode-floor", ""),
        ("end to end: optimised Python / frameloom default", "e2e", "fl", "py-opt", "> 20"),
        ("end to end: unoptimised Python / frameloom default", "e2e", "fl", "py-seq", ""),
    ]
    for text, stage, a, b, goal in rows:
        value = ratio(stage, a, b)
        if value != "n/a":
            print(f"| {text} | {value} | {goal} |")
    if ("gif10", "fl-P2") in med:
        print()
        print(f"frameloom P=2 GIF stage, 10x10: median {med[('gif10', 'fl-P2')]:.3f} s "
              "(goal < 0.040 s).")


if __name__ == "__main__":
    main()
