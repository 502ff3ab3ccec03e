/* fl-client-report.h: frameloom-client's --report DIR, a report to hand in.
 *
 * DIR/report.md (Markdown, in the user's language): the command that was run,
 * the machine (fl-report.h), the runs as a table, the timeline (timeline.png
 * and timeline.svg beside it, with its figures), and the command line that
 * repeats each run (fl-draw-report.h). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates dir (and its parents) when missing, so that a folder that cannot be
 * written is known before any run; FALSE with one sentence. */
gboolean fl_client_report_prepare (const char *dir, GError **error);

/* Writes dir/report.md and the timeline atomically. argv: the command as
 * given; records: the runs (FlRunRecord *), repetitions included; commands:
 * from the runs' labels (char *) to the command lines that repeat them;
 * events: every event of the runs (FlEvent), or NULL. */
gboolean fl_client_report_write (const char *dir, char **argv, GPtrArray *records,
                                 GHashTable *commands, GArray *events, GError **error);

G_END_DECLS
