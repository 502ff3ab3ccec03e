/* test-window.c: drives the real window: server switch, a 300-frame run, the
 * viewer, the offer to start the server, the longest main-loop stall of a
 * 5000-frame run, a cancelled 20,000-frame run, error sentences in view (the
 * banner), a value typed but not confirmed, real keys (xdotool, under X11):
 * Space in a text field and in the viewer, the viewer's frame and zoom keys;
 * a failed run marked failed and never shown as a result; a GIF dropped or
 * opened from another page showing in the viewer. */
#include "fl-test-util.h"
#include "fl-test-gui.h"

#include "fl-application.h"
#include "fl-config.h"
#include "fl-path-row.h"
#include "fl-window.h"

#include <dirent.h>
#include <gdk/x11/gdkx.h>
#include <stdlib.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static FlApplication *app;
static FlWindow *window;
static char *tmpdir;
static guint n_finished;  /* "finished" signals of the client panel so far */
static int test_width = 1280, test_height = 720;

static void
on_client_finished (FlClientPanel *panel, gboolean ok, const char *path, gpointer data)
{
  n_finished++;
}

static gboolean
finished_reached (gpointer data)
{
  return n_finished >= GPOINTER_TO_UINT (data);
}

static void
shot (const char *name)
{
  fl_gui_test_shot (GTK_WIDGET (window), name);
}

/* A stage's counts as the run model says them (what the bars show). */
static void
get_stage (FlStage stage, guint64 *done, guint64 *total, double *fraction)
{
  FlRunModel *model = fl_client_panel_get_model (fl_window_get_client_panel (window));
  const char *prefix = stage == FL_STAGE_DOWNLOAD ? "download" : "encode";
  g_autofree char *done_name = g_strconcat (prefix, "-done", NULL);
  g_autofree char *total_name = g_strconcat (prefix, "-total", NULL);
  g_autofree char *fraction_name = g_strconcat (prefix, "-fraction", NULL);

  *done = *total = 0;
  *fraction = 0;
  if (model != NULL)
    g_object_get (model, done_name, done, total_name, total, fraction_name, fraction, NULL);
}

static gboolean
download_reached (gpointer data)
{
  guint64 done, total;
  double fraction;

  get_stage (FL_STAGE_DOWNLOAD, &done, &total, &fraction);
  return done >= GPOINTER_TO_UINT (data) || fl_gui_test_client_idle (window);
}

static gboolean
port_is_free (guint port)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port),
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  gboolean ok;

  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ok = bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0 && listen (fd, 1) == 0;
  close (fd);
  return ok;
}

static void
set_client (int frames, int threads, int processes, const char *output)
{
  g_autoptr (GSettings) settings = fl_settings_new ();
  g_autofree char *out = g_build_filename (tmpdir, output, NULL);

  g_settings_set_int (settings, "client-frames", frames);
  g_settings_set_int (settings, "client-threads", threads);
  g_settings_set_int (settings, "client-processes", processes);
  g_settings_set_string (settings, "client-output", out);
}

static void
test_run (void)
{
  FlServerPanel *server = fl_window_get_server_panel (window);
  FlClientPanel *client = fl_window_get_client_panel (window);
  FlGifPaintable *paintable = fl_gif_view_get_paintable (fl_window_get_gif_view (window));
  FlServerStats stats;
  guint port, frame;
  gint64 start;

  fl_gui_test_set_server (window, TRUE);
  g_assert_null (fl_server_panel_get_error (server));
  port = fl_server_panel_get_port (server);
  g_assert_cmpuint (port, >, 0);

  set_client (300, 4, 2, "run.gif");
  start = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_false (fl_window_get_offering_server (window));
  g_assert_true (fl_client_panel_get_running (client));
  g_assert_true (fl_gui_test_wait (fl_gui_test_client_idle, window, 60000));
  g_test_message ("300 frames, 4 threads, 2 processes: %.2f s",
                  (g_get_monotonic_time () - start) / 1e6);
  if (fl_client_panel_get_error (client))
    g_error ("run failed: %s", fl_client_panel_get_error (client));

  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      guint64 done, total;
      double fraction;
      const char *text = fl_client_panel_get_stage_text (client, stage);
      int state;

      get_stage (stage, &done, &total, &fraction);
      g_object_get (fl_client_panel_get_model (client), "state", &state, NULL);
      g_assert_cmpint (state, ==, FL_RUN_STATE_DONE);
      g_assert_cmpuint (done, ==, 300);
      g_assert_cmpuint (total, ==, 300);
      g_assert_cmpfloat (fraction, ==, 1.0);
      g_assert_nonnull (text);
      g_assert_true (g_str_has_prefix (text, stage == FL_STAGE_DOWNLOAD ? "Frames download time: "
                                                                        : "GIF creation time: "));
      g_assert_true (g_str_has_suffix (text, " s"));
      g_test_message ("%s", text);
    }
  fl_gui_test_spin (200);
  fl_server_panel_get_stats (server, &stats);
  g_assert_cmpuint (stats.images_sent, >=, 300);

  /* The finished GIF plays in the preview. */
  g_assert_true (fl_gui_test_wait_viewer_frames (window, 300, 5000));
  fl_gif_paintable_set_speed (paintable, 4.0);
  fl_gif_paintable_set_playing (paintable, TRUE);
  frame = fl_gif_paintable_get_frame (paintable);
  fl_gui_test_spin (600);
  g_assert_cmpuint (fl_gif_paintable_get_frame (paintable), !=, frame);
  fl_gif_paintable_set_speed (paintable, 1.0);

  fl_gui_test_set_server (window, FALSE);
  g_assert_true (port_is_free (port));
}

