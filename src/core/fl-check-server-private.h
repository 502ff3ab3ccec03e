/* fl-check-server-private.h: one server check run, shared by its three parts:
 * the replies (fl-check-server.c), the load (fl-check-server-load.c) and the
 * started command (fl-check-server-command.c). */
#pragma once

#include "fl-check-net.h"
#include "fl-check-private.h"
#include "fl-check-proc.h"
#include "fl-check-process.h"
#include "fl-check-server.h"

G_BEGIN_DECLS

/* Per-connection deadlines: generous, for a loaded machine and a Python server. */
#define FL_CHECK_REPLY_TIMEOUT_MS 5000u
#define FL_CHECK_LOAD_TIMEOUT_MS 20000u
#define FL_CHECK_FRESH_REPLIES 20u
#define FL_CHECK_AT_ONCE 16u
#define FL_CHECK_BURST_IN_FLIGHT 100u
#define FL_CHECK_TIMING_IN_FLIGHT 8u

typedef struct
{
  FlChecker checker;
  const FlCheckServerConfig *config;
  FlSockAddr addr;
  char address[80];
  guint port;
  FlCheckProcess *process;  /* the started command, or NULL */
  GArray *pids;             /* pid_t: the processes that listen on the port */
  FlFetch first;            /* the first reply */
  gboolean have_png;        /* the first reply is a PNG: the rest can be judged */
  gboolean fresh;           /* the fresh check passed */
  double single_seconds;    /* median of replies one after another */
  double overlap;           /* 16 at once against one after another (speed-up) */
  guint peak_threads;
  guint images;             /* complete PNGs received in all */
} FlServerCheck;

/* What a reply that is not a PNG is, translated: "a JPEG image". */
const char *fl_check_describe_what (const char *what);
/* Records every failed fetch of fetches as a failed connection; FALSE once
 * more have failed than max_failures allows. */
gboolean    fl_server_check_count (FlServerCheck *check, const FlFetch *fetches, guint n);
/* TRUE when check id may run, and begins it; else skips it with the reason. */
gboolean    fl_server_check_may_run (FlServerCheck *check, const char *id, const char *name);

/* Distinct pixel hashes among the fetches that are PNGs (*n_png of them). */
guint       fl_check_count_distinct (const FlFetch *fetches, guint n, guint *n_png);

void        fl_server_check_load (FlServerCheck *check);

/* Starts the command and waits for its first reply (into check->first);
 * FALSE with error when it cannot start or the port is taken. */
gboolean    fl_server_check_start (FlServerCheck *check, GError **error);
void        fl_server_check_command (FlServerCheck *check);

G_END_DECLS
