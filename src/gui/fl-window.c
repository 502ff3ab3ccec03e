/* fl-window.c: FlWindow wires the panels together; it holds no long work. */
#include "fl-window.h"

#include <glib/gi18n.h>

struct _FlWindow
{
  GtkApplicationWindow parent_instance;

  GSettings *settings;
  GtkFileChooserNative *chooser;

  gboolean run_pending;   /* run once the server being started is up */

  FlServerPanel *server_panel;
  FlClientPanel *client_panel;
  FlGifView *gif_view;
  GtkRevealer *server_offer;
  GtkLabel *server_offer_label;
  GtkWidget *server_offer_button;
};

G_DEFINE_FINAL_TYPE (FlWindow, fl_window, GTK_TYPE_APPLICATION_WINDOW)

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

static void
update_actions (FlWindow *self)
{
  gboolean running = fl_client_panel_get_running (self->client_panel);
  gboolean offering = gtk_revealer_get_reveal_child (self->server_offer);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", !running && !self->run_pending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", running || self->run_pending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-server-and-run", offering);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.dismiss-offer", offering);
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
on_run (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);
  guint port = fl_server_panel_get_configured_port (self->server_panel);

  /* A local address on the embedded server's port while that server is off
   * would only fail with "connection refused": offer to start it first. */
  if (!fl_server_panel_get_running (self->server_panel)
      && !fl_server_panel_get_busy (self->server_panel)
      && fl_client_panel_targets_local_port (self->client_panel, port))
    {
      g_autofree char *text = g_strdup_printf (
        _("The client downloads from port %u of this computer, but the embedded server is off."),
        port);

      gtk_label_set_text (self->server_offer_label, text);
      set_offering (self, TRUE);
      return;
    }
  set_offering (self, FALSE);
  fl_client_panel_run (self->client_panel);
}

static void
on_start_server_and_run (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);

  self->run_pending = TRUE;
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
  /* A start or stop may end after the window was disposed. */
  if (self->server_panel == NULL || fl_server_panel_get_busy (self->server_panel))
    return;
  if (fl_server_panel_get_running (self->server_panel))
    set_offering (self, FALSE);
  if (self->run_pending)
    {
      self->run_pending = FALSE;
      /* A failed start shows its sentence in the Server area; no run then. */
      if (fl_server_panel_get_running (self->server_panel))
        fl_client_panel_run (self->client_panel);
      update_actions (self);
    }
}

static void
on_cancel (GtkWidget *widget, const char *action, GVariant *param)
{
  FlWindow *self = FL_WINDOW (widget);

  self->run_pending = FALSE;
  set_offering (self, FALSE);
  fl_client_panel_cancel (self->client_panel);
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
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_panel);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, client_panel);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, gif_view);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_offer);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_offer_label);
  gtk_widget_class_bind_template_child (widget_class, FlWindow, server_offer_button);
  gtk_widget_class_bind_template_callback (widget_class, on_client_finished);
  gtk_widget_class_bind_template_callback (widget_class, on_frame_arrived);
  gtk_widget_class_bind_template_callback (widget_class, on_server_port);
  gtk_widget_class_bind_template_callback (widget_class, on_server_busy);
  gtk_widget_class_bind_template_callback (widget_class, update_actions);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, on_open);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, on_run);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, on_cancel);
  gtk_widget_class_install_action (widget_class, "win.play", NULL, on_play);
  gtk_widget_class_install_action (widget_class, "win.start-server-and-run", NULL,
                                   on_start_server_and_run);
  gtk_widget_class_install_action (widget_class, "win.dismiss-offer", NULL, on_dismiss_offer);
}

static void
fl_window_init (FlWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
