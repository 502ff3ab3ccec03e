/* fl-check-server-load.c: the server under load: a held connection, a burst,
 * its threads, clients that close at once, and its speed beside ours. */
#include "fl-check-server-private.h"

#include "fl-error.h"
#include "fl-server.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

/* The core has no text domain of its own: it shares the programs' one. */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

/* The wall time of a batch: from its first connect to its last reply. */
static double
batch_seconds (const FlFetch *fetches, guint n)
{
  gint64 start = G_MAXINT64, end = 0;

  for (guint i = 0; i < n; i++)
    if (fetches[i].started_at != 0)
      {
        start = MIN (start, fetches[i].started_at);
        end = MAX (end, fetches[i].started_at + fetches[i].done_us);
      }
  return end > start ? (end - start) / 1e6 : 0;
}

static guint
count_status (const FlFetch *fetches, guint n, FlFetchStatus status)
{
  guint k = 0;

  for (guint i = 0; i < n; i++)
    k += fetches[i].status == status;
  return k;
}

/* How many more failures the run takes before it stops (0: stop at none). */
static guint
failures_left (const FlServerCheck *check)
{
  const FlChecker *c = &check->checker;

  return c->max_failures >= c->n_lost ? c->max_failures - c->n_lost + 1 : 1;
}

static void
check_held_open (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  FlFetch fetches[FL_CHECK_AT_ONCE], held;
  FlFetchPlan plan = { &check->addr, FL_CHECK_AT_ONCE, 0, FL_CHECK_LOAD_TIMEOUT_MS, FALSE };
  g_autoptr (GError) error = NULL;
  g_autofree char *took = NULL;
  guint served, lost = 0, timed_out = 0;
  const char *example = NULL, *lost_example = NULL;
  double wall;
  int fd;

  if (!fl_server_check_may_run (check, "held-open",
                                _("Serves others while a connection is held open")))
    return;
  fd = fl_net_connect (&check->addr, g_get_monotonic_time () + FL_CHECK_REPLY_TIMEOUT_MS * 1000,
                       NULL, c->cancellable, &error);
  if (fd < 0)
    {
      fl_checker_add_failure (c, error->message, TRUE);
      fl_checker_end (c, FL_CHECK_FAIL, _("%s."), error->message);
      return;
    }
  fl_fetch_run (&plan, fetches, 0, c->cancellable);
  fl_fetch_finish (fd, &check->addr, FL_CHECK_REPLY_TIMEOUT_MS, c->cancellable, &held);
  fl_server_check_count (check, fetches, plan.n);
  fl_server_check_count (check, &held, 1);
  served = count_status (fetches, plan.n, FL_FETCH_PNG);
  for (guint i = 0; i < plan.n; i++)
    if (fl_fetch_status_is_lost (fetches[i].status))
      {
        lost++;
        timed_out += fetches[i].timed_out;
        lost_example = lost_example ? lost_example : fetches[i].message;
      }
    else if (fetches[i].status != FL_FETCH_PNG && example == NULL)
      example = fetches[i].message;
  wall = batch_seconds (fetches, plan.n);
  took = fl_check_format_duration (wall);
  if (served == plan.n && wall > 0 && check->single_seconds > 0)
    check->overlap = plan.n * check->single_seconds / wall;
  fl_checker_figure (c, "served", served);
  fl_checker_figure (c, "at_once_seconds", wall);
  if (timed_out > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("While one connection was held open, %u of %u others made at once got no "
                      "answer within %.0f s: the server waits for one client before it takes "
                      "the next, or its listen backlog is smaller than the connections made at "
                      "once."), timed_out, plan.n, FL_CHECK_LOAD_TIMEOUT_MS / 1000.0);
  else if (lost > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("While one connection was held open, %u of %u others made at once failed "
                      "(the first: %s)."), lost, plan.n, lost_example);
  else if (served < plan.n)
    fl_checker_end (c, FL_CHECK_WARN,
                    _("While one connection was held open, %u others made at once were all "
                      "answered in %s, but %u answers were not valid images (the first: %s)."),
                    plan.n, took, plan.n - served, example);
  else if (held.status != FL_FETCH_PNG)
    fl_checker_end (c, FL_CHECK_WARN,
                    _("While one connection was held open, %u others made at once were served "
                      "in %s, but the held one then got no image: %s."), plan.n, took,
                    held.message);
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("While one connection was held open, %u others made at once were all "
                      "served, in %s."), plan.n, took);
  fl_fetch_clear (fetches, plan.n);
  fl_fetch_clear (&held, 1);
}

