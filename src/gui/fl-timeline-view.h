/* fl-timeline-view.h: the Timeline page: one row per download thread, GIF
 * worker and server handler of a run on one time axis (fl-draw-timeline.h),
 * live while the run goes and kept once it ended; zoom and scroll along time,
 * a tooltip with the span's frame, bytes and duration, and under it the busy
 * shares, the longest idle gap and the load imbalance. */
#pragma once

#include <gtk/gtk.h>

#include "fl-run-model.h"
#include "fl-timeline.h"

G_BEGIN_DECLS

#define FL_TYPE_TIMELINE_VIEW (fl_timeline_view_get_type ())
G_DECLARE_FINAL_TYPE (FlTimelineView, fl_timeline_view, FL, TIMELINE_VIEW, GtkWidget)

/* Shows model's run (NULL: none), following its events while it runs. */
void          fl_timeline_view_set_model (FlTimelineView *self, FlRunModel *model);
FlRunModel   *fl_timeline_view_get_model (FlTimelineView *self);
/* What the page draws; borrowed. */
FlTimeline   *fl_timeline_view_get_timeline (FlTimelineView *self);
/* factor > 1 zooms in around the point at fraction (0..1) of the visible time. */
void          fl_timeline_view_zoom (FlTimelineView *self, double factor, double fraction);
void          fl_timeline_view_zoom_to_fit (FlTimelineView *self);
void          fl_timeline_view_get_visible (FlTimelineView *self, gint64 *t0, gint64 *t1);
/* The hover text at (x, y) of the drawing, or NULL where no span is (free). */
char         *fl_timeline_view_describe_at (FlTimelineView *self, double x, double y);
/* The drawing widget (for tests: its size, pointer positions). */
GtkWidget    *fl_timeline_view_get_canvas (FlTimelineView *self);
/* The figures under the timeline, as shown. */
const char   *fl_timeline_view_get_figures (FlTimelineView *self);

G_END_DECLS
