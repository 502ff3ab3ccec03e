/* fl-check-client.c: the client checker's server, its run, and what the
 * server saw of it: connections, concurrency, the timing lines, processes. */
#include "fl-check-client-private.h"

#include "fl-downloader.h"
#include "fl-error.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The core has no text domain of its own: it shares the programs' one. */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

#define POLL_US 20000
/* Without a command: a GIF that stopped growing for this long is done. */
#define GIF_SETTLE_US (G_USEC_PER_SEC)

static void
on_events (const FlEvent *events, guint n_events, gpointer data)
{
  FlCheckClient *checker = data;

  fl_mutex_lock (&checker->lock);
  for (guint i = 0; i < n_events; i++)
    if (events[i].kind == FL_EVENT_CONNECTION_SERVED)
      {
        FlServedConnection connection = {
          events[i].t0, events[i].t1, events[i].connection.image_hash,
          events[i].connection.code == FL_EVENT_NO_ERROR,
        };
        g_array_append_val (checker->connections, connection);
      }
  fl_mutex_unlock (&checker->lock);
}

FlCheckClient *
fl_check_client_new (const FlCheckClientConfig *config, GError **error)
{
  g_autoptr (FlCheckClient) checker = g_new0 (FlCheckClient, 1);
  FlServerConfig server_config = { 0 };

  if (config->server != NULL)
    server_config = *config->server;
  checker->config = *config;
  checker->n_frames = config->n_frames ? config->n_frames : FL_CHECK_CLIENT_DEFAULT_FRAMES;
  checker->working_dir = g_strdup (config->working_dir ? config->working_dir : ".");
  checker->frames_dir = config->frames_dir != NULL
                          ? g_strdup (config->frames_dir)
                          : g_build_filename (checker->working_dir, "frames", NULL);
  fl_mutex_init (&checker->lock);
  checker->connections = g_array_new (FALSE, FALSE, sizeof (FlServedConnection));
  checker->events = config->events;
  if (checker->events == NULL)
    checker->events = checker->own_events = fl_events_new (0);
  checker->reader = fl_events_add_reader (checker->events, on_events, checker, NULL);
  if (config->host != NULL)
    server_config.host = config->host;
  server_config.port = config->port ? config->port : FL_NET_DEFAULT_PORT;
  server_config.events = checker->events;
  server_config.hash_images = TRUE;
  checker->server = fl_server_new (&server_config);
  if (!fl_server_start (checker->server, error))
    return NULL;
  return g_steal_pointer (&checker);
}

const char *
fl_check_client_get_address (FlCheckClient *checker)
{
  return fl_server_get_address (checker->server);
}

void
fl_check_client_end_run (FlCheckClient *checker)
{
  g_atomic_int_set (&checker->end_requested, 1);
}

static guint
images_sent (FlCheckClient *checker)
{
  guint n = 0;

  fl_mutex_lock (&checker->lock);
  for (guint i = 0; i < checker->connections->len; i++)
    n += g_array_index (checker->connections, FlServedConnection, i).sent;
  fl_mutex_unlock (&checker->lock);
  return n;
}

/* Without a command: the frames were served and a GIF stopped growing. */
static gboolean
gif_settled (FlCheckClient *checker, gint64 *last_change, goffset *last_size)
{
  struct stat st;

  if (images_sent (checker) < checker->n_frames || !fl_check_client_find_gif (checker)
      || stat (checker->gif_path, &st) != 0)
    return FALSE;
  if (st.st_size != *last_size)
    {
      *last_size = st.st_size;
      *last_change = g_get_monotonic_time ();
      return FALSE;
    }
  return g_get_monotonic_time () - *last_change >= GIF_SETTLE_US;
}

/* Waits for the end of the client's run; FALSE when cancelled. */
static gboolean
wait_for_run (FlCheckClient *checker, GCancellable *cancellable)
{
  gint64 deadline = checker->run_start
                    + (gint64) (checker->config.timeout_s ? checker->config.timeout_s
                                                          : FL_CHECK_CLIENT_DEFAULT_TIMEOUT_S)
                        * G_USEC_PER_SEC;
  gint64 last_change = 0;
  goffset last_size = -1;

  for (;;)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      if (checker->process != NULL
          && fl_check_process_wait (checker->process, 0, &checker->exit_status))
        {
          checker->exited = TRUE;
          return TRUE;
        }
      if (g_atomic_int_get (&checker->end_requested))
        return TRUE;
      if (checker->process != NULL && g_get_monotonic_time () >= deadline)
        {
          checker->timed_out = TRUE;
          return TRUE;
        }
      if (checker->process == NULL && gif_settled (checker, &last_change, &last_size))
        return TRUE;
      g_usleep (POLL_US);
    }
}

