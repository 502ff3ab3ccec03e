/* fl-window.c: FlWindow wires the panels together; it holds no long work. */
#include "fl-window.h"

#include "fl-core-async.h"
#include "fl-make-gif.h"
#include "fl-sync.h"
#include "fl-toast.h"
#include "fl-check-page.h"

#include <glib/gi18n.h>

/* Where the embedded server's connections go: the running client's model, for
 * the Timeline's handler rows. The reader stays on the server's stream for the
 * window's life and only the target changes, under a lock held for one batch,
 * so the main loop never waits for the stream's delivery. */
typedef struct
{
  FlMutex mutex;
  FlPipelineBridge *bridge;  /* or NULL */
} ServerFeed;

struct _FlWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  GtkFileChooserNative *chooser;

  int pending;            /* a Work to start once the server being started is up */
  int offered;            /* the Work the offer to start the server is about */
  GObject *error_source;  /* the panel whose failure the banner shows (not a reference) */
  gboolean flap_before_fullscreen;

  AdwToastOverlay *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  AdwFlap *flap;
  GtkWidget *sidebar;
  AdwViewStack *view_stack;
  FlBanner *error_banner;
  FlBanner *server_offer;
  FlServerPanel *server_panel;
  FlClientPanel *client_panel;
  FlConcurrencyView *concurrency_view;
  GtkRevealer *concurrency_revealer;
  FlGifView *gif_view;
  FlSpeedupPanel *speedup_panel;
  FlRunsView *runs_view;
  FlTimelineView *timeline_view;
  guint server_reader;       /* on the embedded server's stream, for as long as the window */
  ServerFeed *server_feed;   /* the run it feeds, if any */
  guint server_settle_id;
  FlMakeGifTarget make_gif;  /* what "Make GIF from images" needs of the window */
};

G_DEFINE_FINAL_TYPE (FlWindow, fl_window, ADW_TYPE_APPLICATION_WINDOW)

/* What Run, Compare and the sweeps start: a client run or a FlSweepKind. */
typedef enum
{
  WORK_NONE = -1,
  WORK_RUN = -2,
  WORK_COMPARE = FL_SWEEP_COMPARE,
  WORK_SWEEP_THREADS = FL_SWEEP_THREADS,
  WORK_SWEEP_PROCESSES = FL_SWEEP_PROCESSES,
} Work;

void
fl_window_open_gif (FlWindow *self, GFile *file)
{
  fl_gif_view_open (self->gif_view, file);
  fl_window_show_page (self, "viewer");
  gtk_widget_grab_focus (GTK_WIDGET (self->gif_view));
}

static void
on_open_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  FlWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        fl_window_open_gif (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
on_open (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Open GIF"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                               _("_Cancel"));
  gtk_file_filter_set_name (filter, _("GIF images"));
  gtk_file_filter_add_mime_type (filter, "image/gif");
  gtk_file_filter_add_suffix (filter, "gif");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
busy (FlWindow *self)
{
  return fl_client_panel_get_running (self->client_panel)
         || fl_speedup_panel_get_running (self->speedup_panel) || self->pending != WORK_NONE;
}

/* A run's trace and report, once it has events and has ended. */
static void
update_export_actions (FlWindow *self)
{
  FlRunModel *model = self->timeline_view ? fl_timeline_view_get_model (self->timeline_view)
                                          : NULL;
  gboolean can = model != NULL && fl_run_model_get_state (model) != FL_RUN_STATE_RUNNING
                 && fl_run_model_get_events_array (model)->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-trace", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-report", can);
}

static void
update_actions (FlWindow *self)
{
  static const char *const starters[] = { "win.run", "win.compare", "win.sweep-threads",
                                          "win.sweep-processes", "win.make-gif",
                                          "win.make-gif-folder" };
  gboolean offering = fl_banner_get_revealed (self->server_offer);
  gboolean has_runs = g_list_model_get_n_items (fl_runs_view_get_model (self->runs_view)) > 0;
  gboolean has_frame = fl_gif_view_get_has_frame (self->gif_view);

  /* One piece of work at a time: they share the frames folder and the server. */
  for (guint i = 0; i < G_N_ELEMENTS (starters); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), starters[i], !busy (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-server-and-run", offering);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.dismiss-offer", offering);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-runs", has_runs);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-frame", has_frame);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-frame", has_frame);
  update_export_actions (self);
}

