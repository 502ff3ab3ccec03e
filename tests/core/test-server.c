/* test-server: FlServer over loopback on an ephemeral port. */
#include "fl-error.h"
#include "fl-sync.h"
#include "fl-net.h"
#include "fl-png.h"
#include "fl-server.h"
#include "fl-test-util.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static FlServer *
start_server (guint width, guint height, guint max_connections, guint send_timeout_ms)
{
  g_autoptr (GError) error = NULL;
  FlServerConfig config = { .host = "127.0.0.1", .port = 0, .width = width, .height = height,
                            .max_connections = max_connections,
                            .send_timeout_ms = send_timeout_ms };
  FlServer *server = fl_server_new (&config);

  g_assert_true (fl_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fl_server_get_port (server), >, 0);
  return server;
}

/* A blocking connect; the descriptor is left blocking. */
static int
connect_to (guint port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port),
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      int errsv = errno;
      close (fd);
      errno = errsv;
      return -1;
    }
  return fd;
}

static GByteArray *
read_all (int fd)
{
  GByteArray *bytes = g_byte_array_new ();
  guint8 buffer[4096];
  ssize_t n;

  while ((n = recv (fd, buffer, sizeof buffer, 0)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_byte_array_append (bytes, buffer, (guint) n);
  return bytes;
}

static void
assert_valid_frame (GByteArray *bytes, guint width, guint height)
{
  g_autoptr (GError) error = NULL;
  guint w = 0, h = 0;

  if (!fl_png_check (bytes->data, bytes->len, NULL, &w, &h, &error))
    g_error ("reply of %u bytes: %s", bytes->len, error->message);
  g_assert_cmpuint (w, ==, width);
  g_assert_cmpuint (h, ==, height);
}

static GByteArray *
fetch (guint port)
{
  int fd = connect_to (port);
  GByteArray *bytes;

  g_assert_cmpint (fd, >=, 0);
  bytes = read_all (fd);
  close (fd);
  return bytes;
}

static void
wait_for_images (FlServer *server, guint64 count)
{
  FlServerStats stats;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  do
    {
      fl_server_get_stats (server, &stats);
      if (stats.images_sent >= count)
        return;
      g_usleep (1000);
    }
  while (g_get_monotonic_time () < deadline);
  g_assert_cmpuint (stats.images_sent, >=, count);
}

/* Waits (bounded) until the server handles exactly `count` connections. */
static void
wait_for_active (FlServer *server, guint count)
{
  FlServerStats stats;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  do
    {
      fl_server_get_stats (server, &stats);
      if (stats.active == count)
        return;
      g_usleep (2000);
    }
  while (g_get_monotonic_time () < deadline);
  g_assert_cmpuint (stats.active, ==, count);
}

/* The server's events: the stage around everything, one CONNECTION_SERVED per
 * image, each with the lab's line for the peer, on a handler slot, its bytes.
 * The handlers are at most max_slots less the wait loops' threads. */
static void
check_served (GArray *events, guint n, guint max_slots)
{
  const FlEvent *first = &g_array_index (events, FlEvent, 0);
  const FlEvent *last = &g_array_index (events, FlEvent, events->len - 1);
  guint served = 0;

  g_assert_cmpint (first->kind, ==, FL_EVENT_STAGE_STARTED);
  g_assert_cmpint (first->stage.stage, ==, FL_STAGE_SERVE);
  g_assert_cmpuint (first->stage.tracks, >, 0);
  g_assert_cmpuint (first->stage.tracks, <=, max_slots);
  g_assert_cmpint (last->kind, ==, FL_EVENT_STAGE_ENDED);
  g_assert_cmpuint (last->stage.done, ==, n);
  for (guint i = 1; i + 1 < events->len; i++)
    {
      const FlEvent *event = &g_array_index (events, FlEvent, i);
      char line[96];

      g_assert_cmpint (event->kind, ==, FL_EVENT_CONNECTION_SERVED);
      g_assert_cmpint (event->connection.code, ==, FL_EVENT_NO_ERROR);
      g_assert_cmpuint (event->connection.bytes, ==, 378);
      g_assert_cmpuint (event->track, <, first->stage.tracks);
      g_assert_cmpint (event->t0, <=, event->t1);
      g_assert_cmpuint (event->connection.generate_us, <=, event->t1 - event->t0);
      fl_server_format_sent_line (event, line, sizeof line);
      g_assert_true (g_str_has_prefix (line, "Sent an image to (127.0.0.1, "));
      g_assert_true (g_str_has_suffix (line, ")"));
      served++;
    }
  g_assert_cmpuint (served, ==, n);
}

static void
test_sequential (void)
{
  g_autoptr (FlEvents) events = fl_events_new (0);
  g_autoptr (FlEventLog) log = fl_event_log_new (events);
  g_autoptr (GArray) seen_events = NULL;
  FlServerConfig config = { .host = "127.0.0.1", .events = events };
  g_autoptr (FlServer) server = fl_server_new (&config);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                       (GDestroyNotify) g_bytes_unref, NULL);
  FlServerStats stats;

  g_assert_true (fl_server_start (server, NULL));
  for (int i = 0; i < 500; i++)
    {
      GByteArray *bytes = fetch (fl_server_get_port (server));
      assert_valid_frame (bytes, 10, 10);
      g_assert_cmpuint (bytes->len, ==, 378);
      /* Two images are never the same. */
      GBytes *frame = g_byte_array_free_to_bytes (bytes);
      g_assert_false (g_hash_table_contains (seen, frame));
      g_hash_table_add (seen, frame);
    }
  wait_for_images (server, 500);
  fl_server_get_stats (server, &stats);
  g_assert_cmpuint (stats.images_sent, ==, 500);
  g_assert_cmpuint (stats.bytes_sent, ==, 500 * 378);
  g_assert_cmpuint (stats.failures, ==, 0);
  /* The stop flushes the stream. */
  fl_server_stop (server, 1000);
  seen_events = fl_event_log_dup (log);
  check_served (seen_events, 500, FL_SERVER_DEFAULT_MAX_CONNECTIONS);
}

static void
test_concurrent (void)
{
  g_autoptr (FlServer) server = start_server (10, 10, 0, 0);
  int fds[500];
  guint served = 0;

  /* 500 connections open at once, then read: all of them get a frame. */
  for (int i = 0; i < 500; i++)
    {
      fds[i] = connect_to (fl_server_get_port (server));
      g_assert_cmpint (fds[i], >=, 0);
    }
  for (int i = 0; i < 500; i++)
    {
      g_autoptr (GByteArray) bytes = read_all (fds[i]);
      close (fds[i]);
      assert_valid_frame (bytes, 10, 10);
      served++;
    }
  g_assert_cmpuint (served, ==, 500);
  wait_for_images (server, 500);
}

typedef struct
{
  guint port;
  guint count;
} FetchJob;

static gpointer
fetch_many (gpointer data)
{
  FetchJob *job = data;

  for (guint i = 0; i < job->count; i++)
    {
      g_autoptr (GByteArray) bytes = fetch (job->port);
      assert_valid_frame (bytes, 64, 64);
    }
  return NULL;
}

static void
test_stalled_client_does_not_delay_others (void)
{
  /* 2048x2048 RGB is 12 MiB: more than loopback socket buffers hold (4 + 6 MiB),
   * so the handler of a client that never reads really is stuck in send(). */
  g_autoptr (FlServer) server = start_server (64, 64, 0, 0);
  /* A 60 s send timeout: others waiting on the stalled four would take that
   * long, so the bound below can be generous for sanitizer builds. */
  g_autoptr (FlServer) big = start_server (2048, 2048, 0, 60000);
  int stalled[4];
  FetchJob job = { .port = fl_server_get_port (server), .count = 200 };
  gint64 start;

  for (int i = 0; i < 4; i++)
    {
      stalled[i] = connect_to (fl_server_get_port (big));
      g_assert_cmpint (stalled[i], >=, 0);
    }
  wait_for_active (big, 4);

  /* The big server still answers others while four of its threads are stuck. */
  start = g_get_monotonic_time ();
  {
    g_autoptr (GByteArray) bytes = fetch (fl_server_get_port (big));
    assert_valid_frame (bytes, 2048, 2048);
  }
  fetch_many (&job);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 40 * G_USEC_PER_SEC);

  for (int i = 0; i < 4; i++)
    close (stalled[i]);
}