/* Stops what still runs and freezes what the server saw. */
static void
end_run (FlCheckClient *checker)
{
  if (checker->process != NULL && !checker->exited)
    {
      fl_check_process_signal (checker->process, SIGINT);
      if (!fl_check_process_wait (checker->process, 3000, &checker->exit_status))
        {
          fl_check_process_signal (checker->process, SIGKILL);
          fl_check_process_wait (checker->process, 5000, &checker->exit_status);
        }
    }
  checker->run_end = g_get_monotonic_time ();
  if (checker->children != NULL)
    fl_child_sampler_stop (checker->children);
  if (checker->sockets != NULL)
    fl_socket_sampler_stop (checker->sockets);
  fl_server_stop (checker->server, FL_SERVER_DEFAULT_GRACE_MS);
  fl_events_flush (checker->events);
  checker->sent_hashes = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < checker->connections->len; i++)
    {
      const FlServedConnection *c = &g_array_index (checker->connections, FlServedConnection, i);
      gpointer key = GUINT_TO_POINTER (c->hash);

      if (checker->first_accept == 0 || c->t0 < checker->first_accept)
        checker->first_accept = c->t0;
      checker->last_close = MAX (checker->last_close, c->t1);
      if (c->sent)
        g_hash_table_insert (checker->sent_hashes, key,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (
                                                 checker->sent_hashes, key)) + 1));
    }
  fl_check_client_find_gif (checker);
}

static void
check_exit (FlCheckClient *checker)
{
  FlChecker *c = &checker->checker;
  g_autofree char *how = fl_check_describe_wait_status (checker->exit_status);
  g_autofree char *last = fl_check_process_last_error_line (checker->process);
  double seconds = (checker->run_end - checker->run_start) / 1e6;

  fl_checker_begin (c, "exit", _("Runs to its end"));
  fl_checker_figure (c, "seconds", seconds);
  if (checker->timed_out)
    fl_checker_end (c, FL_CHECK_FAIL, _("The client was still running after %u s; the checker "
                                        "stopped it."),
                    checker->config.timeout_s ? checker->config.timeout_s
                                              : FL_CHECK_CLIENT_DEFAULT_TIMEOUT_S);
  else if (!checker->exited)
    fl_checker_end (c, FL_CHECK_WARN, _("The run was ended before the client ended (%s)."), how);
  else if (WIFEXITED (checker->exit_status) && WEXITSTATUS (checker->exit_status) == 0)
    fl_checker_end (c, FL_CHECK_PASS, _("The client ran for %.2f s and ended with %s."), seconds,
                    how);
  else if (last != NULL)
    fl_checker_end (c, FL_CHECK_FAIL, _("The client ended with %s after %.2f s: “%s”."), how,
                    seconds, last);
  else
    fl_checker_end (c, FL_CHECK_FAIL, _("The client ended with %s after %.2f s."), how, seconds);
}

static void
check_connections (FlCheckClient *checker)
{
  FlChecker *c = &checker->checker;
  guint n = checker->connections->len, sent = 0;

  for (guint i = 0; i < n; i++)
    sent += g_array_index (checker->connections, FlServedConnection, i).sent;
  fl_checker_begin (c, "connections", _("One connection per image"));
  fl_checker_figure (c, "connections", n);
  fl_checker_figure (c, "images_sent", sent);
  if (n == 0)
    fl_checker_end (c, FL_CHECK_FAIL, _("The client never connected to %s."),
                    fl_server_get_address (checker->server));
  else if (sent < checker->n_frames)
    fl_checker_end (c, FL_CHECK_FAIL, _("%u connections got only %u images, for %u frames."), n,
                    sent, checker->n_frames);
  else if (sent > checker->n_frames)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("%u images were sent for %u frames: the client fetched some more than "
                      "once."), sent, checker->n_frames);
  else if (n > sent)
    fl_checker_end (c, FL_CHECK_WARN,
                    _("%u images were sent, one per connection, but %u more connections ended "
                      "before their image was sent."), sent, n - sent);
  else
    fl_checker_end (c, FL_CHECK_PASS, _("%u connections, one image each."), n);
}

typedef struct
{
  gint64 at;
  int step;
} Edge;

static int
compare_edges (const void *a, const void *b)
{
  const Edge *x = a, *y = b;

  /* A close before an accept at the same microsecond: they did not overlap. */
  return x->at < y->at ? -1 : x->at > y->at ? 1 : x->step - y->step;
}