static void
set_offering (FlWindow *self, gboolean offering)
{
  fl_banner_set_revealed (self->server_offer, offering);
  update_actions (self);
}

static void
start_work (FlWindow *self, Work work)
{
  if (work == WORK_RUN)
    {
      fl_client_panel_run (self->client_panel);
      return;
    }
  fl_window_show_page (self, "speedup");
  fl_speedup_panel_start (self->speedup_panel, (FlSweepKind) work,
                          fl_client_panel_get_setup (self->client_panel));
}

/* A local address on the embedded server's port while that server is off
 * would only fail with "connection refused": offer to start it first. */
static void
request_work (FlWindow *self, Work work)
{
  guint port = fl_server_panel_get_configured_port (self->server_panel);

  if (busy (self))
    return;
  if (!fl_server_panel_get_running (self->server_panel)
      && !fl_server_panel_get_busy (self->server_panel)
      && fl_client_panel_targets_local_port (self->client_panel, port))
    {
      g_autofree char *text = g_strdup_printf (
        _("The client downloads from port %u of this computer, but the embedded server is off."),
        port);

      fl_banner_set_title (self->server_offer, text);
      self->pending = WORK_NONE;
      self->offered = work;
      set_offering (self, TRUE);
      return;
    }
  set_offering (self, FALSE);
  start_work (self, work);
}

static void
on_run (GtkWidget *widget, const char *action, GVariant *param)
{
  request_work (FL_WINDOW (widget), WORK_RUN);
}

static void
on_compare (GtkWidget *widget, const char *action, GVariant *param)
{
  request_work (FL_WINDOW (widget), WORK_COMPARE);
}

static void
on_sweep (GtkWidget *widget, const char *action, GVariant *param)
{
  request_work (FL_WINDOW (widget), g_str_equal (action, "win.sweep-threads")
                                      ? WORK_SWEEP_THREADS
                                      : WORK_SWEEP_PROCESSES);
}

static void
on_start_server_and_run (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);

  self->pending = self->offered;
  set_offering (self, FALSE);
  fl_server_panel_set_running (self->server_panel, TRUE);
}

static void
on_dismiss_offer (GtkWidget *widget, const char *action, GVariant *param)
{
  set_offering (FL_WINDOW (widget), FALSE);
}

static void
on_offer_dismissed (FlWindow *self)
{
  update_actions (self);
}

static void
on_server_busy (FlWindow *self)
{
  Work work = self->pending;

  /* A start or stop may end after the window was disposed. */
  if (self->server_panel == NULL || fl_server_panel_get_busy (self->server_panel))
    return;
  if (fl_server_panel_get_running (self->server_panel))
    set_offering (self, FALSE);
  if (work != WORK_NONE)
    {
      self->pending = WORK_NONE;
      /* A failed start shows its sentence in the banner; no run then. */
      if (fl_server_panel_get_running (self->server_panel))
        start_work (self, work);
      update_actions (self);
    }
}

/* Escape: cancels what runs; else leaves fullscreen; else closes the banner. */
static void
on_cancel (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);

  if (busy (self))
    {
      self->pending = WORK_NONE;
      fl_client_panel_cancel (self->client_panel);
      fl_speedup_panel_cancel (self->speedup_panel);
    }
  else if (gtk_window_is_fullscreen (GTK_WINDOW (self)))
    gtk_window_unfullscreen (GTK_WINDOW (self));
  else if (fl_banner_get_revealed (self->server_offer))
    set_offering (self, FALSE);
  else
    fl_window_show_error (self, NULL);
  update_actions (self);
}

static void
on_save_runs (GtkWidget *widget, const char *action, GVariant *param)
{
  fl_runs_view_choose_save (FL_WINDOW (widget)->runs_view);
}

static void
on_open_runs (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);

  fl_window_show_page (self, "runs");
  fl_runs_view_choose_open (self->runs_view);
}

static void
on_export_frame (GtkWidget *widget, const char *action, GVariant *param)
{
  fl_gif_view_choose_export (FL_WINDOW (widget)->gif_view);
}

static void
on_copy_frame (GtkWidget *widget, const char *action, GVariant *param)
{
  fl_gif_view_copy_frame (FL_WINDOW (widget)->gif_view);
}

