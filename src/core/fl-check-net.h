/* fl-check-net.h: the server checker's connections, private to the checks.
 *
 * One thread drives every connection of a batch with poll(): non-blocking
 * connects, replies read to EOF, each with its own deadline, at most
 * in_flight open at once. So "16 connections at once" means 16 connects issued
 * before any reply is read, and the timings are the same engine's for the
 * server under test and for frameloom-server beside it.
 */
#pragma once

#include "fl-net.h"

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  FL_FETCH_PNG,        /* one complete valid PNG, then the server closed */
  FL_FETCH_NOT_PNG,    /* something else: what says what */
  FL_FETCH_BAD_PNG,    /* a PNG's start, but cut short or damaged */
  FL_FETCH_EMPTY,      /* closed without sending a byte */
  FL_FETCH_NOT_CLOSED, /* a complete PNG, but the connection stayed open */
  FL_FETCH_CONNECT,    /* refused, unreachable or timed out */
  FL_FETCH_NETWORK,    /* reset, or timed out before the reply was complete */
  FL_FETCH_TOO_LARGE,
  FL_FETCH_CANCELLED,
} FlFetchStatus;

typedef struct
{
  FlFetchStatus status;
  gboolean timed_out;  /* the deadline passed (no answer), rather than a refusal or a reset */
  char *message;       /* failures: one sentence (untranslated, like the core's errors) */
  const char *what;    /* FL_FETCH_NOT_PNG: "a JPEG image" (fl_reply_describe_content) */
  guint width, height;
  guint64 pixel_hash;  /* of the decoded pixels (RGBA8) */
  guint colours;       /* distinct colours among them */
  gsize bytes;
  gint64 connected_us; /* from the connect call */
  gint64 first_byte_us;
  gint64 done_us;      /* EOF (or the failure) */
  gint64 started_at;   /* g_get_monotonic_time () of the connect call */
} FlFetch;

typedef struct
{
  const FlSockAddr *addr;
  guint n;             /* connections in all */
  guint in_flight;     /* open at once (0: all n) */
  guint timeout_ms;    /* per connection, from its connect */
  gboolean decode;     /* decode PNGs: size, hash, colours */
} FlFetchPlan;

/* TRUE for the failures that cost a deadline (refused, reset, timed out, not
 * closed), which a run stops after; the others are answers that are not the
 * lab's image. */
gboolean fl_fetch_status_is_lost (FlFetchStatus status);

/* Makes plan->n connections and fills fetches[0..n-1]. Returns the number
 * that did not end FL_FETCH_PNG. Stops early (the rest FL_FETCH_CANCELLED)
 * when cancellable is cancelled, or once stop_after (0: never) connections
 * were lost (fl_fetch_status_is_lost). */
guint    fl_fetch_run (const FlFetchPlan *plan, FlFetch *fetches, guint stop_after,
                       GCancellable *cancellable);
void     fl_fetch_clear (FlFetch *fetches, guint n);

/* One connection's reply, read to EOF or the deadline. */
void     fl_fetch_one (const FlSockAddr *addr, guint timeout_ms, GCancellable *cancellable,
                       FlFetch *fetch);

/* Reads a connection made earlier (fd, from fl_net_connect) to its end, as
 * fl_fetch_run would; closes fd. */
void     fl_fetch_finish (int fd, const FlSockAddr *addr, guint timeout_ms,
                          GCancellable *cancellable, FlFetch *fetch);

/* The duration of each fetch that succeeded, sorted, in seconds; *n_out of them. */
double  *fl_fetch_latencies (const FlFetch *fetches, guint n, guint *n_out);
/* The q-quantile (0..1) of sorted values (nearest rank). */
double   fl_fetch_quantile (const double *sorted, guint n, double q);

G_END_DECLS
