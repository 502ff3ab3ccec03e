#!/usr/bin/env bash
# bench/run-server.sh: connections per second of frameloom-server against the
# two reference servers, in one run on this machine:
#   - nginx's stream module returning a fixed 378-byte reply (the floor), with
#     1 and 2 worker processes;
#   - the lab's Python threaded server (bench/lab/lab_server.py);
#   - frameloom-server --quiet, and frameloom-server printing its lab lines
#     (stdout to /dev/null).
# Every server listens on a free loopback port; all are warmed up, then for each
# repetition and each concurrency the contenders are measured one after another
# (in a rotating order) so that the load of the machine hits them alike.
# Builds nothing: pass the build directory (default build-bench).
set -euo pipefail

usage () {
  cat <<EOF
Usage: bench/run-server.sh [BUILD_DIR]   (default BUILD_DIR: build-bench)

Measures connections/s of frameloom-server, nginx (stream return, the floor)
and the lab's Python server with bench's fl-loadgen, and prints a markdown table
of medians and ratios.

Environment:
  REPS=5              repetitions of every measurement (the median is reported)
  CONCURRENCY="1 8 64"  client threads (concurrent connections) to measure
  CONNECTIONS=20000   connections per measurement for nginx and frameloom
  PY_CONNECTIONS=2000 connections per measurement for the Python server
  OUT=FILE            also write the markdown report to FILE
  RAW=FILE            keep the raw results (one JSON object per measurement)
  BASELINE=DIR        also measure DIR/src/cli/frameloom-server --quiet (another build,
                      e.g. of main) in the same run, and print the ratio of the two
Needs: nginx-light, libnginx-mod-stream, python3-pil (/usr/bin/python3).
EOF
}

. "$(dirname "$0")/lib.sh"
handle_help_option "${1:-}"

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-bench}
reps=${REPS:-5}
concurrency=${CONCURRENCY:-1 8 64}
conns=${CONNECTIONS:-20000}
py_conns=${PY_CONNECTIONS:-2000}
build_programs "$build"
python=/usr/bin/python3
nginx_module=/usr/lib/nginx/modules/ngx_stream_module.so

need_built "$build" "$loadgen" "$server"
need_nginx "$nginx_module"
need_pillow

work=$(mktemp -d "${TMPDIR:-/tmp}/fl-bench-server.XXXXXX")
pids=()
nginx_dirs=()

cleanup () {
  stop_servers "${nginx_dirs[@]}"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

names=()
declare -A port_of check_of conns_of

add () { names+=("$1"); port_of[$1]=$2; check_of[$1]=$3; conns_of[$1]=$4; }

start_nginx () {
  local workers=$1 port dir reply
  port=$(free_port)
  dir=$work/nginx-$workers
  mkdir -p "$dir"
  nginx_dirs+=("$dir")
  reply=$(printf 'F%.0s' $(seq 378))
  sed -e "s|@WORKERS@|$workers|" -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|" -e "s|@REPLY@|$reply|" \
    "$here/nginx-floor.conf.in" > "$dir/nginx.conf"
  nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log"
  wait_ready "nginx ($workers workers)" "$port"
  add "nginx-w$workers" "$port" none "$conns"
}

start_frameloom () {
  local name=$1 binary=$server port
  shift
  [ "$name" != frameloom-base ] || binary=$BASELINE/src/cli/frameloom-server
  port=$(free_port)
  "$binary" --host 127.0.0.1 --port "$port" "$@" >/dev/null &
  pids+=($!)
  wait_ready "$name" "$port"
  add "$name" "$port" png "$conns"
}

start_python () {
  local port
  port=$(free_port)
  "$python" "$here/lab/lab_server.py" "$port" 127.0.0.1 >/dev/null &
  pids+=($!)
  wait_ready "the lab's Python server" "$port"
  add python "$port" png "$py_conns"
}

start_nginx 1
start_nginx 2
start_python
start_frameloom frameloom --quiet
start_frameloom frameloom-print
if [ -n "${BASELINE:-}" ]; then
  [ -x "$BASELINE/src/cli/frameloom-server" ] || { echo "run-server.sh: $BASELINE/src/cli/frameloom-server is missing." >&2; exit 2; }
  start_frameloom frameloom-base --quiet
fi

raw=$work/raw.jsonl
run_one () {
  local name=$1 threads=$2 count=$3 line
  # A failed connection makes fl-loadgen exit 1: the count is in the JSON.
  line=$("$loadgen" --port "${port_of[$name]}" --threads "$threads" --connections "$count" \
           --check "${check_of[$name]}" --json) || true
  [ -n "$line" ] || { echo "run-server.sh: fl-loadgen failed against $name." >&2; exit 1; }
  echo "$line"
}

echo "Warming up ..." >&2
for name in "${names[@]}"; do
  for threads in $concurrency; do
    run_one "$name" "$threads" $(( conns_of[$name] / 10 + threads )) >/dev/null
  done
done

n=${#names[@]}
for rep in $(seq "$reps"); do
  echo "Repetition $rep of $reps ..." >&2
  for threads in $concurrency; do
    for i in $(seq 0 $(( n - 1 ))); do
      # Rotate the order every repetition: no contender always runs first.
      name=${names[$(( (i + rep) % n ))]}
      line=$(run_one "$name" "$threads" "${conns_of[$name]}")
      echo "{\"server\": \"$name\", \"rep\": $rep, \"concurrency\": $threads, \"result\": $line}" >> "$raw"
    done
  done
done

[ -z "${RAW:-}" ] || cp "$raw" "$RAW"

report=$work/report.md
{
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r); nginx $(nginx -v 2>&1 | sed 's|.*/||'); $("$python" -c 'import sys, PIL; print("Python %d.%d.%d, Pillow %s" % (sys.version_info[:3] + (PIL.__version__,)))')."
  echo "Load average when done: $(cut -d' ' -f1-3 /proc/loadavg). Command: \`bench/run-server.sh $build\` (REPS=$reps, CONNECTIONS=$conns, PY_CONNECTIONS=$py_conns${BASELINE:+, BASELINE=$BASELINE})."
  echo
  "$python" "$here/summarize-server.py" "$raw"
} > "$report"

cat "$report"
[ -z "${OUT:-}" ] || cp "$report" "$OUT"