static void
on_fullscreen (GtkWidget *widget, const char *action, GVariant *param)
{
  GtkWindow *window = GTK_WINDOW (widget);

  if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

/* Fullscreen is for the GIF: the viewer alone; the sidebar comes back after. */
static void
on_fullscreened (FlWindow *self)
{
  if (gtk_window_is_fullscreen (GTK_WINDOW (self)))
    {
      self->flap_before_fullscreen = adw_flap_get_reveal_flap (self->flap);
      adw_flap_set_reveal_flap (self->flap, FALSE);
      fl_window_show_page (self, "viewer");
    }
  else
    adw_flap_set_reveal_flap (self->flap, self->flap_before_fullscreen);
}

static void
on_show_error (GtkWidget *widget, const char *action, GVariant *param)
{
  fl_window_show_error (FL_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
on_toggle_sidebar (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

static void
on_show_page (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);
  const char *name = g_variant_get_string (param, NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) == NULL)
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, name);
  if (g_str_equal (name, "viewer"))
    gtk_widget_grab_focus (GTK_WIDGET (self->gif_view));
}

static void
set_timeline_model (FlWindow *self, FlRunModel *model)
{
  FlRunModel *old = fl_timeline_view_get_model (self->timeline_view);

  if (old == model)
    return;
  if (old != NULL)
    g_signal_handlers_disconnect_by_func (old, update_export_actions, self);
  fl_timeline_view_set_model (self->timeline_view, model);
  g_signal_connect_object (model, "notify::state", G_CALLBACK (update_export_actions), self,
                           G_CONNECT_SWAPPED);
}

static void
read_server_events (const FlEvent *events, guint n_events, gpointer user_data)
{
  ServerFeed *feed = user_data;

  fl_mutex_lock (&feed->mutex);
  if (feed->bridge != NULL)
    fl_pipeline_bridge_read_server_events (events, n_events, feed->bridge);
  fl_mutex_unlock (&feed->mutex);
}

static void
server_feed_free (gpointer data)
{
  ServerFeed *feed = data;

  g_clear_pointer (&feed->bridge, fl_pipeline_bridge_unref);
  fl_mutex_clear (&feed->mutex);
  g_free (feed);
}

static void
set_server_feed (FlWindow *self, FlRunModel *model)
{
  FlPipelineBridge *old;

  fl_mutex_lock (&self->server_feed->mutex);
  old = self->server_feed->bridge;
  self->server_feed->bridge = model ? fl_pipeline_bridge_ref (fl_run_model_get_bridge (model))
                                    : NULL;
  fl_mutex_unlock (&self->server_feed->mutex);
  if (old != NULL)
    fl_pipeline_bridge_unref (old);
}

/* A little after the run: the server's last connections (its stream delivers
 * within FL_EVENTS_LATENCY_MS) go into the finished run, and the feed stops. */
static gboolean
on_server_settled (gpointer data)
{
  FlWindow *self = data;
  FlRunModel *model = fl_timeline_view_get_model (self->timeline_view);

  self->server_settle_id = 0;
  if (model != NULL)
    fl_run_model_update (model);
  set_server_feed (self, NULL);
  return G_SOURCE_REMOVE;
}

/* While a client run goes, the embedded server's connections join its events:
 * the Timeline then shows the handler threads too. */
static void
follow_server (FlWindow *self, FlRunModel *model)
{
  g_clear_handle_id (&self->server_settle_id, g_source_remove);
  if (model == NULL)
    {
      self->server_settle_id = g_timeout_add (10 * FL_EVENTS_LATENCY_MS, on_server_settled, self);
      return;
    }
  if (!fl_server_panel_get_running (self->server_panel))
    return;
  fl_run_model_set_server_command (model, fl_server_panel_get_command_line (self->server_panel));
  set_server_feed (self, model);
}

/* The live view follows whichever piece of work runs. */
static void
on_running_changed (FlWindow *self)
{
  FlPipelineBridge *bridge = fl_client_panel_get_bridge (self->client_panel);
  guint threads;

  if (self->concurrency_view == NULL)
    return;
  if (bridge != NULL)
    {
      g_autoptr (FlRunSetup) setup = fl_client_panel_get_setup (self->client_panel);

      threads = setup->config.download.threads;
    }
  else
    {
      bridge = fl_speedup_panel_get_bridge (self->speedup_panel);
      threads = fl_speedup_panel_get_max_threads (self->speedup_panel);
    }
  if (bridge != NULL)
    gtk_revealer_set_reveal_child (self->concurrency_revealer, TRUE);
  fl_concurrency_view_set_bridge (self->concurrency_view, bridge, threads);
  /* The Timeline shows the run under way, and keeps it once it ends. */
  follow_server (self, fl_client_panel_get_running (self->client_panel)
                         ? fl_client_panel_get_model (self->client_panel) : NULL);
  if (fl_client_panel_get_running (self->client_panel))
    set_timeline_model (self, fl_client_panel_get_model (self->client_panel));
  else if (fl_speedup_panel_get_running (self->speedup_panel))
    set_timeline_model (self, fl_speedup_panel_get_model (self->speedup_panel));
  update_actions (self);
}

static void
on_run_recorded (FlWindow *self, FlRunObject *run)
{
  fl_runs_view_add (self->runs_view, fl_run_object_get_record (run));
  update_actions (self);
}

/* A panel's "error" changed: its sentence goes to the banner, where the user
 * looks, whichever page is shown and however far the sidebar is scrolled. */
static void
on_panel_error (FlWindow *self, GParamSpec *pspec, GObject *panel)
{
  g_autofree char *error = NULL;

  g_object_get (panel, "error", &error, NULL);
  if (error != NULL)
    {
      self->error_source = panel;
      fl_window_show_error (self, error);
    }
  else if (self->error_source == panel)
    fl_window_show_error (self, NULL);
}

static void
on_error_dismissed (FlWindow *self)
{
  self->error_source = NULL;
}

static void
on_client_finished (FlWindow *self, gboolean ok, const char *gif_path)
{
  if (ok && gif_path != NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_path (gif_path);

      /* The live frame stays until the GIF is decoded and replaces it. */
      fl_gif_view_open (self->gif_view, file);
      fl_window_show_page (self, "viewer");
    }
  else
    fl_gif_view_end_live (self->gif_view);
}

static void
on_frame_arrived (FlWindow *self, guint index, guint total, gpointer image)
{
  fl_gif_view_show_live_frame (self->gif_view, image, index, total);
}

static void
on_server_port (FlWindow *self)
{
  if (self->server_panel == NULL)
    return;
  fl_client_panel_follow_server (self->client_panel,
                                 fl_server_panel_get_port (self->server_panel));
}

/* The window's title is the GIF's name, as in any viewer. */
static void
on_gif_title (FlWindow *self)
{
  const char *name = fl_gif_view_get_title (self->gif_view);
  g_autofree char *title = NULL;

  /* TRANSLATORS: the window title: the GIF's name, then the app's */
  title = name != NULL ? g_strdup_printf (_("%s — Frameloom"), name) : g_strdup ("Frameloom");
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_view_switcher_title_set_subtitle (self->switcher_title, name);
  update_actions (self);
}

static void
on_page_changed (FlWindow *self)
{
  /* A narrow window shows one thing at a time: a page chosen hides the sidebar. */
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

static void
show_error_in (GtkWindow *window, const char *message)
{
  fl_window_show_error (FL_WINDOW (window), message);
}

const FlMakeGifTarget *
fl_window_get_make_gif_target (FlWindow *self)
{
  return &self->make_gif;
}

/* PNG images or a folder dropped make a GIF; a GIF opens in the viewer. */
static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  GSList *files;

  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      fl_window_open_gif (FL_WINDOW (user_data), g_value_get_object (value));
      return TRUE;
    }
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST)
      || (files = gdk_file_list_get_files (g_value_get_boxed (value))) == NULL)
    return FALSE;
  if (!fl_make_gif_from_files (&FL_WINDOW (user_data)->make_gif, files))
    fl_window_open_gif (FL_WINDOW (user_data), files->data);
  g_slist_free (files);
  return TRUE;
}

