/* fl-server.c: leader/follower handler threads over one listening socket, and
 * the server's life cycle. */
#include "fl-server-private.h"

#include "fl-error.h"
#include "fl-net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HANDLER_STACK_SIZE (256 * 1024)
#define BACKOFF_MS 100
/* A handler waits on one slow peer this long in all, then a wait loop takes it. */
#define HANDLER_WAIT_US (50 * 1000)
/* While a handler keeps a connection for want of a loop, it looks at the stop
 * and at the loops this often. */
#define HANDLER_POLL_MS 100
/* Beyond the rows: the encoder's and zlib's state, a flush, the structs. */
#define REPLY_OVERHEAD_BYTES (96u * 1024u)

/* A handler thread's own: its number, its generator, the buffers it lends. */
typedef struct
{
  FlServer *server;
  guint slot;     /* 0..max_handlers-1, its track in the events */
  FlRng rng;
  guint8 *row;
  GByteArray *out;
} Handler;

FlServer *
fl_server_new (const FlServerConfig *config)
{
  FlServer *server = g_new0 (FlServer, 1);

  server->host = g_strdup (config->host && *config->host ? config->host : "0.0.0.0");
  server->port = config->port;
  server->width = config->width ? config->width : 10;
  server->height = config->height ? config->height : 10;
  server->max_connections = config->max_connections ? config->max_connections
                                                    : FL_SERVER_DEFAULT_MAX_CONNECTIONS;
  server->send_timeout_ms = config->send_timeout_ms ? config->send_timeout_ms
                                                    : FL_SERVER_DEFAULT_SEND_TIMEOUT_MS;
  server->spare_threads = config->spare_threads ? config->spare_threads
                                                : FL_SERVER_DEFAULT_SPARE_THREADS;
  server->latency_ms = MIN (config->latency_ms, FL_SERVER_MAX_LATENCY_MS);
  server->jitter_ms = MIN (config->jitter_ms, FL_SERVER_MAX_LATENCY_MS);
  server->cost_us = MIN (config->cost_us, FL_SERVER_MAX_COST_US);
  server->row_bytes = (gsize) server->width * 3;
  server->block_rows = (guint) CLAMP (4096 / server->row_bytes, 1, server->height);
  server->reply_bytes = (server->block_rows + 2) * server->row_bytes + REPLY_OVERHEAD_BYTES;
  atomic_init (&server->budget_left, (gint64) (config->held_budget_bytes
                                                 ? config->held_budget_bytes
                                                 : FL_SERVER_DEFAULT_HELD_BUDGET));
  /* One wait loop per core, and never more than half the threads. */
  server->n_loops = MIN (MIN ((guint) g_get_num_processors (), FL_SERVER_MAX_LOOPS),
                         server->max_connections / 2);
  server->max_handlers = server->max_connections - server->n_loops;
  server->events = config->events;
  server->hash_images = config->hash_images;
  server->listen_fd = -1;
  fl_mutex_init (&server->lock);
  fl_cond_init (&server->changed);
  return server;
}

/* Rate-limited to one notice per kind per second, sent with no lock held. */
void
fl_server_log (FlServer *server, FlLogKind kind, const char *format, ...)
{
  gint64 now = g_get_monotonic_time ();
  gboolean due;
  va_list args;

  if (server->events == NULL)
    return;
  fl_mutex_lock (&server->lock);
  due = now - server->last_log[kind] >= G_USEC_PER_SEC;
  if (due)
    server->last_log[kind] = now;
  fl_mutex_unlock (&server->lock);
  if (!due)
    return;
  va_start (args, format);
  fl_events_push (server->events, &(FlEvent) {
    .kind = FL_EVENT_NOTICE, .t0 = now, .t1 = now,
    .notice = { .stage = FL_STAGE_SERVE, .what = kind, .text = g_strdup_vprintf (format, args) },
  });
  va_end (args);
}

static void *handler_thread (void *data);

/* Called with the lock held: one more handler, if the cap and the system allow.
 * Returns 0, -1 at the cap or when stopping, or pthread_create's error, which
 * the caller logs once it has let go of the lock. */
static int
spawn_handler_locked (FlServer *server)
{
  pthread_attr_t attr;
  pthread_t thread;
  Handler *handler;
  int rc;

  if (server->threads >= server->max_handlers || server->stopping)
    return -1;
  handler = g_new0 (Handler, 1);
  handler->server = server;
  /* The lowest free slot: a handler's track in the events, one thread at a time. */
  while (server->slot_used[handler->slot])
    handler->slot++;
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize (&attr, HANDLER_STACK_SIZE);
  rc = pthread_create (&thread, &attr, handler_thread, handler);
  pthread_attr_destroy (&attr);
  if (rc != 0)
    {
      g_free (handler);
      return rc;
    }
  server->slot_used[handler->slot] = TRUE;
  server->threads++;
  server->idle++;
  return 0;
}

