/* fuzz-target.h: what every fuzz target defines and the checks they share.
 *
 * A target is one LLVMFuzzerTestOneInput. Linked with -fsanitize=fuzzer it is a
 * libFuzzer binary; linked with fuzz-replay.c it is a plain program that replays
 * files, so the same code runs inside `meson test` with gcc.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A broken promise of the API is a finding like a sanitizer report: say which
 * and abort, so that libFuzzer keeps the input and the replay test fails. */
#define FUZZ_ASSERT(cond) \
  do \
    { \
      if (!(cond)) \
        { \
          fprintf (stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
          abort (); \
        } \
    } \
  while (0)
