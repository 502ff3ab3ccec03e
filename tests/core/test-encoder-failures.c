/* test-encoder-failures.c: every failure is one sentence, leaves no file and no process. */
#include "test-encoder.h"

#include "fl-error.h"
#include "fl-file.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static void
assert_fails (FlEncodeConfig *config, GCancellable *cancellable, int code,
              const char *message)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (fl_encode_gif (config, cancellable, NULL, &error));
  g_assert_error (error, FL_ERROR, code);
  g_test_message ("%s", error->message);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
  g_assert_false (g_file_test (config->output, G_FILE_TEST_EXISTS));
  fl_test_assert_no_children ();
}

static void
test_missing_frame (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "17.png", NULL);
  g_autofree char *message = NULL;
  FlEncodeConfig config;

  g_assert_true (fl_test_make_frames (f->dir, 0, 30, 10, 10, 3, 0, 1, NULL));
  g_assert_cmpint (g_unlink (missing), ==, 0);
  message = g_strdup_printf ("Could not read %s: no such file or directory", missing);
  for (guint p = 1; p <= 3; p++)
    {
      fl_test_config_init (&config, f->dir, 30, p, f->gif);
      assert_fails (&config, NULL, FL_ERROR_IO, message);
    }
}

static void
test_invalid_frame (Fixture *f, gconstpointer data)
{
  g_autofree char *bad = g_build_filename (f->dir, "3.png", NULL);
  g_autofree char *message = NULL;
  FlEncodeConfig config;

  g_assert_true (fl_test_make_frames (f->dir, 0, 6, 10, 10, 3, 0, 1, NULL));
  g_assert_true (g_file_set_contents (bad, "GIF89a not a png", -1, NULL));
  message = g_strdup_printf ("%s is not a valid PNG: the signature is wrong", bad);
  fl_test_config_init (&config, f->dir, 6, 2, f->gif);
  assert_fails (&config, NULL, FL_ERROR_INVALID_PNG, message);
}

static void
test_killed_worker (Fixture *f, gconstpointer data)
{
  FlEncodeConfig config;

  g_assert_true (fl_test_make_frames (f->dir, 0, 40, 10, 10, 3, 0, 1, NULL));
  /* An older GIF stays as it was. */
  g_assert_true (g_file_set_contents (f->gif, "old", -1, NULL));
  g_setenv ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT", "25", TRUE);
  fl_test_config_init (&config, f->dir, 40, 2, f->gif);
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *contents = NULL;

    g_assert_false (fl_encode_gif (&config, NULL, NULL, &error));
    g_assert_error (error, FL_ERROR, FL_ERROR_WORKER);
    g_assert_cmpstr (error->message, ==, "GIF worker 2 (frames 20-39) was killed by signal 9");
    g_assert_true (g_file_get_contents (f->gif, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "old");
    fl_test_assert_no_children ();
  }
  g_unlink (f->gif);
  /* The first worker dying while the second is still busy. */
  g_setenv ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT", "5", TRUE);
  fl_test_config_init (&config, f->dir, 40, 3, f->gif);
  assert_fails (&config, NULL, FL_ERROR_WORKER,
                "GIF worker 1 (frames 0-12) was killed by signal 9");
  g_unsetenv ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT");
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GThread *thread;
  FlEncodeConfig config;

  g_assert_true (fl_test_make_frames (f->dir, 0, 20, 10, 10, 3, 0, 1, NULL));
  /* Worker 2 hangs forever: only the cancel can end the run. */
  g_setenv ("FRAMELOOM_GIF_WORKER_TEST_HANG_AT", "15", TRUE);
  fl_test_config_init (&config, f->dir, 20, 2, f->gif);
  thread = fl_test_cancel_later (cancellable, 150);
  assert_fails (&config, cancellable, FL_ERROR_CANCELLED, "The GIF encoding was cancelled");
  g_thread_join (thread);
  g_unsetenv ("FRAMELOOM_GIF_WORKER_TEST_HANG_AT");

  /* Already cancelled: nothing starts. */
  assert_fails (&config, cancellable, FL_ERROR_CANCELLED, NULL);
}

