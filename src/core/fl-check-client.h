/* fl-check-client.h: a student's client graded against the lab.
 *
 * The checker is the server the client downloads from: a FlServer that
 * remembers a hash of every image it sends (FlServerConfig.hash_images) and
 * when each connection was open. When the client's run ends (the command it
 * was given exits; or, without a command, once the frames were served and a
 * GIF appeared and stopped growing, or when fl_check_client_end_run is
 * called), the server stops and the checks run, in this order (ids for
 * scripts):
 *   exit          the command ran to its end, exit status 0 (command only)
 *   connections   n_frames connections, each sent its image: none fetched twice
 *   frames        frames/0.png .. present, valid, each equal to an image sent,
 *                 no two alike
 *   concurrency   the peak and mean of connections open at once: more than one
 *   gif           a GIF was written: valid, n_frames frames, and nothing after
 *                 its end (a GIF made in parts and joined with cat plays only
 *                 its first part)
 *   gif-order     its frames are frames/0.png, 1.png ... in that order
 *   gif-pixels    how exact its pixels are
 *   gif-timing    the lab's delay (500 ms) and loop (forever)
 *   timing-lines  "Frames download time:" and "GIF creation time:" printed,
 *                 against the durations the checker saw (command only)
 *   processes     the processes the client ran while it made the GIF,
 *                 against the cores (command only: its descendants in /proc)
 * With sequential (the lab's first, unoptimised client) the concurrency and
 * processes checks are skipped.
 */
#pragma once

#include "fl-check.h"
#include "fl-events.h"
#include "fl-server.h"

#include <gio/gio.h>

G_BEGIN_DECLS

#define FL_CHECK_CLIENT_DEFAULT_FRAMES 5000
#define FL_CHECK_CLIENT_DEFAULT_TIMEOUT_S 600
#define FL_CHECK_LAB_DELAY_MS 500

typedef struct
{
  const char *host;        /* where the server listens; NULL: 0.0.0.0 */
  guint port;              /* 0: 1234 */
  const char *command;     /* optional: runs the client, e.g. "python3 client.py" */
  const char *working_dir; /* the command's folder, where frames/ and the GIF are; NULL: . */
  const char *frames_dir;  /* NULL: "frames" in working_dir */
  const char *gif_path;    /* NULL: the newest .gif written in working_dir during the run */
  guint n_frames;          /* 0: FL_CHECK_CLIENT_DEFAULT_FRAMES */
  guint timeout_s;         /* the command's limit; 0: the default */
  gboolean sequential;     /* the lab's unoptimised client: one connection, one process */
  FlEvents *events;        /* optional: the server's events go here too (a live view) */
  /* Optional: the server's settings (image size, workloads, threads); its
   * host, port, events and hash_images are the checker's own. */
  const FlServerConfig *server;
} FlCheckClientConfig;

typedef struct _FlCheckClient FlCheckClient;

/* Starts the server (the error is its bind's: "Could not bind 0.0.0.0:1234:
 * address already in use"). The config's strings must outlive the checker. */
FlCheckClient *fl_check_client_new (const FlCheckClientConfig *config, GError **error);
/* "0.0.0.0:1234", for the "Listening on" line. */
const char    *fl_check_client_get_address (FlCheckClient *checker);
/* Ends the client's run now (any thread): a command is stopped with SIGINT,
 * and what it left is checked. */
void           fl_check_client_end_run (FlCheckClient *checker);
/* Waits for the run to end, then checks, reporting each check through
 * callbacks on the calling thread. Cancelling stops the command and returns
 * the checks done (report->cancelled). NULL with error only when the command
 * cannot start. Call once, from a worker thread in the app. */
FlCheckReport *fl_check_client_run (FlCheckClient *checker, const FlCheckCallbacks *callbacks,
                                    gpointer user_data, GCancellable *cancellable,
                                    GError **error);
void           fl_check_client_free (FlCheckClient *checker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlCheckClient, fl_check_client_free)

G_END_DECLS
