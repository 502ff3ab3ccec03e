/* fl-sweep-chart.c: line plots drawn with cairo in the style's colours. */
#include "fl-sweep-chart.h"

#include "fl-chart-util.h"

#include <math.h>

#include <glib/gi18n.h>

#define PAD 12.0
#define LEFT 64.0      /* room for the y labels */
#define INSET 18.0     /* the first and last points stay off the plot's edges */

struct _FlSweepChart
{
  GtkWidget parent_instance;

  FlSweepKind kind;
  GArray *values;    /* guint, the planned x values */
  GPtrArray *runs;   /* FlRunRecord */
  guint cores;
  guint n_x_labels;  /* written under the axis at the last draw */
};

G_DEFINE_FINAL_TYPE (FlSweepChart, fl_sweep_chart, GTK_TYPE_WIDGET)

typedef struct
{
  double x0, x1;     /* the x axis in pixels */
  double lo, hi;     /* ... and in (log2) parameter units */
  double top[2], bottom[2];  /* the time plot, the throughput plot */
  double max[2];     /* their y ranges, 0..max */
  guint n_usable;    /* runs with a time to plot */
  int line_h;
} Geometry;

static guint
run_value (FlSweepChart *self, const FlRunRecord *record)
{
  return self->kind == FL_SWEEP_THREADS ? record->threads : record->processes;
}

static double
run_seconds (FlSweepChart *self, const FlRunRecord *record)
{
  return self->kind == FL_SWEEP_THREADS ? record->download_seconds : record->encode_seconds;
}

static double
run_rate (FlSweepChart *self, const FlRunRecord *record)
{
  return self->kind == FL_SWEEP_THREADS ? fl_run_record_download_rate (record)
                                        : fl_run_record_encode_rate (record);
}

static gboolean
run_usable (FlSweepChart *self, const FlRunRecord *record)
{
  return record->ok && run_seconds (self, record) > 0
         && (self->kind == FL_SWEEP_THREADS ? record->ran_download : record->ran_encode);
}

static double
axis_unit (FlSweepChart *self, double value)
{
  return self->kind == FL_SWEEP_THREADS ? log2 (MAX (value, 1e-9)) : value;
}

static void
compute_geometry (FlSweepChart *self, PangoLayout *layout, double w, double h, Geometry *g)
{
  double plot_h, gap;

  pango_layout_set_text (layout, "Ag", -1);
  pango_layout_get_pixel_size (layout, NULL, &g->line_h);
  g->x0 = PAD + LEFT + INSET;
  g->x1 = w - PAD - INSET;
  g->lo = g->hi = 0;
  for (guint i = 0; i < self->values->len; i++)
    {
      double u = axis_unit (self, g_array_index (self->values, guint, i));

      g->lo = i == 0 ? u : MIN (g->lo, u);
      g->hi = i == 0 ? u : MAX (g->hi, u);
    }
  if (g->hi <= g->lo)
    g->hi = g->lo + 1;
  /* Title line, then two plots with their names above them, then the x
   * labels and the axis name. */
  gap = 2 * g->line_h + 4;
  g->top[0] = PAD + 2 * g->line_h + 8;
  plot_h = (h - g->top[0] - PAD - 2 * g->line_h - 8 - gap) / 2;
  g->bottom[0] = g->top[0] + plot_h;
  g->top[1] = g->bottom[0] + gap;
  g->bottom[1] = g->top[1] + plot_h;
  g->max[0] = g->max[1] = 0;
  g->n_usable = 0;
  for (guint i = 0; i < self->runs->len; i++)
    {
      const FlRunRecord *record = g_ptr_array_index (self->runs, i);

      if (!run_usable (self, record))
        continue;
      g->n_usable++;
      g->max[0] = MAX (g->max[0], run_seconds (self, record));
      g->max[1] = MAX (g->max[1], run_rate (self, record));
    }
  g->max[0] = fl_chart_nice_ceil (g->max[0]);
  g->max[1] = fl_chart_nice_ceil (g->max[1]);
}

static double
to_x (const Geometry *g, double unit)
{
  return g->x0 + (unit - g->lo) / (g->hi - g->lo) * (g->x1 - g->x0);
}

static double
to_y (const Geometry *g, int plot, double value)
{
  return g->bottom[plot] - value / g->max[plot] * (g->bottom[plot] - g->top[plot]);
}

