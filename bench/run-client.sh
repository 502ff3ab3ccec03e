#!/usr/bin/env bash
# bench/run-client.sh: frameloom-client against the reference programs, in one
# run on this machine, on the same frames and the same servers:
#   1. download stage, FRAMES frames of 10x10 from frameloom-server: the lab's
#      Python client unoptimised and optimised (bench/lab), frameloom-client
#      --sequential and at its defaults, each into a fresh frames folder; and
#      the C floor: fl-loadgen, 4 threads, writing every frame to a file
#      (--write-dir), against nginx's fixed 378-byte reply;
#   2. GIF stage alone on one set of those frames: Pillow as the lab does
#      (sequential and with the optimised client's Pool), ImageMagick convert
#      (+dither; the plain command on CONVERT_FRAMES frames, extrapolated),
#      ffmpeg (its default GIF output, and once a per-frame palette filter graph),
#      frameloom-client --encode-only with P = 1 and 2, and the single-process
#      floors (bench/decode-floor: plain libpng decoding, plain libpng + giflib);
#      every tool's GIF is then checked for frame count and losslessness;
#   3. the GIF stage on FRAMES frames of 64x64 with ~4096 colours each (quantised):
#      frameloom P = 1 against P = 2, and the decode floor;
#   4. end to end at the defaults: frameloom-client (download + GIF) against the
#      lab's clients (and frameloom-client --sequential).
# Every repetition runs every contender of a stage one after another, in a
# rotating order; before each timed download the page cache and the file system
# are warmed by creating and deleting WARM_FILES files. Builds nothing: pass the
# build directory (default build-bench).
set -euo pipefail

usage () {
  cat <<EOF
Usage: bench/run-client.sh [BUILD_DIR]   (default BUILD_DIR: build-bench)

Times the download and GIF stages of frameloom-client against the lab's Python
clients, the C download floor (fl-loadgen + nginx), Pillow, ImageMagick, ffmpeg
and the libpng/giflib floors, checks every GIF, and prints markdown tables of
medians and ratios.

Environment:
  REPS=5            repetitions of every measurement (the median is reported)
  FRAMES=5000       frames per run
  WARM_FILES=3000   files created and deleted before each timed download
  SLOW_REPS=REPS    repetitions of the slow contenders (the lab's Python clients,
                    Pillow, convert +dither)
  CONVERT_FRAMES=50 frames given to the plain ImageMagick convert (run once,
                    ~0.4 s per frame here: its time is extrapolated to FRAMES);
                    the ffmpeg palette graph also runs once (~40 s)
  STAGES="1 2 3 4"  the stages to run
  OUT=FILE          also write the markdown report to FILE
  RAW=FILE          keep the raw results (one JSON object per measurement)
Needs: nginx-light, libnginx-mod-stream, python3-pil (/usr/bin/python3),
imagemagick, ffmpeg.
EOF
}

. "$(dirname "$0")/lib.sh"
handle_help_option "${1:-}"

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build-bench}" && pwd)
reps=${REPS:-5}
slow_reps=${SLOW_REPS:-$reps}
n=${FRAMES:-5000}
warm_files=${WARM_FILES:-3000}
convert_frames=${CONVERT_FRAMES:-50}
stages=${STAGES:-1 2 3 4}
build_programs "$build"
floor=$build/bench/decode-floor
make_frames=$build/tests/tools/make-frames
export FRAMELOOM_GIF_WORKER=$build/src/worker/frameloom-gif-worker
python=/usr/bin/python3
helper=$here/client-helper.py
convert=/usr/bin/convert
nginx_module=/usr/lib/nginx/modules/ngx_stream_module.so

need_built "${1:-build-bench}" "$loadgen" "$floor" "$server" "$client" "$make_frames" "$FRAMELOOM_GIF_WORKER"
need_nginx "$nginx_module"
need_pillow
[ -x "$convert" ] || { echo "run-client.sh: $convert is missing: apt-get install imagemagick." >&2; exit 2; }
command -v ffmpeg >/dev/null || { echo "run-client.sh: ffmpeg is missing: apt-get install ffmpeg." >&2; exit 2; }

make_work_with_servers client

# The servers: frameloom-server --quiet (the peer of every client) and nginx's
# fixed reply with one worker (the floor: one worker was the faster in run-server.sh).
fl_port=$(free_port)
"$server" --host 127.0.0.1 --port "$fl_port" --quiet >/dev/null &
pids+=($!)
wait_ready frameloom-server "$fl_port"

