/* fl-test-gui.h: shared set-up for the GUI tests (header-only, static helpers). */
#pragma once

#include "fl-test-util.h"

#include "fl-application.h"
#include "fl-client-panel.h"
#include "fl-gif-paintable.h"
#include "fl-gif-view.h"
#include "fl-server-panel.h"
#include "fl-settings.h"
#include "fl-window.h"

#include <adwaita.h>
#include <gtk/gtk.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* Sets GTK and Adw up for a test (the test schemas, in-memory settings, the
 * test accessibility backend, the app's icons) and returns TRUE. With no
 * display it prints a TAP plan that skips everything and returns FALSE: the
 * check comes before gtk_init, which would abort. */
static inline gboolean
fl_gui_test_init (int *argc, char ***argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      printf ("1..0 # SKIP no display (run under xvfb-run -a)\n");
      return FALSE;
    }
  g_setenv ("GSETTINGS_SCHEMA_DIR", FL_TEST_SCHEMA_DIR, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* The test backend records accessible properties so tests can check them. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_test_init (argc, argv, NULL);
  g_test_log_set_fatal_handler (fl_gui_test_log_filter, NULL);
  gtk_init ();
  adw_init ();
  /* The app's own icons, as an installed app finds them. */
  if (g_getenv ("FRAMELOOM_SOURCE_ROOT") != NULL)
    {
      g_autofree char *icons = g_build_filename (g_getenv ("FRAMELOOM_SOURCE_ROOT"), "data",
                                                 "icons", NULL);

      gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                      icons);
    }
  return TRUE;
}

/* The app for a test: registered, and unique only when the test asks (a test
 * run next to a real session must not take over its Frameloom). */
static inline void
fl_gui_test_register (GApplication *app, gboolean unique)
{
  if (!unique)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (app, NULL, NULL));
}

/* The light or dark style, as a desktop setting would choose it. */
static inline void
fl_gui_test_set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                           : ADW_COLOR_SCHEME_DEFAULT);
}

/* The longest single main-loop iteration seen by fl_gui_test_wait since the
 * last reset: how long the window could not react (layout and paint included).
 * A 1 ms timer cannot measure this here: at G_PRIORITY_DEFAULT it is always
 * ready in this polling loop and starves GDK_PRIORITY_REDRAW, so nothing is
 * painted while it runs. */
static gint64 fl_gui_test_max_iteration_us;
/* The main thread's CPU time in that iteration: far below the wall time means
 * the scheduler kept the thread off the processors, not our code. */
static gint64 fl_gui_test_max_iteration_cpu_us;
/* The most CPU time the main thread spent in any one iteration: the work our
 * code did while the window could not react, whatever the machine's load. */
static gint64 fl_gui_test_max_cpu_us;

/* The longest time one iteration spent neither running nor waiting to run:
 * blocked (a lock, a read, a join). A loaded machine stretches the wall time
 * of an iteration, never this. -1 where the kernel keeps no schedstat. */
static gint64 fl_gui_test_max_blocked_us;

/* The main thread's time on a processor and waiting for one, in microseconds,
 * from /proc/thread-self/schedstat; FALSE when the kernel does not say. */
static inline gboolean
fl_gui_test_thread_sched_us (gint64 *running, gint64 *waiting)
{
  FILE *f = fopen ("/proc/thread-self/schedstat", "r");
  unsigned long long run_ns = 0, wait_ns = 0;
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fscanf (f, "%llu %llu", &run_ns, &wait_ns) == 2;
  fclose (f);
  *running = (gint64) (run_ns / 1000);
  *waiting = (gint64) (wait_ns / 1000);
  return ok;
}

static inline gint64
fl_gui_test_thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Fails when one iteration blocked for limit_us or more. Where the kernel keeps
 * no schedstat, the iteration's wall time stands in for it. */
