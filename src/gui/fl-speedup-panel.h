/* fl-speedup-panel.h: "Speed-up": Compare (the lab's baseline, then the
 * current configuration, on the same server) as a bar chart, and the thread
 * and process sweeps as line charts. The runs go through fl_core_sweep_async;
 * each run's start and end reach the main loop as one call. */
#pragma once

#include <gtk/gtk.h>

#include "fl-bar-chart.h"
#include "fl-client-panel.h"
#include "fl-sweep-chart.h"

G_BEGIN_DECLS

#define FL_TYPE_SPEEDUP_PANEL (fl_speedup_panel_get_type ())
G_DECLARE_FINAL_TYPE (FlSpeedupPanel, fl_speedup_panel, FL, SPEEDUP_PANEL, GtkWidget)

/* Main thread. Starts a compare (FL_SWEEP_COMPARE) or a sweep of setup's
 * configuration (taken); does nothing but free setup while one runs. Emits
 * "run-recorded" (FlRunObject *run) after each run and "finished" (gboolean
 * ok) at the end; "running" notifies. */
void          fl_speedup_panel_start (FlSpeedupPanel *self, FlSweepKind kind, FlRunSetup *setup);
void          fl_speedup_panel_cancel (FlSpeedupPanel *self);
gboolean      fl_speedup_panel_get_running (FlSpeedupPanel *self);
/* The running sweep's progress (reset before each run), or NULL; borrowed. */
FlPipelineBridge *fl_speedup_panel_get_bridge (FlSpeedupPanel *self);
/* The current or the last sweep's model, or NULL before the first; borrowed. */
FlRunModel   *fl_speedup_panel_get_model (FlSpeedupPanel *self);
/* The most download threads a run of the current sweep uses. */
guint         fl_speedup_panel_get_max_threads (FlSpeedupPanel *self);
/* The values a sweep of kind runs: threads 1, 2, 4 .. 128, or processes
 * 1 .. twice the processors (beyond the core count, to show it does not help). */
GArray       *fl_speedup_panel_sweep_values (FlSweepKind kind);
/* The last failure's sentence, or NULL. */
const char   *fl_speedup_panel_get_error (FlSpeedupPanel *self);
FlBarChart   *fl_speedup_panel_get_compare_chart (FlSpeedupPanel *self);
FlSweepChart *fl_speedup_panel_get_sweep_chart (FlSpeedupPanel *self, FlSweepKind kind);

G_END_DECLS