nginx_port=$(free_port)
nginx_dir=$work/nginx
mkdir -p "$nginx_dir"
reply=$(printf 'F%.0s' $(seq 378))
sed -e "s|@WORKERS@|1|" -e "s|@DIR@|$nginx_dir|g" -e "s|@PORT@|$nginx_port|" -e "s|@REPLY@|$reply|" \
  "$here/nginx-floor.conf.in" > "$nginx_dir/nginx.conf"
nginx -c "$nginx_dir/nginx.conf" -p "$nginx_dir" -e "$nginx_dir/error.log"
wait_ready "nginx" "$nginx_port"

raw=$work/raw.jsonl
: > "$raw"

# Creates and deletes WARM_FILES small files next to the frames folders: the
# dentry and inode caches and the file system's allocator are warm, as after a
# few seconds of work, not cold as after a minute idle.
warm () {
  local dir=$work/warm
  mkdir -p "$dir"
  (cd "$dir" && seq "$warm_files" | xargs touch && find . -type f -delete)
}

# record STAGE TOOL REP SECONDS WALL [EXTRA_JSON_FIELDS]
record () {
  echo "{\"stage\": \"$1\", \"tool\": \"$2\", \"rep\": $3, \"seconds\": $4, \"wall\": $5${6:+, $6}}" >> "$raw"
}

json_field () {  # json_field 'PYTHON EXPRESSION ON d' < JSON
  "$python" -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

# Runs a command, stdout to $work/out, and sets $wall to its wall-clock seconds.
timed () {
  local t0 t1
  t0=$EPOCHREALTIME
  "$@" > "$work/out" 2> "$work/err" || {
    echo "run-client.sh: failed: $*" >&2
    cat "$work/err" >&2
    cat "$work/out" >&2
    exit 1
  }
  t1=$EPOCHREALTIME
  wall=$("$python" -c "print(round($t1 - $t0, 6))")
}

count_pngs () { find "$1" -maxdepth 1 -name '*.png' | wc -l; }

# ---------------------------------------------------------------- 1. download
download_one () {
  local tool=$1 rep=$2 dir=$work/dl-$1 seconds files
  rm -rf "$dir"
  warm
  case $tool in
    py-seq) timed "$python" "$helper" download seq 127.0.0.1 "$fl_port" "$n" "$dir"
            seconds=$(json_field 'd["seconds"]' < "$work/out") ;;
    py-opt) timed "$python" "$helper" download opt 127.0.0.1 "$fl_port" "$n" "$dir"
            seconds=$(json_field 'd["seconds"]' < "$work/out") ;;
    fl-seq) timed "$client" --port "$fl_port" --frames "$n" --frames-dir "$dir" --sequential \
              --download-only --json --quiet
            seconds=$(json_field 'd["run"]["download"]["seconds"]' < "$work/out") ;;
    fl)     timed "$client" --port "$fl_port" --frames "$n" --frames-dir "$dir" \
              --download-only --json --quiet
            seconds=$(json_field 'd["run"]["download"]["seconds"]' < "$work/out") ;;
    c-floor) timed "$loadgen" --port "$nginx_port" --threads 4 --connections "$n" --check none \
               --write-dir "$dir" --json
            seconds=$(json_field 'd["elapsed_s"]' < "$work/out") ;;
  esac
  files=$(count_pngs "$dir")
  record download "$tool" "$rep" "$seconds" "$wall" "\"files\": $files"
  if [ "$files" != "$n" ]; then
    echo "run-client.sh: $tool wrote $files frames, not $n." >&2
    exit 1
  fi
  # Keep one set of frameloom's frames for the GIF stage.
  if [ "$tool" = fl ] && [ ! -d "$work/frames10" ]; then
    mv "$dir" "$work/frames10"
  else
    rm -rf "$dir"
  fi
}

rotate () {  # rotate REP NAME...: prints the names rotated by REP
  local rep=$1
  shift
  local names=("$@") count=$# i
  for i in $(seq 0 $(( count - 1 ))); do
    echo "${names[$(( (i + rep) % count ))]}"
  done
}

