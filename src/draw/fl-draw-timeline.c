/* fl-draw-timeline.c: FlTimeline -> cairo: axis, rows of binned phases, legend. */
#include "fl-draw-timeline.h"

#include "fl-config.h"
#include "fl-error.h"

#include <cairo-svg.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* Library code: the programs bind the domain (fl_i18n_init). */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

#define FONT_SIZE 11.0

static const guint8 palette[FL_N_PHASES][3] = {
  [FL_PHASE_CONNECT] = { 0x35, 0x84, 0xe4 },
  [FL_PHASE_WAIT] = { 0x99, 0xc1, 0xf1 },
  [FL_PHASE_WRITE] = { 0x2e, 0xc2, 0x7e },
  [FL_PHASE_RETRY] = { 0xff, 0x78, 0x00 },
  [FL_PHASE_FAILED] = { 0xe0, 0x1b, 0x24 },
  [FL_PHASE_DECODE] = { 0xdc, 0x8a, 0xdd },
  [FL_PHASE_QUANTISE] = { 0xe5, 0xa5, 0x0a },
  [FL_PHASE_COMPRESS] = { 0x81, 0x3d, 0x9c },
  [FL_PHASE_HAND_OFF] = { 0x9a, 0x99, 0x96 },
  [FL_PHASE_GENERATE] = { 0x86, 0x5e, 0x3c },
  [FL_PHASE_SEND] = { 0x8f, 0xf0, 0xa4 },
};

void
fl_draw_phase_rgb (FlPhase phase, double *r, double *g, double *b)
{
  *r = palette[phase][0] / 255.0;
  *g = palette[phase][1] / 255.0;
  *b = palette[phase][2] / 255.0;
}

const char *
fl_draw_phase_name (FlPhase phase)
{
  switch (phase)
    {
    /* TRANSLATORS: timeline legend: a download thread connecting to the server */
    case FL_PHASE_CONNECT: return _("connect");
    case FL_PHASE_WAIT: return _("wait for the reply");
    case FL_PHASE_WRITE: return _("write the frame");
    /* TRANSLATORS: timeline legend: an attempt at a frame that was tried again */
    case FL_PHASE_RETRY: return _("retried");
    case FL_PHASE_FAILED: return _("failed");
    case FL_PHASE_DECODE: return _("decode");
    case FL_PHASE_QUANTISE: return _("quantise");
    case FL_PHASE_COMPRESS: return _("compress");
    /* TRANSLATORS: timeline legend: a GIF worker's time outside decode, quantise, compress */
    case FL_PHASE_HAND_OFF: return _("hand-off");
    /* TRANSLATORS: timeline legend: the server preparing a reply (latency, cost) */
    case FL_PHASE_GENERATE: return _("prepare the reply");
    case FL_PHASE_SEND: return _("send the image");
    default: return "";
    }
}

char *
fl_draw_timeline_row_name (const FlTimelineRowInfo *row)
{
  switch (row->kind)
    {
    /* TRANSLATORS: a timeline row: "download thread 1" */
    case FL_ROW_DOWNLOAD: return g_strdup_printf (_("download thread %u"), row->track + 1);
    /* TRANSLATORS: a timeline row: "GIF worker 1" */
    case FL_ROW_WORKER: return g_strdup_printf (_("GIF worker %u"), row->track + 1);
    /* TRANSLATORS: a timeline row: "handler thread 1" (the server's) */
    default: return g_strdup_printf (_("handler thread %u"), row->track + 1);
    }
}

double
fl_draw_timeline_get_height (FlTimeline *timeline)
{
  guint n = MAX (fl_timeline_get_n_rows (timeline), 1);

  return FL_DRAW_TIMELINE_AXIS + n * (FL_DRAW_TIMELINE_ROW + FL_DRAW_TIMELINE_ROW_GAP)
         + FL_DRAW_TIMELINE_LEGEND;
}

void
fl_draw_timeline_view_all (FlTimeline *timeline, double width, FlDrawTimelineView *view)
{
  gint64 t0 = 0, t1 = 0;

  fl_timeline_get_range (timeline, &t0, &t1);
  *view = (FlDrawTimelineView) { .t0 = t0, .t1 = MAX (t1, t0 + 1), .origin = t0,
                                 .width = width };
}