/* Run with a local address on the embedded server's port while it is off:
 * the window asks; Cancel leaves everything off; accepting starts the server
 * and then runs. */
static void
test_offer (void)
{
  static const char *const local[] = { "LOCALHOST", "::1", "0.0.0.0", " 127.0.0.1" };
  FlServerPanel *server = fl_window_get_server_panel (window);
  FlClientPanel *client = fl_window_get_client_panel (window);
  g_autoptr (GSettings) settings = fl_settings_new ();
  guint port = fl_gui_test_free_port ();
  guint before;

  g_assert_false (fl_server_panel_get_running (server));
  g_settings_set_int (settings, "server-port", port);
  g_settings_set_int (settings, "client-port", port);
  set_client (200, 4, 2, "offer.gif");

  for (guint i = 0; i < G_N_ELEMENTS (local); i++)
    {
      g_settings_set_string (settings, "client-host", local[i]);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
      g_assert_true (fl_window_get_offering_server (window));
      g_assert_false (fl_client_panel_get_running (client));
      gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-offer", NULL);
      g_assert_false (fl_window_get_offering_server (window));
    }
  g_settings_set_string (settings, "client-host", "127.0.0.1");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_window_get_offering_server (window));
  shot ("offer.png");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.dismiss-offer", NULL);
  g_assert_false (fl_window_get_offering_server (window));
  fl_gui_test_spin (100);
  g_assert_false (fl_server_panel_get_running (server));
  g_assert_false (fl_server_panel_get_busy (server));
  g_assert_false (fl_client_panel_get_running (client));

  before = n_finished;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_window_get_offering_server (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-server-and-run", NULL);
  g_assert_false (fl_window_get_offering_server (window));
  g_assert_true (fl_gui_test_wait (finished_reached, GUINT_TO_POINTER (before + 1), 60000));
  g_assert_null (fl_client_panel_get_error (client));
  g_assert_true (fl_server_panel_get_running (server));
  g_assert_cmpuint (fl_server_panel_get_port (server), ==, port);
  g_assert_true (g_file_test (fl_client_panel_get_output (client), G_FILE_TEST_IS_REGULAR));

  /* With the server on, Run runs at once. */
  before = n_finished;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_false (fl_window_get_offering_server (window));
  g_assert_true (fl_client_panel_get_running (client));
  g_assert_true (fl_gui_test_wait (finished_reached, GUINT_TO_POINTER (before + 1), 60000));

  fl_gui_test_set_server (window, FALSE);
}

static guint max_live_frames;

/* fl_gui_test_client_idle, noting how many live frames the preview showed meanwhile. */
static gboolean
client_idle_watching_live (gpointer data)
{
  FlGifView *view = fl_window_get_gif_view (window);

  max_live_frames = MAX (max_live_frames, fl_gif_view_get_live_frames (view));
  return fl_gui_test_client_idle (window);
}

/* The issue's figure: the longest main-loop iteration during a 5000-frame run
 * (4 threads, 2 processes) with the embedded server on; goal under 50 ms. */
