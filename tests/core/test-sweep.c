/* test-sweep: fl_sweep_run's rows, labels and numbers against an in-process
 * FlServer (and the real GIF worker), cancel between and during runs, and
 * fl_sweep_parse's errors. */
#include "fl-error.h"
#include "fl-server.h"
#include "fl-sweep.h"
#include "fl-sync.h"
#include "fl-test-util.h"

#include <string.h>

typedef struct
{
  FlMutex lock;
  GString *events;            /* "s0/3 f0/3 ...": the sweep's callbacks */
  GString *runs;              /* "R0/3 r0/3:ok ...": its run events */
  GCancellable *cancel;       /* cancelled when run cancel_at starts */
  guint cancel_at;
  guint64 cancel_after_frames; /* ... once this many frames of it are done (0: at start) */
  gboolean armed;
} Log;

static void
on_run_started (guint index, guint total, const FlRunRecord *record, gpointer data)
{
  Log *log = data;

  g_assert_false (record->ok);
  fl_mutex_lock (&log->lock);
  g_string_append_printf (log->events, "s%u/%u:%s ", index, total, record->label);
  if (log->cancel != NULL && index == log->cancel_at)
    {
      if (log->cancel_after_frames == 0)
        g_cancellable_cancel (log->cancel);
      else
        log->armed = TRUE;
    }
  fl_mutex_unlock (&log->lock);
}

static void
on_run_finished (guint index, guint total, const FlRunRecord *record, gpointer data)
{
  Log *log = data;

  fl_mutex_lock (&log->lock);
  g_string_append_printf (log->events, "f%u/%u:%s ", index, total, record->ok ? "ok" : "failed");
  fl_mutex_unlock (&log->lock);
}

/* Reads the sweep's event stream: cancels once enough frames of the armed run
 * are done, and notes the runs' own events ("R0/3 r0/3:ok"). */
static void
on_events (const FlEvent *events, guint n_events, gpointer data)
{
  Log *log = data;

  fl_mutex_lock (&log->lock);
  for (guint i = 0; i < n_events; i++)
    if (events[i].kind == FL_EVENT_FRAME_FETCHED && log->armed
        && events[i].frame.done >= log->cancel_after_frames)
      {
        log->armed = FALSE;
        g_cancellable_cancel (log->cancel);
      }
    else if (events[i].kind == FL_EVENT_RUN_STARTED)
      g_string_append_printf (log->runs, "R%u/%u ", events[i].run.index, events[i].run.total);
    else if (events[i].kind == FL_EVENT_RUN_ENDED)
      g_string_append_printf (log->runs, "r%u/%u:%s ", events[i].run.index, events[i].run.total,
                              events[i].run.code == FL_EVENT_NO_ERROR ? "ok" : "failed");
  fl_mutex_unlock (&log->lock);
}

static const FlSweepCallbacks callbacks = { on_run_started, on_run_finished };

typedef struct
{
  char *root;
  char *frames;
  char *gif;
  FlServer *server;
  FlPipelineConfig config;
  FlEvents *stream;
  Log log;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  FlServerConfig server_config = { .host = "127.0.0.1" };
  g_autoptr (GError) error = NULL;

  f->root = fl_test_make_dir ("fl-sweep-XXXXXX");
  f->frames = g_build_filename (f->root, "frames", NULL);
  f->gif = g_build_filename (f->root, "out.gif", NULL);
  f->server = fl_server_new (&server_config);
  g_assert_true (fl_server_start (f->server, &error));
  f->config.download.host = "127.0.0.1";
  f->config.download.port = fl_server_get_port (f->server);
  f->config.download.frames_dir = f->frames;
  f->config.download.n_frames = 200;
  f->config.download.threads = 4;
  f->config.encode.output = f->gif;
  f->config.encode.processes = 2;
  f->config.run_download = TRUE;
  f->config.run_encode = TRUE;
  fl_mutex_init (&f->log.lock);
  f->log.events = g_string_new (NULL);
  f->log.runs = g_string_new (NULL);
  f->stream = fl_events_new (0);
  fl_events_add_reader (f->stream, on_events, &f->log, NULL);
  f->config.events = f->stream;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fl_server_free (f->server);
  fl_events_free (f->stream);
  fl_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->frames);
  g_free (f->gif);
  g_string_free (f->log.events, TRUE);
  g_string_free (f->log.runs, TRUE);
  g_clear_object (&f->log.cancel);
  fl_mutex_clear (&f->log.lock);
}

