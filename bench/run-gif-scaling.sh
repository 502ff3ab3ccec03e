#!/usr/bin/env bash
# bench/run-gif-scaling.sh: the GIF stage alone, by frame size, with 1 and 2
# worker processes, against the decode floor in the same run. For each
# WxH:N in SIZES it makes N reproducible noise frames (tests/tools/make-frames:
# 10x10 has <= 100 colours and stays exact, 64x64 and up are quantised), then
# REPS times, in a rotating order: encode-frames with P=1 and P=2 (the same
# fl_encode_gif the client runs) and bench/decode-floor (plain libpng reading
# and decoding of the same files in one process). Reports the median wall time,
# the median CPU time of all processes (user + system, /usr/bin/time: the
# parent and its reaped workers), the speed-up P=1 / P=2 and the ratio of P=2
# to the decode floor. The load average is printed: on a shared machine the
# wall-clock speed-up is only meaningful when the load is below the core count.
set -euo pipefail

usage () {
  cat <<EOF
Usage: bench/run-gif-scaling.sh [BUILD_DIR]   (default BUILD_DIR: build-bench)

Environment:
  SIZES="10x10:5000 64x64:3000 256x256:300 1024x1024:20"   WxH:N per row
  REPS=5                  repetitions (the median is reported)
  WORK=/dev/shm           where the frames go (removed at the end)
  OUT=FILE                also write the markdown table to FILE
EOF
}

. "$(dirname "$0")/lib.sh"
handle_help_option "${1:-}"

build=$(cd "${1:-build-bench}" && pwd)
sizes=${SIZES:-10x10:5000 64x64:3000 256x256:300 1024x1024:20}
reps=${REPS:-5}
make_frames=$build/tests/tools/make-frames
encode=$build/tests/tools/encode-frames
floor=$build/bench/decode-floor
worker=$build/src/worker/frameloom-gif-worker
for f in "$make_frames" "$encode" "$floor" "$worker" /usr/bin/time; do
  [ -x "$f" ] || { echo "run-gif-scaling.sh: $f is missing: build first." >&2; exit 1; }
done
work=$(mktemp -d "${WORK:-/dev/shm}/fl-gifscale-XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs one contender; appends "wall cpu" to $work/<size>-<name>.
timed () {
  local name=$1 frames=$2 n=$3 key=$4
  case $name in
    P1) /usr/bin/time -f "%e %U %S" -o "$work/t" "$encode" "$frames" "$n" "$work/out.gif" 1 "$worker" >/dev/null ;;
    P2) /usr/bin/time -f "%e %U %S" -o "$work/t" "$encode" "$frames" "$n" "$work/out.gif" 2 "$worker" >/dev/null ;;
    floor) /usr/bin/time -f "%e %U %S" -o "$work/t" "$floor" "$frames" "$n" >/dev/null ;;
  esac
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$work/t" >>"$work/$key-$name"
}

median () {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
for spec in $sizes; do
  size=${spec%:*}
  n=${spec#*:}
  frames=$work/frames-$size
  echo "Making $n frames of $size ..." >&2
  "$make_frames" "$frames" "$n" "$size" 7
  names=(P1 P2 floor)
  for rep in $(seq "$reps"); do
    for k in 0 1 2; do
      timed "${names[$(( (k + rep) % 3 ))]}" "$frames" "$n" "$size"
    done
  done
  declare -A wall cpu
  for name in "${names[@]}"; do
    wall[$name]=$(cut -d' ' -f1 "$work/$size-$name" | median)
    cpu[$name]=$(cut -d' ' -f2 "$work/$size-$name" | median)
  done
  speedup=$(awk -v a="${wall[P1]}" -v b="${wall[P2]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  vs_floor=$(awk -v a="${wall[P2]}" -v b="${wall[floor]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  rows+=("| $size | $n | ${wall[P1]} / ${cpu[P1]} | ${wall[P2]} / ${cpu[P2]} | ${wall[floor]} / ${cpu[floor]} | $speedup | $vs_floor |")
  rm -rf "$frames"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

report () {
  echo "GIF stage, medians of $reps; $(nproc) CPUs; load average $load_start at start, $load_end at end"
  echo
  echo "| frames | N | P=1 wall / CPU s | P=2 wall / CPU s | decode floor wall / CPU s | speed-up P1/P2 | P=2 / decode floor |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
}
report
if [ -n "${OUT:-}" ]; then report >"$OUT"; fi
