/* test-check.c: the checker's core API as the app's Check page uses it: each
 * check reported as it starts and ends, cancellation, the report and its JSON. */
#include "fl-check-proc.h"
#include "fl-check-server.h"
#include "fl-image.h"
#include "fl-net.h"
#include "fl-png.h"
#include "fl-server.h"

#include <json-glib/json-glib.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct
{
  GPtrArray *events;          /* "start id" / "end id STATUS" */
  const char *cancel_at;      /* cancel when this check starts */
  GCancellable *cancellable;
  gint64 cancelled_at;
} Recorder;

static void
on_started (const char *id, const char *name, gpointer data)
{
  Recorder *recorder = data;

  g_assert_nonnull (name);
  g_ptr_array_add (recorder->events, g_strdup_printf ("start %s", id));
  if (g_strcmp0 (id, recorder->cancel_at) == 0)
    {
      recorder->cancelled_at = g_get_monotonic_time ();
      g_cancellable_cancel (recorder->cancellable);
    }
}

static void
on_finished (const FlCheckResult *result, gpointer data)
{
  Recorder *recorder = data;

  g_assert_nonnull (result->evidence);
  g_assert_true (g_str_has_suffix (result->evidence, "."));
  g_ptr_array_add (recorder->events, g_strdup_printf ("end %s %s", result->id,
                                                      fl_check_status_to_string (result->status)));
}

static const FlCheckCallbacks callbacks = { on_started, on_finished };

static FlServer *
start_server (void)
{
  FlServerConfig config = { .host = "127.0.0.1" };
  FlServer *server = fl_server_new (&config);

  g_assert_true (fl_server_start (server, NULL));
  return server;
}

static void
test_reports_each_check_live (void)
{
  g_autoptr (FlServer) server = start_server ();
  Recorder recorder = { g_ptr_array_new_with_free_func (g_free), NULL, NULL, 0 };
  FlCheckServerConfig config = { .host = "127.0.0.1", .port = fl_server_get_port (server),
                                 .burst = 100, .timing = 100, .no_reference = TRUE };
  g_autoptr (GError) error = NULL;
  g_autoptr (FlCheckReport) report = fl_check_server_run (&config, &callbacks, &recorder, NULL,
                                                          &error);

  g_assert_no_error (error);
  g_assert_cmpuint (report->results->len, ==, 12);
  g_assert_cmpuint (recorder.events->len, ==, 24);
  for (guint i = 0; i < report->results->len; i++)
    {
      const FlCheckResult *result = report->results->pdata[i];
      g_autofree char *start = g_strdup_printf ("start %s", result->id);
      g_autofree char *end = g_strdup_printf ("end %s PASS", result->id);

      g_test_message ("%s: %s", result->id, result->evidence);
      g_assert_cmpstr (recorder.events->pdata[2 * i], ==, start);
      g_assert_cmpstr (recorder.events->pdata[2 * i + 1], ==, end);
    }
  g_assert_true (fl_check_report_passed (report));
  g_assert_nonnull (fl_check_report_find (report, "timing"));
  g_assert_null (fl_check_report_find (report, "ctrl-c"));
  g_ptr_array_unref (recorder.events);
}

static void
test_cancel_stops_at_once (void)
{
  g_autoptr (FlServer) server = start_server ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Recorder recorder = { g_ptr_array_new_with_free_func (g_free), "burst", cancellable, 0 };
  FlCheckServerConfig config = { .host = "127.0.0.1", .port = fl_server_get_port (server) };
  g_autoptr (GError) error = NULL;
  g_autoptr (FlCheckReport) report = fl_check_server_run (&config, &callbacks, &recorder,
                                                          cancellable, &error);
  gint64 stopped_after = g_get_monotonic_time () - recorder.cancelled_at;

  g_assert_no_error (error);
  g_assert_true (report->cancelled);
  g_assert_false (fl_check_report_passed (report));
  g_assert_null (fl_check_report_find (report, "timing"));
  g_assert_cmpstr (g_ptr_array_index (recorder.events, recorder.events->len - 1), ==,
                   "end burst SKIP");
  /* The burst's 500 connections (20 s each at worst) are not waited for. */
  g_assert_cmpint (stopped_after, <, 5 * G_USEC_PER_SEC);
  g_ptr_array_unref (recorder.events);
}