static inline void
fl_gui_test_assert_never_blocked (gint64 limit_us)
{
  if (fl_gui_test_max_blocked_us >= 0)
    g_assert_cmpint (fl_gui_test_max_blocked_us, <, limit_us);
  else
    g_assert_cmpint (fl_gui_test_max_iteration_us, <, limit_us);
}

/* Runs the main loop until cond (data) is TRUE or timeout_ms passes; returns it. */
typedef gboolean (*FlGuiTestCond) (gpointer data);

static inline gboolean
fl_gui_test_wait (FlGuiTestCond cond, gpointer data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      gint64 start = g_get_monotonic_time ();
      gint64 cpu = fl_gui_test_thread_cpu_us ();
      gint64 ran0 = 0, waited0 = 0, ran1 = 0, waited1 = 0;
      gboolean sched = fl_gui_test_thread_sched_us (&ran0, &waited0);

      if (start > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      if (g_get_monotonic_time () - start > fl_gui_test_max_iteration_us)
        {
          fl_gui_test_max_iteration_us = g_get_monotonic_time () - start;
          fl_gui_test_max_iteration_cpu_us = fl_gui_test_thread_cpu_us () - cpu;
        }
      fl_gui_test_max_cpu_us = MAX (fl_gui_test_max_cpu_us, fl_gui_test_thread_cpu_us () - cpu);
      if (sched && fl_gui_test_max_blocked_us >= 0
          && fl_gui_test_thread_sched_us (&ran1, &waited1))
        fl_gui_test_max_blocked_us
          = MAX (fl_gui_test_max_blocked_us, g_get_monotonic_time () - start
                                               - (ran1 - ran0) - (waited1 - waited0));
      else
        fl_gui_test_max_blocked_us = -1;
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

typedef struct
{
  GtkWidget *widget;
  gboolean background;   /* paint the theme's background first (a toplevel's vfunc leaves it out) */
  GdkTexture *texture;   /* NULL until the frame clock has painted a frame */
} FlGuiTestRender;

static void
fl_gui_test_on_after_paint (GdkFrameClock *clock, FlGuiTestRender *render)
{
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (render->widget));
  int w = gtk_widget_get_width (render->widget), h = gtk_widget_get_height (render->widget);
  GdkRGBA bg;

  if (render->texture != NULL)
    return;
  /* The class vfunc, not a GtkWidgetPaintable: a toplevel's paintable keeps
   * the image it had when created. Right after a paint every child has a
   * fresh render node. */
  if (render->background
      && gtk_style_context_lookup_color (gtk_widget_get_style_context (render->widget),
                                         "theme_bg_color", &bg))
    gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, w, h));
  GTK_WIDGET_GET_CLASS (render->widget)->snapshot (render->widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL || renderer == NULL)
    {
      gtk_widget_queue_draw (render->widget);
      return;
    }
  render->texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
}

static inline gboolean
fl_gui_test_render_done (gpointer data)
{
  return ((FlGuiTestRender *) data)->texture != NULL;
}

/* What widget (realized, in a shown window) draws, as a texture of its size,
 * taken right after the next paint so that the layout is current; NULL if no
 * frame came within 3 s. */
static inline GdkTexture *
fl_gui_test_render (GtkWidget *widget, gboolean background)
{
  FlGuiTestRender render = { widget, background, NULL };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gulong id;

  if (clock == NULL)
    return NULL;
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (fl_gui_test_on_after_paint), &render);
  gtk_widget_queue_draw (widget);
  fl_gui_test_wait (fl_gui_test_render_done, &render, 3000);
  g_signal_handler_disconnect (clock, id);
  return render.texture;
}

/* Saves what widget shows as a PNG (screenshots for the README and metainfo). */
static inline gboolean
fl_gui_test_screenshot (GtkWidget *widget, const char *path)
{
  GdkTexture *texture = fl_gui_test_render (widget, TRUE);
  gboolean ok = texture != NULL && gdk_texture_save_to_png (texture, path);

  g_clear_object (&texture);
  return ok;
}