static void
draw_plot_frame (FlSweepChart *self, cairo_t *cr, PangoLayout *layout, const FlChartColors *c,
                 const Geometry *g, int plot)
{
  GdkRGBA dim = c->fg;

  dim.alpha = 0.7f;
  for (int tick = 0; tick <= 2; tick++)
    {
      double value = g->max[plot] * tick / 2;
      double y = round (to_y (g, plot, value));
      /* The ticks share the top one's precision: "0 s, 25 s, 50 s". */
      g_autofree char *text = plot == 0 ? fl_chart_format_seconds_like (value, g->max[plot])
                                        : fl_chart_format_rate_like (value, g->max[plot]);

      cairo_save (cr);
      gdk_cairo_set_source_rgba (cr, &c->grid);
      cairo_rectangle (cr, g->x0 - INSET, y, g->x1 - g->x0 + 2 * INSET, 1);
      cairo_fill (cr);
      cairo_restore (cr);
      if (g->n_usable > 0)
        fl_chart_text (cr, layout, text, g->x0 - INSET - 6, y, 1, 0.5, &dim);
    }
  /* The plot's name, rotated along its y axis would be hard to read: above it. */
  fl_chart_text (cr, layout, plot == 0 ? _("Time") : _("Throughput (frames/s)"), PAD,
                 g->top[plot] - g->line_h / 2.0 - 2, 0, 1, &c->fg);
  if (g->n_usable == 0)
    fl_chart_text (cr, layout,
                   self->kind == FL_SWEEP_THREADS ? _("Sweep Threads fills this chart")
                                                  : _("Sweep Processes fills this chart"),
                   (g->x0 + g->x1) / 2, (g->top[plot] + g->bottom[plot]) / 2, 0.5, 0.5, &dim);
}

static void
draw_cores (FlSweepChart *self, cairo_t *cr, PangoLayout *layout, const FlChartColors *c,
            const Geometry *g)
{
  double unit = axis_unit (self, self->cores);
  double x = round (to_x (g, unit));
  static const double dash[] = { 6, 4 };
  g_autofree char *text = NULL;
  double label_ax;

  if (self->cores == 0 || unit < g->lo - 1e-9 || unit > g->hi + 1e-9)
    return;
  if (self->kind == FL_SWEEP_PROCESSES && unit < g->hi)
    {
      GdkRGBA shade = c->marker;

      /* More processes than processors cannot run at once. */
      shade.alpha = 0.08f;
      cairo_save (cr);
      gdk_cairo_set_source_rgba (cr, &shade);
      cairo_rectangle (cr, x, g->top[0], g->x1 + INSET - x, g->bottom[1] - g->top[0]);
      cairo_fill (cr);
      cairo_restore (cr);
    }
  cairo_save (cr);
  gdk_cairo_set_source_rgba (cr, &c->marker);
  cairo_set_line_width (cr, 2);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_move_to (cr, x, g->top[0] - g->line_h / 2.0);
  cairo_line_to (cr, x, g->bottom[1]);
  cairo_stroke (cr);
  cairo_restore (cr);
  /* TRANSLATORS: the marker of the machine's processor count on a chart */
  text = g_strdup_printf (g_dngettext (NULL, "%u core", "%u cores", self->cores), self->cores);
  label_ax = x > (g->x0 + g->x1) / 2 ? 1.0 : 0.0;
  fl_chart_text (cr, layout, text, x + (label_ax > 0 ? -6 : 6), g->top[0] - g->line_h / 2.0,
                 label_ax, 0.5, &c->marker);
}

