#!/usr/bin/env bash
# bench/run-scale.sh: frameloom-client at growing frame counts, in one run:
# for each N in COUNTS a fresh frameloom-server --quiet on a free loopback port,
# then frameloom-client --frames N --json into a fresh folder, timed with
# /usr/bin/time -v. Reports per N: download and GIF seconds, the cost per 1000
# frames and its ratio to the smallest N (the reference in the same run: 1.00
# means perfectly linear); failures and retries; the client's own peak RSS
# (VmHWM sampled from /proc, the GIF worker processes not included) and
# /usr/bin/time's maximum RSS (the largest of the client and the children it
# reaped, i.e. the GIF workers); the most TIME_WAIT sockets seen on the
# server's side (local port = the server's) and on the client's side; and the
# load average when the run started.
set -euo pipefail

usage () {
  cat <<EOF
Usage: bench/run-scale.sh [BUILD_DIR]   (default BUILD_DIR: build-bench)

Runs frameloom-server + frameloom-client --frames N for each N in COUNTS and
prints a markdown table: times, seconds per 1000 frames and their ratio to the
smallest N, failures, peak RSS, TIME_WAIT counts.

Environment:
  COUNTS="5000 100000"   frame counts, smallest first (add 1000000 for the big run:
                         ~1.4 GB of frames and a ~0.5 GB GIF on 10x10, minutes)
  WORK=/dev/shm          where the frames and GIFs go (removed after each N)
  SIZE=10x10             frame size given to the server (--size)
  CLIENT_ARGS=""         more frameloom-client options (e.g. "--processes 1")
  KEEP_GIF=FILE          keep the last GIF there (e.g. to open it in the app)
  SAMPLE=0.5             seconds between RSS / TIME_WAIT samples
  OUT=FILE               also write the markdown report to FILE
EOF
}

. "$(dirname "$0")/lib.sh"
handle_help_option "${1:-}"

build=$(cd "${1:-build-bench}" && pwd)
counts=${COUNTS:-5000 100000}
work_root=${WORK:-/dev/shm}
size=${SIZE:-10x10}
sample=${SAMPLE:-0.5}
server_bin=$build/src/cli/frameloom-server
client_bin=$build/src/cli/frameloom-client
export FRAMELOOM_GIF_WORKER=$build/src/worker/frameloom-gif-worker
python=${PYTHON:-python3}
for f in "$server_bin" "$client_bin" "$FRAMELOOM_GIF_WORKER" /usr/bin/time; do
  [ -x "$f" ] || { echo "run-scale.sh: $f is missing: build first (ninja -C BUILD_DIR)." >&2; exit 1; }
done

work=$(mktemp -d "$work_root/fl-scale-XXXXXX")
server_pid=
time_pid=
cleanup () {
  if [ -n "$time_pid" ]; then kill "$time_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts the server on a free port; sets server_pid and port.
start_server () {
  "$server_bin" --quiet --host 127.0.0.1 --port 0 --size "$size" >"$work/server.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's/^Listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "run-scale.sh: the server did not start: $(cat "$work/server.out")" >&2
  exit 1
}

stop_server () {
  kill -INT "$server_pid"
  wait "$server_pid" || true
  server_pid=
}

# The number of TIME_WAIT sockets whose $1 (sport: local, dport: remote) port is $2.
time_wait () {
  ss -Htan state time-wait "( $1 = :$2 )" 2>/dev/null | wc -l
}

load=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
ref=
for n in $counts; do
  start_server
  dir=$work/frames-$n
  gif=$work/out-$n.gif
  # shellcheck disable=SC2086 # CLIENT_ARGS is a list of options
  /usr/bin/time -v -o "$work/time-$n.txt" \
    "$client_bin" --quiet --json --port "$port" --frames "$n" --frames-dir "$dir" \
    --output "$gif" ${CLIENT_ARGS:-} >"$work/client-$n.json" 2>"$work/client-$n.err" &
  time_pid=$!
  # Sample the client's VmHWM (a high-water mark: the last reading is the peak
  # up to then) and the TIME_WAIT counts until the client is gone.
  hwm=0; tw_server=0; tw_client=0
  while kill -0 "$time_pid" 2>/dev/null; do
    cpid=$(pgrep -P "$time_pid" -x frameloom-clien || true)
    if [ -n "$cpid" ]; then
      v=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$cpid/status" 2>/dev/null || true)
      if [ -n "$v" ] && [ "$v" -gt "$hwm" ]; then hwm=$v; fi
    fi
    s=$(time_wait sport "$port"); [ "$s" -gt "$tw_server" ] && tw_server=$s
    c=$(time_wait dport "$port"); [ "$c" -gt "$tw_client" ] && tw_client=$c
    sleep "$sample"
  done
  status=0
  wait "$time_pid" || status=$?
  time_pid=
  stop_server
  if [ "$status" -ne 0 ]; then
    echo "run-scale.sh: frameloom-client --frames $n failed ($status): $(cat "$work/client-$n.err")" >&2
    exit 1
  fi
  maxrss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time-$n.txt")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-$n.txt")
  # shellcheck disable=SC2086 # ref is two numbers, split on purpose
  line=$("$python" - "$n" "$work/client-$n.json" "$hwm" "$maxrss" "$tw_server" "$tw_client" \
         "$wall" ${ref:-0 0} <<'PY'
import json, sys
n, path, hwm, maxrss, tws, twc, wall = sys.argv[1:8]
ref = [float(x) for x in sys.argv[8:10]]
n = int(n)
r = json.load(open(path))
r = r.get("run", r)
d, e = r["download"], r["encode"]
per_k = [d["seconds"] / n * 1000, e["seconds"] / n * 1000]
ratio = ["%.2f" % (p / q) if q else "1.00" for p, q in zip(per_k, ref)]
print("%.6f %.6f|%d|%.2f|%.2f|%.2f|%.3f / %.3f|%s / %s|%d / %d|%.1f|%.1f|%s / %s|%s"
      % (per_k[0], per_k[1], n, d["seconds"], e["seconds"], d["seconds"] + e["seconds"],
         per_k[0], per_k[1], ratio[0], ratio[1], d["failures"], d["retries"],
         int(hwm) / 1024, int(maxrss) / 1024, tws, twc, wall))
PY
)
  if [ -z "$ref" ]; then ref=${line%%|*}; fi
  rows+=("| ${line#*|} |")
  if [ -n "${KEEP_GIF:-}" ]; then mv "$gif" "$KEEP_GIF"; fi
  rm -rf "$dir" "$gif"
done

report () {
  echo "frameloom-client --frames N; frames $size; $(nproc) CPUs; load average at start $load;" \
       "folder $work_root; client options: ${CLIENT_ARGS:-defaults}"
  echo
  echo "| N | download s | GIF s | total s | s per 1000 frames (download / GIF) |" \
       "ratio to N=${counts%% *} (download / GIF) | failures / retries |" \
       "client peak RSS MiB (VmHWM) | max RSS MiB (time -v) |" \
       "TIME_WAIT peak (server side / client side) | wall |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
}
report
if [ -n "${OUT:-}" ]; then report >"$OUT"; fi
