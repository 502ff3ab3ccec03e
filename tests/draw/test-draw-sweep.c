/* test-draw-sweep.c: the sweep chart drawn without GTK, checked in pixels on
 * an image surface: each point's error bar covers its min..max and nothing
 * beyond, the speed-up plot's bars are the summary's ranges, the Amdahl curve
 * passes where the fit predicts, the core marker stands at the core count;
 * then the files (PNG and SVG). */
#include "fl-draw-sweep.h"
#include "fl-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 640
#define H 520

typedef struct
{
  cairo_surface_t *surface;
  FlDrawSweepGeometry g;
  FlDrawStyle style;
} Picture;

/* Three repetitions per value: median seconds[i], min 0.9x, max 1.1x. */
static GPtrArray *
make_runs (FlSweepKind kind, const guint *values, const double *seconds, guint n, double wait)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) fl_run_record_free);

  for (guint rep = 1; rep <= 3; rep++)
    for (guint i = 0; i < n; i++)
      {
        double factor = rep == 1 ? 1.0 : rep == 2 ? 0.9 : 1.1;

        g_ptr_array_add (runs, fl_test_sweep_run (kind, values[i], rep, seconds[i] * factor,
                                         wait * factor));
      }
  return runs;
}

/* The summary of make_runs' runs on 2 cores, as the charts get it. */
static FlSweepSummary *
summarize (FlSweepKind kind, const guint *values, const double *seconds, guint n, double wait)
{
  g_autoptr (GPtrArray) runs = make_runs (kind, values, seconds, n, wait);

  return fl_sweep_summarize (kind, kind == FL_SWEEP_THREADS ? FL_STAGE_DOWNLOAD : FL_STAGE_ENCODE,
                             runs, 0, runs->len, 2);
}

static void
draw (Picture *pic, const FlDrawSweep *sweep)
{
  cairo_t *cr;

  fl_draw_style_init (&pic->style);
  pic->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, W, H);
  cr = cairo_create (pic->surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  fl_draw_sweep (cr, sweep, &pic->style, W, H, &pic->g);
  cairo_destroy (cr);
  cairo_surface_flush (pic->surface);
}

static gboolean
pixel_is (Picture *pic, int x, int y, const FlDrawColor *color)
{
  const guchar *data = cairo_image_surface_get_data (pic->surface);
  const guint32 *px = (const guint32 *) (gconstpointer) (data + y * cairo_image_surface_get_stride (
                                                                      pic->surface)) + x;
  int r = (*px >> 16) & 0xff, g = (*px >> 8) & 0xff, b = *px & 0xff;

  return abs (r - (int) lround (color->red * 255)) <= 3
         && abs (g - (int) lround (color->green * 255)) <= 3
         && abs (b - (int) lround (color->blue * 255)) <= 3;
}

/* Pixels of color in column x between rows y0 and y1 (inclusive). */
static int
count_column (Picture *pic, int x, int y0, int y1, const FlDrawColor *color)
{
  int n = 0;

  for (int y = MAX (MIN (y0, y1), 0); y <= MIN (MAX (y0, y1), H - 1); y++)
    n += pixel_is (pic, x, y, color);
  return n;
}

/* The error bar of a point: accent pixels all along min..max in its column,
 * and none just beyond its ends (the bar stops where the range does). */
static void
check_error_bar (Picture *pic, double value, int plot, double low, double high)
{
  int x = (int) round (fl_draw_sweep_x (&pic->g, value));
  int y_low = (int) round (fl_draw_sweep_y (&pic->g, plot, low));
  int y_high = (int) round (fl_draw_sweep_y (&pic->g, plot, high));
  int inside = count_column (pic, x, y_high + 1, y_low - 2, &pic->style.accent);

  g_test_message ("x=%d plot %d: %.3f..%.3f is rows %d..%d, %d accent pixels", x, plot, low,
                  high, y_high, y_low, inside);
  g_assert_cmpint (y_low - y_high, >=, 10);
  g_assert_cmpint (inside, ==, y_low - 2 - y_high);
  /* Past the caps (and the dot of a neighbour's line): background. */
  g_assert_cmpint (count_column (pic, x, y_high - 8, y_high - 4, &pic->style.accent), ==, 0);
  g_assert_cmpint (count_column (pic, x, y_low + 4, y_low + 8, &pic->style.accent), ==, 0);
}

