/* fl-test-load.h: clients for the hostile server suite, fast enough for a soak.
 *
 * Shared by the in-process FlServer tests and by fl-hostile-load, the program
 * the CLI tests drive. Everything is loopback IPv4 and bounded in time; nothing
 * here asserts: callers compare the counts.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint port;
  guint width, height;   /* every reply must be a PNG of this size */
  guint unique_window;   /* the first N replies must all differ (0: no check) */
  guint retry_seconds;   /* concurrent: retry failed clients with back-off this long */
} FlLoadOptions;

typedef struct
{
  guint64 served;     /* valid PNG of the expected size */
  guint64 invalid;    /* a complete reply that was not */
  guint64 failed;     /* connect or read errors, after retries */
  guint64 retries;
  guint64 duplicates; /* equal replies within the unique window */
  double seconds;
} FlLoadResult;

/* n clients one after the other: connect, read to EOF, check. */
void   fl_load_sequential (const FlLoadOptions *options, guint64 n, FlLoadResult *result);

/* n clients at once from one thread (non-blocking sockets and poll). With
 * retry_seconds, a client that fails starts again after a growing pause. */
void   fl_load_concurrent (const FlLoadOptions *options, guint n, FlLoadResult *result);

/* n clients that connect and close at once; with reset, SO_LINGER 0 (RST). */
void   fl_load_vanish (guint port, guint n, gboolean reset);

/* n clients that send up to `bytes` of junk before reading whatever comes, with
 * MSG_NOSIGNAL; returns how many got a valid PNG (the server may reset them). */
guint  fl_load_junk (guint port, guint n, gsize bytes);

/* One blocking loopback connection, or -1 with errno; rcvbuf > 0 shrinks the
 * receive buffer before connecting (a slow reader then holds the sender). */
int    fl_load_connect (guint port, int rcvbuf);

/* The calling process's VmRSS in KiB, open descriptors, and threads. */
guint64 fl_load_self_rss_kib (void);
guint   fl_load_self_fds (void);
guint   fl_load_self_threads (void);

/* FRAMELOOM_SOAK_SCALE (default 1.0, clamped to 0.001..1) times n, at least 1. */
guint64 fl_load_scaled (guint64 n);

G_END_DECLS