static void
log_spawn_failure (FlServer *server, int rc, guint threads)
{
  if (rc > 0)
    fl_server_log (server, FL_LOG_THREAD,
                   "Could not start a connection thread: %s; serving with %u threads",
                   fl_strerror (rc), threads);
}

/* Sleeps up to ms unless a stop comes first. Called with the lock held. */
static void
backoff_locked (FlServer *server, guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (!server->stopping && g_get_monotonic_time () < until)
    fl_cond_wait_until (&server->changed, &server->lock, until);
}

/* A failed accept: logged, with a pause where accepting again would spin. */
static void
accept_failed (FlServer *server, int errsv)
{
  guint pause_ms;

  switch (errsv)
    {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case EPERM: /* firewall */
      return;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      /* The pending connection stays in the backlog until a descriptor is free. */
      fl_server_log (server, FL_LOG_NOFILE, "Could not accept a connection: %s; pausing for %d ms",
                     fl_strerror (errsv), BACKOFF_MS);
      pause_ms = BACKOFF_MS;
      break;
    default:
      fl_server_log (server, FL_LOG_ACCEPT, "Could not accept a connection: %s",
                     fl_strerror (errsv));
      pause_ms = 10;
      break;
    }
  fl_mutex_lock (&server->lock);
  backoff_locked (server, pause_ms);
  fl_mutex_unlock (&server->lock);
}

/* Called with the lock held: wait loop i's thread (and descriptors, if they
 * could not be made at start). Returns 0, -1 when not now, or an errno. */
static int
start_loop_locked (FlServer *server, guint i)
{
  int errsv;

  if (server->loop_running[i])
    return 0;
  if (server->stopping || g_get_monotonic_time () < server->loop_retry_at)
    return -1;
  if (server->loops[i] == NULL)
    server->loops[i] = fl_wait_loop_new (server, i);
  if (server->loops[i] != NULL && fl_wait_loop_start (server->loops[i]))
    {
      server->loop_running[i] = TRUE;
      server->loops_live++;
      return 0;
    }
  errsv = errno;
  /* Thread or descriptor shortage: try again in a second, not per connection. */
  server->loop_retry_at = g_get_monotonic_time () + G_USEC_PER_SEC;
  return errsv;
}

static void
log_loop_failure (FlServer *server, int rc)
{
  if (rc > 0)
    fl_server_log (server, FL_LOG_LOOP,
                   "Could not start a wait loop: %s; waiting and slow connections keep a "
                   "thread each", fl_strerror (rc));
}

/* The next wait loop in turn, started if need be; NULL when none can run. */
static FlWaitLoop *
pick_loop (FlServer *server)
{
  guint first = atomic_fetch_add_explicit (&server->next_loop, 1, memory_order_relaxed);
  FlWaitLoop *loop = NULL;
  int rc = -1;

  if (server->n_loops == 0)
    return NULL;
  fl_mutex_lock (&server->lock);
  for (guint k = 0; k < server->n_loops && loop == NULL; k++)
    {
      guint i = (first + k) % server->n_loops;
      if (!server->loop_running[i] && rc <= 0)
        rc = start_loop_locked (server, i);
      if (server->loop_running[i])
        loop = server->loops[i];
    }
  fl_mutex_unlock (&server->lock);
  log_loop_failure (server, rc);
  return loop;
}

gboolean
fl_server_hold (FlServer *server, const FlServerReply *reply)
{
  FlWaitLoop *loop = pick_loop (server);
  FlServerReply *held;

  if (loop == NULL)
    return FALSE;
  held = g_memdup2 (reply, sizeof *reply);
  held->lent = FALSE;
  if (held->png != NULL && !fl_server_take_budget (server, held))
    {
      g_free (held);
      return FALSE;
    }
  atomic_fetch_add_explicit (&server->held, 1, memory_order_relaxed);
  if (fl_wait_loop_push (loop, held))
    return TRUE;
  atomic_fetch_sub_explicit (&server->held, 1, memory_order_relaxed);
  fl_server_return_budget (server, held);
  g_free (held);
  return FALSE;
}