static double
row_top (guint row)
{
  return FL_DRAW_TIMELINE_AXIS + row * (FL_DRAW_TIMELINE_ROW + FL_DRAW_TIMELINE_ROW_GAP);
}

int
fl_draw_timeline_row_at (FlTimeline *timeline, double y)
{
  double pitch = FL_DRAW_TIMELINE_ROW + FL_DRAW_TIMELINE_ROW_GAP;
  double offset = y - FL_DRAW_TIMELINE_AXIS + FL_DRAW_TIMELINE_ROW_GAP / 2;
  int row;

  if (offset < 0)
    return -1;
  row = (int) (offset / pitch);
  return row < (int) fl_timeline_get_n_rows (timeline) ? row : -1;
}

static double
plot_width (const FlDrawTimelineView *view)
{
  return MAX (view->width - FL_DRAW_TIMELINE_GUTTER - FL_DRAW_TIMELINE_MARGIN, 1.0);
}

gint64
fl_draw_timeline_time_at (const FlDrawTimelineView *view, double x)
{
  double f = CLAMP ((x - FL_DRAW_TIMELINE_GUTTER) / plot_width (view), 0.0, 1.0);

  return view->t0 + (gint64) llround (f * (double) (view->t1 - view->t0));
}

static void
set_text_colour (cairo_t *cr, const FlDrawTimelineView *view, double alpha)
{
  if (view->dark)
    cairo_set_source_rgba (cr, 1, 1, 1, alpha);
  else
    cairo_set_source_rgba (cr, 0, 0, 0, alpha);
}

/* 1, 2 or 5 times a power of ten microseconds, at least min_us. */
static gint64
nice_step (double min_us)
{
  gint64 step = 1;

  for (;;)
    for (guint i = 0; i < 3; i++)
      {
        static const int factors[3] = { 1, 2, 5 };

        if ((double) (step * factors[i]) >= min_us)
          return step * factors[i];
        if (i == 2)
          step *= 10;
      }
}

static void
draw_axis (cairo_t *cr, const FlDrawTimelineView *view, double bottom)
{
  double plot = plot_width (view), span = (double) (view->t1 - view->t0);
  gint64 step = nice_step (span * 90.0 / plot);
  gint64 first = (view->t0 - view->origin + step - 1) / step * step;
  /* Seconds once the view spans a few; milliseconds below. */
  gboolean seconds = view->t1 - view->t0 >= 2 * G_USEC_PER_SEC;

  cairo_set_line_width (cr, 1);
  for (gint64 t = first; view->origin + t <= view->t1; t += step)
    {
      double x = FL_DRAW_TIMELINE_GUTTER + (double) (view->origin + t - view->t0) / span * plot;
      char label[32];
      cairo_text_extents_t extents;

      if (seconds)
        /* TRANSLATORS: a time axis label in seconds: "2 s" */
        g_snprintf (label, sizeof label, _("%g s"), (double) t / G_USEC_PER_SEC);
      else
        /* TRANSLATORS: a time axis label in milliseconds: "250 ms" */
        g_snprintf (label, sizeof label, _("%g ms"), (double) t / 1000.0);
      set_text_colour (cr, view, 0.12);
      cairo_move_to (cr, floor (x) + 0.5, FL_DRAW_TIMELINE_AXIS - 4);
      cairo_line_to (cr, floor (x) + 0.5, bottom);
      cairo_stroke (cr);
      cairo_text_extents (cr, label, &extents);
      /* A label that would run off the picture is left out, not cut. */
      if (x + 3 + extents.x_advance > view->width)
        continue;
      set_text_colour (cr, view, 0.7);
      cairo_move_to (cr, x + 3, FL_DRAW_TIMELINE_AXIS - 9);
      cairo_show_text (cr, label);
    }
}

