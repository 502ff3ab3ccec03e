/* test-pages.c: every page of the window at 1280x720, 1024x600 and 800x600, in
 * the light and the dark style: nothing allocated less than it needs (so
 * nothing cut off), the sweep charts side by side or stacked but never on top
 * of each other, their axis labels apart, the sidebar folding only below
 * 720 pixels. The empty states first, then pages filled by a real compare and
 * both sweeps. The desktop's dark and high-contrast styles are followed (a
 * process each, under ADW_DEBUG_COLOR_SCHEME and ADW_DEBUG_HIGH_CONTRAST, as
 * the settings portal would set them).
 *
 * FRAMELOOM_SCREENSHOT_DIR=dir writes PAGE-WxH.png and PAGE-WxH-dark.png there
 * for PAGE viewer, speedup and runs, and empty-viewer.png, empty-speedup.png,
 * empty-runs.png (see the README). */
#include "fl-test-util.h"
#include "fl-test-gui.h"

#include "fl-application.h"
#include "fl-chart-util.h"
#include "fl-config.h"
#include "fl-preset.h"
#include "fl-window.h"

#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static FlApplication *app;
static FlWindow *window;
static char *tmpdir;
static GSubprocess *slow_server;
static guint slow_port;

static const struct
{
  int width, height;
  gboolean folded;  /* the sidebar folds over the pages */
} sizes[] = {
  { 1280, 720, FALSE },
  { 1024, 600, FALSE },
  { 800, 600, FALSE },
  { 640, 600, TRUE },
};
static const char *const pages[] = { "viewer", "speedup", "runs" };

static void
shot (const char *name)
{
  fl_gui_test_shot (GTK_WIDGET (window), name);
}

/* The slow server of tests/fltest (5 ms before each 48x48 image, like a server
 * across a network): the speed-up shows as it would there. */
static void
start_slow_server (void)
{
  const char *root = g_getenv ("FRAMELOOM_SOURCE_ROOT");
  g_autofree char *script = g_build_filename (root ? root : ".", "tests", "fltest", "slow_server.py",
                                              NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  slow_server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                  &error, "python3", script, "--latency-ms", "5", "--size",
                                  "48x48", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (slow_server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  slow_port = (guint) atoi (line);
}

static void
stop_slow_server (void)
{
  if (slow_server == NULL)
    return;
  g_output_stream_close (g_subprocess_get_stdin_pipe (slow_server), NULL, NULL);
  g_subprocess_wait (slow_server, NULL, NULL);
  g_clear_object (&slow_server);
}

/* Every widget in view got at least the size it asked for: a box given less
 * than its minimum cuts its children off. Lists the offenders in bad. */
static void
check_allocations (GtkWidget *widget, GString *bad)
{
  GtkAllocation a;
  int min_w, min_h, w, h;

  if (!gtk_widget_get_mapped (widget))
    return;
  /* The allocation is the border box; the sizes measured include margins. */
  gtk_widget_get_allocation (widget, &a);
  w = a.width + gtk_widget_get_margin_start (widget) + gtk_widget_get_margin_end (widget);
  h = a.height + gtk_widget_get_margin_top (widget) + gtk_widget_get_margin_bottom (widget);
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, w, &min_h, NULL, NULL, NULL);
  /* A scrollable (viewport, text view, column view) shows part of its
   * content by design; its children are checked. */
  if ((w < min_w || h < min_h) && !GTK_IS_SCROLLABLE (widget))
    g_string_append_printf (bad, " %s (%dx%d, needs %dx%d)", G_OBJECT_TYPE_NAME (widget), w, h,
                            min_w, min_h);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_allocations (child, bad);
}

static gboolean
bounds_overlap (GtkWidget *a, GtkWidget *b)
{
  graphene_rect_t ra, rb;

  g_assert_true (gtk_widget_compute_bounds (a, GTK_WIDGET (window), &ra));
  g_assert_true (gtk_widget_compute_bounds (b, GTK_WIDGET (window), &rb));
  return graphene_rect_intersection (&ra, &rb, NULL);
}

/* Resizes the window to width x height, or as near as the screen allows;
 * TRUE when exactly (the screenshots need that). */
static gboolean
resize (int width, int height)
{
  gboolean exact = fl_gui_test_resize (GTK_WINDOW (window), width, height);

  if (!exact && !fl_gui_test_near_size (GTK_WINDOW (window), width, height))
    g_error ("the window did not take %dx%d (it is %dx%d)", width, height,
             gtk_widget_get_width (GTK_WIDGET (window)),
             gtk_widget_get_height (GTK_WIDGET (window)));
  if (!exact)
    g_test_message ("%dx%d: the screen leaves the window at %dx%d (no screenshots)", width,
                    height, gtk_widget_get_width (GTK_WIDGET (window)),
                    gtk_widget_get_height (GTK_WIDGET (window)));
  return exact;
}

static void
check_page (const char *page, gboolean folded)
{
  g_autoptr (GString) bad = g_string_new (NULL);
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));

  g_assert_cmpstr (fl_window_get_page (window), ==, page);
  g_assert_cmpint (fl_window_get_sidebar_folded (window), ==, folded);
  check_allocations (GTK_WIDGET (window), bad);
  if (bad->len > 0)
    g_error ("%s at %dx%d: allocated less than needed:%s", page, width, height, bad->str);
  if (g_str_equal (page, "speedup"))
    {
      FlSpeedupPanel *panel = fl_window_get_speedup_panel (window);
      FlSweepChart *threads = fl_speedup_panel_get_sweep_chart (panel, FL_SWEEP_THREADS);
      FlSweepChart *processes = fl_speedup_panel_get_sweep_chart (panel, FL_SWEEP_PROCESSES);

      if (gtk_widget_get_mapped (GTK_WIDGET (threads)))
        {
          g_assert_false (bounds_overlap (GTK_WIDGET (threads), GTK_WIDGET (processes)));
          /* Axis labels apart, the first and the last always there. */
          g_assert_cmpuint (fl_sweep_chart_get_n_x_labels (threads), >=, 2);
        }
    }
}

