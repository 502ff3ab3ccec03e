/* fl-server.c: leader/follower handler threads over one listening socket. */
#include "fl-server.h"

#include "fl-error.h"
#include "fl-image.h"
#include "fl-net.h"
#include "fl-png.h"
#include "fl-sync.h"

#include <errno.h>
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

  FlServerSentFunc sent_func;
  gpointer sent_data;
  FlServerLogFunc log_func;
  gpointer log_data;

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
  server->listen_fd = -1;
  fl_mutex_init (&server->lock);
  fl_cond_init (&server->changed);
  return server;
}

void
fl_server_set_sent_func (FlServer *server, FlServerSentFunc func, gpointer user_data)
{
  server->sent_func = func;
  server->sent_data = user_data;
}

void
fl_server_set_log_func (FlServer *server, FlServerLogFunc func, gpointer user_data)
{
  server->log_func = func;
  server->log_data = user_data;
}

/* Called with the lock held. */
static void
log_limited (FlServer *server, LogKind kind, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
log_limited (FlServer *server, LogKind kind, const char *format, ...)
{
  gint64 now = g_get_monotonic_time ();
  char message[256];
  va_list args;

  if (server->log_func == NULL || now - server->last_log[kind] < G_USEC_PER_SEC)
    return;
  server->last_log[kind] = now;
  va_start (args, format);
  g_vsnprintf (message, sizeof message, format, args);
  va_end (args);
  server->log_func (message, server->log_data);
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

static gboolean
serve_one (FlServer *server, int fd, FlImage *image, FlRng *rng, GByteArray *buffer)
{
  int errsv;

  fl_image_randomize (image, rng);
  g_byte_array_set_size (buffer, 0);
  if (!fl_png_encode (image, buffer, NULL))
    return FALSE;
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
      gboolean sent;
      int fd;

      fd = accept4 (server->listen_fd, (struct sockaddr *) &peer, &peer_length, SOCK_CLOEXEC);

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

      sent = image != NULL && serve_one (server, fd, image, &rng, buffer);
      if (sent)
        {
          atomic_fetch_add_explicit (&server->images_sent, 1, memory_order_relaxed);
          if (server->sent_func)
            server->sent_func ((struct sockaddr *) &peer, server->sent_data);
        }
      else
        atomic_fetch_add_explicit (&server->failures, 1, memory_order_relaxed);
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
    if (limit < wanted && server->log_func)
      {
        g_autofree char *message = g_strdup_printf (
          "The open-file limit is %" G_GUINT64_FORMAT " and cannot be raised to %" G_GUINT64_FORMAT
          "; fewer than %u connections may be served at once", limit, wanted,
          server->max_connections);
        server->log_func (message, server->log_data);
      }
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
  fl_mutex_unlock (&server->lock);
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

gsize
fl_server_format_sent_line (const struct sockaddr *peer, char *buffer, gsize size)
{
  char host[64];
  guint port = 0;
  int length;

  fl_net_format_host (peer, host, sizeof host, &port);
  length = g_snprintf (buffer, size, "Sent an image to (%s, %u)", host, port);
  return (gsize) MIN (length, (int) size - 1);
}
