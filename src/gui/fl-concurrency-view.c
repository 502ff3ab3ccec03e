/* fl-concurrency-view.c: a sparkline of downloads in flight and one strip per
 * GIF worker, both drawn with cairo from snapshots of the bridge. */
#include "fl-concurrency-view.h"

#include "fl-chart-util.h"
#include "fl-widget-util.h"

#include <math.h>

#include <glib/gi18n.h>

/* Ten seconds of samples at the bridge's tick. */
#define N_SAMPLES (10000 / FL_BRIDGE_TICK_MS)
#define ROW_HEIGHT 12
#define ROW_GAP 5

struct _FlConcurrencyView
{
  GtkWidget parent_instance;

  FlPipelineBridge *bridge;
  guint tick_id;
  guint threads;
  guint samples[N_SAMPLES];  /* a ring, the newest at head - 1 */
  guint head, n_samples;
  guint max_in_flight;
  FlWorkerSnapshot workers[FL_BRIDGE_MAX_WORKERS];
  guint n_workers;
  gint slices[FL_BRIDGE_SLICES];

  GtkLabel *in_flight_label;
  GtkDrawingArea *in_flight_area;
  GtkLabel *workers_label;
  GtkDrawingArea *workers_area;
};

G_DEFINE_FINAL_TYPE (FlConcurrencyView, fl_concurrency_view, GTK_TYPE_WIDGET)

static void
update_labels (FlConcurrencyView *self)
{
  guint now = self->n_samples ? self->samples[(self->head + N_SAMPLES - 1) % N_SAMPLES] : 0;
  g_autofree char *flight = NULL;
  g_autofree char *workers = NULL;

  /* TRANSLATORS: live view: "Downloads in flight: 7 of 8 threads (most: 8)" */
  flight = g_strdup_printf (g_dngettext (NULL, "Downloads in flight: %u of %u thread (most: %u)",
                                         "Downloads in flight: %u of %u threads (most: %u)",
                                         self->threads),
                            now, self->threads, self->max_in_flight);
  gtk_label_set_text (self->in_flight_label, flight);
  if (self->n_workers == 0)
    workers = g_strdup (_("GIF workers: none yet"));
  else
    {
      guint busy = 0;

      for (guint i = 0; i < self->n_workers; i++)
        busy += self->workers[i].done < self->workers[i].n_frames;
      /* TRANSLATORS: live view: "GIF workers: 2 processes, 1 busy" */
      workers = g_strdup_printf (g_dngettext (NULL, "GIF workers: %u process, %u busy",
                                              "GIF workers: %u processes, %u busy",
                                              self->n_workers),
                                 self->n_workers, busy);
    }
  gtk_label_set_text (self->workers_label, workers);
  gtk_widget_set_size_request (GTK_WIDGET (self->workers_area), -1,
                               MAX (self->n_workers, 1) * (ROW_HEIGHT + ROW_GAP));
}

static void
sample (FlConcurrencyView *self)
{
  guint in_flight = fl_pipeline_bridge_get_in_flight (self->bridge);

  self->samples[self->head] = in_flight;
  self->head = (self->head + 1) % N_SAMPLES;
  self->n_samples = MIN (self->n_samples + 1, N_SAMPLES);
  self->max_in_flight = MAX (self->max_in_flight, in_flight);
  self->n_workers = fl_pipeline_bridge_get_workers (self->bridge, self->workers,
                                                    FL_BRIDGE_MAX_WORKERS);
  fl_pipeline_bridge_get_slices (self->bridge, self->slices);
  update_labels (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->in_flight_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->workers_area));
}

static gboolean
on_tick (gpointer data)
{
  sample (data);
  return G_SOURCE_CONTINUE;
}

void
fl_concurrency_view_set_bridge (FlConcurrencyView *self, FlPipelineBridge *bridge, guint threads)
{
  g_return_if_fail (FL_IS_CONCURRENCY_VIEW (self));

  if (self->bridge != NULL)
    sample (self); /* the last picture includes the run's end */
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_pointer (&self->bridge, fl_pipeline_bridge_unref);
  if (bridge == NULL)
    return;
  self->bridge = fl_pipeline_bridge_ref (bridge);
  self->threads = MAX (threads, 1);
  self->head = self->n_samples = 0;
  self->max_in_flight = 0;
  self->n_workers = 0;
  sample (self);
  self->tick_id = g_timeout_add (FL_BRIDGE_TICK_MS, on_tick, self);
}

guint
fl_concurrency_view_get_max_in_flight (FlConcurrencyView *self)
{
  return self->max_in_flight;
}

guint
fl_concurrency_view_get_n_workers (FlConcurrencyView *self)
{
  return self->n_workers;
}

guint
fl_concurrency_view_get_worker_frames (FlConcurrencyView *self, guint worker)
{
  return worker < self->n_workers ? self->workers[worker].frames : 0;
}

