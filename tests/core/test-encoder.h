/* test-encoder.h: helpers shared by the encoder test files. */
#pragma once

#include "fl-encoder.h"
#include "fl-test-frames.h"
#include "fl-test-util.h"

/* A fresh temporary folder, removed with its files by fl_test_dir_free. */
char *fl_test_dir_new (void);
void  fl_test_dir_free (char *dir);

/* A config with the defaults: 500 ms, loop 0, the test worker. */
void fl_test_config_init (FlEncodeConfig *config, const char *frames_dir, guint n_frames,
                          guint processes, const char *output);

/* Asserts that this process has no child left, reaped or not. */
void fl_test_assert_no_children (void);

void fl_test_add_failure_tests (void);
void fl_test_add_chunk_tests (void);
void fl_test_add_kind_tests (void);
