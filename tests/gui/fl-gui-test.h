/* fl-gui-test.h: shared set-up for the GUI tests (header-only, static helpers). */
#pragma once

#include <gtk/gtk.h>
#include <stdio.h>
#include <string.h>

/* TRUE when there is a display; else prints a TAP plan that skips everything. */
static inline gboolean
fl_gui_test_have_display (void)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      printf ("1..0 # SKIP no display (run under xvfb-run -a)\n");
      return FALSE;
    }
  return TRUE;
}

/* There is no session bus under xvfb-run: GtkApplication warns about it, which
 * G_DEBUG=fatal-warnings would turn into a failure. Nothing else is excused. */
static gboolean
fl_gui_test_log_filter (const char *domain, GLogLevelFlags level, const char *message,
                        gpointer user_data)
{
  if (message && (strstr (message, "session bus") || strstr (message, "org.a11y")))
    return FALSE;
  return TRUE;
}

static inline void
fl_gui_test_init (int *argc, char ***argv)
{
  g_setenv ("GSETTINGS_SCHEMA_DIR", FL_TEST_SCHEMA_DIR, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_test_init (argc, argv, NULL);
  g_test_log_set_fatal_handler (fl_gui_test_log_filter, NULL);
  gtk_init ();
}

/* Runs the main loop until *flag is TRUE or timeout_ms passes; returns *flag. */
typedef gboolean (*FlGuiTestCond) (gpointer data);

static inline gboolean
fl_gui_test_wait (FlGuiTestCond cond, gpointer data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static inline gboolean
fl_gui_test_true_after (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static inline void
fl_gui_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  fl_gui_test_wait (fl_gui_test_true_after, &end, ms + 1000);
}

/* Saves what widget shows as a PNG (screenshots for the README and metainfo). */
static inline gboolean
fl_gui_test_screenshot (GtkWidget *widget, const char *path)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL || renderer == NULL)
    return FALSE;
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  return gdk_texture_save_to_png (texture, path);
}
