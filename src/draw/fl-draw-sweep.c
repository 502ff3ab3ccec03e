/* fl-draw-sweep.c: the sweep chart in cairo and pango. */
#include "fl-draw-sweep.h"

#include "fl-config.h"
#include "fl-error.h"

#include <math.h>
#include <string.h>

#include <cairo-svg.h>
#include <pango/pangocairo.h>

/* The drawing has no text domain of its own: it shares the programs' one. */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

#define PAD 12.0
#define LEFT 64.0      /* room for the y labels */
#define INSET 18.0     /* the first and last points stay off the plot's edges */
#define CAP 4.0        /* half the width of an error bar's ends */

void
fl_draw_style_init (FlDrawStyle *style)
{
  static const FlDrawStyle light = {
    { 0.14, 0.14, 0.14, 1 },  { 1, 1, 1, 1 },          { 0.208, 0.518, 0.894, 1 },
    { 0.58, 0.58, 0.58, 1 },  { 0.14, 0.14, 0.14, 0.12 }, { 0.902, 0.380, 0, 1 },
    NULL, NULL,
  };

  *style = light;
}

static void
set_color (cairo_t *cr, const FlDrawColor *color)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha);
}

static FlDrawColor
dimmed (const FlDrawColor *color, double alpha)
{
  FlDrawColor out = *color;

  out.alpha = alpha;
  return out;
}

double
fl_draw_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y, double ax,
              double ay, const FlDrawColor *color)
{
  int width, height;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, &height);
  cairo_save (cr);
  set_color (cr, color);
  cairo_move_to (cr, round (x - ax * width), round (y - ay * height));
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  return width;
}

double
fl_draw_nice_ceil (double value)
{
  double power, scaled;

  if (!(value > 0) || !isfinite (value))
    return 1.0;
  power = pow (10.0, floor (log10 (value)));
  scaled = value / power;
  /* A hair of slack so that 2.0000001 stays 2. */
  if (scaled <= 1.0 + 1e-9)
    return power;
  if (scaled <= 2.0 + 1e-9)
    return 2 * power;
  if (scaled <= 5.0 + 1e-9)
    return 5 * power;
  return 10 * power;
}

static int
decimals_for (double value)
{
  return value < 10 ? 2 : value < 100 ? 1 : 0;
}

char *
fl_draw_format_seconds_like (double seconds, double like)
{
  switch (decimals_for (like))
    {
    /* TRANSLATORS: a duration in seconds, as on a chart: "4.21 s" */
    case 2:
      return g_strdup_printf (_("%.2f s"), seconds);
    case 1:
      return g_strdup_printf (_("%.1f s"), seconds);
    default:
      return g_strdup_printf (_("%.0f s"), seconds);
    }
}

char *
fl_draw_format_rate_like (double per_second, double like)
{
  switch (decimals_for (like))
    {
    /* TRANSLATORS: a throughput, frames per second, as on a chart: "2500/s" */
    case 2:
      return g_strdup_printf (_("%.2f/s"), per_second);
    case 1:
      return g_strdup_printf (_("%.1f/s"), per_second);
    default:
      return g_strdup_printf (_("%.0f/s"), per_second);
    }
}

static PangoLayout *
new_layout (cairo_t *cr, const FlDrawStyle *style, gboolean bold)
{
  PangoLayout *layout = style->context != NULL ? pango_layout_new (style->context)
                                               : pango_cairo_create_layout (cr);
  PangoFontDescription *font = NULL;

  if (style->font != NULL || style->context == NULL)
    {
      font = pango_font_description_from_string (style->font ? style->font : "Sans 10");
      pango_layout_set_font_description (layout, font);
    }
  if (bold)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  if (font != NULL)
    pango_font_description_free (font);
  return layout;
}

static gboolean
has_points (const FlDrawSweep *sweep)
{
  return sweep->summary != NULL && sweep->summary->points->len > 0;
}

static const FlSweepPoint *
point_at (const FlDrawSweep *sweep, guint i)
{
  return &g_array_index (sweep->summary->points, FlSweepPoint, i);
}

static guint
n_points (const FlDrawSweep *sweep)
{
  return has_points (sweep) ? sweep->summary->points->len : 0;
}

