/* fl-draw-timeline.h: a run's timeline drawn with cairo, for the window, the
 * report's PNG and its SVG alike (no GTK here).
 *
 * Layout, top to bottom: a time axis (seconds from the first event), one row
 * per FlTimeline row (its name in a left gutter; a pale track where the row
 * was idle, the busy time in the colours of its phases), and a legend. Each
 * row is drawn as one column of bins per pixel: a bin is filled, bottom up, by
 * how much of its time each phase took, so a busy stretch is a full bar
 * whatever the zoom, a half-idle pixel half a bar, and a 100,000-frame run
 * costs one pass over the spans in view plus one fill per phase and row.
 * Retried and failed attempts get a mark above their row. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "fl-timeline.h"

G_BEGIN_DECLS

#define FL_DRAW_TIMELINE_GUTTER 130.0  /* row names */
#define FL_DRAW_TIMELINE_MARGIN 12.0   /* right of the rows */
#define FL_DRAW_TIMELINE_AXIS 26.0     /* above the first row */
#define FL_DRAW_TIMELINE_ROW 14.0
#define FL_DRAW_TIMELINE_ROW_GAP 4.0
#define FL_DRAW_TIMELINE_LEGEND 48.0   /* below the last row */

typedef struct
{
  gint64 t0, t1;    /* the stretch of time in view (FlEvent microseconds) */
  gint64 origin;    /* time 0 of the axis: the run's first event */
  double width;     /* of the whole picture, pixels */
  gboolean dark;
} FlDrawTimelineView;

/* The picture's height for timeline's rows. */
double  fl_draw_timeline_get_height (FlTimeline *timeline);
/* A view of the whole run at width. */
void    fl_draw_timeline_view_all (FlTimeline *timeline, double width, FlDrawTimelineView *view);
void    fl_draw_timeline (cairo_t *cr, FlTimeline *timeline, const FlDrawTimelineView *view);

/* The row at y, or -1; the time at x (clamped to the rows' area). */
int     fl_draw_timeline_row_at (FlTimeline *timeline, double y);
gint64  fl_draw_timeline_time_at (const FlDrawTimelineView *view, double x);
/* The colour of phase, 0..1 each. */
void    fl_draw_phase_rgb (FlPhase phase, double *r, double *g, double *b);
/* Translated: "connect", "wait for the reply"... */
const char *fl_draw_phase_name (FlPhase phase);
/* Translated: "download thread 1", "GIF worker 2", "handler thread 3". */
char   *fl_draw_timeline_row_name (const FlTimelineRowInfo *row);
/* The figures under the timeline, one translated line each: the longest idle
 * gap of all, the load imbalance between download threads and between GIF
 * workers, then every row's busy share and longest idle gap. */
char  **fl_draw_timeline_describe (FlTimeline *timeline);

/* The whole run at width pixels into png_path and svg_path (either may be
 * NULL), each written to a temporary file renamed into place. */
gboolean fl_draw_timeline_write (FlTimeline *timeline, double width, const char *png_path,
                                 const char *svg_path, GError **error);

G_END_DECLS
