/* test-window.c: drives the real window: server switch, a 300-frame run, the
 * preview, the offer to start the server, the longest main-loop stall of a
 * 5000-frame run, a cancelled 20,000-frame run, and an error sentence. */
#include "fl-test-util.h"
#include "fl-gui-test.h"

#include "fl-application.h"
#include "fl-config.h"
#include "fl-window.h"

#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static FlApplication *app;
static FlWindow *window;
static char *tmpdir;
static guint n_finished;  /* "finished" signals of the client panel so far */

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
  const char *dir = g_getenv ("FRAMELOOM_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  fl_gui_test_spin (150);
  g_assert_true (fl_gui_test_screenshot (GTK_WIDGET (window), path));
  g_test_message ("screenshot %s", path);
}

static gboolean
server_settled (gpointer data)
{
  FlServerPanel *panel = fl_window_get_server_panel (window);

  return !fl_server_panel_get_busy (panel)
         && fl_server_panel_get_running (panel) == GPOINTER_TO_INT (data);
}

static gboolean
client_idle (gpointer data)
{
  return !fl_client_panel_get_running (fl_window_get_client_panel (window));
}

static gboolean
download_reached (gpointer data)
{
  guint64 done, total;
  double fraction;
  const char *text;

  fl_client_panel_get_stage (fl_window_get_client_panel (window), FL_STAGE_DOWNLOAD, &done,
                             &total, &fraction, &text);
  return done >= GPOINTER_TO_UINT (data) || client_idle (NULL);
}

static gboolean
preview_has (gpointer data)
{
  FlGifView *view = fl_window_get_gif_view (window);

  return fl_gif_paintable_get_n_frames (fl_gif_view_get_paintable (view))
         == GPOINTER_TO_UINT (data);
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

static guint
free_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;

  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  getsockname (fd, (struct sockaddr *) &addr, &len);
  close (fd);
  return ntohs (addr.sin_port);
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

  shot ("idle.png");
  gtk_switch_set_active (fl_server_panel_get_switch (server), TRUE);
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (TRUE), 5000));
  g_assert_null (fl_server_panel_get_error (server));
  port = fl_server_panel_get_port (server);
  g_assert_cmpuint (port, >, 0);

  set_client (300, 4, 2, "run.gif");
  start = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_false (fl_window_get_offering_server (window));
  g_assert_true (fl_client_panel_get_running (client));
  g_assert_true (fl_gui_test_wait (client_idle, NULL, 60000));
  g_test_message ("300 frames, 4 threads, 2 processes: %.2f s",
                  (g_get_monotonic_time () - start) / 1e6);
  if (fl_client_panel_get_error (client))
    g_error ("run failed: %s", fl_client_panel_get_error (client));

  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      guint64 done, total;
      double fraction;
      const char *text;

      fl_client_panel_get_stage (client, stage, &done, &total, &fraction, &text);
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
  g_assert_true (fl_gui_test_wait (preview_has, GUINT_TO_POINTER (300), 5000));
  fl_gif_paintable_set_speed (paintable, 4.0);
  fl_gif_paintable_set_playing (paintable, TRUE);
  frame = fl_gif_paintable_get_frame (paintable);
  fl_gui_test_spin (600);
  g_assert_cmpuint (fl_gif_paintable_get_frame (paintable), !=, frame);
  fl_gif_paintable_set_speed (paintable, 1.0);

  gtk_switch_set_active (fl_server_panel_get_switch (server), FALSE);
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (FALSE), 5000));
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
  guint port = free_port ();
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

  gtk_switch_set_active (fl_server_panel_get_switch (server), FALSE);
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (FALSE), 5000));
}

static guint max_live_frames;

/* client_idle, noting how many live frames the preview showed meanwhile. */
static gboolean
client_idle_watching_live (gpointer data)
{
  FlGifView *view = fl_window_get_gif_view (window);

  max_live_frames = MAX (max_live_frames, fl_gif_view_get_live_frames (view));
  return client_idle (NULL);
}

/* The figure: the longest main-loop iteration during a 5000-frame run
 * (4 threads, 2 processes) with the embedded server on; goal under 50 ms. */