static void
test_error_bars (void)
{
  static const guint values[] = { 1, 2, 4 };
  static const double seconds[] = { 8.0, 4.4, 4.2 };
  g_autoptr (FlSweepSummary) summary = summarize (FL_SWEEP_PROCESSES, values, seconds, 3, 0);
  FlDrawSweep sweep = { FL_SWEEP_PROCESSES, values, 3, summary, 2, NULL };
  Picture pic;

  draw (&pic, &sweep);
  g_assert_cmpuint (summary->points->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      const FlSweepPoint *p = &g_array_index (summary->points, FlSweepPoint, i);

      g_assert_cmpuint (p->seconds.n, ==, 3);
      check_error_bar (&pic, p->value, FL_DRAW_SWEEP_TIME, p->seconds.min, p->seconds.max);
      if (i > 0)
        check_error_bar (&pic, p->value, FL_DRAW_SWEEP_SPEEDUP, p->speedup_low, p->speedup_high);
    }
  g_assert_cmpuint (pic.g.n_x_labels, ==, 3);
  cairo_surface_destroy (pic.surface);
}

/* The models: for processes the Amdahl curve (the marker's colour) where the
 * fit predicts, away from the measurements (3 and 4 processes on 2 cores
 * were slower than the fit says), and the core marker at 2. */
static void
test_models (void)
{
  static const guint values[] = { 1, 2, 3, 4 };
  /* 10% serial on 2 cores: t(2) = t(1) (0.1 + 0.9 / 2) = 0.55 t(1). */
  static const double seconds[] = { 10.0, 5.5, 9.0, 9.0 };
  g_autoptr (FlSweepSummary) summary = summarize (FL_SWEEP_PROCESSES, values, seconds, 4, 0);
  FlDrawSweep sweep = { FL_SWEEP_PROCESSES, values, 4, summary, 2, NULL };
  Picture pic;
  double x_mid, predicted;
  int y, found;

  g_assert_true (summary->fitted);
  g_assert_cmpfloat (fabs (summary->serial_fraction - 0.1), <, 0.01);
  g_test_message ("sentence: %s", summary->sentence);
  draw (&pic, &sweep);
  /* Beyond the cores the curve is flat at the fit's 2-process speed-up. */
  x_mid = (fl_draw_sweep_x (&pic.g, 3) + fl_draw_sweep_x (&pic.g, 4)) / 2;
  predicted = fl_amdahl_speedup (summary->serial_fraction, 2, 2);
  y = (int) round (fl_draw_sweep_y (&pic.g, FL_DRAW_SWEEP_SPEEDUP, predicted));
  found = count_column (&pic, (int) round (x_mid), y - 2, y + 2, &pic.style.marker);
  g_test_message ("Amdahl curve at x=%.0f y=%d: %d marker pixels", x_mid, y, found);
  g_assert_cmpint (found, >=, 1);
  g_assert_cmpint (count_column (&pic, (int) round (x_mid), (int) pic.g.top[1], y - 4,
                                 &pic.style.marker), ==, 0);
  /* The core marker: a dashed line over both plots at x(2). */
  g_assert_cmpint (count_column (&pic, (int) round (fl_draw_sweep_x (&pic.g, 2)),
                                 (int) pic.g.top[0], (int) pic.g.bottom[1], &pic.style.marker),
                   >, (int) (pic.g.bottom[1] - pic.g.top[0]) / 3);
  cairo_surface_destroy (pic.surface);
}

/* Threads on a log2 axis: 1, 4, 16, 64 evenly spaced; a slow network's sweep
 * has a clear winner, drawn larger, and the ideal line (the latency-bound
 * model) is not cut below the measurements. */