static void
test_stall (void)
{
  FlClientPanel *client = fl_window_get_client_panel (window);
  const char *times[2];
  gint64 start;

  fl_gui_test_set_server (window, TRUE);
  set_client (5000, 4, 2, "stall.gif");
  fl_gui_test_spin (200);

  fl_gui_test_max_iteration_us = fl_gui_test_max_iteration_cpu_us = 0;
  fl_gui_test_max_blocked_us = 0;
  start = g_get_monotonic_time ();
  max_live_frames = 0;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (client_idle_watching_live, NULL, 120000));
  g_assert_null (fl_client_panel_get_error (client));
  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      times[stage] = fl_client_panel_get_stage_text (client, stage);
    }
  g_test_message ("5000 frames, 4 threads, 2 processes: %.2f s (%s, %s); "
                  "longest main-loop iteration %.1f ms (%.1f ms of it on the CPU); "
                  "longest blocked in one %.1f ms",
                  (g_get_monotonic_time () - start) / 1e6, times[0], times[1],
                  fl_gui_test_max_iteration_us / 1000.0,
                  fl_gui_test_max_iteration_cpu_us / 1000.0,
                  fl_gui_test_max_blocked_us / 1000.0);
  /* The goal is 50 ms an iteration (typically 15-40 ms here). A busy machine
   * keeps the main thread waiting for a processor for a second and more, so
   * the bound is on the time it was blocked, which only a blocking call on the
   * main loop makes long. */
  fl_gui_test_assert_never_blocked (1000 * 1000);
  /* While frames downloaded the preview showed the newest ones. */
  g_test_message ("live frames shown: %u", max_live_frames);
  g_assert_cmpuint (max_live_frames, >, 0);
  g_assert_true (fl_gui_test_wait_viewer_frames (window, 5000, 10000));
  g_assert_cmpuint (fl_gif_view_get_live_frames (fl_window_get_gif_view (window)), ==, 0);

  /* The same run again for a screenshot while it downloads. (The stages run
   * one after the other, so both bars are never part-way at once.) */
  if (g_getenv ("FRAMELOOM_SCREENSHOT_DIR") != NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
      g_assert_true (fl_gui_test_wait (download_reached, GUINT_TO_POINTER (2000), 30000));
      shot ("running.png");
      g_assert_true (fl_gui_test_wait (fl_gui_test_client_idle, window, 120000));
    }
  fl_gui_test_set_server (window, FALSE);
}

static void
test_cancel (void)
{
  FlClientPanel *client = fl_window_get_client_panel (window);
  g_autofree char *output = g_build_filename (tmpdir, "big.gif", NULL);
  gint64 cancelled;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  fl_gui_test_set_server (window, TRUE);

  set_client (20000, 8, 2, "big.gif");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (download_reached, GUINT_TO_POINTER (2000), 60000));
  g_assert_true (fl_client_panel_get_running (client));
  cancelled = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  g_assert_true (fl_gui_test_wait (fl_gui_test_client_idle, window, 5000));
  g_test_message ("cancel took %.0f ms", (g_get_monotonic_time () - cancelled) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - cancelled, <, 1500 * 1000);
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  dir = g_dir_open (tmpdir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "big.gif") || g_str_has_prefix (name, ".big.gif"))
      g_error ("partial output left: %s", name);
  g_assert_cmpuint (fl_test_count_children (), ==, 0);

  /* A new run works. */
  set_client (300, 4, 2, "after-cancel.gif");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (fl_gui_test_client_idle, window, 60000));
  g_assert_null (fl_client_panel_get_error (client));
  g_assert_true (g_file_test (fl_client_panel_get_output (client), G_FILE_TEST_IS_REGULAR));

  fl_gui_test_set_server (window, FALSE);
}

static void
test_error (void)
{
  FlClientPanel *client = fl_window_get_client_panel (window);
  g_autoptr (GSettings) settings = fl_settings_new ();
  const char *error;

  /* The server is off and the client's port is not the embedded server's:
   * the run stops with one sentence in the window. */
  set_client (50, 2, 1, "error.gif");
  g_settings_set_int (settings, "client-port", fl_gui_test_free_port ());
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (fl_gui_test_client_idle, window, 30000));
  g_assert_false (fl_window_get_offering_server (window));
  error = fl_client_panel_get_error (client);
  g_assert_nonnull (error);
  g_test_message ("error shown: %s", error);
  g_assert_null (strchr (error, '\n'));
  shot ("error.png");
}

static void
test_port_in_use (void)
{
  FlServerPanel *server = fl_window_get_server_panel (window);
  g_autoptr (GSettings) settings = fl_settings_new ();
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;

  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 1), ==, 0);
  getsockname (fd, (struct sockaddr *) &addr, &len);
  g_settings_set_int (settings, "server-port", ntohs (addr.sin_port));
  gtk_switch_set_active (fl_server_panel_get_switch (server), TRUE);
  fl_gui_test_spin (100);
  g_assert_true (fl_gui_test_wait_server (window, FALSE, 5000));
  g_assert_nonnull (fl_server_panel_get_error (server));
  g_test_message ("port in use: %s", fl_server_panel_get_error (server));
  g_assert_false (gtk_switch_get_active (fl_server_panel_get_switch (server)));
  close (fd);
  g_settings_set_int (settings, "server-port", fl_gui_test_free_port ());
}

/* Fields and the window size are remembered across windows (and so across runs:
 * the memory backend stands in for dconf). */
static void
test_settings_round_trip (void)
{
  g_autoptr (GSettings) settings = fl_settings_new ();
  g_autofree char *out = g_build_filename (tmpdir, "remembered.gif", NULL);
  g_autofree char *stored = NULL;
  FlWindow *second;
  int width = 0, height = 0;

  g_object_set (fl_window_get_client_panel (window), "output", out, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1001, 701);
  fl_gui_test_spin (50);
  stored = g_settings_get_string (settings, "client-output");
  g_assert_cmpstr (stored, ==, out);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1001);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 701);

  second = fl_window_new (app);
  g_assert_cmpstr (fl_client_panel_get_output (fl_window_get_client_panel (second)), ==, out);
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  g_assert_cmpint (width, ==, 1001);
  g_assert_cmpint (height, ==, 701);
  gtk_window_destroy (GTK_WINDOW (second));
  fl_gui_test_spin (20);
  /* The test's size from here on (the screenshots'), as near as the screen
   * allows. */
  fl_gui_test_resize (GTK_WINDOW (window), test_width, test_height);
  g_assert_true (fl_gui_test_near_size (GTK_WINDOW (window), test_width, test_height));
}

