/* fl-server-private.h: what the server's three files share.
 *
 * fl-server.c runs the handler threads (accept, then answer at once) and the
 * life cycle; fl-server-reply.c produces and sends one reply, row by row;
 * fl-server-wait.c runs the wait loops that hold the connections which must
 * wait (latency) or whose peer reads slowly, without a thread each.
 */
#pragma once

#include "fl-image.h"
#include "fl-png.h"
#include "fl-server.h"
#include "fl-sync.h"

#include <stdatomic.h>
#include <sys/socket.h>

G_BEGIN_DECLS

#define FL_SERVER_MAX_LOOPS 4
/* Descriptors asked for beyond the handlers', for the held connections. */
#define FL_SERVER_HELD_DESCRIPTORS 4096

typedef struct _FlWaitLoop FlWaitLoop;

/* One connection and its reply. The reply starts once due (accept + latency):
 * then png is set, and rows are encoded into out only while out holds less than
 * a flush's worth, so memory stays at about one row. */
typedef struct
{
  int fd;
  struct sockaddr_storage peer;
  gint64 accepted_at;  /* monotonic us */
  gint64 started_at;   /* monotonic us: the reply started (its wait and cost done); 0: not */
  guint track;         /* the slot of the handler that accepted it */
  gint64 due;          /* monotonic us: the reply may start */
  gint64 deadline;     /* monotonic us: the whole reply is sent by then (once started) */
  FlPngWriter *png;    /* NULL until started */
  GByteArray *out;     /* encoded bytes; from `sent` on, not sent yet */
  guint sent;
  guint8 *row;         /* a block of block_rows rows */
  gboolean lent;       /* row and out belong to the handler that serves it */
  gboolean cost_spent; /* the image's CPU cost is paid (before its wait) */
  guint rows_left;
  gboolean ended;      /* the PNG's end is in out */
  guint64 bytes;       /* sent so far */
  guint32 hash;        /* of the rows drawn so far (hash_images) */
  gsize budget;        /* bytes of the wait loops' budget it holds, 0 if none */
  gboolean watched;    /* registered with its wait loop's epoll */
  guint heap_index;    /* in its wait loop's timer heap */
} FlServerReply;

typedef enum
{
  FL_SERVER_REPLY_DONE,    /* sent in full */
  FL_SERVER_REPLY_BLOCKED, /* the peer's window is full: go on once writable */
  FL_SERVER_REPLY_YIELD,   /* sent its share of this turn; more can go at once */
  FL_SERVER_REPLY_FAILED,  /* the peer went away, or the stop cut it */
} FlServerReplyStatus;

typedef enum
{
  FL_LOG_NOFILE,
  FL_LOG_THREAD,
  FL_LOG_ACCEPT,
  FL_LOG_LOOP,
  FL_LOG_LIMIT,
  FL_N_LOG_KINDS
} FlLogKind;

struct _FlServer
{
  char *host;
  guint port;
  guint width, height;
  guint max_connections;
  guint send_timeout_ms;
  guint spare_threads;   /* idle handlers kept; more exit after their connection */
  guint latency_ms, jitter_ms, cost_us;
  gboolean hash_images;
  gsize row_bytes;
  guint block_rows;      /* rows drawn at a time: as many as fit in 4 KiB, at least 1 */
  gsize reply_bytes;     /* what one reply in progress may hold, at most */

  FlEvents *events;

  int listen_fd;
  char address[96];
  guint bound_port;

  FlMutex lock;
  FlCond changed;      /* thread count, stop, or a back-off to interrupt */
  gboolean running;
  gboolean stopping;
  guint threads;       /* live handler threads */
  guint idle;          /* of those, waiting in accept */
  guint max_handlers;  /* max_connections less the wait loops */
  gboolean *slot_used;  /* max_handlers of them: the handlers' tracks in the events */
  gint64 started_at;    /* of the current run, for its FL_STAGE_SERVE events */
  gint64 last_log[FL_N_LOG_KINDS];

  /* The wait loops: their descriptors made at start, so that they exist when
   * descriptors run out; their threads on first need, counted in loops_live. */
  FlWaitLoop *loops[FL_SERVER_MAX_LOOPS];
  gboolean loop_running[FL_SERVER_MAX_LOOPS];
  guint n_loops;
  guint loops_live;
  gint64 loop_retry_at; /* after a loop failed to start, not before then */
  _Atomic guint next_loop;
  _Atomic gint64 budget_left; /* of held_budget_bytes, for replies in the loops */

  gint stop_requested; /* atomic copy of stopping, for the wait loops */
  gint cut;            /* atomic: the grace is over, every reply ends now */

  _Atomic guint64 accepted;  /* connections ended so far: their index in the events */
  _Atomic guint64 images_sent;
  _Atomic guint64 bytes_sent;
  _Atomic guint64 failures;
  _Atomic guint active;
  _Atomic guint held;
};

/* fl-server.c */
void     fl_server_log (FlServer *server, FlLogKind kind, const char *format, ...)
  G_GNUC_PRINTF (3, 4);
/* Closes the connection and counts it; the one place every connection ends. */
void     fl_server_end_connection (FlServer *server, FlServerReply *reply, gboolean sent);
/* Hands a copy of reply to a wait loop (starting the loop if need be), which
 * then owns the connection, its buffers included. FALSE when none can take it
 * (no thread, the stop, or no budget for a reply in progress): the caller
 * keeps it. */
gboolean fl_server_hold (FlServer *server, const FlServerReply *reply);

/* fl-server-reply.c */
/* A reply that is not started yet; due is when it may start. */
void fl_server_reply_init (FlServerReply *reply, int fd, const struct sockaddr_storage *peer,
                           gint64 due);
/* Spends the image's cost, starts the encoder and sets the deadline. A handler
 * may lend its row and out buffers first (set them and lent); otherwise the
 * reply allocates its own. */
gboolean fl_server_reply_start (FlServer *server, FlServerReply *reply, FlRng *rng);
/* Encodes and sends, never blocking, up to about `share` bytes this turn. */
FlServerReplyStatus fl_server_reply_pump (FlServer *server, FlServerReply *reply, FlRng *rng,
                                          gsize share);
/* Frees what the reply holds (the encoder, row and out unless lent). */
void fl_server_reply_clear (FlServerReply *reply);

/* fl-server-wait.c */
/* The loop's descriptors (an epoll and an eventfd); NULL with errno. */
FlWaitLoop *fl_wait_loop_new (FlServer *server, guint index);
/* Starts the loop's thread; FALSE (with errno) when it cannot. */
gboolean    fl_wait_loop_start (FlWaitLoop *loop);
/* Takes reply (FALSE once the loop has ended: the caller keeps it). */
gboolean    fl_wait_loop_push (FlWaitLoop *loop, FlServerReply *reply);
/* Makes the loop look at the server's state again (a stop or a cut). */
void        fl_wait_loop_wake (FlWaitLoop *loop);
void        fl_wait_loop_free (FlWaitLoop *loop);

/* The budget of the wait loops' replies in progress. */
gboolean fl_server_take_budget (FlServer *server, FlServerReply *reply);
void     fl_server_return_budget (FlServer *server, FlServerReply *reply);

G_END_DECLS