static void
test_thread_cap_and_send_timeout (void)
{
  g_autoptr (FlServer) server = start_server (2048, 2048, 3, 300);
  int stalled[6];
  FlServerStats stats;

  /* Six clients that never read, three threads: each keeps a handler 50 ms,
   * then the wait loop holds it, so all six are in flight at once. */
  for (int i = 0; i < 6; i++)
    {
      stalled[i] = connect_to (fl_server_get_port (server));
      g_assert_cmpint (stalled[i], >=, 0);
    }
  wait_for_active (server, 6);
  fl_server_get_stats (server, &stats);
  g_assert_cmpuint (stats.threads, <=, 3);
  g_assert_cmpuint (stats.held, >=, 4);

  /* Each reply's deadline (300 ms + 1 us per byte: 12.9 s) ends it. */
  {
    gint64 start = g_get_monotonic_time ();
    do
      {
        g_usleep (20 * 1000);
        fl_server_get_stats (server, &stats);
        g_assert_cmpuint (stats.threads, <=, 3);
      }
    while (stats.failures < 6 && g_get_monotonic_time () - start < 60 * G_USEC_PER_SEC);
    g_assert_cmpuint (stats.failures, ==, 6);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 10 * G_USEC_PER_SEC);
  }
  for (int i = 0; i < 6; i++)
    close (stalled[i]);
  {
    g_autoptr (GByteArray) bytes = fetch (fl_server_get_port (server));
    assert_valid_frame (bytes, 2048, 2048);
  }
}