static void
test_nothing_listening (void)
{
  g_autoptr (FlServer) server = start_server ();
  guint port = fl_server_get_port (server);
  FlCheckServerConfig config = { .host = "127.0.0.1" };
  g_autoptr (GError) error = NULL;
  g_autoptr (FlCheckReport) report = NULL;

  fl_server_stop (server, 0);
  config.port = port;
  report = fl_check_server_run (&config, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((FlCheckResult *) report->results->pdata[0])->status, ==, FL_CHECK_FAIL);
  g_assert_cmpuint (fl_check_report_count (report, FL_CHECK_SKIP), ==, 11);
}

static void
test_bad_address (void)
{
  FlCheckServerConfig config = { .host = "no.such.host.invalid", .port = 1 };
  g_autoptr (GError) error = NULL;
  g_autoptr (FlCheckReport) report = fl_check_server_run (&config, NULL, NULL, NULL, &error);

  g_assert_null (report);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "no.such.host.invalid"));
}

static void
test_json (void)
{
  g_autoptr (FlServer) server = start_server ();
  FlCheckServerConfig config = { .host = "127.0.0.1", .port = fl_server_get_port (server),
                                 .burst = 50, .timing = 50, .no_reference = TRUE };
  g_autoptr (FlCheckReport) report = fl_check_server_run (&config, NULL, NULL, NULL, NULL);
  g_autofree char *json = fl_check_report_to_json (report);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root, *first;
  JsonArray *checks;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "kind"), ==, "server");
  g_assert_true (json_object_get_boolean_member (root, "ok"));
  g_assert_cmpint (json_object_get_int_member (root, "passed"), ==, 12);
  checks = json_object_get_array_member (root, "checks");
  g_assert_cmpuint (json_array_get_length (checks), ==, 12);
  first = json_array_get_object_element (checks, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, "connect");
  g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "PASS");
  g_assert_true (json_object_has_member (json_object_get_object_member (first, "figures"),
                                         "connect_ms"));
}

static void
add_result (FlCheckReport *report, const char *id, const char *name, FlCheckStatus status,
            const char *evidence)
{
  FlCheckResult *result = g_new0 (FlCheckResult, 1);

  result->id = id;
  result->name = name;
  result->status = status;
  result->evidence = g_strdup (evidence);
  g_ptr_array_add (report->results, result);
}

/* The people's copy: heading, counts, one table row a check (a bar in the
 * evidence does not end its cell), the failed connections. */
static void
test_markdown (void)
{
  g_autoptr (FlCheckReport) report = fl_check_report_new ("server", "127.0.0.1:1234");
  FlCheckFailure *failure = g_new0 (FlCheckFailure, 1);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  add_result (report, "connect", "Accepts a connection", FL_CHECK_PASS, "Connected.");
  add_result (report, "reply-png", "Sends one complete PNG", FL_CHECK_FAIL,
              "The reply is text | more,\nnot a PNG.");
  failure->sentence = g_strdup ("Connection refused");
  failure->count = 3;
  g_ptr_array_add (report->failures, failure);
  report->n_failures = 5;
  report->seconds = 1.5;
  text = fl_check_report_to_markdown (report);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "# Check of the server 127.0.0.1:1234");
  g_assert_cmpstr (lines[2], ==, "1 passed, 0 warned, 1 failed, 0 skipped in 1.5 s.");
  g_assert_cmpstr (lines[4], ==, "| Result | Check | Evidence |");
  g_assert_cmpstr (lines[6], ==, "| PASS | Accepts a connection | Connected. |");
  g_assert_cmpstr (lines[7], ==,
                   "| FAIL | Sends one complete PNG | The reply is text \\| more, not a PNG. |");
  g_assert_cmpstr (lines[9], ==, "## 5 connections failed");
  g_assert_cmpstr (lines[11], ==, "- 3× Connection refused");
  g_assert_cmpstr (lines[12], ==, "- and 2 more");
}

