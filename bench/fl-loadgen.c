/* fl-loadgen.c: a connection load generator for the Frameloom wire protocol.
 *
 * T threads share one counter of M connections. Each thread takes the next index,
 * connects, reads to EOF into a buffer it reuses, optionally checks that the reply
 * is one complete PNG and writes it to DIR/<i>.png (temporary name, then rename;
 * or, with --in-place, straight over the old file as a plain client would),
 * and closes. Blocking sockets and no per-connection allocation: the generator
 * must never be the bottleneck of what it measures.
 */
#include "fl-net.h"
#include "fl-png.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define INITIAL_BUFFER (64 * 1024)
/* Latency histogram: buckets of 1/8 octave from 1 us to about 17 min. */
#define N_BUCKETS (8 * 30)

typedef enum
{
  CHECK_PNG,
  CHECK_NONE
} CheckKind;

typedef enum
{
  FAIL_CONNECT,
  FAIL_READ,
  FAIL_CHECK,
  FAIL_WRITE,
  N_FAILS
} FailKind;

static const char *const fail_names[N_FAILS] = { "connect", "read", "check", "write" };

typedef struct
{
  FlSockAddr addr;
  guint64 connections;
  CheckKind check;
  int dir_fd; /* -1: do not write frames */
  gboolean in_place; /* open(O_TRUNC) and write over the old frame: not atomic */
  gsize max_bytes;
  struct timeval timeout;
  FlPngLimits limits;

  _Atomic guint64 next;
  pthread_barrier_t start;
} Shared;

typedef struct
{
  Shared *shared;
  pthread_t thread;
  guint index;
  guint64 ok;
  guint64 bytes;
  guint64 fails[N_FAILS];
  int first_errno[N_FAILS];
  guint64 histogram[N_BUCKETS];
} Worker;

static inline gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline guint
bucket_of (gint64 ns)
{
  double us = ns / 1000.0;
  int b;

  if (us <= 1.0)
    return 0;
  b = (int) (log2 (us) * 8.0);
  return b >= N_BUCKETS ? N_BUCKETS - 1 : (guint) b;
}

static inline double
bucket_upper_us (guint b)
{
  return exp2 ((b + 1) / 8.0);
}

static void
fail (Worker *worker, FailKind kind, int errsv)
{
  if (worker->fails[kind]++ == 0)
    worker->first_errno[kind] = errsv;
}

/* Reads until EOF into *buffer (grown by doubling, never past max_bytes).
 * Returns the length, or -1 with errno set (EMSGSIZE when over the cap). */
static gssize
read_to_eof (int fd, guint8 **buffer, gsize *capacity, gsize max_bytes)
{
  gsize length = 0;

  for (;;)
    {
      gssize n;

      if (length == *capacity)
        {
          gsize grown;

          if (*capacity >= max_bytes + 1)
            {
              errno = EMSGSIZE;
              return -1;
            }
          grown = MIN (*capacity * 2, max_bytes + 1);
          *buffer = g_realloc (*buffer, grown);
          *capacity = grown;
        }
      n = recv (fd, *buffer + length, *capacity - length, 0);
      if (n > 0)
        length += n;
      else if (n == 0)
        break;
      else if (errno != EINTR)
        return -1;
    }
  if (length > max_bytes)
    {
      errno = EMSGSIZE;
      return -1;
    }
  return length;
}

