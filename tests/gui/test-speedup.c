/* test-speedup.c: "see the speed-up": the compare chart's bars and the sweep
 * chart's core marker, checked in pixels in the light and the dark style; the
 * runs history following real runs, its CSV and JSON round trip through the
 * view; Compare, both sweeps and Cancel in the real window; the live view of
 * downloads in flight and GIF workers; a failed run never drawn as a result;
 * the workload presets, repetitions kept per point, the sentences that point
 * at a preset when there was nothing to hide.
 * (The pages' screenshots: test-pages.) */
#include "fl-test-util.h"
#include "fl-test-gui.h"

#include "fl-application.h"
#include "fl-chart-util.h"
#include "fl-config.h"
#include "fl-error.h"
#include "fl-preset.h"
#include "fl-run-object.h"
#include "fl-runs-view.h"
#include "fl-window.h"

#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static FlApplication *app;
static FlWindow *window;
static char *tmpdir;
static GThread *main_thread;
/* Runs the speed-up panel reported, and how many of them off the main thread:
 * a sweep's thread must hand every run to the main loop, never touch the
 * widgets itself (as g_main_context_invoke did whenever the loop was idle). */
static gint sweep_records, sweep_records_off_main;

static void
on_sweep_run_recorded (void)
{
  g_atomic_int_inc (&sweep_records);
  if (g_thread_self () != main_thread)
    g_atomic_int_inc (&sweep_records_off_main);
}

/* ---- pixels ---------------------------------------------------------- */

typedef struct
{
  int width, height;
  gsize stride;
  guchar *data;   /* CAIRO_FORMAT_ARGB32: B G R A in memory on little endian */
} Pixels;

static void
pixels_from_texture (GdkTexture *texture, Pixels *out)
{
  out->width = gdk_texture_get_width (texture);
  out->height = gdk_texture_get_height (texture);
  out->stride = 4 * (gsize) out->width;
  out->data = g_malloc (out->stride * out->height);
  gdk_texture_download (texture, out->data, out->stride);
}

static gboolean
pixel_is (const Pixels *p, int x, int y, const GdkRGBA *color)
{
  const guchar *px = p->data + y * p->stride + 4 * x;
  int r = (int) lround (color->red * 255), g = (int) lround (color->green * 255),
      b = (int) lround (color->blue * 255);

  return abs (px[2] - r) <= 3 && abs (px[1] - g) <= 3 && abs (px[0] - b) <= 3 && px[3] >= 250;
}

typedef struct
{
  int x0, x1;     /* columns */
  int height;     /* the most pixels of the colour in one of them */
} Bar;

/* Runs of adjacent columns holding the colour, at least min_width wide: bars,
 * not legend swatches or text. */
static guint
find_bars (const Pixels *p, const GdkRGBA *color, int min_width, Bar *bars, guint max)
{
  guint n = 0;
  int start = -1, height = 0;

  for (int x = 0; x <= p->width; x++)
    {
      int count = 0, run = 0;

      /* The longest vertical run: a legend swatch above a bar does not add. */
      for (int y = 0; x < p->width && y < p->height; y++)
        {
          run = pixel_is (p, x, y, color) ? run + 1 : 0;
          count = MAX (count, run);
        }
      if (count > 0 && start < 0)
        start = x, height = 0;
      if (count > 0)
        height = MAX (height, count);
      if (count == 0 && start >= 0)
        {
          if (x - start >= min_width && n < max)
            bars[n++] = (Bar) { start, x - 1, height };
          start = -1;
        }
    }
  return n;
}

static int
column_count (const Pixels *p, int x, const GdkRGBA *color)
{
  int count = 0;

  for (int y = 0; y < p->height; y++)
    count += pixel_is (p, x, y, color);
  return count;
}

static void
set_dark (gboolean dark)
{
  fl_gui_test_set_dark (dark);
  fl_gui_test_spin (150);
}

static FlRunRecord *
make_record (const char *label, guint threads, guint processes, double download, double encode)
{
  FlRunRecord *record = fl_run_record_new (label);

  record->frames = 1000;
  record->threads = threads;
  record->processes = processes;
  record->ran_download = download > 0;
  record->ran_encode = encode > 0;
  record->download_seconds = download;
  record->encode_seconds = encode;
  record->ok = TRUE;
  return record;
}

/* ---- charts alone ---------------------------------------------------- */