static double
axis_unit (const FlDrawSweepGeometry *g, double value)
{
  return g->log_x ? log2 (MAX (value, 1e-9)) : value;
}

double
fl_draw_sweep_x (const FlDrawSweepGeometry *g, double value)
{
  return g->x0 + (axis_unit (g, value) - g->lo) / (g->hi - g->lo) * (g->x1 - g->x0);
}

double
fl_draw_sweep_y (const FlDrawSweepGeometry *g, int plot, double value)
{
  return g->bottom[plot] - value / g->max[plot] * (g->bottom[plot] - g->top[plot]);
}

/* The ideal speed-up at value: for processes the core count's (the summary's
 * model is the Amdahl fit once there is one), for threads the summary's
 * latency-bound model. */
static double
ideal_at (const FlDrawSweep *sweep, guint value)
{
  const FlSweepSummary *summary = sweep->summary;
  guint base = MAX (point_at (sweep, 0)->value, 1u), cores = MAX (summary->cores, 1u);

  if (sweep->kind == FL_SWEEP_THREADS)
    return fl_sweep_summary_predict (summary, value);
  return (double) MIN (value, cores) / MIN (base, cores);
}

/* A round top for the speed-up axis, finer than 1-2-5 (a 2.3x sweep on a
 * 0..5x axis would fill under half the plot). */
static double
nice_factor (double value)
{
  static const double steps[] = { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 };
  double power;

  if (!(value > 0) || !isfinite (value))
    return 1.0;
  power = pow (10.0, floor (log10 (value)));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (value <= steps[i] * power * (1 + 1e-9))
      return steps[i] * power;
  return 10 * power;
}

/* The speed-up plot reaches the measured ranges and the models, though an
 * ideal far above every measurement (128 threads, 128x) is cut at half as
 * much again: the measurements must stay readable. */
static double
speedup_range (const FlDrawSweep *sweep)
{
  double measured = 1, model = 1;

  for (guint i = 0; i < n_points (sweep); i++)
    {
      const FlSweepPoint *p = point_at (sweep, i);

      measured = MAX (measured, MAX (p->speedup_high, p->speedup));
    }
  for (guint i = 0; i < sweep->n_values && has_points (sweep); i++)
    {
      model = MAX (model, ideal_at (sweep, sweep->values[i]));
      if (sweep->kind == FL_SWEEP_PROCESSES && sweep->summary->fitted)
        model = MAX (model, fl_sweep_summary_predict (sweep->summary, sweep->values[i]));
    }
  return nice_factor (MAX (measured, MIN (model, 1.5 * measured)));
}

void
fl_draw_sweep_layout (cairo_t *cr, const FlDrawSweep *sweep, const FlDrawStyle *style,
                      double width, double height, FlDrawSweepGeometry *g)
{
  g_autoptr (PangoLayout) layout = new_layout (cr, style, FALSE);
  double plot_h, gap, time_max = 0;

  memset (g, 0, sizeof *g);
  pango_layout_set_text (layout, "Ag", -1);
  pango_layout_get_pixel_size (layout, NULL, &g->line_h);
  g->log_x = sweep->kind == FL_SWEEP_THREADS;
  g->x0 = PAD + LEFT + INSET;
  g->x1 = width - PAD - INSET;
  for (guint i = 0; i < sweep->n_values; i++)
    {
      double u = axis_unit (g, sweep->values[i]);

      g->lo = i == 0 ? u : MIN (g->lo, u);
      g->hi = i == 0 ? u : MAX (g->hi, u);
    }
  if (g->hi <= g->lo)
    g->hi = g->lo + 1;
  /* The title, then two plots with their names above them, then the x labels,
   * the efficiency row and the axis name. */
  gap = 3 * g->line_h + 8;
  g->top[0] = PAD + 2 * g->line_h + 8;
  plot_h = (height - g->top[0] - PAD - 3 * g->line_h - 12 - gap) / 2;
  g->bottom[0] = g->top[0] + plot_h;
  g->top[1] = g->bottom[0] + gap;
  g->bottom[1] = g->top[1] + plot_h;
  for (guint i = 0; i < n_points (sweep); i++)
    time_max = MAX (time_max, point_at (sweep, i)->seconds.max);
  g->max[FL_DRAW_SWEEP_TIME] = fl_draw_nice_ceil (time_max);
  g->max[FL_DRAW_SWEEP_SPEEDUP] = speedup_range (sweep);
}