static void
show_page (const char *name)
{
  fl_window_show_page (window, name);
  fl_gui_test_spin (200);
}

/* Before anything ran, each page says what it is for and what to do. */
static void
test_empty_states (void)
{
  gboolean exact = resize (1280, 720);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("empty-%s.png", pages[i]);
      GtkWidget *status;

      show_page (pages[i]);
      status = fl_gui_test_find_type (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, TRUE);
      g_assert_nonnull (status);
      g_assert_true (fl_gui_test_in_view (status));
      g_test_message ("%s: \"%s\"", pages[i], adw_status_page_get_title (ADW_STATUS_PAGE (status)));
      check_page (pages[i], FALSE);
      if (exact)
        shot (name);
    }
}

static gboolean
all_idle (gpointer data)
{
  return !fl_client_panel_get_running (fl_window_get_client_panel (window))
         && !fl_speedup_panel_get_running (fl_window_get_speedup_panel (window));
}

static gboolean
viewer_shows (gpointer data)
{
  return fl_gif_view_get_has_frame (fl_window_get_gif_view (window));
}

/* A compare and both sweeps against the slow server, then the compare's GIF
 * in the viewer. */
static void
test_fill (void)
{
  g_autoptr (GSettings) settings = fl_settings_new ();
  g_autofree char *out = g_build_filename (tmpdir, "pages.gif", NULL);
  g_autoptr (GFile) gif = g_file_new_for_path (out);
  int frames = g_getenv ("FRAMELOOM_SCREENSHOT_DIR") ? 1500 : 400;
  static const char *const work[] = { "win.compare", "win.sweep-threads", "win.sweep-processes" };

  g_settings_set_int (settings, "client-port", (int) slow_port);
  g_settings_set_int (settings, "client-frames", frames);
  g_settings_set_int (settings, "client-threads", 8);
  g_settings_set_int (settings, "client-processes", MIN (2, g_get_num_processors ()));
  g_settings_set_string (settings, "client-output", out);
  for (guint i = 0; i < G_N_ELEMENTS (work); i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), work[i], NULL);
      g_assert_true (fl_gui_test_wait (all_idle, NULL, 180000));
      g_assert_null (fl_speedup_panel_get_error (fl_window_get_speedup_panel (window)));
    }
  fl_window_open_gif (window, gif);
  g_assert_true (fl_gui_test_wait (viewer_shows, NULL, 20000));
  g_assert_cmpstr (fl_window_get_page (window), ==, "viewer");
}

