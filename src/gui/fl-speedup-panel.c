/* fl-speedup-panel.c: runs fl_sweep_run on a thread and feeds the charts. */
#include "fl-speedup-panel.h"

#include "fl-error.h"
#include "fl-run-object.h"
#include "fl-core-async.h"

#include <glib/gi18n.h>

#define MAX_SWEEP_PROCESSES 16

struct _FlSpeedupPanel
{
  GtkWidget parent_instance;

  GCancellable *cancellable;  /* of the current sweep, NULL when idle */
  FlRunModel *model;          /* of the current or the last sweep */
  FlSweepKind kind;
  guint max_threads;
  GPtrArray *compare;         /* the records of the current compare */
  guint n_handled;            /* runs of the current sweep shown so far */
  char *error;

  GtkStack *stack;
  GtkWidget *charts_page;
  GtkLabel *status_label;
  GtkProgressBar *progress_bar;
  GtkLabel *error_label;
  FlBarChart *compare_chart;
  FlSweepChart *threads_chart;
  FlSweepChart *processes_chart;
};

G_DEFINE_FINAL_TYPE (FlSpeedupPanel, fl_speedup_panel, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_ERROR,
  N_PROPS
};

enum
{
  RUN_RECORDED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

GArray *
fl_speedup_panel_sweep_values (FlSweepKind kind)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (guint));

  if (kind == FL_SWEEP_THREADS)
    for (guint t = 1; t <= 128; t *= 2)
      g_array_append_val (values, t);
  else if (kind == FL_SWEEP_PROCESSES)
    {
      guint cores = MAX (g_get_num_processors (), 1);

      for (guint p = 1; p <= MIN (2 * cores, MAX_SWEEP_PROCESSES); p++)
        g_array_append_val (values, p);
    }
  return values;
}

