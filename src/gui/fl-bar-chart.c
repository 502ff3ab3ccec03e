/* fl-bar-chart.c: two groups of two bars (download, GIF), each group on its own
 * scale so that the ratio, the thing to see, fills the height. */
#include "fl-bar-chart.h"

#include "fl-chart-util.h"
#include "fl-sweep-summary.h"

#include <math.h>

#include <glib/gi18n.h>

#define PAD 12.0
#define BAR_MAX_WIDTH 88.0

struct _FlBarChart
{
  GtkWidget parent_instance;

  FlRunRecord *baseline;   /* each stage's median, on a copy of the first run */
  FlRunRecord *current;
  FlSweepSummary *stages[2];  /* the spreads and verdicts, indexed by FlStage */
  char *summary[2];
};

G_DEFINE_FINAL_TYPE (FlBarChart, fl_bar_chart, GTK_TYPE_WIDGET)

/* A failed run is no result: its seconds until it stopped are never drawn. */
static gboolean
stage_seconds (const FlRunRecord *record, FlStage stage, double *seconds)
{
  gboolean ran = stage == FL_STAGE_DOWNLOAD ? record->ran_download : record->ran_encode;

  *seconds = stage == FL_STAGE_DOWNLOAD ? record->download_seconds : record->encode_seconds;
  return record->ok && ran && *seconds > 0;
}

double
fl_bar_chart_get_speedup (FlBarChart *self, FlStage stage)
{
  double base, cur;

  g_return_val_if_fail (FL_IS_BAR_CHART (self), 0);
  if (self->baseline == NULL || self->current == NULL
      || !stage_seconds (self->baseline, stage, &base)
      || !stage_seconds (self->current, stage, &cur))
    return 0;
  return base / cur;
}

const char *
fl_bar_chart_get_summary (FlBarChart *self, FlStage stage)
{
  g_return_val_if_fail (FL_IS_BAR_CHART (self), NULL);
  return self->summary[stage];
}

static char *
describe_setting (FlStage stage, const FlRunRecord *record)
{
  if (stage == FL_STAGE_DOWNLOAD)
    return g_strdup_printf (g_dngettext (NULL, "%u thread", "%u threads", record->threads),
                            record->threads);
  return g_strdup_printf (g_dngettext (NULL, "%u process", "%u processes", record->processes),
                          record->processes);
}

static void
update_summary (FlBarChart *self)
{
  g_autoptr (GString) description = g_string_new (NULL);

  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      double speedup = fl_bar_chart_get_speedup (self, stage);

      g_clear_pointer (&self->summary[stage], g_free);
      if (speedup <= 0)
        continue;
      /* Inside the spread a ratio means nothing. */
      if (self->stages[stage] != NULL && self->stages[stage]->points->len > 1
          && g_array_index (self->stages[stage]->points, FlSweepPoint, 1).verdict
               == FL_VERDICT_NO_CLEAR_DIFFERENCE)
        self->summary[stage] = g_strdup (fl_verdict_describe (FL_VERDICT_NO_CLEAR_DIFFERENCE));
      /* TRANSLATORS: the speed-up of a stage over the lab's baseline */
      else if (speedup >= 0.995)
        self->summary[stage] = g_strdup_printf (_("%.1f× faster"), speedup);
      else
        self->summary[stage] = g_strdup_printf (_("%.1f× slower"), 1 / speedup);
      g_string_append_printf (description, "%s%s: %s", description->len ? "; " : "",
                              stage == FL_STAGE_DOWNLOAD ? _("Download") : _("GIF encoding"),
                              self->summary[stage]);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description->str, -1);
}

void
fl_bar_chart_set_runs (FlBarChart *self, const FlRunRecord *baseline, const FlRunRecord *current)
{
  g_autoptr (GPtrArray) records = g_ptr_array_new ();

  g_return_if_fail (FL_IS_BAR_CHART (self));
  if (baseline != NULL && current != NULL)
    {
      g_ptr_array_add (records, (gpointer) baseline);
      g_ptr_array_add (records, (gpointer) current);
    }
  fl_bar_chart_set_compare (self, records);
}

