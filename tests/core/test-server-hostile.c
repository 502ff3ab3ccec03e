/* test-hostile-server: hostile suite, the server's faults, against the in-process
 * FlServer the app embeds. The process measures itself (/proc/self): the clients
 * it runs are bounded, so growth beyond them is the server's. */
#include "fl-error.h"
#include "fl-server.h"
#include "fl-sync.h"
#include "fl-test-load.h"
#include "fl-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN_BUILD 1
#endif
#endif

/* RSS growth allowed after warm-up (checked in the plain build only). */
#define RSS_SLACK_KIB 4096

#define PIDS_ROOT "/sys/fs/cgroup/pids"

/* Figures for the log; a trapped child's g_test_message is not shown, so it
 * writes a TAP comment to the stderr it shares with the parent. */
static void note (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
note (const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (g_test_subprocess ())
    g_printerr ("# %s\n", text);
  else
    g_test_message ("%s", text);
}

/* Counts the server's notices, read from its event stream. */
typedef struct
{
  FlMutex lock;
  guint accept_backoffs;
  guint thread_failures;
  guint other;
  char last[256];
  FlEvents *events;
} LogCount;

static void
on_log (const FlEvent *events, guint n_events, gpointer user_data)
{
  LogCount *count = user_data;

  fl_mutex_lock (&count->lock);
  for (guint i = 0; i < n_events; i++)
    {
      const char *message = events[i].notice.text;

      if (events[i].kind != FL_EVENT_NOTICE)
        continue;
      if (g_str_has_prefix (message, "Could not accept a connection:"))
        count->accept_backoffs++;
      else if (g_str_has_prefix (message, "Could not start a connection thread:"))
        count->thread_failures++;
      else
        count->other++;
      g_strlcpy (count->last, message, sizeof count->last);
    }
  fl_mutex_unlock (&count->lock);
}

/* The stream starts its thread here: before a test counts this process's threads. */
static void
log_count_init (LogCount *log)
{
  if (log->events != NULL)
    return;
  fl_mutex_init (&log->lock);
  log->events = fl_events_new (0);
  fl_events_add_reader (log->events, on_log, log, NULL);
}

/* Declared before the server, so it is cleared after it: the server reports into it. */
static void
log_count_clear (LogCount *log)
{
  if (log->events == NULL)
    return;
  g_clear_pointer (&log->events, fl_events_free);
  fl_mutex_clear (&log->lock);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LogCount, log_count_clear)

static FlServer *
start_server (guint width, guint height, guint max_connections, LogCount *log)
{
  g_autoptr (GError) error = NULL;
  FlServerConfig config = { .host = "127.0.0.1", .width = width, .height = height,
                            .max_connections = max_connections };
  FlServer *server;

  if (log != NULL)
    {
      log_count_init (log);
      config.events = log->events;
    }
  server = fl_server_new (&config);
  g_assert_true (fl_server_start (server, &error));
  g_assert_no_error (error);
  return server;
}

static FlLoadOptions
options_for (FlServer *server, guint width, guint height)
{
  FlLoadOptions options = { .port = fl_server_get_port (server), .width = width,
                            .height = height };
  return options;
}

static void
assert_sequential (FlServer *server, guint64 n)
{
  FlLoadOptions options = options_for (server, 10, 10);
  FlLoadResult result = { 0 };

  fl_load_sequential (&options, n, &result);
  g_assert_cmpuint (result.failed, ==, 0);
  g_assert_cmpuint (result.invalid, ==, 0);
  g_assert_cmpuint (result.served, ==, n);
}

/* Waits (bounded) for the descriptor count to come back to expected. */
static guint
settle_fds (guint expected)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint fds;

  while ((fds = fl_load_self_fds ()) != expected && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  return fds;
}

static gboolean
rss_is_meaningful (void)
{
#if defined(ASAN_BUILD)
  /* ASan keeps freed memory in quarantine (256 MiB by default) and the test
   * cannot shrink it for itself; the CLI test measures the server under ASan. */
  return FALSE;
#elif defined(TSAN_BUILD)
  /* TSan's shadow memory and its per-thread allocator caches grow with the
   * threads that ran and the load of the machine (18 MiB over 5 rounds on a
   * busy one), not with what the server holds: the plain build checks it. */
  return FALSE;
#else
  return TRUE;
#endif
}

/* Peers that vanish, reset or send junk. SIGPIPE keeps its default
 * action here, so a send without MSG_NOSIGNAL would kill this test. */
static void
test_hostile_peers (void)
{
  g_auto (LogCount) log = { 0 };
  g_autoptr (FlServer) server = start_server (10, 10, 0, &log);
  guint port = fl_server_get_port (server);
  guint64 rss0, rss_max = 0;
  guint fds0, junk_served = 0;
  FlServerStats stats;
  struct sigaction pipe_action;

  /* The app does not ignore SIGPIPE either: a send without MSG_NOSIGNAL to a
   * peer that reset would end this process. */
  g_assert_cmpint (sigaction (SIGPIPE, NULL, &pipe_action), ==, 0);
  g_assert_true (pipe_action.sa_handler == SIG_DFL);

  assert_sequential (server, 2000);
  fl_load_vanish (port, 500, FALSE);
  fl_load_vanish (port, 500, TRUE);
  fl_load_junk (port, 10, 1 << 20);
  /* The baseline once the server holds no connection: a busy (sanitized)
   * machine may still be closing the last one. */
  for (int i = 0; i < 50; i++)
    {
      g_usleep (200 * 1000);
      fl_server_get_stats (server, &stats);
      if (stats.active == 0)
        break;
    }
  g_assert_cmpuint (stats.active, ==, 0);
  rss0 = fl_load_self_rss_kib ();
  fds0 = fl_load_self_fds ();
  for (int round = 0; round < 5; round++)
    {
      fl_load_vanish (port, 1000, FALSE);
      fl_load_vanish (port, 1000, TRUE);
      junk_served += fl_load_junk (port, 20, 1 << 20);
      rss_max = MAX (rss_max, fl_load_self_rss_kib ());
      g_assert_cmpuint (settle_fds (fds0), ==, fds0);
    }
  assert_sequential (server, 2000);
  fl_server_get_stats (server, &stats);
  note ("RSS %" G_GUINT64_FORMAT " KiB after warm-up, max %" G_GUINT64_FORMAT
                  " KiB over 5 rounds of 1000 vanish + 1000 reset + 20 x 1 MiB junk; fds %u "
                  "flat; junk clients served %u/100; server: %" G_GUINT64_FORMAT " sent, %"
                  G_GUINT64_FORMAT " failed", rss0, rss_max, fds0, junk_served,
                  stats.images_sent, stats.failures);
  if (rss_is_meaningful ())
    g_assert_cmpuint (rss_max, <, rss0 + RSS_SLACK_KIB);
  g_assert_cmpuint (stats.failures, >, 0);
  fl_events_flush (log.events);
  g_assert_cmpuint (log.accept_backoffs, ==, 0);
}

/* Descriptors running out, in a child process whose open-file limit is 32. A blocked accept()
 * reserves its descriptor before it waits, so quick replies alone never run the
 * server out: slow readers of 3.6 MB images (4 KiB windows) make each handler
 * hold its descriptor, and this process takes every one that comes free. */
#define NOFILE_LIMIT 32

static void
nofile_child (void)
{
  struct rlimit limit = { .rlim_cur = NOFILE_LIMIT, .rlim_max = NOFILE_LIMIT };
  g_auto (LogCount) log = { 0 };
  g_autoptr (FlServer) server = NULL;
  int stat_fd, clients[NOFILE_LIMIT];
  guint n_clients = 0, backoffs = 0;
  double before, used;
  gint64 began, deadline;

  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  stat_fd = open ("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (stat_fd, >=, 0);
  server = start_server (1100, 1100, 0, &log);
  fl_events_flush (log.events);
  fl_mutex_lock (&log.lock);
  g_assert_cmpuint (log.other, ==, 1); /* the limit cannot be raised: said once */
  g_assert_true (g_str_has_prefix (log.last, "The open-file limit is 32 and cannot be raised"));
  fl_mutex_unlock (&log.lock);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (backoffs == 0 && g_get_monotonic_time () < deadline)
    {
      int fd = fl_load_connect (fl_server_get_port (server), 4096);
      if (fd >= 0)
        {
          g_assert_cmpuint (n_clients, <, G_N_ELEMENTS (clients));
          clients[n_clients++] = fd;
          continue;
        }
      g_assert_cmpint (errno, ==, EMFILE);
      g_usleep (10 * 1000);
      fl_mutex_lock (&log.lock);
      backoffs = log.accept_backoffs;
      fl_mutex_unlock (&log.lock);
    }
  g_assert_cmpuint (backoffs, >=, 1);
  began = g_get_monotonic_time ();
  /* The last handlers may still be encoding. */
  fl_test_wait_until_quiet (stat_fd, 6);
  before = fl_test_process_cpu_seconds (stat_fd);
  g_usleep (2 * G_USEC_PER_SEC);
  used = fl_test_process_cpu_seconds (stat_fd) - before;
  fl_mutex_lock (&log.lock);
  backoffs = log.accept_backoffs;
  g_assert_cmpstr (log.last, ==, "Could not accept a connection: too many open files; "
                   "pausing for 100 ms");
  fl_mutex_unlock (&log.lock);
  note ("%u slow clients fill the %d descriptors; CPU %.2f s over 2 s; %u back-off "
                  "lines in %.1f s", n_clients, NOFILE_LIMIT, used, backoffs,
                  (double) (g_get_monotonic_time () - began) / G_USEC_PER_SEC);
  g_assert_cmpfloat (used, <, 0.4);
  g_assert_cmpfloat (backoffs, <=, (double) (g_get_monotonic_time () - began) / G_USEC_PER_SEC + 2);

  for (guint i = 0; i < n_clients; i++)
    close (clients[i]);
  /* Full service once the clients leave. */
  {
    FlLoadOptions options = options_for (server, 1100, 1100);
    FlLoadResult result = { 0 };
    options.retry_seconds = 30;
    fl_load_concurrent (&options, 10, &result);
    fl_load_sequential (&options, 10, &result);
    g_assert_cmpuint (result.served, ==, 20);
    g_assert_cmpuint (result.failed, ==, 0);
  }
  close (stat_fd);
  g_clear_pointer (&server, fl_server_free);
}

static void
test_descriptors_exhausted (void)
{
  if (g_test_subprocess ())
    {
      nofile_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

typedef struct
{
  FlLoadOptions options;
  guint rounds;
  FlLoadResult result;
  _Atomic gboolean done;
} Burst;

static gpointer
burst_thread (gpointer data)
{
  Burst *burst = data;

  for (guint i = 0; i < burst->rounds; i++)
    fl_load_concurrent (&burst->options, 1000, &burst->result);
  atomic_store (&burst->done, TRUE);
  return NULL;
}

/* Bursts of 1000 retrying clients on a thread while this one samples; returns
 * the peak handler count; *peak_process gets the peak of /proc/self Threads. */
static guint
run_bursts (FlServer *server, guint rounds, guint *peak_process)
{
  Burst burst = { .options = options_for (server, 100, 100), .rounds = rounds };
  GThread *thread;
  FlServerStats stats;
  guint peak = 0;

  burst.options.retry_seconds = 60;
  *peak_process = 0;
  thread = g_thread_new ("burst", burst_thread, &burst);
  while (!atomic_load (&burst.done))
    {
      fl_server_get_stats (server, &stats);
      peak = MAX (peak, stats.threads);
      *peak_process = MAX (*peak_process, fl_load_self_threads ());
      g_usleep (1000);
    }
  g_thread_join (thread);
  note ("%u bursts of 1000: served %" G_GUINT64_FORMAT ", failed %" G_GUINT64_FORMAT
                  ", retries %" G_GUINT64_FORMAT ", %.1f s; peak handler threads %u, peak "
                  "process threads %u", rounds, burst.result.served, burst.result.failed,
                  burst.result.retries, burst.result.seconds, peak, *peak_process);
  g_assert_cmpuint (burst.result.served, ==, 1000 * rounds);
  g_assert_cmpuint (burst.result.failed, ==, 0);
  g_assert_cmpuint (burst.result.invalid, ==, 0);
  return peak;
}

/* The thread cap: --max-connections, i.e. FlServerConfig.max_connections. */
static void
test_thread_cap (void)
{
  guint before = fl_load_self_threads (), peak, peak_process;
  g_autoptr (FlServer) server = start_server (100, 100, 8, NULL);

  peak = run_bursts (server, 3, &peak_process);
  g_assert_cmpuint (peak, <=, 8);
  g_assert_cmpuint (peak, >, 2); /* the bursts did make the pool grow */
  /* This thread, the burst thread, and at most 8 handlers. */
  g_assert_cmpuint (peak_process, <=, before + 1 + 8);
}

static gboolean
write_text (const char *path, const char *text)
{
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL);
}

/* Threads running out, in a child inside a pids cgroup that leaves room for 4 handlers. */
static void
pids_child (void)
{
  /* Named after the parent, which removes it should this child fail half-way. */
  g_autofree char *group = g_strdup_printf (PIDS_ROOT "/frameloom-hostile-api-%d", getppid ());
  g_autofree char *procs = g_build_filename (group, "cgroup.procs", NULL);
  g_autofree char *max = g_build_filename (group, "pids.max", NULL);
  g_autofree char *events_path = g_build_filename (group, "pids.events", NULL);
  g_autofree char *events = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", getpid ());
  g_autofree char *room = NULL;
  g_auto (LogCount) log = { 0 };
  g_autoptr (FlServer) server = NULL;
  guint tasks, peak, peak_process;

  log_count_init (&log);
  tasks = fl_load_self_threads ();
  g_assert_cmpint (mkdir (group, 0755), ==, 0);
  /* This process's tasks, the burst thread, and four handlers. */
  room = g_strdup_printf ("%u", tasks + 1 + 4);
  g_assert_true (write_text (max, room));
  g_assert_true (write_text (procs, pid));
  server = start_server (100, 100, 0, &log);
  peak = run_bursts (server, 3, &peak_process);
  fl_events_flush (log.events);
  g_assert_true (g_file_get_contents (events_path, &events, NULL, NULL));
  note ("pids.max %s, %s; %u thread-start failures logged", room, g_strstrip (events),
                  log.thread_failures);
  g_assert_cmpuint (peak, <=, 4);
  g_assert_cmpuint (peak_process, <=, tasks + 1 + 4);
  g_assert_cmpuint (g_ascii_strtoull (strchr (events, ' ') + 1, NULL, 10), >, 0);
  fl_mutex_lock (&log.lock);
  g_assert_cmpuint (log.thread_failures, >=, 1);
  g_assert_true (g_str_has_prefix (log.last, "Could not start a connection thread: resource "
                                             "temporarily unavailable; serving with "));
  fl_mutex_unlock (&log.lock);
  g_clear_pointer (&server, fl_server_free);
  /* Leave, so the folder can go, and so LeakSanitizer can start its thread at exit. */
  g_assert_true (write_text (max, "max"));
  g_assert_true (write_text (PIDS_ROOT "/cgroup.procs", pid));
  g_assert_cmpint (rmdir (group), ==, 0);
}

static void
test_thread_creation_fails (void)
{
  if (g_test_subprocess ())
    {
      pids_child ();
      return;
    }
  if (access (PIDS_ROOT "/cgroup.procs", W_OK) != 0)
    {
      g_test_skip ("no writable pids cgroup (v1) at " PIDS_ROOT);
      return;
    }
  g_test_trap_subprocess (NULL, 180 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  {
    g_autofree char *group = g_strdup_printf (PIDS_ROOT "/frameloom-hostile-api-%d", getpid ());
    rmdir (group); /* already gone when the child passed */
  }
  g_test_trap_assert_passed ();
}

typedef struct
{
  FlServer *server;
  gint64 took;
} StopJob;

static gpointer
stop_job (gpointer data)
{
  StopJob *job = data;
  gint64 start = g_get_monotonic_time ();

  fl_server_stop (job->server, FL_SERVER_DEFAULT_GRACE_MS);
  job->took = g_get_monotonic_time () - start;
  return NULL;
}

typedef struct
{
  int *fds;
  guint n;
  _Atomic gboolean stop;
} Trickle;

static gpointer
trickle_thread (gpointer data)
{
  Trickle *trickle = data;
  char chunk[512];

  while (!atomic_load (&trickle->stop))
    {
      for (guint i = 0; i < trickle->n; i++)
        if (recv (trickle->fds[i], chunk, sizeof chunk, MSG_DONTWAIT) < 0)
          continue;
      g_usleep (100 * 1000);
    }
  return NULL;
}

/* A stop under load: the stop the app's switch (and SIGINT in the CLI) triggers, with 300
 * slow readers of 4.3 MB images (4 KiB windows): each keeps a handler 50 ms at
 * most (plus what the kernel's buffer takes), then a wait loop holds it, so
 * more are in flight than the 16 threads. */
static void
test_stop_with_slow_clients (void)
{
  g_autoptr (FlServer) server = start_server (1200, 1200, 16, NULL);
  guint port = fl_server_get_port (server);
  Trickle trickle = { .fds = g_new (int, 300), .n = 300 };
  StopJob job = { .server = server };
  gint64 began, deadline, refused_after = -1;
  gboolean draining = FALSE;
  FlServerStats stats;
  GThread *reader, *stopper;
  guint in_flight;

  for (guint i = 0; i < trickle.n; i++)
    {
      trickle.fds[i] = fl_load_connect (port, 4096);
      g_assert_cmpint (trickle.fds[i], >=, 0);
    }
  reader = g_thread_new ("trickle", trickle_thread, &trickle);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  do
    {
      g_usleep (20 * 1000);
      fl_server_get_stats (server, &stats);
    }
  while (stats.held < 32 && g_get_monotonic_time () < deadline);
  g_assert_cmpuint (stats.held, >=, 32);
  g_assert_cmpuint (stats.threads, <=, 16);
  /* Replies being encoded are cut within a flush: no need to wait for them. */
  in_flight = stats.active;

  began = g_get_monotonic_time ();
  stopper = g_thread_new ("stop", stop_job, &job);
  while (g_get_monotonic_time () - began < 5 * G_USEC_PER_SEC)
    {
      int fd = fl_load_connect (port, 0);
      if (fd < 0 && errno == ECONNREFUSED)
        {
          refused_after = g_get_monotonic_time () - began;
          draining = fl_server_is_running (server);
          break;
        }
      if (fd >= 0)
        close (fd);
      g_usleep (10 * 1000);
    }
  g_thread_join (stopper);
  atomic_store (&trickle.stop, TRUE);
  g_thread_join (reader);
  for (guint i = 0; i < trickle.n; i++)
    close (trickle.fds[i]);
  g_free (trickle.fds);
  fl_server_get_stats (server, &stats);
  note ("300 slow clients, %u in flight: refused %.3f s after the stop began (still "
                  "draining: %d); stop took %.2f s; %" G_GUINT64_FORMAT " failed connections",
                  in_flight, refused_after / 1e6, draining, job.took / 1e6, stats.failures);
  g_assert_cmpint (refused_after, >=, 0);
  g_assert_cmpint (refused_after, <, G_USEC_PER_SEC);
  g_assert_true (draining);
  g_assert_cmpint (job.took, <, (FL_SERVER_DEFAULT_GRACE_MS + 4000) * 1000);
  g_assert_cmpuint (stats.threads, ==, 0);
  g_assert_cmpuint (stats.failures, >=, in_flight);
}

/* The soak, in-process and scaled by FRAMELOOM_SOAK_SCALE: 10,000 distinct
 * replies, then 10,000 sequential and 10 x 1,000 concurrent with RSS and
 * descriptors flat. The CLI test runs the full 100,000. */
static void
test_soak (void)
{
  g_autoptr (FlServer) server = start_server (10, 10, 0, NULL);
  FlLoadOptions options = options_for (server, 10, 10);
  FlLoadResult warm = { 0 }, result = { 0 };
  guint64 chunk = fl_load_scaled (2000), rounds = MAX (2, fl_load_scaled (10));
  guint64 rss0, rss_min = G_MAXUINT64, rss_max = 0;
  guint fds0;
  gint64 began = g_get_monotonic_time ();

  options.unique_window = 10000;
  fl_load_sequential (&options, fl_load_scaled (10000), &warm);
  options.unique_window = 0;
  fl_load_concurrent (&options, 1000, &warm);
  g_assert_cmpuint (warm.duplicates, ==, 0);
  g_assert_cmpuint (warm.served, ==, fl_load_scaled (10000) + 1000);
  g_usleep (200 * 1000);
  rss0 = fl_load_self_rss_kib ();
  fds0 = fl_load_self_fds ();
  for (guint64 i = 0; i < 5 + rounds; i++)
    {
      guint64 rss;
      if (i < 5)
        fl_load_sequential (&options, chunk, &result);
      else
        fl_load_concurrent (&options, 1000, &result);
      rss = fl_load_self_rss_kib ();
      rss_min = MIN (rss_min, rss);
      rss_max = MAX (rss_max, rss);
      g_assert_cmpuint (settle_fds (fds0), ==, fds0);
    }
  note ("soak: %" G_GUINT64_FORMAT " distinct + %" G_GUINT64_FORMAT " sequential + %"
                  G_GUINT64_FORMAT " x 1000 concurrent in %.1f s; RSS %" G_GUINT64_FORMAT
                  " KiB after warm-up, then %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
                  " KiB; fds %u flat", fl_load_scaled (10000), 5 * chunk, rounds,
                  (g_get_monotonic_time () - began) / 1e6, rss0, rss_min, rss_max, fds0);
  g_assert_cmpuint (result.failed, ==, 0);
  g_assert_cmpuint (result.invalid, ==, 0);
  g_assert_cmpuint (result.served, ==, 5 * chunk + 1000 * rounds);
  if (rss_is_meaningful ())
    g_assert_cmpuint (rss_max, <, rss0 + RSS_SLACK_KIB);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hostile-server/api/peers", test_hostile_peers);
  g_test_add_func ("/hostile-server/api/descriptors-exhausted", test_descriptors_exhausted);
  g_test_add_func ("/hostile-server/api/thread-cap", test_thread_cap);
  g_test_add_func ("/hostile-server/api/thread-creation-fails", test_thread_creation_fails);
  g_test_add_func ("/hostile-server/api/stop-with-slow-clients", test_stop_with_slow_clients);
  g_test_add_func ("/hostile-server/api/soak", test_soak);
  return g_test_run ();
}
