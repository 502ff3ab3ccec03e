/* fl-client-panel.c: fields -> FlPipelineConfig -> fl_core_pipeline_async; the
 * bars follow the run's FlRunModel, so progress costs the main loop ~20 updates/s. */
#include "fl-client-panel.h"

#include "fl-application.h"
#include "fl-core-async.h"
#include "fl-error.h"
#include "fl-frame-peek.h"
#include "fl-path-row.h"
#include "fl-run-object.h"
#include "fl-sweep.h"
#include "fl-toast.h"
#include "fl-widget-util.h"

#include "fl-file.h"
#include "fl-report.h"

#include <string.h>
#include <sys/stat.h>

#include <adwaita.h>
#include <glib/gi18n.h>

/* The latest frame is shown at most this often while frames download. */
#define PEEK_INTERVAL_US (250 * 1000)

struct _FlClientPanel
{
  GtkWidget parent_instance;

  GCancellable *cancellable; /* of the current run, NULL when idle */
  GSettings *settings;
  FlRunModel *model;         /* of the current or the last run */
  gint64 run_start_real;     /* g_get_real_time () at Run: older frame files are stale */
  gint64 last_peek;
  gboolean peeking;
  guint threads;
  guint n_runs;              /* runs started this session, for their labels */
  char *error;
  char *stage_text[2];
  char **make_gif_paths;     /* set while fl_client_panel_make_gif starts its run */

  GtkWidget *host_entry;
  GtkSpinButton *port_spin;
  GtkSpinButton *frames_spin;
  GtkSpinButton *threads_spin;
  GtkSpinButton *processes_spin;
  GtkAdjustment *processes_adjustment;
  GtkSpinButton *delay_spin;
  GtkSpinButton *loop_spin;
  GtkWidget *port_row;
  GtkWidget *frames_row;
  GtkWidget *threads_row;
  GtkWidget *processes_row;
  FlPathRow *output_row;
  FlPathRow *frames_dir_row;
  GtkWidget *advanced_row;
  GtkStack *run_stack;
  GtkWidget *run_button;
  GtkWidget *cancel_button;
  GtkProgressBar *download_bar;
  GtkProgressBar *encode_bar;
  GtkLabel *download_time_label;
  GtkLabel *encode_time_label;
  GtkLabel *status_label;
  GtkLabel *error_label;
};

G_DEFINE_FINAL_TYPE (FlClientPanel, fl_client_panel, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_FRAMES_DIR,
  PROP_OUTPUT,
  PROP_RUNNING,
  PROP_ERROR,
  PROP_MODEL,
  N_PROPS
};