static char *
format_tick (int plot, double value, double max)
{
  if (plot == FL_DRAW_SWEEP_TIME)
    return fl_draw_format_seconds_like (value, max);
  /* A speed-up factor on the axis: "2×". */
  return g_strdup_printf ("%g×", value);
}

static const char *
plot_name (const FlDrawSweep *sweep, int plot)
{
  if (plot == FL_DRAW_SWEEP_TIME)
    return _("Time: median, min..max");
  return sweep->kind == FL_SWEEP_THREADS ? _("Speed-up against 1 thread")
                                         : _("Speed-up against 1 process");
}

static void
draw_plot_frame (cairo_t *cr, PangoLayout *layout, const FlDrawSweep *sweep,
                 const FlDrawStyle *style, const FlDrawSweepGeometry *g, int plot)
{
  FlDrawColor dim = dimmed (&style->fg, 0.7);

  for (int tick = 0; tick <= 2; tick++)
    {
      double value = g->max[plot] * tick / 2;
      double y = round (fl_draw_sweep_y (g, plot, value));
      /* The ticks share the top one's precision: "0 s, 25 s, 50 s". */
      g_autofree char *text = format_tick (plot, value, g->max[plot]);

      cairo_save (cr);
      set_color (cr, &style->grid);
      cairo_rectangle (cr, g->x0 - INSET, y, g->x1 - g->x0 + 2 * INSET, 1);
      cairo_fill (cr);
      cairo_restore (cr);
      if (has_points (sweep))
        fl_draw_text (cr, layout, text, g->x0 - INSET - 6, y, 1, 0.5, &dim);
    }
  /* Above the speed-up plot, its key comes between its name and the plot. */
  fl_draw_text (cr, layout, plot_name (sweep, plot),
                PAD, g->top[plot] - g->line_h / 2.0 - 2 - (plot == 1 ? g->line_h + 4 : 0), 0, 1,
                &style->fg);
  if (!has_points (sweep) && sweep->empty_text != NULL)
    fl_draw_text (cr, layout, sweep->empty_text, (g->x0 + g->x1) / 2,
                  (g->top[plot] + g->bottom[plot]) / 2, 0.5, 0.5, &dim);
}

static void
draw_cores (cairo_t *cr, PangoLayout *layout, const FlDrawSweep *sweep, const FlDrawStyle *style,
            const FlDrawSweepGeometry *g)
{
  double unit = axis_unit (g, sweep->cores);
  double x = round (fl_draw_sweep_x (g, sweep->cores));
  static const double dash[] = { 6, 4 };
  g_autofree char *text = NULL;
  double label_ax;

  if (sweep->cores == 0 || unit < g->lo - 1e-9 || unit > g->hi + 1e-9)
    return;
  if (sweep->kind == FL_SWEEP_PROCESSES && unit < g->hi)
    {
      /* More processes than processors cannot run at once. */
      FlDrawColor shade = dimmed (&style->marker, 0.08);

      set_color (cr, &shade);
      cairo_rectangle (cr, x, g->top[0], g->x1 + INSET - x, g->bottom[1] - g->top[0]);
      cairo_fill (cr);
    }
  cairo_save (cr);
  set_color (cr, &style->marker);
  cairo_set_line_width (cr, 2);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_move_to (cr, x, g->top[0] - g->line_h / 2.0);
  cairo_line_to (cr, x, g->bottom[1]);
  cairo_stroke (cr);
  cairo_restore (cr);
  /* TRANSLATORS: the marker of the machine's processor count on a chart */
  text = g_strdup_printf (g_dngettext (FL_GETTEXT_PACKAGE, "%u core", "%u cores", sweep->cores),
                          sweep->cores);
  label_ax = x > (g->x0 + g->x1) / 2 ? 1.0 : 0.0;
  fl_draw_text (cr, layout, text, x + (label_ax > 0 ? -6 : 6), g->top[0] - g->line_h / 2.0,
                label_ax, 0.5, &style->marker);
}