typedef struct
{
  GtkWidget *widget;
  int width, height;
} FlGuiTestSize;

static inline gboolean
fl_gui_test_size_reached (gpointer data)
{
  FlGuiTestSize *size = data;

  return gtk_widget_get_width (size->widget) == size->width
         && gtk_widget_get_height (size->widget) == size->height;
}

/* Resizes a shown window to width x height (its content, as a screenshot
 * shows it) and waits for the new layout; FALSE if it never got there. The
 * default size counts the client-side frame around the content, whose size
 * is learnt from how far each request falls short. On a screen no larger
 * than the size (CI's Xvfb is 1280x1024) the frame does not fit as well: the
 * window is then a few pixels short, and FALSE (fl_gui_test_near_size). */
static inline gboolean
fl_gui_test_resize (GtkWindow *window, int width, int height)
{
  FlGuiTestSize size = { GTK_WIDGET (window), width, height };
  static int frame_w = 0, frame_h = 0;

  gtk_window_unmaximize (window);
  for (int attempt = 0; attempt < 5; attempt++)
    {
      int w, h;

      gtk_window_set_default_size (window, width + frame_w, height + frame_h);
      if (fl_gui_test_wait (fl_gui_test_size_reached, &size, 2000))
        {
          fl_gui_test_spin (150);
          if (fl_gui_test_size_reached (&size))
            return TRUE;
        }
      /* Settled short (or long) by the frame: ask for that much more. */
      fl_gui_test_spin (300);
      w = gtk_widget_get_width (GTK_WIDGET (window));
      h = gtk_widget_get_height (GTK_WIDGET (window));
      frame_w = MAX (frame_w + width - w, 0);
      frame_h = MAX (frame_h + height - h, 0);
    }
  return fl_gui_test_size_reached (&size);
}

/* TRUE when the window is width x height, or short of it by no more than a
 * client-side frame (at most 32 pixels each way). */
static inline gboolean
fl_gui_test_near_size (GtkWindow *window, int width, int height)
{
  int w = gtk_widget_get_width (GTK_WIDGET (window));
  int h = gtk_widget_get_height (GTK_WIDGET (window));

  return w <= width && h <= height && width - w <= 32 && height - h <= 32;
}

/* Toasts come and go: a screenshot of a page leaves them out (they are
 * children of the AdwToastOverlay beside its content). */
static inline void
fl_gui_test_show_toasts (GtkWidget *root, gboolean show)
{
  if (ADW_IS_TOAST_OVERLAY (root))
    for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (child != adw_toast_overlay_get_child (ADW_TOAST_OVERLAY (root)))
        gtk_widget_set_child_visible (child, show);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    fl_gui_test_show_toasts (child, show);
}

/* fl_gui_test_screenshot without the toasts. */
static inline gboolean
fl_gui_test_screenshot_quiet (GtkWidget *widget, const char *path)
{
  gboolean ok;

  fl_gui_test_show_toasts (widget, FALSE);
  ok = fl_gui_test_screenshot (widget, path);
  fl_gui_test_show_toasts (widget, TRUE);
  return ok;
}

/* With FRAMELOOM_SCREENSHOT_DIR set, saves what window shows (toasts left
 * out) there as name, once its layout has settled: the README's screenshots. */
static inline void
fl_gui_test_shot (GtkWidget *window, const char *name)
{
  const char *dir = g_getenv ("FRAMELOOM_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  fl_gui_test_spin (300);
  g_assert_true (fl_gui_test_screenshot_quiet (window, path));
  g_test_message ("screenshot %s", path);
}

/* TRUE when widget is on screen in its window: mapped, inside the window,
 * and inside every scrolled window around it (not scrolled out of view). */
static inline gboolean
fl_gui_test_in_view (GtkWidget *widget)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
  graphene_rect_t bounds, area;

  if (!gtk_widget_get_mapped (widget) || !gtk_widget_compute_bounds (widget, root, &bounds)
      || bounds.size.width < 1 || bounds.size.height < 1)
    return FALSE;
  graphene_rect_init (&area, 0, 0, gtk_widget_get_width (root), gtk_widget_get_height (root));
  if (!graphene_rect_contains_rect (&area, &bounds))
    return FALSE;
  for (GtkWidget *up = gtk_widget_get_parent (widget); up != NULL;
       up = gtk_widget_get_parent (up))
    if (GTK_IS_SCROLLED_WINDOW (up))
      {
        graphene_rect_t visible;

        if (!gtk_widget_compute_bounds (up, root, &visible)
            || !graphene_rect_contains_rect (&visible, &bounds))
          return FALSE;
      }
  return TRUE;
}

