/* fl-speedup-panel.c: runs fl_sweep_run on a thread and feeds the charts. */
#include "fl-speedup-panel.h"

#include "fl-application.h"
#include "fl-error.h"
#include "fl-run-object.h"
#include "fl-core-async.h"
#include "fl-widget-util.h"

#include <string.h>

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
  guint n_handled;            /* kept runs of the current sweep shown so far */
  guint n_kept_seen;          /* kept runs on_run saw finish (warm-ups are not kept) */
  char *error;
  GSettings *settings;
  GArray *plans[2];           /* values set for each sweep kind, or NULL: the default */

  GtkStack *stack;
  GtkWidget *charts_page;
  GtkLabel *status_label;
  GtkProgressBar *progress_bar;
  GtkLabel *error_label;
  FlBarChart *compare_chart;
  FlSweepChart *threads_chart;
  FlSweepChart *processes_chart;
  GtkLabel *threads_sentence;
  GtkLabel *processes_sentence;
  GtkLabel *compare_sentence;
  GtkSpinButton *warmup_spin;
  GtkSpinButton *repeat_spin;
  GtkSpinButton *empty_warmup_spin;
  GtkSpinButton *empty_repeat_spin;
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
  fl_widget_set_error (G_OBJECT (self), properties[PROP_ERROR], &self->error, self->error_label,
                       GTK_WIDGET (self->error_label), message);
}

/* The compare's bars and, under them, what each stage's runs show. */
static void
show_compare (FlSpeedupPanel *self)
{
  g_autoptr (GString) text = g_string_new (NULL);

  fl_bar_chart_set_compare (self->compare_chart, self->compare);
  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      const FlSweepSummary *summary = fl_bar_chart_get_stage_summary (self->compare_chart, stage);

      if (summary == NULL || summary->points->len < 2
          || g_array_index (summary->points, FlSweepPoint, 0).seconds.n == 0)
        continue;
      /* TRANSLATORS: a compare's sentence per stage: "Download: 8 threads hid ..." */
      g_string_append_printf (text, "%s%s: %s", text->len ? "\n" : "",
                              stage == FL_STAGE_DOWNLOAD ? _("Download") : _("GIF encoding"),
                              summary->sentence);
    }
  gtk_label_set_text (self->compare_sentence, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->compare_sentence), text->len > 0);
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
      if (self->compare->len >= 2)
        show_compare (self);
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

  /* What fl_sweep_run appends to the records: timed runs, and a failed one. */
  gboolean kept = finished && (record->repetition > 0 || !record->ok);

  /* Disposed meanwhile. */
  if (self->cancellable == NULL)
    return;
  gtk_progress_bar_set_fraction (self->progress_bar, (double) (index + finished) / total);
  if (record->repetition == 0)
    /* TRANSLATORS: progress of a sweep, an untimed run: "Run 1 of 32: threads=4, warm-up" */
    text = g_strdup_printf (_("Run %u of %u: %s, warm-up"), index + 1, total, record->label);
  else
    /* TRANSLATORS: progress of a sweep: "Run 3 of 8: threads=4" */
    text = g_strdup_printf (_("Run %u of %u: %s"), index + 1, total, record->label);
  gtk_progress_bar_set_text (self->progress_bar, text);
  /* A warm-up is progress only: it measures nothing the records keep. The
   * kept runs arrive in the records' order; one on_sweep_done took is skipped. */
  if (kept && self->n_kept_seen++ == self->n_handled)
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
  FlSweepOptions options;

  g_return_if_fail (FL_IS_SPEEDUP_PANEL (self));
  if (self->cancellable != NULL)
    {
      fl_run_setup_free (setup);
      return;
    }
  values = kind != FL_SWEEP_COMPARE && self->plans[kind] != NULL
             ? g_array_copy (self->plans[kind])
             : fl_speedup_panel_sweep_values (kind);
  fl_speedup_panel_get_options (self, &options);
  if (kind == FL_SWEEP_PROCESSES)
    {
      /* The frames are downloaded once, as fast as the configuration allows. */
      setup->config.run_download = TRUE;
    }

  self->kind = kind;
  self->n_handled = 0;
  self->n_kept_seen = 0;
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
      gtk_widget_set_visible (GTK_WIDGET (self->compare_sentence), FALSE);
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
  fl_core_sweep_async (kind, setup, values, &options, self->model, on_run, self,
                       self->cancellable, on_sweep_done, g_object_ref (self));
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

