#!/usr/bin/env bash
# bench/run-frames.sh: what atomic frames cost. frameloom-client --download-only
# (every frame written atomically: O_TMPFILE, then linked into place, or linked
# under a temporary name and renamed over the old frame) against a plain C client
# that overwrites each frame in place (fl-loadgen --in-place: open with O_TRUNC,
# write, close; not atomic), side by side in one run, on the same server:
#   fresh:    each run into a new, empty frames folder;
#   existing: each run into a folder that already holds the same frames (a
#             user running the client a second time).
# Both clients use the same threads and check every reply as a PNG. Prints the
# median seconds of each and the ratio frameloom / plain per case. Builds
# nothing: pass the build directory (default build-bench).
set -euo pipefail

usage () {
  cat <<EOF
Usage: bench/run-frames.sh [BUILD_DIR]   (default BUILD_DIR: build-bench)

Environment: REPS=7 (repetitions, the median is reported), FRAMES=5000,
THREADS=4 (both clients), TMPDIR (where the frames folders go; the file
system is what is measured).
EOF
}

. "$(dirname "$0")/lib.sh"
handle_help_option "${1:-}"

build=$(cd "${1:-build-bench}" && pwd)
reps=${REPS:-7}
n=${FRAMES:-5000}
threads=${THREADS:-4}
python=python3
build_programs "$build"
for tool in "$loadgen" "$server" "$client"; do
  [ -x "$tool" ] || { echo "run-frames.sh: $tool is missing: build first." >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fl-bench-frames.XXXXXX")
server_pid=
cleanup () {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(free_port)
"$server" --host 127.0.0.1 --port "$port" --quiet >/dev/null &
server_pid=$!
wait_ready frameloom-server "$port"

# time_frameloom DIR / time_plain DIR: seconds of one download into DIR.
time_frameloom () {
  "$client" --port "$port" --frames "$n" --threads "$threads" --download-only --quiet --json \
    --frames-dir "$1" | "$python" -c 'import json, sys; print(json.load(sys.stdin)["run"]["download"]["seconds"])'
}
time_plain () {
  "$loadgen" --port "$port" --threads "$threads" --connections "$n" --check png \
    --write-dir "$1" --in-place --json | "$python" -c 'import json, sys; print(json.load(sys.stdin)["elapsed_s"])'
}

declare -A times
for rep in $(seq "$reps"); do
  # The order rotates, so that neither client always runs right after the other.
  for tool in $( ((rep % 2)) && echo "frameloom plain" || echo "plain frameloom"); do
    rm -rf "$work/$tool-fresh" "$work/$tool-existing"
    times[$tool-fresh]+="$(time_$tool "$work/$tool-fresh") "
    mv "$work/$tool-fresh" "$work/$tool-existing"
    times[$tool-existing]+="$(time_$tool "$work/$tool-existing") "
  done
done

"$python" - "$n" "$threads" "$reps" "${times[frameloom-fresh]}" "${times[plain-fresh]}" \
  "${times[frameloom-existing]}" "${times[plain-existing]}" <<'EOF'
import statistics, sys
n, threads, reps = sys.argv[1:4]
fl_fresh, pl_fresh, fl_exist, pl_exist = ([float(x) for x in a.split()] for a in sys.argv[4:8])
print(f"{n} frames of 10x10, {threads} threads each, {reps} repetitions (medians, seconds)\n")
print("| folder | frameloom-client (atomic) | plain C client (in place) | ratio | goal |")
print("|---|---|---|---|---|")
for name, fl, pl in (("fresh", fl_fresh, pl_fresh), ("already holds the frames", fl_exist, pl_exist)):
    a, b = statistics.median(fl), statistics.median(pl)
    print(f"| {name} | {a:.3f} ({min(fl):.3f} .. {max(fl):.3f}) | {b:.3f} ({min(pl):.3f} .. "
          f"{max(pl):.3f}) | {a / b:.2f} | <= 1.20 |")
EOF