/* A loopback port free right now (for servers the test starts). */
static inline guint
fl_gui_test_free_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;

  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  getsockname (fd, (struct sockaddr *) &addr, &len);
  close (fd);
  return ntohs (addr.sin_port);
}

/* The settings every window test starts from (the memory backend): the
 * embedded server on a free loopback port, frames in dir/frames, a short
 * frame delay, a window of width x height. */
static inline void
fl_gui_test_reset_settings (GSettings *settings, const char *dir, int width, int height)
{
  g_autofree char *frames = g_build_filename (dir, "frames", NULL);

  g_settings_set_string (settings, "server-host", "127.0.0.1");
  g_settings_set_int (settings, "server-port", (int) fl_gui_test_free_port ());
  g_settings_set_string (settings, "client-frames-dir", frames);
  g_settings_set_int (settings, "client-delay", 20);
  /* One timed run per point, no warm-up: the tests count runs, not medians
   * (the tests of the repetitions set their own). */
  g_settings_set_int (settings, "sweep-repeat", 1);
  g_settings_set_int (settings, "sweep-warmup", 0);
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
}

/* A plain window of width x height, presented: where a widget test shows the
 * widget it tests. */
static inline GtkWindow *
fl_gui_test_new_window (int width, int height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_present (window);
  return window;
}

/* A fresh folder from name_template for a window test's files, and the
 * settings the test starts from in it (fl_gui_test_reset_settings), held in
 * *settings for the whole run. The caller owns both; fl_gui_test_close_window
 * removes the folder. */
static inline void
fl_gui_test_new_settings (GSettings **settings, const char *name_template, int width,
                          int height, char **tmpdir)
{
  *tmpdir = g_dir_make_tmp (name_template, NULL);
  *settings = fl_settings_new ();
  g_assert_nonnull (*settings);
  fl_gui_test_reset_settings (*settings, *tmpdir, width, height);
}

/* The app (registered, unique only when asked) with its window presented and
 * given time to settle, as a user starts it. */
static inline FlWindow *
fl_gui_test_open_window (FlApplication **app, gboolean unique)
{
  FlWindow *window;

  *app = fl_application_new ();
  fl_gui_test_register (G_APPLICATION (*app), unique);
  window = fl_window_new (*app);
  gtk_window_present (GTK_WINDOW (window));
  fl_gui_test_spin (300);
  return window;
}

/* Closes what fl_gui_test_open_window opened, removes tmpdir and returns
 * status (g_test_run's), for the end of main. */
static inline int
fl_gui_test_close_window (int status, FlWindow *window, FlApplication **app, char **tmpdir)
{
  gtk_window_destroy (GTK_WINDOW (window));
  fl_gui_test_spin (100);
  g_clear_object (app);
  fl_test_remove_tree (*tmpdir);
  g_clear_pointer (tmpdir, g_free);
  return status;
}

/* Whether widget is the one a search looks for; data is the search's. */
typedef gboolean (*FlGuiTestMatch) (GtkWidget *widget, gconstpointer data);

