/* test-check.c: the window's Check page against the tests' lab server (every
 * check passes) and a server that serves one connection after another (the
 * threads check fails), the list filled live while the check runs; a bad
 * address and a refused connection as one sentence; Stop; the results saved
 * as Markdown and JSON; a client checked with the command that runs it; the
 * viewer's note on two GIFs joined with cat. The
 * test reads the page's properties and its model, never the widgets' text.
 *
 * FRAMELOOM_SCREENSHOT_DIR=dir writes check-server-pass.png and
 * check-server-fail.png there (see the README). */
#include "fl-test-util.h"
#include "fl-test-gui.h"

#include "fl-application.h"
#include "fl-check-page.h"
#include "fl-config.h"
#include "fl-window.h"

#include <stdlib.h>

static FlApplication *app;
static FlWindow *window;
static FlCheckPage *page;
static char *tmpdir;

/* The checks of a server started by the checker, in their order. */
static const char *const server_checks[] = {
  "connect", "reply-png", "image-size", "closes", "fresh", "random", "held-open", "burst",
  "under-load", "threads", "early-close", "timing", "ctrl-c", "lines", "address-reuse",
};

static char *
source_path (const char *dir, const char *name)
{
  const char *root = g_getenv ("FRAMELOOM_SOURCE_ROOT");

  return g_build_filename (root ? root : ".", "tests", dir, name, NULL);
}

/* The lab's own server (Pillow), else the tests' standard-library one. */
static char *
lab_server_command (guint port)
{
  const char *pil = g_getenv ("PYTHON_PIL");
  g_autofree char *lab = source_path ("fltest", "lab_server.py");
  g_autofree char *servers = source_path ("fltest", "check_servers.py");

  if (pil != NULL && pil[0] != '\0')
    return g_strdup_printf ("%s %s %u", pil, lab, port);
  return g_strdup_printf ("python3 %s good %u", servers, port);
}

static char *
broken_server_command (const char *mode, guint port)
{
  g_autofree char *servers = source_path ("fltest", "check_servers.py");

  return g_strdup_printf ("python3 %s %s %u", servers, mode, port);
}

static gboolean
page_idle (gpointer data)
{
  return !fl_check_page_get_running (page);
}

static FlCheckItem *
item_at (guint i)
{
  /* The store keeps its reference. */
  g_autoptr (FlCheckItem) item = g_list_model_get_item (fl_check_page_get_model (page), i);

  return item;
}

static FlCheckItem *
find_item (const char *id)
{
  GListModel *model = fl_check_page_get_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (fl_check_item_get_id (item_at (i)), id) == 0)
      return item_at (i);
  return NULL;
}

static guint
first_failure (void)
{
  GListModel *model = fl_check_page_get_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (fl_check_item_get_status (item_at (i)) == FL_CHECK_FAIL)
      return i;
  g_assert_not_reached ();
}

static gboolean
get_passed (void)
{
  gboolean passed;

  g_object_get (page, "passed", &passed, NULL);
  return passed;
}

typedef struct
{
  guint while_running;  /* items added while the page said it was running */
  guint running_seen;   /* items that were running when added */
} Live;

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, Live *live)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (FlCheckItem) item = g_list_model_get_item (model, i);

      live->while_running += fl_check_page_get_running (page);
      live->running_seen += fl_check_item_get_running (item);
    }
}

/* Checks the server that command starts on port through the page, as a user
 * would: the form, then the Check action; waits for the end. */
static void
check_server (guint port, const char *command, Live *live)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
  GListModel *model = fl_check_page_get_model (page);
  gulong id = g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), live);

  fl_check_page_set_mode (page, "server");
  fl_check_page_set_server (page, address, command);
  gtk_widget_activate_action (GTK_WIDGET (page), "check.start", NULL);
  g_assert_true (fl_check_page_get_running (page));
  g_assert_true (fl_gui_test_wait (page_idle, NULL, 300000));
  g_signal_handler_disconnect (model, id);
}