static void
assert_consistent (const FlRunRecord *r)
{
  if (r->ran_download)
    {
      g_assert_cmpfloat (r->download_seconds, >, 0);
      g_assert_cmpfloat (fl_run_record_download_rate (r), ==, r->frames / r->download_seconds);
    }
  if (r->ran_encode)
    {
      g_assert_cmpfloat (r->encode_seconds, >, 0);
      g_assert_cmpfloat (fl_run_record_encode_rate (r), ==, r->frames / r->encode_seconds);
    }
}

static void
test_threads (Fixture *f, gconstpointer data)
{
  static const guint values[] = { 1, 2, 4 };
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", f->config.download.port);

  g_assert_true (fl_sweep_run (FL_SWEEP_THREADS, &f->config, values, 3, NULL,
                               &callbacks, &f->log, NULL, records, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (f->log.events->str, ==,
                   "s0/3:threads=1 f0/3:ok s1/3:threads=2 f1/3:ok s2/3:threads=4 f2/3:ok ");
  g_assert_cmpstr (f->log.runs->str, ==, "R0/3 r0/3:ok R1/3 r1/3:ok R2/3 r2/3:ok ");
  g_assert_cmpuint (records->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const FlRunRecord *r = records->pdata[i];
      g_assert_true (r->ok);
      g_assert_null (r->error);
      g_assert_cmpuint (r->threads, ==, values[i]);
      g_assert_cmpuint (r->frames, ==, 200);
      g_assert_cmpstr (r->server, ==, server);
      g_assert_true (r->ran_download);
      g_assert_false (r->ran_encode);
      g_assert_cmpuint (r->failures, ==, 0);
      g_assert_cmpint (r->started_unix, >, 1700000000);
      assert_consistent (r);
    }
  g_assert_false (g_file_test (f->gif, G_FILE_TEST_EXISTS));
}

static void
test_processes (Fixture *f, gconstpointer data)
{
  static const guint values[] = { 1, 2 };
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GError) error = NULL;

  if (g_getenv ("FRAMELOOM_GIF_WORKER") == NULL)
    {
      g_test_skip ("FRAMELOOM_GIF_WORKER is not set");
      return;
    }
  g_assert_true (fl_sweep_run (FL_SWEEP_PROCESSES, &f->config, values, 2, NULL,
                               &callbacks, &f->log, NULL, records, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const FlRunRecord *r = records->pdata[i];
      g_assert_true (r->ok);
      g_assert_cmpuint (r->processes, ==, values[i]);
      g_assert_false (r->ran_download);
      g_assert_true (r->ran_encode);
      g_assert_cmpuint (r->width, ==, 10);
      g_assert_cmpuint (r->height, ==, 10);
      g_assert_cmpstr (r->label, ==, i == 0 ? "processes=1" : "processes=2");
      assert_consistent (r);
    }
  g_assert_true (g_file_test (f->gif, G_FILE_TEST_IS_REGULAR));
}

static void
test_compare (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GError) error = NULL;
  const FlRunRecord *b, *c;

  if (g_getenv ("FRAMELOOM_GIF_WORKER") == NULL)
    {
      g_test_skip ("FRAMELOOM_GIF_WORKER is not set");
      return;
    }
  g_assert_true (fl_sweep_run (FL_SWEEP_COMPARE, &f->config, NULL, 0, NULL,
                               &callbacks, &f->log, NULL, records, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  b = records->pdata[0];
  c = records->pdata[1];
  g_assert_cmpstr (b->label, ==, "baseline");
  g_assert_cmpstr (c->label, ==, "chosen");
  g_assert_cmpuint (b->threads, ==, 1);
  g_assert_cmpuint (b->processes, ==, 1);
  g_assert_cmpuint (c->threads, ==, 4);
  g_assert_cmpuint (c->processes, ==, 2);
  g_assert_true (b->ran_download && b->ran_encode && c->ran_download && c->ran_encode);
  assert_consistent (b);
  assert_consistent (c);
}

/* Cancel as run 1 of 3 starts, or halfway through its download: run 1's record
 * is kept as failed and run 2 never starts. */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  static const guint values[] = { 1, 2, 4 };
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GError) error = NULL;
  const FlRunRecord *r;

  f->log.cancel = g_cancellable_new ();
  f->log.cancel_at = 1;
  f->log.cancel_after_frames = GPOINTER_TO_UINT (data);
  f->config.download.n_frames = 2000; /* long enough to be cancelled midway */
  g_assert_false (fl_sweep_run (FL_SWEEP_THREADS, &f->config, values, 3, NULL,
                                &callbacks, &f->log, f->log.cancel, records, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CANCELLED);
  g_assert_cmpstr (f->log.events->str, ==,
                   "s0/3:threads=1 f0/3:ok s1/3:threads=2 f1/3:failed ");
  /* The stream saw the same runs, each flushed before the next began. */
  g_assert_cmpstr (f->log.runs->str, ==, "R0/3 r0/3:ok R1/3 r1/3:failed ");
  g_assert_cmpuint (records->len, ==, 2);
  r = records->pdata[1];
  g_assert_false (r->ok);
  g_assert_nonnull (r->error);
  g_assert_true (((FlRunRecord *) records->pdata[0])->ok);
}

static void
test_before_start (Fixture *f, gconstpointer data)
{
  static const guint values[] = { 1 };
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (GError) error = NULL;

  g_cancellable_cancel (cancel);
  g_assert_false (fl_sweep_run (FL_SWEEP_THREADS, &f->config, values, 1, NULL, NULL, NULL,
                                cancel, records, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CANCELLED);
  g_assert_cmpuint (records->len, ==, 0);
}

/* A run that fails stops the sweep, and its record says why. */
static void
test_failure (Fixture *f, gconstpointer data)
{
  static const guint values[] = { 1, 2 };
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GError) error = NULL;
  const FlRunRecord *r;

  f->config.download.port = 1;
  f->config.download.attempts = 1;
  g_assert_false (fl_sweep_run (FL_SWEEP_THREADS, &f->config, values, 2, NULL,
                                &callbacks, &f->log, NULL, records, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CONNECT);
  g_assert_cmpuint (records->len, ==, 1);
  r = records->pdata[0];
  g_assert_false (r->ok);
  g_assert_cmpstr (r->error, ==, error->message);
  g_assert_cmpstr (r->server, ==, "127.0.0.1:1");
}

/* Warm-ups run first and are not kept; the timed runs go in rounds (every point
 * once per round), numbered from 1. With fresh_frames every download starts
 * from a folder without the frames. */
typedef struct
{
  Log log;
  const char *frames;
  guint started_with_frames;  /* runs that found 0.png already there */
  guint runs;
} FreshLog;

static void
on_fresh_run_started (guint index, guint total, const FlRunRecord *record, gpointer data)
{
  FreshLog *fresh = data;
  g_autofree char *first = g_build_filename (fresh->frames, "0.png", NULL);

  on_run_started (index, total, record, &fresh->log);
  fresh->runs++;
  fresh->started_with_frames += g_file_test (first, G_FILE_TEST_EXISTS);
}

static void
on_fresh_run_finished (guint index, guint total, const FlRunRecord *record, gpointer data)
{
  on_run_finished (index, total, record, &((FreshLog *) data)->log);
}

static void
test_repetitions (Fixture *f, gconstpointer data)
{
  static const guint values[] = { 1, 3 };
  static const FlSweepCallbacks fresh_callbacks = { on_fresh_run_started, on_fresh_run_finished };
  const FlSweepOptions overwrite = { .repeat = 2, .warmup = 1 };
  const FlSweepOptions fresh = { .repeat = 2, .warmup = 1, .fresh_frames = TRUE };
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GError) error = NULL;
  FreshLog log = { .frames = f->frames };
  const guint expect_threads[] = { 1, 3, 1, 3 };

  fl_mutex_init (&log.log.lock);
  log.log.events = g_string_new (NULL);
  f->config.download.n_frames = 50;
  g_assert_true (fl_sweep_run (FL_SWEEP_THREADS, &f->config, values, 2, &overwrite,
                               &fresh_callbacks, &log, NULL, records, &error));
  g_assert_no_error (error);
  /* 2 warm-ups and 4 timed runs were started; the timed ones are kept. */
  g_assert_cmpstr (log.log.events->str, ==,
                   "s0/6:threads=1 f0/6:ok s1/6:threads=3 f1/6:ok s2/6:threads=1 f2/6:ok "
                   "s3/6:threads=3 f3/6:ok s4/6:threads=1 f4/6:ok s5/6:threads=3 f5/6:ok ");
  g_assert_cmpuint (records->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const FlRunRecord *r = records->pdata[i];
      g_assert_cmpuint (r->repetition, ==, i / 2 + 1);
      g_assert_cmpuint (r->threads, ==, expect_threads[i]);
      g_assert_true (r->ok);
      /* Waiting is part of every frame's time, never more than the threads' time. */
      g_assert_cmpfloat (r->download_wait_seconds, >, 0);
      g_assert_cmpfloat (r->download_wait_seconds, <=, r->download_seconds * r->threads);
    }
  /* Overwriting: only the very first warm-up found the folder empty. */
  g_assert_cmpuint (log.started_with_frames, ==, 5);

  log.runs = log.started_with_frames = 0;
  g_assert_true (fl_sweep_run (FL_SWEEP_THREADS, &f->config, values, 2, &fresh,
                               &fresh_callbacks, &log, NULL, records, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.runs, ==, 6);
  g_assert_cmpuint (log.started_with_frames, ==, 0);
  g_assert_cmpuint (records->len, ==, 8);
  g_string_free (log.log.events, TRUE);
  fl_mutex_clear (&log.log.lock);
}

typedef struct
{
  const char *text;
  FlSweepKind kind;
  guint n;           /* 0: must fail */
  const char *expect;
} ParseCase;

static const ParseCase parse_cases[] = {
  { "threads=1,2,4,8", FL_SWEEP_THREADS, 4, NULL },
  { "processes=2", FL_SWEEP_PROCESSES, 1, NULL },
  { "threads", 0, 0, "expected threads=N,N,... or processes=N,N,..." },
  { "thread=1", 0, 0, "the parameter must be threads or processes" },
  { "threads=", 0, 0, "it lists no values" },
  { "threads=1,,2", 0, 0, "\"\" is not a number from 1 to 4096" },
  { "threads=0", 0, 0, "\"0\" is not a number from 1 to 4096" },
  { "processes=1,x", 0, 0, "\"x\" is not a number from 1 to 256" },
  { "threads=-1", 0, 0, "\"-1\" is not a number" },
};

static void
test_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      const ParseCase *c = &parse_cases[i];
      g_autoptr (GArray) values = NULL;
      g_autoptr (GError) error = NULL;
      FlSweepKind kind = (FlSweepKind) 99;
      gboolean ok = fl_sweep_parse (c->text, &kind, &values, &error);

      if (c->n > 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpint (kind, ==, c->kind);
          g_assert_cmpuint (values->len, ==, c->n);
        }
      else
        {
          g_assert_false (ok);
          g_assert_null (values);
          g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT);
          g_assert_nonnull (strstr (error->message, c->expect));
          g_assert_true (g_str_has_prefix (error->message, "The sweep \""));
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func, data) \
  g_test_add ("/sweep/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("threads", test_threads, NULL);
  ADD ("processes", test_processes, NULL);
  ADD ("compare", test_compare, NULL);
  ADD ("repetitions", test_repetitions, NULL);
  ADD ("cancel-at-start", test_cancel, GUINT_TO_POINTER (0));
  ADD ("cancel-midway", test_cancel, GUINT_TO_POINTER (100));
  ADD ("cancelled-before", test_before_start, NULL);
  ADD ("failure-stops", test_failure, NULL);
#undef ADD
  g_test_add_func ("/sweep/parse", test_parse);
  return g_test_run ();
}
