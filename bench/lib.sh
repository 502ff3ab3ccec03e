# bench/lib.sh: helpers the benchmark scripts source. free_port and wait_ready
# expect $python (a python3) and $loadgen (fl-loadgen) to be set by the caller.

# The build's programs the scripts run, in build dir $1: $loadgen (fl-loadgen),
# $server and $client.
build_programs () {
  loadgen=$1/bench/fl-loadgen
  server=$1/src/cli/frameloom-server
  client=$1/src/cli/frameloom-client
}

# A fresh $work (fl-bench-NAME.XXXXXX under $TMPDIR), an empty pids array and no
# nginx_dir yet, for a script whose servers stop_servers stops: on exit they stop
# and $work goes; SIGINT and SIGTERM exit 130 through that.
make_work_with_servers () {
  work=$(mktemp -d "${TMPDIR:-/tmp}/fl-bench-$1.XXXXXX")
  pids=()
  nginx_dir=
  trap 'stop_servers "$nginx_dir"; rm -rf "$work"' EXIT
  trap 'exit 130' INT TERM
}

# The scripts' one option: -h/--help prints the caller's usage (exit 0);
# anything else that starts with - is refused (exit 2). Pass "${1:-}".
handle_help_option () {
  case "$1" in
    -h|--help) usage; exit 0 ;;
    -*) echo "$(basename "$0"): unknown option \"$1\". Try --help." >&2; exit 2 ;;
  esac
}

# Refuses to run (exit 2) unless every tool is an executable of the build in
# dir (the folder's name as the user gave it, for the hint).
need_built () {
  local dir=$1 tool
  shift
  for tool in "$@"; do
    if [ ! -x "$tool" ]; then
      echo "$(basename "$0"): $tool is missing: build first (meson setup $dir --buildtype=release && ninja -C $dir)." >&2
      exit 2
    fi
  done
}

# Refuses to run (exit 2) without nginx and, when given, its stream module file.
need_nginx () {
  command -v nginx >/dev/null || { echo "$(basename "$0"): nginx is missing: apt-get install nginx-light libnginx-mod-stream." >&2; exit 2; }
  [ -z "${1:-}" ] || [ -f "$1" ] || { echo "$(basename "$0"): $1 is missing: apt-get install libnginx-mod-stream." >&2; exit 2; }
}

# Refuses to run (exit 2) when $python cannot import Pillow.
need_pillow () {
  "$python" -c 'import PIL' 2>/dev/null || { echo "$(basename "$0"): Pillow is missing for $python: apt-get install python3-pil." >&2; exit 2; }
}

# A loopback port that was free a moment ago.
free_port () {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until a server on port answers one connection (the reply is not checked).
wait_ready () {
  local name=$1 port=$2
  for _ in $(seq 100); do
    if "$loadgen" --port "$port" --connections 1 --check none --timeout 2 >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "$(basename "$0"): $name did not answer on 127.0.0.1:$port within 10 s." >&2
  exit 1
}

# SIGTERM to every process in the caller's pids array, then reaps each. With
# grace (seconds), one still running after that long gets SIGKILL. SIGTERM,
# not SIGINT: a background job of a script starts with SIGINT ignored, and
# Python then never installs its KeyboardInterrupt handler.
stop_pids () {
  local pid grace=${1:-}
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    if [ -n "$grace" ]; then
      for _ in $(seq $((grace * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

# The clean-up of a script's servers: asks each nginx whose prefix is one of
# the dirs (an empty one: none) to stop, stops the caller's pids (SIGKILL
# after 5 s), then waits up to 5 s for each nginx to remove its pid file, as
# it does on exit, so that the caller can remove the folders.
stop_servers () {
  local dir
  for dir in "$@"; do
    [ -z "$dir" ] || [ ! -s "$dir/nginx.pid" ] || kill -TERM "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  done
  stop_pids 5
  for dir in "$@"; do
    [ -z "$dir" ] || for _ in $(seq 50); do [ -e "$dir/nginx.pid" ] || break; sleep 0.1; done
  done
}
