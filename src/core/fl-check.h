/* fl-check.h: a student's lab graded against the lab's requirements.
 *
 * Each requirement is a named check that ends PASS, WARN or FAIL (or SKIP when
 * it could not run: the server sent no PNG, the checker was not given the
 * command) with one translated sentence of evidence and, where it measured
 * something, a few numbers under stable keys. A run reports each check through
 * FlCheckCallbacks as it starts and ends, on the thread that runs it, so a
 * front-end shows the list live: the CLI prints a table or JSON at the end, the
 * app's Check page runs the check on a thread (GTask) and marshals each result
 * to the main loop. Every run honours its GCancellable within 50 ms; the checks
 * not run then are left out of the report (report->cancelled is set).
 *
 * fl-check-server.h grades a server; fl-check-client.h a client.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FL_CHECK_PASS,
  FL_CHECK_WARN,
  FL_CHECK_FAIL,
  FL_CHECK_SKIP,
} FlCheckStatus;

#define FL_CHECK_MAX_FIGURES 10

typedef struct
{
  const char *key; /* stable, for scripts: "connections_per_second" */
  double value;
} FlCheckFigure;

typedef struct
{
  const char *id;    /* stable, English, for scripts: "reply-png" */
  const char *name;  /* translated: "Sends one PNG" */
  FlCheckStatus status;
  char *evidence;    /* one translated sentence */
  double seconds;    /* the check took */
  FlCheckFigure figures[FL_CHECK_MAX_FIGURES];
  guint n_figures;
} FlCheckResult;

typedef struct
{
  /* A check begins: a view may show it as running. May be NULL. */
  void (*started) (const char *id, const char *name, gpointer user_data);
  /* A check ended; result lives as long as the report. May be NULL. */
  void (*finished) (const FlCheckResult *result, gpointer user_data);
} FlCheckCallbacks;

#define FL_CHECK_MAX_FAILURES_KEPT 20

/* Failed connections that had the same sentence. */
typedef struct
{
  char *sentence;
  guint count;
} FlCheckFailure;

typedef struct
{
  char *kind;          /* "server" or "client" */
  char *target;        /* "127.0.0.1:1234", the command when one was run */
  GPtrArray *results;  /* FlCheckResult *, in the order the checks ran */
  /* Connections that failed while checks measured (refused, reset, timed out,
   * or answered with no image or a damaged one): FlCheckFailure *, the first
   * FL_CHECK_MAX_FAILURES_KEPT different sentences with how often each came,
   * and how many failed in all. */
  GPtrArray *failures;
  guint n_failures;
  double seconds;
  gboolean cancelled;
} FlCheckReport;

/* "PASS", "WARN", "FAIL", "SKIP": never translated (scripts and the table). */
const char    *fl_check_status_to_string (FlCheckStatus status);

FlCheckReport *fl_check_report_new (const char *kind, const char *target);
void           fl_check_report_free (FlCheckReport *report);
guint          fl_check_report_count (const FlCheckReport *report, FlCheckStatus status);
/* TRUE when no check failed and the run was not cancelled. */
gboolean       fl_check_report_passed (const FlCheckReport *report);
/* The result of check id, or NULL. */
const FlCheckResult *fl_check_report_find (const FlCheckReport *report, const char *id);
/* {"kind", "target", "ok", "passed", "warned", "failed", "skipped", "seconds",
 * "cancelled", "checks": [{"id", "name", "status", "evidence", "seconds",
 * "figures": {key: value}}], "failed_connections",
 * "failures": [{"sentence", "count"}]}. */
char          *fl_check_report_to_json (const FlCheckReport *report);
/* The same report for people (a grader's notes, the app's report): a heading
 * naming what was checked, the counts, a table of the checks (status, name,
 * evidence) and the failed connections; translated but the statuses. */
char          *fl_check_report_to_markdown (const FlCheckReport *report);
/* "14 passed, 1 warned, 0 failed, 0 skipped in 12.3 s.": translated. */
char          *fl_check_report_summary (const FlCheckReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlCheckReport, fl_check_report_free)

G_END_DECLS
