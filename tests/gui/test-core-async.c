/* test-core-async: the app's one async layer and its run model, without a
 * window: a server started and stopped, a pipeline and a sweep against it, a
 * peek, and the model's properties fed from synthetic events. */
#include "fl-core-async.h"
#include "fl-error.h"
#include "fl-run-model.h"

#include <glib/gstdio.h>

static GMainLoop *loop;
static GAsyncResult *last_result;

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  /* The data lives until this returns: _finish here. */
  ((void (*) (GAsyncResult *)) user_data) (result);
  g_main_loop_quit (loop);
}

static gboolean
on_timeout (gpointer data)
{
  g_error ("the work did not end within two minutes");
  return G_SOURCE_REMOVE;
}

static void
wait_for (void)
{
  guint timeout = g_timeout_add_seconds (120, on_timeout, NULL);

  g_main_loop_run (loop);
  g_source_remove (timeout);
}

static gboolean started_ok;

static void
finish_start (GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;

  started_ok = fl_core_server_start_finish (result, &error);
  g_assert_no_error (error);
}

static void
finish_stop (GAsyncResult *result)
{
  fl_core_server_stop_finish (result);
  last_result = result;
}

static FlServer *
start_server (void)
{
  FlServerConfig config = { .host = "127.0.0.1", .width = 16, .height = 16 };
  FlServer *server = fl_server_new (&config);

  started_ok = FALSE;
  fl_core_server_start_async (server, on_done, finish_start);
  wait_for ();
  g_assert_true (started_ok);
  g_assert_cmpuint (fl_server_get_port (server), >, 0);
  return server;
}

static void
stop_server (FlServer *server)
{
  last_result = NULL;
  fl_core_server_stop_async (server, 200, on_done, finish_stop);
  wait_for ();
  g_assert_nonnull (last_result);
}

static FlRunSetup *
new_setup (const char *dir, guint port, guint frames)
{
  FlRunSetup *setup = g_new0 (FlRunSetup, 1);

  setup->host = g_strdup ("127.0.0.1");
  setup->frames_dir = g_build_filename (dir, "frames", NULL);
  setup->output = g_build_filename (dir, "out.gif", NULL);
  setup->config.run_download = setup->config.run_encode = TRUE;
  setup->config.download.host = setup->host;
  setup->config.download.port = port;
  setup->config.download.frames_dir = setup->frames_dir;
  setup->config.download.n_frames = frames;
  setup->config.download.threads = 3;
  setup->config.encode.frames_dir = setup->frames_dir;
  setup->config.encode.n_frames = frames;
  setup->config.encode.processes = 2;
  setup->config.encode.output = setup->output;
  return setup;
}

static gboolean pipeline_ok;
static char *pipeline_output;

static void
finish_pipeline (GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;
  const FlRunSetup *setup = NULL;
  FlPipelineResult run;

  pipeline_ok = fl_core_pipeline_finish (result, &setup, &run, &error);
  g_assert_no_error (error);
  g_assert_nonnull (setup);
  g_assert_true (run.finished[FL_STAGE_DOWNLOAD] && run.finished[FL_STAGE_ENCODE]);
  pipeline_output = g_strdup (setup->output);
}

static guint n_events_added;

static void
on_events_added (FlRunModel *model, guint first, guint n, gpointer user_data)
{
  g_assert_cmpuint (first, ==, n_events_added);
  n_events_added += n;
}

/* A run through the layer: the model ends DONE, its counts are the run's, and
 * it kept every frame's event exactly once. */
static void
test_pipeline (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fl-async-XXXXXX", NULL);
  g_autoptr (FlRunModel) model = fl_run_model_new ();
  FlServer *server = start_server ();
  guint64 done, total;
  double fraction;
  int state, latest;
  gboolean *seen;
  GArray *events;

  g_signal_connect (model, "events-added", G_CALLBACK (on_events_added), NULL);
  n_events_added = 0;
  fl_core_pipeline_async (new_setup (dir, fl_server_get_port (server), 40), model, NULL, on_done,
                          finish_pipeline);
  g_object_get (model, "state", &state, NULL);
  g_assert_cmpint (state, ==, FL_RUN_STATE_RUNNING);
  wait_for ();
  g_assert_true (pipeline_ok);
  g_assert_true (g_file_test (pipeline_output, G_FILE_TEST_IS_REGULAR));
  g_object_get (model, "state", &state, "download-done", &done, "download-total", &total,
                "encode-fraction", &fraction, "latest-frame", &latest, NULL);
  g_assert_cmpint (state, ==, FL_RUN_STATE_DONE);
  g_assert_cmpuint (done, ==, 40);
  g_assert_cmpuint (total, ==, 40);
  g_assert_cmpfloat (fraction, ==, 1.0);
  g_assert_cmpint (latest, >=, 0);
  events = fl_run_model_get_events_array (model);
  g_assert_cmpuint (events->len, ==, n_events_added);
  seen = g_new0 (gboolean, 40);
  for (guint i = 0; i < events->len; i++)
    {
      const FlEvent *e = &g_array_index (events, FlEvent, i);

      if (e->kind == FL_EVENT_FRAME_FETCHED)
        {
          g_assert_cmpuint (e->frame.index, <, 40);
          g_assert_false (seen[e->frame.index]);
          seen[e->frame.index] = TRUE;
        }
    }
  for (guint i = 0; i < 40; i++)
    g_assert_true (seen[i]);
  g_free (seen);
  stop_server (server);
  g_clear_pointer (&pipeline_output, g_free);
}

