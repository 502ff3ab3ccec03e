/* test-instance.c: one Frameloom per session. This process is the running
 * app (registered on the session bus that dbus-run-session gives the test);
 * a second `frameloom FILE.gif` (the real program) hands FILE to it over
 * D-Bus and exits, and the GIF shows in this window's viewer. With no session
 * bus, a second start is an instance of its own, which keeps running. */
#include "fl-test-util.h"
#include "fl-test-gui.h"

#include "fl-application.h"
#include "fl-test-gif.h"
#include "fl-window.h"

#include <signal.h>

static FlApplication *app;
static FlWindow *window;
static char *tmpdir;

typedef struct
{
  gboolean done;
  gboolean exited;
  int status;
} Waited;

static void
on_waited (GObject *source, GAsyncResult *result, gpointer data)
{
  Waited *waited = data;

  if (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL))
    {
      waited->exited = g_subprocess_get_if_exited (G_SUBPROCESS (source));
      waited->status = waited->exited ? g_subprocess_get_exit_status (G_SUBPROCESS (source)) : -1;
    }
  waited->done = TRUE;
}

static gboolean
waited_done (gpointer data)
{
  return ((Waited *) data)->done;
}

static char *
write_gif (const char *name)
{
  GByteArray *b = hg_new (8, 8, 2);
  g_autoptr (GBytes) bytes = NULL;
  char *path = g_build_filename (tmpdir, name, NULL);

  for (guint f = 0; f < 3; f++)
    {
      guint8 px[64];

      memset (px, (int) f, sizeof px);
      hg_gce (b, 10, -1, 0);
      hg_image (b, 0, 0, 8, 8, 0, FALSE);
      hg_raster (b, px, 64);
    }
  bytes = hg_finish (b);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  return path;
}

/* The real program, with this test's environment changed by set (NULL: as
 * it is). */
static GSubprocess *
start_frameloom (const char *gif, const char *const *set)
{
  const char *program = g_getenv ("FRAMELOOM_APP");
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_assert_nonnull (program);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; set != NULL && set[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, set[i], set[i + 1], TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, program, gif, NULL);
  g_assert_no_error (error);
  return process;
}

static gboolean
viewer_has (gpointer data)
{
  FlGifView *view = fl_window_get_gif_view (window);

  return g_strcmp0 (fl_gif_view_get_title (view), data) == 0 && fl_gif_view_get_has_frame (view);
}

static void
test_second_opens_in_first (void)
{
  g_autofree char *gif = write_gif ("second.gif");
  g_autoptr (GSubprocess) second = NULL;
  Waited waited = { FALSE, FALSE, 0 };

  if (g_application_get_dbus_connection (G_APPLICATION (app)) == NULL)
    {
      g_test_skip ("no session bus (run under dbus-run-session)");
      return;
    }
  g_assert_false (g_application_get_is_remote (G_APPLICATION (app)));
  fl_window_show_page (window, "runs");
  second = start_frameloom (gif, NULL);
  g_subprocess_wait_async (second, NULL, on_waited, &waited);
  g_assert_true (fl_gui_test_wait (waited_done, &waited, 60000));
  /* It handed the file over and left. */
  g_assert_true (waited.exited);
  g_assert_cmpint (waited.status, ==, 0);
  g_assert_true (fl_gui_test_wait (viewer_has, (gpointer) "second.gif", 10000));
  g_assert_cmpstr (fl_window_get_page (window), ==, "viewer");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "second.gif — Frameloom");
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
}

static void
test_no_bus_separate (void)
{
  static const char *const no_bus[] = { "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent",
                                        NULL };
  g_autofree char *gif = write_gif ("alone.gif");
  g_autoptr (GSubprocess) other = start_frameloom (gif, no_bus);
  Waited waited = { FALSE, FALSE, 0 };
  gint64 until = g_get_monotonic_time () + 4 * G_USEC_PER_SEC;

  g_subprocess_wait_async (other, NULL, on_waited, &waited);
  fl_gui_test_wait (fl_gui_test_true_after, &until, 10000);
  /* Still running, in its own window: this one never saw the file. */
  g_assert_false (waited.done);
  g_assert_cmpstr (fl_gif_view_get_title (fl_window_get_gif_view (window)), !=, "alone.gif");
  g_subprocess_send_signal (other, SIGTERM);
  g_assert_true (fl_gui_test_wait (waited_done, &waited, 10000));
}

int
main (int argc, char **argv)
{
  if (!fl_gui_test_init (&argc, &argv))
    return 0;
  tmpdir = fl_test_make_dir ("frameloom-instance-XXXXXX");
  window = fl_gui_test_open_window (&app, TRUE);
  g_test_message ("session bus: %s", g_application_get_dbus_connection (G_APPLICATION (app))
                                       ? "yes" : "no");

  g_test_add_func ("/instance/second-opens-in-first", test_second_opens_in_first);
  g_test_add_func ("/instance/no-bus-separate", test_no_bus_separate);
  return fl_gui_test_close_window (g_test_run (), window, &app, &tmpdir);
}
