/* fl-speedup-panel.c: runs fl_sweep_run on a thread and feeds the charts. */
#include "fl-speedup-panel.h"

#include "fl-error.h"
#include "fl-run-object.h"
#include "fl-tsan.h"

#include <glib/gi18n.h>

#define MAX_SWEEP_PROCESSES 16

struct _FlSpeedupPanel
{
  GtkWidget parent_instance;

  GCancellable *cancellable;  /* of the current sweep, NULL when idle */
  FlPipelineBridge *bridge;   /* of the current sweep */
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

typedef struct
{
  FlSweepKind kind;
  FlRunSetup *setup;
  GArray *values;
  FlPipelineBridge *bridge;
  FlSpeedupPanel *panel;      /* a reference: the thread posts to it */
  GCancellable *cancellable;
  GPtrArray *records;
} SweepData;

static void
sweep_data_free (SweepData *data)
{
  fl_run_setup_free (data->setup);
  g_array_unref (data->values);
  fl_pipeline_bridge_unref (data->bridge);
  g_object_unref (data->panel);
  g_ptr_array_unref (data->records);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SweepData, sweep_data_free)

/* One message from the sweep's thread: a run started or finished. */
typedef struct
{
  FlSpeedupPanel *panel;
  GCancellable *cancellable;  /* the sweep's: a stale message is dropped */
  guint index, total;
  gboolean finished;
  FlRunRecord *record;
} Message;

static void
message_free (Message *message)
{
  g_object_unref (message->panel);
  g_object_unref (message->cancellable);
  fl_run_record_free (message->record);
  g_free (message);
}

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

static void
handle_message (FlSpeedupPanel *self, Message *message)
{
  g_autofree char *text = NULL;

  /* A message of an older sweep, or one that on_sweep_done already took from
   * the records. */
  if (message->cancellable != self->cancellable || message->index < self->n_handled)
    return;
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 (double) (message->index + message->finished) / message->total);
  /* TRANSLATORS: progress of a sweep: "Run 3 of 8: threads=4" */
  text = g_strdup_printf (_("Run %u of %u: %s"), message->index + 1, message->total,
                          message->record->label);
  gtk_progress_bar_set_text (self->progress_bar, text);
  if (message->finished && message->index == self->n_handled)
    handle_record (self, message->record);
}

static gboolean
on_message (gpointer data)
{
  Message *message = data;

  fl_tsan_acquire (message);
  handle_message (message->panel, message);
  return G_SOURCE_REMOVE;
}

/* Sweep thread: a few calls per run, so one idle each is cheap. */
static void
post (SweepData *data, guint index, guint total, const FlRunRecord *record, gboolean finished)
{
  Message *message = g_new0 (Message, 1);

  message->panel = g_object_ref (data->panel);
  message->cancellable = g_object_ref (data->cancellable);
  message->index = index;
  message->total = total;
  message->finished = finished;
  message->record = fl_run_record_copy (record);
  /* Always through the main loop: g_main_context_invoke would run on_message
   * right here, on this thread, whenever nobody owns the main context (as
   * between two iterations of a test's loop), touching widgets off the main
   * thread. Idles of one priority run in the order they were added. */
  fl_tsan_release (message);
  g_idle_add_full (G_PRIORITY_DEFAULT, on_message, message, (GDestroyNotify) message_free);
}

static void
on_run_started (guint index, guint total, const FlRunRecord *record, gpointer user_data)
{
  SweepData *data = user_data;

  /* Each run's bars and workers start from zero. */
  fl_pipeline_bridge_reset (data->bridge);
  post (data, index, total, record, FALSE);
}

static void
on_run_finished (guint index, guint total, const FlRunRecord *record, gpointer user_data)
{
  post (user_data, index, total, record, TRUE);
}

static void
sweep_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  static const FlSweepCallbacks callbacks = {
    on_run_started,
    on_run_finished,
  };
  SweepData *data = task_data;
  GError *error = NULL;
  gboolean ok;

  fl_tsan_acquire (data);
  ok = fl_sweep_run (data->kind, &data->setup->config, (const guint *) data->values->data,
                     data->values->len, NULL, &callbacks, data, cancellable, data->records,
                     &error);
  fl_tsan_release (data);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_sweep_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlSpeedupPanel) self = user_data;
  /* Ours to free, here on the main thread (see fl_speedup_panel_start). */
  g_autoptr (SweepData) data = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  gboolean ok, cancelled;

  fl_tsan_acquire (data);
  ok = g_task_propagate_boolean (G_TASK (result), &error);
  cancelled = g_error_matches (error, FL_ERROR, FL_ERROR_CANCELLED)
              || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_application_release (g_application_get_default ());
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  /* Idle messages may still be queued: the records are the truth. */
  for (guint i = self->n_handled; i < data->records->len; i++)
    handle_record (self, g_ptr_array_index (data->records, i));
  g_clear_object (&self->cancellable);
  self->bridge = NULL;
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
  g_autoptr (GTask) task = NULL;
  SweepData *data;

  g_return_if_fail (FL_IS_SPEEDUP_PANEL (self));
  if (self->cancellable != NULL)
    {
      fl_run_setup_free (setup);
      return;
    }
  data = g_new0 (SweepData, 1);
  data->kind = kind;
  data->setup = setup;
  data->values = fl_speedup_panel_sweep_values (kind);
  data->bridge = fl_pipeline_bridge_new ();
  data->setup->config.events = fl_pipeline_bridge_get_events (data->bridge);
  data->panel = g_object_ref (self);
  data->records = g_ptr_array_new_with_free_func ((GDestroyNotify) fl_run_record_free);
  if (kind == FL_SWEEP_PROCESSES)
    {
      /* The frames are downloaded once, as fast as the configuration allows. */
      data->setup->config.run_download = TRUE;
    }

  self->kind = kind;
  self->n_handled = 0;
  self->cancellable = g_cancellable_new ();
  data->cancellable = self->cancellable;
  self->bridge = data->bridge;
  self->max_threads = kind == FL_SWEEP_THREADS
                        ? g_array_index (data->values, guint, data->values->len - 1)
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
                               kind, (const guint *) data->values->data, data->values->len);
      gtk_label_set_text (self->status_label, kind == FL_SWEEP_THREADS
                                                ? _("Sweeping download threads…")
                                                : _("Sweeping GIF processes…"));
    }
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Starting"));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);

  g_application_hold (g_application_get_default ());
  task = g_task_new (NULL, self->cancellable, on_sweep_done, g_object_ref (self));
  /* No destroy notify: GTask would free data on whichever thread drops the last
   * reference, possibly the pool's (unreffing this widget there), after
   * on_sweep_done used it. on_sweep_done, which GTask always calls, frees it. */
  g_task_set_task_data (task, data, NULL);
  fl_tsan_release (data);
  g_task_run_in_thread (task, sweep_thread);
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
  return self->bridge;
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
  self->bridge = NULL;
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
