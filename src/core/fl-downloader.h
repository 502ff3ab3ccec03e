/* fl-downloader.h: downloads N frames with a pool of threads.
 *
 * Each frame is one TCP connection to the server: connect with a timeout, read
 * to EOF under one overall deadline and a byte cap, check that the bytes are one
 * complete PNG, write DIR/<i>.png atomically. Transient failures are retried
 * with bounded exponential back-off.
 */
#pragma once

#include <gio/gio.h>

#include "fl-events.h"
#include "fl-net.h"

G_BEGIN_DECLS

/* One server; several spread the frames (see fl_download_frames). */
typedef struct
{
  const char *host;          /* numeric or a name; IPv6 without brackets */
  guint port;
} FlEndpoint;

#define FL_DOWNLOAD_MAX_ENDPOINTS 32

typedef struct
{
  const char *host;          /* NULL: FL_DOWNLOAD_DEFAULT_HOST */
  guint port;                /* 0: FL_DOWNLOAD_DEFAULT_PORT */
  const char *frames_dir;    /* created when missing */
  guint n_frames;
  guint threads;             /* 1 means the lab's sequential client; 0: the default */
  guint connect_timeout_ms;  /* 0: default */
  guint frame_timeout_ms;    /* overall per-frame deadline, 0: default */
  guint attempts;            /* tries per frame, 0: default */
  gsize max_frame_bytes;     /* 0: default (64 MiB) */
  gsize max_memory_bytes;    /* large replies held at once, all threads together (a reply
                              * over it fails); 0: FL_REPLY_DEFAULT_BUDGET_BYTES (256 MiB) */
  FlEvents *events;          /* optional: the stage and every attempt at a frame, reported
                              * from the download threads (tracks 0..threads-1) */
  const FlEndpoint *endpoints; /* n_endpoints > 0: these servers instead of host/port */
  guint n_endpoints;           /* at most FL_DOWNLOAD_MAX_ENDPOINTS */
} FlDownloadConfig;

/* The lab's client: 5000 frames from this machine's server. */
#define FL_DOWNLOAD_DEFAULT_HOST "127.0.0.1"
#define FL_DOWNLOAD_DEFAULT_PORT FL_NET_DEFAULT_PORT
#define FL_DOWNLOAD_DEFAULT_FRAMES 5000
#define FL_DOWNLOAD_DEFAULT_CONNECT_TIMEOUT_MS 3000
#define FL_DOWNLOAD_DEFAULT_FRAME_TIMEOUT_MS 5000
#define FL_DOWNLOAD_DEFAULT_ATTEMPTS 5
/* The download threads of the CLI and the app alike. Measured against
 * frameloom-server on the same 2-core machine (5000 frames, medians of 5):
 * 1 2.40 s, 2 2.08 s, 4 1.70 s, 8 2.28 s, 16 2.92 s, and again 1 2.62 s,
 * 2 1.99 s, 4 1.75 s, 8 1.67 s, 16 1.97 s: 4 and 8 tie at the floor of a C
 * client. 4 keeps both cores busy while a reply is in flight without crowding
 * the server's own threads on the same two cores, which is where the lab runs
 * (a server across a network wants more: --threads, or the app's field). */
#define FL_DOWNLOAD_DEFAULT_THREADS 4

typedef struct
{
  guint64 frames;            /* written */
  guint64 bytes;             /* received */
  guint64 retries;           /* attempts beyond the first */
  guint64 failures;          /* frames that failed for good */
  double seconds;
  guint64 peak_reply_bytes;  /* most bytes of large replies held at once (the budget's) */
  /* Connecting and waiting for the replies (to their last byte), summed over
   * every attempt: the part of the work that threads overlap. */
  double wait_seconds;
  guint n_endpoints;         /* servers used (1 for host/port) */
  guint64 endpoint_frames[FL_DOWNLOAD_MAX_ENDPOINTS];   /* frames each server delivered */
  guint64 endpoint_failures[FL_DOWNLOAD_MAX_ENDPOINTS]; /* failed attempts at each server */
} FlDownloadResult;

/* Several servers: frame i goes first to server i mod N, so the frames spread
 * evenly (round robin per frame), and each retry goes to the next server. A
 * server that cannot be connected to is benched (100 ms, doubling on each
 * further failure up to 5 s, cleared by a success), and frames skip benched
 * servers while another one is available; when all are benched a frame tries
 * the one whose bench ends first. A frame gets attempts tries plus one per
 * extra server, so a dead server costs a frame at most one try: the run fails
 * only when the servers left cannot deliver a frame within its tries. Every
 * server must resolve before the run starts (a name that does not is an error).
 *
 * Synchronous; call from any thread (it is download thread 0). config->events
 * gets FL_STAGE_DOWNLOAD's start and end and, per attempt at a frame, its
 * start and its end (fetched, retried or failed), and is flushed before this
 * returns. On failure the error names the first failed frame and the last
 * reason; every frame already written stays intact. */
gboolean fl_download_frames (const FlDownloadConfig *config, GCancellable *cancellable,
                             FlDownloadResult *result, GError **error);

/* "127.0.0.1:1234" or "a:1,[::1]:2" for the servers config names; free with g_free. */
char *fl_download_config_describe_servers (const FlDownloadConfig *config);

G_END_DECLS
