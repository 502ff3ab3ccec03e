/* fl-check-server.h: a student's server graded against the lab.
 *
 * The checks, in the order they run (ids for scripts):
 *   connect        accepts a connection
 *   reply-png      the reply is one complete PNG (else what it is: a JPEG
 *                  image, an HTTP response, text, nothing)
 *   image-size     the image is 10x10
 *   closes         the server closes the connection after the image
 *   fresh          20 replies one after another are 20 different images
 *   random         the images are random pixels, not one colour
 *   held-open      while one connection is held open without reading, 16
 *                  made at once are all served
 *   burst          500 connections, 100 at a time: none fails
 *   under-load     the burst's replies are valid, 10x10 and all different
 *                  (a server that shares one temporary file fails here)
 *   threads        the server's process runs several threads while it
 *                  serves (counted in /proc, when the process is on this
 *                  machine and the user's), with the overlap of 16 at once
 *                  against one after another
 *   early-close    clients that connect and close at once (or reset) do not
 *                  break it
 *   timing         connections per second, p50 and p99 latency, next to
 *                  frameloom-server's on this machine (started in-process)
 * and, given the command that starts the server (it is started, checked,
 * stopped with SIGINT and started again at once on the same port):
 *   ctrl-c         it exits after SIGINT
 *   lines          it printed "Listening on ..." and a "Sent an image to
 *                  ..." line per image
 *   address-reuse  restarted at once, it binds the port again while the
 *                  first run's connections are in TIME_WAIT
 * A check that cannot run says why (SKIP): no PNG to judge, no command, or
 * more failed connections than max_failures.
 */
#pragma once

#include "fl-check.h"

#include <gio/gio.h>

G_BEGIN_DECLS

#define FL_CHECK_SERVER_DEFAULT_BURST 500
#define FL_CHECK_SERVER_DEFAULT_TIMING 1000

typedef struct
{
  const char *host;        /* NULL: 127.0.0.1 */
  guint port;              /* 0: 1234 */
  const char *command;     /* optional: starts the server, e.g. "python3 server.py" */
  const char *working_dir; /* the command's folder; NULL: the current one */
  guint max_failures;      /* failed connections the run goes on after (0: none) */
  guint burst;             /* connections of the burst; 0: the default */
  guint timing;            /* connections timed; 0: the default */
  gboolean no_reference;   /* do not time frameloom-server beside it */
} FlCheckServerConfig;

/* Runs the checks, reporting each through callbacks on the calling thread,
 * and returns the report. NULL with one sentence in error only when nothing
 * could be checked: an address that does not resolve, a command that cannot
 * start, or a port already taken before the command starts. Blocks for a few
 * seconds (about 5 to 20); call it from a worker thread in the app. */
FlCheckReport *fl_check_server_run (const FlCheckServerConfig *config,
                                    const FlCheckCallbacks *callbacks, gpointer user_data,
                                    GCancellable *cancellable, GError **error);

G_END_DECLS
