/* fl-draw-report.h: a report folder to hand in: report.md (fl-report.h's
 * Markdown) and, when the runs' events are there, the timeline beside it as
 * timeline.png and timeline.svg, drawn by the same code as the app's Timeline
 * page (fl-draw-timeline.h); for each sweep the records hold, its chart as
 * sweep-threads.png/.svg or sweep-processes.png/.svg, drawn by the same code
 * as the app's Speed-up page (fl-draw-sweep.h). The CLI's --report and the app's "Export report"
 * both write it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FL_REPORT_TIMELINE_WIDTH 1200.0
/* Each sweep's chart, sweep-threads.png and .svg or sweep-processes.png and .svg. */
#define FL_REPORT_CHART_WIDTH 900
#define FL_REPORT_CHART_HEIGHT 640

/* Writes dir/report.md and the pictures, each atomically; dir must exist.
 * invocation: the command that wrote it, or NULL; records (FlRunRecord *) and
 * commands (label -> command line, may be NULL) as in FlReportContent; events
 * (FlEvent, may be NULL): every event of the runs; server_command: the command
 * that starts the server they used, or NULL. */
gboolean fl_draw_report_write (const char *dir, const char *invocation, GPtrArray *records,
                               GHashTable *commands, GArray *events, const char *server_command,
                               GError **error);

G_END_DECLS