static void
test_threads_axis (void)
{
  static const guint values[] = { 1, 4, 16, 64 };
  static const double seconds[] = { 20.0, 5.1, 1.35, 0.6 };
  g_autoptr (FlSweepSummary) summary = summarize (FL_SWEEP_THREADS, values, seconds, 4, 19.5);
  FlDrawSweep sweep = { FL_SWEEP_THREADS, values, 4, summary, 2, NULL };
  Picture pic;
  double step;

  draw (&pic, &sweep);
  step = fl_draw_sweep_x (&pic.g, 4) - fl_draw_sweep_x (&pic.g, 1);
  g_assert_cmpfloat (fabs (fl_draw_sweep_x (&pic.g, 16) - fl_draw_sweep_x (&pic.g, 4) - step), <,
                     0.5);
  g_assert_cmpfloat (fabs (fl_draw_sweep_x (&pic.g, 64) - fl_draw_sweep_x (&pic.g, 16) - step), <,
                     0.5);
  g_assert_cmpint (summary->best, ==, 3);
  g_assert_cmpfloat (pic.g.max[FL_DRAW_SWEEP_SPEEDUP], >=,
                     g_array_index (summary->points, FlSweepPoint, 3).speedup_high);
  g_test_message ("sentence: %s", summary->sentence);
  g_assert_false (summary->nothing_to_hide);
  cairo_surface_destroy (pic.surface);
}

/* Before the first run: the axes, the core marker, the text in each plot. */
static void
test_empty (void)
{
  static const guint values[] = { 1, 2, 4, 8, 16, 32, 64, 128 };
  FlDrawSweep sweep = { FL_SWEEP_THREADS, values, 8, NULL, 4, "Sweep Threads fills this chart" };
  Picture pic;

  draw (&pic, &sweep);
  g_assert_cmpuint (pic.g.n_x_labels, >=, 4);
  g_assert_cmpint (count_column (&pic, (int) round (fl_draw_sweep_x (&pic.g, 4)),
                                 (int) pic.g.top[0], (int) pic.g.bottom[1], &pic.style.marker),
                   >, 10);
  g_assert_cmpint (count_column (&pic, (int) round (fl_draw_sweep_x (&pic.g, 32)),
                                 (int) pic.g.top[0], (int) pic.g.bottom[1], &pic.style.accent),
                   ==, 0);
  cairo_surface_destroy (pic.surface);
}

static void
test_files (void)
{
  static const guint values[] = { 1, 2, 4 };
  static const double seconds[] = { 6.0, 3.4, 3.3 };
  g_autoptr (FlSweepSummary) summary = summarize (FL_SWEEP_PROCESSES, values, seconds, 3, 0);
  FlDrawSweep sweep = { FL_SWEEP_PROCESSES, values, 3, summary, 2, NULL };
  g_autofree char *dir = g_dir_make_tmp ("fl-draw-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "sweep.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "sweep.svg", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "sweep.png", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  cairo_surface_t *image;
  gsize length;

  g_assert_true (fl_draw_sweep_write (png, &sweep, summary->sentence, 600, 480, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 600);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 480);
  cairo_surface_destroy (image);
  g_assert_true (fl_draw_sweep_write (svg, &sweep, summary->sentence, 600, 480, &error));
  g_assert_true (g_file_get_contents (svg, &text, &length, NULL));
  g_assert_nonnull (strstr (text, "<svg"));
  /* A folder that does not exist: one sentence naming the file. */
  g_assert_false (fl_draw_sweep_write (bad, &sweep, NULL, 600, 480, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, bad));
  g_remove (png);
  g_remove (svg);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/draw-sweep/error-bars", test_error_bars);
  g_test_add_func ("/draw-sweep/models", test_models);
  g_test_add_func ("/draw-sweep/threads-axis", test_threads_axis);
  g_test_add_func ("/draw-sweep/empty", test_empty);
  g_test_add_func ("/draw-sweep/files", test_files);
  return g_test_run ();
}
