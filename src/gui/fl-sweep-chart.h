/* fl-sweep-chart.h: one sweep (download time against threads, or GIF time
 * against processes) as two plots sharing the x axis: seconds on top, frames/s
 * below, with the machine's core count marked. Threads are on a log2 axis. */
#pragma once

#include <gtk/gtk.h>

#include "fl-sweep.h"

G_BEGIN_DECLS

#define FL_TYPE_SWEEP_CHART (fl_sweep_chart_get_type ())
G_DECLARE_FINAL_TYPE (FlSweepChart, fl_sweep_chart, FL, SWEEP_CHART, GtkWidget)

GtkWidget *fl_sweep_chart_new (void);
/* Clears the chart and sets its x axis: kind is FL_SWEEP_THREADS or
 * FL_SWEEP_PROCESSES; values are the planned points, ascending (copied). */
void       fl_sweep_chart_set_plan (FlSweepChart *self, FlSweepKind kind, const guint *values,
                                    guint n_values);
/* Adds one finished run (copied); its threads or processes give its x. */
void       fl_sweep_chart_add_run (FlSweepChart *self, const FlRunRecord *record);
guint      fl_sweep_chart_get_n_runs (FlSweepChart *self);
/* The processors to mark (default: g_get_num_processors ()). */
void       fl_sweep_chart_set_cores (FlSweepChart *self, guint cores);
/* For tests: where value sits on the x axis, in widget pixels at the current
 * size, or -1 when it is off the axis. */
double     fl_sweep_chart_value_to_x (FlSweepChart *self, double value);
/* For tests: the y of a run's time point, or -1. */
double     fl_sweep_chart_time_to_y (FlSweepChart *self, guint index);
/* For tests: how many values the last draw wrote under the x axis (a narrow
 * chart leaves out those that would run into each other). */
guint      fl_sweep_chart_get_n_x_labels (FlSweepChart *self);

G_END_DECLS