enum
{
  FINISHED,
  FRAME_ARRIVED,
  RUN_RECORDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Where frames and the GIF go when the fields are empty: the cache folder,
 * and frameloom.gif in Pictures (or the home folder). */
static void
set_default_paths (FlClientPanel *self)
{
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
  g_autofree char *frames = g_build_filename (g_get_user_cache_dir (), "frameloom", "frames",
                                              NULL);
  g_autofree char *output = g_build_filename (pictures && g_file_test (pictures,
                                                                      G_FILE_TEST_IS_DIR)
                                                ? pictures : g_get_home_dir (),
                                              "frameloom.gif", NULL);

  g_object_set (self->frames_dir_row, "default-path", frames, NULL);
  g_object_set (self->output_row, "default-path", output, NULL);
}

static const char *
effective_frames_dir (FlClientPanel *self)
{
  return fl_path_row_get_effective (self->frames_dir_row);
}

static const char *
effective_output (FlClientPanel *self)
{
  return fl_path_row_get_effective (self->output_row);
}

static void
set_status (FlClientPanel *self, const char *text, const char *tooltip)
{
  gtk_label_set_text (self->status_label, text);
  /* A long path is ellipsized in the middle; the tooltip shows all of it. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), *text != '\0');
}

/* Under the progress bars, and "error" notifies: the window puts it in its
 * banner, in view whatever part of the sidebar is. */
static void
show_error (FlClientPanel *self, const char *message)
{
  fl_widget_set_error (G_OBJECT (self), properties[PROP_ERROR], &self->error, self->error_label,
                       GTK_WIDGET (self->error_label), message);
}

/* "Wrote frameloom.gif", and a button to its folder. */
static void
toast_written (FlClientPanel *self, const char *path)
{
  g_autofree char *base = g_filename_display_basename (path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GFile) folder = g_file_new_for_path (dir);
  g_autofree char *uri = g_file_get_uri (folder);
  /* TRANSLATORS: a toast at the end of a run: "Wrote frameloom.gif" */
  g_autofree char *title = g_strdup_printf (_("Wrote %s"), base);

  fl_toast_show_open (GTK_WIDGET (self), title, _("Open _Folder"), uri);
}

static void
update_sensitivity (FlClientPanel *self)
{
  gboolean running = self->cancellable != NULL;
  GtkWidget *fields[] = { self->host_entry, self->port_row, self->frames_row,
                          self->threads_row, self->processes_row, GTK_WIDGET (self->output_row),
                          self->advanced_row };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    gtk_widget_set_sensitive (fields[i], !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "client.preset", !running);
  gtk_stack_set_visible_child (self->run_stack, running ? self->cancel_button : self->run_button);
}

static void
set_stage_text (FlClientPanel *self, FlStage stage, const char *text)
{
  g_free (self->stage_text[stage]);
  self->stage_text[stage] = g_strdup (text);
  gtk_label_set_text (stage == FL_STAGE_DOWNLOAD ? self->download_time_label
                                                 : self->encode_time_label,
                      text ? text : "");
}

static void
update_stage (FlClientPanel *self, FlStage stage)
{
  GtkProgressBar *bar = stage == FL_STAGE_DOWNLOAD ? self->download_bar : self->encode_bar;
  FlRunStage snap;
  g_autofree char *text = NULL;

  fl_run_model_get_stage (self->model, stage, &snap);
  if (!snap.started)
    return;
  gtk_progress_bar_set_fraction (bar, snap.fraction);
  /* TRANSLATORS: progress of a stage: "1234 / 5000 frames · 2500 frames/s" */
  text = g_strdup_printf (_("%llu / %llu frames · %.0f frames/s"),
                          (unsigned long long) snap.done, (unsigned long long) snap.total,
                          snap.seconds > 0 ? snap.done / snap.seconds : 0);
  gtk_progress_bar_set_text (bar, text);
  if (snap.finished && self->stage_text[stage] == NULL)
    {
      g_autofree char *line = NULL;

      /* The lab's own words, in English like the CLI's output. */
      if (stage == FL_STAGE_DOWNLOAD)
        line = g_strdup_printf ("Frames download time: %.3f s", snap.seconds);
      else
        line = g_strdup_printf ("GIF creation time: %.3f s", snap.seconds);
      set_stage_text (self, stage, line);
    }
}

static void
on_peeked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlClientPanel) self = user_data;
  g_autoptr (FlFramePeek) peek = fl_core_peek_frame_finish (result);

  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  self->peeking = FALSE;
  if (peek != NULL)
    g_signal_emit (self, signals[FRAME_ARRIVED], 0, peek->index, peek->total, peek->image);
}

static void
maybe_peek (FlClientPanel *self)
{
  FlRunStage snap;
  FlFramePeek *peek;
  gint64 now = g_get_monotonic_time ();
  guint latest;

  fl_run_model_get_stage (self->model, FL_STAGE_DOWNLOAD, &snap);
  if (self->peeking || !fl_run_model_get_latest_frame (self->model, &latest) || snap.finished
      || now - self->last_peek < PEEK_INTERVAL_US)
    return;
  self->last_peek = now;
  self->peeking = TRUE;
  peek = g_new0 (FlFramePeek, 1);
  peek->frames_dir = g_strdup (effective_frames_dir (self));
  peek->newest = latest;
  peek->tries = MIN (2 * self->threads + 2, 64);
  /* File times lag the clock by a tick or two. */
  peek->since = self->run_start_real - 50 * 1000;
  peek->total = (guint) MIN (snap.total, G_MAXUINT);
  fl_core_peek_frame_async (peek, self->cancellable, on_peeked, g_object_ref (self));
}