static void
check_bar_chart (gboolean dark)
{
  GtkWidget *toplevel = gtk_window_new ();
  GtkWidget *chart = fl_bar_chart_new ();
  g_autoptr (FlRunRecord) baseline = make_record ("baseline", 1, 1, 4.0, 1.0);
  g_autoptr (FlRunRecord) current = make_record ("chosen", 8, 2, 1.0, 0.5);
  g_autoptr (GdkTexture) texture = NULL;
  FlChartColors colors;
  Pixels pixels;
  Bar base_bars[4], cur_bars[4];
  guint n_base, n_cur;

  set_dark (dark);
  gtk_window_set_default_size (GTK_WINDOW (toplevel), 640, 360);
  gtk_window_set_child (GTK_WINDOW (toplevel), chart);
  fl_bar_chart_set_runs (FL_BAR_CHART (chart), baseline, current);
  gtk_window_present (GTK_WINDOW (toplevel));
  fl_gui_test_spin (200);

  g_assert_cmpfloat_with_epsilon (fl_bar_chart_get_speedup (FL_BAR_CHART (chart),
                                                            FL_STAGE_DOWNLOAD), 4.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (fl_bar_chart_get_speedup (FL_BAR_CHART (chart),
                                                            FL_STAGE_ENCODE), 2.0, 1e-9);
  g_assert_cmpstr (fl_bar_chart_get_summary (FL_BAR_CHART (chart), FL_STAGE_DOWNLOAD), ==,
                   "4.0× faster");

  texture = fl_gui_test_render (chart, FALSE);
  g_assert_nonnull (texture);
  pixels_from_texture (texture, &pixels);
  fl_chart_colors_get (chart, &colors);
  /* The bars must stand out from the background in either style. */
  g_assert_false (gdk_rgba_equal (&colors.accent, &colors.bg));
  g_assert_false (gdk_rgba_equal (&colors.baseline, &colors.bg));
  g_assert_true (fabs (colors.fg.red - colors.bg.red) > 0.4);
  g_assert_cmpint (colors.fg.red > 0.5, ==, dark);

  n_base = find_bars (&pixels, &colors.baseline, 16, base_bars, G_N_ELEMENTS (base_bars));
  n_cur = find_bars (&pixels, &colors.accent, 16, cur_bars, G_N_ELEMENTS (cur_bars));
  g_test_message ("%s: baseline bars %d, %d px; current %d, %d px", dark ? "dark" : "light",
                  n_base > 0 ? base_bars[0].height : -1, n_base > 1 ? base_bars[1].height : -1,
                  n_cur > 0 ? cur_bars[0].height : -1, n_cur > 1 ? cur_bars[1].height : -1);
  g_assert_cmpuint (n_base, ==, 2);
  g_assert_cmpuint (n_cur, ==, 2);
  /* Side by side: baseline left of current in each group, download group first. */
  g_assert_cmpint (base_bars[0].x1, <, cur_bars[0].x0);
  g_assert_cmpint (cur_bars[0].x1, <, base_bars[1].x0);
  g_assert_cmpint (base_bars[1].x1, <, cur_bars[1].x0);
  /* Heights in the ratio of the times (each group on its own scale): 4:1, 2:1. */
  g_assert_cmpint (base_bars[0].height, >, 80);
  g_assert_cmpfloat (fabs ((double) base_bars[0].height / cur_bars[0].height - 4.0), <, 0.25);
  g_assert_cmpfloat (fabs ((double) base_bars[1].height / cur_bars[1].height - 2.0), <, 0.1);
  g_assert_cmpint (abs (base_bars[0].height - base_bars[1].height), <=, 1);

  g_free (pixels.data);
  gtk_window_destroy (GTK_WINDOW (toplevel));
  set_dark (FALSE);
}

/* A failed run is no result: the compare chart draws no bar for it and
 * claims no speed-up (it used to plot the seconds until the failure). */
static void
test_bar_chart_failed (void)
{
  GtkWidget *chart = fl_bar_chart_new ();
  g_autoptr (FlRunRecord) baseline = make_record ("baseline", 1, 1, 4.0, 1.0);
  g_autoptr (FlRunRecord) failed = make_record ("chosen", 8, 2, 0.011, 0.5);

  g_object_ref_sink (chart);
  failed->ok = FALSE;
  failed->error = g_strdup ("Could not create the folder /x/frames: not a directory");
  fl_bar_chart_set_runs (FL_BAR_CHART (chart), baseline, failed);
  g_assert_cmpfloat (fl_bar_chart_get_speedup (FL_BAR_CHART (chart), FL_STAGE_DOWNLOAD), ==, 0);
  g_assert_cmpfloat (fl_bar_chart_get_speedup (FL_BAR_CHART (chart), FL_STAGE_ENCODE), ==, 0);
  g_assert_null (fl_bar_chart_get_summary (FL_BAR_CHART (chart), FL_STAGE_DOWNLOAD));
  g_object_unref (chart);
}

static void
test_bar_chart_light (void)
{
  check_bar_chart (FALSE);
}

static void
test_bar_chart_dark (void)
{
  check_bar_chart (TRUE);
}

/* A compare with repetitions: the bars are the medians, and where the two
 * configurations' ranges overlap the stage says "no clear difference" rather
 * than a ratio the noise made. */
static void
test_bar_chart_repetitions (void)
{
  FlBarChart *chart = FL_BAR_CHART (g_object_ref_sink (fl_bar_chart_new ()));
  g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                    fl_run_record_free);
  /* Download: 4 s against 1 s, clearly apart; GIF: 1.0 against 0.9, inside the spread. */
  static const double base_dl[] = { 4.0, 3.8, 4.4 }, cur_dl[] = { 1.0, 1.1, 0.9 };
  static const double base_gif[] = { 1.0, 0.8, 1.2 }, cur_gif[] = { 0.9, 1.1, 0.85 };

  for (guint rep = 0; rep < 3; rep++)
    {
      g_ptr_array_add (records, make_record ("baseline", 1, 1, base_dl[rep], base_gif[rep]));
      g_ptr_array_add (records, make_record ("chosen", 8, 2, cur_dl[rep], cur_gif[rep]));
    }
  fl_bar_chart_set_compare (chart, records);
  g_assert_cmpfloat (fabs (fl_bar_chart_get_speedup (chart, FL_STAGE_DOWNLOAD) - 4.0), <, 1e-9);
  g_assert_cmpstr (fl_bar_chart_get_summary (chart, FL_STAGE_DOWNLOAD), ==, "4.0× faster");
  g_assert_cmpstr (fl_bar_chart_get_summary (chart, FL_STAGE_ENCODE), ==, "no clear difference");
  g_assert_cmpuint (g_array_index (fl_bar_chart_get_stage_summary (chart, FL_STAGE_ENCODE)->points,
                                   FlSweepPoint, 1).seconds.n, ==, 3);
  g_object_unref (chart);
}

