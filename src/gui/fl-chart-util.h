/* fl-chart-util.h: what the charts share: theme colours (so that a chart reads
 * in light and dark styles alike), text placement and round axis limits. */
#pragma once

#include <gtk/gtk.h>

#include "fl-draw-sweep.h"

G_BEGIN_DECLS

typedef struct
{
  GdkRGBA fg;        /* the style's text colour */
  GdkRGBA bg;        /* the window background the chart sits on */
  GdkRGBA accent;    /* "the current configuration": the selection colour */
  GdkRGBA baseline;  /* "the lab's baseline": fg mixed into bg, opaque */
  GdkRGBA grid;      /* faint lines */
  GdkRGBA marker;    /* the core count: the style's warning colour */
} FlChartColors;

/* Main thread: the colours of widget's current style. Every colour is opaque
 * except grid, so tests can find bars by exact pixel values. */
void   fl_chart_colors_get (GtkWidget *widget, FlChartColors *out);
/* The same colours for the GTK-free drawing (src/draw), with the widget's
 * text context. */
FlDrawColor fl_chart_color (const GdkRGBA *rgba);
void   fl_chart_style_get (GtkWidget *widget, FlDrawStyle *style);

/* Draws text with its anchor point (x, y) at fractions (ax, ay) of its size:
 * (0, 0) top left, (0.5, 1) bottom centre. Returns the text's width. */
double fl_chart_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y,
                      double ax, double ay, const GdkRGBA *color);

/* The smallest 1, 2 or 5 times a power of ten that is >= value (> 0). */
double fl_chart_nice_ceil (double value);

/* "4.21 s", "38.0 s", "512 s": seconds with three significant digits or so. */
char  *fl_chart_format_seconds (double seconds);
/* "2500/s"-style throughput with the same precision rule. */
char  *fl_chart_format_rate (double per_second);
/* The same, with the precision that like would get: for an axis's ticks. */
char  *fl_chart_format_seconds_like (double seconds, double like);
char  *fl_chart_format_rate_like (double per_second, double like);

G_END_DECLS