static void
test_hostile_clients (void)
{
  g_autoptr (FlServer) server = start_server (10, 10, 0, 0);
  guint port = fl_server_get_port (server);
  g_autofree guint8 *junk = g_malloc0 (1024 * 1024);
  FlServerStats stats;

  for (int i = 0; i < 50; i++)
    {
      /* Connect and vanish. */
      int fd = connect_to (port);
      close (fd);

      /* Connect and reset (SO_LINGER 0 sends RST on close). */
      struct linger linger = { .l_onoff = 1, .l_linger = 0 };
      fd = connect_to (port);
      setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
      close (fd);
    }
  /* A megabyte of junk before reading. */
  for (int i = 0; i < 5; i++)
    {
      int fd = connect_to (port);
      ssize_t n = send (fd, junk, 1024 * 1024, MSG_NOSIGNAL | MSG_DONTWAIT);
      (void) n;
      g_autoptr (GByteArray) bytes = read_all (fd);
      close (fd);
    }
  /* Service continues, and the process is still alive to say so. */
  for (int i = 0; i < 50; i++)
    {
      g_autoptr (GByteArray) bytes = fetch (port);
      assert_valid_frame (bytes, 10, 10);
    }
  fl_server_get_stats (server, &stats);
  g_assert_cmpuint (stats.images_sent + stats.failures, >=, 150);
}

static gpointer
fetch_burst (gpointer data)
{
  guint port = GPOINTER_TO_UINT (data);

  for (int i = 0; i < 20; i++)
    g_byte_array_unref (fetch (port));
  return NULL;
}