static void
check_labelled (GtkWidget *widget, guint *n_checked, GString *missing)
{
  static GType interactive[12];
  static GType opaque[8]; /* their insides are GTK's business */
  gboolean checked = FALSE;

  /* A hidden control is out of everyone's reach (libadwaita keeps a few:
   * an expander row's switch, an entry row's apply button). */
  if (!gtk_widget_get_visible (widget))
    return;
  if (interactive[0] == 0)
    {
      GType i[] = { GTK_TYPE_BUTTON, GTK_TYPE_MENU_BUTTON, GTK_TYPE_SWITCH, GTK_TYPE_ENTRY,
                    GTK_TYPE_SPIN_BUTTON, GTK_TYPE_DROP_DOWN, GTK_TYPE_SCALE, GTK_TYPE_TEXT_VIEW,
                    GTK_TYPE_PICTURE, GTK_TYPE_PROGRESS_BAR };
      GType o[] = { GTK_TYPE_MENU_BUTTON, GTK_TYPE_SPIN_BUTTON, GTK_TYPE_DROP_DOWN,
                    GTK_TYPE_ENTRY, GTK_TYPE_WINDOW_CONTROLS, GTK_TYPE_SCROLLBAR, GTK_TYPE_SCALE };

      memcpy (interactive, i, sizeof i);
      memcpy (opaque, o, sizeof o);
    }
  for (guint i = 0; interactive[i] != 0 && !checked; i++)
    if (G_TYPE_CHECK_INSTANCE_TYPE (widget, interactive[i]))
      {
        GtkAccessible *accessible = GTK_ACCESSIBLE (widget);
        gboolean labelled
          = gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL)
            || gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY)
            || (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL);

        checked = TRUE;
        ++*n_checked;
        if (!labelled)
          g_string_append_printf (missing, " %s%s%s", G_OBJECT_TYPE_NAME (widget),
                                  gtk_widget_get_tooltip_text (widget) ? ":" : "",
                                  gtk_widget_get_tooltip_text (widget) ?: "");
      }
  for (guint i = 0; opaque[i] != 0; i++)
    if (G_TYPE_CHECK_INSTANCE_TYPE (widget, opaque[i]))
      return;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_labelled (child, n_checked, missing);
}

/* Every control a user reaches has a name for screen readers: an accessible
 * label, a mnemonic label (labelled-by) or its own text. */
static void
test_accessible (void)
{
  g_autoptr (GString) missing = g_string_new (NULL);
  guint n_checked = 0;

  check_labelled (GTK_WIDGET (window), &n_checked, missing);
  g_test_message ("%u controls checked", n_checked);
  if (missing->len > 0)
    g_error ("no accessible label:%s", missing->str);
}

static GtkWidget *
template_child (GtkWidget *widget, GType type, const char *name)
{
  GObject *child = gtk_widget_get_template_child (widget, type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static const FlRunRecord *
last_run (void)
{
  GListModel *model = fl_runs_view_get_model (fl_window_get_runs_view (window));
  guint n = g_list_model_get_n_items (model);
  g_autoptr (FlRunObject) run = n ? g_list_model_get_item (model, n - 1) : NULL;

  return run ? fl_run_object_get_record (run) : NULL;
}

/* Run reads what the fields show: 300 typed into Frames (no Enter, the focus
 * still there) runs 300 frames, not the 5000 the spin button held; a port
 * typed into the server's field is where it listens. */
static void
test_typed_not_confirmed (void)
{
  FlServerPanel *server = fl_window_get_server_panel (window);
  FlClientPanel *client = fl_window_get_client_panel (window);
  GtkSpinButton *frames = GTK_SPIN_BUTTON (template_child (GTK_WIDGET (client),
                                                          FL_TYPE_CLIENT_PANEL, "frames_spin"));
  GtkSpinButton *port = GTK_SPIN_BUTTON (template_child (GTK_WIDGET (server),
                                                        FL_TYPE_SERVER_PANEL, "port_spin"));
  guint typed_port = fl_gui_test_free_port ();
  g_autofree char *port_text = g_strdup_printf ("%u", typed_port);
  guint before = n_finished;

  /* (Typed: the text changes, nothing confirms it. The focus is left alone:
   * with no window manager the window never has it, and a text field given
   * the focus there would blink on without it.) */
  set_client (5000, 4, 2, "typed.gif");
  gtk_editable_set_text (GTK_EDITABLE (port), port_text);
  fl_gui_test_set_server (window, TRUE);
  g_assert_cmpuint (fl_server_panel_get_port (server), ==, typed_port);

  gtk_editable_set_text (GTK_EDITABLE (frames), "300");
  /* Not confirmed: the spin button's own value is still the old one. */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (frames), ==, 5000);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (finished_reached, GUINT_TO_POINTER (before + 1), 60000));
  g_assert_null (fl_client_panel_get_error (client));
  g_assert_cmpuint (last_run ()->frames, ==, 300);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (frames), ==, 300);
  fl_gui_test_set_server (window, FALSE);
}