static void
assert_server_checks (void)
{
  GListModel *model = fl_check_page_get_model (page);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (server_checks));
  for (guint i = 0; i < G_N_ELEMENTS (server_checks); i++)
    {
      FlCheckItem *item = item_at (i);

      g_assert_cmpstr (fl_check_item_get_id (item), ==, server_checks[i]);
      g_assert_false (fl_check_item_get_running (item));
      g_assert_cmpstr (fl_check_item_get_evidence (item), !=, "");
    }
}

static void
show_check_page (void)
{
  fl_window_show_page (window, "check");
  g_assert_cmpstr (fl_window_get_page (window), ==, "check");
}

/* The Check page checks the server that command starts on port: every check
 * reported, finished, with evidence. With must_pass a check that did not pass
 * fails the test; else it is logged. */
static void
check_server_on_page (guint port, const char *command, Live *live, gboolean must_pass)
{
  show_check_page ();
  check_server (port, command, live);
  assert_server_checks ();
  for (guint i = 0; i < G_N_ELEMENTS (server_checks); i++)
    if (fl_check_item_get_status (item_at (i)) != FL_CHECK_PASS)
      {
        if (must_pass)
          g_error ("%s: %s", server_checks[i], fl_check_item_get_evidence (item_at (i)));
        g_test_message ("%s: %s", server_checks[i], fl_check_item_get_evidence (item_at (i)));
      }
}

static void
test_lab_server_passes (void)
{
  guint port = fl_gui_test_free_port ();
  g_autofree char *command = lab_server_command (port);
  Live live = { 0 };

  check_server_on_page (port, command, &live, TRUE);
  g_assert_null (fl_check_page_get_error (page));
  g_assert_true (get_passed ());
  g_assert_true (fl_check_report_passed (fl_check_page_get_report (page)));
  /* Live: each check came into the list when it started, the run going on. */
  g_assert_cmpuint (live.while_running, ==, G_N_ELEMENTS (server_checks));
  g_assert_cmpuint (live.running_seen, ==, G_N_ELEMENTS (server_checks));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  fl_gui_test_shot (GTK_WIDGET (window), "check-server-pass.png");
}

static void
test_serial_server_fails (void)
{
  guint port = fl_gui_test_free_port ();
  g_autofree char *command = broken_server_command ("serial", port);
  Live live = { 0 };

  check_server_on_page (port, command, &live, FALSE);
  g_assert_cmpint (fl_check_item_get_status (find_item ("threads")), ==, FL_CHECK_FAIL);
  g_assert_cmpint (fl_check_item_get_status (find_item ("connect")), ==, FL_CHECK_PASS);
  g_assert_false (get_passed ());
  /* A failed check is a verdict, not an error of the page. */
  g_assert_null (fl_check_page_get_error (page));
  /* The first failure is brought into view: the list goes below the fold. */
  fl_gui_test_spin (200);
  g_assert_true (fl_gui_test_in_view (fl_check_page_get_row (page, first_failure ())));
  fl_gui_test_shot (GTK_WIDGET (window), "check-server-fail.png");
}

static void
test_saved_as_markdown_and_json (void)
{
  g_autofree char *md = g_build_filename (tmpdir, "check.md", NULL);
  g_autofree char *json = g_build_filename (tmpdir, "check.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  gboolean has_report;

  g_object_get (page, "has-report", &has_report, NULL);
  g_assert_true (has_report);
  g_assert_true (fl_check_page_save (page, md, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (md, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "# Check of the server "));
  g_assert_nonnull (strstr (text, "| FAIL | "));
  g_clear_pointer (&text, g_free);
  g_assert_true (fl_check_page_save (page, json, &error));
  g_assert_true (g_file_get_contents (json, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "{\"kind\": \"server\""));
  g_assert_nonnull (strstr (text, "\"ok\": false"));
}

static void
test_bad_address_is_one_sentence (void)
{
  guint before = g_list_model_get_n_items (fl_check_page_get_model (page));
  const char *error;

  fl_check_page_set_mode (page, "server");
  fl_check_page_set_server (page, "localhost:99999", NULL);
  g_assert_false (fl_check_page_start (page));
  g_assert_false (fl_check_page_get_running (page));
  error = fl_check_page_get_error (page);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "localhost:99999"));
  g_assert_null (strchr (error, '\n'));
  /* The last run's list stays. */
  g_assert_cmpuint (g_list_model_get_n_items (fl_check_page_get_model (page)), ==, before);
}

