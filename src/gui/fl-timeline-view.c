/* fl-timeline-view.c: the run model's events -> FlTimeline -> fl_draw_timeline
 * through gtk_snapshot_append_cairo; zoom, pan and hover in time. */
#include "fl-timeline-view.h"

#include "fl-draw-timeline.h"

#include <adwaita.h>
#include <glib/gi18n.h>

/* The figures are recomputed at most this often while a run is live. */
#define FIGURES_INTERVAL_US (500 * 1000)
/* The narrowest stretch of time a zoom shows. */
#define MIN_SPAN_US 50
/* Hover finds a span this many pixels away. */
#define HOVER_SLOP_PX 3.0

/* The drawing: a widget of its own so that it measures the rows' height and
 * draws through gtk_snapshot_append_cairo. */
#define FL_TYPE_TIMELINE_CANVAS (fl_timeline_canvas_get_type ())
G_DECLARE_FINAL_TYPE (FlTimelineCanvas, fl_timeline_canvas, FL, TIMELINE_CANVAS, GtkWidget)

struct _FlTimelineCanvas
{
  GtkWidget parent_instance;
  FlTimelineView *view;  /* not a reference: the view owns the canvas */
};

G_DEFINE_FINAL_TYPE (FlTimelineCanvas, fl_timeline_canvas, GTK_TYPE_WIDGET)

struct _FlTimelineView
{
  GtkWidget parent_instance;

  FlRunModel *model;
  FlTimeline *timeline;
  gint64 origin, end;      /* the whole run */
  gint64 t0, t1;           /* in view */
  gboolean follow;         /* the view is the whole run, and stays so as it grows */
  gboolean syncing;        /* the adjustment's change is ours */
  gint64 figures_time;
  gint64 drag_t0;
  char *figures;

  GtkStack *stack;
  GtkWidget *empty_page;
  GtkWidget *timeline_page;
  GtkLabel *title_label;
  GtkWidget *canvas;
  GtkAdjustment *adjustment;
  GtkLabel *figures_label;
};

G_DEFINE_FINAL_TYPE (FlTimelineView, fl_timeline_view, GTK_TYPE_WIDGET)