/* A failed run is kept, marked failed, and measures nothing: no seconds, no
 * frames/s (it used to show "300 frames, 0.011 s, 27617 frames/s"). */
static void
test_failed_run_marked (void)
{
  FlClientPanel *client = fl_window_get_client_panel (window);
  FlRunsView *runs = fl_window_get_runs_view (window);
  g_autoptr (GSettings) settings = fl_settings_new ();
  g_autofree char *file = g_build_filename (tmpdir, "a-file", NULL);
  g_autofree char *frames = g_build_filename (file, "frames", NULL);
  g_autofree char *saved = g_settings_get_string (settings, "client-frames-dir");
  guint before = n_finished, row;

  /* A frames folder that cannot be made, whoever runs the test (root too). */
  g_assert_true (g_file_set_contents (file, "not a folder", -1, NULL));
  g_settings_set_string (settings, "client-frames-dir", frames);
  set_client (300, 4, 2, "failed.gif");
  fl_gui_test_set_server (window, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (finished_reached, GUINT_TO_POINTER (before + 1), 60000));
  g_assert_nonnull (fl_client_panel_get_error (client));
  g_test_message ("failed run: %s", fl_client_panel_get_error (client));
  g_assert_false (last_run ()->ok);
  row = g_list_model_get_n_items (fl_runs_view_get_model (runs)) - 1;
  for (guint column = 5; column <= 8; column++)
    {
      g_autofree char *text = fl_runs_view_get_cell_text (runs, row, column);

      g_assert_cmpstr (text, ==, "—");
    }
  {
    g_autofree char *result = fl_runs_view_get_cell_text (runs, row, 10);

    g_assert_true (g_str_has_prefix (result, "Failed: "));
  }
  g_settings_set_string (settings, "client-frames-dir", saved);
  fl_gui_test_set_server (window, FALSE);
}

/* The failure's sentence is on screen, at the top of the window, whichever
 * page shows and wherever the sidebar is scrolled, at the smallest size too
 * (it used to be a label below the fold of the left pane). */
static void
assert_error_in_view (const char *error)
{
  FlBanner *banner = fl_window_get_error_banner (window);

  g_assert_nonnull (error);
  fl_gui_test_spin (400);
  g_assert_true (fl_banner_get_revealed (banner));
  g_assert_cmpstr (fl_banner_get_title (banner), ==, error);
  g_assert_true (fl_gui_test_in_view (fl_banner_get_label (banner)));
}

static void
test_errors_in_view (void)
{
  FlServerPanel *server = fl_window_get_server_panel (window);
  g_autoptr (GSettings) settings = fl_settings_new ();
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  GtkWidget *sidebar = template_child (GTK_WIDGET (window), FL_TYPE_WINDOW, "sidebar");
  GtkAdjustment *scroll = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sidebar));

  g_assert_true (fl_gui_test_resize (GTK_WINDOW (window), 800, 600));
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 1), ==, 0);
  getsockname (fd, (struct sockaddr *) &addr, &len);
  g_settings_set_int (settings, "server-port", ntohs (addr.sin_port));
  /* The user is looking at the bottom of the sidebar, and at the Runs page. */
  fl_window_show_page (window, "runs");
  fl_gui_test_spin (100);
  gtk_adjustment_set_value (scroll, gtk_adjustment_get_upper (scroll));
  gtk_switch_set_active (fl_server_panel_get_switch (server), TRUE);
  g_assert_true (fl_gui_test_wait_server (window, FALSE, 5000));
  g_assert_false (gtk_switch_get_active (fl_server_panel_get_switch (server)));
  assert_error_in_view (fl_server_panel_get_error (server));
  shot ("error-server.png");
  close (fd);
  g_settings_set_int (settings, "server-port", fl_gui_test_free_port ());
  /* Escape closes it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  g_assert_false (fl_banner_get_revealed (fl_window_get_error_banner (window)));
  fl_gui_test_resize (GTK_WINDOW (window), test_width, test_height);
}

/* The X11 window, for xdotool; 0 when that is not possible here. */
static gulong
window_xid (void)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  if (!GDK_IS_X11_SURFACE (surface) || g_find_program_in_path ("xdotool") == NULL)
    return 0;
  return (gulong) gdk_x11_surface_get_xid (surface);
}