/* Newest sample on the right; the height is the share of the threads busy. */
static void
draw_in_flight (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  FlConcurrencyView *self = data;
  const guint n_samples = N_SAMPLES;
  double column = (double) w / n_samples;
  FlChartColors c;

  fl_chart_colors_get (GTK_WIDGET (area), &c);
  gdk_cairo_set_source_rgba (cr, &c.grid);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_fill (cr);
  gdk_cairo_set_source_rgba (cr, &c.accent);
  for (guint i = 0; i < self->n_samples; i++)
    {
      guint value = self->samples[(self->head + N_SAMPLES - self->n_samples + i) % N_SAMPLES];
      double bar = round (h * MIN ((double) value / self->threads, 1.0));
      double x = w - (self->n_samples - i) * column;

      if (bar > 0)
        cairo_rectangle (cr, floor (x), h - bar, ceil (column), bar);
    }
  cairo_fill (cr);
}

/* One row per worker: the whole GIF's frames as a track, with the slices the
 * worker took in a muted colour, turning to the accent colour once encoded. */
static void
draw_workers (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  FlConcurrencyView *self = data;
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), NULL);
  g_autofree char **texts = NULL;
  double track_x = 0, track_w;
  FlChartColors c;
  PangoFontDescription *font;

  if (self->n_workers == 0)
    return;
  fl_chart_colors_get (GTK_WIDGET (area), &c);
  font = pango_font_description_copy (pango_context_get_font_description (
    pango_layout_get_context (layout)));
  pango_font_description_set_size (font, pango_font_description_get_size (font) * 0.85);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  /* The strips start after the widest label. */
  texts = g_new0 (char *, self->n_workers + 1);
  for (guint i = 0; i < self->n_workers; i++)
    {
      int width;

      /* TRANSLATORS: a GIF worker process and the frames it encoded: "#1  1500 frames" */
      texts[i] = g_strdup_printf (g_dngettext (NULL, "#%u  %u frame", "#%u  %u frames",
                                               self->workers[i].frames),
                                  i + 1, self->workers[i].frames);
      pango_layout_set_text (layout, texts[i], -1);
      pango_layout_get_pixel_size (layout, &width, NULL);
      track_x = MAX (track_x, width + 8.0);
    }
  track_w = w - track_x;
  for (guint i = 0; i < self->n_workers; i++)
    {
      double y = i * (ROW_HEIGHT + ROW_GAP);

      fl_chart_text (cr, layout, texts[i], 0, y + ROW_HEIGHT / 2.0, 0, 0.5, &c.fg);
      g_free (texts[i]);
      if (track_w < 10)
        continue;
      gdk_cairo_set_source_rgba (cr, &c.grid);
      cairo_rectangle (cr, track_x, y, track_w, ROW_HEIGHT);
      cairo_fill (cr);
      for (int encoded = 0; encoded <= 1; encoded++)
        {
          gdk_cairo_set_source_rgba (cr, encoded ? &c.accent : &c.baseline);
          for (guint s = 0; s < FL_BRIDGE_SLICES; s++)
            if (self->slices[s] == 2 * (gint) (i + 1) + encoded)
              {
                double x0 = round (track_x + track_w * s / FL_BRIDGE_SLICES);
                double x1 = round (track_x + track_w * (s + 1) / FL_BRIDGE_SLICES);

                cairo_rectangle (cr, x0, y, MAX (x1 - x0, 1), ROW_HEIGHT);
              }
          cairo_fill (cr);
        }
    }
}

static void
fl_concurrency_view_dispose (GObject *object)
{
  FlConcurrencyView *self = FL_CONCURRENCY_VIEW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_pointer (&self->bridge, fl_pipeline_bridge_unref);
  fl_widget_dispose_template_children (GTK_WIDGET (self), FL_TYPE_CONCURRENCY_VIEW);
  G_OBJECT_CLASS (fl_concurrency_view_parent_class)->dispose (object);
}

static void
fl_concurrency_view_class_init (FlConcurrencyViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = fl_concurrency_view_dispose;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/frameloom/Frameloom/fl-concurrency-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FlConcurrencyView, in_flight_label);
  gtk_widget_class_bind_template_child (widget_class, FlConcurrencyView, in_flight_area);
  gtk_widget_class_bind_template_child (widget_class, FlConcurrencyView, workers_label);
  gtk_widget_class_bind_template_child (widget_class, FlConcurrencyView, workers_area);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
fl_concurrency_view_init (FlConcurrencyView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->threads = 1;
  gtk_drawing_area_set_draw_func (self->in_flight_area, draw_in_flight, self, NULL);
  gtk_drawing_area_set_draw_func (self->workers_area, draw_workers, self, NULL);
  update_labels (self);
}
