#!/usr/bin/env bash
# bench/run-latency.sh: the server's workloads with something to hide, in one run.
#   1. images/s of frameloom-server --latency-ms L (and with --cost-us C too)
#      against 1, 16 and 64 client threads (fl-loadgen), next to the ideal
#      T / L: how close the server lets latency-bound clients come to it;
#   2. the download stage of frameloom-client with 1, 16 and 64 threads against
#      the same server (FRAMES frames each, its own "Frames download time"): the
#      speed-up over one thread. The frames go to a tmpfs (/dev/shm) when there
#      is one: on a busy disk, creating and renaming files limits 64 threads
#      before the server does.
# Builds nothing: pass the build directory (default build-bench).
set -euo pipefail

usage () {
  cat <<EOF
Usage: bench/run-latency.sh [BUILD_DIR]   (default BUILD_DIR: build-bench)

Environment:
  REPS=3              repetitions of every measurement (the median is reported)
  LATENCY_MS=20       the server's --latency-ms
  COST_US=120         the second server's --cost-us (as Pillow's generator)
  CLIENTS="1 16 64"   client threads
  PER_CLIENT=100      fl-loadgen connections per client thread
  FRAMES=1000         frames per frameloom-client download
  FRAMES_DIR=DIR      where the client writes them (default: under /dev/shm if
                      writable, else the temporary folder)
  OUT=FILE            also write the markdown report to FILE
EOF
}

. "$(dirname "$0")/lib.sh"
handle_help_option "${1:-}"

build=${1:-build-bench}
reps=${REPS:-3}
latency=${LATENCY_MS:-20}
cost=${COST_US:-120}
clients=${CLIENTS:-1 16 64}
per_client=${PER_CLIENT:-100}
frames=${FRAMES:-1000}
build_programs "$build"
python=/usr/bin/python3

need_built "$build" "$loadgen" "$server" "$client"

work=$(mktemp -d "${TMPDIR:-/tmp}/fl-bench-latency.XXXXXX")
if [ -n "${FRAMES_DIR:-}" ]; then
  frames_dir=$FRAMES_DIR
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
  frames_dir=$(mktemp -d /dev/shm/fl-bench-latency.XXXXXX)
else
  frames_dir=$work/frames
fi
pids=()
cleanup () {
  stop_pids
  rm -rf "$work"
  [ -n "${FRAMES_DIR:-}" ] || rm -rf "$frames_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

declare -A port_of
start_server () {
  local name=$1 port
  shift
  port=$(free_port)
  "$server" --host 127.0.0.1 --port "$port" --quiet "$@" >/dev/null &
  pids+=($!)
  wait_ready "$name" "$port"
  port_of[$name]=$port
}
start_server latency --latency-ms "$latency"
start_server latency-cost --latency-ms "$latency" --cost-us "$cost"

raw=$work/raw.jsonl
echo "Warming up ..." >&2
"$loadgen" --port "${port_of[latency]}" --threads 64 --connections 640 >/dev/null
for rep in $(seq "$reps"); do
  echo "Repetition $rep of $reps ..." >&2
  for threads in $clients; do
    for name in latency latency-cost; do
      line=$("$loadgen" --port "${port_of[$name]}" --threads "$threads" \
               --connections $(( threads * per_client )) --json) || true
      [ -n "$line" ] || { echo "run-latency.sh: fl-loadgen failed against $name." >&2; exit 1; }
      echo "{\"kind\": \"loadgen\", \"server\": \"$name\", \"threads\": $threads, \"result\": $line}" >> "$raw"
    done
    seconds=$("$client" --port "${port_of[latency]}" --frames "$frames" --threads "$threads" \
                --download-only --quiet --frames-dir "$frames_dir/frames" \
              | sed -n 's/^Frames download time: //p')
    [ -n "$seconds" ] || { echo "run-latency.sh: frameloom-client failed." >&2; exit 1; }
    echo "{\"kind\": \"client\", \"threads\": $threads, \"seconds\": $seconds}" >> "$raw"
    rm -rf "$frames_dir/frames"
  done
done

report=$work/report.md
{
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r)."
  echo "Load average when done: $(cut -d' ' -f1-3 /proc/loadavg). Command: \`bench/run-latency.sh $build\` (REPS=$reps, LATENCY_MS=$latency, COST_US=$cost, PER_CLIENT=$per_client, FRAMES=$frames); frames written to $frames_dir."
  echo
  "$python" - "$raw" "$latency" "$cost" "$frames" <<'EOF'
import json, statistics, sys
from collections import defaultdict
raw, latency, cost, frames = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
rates, p99, failed, client = defaultdict(list), defaultdict(list), defaultdict(int), defaultdict(list)
for line in open(raw):
    record = json.loads(line)
    if record["kind"] == "client":
        client[record["threads"]].append(record["seconds"])
        continue
    key = (record["server"], record["threads"])
    rates[key].append(record["result"]["connections_per_s"])
    p99[key].append(record["result"]["latency_us"]["p99"])
    failed[key] += record["result"]["failures"]
labels = {"latency": f"--latency-ms {latency:g}",
          "latency-cost": f"--latency-ms {latency:g} --cost-us {cost}"}
print("| server | clients | median images/s | min .. max | ideal (clients / latency) | of ideal | p99 latency (ms) | failed |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for (server, threads) in sorted(rates, key=lambda k: (k[0], k[1])):
    values = rates[(server, threads)]
    ideal = threads / (latency / 1000)
    median = statistics.median(values)
    print(f"| frameloom-server {labels[server]} | {threads} | {median:,.0f} | "
          f"{min(values):,.0f} .. {max(values):,.0f} | {ideal:,.0f} | {median / ideal:.0%} | "
          f"{statistics.median(p99[(server, threads)]) / 1000:.1f} | {failed[(server, threads)]} |")
print()
print(f"frameloom-client --download-only --frames {frames} against --latency-ms {latency:g} "
      "(its Frames download time):")
print()
print("| threads | median s | min .. max | speed-up over 1 thread | ideal |")
print("|---:|---:|---:|---:|---:|")
base = statistics.median(client[min(client)]) if client else None
for threads in sorted(client):
    values = client[threads]
    median = statistics.median(values)
    print(f"| {threads} | {median:.3f} | {min(values):.3f} .. {max(values):.3f} | "
          f"{base / median:.1f}x | {threads / min(client):.0f}x |")
EOF
} > "$report"

cat "$report"
[ -z "${OUT:-}" ] || cp "$report" "$OUT"