static gpointer
wait_for_stop (gpointer data)
{
  while (!g_atomic_int_get ((gint *) data))
    g_usleep (1000);
  return NULL;
}

/* A sampler stopped at once still took a sample: this process runs two
 * threads (the test's and a helper), never "none". A busy machine may not run
 * the sampling thread before the load ends, and no sample at all read as "one
 * thread" failed a threaded server. */
static void
test_thread_sampler_samples_before_the_load (void)
{
  g_autoptr (GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  pid_t self = getpid ();
  gint stop = 0;
  GThread *helper = g_thread_new ("helper", wait_for_stop, &stop);

  g_array_append_val (pids, self);
  for (guint i = 0; i < 20; i++)
    {
      guint samples = 0;
      guint peak = fl_thread_sampler_stop (fl_thread_sampler_start (pids), &samples);

      g_assert_cmpuint (samples, >=, 1);
      g_assert_cmpuint (peak, >=, 2);
    }
  g_atomic_int_set (&stop, 1);
  g_thread_join (helper);
}

/* A child that has exited and is not reaped yet (what a pool's workers are
 * while their parent tears them down) is no process at work. */
static void
test_child_sampler_leaves_out_zombies (void)
{
  pid_t child = fork ();
  FlChildSampler *sampler;
  gint64 start;
  guint distinct = 0, peak;

  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    _exit (0);
  /* The child is a zombie once its stat says so. */
  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) child);
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL) && strstr (text, ") Z ") != NULL)
        break;
      g_usleep (1000);
    }
  start = g_get_monotonic_time ();
  sampler = fl_child_sampler_start (getpid ());
  g_usleep (50000);
  fl_child_sampler_stop (sampler);
  peak = fl_child_sampler_peak (sampler, start, g_get_monotonic_time (), &distinct);
  fl_child_sampler_free (sampler);
  waitpid (child, NULL, 0);
  g_assert_cmpuint (peak, ==, 0);
  g_assert_cmpuint (distinct, ==, 0);
}

#define CHURN_HELPER "--two-workers-and-thread-churn"

static void *
exit_at_once (void *data)
{
  return data;
}

/* A process with two workers whose other threads start and exit all the
 * while, as a pool's handler threads do while it tears its workers down. It
 * writes a byte to report once both workers run and one before it ends them. */
static void G_GNUC_NORETURN
run_two_workers_and_thread_churn (int report)
{
  pid_t workers[2];
  gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC;

  for (int i = 0; i < 2; i++)
    if ((workers[i] = fork ()) == 0)
      {
        pause ();
        _exit (0);
      }
  if (write (report, "r", 1) != 1)
    _exit (1);
  while (g_get_monotonic_time () < end)
    {
      pthread_t threads[8];
      int started = 0;

      for (; started < 8; started++)
        if (pthread_create (&threads[started], NULL, exit_at_once, NULL) != 0)
          break;
      for (int i = 0; i < started; i++)
        pthread_join (threads[i], NULL);
    }
  if (write (report, "e", 1) != 1)
    _exit (1);
  for (int i = 0; i < 2; i++)
    {
      kill (workers[i], SIGKILL);
      waitpid (workers[i], NULL, 0);
    }
  _exit (0);
}

/* Each worker counts once in a look at the tree, however the threads of its
 * parent come and go during the look (a thread that exits hands its children
 * to another: the walk met them twice, and two workers counted as four). */
