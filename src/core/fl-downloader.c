/* fl-downloader.c: a pool of threads pulling frame indices from one atomic counter.
 *
 * Failure policy: network and content failures (refused, reset, timeout, a reply
 * that is not one complete PNG, a reply over the cap) are retried with bounded
 * exponential back-off plus jitter. Running out of descriptors (EMFILE) is our own
 * shortage, so it waits without using up an attempt. A local write failure
 * (read-only folder, ENOSPC) is reported once and stops the run, and so does a
 * frame that fails for good: the other threads stop at their next check. A reply
 * that is not a PNG at all (JPEG, HTTP, text) is never retried at that server:
 * it will not become one. Replies live in fl-reply.c's buffers, whose total one
 * budget bounds. */
#include "fl-downloader.h"
#include "fl-sync.h"

#include "fl-dir-lock.h"
#include "fl-error.h"
#include "fl-file.h"
#include "fl-frame-writer.h"
#include "fl-net.h"
#include "fl-png.h"
#include "fl-reply.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_MAX_FRAME_BYTES (64u * 1024u * 1024u)
#define BACKOFF_BASE_MS 10
#define BACKOFF_MAX_MS 1000
/* EMFILE waits do not use attempts, but they are bounded too. */
#define MAX_RESOURCE_WAITS 100

typedef enum
{
  OUTCOME_OK,
  OUTCOME_TRANSIENT, /* the peer's fault or the network's: retry */
  OUTCOME_RESOURCE,  /* out of descriptors: wait, then retry */
  OUTCOME_FATAL,     /* a local failure: stop the run */
  OUTCOME_NOT_PNG,   /* the server sends something else: never again at this server */
} Outcome;

#define BENCH_FIRST_MS 100
#define BENCH_MAX_MS 5000

typedef struct
{
  FlSockAddr *addrs;      /* every address the name resolves to */
  guint n_addrs;
  char (*peers)[80];      /* each one as messages name it */
  guint preferred;        /* the address that answered last (atomic) */
  /* Guarded by Run.lock. */
  gint64 benched_until;   /* monotonic microseconds; 0: not benched */
  gint64 benched_at;      /* when that bench was set; 0: not benched */
  guint bench_ms;         /* the last bench, doubled on each further failure */
  guint64 frames;
  guint64 failures;
  gboolean not_png;       /* it sent something other than a PNG: left out for good */
} Endpoint;

typedef struct
{
  const FlDownloadConfig *config;
  FlEvents *events;

  Endpoint *endpoints;
  guint n_endpoints;
  FlPngLimits limits;
  FlReplyBudget *budget;
  int dir_fd;     /* the frames folder, locked */
  gint64 connect_timeout_us;
  gint64 frame_timeout_us;
  guint attempts;

  gint next;      /* the next frame index to take */
  GCancellable *cancellable;
  gint stop;      /* set on cancel or on a failure that ends the run; polled by reads */
  gint cancelled;
  _Atomic gint64 wait_us;  /* see FlDownloadResult.wait_seconds */

  FlMutex lock;    /* guards error and the counters below */
  GError *error;  /* the first failure that ended the run */
  guint64 written;
  guint64 bytes;
  guint64 retries;
  guint64 failures;
} Run;

/* When an attempt reached the end of each phase (monotonic microseconds; 0: not reached). */
typedef struct
{
  gint64 start, connected, replied;
} Phases;

/* Threads poll the cancellable themselves rather than take a callback from
 * g_cancellable_connect(): that callback runs on the cancelling thread, handed
 * over behind a lock ThreadSanitizer cannot see. */
static gboolean
run_stopped (Run *run)
{
  if (g_atomic_int_get (&run->stop))
    return TRUE;
  if (run->cancellable != NULL && g_cancellable_is_cancelled (run->cancellable))
    {
      g_atomic_int_set (&run->cancelled, 1);
      g_atomic_int_set (&run->stop, 1);
      return TRUE;
    }
  return FALSE;
}

static gboolean
is_descriptor_shortage (const GError *error)
{
  return g_error_matches (error, FL_ERROR, FL_ERROR_NO_DESCRIPTORS);
}