static void reset_plan (FlSpeedupPanel *self, FlSweepKind kind);

void
fl_speedup_panel_get_options (FlSpeedupPanel *self, FlSweepOptions *options)
{
  GtkSpinButton *repeat = self->repeat_spin, *warmup = self->warmup_spin;

  /* What the fields show, typed but not confirmed included. */
  gtk_spin_button_update (repeat);
  gtk_spin_button_update (warmup);
  memset (options, 0, sizeof *options);
  options->repeat = (guint) MAX (gtk_spin_button_get_value_as_int (repeat), 1);
  options->warmup = (guint) MAX (gtk_spin_button_get_value_as_int (warmup), 0);
  /* Every download overwrites the frames of the run before: the same state
   * for every point, and no folder to empty between runs. */
  options->fresh_frames = FALSE;
}

void
fl_speedup_panel_set_sweep_values (FlSpeedupPanel *self, FlSweepKind kind, const guint *values,
                                   guint n_values)
{
  g_return_if_fail (kind == FL_SWEEP_THREADS || kind == FL_SWEEP_PROCESSES);

  g_clear_pointer (&self->plans[kind], g_array_unref);
  if (values != NULL && n_values > 0)
    {
      self->plans[kind] = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_append_vals (self->plans[kind], values, n_values);
    }
  if (self->cancellable == NULL || self->kind != kind)
    reset_plan (self, kind);
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
  fl_widget_dispose_template_children (GTK_WIDGET (self), FL_TYPE_SPEEDUP_PANEL);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (fl_speedup_panel_parent_class)->dispose (object);
}

static void
fl_speedup_panel_finalize (GObject *object)
{
  FlSpeedupPanel *self = FL_SPEEDUP_PANEL (object);

  g_ptr_array_unref (self->compare);
  g_free (self->error);
  g_clear_pointer (&self->plans[0], g_array_unref);
  g_clear_pointer (&self->plans[1], g_array_unref);
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
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, threads_sentence);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, processes_sentence);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, compare_sentence);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, warmup_spin);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, repeat_spin);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, empty_warmup_spin);
  gtk_widget_class_bind_template_child (widget_class, FlSpeedupPanel, empty_repeat_spin);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

/* The chart's empty axes: the user sees what a sweep of kind will measure. */
static void
reset_plan (FlSpeedupPanel *self, FlSweepKind kind)
{
  g_autoptr (GArray) values = self->plans[kind] != NULL ? g_array_copy (self->plans[kind])
                                                        : fl_speedup_panel_sweep_values (kind);

  fl_sweep_chart_set_plan (kind == FL_SWEEP_THREADS ? self->threads_chart : self->processes_chart,
                           kind, (const guint *) (gconstpointer) values->data, values->len);
}

static void
fl_speedup_panel_init (FlSpeedupPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->compare = g_ptr_array_new_with_free_func ((GDestroyNotify) fl_run_record_free);
  reset_plan (self, FL_SWEEP_THREADS);
  reset_plan (self, FL_SWEEP_PROCESSES);
  g_object_bind_property (self->threads_chart, "sentence", self->threads_sentence, "label",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->processes_chart, "sentence", self->processes_sentence, "label",
                          G_BINDING_SYNC_CREATE);
  /* The empty page's fields and the charts page's are one pair. */
  g_object_bind_property (self->warmup_spin, "value", self->empty_warmup_spin, "value",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->repeat_spin, "value", self->empty_repeat_spin, "value",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  self->settings = fl_settings_new ();
  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "sweep-warmup", self->warmup_spin, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "sweep-repeat", self->repeat_spin, "value",
                       G_SETTINGS_BIND_DEFAULT);
    }
}