static void
test_threads_come_and_go (void)
{
  g_autoptr (GError) error = NULL;
  FlServerConfig config = { .host = "127.0.0.1", .spare_threads = 1 };
  g_autoptr (FlServer) server = fl_server_new (&config);
  FlServerStats stats;
  guint port;

  /* Bursts grow the pool, quiet spells shrink it back to one spare: the
   * accounting must never let every thread leave. A client that waits for
   * ever here means nobody is accepting. */
  g_assert_true (fl_server_start (server, &error));
  port = fl_server_get_port (server);
  for (int round = 0; round < 5; round++)
    {
      GThread *threads[16];
      for (int i = 0; i < 16; i++)
        threads[i] = g_thread_new ("burst", fetch_burst, GUINT_TO_POINTER (port));
      for (int i = 0; i < 16; i++)
        g_thread_join (threads[i]);
      for (int i = 0; i < 300; i++)
        {
          int fd = connect_to (port);
          struct pollfd pfd = { .fd = fd, .events = POLLIN };
          g_assert_cmpint (poll (&pfd, 1, 5000), ==, 1);
          g_autoptr (GByteArray) bytes = read_all (fd);
          close (fd);
          assert_valid_frame (bytes, 10, 10);
        }
    }
  fl_server_get_stats (server, &stats);
  g_assert_cmpuint (stats.images_sent, ==, 5 * (16 * 20 + 300));
  g_assert_cmpuint (stats.threads, >=, 1);
  g_assert_cmpuint (stats.threads, <=, 3);
}