/* The reply's wait, on this thread: no wait loop could take it. */
static gboolean
wait_here (FlServer *server, gint64 due)
{
  fl_mutex_lock (&server->lock);
  while (!g_atomic_int_get (&server->cut) && g_get_monotonic_time () < due)
    fl_cond_wait_until (&server->changed, &server->lock, due);
  fl_mutex_unlock (&server->lock);
  return !g_atomic_int_get (&server->cut);
}

/* Hands a started reply to a wait loop, with the buffers the handler lent it. */
static gboolean
hand_over (Handler *handler, const FlServerReply *reply)
{
  if (!fl_server_hold (handler->server, reply))
    return FALSE;
  handler->row = NULL;
  handler->out = NULL;
  return TRUE;
}

typedef enum
{
  SERVED_SENT,
  SERVED_FAILED,
  SERVED_HELD, /* a wait loop has it now */
} Served;

/* Encodes and sends on this thread; a peer that keeps the handler waiting
 * HANDLER_WAIT_US in all is handed to a wait loop (or, if none can take it,
 * kept until its deadline, looking at the stop every HANDLER_POLL_MS). */
static Served
serve_here (Handler *handler, FlServerReply *reply)
{
  FlServer *server = handler->server;
  gint64 waited = 0;
  gboolean started;

  if (reply->due > g_get_monotonic_time () && !wait_here (server, reply->due))
    return SERVED_FAILED;
  reply->row = handler->row;
  reply->out = handler->out;
  reply->lent = TRUE;
  started = fl_server_reply_start (server, reply, &handler->rng);
  /* Buffers it had to allocate stay the handler's, for the next connections. */
  handler->row = reply->row;
  handler->out = reply->out;
  if (!started)
    return SERVED_FAILED;
  for (;;)
    {
      struct pollfd pfd = { .fd = reply->fd, .events = POLLOUT };
      gint64 began, timeout_us;

      switch (fl_server_reply_pump (server, reply, &handler->rng, G_MAXSIZE))
        {
        case FL_SERVER_REPLY_DONE:
          return SERVED_SENT;
        case FL_SERVER_REPLY_FAILED:
          return SERVED_FAILED;
        case FL_SERVER_REPLY_BLOCKED:
        case FL_SERVER_REPLY_YIELD:
          break;
        }
      if (waited >= HANDLER_WAIT_US && hand_over (handler, reply))
        return SERVED_HELD;
      began = g_get_monotonic_time ();
      if (began >= reply->deadline)
        return SERVED_FAILED;
      timeout_us = waited < HANDLER_WAIT_US ? HANDLER_WAIT_US - waited : HANDLER_POLL_MS * 1000;
      timeout_us = MIN (timeout_us, reply->deadline - began);
      poll (&pfd, 1, (int) ((timeout_us + 999) / 1000));
      waited += g_get_monotonic_time () - began;
    }
}

/* One accepted connection, start to finish (or until a wait loop takes it). */
static void
handle (Handler *handler, int fd, const struct sockaddr_storage *peer, gint64 accepted_at)
{
  FlServer *server = handler->server;
  FlServerReply reply;
  Served served;

  fl_server_reply_init (&reply, fd, peer, 0);
  reply.accepted_at = accepted_at;
  reply.track = handler->slot;
  if (server->latency_ms > 0 || server->jitter_ms > 0)
    {
      /* The cost is paid here, where the handlers share it over the cores, so
       * the wait loops only wait; the wait starts once it is paid. */
      fl_rng_spend_cpu (&handler->rng, server->cost_us, &server->cut);
      reply.cost_spent = TRUE;
      reply.due = g_get_monotonic_time () + (gint64) server->latency_ms * 1000;
      if (server->jitter_ms > 0)
        reply.due += (gint64) (fl_rng_next (&handler->rng)
                               % ((guint64) server->jitter_ms * 1000 + 1));
      /* A connection that must wait costs no thread while it does. */
      if (fl_server_hold (server, &reply))
        return;
    }
  served = serve_here (handler, &reply);
  if (served != SERVED_HELD)
    fl_server_end_connection (server, &reply, served == SERVED_SENT);
}

