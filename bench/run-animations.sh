#!/usr/bin/env bash
# bench/run-animations.sh: GIF makers on real kinds of animation, side by side.
# bench/animations.py makes the frames itself from fixed seeds (a cartoon,
# a screen recording with aliased text and the same with antialiased text, a
# photo-like pan and zoom, noise), then times in one run, per kind: this
# build's encoder (P=2), the baseline encoder (today's main, P=2) and
# gifsicle -O3 on its output, ffmpeg palettegen/paletteuse (its defaults, and
# diff statistics with rectangles and no dithering), ImageMagick
# `-layers Optimize` and Pillow; and decodes every GIF with Pillow: frames,
# exact frames, PSNR, bytes. Needs python3-pil, python3-numpy, ffmpeg,
# imagemagick, gifsicle, fonts-dejavu-core.
set -euo pipefail

usage () {
  cat <<USAGE
Usage: bench/run-animations.sh [BUILD_DIR [BASELINE_BUILD_DIR]]   (default: build-bench)

Without BASELINE_BUILD_DIR, the baseline is built once from \`git archive \$BASELINE_REF\`
(default main) into \$WORK/baseline.
Environment:
  KINDS=cartoon,screen,screen-aa,photo,noise   which animations
  REPS=3                  repetitions (the median time is reported)
  WORK=/tmp/fl-animations where the frames and GIFs go (kept: frames are made once)
USAGE
}

. "$(dirname "$0")/lib.sh"
handle_help_option "${1:-}"

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build-bench}" && pwd)
work=${WORK:-/tmp/fl-animations}
mkdir -p "$work"
baseline=${2:-}
if [ -z "$baseline" ]; then
  baseline=$work/baseline
  if [ ! -x "$baseline/tests/tools/encode-frames" ]; then
    src=$work/baseline-src
    rm -rf "$src" && mkdir -p "$src"
    git -C "$here/.." archive "${BASELINE_REF:-main}" | tar -x -C "$src"
    meson setup "$baseline" "$src" --buildtype=release -Dgui=disabled >"$work/baseline.log" 2>&1
    ninja -C "$baseline" tests/tools/encode-frames src/worker/frameloom-gif-worker \
      >>"$work/baseline.log" 2>&1
  fi
fi
baseline=$(cd "$baseline" && pwd)
for f in "$build/tests/tools/encode-frames" "$baseline/tests/tools/encode-frames"; do
  [ -x "$f" ] || { echo "run-animations.sh: $f is missing: build first." >&2; exit 1; }
done
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" "$here/animations.py" run --build "$build" --baseline "$baseline" \
  --work "$work" --kinds "${KINDS:-}" --reps "${REPS:-3}"