/* Connections so short that no two looks at the kernel's table in a row find
 * the same two (a loaded machine with thousands of sockets to walk) still show
 * in the mean that single looks give, a time average: a client that holds one
 * connection at a time averages at most one, whatever a look's skew. */
#define MEAN_ABOVE_ONE 1.25

static void
check_concurrency (FlCheckClient *checker)
{
  FlChecker *c = &checker->checker;
  guint n = checker->connections->len, open = 0, peak = 0, seen_peak;
  g_autofree Edge *edges = g_new (Edge, 2 * MAX (n, 1));
  gint64 busy = 0;
  double span = (checker->last_close - checker->first_accept) / 1e6, mean, seen_mean;

  if (checker->config.sequential)
    {
      fl_checker_skip (c, "concurrency", _("Downloads over several connections at once"),
                       _("Not checked: the lab's first client downloads one frame at a time."));
      return;
    }
  fl_checker_begin (c, "concurrency", _("Downloads over several connections at once"));
  for (guint i = 0; i < n; i++)
    {
      const FlServedConnection *conn = &g_array_index (checker->connections, FlServedConnection,
                                                       i);
      edges[2 * i] = (Edge) { conn->t0, 1 };
      edges[2 * i + 1] = (Edge) { conn->t1, -1 };
      busy += conn->t1 - conn->t0;
    }
  qsort (edges, 2 * n, sizeof *edges, compare_edges);
  for (guint i = 0; i < 2 * n; i++)
    {
      open += edges[i].step;
      peak = MAX (peak, open);
    }
  mean = span > 0 ? busy / 1e6 / span : 0;
  /* The server's own view ends at its close; the kernel's at the client's. */
  if (fl_socket_sampler_summary (checker->sockets, checker->first_accept, checker->last_close,
                                 &seen_peak, &seen_mean))
    {
      peak = MAX (peak, seen_peak);
      mean = MAX (mean, seen_mean);
    }
  fl_checker_figure (c, "peak", peak);
  fl_checker_figure (c, "mean", mean);
  if (n == 0)
    fl_checker_end (c, FL_CHECK_FAIL, _("The client made no connection."));
  else if (peak <= 1 && mean >= MEAN_ABOVE_ONE)
    fl_checker_end (c, FL_CHECK_PASS,
                    _("%.2f connections were open at once on average over the %.2f s of the "
                      "download."), mean, span);
  else if (peak <= 1)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("The client used one connection at a time over %.2f s: the optimised "
                      "client downloads with several threads at once."), span);
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("Up to %u connections were open at once, %.2f on average over the %.2f s "
                      "of the download."), peak, mean, span);
}

/* The number after prefix in one of lines, or -1. */
static double
find_seconds (char **lines, const char *prefix)
{
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *at = strstr (lines[i], prefix);
      char *end;
      double value;

      if (at == NULL)
        continue;
      value = g_ascii_strtod (at + strlen (prefix), &end);
      if (end != at + strlen (prefix) && value >= 0)
        return value;
    }
  return -1;
}

static void
check_timing_lines (FlCheckClient *checker)
{
  FlChecker *c = &checker->checker;
  g_auto (GStrv) lines = fl_check_process_get_lines (checker->process, NULL);
  double download = find_seconds (lines, "Frames download time:");
  double gif = find_seconds (lines, "GIF creation time:");
  double real_download = (checker->last_close - checker->first_accept) / 1e6;
  gint64 gif_end = checker->gif_written > checker->last_close ? checker->gif_written
                                                              : checker->run_end;
  double real_gif = (gif_end - checker->last_close) / 1e6;
  gboolean download_ok, gif_ok;

  fl_checker_begin (c, "timing-lines", _("Prints the two timing lines"));
  if (download < 0 || gif < 0)
    {
      fl_checker_end (c, FL_CHECK_FAIL,
                      _("The client did not print both “%s <seconds>” and “%s <seconds>”."),
                      "Frames download time:", "GIF creation time:");
      return;
    }
  fl_checker_figure (c, "download_printed", download);
  fl_checker_figure (c, "download_seen", real_download);
  fl_checker_figure (c, "gif_printed", gif);
  fl_checker_figure (c, "gif_seen", real_gif);
  /* The download's own time includes its start and its files; the GIF's
   * starts after the last connection and ends by the GIF's write. */
  download_ok = download >= 0.8 * real_download - 0.05 && download <= 1.3 * real_download + 1.0;
  gif_ok = gif <= 1.3 * real_gif + 0.5 && gif >= 0.5 * real_gif - 0.25;
  if (download_ok && gif_ok)
    fl_checker_end (c, FL_CHECK_PASS,
                    _("Download %.2f s printed, the connections took %.2f s; GIF %.2f s printed, "
                      "%.2f s passed from the last connection to the GIF."), download,
                    real_download, gif, real_gif);
  else
    fl_checker_end (c, FL_CHECK_WARN,
                    _("The printed times do not match the run: download %.2f s printed, the "
                      "connections took %.2f s; GIF %.2f s printed, %.2f s passed from the last "
                      "connection to the GIF."), download, real_download, gif, real_gif);
}

