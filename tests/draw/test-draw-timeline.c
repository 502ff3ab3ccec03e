/* test-draw-timeline: the timeline picture as PNG and SVG, its size and the
 * colour of a busy span where the span is. */
#include "fl-draw-timeline.h"

#include "fl-error.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static FlTimeline *
sample (void)
{
  FlTimeline *timeline = fl_timeline_new ();
  const FlEvent events[] = {
    /* Download thread 1 waits for the reply during the first half of the run. */
    { .kind = FL_EVENT_FRAME_FETCHED, .track = 0, .t0 = 0, .t1 = 1000000,
      .frame = { .index = 0, .attempt = 1, .wait_us = 1000000 } },
    { .kind = FL_EVENT_FRAME_RETRY, .track = 0, .t0 = 1000000, .t1 = 1100000,
      .frame = { .index = 1, .attempt = 1 } },
    /* GIF worker 1 compresses during the second. */
    { .kind = FL_EVENT_CHUNK_ENCODED, .track = 0, .t0 = 1000000, .t1 = 2000000,
      .chunk = { .first = 0, .count = 1, .compress_us = 1000000 } },
  };

  fl_timeline_add (timeline, events, G_N_ELEMENTS (events));
  return timeline;
}

static void
rgb_at (cairo_surface_t *surface, int x, int y, guint8 *r, guint8 *g, guint8 *b)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  guint32 pixel = *(const guint32 *) (data + y * cairo_image_surface_get_stride (surface) + x * 4);

  *r = (pixel >> 16) & 0xff;
  *g = (pixel >> 8) & 0xff;
  *b = pixel & 0xff;
}

static void
assert_phase_at (cairo_surface_t *surface, int x, int y, FlPhase phase)
{
  double er, eg, eb;
  guint8 r, g, b;

  fl_draw_phase_rgb (phase, &er, &eg, &eb);
  rgb_at (surface, x, y, &r, &g, &b);
  g_assert_cmpint (r, ==, (int) lround (er * 255));
  g_assert_cmpint (g, ==, (int) lround (eg * 255));
  g_assert_cmpint (b, ==, (int) lround (eb * 255));
}

static void
test_png_svg (void)
{
  g_autoptr (FlTimeline) timeline = sample ();
  g_autofree char *dir = g_dir_make_tmp ("fl-draw-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "timeline.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "timeline.svg", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  cairo_surface_t *surface;
  double plot = 800 - FL_DRAW_TIMELINE_GUTTER - FL_DRAW_TIMELINE_MARGIN;
  double middle0 = FL_DRAW_TIMELINE_AXIS + FL_DRAW_TIMELINE_ROW / 2;
  double middle1 = middle0 + FL_DRAW_TIMELINE_ROW + FL_DRAW_TIMELINE_ROW_GAP;
  guint8 r, g, b;

  g_assert_true (fl_draw_timeline_write (timeline, 800, png, svg, &error));
  g_assert_no_error (error);
  surface = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 800);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==,
                   (int) ceil (fl_draw_timeline_get_height (timeline)));
  /* Thread 1 waits in the first quarter of the plot, is idle in the last. */
  assert_phase_at (surface, (int) (FL_DRAW_TIMELINE_GUTTER + plot / 4), (int) middle0,
                   FL_PHASE_WAIT);
  rgb_at (surface, (int) (FL_DRAW_TIMELINE_GUTTER + plot * 0.9), (int) middle0, &r, &g, &b);
  g_assert_cmpint (MIN (r, MIN (g, b)), >, 220);
  /* Worker 1 compresses in the last quarter, idles in the first. */
  assert_phase_at (surface, (int) (FL_DRAW_TIMELINE_GUTTER + plot * 3 / 4), (int) middle1,
                   FL_PHASE_COMPRESS);
  /* (Off the axis' grid lines, every 0.5 s.) */
  rgb_at (surface, (int) (FL_DRAW_TIMELINE_GUTTER + plot * 0.3), (int) middle1, &r, &g, &b);
  g_assert_cmpint (MIN (r, MIN (g, b)), >, 220);
  cairo_surface_destroy (surface);

  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<svg"));
  g_assert_nonnull (strstr (text, "</svg>"));
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS) && g_str_has_suffix (png, ".tmp"));
  g_unlink (png);
  g_unlink (svg);
  g_rmdir (dir);
}

/* A folder that does not exist: one sentence, nothing left behind. */
static void
test_unwritable (void)
{
  g_autoptr (FlTimeline) timeline = sample ();
  g_autoptr (GError) error = NULL;

  g_assert_false (fl_draw_timeline_write (timeline, 400, "/nonexistent/dir/t.png", NULL, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/dir/t.png"));
}

static void
test_describe (void)
{
  g_autoptr (FlTimeline) timeline = sample ();
  g_auto (GStrv) lines = fl_draw_timeline_describe (timeline);

  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], "Longest idle gap: "));
  g_assert_cmpstr (lines[1], ==, "download thread 1: busy 100%, longest idle gap 0.0 ms");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/draw-timeline/png-svg", test_png_svg);
  g_test_add_func ("/draw-timeline/unwritable", test_unwritable);
  g_test_add_func ("/draw-timeline/describe", test_describe);
  return g_test_run ();
}