static void
test_child_sampler_counts_each_process_once (void)
{
  FlChildSampler *sampler;
  gint64 start, end;
  guint distinct = 0, peak;
  int report[2], status;
  char byte;
  pid_t parent;

  g_assert_cmpint (pipe (report), ==, 0);
  parent = fork ();
  g_assert_cmpint (parent, >=, 0);
  if (parent == 0)
    {
      /* A fresh image of this program: threads after a fork of a process
       * with threads are not for ThreadSanitizer. */
      g_autofree char *fd = g_strdup_printf ("%d", report[1]);

      close (report[0]);
      execl ("/proc/self/exe", "test-check", CHURN_HELPER, fd, (char *) NULL);
      _exit (127);
    }
  close (report[1]);
  sampler = fl_child_sampler_start (parent);
  /* The window: from both workers running to just before they are ended. */
  g_assert_cmpint (read (report[0], &byte, 1), ==, 1);
  start = g_get_monotonic_time ();
  g_assert_cmpint (read (report[0], &byte, 1), ==, 1);
  end = g_get_monotonic_time ();
  g_assert_cmpint (waitpid (parent, &status, 0), ==, parent);
  close (report[0]);
  fl_child_sampler_stop (sampler);
  peak = fl_child_sampler_peak (sampler, start, end, &distinct);
  fl_child_sampler_free (sampler);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpuint (peak, ==, 2);
  g_assert_cmpuint (distinct, ==, 2);
}

/* The server's hash of what it sent is the hash of the image the client reads. */
static void
test_server_hashes_images (void)
{
  g_autoptr (FlEvents) events = fl_events_new (0);
  g_autoptr (FlEventLog) log = fl_event_log_new (events);
  FlServerConfig config = { .host = "127.0.0.1", .events = events, .hash_images = TRUE,
                            .width = 7, .height = 5 };
  g_autoptr (FlServer) server = fl_server_new (&config);
  g_autoptr (GArray) kept = NULL;
  guint32 hashes[3];
  guint n = 0;

  g_assert_true (fl_server_start (server, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      FlSockAddr addr;
      guint8 buffer[4096];
      gsize length = 0;
      gboolean eof;
      g_autoptr (GError) error = NULL;
      g_autoptr (FlImage) image = NULL;
      int fd;

      g_assert_true (fl_net_resolve ("127.0.0.1", fl_server_get_port (server), FALSE, &addr,
                                     NULL));
      fd = fl_net_connect (&addr, g_get_monotonic_time () + 5 * G_USEC_PER_SEC, NULL, NULL,
                           &error);
      g_assert_no_error (error);
      g_assert_true (fl_net_read (fd, g_get_monotonic_time () + 5 * G_USEC_PER_SEC, buffer,
                                  sizeof buffer, G_MAXSIZE, &length, &eof, NULL, NULL, "server",
                                  &error));
      close (fd);
      image = fl_png_decode (buffer, length, NULL, &error);
      g_assert_no_error (error);
      hashes[i] = fl_image_hash (image);
    }
  fl_server_stop (server, 1000);
  kept = fl_event_log_dup (log);
  for (guint i = 0; i < kept->len; i++)
    {
      const FlEvent *event = &g_array_index (kept, FlEvent, i);

      if (event->kind != FL_EVENT_CONNECTION_SERVED)
        continue;
      g_assert_cmpuint (n, <, G_N_ELEMENTS (hashes));
      g_assert_cmphex (event->connection.image_hash, ==, hashes[n]);
      n++;
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (hashes));
  g_assert_cmphex (hashes[0], !=, hashes[1]);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], CHURN_HELPER) == 0)
    run_two_workers_and_thread_churn (atoi (argv[2]));
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/check/server/reports-each-check-live", test_reports_each_check_live);
  g_test_add_func ("/check/server/cancel-stops-at-once", test_cancel_stops_at_once);
  g_test_add_func ("/check/server/nothing-listening", test_nothing_listening);
  g_test_add_func ("/check/server/bad-address", test_bad_address);
  g_test_add_func ("/check/server/json", test_json);
  g_test_add_func ("/check/markdown", test_markdown);
  g_test_add_func ("/check/thread-sampler", test_thread_sampler_samples_before_the_load);
  g_test_add_func ("/check/child-sampler-zombies", test_child_sampler_leaves_out_zombies);
  g_test_add_func ("/check/child-sampler-once", test_child_sampler_counts_each_process_once);
  g_test_add_func ("/check/server-hashes-images", test_server_hashes_images);
  return g_test_run ();
}