/* Each page at each size, light and dark. */
static void
test_sizes (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int w = sizes[s].width, h = sizes[s].height;
      gboolean exact = resize (w, h);

      for (int dark = 0; dark <= 1; dark++)
        {
          fl_gui_test_set_dark (dark);
          for (guint p = 0; p < G_N_ELEMENTS (pages); p++)
            {
              g_autofree char *name = g_strdup_printf ("%s-%dx%d%s.png", pages[p], w, h,
                                                       dark ? "-dark" : "");

              show_page (pages[p]);
              check_page (pages[p], sizes[s].folded);
              /* Narrower than the smallest size supported: checked, not shown. */
              if (!sizes[s].folded && exact)
                shot (name);
            }
        }
      g_test_message ("%dx%d: every page fits, light and dark", w, h);
    }
  fl_gui_test_set_dark (FALSE);
  resize (1280, 720);
}

/* The colours the charts draw with, in the style the process started in. */
static void
check_style_colours (gboolean dark, gboolean high_contrast)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  FlSpeedupPanel *panel = fl_window_get_speedup_panel (window);
  GtkWidget *chart = GTK_WIDGET (fl_speedup_panel_get_sweep_chart (panel, FL_SWEEP_THREADS));
  FlChartColors c;
  double fg, bg;

  resize (1280, 720);
  g_assert_cmpint (adw_style_manager_get_dark (style), ==, dark);
  g_assert_cmpint (adw_style_manager_get_high_contrast (style), ==, high_contrast);
  show_page ("speedup");
  fl_chart_colors_get (chart, &c);
  fg = 0.2126 * c.fg.red + 0.7152 * c.fg.green + 0.0722 * c.fg.blue;
  bg = 0.2126 * c.bg.red + 0.7152 * c.bg.green + 0.0722 * c.bg.blue;
  g_test_message ("%s%s: text %.2f on %.2f", dark ? "dark" : "light",
                  high_contrast ? ", high contrast" : "", fg, bg);
  g_assert_cmpint (bg < 0.5, ==, dark);
  /* Text that reads, more so in high contrast; bars that stand out. */
  g_assert_cmpfloat (fabs (fg - bg), >, high_contrast ? 0.75 : 0.6);
  g_assert_false (gdk_rgba_equal (&c.accent, &c.bg));
  g_assert_false (gdk_rgba_equal (&c.baseline, &c.bg));
}