/* bins[x * FL_N_PHASES + phase]: how much of pixel x's time phase took, 0..1. */
static void
bin_row (FlTimeline *timeline, guint row, const FlDrawTimelineView *view, float *bins,
         guint n_bins, GArray *marks)
{
  double us_per_bin = (double) (view->t1 - view->t0) / n_bins;
  guint n;
  const FlSpan *spans = fl_timeline_get_spans (timeline, row, &n);

  for (guint i = fl_timeline_find (timeline, row, view->t0); i < n && spans[i].t0 < view->t1; i++)
    {
      FlSegment segments[4];
      guint n_segments = fl_span_get_segments (&spans[i], segments);

      if (spans[i].kind == FL_SPAN_RETRY || spans[i].kind == FL_SPAN_FAILED)
        {
          double x = (double) (spans[i].t1 - view->t0) / us_per_bin;

          if (x >= 0 && x < n_bins)
            g_array_append_val (marks, x);
        }
      for (guint s = 0; s < n_segments; s++)
        {
          double a = MAX ((double) (segments[s].t0 - view->t0) / us_per_bin, 0.0);
          double b = MIN ((double) (segments[s].t1 - view->t0) / us_per_bin, (double) n_bins);

          for (guint x = (guint) a; x < n_bins && x < b; x++)
            {
              double covered = MIN (b, x + 1.0) - MAX (a, (double) x);

              if (covered > 0)
                bins[x * FL_N_PHASES + segments[s].phase] += (float) covered;
            }
        }
    }
}

/* Each bin's phases as whole pixels of height, bottom up in phase order
 * (rounded cumulatively, so they stack to the bin's busy height): the
 * rectangles are then pixel-aligned, which cairo fills without antialiasing,
 * and neighbours that round alike merge into one. */
static void
quantise_bins (const float *bins, guint n_bins, guint8 *heights)
{
  for (guint x = 0; x < n_bins; x++)
    {
      double cumulative = 0;
      int below = 0;

      for (guint p = 0; p < FL_N_PHASES; p++)
        {
          int top;

          cumulative = MIN (cumulative + MIN (bins[x * FL_N_PHASES + p], 1.0f), 1.0);
          top = (int) lround (cumulative * FL_DRAW_TIMELINE_ROW);
          heights[x * FL_N_PHASES + p] = (guint8) (top - below);
          below = top;
        }
    }
}

/* One fill per phase, so the cost is the path. */
static void
fill_bins (cairo_t *cr, const guint8 *heights, guint n_bins, double x0, double top)
{
  for (guint p = 0; p < FL_N_PHASES; p++)
    {
      gboolean any = FALSE;
      double r, g, b;

      for (guint x = 0; x < n_bins; x++)
        {
          const guint8 *bin = &heights[x * FL_N_PHASES];
          int below = 0;
          guint run = 1;

          if (bin[p] == 0)
            continue;
          for (guint q = 0; q < p; q++)
            below += bin[q];
          /* Equal neighbours make one rectangle: a long busy stretch is one. */
          while (x + run < n_bins && memcmp (&heights[(x + run) * FL_N_PHASES], bin, FL_N_PHASES) == 0)
            run++;
          cairo_rectangle (cr, x0 + x, top + FL_DRAW_TIMELINE_ROW - below - bin[p], run, bin[p]);
          any = TRUE;
          x += run - 1;
        }
      if (!any)
        continue;
      fl_draw_phase_rgb (p, &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_fill (cr);
    }
}

static void
draw_marks (cairo_t *cr, GArray *marks, double x0, double top)
{
  double last = -10;

  if (marks->len == 0)
    return;
  cairo_set_source_rgb (cr, palette[FL_PHASE_FAILED][0] / 255.0, palette[FL_PHASE_FAILED][1] / 255.0,
                        palette[FL_PHASE_FAILED][2] / 255.0);
  for (guint i = 0; i < marks->len; i++)
    {
      double x = x0 + g_array_index (marks, double, i);

      /* One mark per few pixels is all the eye can tell apart. */
      if (x - last < 3)
        continue;
      last = x;
      cairo_move_to (cr, x - 3, top - 5);
      cairo_line_to (cr, x + 3, top - 5);
      cairo_line_to (cr, x, top);
      cairo_close_path (cr);
    }
  cairo_fill (cr);
}

static void
draw_rows (cairo_t *cr, FlTimeline *timeline, const FlDrawTimelineView *view)
{
  guint n_bins = (guint) MAX (plot_width (view), 1.0);
  float *bins = g_new (float, (gsize) n_bins * FL_N_PHASES);
  guint8 *heights = g_new (guint8, (gsize) n_bins * FL_N_PHASES);
  g_autoptr (GArray) marks = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint row = 0; row < fl_timeline_get_n_rows (timeline); row++)
    {
      FlTimelineRowInfo info;
      g_autofree char *name = NULL;
      double top = row_top (row);

      fl_timeline_get_row (timeline, row, &info);
      name = fl_draw_timeline_row_name (&info);
      set_text_colour (cr, view, 0.8);
      cairo_move_to (cr, 6, top + FL_DRAW_TIMELINE_ROW / 2 + FONT_SIZE / 2 - 1.5);
      cairo_show_text (cr, name);
      /* The idle track: whatever is not covered below. */
      set_text_colour (cr, view, 0.06);
      cairo_rectangle (cr, FL_DRAW_TIMELINE_GUTTER, top, n_bins, FL_DRAW_TIMELINE_ROW);
      cairo_fill (cr);
      memset (bins, 0, (gsize) n_bins * FL_N_PHASES * sizeof (float));
      g_array_set_size (marks, 0);
      bin_row (timeline, row, view, bins, n_bins, marks);
      quantise_bins (bins, n_bins, heights);
      fill_bins (cr, heights, n_bins, FL_DRAW_TIMELINE_GUTTER, top);
      draw_marks (cr, marks, FL_DRAW_TIMELINE_GUTTER, top);
    }
  g_free (bins);
  g_free (heights);
}