/* Real keys, as the X server delivers them. */
static void
xdotool (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
xdotool (const char *format, ...)
{
  va_list args;
  g_autofree char *command = NULL;
  g_autofree char *line = NULL;
  int status = 0;

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("xdotool %s", command);
  g_assert_true (g_spawn_command_line_sync (line, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  fl_gui_test_spin (250);
}

/* Keys arrive when the X server and the main loop get to them: each check
 * waits for what it expects (a busy machine may take a while). */
typedef struct
{
  GtkWidget *widget;
  const char *text;
} TextWait;

static gboolean
text_is (gpointer data)
{
  TextWait *wait = data;

  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (wait->widget)), wait->text) == 0;
}

static gboolean
playing_is (gpointer data)
{
  FlGifPaintable *paintable = fl_gif_view_get_paintable (fl_window_get_gif_view (window));

  return fl_gif_paintable_get_playing (paintable) == GPOINTER_TO_INT (data);
}

/* data: 0 for fit, 1 for 1:1, 2 for any factor above fit. */
static gboolean
zoom_is (gpointer data)
{
  guint zoom = fl_gif_view_get_zoom (fl_window_get_gif_view (window));

  return GPOINTER_TO_UINT (data) == 2 ? zoom > 0 : zoom == GPOINTER_TO_UINT (data);
}

static gboolean
details_shown (gpointer data)
{
  return gtk_revealer_get_reveal_child (GTK_REVEALER (data));
}

static gboolean
shown_frame_is (gpointer data)
{
  FlGifPaintable *paintable = fl_gif_view_get_paintable (fl_window_get_gif_view (window));

  return fl_gif_paintable_get_shown_frame (paintable) == GPOINTER_TO_UINT (data);
}

/* Space types a space in a text field (it used to pause the viewer and
 * vanish: "127.0.0.1 x" became "127.0.0.1x"); in the viewer it plays and
 * pauses; Left, Right, comma, period, Home, End step; Ctrl+plus, Ctrl+0,
 * Ctrl+1 and Ctrl+scroll zoom; Alt+Return shows the frame's details. */
/* No key is bound to two actions: GTK would run only one of them, silently. */
static void
test_accels_unique (void)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (window));
  g_auto (GStrv) actions = gtk_application_list_action_descriptions (application);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_cmpuint (g_strv_length (actions), >, 10);
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto (GStrv) accels = gtk_application_get_accels_for_action (application, actions[i]);

      for (guint k = 0; accels[k] != NULL; k++)
        {
          guint key;
          GdkModifierType mods;
          g_autofree char *canonical = NULL;
          const char *other;

          g_assert_true (gtk_accelerator_parse (accels[k], &key, &mods));
          canonical = gtk_accelerator_name (key, mods);
          other = g_hash_table_lookup (seen, canonical);
          if (other != NULL)
            g_error ("%s is bound to both %s and %s", accels[k], other, actions[i]);
          g_hash_table_insert (seen, g_steal_pointer (&canonical), g_strdup (actions[i]));
        }
    }
}

