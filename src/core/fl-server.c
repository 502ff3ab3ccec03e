/* fl-server.c: leader/follower handler threads over one listening socket. */
#include "fl-server.h"

#include "fl-error.h"
#include "fl-image.h"
#include "fl-net.h"
#include "fl-png.h"
#include "fl-sync.h"

#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define HANDLER_STACK_SIZE (256 * 1024)
#define BACKOFF_MS 100

typedef enum
{
  LOG_NOFILE,
  LOG_THREAD,
  LOG_ACCEPT,
  LOG_LIMIT,
  N_LOG_KINDS
} LogKind;

struct _FlServer
{
  char *host;
  guint port;
  guint width, height;
  guint max_connections;
  guint send_timeout_ms;
  guint spare_threads;   /* idle threads kept; more exit after their connection */

  FlEvents *events;

  int listen_fd;
  char address[96];
  guint bound_port;

  FlMutex lock;
  FlCond changed;      /* thread count, stop, or a back-off to interrupt */
  gboolean running;
  gboolean stopping;
  guint threads;      /* live handler threads */
  guint idle;         /* of those, waiting in accept */
  int *slot_fds;      /* per live connection, for a forced stop; -1 when free */
  guint n_slots;
  gint64 last_log[N_LOG_KINDS];
  gint64 started_at;   /* of the current run, for its FL_STAGE_SERVE events */

  _Atomic guint64 accepted;
  _Atomic guint64 images_sent;
  _Atomic guint64 bytes_sent;
  _Atomic guint64 failures;
  _Atomic guint active;
};

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
  server->events = config->events;
  server->listen_fd = -1;
  fl_mutex_init (&server->lock);
  fl_cond_init (&server->changed);
  return server;
}

/* Called with the lock held. */
static void
log_limited (FlServer *server, LogKind kind, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
log_limited (FlServer *server, LogKind kind, const char *format, ...)
{
  gint64 now = g_get_monotonic_time ();
  va_list args;

  if (server->events == NULL || now - server->last_log[kind] < G_USEC_PER_SEC)
    return;
  server->last_log[kind] = now;
  va_start (args, format);
  fl_events_push (server->events, &(FlEvent) {
    .kind = FL_EVENT_NOTICE, .t0 = now, .t1 = now,
    .notice = { .stage = FL_STAGE_SERVE, .what = kind, .text = g_strdup_vprintf (format, args) },
  });
  va_end (args);
}

typedef struct
{
  FlServer *server;
  guint slot;
} HandlerStart;

static void *handler_thread (void *data);

/* Called with the lock held: one more handler, if the cap and the system allow. */
static gboolean
spawn_handler_locked (FlServer *server)
{
  pthread_attr_t attr;
  pthread_t thread;
  HandlerStart *start;
  guint slot;
  int rc;

  if (server->threads >= server->max_connections || server->stopping)
    return FALSE;
  for (slot = 0; slot < server->n_slots; slot++)
    if (server->slot_fds[slot] == -2)
      break;
  g_assert (slot < server->n_slots);

  start = g_new (HandlerStart, 1);
  start->server = server;
  start->slot = slot;
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize (&attr, HANDLER_STACK_SIZE);
  rc = pthread_create (&thread, &attr, handler_thread, start);
  pthread_attr_destroy (&attr);
  if (rc != 0)
    {
      g_free (start);
      log_limited (server, LOG_THREAD,
                   "Could not start a connection thread: %s; serving with %u threads",
                   fl_strerror (rc), server->threads);
      return FALSE;
    }
  server->slot_fds[slot] = -1;
  server->threads++;
  server->idle++;
  return TRUE;
}

/* Sleeps up to ms unless a stop comes first. Called with the lock held. */
static void
backoff_locked (FlServer *server, guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (!server->stopping && g_get_monotonic_time () < until)
    fl_cond_wait_until (&server->changed, &server->lock, until);
}

/* generated: set when the image is ready to send (monotonic microseconds). */
static gboolean
serve_one (FlServer *server, int fd, FlImage *image, FlRng *rng, GByteArray *buffer,
           gint64 *generated)
{
  int errsv;

  fl_image_randomize (image, rng);
  g_byte_array_set_size (buffer, 0);
  if (!fl_png_encode (image, buffer, NULL))
    return FALSE;
  *generated = g_get_monotonic_time ();
  /* SO_SNDTIMEO ends a send that makes no progress; the overall deadline also
   * ends a peer that reads a trickle, yet leaves a big image at 1 MB/s. */
  errsv = fl_net_send_all (fd, buffer->data, buffer->len,
                           g_get_monotonic_time () + (gint64) server->send_timeout_ms * 1000
                             + (gint64) buffer->len);
  if (errsv != 0)
    return FALSE;
  atomic_fetch_add_explicit (&server->bytes_sent, buffer->len, memory_order_relaxed);
  return TRUE;
}

static void
peer_set (FlEventPeer *out, const struct sockaddr_storage *peer)
{
  if (peer->ss_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) peer;

      out->family = AF_INET;
      out->port = ntohs (in->sin_port);
      memcpy (out->address, &in->sin_addr, 4);
    }
  else if (peer->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) peer;

      out->family = AF_INET6;
      out->port = ntohs (in6->sin6_port);
      memcpy (out->address, &in6->sin6_addr, 16);
    }
}

