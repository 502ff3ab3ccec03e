/* fl-application.c: FlApplication. */
#include "fl-application.h"

#include "fl-config.h"
#include "fl-window.h"

#include <string.h>

#include <epoxy/gl.h>
#include <glib/gi18n.h>

struct _FlApplication
{
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (FlApplication, fl_application, GTK_TYPE_APPLICATION)

GSettings *
fl_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, FL_APP_ID, TRUE);
  if (schema == NULL)
    {
      /* Said once, not as a warning: the app works without it, it only forgets.
       * The install test looks for this line. Main thread only. */
      static gboolean told;

      if (!told)
        g_message ("Settings schema %s not found: settings will not be remembered", FL_APP_ID);
      told = TRUE;
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

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

  /* One preview: the last file wins. */
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

  gtk_show_about_dialog (parent,
                         "program-name", "Frameloom",
                         "logo-icon-name", FL_APP_ID,
                         "version", FL_VERSION,
                         "comments", _("A multi-threaded image server, a concurrent client and "
                                       "a multi-process GIF encoder, shown live."),
                         "copyright", "© 2026 The Frameloom authors",
                         "license-type", GTK_LICENSE_GPL_3_0, /* GPL-3.0-or-later */
                         "website", "https://github.com/frameloom/frameloom",
                         "authors", developers,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", on_quit },
  { "about", on_about },
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
    { "win.play", { "space", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

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
  gtk_css_provider_load_from_resource (css, "/io/github/frameloom/Frameloom/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
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
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/io/github/frameloom/Frameloom",
                       NULL);
}