static void
test_keys (void)
{
  FlClientPanel *client = fl_window_get_client_panel (window);
  FlGifView *view = fl_window_get_gif_view (window);
  FlGifPaintable *paintable = fl_gif_view_get_paintable (view);
  GtkWidget *host = template_child (GTK_WIDGET (client), FL_TYPE_CLIENT_PANEL, "host_entry");
  g_autofree char *gif = g_build_filename (tmpdir, "run.gif", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (gif);
  gulong xid = window_xid ();
  graphene_point_t centre;
  guint n;

  if (xid == 0)
    {
      g_test_skip ("needs X11 and xdotool (the test packages)");
      return;
    }
  g_assert_true (g_file_test (gif, G_FILE_TEST_IS_REGULAR));
  fl_window_open_gif (window, file);
  g_assert_true (fl_gui_test_wait_viewer_frames (window, 300, 10000));
  n = fl_gif_paintable_get_n_frames (paintable);
  xdotool ("windowfocus --sync %lu", xid);

  gtk_editable_set_text (GTK_EDITABLE (host), "127.0.0.1");
  gtk_widget_grab_focus (host);
  gtk_editable_set_position (GTK_EDITABLE (host), -1);
  g_assert_true (fl_gif_paintable_get_playing (paintable));
  xdotool ("type --delay 40 ' x'");
  {
    TextWait wait = { host, "127.0.0.1 x" };

    g_assert_true (fl_gui_test_wait (text_is, &wait, 10000));
  }
  g_assert_true (fl_gif_paintable_get_playing (paintable));
  gtk_editable_set_text (GTK_EDITABLE (host), "127.0.0.1");

  gtk_widget_grab_focus (GTK_WIDGET (view));
  xdotool ("key space");
  g_assert_true (fl_gui_test_wait (playing_is, GINT_TO_POINTER (FALSE), 10000));
  xdotool ("key Home");
  g_assert_true (fl_gui_test_wait (shown_frame_is, GUINT_TO_POINTER (0), 10000));
  xdotool ("key Right period");
  g_assert_true (fl_gui_test_wait (shown_frame_is, GUINT_TO_POINTER (2), 10000));
  xdotool ("key comma");
  g_assert_true (fl_gui_test_wait (shown_frame_is, GUINT_TO_POINTER (1), 10000));
  xdotool ("key Left");
  g_assert_true (fl_gui_test_wait (shown_frame_is, GUINT_TO_POINTER (0), 10000));
  xdotool ("key End");
  g_assert_true (fl_gui_test_wait (shown_frame_is, GUINT_TO_POINTER (n - 1), 10000));
  xdotool ("key space");
  g_assert_true (fl_gui_test_wait (playing_is, GINT_TO_POINTER (TRUE), 10000));

  g_assert_cmpuint (fl_gif_view_get_zoom (view), ==, 0);
  xdotool ("key ctrl+plus");
  g_assert_true (fl_gui_test_wait (zoom_is, GUINT_TO_POINTER (2), 10000));
  xdotool ("key ctrl+0");
  g_assert_true (fl_gui_test_wait (zoom_is, GUINT_TO_POINTER (0), 10000));
  xdotool ("key ctrl+1");
  g_assert_true (fl_gui_test_wait (zoom_is, GUINT_TO_POINTER (1), 10000));
  xdotool ("key ctrl+0");
  g_assert_true (fl_gui_test_wait (zoom_is, GUINT_TO_POINTER (0), 10000));
  /* Ctrl+scroll over the picture zooms in, then out. */
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (view), GTK_WIDGET (window),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (
                                                                   GTK_WIDGET (view)) / 2.f,
                                                                 100), &centre));
  xdotool ("mousemove --window %lu %d %d", xid, (int) centre.x, (int) centre.y);
  xdotool ("keydown ctrl click 4 keyup ctrl");
  g_assert_true (fl_gui_test_wait (zoom_is, GUINT_TO_POINTER (2), 10000));
  xdotool ("keydown ctrl click 5 click 5 click 5 click 5 click 5 click 5 click 5 keyup ctrl");
  g_assert_true (fl_gui_test_wait (zoom_is, GUINT_TO_POINTER (0), 10000));
  xdotool ("key alt+Return");
  {
    GtkWidget *details = template_child (GTK_WIDGET (view), FL_TYPE_GIF_VIEW, "details_revealer");

    g_assert_true (fl_gui_test_wait (details_shown, details, 10000));
    shot ("viewer-details.png");
    gtk_revealer_set_reveal_child (GTK_REVEALER (details), FALSE);
  }
}

/* A GIF dropped on the window, or opened while another page shows, shows in
 * the viewer, and the window's title says its name. */
static void
test_drop_and_switch (void)
{
  g_autofree char *gif = g_build_filename (tmpdir, "run.gif", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (gif);
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GtkDropTarget *target = NULL;
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;

  for (guint i = 0; target == NULL && i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);
  fl_window_show_page (window, "runs");
  g_value_init (&value, G_TYPE_FILE);
  g_value_set_object (&value, file);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &handled);
  g_value_unset (&value);
  g_assert_true (handled);
  g_assert_cmpstr (fl_window_get_page (window), ==, "viewer");
  g_assert_true (fl_gui_test_wait_viewer_frames (window, 300, 10000));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "run.gif — Frameloom");
  fl_window_show_page (window, "speedup");
  fl_window_open_gif (window, file);
  g_assert_cmpstr (fl_window_get_page (window), ==, "viewer");
}

/* A label with exactly text, shown, under widget (a toast's, a row's). */
static gboolean
is_label (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0
         && gtk_widget_get_mapped (widget);
}

static gboolean
label_shown (gpointer data)
{
  return fl_gui_test_find (GTK_WIDGET (window), is_label, data) != NULL;
}

/* News as toasts: "Server stopped", and "Saved runs.csv" with an Open button. */
static void
test_toasts (void)
{
  g_autofree char *csv = g_build_filename (tmpdir, "toast-runs.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (csv);

  fl_gui_test_set_server (window, TRUE);
  fl_gui_test_set_server (window, FALSE);
  /* Toasts queue, one at a time, each for a few seconds. */
  g_assert_true (fl_gui_test_wait (label_shown, (gpointer) "Server stopped", 60000));
  g_assert_cmpuint (g_list_model_get_n_items (fl_runs_view_get_model (
                      fl_window_get_runs_view (window))), >, 0);
  fl_runs_view_save_or_open (fl_window_get_runs_view (window), file, TRUE);
  g_assert_true (g_file_test (csv, G_FILE_TEST_IS_REGULAR));
  g_assert_true (fl_gui_test_wait (label_shown, (gpointer) "Saved toast-runs.csv", 60000));
}

/* Where files go, in full: the frames folder row names the real folder (the
 * cache folder when none is chosen), not "frames". */
static void
test_paths_shown (void)
{
  FlClientPanel *client = fl_window_get_client_panel (window);
  GtkWidget *row = template_child (GTK_WIDGET (client), FL_TYPE_CLIENT_PANEL, "frames_dir_row");
  g_autoptr (GSettings) settings = fl_settings_new ();
  g_autofree char *saved = g_settings_get_string (settings, "client-frames-dir");
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "frameloom", "frames", NULL);
  g_autofree char *expected = fl_path_row_display_path (cache);
  g_autofree char *tmp_display = fl_path_row_display_path (saved);

  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, tmp_display);
  g_settings_set_string (settings, "client-frames-dir", "");
  g_test_message ("default frames folder shown as %s", expected);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, expected);
  g_assert_true (g_str_has_suffix (expected, "/frameloom/frames"));
  g_settings_set_string (settings, "client-frames-dir", saved);
}

