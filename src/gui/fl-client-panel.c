/* fl-client-panel.c: fields -> FlPipelineConfig -> a GTask thread; a timer reads
 * the FlPipelineBridge atomics, so progress costs the main loop ~20 updates/s. */
#include "fl-client-panel.h"

#include "fl-application.h"
#include "fl-core-bridge.h"
#include "fl-error.h"
#include "fl-png.h"
#include "fl-run-object.h"
#include "fl-sweep.h"
#include "fl-tsan.h"

#include <stdio.h>
#include <sys/stat.h>

#include <glib/gi18n.h>

/* The latest frame is shown at most this often while frames download. */
#define PEEK_INTERVAL_US (250 * 1000)
/* Frames larger than this are not previewed live: decoding stays cheap. */
#define PEEK_MAX_DIMENSION 1024u

struct _FlClientPanel
{
  GtkWidget parent_instance;

  GCancellable *cancellable; /* of the current run, NULL when idle */
  GSettings *settings;
  FlPipelineBridge *bridge;  /* of the current run, shared with its thread */
  guint tick_id;
  gint64 stage_start[2];
  gint64 run_start_real;     /* g_get_real_time () at Run: older frame files are stale */
  gint64 last_peek;
  gboolean peeking;
  guint threads;
  guint n_runs;              /* runs started this session, for their labels */
  char *frames_dir;
  char *output;
  char *error;
  char *stage_text[2];
  GtkFileChooserNative *chooser;

  GtkEntry *host_entry;
  GtkSpinButton *port_spin;
  GtkSpinButton *frames_spin;
  GtkSpinButton *threads_spin;
  GtkSpinButton *processes_spin;
  GtkAdjustment *processes_adjustment;
  GtkButton *frames_dir_button;
  GtkButton *output_button;
  GtkSpinButton *delay_spin;
  GtkSpinButton *loop_spin;
  GtkWidget *fields;
  GtkButton *run_button;
  GtkButton *cancel_button;
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

typedef struct
{
  FlRunSetup *setup;
  FlPipelineBridge *bridge;
  FlPipelineResult result;
  GCancellable *cancellable;
  gint64 started_unix;
  gboolean ok;
  GError *error;
} RunData;

void
fl_run_setup_free (FlRunSetup *setup)
{
  if (setup == NULL)
    return;
  g_free (setup->host);
  g_free (setup->frames_dir);
  g_free (setup->output);
  g_free (setup);
}

static void
run_data_free (RunData *data)
{
  fl_run_setup_free (data->setup);
  g_clear_pointer (&data->bridge, fl_pipeline_bridge_unref);
  g_clear_error (&data->error);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunData, run_data_free)

static const char *
effective_frames_dir (FlClientPanel *self)
{
  static char *fallback;

  if (self->frames_dir && *self->frames_dir)
    return self->frames_dir;
  if (fallback == NULL)
    fallback = g_build_filename (g_get_user_cache_dir (), "frameloom", "frames", NULL);
  return fallback;
}

static const char *
effective_output (FlClientPanel *self)
{
  static char *fallback;

  if (self->output && *self->output)
    return self->output;
  if (fallback == NULL)
    {
      const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

      fallback = g_build_filename (pictures && g_file_test (pictures, G_FILE_TEST_IS_DIR)
                                     ? pictures : g_get_home_dir (),
                                   "frameloom.gif", NULL);
    }
  return fallback;
}

static void
update_path_buttons (FlClientPanel *self)
{
  g_autofree char *dir = g_filename_display_basename (effective_frames_dir (self));
  g_autofree char *out = g_filename_display_basename (effective_output (self));
  g_autofree char *dir_full = g_filename_display_name (effective_frames_dir (self));
  g_autofree char *out_full = g_filename_display_name (effective_output (self));

  gtk_button_set_label (self->frames_dir_button, dir);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->frames_dir_button), dir_full);
  gtk_button_set_label (self->output_button, out);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->output_button), out_full);
}