static void
check_processes (FlCheckClient *checker)
{
  FlChecker *c = &checker->checker;
  guint cores = g_get_num_processors (), distinct, peak;

  if (checker->config.sequential)
    {
      fl_checker_skip (c, "processes", _("Makes the GIF with several processes"),
                       _("Not checked: the lab's first client makes the GIF in one process."));
      return;
    }
  if (checker->connections->len == 0)
    {
      fl_checker_skip (c, "processes", _("Makes the GIF with several processes"),
                       _("Not run: the client made no connection, so its GIF stage cannot be "
                         "told from its download."));
      return;
    }
  fl_checker_begin (c, "processes", _("Makes the GIF with several processes"));
  peak = fl_child_sampler_peak (checker->children, checker->last_close, checker->run_end,
                                &distinct);
  fl_checker_figure (c, "peak_processes", peak);
  fl_checker_figure (c, "processes_seen", distinct);
  fl_checker_figure (c, "cores", cores);
  if (peak == 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("The client started no process while it made the GIF: the optimised client "
                      "makes it with several, not more than the %u cores."), cores);
  else if (peak == 1)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("The client ran one process at a time while it made the GIF (%u in all): "
                      "the optimised client runs several at once, not more than the %u cores."),
                    distinct, cores);
  else if (peak > cores)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("The client ran %u processes at once while it made the GIF, more than the "
                      "%u cores."), peak, cores);
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("The client ran up to %u processes at once while it made the GIF (%u in "
                      "all), on %u cores."), peak, distinct, cores);
}

FlCheckReport *
fl_check_client_run (FlCheckClient *checker, const FlCheckCallbacks *callbacks,
                     gpointer user_data, GCancellable *cancellable, GError **error)
{
  const FlCheckClientConfig *config = &checker->config;
  g_autoptr (FlCheckReport) report = NULL;
  gboolean ended;

  report = fl_check_report_new ("client", config->command ? config->command
                                                          : fl_server_get_address (checker->server));
  fl_checker_init (&checker->checker, report, callbacks, user_data, cancellable, 0);
  checker->sockets = fl_socket_sampler_start (fl_server_get_port (checker->server));
  checker->run_start = g_get_monotonic_time ();
  checker->real_offset = g_get_real_time () - checker->run_start;
  if (config->command != NULL)
    {
      checker->process = fl_check_process_start (config->command, checker->working_dir, error);
      if (checker->process == NULL)
        return NULL;
      checker->children = fl_child_sampler_start (fl_check_process_get_pid (checker->process));
    }
  ended = wait_for_run (checker, cancellable);
  end_run (checker);
  if (ended && config->command != NULL)
    check_exit (checker);
  if (ended)
    {
      check_connections (checker);
      fl_check_client_frames (checker);
    }
  if (ended && !fl_checker_cancelled (&checker->checker))
    {
      check_concurrency (checker);
      fl_check_client_gif (checker);
    }
  if (ended && config->command != NULL && !fl_checker_cancelled (&checker->checker))
    {
      check_timing_lines (checker);
      check_processes (checker);
    }
  fl_checker_finish (&checker->checker);
  return g_steal_pointer (&report);
}

void
fl_check_client_free (FlCheckClient *checker)
{
  if (checker == NULL)
    return;
  fl_check_process_free (checker->process, 3000);
  fl_child_sampler_free (checker->children);
  fl_socket_sampler_free (checker->sockets);
  if (checker->server != NULL)
    fl_server_free (checker->server);
  if (checker->reader != 0)
    fl_events_remove_reader (checker->events, checker->reader);
  if (checker->own_events != NULL)
    fl_events_free (checker->own_events);
  fl_mutex_clear (&checker->lock);
  g_array_unref (checker->connections);
  g_clear_pointer (&checker->sent_hashes, g_hash_table_unref);
  g_free (checker->working_dir);
  g_free (checker->frames_dir);
  g_free (checker->gif_path);
  fl_check_client_frames_free (checker);
  g_free (checker);
}
