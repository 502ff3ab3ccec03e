# bench/lib.sh: helpers both benchmark scripts source. They expect $python (a
# python3) and $loadgen (fl-loadgen) to be set by the caller.

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