static gboolean
is_content_failure (FlFetchStatus status)
{
  return status == FL_FETCH_NOT_PNG || status == FL_FETCH_BAD_PNG || status == FL_FETCH_EMPTY;
}

static void
check_under_load (FlServerCheck *check, const FlFetch *fetches, guint n)
{
  FlChecker *c = &check->checker;
  guint bad = 0, other_size = 0, n_png, distinct;
  const char *example = NULL;

  if (!fl_server_check_may_run (check, "under-load", _("Replies stay valid under load")))
    return;
  for (guint i = 0; i < n; i++)
    {
      if (is_content_failure (fetches[i].status))
        {
          bad++;
          example = example ? example : fetches[i].message;
        }
      other_size += fetches[i].status == FL_FETCH_PNG
                    && (fetches[i].width != check->first.width
                        || fetches[i].height != check->first.height);
    }
  distinct = fl_check_count_distinct (fetches, n, &n_png);
  fl_checker_figure (c, "replies", n_png);
  fl_checker_figure (c, "distinct", distinct);
  fl_checker_figure (c, "damaged", bad);
  if (bad > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("Under load %u of %u replies were not valid images (the first: %s): "
                      "handlers must not share a file or a buffer."), bad, n, example);
  else if (other_size > 0)
    fl_checker_end (c, FL_CHECK_FAIL, _("Under load %u of %u images were not %ux%u."),
                    other_size, n_png, check->first.width, check->first.height);
  else if (check->fresh && distinct < n_png)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("Under load %u replies held only %u different images: handlers must not "
                      "share a file or a buffer."), n_png, distinct);
  else if (!check->fresh)
    fl_checker_end (c, FL_CHECK_PASS,
                    _("All %u replies under load were complete %ux%u PNGs (not compared: the "
                      "images repeat even one at a time)."), n_png, check->first.width,
                    check->first.height);
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("All %u replies under load were complete %ux%u PNGs, all different."),
                    n_png, check->first.width, check->first.height);
}

/* The burst, and the judgement of its replies; the threads are sampled meanwhile. */
static void
check_burst (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  guint n = check->config->burst ? check->config->burst : FL_CHECK_SERVER_DEFAULT_BURST;
  g_autofree FlFetch *fetches = g_new0 (FlFetch, n);
  FlFetchPlan plan = { &check->addr, n, FL_CHECK_BURST_IN_FLIGHT, FL_CHECK_LOAD_TIMEOUT_MS, TRUE };
  g_autofree char *took = NULL;
  guint lost = 0, stopped;
  const char *example = NULL;

  if (!fl_server_check_may_run (check, "burst", _("Survives a burst of connections")))
    {
      /* Skipped for the same reason (may_run is FALSE again). */
      fl_server_check_may_run (check, "under-load", _("Replies stay valid under load"));
      return;
    }
  fl_fetch_run (&plan, fetches, failures_left (check), c->cancellable);
  for (guint i = 0; i < n; i++)
    if (fl_fetch_status_is_lost (fetches[i].status))
      {
        lost++;
        example = example ? example : fetches[i].message;
      }
  stopped = count_status (fetches, n, FL_FETCH_CANCELLED);
  fl_server_check_count (check, fetches, n);
  took = fl_check_format_duration (batch_seconds (fetches, n));
  fl_checker_figure (c, "connections", n - stopped);
  fl_checker_figure (c, "failed", lost);
  if (lost > 0 && stopped > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("%u of the first %u connections (%u at a time) failed, and the burst "
                      "stopped there (see --max-failures); the first: %s."), lost, n - stopped,
                    MIN (n, FL_CHECK_BURST_IN_FLIGHT), example);
  else if (lost > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("%u of %u connections (%u at a time) failed; the first: %s."), lost, n,
                    MIN (n, FL_CHECK_BURST_IN_FLIGHT), example);
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("%u connections, %u at a time, were all answered, in %s."), n,
                    MIN (n, FL_CHECK_BURST_IN_FLIGHT), took);
  check_under_load (check, fetches, n);
  fl_fetch_clear (fetches, n);
}

