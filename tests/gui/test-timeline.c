/* test-timeline: the Timeline page after a real run (a row per download
 * thread and GIF worker, and per handler of the embedded server that served
 * it; hover text, zoom), "Export trace" (the file parses, every frame once, a
 * track per thread and worker, the handlers besides) and "Export report"
 * (report.md linking the timeline's PNG and SVG); with FRAMELOOM_SCREENSHOT_DIR,
 * the page after a 5000-frame run at the fast path and against a server 20 ms
 * away. */
#include "fl-test-util.h"
#include "fl-test-gui.h"

#include "fl-application.h"
#include "fl-draw-timeline.h"
#include "fl-window.h"

#include <json-glib/json-glib.h>
#include <signal.h>

static FlApplication *app;
static FlWindow *window;
static char *tmpdir;

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
run (const char *host, guint port, int frames, int threads, int processes)
{
  g_autoptr (GSettings) settings = fl_settings_new ();
  FlClientPanel *client = fl_window_get_client_panel (window);

  g_settings_set_string (settings, "client-host", host);
  g_settings_set_int (settings, "client-port", (int) port);
  g_settings_set_int (settings, "client-frames", frames);
  g_settings_set_int (settings, "client-threads", threads);
  g_settings_set_int (settings, "client-processes", processes);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (fl_client_panel_get_running (client));
  g_assert_true (fl_gui_test_wait (fl_gui_test_client_idle, window, 180000));
  g_assert_null (fl_client_panel_get_error (client));
  /* The model's last tick reaches the page. */
  fl_gui_test_spin (200);
}

/* The middle of row's first span, in the canvas's coordinates. */
static void
first_span_point (FlTimelineView *view, guint row, double *x, double *y)
{
  FlTimeline *timeline = fl_timeline_view_get_timeline (view);
  GtkWidget *canvas = fl_timeline_view_get_canvas (view);
  double plot = gtk_widget_get_width (canvas) - FL_DRAW_TIMELINE_GUTTER - FL_DRAW_TIMELINE_MARGIN;
  gint64 t0, t1;
  guint n;
  const FlSpan *spans = fl_timeline_get_spans (timeline, row, &n);

  g_assert_cmpuint (n, >, 0);
  fl_timeline_view_get_visible (view, &t0, &t1);
  *x = FL_DRAW_TIMELINE_GUTTER
       + (((double) spans[0].t0 + (double) spans[0].t1) / 2 - (double) t0) / (double) (t1 - t0)
           * plot;
  *y = FL_DRAW_TIMELINE_AXIS + row * (FL_DRAW_TIMELINE_ROW + FL_DRAW_TIMELINE_ROW_GAP)
       + FL_DRAW_TIMELINE_ROW / 2;
}

static void
test_page (void)
{
  FlTimelineView *view = fl_window_get_timeline_view (window);
  FlTimeline *timeline;
  g_autofree char *text = NULL;
  gint64 t0, t1, z0, z1;
  double x, y;
  guint workers = 0, threads = 0;

  fl_gui_test_set_server (window, TRUE);
  run ("127.0.0.1", fl_server_panel_get_port (fl_window_get_server_panel (window)), 300, 4, 2);
  fl_window_show_page (window, "timeline");
  fl_gui_test_spin (300);
  timeline = fl_timeline_view_get_timeline (view);
  g_assert_true (fl_timeline_view_get_model (view)
                 == fl_client_panel_get_model (fl_window_get_client_panel (window)));
  for (guint i = 0; i < fl_timeline_get_n_rows (timeline); i++)
    {
      FlTimelineRowInfo row;

      fl_timeline_get_row (timeline, i, &row);
      threads += row.kind == FL_ROW_DOWNLOAD;
      workers += row.kind == FL_ROW_WORKER;
    }
  g_assert_cmpuint (threads, ==, 4);
  g_assert_cmpuint (workers, ==, 2);
  /* The embedded server served the run: its handler threads have rows too. */
  g_assert_cmpuint (fl_timeline_get_n_rows (timeline), >, threads + workers);
  g_assert_true (strstr (fl_timeline_view_get_figures (view), "busy") != NULL);
  g_assert_true (strstr (fl_timeline_view_get_figures (view), "Load imbalance") != NULL);

  first_span_point (view, 0, &x, &y);
  text = fl_timeline_view_describe_at (view, x, y);
  g_assert_nonnull (text);
  g_test_message ("hover: %s", text);
  g_assert_true (g_str_has_prefix (text, "Frame "));
  g_clear_pointer (&text, g_free);
  first_span_point (view, 4, &x, &y);
  text = fl_timeline_view_describe_at (view, x, y);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "Frames "));

  fl_timeline_view_get_visible (view, &t0, &t1);
  gtk_widget_activate_action (GTK_WIDGET (view), "timeline.zoom-in", NULL);
  fl_timeline_view_get_visible (view, &z0, &z1);
  g_assert_cmpint (z1 - z0, <, t1 - t0);
  g_assert_cmpint (z0, >=, t0);
  gtk_widget_activate_action (GTK_WIDGET (view), "timeline.zoom-fit", NULL);
  fl_timeline_view_get_visible (view, &z0, &z1);
  g_assert_cmpint (z0, ==, t0);
  g_assert_cmpint (z1, ==, t1);
  fl_gui_test_set_server (window, FALSE);
}