/* About: release notes, the website and where to report issues. */
static void
test_about (void)
{
  GtkWidget *about = NULL;
  GListModel *toplevels = gtk_window_get_toplevels (); /* borrowed */

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  fl_gui_test_spin (300);
  for (guint i = 0; about == NULL && i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (toplevel))
        about = GTK_WIDGET (toplevel);
    }
  g_assert_nonnull (about);
  g_assert_nonnull (strstr (adw_about_window_get_release_notes (ADW_ABOUT_WINDOW (about)), "<li>"));
  g_assert_true (g_str_has_prefix (adw_about_window_get_website (ADW_ABOUT_WINDOW (about)),
                                   "https://"));
  g_assert_true (g_str_has_suffix (adw_about_window_get_issue_url (ADW_ABOUT_WINDOW (about)),
                                   "/issues"));
  fl_gui_test_shot (about, "about.png");
  gtk_window_destroy (GTK_WINDOW (about));
}

/* F11: the GIF fullscreen, the sidebar out of the way; Escape leaves. Only
 * where a window manager grants fullscreen (Xvfb alone has none). */
static void
test_fullscreen (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

  fl_window_show_page (window, "runs");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.fullscreen", NULL);
  fl_gui_test_wait (fl_gui_test_true_after, &until, 3000);
  if (!gtk_window_is_fullscreen (GTK_WINDOW (window)))
    {
      g_test_skip ("no window manager here to grant fullscreen");
      return;
    }
  g_assert_cmpstr (fl_window_get_page (window), ==, "viewer");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  until = g_get_monotonic_time () + G_USEC_PER_SEC;
  fl_gui_test_wait (fl_gui_test_true_after, &until, 3000);
  g_assert_false (gtk_window_is_fullscreen (GTK_WINDOW (window)));
}

int
main (int argc, char **argv)
{
  g_autoptr (GSettings) settings = NULL;

  if (!fl_gui_test_init (&argc, &argv))
    return 0;

  /* FRAMELOOM_TEST_WINDOW_SIZE=800x600: the smallest size we support. */
  if (g_getenv ("FRAMELOOM_TEST_WINDOW_SIZE") != NULL)
    {
      int w = 0, h = 0;

      if (sscanf (g_getenv ("FRAMELOOM_TEST_WINDOW_SIZE"), "%dx%d", &w, &h) == 2)
        {
          test_width = w;
          test_height = h;
        }
    }
  fl_gui_test_new_settings (&settings, "frameloom-gui-XXXXXX", test_width, test_height, &tmpdir);
  window = fl_gui_test_open_window (&app, FALSE);
  g_signal_connect (fl_window_get_client_panel (window), "finished",
                    G_CALLBACK (on_client_finished), NULL);

  g_test_add_func ("/window/accessible", test_accessible);
  g_test_add_func ("/window/settings-round-trip", test_settings_round_trip);
  g_test_add_func ("/window/run", test_run);
  g_test_add_func ("/window/offer", test_offer);
  /* Before the tests that leave a failed client run: its screenshot shows only
   * the server's error. */
  g_test_add_func ("/window/errors-in-view", test_errors_in_view);
  g_test_add_func ("/window/stall", test_stall);
  g_test_add_func ("/window/cancel", test_cancel);
  g_test_add_func ("/window/error", test_error);
  g_test_add_func ("/window/port-in-use", test_port_in_use);
  g_test_add_func ("/window/typed-not-confirmed", test_typed_not_confirmed);
  g_test_add_func ("/window/failed-run-marked", test_failed_run_marked);
  g_test_add_func ("/window/keys", test_keys);
  g_test_add_func ("/window/accels-unique", test_accels_unique);
  g_test_add_func ("/window/drop-and-switch", test_drop_and_switch);
  g_test_add_func ("/window/toasts", test_toasts);
  g_test_add_func ("/window/paths-shown", test_paths_shown);
  g_test_add_func ("/window/about", test_about);
  g_test_add_func ("/window/fullscreen", test_fullscreen);
  return fl_gui_test_close_window (g_test_run (), window, &app, &tmpdir);
}