static Outcome
try_frame (Run *run, Endpoint *endpoint, FlFrameWriter *writer, const char *name, FlReply *reply,
           Phases *phases, GError **error)
{
  gint64 start = phases->start;
  gint64 deadline = start + run->frame_timeout_us;
  guint preferred = (guint) g_atomic_int_get ((gint *) &endpoint->preferred);
  guint which = preferred;
  FlReplyStatus status;
  int fd, errsv;

  fd = fl_net_connect_any (endpoint->addrs, endpoint->n_addrs, &which,
                           MIN (deadline, start + run->connect_timeout_us), &run->stop,
                           run->cancellable, error);
  if (fd < 0)
    {
      errsv = errno;
      return (errsv == EMFILE || errsv == ENFILE) ? OUTCOME_RESOURCE : OUTCOME_TRANSIENT;
    }
  if (which != preferred)
    g_atomic_int_set ((gint *) &endpoint->preferred, (gint) which);
  phases->connected = g_get_monotonic_time ();
  status = fl_reply_read (reply, fd, deadline, &run->limits, run->budget, &run->stop,
                          run->cancellable, endpoint->peers[which], error);
  phases->replied = g_get_monotonic_time ();
  atomic_fetch_add_explicit (&run->wait_us, phases->replied - start, memory_order_relaxed);
  close (fd);
  if (status == FL_REPLY_NOT_PNG)
    return OUTCOME_NOT_PNG;
  if (status == FL_REPLY_RESOURCE)
    return OUTCOME_RESOURCE;
  if (status != FL_REPLY_OK)
    return OUTCOME_TRANSIENT;
  if (!fl_frame_writer_write (writer, name, reply->data, reply->length, error))
    return is_descriptor_shortage (*error) ? OUTCOME_RESOURCE : OUTCOME_FATAL;
  return OUTCOME_OK;
}

/* Sleeps about delay_ms, waking early when the run stops. */
static void
sleep_unless_stopped (Run *run, guint delay_ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) delay_ms * 1000;

  while (!run_stopped (run))
    {
      gint64 left = until - g_get_monotonic_time ();
      if (left <= 0)
        break;
      g_usleep ((gulong) MIN (left, 10000));
    }
}

static void
back_off (Run *run, guint attempt)
{
  guint delay = BACKOFF_BASE_MS << MIN (attempt - 1, 10u);

  delay = MIN (delay, (guint) BACKOFF_MAX_MS);
  sleep_unless_stopped (run, delay + (guint) g_random_int_range (0, (gint32) delay / 2 + 1));
}

/* Records the failure that ends the run (only the first one becomes the error). */
static void
fail_run (Run *run, GError *error, guint index, guint attempts, gboolean frame_failure)
{
  fl_mutex_lock (&run->lock);
  if (frame_failure)
    run->failures++;
  if (run->error == NULL)
    {
      if (!frame_failure
          || (error->code == FL_ERROR_CONNECT && run->written == 0 && run->n_endpoints == 1))
        /* A local failure names its file; a server that is not there is one sentence. */
        run->error = g_error_copy (error);
      else if (error->code == FL_ERROR_CONNECT && run->written == 0)
        run->error = g_error_new (FL_ERROR, error->code,
                                  "None of the %u servers could be reached (the last one "
                                  "tried said: %s)", run->n_endpoints, error->message);
      else if (attempts == 0)
        run->error = g_error_new (FL_ERROR, error->code, "Frame %u failed and was not retried: %s",
                                  index, error->message);
      else
        run->error = g_error_new (FL_ERROR, error->code, "Frame %u failed after %u attempts: %s",
                                  index, attempts, error->message);
    }
  fl_mutex_unlock (&run->lock);
  g_atomic_int_set (&run->stop, 1);
}

/* The server for try number turn of a frame: the round-robin one unless it is
 * benched; else one of those not benched, spread the same way (so the frames of
 * a dead server are shared out, not all handed to its neighbour); else the one
 * whose bench ends first. */