/* The model's tick: at most ~20 times a second. */
static void
on_model_changed (FlClientPanel *self, FlRunModel *model)
{
  if (model != self->model)
    return;
  update_stage (self, FL_STAGE_DOWNLOAD);
  update_stage (self, FL_STAGE_ENCODE);
  if (self->cancellable != NULL)
    maybe_peek (self);
}

/* Every run that ran to its end or failed goes into the history; a cancelled
 * one measured nothing. */
static void
record_run (FlClientPanel *self, const FlRunSetup *setup, const FlPipelineResult *run_result,
            const GError *error)
{
  /* TRANSLATORS: the label of a run in the runs history: "run 3" */
  g_autofree char *label = g_strdup_printf (_("run %u"), ++self->n_runs);
  g_autoptr (FlRunRecord) record = fl_run_record_new (label);
  g_autoptr (FlRunObject) run = NULL;
  g_autofree char *command = NULL;

  record->started_unix = self->run_start_real / G_USEC_PER_SEC;
  fl_run_record_fill (record, &setup->config, run_result, error);
  command = fl_report_command_line (&setup->config, "frameloom-client");
  fl_run_model_add_record (self->model, record, command);
  run = fl_run_object_new_take (g_steal_pointer (&record));
  g_signal_emit (self, signals[RUN_RECORDED], 0, run);
}

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlClientPanel) self = user_data;
  const FlRunSetup *setup;
  FlPipelineResult run_result;
  g_autoptr (GError) error = NULL;
  gboolean ok, cancelled;

  ok = fl_core_pipeline_finish (result, &setup, &run_result, &error);
  cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
              || g_error_matches (error, FL_ERROR, FL_ERROR_CANCELLED);
  g_application_release (g_application_get_default ());
  /* Dispose already let go of this run. */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  on_model_changed (self, self->model);
  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      FlRunStage snap;

      /* A stage that a failure or Cancel kept from starting is not waiting. */
      fl_run_model_get_stage (self->model, stage, &snap);
      if (!snap.started)
        gtk_progress_bar_set_text (stage == FL_STAGE_DOWNLOAD ? self->download_bar
                                                              : self->encode_bar,
                                   _("Not run"));
    }
  g_clear_object (&self->cancellable);
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  if (!cancelled)
    record_run (self, setup, &run_result, error);

  if (ok)
    {
      g_autofree char *status = g_strdup_printf (_("Wrote %s."), setup->output);

      set_status (self, status, status);
      toast_written (self, setup->output);
    }
  else if (cancelled)
    set_status (self, _("Run cancelled; frames already downloaded are kept."), NULL);
  else
    {
      set_status (self, "", NULL);
      show_error (self, error->message);
    }
  g_signal_emit (self, signals[FINISHED], 0, ok, setup->output);
}

/* Every action reads what the user sees: a value typed into a spin button
 * but not confirmed (no Enter, the focus still there) is taken as it is. */
static void
update_spins (FlClientPanel *self)
{
  GtkSpinButton *spins[] = { self->port_spin, self->frames_spin, self->threads_spin,
                             self->processes_spin, self->delay_spin, self->loop_spin };

  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    gtk_spin_button_update (spins[i]);
}

