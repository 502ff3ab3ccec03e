#!/usr/bin/env bash
# bench/run-events.sh: what the event stream costs on the fast path. Two builds
# side by side in one run, in a rotating order: OLD (without the stream, or any
# reference build) and NEW (this one, where every module reports through it and
# frameloom-client always has it on for its progress line). Measures:
#   1. download of FRAMES 10x10 frames, 4 threads (the defaults), from one
#      frameloom-server --quiet (OLD's, the same peer for every client): OLD's
#      client, NEW's client, NEW's client with --trace, and the C floor
#      (fl-loadgen, 4 threads, writing every frame, against nginx's fixed reply);
#   2. the GIF stage on those frames, P=2: OLD, NEW, NEW with --trace;
#   3. the servers at 1, 8 and 64 client threads (OLD's fl-loadgen, CONNECTIONS
#      each): OLD and NEW frameloom-server --quiet, both printing the lab's line
#      per image (stdout to /dev/null), NEW --quiet --trace, and nginx (1 worker).
# Prints medians, the spread and the ratios NEW / OLD per contender, of the
# wall-clock figure and of the CPU time it took (the client with its GIF
# workers; the server process): on a busy machine the CPU time is the steadier.
set -euo pipefail

usage () {
  cat <<EOF
Usage: bench/run-events.sh OLD_BUILD NEW_BUILD

Both are build folders (meson setup --buildtype=release -Dgui=disabled). For the
build without the stream: git archive main | tar -x -C DIR, then build DIR.

Environment:
  REPS=5              repetitions (the median is reported)
  FRAMES=5000         frames per download and per GIF
  CONNECTIONS=20000   connections per server measurement
  STAGES="1 2 3"      the parts to run
  OUT=FILE            also write the markdown report to FILE
Needs: nginx-light, libnginx-mod-stream.
EOF
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
esac
[ $# -eq 2 ] || { usage >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
old=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
reps=${REPS:-5}
n=${FRAMES:-5000}
conns=${CONNECTIONS:-20000}
stages=${STAGES:-1 2 3}
python=/usr/bin/python3
loadgen=$old/bench/fl-loadgen
for tool in "$loadgen" "$old/src/cli/frameloom-server" "$new/src/cli/frameloom-server" \
            "$old/src/cli/frameloom-client" "$new/src/cli/frameloom-client" \
            "$old/src/worker/frameloom-gif-worker" "$new/src/worker/frameloom-gif-worker"; do
  [ -x "$tool" ] || { echo "run-events.sh: $tool is missing: build both first." >&2; exit 2; }
done
need_nginx

make_work_with_servers events

declare -A port_of pid_of
start_server () {  # start_server NAME BUILD [OPTIONS]
  local name=$1 build=$2 port
  shift 2
  port=$(free_port)
  "$build/src/cli/frameloom-server" --host 127.0.0.1 --port "$port" "$@" >/dev/null &
  pids+=($!)
  pid_of[$name]=$!
  wait_ready "$name" "$port"
  port_of[$name]=$port
}

# CPU seconds a process has used so far (user + system).
cpu_of () { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }

nginx_dir=$work/nginx
mkdir -p "$nginx_dir"
nginx_port=$(free_port)
sed -e "s|@WORKERS@|1|" -e "s|@DIR@|$nginx_dir|g" -e "s|@PORT@|$nginx_port|" \
    -e "s|@REPLY@|$(printf 'F%.0s' $(seq 378))|" "$here/nginx-floor.conf.in" > "$nginx_dir/nginx.conf"
nginx -c "$nginx_dir/nginx.conf" -p "$nginx_dir" -e "$nginx_dir/error.log"
wait_ready nginx "$nginx_port"
port_of[nginx]=$nginx_port
start_server peer "$old" --quiet

raw=$work/raw.jsonl
: > "$raw"
record () {  # record PART WHO REP VALUE CPU_SECONDS
  echo "{\"part\": \"$1\", \"who\": \"$2\", \"rep\": $3, \"value\": $4, \"cpu\": $5}" >> "$raw"
}
# Runs a command under /usr/bin/time: stdout to $work/out, its CPU seconds (with
# the children it waited for) in $cpu.
cpu_timed () {
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" > "$work/out"
  cpu=$(awk '{ print $1 + $2 }' "$work/time")
}
field () { "$python" -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

client_seconds () {  # client_seconds BUILD STAGE DIR [OPTIONS]: sets $s (the stage's seconds), $cpu
  local build=$1 stage=$2 dir=$3
  shift 3
  FRAMELOOM_GIF_WORKER=$build/src/worker/frameloom-gif-worker cpu_timed \
    "$build/src/cli/frameloom-client" --port "${port_of[peer]}" --frames "$n" --frames-dir "$dir" \
    --output "$work/out.gif" --json --quiet "$@"
  s=$(field "d['run']['$stage']['seconds']" < "$work/out")
}

download_one () {
  local who=$1 rep=$2 dir=$work/dl-$1
  rm -rf "$dir" "$work/trace.json"
  case $who in
    old)       client_seconds "$old" download "$dir" --download-only ;;
    new)       client_seconds "$new" download "$dir" --download-only ;;
    new-trace) client_seconds "$new" download "$dir" --download-only --trace "$work/trace.json" ;;
    c-floor)   cpu_timed "$loadgen" --port "$nginx_port" --threads 4 --connections "$n" --check none \
                 --write-dir "$dir" --json
               s=$(field 'd["elapsed_s"]' < "$work/out") ;;
  esac
  record download "$who" "$rep" "$s" "$cpu"
  if [ ! -d "$work/frames" ] && [ "$who" = old ]; then mv "$dir" "$work/frames"; else rm -rf "$dir"; fi
}

