/* fl-check-private.h: what the server and client checks share while they run:
 * one check at a time, timed, reported through the callbacks as it ends. */
#pragma once

#include "fl-check.h"

#include "fl-config.h"

#include <gio/gio.h>

G_BEGIN_DECLS


typedef struct
{
  FlCheckReport *report;
  const FlCheckCallbacks *callbacks;
  gpointer user_data;
  GCancellable *cancellable;
  guint max_failures;   /* lost connections tolerated before the run stops */
  guint n_lost;         /* connections refused, reset or timed out so far */
  FlCheckResult *current;
  gint64 started;
  gint64 run_started;
} FlChecker;

void     fl_checker_init (FlChecker *checker, FlCheckReport *report,
                          const FlCheckCallbacks *callbacks, gpointer user_data,
                          GCancellable *cancellable, guint max_failures);
/* Starts check id (name translated); the previous one must have ended. */
void     fl_checker_begin (FlChecker *checker, const char *id, const char *name);
void     fl_checker_figure (FlChecker *checker, const char *key, double value);
/* Ends the current check with one sentence of evidence and reports it. */
void     fl_checker_end (FlChecker *checker, FlCheckStatus status, const char *format, ...)
  G_GNUC_PRINTF (3, 4);
/* begin + end(SKIP, reason) in one. */
void     fl_checker_skip (FlChecker *checker, const char *id, const char *name,
                          const char *reason);
/* Records a failed connection (one sentence): lost (refused, reset, timed
 * out: each costs a deadline) or answered with something that is not the
 * lab's image. TRUE while the run may go on. */
gboolean fl_checker_add_failure (FlChecker *checker, const char *sentence, gboolean lost);
/* TRUE when more connections were lost than max_failures allows. */
gboolean fl_checker_over_failures (const FlChecker *checker);
/* The sentence a check skipped for that reason gives. */
char    *fl_checker_failures_reason (const FlChecker *checker);
gboolean fl_checker_cancelled (FlChecker *checker);
/* Sets report->seconds (and cancelled). */
void     fl_checker_finish (FlChecker *checker);

/* "12.3 ms", "1.20 s": a duration as the evidence gives it. */
char    *fl_check_format_duration (double seconds);

G_END_DECLS