static void
set_status (FlClientPanel *self, const char *text, const char *tooltip)
{
  gtk_label_set_text (self->status_label, text);
  /* A long path is ellipsized in the middle; the tooltip shows all of it. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), *text != '\0');
}

static void
show_error (FlClientPanel *self, const char *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
update_sensitivity (FlClientPanel *self)
{
  gboolean running = self->cancellable != NULL;

  gtk_widget_set_sensitive (self->fields, !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), running);
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
  FlStageSnapshot snap;
  g_autofree char *text = NULL;
  double elapsed, rate;

  if (self->bridge == NULL)
    return;
  fl_pipeline_bridge_get (self->bridge, stage, &snap);
  if (!snap.started)
    return;
  if (self->stage_start[stage] == 0)
    self->stage_start[stage] = g_get_monotonic_time ();
  elapsed = snap.finished ? snap.seconds
                          : (g_get_monotonic_time () - self->stage_start[stage]) / 1e6;
  rate = elapsed > 0 ? snap.done / elapsed : 0;
  gtk_progress_bar_set_fraction (bar, snap.total ? (double) snap.done / snap.total : 0);
  /* TRANSLATORS: progress of a stage: "1234 / 5000 frames · 2500 frames/s" */
  text = g_strdup_printf (_("%llu / %llu frames · %.0f frames/s"),
                          (unsigned long long) snap.done, (unsigned long long) snap.total, rate);
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

typedef struct
{
  char *frames_dir;
  guint newest;     /* the index to try first, then the few below it */
  guint tries;
  gint64 since;     /* real time: a file older than this is from an earlier run */
  guint total;
  guint index;
  FlImage *image;
} PeekData;

static void
peek_data_free (PeekData *peek)
{
  g_free (peek->frames_dir);
  g_clear_pointer (&peek->image, fl_image_free);
  g_free (peek);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PeekData, peek_data_free)

/* newest is the frame the events say was written last (renamed into place
 * whole); the few below it are there in case it is already gone. */
static void
peek_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PeekData *peek = task_data;
  FlPngLimits limits;
  gboolean found;

  fl_tsan_acquire (peek);
  fl_png_limits_init_default (&limits);
  limits.max_width = limits.max_height = PEEK_MAX_DIMENSION;
  limits.max_bytes = 8u * 1024u * 1024u;
  for (guint i = 0; i < peek->tries && i <= peek->newest && peek->image == NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.png", peek->newest - i);
      g_autofree char *path = g_build_filename (peek->frames_dir, name, NULL);
      g_autofree char *bytes = NULL;
      gsize length;
      struct stat st;

      if (stat (path, &st) != 0 || (gsize) st.st_size > limits.max_bytes
          || (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000 < peek->since
          || !g_file_get_contents (path, &bytes, &length, NULL))
        continue;
      peek->image = fl_png_decode ((const guint8 *) bytes, length, &limits, NULL);
      peek->index = peek->newest - i;
    }
  found = peek->image != NULL;
  /* The last touch of peek before the hand-off back. */
  fl_tsan_release (peek);
  g_task_return_boolean (task, found);
}

static void
on_peeked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlClientPanel) self = user_data;
  /* Ours to free, here on the main thread (see maybe_peek). */
  g_autoptr (PeekData) peek = g_task_get_task_data (G_TASK (result));

  fl_tsan_acquire (peek);
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  self->peeking = FALSE;
  if (g_task_propagate_boolean (G_TASK (result), NULL))
    g_signal_emit (self, signals[FRAME_ARRIVED], 0, peek->index, peek->total, peek->image);
}

static void
maybe_peek (FlClientPanel *self)
{
  g_autoptr (GTask) task = NULL;
  FlStageSnapshot snap;
  PeekData *peek;
  gint64 now = g_get_monotonic_time ();
  guint latest;

  fl_pipeline_bridge_get (self->bridge, FL_STAGE_DOWNLOAD, &snap);
  if (self->peeking || !fl_pipeline_bridge_get_latest_frame (self->bridge, &latest)
      || snap.finished || now - self->last_peek < PEEK_INTERVAL_US)
    return;
  self->last_peek = now;
  self->peeking = TRUE;
  peek = g_new0 (PeekData, 1);
  peek->frames_dir = g_strdup (effective_frames_dir (self));
  peek->newest = latest;
  peek->tries = MIN (2 * self->threads + 2, 64);
  /* File times lag the clock by a tick or two. */
  peek->since = self->run_start_real - 50 * 1000;
  peek->total = (guint) MIN (snap.total, G_MAXUINT);
  task = g_task_new (NULL, self->cancellable, on_peeked, g_object_ref (self));
  /* No destroy notify: GTask would free peek on whichever thread drops the last
   * reference, which may be the pool's, after on_peeked used it. on_peeked,
   * which GTask always calls, frees it instead. */
  g_task_set_task_data (task, peek, NULL);
  fl_tsan_release (peek);
  g_task_run_in_thread (task, peek_thread);
}

static gboolean
on_tick (gpointer data)
{
  FlClientPanel *self = data;

  update_stage (self, FL_STAGE_DOWNLOAD);
  update_stage (self, FL_STAGE_ENCODE);
  if (self->bridge != NULL)
    maybe_peek (self);
  return G_SOURCE_CONTINUE;
}