/* The connection accepted at t0 by the thread in slot ended: its image sent or not. */
static void
emit_served (FlServer *server, guint slot, const struct sockaddr_storage *peer, gint64 t0,
             gint64 generated, gboolean sent, guint64 bytes)
{
  FlEvent event = {
    .kind = FL_EVENT_CONNECTION_SERVED, .track = slot, .t0 = t0, .t1 = g_get_monotonic_time (),
    .connection = {
      .index = (guint32) atomic_fetch_add_explicit (&server->accepted, 1, memory_order_relaxed),
      .code = sent ? FL_EVENT_NO_ERROR : FL_ERROR_NETWORK,
      .bytes = sent ? bytes : 0,
      .generate_us = generated ? (guint32) (generated - t0) : 0,
    },
  };

  peer_set (&event.connection.peer, peer);
  fl_events_push (server->events, &event);
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

static void *
handler_thread (void *data)
{
  HandlerStart *start = data;
  FlServer *server = start->server;
  guint slot = start->slot;
  g_autoptr (FlImage) image = fl_image_new (server->width, server->height, 3, NULL);
  g_autoptr (GByteArray) buffer = g_byte_array_sized_new (512 + (guint) server->width * server->height * 3);
  FlRng rng;

  g_free (start);
  fl_rng_init (&rng);

  for (;;)
    {
      struct sockaddr_storage peer;
      socklen_t peer_length = sizeof peer;
      gint64 accepted_at, generated = 0;
      gboolean sent;
      int fd;

      /* Unknown unless accept fills it in (a peer gone before it was accepted). */
      peer.ss_family = AF_UNSPEC;
      fd = accept4 (server->listen_fd, (struct sockaddr *) &peer, &peer_length, SOCK_CLOEXEC);
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
          int errsv = errno;
          switch (errsv)
            {
            case EINTR:
            case ECONNABORTED:
            case EPROTO:
            case EPERM: /* firewall */
              break;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
              /* Accepting again at once would spin: the pending connection stays
               * in the backlog until a descriptor is free. */
              log_limited (server, LOG_NOFILE,
                           "Could not accept a connection: %s; pausing for %d ms",
                           fl_strerror (errsv), BACKOFF_MS);
              backoff_locked (server, BACKOFF_MS);
              break;
            default:
              log_limited (server, LOG_ACCEPT, "Could not accept a connection: %s",
                           fl_strerror (errsv));
              backoff_locked (server, 10);
              break;
            }
          fl_mutex_unlock (&server->lock);
          continue;
        }
      server->idle--;
      server->slot_fds[slot] = fd;
      if (server->idle == 0)
        spawn_handler_locked (server);
      fl_mutex_unlock (&server->lock);
      atomic_fetch_add_explicit (&server->active, 1, memory_order_relaxed);

      sent = image != NULL && serve_one (server, fd, image, &rng, buffer, &generated);
      if (sent)
        atomic_fetch_add_explicit (&server->images_sent, 1, memory_order_relaxed);
      else
        atomic_fetch_add_explicit (&server->failures, 1, memory_order_relaxed);
      if (server->events != NULL)
        emit_served (server, slot, &peer, accepted_at, generated, sent, buffer->len);
      atomic_fetch_sub_explicit (&server->active, 1, memory_order_relaxed);

      fl_mutex_lock (&server->lock);
      /* Cleared under the lock, so a forced stop never shuts down a reused number. */
      server->slot_fds[slot] = -1;
      /* A thread on its way out is never counted idle: otherwise two could both
       * see the other as the spare and leave nobody accepting. */
      if (server->stopping || server->idle >= server->spare_threads)
        {
          fl_mutex_unlock (&server->lock);
          close (fd);
          fl_mutex_lock (&server->lock);
          break;
        }
      server->idle++;
      fl_mutex_unlock (&server->lock);
      close (fd);
    }

  /* Lock held here; this thread is not counted idle any more. */
  server->threads--;
  server->slot_fds[slot] = -2;
  fl_cond_broadcast (&server->changed);
  fl_mutex_unlock (&server->lock);
  return NULL;
}