static void
test_stall (void)
{
  FlServerPanel *server = fl_window_get_server_panel (window);
  FlClientPanel *client = fl_window_get_client_panel (window);
  const char *times[2];
  gint64 start;

  gtk_switch_set_active (fl_server_panel_get_switch (server), TRUE);
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (TRUE), 5000));
  set_client (5000, 4, 2, "stall.gif");
  fl_gui_test_spin (200);

  fl_gui_test_max_iteration_us = fl_gui_test_max_iteration_cpu_us = 0;
  start = g_get_monotonic_time ();
  max_live_frames = 0;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (client_idle_watching_live, NULL, 120000));
  g_assert_null (fl_client_panel_get_error (client));
  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      guint64 done, total;
      double fraction;

      fl_client_panel_get_stage (client, stage, &done, &total, &fraction, &times[stage]);
    }
  g_test_message ("5000 frames, 4 threads, 2 processes: %.2f s (%s, %s); "
                  "longest main-loop iteration %.1f ms (%.1f ms of it on the CPU)",
                  (g_get_monotonic_time () - start) / 1e6, times[0], times[1],
                  fl_gui_test_max_iteration_us / 1000.0,
                  fl_gui_test_max_iteration_cpu_us / 1000.0);
  /* The goal is 50 ms (typically 15-40 ms here); the bound only catches a
   * blocking call on the main loop, since a busy shared machine (a compiler
   * next door) can preempt the main thread for 200 ms. */
  g_assert_cmpint (fl_gui_test_max_iteration_us, <, 1000 * 1000);
  /* While frames downloaded the preview showed the newest ones. */
  g_test_message ("live frames shown: %u", max_live_frames);
  g_assert_cmpuint (max_live_frames, >, 0);
  g_assert_true (fl_gui_test_wait (preview_has, GUINT_TO_POINTER (5000), 10000));
  g_assert_cmpuint (fl_gif_view_get_live_frames (fl_window_get_gif_view (window)), ==, 0);
  shot ("main-window.png");

  /* The same run again for a screenshot while it downloads. (The stages run
   * one after the other, so both bars are never part-way at once.) */
  if (g_getenv ("FRAMELOOM_SCREENSHOT_DIR") != NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
      g_assert_true (fl_gui_test_wait (download_reached, GUINT_TO_POINTER (2000), 30000));
      shot ("running.png");
      g_assert_true (fl_gui_test_wait (client_idle, NULL, 120000));
    }
  gtk_switch_set_active (fl_server_panel_get_switch (server), FALSE);
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (FALSE), 5000));
}

static void
test_cancel (void)
{
  FlServerPanel *server = fl_window_get_server_panel (window);
  FlClientPanel *client = fl_window_get_client_panel (window);
  g_autofree char *output = g_build_filename (tmpdir, "big.gif", NULL);
  gint64 cancelled;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  gtk_switch_set_active (fl_server_panel_get_switch (server), TRUE);
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (TRUE), 5000));

  set_client (20000, 8, 2, "big.gif");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (download_reached, GUINT_TO_POINTER (2000), 60000));
  g_assert_true (fl_client_panel_get_running (client));
  cancelled = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  g_assert_true (fl_gui_test_wait (client_idle, NULL, 5000));
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
  g_assert_true (fl_gui_test_wait (client_idle, NULL, 60000));
  g_assert_null (fl_client_panel_get_error (client));
  g_assert_true (g_file_test (fl_client_panel_get_output (client), G_FILE_TEST_IS_REGULAR));

  gtk_switch_set_active (fl_server_panel_get_switch (server), FALSE);
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (FALSE), 5000));
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
  g_settings_set_int (settings, "client-port", free_port ());
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (client_idle, NULL, 30000));
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
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (FALSE), 5000));
  g_assert_nonnull (fl_server_panel_get_error (server));
  g_test_message ("port in use: %s", fl_server_panel_get_error (server));
  g_assert_false (gtk_switch_get_active (fl_server_panel_get_switch (server)));
  close (fd);
  g_settings_set_int (settings, "server-port", free_port ());
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

int
main (int argc, char **argv)
{
  g_autoptr (GSettings) settings = NULL;
  g_autofree char *frames = NULL;
  int status;

  if (!fl_gui_test_have_display ())
    return 0;
  fl_gui_test_init (&argc, &argv);

  tmpdir = g_dir_make_tmp ("frameloom-gui-XXXXXX", NULL);
  frames = g_build_filename (tmpdir, "frames", NULL);
  settings = fl_settings_new ();
  g_assert_nonnull (settings);
  g_settings_set_string (settings, "server-host", "127.0.0.1");
  g_settings_set_int (settings, "server-port", free_port ());
  g_settings_set_string (settings, "client-frames-dir", frames);
  g_settings_set_int (settings, "client-delay", 20);
  /* FRAMELOOM_TEST_WINDOW_SIZE=800x600: the smallest size we support. */
  if (g_getenv ("FRAMELOOM_TEST_WINDOW_SIZE") != NULL)
    {
      int w = 0, h = 0;

      if (sscanf (g_getenv ("FRAMELOOM_TEST_WINDOW_SIZE"), "%dx%d", &w, &h) == 2)
        {
          g_settings_set_int (settings, "window-width", w);
          g_settings_set_int (settings, "window-height", h);
        }
    }

  app = fl_application_new ();
  fl_gui_test_register (G_APPLICATION (app), FALSE);
  window = fl_window_new (app);
  g_signal_connect (fl_window_get_client_panel (window), "finished",
                    G_CALLBACK (on_client_finished), NULL);
  gtk_window_present (GTK_WINDOW (window));
  fl_gui_test_spin (300);

  g_test_add_func ("/window/accessible", test_accessible);
  g_test_add_func ("/window/settings-round-trip", test_settings_round_trip);
  g_test_add_func ("/window/run", test_run);
  g_test_add_func ("/window/offer", test_offer);
  g_test_add_func ("/window/stall", test_stall);
  g_test_add_func ("/window/cancel", test_cancel);
  g_test_add_func ("/window/error", test_error);
  g_test_add_func ("/window/port-in-use", test_port_in_use);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  fl_gui_test_spin (100);
  g_clear_object (&app);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);

    if (system (cmd) != 0)
      g_test_message ("could not remove %s", tmpdir);
  }
  g_free (tmpdir);
  return status;
}