/* samples: taken of the server's threads, the first before the load. */
static void
check_threads (FlServerCheck *check, guint peak, guint samples)
{
  FlChecker *c = &check->checker;

  if (!fl_server_check_may_run (check, "threads", _("Handles connections on several threads")))
    return;
  fl_checker_figure (c, "overlap", check->overlap);
  /* Threads not counted: the process is elsewhere, or the sampling thread
   * never ran while the server was loaded. The overlap alone then. */
  if (check->pids->len == 0 || (samples < 2 && peak <= 1))
    {
      if (check->overlap >= 1.5)
        fl_checker_end (c, FL_CHECK_PASS,
                        _("%u connections made at once were served %.1f× as fast as one after "
                          "another: the server serves them at the same time."), FL_CHECK_AT_ONCE,
                        check->overlap);
      else if (check->pids->len == 0)
        fl_checker_end (c, FL_CHECK_WARN,
                        _("The server's process is not on this machine (or not yours), so its "
                          "threads were not counted; %u connections made at once were served "
                          "%.1f× as fast as one after another, which does not tell."),
                        FL_CHECK_AT_ONCE, check->overlap);
      else
        fl_checker_end (c, FL_CHECK_WARN,
                        _("The machine was too busy to count the server's threads while it "
                          "served; %u connections made at once were served %.1f× as fast as one "
                          "after another, which does not tell."), FL_CHECK_AT_ONCE,
                        check->overlap);
      return;
    }
  fl_checker_figure (c, "peak_threads", peak);
  if (peak <= 1)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("The server's process (pid %d) ran one thread while it served connections "
                      "made at once and a burst: it serves one connection after another."),
                    (int) g_array_index (check->pids, pid_t, 0));
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("The server's process ran up to %u threads while it served; %u connections "
                      "made at once were served %.1f× as fast as one after another."), peak,
                    FL_CHECK_AT_ONCE, check->overlap);
}

static const char *
first_failure (const FlFetch *fetches, guint n)
{
  for (guint i = 0; i < n; i++)
    if (fetches[i].status != FL_FETCH_PNG && fetches[i].message != NULL)
      return fetches[i].message;
  return "";
}

static gboolean
server_alive (FlServerCheck *check, char **how)
{
  int status;

  if (check->process != NULL && !fl_check_process_running (check->process))
    {
      fl_check_process_wait (check->process, 0, &status);
      *how = fl_check_describe_wait_status (status);
      return FALSE;
    }
  for (guint i = 0; i < check->pids->len; i++)
    if (kill (g_array_index (check->pids, pid_t, i), 0) != 0)
      {
        *how = g_strdup ("exited");
        return FALSE;
      }
  return TRUE;
}

static void
check_early_close (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  FlFetch fetches[5];
  FlFetchPlan plan = { &check->addr, G_N_ELEMENTS (fetches), 1, FL_CHECK_REPLY_TIMEOUT_MS, FALSE };
  g_autofree char *how = NULL;
  guint served;

  if (!fl_server_check_may_run (check, "early-close", _("Survives clients that close at once")))
    return;
  for (guint i = 0; i < 20; i++)
    {
      int fd = fl_net_connect (&check->addr, g_get_monotonic_time () + 2 * G_USEC_PER_SEC, NULL,
                               c->cancellable, NULL);
      struct linger reset = { 1, 0 };

      /* Half of them reset the connection instead of closing it. */
      if (fd >= 0 && i % 2 == 1)
        setsockopt (fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      if (fd >= 0)
        close (fd);
    }
  g_usleep (200000);
  fl_fetch_run (&plan, fetches, 0, c->cancellable);
  fl_server_check_count (check, fetches, plan.n);
  served = count_status (fetches, plan.n, FL_FETCH_PNG);
  if (!server_alive (check, &how))
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("After 20 clients that closed at once (half with a reset), the server "
                      "process ended (%s): it must handle a peer that goes away (EPIPE, "
                      "SIGPIPE)."), how);
  else if (served < plan.n)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("After 20 clients that closed at once (half with a reset), only %u of %u "
                      "replies came (the first failure: %s)."), served, plan.n,
                    first_failure (fetches, plan.n));
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("After 20 clients that closed at once (half with a reset), the server "
                      "still answers: %u of %u replies."), served, plan.n);
  fl_fetch_clear (fetches, plan.n);
}

typedef struct
{
  double rate, p50, p99;
  guint failed;
  char *example;  /* the first failure's sentence, owned */
} Timing;