static guint
pick_endpoint (Run *run, guint index, guint turn)
{
  guint first = (guint) (((guint64) index + turn) % run->n_endpoints);
  guint live[FL_DOWNLOAD_MAX_ENDPOINTS];
  guint n_live = 0, best = first;
  gint64 now;

  if (run->n_endpoints == 1)
    return 0;
  now = g_get_monotonic_time ();
  fl_mutex_lock (&run->lock);
  if (run->endpoints[first].benched_until > now)
    for (guint e = 0; e < run->n_endpoints; e++)
      {
        if (run->endpoints[e].benched_until <= now)
          live[n_live++] = e;
        else if (run->endpoints[e].benched_until < run->endpoints[best].benched_until)
          best = e;
      }
  else
    live[n_live++] = first;
  fl_mutex_unlock (&run->lock);
  return n_live > 0 ? live[(guint) (((guint64) index + turn) % n_live)] : best;
}

/* Leaves out a server that does not send PNGs; FALSE when none is left. */
static gboolean
exclude_endpoint (Run *run, guint e)
{
  gboolean any_left = FALSE;

  fl_mutex_lock (&run->lock);
  run->endpoints[e].not_png = TRUE;
  run->endpoints[e].benched_until = run->endpoints[e].benched_at = G_MAXINT64;
  for (guint i = 0; i < run->n_endpoints; i++)
    any_left |= !run->endpoints[i].not_png;
  fl_mutex_unlock (&run->lock);
  return any_left;
}

/* tried_at: when the attempt started (monotonic microseconds). */
static void
endpoint_done (Run *run, guint e, gint64 tried_at, Outcome outcome, const GError *error)
{
  Endpoint *endpoint = &run->endpoints[e];

  /* One server: its counts are the run's own (written; retries + failures), and
   * nothing is benched, so the common case takes no extra lock. */
  if (run->n_endpoints == 1)
    return;
  fl_mutex_lock (&run->lock);
  if (outcome == OUTCOME_OK)
    {
      endpoint->frames++;
      endpoint->bench_ms = 0;
      endpoint->benched_until = 0;
      endpoint->benched_at = 0;
    }
  else if (outcome == OUTCOME_TRANSIENT)
    {
      endpoint->failures++;
      /* Only a server we cannot reach is benched: a bad reply may be one-off.
       * An attempt that started before the current bench was set saw the same
       * outage that set it (every thread that was connecting there fails at
       * once): only a failure after that, a probe, doubles the bench, or 64
       * threads would bench a server for the maximum after one blip. */
      if (run->n_endpoints > 1 && g_error_matches (error, FL_ERROR, FL_ERROR_CONNECT)
          && (endpoint->benched_at == 0 || tried_at >= endpoint->benched_at))
        {
          endpoint->bench_ms = endpoint->bench_ms ? MIN (endpoint->bench_ms * 2, BENCH_MAX_MS)
                                                  : BENCH_FIRST_MS;
          endpoint->benched_at = g_get_monotonic_time ();
          endpoint->benched_until = endpoint->benched_at + (gint64) endpoint->bench_ms * 1000;
        }
    }
  fl_mutex_unlock (&run->lock);
}

/* One attempt at a frame has ended (kind: fetched, retry or failed). */
static void
emit_attempt (Run *run, FlEventKind kind, guint track, guint index, guint attempt,
              const Phases *phases, const GError *error, guint64 bytes, guint64 done)
{
  gint64 end = g_get_monotonic_time ();
  gint64 connected = phases->connected ? phases->connected : end;
  gint64 replied = phases->replied ? phases->replied : end;

  fl_events_emit (run->events, &(FlEvent) {
    .kind = kind, .track = track, .t0 = phases->start, .t1 = end,
    .frame = {
      .index = index, .attempt = attempt,
      .code = error != NULL ? error->code : FL_EVENT_NO_ERROR,
      .connect_us = (guint32) (connected - phases->start),
      .wait_us = phases->connected ? (guint32) (replied - connected) : 0,
      .write_us = phases->replied ? (guint32) (end - replied) : 0,
      .bytes = bytes, .done = done,
    },
  });
}

