/* fl-window.c: FlWindow wires the panels together; it holds no long work. */
#include "fl-window.h"

#include <glib/gi18n.h>

struct _FlWindow
{
  GtkApplicationWindow parent_instance;

  GSettings *settings;
  GtkFileChooserNative *chooser;

  int pending;            /* a Work to start once the server being started is up */
  int offered;            /* the Work the offer to start the server is about */

  FlServerPanel *server_panel;
  FlClientPanel *client_panel;
  FlConcurrencyView *concurrency_view;
  GtkRevealer *concurrency_revealer;
  GtkStack *stack;
  FlGifView *gif_view;
  FlSpeedupPanel *speedup_panel;
  FlRunsView *runs_view;
  GtkRevealer *server_offer;
  GtkLabel *server_offer_label;
  GtkWidget *server_offer_button;
};

G_DEFINE_FINAL_TYPE (FlWindow, fl_window, GTK_TYPE_APPLICATION_WINDOW)

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

static void
update_actions (FlWindow *self)
{
  static const char *const starters[] = { "win.run", "win.compare", "win.sweep-threads",
                                          "win.sweep-processes" };
  gboolean offering = gtk_revealer_get_reveal_child (self->server_offer);
  gboolean has_runs = g_list_model_get_n_items (fl_runs_view_get_model (self->runs_view)) > 0;

  /* One piece of work at a time: they share the frames folder and the server. */
  for (guint i = 0; i < G_N_ELEMENTS (starters); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), starters[i], !busy (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", busy (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-server-and-run", offering);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.dismiss-offer", offering);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-runs", has_runs);
}

static void
set_offering (FlWindow *self, gboolean offering)
{
  gtk_revealer_set_reveal_child (self->server_offer, offering);
  update_actions (self);
  if (offering)
    gtk_widget_grab_focus (self->server_offer_button);
}

static void
start_work (FlWindow *self, Work work)
{
  if (work == WORK_RUN)
    {
      fl_client_panel_run (self->client_panel);
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "speedup");
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

      gtk_label_set_text (self->server_offer_label, text);
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
      /* A failed start shows its sentence in the Server area; no run then. */
      if (fl_server_panel_get_running (self->server_panel))
        start_work (self, work);
      update_actions (self);
    }
}

static void
on_cancel (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);

  self->pending = WORK_NONE;
  set_offering (self, FALSE);
  fl_client_panel_cancel (self->client_panel);
  fl_speedup_panel_cancel (self->speedup_panel);
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

  gtk_stack_set_visible_child_name (self->stack, "runs");
  fl_runs_view_choose_open (self->runs_view);
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
  update_actions (self);
}

static void
on_run_recorded (FlWindow *self, FlRunObject *run)
{
  fl_runs_view_add (self->runs_view, fl_run_object_get_record (run));
  update_actions (self);
}

static void
on_play (GtkWidget *widget, const char *action, GVariant *param)
{
  fl_gif_view_toggle_playing (FL_WINDOW (widget)->gif_view);
}

static void
on_client_finished (FlWindow *self, gboolean ok, const char *gif_path)
{
  if (ok && gif_path != NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_path (gif_path);

      /* The live frame stays until the GIF is decoded and replaces it. */
      fl_window_open_gif (self, file);
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
  /* At once: a program (or a test's screenshot) wants the page, not the fade. */
  gtk_stack_set_visible_child_full (self->stack, name, GTK_STACK_TRANSITION_TYPE_NONE);
}

gboolean
fl_window_get_offering_server (FlWindow *self)
{
  return gtk_revealer_get_reveal_child (self->server_offer);
}

static void
fl_window_dispose (GObject *object)
{
  FlWindow *self = FL_WINDOW (object);

  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  /* Cancels a run and stops the server: the panels do it in their dispose. */
  gtk_widget_dispose_template (GTK_WIDGET (self), FL_TYPE_WINDOW);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (fl_window_parent_class)->dispose (object);
}

static void
fl_window_class_init (FlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_window_dispose;

  g_type_ensure (FL_TYPE_SERVER_PANEL);
  g_type_ensure (FL_TYPE_CLIENT_PANEL);
  g_type_ensure (FL_TYPE_GIF_VIEW);
  g_type_ensure (FL_TYPE_CONCURRENCY_VIEW);
  g_type_ensure (FL_TYPE_SPEEDUP_PANEL);
  g_type_ensure (FL_TYPE_RUNS_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_panel);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, client_panel);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, gif_view);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, concurrency_view);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, concurrency_revealer);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, speedup_panel);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, runs_view);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_offer);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_offer_label);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_offer_button);
  gtk_widget_class_bind_template_callback (widget_class, on_client_finished);
  gtk_widget_class_bind_template_callback (widget_class, on_frame_arrived);
  gtk_widget_class_bind_template_callback (widget_class, on_server_port);
  gtk_widget_class_bind_template_callback (widget_class, on_server_busy);
  gtk_widget_class_bind_template_callback (widget_class, update_actions);
  gtk_widget_class_bind_template_callback (widget_class, on_running_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_run_recorded);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, on_open);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, on_run);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, on_cancel);
  gtk_widget_class_install_action (widget_class, "win.compare", NULL, on_compare);
  gtk_widget_class_install_action (widget_class, "win.sweep-threads", NULL, on_sweep);
  gtk_widget_class_install_action (widget_class, "win.sweep-processes", NULL, on_sweep);
  gtk_widget_class_install_action (widget_class, "win.save-runs", NULL, on_save_runs);
  gtk_widget_class_install_action (widget_class, "win.open-runs", NULL, on_open_runs);
  gtk_widget_class_install_action (widget_class, "win.play", NULL, on_play);
  gtk_widget_class_install_action (widget_class, "win.start-server-and-run", NULL,
                                   on_start_server_and_run);
  gtk_widget_class_install_action (widget_class, "win.dismiss-offer", NULL, on_dismiss_offer);
}

static void
fl_window_init (FlWindow *self)
{
  self->pending = WORK_NONE;
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (fl_runs_view_get_model (self->runs_view), "items-changed",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
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
