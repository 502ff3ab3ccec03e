/* test-window.c: drives the real window: server switch, a 300-frame run, the
 * preview, a cancelled 20,000-frame run, and an error sentence. */
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
static gint64 max_stall_us;
static gint64 last_tick;

static gboolean
on_stall_tick (gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  if (last_tick != 0)
    max_stall_us = MAX (max_stall_us, now - last_tick);
  last_tick = now;
  return G_SOURCE_CONTINUE;
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

static guint
count_children (void)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;
  pid_t self = getpid ();

  while (proc && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/stat", name);
      g_autofree char *stat = NULL;
      const char *paren;
      int ppid = 0;
      char state;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      paren = strrchr (stat, ')');
      if (paren && sscanf (paren + 1, " %c %d", &state, &ppid) == 2 && ppid == self)
        n++;
    }
  return n;
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
  guint stall_id;
  gint64 start;

  shot ("idle.png");
  gtk_switch_set_active (fl_server_panel_get_switch (server), TRUE);
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (TRUE), 5000));
  g_assert_null (fl_server_panel_get_error (server));
  port = fl_server_panel_get_port (server);
  g_assert_cmpuint (port, >, 0);

  set_client (300, 4, 2, "run.gif");
  last_tick = 0;
  max_stall_us = 0;
  stall_id = g_timeout_add (1, on_stall_tick, NULL);
  start = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_client_panel_get_running (client));
  g_assert_true (fl_gui_test_wait (download_reached, GUINT_TO_POINTER (100), 30000));
  shot ("running.png");
  g_assert_true (fl_gui_test_wait (client_idle, NULL, 60000));
  g_source_remove (stall_id);
  g_test_message ("300 frames, 4 threads, 2 processes: %.2f s; longest main-loop stall %.1f ms",
                  (g_get_monotonic_time () - start) / 1e6, max_stall_us / 1000.0);
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
  shot ("finished.png");

  gtk_switch_set_active (fl_server_panel_get_switch (server), FALSE);
  g_assert_true (fl_gui_test_wait (server_settled, GINT_TO_POINTER (FALSE), 5000));
  g_assert_true (port_is_free (port));
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
  g_assert_cmpuint (count_children (), ==, 0);

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

  /* The server is off: the run stops with one sentence in the window. */
  set_client (50, 2, 1, "error.gif");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_gui_test_wait (client_idle, NULL, 30000));
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
  g_settings_set_int (settings, "server-port", 0);
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
  g_settings_set_int (settings, "server-port", 0);
  g_settings_set_string (settings, "client-frames-dir", frames);
  g_settings_set_int (settings, "client-delay", 20);

  app = fl_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  window = fl_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  fl_gui_test_spin (300);

  g_test_add_func ("/window/run", test_run);
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
