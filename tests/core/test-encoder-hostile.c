/* test-hostile-encode: the hostile suite's dead workers and full disks at the API. A worker
 * killed mid-run, a worker that hangs until the encoding is cancelled, a worker
 * whose allocations fail (a wrapper applies prlimit --as), and an output folder on a
 * full tmpfs. After fl_encode_gif returns: the error names the worker and a frame
 * range holding the frame where it failed (or the output and "no space"), this
 * process has no child left in /proc (running or zombie), and the output folder
 * holds nothing new: no GIF, no temporary file. */
#include "fl-encoder.h"
#include "fl-error.h"
#include "fl-file.h"
#include "fl-image.h"
#include "fl-png.h"
#include "fl-test-util.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_FRAMES 40

typedef struct
{
  char *root;       /* temporary folder for this test */
  char *frames;     /* root/frames: N_FRAMES small frames */
  char *out_dir;    /* root/out: where the GIF goes */
  char *output;
} Fixture;

static void
write_frame (const char *dir, guint index, guint size)
{
  g_autoptr (FlImage) image = fl_image_new (size, size, 3, NULL);
  g_autoptr (GByteArray) png = g_byte_array_new ();
  g_autofree char *name = g_strdup_printf ("%u.png", index);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  for (gsize i = 0; i < (gsize) size * size * 3; i++)
    image->pixels[i] = (guint8) g_test_rand_int_range (0, 256);
  g_assert_true (fl_png_encode (image, png, NULL));
  g_assert_true (fl_file_write_atomic (path, png->data, png->len, NULL));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->root = fl_test_make_dir ("fl-hostile-enc-XXXXXX");
  f->frames = g_build_filename (f->root, "frames", NULL);
  f->out_dir = g_build_filename (f->root, "out", NULL);
  f->output = g_build_filename (f->out_dir, "out.gif", NULL);
  g_assert_true (fl_file_ensure_dir (f->frames, NULL));
  g_assert_true (fl_file_ensure_dir (f->out_dir, NULL));
  for (guint i = 0; i < N_FRAMES; i++)
    write_frame (f->frames, i, 10);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fl_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->frames);
  g_free (f->out_dir);
  g_free (f->output);
}

static void
config_init (FlEncodeConfig *config, Fixture *f, const char *worker)
{
  memset (config, 0, sizeof *config);
  config->frames_dir = f->frames;
  config->n_frames = N_FRAMES;
  config->processes = 2;
  config->delay_ms = 500;
  config->output = f->output;
  config->worker_path = worker;
}