/* The first record of a point, with each stage's seconds set to its median. */
static FlRunRecord *
median_record (FlBarChart *self, GPtrArray *records, guint point)
{
  const char *label = g_array_index (self->stages[0]->points, FlSweepPoint, point).label;
  FlRunRecord *copy = NULL;

  for (guint i = 0; i < records->len && copy == NULL; i++)
    if (g_strcmp0 (((FlRunRecord *) records->pdata[i])->label, label) == 0)
      copy = fl_run_record_copy (records->pdata[i]);
  /* Every point comes from a record of its label; none means no chart. */
  if (copy == NULL)
    return NULL;
  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      const FlSpread *spread
        = &g_array_index (self->stages[stage]->points, FlSweepPoint, point).seconds;

      if (spread->n == 0)
        continue;
      copy->ok = TRUE;
      if (stage == FL_STAGE_DOWNLOAD)
        copy->download_seconds = spread->median;
      else
        copy->encode_seconds = spread->median;
    }
  return copy;
}

void
fl_bar_chart_set_compare (FlBarChart *self, GPtrArray *records)
{
  g_return_if_fail (FL_IS_BAR_CHART (self));

  g_clear_pointer (&self->baseline, fl_run_record_free);
  g_clear_pointer (&self->current, fl_run_record_free);
  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    g_clear_pointer (&self->stages[stage], fl_sweep_summary_free);
  if (records->len >= 2)
    {
      for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
        self->stages[stage] = fl_sweep_summarize (FL_SWEEP_COMPARE, stage, records, 0,
                                                  records->len, 0);
      if (self->stages[0]->points->len >= 2)
        {
          self->baseline = median_record (self, records, 0);
          self->current = median_record (self, records, 1);
        }
    }
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const FlSweepSummary *
fl_bar_chart_get_stage_summary (FlBarChart *self, FlStage stage)
{
  return self->stages[stage];
}

/* The min..max of a bar's runs, in the bar's scale, when there are several;
 * returns the range's top (bar_top without one). */
static double
draw_range (FlBarChart *self, cairo_t *cr, const FlChartColors *colors, FlStage stage, int bar,
            double x, double bottom, double scale, double bar_top)
{
  const FlSpread *spread;
  double y0, y1;

  if (self->stages[stage] == NULL || self->stages[stage]->points->len <= (guint) bar)
    return bar_top;
  spread = &g_array_index (self->stages[stage]->points, FlSweepPoint, bar).seconds;
  if (spread->n < 2)
    return bar_top;
  y0 = round (bottom - spread->min * scale);
  y1 = round (bottom - spread->max * scale);
  cairo_save (cr);
  gdk_cairo_set_source_rgba (cr, &colors->fg);
  cairo_rectangle (cr, round (x) - 1, y1, 2, MAX (y0 - y1, 1));
  cairo_rectangle (cr, round (x) - 5, y1, 10, 2);
  cairo_rectangle (cr, round (x) - 5, y0 - 1, 10, 2);
  cairo_fill (cr);
  cairo_restore (cr);
  return MIN (y1, bar_top);
}

static double
stage_max (FlBarChart *self, FlStage stage, const double *seconds)
{
  double max = MAX (seconds[0], seconds[1]);

  for (guint i = 0; self->stages[stage] != NULL && i < self->stages[stage]->points->len; i++)
    max = MAX (max, g_array_index (self->stages[stage]->points, FlSweepPoint, i).seconds.max);
  return max;
}

static void
draw_group (FlBarChart *self, cairo_t *cr, PangoLayout *layout, PangoLayout *big,
            const FlChartColors *colors, FlStage stage, double x, double y, double w, double h)
{
  const FlRunRecord *runs[2] = { self->baseline, self->current };
  const GdkRGBA *fills[2] = { &colors->baseline, &colors->accent };
  double seconds[2] = { 0, 0 }, top, bottom, bar_w, gap, max;
  gboolean ran[2];
  int line_h, big_h;

  pango_layout_set_text (layout, "Ag", -1);
  pango_layout_get_pixel_size (layout, NULL, &line_h);
  fl_chart_text (cr, layout, stage == FL_STAGE_DOWNLOAD ? _("Download") : _("GIF encoding"),
                 x + w / 2, y, 0.5, 0, &colors->fg);
  if (self->summary[stage] != NULL)
    fl_chart_text (cr, big, self->summary[stage], x + w / 2, y + line_h + 2, 0.5, 0,
                   &colors->fg);
  pango_layout_set_text (big, "Ag", -1);
  pango_layout_get_pixel_size (big, NULL, &big_h);
  /* Title, speed-up, then room for the tallest bar's value. */
  top = y + line_h + 2 + big_h + 8 + line_h + 4;
  bottom = y + h - 2 * line_h - 8;
  if (bottom - top < 8)
    return;
  for (int i = 0; i < 2; i++)
    ran[i] = stage_seconds (runs[i], stage, &seconds[i]);
  max = stage_max (self, stage, seconds);
  bar_w = floor (MIN (w * 0.3, BAR_MAX_WIDTH));
  gap = floor (MIN (w * 0.12, 32));

  /* The floor line under both bars. */
  cairo_save (cr);
  gdk_cairo_set_source_rgba (cr, &colors->grid);
  cairo_rectangle (cr, round (x + w / 2 - bar_w - gap / 2 - 12), round (bottom),
                   2 * bar_w + gap + 24, 1);
  cairo_fill (cr);
  cairo_restore (cr);

  for (int i = 0; i < 2; i++)
    {
      double bx = round (x + w / 2 + (i == 0 ? -gap / 2 - bar_w : gap / 2));
      double bh = ran[i] && max > 0 ? round ((bottom - top) * seconds[i] / max) : 0;
      g_autofree char *value = ran[i] ? fl_chart_format_seconds (seconds[i]) : NULL;
      g_autofree char *setting = describe_setting (stage, runs[i]);
      double rate = stage == FL_STAGE_DOWNLOAD ? fl_run_record_download_rate (runs[i])
                                               : fl_run_record_encode_rate (runs[i]);
      g_autofree char *rate_text = ran[i] ? fl_chart_format_rate (rate) : NULL;
      GdkRGBA dim = colors->fg;
      double text_y = round (bottom) - bh;

      dim.alpha = 0.7f;
      if (bh > 0)
        {
          cairo_save (cr);
          gdk_cairo_set_source_rgba (cr, fills[i]);
          cairo_rectangle (cr, bx, round (bottom) - bh, bar_w, bh);
          cairo_fill (cr);
          cairo_restore (cr);
          text_y = draw_range (self, cr, colors, stage, i, bx + bar_w / 2, round (bottom),
                               (bottom - top) / max, text_y);
        }
      fl_chart_text (cr, layout, value ? value : runs[i]->ok ? _("not run") : _("failed"),
                     bx + bar_w / 2, text_y - 3, 0.5, 1, &colors->fg);
      fl_chart_text (cr, layout, setting, bx + bar_w / 2, round (bottom) + 4, 0.5, 0,
                     &colors->fg);
      if (rate_text != NULL)
        fl_chart_text (cr, layout, rate_text, bx + bar_w / 2, round (bottom) + 4 + line_h, 0.5,
                       0, &dim);
    }
}

/* The legend on one line, or one item a line when the chart is too narrow;
 * returns the lines used. */
static int
draw_legend (FlBarChart *self, cairo_t *cr, PangoLayout *layout, const FlChartColors *colors,
             double x, double y, double width)
{
  g_autofree char *threads = describe_setting (FL_STAGE_DOWNLOAD, self->current);
  g_autofree char *processes = describe_setting (FL_STAGE_ENCODE, self->current);
  /* TRANSLATORS: chart legend; the baseline is the lab's sequential client */
  g_autofree char *base = g_strdup (_("Baseline: 1 thread, 1 process"));
  /* TRANSLATORS: chart legend: "Current: 8 threads, 2 processes" */
  g_autofree char *current = g_strdup_printf (_("Current: %s, %s"), threads, processes);
  const char *texts[2] = { base, current };
  const GdkRGBA *fills[2] = { &colors->baseline, &colors->accent };
  int line_h, text_w[2], lines = 1;
  double x0 = x;

  pango_layout_set_text (layout, "Ag", -1);
  pango_layout_get_pixel_size (layout, NULL, &line_h);
  for (int i = 0; i < 2; i++)
    {
      pango_layout_set_text (layout, texts[i], -1);
      pango_layout_get_pixel_size (layout, &text_w[i], NULL);
    }
  for (int i = 0; i < 2; i++)
    {
      if (i == 1 && 16 + text_w[0] + 20 + 16 + text_w[1] > width)
        {
          x = x0;
          y += line_h + 4;
          lines = 2;
        }
      /* Small swatches: the tests tell bars from them by width. */
      cairo_save (cr);
      gdk_cairo_set_source_rgba (cr, fills[i]);
      cairo_rectangle (cr, round (x), round (y + (line_h - 10) / 2.0), 10, 10);
      cairo_fill (cr);
      cairo_restore (cr);
      x += 16 + fl_chart_text (cr, layout, texts[i], x + 16, y, 0, 0, &colors->fg) + 20;
    }
  return lines;
}

static void
fl_bar_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FlBarChart *self = FL_BAR_CHART (widget);
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  g_autoptr (PangoLayout) big = gtk_widget_create_pango_layout (widget, NULL);
  PangoAttrList *attrs = pango_attr_list_new ();
  FlChartColors colors;
  cairo_t *cr;
  int line_h, legend_h;

  if (w < 2 * PAD || h < 2 * PAD)
    return;
  fl_chart_colors_get (widget, &colors);
  pango_attr_list_insert (attrs, pango_attr_scale_new (1.8));
  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (big, attrs);
  pango_attr_list_unref (attrs);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->baseline == NULL)
    {
      pango_layout_set_width (layout, (int) (w - 2 * PAD) * PANGO_SCALE);
      pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
      colors.fg.alpha = 0.6f;
      fl_chart_text (cr, layout,
                     _("Compare runs the lab’s baseline (1 thread, 1 process) and the current "
                       "configuration on the same server, then shows both here."),
                     w / 2, h / 2, 0.5, 0.5, &colors.fg);
      cairo_destroy (cr);
      return;
    }
  pango_layout_set_text (layout, "Ag", -1);
  pango_layout_get_pixel_size (layout, NULL, &line_h);
  legend_h = draw_legend (self, cr, layout, &colors, PAD, PAD, w - 2 * PAD) * (line_h + 4) - 4;
  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    draw_group (self, cr, layout, big, &colors, stage, PAD + stage * (w - 2 * PAD) / 2,
                PAD + legend_h + 14, (w - 2 * PAD) / 2, h - 2 * PAD - legend_h - 14);
  cairo_destroy (cr);
}

static void
fl_bar_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                      int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 300 : 260;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 560 : 300;
}

static void
fl_bar_chart_finalize (GObject *object)
{
  FlBarChart *self = FL_BAR_CHART (object);

  g_clear_pointer (&self->baseline, fl_run_record_free);
  g_clear_pointer (&self->current, fl_run_record_free);
  g_free (self->summary[0]);
  g_free (self->summary[1]);
  fl_sweep_summary_free (self->stages[0]);
  fl_sweep_summary_free (self->stages[1]);
  G_OBJECT_CLASS (fl_bar_chart_parent_class)->finalize (object);
}

static void
fl_bar_chart_class_init (FlBarChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fl_bar_chart_finalize;
  widget_class->snapshot = fl_bar_chart_snapshot;
  widget_class->measure = fl_bar_chart_measure;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-bar-chart.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "fl-bar-chart");
}

static void
fl_bar_chart_init (FlBarChart *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
fl_bar_chart_new (void)
{
  return g_object_new (FL_TYPE_BAR_CHART, NULL);
}