static gpointer
run_pipeline (gpointer user_data)
{
  RunData *data = user_data;

  data->ok = fl_pipeline_run (&data->setup->config, data->cancellable, &data->result,
                              &data->error);
  return NULL;
}

static void
run_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RunData *data = task_data;
  gboolean ok;
  GError *error;

  fl_tsan_acquire (data);
  data->cancellable = cancellable;
  fl_bridge_run_in_background (run_pipeline, data);
  /* The last touches of data before the hand-off back. */
  ok = data->ok;
  error = ok ? NULL : g_steal_pointer (&data->error);
  fl_tsan_release (data);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlClientPanel) self = user_data;
  /* Ours to free, here on the main thread (see fl_client_panel_run). */
  g_autoptr (RunData) data = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  gboolean ok;

  fl_tsan_acquire (data);
  ok = g_task_propagate_boolean (G_TASK (result), &error);
  g_application_release (g_application_get_default ());
  /* Dispose already let go of this run. */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  on_tick (self);
  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      FlStageSnapshot snap;

      /* A stage that a failure or Cancel kept from starting is not waiting. */
      fl_pipeline_bridge_get (self->bridge, stage, &snap);
      if (!snap.started)
        gtk_progress_bar_set_text (stage == FL_STAGE_DOWNLOAD ? self->download_bar
                                                              : self->encode_bar,
                                   _("Not run"));
    }
  g_clear_handle_id (&self->tick_id, g_source_remove);
  self->bridge = NULL;
  g_clear_object (&self->cancellable);
  update_sensitivity (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  /* Every run that ran to its end or failed goes into the history; a cancelled
   * one measured nothing. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && !g_error_matches (error, FL_ERROR, FL_ERROR_CANCELLED))
    {
      /* TRANSLATORS: the label of a run in the runs history: "run 3" */
      g_autofree char *label = g_strdup_printf (_("run %u"), ++self->n_runs);
      g_autoptr (FlRunRecord) record = fl_run_record_new (label);
      g_autoptr (FlRunObject) run = NULL;

      record->started_unix = data->started_unix;
      fl_run_record_fill (record, &data->setup->config, &data->result, error);
      run = fl_run_object_new_take (g_steal_pointer (&record));
      g_signal_emit (self, signals[RUN_RECORDED], 0, run);
    }

  if (ok)
    {
      g_autofree char *status = g_strdup_printf (_("Wrote %s."), data->setup->output);

      set_status (self, status, status);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
           || g_error_matches (error, FL_ERROR, FL_ERROR_CANCELLED))
    set_status (self, _("Run cancelled; frames already downloaded are kept."), NULL);
  else
    {
      set_status (self, "", NULL);
      show_error (self, error->message);
    }
  g_signal_emit (self, signals[FINISHED], 0, ok, data->setup->output);
}

FlRunSetup *
fl_client_panel_get_setup (FlClientPanel *self)
{
  FlRunSetup *setup = g_new0 (FlRunSetup, 1);
  FlPipelineConfig *config = &setup->config;

  g_return_val_if_fail (FL_IS_CLIENT_PANEL (self), setup);
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
  return setup;
}

FlPipelineBridge *
fl_client_panel_get_bridge (FlClientPanel *self)
{
  return self->bridge;
}

void
fl_client_panel_run (FlClientPanel *self)
{
  g_autoptr (GTask) task = NULL;
  RunData *data;

  g_return_if_fail (FL_IS_CLIENT_PANEL (self));
  if (self->cancellable != NULL)
    return;

  data = g_new0 (RunData, 1);
  data->setup = fl_client_panel_get_setup (self);
  data->bridge = fl_pipeline_bridge_new ();
  data->setup->config.events = fl_pipeline_bridge_get_events (data->bridge);
  data->started_unix = g_get_real_time () / G_USEC_PER_SEC;

  self->cancellable = g_cancellable_new ();
  self->bridge = data->bridge;
  self->stage_start[0] = self->stage_start[1] = 0;
  self->run_start_real = g_get_real_time ();
  self->last_peek = 0;
  self->peeking = FALSE;
  self->threads = data->setup->config.download.threads;
  set_stage_text (self, FL_STAGE_DOWNLOAD, NULL);
  set_stage_text (self, FL_STAGE_ENCODE, NULL);
  show_error (self, NULL);
  set_status (self, _("Running…"), NULL);
  for (guint i = 0; i < 2; i++)
    {
      GtkProgressBar *bar = i == 0 ? self->download_bar : self->encode_bar;

      gtk_progress_bar_set_fraction (bar, 0);
      gtk_progress_bar_set_text (bar, _("Waiting"));
    }
  update_sensitivity (self);
  self->tick_id = g_timeout_add (FL_BRIDGE_TICK_MS, on_tick, self);

  /* Keep the process alive until the thread has reaped its workers. */
  g_application_hold (g_application_get_default ());
  task = g_task_new (NULL, self->cancellable, on_run_done, g_object_ref (self));
  /* No destroy notify: on_run_done frees data on the main thread (see maybe_peek). */
  g_task_set_task_data (task, data, NULL);
  fl_tsan_release (data);
  g_task_run_in_thread (task, run_thread);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
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

  return port != 0 && (guint) gtk_spin_button_get_value_as_int (self->port_spin) == port
         && is_local_host (gtk_editable_get_text (GTK_EDITABLE (self->host_entry)));
}