/* A curve of the model through every whole value of the axis, clipped to the
 * plot: amdahl for the fit's curve, else the ideal line. */
static void
draw_model (cairo_t *cr, const FlDrawSweep *sweep, const FlDrawStyle *style,
            const FlDrawSweepGeometry *g, gboolean amdahl)
{
  static const double dash[] = { 5, 4 };
  guint first = sweep->values[0], last = sweep->values[sweep->n_values - 1];
  FlDrawColor ideal = dimmed (&style->fg, 0.55);

  cairo_save (cr);
  cairo_rectangle (cr, g->x0 - INSET, g->top[1], g->x1 - g->x0 + 2 * INSET,
                   g->bottom[1] - g->top[1]);
  cairo_clip (cr);
  set_color (cr, amdahl ? &style->marker : &ideal);
  cairo_set_line_width (cr, amdahl ? 2 : 1.5);
  if (!amdahl)
    cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  for (guint v = MAX (first, 1u); v <= last; v++)
    {
      double s = amdahl ? fl_sweep_summary_predict (sweep->summary, v) : ideal_at (sweep, v);
      double x = fl_draw_sweep_x (g, v), y = fl_draw_sweep_y (g, FL_DRAW_SWEEP_SPEEDUP, s);

      if (v == MAX (first, 1u))
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* A point's value and range in a plot. */
static void
point_values (const FlSweepPoint *p, int plot, double *mid, double *low, double *high)
{
  if (plot == FL_DRAW_SWEEP_TIME)
    {
      *mid = p->seconds.median;
      *low = p->seconds.min;
      *high = p->seconds.max;
    }
  else
    {
      *mid = p->speedup;
      *low = p->speedup_low;
      *high = p->speedup_high;
    }
}

static void
draw_error_bar (cairo_t *cr, const FlDrawSweepGeometry *g, int plot, double x, double low,
                double high)
{
  double y0 = round (fl_draw_sweep_y (g, plot, low)), y1 = round (fl_draw_sweep_y (g, plot, high));

  if (y0 - y1 < 1)
    return;
  cairo_rectangle (cr, round (x) - 1, y1, 2, y0 - y1);
  cairo_rectangle (cr, round (x) - CAP, y1, 2 * CAP, 2);
  cairo_rectangle (cr, round (x) - CAP, y0 - 2, 2 * CAP, 2);
  cairo_fill (cr);
}

/* The medians joined by a line, each with its error bar; the clearly fastest
 * point is larger. */
static void
draw_series (cairo_t *cr, const FlDrawSweep *sweep, const FlDrawStyle *style,
             const FlDrawSweepGeometry *g, int plot)
{
  gboolean started = FALSE;

  cairo_save (cr);
  set_color (cr, &style->accent);
  cairo_set_line_width (cr, 2.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < n_points (sweep); i++)
    {
      const FlSweepPoint *p = point_at (sweep, i);
      double mid, low, high;

      if (p->seconds.n == 0)
        continue;
      point_values (p, plot, &mid, &low, &high);
      if (started)
        cairo_line_to (cr, fl_draw_sweep_x (g, p->value), fl_draw_sweep_y (g, plot, mid));
      else
        cairo_move_to (cr, fl_draw_sweep_x (g, p->value), fl_draw_sweep_y (g, plot, mid));
      started = TRUE;
    }
  cairo_stroke (cr);
  for (guint i = 0; i < n_points (sweep); i++)
    {
      const FlSweepPoint *p = point_at (sweep, i);
      double mid, low, high, x = fl_draw_sweep_x (g, p->value);

      if (p->seconds.n == 0)
        continue;
      point_values (p, plot, &mid, &low, &high);
      draw_error_bar (cr, g, plot, x, low, high);
      cairo_arc (cr, x, fl_draw_sweep_y (g, plot, mid), (gint) i == sweep->summary->best ? 6 : 4,
                 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

/* A short line of the key: solid or dashed. */
static void
key_line (cairo_t *cr, const FlDrawColor *color, double width, gboolean dashed, double x,
          double y)
{
  static const double dash[] = { 5, 4 };

  cairo_save (cr);
  set_color (cr, color);
  cairo_set_line_width (cr, width);
  if (dashed)
    cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_move_to (cr, x, round (y) + 0.5);
  cairo_line_to (cr, x + 18, round (y) + 0.5);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* The speed-up plot's key, on its own line between the plot's name and the
 * plot: the ideal line, then the Amdahl curve. */
static void
draw_legend (cairo_t *cr, PangoLayout *layout, const FlDrawSweep *sweep,
             const FlDrawStyle *style, const FlDrawSweepGeometry *g)
{
  double y = g->top[1] - g->line_h / 2.0 - 4, x = PAD;
  FlDrawColor ideal = dimmed (&style->fg, 0.55);
  g_autofree char *amdahl = NULL;

  key_line (cr, &ideal, 1.5, TRUE, x, y);
  x += 22 + fl_draw_text (cr, layout,
                          sweep->kind == FL_SWEEP_THREADS ? _("ideal (latency-bound)")
                                                          : _("ideal (the cores)"),
                          x + 22, y, 0, 0.5, &style->fg);
  if (sweep->kind != FL_SWEEP_PROCESSES || !sweep->summary->fitted)
    return;
  /* TRANSLATORS: the key of the Amdahl fit's curve: "Amdahl, 6% serial" */
  amdahl = g_strdup_printf (_("Amdahl, %.0f%% serial"), sweep->summary->serial_fraction * 100);
  key_line (cr, &style->marker, 2, FALSE, x + 16, y);
  fl_draw_text (cr, layout, amdahl, x + 38, y, 0, 0.5, &style->fg);
}

/* Which values fit under the axis: on a narrow chart "64" and "128" would run
 * together into "64128". The last value always shows; a label that would
 * touch the one before it is left out. */
static guint
choose_x_labels (PangoLayout *layout, const FlDrawSweep *sweep, const FlDrawSweepGeometry *g,
                 gboolean *shown)
{
  guint n = sweep->n_values, count = 0;
  g_autofree double *left = g_new (double, n);
  g_autofree double *right = g_new (double, n);
  double last_right = -G_MAXDOUBLE;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", sweep->values[i]);
      double x = fl_draw_sweep_x (g, sweep->values[i]);
      int width;

      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, &width, NULL);
      /* "100%" under it is wider than most values. */
      width = MAX (width, 3 * g->line_h / 2);
      left[i] = x - width / 2.0;
      right[i] = x + width / 2.0;
    }
  for (guint i = 0; i < n; i++)
    {
      /* Room for the last one is kept: it ends the axis. */
      gboolean clear_of_last = i + 1 == n || right[i] + 6 <= left[n - 1];

      shown[i] = left[i] >= last_right + 6 && clear_of_last;
      if (shown[i])
        {
          last_right = right[i];
          count++;
        }
    }
  return count;
}

static const FlSweepPoint *
point_of_value (const FlDrawSweep *sweep, guint value)
{
  for (guint i = 0; i < n_points (sweep); i++)
    if (point_at (sweep, i)->value == value && point_at (sweep, i)->seconds.n > 0)
      return point_at (sweep, i);
  return NULL;
}

/* The values under the axis, each point's efficiency under its value, and
 * the axis's name. */
static void
draw_x_axis (cairo_t *cr, PangoLayout *layout, const FlDrawSweep *sweep, const FlDrawStyle *style,
             FlDrawSweepGeometry *g)
{
  g_autofree gboolean *shown = g_new0 (gboolean, sweep->n_values);
  FlDrawColor dim = dimmed (&style->fg, 0.7);
  double y = g->bottom[1] + 4;

  g->n_x_labels = choose_x_labels (layout, sweep, g, shown);
  for (guint i = 0; i < sweep->n_values; i++)
    {
      g_autofree char *text = g_strdup_printf ("%u", sweep->values[i]);
      const FlSweepPoint *p = point_of_value (sweep, sweep->values[i]);
      double x = fl_draw_sweep_x (g, sweep->values[i]);

      if (!shown[i])
        continue;
      fl_draw_text (cr, layout, text, x, y, 0.5, 0, &dim);
      if (p != NULL)
        {
          g_autofree char *efficiency = g_strdup_printf ("%.0f%%", p->efficiency * 100);

          fl_draw_text (cr, layout, efficiency, x, y + g->line_h + 2, 0.5, 0, &style->fg);
        }
    }
  if (has_points (sweep))
    /* TRANSLATORS: the row of efficiencies (speed-up per thread or process) under a chart */
    fl_draw_text (cr, layout, _("efficiency"), g->x0 - INSET - 6, y + g->line_h + 2, 1, 0,
                  &dim);
  fl_draw_text (cr, layout,
                sweep->kind == FL_SWEEP_THREADS ? _("download threads (log scale)")
                                                : _("GIF worker processes"),
                (g->x0 + g->x1) / 2, y + 2 * g->line_h + 6, 0.5, 0, &dim);
}

void
fl_draw_sweep (cairo_t *cr, const FlDrawSweep *sweep, const FlDrawStyle *style, double width,
               double height, FlDrawSweepGeometry *geometry)
{
  g_autoptr (PangoLayout) layout = new_layout (cr, style, FALSE);
  g_autoptr (PangoLayout) bold = new_layout (cr, style, TRUE);
  FlDrawSweepGeometry local, *g = geometry ? geometry : &local;

  fl_draw_sweep_layout (cr, sweep, style, width, height, g);
  if (width < LEFT + 4 * PAD || sweep->n_values == 0 || g->bottom[0] - g->top[0] < 16)
    return;
  cairo_save (cr);
  fl_draw_text (cr, bold,
                sweep->kind == FL_SWEEP_THREADS ? _("Download against threads")
                                                : _("GIF encoding against processes"),
                PAD, PAD, 0, 0, &style->fg);
  draw_cores (cr, layout, sweep, style, g);
  for (int plot = 0; plot < 2; plot++)
    draw_plot_frame (cr, layout, sweep, style, g, plot);
  if (has_points (sweep))
    {
      draw_model (cr, sweep, style, g, FALSE);
      if (sweep->kind == FL_SWEEP_PROCESSES && sweep->summary->fitted)
        draw_model (cr, sweep, style, g, TRUE);
      draw_legend (cr, layout, sweep, style, g);
      for (int plot = 0; plot < 2; plot++)
        draw_series (cr, sweep, style, g, plot);
    }
  draw_x_axis (cr, layout, sweep, style, g);
  cairo_restore (cr);
}

/* The caption under the chart, wrapped to its width; returns its height. */
static int
caption_layout (cairo_t *cr, const FlDrawStyle *style, const char *caption, int width,
                PangoLayout **out)
{
  PangoLayout *layout = new_layout (cr, style, FALSE);
  int height = 0;

  pango_layout_set_width (layout, (int) ((width - 2 * PAD) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, caption, -1);
  pango_layout_get_pixel_size (layout, NULL, &height);
  *out = layout;
  return height;
}

gboolean
fl_draw_sweep_write (const char *path, const FlDrawSweep *sweep, const char *caption, int width,
                     int height, GError **error)
{
  gboolean svg = g_str_has_suffix (path, ".svg");
  g_autoptr (PangoLayout) text = NULL;
  FlDrawStyle style;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  fl_draw_style_init (&style);
  surface = svg ? cairo_svg_surface_create (path, width, height)
                : cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  set_color (cr, &style.bg);
  cairo_paint (cr);
  if (caption != NULL && *caption != '\0')
    {
      int caption_h = caption_layout (cr, &style, caption, width, &text);

      fl_draw_sweep (cr, sweep, &style, width, height - caption_h - PAD, NULL);
      set_color (cr, &style.fg);
      cairo_move_to (cr, PAD, height - caption_h - PAD);
      pango_cairo_show_layout (cr, text);
    }
  else
    fl_draw_sweep (cr, sweep, &style, width, height, NULL);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  status = svg ? cairo_surface_status (surface) : cairo_surface_write_to_png (surface, path);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_IO, _("Could not write the chart to %s: %s"), path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