static void
check_sweep_chart (gboolean dark)
{
  static const guint threads[] = { 1, 2, 4, 8, 16, 32, 64, 128 };
  static const double seconds[] = { 8.0, 4.1, 2.2, 1.3, 1.0, 0.95, 0.97, 1.0 };
  GtkWidget *toplevel = gtk_window_new ();
  GtkWidget *chart = fl_sweep_chart_new ();
  g_autoptr (GdkTexture) texture = NULL;
  FlChartColors colors;
  Pixels pixels;
  double marker_x, other_x;
  int plot_h;

  set_dark (dark);
  gtk_window_set_default_size (GTK_WINDOW (toplevel), 520, 420);
  gtk_window_set_child (GTK_WINDOW (toplevel), chart);
  fl_sweep_chart_set_plan (FL_SWEEP_CHART (chart), FL_SWEEP_THREADS, threads,
                           G_N_ELEMENTS (threads));
  fl_sweep_chart_set_cores (FL_SWEEP_CHART (chart), 4);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_autoptr (FlRunRecord) record = make_record ("sweep", threads[i], 0, seconds[i], 0);

      fl_sweep_chart_add_run (FL_SWEEP_CHART (chart), record);
    }
  g_assert_cmpuint (fl_sweep_chart_get_n_runs (FL_SWEEP_CHART (chart)), ==, 8);
  gtk_window_present (GTK_WINDOW (toplevel));
  fl_gui_test_spin (200);

  texture = fl_gui_test_render (chart, FALSE);
  g_assert_nonnull (texture);
  pixels_from_texture (texture, &pixels);
  fl_chart_colors_get (chart, &colors);

  /* log2 axis: 1, 2, 4 .. 128 are evenly spaced. */
  for (guint i = 2; i < G_N_ELEMENTS (threads); i++)
    {
      double step = fl_sweep_chart_value_to_x (FL_SWEEP_CHART (chart), threads[i])
                    - fl_sweep_chart_value_to_x (FL_SWEEP_CHART (chart), threads[i - 1]);
      double first = fl_sweep_chart_value_to_x (FL_SWEEP_CHART (chart), 2)
                     - fl_sweep_chart_value_to_x (FL_SWEEP_CHART (chart), 1);

      g_assert_cmpfloat (fabs (step - first), <=, 1.0);
    }
  /* The core marker: a dashed line of the warning colour at x(4), none at x(32). */
  marker_x = fl_sweep_chart_value_to_x (FL_SWEEP_CHART (chart), 4);
  other_x = fl_sweep_chart_value_to_x (FL_SWEEP_CHART (chart), 32);
  plot_h = gtk_widget_get_height (chart) / 2;
  g_test_message ("marker at x=%.0f: %d px of %d", marker_x,
                  column_count (&pixels, (int) marker_x, &colors.marker), plot_h);
  g_assert_cmpint (column_count (&pixels, (int) marker_x, &colors.marker), >, plot_h / 2);
  g_assert_cmpint (column_count (&pixels, (int) other_x, &colors.marker), <, 4);
  /* Each run is a dot in the accent colour where its time says, and a slower
   * run is drawn higher. */
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      int x = (int) fl_sweep_chart_value_to_x (FL_SWEEP_CHART (chart), threads[i]);
      int y = (int) lround (fl_sweep_chart_time_to_y (FL_SWEEP_CHART (chart), i));

      g_assert_true (pixel_is (&pixels, x, y, &colors.accent));
      if (i > 0 && seconds[i] < seconds[i - 1] - 0.5)
        g_assert_cmpfloat (fl_sweep_chart_time_to_y (FL_SWEEP_CHART (chart), i), >,
                           fl_sweep_chart_time_to_y (FL_SWEEP_CHART (chart), i - 1));
    }
  g_free (pixels.data);
  gtk_window_destroy (GTK_WINDOW (toplevel));
  set_dark (FALSE);
}

static void
test_sweep_chart_light (void)
{
  check_sweep_chart (FALSE);
}

static void
test_sweep_chart_dark (void)
{
  check_sweep_chart (TRUE);
}

