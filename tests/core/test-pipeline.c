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

/* A run's files in a fresh folder, its events logged, and a config for both
 * stages from the frames there to the GIF there. */
typedef struct
{
  char *root, *frames, *gif;
  FlEvents *events;
  Log log;
  FlPipelineConfig config;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->root = g_dir_make_tmp ("fl-pipeline-XXXXXX", NULL);
  f->frames = g_build_filename (f->root, "frames", NULL);
  f->gif = g_build_filename (f->root, "out.gif", NULL);
  f->events = fl_events_new (0);
  f->log = (Log) { .events = g_string_new (NULL) };
  f->config = (FlPipelineConfig) { 0 };
  f->config.download.frames_dir = f->frames;
  f->config.encode.output = f->gif;
  f->config.run_download = TRUE;
  f->config.run_encode = TRUE;
  f->config.events = f->events;
  fl_events_add_reader (f->events, on_events, &f->log, NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->events, fl_events_free);
  g_string_free (f->log.events, TRUE);
  fl_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->frames);
  g_free (f->gif);
}

static void
test_both_stages (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlServer) server = NULL;
  FlServerConfig server_config = { .host = "127.0.0.1" };
  FlPipelineConfig config = f->config;
  FlPipelineResult result;
  gboolean ok;

  if (g_getenv (FL_GIF_WORKER_ENV) == NULL)
    {
      g_test_skip ("FRAMELOOM_GIF_WORKER is not set");
      return;
    }
  server = fl_server_new (&server_config);
  g_assert_true (fl_server_start (server, &error));
  config.download.port = fl_server_get_port (server);
  config.download.n_frames = 120;
  config.download.threads = 4;
  config.download.frame_timeout_ms = 3000;
  config.encode.processes = 2;
  config.encode.delay_ms = 500;

  ok = fl_pipeline_run (&config, NULL, &result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  /* Every event has been read by now: no lock, no wait. */
  g_assert_cmpstr (f->log.events->str, ==, "S0:120 F0 S1:120 F1 ");
  g_assert_cmpuint (f->log.last_done[FL_STAGE_DOWNLOAD], ==, 120);
  g_assert_cmpuint (f->log.fetched, ==, 120);
  /* The stages' seconds are their events' spans. */
  g_assert_cmpfloat (f->log.seconds[FL_STAGE_DOWNLOAD], ==, result.download.seconds);
  g_assert_cmpfloat (f->log.seconds[FL_STAGE_ENCODE], ==, result.encode.seconds);
  g_assert_cmpuint (result.download.frames, ==, 120);
  g_assert_cmpuint (result.encode.frames, ==, 120);
  g_assert_cmpfloat (result.download.seconds, >, 0);
  g_assert_cmpfloat (result.encode.seconds, >, 0);
  g_assert_true (g_file_test (f->gif, G_FILE_TEST_IS_REGULAR));
  /* The encoder's chunks reached the pipeline's stream: they tile the frames,
   * two workers at least one chunk each. */
  g_assert_cmpuint (f->log.chunks, >=, 2);
  g_assert_cmpuint (f->log.chunk_frames, ==, 120);
  g_assert_cmpuint (f->log.last_done[FL_STAGE_ENCODE], ==, 120);

  /* Encode only, from the frames just written; an already-cancelled run does nothing. */
  {
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    g_autoptr (GError) cancel_error = NULL;
    g_autofree char *gif2 = g_build_filename (f->root, "cancelled.gif", NULL);

    config.run_download = FALSE;
    config.encode.output = gif2;
    g_cancellable_cancel (cancellable);
    g_assert_false (fl_pipeline_run (&config, cancellable, NULL, &cancel_error));
    g_assert_nonnull (cancel_error);
    g_assert_false (g_file_test (gif2, G_FILE_TEST_EXISTS));
  }

}

/* A failed download stops the pipeline: no encode stage, no GIF. */
static void
test_download_failure_stops (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FlPipelineConfig config = f->config;

  config.download.port = 1; /* nothing listens on port 1 */
  config.download.n_frames = 10;
  config.download.threads = 2;
  g_assert_false (fl_pipeline_run (&config, NULL, NULL, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CONNECT);
  g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1:1: connection refused");
  g_assert_cmpstr (f->log.events->str, ==, "S0:10 E0 ");
  g_assert_false (g_file_test (f->gif, G_FILE_TEST_EXISTS));
}

/* What would fail after the whole download is found before it: a worker that is
 * not there, an output in a folder that does not exist, an output that is a
 * folder. No frame is downloaded. */
static void
test_checked_before_download (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->root, "nowhere", "out.gif", NULL);
  g_autoptr (FlServer) server = NULL;
  FlServerConfig server_config = { .host = "127.0.0.1" };
  FlPipelineConfig config = f->config;
  struct
  {
    const char *worker, *output, *message;
  } cases[] = {
    { "/nonexistent/frameloom-gif-worker", f->gif,
      "Could not start the GIF worker /nonexistent/frameloom-gif-worker: no such file or "
      "directory (set FRAMELOOM_GIF_WORKER to the worker's path)" },
    { NULL, missing, NULL },
    { NULL, f->root, NULL },
  };

  server = fl_server_new (&server_config);
  g_assert_true (fl_server_start (server, NULL));
  config.download.port = fl_server_get_port (server);
  config.download.n_frames = 10;
  config.encode.processes = 1;
  if (g_getenv (FL_GIF_WORKER_ENV) == NULL)
    cases[1].worker = cases[2].worker = "/bin/true";
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;

      config.encode.worker_path = cases[i].worker ? cases[i].worker : g_getenv (FL_GIF_WORKER_ENV);
      config.encode.output = cases[i].output;
      g_assert_false (fl_pipeline_run (&config, NULL, NULL, &error));
      fl_events_flush (f->events);
      g_test_message ("%s", error->message);
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
      else
        g_assert_true (g_str_has_prefix (error->message, "Could not write "));
      g_assert_cmpstr (f->log.events->str, ==, "");
    }
  {
    FlServerStats stats;
    fl_server_get_stats (server, &stats);
    g_assert_cmpuint (stats.images_sent, ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  FL_TEST_ADD_FIXTURE ("/pipeline/both-stages", test_both_stages);
  FL_TEST_ADD_FIXTURE ("/pipeline/download-failure-stops", test_download_failure_stops);
  FL_TEST_ADD_FIXTURE ("/pipeline/checked-before-download", test_checked_before_download);
  return g_test_run ();
}
