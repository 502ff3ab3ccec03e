/* test-pipeline: fl_pipeline_run's stages, events and timings against an
 * in-process FlServer and the real GIF worker. */
#include "fl-error.h"
#include "fl-pipeline.h"
#include "fl-sync.h"
#include "fl-server.h"
#include "fl-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  GString *events; /* "S0:120 F0 S1:120 F1 ": started/finished per stage, in order */
  guint64 last_done[2];
  guint fetched;
  guint chunks;
  guint chunk_frames;       /* frames of the chunks encoded */
  double seconds[2];
} Log;

/* A reader: readers are never called twice at once, so no lock. */
static void
on_events (const FlEvent *events, guint n_events, gpointer data)
{
  Log *log = data;

  for (guint i = 0; i < n_events; i++)
    {
      const FlEvent *event = &events[i];

      if (event->kind == FL_EVENT_STAGE_STARTED)
        g_string_append_printf (log->events, "S%d:%" G_GUINT64_FORMAT " ", event->stage.stage,
                                event->stage.total);
      else if (event->kind == FL_EVENT_STAGE_ENDED && event->stage.code == FL_EVENT_NO_ERROR)
        {
          g_string_append_printf (log->events, "F%d ", event->stage.stage);
          log->seconds[event->stage.stage] = (double) (event->t1 - event->t0) / G_USEC_PER_SEC;
        }
      else if (event->kind == FL_EVENT_STAGE_ENDED)
        g_string_append_printf (log->events, "E%d ", event->stage.stage);
      else if (event->kind == FL_EVENT_FRAME_FETCHED)
        {
          log->fetched++;
          log->last_done[FL_STAGE_DOWNLOAD] = MAX (log->last_done[0], event->frame.done);
        }
      else if (event->kind == FL_EVENT_CHUNK_ENCODED)
        {
          g_assert_cmpuint (event->track, <, 2);
          log->chunks++;
          log->chunk_frames += event->chunk.count;
          log->last_done[FL_STAGE_ENCODE] = MAX (log->last_done[1], event->chunk.stage_done);
        }
    }
}

static void
test_both_stages (void)
{
  g_autofree char *root = g_dir_make_tmp ("fl-pipeline-XXXXXX", NULL);
  g_autofree char *frames = g_build_filename (root, "frames", NULL);
  g_autofree char *gif = g_build_filename (root, "out.gif", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlServer) server = NULL;
  FlServerConfig server_config = { .host = "127.0.0.1" };
  FlPipelineConfig config = { 0 };
  FlPipelineResult result;
  Log log = { .events = g_string_new (NULL) };
  g_autoptr (FlEvents) events = fl_events_new (0);
  gboolean ok;

  if (g_getenv (FL_GIF_WORKER_ENV) == NULL)
    {
      g_test_skip ("FRAMELOOM_GIF_WORKER is not set");
      return;
    }
  server = fl_server_new (&server_config);
  g_assert_true (fl_server_start (server, &error));
  config.download.port = fl_server_get_port (server);
  config.download.frames_dir = frames;
  config.download.n_frames = 120;
  config.download.threads = 4;
  config.download.frame_timeout_ms = 3000;
  config.encode.output = gif;
  config.encode.processes = 2;
  config.encode.delay_ms = 500;
  config.run_download = TRUE;
  config.run_encode = TRUE;
  config.events = events;
  fl_events_add_reader (events, on_events, &log, NULL);

  ok = fl_pipeline_run (&config, NULL, &result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  /* Every event has been read by now: no lock, no wait. */
  g_assert_cmpstr (log.events->str, ==, "S0:120 F0 S1:120 F1 ");
  g_assert_cmpuint (log.last_done[FL_STAGE_DOWNLOAD], ==, 120);
  g_assert_cmpuint (log.fetched, ==, 120);
  /* The stages' seconds are their events' spans. */
  g_assert_cmpfloat (log.seconds[FL_STAGE_DOWNLOAD], ==, result.download.seconds);
  g_assert_cmpfloat (log.seconds[FL_STAGE_ENCODE], ==, result.encode.seconds);
  g_assert_cmpuint (result.download.frames, ==, 120);
  g_assert_cmpuint (result.encode.frames, ==, 120);
  g_assert_cmpfloat (result.download.seconds, >, 0);
  g_assert_cmpfloat (result.encode.seconds, >, 0);
  g_assert_true (g_file_test (gif, G_FILE_TEST_IS_REGULAR));
  /* The encoder's chunks reached the pipeline's stream: they tile the frames,
   * two workers at least one chunk each. */
  g_assert_cmpuint (log.chunks, >=, 2);
  g_assert_cmpuint (log.chunk_frames, ==, 120);
  g_assert_cmpuint (log.last_done[FL_STAGE_ENCODE], ==, 120);

  /* Encode only, from the frames just written; an already-cancelled run does nothing. */
  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    g_autoptr (GError) cancel_error = NULL;
    g_autofree char *gif2 = g_build_filename (root, "cancelled.gif", NULL);

    config.run_download = FALSE;
    config.encode.output = gif2;
    g_cancellable_cancel (cancellable);
    g_assert_false (fl_pipeline_run (&config, cancellable, NULL, &cancel_error));
    g_assert_nonnull (cancel_error);
    g_assert_false (g_file_test (gif2, G_FILE_TEST_EXISTS));
  }

  g_string_free (log.events, TRUE);
  fl_test_remove_tree (root);
}

