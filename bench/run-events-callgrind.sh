#!/usr/bin/env bash
# bench/run-events-callgrind.sh: the event stream's cost in instructions, which
# a busy machine does not blur (run-events.sh measures time). Under valgrind's
# callgrind, OLD's and NEW's programs do the same work, and the user-space
# instructions they execute are counted (the kernel's share, most of the fast
# path, is the same for both and not counted):
#   1. frameloom-client --download-only, FRAMES frames, 4 threads, from OLD's
#      frameloom-server --quiet; NEW also with --trace;
#   2. frameloom-client --encode-only, P=2 (the GIF workers counted too);
#      NEW also with --trace;
#   3. frameloom-server serving CONNECTIONS connections (OLD's fl-loadgen, 4
#      threads): --quiet, printing the lab's line (stdout to /dev/null), and
#      NEW --quiet --trace.
# Prints instructions per frame (per connection) and NEW / OLD.
set -euo pipefail

case "${1:-}" in
  -h|--help) echo "Usage: bench/run-events-callgrind.sh OLD_BUILD NEW_BUILD  (FRAMES=1000 CONNECTIONS=4000)"; exit 0 ;;
esac
[ $# -eq 2 ] || { echo "Usage: bench/run-events-callgrind.sh OLD_BUILD NEW_BUILD" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
old=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
n=${FRAMES:-1000}
conns=${CONNECTIONS:-4000}
python=/usr/bin/python3
loadgen=$old/bench/fl-loadgen
command -v valgrind >/dev/null || { echo "run-events-callgrind.sh: valgrind is missing." >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/fl-bench-callgrind.XXXXXX")
pids=()
cleanup () {
  stop_pids
  rm -rf "$work"
}
trap cleanup EXIT

# The instructions of every process a callgrind run wrote out (children included).
instructions () {
  cat "$@" | sed -n 's/^summary: *\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s }'
}

callgrind () {  # callgrind NAME COMMAND...: runs it, prints its instructions
  local name=$1
  shift
  rm -f "$work/$name".*
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$work/$name.%p" \
    "$@" > /dev/null 2> "$work/$name.log" || { cat "$work/$name.log" >&2; exit 1; }
  instructions "$work/$name".[0-9]*
}

peer_port=$(free_port)
"$old/src/cli/frameloom-server" --host 127.0.0.1 --port "$peer_port" --quiet >/dev/null &
pids+=($!)
wait_ready peer "$peer_port"

declare -A ir
client () {  # client NAME BUILD OPTIONS...
  local name=$1 build=$2
  shift 2
  ir[$name]=$(FRAMELOOM_GIF_WORKER=$build/src/worker/frameloom-gif-worker callgrind "$name" \
    "$build/src/cli/frameloom-client" --port "$peer_port" --frames "$n" --quiet "$@")
}

cd "$work"
client download-old "$old" --frames-dir f-old --download-only
client download-new "$new" --frames-dir f-new --download-only
client download-new-trace "$new" --frames-dir f-trace --download-only --trace t.json
client gif-old "$old" --frames-dir f-old --encode-only --processes 2 --output old.gif
client gif-new "$new" --frames-dir f-old --encode-only --processes 2 --output new.gif
client gif-new-trace "$new" --frames-dir f-old --encode-only --processes 2 --output t.gif --trace t.json
cmp old.gif new.gif

server () {  # server NAME BUILD OPTIONS...
  local name=$1 build=$2 port pid
  shift 2
  port=$(free_port)
  rm -f "$work/$name".*
  valgrind --tool=callgrind --callgrind-out-file="$work/$name.%p" \
    "$build/src/cli/frameloom-server" --host 127.0.0.1 --port "$port" "$@" > /dev/null \
    2> "$work/$name.log" &
  pid=$!
  wait_ready "$name" "$port"
  "$loadgen" --port "$port" --threads 4 --connections "$conns" > /dev/null
  kill -INT "$pid"
  wait "$pid" || true
  ir[$name]=$(instructions "$work/$name".[0-9]*)
}
server serve-quiet-old "$old" --quiet
server serve-quiet-new "$new" --quiet
server serve-lines-old "$old"
server serve-lines-new "$new"
server serve-trace-new "$new" --quiet --trace s.json

echo "Command: \`bench/run-events-callgrind.sh $1 $2\` (FRAMES=$n, CONNECTIONS=$conns); user-space instructions (valgrind callgrind), the wait-ready probes included."
echo
echo "| work | OLD per item | NEW per item | NEW / OLD | NEW --trace per item | --trace / OLD |"
echo "|---|---:|---:|---:|---:|---:|"
row () {  # row LABEL OLD NEW TRACE COUNT
  "$python" - "$@" <<'EOF'
import sys
label, o, n, t, c = sys.argv[1], *(int(x or 0) for x in sys.argv[2:])
print(f"| {label} | {o / c:,.0f} | {n / c:,.0f} | {n / o:.4f} | "
      + (f"{t / c:,.0f} | {t / o:.4f} |" if t else "– | – |"))
EOF
}
row "download, per frame" "${ir[download-old]}" "${ir[download-new]}" "${ir[download-new-trace]}" "$n"
row "GIF P=2 with its workers, per frame" "${ir[gif-old]}" "${ir[gif-new]}" "${ir[gif-new-trace]}" "$n"
row "server --quiet, per connection" "${ir[serve-quiet-old]}" "${ir[serve-quiet-new]}" "${ir[serve-trace-new]}" "$conns"
row "server printing the lab's line, per connection" "${ir[serve-lines-old]}" "${ir[serve-lines-new]}" "" "$conns"