static void
time_server (const FlSockAddr *addr, guint n, FlFetch *fetches, guint stop_after,
             GCancellable *cancellable, Timing *timing)
{
  FlFetchPlan plan = { addr, n, FL_CHECK_TIMING_IN_FLIGHT, FL_CHECK_LOAD_TIMEOUT_MS, FALSE };
  g_autofree double *latencies = NULL;
  guint n_ok;
  double wall;

  timing->failed = fl_fetch_run (&plan, fetches, stop_after, cancellable);
  latencies = fl_fetch_latencies (fetches, n, &n_ok);
  wall = batch_seconds (fetches, n);
  timing->rate = wall > 0 ? n_ok / wall : 0;
  timing->p50 = fl_fetch_quantile (latencies, n_ok, 0.5);
  timing->p99 = fl_fetch_quantile (latencies, n_ok, 0.99);
  if (timing->failed > 0)
    timing->example = g_strdup (first_failure (fetches, n));
}

/* frameloom-server in this process, on a free loopback port. */
static gboolean
time_reference (guint n, FlFetch *fetches, GCancellable *cancellable, Timing *timing)
{
  FlServerConfig config = { .host = "127.0.0.1" };
  g_autoptr (FlServer) server = fl_server_new (&config);
  FlSockAddr addr;

  if (!fl_server_start (server, NULL)
      || !fl_net_resolve ("127.0.0.1", fl_server_get_port (server), FALSE, &addr, NULL))
    return FALSE;
  time_server (&addr, n, fetches, 0, cancellable, timing);
  g_clear_pointer (&timing->example, g_free);
  fl_server_stop (server, 1000);
  return timing->failed == 0;
}

static void
check_timing (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  guint n = check->config->timing ? check->config->timing : FL_CHECK_SERVER_DEFAULT_TIMING;
  g_autofree FlFetch *fetches = g_new0 (FlFetch, n);
  g_autofree char *p50 = NULL, *p99 = NULL, *ref_p50 = NULL, *ref_p99 = NULL;
  Timing timing = { 0 }, reference = { 0 };
  gboolean have_reference;

  if (!fl_server_check_may_run (check, "timing", _("Speed next to frameloom-server")))
    return;
  time_server (&check->addr, n, fetches, failures_left (check), c->cancellable, &timing);
  fl_server_check_count (check, fetches, n);
  fl_fetch_clear (fetches, n);
  have_reference = !check->config->no_reference && !fl_checker_cancelled (c)
                   && time_reference (n, fetches, c->cancellable, &reference);
  fl_fetch_clear (fetches, n);
  p50 = fl_check_format_duration (timing.p50);
  p99 = fl_check_format_duration (timing.p99);
  fl_checker_figure (c, "connections_per_second", timing.rate);
  fl_checker_figure (c, "p50_ms", timing.p50 * 1e3);
  fl_checker_figure (c, "p99_ms", timing.p99 * 1e3);
  if (timing.failed > 0)
    {
      fl_checker_end (c, FL_CHECK_FAIL,
                      _("%u of %u timed connections failed (the first: %s); the others: %.0f "
                        "connections a second, latency p50 %s, p99 %s."), timing.failed, n,
                      timing.example, timing.rate, p50, p99);
      g_free (timing.example);
      return;
    }
  if (!have_reference)
    {
      fl_checker_end (c, FL_CHECK_PASS,
                      _("%.0f connections a second, %u at a time; latency p50 %s, p99 %s."),
                      timing.rate, FL_CHECK_TIMING_IN_FLIGHT, p50, p99);
      return;
    }
  ref_p50 = fl_check_format_duration (reference.p50);
  ref_p99 = fl_check_format_duration (reference.p99);
  fl_checker_figure (c, "reference_connections_per_second", reference.rate);
  fl_checker_figure (c, "reference_p50_ms", reference.p50 * 1e3);
  fl_checker_figure (c, "reference_p99_ms", reference.p99 * 1e3);
  fl_checker_end (c, FL_CHECK_PASS,
                  _("%.0f connections a second, %u at a time, latency p50 %s, p99 %s; "
                    "frameloom-server on this machine: %.0f a second, p50 %s, p99 %s (%.0f%% of "
                    "its rate)."), timing.rate, FL_CHECK_TIMING_IN_FLIGHT, p50, p99,
                  reference.rate, ref_p50, ref_p99,
                  reference.rate > 0 ? 100 * timing.rate / reference.rate : 0);
}

void
fl_server_check_load (FlServerCheck *check)
{
  FlThreadSampler *sampler = check->pids->len > 0 ? fl_thread_sampler_start (check->pids) : NULL;
  guint peak, samples = 0;

  check_held_open (check);
  check_burst (check);
  peak = sampler ? fl_thread_sampler_stop (sampler, &samples) : 0;
  check_threads (check, peak, samples);
  check_early_close (check);
  check_timing (check);
}