static void
download_frame (Run *run, guint track, guint index, FlFrameWriter *writer, FlReply *reply)
{
  char name[32];
  guint attempt = 1, resource_waits = 0, turn = 0;
  /* One extra try per extra server, so a dead one never uses up a frame's tries. */
  guint max_attempts = run->attempts + run->n_endpoints - 1;

  g_snprintf (name, sizeof name, "%u.png", index);
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      guint e = pick_endpoint (run, index, turn);
      Phases phases = { .start = g_get_monotonic_time () };
      gint64 tried_at = phases.start;
      Outcome outcome;
      gboolean stopped, fatal, last;
      guint64 done, bytes;

      fl_events_emit (run->events, &(FlEvent) {
        .kind = FL_EVENT_FRAME_STARTED, .track = track, .t0 = tried_at, .t1 = tried_at,
        .frame = { .index = index, .attempt = attempt, .code = FL_EVENT_NO_ERROR },
      });
      outcome = try_frame (run, &run->endpoints[e], writer, name, reply, &phases, &error);
      endpoint_done (run, e, tried_at, outcome, error);
      if (outcome == OUTCOME_OK)
        {
          fl_mutex_lock (&run->lock);
          done = ++run->written;
          run->bytes += reply->length;
          fl_mutex_unlock (&run->lock);
          bytes = reply->length;
          fl_reply_release (reply, run->budget);
          emit_attempt (run, FL_EVENT_FRAME_FETCHED, track, index, attempt, &phases, NULL, bytes,
                        done);
          return;
        }
      fl_reply_release (reply, run->budget);
      stopped = run_stopped (run);
      /* A server that sends no PNG is left out; with none left the frame fails. */
      if (!stopped && outcome == OUTCOME_NOT_PNG && !exclude_endpoint (run, e))
        {
          emit_attempt (run, FL_EVENT_FRAME_FAILED, track, index, attempt, &phases, error, 0, 0);
          fail_run (run, error, index, 0, TRUE);
          return;
        }
      fatal = !stopped && (outcome == OUTCOME_FATAL || (outcome == OUTCOME_RESOURCE
                                                        && ++resource_waits > MAX_RESOURCE_WAITS));
      last = !stopped && (outcome == OUTCOME_TRANSIENT || outcome == OUTCOME_NOT_PNG)
             && attempt >= max_attempts;
      emit_attempt (run, stopped || fatal || last ? FL_EVENT_FRAME_FAILED : FL_EVENT_FRAME_RETRY,
                    track, index, attempt, &phases, error, 0, 0);
      if (stopped)
        return; /* cancelled, or another frame ended the run: its error stands */
      if (fatal || last)
        {
          fail_run (run, error, index, attempt, last);
          return;
        }
      if (outcome == OUTCOME_TRANSIENT || outcome == OUTCOME_NOT_PNG)
        {
          attempt++;
          turn++;
          fl_mutex_lock (&run->lock);
          run->retries++;
          fl_mutex_unlock (&run->lock);
          /* The first pass over the other servers goes at once: they are
           * different servers, not the same one again too soon. */
          if (attempt - 1 < run->n_endpoints)
            continue;
        }
      back_off (run, outcome == OUTCOME_RESOURCE ? MIN (resource_waits, 6u)
                                                 : attempt - run->n_endpoints);
    }
}

typedef struct
{
  Run *run;
  guint track;
} DownloadThread;

static gpointer
download_worker (gpointer data)
{
  Run *run = ((DownloadThread *) data)->run;
  guint track = ((DownloadThread *) data)->track;
  FlReply reply = { 0 };
  FlFrameWriter *writer = fl_frame_writer_new (run->dir_fd, run->config->frames_dir);

  while (!run_stopped (run))
    {
      guint index = (guint) g_atomic_int_add (&run->next, 1);
      if (index >= run->config->n_frames)
        break;
      download_frame (run, track, index, writer, &reply);
    }
  fl_frame_writer_free (writer);
  fl_reply_clear (&reply, run->budget);
  return NULL;
}

static void
endpoints_free (Run *run)
{
  for (guint i = 0; i < run->n_endpoints; i++)
    {
      g_free (run->endpoints[i].addrs);
      g_free (run->endpoints[i].peers);
    }
  g_free (run->endpoints);
}

/* Every server must resolve before the run starts; a name keeps all of its
 * addresses (a server on ::1 only is reached through "localhost" too). */