# ---------------------------------------------------------------- 2./3. GIF
gif_one () {
  local stage=$1 frames=$2 tool=$3 rep=$4 out=$work/$1-$3.gif seconds
  rm -f "$out"
  case $tool in
    pillow-seq) timed "$python" "$helper" gif seq "$n" "$frames" "$out"
                seconds=$(json_field 'd["seconds"]' < "$work/out") ;;
    pillow-opt) timed "$python" "$helper" gif opt "$n" "$frames" "$out"
                seconds=$(json_field 'd["seconds"]' < "$work/out") ;;
    convert)    # The plain command, on the first CONVERT_FRAMES frames only (in numeric
                # order: a shell glob would sort 10.png before 2.png): ImageMagick 6
                # spends ~0.4 s per GIF frame here (QuantizeImage allocates and clears
                # a 128 MiB dither cache for every frame). Extrapolated to FRAMES.
                timed "$convert" -delay 50 -loop 0 "${ordered[@]:0:$convert_frames}" "$out"
                seconds=$("$python" -c "print(round($wall * $n / $convert_frames, 6))")
                record "$stage" "$tool" "$rep" "$seconds" "$wall" "\"frames\": $convert_frames, \"extrapolated\": true"
                return ;;
    convert-nodither) # +dither (before the files): no dither cache, the same GIF for
                # frames of <= 256 colours.
                timed "$convert" +dither -delay 50 -loop 0 "${ordered[@]}" "$out"
                seconds=$wall ;;
    ffmpeg)     timed ffmpeg -nostdin -v error -y -framerate 2 -i "$frames/%d.png" "$out"
                seconds=$wall ;;
    ffmpeg-pal) timed ffmpeg -nostdin -v error -y -framerate 2 -i "$frames/%d.png" -vf \
                  "split[a][b];[a]palettegen=stats_mode=single:reserve_transparent=0[p];[b][p]paletteuse=new=1:dither=none" \
                  "$out"
                seconds=$wall ;;
    fl-P1|fl-P2) timed "$client" --frames "$n" --frames-dir "$frames" --output "$out" \
                  --encode-only --processes "${tool#fl-P}" --json --quiet
                seconds=$(json_field 'd["run"]["encode"]["seconds"]' < "$work/out") ;;
    decode-floor) timed "$floor" "$frames" "$n"
                seconds=$(json_field 'd["seconds"]' < "$work/out") ;;
    gif-floor)  timed "$floor" "$frames" "$n" "$out"
                seconds=$(json_field 'd["seconds"]' < "$work/out") ;;
  esac
  record "$stage" "$tool" "$rep" "$seconds" "$wall"
}

check_gif () {  # check_gif STAGE TOOL FRAMES [COUNT]
  local gif=$work/$1-$2.gif
  [ -f "$gif" ] || return 0
  echo "Checking the GIF of $2 ..." >&2
  echo "{\"stage\": \"check-$1\", \"tool\": \"$2\", \"result\": $("$python" "$helper" check "$gif" "$3" "${4:-$n}")}" >> "$raw"
}

# ---------------------------------------------------------------- 4. end to end
e2e_one () {
  local tool=$1 rep=$2 dir=$work/e2e-$1 out=$work/e2e-$1.gif seconds
  rm -rf "$dir" "$out"
  warm
  case $tool in
    py-seq) timed "$python" "$here/lab/lab_client.py" --port "$fl_port" --count "$n" \
              --frames-dir "$dir" --output "$out"
            seconds=$(awk -F': ' '/time:/ { s += $2 } END { printf "%.6f", s }' "$work/out") ;;
    py-opt) timed "$python" "$here/lab/lab_client_optimized.py" --port "$fl_port" --count "$n" \
              --frames-dir "$dir" --output "$out"
            seconds=$(awk -F': ' '/time:/ { s += $2 } END { printf "%.6f", s }' "$work/out") ;;
    fl-seq) timed "$client" --port "$fl_port" --frames "$n" --frames-dir "$dir" --output "$out" --sequential
            seconds=$(awk -F': ' '/time:/ { s += $2 } END { printf "%.6f", s }' "$work/out") ;;
    fl)     timed "$client" --port "$fl_port" --frames "$n" --frames-dir "$dir" --output "$out"
            seconds=$(awk -F': ' '/time:/ { s += $2 } END { printf "%.6f", s }' "$work/out") ;;
  esac
  local dl gif
  dl=$(awk -F': ' '/download time:/ { print $2 }' "$work/out")
  gif=$(awk -F': ' '/GIF creation time:/ { print $2 }' "$work/out")
  record e2e "$tool" "$rep" "$seconds" "$wall" "\"download\": $dl, \"gif\": $gif"
  rm -rf "$dir" "$out"
}

is_slow () { case $1 in py-*|pillow-*|convert*|ffmpeg-pal) return 0 ;; *) return 1 ;; esac; }

has_stage () { [[ " $stages " == *" $1 "* ]]; }

