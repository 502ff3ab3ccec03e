/* fl-sweep-chart.h: one sweep (download against threads, or GIF encoding
 * against processes) as fl-draw-sweep.h draws it: the time per point (median,
 * min..max), the speed-up against the baseline with the ideal line and, for
 * processes, the Amdahl curve, each point's efficiency, the core count marked;
 * threads on a log2 axis. Every run is kept; the points are the summary of
 * the runs of each value (fl-sweep-summary.h), and "sentence" says what the
 * chart shows. */
#pragma once

#include <gtk/gtk.h>

#include "fl-preset.h"
#include "fl-sweep-summary.h"

G_BEGIN_DECLS

#define FL_TYPE_SWEEP_CHART (fl_sweep_chart_get_type ())
G_DECLARE_FINAL_TYPE (FlSweepChart, fl_sweep_chart, FL, SWEEP_CHART, GtkWidget)

GtkWidget *fl_sweep_chart_new (void);
/* Clears the chart and sets its x axis: kind is FL_SWEEP_THREADS or
 * FL_SWEEP_PROCESSES; values are the planned points, ascending (copied). */
void       fl_sweep_chart_set_plan (FlSweepChart *self, FlSweepKind kind, const guint *values,
                                    guint n_values);
/* Adds one finished run (copied), a repetition of the point of its threads or
 * processes. */
void       fl_sweep_chart_add_run (FlSweepChart *self, const FlRunRecord *record);
guint      fl_sweep_chart_get_n_runs (FlSweepChart *self);
/* The processors to mark (default: g_get_num_processors ()). */
void       fl_sweep_chart_set_cores (FlSweepChart *self, guint cores);
/* For tests: where value sits on the x axis, in widget pixels at the current
 * size, or -1 when it is off the axis. */
double     fl_sweep_chart_value_to_x (FlSweepChart *self, double value);
/* For tests: the y of the index-th point's median time (points in order of
 * value), or -1. */
double     fl_sweep_chart_time_to_y (FlSweepChart *self, guint index);
/* For tests: where value sits on plot's y axis (FL_DRAW_SWEEP_TIME or
 * FL_DRAW_SWEEP_SPEEDUP), in widget pixels at the current size. */
double     fl_sweep_chart_to_y (FlSweepChart *self, int plot, double value);
/* The summary of the runs so far (NULL before the first); borrowed. */
const FlSweepSummary *fl_sweep_chart_get_summary (FlSweepChart *self);
/* "sentence": the summary's sentence, and when the runs had nothing to hide,
 * the workload preset to try ("hint-preset", else FL_PRESET_CUSTOM). */
const char *fl_sweep_chart_get_sentence (FlSweepChart *self);
FlPresetId fl_sweep_chart_get_hint_preset (FlSweepChart *self);
/* For tests: how many values the last draw wrote under the x axis (a narrow
 * chart leaves out those that would run into each other). */
guint      fl_sweep_chart_get_n_x_labels (FlSweepChart *self);

G_END_DECLS
