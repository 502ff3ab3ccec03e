/* fl-server.h: the multi-threaded image server.
 *
 * Handler threads accept for themselves (leader/follower): when the last idle
 * one takes a connection it starts another. A handler answers its connection
 * at once: a fresh random image, encoded as a PNG row by row and sent as it is
 * encoded, then closed. Two kinds of connection do not keep a handler: those
 * that must wait before their reply (latency_ms) and those whose peer reads
 * too slowly; a few wait loops (one per core, at most 4: epoll and a timer
 * heap) hold them at a few hundred bytes each until they are due or writable.
 * Handlers and wait loops together are at most max_connections threads.
 *
 * Memory is bounded by design: a reply in progress holds one row of the image
 * (never the whole image or PNG) and the encoder's state, about 3 x width x 3
 * bytes + 96 KiB; handlers hold at most one each, and the wait loops' replies
 * share a budget (held_budget_bytes); a waiting connection holds 0.3 KiB. Every
 * reply has a deadline for the whole of it.
 * Nothing here prints: the server reports through its event stream
 * (fl-events.h) one event per connection and one per notable condition, and
 * the front-end prints what it reads there.
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
#define FL_SERVER_DEFAULT_HELD_BUDGET (64u * 1024u * 1024u)
/* Limits of the simulated workloads (a minute of waiting, a second of work). */
#define FL_SERVER_MAX_LATENCY_MS 60000u
#define FL_SERVER_MAX_COST_US 1000000u

typedef struct
{
  const char *host;      /* NULL or "" = 0.0.0.0 */
  guint port;            /* 0 = any free port */
  guint width, height;   /* of each image, 10x10 when 0 */
  guint max_connections; /* threads (handlers and wait loops), default when 0 */
  /* Deadline of a reply, from its start: send_timeout_ms plus 1 us per byte of
   * the image (a peer slower than 1 MB/s on average is cut). Default when 0. */
  guint send_timeout_ms;
  guint spare_threads;   /* idle threads kept beyond need, default when 0 */
  /* The workloads with something to hide (0 = none, the fast path): each reply
   * waits latency_ms plus a uniform 0..jitter_ms before it starts, as a distant
   * or busy server would, and costs cost_us of CPU time (real work, not a
   * sleep), as a slow generator would. Up to the FL_SERVER_MAX_* limits. */
  guint latency_ms;
  guint jitter_ms;
  guint cost_us;
  /* Bytes the replies held by the wait loops may use together; default when 0. */
  gsize held_budget_bytes;
  /* Each FL_EVENT_CONNECTION_SERVED carries the hash of the image sent
   * (fl_image_hash, about 1 ns a byte), for the lab's checker. */
  gboolean hash_images;
  /* Optional: FL_STAGE_SERVE's start (fl_server_start) and end (fl_server_stop),
   * one FL_EVENT_CONNECTION_SERVED per connection, from the thread that ends it
   * (track: the slot, 0.. of the handler that accepted it; a slot is one thread
   * at a time, but a connection a wait loop finished overlaps the next ones of
   * its handler), and FL_EVENT_NOTICE (one sentence, at most one per kind a
   * second). Must outlive the server. */
  FlEvents *events;
} FlServerConfig;

typedef struct
{
  guint64 images_sent;
  guint64 bytes_sent;
  guint64 failures;    /* connections that ended before the image was sent */
  guint active;        /* connections accepted and not yet closed */
  guint held;          /* of those, held by the wait loops (waiting or slow) */
  guint threads;       /* live threads: handlers and wait loops */
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
 * flight (waiting ones included) finish for up to grace_ms, then cuts the rest
 * (a reply being encoded stops within a row), and waits for every thread.
 * Blocks until done; safe from any thread but an event reader's. */
void        fl_server_stop (FlServer *server, guint grace_ms);

/* The lab's line for a FL_EVENT_CONNECTION_SERVED that sent its image,
 * "Sent an image to (127.0.0.1, 50125)", without a line break, into buffer (96
 * bytes are enough); returns its length. Never translated: scripts read it. */
gsize       fl_server_format_sent_line (const FlEvent *event, char *buffer, gsize size);

/* Stops (with the default grace) if running, then frees. */
void        fl_server_free (FlServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlServer, fl_server_free)

G_END_DECLS