/* The exported trace of that run: it parses, has every frame exactly once and
 * one named track per download thread and per GIF worker. */
static void
test_export_trace (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "trace.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) tracks = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint handlers = 0;
  gboolean seen[300] = { FALSE };
  JsonArray *events;

  /* What the action does once the user chose the file. */
  fl_window_export_trace (window, path);
  g_assert_true (fl_gui_test_wait (file_exists, path, 10000));
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  events = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "traceEvents");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *e = json_array_get_object_element (events, i);
      const char *name = json_object_get_string_member (e, "name");
      const char *ph = json_object_get_string_member (e, "ph");

      if (g_str_equal (ph, "M") && g_str_equal (name, "thread_name"))
        {
          const char *track = json_object_get_string_member (
            json_object_get_object_member (e, "args"), "name");

          /* The embedded server's handlers are the app's threads too. */
          if (g_str_has_prefix (track, "handler thread "))
            handlers++;
          else
            g_hash_table_add (tracks, GINT_TO_POINTER (json_object_get_int_member (e, "tid")));
        }
      if (g_str_equal (ph, "X") && g_str_equal (name, "frame"))
        {
          gint64 frame = json_object_get_int_member (json_object_get_object_member (e, "args"),
                                                     "frame");

          g_assert_cmpint (frame, >=, 0);
          g_assert_cmpint (frame, <, 300);
          g_assert_false (seen[frame]);
          seen[frame] = TRUE;
        }
    }
  for (guint i = 0; i < 300; i++)
    g_assert_true (seen[i]);
  g_assert_cmpuint (g_hash_table_size (tracks), ==, 4 + 2);
  g_assert_cmpuint (handlers, >, 0);
}

static void
test_export_report (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "report", NULL);
  g_autofree char *md = g_build_filename (dir, "report.md", NULL);
  g_autofree char *png = g_build_filename (dir, "timeline.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "timeline.svg", NULL);
  g_autofree char *text = NULL;
  cairo_surface_t *surface;

  fl_window_export_report (window, dir);
  g_assert_true (fl_gui_test_wait (file_exists, md, 10000));
  g_assert_true (g_file_get_contents (md, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "(timeline.png)"));
  g_assert_nonnull (strstr (text, "(timeline.svg)"));
  g_assert_nonnull (strstr (text, "frameloom-client --host 127.0.0.1"));
  g_assert_nonnull (strstr (text, "| run 1 |"));
  /* The embedded server served it: the report says how to start the same. */
  g_assert_nonnull (strstr (text, "    frameloom-server --host 127.0.0.1 --port "));
  g_assert_nonnull (strstr (text, "GLib"));
  g_assert_true (g_file_test (svg, G_FILE_TEST_IS_REGULAR));
  surface = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 1200);
  cairo_surface_destroy (surface);
}

static GPid
spawn_slow_server (guint port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  const char *argv[] = { g_getenv ("FRAMELOOM_SERVER"), "--host", "127.0.0.1", "--port",
                         port_text, "--latency-ms", "20", "--quiet", NULL };
  g_autoptr (GError) error = NULL;
  GPid pid = 0;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &pid,
                                &error));
  g_assert_no_error (error);
  fl_gui_test_spin (500);
  return pid;
}

/* The README's pictures: 5000 frames at the fast path and against a server
 * 20 ms away (started here: the app's server has no latency setting). */
static void
test_screenshots (void)
{
  guint port;
  GPid pid;

  if (g_getenv ("FRAMELOOM_SCREENSHOT_DIR") == NULL || g_getenv ("FRAMELOOM_SERVER") == NULL)
    {
      g_test_skip ("FRAMELOOM_SCREENSHOT_DIR is not set");
      return;
    }
  fl_gui_test_set_server (window, TRUE);
  run ("127.0.0.1", fl_server_panel_get_port (fl_window_get_server_panel (window)), 5000, 4, 2);
  fl_gui_test_set_server (window, FALSE);
  fl_window_show_page (window, "timeline");
  fl_gui_test_spin (500);
  fl_gui_test_shot (GTK_WIDGET (window), "timeline-fast.png");

  port = fl_gui_test_free_port ();
  pid = spawn_slow_server (port);
  run ("127.0.0.1", port, 5000, 16, 2);
  kill (pid, SIGTERM);
  g_spawn_close_pid (pid);
  fl_window_show_page (window, "timeline");
  fl_gui_test_spin (500);
  fl_gui_test_shot (GTK_WIDGET (window), "timeline-slow.png");
}

int
main (int argc, char **argv)
{
  g_autoptr (GSettings) settings = NULL;

  if (!fl_gui_test_init (&argc, &argv))
    return 0;
  fl_gui_test_new_settings (&settings, "frameloom-timeline-XXXXXX", 1280, 720, &tmpdir);
  window = fl_gui_test_open_window (&app, FALSE);

  g_test_add_func ("/timeline/page", test_page);
  g_test_add_func ("/timeline/export-trace", test_export_trace);
  g_test_add_func ("/timeline/export-report", test_export_report);
  g_test_add_func ("/timeline/screenshots", test_screenshots);
  return fl_gui_test_close_window (g_test_run (), window, &app, &tmpdir);
}