/* ---- the real window ------------------------------------------------- */

static void
set_client (int frames, int threads, int processes)
{
  g_autoptr (GSettings) settings = fl_settings_new ();
  g_autofree char *out = g_build_filename (tmpdir, "speedup.gif", NULL);

  g_settings_set_int (settings, "client-frames", frames);
  g_settings_set_int (settings, "client-threads", threads);
  g_settings_set_int (settings, "client-processes", processes);
  g_settings_set_string (settings, "client-output", out);
}

static gboolean
all_idle (gpointer data)
{
  return !fl_client_panel_get_running (fl_window_get_client_panel (window))
         && !fl_speedup_panel_get_running (fl_window_get_speedup_panel (window));
}

static guint
n_rows (void)
{
  return g_list_model_get_n_items (fl_runs_view_get_model (fl_window_get_runs_view (window)));
}

static const FlRunRecord *
row (guint i)
{
  g_autoptr (FlRunObject) run = g_list_model_get_item (
    fl_runs_view_get_model (fl_window_get_runs_view (window)), i);

  /* The store keeps the object alive. */
  return run ? fl_run_object_get_record (run) : NULL;
}

typedef struct
{
  guint max_in_flight;        /* as the live view drew it */
  guint max_bridge_in_flight; /* read from the run's bridge at every iteration */
  guint max_workers;
} LiveSeen;

static gboolean
idle_watching_live (gpointer data)
{
  LiveSeen *seen = data;
  FlConcurrencyView *view = fl_window_get_concurrency_view (window);
  FlPipelineBridge *bridge = fl_client_panel_get_bridge (fl_window_get_client_panel (window));

  /* The view samples every FL_BRIDGE_TICK_MS: a fast machine can download 400
   * small frames between two samples, so the test also reads what the view
   * reads, at every iteration (a millisecond or so apart). */
  if (bridge != NULL)
    seen->max_bridge_in_flight = MAX (seen->max_bridge_in_flight,
                                      fl_pipeline_bridge_get_in_flight (bridge));
  seen->max_in_flight = MAX (seen->max_in_flight, fl_concurrency_view_get_max_in_flight (view));
  seen->max_workers = MAX (seen->max_workers, fl_concurrency_view_get_n_workers (view));
  return all_idle (NULL);
}

/* Every client run lands in the history with its configuration and times, and
 * the live view saw the downloads in flight and both GIF workers. */
static void
test_history_follows_runs (void)
{
  FlConcurrencyView *view = fl_window_get_concurrency_view (window);
  guint before = n_rows ();
  LiveSeen seen = { 0, 0, 0 };

  fl_gui_test_set_server (window, TRUE);
  for (guint i = 0; i < 2; i++)
    {
      set_client (400 + 100 * i, 4 + 4 * i, 2);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
      g_assert_true (fl_gui_test_wait (idle_watching_live, &seen, 60000));
      g_assert_null (fl_client_panel_get_error (fl_window_get_client_panel (window)));
      g_assert_cmpuint (n_rows (), ==, before + i + 1);
      g_assert_cmpuint (row (before + i)->frames, ==, 400 + 100 * i);
      g_assert_cmpuint (row (before + i)->threads, ==, 4 + 4 * i);
      g_assert_cmpuint (row (before + i)->processes, ==, 2);
      g_assert_true (row (before + i)->ok);
      g_assert_true (row (before + i)->download_seconds > 0);
      g_assert_true (row (before + i)->encode_seconds > 0);
      g_assert_cmpuint (row (before + i)->width, ==, 10);
    }
  g_test_message ("live view: at most %u downloads in flight (%u read from the bridge), %u GIF "
                  "workers", seen.max_in_flight, seen.max_bridge_in_flight, seen.max_workers);
  g_assert_cmpuint (MAX (seen.max_in_flight, seen.max_bridge_in_flight), >=, 1);
  g_assert_cmpuint (seen.max_in_flight, <=, 8);
  g_assert_cmpuint (seen.max_bridge_in_flight, <=, 8);
  /* The last picture stays: two workers, who encoded every frame between them. */
  g_assert_cmpuint (fl_concurrency_view_get_n_workers (view), ==, 2);
  g_assert_cmpuint (fl_concurrency_view_get_worker_frames (view, 0), >, 0);
  g_assert_cmpuint (fl_concurrency_view_get_worker_frames (view, 0)
                      + fl_concurrency_view_get_worker_frames (view, 1), ==, 500);
  fl_gui_test_set_server (window, FALSE);
}

static void
assert_same_rows (FlRunsView *a, guint a_from, FlRunsView *b, guint b_from, guint n)
{
  for (guint i = 0; i < n; i++)
    for (guint column = 0;; column++)
      {
        g_autofree char *left = fl_runs_view_get_cell_text (a, a_from + i, column);
        g_autofree char *right = fl_runs_view_get_cell_text (b, b_from + i, column);

        if (left == NULL)
          {
            g_assert_null (right);
            break;
          }
        g_assert_cmpstr (left, ==, right);
      }
}