static void
draw_series (FlSweepChart *self, cairo_t *cr, PangoLayout *layout, const FlChartColors *c,
             const Geometry *g, int plot)
{
  gboolean started = FALSE;
  guint best = G_MAXUINT;

  cairo_save (cr);
  gdk_cairo_set_source_rgba (cr, &c->accent);
  cairo_set_line_width (cr, 2.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->runs->len; i++)
    {
      const FlRunRecord *record = g_ptr_array_index (self->runs, i);
      double value;

      if (!run_usable (self, record))
        continue;
      value = plot == 0 ? run_seconds (self, record) : run_rate (self, record);
      if (started)
        cairo_line_to (cr, to_x (g, axis_unit (self, run_value (self, record))),
                       to_y (g, plot, value));
      else
        cairo_move_to (cr, to_x (g, axis_unit (self, run_value (self, record))),
                       to_y (g, plot, value));
      started = TRUE;
      if (best == G_MAXUINT
          || run_seconds (self, record)
               < run_seconds (self, g_ptr_array_index (self->runs, best)))
        best = i;
    }
  cairo_stroke (cr);
  for (guint i = 0; i < self->runs->len; i++)
    {
      const FlRunRecord *record = g_ptr_array_index (self->runs, i);
      double value;

      if (!run_usable (self, record))
        continue;
      value = plot == 0 ? run_seconds (self, record) : run_rate (self, record);
      cairo_arc (cr, to_x (g, axis_unit (self, run_value (self, record))), to_y (g, plot, value),
                 i == best ? 6 : 4, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_restore (cr);
  if (best != G_MAXUINT && plot == 0 && self->runs->len > 1)
    {
      const FlRunRecord *record = g_ptr_array_index (self->runs, best);
      double x = to_x (g, axis_unit (self, run_value (self, record)));
      double y = to_y (g, plot, run_seconds (self, record));
      g_autofree char *seconds = fl_chart_format_seconds (run_seconds (self, record));
      /* TRANSLATORS: the fastest point of a sweep: "fastest: 2.41 s" */
      g_autofree char *text = g_strdup_printf (_("fastest: %s"), seconds);

      fl_chart_text (cr, layout, text, x, y - 10, x > (g->x0 + g->x1) / 2 ? 0.9 : 0.1, 1,
                     &c->fg);
    }
}

/* The values under the x axis, as many as fit apart: on a narrow chart "64"
 * and "128" would run together into "64128". The last value always shows;
 * a label that would touch the one before it is left out. */
static void
draw_x_labels (FlSweepChart *self, cairo_t *cr, PangoLayout *layout, const Geometry *g,
               const GdkRGBA *color)
{
  guint n = self->values->len;
  g_autofree double *left = g_new (double, n);
  g_autofree double *right = g_new (double, n);
  g_autofree gboolean *shown = g_new0 (gboolean, n);
  double last_right = -G_MAXDOUBLE;

  for (guint i = 0; i < n; i++)
    {
      guint value = g_array_index (self->values, guint, i);
      g_autofree char *text = g_strdup_printf ("%u", value);
      double x = to_x (g, axis_unit (self, value));
      int width;

      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, &width, NULL);
      left[i] = x - width / 2.0;
      right[i] = x + width / 2.0;
    }
  for (guint i = 0; i < n; i++)
    {
      /* Room for the last one is kept: it ends the axis. */
      gboolean clear_of_last = i + 1 == n || right[i] + 6 <= left[n - 1];

      shown[i] = left[i] >= last_right + 6 && clear_of_last;
      if (shown[i])
        last_right = right[i];
    }
  self->n_x_labels = 0;
  for (guint i = 0; i < n; i++)
    {
      guint value = g_array_index (self->values, guint, i);
      g_autofree char *text = g_strdup_printf ("%u", value);

      self->n_x_labels += shown[i];
      if (shown[i])
        fl_chart_text (cr, layout, text, (left[i] + right[i]) / 2, g->bottom[1] + 4, 0.5, 0,
                       color);
    }
}

guint
fl_sweep_chart_get_n_x_labels (FlSweepChart *self)
{
  return self->n_x_labels;
}

static void
fl_sweep_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FlSweepChart *self = FL_SWEEP_CHART (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  g_autoptr (PangoLayout) bold = gtk_widget_create_pango_layout (widget, NULL);
  PangoAttrList *attrs = pango_attr_list_new ();
  FlChartColors c;
  Geometry g;
  cairo_t *cr;
  GdkRGBA dim;

  if (w < LEFT + 4 * PAD || h < 8 * PAD || self->values->len == 0)
    return;
  fl_chart_colors_get (widget, &c);
  dim = c.fg;
  dim.alpha = 0.7f;
  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (bold, attrs);
  pango_attr_list_unref (attrs);
  compute_geometry (self, layout, w, h, &g);
  if (g.bottom[0] - g.top[0] < 16)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  fl_chart_text (cr, bold,
                 self->kind == FL_SWEEP_THREADS ? _("Download against threads")
                                                : _("GIF encoding against processes"),
                 PAD, PAD, 0, 0, &c.fg);
  draw_cores (self, cr, layout, &c, &g);
  for (int plot = 0; plot < 2; plot++)
    {
      draw_plot_frame (self, cr, layout, &c, &g, plot);
      draw_series (self, cr, layout, &c, &g, plot);
    }
  draw_x_labels (self, cr, layout, &g, &dim);
  fl_chart_text (cr, layout,
                 self->kind == FL_SWEEP_THREADS ? _("download threads (log scale)")
                                                : _("GIF worker processes"),
                 (g.x0 + g.x1) / 2, g.bottom[1] + 6 + g.line_h, 0.5, 0, &dim);
  cairo_destroy (cr);
}

double
fl_sweep_chart_value_to_x (FlSweepChart *self, double value)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  Geometry g;
  double unit = axis_unit (self, value);

  compute_geometry (self, layout, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), &g);
  if (self->values->len == 0 || unit < g.lo - 1e-9 || unit > g.hi + 1e-9)
    return -1;
  return round (to_x (&g, unit));
}