static void
on_make_gif (GtkWidget *widget, const char *action, GVariant *param)
{
  if (!busy (FL_WINDOW (widget)))
    fl_make_gif_choose (&FL_WINDOW (widget)->make_gif,
                        g_str_equal (action, "win.make-gif-folder"));
}

FlServerPanel *
fl_window_get_server_panel (FlWindow *self)
{
  return self->server_panel;
}

FlClientPanel *
fl_window_get_client_panel (FlWindow *self)
{
  return self->client_panel;
}

FlGifView *
fl_window_get_gif_view (FlWindow *self)
{
  return self->gif_view;
}

FlSpeedupPanel *
fl_window_get_speedup_panel (FlWindow *self)
{
  return self->speedup_panel;
}

FlRunsView *
fl_window_get_runs_view (FlWindow *self)
{
  return self->runs_view;
}

FlConcurrencyView *
fl_window_get_concurrency_view (FlWindow *self)
{
  return self->concurrency_view;
}

void
fl_window_show_page (FlWindow *self, const char *name)
{
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

const char *
fl_window_get_page (FlWindow *self)
{
  return adw_view_stack_get_visible_child_name (self->view_stack);
}

gboolean
fl_window_get_offering_server (FlWindow *self)
{
  return fl_banner_get_revealed (self->server_offer);
}

void
fl_window_show_error (FlWindow *self, const char *message)
{
  if (message != NULL)
    fl_banner_set_title (self->error_banner, message);
  else
    self->error_source = NULL;
  fl_banner_set_revealed (self->error_banner, message != NULL);
}

FlBanner *
fl_window_get_error_banner (FlWindow *self)
{
  return self->error_banner;
}

gboolean
fl_window_get_sidebar_folded (FlWindow *self)
{
  return adw_flap_get_folded (self->flap);
}

static void
on_exported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean trace = g_task_get_source_tag (G_TASK (result)) == fl_core_write_trace_async;
  gboolean ok = trace ? fl_core_write_trace_finish (result, &error)
                      : fl_core_write_report_finish (result, &error);

  if (!ok)
    fl_window_show_error (self, error->message);
  else
    fl_toast_show (GTK_WIDGET (self), trace ? _("Trace exported") : _("Report exported"), NULL,
                   NULL, NULL);
}