static void
fl_timeline_canvas_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                            int *minimum, int *natural, int *minimum_baseline,
                            int *natural_baseline)
{
  FlTimelineCanvas *self = FL_TIMELINE_CANVAS (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = 320;
  else
    *minimum = *natural = self->view != NULL && self->view->timeline != NULL
                            ? (int) ceil (fl_draw_timeline_get_height (self->view->timeline))
                            : 100;
}

static void
get_draw_view (FlTimelineView *self, FlDrawTimelineView *out)
{
  *out = (FlDrawTimelineView) {
    .t0 = self->t0, .t1 = MAX (self->t1, self->t0 + 1), .origin = self->origin,
    .width = gtk_widget_get_width (self->canvas),
    .dark = adw_style_manager_get_dark (adw_style_manager_get_default ()),
  };
}

static void
fl_timeline_canvas_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FlTimelineCanvas *self = FL_TIMELINE_CANVAS (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  FlDrawTimelineView view;
  cairo_t *cr;

  if (self->view == NULL || self->view->timeline == NULL || width <= 0 || height <= 0)
    return;
  get_draw_view (self->view, &view);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  fl_draw_timeline (cr, self->view->timeline, &view);
  cairo_destroy (cr);
}

static void
fl_timeline_canvas_class_init (FlTimelineCanvasClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->measure = fl_timeline_canvas_measure;
  widget_class->snapshot = fl_timeline_canvas_snapshot;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fl_timeline_canvas_init (FlTimelineCanvas *self)
{
}

/* The scrollbar follows the view. */
static void
sync_adjustment (FlTimelineView *self)
{
  double upper = (double) MAX (self->end - self->origin, 1);
  double page = (double) (self->t1 - self->t0);

  self->syncing = TRUE;
  gtk_adjustment_configure (self->adjustment, (double) (self->t0 - self->origin), 0, upper,
                            page / 10, page * 0.9, page);
  self->syncing = FALSE;
}

/* Keeps t0..t1 inside the run and at least MIN_SPAN_US wide. */
static void
set_visible (FlTimelineView *self, gint64 t0, gint64 t1)
{
  gint64 whole = MAX (self->end - self->origin, 1);
  gint64 span = CLAMP (t1 - t0, MIN (MIN_SPAN_US, whole), whole);

  t0 = CLAMP (t0, self->origin, self->origin + whole - span);
  self->t0 = t0;
  self->t1 = t0 + span;
  self->follow = span >= whole;
  sync_adjustment (self);
  gtk_widget_queue_draw (self->canvas);
}

void
fl_timeline_view_zoom (FlTimelineView *self, double factor, double fraction)
{
  double span = (double) (self->t1 - self->t0);
  gint64 anchor = self->t0 + (gint64) (span * fraction);
  gint64 new_span = (gint64) MAX (span / factor, 1.0);

  g_return_if_fail (FL_IS_TIMELINE_VIEW (self) && factor > 0);
  set_visible (self, anchor - (gint64) (new_span * fraction), anchor - (gint64) (new_span * fraction)
                                                               + new_span);
}

void
fl_timeline_view_zoom_to_fit (FlTimelineView *self)
{
  g_return_if_fail (FL_IS_TIMELINE_VIEW (self));
  set_visible (self, self->origin, self->end);
}

void
fl_timeline_view_get_visible (FlTimelineView *self, gint64 *t0, gint64 *t1)
{
  *t0 = self->t0;
  *t1 = self->t1;
}

FlTimeline *
fl_timeline_view_get_timeline (FlTimelineView *self)
{
  return self->timeline;
}

FlRunModel *
fl_timeline_view_get_model (FlTimelineView *self)
{
  return self->model;
}

GtkWidget *
fl_timeline_view_get_canvas (FlTimelineView *self)
{
  return self->canvas;
}

const char *
fl_timeline_view_get_figures (FlTimelineView *self)
{
  return self->figures;
}

static void
update_figures (FlTimelineView *self)
{
  g_auto (GStrv) lines = fl_draw_timeline_describe (self->timeline);

  g_free (self->figures);
  self->figures = g_strjoinv ("\n", lines);
  gtk_label_set_text (self->figures_label, self->figures);
  self->figures_time = g_get_monotonic_time ();
}

static void
update_title (FlTimelineView *self)
{
  FlRunState state = self->model ? fl_run_model_get_state (self->model) : FL_RUN_STATE_IDLE;
  const char *title;

  switch (state)
    {
    case FL_RUN_STATE_RUNNING: title = _("Live run"); break;
    case FL_RUN_STATE_DONE: title = _("Finished run"); break;
    case FL_RUN_STATE_FAILED: title = _("Failed run"); break;
    case FL_RUN_STATE_CANCELLED: title = _("Cancelled run"); break;
    default: title = ""; break;
    }
  gtk_label_set_text (self->title_label, title);
}

static void
add_events (FlTimelineView *self, guint first, guint n)
{
  GArray *events = fl_run_model_get_events_array (self->model);
  guint rows = fl_timeline_get_n_rows (self->timeline);
  gint64 t0, t1;

  fl_timeline_add (self->timeline, &g_array_index (events, FlEvent, first), n);
  if (!fl_timeline_get_range (self->timeline, &t0, &t1))
    return;
  gtk_stack_set_visible_child (self->stack, self->timeline_page);
  self->origin = t0;
  self->end = t1;
  if (self->follow)
    set_visible (self, t0, t1);
  else
    sync_adjustment (self);
  if (rows != fl_timeline_get_n_rows (self->timeline))
    gtk_widget_queue_resize (self->canvas);
  gtk_widget_queue_draw (self->canvas);
  if (g_get_monotonic_time () - self->figures_time >= FIGURES_INTERVAL_US
      || fl_run_model_get_state (self->model) != FL_RUN_STATE_RUNNING)
    update_figures (self);
}

static void
on_events_added (FlRunModel *model, guint first, guint n, FlTimelineView *self)
{
  add_events (self, first, n);
}

static void
on_state (FlTimelineView *self)
{
  update_title (self);
  update_figures (self);
}

void
fl_timeline_view_set_model (FlTimelineView *self, FlRunModel *model)
{
  g_return_if_fail (FL_IS_TIMELINE_VIEW (self));
  if (self->model == model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  g_clear_pointer (&self->timeline, fl_timeline_free);
  self->timeline = fl_timeline_new ();
  self->origin = self->end = self->t0 = self->t1 = 0;
  self->follow = TRUE;
  self->figures_time = 0;
  gtk_stack_set_visible_child (self->stack, self->empty_page);
  if (model != NULL)
    {
      g_signal_connect (model, "events-added", G_CALLBACK (on_events_added), self);
      g_signal_connect_swapped (model, "notify::state", G_CALLBACK (on_state), self);
      add_events (self, 0, fl_run_model_get_events_array (model)->len);
    }
  update_title (self);
  update_figures (self);
  gtk_widget_queue_resize (self->canvas);
}

static char *
format_us (gint64 us)
{
  /* TRANSLATORS: a duration in the timeline's tooltip: "1.25 ms" */
  return g_strdup_printf (_("%.2f ms"), (double) us / 1000.0);
}

static char *
describe_span (const FlSpan *span)
{
  g_autofree char *length = format_us (span->t1 - span->t0);
  g_autofree char *size = g_format_size (span->bytes);
  g_autofree char *a = format_us (span->phase_us[0]);
  g_autofree char *b = format_us (span->phase_us[1]);
  g_autofree char *c = format_us (span->phase_us[2]);

  switch (span->kind)
    {
    case FL_SPAN_FRAME:
      /* TRANSLATORS: timeline tooltip: "Frame 12 · 4.1 kB · 1.20 ms\nconnect 0.10 ms, ..." */
      return g_strdup_printf (_("Frame %u · %s · %s\nconnect %s, wait for the reply %s, write %s"),
                              span->index, size, length, a, b, c);
    case FL_SPAN_RETRY:
    case FL_SPAN_FAILED:
      /* TRANSLATORS: timeline tooltip: "Frame 12, attempt 1: retried · 3.00 ms" */
      return g_strdup_printf (span->kind == FL_SPAN_RETRY ? _("Frame %u, attempt %u: retried · %s")
                                                          : _("Frame %u, attempt %u: failed · %s"),
                              span->index, span->attempt, length);
    case FL_SPAN_CHUNK:
      /* TRANSLATORS: timeline tooltip: "Frames 0–99 · 120.00 ms\ndecode ..., summed" */
      return g_strdup_printf (_("Frames %u–%u · %s\ndecode %s, quantise %s, compress %s "
                                "(summed over the frames)"),
                              span->index, span->index + MAX (span->count, 1) - 1, length, a, b, c);
    default:
      /* TRANSLATORS: timeline tooltip: "Connection 12 · 4.1 kB sent · 1.20 ms\nprepare ..." */
      return g_strdup_printf (_("Connection %u · %s sent · %s\nprepare the reply %s"),
                              span->index + 1, size, length, a);
    }
}

char *
fl_timeline_view_describe_at (FlTimelineView *self, double x, double y)
{
  FlDrawTimelineView view;
  int row;
  const FlSpan *span;
  double us_per_px;

  g_return_val_if_fail (FL_IS_TIMELINE_VIEW (self), NULL);
  row = fl_draw_timeline_row_at (self->timeline, y);
  if (row < 0 || x < FL_DRAW_TIMELINE_GUTTER)
    return NULL;
  get_draw_view (self, &view);
  us_per_px = (double) (view.t1 - view.t0)
              / MAX (view.width - FL_DRAW_TIMELINE_GUTTER - FL_DRAW_TIMELINE_MARGIN, 1.0);
  span = fl_timeline_span_at (self->timeline, (guint) row, fl_draw_timeline_time_at (&view, x),
                              (gint64) (HOVER_SLOP_PX * us_per_px));
  return span != NULL ? describe_span (span) : NULL;
}

static gboolean
on_query_tooltip (GtkWidget *canvas, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                  FlTimelineView *self)
{
  g_autofree char *text = keyboard ? NULL : fl_timeline_view_describe_at (self, x, y);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* Ctrl+wheel zooms around the pointer; a sideways wheel (or Shift+wheel) pans;
 * the plain wheel scrolls the rows. */
static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, FlTimelineView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (
    GTK_EVENT_CONTROLLER (controller));
  double span = (double) (self->t1 - self->t0);

  if (state & GDK_CONTROL_MASK)
    {
      double x = 0, y = 0, width;

      gdk_event_get_position (gtk_event_controller_get_current_event (
                                GTK_EVENT_CONTROLLER (controller)), &x, &y);
      width = MAX (gtk_widget_get_width (self->canvas) - FL_DRAW_TIMELINE_GUTTER
                     - FL_DRAW_TIMELINE_MARGIN, 1.0);
      fl_timeline_view_zoom (self, dy < 0 ? 1.25 : 0.8,
                             CLAMP ((x - FL_DRAW_TIMELINE_GUTTER) / width, 0.0, 1.0));
      return TRUE;
    }
  if (state & GDK_SHIFT_MASK)
    dx = dx != 0 ? dx : dy;
  if (dx == 0)
    return FALSE;
  set_visible (self, self->t0 + (gint64) (dx * span / 10), self->t1 + (gint64) (dx * span / 10));
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, FlTimelineView *self)
{
  self->drag_t0 = self->t0;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, FlTimelineView *self)
{
  double width = MAX (gtk_widget_get_width (self->canvas) - FL_DRAW_TIMELINE_GUTTER
                        - FL_DRAW_TIMELINE_MARGIN, 1.0);
  gint64 span = self->t1 - self->t0;
  gint64 t0 = self->drag_t0 - (gint64) (dx / width * (double) span);

  set_visible (self, t0, t0 + span);
}

static void
on_adjustment_changed (FlTimelineView *self)
{
  gint64 span = self->t1 - self->t0;
  gint64 t0;

  if (self->syncing)
    return;
  t0 = self->origin + (gint64) gtk_adjustment_get_value (self->adjustment);
  set_visible (self, t0, t0 + span);
}

static void
on_zoom (GtkWidget *widget, const char *action, GVariant *param)
{
  FlTimelineView *self = FL_TIMELINE_VIEW (widget);

  if (g_str_equal (action, "timeline.zoom-in"))
    fl_timeline_view_zoom (self, 2.0, 0.5);
  else if (g_str_equal (action, "timeline.zoom-out"))
    fl_timeline_view_zoom (self, 0.5, 0.5);
  else
    fl_timeline_view_zoom_to_fit (self);
}

static void
fl_timeline_view_dispose (GObject *object)
{
  FlTimelineView *self = FL_TIMELINE_VIEW (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  if (self->canvas != NULL)
    FL_TIMELINE_CANVAS (self->canvas)->view = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), FL_TYPE_TIMELINE_VIEW);
  G_OBJECT_CLASS (fl_timeline_view_parent_class)->dispose (object);
}

static void
fl_timeline_view_finalize (GObject *object)
{
  FlTimelineView *self = FL_TIMELINE_VIEW (object);

  fl_timeline_free (self->timeline);
  g_free (self->figures);
  G_OBJECT_CLASS (fl_timeline_view_parent_class)->finalize (object);
}

static void
fl_timeline_view_class_init (FlTimelineViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_timeline_view_dispose;
  object_class->finalize = fl_timeline_view_finalize;
  g_type_ensure (FL_TYPE_TIMELINE_CANVAS);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/frameloom/Frameloom/fl-timeline-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FlTimelineView, stack);
  gtk_widget_class_bind_template_child (widget_class, FlTimelineView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, FlTimelineView, timeline_page);
  gtk_widget_class_bind_template_child (widget_class, FlTimelineView, title_label);
  gtk_widget_class_bind_template_child (widget_class, FlTimelineView, canvas);
  gtk_widget_class_bind_template_child (widget_class, FlTimelineView, adjustment);
  gtk_widget_class_bind_template_child (widget_class, FlTimelineView, figures_label);
  gtk_widget_class_bind_template_callback (widget_class, on_adjustment_changed);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-in", NULL, on_zoom);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-out", NULL, on_zoom);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-fit", NULL, on_zoom);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK,
                                       "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK,
                                       "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK,
                                       "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "timeline.zoom-fit", NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
fl_timeline_view_init (FlTimelineView *self)
{
  GtkEventController *scroll;
  GtkGesture *drag;

  gtk_widget_init_template (GTK_WIDGET (self));
  FL_TIMELINE_CANVAS (self->canvas)->view = self;
  self->timeline = fl_timeline_new ();
  self->follow = TRUE;
  gtk_widget_set_has_tooltip (self->canvas, TRUE);
  g_signal_connect (self->canvas, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (self->canvas, scroll);
  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (drag));
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self->canvas, G_CONNECT_SWAPPED);
  update_figures (self);
}