FlRunSetup *
fl_client_panel_get_setup (FlClientPanel *self)
{
  FlRunSetup *setup = g_new0 (FlRunSetup, 1);
  FlPipelineConfig *config = &setup->config;

  g_return_val_if_fail (FL_IS_CLIENT_PANEL (self), setup);
  update_spins (self);
  setup->host = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_entry)));
  setup->frames_dir = g_strdup (effective_frames_dir (self));
  setup->output = g_strdup (effective_output (self));
  config->run_download = TRUE;
  config->run_encode = TRUE;
  config->download.host = setup->host;
  config->download.port = (guint) gtk_spin_button_get_value_as_int (self->port_spin);
  config->download.frames_dir = setup->frames_dir;
  config->download.n_frames = (guint) gtk_spin_button_get_value_as_int (self->frames_spin);
  config->download.threads = (guint) gtk_spin_button_get_value_as_int (self->threads_spin);
  config->encode.frames_dir = setup->frames_dir;
  config->encode.n_frames = config->download.n_frames;
  config->encode.processes = (guint) gtk_spin_button_get_value_as_int (self->processes_spin);
  config->encode.delay_ms = (guint) gtk_spin_button_get_value_as_int (self->delay_spin);
  config->encode.loop = (guint) gtk_spin_button_get_value_as_int (self->loop_spin);
  config->encode.output = setup->output;
  /* "Make GIF from images": the GIF stage alone, on those files. */
  if (self->make_gif_paths != NULL)
    {
      setup->frame_paths = g_strdupv (self->make_gif_paths);
      config->run_download = FALSE;
      config->encode.frames_dir = NULL;
      config->encode.frame_paths = (const char *const *) setup->frame_paths;
      config->encode.n_frames = g_strv_length (setup->frame_paths);
    }
  return setup;
}

FlPipelineBridge *
fl_client_panel_get_bridge (FlClientPanel *self)
{
  return self->cancellable != NULL ? fl_run_model_get_bridge (self->model) : NULL;
}

FlRunModel *
fl_client_panel_get_model (FlClientPanel *self)
{
  g_return_val_if_fail (FL_IS_CLIENT_PANEL (self), NULL);
  return self->model;
}

