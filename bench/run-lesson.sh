#!/usr/bin/env bash
# bench/run-lesson.sh: the lab's lesson, measured the way the app and the CLI
# show it. Three workloads, each a frameloom-client sweep with warm-ups and
# repetitions (the client reports medians, min..max and verdicts; the speed-up
# of each point is against the sweep's own 1-thread or 1-process baseline in the
# same run):
#   slow network  frameloom-server --latency-ms 20: threads=1,16,64 over FRAMES
#                 frames (goals: 16 threads >= 10x, 64 threads >= 30x)
#   heavy frames  frameloom-server --size 256x256 (noise: quantised): processes=1,2,4
#                 (goals: 2 processes >= 1.6x on 2 cores, 4 no faster than 2)
#   fast path     the defaults: threads=1,8 and processes=1,2, to show what the
#                 sentence says when there is nothing to hide
# Prints one markdown table and each sweep's sentence; the JSON of every sweep
# is kept in $OUT_DIR when set.
set -euo pipefail

usage () {
  cat <<EOF
Usage: bench/run-lesson.sh [BUILD_DIR]   (default BUILD_DIR: build-bench)

Environment:
  FRAMES=1000          frames for the slow-network sweep
  HEAVY_FRAMES=1000    256x256 frames for the processes sweep
  REPEAT=3 WARMUP=1    repetitions and warm-ups per point
  WORK=/dev/shm        where frames and GIFs go (removed at the end)
  OUT_DIR=DIR          keep each sweep's JSON there
EOF
}

. "$(dirname "$0")/lib.sh"
handle_help_option "${1:-}"

build=$(cd "${1:-build-bench}" && pwd)
build_programs "$build"
python=${PYTHON:-python3}
for f in "$server" "$client" "$loadgen" "$build/src/worker/frameloom-gif-worker"; do
  [ -x "$f" ] || { echo "run-lesson.sh: $f is missing: build first." >&2; exit 1; }
done
export FRAMELOOM_GIF_WORKER=$build/src/worker/frameloom-gif-worker
frames=${FRAMES:-1000}
heavy_frames=${HEAVY_FRAMES:-1000}
repeat=${REPEAT:-3}
warmup=${WARMUP:-1}
work=$(mktemp -d "${WORK:-/dev/shm}/fl-lesson-XXXXXX")
server_pid=
cleanup () {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# start_server ARGS...: a quiet frameloom-server on a free loopback port.
start_server () {
  port=$(free_port)
  "$server" --host 127.0.0.1 --port "$port" --quiet "$@" >/dev/null &
  server_pid=$!
  wait_ready frameloom-server "$port"
}

stop_server () {
  kill -INT "$server_pid"
  wait "$server_pid" || true
  server_pid=
}

# sweep NAME CLIENT_ARGS...: one client sweep as JSON in $work/NAME.json.
sweep () {
  local name=$1; shift
  "$client" --port "$port" --repeat "$repeat" --warmup "$warmup" --json --quiet \
    --frames-dir "$work/$name-frames" --output "$work/$name.gif" "$@" >"$work/$name.json"
  [ -z "${OUT_DIR:-}" ] || { mkdir -p "$OUT_DIR"; cp "$work/$name.json" "$OUT_DIR/"; }
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start_server --latency-ms 20
sweep slow --frames "$frames" --download-only --sweep threads=1,16,64
stop_server

start_server --size 256x256
sweep heavy --frames "$heavy_frames" --sweep processes=1,2,4
stop_server

start_server
sweep fast --frames 5000 --sweep threads=1,8 --sweep processes=1,2
stop_server
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

"$python" - "$work" "$repeat" "$warmup" "$load_start" "$load_end" <<'EOF'
import json, os, sys
work, repeat, warmup, load_start, load_end = sys.argv[1:]
goals = {("slow", "threads=16"): 10.0, ("slow", "threads=64"): 30.0,
         ("heavy", "processes=2"): 1.6}
print(f"{repeat} timed runs after {warmup} warm-up per point; load average "
      f"{load_start} before, {load_end} after.\n")
print("| workload | point | median s | min..max s | speed-up (range) | verdict | goal |")
print("|---|---|---:|---:|---:|---|---|")
sentences = []
for name, title in (("slow", "slow network (20 ms)"), ("heavy", "heavy frames (256x256)"),
                    ("fast", "fast path")):
    doc = json.load(open(os.path.join(work, name + ".json")))
    for summary in doc["sweeps"]:
        for p in summary["points"]:
            s = p["seconds"]
            goal = goals.get((name, p["label"]))
            if name == "heavy" and p["label"] == "processes=4":
                two = next(q for q in summary["points"] if q["label"] == "processes=2")
                met = not (p["seconds"]["max"] < two["seconds"]["min"])
                goal_text = "no faster than 2: " + ("met" if met else "NOT met")
            elif goal is not None:
                goal_text = f">= {goal}x: " + ("met" if p["speedup"] >= goal else "NOT met")
            else:
                goal_text = ""
            print(f"| {title} | {p['label']} | {s['median']:.4f} | {s['min']:.4f}..{s['max']:.4f}"
                  f" | {p['speedup']:.2f}x ({p['speedup_low']:.2f}..{p['speedup_high']:.2f})"
                  f" | {p['verdict']} | {goal_text} |")
        sentences.append(f"- {title}, {summary['kind']}: {summary['sentence']}")
print()
print("\n".join(sentences))
EOF