/* Swatches of the phases the rows can show, wrapped to the width. */
static void
draw_legend (cairo_t *cr, FlTimeline *timeline, const FlDrawTimelineView *view, double top)
{
  gboolean kinds[FL_N_ROW_KINDS] = { FALSE };
  double x = FL_DRAW_TIMELINE_GUTTER, y = top + 14;

  for (guint row = 0; row < fl_timeline_get_n_rows (timeline); row++)
    {
      FlTimelineRowInfo info;

      fl_timeline_get_row (timeline, row, &info);
      kinds[info.kind] = TRUE;
    }
  for (guint p = 0; p < FL_N_PHASES; p++)
    {
      gboolean shown = p <= FL_PHASE_FAILED ? kinds[FL_ROW_DOWNLOAD]
                       : p <= FL_PHASE_HAND_OFF ? kinds[FL_ROW_WORKER]
                                                : kinds[FL_ROW_HANDLER];
      cairo_text_extents_t extents;
      double r, g, b;

      if (!shown)
        continue;
      cairo_text_extents (cr, fl_draw_phase_name (p), &extents);
      if (x + 16 + extents.x_advance > view->width - FL_DRAW_TIMELINE_MARGIN
          && x > FL_DRAW_TIMELINE_GUTTER)
        {
          x = FL_DRAW_TIMELINE_GUTTER;
          y += 16;
        }
      fl_draw_phase_rgb (p, &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_rectangle (cr, x, y - 9, 10, 10);
      cairo_fill (cr);
      set_text_colour (cr, view, 0.8);
      cairo_move_to (cr, x + 14, y);
      cairo_show_text (cr, fl_draw_phase_name (p));
      x += 14 + extents.x_advance + 14;
    }
}

void
fl_draw_timeline (cairo_t *cr, FlTimeline *timeline, const FlDrawTimelineView *view)
{
  double rows_bottom = row_top (MAX (fl_timeline_get_n_rows (timeline), 1));

  cairo_save (cr);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, FONT_SIZE);
  draw_axis (cr, view, rows_bottom);
  /* Nothing outside the plot but the names. */
  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, view->width - FL_DRAW_TIMELINE_MARGIN, rows_bottom);
  cairo_clip (cr);
  draw_rows (cr, timeline, view);
  cairo_restore (cr);
  draw_legend (cr, timeline, view, rows_bottom);
  cairo_restore (cr);
}

static char *
format_us (gint64 us)
{
  if (us >= G_USEC_PER_SEC)
    /* TRANSLATORS: a duration in seconds: "1.25 s" */
    return g_strdup_printf (_("%.2f s"), (double) us / G_USEC_PER_SEC);
  /* TRANSLATORS: a duration in milliseconds: "12.5 ms" */
  return g_strdup_printf (_("%.1f ms"), (double) us / 1000.0);
}