/* A failed download stops the pipeline: no encode stage, no GIF. */
static void
test_download_failure_stops (void)
{
  g_autofree char *root = g_dir_make_tmp ("fl-pipeline-XXXXXX", NULL);
  g_autofree char *frames = g_build_filename (root, "frames", NULL);
  g_autofree char *gif = g_build_filename (root, "out.gif", NULL);
  g_autoptr (GError) error = NULL;
  FlPipelineConfig config = { 0 };
  Log log = { .events = g_string_new (NULL) };
  g_autoptr (FlEvents) events = fl_events_new (0);

  config.download.port = 1; /* nothing listens on port 1 */
  config.download.frames_dir = frames;
  config.download.n_frames = 10;
  config.download.threads = 2;
  config.encode.output = gif;
  config.run_download = TRUE;
  config.run_encode = TRUE;
  config.events = events;
  fl_events_add_reader (events, on_events, &log, NULL);
  g_assert_false (fl_pipeline_run (&config, NULL, NULL, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CONNECT);
  g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1:1: connection refused");
  g_assert_cmpstr (log.events->str, ==, "S0:10 E0 ");
  g_assert_false (g_file_test (gif, G_FILE_TEST_EXISTS));
  g_string_free (log.events, TRUE);
  fl_test_remove_tree (root);
}


/* What would fail after the whole download is found before it: a worker that is
 * not there, an output in a folder that does not exist, an output that is a
 * folder. No frame is downloaded. */
static void
test_checked_before_download (void)
{
  g_autofree char *root = g_dir_make_tmp ("fl-pipeline-XXXXXX", NULL);
  g_autofree char *frames = g_build_filename (root, "frames", NULL);
  g_autofree char *gif = g_build_filename (root, "out.gif", NULL);
  g_autofree char *missing = g_build_filename (root, "nowhere", "out.gif", NULL);
  g_autoptr (FlServer) server = NULL;
  FlServerConfig server_config = { .host = "127.0.0.1" };
  FlPipelineConfig config = { 0 };
  Log log = { .events = g_string_new (NULL) };
  g_autoptr (FlEvents) events = fl_events_new (0);
  struct
  {
    const char *worker, *output, *message;
  } cases[] = {
    { "/nonexistent/frameloom-gif-worker", gif,
      "Could not start the GIF worker /nonexistent/frameloom-gif-worker: no such file or "
      "directory (set FRAMELOOM_GIF_WORKER to the worker's path)" },
    { NULL, missing, NULL },
    { NULL, root, NULL },
  };

  server = fl_server_new (&server_config);
  g_assert_true (fl_server_start (server, NULL));
  config.download.port = fl_server_get_port (server);
  config.download.frames_dir = frames;
  config.download.n_frames = 10;
  config.run_download = TRUE;
  config.run_encode = TRUE;
  config.encode.processes = 1;
  config.events = events;
  fl_events_add_reader (events, on_events, &log, NULL);
  if (g_getenv (FL_GIF_WORKER_ENV) == NULL)
    cases[1].worker = cases[2].worker = "/bin/true";
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;

      config.encode.worker_path = cases[i].worker ? cases[i].worker : g_getenv (FL_GIF_WORKER_ENV);
      config.encode.output = cases[i].output;
      g_assert_false (fl_pipeline_run (&config, NULL, NULL, &error));
      fl_events_flush (events);
      g_test_message ("%s", error->message);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
      else
        g_assert_true (g_str_has_prefix (error->message, "Could not write "));
      g_assert_cmpstr (log.events->str, ==, "");
    }
  {
    FlServerStats stats;
    fl_server_get_stats (server, &stats);
    g_assert_cmpuint (stats.images_sent, ==, 0);
  }
  g_string_free (log.events, TRUE);
  fl_test_remove_tree (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pipeline/both-stages", test_both_stages);
  g_test_add_func ("/pipeline/download-failure-stops", test_download_failure_stops);
  g_test_add_func ("/pipeline/checked-before-download", test_checked_before_download);
  return g_test_run ();
}
