/* fl-downloader.h: downloads N frames with a pool of threads.
 *
 * Each frame is one TCP connection to the server: connect with a timeout, read
 * to EOF under one overall deadline and a byte cap, check that the bytes are one
 * complete PNG, write DIR/<i>.png atomically. Transient failures are retried
 * with bounded exponential back-off.
 */
#pragma once

#include <gio/gio.h>

#include "fl-progress.h"

G_BEGIN_DECLS

typedef struct
{
  const char *host;          /* default 127.0.0.1 */
  guint port;                /* default 1234 */
  const char *frames_dir;    /* created when missing */
  guint n_frames;
  guint threads;             /* >= 1; 1 means the lab's sequential client */
  guint connect_timeout_ms;  /* 0: default */
  guint frame_timeout_ms;    /* overall per-frame deadline, 0: default */
  guint attempts;            /* tries per frame, 0: default */
  gsize max_frame_bytes;     /* 0: default (64 MiB) */
  gint *in_flight;           /* optional: kept equal (atomically) to the connections open
                              * right now, for a live view; read with g_atomic_int_get */
} FlDownloadConfig;

#define FL_DOWNLOAD_DEFAULT_CONNECT_TIMEOUT_MS 3000
#define FL_DOWNLOAD_DEFAULT_FRAME_TIMEOUT_MS 5000
#define FL_DOWNLOAD_DEFAULT_ATTEMPTS 5

typedef struct
{
  guint64 frames;            /* written */
  guint64 bytes;             /* received */
  guint64 retries;           /* attempts beyond the first */
  guint64 failures;          /* frames that failed for good */
  double seconds;
} FlDownloadResult;

/* Synchronous; call from any thread. progress reports frames written. On failure
 * the error names the first failed frame and the last reason; every frame
 * already written stays intact. */
gboolean fl_download_frames (const FlDownloadConfig *config, FlProgressFunc progress,
                             gpointer user_data, GCancellable *cancellable,
                             FlDownloadResult *result, GError **error);

G_END_DECLS