/* Above the charts, and "error" notifies for the window's banner. */
static void
set_error (FlSpeedupPanel *self, const char *message)
{
  if (g_strcmp0 (self->error, message) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* Shows a finished run in its chart and hands it to the history. */
static void
handle_record (FlSpeedupPanel *self, const FlRunRecord *record)
{
  g_autoptr (FlRunObject) run = NULL;

  self->n_handled++;
  /* The run that Cancel stopped measured nothing: like a cancelled client run,
   * it stays out of the charts and the history. */
  if (!record->ok && g_cancellable_is_cancelled (self->cancellable))
    return;
  if (self->kind == FL_SWEEP_COMPARE)
    {
      g_ptr_array_add (self->compare, fl_run_record_copy (record));
      if (self->compare->len == 2)
        fl_bar_chart_set_runs (self->compare_chart, g_ptr_array_index (self->compare, 0),
                               g_ptr_array_index (self->compare, 1));
    }
  else
    fl_sweep_chart_add_run (self->kind == FL_SWEEP_THREADS ? self->threads_chart
                                                           : self->processes_chart,
                            record);
  run = fl_run_object_new (record);
  g_signal_emit (self, signals[RUN_RECORDED], 0, run);
}

/* A run of the current sweep started or finished (fl-core-async.h calls this on
 * the main thread, never after on_sweep_done). */
static void
on_run (guint index, guint total, const FlRunRecord *record, gboolean finished,
        gpointer user_data)
{
  FlSpeedupPanel *self = user_data;
  g_autofree char *text = NULL;

  /* Disposed meanwhile, or one that handle_record already took. */
  if (self->cancellable == NULL || index < self->n_handled)
    return;
  gtk_progress_bar_set_fraction (self->progress_bar, (double) (index + finished) / total);
  /* TRANSLATORS: progress of a sweep: "Run 3 of 8: threads=4" */
  text = g_strdup_printf (_("Run %u of %u: %s"), index + 1, total, record->label);
  gtk_progress_bar_set_text (self->progress_bar, text);
  if (finished && index == self->n_handled)
    handle_record (self, record);
}

static void
on_sweep_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlSpeedupPanel) self = user_data;
  g_autoptr (GError) error = NULL;
  GPtrArray *records;
  gboolean ok, cancelled;

  ok = fl_core_sweep_finish (result, &records, &error);
  cancelled = g_error_matches (error, FL_ERROR, FL_ERROR_CANCELLED)
              || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_application_release (g_application_get_default ());
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  /* Calls still queued when the sweep ended are not made: the records are the truth. */
  for (guint i = self->n_handled; i < records->len; i++)
    handle_record (self, g_ptr_array_index (records, i));
  g_clear_object (&self->cancellable);
  if (ok)
    gtk_label_set_text (self->status_label, self->kind == FL_SWEEP_COMPARE ? _("Compare done.")
                                                                           : _("Sweep done."));
  else if (cancelled)
    gtk_label_set_text (self->status_label, _("Cancelled; the finished runs are kept."));
  else
    {
      gtk_label_set_text (self->status_label, "");
      set_error (self, error->message);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_signal_emit (self, signals[FINISHED], 0, ok);
}

void
fl_speedup_panel_start (FlSpeedupPanel *self, FlSweepKind kind, FlRunSetup *setup)
{
  g_autoptr (GArray) values = NULL;

  g_return_if_fail (FL_IS_SPEEDUP_PANEL (self));
  if (self->cancellable != NULL)
    {
      fl_run_setup_free (setup);
      return;
    }
  values = fl_speedup_panel_sweep_values (kind);
  if (kind == FL_SWEEP_PROCESSES)
    {
      /* The frames are downloaded once, as fast as the configuration allows. */
      setup->config.run_download = TRUE;
    }

  self->kind = kind;
  self->n_handled = 0;
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->model);
  self->model = fl_run_model_new ();
  self->max_threads = kind == FL_SWEEP_THREADS
                        ? g_array_index (values, guint, values->len - 1)
                        : setup->config.download.threads;
  set_error (self, NULL);
  gtk_stack_set_visible_child (self->stack, self->charts_page);
  if (kind == FL_SWEEP_COMPARE)
    {
      g_ptr_array_set_size (self->compare, 0);
      fl_bar_chart_set_runs (self->compare_chart, NULL, NULL);
      gtk_label_set_text (self->status_label, _("Comparing with the baseline…"));
    }
  else
    {
      fl_sweep_chart_set_plan (kind == FL_SWEEP_THREADS ? self->threads_chart
                                                        : self->processes_chart,
                               kind, (const guint *) values->data, values->len);
      gtk_label_set_text (self->status_label, kind == FL_SWEEP_THREADS
                                                ? _("Sweeping download threads…")
                                                : _("Sweeping GIF processes…"));
    }
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting"));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);

  g_application_hold (g_application_get_default ());
  fl_core_sweep_async (kind, setup, values, NULL, self->model, on_run, self, self->cancellable,
                       on_sweep_done, g_object_ref (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
fl_speedup_panel_cancel (FlSpeedupPanel *self)
{
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      gtk_label_set_text (self->status_label, _("Cancelling…"));
    }
}

gboolean
fl_speedup_panel_get_running (FlSpeedupPanel *self)
{
  return self->cancellable != NULL;
}

FlPipelineBridge *
fl_speedup_panel_get_bridge (FlSpeedupPanel *self)
{
  return self->cancellable != NULL ? fl_run_model_get_bridge (self->model) : NULL;
}

FlRunModel *
fl_speedup_panel_get_model (FlSpeedupPanel *self)
{
  g_return_val_if_fail (FL_IS_SPEEDUP_PANEL (self), NULL);
  return self->model;
}

guint
fl_speedup_panel_get_max_threads (FlSpeedupPanel *self)
{
  return self->max_threads;
}

const char *
fl_speedup_panel_get_error (FlSpeedupPanel *self)
{
  return self->error;
}

FlBarChart *
fl_speedup_panel_get_compare_chart (FlSpeedupPanel *self)
{
  return self->compare_chart;
}

FlSweepChart *
fl_speedup_panel_get_sweep_chart (FlSpeedupPanel *self, FlSweepKind kind)
{
  return kind == FL_SWEEP_THREADS ? self->threads_chart : self->processes_chart;
}

static void
fl_speedup_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, fl_speedup_panel_get_running (FL_SPEEDUP_PANEL (object)));
      break;
    case PROP_ERROR:
      g_value_set_string (value, FL_SPEEDUP_PANEL (object)->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_speedup_panel_dispose (GObject *object)
{
  FlSpeedupPanel *self = FL_SPEEDUP_PANEL (object);

  /* The thread stops within a second and drops its data itself. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->model);
  gtk_widget_dispose_template (GTK_WIDGET (self), FL_TYPE_SPEEDUP_PANEL);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (fl_speedup_panel_parent_class)->dispose (object);
}

static void
fl_speedup_panel_finalize (GObject *object)
{
  FlSpeedupPanel *self = FL_SPEEDUP_PANEL (object);

  g_ptr_array_unref (self->compare);
  g_free (self->error);
  G_OBJECT_CLASS (fl_speedup_panel_parent_class)->finalize (object);
}

static void
fl_speedup_panel_class_init (FlSpeedupPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_speedup_panel_dispose;
  object_class->finalize = fl_speedup_panel_finalize;
  object_class->get_property = fl_speedup_panel_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The sentence of the last failed compare or sweep, or NULL. */
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  signals[RUN_RECORDED] = g_signal_new ("run-recorded", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        FL_TYPE_RUN_OBJECT);
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (FL_TYPE_BAR_CHART);
  g_type_ensure (FL_TYPE_SWEEP_CHART);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/frameloom/Frameloom/fl-speedup-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, charts_page);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, compare_chart);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, threads_chart);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, processes_chart);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
fl_speedup_panel_init (FlSpeedupPanel *self)
{
  g_autoptr (GArray) threads = fl_speedup_panel_sweep_values (FL_SWEEP_THREADS);
  g_autoptr (GArray) processes = fl_speedup_panel_sweep_values (FL_SWEEP_PROCESSES);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->compare = g_ptr_array_new_with_free_func ((GDestroyNotify) fl_run_record_free);
  /* Empty axes from the start: the user sees what a sweep will measure. */
  fl_sweep_chart_set_plan (self->threads_chart, FL_SWEEP_THREADS, (const guint *) threads->data,
                           threads->len);
  fl_sweep_chart_set_plan (self->processes_chart, FL_SWEEP_PROCESSES,
                           (const guint *) processes->data, processes->len);
}