static void
test_read_only_output (void)
{
  g_autofree char *dir = fl_test_dir_new ();
  g_autofree char *ro = g_build_filename (dir, "ro", NULL);
  g_autofree char *gif = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config;

  g_assert_true (fl_test_make_frames (dir, 0, 3, 10, 10, 3, 0, 1, NULL));
  g_assert_cmpint (g_mkdir (ro, 0555), ==, 0);
  /* root writes through 0555: use a folder no one may create files in. */
  gif = geteuid () == 0 ? g_strdup ("/proc/frameloom-test.gif") : g_build_filename (ro, "out.gif", NULL);
  fl_test_config_init (&config, dir, 3, 2, gif);
  g_assert_false (fl_encode_gif (&config, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  prefix = g_strdup_printf ("Could not create %s: ", gif);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  if (geteuid () != 0)
    g_assert_cmpstr (error->message + strlen (prefix), ==, "permission denied");
  g_assert_false (g_file_test (gif, G_FILE_TEST_EXISTS));
  fl_test_assert_no_children ();
  fl_test_dir_free (g_steal_pointer (&dir));
}

static void
test_bad_worker (Fixture *f, gconstpointer data)
{
  FlEncodeConfig config;

  g_assert_true (fl_test_make_frames (f->dir, 0, 3, 10, 10, 3, 0, 1, NULL));
  fl_test_config_init (&config, f->dir, 3, 2, f->gif);
  config.worker_path = "/nonexistent/frameloom-gif-worker";
  assert_fails (&config, NULL, FL_ERROR_WORKER,
                "Could not start the GIF worker /nonexistent/frameloom-gif-worker: "
                "no such file or directory (set FRAMELOOM_GIF_WORKER to the worker's path)");
  /* A program that exits without sending anything. */
  fl_test_config_init (&config, f->dir, 3, 1, f->gif);
  config.worker_path = "/bin/true";
  assert_fails (&config, NULL, FL_ERROR_WORKER,
                "GIF worker 1 (frames 0-2) stopped before its last frame");

  fl_test_config_init (&config, f->dir, 0, 2, f->gif);
  assert_fails (&config, NULL, FL_ERROR_INVALID_ARGUMENT, NULL);
  fl_test_config_init (&config, f->dir, 3, 0, f->gif);
  assert_fails (&config, NULL, FL_ERROR_INVALID_ARGUMENT, NULL);
}

static void
test_default_worker_path (void)
{
  g_autofree char *saved = g_strdup (g_getenv (FL_GIF_WORKER_ENV));

  g_setenv (FL_GIF_WORKER_ENV, "/some/worker", TRUE);
  g_assert_cmpstr (fl_encoder_default_worker_path (), ==, "/some/worker");
  g_unsetenv (FL_GIF_WORKER_ENV);
  g_assert_true (g_str_has_suffix (fl_encoder_default_worker_path (),
                                   "/frameloom-gif-worker"));
  if (saved != NULL)
    g_setenv (FL_GIF_WORKER_ENV, saved, TRUE);
}

void
fl_test_add_failure_tests (void)
{
  FL_TEST_ADD_FIXTURE ("/encoder/missing-frame", test_missing_frame);
  FL_TEST_ADD_FIXTURE ("/encoder/invalid-frame", test_invalid_frame);
  FL_TEST_ADD_FIXTURE ("/encoder/killed-worker", test_killed_worker);
  FL_TEST_ADD_FIXTURE ("/encoder/cancel", test_cancel);
  g_test_add_func ("/encoder/read-only-output", test_read_only_output);
  FL_TEST_ADD_FIXTURE ("/encoder/bad-worker", test_bad_worker);
  g_test_add_func ("/encoder/default-worker-path", test_default_worker_path);
}