char **
fl_draw_timeline_describe (FlTimeline *timeline)
{
  g_autoptr (FlTimelineStats) stats = fl_timeline_get_stats (timeline);
  GPtrArray *lines = g_ptr_array_new ();

  if (stats->longest_idle_row < stats->n_rows)
    {
      FlTimelineRowInfo info;
      const FlTimelineRowStats *row = &stats->rows[stats->longest_idle_row];
      g_autofree char *name = NULL;
      g_autofree char *idle = format_us (row->longest_idle_us);
      g_autofree char *at = format_us (row->longest_idle_t0 - stats->window_t0[row->kind]);

      fl_timeline_get_row (timeline, stats->longest_idle_row, &info);
      name = fl_draw_timeline_row_name (&info);
      /* TRANSLATORS: "Longest idle gap: 120.0 ms, GIF worker 2, from 1.25 s" */
      g_ptr_array_add (lines, g_strdup_printf (_("Longest idle gap: %s, %s, from %s"), idle, name,
                                               at));
    }
  if (stats->imbalance[FL_ROW_DOWNLOAD] >= 0)
    /* TRANSLATORS: the busiest thread's busy time over the mean, minus 1, in percent */
    g_ptr_array_add (lines, g_strdup_printf (_("Load imbalance between download threads: %.0f%%"),
                                             100.0 * stats->imbalance[FL_ROW_DOWNLOAD]));
  if (stats->imbalance[FL_ROW_WORKER] >= 0)
    g_ptr_array_add (lines, g_strdup_printf (_("Load imbalance between GIF workers: %.0f%%"),
                                             100.0 * stats->imbalance[FL_ROW_WORKER]));
  for (guint i = 0; i < stats->n_rows; i++)
    {
      FlTimelineRowInfo info;
      g_autofree char *name = NULL;
      g_autofree char *idle = format_us (stats->rows[i].longest_idle_us);

      fl_timeline_get_row (timeline, i, &info);
      name = fl_draw_timeline_row_name (&info);
      /* TRANSLATORS: "download thread 1: busy 87%, longest idle gap 12.5 ms" */
      g_ptr_array_add (lines, g_strdup_printf (_("%s: busy %.0f%%, longest idle gap %s"), name,
                                               100.0 * stats->rows[i].busy_share, idle));
    }
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}

static gboolean
finish_file (cairo_surface_t *surface, const char *tmp, const char *path, GError **error)
{
  cairo_status_t status;

  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS && g_rename (tmp, path) == 0)
    return TRUE;
  g_set_error (error, FL_ERROR, FL_ERROR_IO, _("Could not write %s: %s."), path,
               status != CAIRO_STATUS_SUCCESS ? cairo_status_to_string (status)
                                              : g_strerror (errno));
  g_unlink (tmp);
  return FALSE;
}

static void
paint (cairo_surface_t *surface, FlTimeline *timeline, const FlDrawTimelineView *view)
{
  cairo_t *cr = cairo_create (surface);

  /* A report is read on white. */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  fl_draw_timeline (cr, timeline, view);
  cairo_destroy (cr);
}

gboolean
fl_draw_timeline_write (FlTimeline *timeline, double width, const char *png_path,
                        const char *svg_path, GError **error)
{
  FlDrawTimelineView view;
  double height = ceil (fl_draw_timeline_get_height (timeline));

  fl_draw_timeline_view_all (timeline, width, &view);
  if (png_path != NULL)
    {
      g_autofree char *tmp = g_strconcat (png_path, ".tmp", NULL);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width,
                                                             (int) height);
      cairo_status_t status;
      gboolean ok;

      paint (surface, timeline, &view);
      status = cairo_surface_write_to_png (surface, tmp);
      ok = status == CAIRO_STATUS_SUCCESS && g_rename (tmp, png_path) == 0;
      if (!ok)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_IO, _("Could not write %s: %s."), png_path,
                       status != CAIRO_STATUS_SUCCESS ? cairo_status_to_string (status)
                                                      : g_strerror (errno));
          g_unlink (tmp);
        }
      cairo_surface_destroy (surface);
      if (!ok)
        return FALSE;
    }
  if (svg_path != NULL)
    {
      g_autofree char *tmp = g_strconcat (svg_path, ".tmp", NULL);
      cairo_surface_t *surface = cairo_svg_surface_create (tmp, width, height);
      gboolean ok;

      paint (surface, timeline, &view);
      ok = finish_file (surface, tmp, svg_path, error);
      cairo_surface_destroy (surface);
      return ok;
    }
  return TRUE;
}