/* The error names a worker and frames first..last holding frame; nothing is left. */
static void
assert_worker_failure (Fixture *f, const GError *error, guint frame, const char *why)
{
  g_autoptr (GRegex) regex = g_regex_new ("^GIF worker \\d+ \\(frames? (\\d+)(?:-(\\d+))?\\) (.+)$",
                                          0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *first = NULL, *last = NULL, *reason = NULL;

  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_error (error, FL_ERROR, FL_ERROR_WORKER);
  if (!g_regex_match (regex, error->message, 0, &match))
    g_error ("the worker is not named: %s", error->message);
  first = g_match_info_fetch (match, 1);
  last = g_match_info_fetch (match, 2);
  reason = g_match_info_fetch (match, 3);
  g_assert_cmpuint (frame, >=, atoi (first));
  g_assert_cmpuint (frame, <=, last[0] ? atoi (last) : atoi (first));
  if (why != NULL)
    g_assert_cmpstr (reason, ==, why);
  g_assert_cmpuint (fl_test_count_children (), ==, 0);
  g_assert_false (g_file_test (f->output, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (fl_test_count_entries (f->out_dir), ==, 0);
}

/* A script that execs the real program with a prefix (an environment setting for the
 * test hooks, or prlimit): no setenv() in this process, which has threads. */
static char *
make_wrapper (Fixture *f, const char *name, const char *prefix, const char *program)
{
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\nexec %s '%s' \"$@\"\n", prefix,
                                             program);
  char *path = g_build_filename (f->root, name, NULL);

  g_assert_true (g_file_set_contents (path, script, -1, NULL));
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return path;
}

/* The worker built with test hooks, started with one hook set; NULL (and the test
 * skipped) when the build has none. */
static char *
hooked_worker (Fixture *f, const char *hook)
{
  const char *worker = g_getenv ("FRAMELOOM_GIF_WORKER_TEST");
  g_autofree char *prefix = NULL;

  if (worker == NULL || worker[0] == '\0')
    {
      g_test_skip ("FRAMELOOM_GIF_WORKER_TEST is not set");
      return NULL;
    }
  prefix = g_strdup_printf ("env %s", hook);
  return make_wrapper (f, "hooked-worker", prefix, worker);
}

static void
test_killed (Fixture *f, gconstpointer data)
{
  g_autofree char *worker = hooked_worker (f, "FRAMELOOM_GIF_WORKER_TEST_KILL_AT=25");
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config;

  if (worker == NULL)
    return;
  config_init (&config, f, worker);
  g_assert_false (fl_encode_gif (&config, NULL, NULL, &error));
  assert_worker_failure (f, error, 25, "was killed by signal 9");
}

static void
test_hung_then_cancelled (Fixture *f, gconstpointer data)
{
  g_autofree char *worker = hooked_worker (f, "FRAMELOOM_GIF_WORKER_TEST_HANG_AT=12");
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config;
  GThread *canceller;
  gint64 start;

  if (worker == NULL)
    return;
  config_init (&config, f, worker);
  start = g_get_monotonic_time ();
  canceller = fl_test_cancel_later (cancellable, 300);
  g_assert_false (fl_encode_gif (&config, cancellable, NULL, &error));
  g_thread_join (canceller);
  g_assert_error (error, FL_ERROR, FL_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (fl_test_count_children (), ==, 0);
  g_assert_false (g_file_test (f->output, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (fl_test_count_entries (f->out_dir), ==, 0);
}

static void
test_out_of_memory (Fixture *f, gconstpointer data)
{
  const char *real = g_getenv ("FRAMELOOM_GIF_WORKER");
  g_autofree char *prlimit = g_find_program_in_path ("prlimit");
  g_autofree char *wrapper = NULL;
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config;

  if (real == NULL || real[0] == '\0' || prlimit == NULL)
    {
      g_test_skip ("FRAMELOOM_GIF_WORKER is not set or prlimit is missing");
      return;
    }
  /* 100 MiB of address space: enough for small frames, not for a 2048x2048 one. */
  /* Under ASan the worker cannot even start there (its shadow memory needs
   * terabytes of address space): its complaint goes to stderr, where this test
   * sees it and skips, not into CI's report folder. */
  wrapper = make_wrapper (f, "limited-worker",
                          "env ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=stderr\" "
                          "prlimit --as=104857600 --", real);
  config_init (&config, f, wrapper);
  config.n_frames = 6;
  if (!fl_encode_gif (&config, NULL, NULL, &error))
    {
      /* A sanitizer build reserves terabytes of address space: no --as fits. */
      g_test_skip_printf ("the worker cannot run under prlimit --as: %s", error->message);
      g_assert_cmpuint (fl_test_count_children (), ==, 0);
      return;
    }
  g_assert_cmpint (g_unlink (f->output), ==, 0);
  write_frame (f->frames, 30, 2048);
  config.n_frames = N_FRAMES;
  g_assert_false (fl_encode_gif (&config, NULL, NULL, &error));
  assert_worker_failure (f, error, 30, NULL);
}

static gboolean
run_command (const char *command)
{
  g_autoptr (GError) error = NULL;
  int status = 0;

  return g_spawn_command_line_sync (command, NULL, NULL, &status, &error)
         && g_spawn_check_wait_status (status, NULL);
}

static void
test_full_disk (Fixture *f, gconstpointer data)
{
  g_autofree char *mount = g_strdup_printf ("mount -t tmpfs -o size=64k tmpfs %s", f->out_dir);
  g_autofree char *umount = g_strdup_printf ("umount -l %s", f->out_dir);
  g_autofree char *filler = g_build_filename (f->out_dir, "filler", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  FlEncodeConfig config;
  FILE *fill;

  if (getuid () != 0 || !run_command (mount))
    {
      g_test_skip ("cannot mount a tmpfs (not root, or no privilege)");
      return;
    }
  /* Leave about 8 KiB: the GIF of 40 frames needs more. */
  fill = fopen (filler, "wb");
  g_assert_nonnull (fill);
  for (guint i = 0; i < 56 * 1024 / 4096; i++)
    {
      static const char block[4096];
      fwrite (block, 1, sizeof block, fill);
    }
  fclose (fill);

  config_init (&config, f, NULL);
  config.worker_path = fl_encoder_default_worker_path ();
  g_assert_false (fl_encode_gif (&config, NULL, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, FL_ERROR, FL_ERROR_NO_SPACE);
  expected = g_strdup_printf ("Could not write %s: no space left on device", f->output);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpuint (fl_test_count_children (), ==, 0);
  g_assert_cmpuint (fl_test_count_entries (f->out_dir), ==, 1); /* the filler only */
  g_assert_true (run_command (umount));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  FL_TEST_ADD_FIXTURE ("/hostile/encode/worker-killed", test_killed);
  FL_TEST_ADD_FIXTURE ("/hostile/encode/worker-hung-then-cancelled", test_hung_then_cancelled);
  FL_TEST_ADD_FIXTURE ("/hostile/encode/worker-out-of-memory", test_out_of_memory);
  FL_TEST_ADD_FIXTURE ("/hostile/encode/full-disk", test_full_disk);
  return g_test_run ();
}
