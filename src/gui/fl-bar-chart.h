/* fl-bar-chart.h: "Compare": the lab's baseline and the current configuration
 * side by side, per stage, with the speed-up factor. Drawn with cairo in the
 * style's colours: the baseline in a muted foreground, the current run in the
 * accent colour. */
#pragma once

#include <gtk/gtk.h>

#include "fl-pipeline.h"
#include "fl-run-record.h"
#include "fl-sweep-summary.h"

G_BEGIN_DECLS

#define FL_TYPE_BAR_CHART (fl_bar_chart_get_type ())
G_DECLARE_FINAL_TYPE (FlBarChart, fl_bar_chart, FL, BAR_CHART, GtkWidget)

GtkWidget *fl_bar_chart_new (void);
/* Copies both records; NULL for either clears the chart. */
void       fl_bar_chart_set_runs (FlBarChart *self, const FlRunRecord *baseline,
                                  const FlRunRecord *current);
/* A compare's records (the baseline's and the chosen configuration's, every
 * repetition; fewer than two clear the chart): each bar is a stage's median
 * with its min..max, and where the two ranges overlap the stage says "no
 * clear difference" (fl-sweep-summary.h). */
void       fl_bar_chart_set_compare (FlBarChart *self, GPtrArray *records);
/* The stage's summary of the compare, or NULL; borrowed. */
const FlSweepSummary *fl_bar_chart_get_stage_summary (FlBarChart *self, FlStage stage);
/* baseline seconds / current seconds of stage (medians); 0 when either did not
 * run. */
double     fl_bar_chart_get_speedup (FlBarChart *self, FlStage stage);
/* "4.0× faster" or "1.3× slower", or NULL; owned by the chart. */
const char *fl_bar_chart_get_summary (FlBarChart *self, FlStage stage);

G_END_DECLS