void
fl_window_export_trace (FlWindow *self, const char *path)
{
  FlRunModel *model = fl_timeline_view_get_model (self->timeline_view);

  g_return_if_fail (model != NULL);
  fl_core_write_trace_async (model, path, on_exported, g_object_ref (self));
}

void
fl_window_export_report (FlWindow *self, const char *dir)
{
  FlRunModel *model = fl_timeline_view_get_model (self->timeline_view);

  g_return_if_fail (model != NULL);
  fl_core_write_report_async (model, dir, on_exported, g_object_ref (self));
}

static void
on_export_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  FlWindow *self = user_data;
  gboolean trace = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "fl-trace"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL && trace)
        fl_window_export_trace (self, path);
      else if (path != NULL)
        fl_window_export_report (self, path);
    }
  g_clear_object (&self->chooser);
}

/* win.export-trace: a JSON file; win.export-report: a folder for report.md
 * and the timeline's pictures. */
static void
on_export (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);
  gboolean trace = g_str_equal (action, "win.export-trace");

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (trace ? _("Export Trace") : _("Export Report"),
                                               GTK_WINDOW (self),
                                               trace ? GTK_FILE_CHOOSER_ACTION_SAVE
                                                     : GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Export"), _("_Cancel"));
  if (trace)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "frameloom-trace.json");
  g_object_set_data (G_OBJECT (self->chooser), "fl-trace", GINT_TO_POINTER (trace));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

FlTimelineView *
fl_window_get_timeline_view (FlWindow *self)
{
  return self->timeline_view;
}

static void
fl_window_dispose (GObject *object)
{
  FlWindow *self = FL_WINDOW (object);

  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  /* Before the server panel, whose stream the reader is on, goes. */
  g_clear_handle_id (&self->server_settle_id, g_source_remove);
  if (self->server_reader != 0)
    {
      fl_events_remove_reader (fl_server_panel_get_events (self->server_panel),
                               self->server_reader);
      self->server_reader = 0;
    }
  /* Cancels a run and stops the server: the panels do it in their dispose. */
  gtk_widget_dispose_template (GTK_WIDGET (self), FL_TYPE_WINDOW);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (fl_window_parent_class)->dispose (object);
}