static int
write_frame (int dir_fd, gboolean in_place, guint64 index, const guint8 *data, gsize length)
{
  char name[32], temp[48];
  gsize done = 0;
  int fd, errsv = 0;

  g_snprintf (name, sizeof name, "%" G_GUINT64_FORMAT ".png", index);
  g_snprintf (temp, sizeof temp, ".%s.%d.tmp", name, (int) gettid ());
  fd = openat (dir_fd, in_place ? name : temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno;
  while (done < length)
    {
      gssize n = write (fd, data + done, length - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          errsv = n < 0 ? errno : EIO;
          break;
        }
      done += n;
    }
  if (close (fd) != 0 && errsv == 0)
    errsv = errno;
  if (in_place)
    return errsv;
  if (errsv == 0 && renameat (dir_fd, temp, dir_fd, name) != 0)
    errsv = errno;
  if (errsv != 0)
    unlinkat (dir_fd, temp, 0);
  return errsv;
}

static void *
worker_thread (void *data)
{
  Worker *worker = data;
  Shared *shared = worker->shared;
  gsize capacity = MIN ((gsize) INITIAL_BUFFER, shared->max_bytes + 1);
  guint8 *buffer = g_malloc (capacity);

  pthread_barrier_wait (&shared->start);
  for (;;)
    {
      guint64 index = atomic_fetch_add_explicit (&shared->next, 1, memory_order_relaxed);
      gint64 started;
      gssize length;
      int fd, errsv;

      if (index >= shared->connections)
        break;
      started = now_ns ();
      fd = socket (shared->addr.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0)
        {
          fail (worker, FAIL_CONNECT, errno);
          /* Out of descriptors or buffers: give the system a moment, not a spin. */
          g_usleep (1000);
          continue;
        }
      if (shared->timeout.tv_sec || shared->timeout.tv_usec)
        setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &shared->timeout, sizeof shared->timeout);
      while ((errsv = connect (fd, (struct sockaddr *) &shared->addr.storage,
                               shared->addr.length)) != 0 && errno == EINTR)
        ;
      if (errsv != 0)
        {
          fail (worker, FAIL_CONNECT, errno);
          close (fd);
          continue;
        }
      length = read_to_eof (fd, &buffer, &capacity, shared->max_bytes);
      errsv = errno;
      close (fd);
      if (length < 0)
        {
          fail (worker, FAIL_READ, errsv);
          continue;
        }
      if (shared->check == CHECK_PNG
          && !fl_png_check (buffer, length, &shared->limits, NULL, NULL, NULL))
        {
          fail (worker, FAIL_CHECK, 0);
          continue;
        }
      if (shared->dir_fd >= 0 && (errsv = write_frame (shared->dir_fd, shared->in_place, index, buffer, length)) != 0)
        {
          fail (worker, FAIL_WRITE, errsv);
          continue;
        }
      worker->ok++;
      worker->bytes += length;
      worker->histogram[bucket_of (now_ns () - started)]++;
    }
  g_free (buffer);
  return NULL;
}

static double
percentile_us (const guint64 *histogram, guint64 total, double p)
{
  guint64 wanted = (guint64) ceil (total * p), seen = 0;

  if (total == 0)
    return 0.0;
  for (guint b = 0; b < N_BUCKETS; b++)
    {
      seen += histogram[b];
      if (seen >= wanted && seen > 0)
        return bucket_upper_us (b);
    }
  return bucket_upper_us (N_BUCKETS - 1);
}

