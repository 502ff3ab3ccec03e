#!/bin/sh
# Runs the GIF worker under memcheck; the encoder starts this in its place when
# FRAMELOOM_GIF_WORKER points here (see .ci/run). A memcheck error makes the
# worker exit 99, which the encoder reports as a failed worker.
exec valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
  --log-file="${VALGRIND_LOG_DIR:-/tmp}/worker.%p.log" \
  "${FRAMELOOM_REAL_GIF_WORKER:?set it to the worker program}" "$@"