static void
run_style_child (const char *path, const char *variable, const char *value)
{
  g_setenv (variable, value, TRUE);
  g_test_trap_subprocess (path, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv (variable);
  g_test_trap_assert_passed ();
}

/* The app sets no colour scheme of its own: the desktop's dark preference
 * (here through libadwaita's debug variable) turns it dark. */
static void
test_follows_dark (void)
{
  if (g_test_subprocess ())
    {
      check_style_colours (TRUE, FALSE);
      shot ("speedup-system-dark.png");
      return;
    }
  run_style_child ("/pages/follows-dark", "ADW_DEBUG_COLOR_SCHEME", "prefer-dark");
}

static void
test_follows_high_contrast (void)
{
  if (g_test_subprocess ())
    {
      check_style_colours (FALSE, TRUE);
      shot ("speedup-high-contrast.png");
      return;
    }
  run_style_child ("/pages/follows-high-contrast", "ADW_DEBUG_HIGH_CONTRAST", "1");
}

static void
test_light_by_default (void)
{
  check_style_colours (FALSE, FALSE);
}

static gboolean
server_running (gpointer data)
{
  FlServerPanel *panel = fl_window_get_server_panel (window);

  return !fl_server_panel_get_busy (panel) && fl_server_panel_get_running (panel);
}

static gboolean
server_stopped (gpointer data)
{
  FlServerPanel *panel = fl_window_get_server_panel (window);

  return !fl_server_panel_get_busy (panel) && !fl_server_panel_get_running (panel);
}

/* Scrolls the Speed-up page down to the sweep charts. */
static void
scroll_to_sweeps (void)
{
  GtkWidget *chart = GTK_WIDGET (fl_speedup_panel_get_sweep_chart (
    fl_window_get_speedup_panel (window), FL_SWEEP_THREADS));
  GtkWidget *scrolled = gtk_widget_get_ancestor (chart, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  graphene_rect_t bounds;

  fl_gui_test_spin (200);
  g_assert_true (gtk_widget_compute_bounds (chart, content, &bounds));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                            bounds.origin.y - 12);
}

static void
lesson_sweep (FlPresetId preset, FlSweepKind kind, const char *action)
{
  FlServerPanel *server = fl_window_get_server_panel (window);

  g_object_set (server, "preset", preset, NULL);
  fl_gui_test_spin (50);
  gtk_switch_set_active (fl_server_panel_get_switch (server), TRUE);
  g_assert_true (fl_gui_test_wait (server_running, NULL, 5000));
  gtk_widget_activate_action (GTK_WIDGET (window), action, NULL);
  g_assert_true (fl_gui_test_wait (all_idle, NULL, 600000));
  g_assert_null (fl_speedup_panel_get_error (fl_window_get_speedup_panel (window)));
  gtk_switch_set_active (fl_server_panel_get_switch (server), FALSE);
  g_assert_true (fl_gui_test_wait (server_stopped, NULL, 5000));
  g_test_message ("%s: %s", fl_preset_get_name (preset),
                  fl_sweep_chart_get_sentence (fl_speedup_panel_get_sweep_chart (
                    fl_window_get_speedup_panel (window), kind)));
}

/* The lesson, as the README shows it: the embedded server's presets, a
 * warm-up and three timed runs per point. Slow network: threads 1, 4, 16, 64
 * over 500 frames; heavy frames: processes 1, 2, 4. Only when taking the
 * screenshots: the runs take minutes. */
static void
test_lesson (void)
{
  FlSpeedupPanel *panel = fl_window_get_speedup_panel (window);
  g_autoptr (GSettings) settings = fl_settings_new ();
  static const guint threads[] = { 1, 4, 16, 64 };
  static const guint processes[] = { 1, 2, 4 };

  if (g_getenv ("FRAMELOOM_SCREENSHOT_DIR") == NULL)
    {
      g_test_skip ("the lesson's sweeps run only for the screenshots");
      return;
    }
  /* Taller than the other shots: both charts and their sentences in view. */
  resize (1280, 860);
  g_settings_set_int (settings, "sweep-repeat", FL_SWEEP_DEFAULT_REPEAT);
  g_settings_set_int (settings, "sweep-warmup", FL_SWEEP_DEFAULT_WARMUP);
  fl_speedup_panel_set_sweep_values (panel, FL_SWEEP_THREADS, threads, G_N_ELEMENTS (threads));
  fl_speedup_panel_set_sweep_values (panel, FL_SWEEP_PROCESSES, processes,
                                     G_N_ELEMENTS (processes));
  lesson_sweep (FL_PRESET_SLOW_NETWORK, FL_SWEEP_THREADS, "win.sweep-threads");
  show_page ("speedup");
  scroll_to_sweeps ();
  shot ("speedup-slow-network.png");
  lesson_sweep (FL_PRESET_HEAVY_FRAMES, FL_SWEEP_PROCESSES, "win.sweep-processes");
  show_page ("speedup");
  scroll_to_sweeps ();
  shot ("speedup-heavy-frames.png");
  g_settings_set_int (settings, "sweep-repeat", 1);
  g_settings_set_int (settings, "sweep-warmup", 0);
  g_object_set (fl_window_get_server_panel (window), "preset", FL_PRESET_LAB, NULL);
  resize (1280, 720);
}

int
main (int argc, char **argv)
{
  g_autoptr (GSettings) settings = NULL;
  int status;

  if (!fl_gui_test_init (&argc, &argv))
    return 0;

  fl_gui_test_new_settings (&settings, "frameloom-pages-XXXXXX", 1280, 720, &tmpdir);
  g_settings_set_int (settings, "client-delay", 40);
  if (!g_test_subprocess ())
    start_slow_server ();
  window = fl_gui_test_open_window (&app, FALSE);

  g_test_add_func ("/pages/empty-states", test_empty_states);
  g_test_add_func ("/pages/light-by-default", test_light_by_default);
  g_test_add_func ("/pages/follows-dark", test_follows_dark);
  g_test_add_func ("/pages/follows-high-contrast", test_follows_high_contrast);
  g_test_add_func ("/pages/fill", test_fill);
  g_test_add_func ("/pages/sizes", test_sizes);
  g_test_add_func ("/pages/lesson", test_lesson);
  status = fl_gui_test_close_window (g_test_run (), window, &app, &tmpdir);
  stop_slow_server ();
  return status;
}
