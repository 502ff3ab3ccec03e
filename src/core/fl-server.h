/* fl-server.h: the multi-threaded image server.
 *
 * Every accepted connection is handled start to finish by one thread: a fresh
 * random image, encoded as a PNG, sent, closed. Handler threads accept for
 * themselves (leader/follower): when the last idle one takes a connection it
 * starts another, up to max_connections live threads; beyond that, clients wait
 * in the listen backlog. Nothing here prints: the server reports through its
 * event stream (fl-events.h) one event per connection and one per notable
 * condition, and the front-end prints what it reads there.
 */
#pragma once

#include "fl-net.h"

#include <glib.h>
#include <sys/socket.h>

#include "fl-events.h"

G_BEGIN_DECLS

#define FL_SERVER_DEFAULT_PORT FL_NET_DEFAULT_PORT
#define FL_SERVER_DEFAULT_MAX_CONNECTIONS 256
#define FL_SERVER_DEFAULT_SEND_TIMEOUT_MS 10000
#define FL_SERVER_DEFAULT_GRACE_MS 2000
#define FL_SERVER_DEFAULT_SPARE_THREADS 8

typedef struct
{
  const char *host;      /* NULL or "" = 0.0.0.0 */
  guint port;            /* 0 = any free port */
  guint width, height;   /* of each image, 10x10 when 0 */
  guint max_connections; /* live handler threads, default when 0 */
  guint send_timeout_ms; /* bounds a peer that never reads, default when 0 */
  guint spare_threads;   /* idle threads kept beyond need, default when 0 */
  /* Optional: FL_STAGE_SERVE's start (fl_server_start) and end (fl_server_stop),
   * FL_EVENT_CONNECTION_SERVED from the handler threads (tracks: their slots,
   * 0..max_connections-1; one thread at a time per slot) and FL_EVENT_NOTICE
   * (one sentence, at most one per kind a second). Must outlive the server. */
  FlEvents *events;
} FlServerConfig;

typedef struct
{
  guint64 images_sent;
  guint64 bytes_sent;
  guint64 failures;    /* connections that ended before the image was sent */
  guint active;        /* connections being handled right now */
  guint threads;       /* live handler threads */
} FlServerStats;

typedef struct _FlServer FlServer;

FlServer   *fl_server_new (const FlServerConfig *config);

/* Binds, listens and starts the handler threads. Any thread may call it. */
gboolean    fl_server_start (FlServer *server, GError **error);

/* The bound address, "0.0.0.0:1234" (valid after start). */
const char *fl_server_get_address (FlServer *server);
guint       fl_server_get_port (FlServer *server);
gboolean    fl_server_is_running (FlServer *server);
void        fl_server_get_stats (FlServer *server, FlServerStats *stats);

/* Stops accepting at once (new connections are refused), lets connections in
 * flight finish for up to grace_ms, then cuts the rest, and joins every thread.
 * Blocks until done; safe from any thread but a handler callback. */
void        fl_server_stop (FlServer *server, guint grace_ms);

/* The lab's line for a FL_EVENT_CONNECTION_SERVED that sent its image,
 * "Sent an image to (127.0.0.1, 50125)", without a line break, into buffer (96
 * bytes are enough); returns its length. Never translated: scripts read it. */
gsize       fl_server_format_sent_line (const FlEvent *event, char *buffer, gsize size);

/* Stops (with the default grace) if running, then frees. */
void        fl_server_free (FlServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlServer, fl_server_free)

G_END_DECLS