/* Save as CSV and as JSON (by extension), open both into a fresh table: the
 * same cells. A file that is neither fails with a sentence and adds nothing. */
static void
test_save_open_round_trip (void)
{
  FlRunsView *view = fl_window_get_runs_view (window);
  g_autoptr (FlRunRecord) failed = make_record ("run 9", 2, 1, 0.5, 0);
  g_autofree char *csv = g_build_filename (tmpdir, "runs.csv", NULL);
  g_autofree char *json = g_build_filename (tmpdir, "runs.JSON", NULL);
  g_autofree char *bad = g_build_filename (tmpdir, "bad.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  FlRunsView *other;
  guint n;

  failed->ok = FALSE;
  failed->error = g_strdup ("Could not connect to 127.0.0.1:9: connection refused");
  fl_runs_view_add (view, failed);
  n = n_rows ();
  g_assert_cmpuint (n, >=, 3);

  g_assert_true (fl_runs_view_save (view, csv, &error));
  g_assert_no_error (error);
  g_assert_true (fl_runs_view_save (view, json, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (json, &text, NULL, NULL));
  g_assert_cmpint ((guchar) text[0], ==, '[');
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_cmpint ((guchar) text[0], !=, '[');

  other = g_object_ref_sink (g_object_new (FL_TYPE_RUNS_VIEW, NULL));
  g_assert_true (fl_runs_view_load (other, csv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (fl_runs_view_get_model (other)), ==, n);
  g_assert_true (fl_runs_view_load (other, json, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (fl_runs_view_get_model (other)), ==, 2 * n);
  assert_same_rows (view, 0, other, 0, n);
  assert_same_rows (view, 0, other, n, n);

  g_assert_true (g_file_set_contents (bad, "this is not a runs file\n", -1, NULL));
  g_assert_false (fl_runs_view_load (other, bad, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == FL_ERROR);
  g_test_message ("bad file: %s", error->message);
  g_assert_nonnull (strstr (error->message, "bad.csv"));
  g_assert_cmpuint (g_list_model_get_n_items (fl_runs_view_get_model (other)), ==, 2 * n);

  fl_runs_view_clear (other);
  g_assert_cmpuint (g_list_model_get_n_items (fl_runs_view_get_model (other)), ==, 0);
  g_object_unref (other);
}

/* Compare: two runs (baseline, chosen) on the same server, both in the chart
 * and the history. */
static void
test_compare (void)
{
  FlSpeedupPanel *panel = fl_window_get_speedup_panel (window);
  FlBarChart *chart = fl_speedup_panel_get_compare_chart (panel);
  guint before = n_rows ();

  fl_gui_test_set_server (window, TRUE);
  set_client (600, 8, 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.compare", NULL);
  g_assert_true (fl_speedup_panel_get_running (panel));
  /* One piece of work at a time. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL)
                  && fl_client_panel_get_running (fl_window_get_client_panel (window)));
  g_assert_true (fl_gui_test_wait (all_idle, NULL, 120000));
  g_assert_null (fl_speedup_panel_get_error (panel));
  g_assert_cmpuint (n_rows (), ==, before + 2);
  g_assert_cmpint (g_atomic_int_get (&sweep_records), >=, 2);
  g_assert_cmpint (g_atomic_int_get (&sweep_records_off_main), ==, 0);
  g_assert_cmpuint (row (before)->threads, ==, 1);
  g_assert_cmpuint (row (before)->processes, ==, 1);
  g_assert_cmpuint (row (before + 1)->threads, ==, 8);
  g_assert_cmpuint (row (before + 1)->processes, ==, 2);
  for (FlStage stage = FL_STAGE_DOWNLOAD; stage <= FL_STAGE_ENCODE; stage++)
    {
      g_test_message ("compare: %s %.2f× (%s)", stage == FL_STAGE_DOWNLOAD ? "download" : "GIF",
                      fl_bar_chart_get_speedup (chart, stage),
                      fl_bar_chart_get_summary (chart, stage));
      g_assert_cmpfloat (fl_bar_chart_get_speedup (chart, stage), >, 0);
    }
  fl_gui_test_set_server (window, FALSE);
}

static void
test_sweeps (void)
{
  FlSpeedupPanel *panel = fl_window_get_speedup_panel (window);
  g_autoptr (GArray) threads = fl_speedup_panel_sweep_values (FL_SWEEP_THREADS);
  g_autoptr (GArray) processes = fl_speedup_panel_sweep_values (FL_SWEEP_PROCESSES);
  guint before = n_rows ();

  fl_gui_test_set_server (window, TRUE);
  set_client (400, 8, 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sweep-threads", NULL);
  g_assert_true (fl_gui_test_wait (all_idle, NULL, 120000));
  g_assert_null (fl_speedup_panel_get_error (panel));
  g_assert_cmpuint (threads->len, ==, 8);
  g_assert_cmpuint (fl_sweep_chart_get_n_runs (fl_speedup_panel_get_sweep_chart (
                      panel, FL_SWEEP_THREADS)), ==, threads->len);
  g_assert_cmpuint (n_rows (), ==, before + threads->len);
  for (guint i = 0; i < threads->len; i++)
    {
      const FlRunRecord *r = row (before + i);

      g_assert_cmpuint (r->threads, ==, g_array_index (threads, guint, i));
      g_assert_true (r->ok);
      g_assert_true (r->ran_download);
      g_assert_false (r->ran_encode);
      /* Consistent numbers: every frame, and frames/s times seconds is frames. */
      g_assert_cmpuint (r->frames, ==, 400);
      g_assert_cmpuint (r->failures, ==, 0);
      g_assert_cmpfloat (fabs (fl_run_record_download_rate (r) * r->download_seconds - r->frames),
                         <, 0.5);
    }

  before = n_rows ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sweep-processes", NULL);
  g_assert_true (fl_gui_test_wait (all_idle, NULL, 120000));
  g_assert_null (fl_speedup_panel_get_error (panel));
  g_assert_cmpuint (processes->len, ==, MIN (2 * g_get_num_processors (), 16));
  g_assert_cmpuint (fl_sweep_chart_get_n_runs (fl_speedup_panel_get_sweep_chart (
                      panel, FL_SWEEP_PROCESSES)), ==, processes->len);
  g_assert_cmpuint (n_rows (), ==, before + processes->len);
  for (guint i = 0; i < processes->len; i++)
    {
      const FlRunRecord *r = row (before + i);

      g_assert_cmpuint (r->processes, ==, g_array_index (processes, guint, i));
      g_assert_true (r->ok);
      g_assert_true (r->ran_encode);
      g_assert_false (r->ran_download);
      g_assert_cmpfloat (fabs (fl_run_record_encode_rate (r) * r->encode_seconds - r->frames),
                         <, 0.5);
    }
  g_assert_cmpint (g_atomic_int_get (&sweep_records_off_main), ==, 0);
  fl_gui_test_set_server (window, FALSE);
}

static gboolean
sweep_has_run (gpointer data)
{
  FlSpeedupPanel *panel = fl_window_get_speedup_panel (window);

  return fl_sweep_chart_get_n_runs (fl_speedup_panel_get_sweep_chart (panel, FL_SWEEP_THREADS))
           >= 1
         || !fl_speedup_panel_get_running (panel);
}

/* Escape during a sweep stops it within seconds: no more runs, no workers left,
 * the finished runs kept. */
static void
test_cancel_sweep (void)
{
  FlSpeedupPanel *panel = fl_window_get_speedup_panel (window);
  FlSweepChart *chart = fl_speedup_panel_get_sweep_chart (panel, FL_SWEEP_THREADS);
  guint before = n_rows (), runs;
  gint64 cancelled;

  fl_gui_test_set_server (window, TRUE);
  /* 1 thread first: the first run alone takes seconds. */
  set_client (3000, 8, 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sweep-threads", NULL);
  g_assert_true (fl_gui_test_wait (sweep_has_run, NULL, 60000));
  g_assert_true (fl_speedup_panel_get_running (panel));
  fl_gui_test_spin (100);
  cancelled = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  g_assert_true (fl_gui_test_wait (all_idle, NULL, 10000));
  g_test_message ("cancel took %.0f ms", (g_get_monotonic_time () - cancelled) / 1000.0);
  runs = fl_sweep_chart_get_n_runs (chart);
  g_test_message ("%u of 8 runs done before the cancel", runs);
  g_assert_cmpuint (runs, >=, 1);
  g_assert_cmpuint (runs, <, 8);
  /* The finished runs are in the history; the one Cancel stopped is not. */
  g_assert_cmpuint (n_rows () - before, ==, runs);
  for (guint i = before; i < n_rows (); i++)
    g_assert_true (row (i)->ok);
  g_assert_null (fl_speedup_panel_get_error (panel));
  fl_gui_test_spin (1000);
  g_assert_cmpuint (fl_sweep_chart_get_n_runs (chart), ==, runs);
  /* No GIF worker left behind. */
  g_assert_cmpuint (fl_test_count_children (), ==, 0);
  fl_gui_test_set_server (window, FALSE);
}

/* ---- the lesson: presets, repetitions, sentences ---------------------- */

static void
assert_fields_are (FlPresetId preset)
{
  const FlWorkload *want = &fl_preset_get (preset)->workload;
  g_autoptr (FlRunSetup) setup = fl_client_panel_get_setup (fl_window_get_client_panel (window));
  FlWorkload server;

  fl_server_panel_get_workload (fl_window_get_server_panel (window), &server);
  g_assert_cmpuint (server.latency_ms, ==, want->latency_ms);
  g_assert_cmpuint (server.jitter_ms, ==, want->jitter_ms);
  g_assert_cmpuint (server.cost_us, ==, want->cost_us);
  g_assert_cmpuint (server.width, ==, want->width);
  g_assert_cmpuint (server.height, ==, want->height);
  g_assert_cmpuint (setup->config.download.n_frames, ==, want->frames);
  g_assert_cmpuint (setup->config.download.threads, ==, want->threads);
  g_assert_cmpuint (setup->config.encode.processes, ==, want->processes);
}

/* A fresh app is on the lab's defaults; a preset sets the server's and the
 * client's fields in one click; a field changed by hand makes it "Custom",
 * and the fields stay as they are. */
static void
test_presets (void)
{
  FlServerPanel *server = fl_window_get_server_panel (window);
  g_autoptr (GSettings) settings = fl_settings_new ();
  static const char *const keys[] = { "server-latency-ms", "server-jitter-ms", "server-cost-us",
                                      "server-size", "client-frames", "client-threads",
                                      "client-processes" };
  int preset = -2;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
  fl_gui_test_spin (50);
  /* The schema's defaults are the lab preset's values. */
  g_assert_cmpint (fl_server_panel_get_preset (server), ==, FL_PRESET_LAB);
  assert_fields_are (FL_PRESET_LAB);
  for (int p = FL_N_PRESETS - 1; p >= 0; p--)
    {
      g_object_set (server, "preset", p, NULL);
      fl_gui_test_spin (50);
      g_object_get (server, "preset", &preset, NULL);
      g_assert_cmpint (preset, ==, p);
      assert_fields_are (p);
    }
  /* By hand: the latency field, as a user types in it. */
  g_object_set (server, "preset", FL_PRESET_SLOW_NETWORK, NULL);
  fl_gui_test_spin (50);
  gtk_spin_button_set_value (fl_server_panel_get_latency_spin (server), 35);
  fl_gui_test_spin (50);
  g_assert_cmpint (fl_server_panel_get_preset (server), ==, FL_PRESET_CUSTOM);
  {
    FlWorkload now;

    fl_server_panel_get_workload (server, &now);
    g_assert_cmpuint (now.latency_ms, ==, 35);
  }
  /* "Custom" keeps the fields. */
  g_object_set (server, "preset", FL_PRESET_CUSTOM, NULL);
  g_assert_cmpint (g_settings_get_int (settings, "server-latency-ms"), ==, 35);
  g_object_set (server, "preset", FL_PRESET_LAB, NULL);
  fl_gui_test_spin (50);
  assert_fields_are (FL_PRESET_LAB);
}

static gboolean
row_has_repetition (guint first, guint threads, guint repetition)
{
  for (guint i = first; i < n_rows (); i++)
    if (row (i)->threads == threads && row (i)->repetition == repetition)
      return TRUE;
  return FALSE;
}

/* A sweep with 2 timed runs and a warm-up per point on the slow network:
 * the history and the chart keep both repetitions of every point (not the
 * warm-ups), the chart's points are their medians, each download waited the
 * server's latency, and the saved records read back with their repetitions. */
static void
test_repetitions (void)
{
  FlSpeedupPanel *panel = fl_window_get_speedup_panel (window);
  FlSweepChart *chart = fl_speedup_panel_get_sweep_chart (panel, FL_SWEEP_THREADS);
  g_autoptr (GSettings) settings = fl_settings_new ();
  g_autofree char *path = g_build_filename (tmpdir, "repetitions.json", NULL);
  g_autoptr (GError) error = NULL;
  static const guint values[] = { 1, 4 };
  const FlSweepSummary *summary;
  FlRunsView *copy;
  FlSweepOptions options;
  guint before = n_rows ();

  g_object_set (fl_window_get_server_panel (window), "preset", FL_PRESET_SLOW_NETWORK, NULL);
  set_client (40, 4, 2);
  g_settings_set_int (settings, "sweep-repeat", 2);
  g_settings_set_int (settings, "sweep-warmup", 1);
  fl_speedup_panel_get_options (panel, &options);
  g_assert_cmpuint (options.repeat, ==, 2);
  g_assert_cmpuint (options.warmup, ==, 1);
  fl_speedup_panel_set_sweep_values (panel, FL_SWEEP_THREADS, values, G_N_ELEMENTS (values));
  fl_gui_test_set_server (window, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sweep-threads", NULL);
  g_assert_true (fl_gui_test_wait (all_idle, NULL, 120000));
  g_assert_null (fl_speedup_panel_get_error (panel));
  fl_gui_test_set_server (window, FALSE);

  g_assert_cmpuint (n_rows () - before, ==, 4);
  g_assert_cmpuint (fl_sweep_chart_get_n_runs (chart), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    for (guint rep = 1; rep <= 2; rep++)
      g_assert_true (row_has_repetition (before, values[i], rep));
  for (guint i = before; i < n_rows (); i++)
    {
      g_assert_true (row (i)->ok);
      /* 40 images, 20 ms each, one connection at a time at most 4 apart. */
      g_assert_cmpfloat (row (i)->download_seconds, >=, 0.02 * 40 / row (i)->threads * 0.9);
    }
  summary = fl_sweep_chart_get_summary (chart);
  g_assert_nonnull (summary);
  g_assert_cmpuint (summary->points->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpuint (g_array_index (summary->points, FlSweepPoint, i).seconds.n, ==, 2);
  g_test_message ("slow network: %s", fl_sweep_chart_get_sentence (chart));
  /* 20 ms a frame is plenty to hide: the sentence points at no preset. */
  g_assert_cmpint (fl_sweep_chart_get_hint_preset (chart), ==, FL_PRESET_CUSTOM);
  g_assert_cmpstr (fl_sweep_chart_get_sentence (chart), ==, summary->sentence);

  g_assert_true (fl_runs_view_save (fl_window_get_runs_view (window), path, &error));
  g_assert_no_error (error);
  copy = g_object_ref_sink (g_object_new (FL_TYPE_RUNS_VIEW, NULL));
  g_assert_true (fl_runs_view_load (copy, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (fl_runs_view_get_model (copy)), ==, n_rows ());
  for (guint i = before; i < n_rows (); i++)
    {
      g_autoptr (FlRunObject) run = g_list_model_get_item (fl_runs_view_get_model (copy), i);

      g_assert_cmpuint (fl_run_object_get_record (run)->repetition, ==, row (i)->repetition);
    }
  g_object_unref (copy);

  fl_speedup_panel_set_sweep_values (panel, FL_SWEEP_THREADS, NULL, 0);
  g_settings_set_int (settings, "sweep-repeat", 1);
  g_settings_set_int (settings, "sweep-warmup", 0);
  g_object_set (fl_window_get_server_panel (window), "preset", FL_PRESET_LAB, NULL);
}

/* A fast-path sweep (each image in 50 us, each frame encoded in 0.1 ms, no
 * clear difference anywhere): the sentence says there was nothing to hide and
 * names the preset that has something. Synthetic runs: the verdict must not
 * depend on the machine's load. */
static void
check_fast_path (FlSweepKind kind, FlPresetId expected)
{
  static const guint values[] = { 1, 2, 4, 8 };
  static const double factors[] = { 1.0, 0.95, 1.05 };
  FlSweepChart *chart = FL_SWEEP_CHART (g_object_ref_sink (fl_sweep_chart_new ()));
  g_autofree char *sentence = NULL;
  int hint = -2;

  fl_sweep_chart_set_plan (chart, kind, values, G_N_ELEMENTS (values));
  fl_sweep_chart_set_cores (chart, 2);
  for (guint rep = 0; rep < G_N_ELEMENTS (factors); rep++)
    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      {
        g_autoptr (FlRunRecord) r = kind == FL_SWEEP_THREADS
                                      ? make_record ("threads", values[i], 0, 0.1 * factors[rep], 0)
                                      : make_record ("processes", 0, values[i], 0,
                                                     0.1 * factors[rep]);

        r->repetition = rep + 1;
        r->download_wait_seconds = kind == FL_SWEEP_THREADS ? 0.05 * factors[rep] : 0;
        fl_sweep_chart_add_run (chart, r);
      }
  g_object_get (chart, "sentence", &sentence, "hint-preset", &hint, NULL);
  g_test_message ("%s", sentence);
  g_assert_true (fl_sweep_chart_get_summary (chart)->nothing_to_hide);
  g_assert_cmpint (hint, ==, expected);
  g_assert_nonnull (strstr (sentence, fl_preset_get_name (expected)));
  g_assert_true (g_str_has_prefix (sentence, fl_sweep_chart_get_summary (chart)->sentence));
  g_object_unref (chart);
}

static void
test_fast_path_sentence (void)
{
  check_fast_path (FL_SWEEP_THREADS, FL_PRESET_SLOW_NETWORK);
  check_fast_path (FL_SWEEP_PROCESSES, FL_PRESET_HEAVY_FRAMES);
}

int
main (int argc, char **argv)
{
  g_autoptr (GSettings) settings = NULL;

  if (!fl_gui_test_init (&argc, &argv))
    return 0;

  fl_gui_test_new_settings (&settings, "frameloom-speedup-XXXXXX", 1400, 860, &tmpdir);
  window = fl_gui_test_open_window (&app, FALSE);
  main_thread = g_thread_self ();
  g_signal_connect (fl_window_get_speedup_panel (window), "run-recorded",
                    G_CALLBACK (on_sweep_run_recorded), NULL);

  g_test_add_func ("/speedup/bar-chart/light", test_bar_chart_light);
  g_test_add_func ("/speedup/bar-chart/dark", test_bar_chart_dark);
  g_test_add_func ("/speedup/bar-chart/failed", test_bar_chart_failed);
  g_test_add_func ("/speedup/bar-chart/repetitions", test_bar_chart_repetitions);
  g_test_add_func ("/speedup/sweep-chart/light", test_sweep_chart_light);
  g_test_add_func ("/speedup/sweep-chart/dark", test_sweep_chart_dark);
  g_test_add_func ("/speedup/history-follows-runs", test_history_follows_runs);
  g_test_add_func ("/speedup/save-open-round-trip", test_save_open_round_trip);
  g_test_add_func ("/speedup/compare", test_compare);
  g_test_add_func ("/speedup/sweeps", test_sweeps);
  g_test_add_func ("/speedup/cancel-sweep", test_cancel_sweep);
  g_test_add_func ("/speedup/presets", test_presets);
  g_test_add_func ("/speedup/repetitions", test_repetitions);
  g_test_add_func ("/speedup/fast-path-sentence", test_fast_path_sentence);
  return fl_gui_test_close_window (g_test_run (), window, &app, &tmpdir);
}