static void
test_port_in_use (void)
{
  g_autoptr (FlServer) first = start_server (10, 10, 0, 0);
  g_autoptr (FlServer) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  FlServerConfig config = { .host = "127.0.0.1", .port = fl_server_get_port (first) };

  second = fl_server_new (&config);
  g_assert_false (fl_server_start (second, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_ADDRESS_IN_USE);
  expected = g_strdup_printf ("Could not bind 127.0.0.1:%u: address already in use",
                              fl_server_get_port (first));
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_false (fl_server_is_running (second));
}

static void
test_stop_refuses_and_frees_port (void)
{
  g_autoptr (FlServer) server = start_server (10, 10, 0, 0);
  g_autoptr (FlServer) again = NULL;
  g_autoptr (GError) error = NULL;
  guint port = fl_server_get_port (server);
  int fd;
  gint64 start;

  g_byte_array_unref (fetch (port));
  start = g_get_monotonic_time ();
  fl_server_stop (server, 2000);
  /* Nothing in flight: no need to wait out the grace. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_false (fl_server_is_running (server));
  fd = connect_to (port);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, ECONNREFUSED);

  /* The port is free again at once, and a stopped server can start again. */
  {
    FlServerConfig config = { .host = "127.0.0.1", .port = port };
    again = fl_server_new (&config);
    g_assert_true (fl_server_start (again, &error));
    g_assert_no_error (error);
    fl_server_stop (again, 0);
  }
  g_assert_true (fl_server_start (server, &error));
  g_assert_no_error (error);
}

static void
test_stop_cuts_stalled_after_grace (void)
{
  g_autoptr (FlServer) server = start_server (2048, 2048, 0, 60000);
  int stalled = connect_to (fl_server_get_port (server));
  gint64 start;

  wait_for_active (server, 1);
  /* Active counts from accept on: let it finish encoding (seconds under TSan)
   * and sit in send(), which the cut can end; an encode it cannot. */
  fl_test_wait_until_quiet (-1, 30);
  start = g_get_monotonic_time ();
  fl_server_stop (server, 300);
  /* The grace, then the cut: well under the 60 s send timeout. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  close (stalled);
}

static void
test_ipv6 (void)
{
  g_autoptr (GError) error = NULL;
  FlServerConfig config = { .host = "::1", .port = 0 };
  g_autoptr (FlServer) server = fl_server_new (&config);
  struct sockaddr_in6 addr = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  int fd;

  if (!fl_server_start (server, &error))
    {
      g_test_skip_printf ("no IPv6 loopback here: %s", error->message);
      return;
    }
  g_assert_true (g_str_has_prefix (fl_server_get_address (server), "[::1]:"));
  addr.sin6_port = htons (fl_server_get_port (server));
  fd = socket (AF_INET6, SOCK_STREAM, 0);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  {
    g_autoptr (GByteArray) bytes = read_all (fd);
    assert_valid_frame (bytes, 10, 10);
  }
  close (fd);
}

/* The workloads with something to hide: latency, jitter and cost. */
static FlServer *
start_workload_server (guint latency_ms, guint jitter_ms, guint cost_us, guint max_connections)
{
  g_autoptr (GError) error = NULL;
  FlServerConfig config = { .host = "127.0.0.1", .latency_ms = latency_ms,
                            .jitter_ms = jitter_ms, .cost_us = cost_us,
                            .max_connections = max_connections };
  FlServer *server = fl_server_new (&config);

  g_assert_true (fl_server_start (server, &error));
  g_assert_no_error (error);
  return server;
}

typedef struct
{
  gint64 began, took; /* microseconds, from just before connect to EOF */
  guint port;
  gboolean valid;
} TimedFetch;

static gpointer
timed_fetch (gpointer data)
{
  TimedFetch *fetch_job = data;
  g_autoptr (GByteArray) bytes = NULL;

  fetch_job->began = g_get_monotonic_time ();
  bytes = fetch (fetch_job->port);
  fetch_job->took = g_get_monotonic_time () - fetch_job->began;
  fetch_job->valid = fl_png_check (bytes->data, bytes->len, NULL, NULL, NULL, NULL);
  return NULL;
}

/* n fetches at once, one thread each; returns the wall time of them all. */
static gint64
fetch_concurrently (guint port, TimedFetch *jobs, guint n)
{
  g_autofree GThread **threads = g_new (GThread *, n);
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      jobs[i] = (TimedFetch) { .port = port };
      threads[i] = g_thread_new ("fetch", timed_fetch, &jobs[i]);
    }
  for (guint i = 0; i < n; i++)
    g_thread_join (threads[i]);
  return g_get_monotonic_time () - start;
}

static void
test_latency_delays_each_reply (void)
{
  g_autoptr (FlServer) server = start_workload_server (200, 0, 0, 0);

  for (int i = 0; i < 3; i++)
    {
      TimedFetch job = { .port = fl_server_get_port (server) };
      timed_fetch (&job);
      g_assert_true (job.valid);
      g_assert_cmpint (job.took, >=, 200 * 1000);
    }
}

/* 64 clients at once against a server of 4 threads: each waits one latency,
 * all at the same time; were the waiting to keep a thread, the later ones would
 * wait 16 latencies. */
static void
test_latency_overlaps (void)
{
  const gint64 latency_us = 300 * 1000;
  g_autoptr (FlServer) server = start_workload_server (300, 0, 0, 4);
  TimedFetch jobs[64];
  FlServerStats stats;
  gint64 all, longest = 0;

  all = fetch_concurrently (fl_server_get_port (server), jobs, G_N_ELEMENTS (jobs));
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_assert_true (jobs[i].valid);
      g_assert_cmpint (jobs[i].took, >=, latency_us);
      longest = MAX (longest, jobs[i].took);
    }
  g_test_message ("64 connections, 300 ms latency, 4 threads: the longest took %.3f s, "
                  "all done in %.3f s (the test's 64 threads started in between)",
                  longest / 1e6, all / 1e6);
  /* About one latency each: generous for a busy (sanitized) machine. */
  g_assert_cmpint (longest, <, 4 * latency_us);
  g_assert_cmpint (all, <, 12 * latency_us);
  fl_server_get_stats (server, &stats);
  g_assert_cmpuint (stats.threads, <=, 4);
  g_assert_cmpuint (stats.images_sent, ==, 64);
}

