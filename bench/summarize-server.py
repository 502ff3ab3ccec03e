#!/usr/bin/env python3
"""Turns bench/run-server.sh's raw results (one JSON object per line) into markdown:
medians per server and concurrency, and the ratios of frameloom-server to the references.
Usage: summarize-server.py RAW.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

LABELS = {
    "frameloom": "frameloom-server --quiet",
    "frameloom-print": "frameloom-server (lab lines to /dev/null)",
    "nginx-w1": "nginx stream return, 1 worker",
    "nginx-w2": "nginx stream return, 2 workers",
    "python": "lab's Python server",
    "frameloom-base": "frameloom-server --quiet, baseline build",
}
ORDER = ["frameloom", "frameloom-print", "nginx-w1", "nginx-w2", "python", "frameloom-base"]


def main():
    if len(sys.argv) != 2:
        sys.exit("Usage: summarize-server.py RAW.jsonl")
    rates = defaultdict(list)
    by_rep = {}
    p99 = defaultdict(list)
    failures = defaultdict(int)
    attempts = defaultdict(int)
    with open(sys.argv[1]) as raw:
        for line in raw:
            record = json.loads(line)
            key = (record["server"], record["concurrency"])
            result = record["result"]
            rates[key].append(result["connections_per_s"])
            by_rep[(record["server"], record["concurrency"], record["rep"])] = \
                result["connections_per_s"]
            p99[key].append(result["latency_us"]["p99"])
            failures[key] += result["failures"]
            attempts[key] += result["connections"]

    servers = [s for s in ORDER if any(k[0] == s for k in rates)]
    levels = sorted({k[1] for k in rates})
    median = {k: statistics.median(v) for k, v in rates.items()}

    print("| server | clients | median conn/s | min .. max | reps | p99 latency (us) | failed / made |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for level in levels:
        for server in servers:
            key = (server, level)
            if key not in rates:
                continue
            print(f"| {LABELS.get(server, server)} | {level} | {median[key]:,.0f} | "
                  f"{min(rates[key]):,.0f} .. {max(rates[key]):,.0f} | {len(rates[key])} | "
                  f"{statistics.median(p99[key]):,.0f} | {failures[key]} / {attempts[key]} |")
    print()

    def ratio(a, b, level):
        if (a, level) not in median or (b, level) not in median or median[(b, level)] == 0:
            return "n/a"
        return f"{median[(a, level)] / median[(b, level)]:.2f}"

    def paired(a, b, level):
        # Contenders of one repetition ran back to back: their ratio cancels most
        # of the load other programs put on the machine at that moment.
        ratios = [by_rep[(a, level, r)] / by_rep[(b, level, r)]
                  for (s, l, r) in by_rep
                  if s == a and l == level and by_rep.get((b, level, r))]
        return f"{statistics.median(ratios):.2f}" if ratios else "n/a"

    print("Ratios of medians (goal: frameloom/nginx >= 1.0, frameloom/python > 10);")
    print("in brackets, the median of the ratios within each repetition:")
    print()
    print("| clients | frameloom / nginx 1w | frameloom / nginx 2w | frameloom / python "
          "| printing / quiet | printing / nginx 1w |")
    print("|---:|---:|---:|---:|---:|---:|")
    for level in levels:
        cells = [f"{ratio(a, b, level)} ({paired(a, b, level)})"
                 for a, b in (("frameloom", "nginx-w1"), ("frameloom", "nginx-w2"),
                              ("frameloom", "python"), ("frameloom-print", "frameloom"),
                              ("frameloom-print", "nginx-w1"))]
        print(f"| {level} | " + " | ".join(cells) + " |")

    if any(k[0] == "frameloom-base" for k in rates):
        print()
        print("This build against the baseline build (BASELINE), same run, same ratios:")
        print()
        print("| clients | frameloom / baseline | baseline / nginx 1w |")
        print("|---:|---:|---:|")
        for level in levels:
            print(f"| {level} | {ratio('frameloom', 'frameloom-base', level)} "
                  f"({paired('frameloom', 'frameloom-base', level)}) | "
                  f"{ratio('frameloom-base', 'nginx-w1', level)} "
                  f"({paired('frameloom-base', 'nginx-w1', level)}) |")


if __name__ == "__main__":
    main()
