#!/bin/sh
# validate-tool.sh TOOL ARGS...: runs a validator, exit 77 (meson's "skipped")
# when TOOL is not installed, so a machine without it still passes the suite.
tool=$1
if ! command -v "$tool" >/dev/null 2>&1; then
  echo "SKIP: $tool is not installed"
  exit 77
fi
exec "$@"