/* The first widget at or under root, depth first, that match accepts; NULL if none. */
static inline GtkWidget *
fl_gui_test_find (GtkWidget *root, FlGuiTestMatch match, gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = fl_gui_test_find (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GType type;
  gboolean mapped;
} FlGuiTestTypeMatch;

static inline gboolean
fl_gui_test_type_matches (GtkWidget *widget, gconstpointer data)
{
  const FlGuiTestTypeMatch *want = data;

  return G_TYPE_CHECK_INSTANCE_TYPE (widget, want->type)
         && (!want->mapped || gtk_widget_get_mapped (widget));
}

/* The first widget of type at or under root; with mapped, the first one on
 * screen (a page not shown has its widgets too). */
static inline GtkWidget *
fl_gui_test_find_type (GtkWidget *root, GType type, gboolean mapped)
{
  FlGuiTestTypeMatch want = { type, mapped };

  return fl_gui_test_find (root, fl_gui_test_type_matches, &want);
}

/* A wait on an object's state (a window's, a view's): the object, and the
 * value the state must reach. */
typedef struct
{
  gpointer object;
  guint value;
} FlGuiTestWait;

static inline gboolean
fl_gui_test_wait_value (FlGuiTestCond cond, gpointer object, guint value, guint timeout_ms)
{
  FlGuiTestWait want = { object, value };

  return fl_gui_test_wait (cond, &want, timeout_ms);
}

static inline gboolean
fl_gui_test_server_settled (gpointer data)
{
  FlGuiTestWait *want = data;
  FlServerPanel *panel = fl_window_get_server_panel (want->object);

  return !fl_server_panel_get_busy (panel)
         && fl_server_panel_get_running (panel) == (gboolean) want->value;
}

/* Waits until the window's server panel is idle with its server running (or
 * stopped); FALSE if that took longer than timeout_ms. */
static inline gboolean
fl_gui_test_wait_server (FlWindow *window, gboolean running, guint timeout_ms)
{
  return fl_gui_test_wait_value (fl_gui_test_server_settled, window, running, timeout_ms);
}

/* Turns the window's server on or off with its switch, as a user does, and
 * asserts that it got there within 5 s. */
static inline void
fl_gui_test_set_server (FlWindow *window, gboolean on)
{
  gtk_switch_set_active (fl_server_panel_get_switch (fl_window_get_server_panel (window)), on);
  g_assert_true (fl_gui_test_wait_server (window, on, 5000));
}

/* A FlGuiTestCond: the window (data) runs no client. */
static inline gboolean
fl_gui_test_client_idle (gpointer window)
{
  return !fl_client_panel_get_running (fl_window_get_client_panel (window));
}

static inline gboolean
fl_gui_test_viewer_has_frames (gpointer data)
{
  FlGuiTestWait *want = data;
  FlGifView *view = fl_window_get_gif_view (want->object);

  return fl_gif_paintable_get_n_frames (fl_gif_view_get_paintable (view)) == want->value;
}

/* Waits until the window's viewer holds exactly n_frames frames; FALSE if
 * that took longer than timeout_ms. */
static inline gboolean
fl_gui_test_wait_viewer_frames (FlWindow *window, guint n_frames, guint timeout_ms)
{
  return fl_gui_test_wait_value (fl_gui_test_viewer_has_frames, window, n_frames, timeout_ms);
}

/* A FlGuiTestCond: the view (data) has frames, or has said why it shows none. */
static inline gboolean
fl_gui_test_view_settled (gpointer view)
{
  return fl_gif_paintable_get_n_frames (fl_gif_view_get_paintable (view)) > 0
         || fl_gif_view_get_error (view) != NULL;
}

static inline gboolean
fl_gui_test_frame_shown (gpointer data)
{
  FlGuiTestWait *want = data;

  return fl_gif_paintable_get_shown_frame (fl_gif_view_get_paintable (want->object))
         == want->value;
}

/* Waits until view shows frame; FALSE if that took longer than timeout_ms. */
static inline gboolean
fl_gui_test_wait_shown (FlGifView *view, guint frame, guint timeout_ms)
{
  return fl_gui_test_wait_value (fl_gui_test_frame_shown, view, frame, timeout_ms);
}