void
fl_client_panel_get_stage (FlClientPanel *self, FlStage stage, guint64 *done, guint64 *total,
                           double *fraction, const char **time_text)
{
  GtkProgressBar *bar = stage == FL_STAGE_DOWNLOAD ? self->download_bar : self->encode_bar;
  const char *text = gtk_progress_bar_get_text (bar);

  *done = *total = 0;
  if (text != NULL)
    sscanf (text, "%" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT, done, total);
  *fraction = gtk_progress_bar_get_fraction (bar);
  *time_text = self->stage_text[stage];
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

static void
on_chooser_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  FlClientPanel *self = user_data;
  gboolean for_output = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog))
                        == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_object_set (self, for_output ? "output" : "frames-dir", path, NULL);
    }
  g_clear_object (&self->chooser);
}

static void
open_chooser (FlClientPanel *self, gboolean for_output)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr (GFile) current = NULL;

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (
    for_output ? _("Output GIF") : _("Frames Folder"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
    for_output ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
    for_output ? _("_Save") : _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (for_output)
    {
      g_autofree char *base = g_path_get_basename (effective_output (self));

      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), base);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_frames_dir_clicked (FlClientPanel *self)
{
  open_chooser (self, FALSE);
}

static void
on_output_clicked (FlClientPanel *self)
{
  open_chooser (self, TRUE);
}

static void
fl_client_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlClientPanel *self = FL_CLIENT_PANEL (object);

  switch (prop_id)
    {
    case PROP_FRAMES_DIR:
      g_value_set_string (value, self->frames_dir ? self->frames_dir : "");
      break;
    case PROP_OUTPUT:
      g_value_set_string (value, self->output ? self->output : "");
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, fl_client_panel_get_running (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* g_set_str() arrived in GLib 2.76. */
static gboolean
replace_str (char **slot, const char *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static void
fl_client_panel_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  FlClientPanel *self = FL_CLIENT_PANEL (object);

  switch (prop_id)
    {
    case PROP_FRAMES_DIR:
      if (replace_str (&self->frames_dir, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_OUTPUT:
      if (replace_str (&self->output, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
  update_path_buttons (self);
}

static void
fl_client_panel_dispose (GObject *object)
{
  FlClientPanel *self = FL_CLIENT_PANEL (object);

  /* The thread finishes on its own (within a second) and drops its data. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->bridge = NULL;
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), FL_TYPE_CLIENT_PANEL);
  /* The template's unnamed root box is ours to unparent. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (fl_client_panel_parent_class)->dispose (object);
}

static void
fl_client_panel_finalize (GObject *object)
{
  FlClientPanel *self = FL_CLIENT_PANEL (object);

  g_free (self->frames_dir);
  g_free (self->output);
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

  properties[PROP_FRAMES_DIR] = g_param_spec_string ("frames-dir", NULL, NULL, "",
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                       | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTPUT] = g_param_spec_string ("output", NULL, NULL, "",
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                   | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
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
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, frames_dir_button);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, output_button);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, delay_spin);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, loop_spin);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, fields);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, run_button);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, download_bar);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, encode_bar);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, download_time_label);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, encode_time_label);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, FlClientPanel, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_frames_dir_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_output_clicked);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
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
  self->settings = fl_settings_new ();
  if (self->settings != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (binds); i++)
        {
          GObject *widget = gtk_widget_get_template_child (GTK_WIDGET (self), FL_TYPE_CLIENT_PANEL,
                                                           binds[i].widget);

          g_settings_bind (self->settings, binds[i].key, widget,
                           GTK_IS_ENTRY (widget) ? "text" : "value", G_SETTINGS_BIND_DEFAULT);
        }
      g_settings_bind (self->settings, "client-frames-dir", self, "frames-dir",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "client-output", self, "output", G_SETTINGS_BIND_DEFAULT);
    }
  update_path_buttons (self);
  update_sensitivity (self);
}