static void *
handler_thread (void *data)
{
  Handler *handler = data;
  FlServer *server = handler->server;

  fl_rng_init (&handler->rng);
  for (;;)
    {
      struct sockaddr_storage peer;
      socklen_t peer_length = sizeof peer;
      int fd, errsv, spawn_rc = -1;
      gint64 accepted_at;
      guint threads = 0;
      gboolean leave;

      /* Unknown unless accept fills it in. */
      peer.ss_family = AF_UNSPEC;
      fd = accept4 (server->listen_fd, (struct sockaddr *) &peer, &peer_length, SOCK_CLOEXEC);
      errsv = errno;
      accepted_at = g_get_monotonic_time ();

      fl_mutex_lock (&server->lock);
      if (server->stopping)
        {
          if (fd >= 0)
            close (fd);
          server->idle--;
          break;
        }
      if (fd < 0)
        {
          fl_mutex_unlock (&server->lock);
          accept_failed (server, errsv);
          continue;
        }
      server->idle--;
      if (server->idle == 0)
        {
          spawn_rc = spawn_handler_locked (server);
          threads = server->threads;
        }
      fl_mutex_unlock (&server->lock);
      log_spawn_failure (server, spawn_rc, threads);
      atomic_fetch_add_explicit (&server->active, 1, memory_order_relaxed);

      handle (handler, fd, &peer, accepted_at);

      fl_mutex_lock (&server->lock);
      /* A thread on its way out is never counted idle: otherwise two could both
       * see the other as the spare and leave nobody accepting. */
      leave = server->stopping || server->idle >= server->spare_threads;
      if (leave)
        break;
      server->idle++;
      fl_mutex_unlock (&server->lock);
    }

  /* Lock held here; this thread is not counted idle any more. */
  server->slot_used[handler->slot] = FALSE;
  server->threads--;
  fl_cond_broadcast (&server->changed);
  fl_mutex_unlock (&server->lock);
  g_free (handler->row);
  if (handler->out != NULL)
    g_byte_array_unref (handler->out);
  g_free (handler);
  return NULL;
}

static void
wake_loops_locked (FlServer *server)
{
  for (guint i = 0; i < server->n_loops; i++)
    if (server->loop_running[i])
      fl_wait_loop_wake (server->loops[i]);
}

/* Called with the lock held, stopping set: waits for every thread until the
 * deadline, then cuts what is still in flight (each reply notices within a row
 * or a poll) and waits for the rest; frees the loops. */
static void
wait_for_threads_locked (FlServer *server, gint64 deadline)
{
  g_atomic_int_set (&server->stop_requested, 1);
  fl_cond_broadcast (&server->changed);
  wake_loops_locked (server);
  while (server->threads > 0 || server->loops_live > 0)
    {
      if (!fl_cond_wait_until (&server->changed, &server->lock, deadline)
          && g_get_monotonic_time () >= deadline)
        {
          g_atomic_int_set (&server->cut, 1);
          fl_cond_broadcast (&server->changed);
          wake_loops_locked (server);
          deadline = G_MAXINT64;
        }
    }
  for (guint i = 0; i < server->n_loops; i++)
    {
      g_clear_pointer (&server->loops[i], fl_wait_loop_free);
      server->loop_running[i] = FALSE;
    }
}

/* Raises the open-file limit for the handlers and the held connections; says
 * so when not even the handlers fit. */
static void
raise_nofile_limit (FlServer *server)
{
  guint64 needed = (guint64) server->max_connections + 64;
  guint64 limit = fl_net_raise_nofile_limit (needed + FL_SERVER_HELD_DESCRIPTORS);

  if (limit < needed)
    fl_events_notice (server->events, FL_STAGE_SERVE, FL_LOG_LIMIT,
                      "The open-file limit is %" G_GUINT64_FORMAT " and cannot be raised to %"
                      G_GUINT64_FORMAT "; fewer than %u connections may be served at once",
                      limit, needed, server->max_connections);
}