static gboolean
parse_count (const char *name, const char *text, guint64 min, guint64 max, guint64 *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    {
      g_printerr ("fl-loadgen: %s must be a whole number from %" G_GUINT64_FORMAT
                  " to %" G_GUINT64_FORMAT ", not \"%s\".\n", name, min, max, text);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *host = NULL, *port_text = NULL, *threads_text = NULL;
  g_autofree char *connections_text = NULL, *check_text = NULL, *write_dir = NULL;
  g_autofree char *max_bytes_text = NULL, *timeout_text = NULL;
  gboolean json = FALSE, in_place = FALSE;
  GOptionEntry entries[] = {
    { "host", 'H', 0, G_OPTION_ARG_STRING, &host, "Server address (default 127.0.0.1)", "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port_text, "Server port (default 1234)", "N" },
    { "threads", 't', 0, G_OPTION_ARG_STRING, &threads_text,
      "Client threads, i.e. concurrent connections (default 1)", "T" },
    { "connections", 'n', 0, G_OPTION_ARG_STRING, &connections_text,
      "Connections in all (default 10000)", "M" },
    { "check", 'c', 0, G_OPTION_ARG_STRING, &check_text,
      "png: each reply must be exactly one valid PNG; none: any reply counts (default png)",
      "png|none" },
    { "write-dir", 'w', 0, G_OPTION_ARG_FILENAME, &write_dir,
      "Write reply i to DIR/<i>.png (temporary name, then rename)", "DIR" },
    { "in-place", 0, 0, G_OPTION_ARG_NONE, &in_place,
      "With --write-dir: open DIR/<i>.png with O_TRUNC and write over it (the plain, "
      "non-atomic floor)", NULL },
    { "max-bytes", 0, 0, G_OPTION_ARG_STRING, &max_bytes_text,
      "Largest reply accepted (default 64 MiB)", "BYTES" },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_text,
      "Seconds a read may wait before the connection fails, 0 for none (default 10)", "S" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print the result as one JSON object", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree Worker *workers = NULL;
  g_autofree char *address = NULL;
  guint64 port = 1234, n_threads = 1, connections = 10000, max_bytes = FL_PNG_DEFAULT_MAX_BYTES;
  guint64 timeout_s = 10, ok = 0, bytes = 0, failures = 0, fails[N_FAILS] = { 0 };
  int first_errno[N_FAILS] = { 0 };
  guint64 *histogram;
  Shared shared = { 0 };
  gint64 started, elapsed_ns;
  double elapsed, rate;

  setlocale (LC_ALL, "");
  context = g_option_context_new ("- open many connections to a Frameloom server and time them");
  g_option_context_set_summary (context,
    "Each of T threads repeatedly connects, reads to EOF, checks the reply, closes;\n"
    "M connections in all. Prints connections per second, failures and elapsed time.\n"
    "Exit status: 0 when every connection succeeded, 1 when some failed, 2 on bad usage.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fl-loadgen: %s. Try --help.\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("fl-loadgen: unexpected argument \"%s\". Try --help.\n", argv[1]);
      return 2;
    }
  if ((port_text && !parse_count ("--port", port_text, 1, 65535, &port))
      || (threads_text && !parse_count ("--threads", threads_text, 1, 4096, &n_threads))
      || (connections_text
          && !parse_count ("--connections", connections_text, 1, G_MAXUINT32, &connections))
      || (max_bytes_text
          && !parse_count ("--max-bytes", max_bytes_text, 1, G_MAXUINT32, &max_bytes))
      || (timeout_text && !parse_count ("--timeout", timeout_text, 0, 86400, &timeout_s)))
    return 2;

  shared.check = CHECK_PNG;
  if (check_text && g_str_equal (check_text, "none"))
    shared.check = CHECK_NONE;
  else if (check_text && !g_str_equal (check_text, "png"))
    {
      g_printerr ("fl-loadgen: --check must be \"png\" or \"none\", not \"%s\".\n", check_text);
      return 2;
    }
  if (!fl_net_resolve (host ? host : "127.0.0.1", (guint) port, FALSE, &shared.addr, &error))
    {
      g_printerr ("fl-loadgen: Could not resolve %s: %s.\n", host ? host : "127.0.0.1",
                  error->message);
      return 2;
    }
  shared.dir_fd = -1;
  if (write_dir)
    {
      if (g_mkdir_with_parents (write_dir, 0755) != 0
          || (shared.dir_fd = open (write_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        {
          g_printerr ("fl-loadgen: Could not use %s as the frames folder: %s.\n", write_dir,
                      g_strerror (errno));
          return 2;
        }
    }
  shared.in_place = in_place;
  shared.connections = connections;
  shared.max_bytes = max_bytes;
  shared.timeout.tv_sec = (time_t) timeout_s;
  fl_png_limits_init_default (&shared.limits);
  shared.limits.max_bytes = max_bytes;
  fl_net_raise_nofile_limit (n_threads * 2 + 64);

  workers = g_new0 (Worker, n_threads);
  pthread_barrier_init (&shared.start, NULL, (unsigned) n_threads + 1);
  for (guint i = 0; i < n_threads; i++)
    {
      int rc;

      workers[i].shared = &shared;
      workers[i].index = i;
      rc = pthread_create (&workers[i].thread, NULL, worker_thread, &workers[i]);
      if (rc != 0)
        {
          g_printerr ("fl-loadgen: Could not start thread %u of %" G_GUINT64_FORMAT ": %s.\n",
                      i + 1, n_threads, g_strerror (rc));
          /* Threads already started wait on the barrier forever: just leave. */
          _exit (2);
        }
    }
  /* The clock starts once every thread exists, so thread creation is not timed. */
  started = now_ns ();
  pthread_barrier_wait (&shared.start);
  for (guint i = 0; i < n_threads; i++)
    pthread_join (workers[i].thread, NULL);
  elapsed_ns = now_ns () - started;
  pthread_barrier_destroy (&shared.start);
  if (shared.dir_fd >= 0)
    close (shared.dir_fd);

  histogram = g_new0 (guint64, N_BUCKETS);
  for (guint i = 0; i < n_threads; i++)
    {
      ok += workers[i].ok;
      bytes += workers[i].bytes;
      for (guint k = 0; k < N_FAILS; k++)
        {
          if (workers[i].fails[k] && !fails[k])
            first_errno[k] = workers[i].first_errno[k];
          fails[k] += workers[i].fails[k];
        }
      for (guint b = 0; b < N_BUCKETS; b++)
        histogram[b] += workers[i].histogram[b];
    }
  for (guint k = 0; k < N_FAILS; k++)
    failures += fails[k];
  elapsed = elapsed_ns / 1e9;
  rate = elapsed > 0 ? ok / elapsed : 0.0;
  address = g_strdup (fl_net_format_address (&shared.addr, (char[96]){ 0 }, 96));

  if (json)
    {
      printf ("{\"address\": \"%s\", \"threads\": %" G_GUINT64_FORMAT
              ", \"connections\": %" G_GUINT64_FORMAT ", \"ok\": %" G_GUINT64_FORMAT
              ", \"failures\": %" G_GUINT64_FORMAT ", \"failures_by_kind\": {",
              address, n_threads, connections, ok, failures);
      for (guint k = 0; k < N_FAILS; k++)
        printf ("%s\"%s\": %" G_GUINT64_FORMAT, k ? ", " : "", fail_names[k], fails[k]);
      printf ("}, \"bytes\": %" G_GUINT64_FORMAT ", \"elapsed_s\": %.6f"
              ", \"connections_per_s\": %.1f, \"latency_us\": {\"p50\": %.1f, \"p90\": %.1f"
              ", \"p99\": %.1f, \"max\": %.1f}}\n",
              bytes, elapsed, rate, percentile_us (histogram, ok, 0.50),
              percentile_us (histogram, ok, 0.90), percentile_us (histogram, ok, 0.99),
              percentile_us (histogram, ok, 1.0));
    }
  else
    {
      printf ("%s: %" G_GUINT64_FORMAT " connections from %" G_GUINT64_FORMAT " thread%s in %.3f s\n",
              address, connections, n_threads, n_threads == 1 ? "" : "s", elapsed);
      printf ("Connections/s: %.0f\n", rate);
      printf ("Succeeded: %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " bytes)\n", ok, bytes);
      printf ("Failures: %" G_GUINT64_FORMAT "\n", failures);
      for (guint k = 0; k < N_FAILS; k++)
        if (fails[k])
          printf ("  %s: %" G_GUINT64_FORMAT " (first: %s)\n", fail_names[k], fails[k],
                  k == FAIL_CHECK ? "not exactly one valid PNG" : g_strerror (first_errno[k]));
      printf ("Latency (us, 1/8-octave buckets): p50 %.0f, p90 %.0f, p99 %.0f, max %.0f\n",
              percentile_us (histogram, ok, 0.50), percentile_us (histogram, ok, 0.90),
              percentile_us (histogram, ok, 0.99), percentile_us (histogram, ok, 1.0));
    }
  g_free (histogram);
  return failures ? 1 : 0;
}
