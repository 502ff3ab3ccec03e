/* fl-application.c: FlApplication. */
#include "fl-application.h"

#include "fl-config.h"
#include "fl-window.h"

#include <string.h>

#include <epoxy/gl.h>
#include <glib/gi18n.h>

#define FL_WEBSITE "https://github.com/frameloom/frameloom"
#define FL_ISSUES FL_WEBSITE "/issues"

struct _FlApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (FlApplication, fl_application, ADW_TYPE_APPLICATION)

static FlWindow *
get_window (FlApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (fl_window_new (self));
  return FL_WINDOW (window);
}

static void
fl_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (FL_APPLICATION (app))));
}

static void
fl_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  FlWindow *window = get_window (FL_APPLICATION (app));

  /* One viewer: the last file wins. From a second instance too: the file
   * comes here over D-Bus, into the window already open. */
  if (n_files > 0)
    fl_window_open_gif (window, files[n_files - 1]);
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_quit (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Closing the windows cancels runs and stops the server cleanly. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_destroy (window);
    }
}

static void
on_about (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  static const char *developers[] = { "The Frameloom authors", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  GtkWidget *about = adw_about_window_new ();

  g_object_set (about,
                "transient-for", parent,
                "application-name", "Frameloom",
                "application-icon", FL_APP_ID,
                "developer-name", "The Frameloom authors",
                "version", FL_VERSION,
                "comments", _("A multi-threaded image server, a concurrent client and "
                              "a multi-process GIF encoder, shown live; and a GIF viewer."),
                "website", FL_WEBSITE,
                "issue-url", FL_ISSUES,
                "support-url", FL_WEBSITE "/discussions",
                "copyright", "© 2026 The Frameloom authors",
                "license-type", GTK_LICENSE_GPL_3_0, /* GPL-3.0-or-later */
                "developers", developers,
                "translator-credits", _("translator-credits"),
                "release-notes-version", FL_VERSION,
                "release-notes", _("<p>A GNOME app of its time:</p><ul>"
                                   "<li>Pages in a view switcher, the server and the client in a "
                                   "sidebar that folds in a narrow window</li>"
                                   "<li>Light, dark and high-contrast styles from the system</li>"
                                   "<li>Failures in a banner, news in toasts</li>"
                                   "<li>One window: a second start opens its GIF there</li>"
                                   "<li>The viewer steps frame by frame, zooms, copies and "
                                   "exports frames, and never decodes on the main loop</li>"
                                   "</ul>"),
                NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
on_launched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *uri = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      GtkWindow *window = gtk_application_get_active_window (
        GTK_APPLICATION (g_application_get_default ()));
      g_autofree char *name = g_uri_unescape_string (uri, NULL);
      g_autofree char *text = g_strdup_printf (_("Could not open “%s”: %s."),
                                               name ? name : uri, error->message);

      if (FL_IS_WINDOW (window))
        fl_window_show_error (FL_WINDOW (window), text);
    }
}

/* app.open-uri ("file:///..."): the file or folder in the app the desktop
 * chooses for it (the portal's, in a sandbox); a failure shows in the banner. */
static void
on_open_uri (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  const char *uri = g_variant_get_string (param, NULL);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  g_autoptr (GAppLaunchContext) context = NULL;

  if (window != NULL)
    context = G_APP_LAUNCH_CONTEXT (
      gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (window))));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, on_launched, g_strdup (uri));
}

static const GActionEntry app_actions[] = {
  { "quit", on_quit },
  { "about", on_about },
  { "open-uri", on_open_uri, "s" },
};

/* TRUE when GL on this display is a CPU rasterizer (Mesa's llvmpipe under
 * Xvfb, in VMs, over remote X). GTK 4.8's GL renderer then repaints the whole
 * window on the CPU, 70-300 ms a frame while a run keeps two cores busy; its
 * cairo renderer repaints only what changed, in about 5 ms. */
static gboolean
gl_is_software (void)
{
  static const char *const software[] = { "llvmpipe", "softpipe", "swrast", "Software Rasterizer" };
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr (GdkGLContext) context = NULL;
  const char *renderer;
  gboolean found = FALSE;

  if (display == NULL)
    return FALSE;
  context = gdk_display_create_gl_context (display, NULL);
  /* No GL at all: GTK falls back to cairo by itself. */
  if (context == NULL || !gdk_gl_context_realize (context, NULL))
    return FALSE;
  gdk_gl_context_make_current (context);
  renderer = (const char *) glGetString (GL_RENDERER);
  for (guint i = 0; renderer != NULL && i < G_N_ELEMENTS (software); i++)
    found = found || strstr (renderer, software[i]) != NULL;
  if (found)
    g_debug ("GL renderer is %s: drawing with cairo", renderer);
  gdk_gl_context_clear_current ();
  return found;
}

/* Only keys with a modifier, and function keys, are application accelerators:
 * those take a key before the focused widget sees it, so a bare key (Space,
 * the arrows) would never reach a text field. The viewer's own keys are its
 * bindings, active where the focus is in it (fl-gif-view.c). */
static void
fl_application_startup (GApplication *app)
{
  static const struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.run", { "<Control>r", NULL } },
    { "win.cancel", { "Escape", NULL } },
    { "win.compare", { "<Control><Shift>r", NULL } },
    { "win.sweep-threads", { "<Control>t", NULL } },
    { "win.sweep-processes", { "<Control><Shift>t", NULL } },
    { "win.save-runs", { "<Control>s", NULL } },
    { "win.open-runs", { "<Control><Shift>o", NULL } },
    { "win.export-frame", { "<Control>e", NULL } },
    { "win.export-trace", { "<Control><Shift>e", NULL } },
    { "win.export-report", { "<Control><Shift>m", NULL } },
    { "win.fullscreen", { "F11", NULL } },
    { "win.toggle-sidebar", { "F9", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  G_APPLICATION_CLASS (fl_application_parent_class)->startup (app);

  /* GSK reads GSK_RENDERER when the first window is realized, which is later;
   * an explicit choice by the user wins. */
  if (g_getenv ("GSK_RENDERER") == NULL && gl_is_software ())
    g_setenv ("GSK_RENDERER", "cairo", FALSE);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);
  /* AdwApplication loads style.css (and style-dark.css, style-hc.css) from the
   * resource base path itself. */
  gtk_window_set_default_icon_name (FL_APP_ID);
}

static void
fl_application_class_init (FlApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = fl_application_activate;
  app_class->open = fl_application_open;
  app_class->startup = fl_application_startup;
}

static void
fl_application_init (FlApplication *self)
{
}

FlApplication *
fl_application_new (void)
{
  return g_object_new (FL_TYPE_APPLICATION,
                       "application-id", FL_APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/frameloom/Frameloom",
                       NULL);
}