void
fl_client_panel_run (FlClientPanel *self)
{
  FlRunSetup *setup;

  g_return_if_fail (FL_IS_CLIENT_PANEL (self));
  if (self->cancellable != NULL)
    return;

  setup = fl_client_panel_get_setup (self);
  self->cancellable = g_cancellable_new ();
  /* The last run's model goes to whoever still holds it (the Timeline). */
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  self->model = fl_run_model_new ();
  g_signal_connect_object (self->model, "changed", G_CALLBACK (on_model_changed), self,
                           G_CONNECT_SWAPPED);
  self->run_start_real = g_get_real_time ();
  self->last_peek = 0;
  self->peeking = FALSE;
  self->threads = setup->config.download.threads;
  set_stage_text (self, FL_STAGE_DOWNLOAD, NULL);
  set_stage_text (self, FL_STAGE_ENCODE, NULL);
  show_error (self, NULL);
  set_status (self, _("Running…"), NULL);
  for (guint i = 0; i < 2; i++)
    {
      GtkProgressBar *bar = i == 0 ? self->download_bar : self->encode_bar;

      gtk_progress_bar_set_fraction (bar, 0);
      gtk_progress_bar_set_text (bar, i == 0 && !setup->config.run_download ? _("Not run")
                                                                           : _("Waiting"));
    }
  update_sensitivity (self);

  /* Keep the process alive until the thread has reaped its workers. */
  g_application_hold (g_application_get_default ());
  fl_core_pipeline_async (setup, self->model, self->cancellable, on_run_done,
                          g_object_ref (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
fl_client_panel_make_gif (FlClientPanel *self, GPtrArray *paths)
{
  g_return_if_fail (FL_IS_CLIENT_PANEL (self));
  g_return_if_fail (paths != NULL && paths->len > 0);
  self->make_gif_paths = g_new0 (char *, paths->len + 1);
  for (guint i = 0; i < paths->len; i++)
    self->make_gif_paths[i] = g_strdup (paths->pdata[i]);
  fl_client_panel_run (self);
  g_clear_pointer (&self->make_gif_paths, g_strfreev);
}

void
fl_client_panel_cancel (FlClientPanel *self)
{
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      set_status (self, _("Cancelling…"), NULL);
    }
}

gboolean
fl_client_panel_get_running (FlClientPanel *self)
{
  return self->cancellable != NULL;
}

/* The addresses at which a client on this machine reaches the embedded server,
 * whichever address that server binds. */
static gboolean
is_local_host (const char *host)
{
  static const char *const local[] = { "127.0.0.1", "localhost", "::1", "0.0.0.0" };
  g_autofree char *trimmed = g_strstrip (g_strdup (host));

  for (guint i = 0; i < G_N_ELEMENTS (local); i++)
    if (g_ascii_strcasecmp (trimmed, local[i]) == 0)
      return TRUE;
  return FALSE;
}

void
fl_client_panel_follow_server (FlClientPanel *self, guint port)
{
  if (port != 0 && is_local_host (gtk_editable_get_text (GTK_EDITABLE (self->host_entry))))
    gtk_spin_button_set_value (self->port_spin, port);
}

gboolean
fl_client_panel_targets_local_port (FlClientPanel *self, guint port)
{
  g_return_val_if_fail (FL_IS_CLIENT_PANEL (self), FALSE);

  update_spins (self);
  return port != 0 && (guint) gtk_spin_button_get_value_as_int (self->port_spin) == port
         && is_local_host (gtk_editable_get_text (GTK_EDITABLE (self->host_entry)));
}

const char *
fl_client_panel_get_stage_text (FlClientPanel *self, FlStage stage)
{
  g_return_val_if_fail (FL_IS_CLIENT_PANEL (self) && stage <= FL_STAGE_ENCODE, NULL);
  return self->stage_text[stage];
}

const char *
fl_client_panel_get_error (FlClientPanel *self)
{
  return self->error;
}

const char *
fl_client_panel_get_output (FlClientPanel *self)
{
  return effective_output (self);
}

/* client.preset: threads and processes as a lab, the command line or the
 * whole machine would choose them. */
static void
on_preset (GtkWidget *widget, const char *action, GVariant *param)
{
  FlClientPanel *self = FL_CLIENT_PANEL (widget);
  const char *name = g_variant_get_string (param, NULL);
  guint cores = MAX (g_get_num_processors (), 1);

  if (g_str_equal (name, "baseline"))
    {
      gtk_spin_button_set_value (self->threads_spin, 1);
      gtk_spin_button_set_value (self->processes_spin, 1);
    }
  else if (g_str_equal (name, "cli"))
    {
      gtk_spin_button_set_value (self->threads_spin, 4);
      gtk_spin_button_set_value (self->processes_spin, MIN (2, cores));
    }
  else
    {
      gtk_spin_button_set_value (self->threads_spin, 64);
      gtk_spin_button_set_value (self->processes_spin, cores);
    }
}

static void
fl_client_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlClientPanel *self = FL_CLIENT_PANEL (object);

  switch (prop_id)
    {
    case PROP_FRAMES_DIR:
      g_value_set_string (value, fl_path_row_get_path (self->frames_dir_row));
      break;
    case PROP_OUTPUT:
      g_value_set_string (value, fl_path_row_get_path (self->output_row));
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, fl_client_panel_get_running (self));
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_client_panel_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  FlClientPanel *self = FL_CLIENT_PANEL (object);

  switch (prop_id)
    {
    /* The rows keep the paths; their notify comes back as ours. */
    case PROP_FRAMES_DIR:
      g_object_set (self->frames_dir_row, "path", g_value_get_string (value), NULL);
      break;
    case PROP_OUTPUT:
      g_object_set (self->output_row, "path", g_value_get_string (value), NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_client_panel_dispose (GObject *object)
{
  FlClientPanel *self = FL_CLIENT_PANEL (object);

  /* The thread finishes on its own (within a second) and drops its data. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->model);
  fl_widget_dispose_template_children (GTK_WIDGET (self), FL_TYPE_CLIENT_PANEL);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (fl_client_panel_parent_class)->dispose (object);
}

static void
fl_client_panel_finalize (GObject *object)
{
  FlClientPanel *self = FL_CLIENT_PANEL (object);

  g_free (self->error);
  g_free (self->stage_text[0]);
  g_free (self->stage_text[1]);
  G_OBJECT_CLASS (fl_client_panel_parent_class)->finalize (object);
}

static void
fl_client_panel_class_init (FlClientPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_client_panel_dispose;
  object_class->finalize = fl_client_panel_finalize;
  object_class->get_property = fl_client_panel_get_property;
  object_class->set_property = fl_client_panel_set_property;
  g_type_ensure (FL_TYPE_PATH_ROW);

  properties[PROP_FRAMES_DIR] = g_param_spec_string ("frames-dir", NULL, NULL, "",
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                       | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTPUT] = g_param_spec_string ("output", NULL, NULL, "",
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                   | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The sentence of the last failed run, or NULL. */
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The current or the last run's FlRunModel, or NULL before the first. */
  properties[PROP_MODEL] = g_param_spec_object ("model", NULL, NULL, FL_TYPE_RUN_MODEL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN,
                                    G_TYPE_STRING);
  /* (guint index, guint total, const FlImage *image): the image is valid only
   * during the emission. */
  signals[FRAME_ARRIVED] = g_signal_new ("frame-arrived", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                         G_TYPE_UINT, G_TYPE_UINT, G_TYPE_POINTER);
  /* (FlRunObject *run): a run ended (done or failed, not cancelled). */
  signals[RUN_RECORDED] = g_signal_new ("run-recorded", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        FL_TYPE_RUN_OBJECT);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/frameloom/Frameloom/fl-client-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, host_entry);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, port_spin);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, frames_spin);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, threads_spin);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, processes_spin);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, processes_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, delay_spin);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, loop_spin);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, port_row);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, frames_row);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, threads_row);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, processes_row);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, output_row);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, frames_dir_row);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, run_stack);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, run_button);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, download_bar);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, encode_bar);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, download_time_label);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, encode_time_label);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, error_label);
  gtk_widget_class_install_action (widget_class, "client.preset", "s", on_preset);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
