/* test-encoder.h: helpers shared by the encoder test files. */
#pragma once

#include "fl-encoder.h"
#include "fl-test-frames.h"
#include "fl-test-util.h"

/* A fresh temporary folder, removed with its files by fl_test_dir_free. */
char *fl_test_dir_new (void);
void  fl_test_dir_free (char *dir);

/* A test's fresh folder and the GIF path in it (dir/out.gif), for
 * FL_TEST_ADD_FIXTURE; the tear-down removes the folder with its files. */
typedef struct
{
  char *dir;
  char *gif;
} Fixture;

void fixture_set_up (Fixture *f, gconstpointer data);
void fixture_tear_down (Fixture *f, gconstpointer data);

/* A config with the defaults: 500 ms, loop 0, the test worker. */
void fl_test_config_init (FlEncodeConfig *config, const char *frames_dir, guint n_frames,
                          guint processes, const char *output);

/* The SHA-256 of the file at path, in hex. */
char *fl_test_file_sha256 (const char *path);

/* Asserts that this process has no child left, reaped or not. */
void fl_test_assert_no_children (void);

void fl_test_add_failure_tests (void);
void fl_test_add_chunk_tests (void);
void fl_test_add_kind_tests (void);