gif_one () {
  local who=$1 rep=$2
  case $who in
    old)       client_seconds "$old" encode "$work/frames" --encode-only --processes 2 ;;
    new)       client_seconds "$new" encode "$work/frames" --encode-only --processes 2 ;;
    new-trace) client_seconds "$new" encode "$work/frames" --encode-only --processes 2 \
                 --trace "$work/trace.json" ;;
  esac
  record gif "$who" "$rep" "$s" "$cpu"
}

server_one () {
  local who=$1 threads=$2 rep=$3 check=png port pid rate cpu0 cpu1
  case $who in
    nginx) check=none; pid=$(cat "$nginx_dir/nginx.pid") ;;
    new-trace)
      # Started for each measurement: its trace holds that measurement only.
      port=$(free_port)
      "$new/src/cli/frameloom-server" --host 127.0.0.1 --port "$port" --quiet \
        --trace "$work/server-trace.json" >/dev/null &
      pid=$!
      pids+=($pid)  # for the cleanup, should the run be cut short here
      wait_ready "$who" "$port"
      port_of[$who]=$port ;;
    *) pid=${pid_of[$who]} ;;
  esac
  cpu0=$(cpu_of "$pid")
  rate=$("$loadgen" --port "${port_of[$who]}" --threads "$threads" --connections "$conns" \
           --check "$check" --json | field 'd["connections_per_s"] if d["failures"] == 0 else -1')
  cpu1=$(cpu_of "$pid")
  if [ "$who" = new-trace ]; then kill -TERM "$pid"; wait "$pid" || true; rm -f "$work/server-trace.json"; fi
  # nginx's master does not serve: its worker's CPU is not in this figure (left at 0).
  [ "$who" != nginx ] || { cpu0=0; cpu1=0; }
  record "server-$threads" "$who" "$rep" "$rate" "$("$python" -c "print(round($cpu1 - $cpu0, 3))")"
}

rotate () {  # rotate REP ITEMS...: the items, starting at REP mod their count
  local rep=$1; shift
  local items=("$@") k=$#
  for i in $(seq 0 $(( k - 1 ))); do echo "${items[$(( (i + rep) % k ))]}"; done
}

if [[ " $stages " == *" 2 "* ]] && [[ " $stages " != *" 1 "* ]]; then stages="1 $stages"; fi
if [[ " $stages " == *" 3 "* ]]; then
  start_server old-quiet "$old" --quiet
  start_server new-quiet "$new" --quiet
  start_server old-lines "$old"
  start_server new-lines "$new"
fi
for rep in $(seq "$reps"); do
  echo "Repetition $rep of $reps ..." >&2
  if [[ " $stages " == *" 1 "* ]]; then
    for who in $(rotate "$rep" old new new-trace c-floor); do download_one "$who" "$rep"; done
  fi
  if [[ " $stages " == *" 2 "* ]]; then
    for who in $(rotate "$rep" old new new-trace); do gif_one "$who" "$rep"; done
  fi
  if [[ " $stages " == *" 3 "* ]]; then
    for threads in 1 8 64; do
      for who in $(rotate "$rep" old-quiet new-quiet old-lines new-lines new-trace nginx); do
        server_one "$who" "$threads" "$rep"
      done
    done
  fi
done

report=$work/report.md
{
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Command: \`bench/run-events.sh $1 $2\` (REPS=$reps, FRAMES=$n, CONNECTIONS=$conns)."
  echo
  "$python" - "$raw" <<'EOF'
import json, statistics, sys
from collections import defaultdict
rows = [json.loads(line) for line in open(sys.argv[1])]
by = defaultdict(list)
cpu = defaultdict(list)
for r in rows:
    by[(r["part"], r["who"])].append(r["value"])
    cpu[(r["part"], r["who"])].append(r["cpu"])
parts = sorted({r["part"] for r in rows}, key=lambda p: (p.startswith("server"), len(p), p))
print("| part | contender | median | min .. max | median CPU s | reps |")
print("|---|---|---:|---:|---:|---:|")
for part in parts:
    unit = "conn/s" if part.startswith("server") else "s"
    for who in sorted({w for p, w in by if p == part}):
        v = by[(part, who)]
        print(f"| {part} | {who} | {statistics.median(v):,.4f} {unit} | "
              f"{min(v):,.4f} .. {max(v):,.4f} | {statistics.median(cpu[(part, who)]):.3f} | "
              f"{len(v)} |")
# Seconds: NEW / OLD above 1 is slower; connections per second: below 1 is slower.
pairs = {"download": [("new", "old"), ("new-trace", "old"), ("old", "c-floor"), ("new", "c-floor")],
         "gif": [("new", "old"), ("new-trace", "old")]}
server_pairs = [("new-quiet", "old-quiet"), ("new-lines", "old-lines"), ("new-trace", "old-quiet"),
                ("old-quiet", "nginx"), ("new-quiet", "nginx")]
print()
print("| part | ratio | of medians | median of the paired ratios | CPU: of medians |")
print("|---|---|---:|---:|---:|")
for part in parts:
    for a, b in pairs.get(part, server_pairs if part.startswith("server") else []):
        va, vb = by.get((part, a)), by.get((part, b))
        if not va or not vb or len(va) != len(vb):
            continue
        paired = statistics.median(x / y for x, y in zip(va, vb))
        ca, cb = statistics.median(cpu[(part, a)]), statistics.median(cpu[(part, b)])
        print(f"| {part} | {a} / {b} | {statistics.median(va) / statistics.median(vb):.3f} | "
              f"{paired:.3f} | {ca / cb if cb > 0 else float('nan'):.3f} |")
EOF
} > "$report"
cat "$report"
[ -z "${OUT:-}" ] || cp "$report" "$OUT"