static void
test_refused_is_one_sentence (void)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", fl_gui_test_free_port ());
  const char *error;

  fl_check_page_set_server (page, address, NULL);
  g_assert_true (fl_check_page_start (page));
  g_assert_true (fl_gui_test_wait (page_idle, NULL, 60000));
  error = fl_check_page_get_error (page);
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error);
  g_assert_nonnull (strstr (error, "refused"));
  g_assert_null (strchr (error, '\n'));
  g_assert_cmpint (fl_check_item_get_status (find_item ("connect")), ==, FL_CHECK_FAIL);
  g_assert_false (get_passed ());
}

static gboolean
has_items (gpointer data)
{
  return g_list_model_get_n_items (fl_check_page_get_model (page)) >= GPOINTER_TO_UINT (data);
}

static void
test_stop (void)
{
  guint port = fl_gui_test_free_port ();
  g_autofree char *command = lab_server_command (port);
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
  gint64 stopped;

  fl_check_page_set_server (page, address, command);
  g_assert_true (fl_check_page_start (page));
  g_assert_true (fl_gui_test_wait (has_items, GUINT_TO_POINTER (3), 60000));
  stopped = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (page), "check.stop", NULL);
  /* The server it started is stopped too (SIGINT, then SIGKILL after 3 s). */
  g_assert_true (fl_gui_test_wait (page_idle, NULL, 30000));
  g_test_message ("stopped after %.2f s", (g_get_monotonic_time () - stopped) / 1e6);
  g_assert_true (fl_check_page_get_report (page)->cancelled);
  g_assert_false (get_passed ());
  g_assert_cmpuint (g_list_model_get_n_items (fl_check_page_get_model (page)), <,
                    G_N_ELEMENTS (server_checks));
}

/* The app serves; frameloom-client, run by the page, downloads and makes the GIF. */
static void
test_client_passes (void)
{
  const char *client = g_getenv ("FRAMELOOM_CLIENT");
  g_autofree char *folder = g_build_filename (tmpdir, "client", NULL);
  g_autofree char *command = NULL;
  guint port = fl_gui_test_free_port ();

  if (client == NULL)
    {
      g_test_skip ("FRAMELOOM_CLIENT is not set");
      return;
    }
  command = g_strdup_printf ("%s --host 127.0.0.1 --port %u --frames 300 --quiet", client, port);
  fl_check_page_set_mode (page, "client");
  fl_check_page_set_client (page, port, 300, command, folder);
  gtk_widget_activate_action (GTK_WIDGET (page), "check.start", NULL);
  g_assert_true (fl_gui_test_wait (page_idle, NULL, 300000));
  static const char *const sure[] = { "exit", "connections", "frames", "gif", "gif-order",
                                       "gif-pixels", "gif-timing" };
  gboolean failed = FALSE;

  g_assert_cmpstr (fl_check_page_get_error (page), ==, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (fl_check_page_get_model (page)), ==, 10);
  for (guint i = 0; i < g_list_model_get_n_items (fl_check_page_get_model (page)); i++)
    {
      FlCheckItem *item = item_at (i);

      g_assert_false (fl_check_item_get_running (item));
      failed |= fl_check_item_get_status (item) == FL_CHECK_FAIL;
      if (fl_check_item_get_status (item) != FL_CHECK_PASS)
        g_test_message ("%s: %s", fl_check_item_get_id (item), fl_check_item_get_evidence (item));
    }
  /* What the client left is checked exactly; its concurrency, timing lines
   * and processes are measured, and a sanitizer's slowness may sway them. */
  for (guint i = 0; i < G_N_ELEMENTS (sure); i++)
    g_assert_cmpint (fl_check_item_get_status (find_item (sure[i])), ==, FL_CHECK_PASS);
  g_assert_nonnull (find_item ("processes"));
  g_assert_true (get_passed () == !failed);
  g_assert_cmpstr (fl_check_page_get_report (page)->kind, ==, "client");
}