static void
test_jitter_spreads_replies (void)
{
  g_autoptr (FlServer) server = start_workload_server (100, 400, 0, 0);
  TimedFetch jobs[32];
  gint64 shortest = G_MAXINT64, longest = 0;

  fetch_concurrently (fl_server_get_port (server), jobs, G_N_ELEMENTS (jobs));
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_assert_true (jobs[i].valid);
      shortest = MIN (shortest, jobs[i].took);
      longest = MAX (longest, jobs[i].took);
    }
  g_test_message ("latency 100 ms + jitter 0..400 ms: replies took %.3f .. %.3f s",
                  shortest / 1e6, longest / 1e6);
  g_assert_cmpint (shortest, >=, 100 * 1000);
  /* 32 uniform draws over 400 ms spread far wider than 50 ms. */
  g_assert_cmpint (longest - shortest, >, 50 * 1000);
  g_assert_cmpint (longest, <, 5 * G_USEC_PER_SEC);
}

/* --cost-us is work: the process's CPU time grows by about the cost per image. */
static void
test_cost_burns_cpu (void)
{
  g_autoptr (FlServer) server = start_workload_server (0, 0, 5000, 0);
  guint port = fl_server_get_port (server);
  double before, used;

  g_byte_array_unref (fetch (port));
  before = fl_test_process_cpu_seconds (-1);
  for (int i = 0; i < 100; i++)
    {
      g_autoptr (GByteArray) bytes = fetch (port);
      assert_valid_frame (bytes, 10, 10);
    }
  used = fl_test_process_cpu_seconds (-1) - before;
  g_test_message ("100 images at a cost of 5 ms each: %.2f s of CPU", used);
  /* 0.5 s of work; the clock ticks are 10 ms. */
  g_assert_cmpfloat (used, >=, 0.45);
}

/* A connection still waiting when the grace is over is cut: it gets nothing,
 * counts as failed, and the stop does not wait out its latency. */
static void
test_waiting_connection_cut_by_stop (void)
{
  g_autoptr (FlServer) server = start_workload_server (30000, 0, 0, 0);
  int fd = connect_to (fl_server_get_port (server));
  FlServerStats stats;
  gint64 start;

  g_assert_cmpint (fd, >=, 0);
  wait_for_active (server, 1);
  fl_server_get_stats (server, &stats);
  g_assert_cmpuint (stats.held, ==, 1);
  start = g_get_monotonic_time ();
  fl_server_stop (server, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  {
    g_autoptr (GByteArray) bytes = read_all (fd);
    g_assert_cmpuint (bytes->len, ==, 0);
  }
  fl_server_get_stats (server, &stats);
  g_assert_cmpuint (stats.failures, ==, 1);
  g_assert_cmpuint (stats.held, ==, 0);
  g_assert_cmpuint (stats.threads, ==, 0);
  close (fd);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/sequential", test_sequential);
  g_test_add_func ("/server/concurrent", test_concurrent);
  g_test_add_func ("/server/stalled-client", test_stalled_client_does_not_delay_others);
  g_test_add_func ("/server/thread-cap-and-send-timeout", test_thread_cap_and_send_timeout);
  g_test_add_func ("/server/hostile-clients", test_hostile_clients);
  g_test_add_func ("/server/threads-come-and-go", test_threads_come_and_go);
  g_test_add_func ("/server/port-in-use", test_port_in_use);
  g_test_add_func ("/server/stop-refuses-and-frees-port", test_stop_refuses_and_frees_port);
  g_test_add_func ("/server/stop-cuts-stalled-after-grace", test_stop_cuts_stalled_after_grace);
  g_test_add_func ("/server/ipv6", test_ipv6);
  g_test_add_func ("/server/latency/delays-each-reply", test_latency_delays_each_reply);
  g_test_add_func ("/server/latency/overlaps", test_latency_overlaps);
  g_test_add_func ("/server/latency/jitter", test_jitter_spreads_replies);
  g_test_add_func ("/server/latency/cut-by-stop", test_waiting_connection_cut_by_stop);
  g_test_add_func ("/server/cost-burns-cpu", test_cost_burns_cpu);
  return g_test_run ();
}