# A stage's repetitions ("TITLE: repetition r of REPS ..."): each runs every
# tool of the array named TOOLS once, in a rotating order, the slow ones only
# in the first SLOW_REPS repetitions, as "COMMAND... TOOL REP".
repeat_stage () {
  local title=$1 rep tool
  local -n stage_tools=$2
  shift 2
  for rep in $(seq "$reps"); do
    echo "$title: repetition $rep of $reps ..." >&2
    for tool in $(rotate "$rep" "${stage_tools[@]}"); do
      if is_slow "$tool" && [ "$rep" -gt "$slow_reps" ]; then continue; fi
      "$@" "$tool" "$rep"
    done
  done
}

echo "Warming up (frameloom-server, nginx, the page cache) ..." >&2
"$loadgen" --port "$fl_port" --threads 4 --connections 2000 --check png >/dev/null
"$loadgen" --port "$nginx_port" --threads 4 --connections 2000 --check none >/dev/null
warm

download_tools=(py-seq py-opt fl-seq fl c-floor)
gif10_tools=(pillow-seq pillow-opt convert-nodither ffmpeg fl-P1 fl-P2 decode-floor gif-floor)
# Run once (first repetition): too slow to repeat.
gif10_once=(convert ffmpeg-pal)
gif64_tools=(fl-P1 fl-P2 decode-floor)
e2e_tools=(py-seq py-opt fl-seq fl)

if has_stage 1 || has_stage 2; then
  repeat_stage "Download stage" download_tools download_one
fi

if has_stage 2; then
  frames10=$work/frames10
  ordered=()
  for i in $(seq 0 $(( n - 1 ))); do ordered+=("$frames10/$i.png"); done
  # Read every frame once: all contenders find them in the page cache.
  cat "${ordered[@]}" > /dev/null
  for rep in $(seq "$reps"); do
    echo "GIF stage, 10x10: repetition $rep of $reps ..." >&2
    for tool in $(rotate "$rep" "${gif10_tools[@]}"); do
      if is_slow "$tool" && [ "$rep" -gt "$slow_reps" ]; then continue; fi
      gif_one gif10 "$frames10" "$tool" "$rep"
    done
    if [ "$rep" = 1 ]; then
      for tool in "${gif10_once[@]}"; do gif_one gif10 "$frames10" "$tool" "$rep"; done
    fi
  done
  for tool in "${gif10_tools[@]}" ffmpeg-pal; do check_gif gif10 "$tool" "$frames10"; done
  check_gif gif10 convert "$frames10" "$convert_frames"
  if cmp -s "$work/gif10-fl-P1.gif" "$work/gif10-fl-P2.gif"; then identical=true; else identical=false; fi
  echo "{\"stage\": \"identity-gif10\", \"identical\": $identical}" >> "$raw"
fi

if has_stage 3; then
  frames64=$work/frames64
  echo "Making $n frames of 64x64 with random colours ..." >&2
  "$make_frames" "$frames64" "$n" 64x64 64 rgb
  find "$frames64" -name '*.png' -exec cat {} + > /dev/null
  for rep in $(seq "$reps"); do
    echo "GIF stage, 64x64: repetition $rep of $reps ..." >&2
    for tool in $(rotate "$rep" "${gif64_tools[@]}"); do
      gif_one gif64 "$frames64" "$tool" "$rep"
    done
  done
  for tool in fl-P1; do check_gif gif64 "$tool" "$frames64"; done
  if cmp -s "$work/gif64-fl-P1.gif" "$work/gif64-fl-P2.gif"; then identical=true; else identical=false; fi
  echo "{\"stage\": \"identity-gif64\", \"identical\": $identical}" >> "$raw"
fi

if has_stage 4; then
  repeat_stage "End to end" e2e_tools e2e_one
fi

[ -z "${RAW:-}" ] || cp "$raw" "$RAW"

report=$work/report.md
{
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r); $("$python" -c 'import sys, PIL; print("Python %d.%d.%d, Pillow %s" % (sys.version_info[:3] + (PIL.__version__,)))'); $("$convert" -version | sed -n '1s/^Version: //p' | cut -d' ' -f1-2); ffmpeg $(ffmpeg -version | sed -n '1s/^ffmpeg version \([^ ]*\).*/\1/p'); nginx $(nginx -v 2>&1 | sed 's|.*/||')."
  echo "Load average when done: $(cut -d' ' -f1-3 /proc/loadavg). Command: \`bench/run-client.sh ${1:-build-bench}\` (REPS=$reps, SLOW_REPS=$slow_reps, FRAMES=$n, WARM_FILES=$warm_files)."
  echo
  "$python" "$here/summarize-client.py" "$raw"
} > "$report"

cat "$report"
[ -z "${OUT:-}" ] || cp "$report" "$OUT"
