/* fl-draw-sweep.h: a sweep as a teacher draws it, with cairo and pango only
 * (no GTK), so that the app's Speed-up page (through gtk_snapshot_append_cairo)
 * and a report written as PNG or SVG show the same picture.
 *
 * Two plots share the x axis (threads on a log2 axis, processes linear):
 * - Time: each point's median with its min..max as an error bar;
 * - Speed-up against the 1-thread or 1-process baseline, with its range as an
 *   error bar, the ideal line (linear to the core count for processes, the
 *   latency-bound model for threads) and, for processes, the Amdahl fit's
 *   predicted curve;
 * then each point's efficiency under the x axis. The numbers all come from an
 * FlSweepSummary (fl-sweep-summary.h). */
#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include "fl-sweep-summary.h"

G_BEGIN_DECLS

typedef struct
{
  double red, green, blue, alpha;
} FlDrawColor;

typedef struct
{
  FlDrawColor fg;        /* text and the ideal line */
  FlDrawColor bg;        /* what the chart is drawn on (files fill it) */
  FlDrawColor accent;    /* the measurements */
  FlDrawColor baseline;  /* the Amdahl curve: fg mixed into bg */
  FlDrawColor grid;      /* faint lines */
  FlDrawColor marker;    /* the core count */
  /* Text is laid out in this context when set (the app passes its widget's, so
   * the chart uses the desktop's font); NULL: pangocairo's, with font. */
  PangoContext *context;
  const char *font;      /* a Pango font description; NULL: "Sans 10" */
} FlDrawStyle;

/* Dark text on white, GNOME's blue and orange: for files. */
void fl_draw_style_init (FlDrawStyle *style);

typedef struct
{
  FlSweepKind kind;                /* FL_SWEEP_THREADS or FL_SWEEP_PROCESSES */
  const guint *values;             /* the x axis: the planned points, ascending */
  guint n_values;
  const FlSweepSummary *summary;   /* NULL or no points: empty plots */
  guint cores;                     /* marked on the axis; 0: not marked */
  const char *empty_text;          /* in each plot while there is nothing to show */
} FlDrawSweep;

enum
{
  FL_DRAW_SWEEP_TIME,     /* the plots, top to bottom */
  FL_DRAW_SWEEP_SPEEDUP,
};

typedef struct
{
  double x0, x1;             /* the x axis in pixels */
  double lo, hi;             /* ... and in axis units (log2 of threads) */
  double top[2], bottom[2];  /* each plot's pixels */
  double max[2];             /* each plot's y range, 0..max */
  gboolean log_x;
  int line_h;                /* a line of text */
  guint n_x_labels;          /* values written under the axis by the last draw */
} FlDrawSweepGeometry;

/* Where everything goes at width x height; cr may be NULL when style->context
 * is set (nothing is drawn, text is only measured). */
void   fl_draw_sweep_layout (cairo_t *cr, const FlDrawSweep *sweep, const FlDrawStyle *style,
                             double width, double height, FlDrawSweepGeometry *geometry);
/* Draws the chart on cr from (0, 0); geometry (may be NULL) gets its layout.
 * Nothing is drawn where the size leaves no room for a plot. */
void   fl_draw_sweep (cairo_t *cr, const FlDrawSweep *sweep, const FlDrawStyle *style,
                      double width, double height, FlDrawSweepGeometry *geometry);
/* A value's x (threads or processes) and a plot's y, in pixels. */
double fl_draw_sweep_x (const FlDrawSweepGeometry *geometry, double value);
double fl_draw_sweep_y (const FlDrawSweepGeometry *geometry, int plot, double value);

/* Writes the chart, with caption (the summary's sentence, or NULL) wrapped
 * under it, to path: SVG when the name ends in ".svg", else PNG. */
gboolean fl_draw_sweep_write (const char *path, const FlDrawSweep *sweep, const char *caption,
                              int width, int height, GError **error);

/* What the app's other charts share with this one. */
/* Draws text with its anchor (x, y) at fractions (ax, ay) of its size: (0, 0)
 * top left, (0.5, 1) bottom centre. Returns the text's width. */
double fl_draw_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y,
                     double ax, double ay, const FlDrawColor *color);
/* The smallest 1, 2 or 5 times a power of ten that is >= value (> 0). */
double fl_draw_nice_ceil (double value);
/* "4.21 s", "38.0 s", "512 s": with the precision that like would get. */
char  *fl_draw_format_seconds_like (double seconds, double like);
/* "2500/s"-style throughput with the same precision rule. */
char  *fl_draw_format_rate_like (double per_second, double like);

G_END_DECLS