static gboolean
resolve_endpoints (Run *run, const FlDownloadConfig *config, GError **error)
{
  run->n_endpoints = MAX (config->n_endpoints, 1u);
  run->endpoints = g_new0 (Endpoint, run->n_endpoints);
  for (guint i = 0; i < run->n_endpoints; i++)
    {
      Endpoint *endpoint = &run->endpoints[i];
      const char *host = config->n_endpoints ? config->endpoints[i].host : config->host;
      guint port = config->n_endpoints ? config->endpoints[i].port : config->port;

      endpoint->addrs = fl_net_resolve_all (host ? host : FL_DOWNLOAD_DEFAULT_HOST,
                                            port ? port : FL_DOWNLOAD_DEFAULT_PORT,
                                            &endpoint->n_addrs, error);
      if (endpoint->addrs == NULL)
        return FALSE;
      endpoint->peers = g_malloc0_n (endpoint->n_addrs, sizeof *endpoint->peers);
      for (guint a = 0; a < endpoint->n_addrs; a++)
        fl_net_format_address (&endpoint->addrs[a], endpoint->peers[a], sizeof endpoint->peers[a]);
    }
  return TRUE;
}

static void
configure (Run *run, const FlDownloadConfig *config)
{
  run->config = config;
  fl_png_limits_init_default (&run->limits);
  run->limits.max_bytes = config->max_frame_bytes ? config->max_frame_bytes
                                                  : DEFAULT_MAX_FRAME_BYTES;
  run->budget = fl_reply_budget_new (config->max_memory_bytes);
  run->connect_timeout_us = 1000 * (gint64) (config->connect_timeout_ms
                                               ? config->connect_timeout_ms
                                               : FL_DOWNLOAD_DEFAULT_CONNECT_TIMEOUT_MS);
  run->frame_timeout_us = 1000 * (gint64) (config->frame_timeout_ms
                                             ? config->frame_timeout_ms
                                             : FL_DOWNLOAD_DEFAULT_FRAME_TIMEOUT_MS);
  run->attempts = config->attempts ? config->attempts : FL_DOWNLOAD_DEFAULT_ATTEMPTS;
  /* A frame gets one more try per extra server: keep that sum from wrapping to
   * a handful (G_MAXUINT attempts means "keep trying", not "try once"). */
  run->attempts = MIN (run->attempts, G_MAXUINT - FL_DOWNLOAD_MAX_ENDPOINTS);
  fl_mutex_init (&run->lock);
}

static void
fill_result (Run *run, gint64 start, FlDownloadResult *result)
{
  result->frames = run->written;
  result->bytes = run->bytes;
  result->retries = run->retries;
  result->failures = run->failures;
  result->seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  result->wait_seconds = (double) atomic_load (&run->wait_us) / G_USEC_PER_SEC;
  result->peak_reply_bytes = fl_reply_budget_get_peak (run->budget);
  result->n_endpoints = run->n_endpoints;
  if (run->n_endpoints == 1)
    {
      run->endpoints[0].frames = run->written;
      run->endpoints[0].failures = run->retries + run->failures;
    }
  for (guint i = 0; i < run->n_endpoints; i++)
    {
      result->endpoint_frames[i] = run->endpoints[i].frames;
      result->endpoint_failures[i] = run->endpoints[i].failures;
    }
}

/* The threads: the calling thread is one of them; a thread that cannot start is
 * simply not there (the others take its frames). */
static guint
thread_count (const FlDownloadConfig *config)
{
  return CLAMP (config->threads ? config->threads : FL_DOWNLOAD_DEFAULT_THREADS, 1u,
                MAX (config->n_frames, 1u));
}

static void
run_threads (Run *run)
{
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  guint n_threads = thread_count (run->config);
  g_autofree DownloadThread *tracks = g_new (DownloadThread, n_threads);

  /* A socket and a temporary file per thread, plus room for the rest of the process. */
  fl_net_raise_nofile_limit ((guint64) n_threads * 2 + 64);
  for (guint i = 0; i < n_threads; i++)
    tracks[i] = (DownloadThread) { run, i };
  for (guint i = 1; i < n_threads; i++)
    {
      GThread *thread = g_thread_try_new ("fl-download", download_worker, &tracks[i], NULL);
      if (thread == NULL)
        break;
      g_ptr_array_add (threads, thread);
    }
  download_worker (&tracks[0]);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
}