on_path_notify (FlClientPanel *self, GParamSpec *pspec, FlPathRow *row)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[row == self->output_row ? PROP_OUTPUT
                                                                                : PROP_FRAMES_DIR]);
}

static void
fl_client_panel_init (FlClientPanel *self)
{
  static const struct
  {
    const char *key;
    const char *widget;
  } binds[] = {
    { "client-host", "host_entry" },     { "client-port", "port_spin" },
    { "client-frames", "frames_spin" },  { "client-threads", "threads_spin" },
    { "client-processes", "processes_spin" }, { "client-delay", "delay_spin" },
    { "client-loop", "loop_spin" },
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  /* No more worker processes than processors. */
  gtk_adjustment_set_upper (self->processes_adjustment, MAX (g_get_num_processors (), 1));
  set_default_paths (self);
  g_signal_connect_object (self->frames_dir_row, "notify::path", G_CALLBACK (on_path_notify),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->output_row, "notify::path", G_CALLBACK (on_path_notify), self,
                           G_CONNECT_SWAPPED);
  self->settings = fl_settings_new ();
  if (self->settings != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (binds); i++)
        {
          GObject *widget = gtk_widget_get_template_child (GTK_WIDGET (self), FL_TYPE_CLIENT_PANEL,
                                                           binds[i].widget);

          g_settings_bind (self->settings, binds[i].key, widget,
                           GTK_IS_SPIN_BUTTON (widget) ? "value" : "text",
                           G_SETTINGS_BIND_DEFAULT);
        }
      g_settings_bind (self->settings, "client-frames-dir", self, "frames-dir",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "client-output", self, "output", G_SETTINGS_BIND_DEFAULT);
    }
  update_sensitivity (self);
}