gboolean
fl_server_start (FlServer *server, GError **error)
{
  FlSockAddr addr, bound;
  GError *local_error = NULL;
  guint initial;
  int fd, rc = -1;

  g_return_val_if_fail (!server->running, FALSE);
  fl_error_prepare_threads ();
  if (!fl_image_check_size (server->width, server->height, error))
    return FALSE;
  if (!fl_net_resolve (server->host, server->port, TRUE, &addr, &local_error))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_ADDRESS_NOT_AVAILABLE, "Could not bind %s:%u: %s",
                   server->host, server->port, "the address cannot be resolved");
      g_clear_error (&local_error);
      return FALSE;
    }
  raise_nofile_limit (server);
  fd = fl_net_listen (&addr, SOMAXCONN, error);
  if (fd < 0)
    return FALSE;
  fl_net_local_address (fd, &bound);
  fl_net_format_address (&bound, server->address, sizeof server->address);
  fl_net_format_host ((struct sockaddr *) &bound.storage, (char[64]){ 0 }, 64, &server->bound_port);

  fl_mutex_lock (&server->lock);
  server->listen_fd = fd;
  server->stopping = FALSE;
  g_atomic_int_set (&server->stop_requested, 0);
  g_atomic_int_set (&server->cut, 0);
  server->loop_retry_at = 0;
  g_free (server->slot_used);
  server->slot_used = g_new0 (gboolean, server->max_handlers);
  for (guint i = 0; i < server->n_loops; i++)
    server->loops[i] = fl_wait_loop_new (server, i);
  /* With a latency every connection waits: the loops are needed at once. */
  if (server->latency_ms > 0 || server->jitter_ms > 0)
    for (guint i = 0; i < server->n_loops && rc <= 0; i++)
      rc = start_loop_locked (server, i);
  initial = MIN (2u, server->max_handlers);
  for (guint i = 0; i < initial; i++)
    if (spawn_handler_locked (server) != 0)
      break;
  if (server->threads == 0)
    {
      server->stopping = TRUE;
      wait_for_threads_locked (server, 0);
      fl_mutex_unlock (&server->lock);
      close (fd);
      server->listen_fd = -1;
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED,
                   "Could not start the server on %s: no thread could be created",
                   server->address);
      return FALSE;
    }
  server->running = TRUE;
  server->started_at = g_get_monotonic_time ();
  fl_mutex_unlock (&server->lock);
  fl_events_emit (server->events, &(FlEvent) {
    .kind = FL_EVENT_STAGE_STARTED, .t0 = server->started_at, .t1 = server->started_at,
    .stage = { .stage = FL_STAGE_SERVE, .code = FL_EVENT_NO_ERROR,
               .tracks = server->max_handlers },
  });
  log_loop_failure (server, rc);
  return TRUE;
}

const char *
fl_server_get_address (FlServer *server)
{
  return server->address;
}

guint
fl_server_get_port (FlServer *server)
{
  return server->bound_port;
}

gboolean
fl_server_is_running (FlServer *server)
{
  gboolean running;

  fl_mutex_lock (&server->lock);
  running = server->running;
  fl_mutex_unlock (&server->lock);
  return running;
}

void
fl_server_get_stats (FlServer *server, FlServerStats *stats)
{
  stats->images_sent = atomic_load_explicit (&server->images_sent, memory_order_relaxed);
  stats->bytes_sent = atomic_load_explicit (&server->bytes_sent, memory_order_relaxed);
  stats->failures = atomic_load_explicit (&server->failures, memory_order_relaxed);
  stats->active = atomic_load_explicit (&server->active, memory_order_relaxed);
  stats->held = atomic_load_explicit (&server->held, memory_order_relaxed);
  fl_mutex_lock (&server->lock);
  stats->threads = server->threads + server->loops_live;
  fl_mutex_unlock (&server->lock);
}

void
fl_server_stop (FlServer *server, guint grace_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) grace_ms * 1000;

  fl_mutex_lock (&server->lock);
  if (!server->running)
    {
      fl_mutex_unlock (&server->lock);
      return;
    }
  server->stopping = TRUE;
  /* Wakes every thread blocked in accept() (EINVAL) and makes the kernel refuse
   * new connections at once; the descriptor itself stays open until all threads
   * are gone, so no thread ever uses a closed or reused number. */
  shutdown (server->listen_fd, SHUT_RDWR);
  wait_for_threads_locked (server, deadline);
  close (server->listen_fd);
  server->listen_fd = -1;
  server->running = FALSE;
  fl_mutex_unlock (&server->lock);
  fl_events_emit (server->events, &(FlEvent) {
    .kind = FL_EVENT_STAGE_ENDED, .t0 = server->started_at, .t1 = g_get_monotonic_time (),
    .stage = { .stage = FL_STAGE_SERVE, .code = FL_EVENT_NO_ERROR,
               .done = atomic_load_explicit (&server->images_sent, memory_order_relaxed) },
  });
  fl_events_flush (server->events);
}

void
fl_server_free (FlServer *server)
{
  if (server == NULL)
    return;
  fl_server_stop (server, FL_SERVER_DEFAULT_GRACE_MS);
  fl_mutex_clear (&server->lock);
  fl_cond_clear (&server->changed);
  g_free (server->host);
  g_free (server->slot_used);
  g_free (server);
}

gsize
fl_server_format_sent_line (const FlEvent *event, char *buffer, gsize size)
{
  char host[64];
  int length;

  length = g_snprintf (buffer, size, "Sent an image to (%s, %u)",
                       fl_event_peer_host (&event->connection.peer, host, sizeof host),
                       event->connection.peer.port);
  return (gsize) MIN (length, (int) size - 1);
}