static gboolean
download_frames (const FlDownloadConfig *config, GCancellable *cancellable,
                 FlDownloadResult *result, GError **error)
{
  g_autoptr (FlDirLock) lock = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;
  Run run = { 0 };

  fl_error_prepare_threads ();

  g_return_val_if_fail (config != NULL && config->frames_dir != NULL, FALSE);
  g_return_val_if_fail (config->n_endpoints == 0 || config->endpoints != NULL, FALSE);
  g_return_val_if_fail (config->n_frames <= G_MAXINT / 2, FALSE);

  if (result)
    memset (result, 0, sizeof *result);
  if (!fl_file_ensure_dir (config->frames_dir, error))
    return FALSE;
  if (config->n_endpoints > FL_DOWNLOAD_MAX_ENDPOINTS)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                   "Too many servers: %u, at most %u", config->n_endpoints,
                   FL_DOWNLOAD_MAX_ENDPOINTS);
      return FALSE;
    }
  lock = fl_dir_lock_acquire (config->frames_dir, error);
  if (lock == NULL)
    return FALSE;
  if (!resolve_endpoints (&run, config, error))
    {
      endpoints_free (&run);
      return FALSE;
    }
  /* Under the lock, every named temporary in the folder is a killed run's. */
  fl_file_remove_stale_temporaries (config->frames_dir, NULL, TRUE);
  configure (&run, config);
  run.events = config->events;
  run.cancellable = cancellable;
  run.dir_fd = fl_dir_lock_get_fd (lock);

  run_threads (&run);

  run_stopped (&run); /* a cancel that came as the last frame finished */
  ok = run.error == NULL && !run.cancelled;
  if (run.cancelled)
    g_set_error_literal (error, FL_ERROR, FL_ERROR_CANCELLED, "The download was cancelled");
  else if (run.error != NULL)
    g_propagate_error (error, g_steal_pointer (&run.error));
  g_clear_error (&run.error);
  fl_mutex_clear (&run.lock);
  if (result)
    fill_result (&run, start, result);
  fl_reply_budget_free (run.budget);
  endpoints_free (&run);
  return ok;
}

gboolean
fl_download_frames (const FlDownloadConfig *config, GCancellable *cancellable,
                    FlDownloadResult *result, GError **error)
{
  FlDownloadResult local_result;
  GError *local_error = NULL;
  gint64 start = g_get_monotonic_time (), end;
  gboolean ok;

  g_return_val_if_fail (config != NULL, FALSE);
  if (result == NULL)
    result = &local_result;
  fl_events_emit (config->events, &(FlEvent) {
    .kind = FL_EVENT_STAGE_STARTED, .t0 = start, .t1 = start,
    .stage = { .stage = FL_STAGE_DOWNLOAD, .code = FL_EVENT_NO_ERROR, .total = config->n_frames,
               .tracks = thread_count (config) },
  });
  ok = download_frames (config, cancellable, result, &local_error);
  end = g_get_monotonic_time ();
  /* The stage's seconds are its events' span, to the microsecond. */
  result->seconds = (double) (end - start) / G_USEC_PER_SEC;
  fl_events_emit (config->events, &(FlEvent) {
    .kind = FL_EVENT_STAGE_ENDED, .t0 = start, .t1 = end,
    .stage = { .stage = FL_STAGE_DOWNLOAD, .total = config->n_frames, .done = result->frames,
               .code = ok ? FL_EVENT_NO_ERROR : local_error->code },
  });
  fl_events_flush (config->events);
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

static void
append_endpoint (GString *out, const char *host, guint port)
{
  if (out->len > 0)
    g_string_append_c (out, ',');
  if (strchr (host, ':') != NULL)
    g_string_append_printf (out, "[%s]:%u", host, port);
  else
    g_string_append_printf (out, "%s:%u", host, port);
}

char *
fl_download_config_describe_servers (const FlDownloadConfig *config)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (config != NULL, NULL);
  if (config->n_endpoints == 0)
    append_endpoint (out, config->host ? config->host : FL_DOWNLOAD_DEFAULT_HOST,
                     config->port ? config->port : FL_DOWNLOAD_DEFAULT_PORT);
  for (guint i = 0; i < config->n_endpoints; i++)
    append_endpoint (out, config->endpoints[i].host ? config->endpoints[i].host
                                               : FL_DOWNLOAD_DEFAULT_HOST,
                     config->endpoints[i].port ? config->endpoints[i].port
                                               : FL_DOWNLOAD_DEFAULT_PORT);
  return g_string_free (out, FALSE);
}