static guint n_started, n_finished;

static void
on_run (guint index, guint total, const FlRunRecord *record, gboolean finished,
        gpointer user_data)
{
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  if (finished)
    n_finished++;
  else
    n_started++;
}

static void
finish_sweep (GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *records = NULL;

  g_assert_true (fl_core_sweep_finish (result, &records, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
}

/* A compare's two runs reach on_run on the main thread, before the end. */
static void
test_sweep (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fl-async-XXXXXX", NULL);
  g_autoptr (FlRunModel) model = fl_run_model_new ();
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (guint));
  FlServer *server = start_server ();
  int state;

  n_started = n_finished = 0;
  fl_core_sweep_async (FL_SWEEP_COMPARE, new_setup (dir, fl_server_get_port (server), 20), values,
                       NULL, model, on_run, NULL, NULL, on_done, finish_sweep);
  wait_for ();
  g_assert_cmpuint (n_started, ==, 2);
  g_assert_cmpuint (n_finished, ==, 2);
  g_object_get (model, "state", &state, NULL);
  g_assert_cmpint (state, ==, FL_RUN_STATE_DONE);
  stop_server (server);
}

static void
finish_cancelled (GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (fl_core_pipeline_finish (result, NULL, NULL, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CANCELLED);
}

/* Cancelled before it starts: the model says so. */
static void
test_cancel (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fl-async-XXXXXX", NULL);
  g_autoptr (FlRunModel) model = fl_run_model_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  int state;

  g_cancellable_cancel (cancellable);
  fl_core_pipeline_async (new_setup (dir, 9, 10), model, cancellable, on_done, finish_cancelled);
  wait_for ();
  g_object_get (model, "state", &state, NULL);
  g_assert_cmpint (state, ==, FL_RUN_STATE_CANCELLED);
}

static void
push (FlRunModel *model, FlEvent event)
{
  fl_events_push (fl_run_model_get_stream (model), &event);
}

/* The properties follow synthetic events, and notify only on change. */
static void
test_model (void)
{
  g_autoptr (FlRunModel) model = fl_run_model_new ();
  FlEvents *stream = fl_run_model_get_stream (model);
  guint64 done, total;
  double fraction, seconds;
  gboolean started, finished;
  int latest;

  push (model, (FlEvent) { .kind = FL_EVENT_STAGE_STARTED, .t0 = 1000,
                           .stage = { .stage = FL_STAGE_DOWNLOAD, .total = 4, .tracks = 2 } });
  push (model, (FlEvent) { .kind = FL_EVENT_FRAME_FETCHED, .track = 1, .t0 = 1100, .t1 = 1500,
                           .frame = { .index = 2, .attempt = 1, .bytes = 99, .done = 1 } });
  fl_events_flush (stream);
  fl_run_model_update (model);
  g_object_get (model, "download-done", &done, "download-total", &total, "download-fraction",
                &fraction, "download-started", &started, "latest-frame", &latest, NULL);
  g_assert_cmpuint (done, ==, 1);
  g_assert_cmpuint (total, ==, 4);
  g_assert_cmpfloat (fraction, ==, 0.25);
  g_assert_true (started);
  g_assert_cmpint (latest, ==, 2);
  push (model, (FlEvent) { .kind = FL_EVENT_STAGE_ENDED, .t0 = 1000, .t1 = 501000,
                           .stage = { .stage = FL_STAGE_DOWNLOAD, .code = FL_EVENT_NO_ERROR,
                                      .done = 4, .total = 4 } });
  fl_events_flush (stream);
  fl_run_model_update (model);
  g_object_get (model, "download-done", &done, "download-seconds", &seconds, "download-finished",
                &finished, NULL);
  g_assert_cmpuint (done, ==, 4);
  g_assert_cmpfloat_with_epsilon (seconds, 0.5, 1e-9);
  g_assert_true (finished);
  g_assert_cmpuint (fl_run_model_get_events_array (model)->len, ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  loop = g_main_loop_new (NULL, FALSE);
  g_test_add_func ("/core-async/model", test_model);
  g_test_add_func ("/core-async/pipeline", test_pipeline);
  g_test_add_func ("/core-async/sweep", test_sweep);
  g_test_add_func ("/core-async/cancel", test_cancel);
  return g_test_run ();
}
