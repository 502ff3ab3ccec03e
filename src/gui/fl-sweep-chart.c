/* fl-sweep-chart.c: the sweep as fl-draw-sweep draws it, in the style's
 * colours, with the summary's sentence as a property. */
#include "fl-sweep-chart.h"

#include "fl-chart-util.h"
#include "fl-draw-sweep.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

struct _FlSweepChart
{
  GtkWidget parent_instance;

  FlSweepKind kind;
  GArray *values;    /* guint, the planned x values */
  GPtrArray *runs;   /* FlRunRecord, labelled by their value */
  guint cores;
  FlSweepSummary *summary;  /* of runs, NULL before the first */
  char *sentence;
  FlPresetId hint;          /* the preset the sentence points at, or CUSTOM */
  guint n_x_labels;         /* written under the axis at the last draw */
};

G_DEFINE_FINAL_TYPE (FlSweepChart, fl_sweep_chart, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SENTENCE,
  PROP_HINT_PRESET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
run_value (FlSweepChart *self, const FlRunRecord *record)
{
  return self->kind == FL_SWEEP_THREADS ? record->threads : record->processes;
}

static void
describe (FlSweepChart *self, FlDrawSweep *sweep)
{
  memset (sweep, 0, sizeof *sweep);
  sweep->kind = self->kind;
  sweep->values = (const guint *) (gconstpointer) self->values->data;
  sweep->n_values = self->values->len;
  sweep->summary = self->summary;
  sweep->cores = self->cores;
  sweep->empty_text = self->kind == FL_SWEEP_THREADS ? _("Sweep Threads fills this chart")
                                                     : _("Sweep Processes fills this chart");
}

static void
layout_geometry (FlSweepChart *self, FlDrawSweepGeometry *g)
{
  FlDrawStyle style;
  FlDrawSweep sweep;

  fl_chart_style_get (GTK_WIDGET (self), &style);
  describe (self, &sweep);
  fl_draw_sweep_layout (NULL, &sweep, &style, gtk_widget_get_width (GTK_WIDGET (self)),
                        gtk_widget_get_height (GTK_WIDGET (self)), g);
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
  FlDrawSweepGeometry g;
  FlDrawStyle style;
  FlDrawSweep sweep;
  cairo_t *cr;

  if (w < 1 || h < 1)
    return;
  fl_chart_style_get (widget, &style);
  describe (self, &sweep);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  fl_draw_sweep (cr, &sweep, &style, w, h, &g);
  cairo_destroy (cr);
  self->n_x_labels = g.n_x_labels;
}

double
fl_sweep_chart_value_to_x (FlSweepChart *self, double value)
{
  FlDrawSweepGeometry g;
  double unit = self->kind == FL_SWEEP_THREADS ? log2 (MAX (value, 1e-9)) : value;

  layout_geometry (self, &g);
  if (self->values->len == 0 || unit < g.lo - 1e-9 || unit > g.hi + 1e-9)
    return -1;
  return round (fl_draw_sweep_x (&g, value));
}

static const FlSweepPoint *
get_point (FlSweepChart *self, guint index)
{
  if (self->summary == NULL || index >= self->summary->points->len)
    return NULL;
  return &g_array_index (self->summary->points, FlSweepPoint, index);
}

double
fl_sweep_chart_time_to_y (FlSweepChart *self, guint index)
{
  const FlSweepPoint *p = get_point (self, index);
  FlDrawSweepGeometry g;

  if (p == NULL || p->seconds.n == 0)
    return -1;
  layout_geometry (self, &g);
  return fl_draw_sweep_y (&g, FL_DRAW_SWEEP_TIME, p->seconds.median);
}

double
fl_sweep_chart_to_y (FlSweepChart *self, int plot, double value)
{
  FlDrawSweepGeometry g;

  layout_geometry (self, &g);
  return fl_draw_sweep_y (&g, plot, value);
}

const FlSweepSummary *
fl_sweep_chart_get_summary (FlSweepChart *self)
{
  return self->summary;
}

const char *
fl_sweep_chart_get_sentence (FlSweepChart *self)
{
  return self->sentence;
}

FlPresetId
fl_sweep_chart_get_hint_preset (FlSweepChart *self)
{
  return self->hint;
}

/* The summary's sentence; when the runs had nothing to hide, the workload
 * that would give them something. */
static void
update_sentence (FlSweepChart *self)
{
  FlPresetId hint = FL_PRESET_CUSTOM;
  g_autofree char *text = NULL;

  if (self->summary == NULL)
    text = g_strdup ("");
  else if (self->summary->nothing_to_hide)
    {
      hint = self->kind == FL_SWEEP_THREADS ? FL_PRESET_SLOW_NETWORK : FL_PRESET_HEAVY_FRAMES;
      text = g_strdup_printf (self->kind == FL_SWEEP_THREADS
                                /* TRANSLATORS: after the sentence of a sweep that had nothing to
                                 * hide; %s is a workload preset's name */
                                ? _("%s Choose the “%s” workload beside the server to give "
                                    "threads some waiting to hide.")
                                : _("%s Choose the “%s” workload beside the server to give "
                                    "processes real work to share."),
                              self->summary->sentence, fl_preset_get_name (hint));
    }
  else
    text = g_strdup (self->summary->sentence);
  if (g_strcmp0 (text, self->sentence) != 0)
    {
      g_free (self->sentence);
      self->sentence = g_steal_pointer (&text);
      /* What a screen reader says: the sentence is the thing to see. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      self->sentence, -1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENTENCE]);
    }
  if (hint != self->hint)
    {
      self->hint = hint;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HINT_PRESET]);
    }
}

static int
compare_runs (gconstpointer a, gconstpointer b, gpointer user_data)
{
  guint x = run_value (user_data, *(FlRunRecord *const *) a);
  guint y = run_value (user_data, *(FlRunRecord *const *) b);

  return x < y ? -1 : x > y;
}

/* The points in order of value (the sort is stable, the repetitions keep
 * theirs), so the smallest, the planned baseline, comes first. */
static void
update_summary (FlSweepChart *self)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();

  /* Borrowed pointers: the copy frees none of them. */
  g_ptr_array_extend (sorted, self->runs, NULL, NULL);
  g_clear_pointer (&self->summary, fl_sweep_summary_free);
  if (self->runs->len > 0)
    {
      g_ptr_array_sort_with_data (sorted, compare_runs, self);
      self->summary = fl_sweep_summarize (self->kind, FL_STAGE_DOWNLOAD, sorted, 0, sorted->len,
                                          self->cores);
    }
  update_sentence (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

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
  update_summary (self);
}

void
fl_sweep_chart_add_run (FlSweepChart *self, const FlRunRecord *record)
{
  FlRunRecord *copy;

  g_return_if_fail (FL_IS_SWEEP_CHART (self));

  /* A point is a value: the runs are grouped by it, whatever their label. */
  copy = fl_run_record_copy (record);
  g_free (copy->label);
  copy->label = g_strdup_printf (self->kind == FL_SWEEP_THREADS ? "threads=%u" : "processes=%u",
                                 run_value (self, record));
  g_ptr_array_add (self->runs, copy);
  update_summary (self);
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
  update_summary (self);
}

static void
fl_sweep_chart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlSweepChart *self = FL_SWEEP_CHART (object);

  switch (prop_id)
    {
    case PROP_SENTENCE:
      g_value_set_string (value, self->sentence);
      break;
    case PROP_HINT_PRESET:
      g_value_set_int (value, self->hint);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_sweep_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                        int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  /* Two plots, each readable, with their names, the key and the efficiency row. */
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 260 : 440;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 400 : 480;
}

static void
fl_sweep_chart_finalize (GObject *object)
{
  FlSweepChart *self = FL_SWEEP_CHART (object);

  g_array_unref (self->values);
  g_ptr_array_unref (self->runs);
  fl_sweep_summary_free (self->summary);
  g_free (self->sentence);
  G_OBJECT_CLASS (fl_sweep_chart_parent_class)->finalize (object);
}

static void
fl_sweep_chart_class_init (FlSweepChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fl_sweep_chart_finalize;
  G_OBJECT_CLASS (klass)->get_property = fl_sweep_chart_get_property;
  /* The summary's one plain sentence, with the workload to try when the runs
   * had nothing to hide; "" before the first run. */
  properties[PROP_SENTENCE] = g_param_spec_string ("sentence", NULL, NULL, "",
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The FlPresetId the sentence points at, FL_PRESET_CUSTOM (-1) for none. */
  properties[PROP_HINT_PRESET] = g_param_spec_int ("hint-preset", NULL, NULL, FL_PRESET_CUSTOM,
                                                   FL_N_PRESETS - 1, FL_PRESET_CUSTOM,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (G_OBJECT_CLASS (klass), N_PROPS, properties);
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
  self->hint = FL_PRESET_CUSTOM;
  self->sentence = g_strdup ("");
}

GtkWidget *
fl_sweep_chart_new (void)
{
  return g_object_new (FL_TYPE_SWEEP_CHART, NULL);
}