gboolean
fl_server_start (FlServer *server, GError **error)
{
  FlSockAddr addr, bound;
  struct timeval send_timeout;
  GError *local_error = NULL;
  guint initial;
  int fd;

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
  /* A thread per live connection needs a descriptor each, plus slack. */
  {
    guint64 wanted = (guint64) server->max_connections + 64;
    guint64 limit = fl_net_raise_nofile_limit (wanted);
    if (limit < wanted)
      fl_events_notice (server->events, FL_STAGE_SERVE, LOG_LIMIT,
                        "The open-file limit is %" G_GUINT64_FORMAT " and cannot be raised to %"
                        G_GUINT64_FORMAT "; fewer than %u connections may be served at once",
                        limit, wanted, server->max_connections);
  }
  fd = fl_net_listen (&addr, SOMAXCONN, error);
  if (fd < 0)
    return FALSE;
  /* Accepted sockets inherit the send timeout: no per-connection system call. */
  send_timeout.tv_sec = server->send_timeout_ms / 1000;
  send_timeout.tv_usec = (server->send_timeout_ms % 1000) * 1000;
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);

  fl_net_local_address (fd, &bound);
  fl_net_format_address (&bound, server->address, sizeof server->address);
  fl_net_format_host ((struct sockaddr *) &bound.storage, (char[64]){ 0 }, 64, &server->bound_port);

  fl_mutex_lock (&server->lock);
  server->listen_fd = fd;
  server->stopping = FALSE;
  server->n_slots = server->max_connections;
  server->slot_fds = g_new (int, server->n_slots);
  for (guint i = 0; i < server->n_slots; i++)
    server->slot_fds[i] = -2; /* -2: no thread owns the slot */
  initial = MIN (2u, server->max_connections);
  for (guint i = 0; i < initial; i++)
    if (!spawn_handler_locked (server))
      break;
  if (server->threads == 0)
    {
      fl_mutex_unlock (&server->lock);
      close (fd);
      server->listen_fd = -1;
      g_clear_pointer (&server->slot_fds, g_free);
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
               .tracks = server->max_connections },
  });
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
  fl_mutex_lock (&server->lock);
  stats->threads = server->threads;
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
  fl_cond_broadcast (&server->changed);

  while (server->threads > 0)
    {
      if (!fl_cond_wait_until (&server->changed, &server->lock, deadline)
          && g_get_monotonic_time () >= deadline)
        {
          /* Grace is over: cut the connections still in flight. */
          for (guint i = 0; i < server->n_slots; i++)
            if (server->slot_fds[i] >= 0)
              shutdown (server->slot_fds[i], SHUT_RDWR);
          deadline = G_MAXINT64;
        }
    }
  close (server->listen_fd);
  server->listen_fd = -1;
  g_clear_pointer (&server->slot_fds, g_free);
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
  g_free (server);
}