static void
fl_window_class_init (FlWindowClass *klass)
{
  static const struct
  {
    const char *name;
    GtkWidgetActionActivateFunc activate;
    const char *param;
  } actions[] = {
    { "win.open", on_open, NULL },
    { "win.make-gif", on_make_gif, NULL },
    { "win.make-gif-folder", on_make_gif, NULL },
    { "win.run", on_run, NULL },
    { "win.cancel", on_cancel, NULL },
    { "win.compare", on_compare, NULL },
    { "win.sweep-threads", on_sweep, NULL },
    { "win.sweep-processes", on_sweep, NULL },
    { "win.save-runs", on_save_runs, NULL },
    { "win.open-runs", on_open_runs, NULL },
    { "win.export-frame", on_export_frame, NULL },
    { "win.copy-frame", on_copy_frame, NULL },
    { "win.fullscreen", on_fullscreen, NULL },
    { "win.toggle-sidebar", on_toggle_sidebar, NULL },
    { "win.show-page", on_show_page, "s" },
    { "win.show-error", on_show_error, "s" },
    { "win.start-server-and-run", on_start_server_and_run, NULL },
    { "win.dismiss-offer", on_dismiss_offer, NULL },
    { "win.export-trace", on_export, NULL },
    { "win.export-report", on_export, NULL },
  };
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_window_dispose;

  g_type_ensure (FL_TYPE_BANNER);
  g_type_ensure (FL_TYPE_SERVER_PANEL);
  g_type_ensure (FL_TYPE_CLIENT_PANEL);
  g_type_ensure (FL_TYPE_GIF_VIEW);
  g_type_ensure (FL_TYPE_CONCURRENCY_VIEW);
  g_type_ensure (FL_TYPE_SPEEDUP_PANEL);
  g_type_ensure (FL_TYPE_RUNS_VIEW);
  g_type_ensure (FL_TYPE_TIMELINE_VIEW);
  g_type_ensure (FL_TYPE_CHECK_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, error_banner);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_offer);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_panel);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, client_panel);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, gif_view);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, concurrency_view);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, concurrency_revealer);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, speedup_panel);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, runs_view);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, timeline_view);
  gtk_widget_class_bind_template_callback (widget_class, on_client_finished);
  gtk_widget_class_bind_template_callback (widget_class, on_frame_arrived);
  gtk_widget_class_bind_template_callback (widget_class, on_server_port);
  gtk_widget_class_bind_template_callback (widget_class, on_server_busy);
  gtk_widget_class_bind_template_callback (widget_class, on_running_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_run_recorded);
  gtk_widget_class_bind_template_callback (widget_class, on_panel_error);
  gtk_widget_class_bind_template_callback (widget_class, on_error_dismissed);
  gtk_widget_class_bind_template_callback (widget_class, on_offer_dismissed);
  gtk_widget_class_bind_template_callback (widget_class, on_gif_title);
  gtk_widget_class_bind_template_callback (widget_class, on_page_changed);

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_class_install_action (widget_class, actions[i].name, actions[i].param,
                                     actions[i].activate);
  /* Escape in the bubble phase: a popover, a menu or the banner that has the
   * focus takes it first (an application accelerator would take it from
   * them). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-page",
                                       "s", "viewer");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-page",
                                       "s", "speedup");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-page",
                                       "s", "runs");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.show-page",
                                       "s", "timeline");
}

static void
fl_window_init (FlWindow *self)
{
  GtkDropTarget *drop;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  self->pending = WORK_NONE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->make_gif = (FlMakeGifTarget) { GTK_WINDOW (self), self->client_panel, self->speedup_panel,
                                       show_error_in };
  self->server_feed = g_new0 (ServerFeed, 1);
  fl_mutex_init (&self->server_feed->mutex);
  self->server_reader = fl_events_add_reader (fl_server_panel_get_events (self->server_panel),
                                              read_server_events, self->server_feed,
                                              server_feed_free);
  g_signal_connect_object (fl_runs_view_get_model (self->runs_view), "items-changed",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->gif_view, "notify::has-frame", G_CALLBACK (update_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (on_fullscreened), NULL);
  /* A GIF dropped anywhere opens in the viewer; images make a GIF. */
  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  self->settings = fl_settings_new ();
  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "window-width", self, "default-width",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-height", self, "default-height",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-maximized", self, "maximized",
                       G_SETTINGS_BIND_DEFAULT);
    }
  update_actions (self);
}

FlWindow *
fl_window_new (FlApplication *app)
{
  return g_object_new (FL_TYPE_WINDOW, "application", app, NULL);
}