double
fl_sweep_chart_time_to_y (FlSweepChart *self, guint index)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  Geometry g;

  if (index >= self->runs->len || !run_usable (self, g_ptr_array_index (self->runs, index)))
    return -1;
  compute_geometry (self, layout, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), &g);
  return to_y (&g, 0, run_seconds (self, g_ptr_array_index (self->runs, index)));
}

static void update_description (FlSweepChart *self);

void
fl_sweep_chart_set_plan (FlSweepChart *self, FlSweepKind kind, const guint *values,
                         guint n_values)
{
  g_return_if_fail (FL_IS_SWEEP_CHART (self));
  g_return_if_fail (kind == FL_SWEEP_THREADS || kind == FL_SWEEP_PROCESSES);

  self->kind = kind;
  g_array_set_size (self->values, 0);
  g_array_append_vals (self->values, values, n_values);
  g_ptr_array_set_size (self->runs, 0);
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* What a screen reader says: the fastest point, the thing to see. */
static void
update_description (FlSweepChart *self)
{
  const FlRunRecord *best = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < self->runs->len; i++)
    {
      const FlRunRecord *record = g_ptr_array_index (self->runs, i);

      if (run_usable (self, record)
          && (best == NULL || run_seconds (self, record) < run_seconds (self, best)))
        best = record;
    }
  if (best != NULL)
    {
      g_autofree char *seconds = fl_chart_format_seconds (run_seconds (self, best));

      text = g_strdup_printf (self->kind == FL_SWEEP_THREADS
                                /* TRANSLATORS: "fastest: 4.12 s with 16 threads" */
                                ? g_dngettext (NULL, "fastest: %s with %u thread",
                                               "fastest: %s with %u threads",
                                               run_value (self, best))
                                : g_dngettext (NULL, "fastest: %s with %u process",
                                               "fastest: %s with %u processes",
                                               run_value (self, best)),
                              seconds, run_value (self, best));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text ? text : "", -1);
}

void
fl_sweep_chart_add_run (FlSweepChart *self, const FlRunRecord *record)
{
  g_return_if_fail (FL_IS_SWEEP_CHART (self));

  g_ptr_array_add (self->runs, fl_run_record_copy (record));
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
fl_sweep_chart_get_n_runs (FlSweepChart *self)
{
  return self->runs->len;
}

void
fl_sweep_chart_set_cores (FlSweepChart *self, guint cores)
{
  self->cores = cores;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fl_sweep_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                        int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 260 : 280;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 400 : 360;
}

static void
fl_sweep_chart_finalize (GObject *object)
{
  FlSweepChart *self = FL_SWEEP_CHART (object);

  g_array_unref (self->values);
  g_ptr_array_unref (self->runs);
  G_OBJECT_CLASS (fl_sweep_chart_parent_class)->finalize (object);
}

static void
fl_sweep_chart_class_init (FlSweepChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fl_sweep_chart_finalize;
  widget_class->snapshot = fl_sweep_chart_snapshot;
  widget_class->measure = fl_sweep_chart_measure;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-sweep-chart.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "fl-sweep-chart");
}

static void
fl_sweep_chart_init (FlSweepChart *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->values = g_array_new (FALSE, FALSE, sizeof (guint));
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) fl_run_record_free);
  self->kind = FL_SWEEP_THREADS;
  self->cores = MAX (g_get_num_processors (), 1);
}

GtkWidget *
fl_sweep_chart_new (void)
{
  return g_object_new (FL_TYPE_SWEEP_CHART, NULL);
}