/* The port is taken: the sentence says so, and nothing runs. */
static void
test_client_port_taken (void)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_ANY) };
  socklen_t len = sizeof addr;

  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 1), ==, 0);
  getsockname (fd, (struct sockaddr *) &addr, &len);
  fl_check_page_set_mode (page, "client");
  fl_check_page_set_client (page, ntohs (addr.sin_port), 10, NULL, NULL);
  g_assert_false (fl_check_page_start (page));
  g_assert_false (fl_check_page_get_running (page));
  g_assert_nonnull (fl_check_page_get_error (page));
  g_test_message ("port taken: %s", fl_check_page_get_error (page));
  g_assert_null (strchr (fl_check_page_get_error (page), '\n'));
  close (fd);
}

/* A 1x1 GIF, two colours, one frame. */
static const guint8 tiny_gif[] = {
  'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0xff, 0xff, 0xff, 0, 0, 0,
  0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3b,
};

static gboolean
viewer_shows (gpointer data)
{
  FlGifView *view = fl_window_get_gif_view (window);
  GFile *file = fl_gif_view_get_file (view);

  return file != NULL && g_file_equal (file, data) && fl_gif_view_get_has_frame (view);
}

static void
open_in_viewer (const char *name, guint copies)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autoptr (GFile) file = NULL;

  for (guint i = 0; i < copies; i++)
    g_byte_array_append (bytes, tiny_gif, sizeof tiny_gif);
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  file = g_file_new_for_path (path);
  fl_window_open_gif (window, file);
  g_assert_true (fl_gui_test_wait (viewer_shows, file, 30000));
}

/* The reader's note shows in the viewer: GIFs joined with cat play the first. */
static void
test_viewer_note (void)
{
  FlGifView *view = fl_window_get_gif_view (window);
  const char *note;

  open_in_viewer ("joined.gif", 2);
  note = fl_gif_view_get_note (view);
  g_assert_nonnull (note);
  g_test_message ("note: %s", note);
  g_assert_nonnull (strstr (note, "2 GIFs back to back"));
  g_assert_nonnull (strstr (note, "(1 frame)"));
  open_in_viewer ("one.gif", 1);
  g_assert_null (fl_gif_view_get_note (view));
}

int
main (int argc, char **argv)
{
  g_autoptr (GSettings) settings = NULL;

  if (!fl_gui_test_init (&argc, &argv))
    return 0;

  fl_gui_test_new_settings (&settings, "frameloom-gui-check-XXXXXX", 1280, 720, &tmpdir);
  window = fl_gui_test_open_window (&app, FALSE);
  page = FL_CHECK_PAGE (fl_gui_test_find_type (GTK_WIDGET (window), FL_TYPE_CHECK_PAGE, FALSE));
  g_assert_nonnull (page);
  fl_gui_test_resize (GTK_WINDOW (window), 1280, 720);

  g_test_add_func ("/check/lab-server-passes", test_lab_server_passes);
  g_test_add_func ("/check/serial-server-fails", test_serial_server_fails);
  g_test_add_func ("/check/saved-as-markdown-and-json", test_saved_as_markdown_and_json);
  g_test_add_func ("/check/bad-address", test_bad_address_is_one_sentence);
  g_test_add_func ("/check/refused", test_refused_is_one_sentence);
  g_test_add_func ("/check/stop", test_stop);
  g_test_add_func ("/check/client-passes", test_client_passes);
  g_test_add_func ("/check/client-port-taken", test_client_port_taken);
  g_test_add_func ("/check/viewer-note", test_viewer_note);
  return fl_gui_test_close_window (g_test_run (), window, &app, &tmpdir);
}
