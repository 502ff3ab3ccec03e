/* test-hostile-gif.c: the GIF reader the viewer uses, fed hostile GIFs built
 * here: colour indices beyond the table, 65535x65535 screens, frames larger
 * than the screen, decompression bombs, zero delays and truncation at every
 * offset. The sanitizer builds turn any out-of-bounds access into a failure;
 * the memory budget of fl-gif-reader.h is measured as peak RSS. */
#include "fl-encoder.h"
#include "fl-error.h"
#include "fl-gif-reader.h"
#include "fl-test-gif.h"
#include "fl-test-util.h"

#include <glib/gstdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static FlGif *
decode (GBytes *bytes, const FlGifLimits *limits, GError **error)
{
  return fl_gif_new_from_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), limits,
                                NULL, error);
}

/* Renders every frame, touching every canvas pixel. */
static void
render_all (FlGif *gif)
{
  g_autoptr (FlGifCanvas) canvas = fl_gif_canvas_new (gif);
  gsize n = (gsize) fl_gif_get_width (gif) * fl_gif_get_height (gif);
  guint32 sum = 0;

  for (guint i = 0; i < fl_gif_get_n_frames (gif); i++)
    {
      const guint32 *px = fl_gif_canvas_render (canvas, i);

      for (gsize p = 0; p < n; p += 1 + n / 4096)
        sum ^= px[p];
    }
  (void) sum;
}

/* One frame of w x h at 0,0 whose pixel `at` is `bad`, the others 0. */
static GBytes *
gif_with_pixel (guint global_bits, guint local_bits, guint w, guint h, gsize at, guint bad,
                int transparent)
{
  GByteArray *b = hg_new (w, h, global_bits);
  g_autofree guint8 *px = g_malloc0 ((gsize) w * h);

  px[at] = (guint8) bad;
  if (transparent >= 0)
    hg_gce (b, 10, transparent, 0);
  hg_image (b, 0, 0, w, h, local_bits, FALSE);
  hg_raster (b, px, (gsize) w * h);
  return hg_finish (b);
}

static void
test_colour_beyond_table (void)
{
  guint refused = 0;

  for (guint bits = 1; bits <= 7; bits++)
    for (guint local = 0; local <= 1; local++)
      {
        guint size = 1u << bits;
        const guint bads[] = { size, size + 1, 255 };
        const gsize ats[] = { 0, 37, 99 };

        for (guint i = 0; i < G_N_ELEMENTS (bads); i++)
          for (guint j = 0; j < G_N_ELEMENTS (ats); j++)
            {
              g_autoptr (GBytes) bytes = gif_with_pixel (local ? 0 : bits, local ? bits : 0, 10,
                                                         10, ats[j], bads[i], -1);
              g_autoptr (GError) error = NULL;
              g_autoptr (FlGif) gif = decode (bytes, NULL, &error);

              g_assert_null (gif);
              g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_GIF);
              g_assert_nonnull (strstr (error->message, "beyond its colour table"));
              refused++;
            }
        {
          /* The last index inside the table is fine. */
          g_autoptr (GBytes) bytes = gif_with_pixel (local ? 0 : bits, local ? bits : 0, 10, 10,
                                                     55, size - 1, -1);
          g_autoptr (GError) error = NULL;
          g_autoptr (FlGif) gif = decode (bytes, NULL, &error);
          g_autoptr (FlGifCanvas) canvas = NULL;

          g_assert_no_error (error);
          canvas = fl_gif_canvas_new (gif);
          g_assert_cmphex (fl_gif_canvas_render (canvas, 0)[55], ==, hg_color (size - 1));
        }
      }
  g_test_message ("%u GIFs with an index beyond the table refused with a sentence", refused);

  {
    /* A transparent index beyond the table draws nothing, as browsers do. */
    g_autoptr (GBytes) bytes = gif_with_pixel (1, 0, 10, 10, 5, 200, 200);
    g_autoptr (GError) error = NULL;
    g_autoptr (FlGif) gif = decode (bytes, NULL, &error);
    g_autoptr (FlGifCanvas) canvas = NULL;

    g_assert_no_error (error);
    canvas = fl_gif_canvas_new (gif);
    g_assert_cmphex (fl_gif_canvas_render (canvas, 0)[5], ==, 0);
    g_assert_cmphex (fl_gif_canvas_render (canvas, 0)[6], ==, hg_color (0));
  }
  {
    /* No colour table at all: every index draws black. */
    g_autoptr (GBytes) bytes = gif_with_pixel (0, 0, 10, 10, 7, 255, -1);
    g_autoptr (GError) error = NULL;
    g_autoptr (FlGif) gif = decode (bytes, NULL, &error);
    g_autoptr (FlGifCanvas) canvas = NULL;

    g_assert_no_error (error);
    canvas = fl_gif_canvas_new (gif);
    g_assert_cmphex (fl_gif_canvas_render (canvas, 0)[7], ==, 0xff000000u);
  }
  {
    /* A bad index off the screen is never drawn, so never looked up: the
     * 10x10 frame hangs off a 5x5 screen and its bad pixel is at (9, 9). */
    GByteArray *b = hg_new (5, 5, 1);
    guint8 px[100] = { 0 };
    g_autoptr (GBytes) bytes = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (FlGif) gif = NULL;

    px[99] = 250;
    hg_image (b, 0, 0, 10, 10, 0, FALSE);
    hg_raster (b, px, 100);
    bytes = hg_finish (b);
    gif = decode (bytes, NULL, &error);
    g_assert_no_error (error);
    render_all (gif);
  }
}

static guint64
elapsed_ms (gint64 start)
{
  return (guint64) (g_get_monotonic_time () - start) / 1000;
}

static void
test_huge_screens (void)
{
  static const guint sizes[][3] = {
    /* width, height, accepted */
    { 65535, 65535, FALSE }, { 65535, 257, FALSE }, { 4097, 4096, FALSE },
    { 4096, 4096, TRUE },    { 65535, 1, TRUE },    { 1, 65535, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      GByteArray *b = hg_new (sizes[i][0], sizes[i][1], 1);
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (FlGif) gif = NULL;
      guint64 before;
      gint64 start = g_get_monotonic_time ();

      hg_image (b, 0, 0, 1, 1, 0, FALSE);
      hg_raster (b, (const guint8 *) "\1", 1);
      bytes = hg_finish (b);
      g_assert_true (hg_reset_peak ());
      before = fl_test_status_field ("VmHWM:");
      gif = decode (bytes, NULL, &error);
      if (sizes[i][2])
        {
          g_autoptr (FlGifCanvas) canvas = NULL;

          g_assert_no_error (error);
          canvas = fl_gif_canvas_new (gif);
          g_assert_cmphex (fl_gif_canvas_render (canvas, 0)[0], ==, hg_color (1));
          g_assert_cmpuint (fl_gif_canvas_get_memory_size (canvas), <=,
                            2 * 4 * FL_GIF_DEFAULT_MAX_CANVAS_PIXELS + 64 * 1024 * 1024);
        }
      else
        {
          g_autofree char *size = g_strdup_printf ("%ux%u", sizes[i][0], sizes[i][1]);

          g_assert_null (gif);
          g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
          g_assert_nonnull (strstr (error->message, size));
          /* Refused from the header: nothing allocated, at once. */
          g_assert_cmpuint (fl_test_status_field ("VmHWM:") - before, <, 4096);
          g_assert_cmpuint (elapsed_ms (start), <, 2000);
        }
      g_test_message ("%ux%u screen: %s, peak RSS +%" G_GUINT64_FORMAT " KiB", sizes[i][0],
                      sizes[i][1], gif ? "shown" : error->message,
                      fl_test_status_field ("VmHWM:") - before);
    }
}

static void
test_frames_larger_than_screen (void)
{
  g_autoptr (GError) error = NULL;

  {
    /* A 65535x65535 frame on a 16x16 screen, its raster a 2.7 KiB bomb of
     * 16 full rows (1 M pixels): only the rows on the screen are decoded, the
     * rest of the frame (none here: the data just stops) is skipped. */
    GByteArray *b = hg_new (16, 16, 2);
    g_autoptr (GBytes) bytes = NULL;
    g_autoptr (FlGif) gif = NULL;
    g_autoptr (FlGifCanvas) canvas = NULL;
    gint64 start = g_get_monotonic_time ();
    const guint32 *px;

    hg_image (b, 0, 0, 65535, 65535, 0, FALSE);
    hg_raster_solid (b, 3, 65535ull * 16);
    hg_gce (b, 0, -1, 0);
    /* A second frame entirely off the screen: counted, draws nothing. */
    hg_image (b, 65000, 65000, 65535, 65535, 0, FALSE);
    hg_raster_solid (b, 2, 1000);
    /* A third that hangs off the bottom-right corner: 6x6 of it shows. */
    hg_image (b, 10, 10, 16, 16, 0, FALSE);
    hg_raster_solid (b, 1, 256);
    bytes = hg_finish (b);
    g_test_message ("65535x65535 frame on a 16x16 screen: %" G_GSIZE_FORMAT " bytes",
                    g_bytes_get_size (bytes));
    gif = decode (bytes, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, 3);
    g_assert_cmpuint (fl_gif_get_memory_size (gif), <, 64 * 1024);
    canvas = fl_gif_canvas_new (gif);
    px = fl_gif_canvas_render (canvas, 0);
    for (guint p = 0; p < 256; p++)
      g_assert_cmphex (px[p], ==, hg_color (3));
    px = fl_gif_canvas_render (canvas, 2);
    for (guint p = 0; p < 256; p++)
      g_assert_cmphex (px[p], ==, hg_color (p / 16 >= 10 && p % 16 >= 10 ? 1 : 3));
    g_assert_cmpuint (elapsed_ms (start), <, 5000);
  }
  {
    /* Interlaced, 16 wide and 65535 tall on 16x16: the first three passes
     * must be decoded (half the rows), the last pass is skipped below row 16. */
    GByteArray *b = hg_new (16, 16, 2);
    g_autoptr (GBytes) bytes = NULL;
    g_autoptr (FlGif) gif = NULL;
    g_autoptr (FlGifCanvas) canvas = NULL;

    hg_image (b, 0, 0, 16, 65535, 0, TRUE);
    hg_raster_solid (b, 2, 16ull * 65535);
    bytes = hg_finish (b);
    gif = decode (bytes, NULL, &error);
    g_assert_no_error (error);
    canvas = fl_gif_canvas_new (gif);
    g_assert_cmphex (fl_gif_canvas_render (canvas, 0)[255], ==, hg_color (2));
  }
  {
    /* On the largest screen allowed, 256x65535, a 65535x65535 frame would
     * need 4.3 billion pixels decoded from 3.2 MB: refused before decoding. */
    GByteArray *b = hg_new (256, 65535, 1);
    g_autoptr (GBytes) bytes = NULL;
    g_autoptr (FlGif) gif = NULL;
    gint64 start = g_get_monotonic_time ();

    hg_image (b, 0, 0, 65535, 65535, 0, FALSE);
    hg_raster_solid (b, 1, 100000);
    bytes = hg_finish (b);
    gif = decode (bytes, NULL, &error);
    g_assert_null (gif);
    g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "million pixels"));
    g_assert_cmpuint (elapsed_ms (start), <, 2000);
    g_test_message ("%s", error->message);
  }
}

/* w x h screen, n full-screen frames, each a bomb of one colour. */
static GBytes *
bomb_gif (guint w, guint h, guint n)
{
  GByteArray *b = hg_new (w, h, 8);

  hg_loop (b, 0);
  for (guint i = 0; i < n; i++)
    {
      hg_gce (b, 0, -1, i % 3 == 2 ? 3 : 0);
      hg_image (b, 0, 0, w, h, 0, FALSE);
      hg_raster_solid (b, i % 256, (guint64) w * h);
    }
  return hg_finish (b);
}

static void
test_memory_budget (void)
{
  /* The largest screen allowed (4096x4096) and 40 full-screen frames in a
   * 230 KiB file: 640 MiB of indices if nothing stopped it. The decoded-frames
   * limit (192 MiB) stops it at frame 12; peak RSS stays within the budget. */
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;
  guint64 before, peak;
  gint64 start;

  if (!HG_RSS_MEASURABLE)
    {
      /* Single-threaded and 2 GB of shadow memory under TSan: the ASan and
       * plain builds run it. */
      g_test_skip ("peak RSS means nothing under ThreadSanitizer");
      return;
    }
  bytes = bomb_gif (4096, 4096, 40);
  g_assert_true (hg_reset_peak ());
  before = fl_test_status_field ("VmHWM:");
  start = g_get_monotonic_time ();
  gif = decode (bytes, NULL, &error);
  peak = fl_test_status_field ("VmHWM:") - before;
  g_test_message ("40 frames of 4096x4096 in %" G_GSIZE_FORMAT " KiB: %s in %" G_GUINT64_FORMAT
                  " ms, peak RSS +%" G_GUINT64_FORMAT " MiB (budget %u MiB)",
                  g_bytes_get_size (bytes) / 1024, error ? error->message : "decoded",
                  elapsed_ms (start), peak / 1024, FL_GIF_MEMORY_BUDGET_BYTES >> 20);
  g_assert_null (gif);
  g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "192 MiB"));
  /* The frames' limit plus slack for the sanitizers' shadow memory. */
  hg_assert_peak_kib (peak, (FL_GIF_DEFAULT_MAX_FRAME_BYTES >> 10) + 48 * 1024);
  g_clear_error (&error);
  g_clear_pointer (&bytes, g_bytes_unref);

  {
    /* 11 frames fit: decode them, then play them all through one canvas
     * (keyframes included) and measure the whole GIF's peak. */
    g_autoptr (FlGifCanvas) canvas = NULL;

    bytes = bomb_gif (4096, 4096, 11);
    g_assert_true (hg_reset_peak ());
    before = fl_test_status_field ("VmRSS:");
    gif = decode (bytes, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (fl_gif_get_memory_size (gif), <=, FL_GIF_DEFAULT_MAX_FRAME_BYTES);
    canvas = fl_gif_canvas_new (gif);
    for (guint i = 0; i < 11; i++)
      g_assert_cmphex (fl_gif_canvas_render (canvas, i)[4096 * 4096 - 1], ==, hg_color (i));
    g_assert_cmphex (fl_gif_canvas_render (canvas, 3)[0], ==, hg_color (3));
    peak = fl_test_status_field ("VmHWM:") - before;
    g_test_message ("11 frames of 4096x4096: frames %" G_GSIZE_FORMAT " MiB, canvas %"
                    G_GSIZE_FORMAT " MiB, peak RSS +%" G_GUINT64_FORMAT " MiB (budget %u MiB)",
                    fl_gif_get_memory_size (gif) >> 20,
                    fl_gif_canvas_get_memory_size (canvas) >> 20, peak / 1024,
                    FL_GIF_MEMORY_BUDGET_BYTES >> 20);
    g_assert_cmpuint (fl_gif_canvas_get_memory_size (canvas), <=,
                      2 * 4 * FL_GIF_DEFAULT_MAX_CANVAS_PIXELS + 64 * 1024 * 1024);
    hg_assert_peak_kib (peak, FL_GIF_MEMORY_BUDGET_BYTES >> 10);
  }
}

static void
test_raster_budget (void)
{
  /* A 1x256 screen and 100 frames of 65535x256 in 250 KiB: nothing of them
   * shows beyond the first column, yet each row must be decoded whole (16.8 M
   * pixels a frame, 1.7 G in all). With the limit lowered to 40 M pixels (the
   * default, 1 G, costs seconds) the third frame is refused before decoding. */
  GByteArray *b = hg_new (1, 256, 1);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;
  FlGifLimits limits;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < 100; i++)
    {
      hg_image (b, 0, 0, 65535, 256, 0, FALSE);
      hg_raster_solid (b, 1, 65535ull * 256);
    }
  bytes = hg_finish (b);
  fl_gif_limits_init_default (&limits);
  limits.max_raster_pixels = 40 * 1000 * 1000;
  gif = decode (bytes, &limits, &error);
  g_assert_null (gif);
  g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "40 million pixels"));
  g_test_message ("%" G_GSIZE_FORMAT " KiB, 1.7 G pixels: %s after %" G_GUINT64_FORMAT " ms",
                  g_bytes_get_size (bytes) / 1024, error->message, elapsed_ms (start));
}

static void
test_zero_delays (void)
{
  static const guint delays[][2] = {
    /* stored (cs), played (ms) */
    { 0, 100 }, { 1, 100 }, { 2, 20 }, { 3, 30 }, { 50, 500 }, { 65535, 655350 },
  };
  GByteArray *b = hg_new (2, 2, 1);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;

  hg_loop (b, 0);
  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      hg_gce (b, delays[i][0], -1, 0);
      hg_image (b, 0, 0, 2, 2, 0, FALSE);
      hg_raster (b, (const guint8 *) "\0\1\1\0", 4);
    }
  /* A frame with no graphic control extension at all: delay 0. */
  hg_image (b, 0, 0, 2, 2, 0, FALSE);
  hg_raster (b, (const guint8 *) "\0\1\1\0", 4);
  bytes = hg_finish (b);
  gif = decode (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, G_N_ELEMENTS (delays) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      g_assert_cmpuint (fl_gif_get_frame_delay_cs (gif, i), ==, delays[i][0]);
      g_assert_cmpuint (fl_gif_get_frame_delay_ms (gif, i), ==, delays[i][1]);
    }
  g_assert_cmpuint (fl_gif_get_frame_delay_ms (gif, G_N_ELEMENTS (delays)), ==, 100);
}

/* A GIF with every kind of block: loop, comments, local tables, interlace,
 * transparency, all disposals, a frame hanging off the screen. */
static GBytes *
busy_gif (void)
{
  GByteArray *b = hg_new (9, 7, 3);
  guint8 px[12 * 12];

  hg_loop (b, 3);
  hg_comment (b, "hostile");
  for (guint f = 0; f < 8; f++)
    {
      guint w = f == 5 ? 12 : 9 - f % 3, h = f == 5 ? 12 : 7 - f % 2;

      for (guint p = 0; p < w * h; p++)
        px[p] = (guint8) ((p + f) % 8);
      hg_gce (b, f, f % 2 ? 1 : -1, f % 4);
      hg_image (b, f % 3, f % 2, w, h, f % 3 == 1 ? 3 : 0, f % 2 == 1);
      hg_raster (b, px, w * h);
    }
  return hg_finish (b);
}

/* Truncates data at each offset in offsets[]: every prefix either decodes to
 * at most full frames, all of which render, or fails with an FL_ERROR. */
static guint
truncate_at (const guint8 *data, gsize length, guint full, const gsize *offsets, guint n)
{
  guint kept = 0;

  for (guint i = 0; i < n; i++)
    {
      gsize cut = offsets[i];
      g_autofree guint8 *copy = g_memdup2 (data, cut); /* exactly cut bytes: ASan sees overreads */
      g_autoptr (GError) error = NULL;
      g_autoptr (FlGif) gif = fl_gif_new_from_bytes (copy, cut, NULL, NULL, &error);

      g_assert_cmpuint (cut, <=, length);
      if (gif != NULL)
        {
          kept++;
          g_assert_cmpuint (fl_gif_get_n_frames (gif), <=, full);
          render_all (gif);
        }
      else
        {
          g_assert_true (error->domain == FL_ERROR);
          g_assert_cmpuint (strlen (error->message), >, 5);
        }
    }
  return kept;
}

static void
test_truncated_everywhere (void)
{
  g_autoptr (GBytes) bytes = busy_gif ();
  gsize length = g_bytes_get_size (bytes);
  g_autofree gsize *offsets = g_new (gsize, length);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = decode (bytes, NULL, &error);
  const char *corpus = g_getenv ("FRAMELOOM_CORPUS");
  guint kept, files = 0, cuts = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, 8);
  g_assert_cmpint (fl_gif_get_loop_count (gif), ==, 3);
  for (gsize i = 0; i < length; i++)
    offsets[i] = i;
  kept = truncate_at (g_bytes_get_data (bytes, NULL), length, 8, offsets, (guint) length);
  g_test_message ("built GIF of %" G_GSIZE_FORMAT " bytes cut at every offset: %u kept frames",
                  length, kept);

  if (corpus == NULL || !g_file_test (corpus, G_FILE_TEST_IS_DIR))
    {
      g_test_message ("no corpus (FRAMELOOM_CORPUS): built GIF only");
      return;
    }
  /* Every valid corpus GIF cut at its first 48 offsets and 80 more spread
   * over the file. */
  for (guint d = 0; d < 3; d++)
    {
      static const char *const dirs[] = { "gif-test-suite", "giflib-pic", "misc" };
      g_autofree char *dir = g_build_filename (corpus, "gif-valid", dirs[d], NULL);
      g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
      const char *name;

      while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_autofree char *data = NULL;
          gsize len = 0, offs[128];
          guint n = 0;
          g_autoptr (FlGif) whole = NULL;

          if (!g_str_has_suffix (name, ".gif") || !g_file_get_contents (path, &data, &len, NULL))
            continue;
          whole = fl_gif_new_from_bytes ((const guint8 *) data, len, NULL, NULL, NULL);
          for (gsize i = 0; i < MIN (len, 48); i++)
            offs[n++] = i;
          for (guint k = 1; k <= 80 && len > 48; k++)
            offs[n++] = 48 + (len - 48) * k / 81;
          truncate_at ((const guint8 *) data, len, whole ? fl_gif_get_n_frames (whole) : G_MAXUINT,
                       offs, n);
          files++;
          cuts += n;
        }
    }
  g_test_message ("%u corpus GIFs cut at %u offsets in all", files, cuts);
  g_assert_cmpuint (files, >, 50);
}

/* Both modes of the reader on bytes: decoded, then indexed. */
static FlGif *
decode_mode (GBytes *bytes, gboolean indexed, GError **error)
{
  return indexed ? fl_gif_new_indexed (bytes, NULL, NULL, error) : decode (bytes, NULL, error);
}

/* Frames with no width or no height are drawn at the screen's size with the
 * pixels their data holds, as Firefox, Chromium and gifsicle draw them; the
 * reader used to drop them (or say "it contains no frames"). */
static void
test_empty_frames (void)
{
  guint8 px[16];
  GByteArray *b = hg_new (4, 4, 2);
  g_autoptr (GBytes) bytes = NULL;

  for (guint i = 0; i < 16; i++)
    px[i] = i % 4;
  hg_gce (b, 10, -1, 0);
  hg_image (b, 0, 0, 0, 0, 0, FALSE);   /* no size at all: all 16 pixels */
  hg_raster (b, px, 16);
  hg_gce (b, 10, -1, 0);
  hg_image (b, 0, 0, 0, 3, 0, FALSE);   /* no width, data for one row only */
  hg_raster (b, (const guint8 *) "\3\3\3\3", 4);
  hg_gce (b, 10, -1, 0);
  hg_image (b, 1, 1, 2, 2, 0, FALSE);   /* an ordinary frame after them */
  hg_raster (b, (const guint8 *) "\1\1\1\1", 4);
  bytes = hg_finish (b);

  for (int indexed = 0; indexed <= 1; indexed++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FlGif) gif = decode_mode (bytes, indexed, &error);
      g_autoptr (FlGifCanvas) canvas = NULL;
      FlGifFrameInfo info;
      const guint32 *p;

      g_assert_no_error (error);
      g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, 3);
      fl_gif_get_frame_info (gif, 0, &info);
      g_assert_cmpuint (info.width, ==, 4);
      g_assert_cmpuint (info.height, ==, 4);
      fl_gif_get_frame_info (gif, 1, &info);
      g_assert_cmpuint (info.width, ==, 4);
      g_assert_cmpuint (info.height, ==, 4);
      canvas = fl_gif_canvas_new (gif);
      p = fl_gif_canvas_render (canvas, 0);
      for (guint i = 0; i < 16; i++)
        g_assert_cmphex (p[i], ==, hg_color (i % 4));
      /* The missing rows take index 0, as the pixels of any short raster do. */
      p = fl_gif_canvas_render (canvas, 1);
      for (guint i = 0; i < 16; i++)
        g_assert_cmphex (p[i], ==, hg_color (i < 4 ? 3 : 0));
      p = fl_gif_canvas_render (canvas, 2);
      g_assert_cmphex (p[5], ==, hg_color (1));
      g_assert_cmphex (p[0], ==, hg_color (3));
      g_test_message ("%s mode: 3 frames, the empty ones drawn at 4x4",
                      indexed ? "indexed" : "decoded");
    }
}

/* A minimum LZW code size of 9, 10 or 11: giflib refuses it, browsers and
 * gdk-pixbuf decode it, and so does the reader (FlGifLzwReader). Codes above 255
 * that stand for one pixel keep their low byte. A frame with code size 8
 * after it still goes through giflib. Code size 12 leaves no room for a code
 * and is refused. */
static void
test_lzw_code_sizes (void)
{
  for (guint size = 9; size <= 12; size++)
    for (int indexed = 0; indexed <= 1; indexed++)
      {
        GByteArray *b = hg_new (8, 8, 8);
        g_autoptr (GBytes) bytes = NULL;
        g_autoptr (GError) error = NULL;
        g_autoptr (FlGif) gif = NULL;
        g_autoptr (FlGifCanvas) canvas = NULL;
        guint16 codes[64];
        guint8 px[64];
        const guint32 *p;

        for (guint i = 0; i < 64; i++)
          {
            /* Every fourth pixel as a code past 255 (only when it is a literal). */
            codes[i] = (guint16) ((i * 5) % 256 + (i % 4 == 0 && size < 12 ? 256 : 0));
            px[i] = (guint8) (255 - i);
          }
        hg_gce (b, 10, -1, 0);
        hg_image (b, 0, 0, 8, 8, 0, FALSE);
        if (size < 12)
          hg_raster_size (b, codes, 64, size);
        else
          {
            /* Byte 12 then a little data: the code size alone refuses it. */
            hg_u8 (b, 12);
            g_byte_array_append (b, (const guint8 *) "\2\0\0\0", 4);
          }
        hg_gce (b, 10, -1, 0);
        hg_image (b, 0, 0, 8, 8, 0, FALSE);
        hg_raster (b, px, 64);
        bytes = hg_finish (b);
        gif = decode_mode (bytes, indexed, &error);
        if (size == 12)
          {
            g_assert_null (gif);
            g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_GIF);
            g_test_message ("code size 12, %s: %s", indexed ? "indexed" : "decoded",
                            error->message);
            continue;
          }
        g_assert_no_error (error);
        g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, 2);
        canvas = fl_gif_canvas_new (gif);
        p = fl_gif_canvas_render (canvas, 0);
        for (guint i = 0; i < 64; i++)
          g_assert_cmphex (p[i], ==, hg_color ((i * 5) % 256));
        p = fl_gif_canvas_render (canvas, 1);
        for (guint i = 0; i < 64; i++)
          g_assert_cmphex (p[i], ==, hg_color (255 - i));
      }
}

/* What the viewer's frame details show: position and size on the screen,
 * delay, disposal, transparency and the colour table, in both modes. */
static void
test_frame_info (void)
{
  GByteArray *b = hg_new (16, 16, 3);
  g_autoptr (GBytes) bytes = NULL;

  hg_gce (b, 7, -1, 2);
  hg_image (b, 0, 0, 16, 16, 0, FALSE);
  hg_raster_solid (b, 1, 256);
  hg_gce (b, 0, 5, 3);
  hg_image (b, 10, 12, 8, 8, 5, FALSE); /* 6x4 of it on the screen, 32 colours of its own */
  hg_raster_solid (b, 2, 64);
  bytes = hg_finish (b);
  for (int indexed = 0; indexed <= 1; indexed++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FlGif) gif = decode_mode (bytes, indexed, &error);
      FlGifFrameInfo info;

      g_assert_no_error (error);
      fl_gif_get_frame_info (gif, 0, &info);
      g_assert_cmpuint (info.left, ==, 0);
      g_assert_cmpuint (info.width, ==, 16);
      g_assert_cmpuint (info.delay_cs, ==, 7);
      g_assert_cmpint (info.disposal, ==, FL_GIF_DISPOSE_BACKGROUND);
      g_assert_cmpint (info.transparent, ==, -1);
      g_assert_cmpuint (info.n_colors, ==, 8);
      g_assert_false (info.local_colors);
      fl_gif_get_frame_info (gif, 1, &info);
      g_assert_cmpuint (info.left, ==, 10);
      g_assert_cmpuint (info.top, ==, 12);
      g_assert_cmpuint (info.width, ==, 6);
      g_assert_cmpuint (info.height, ==, 4);
      g_assert_cmpuint (info.delay_cs, ==, 0);
      g_assert_cmpint (info.disposal, ==, FL_GIF_DISPOSE_PREVIOUS);
      g_assert_cmpint (info.transparent, ==, 5);
      g_assert_cmpuint (info.n_colors, ==, 32);
      g_assert_true (info.local_colors);
    }
}

/* Opened as a GIF, a FIFO blocked the loader thread until a writer came (for
 * ever), and a folder or /dev/zero gave GLib's raw mmap message: each is one
 * sentence now, at once. Run in a child, so that a hang fails instead of
 * stopping the suite. */
static void
expect_not_a_file (const char *path, const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *expected = g_strdup_printf ("Could not open “%s”: it is %s, not a GIF file.",
                                               display, what);
  g_autoptr (FlGif) gif = fl_gif_new_from_file (path, NULL, NULL, &error);

  g_assert_null (gif);
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_not_regular_files (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = g_dir_make_tmp ("fl-hostile-gif-XXXXXX", NULL);
      g_autofree char *fifo = g_build_filename (dir, "named.gif", NULL);

      g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
      expect_not_a_file (fifo, "a FIFO");
      expect_not_a_file (dir, "a folder");
      expect_not_a_file ("/dev/zero", "a device");
      g_unlink (fifo);
      g_rmdir (dir);
      return;
    }
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* frameloom-client makes GIFs of up to FL_ENCODE_MAX_FRAMES frames; the reader
 * used to stop at 4 Mi frames and 4 GiB. One frame more than 4 Mi, 1x1 each
 * (63 MB), must open, every frame counted. */
static void
test_every_gif_the_cli_makes (void)
{
  const guint n = 4u * 1024u * 1024u + 1u;
  FlGifLimits limits;
  g_autoptr (GByteArray) frame = g_byte_array_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;
  GByteArray *b = hg_new (1, 1, 1);
  const guint8 pixel = 1;

  fl_gif_limits_init_default (&limits);
  g_assert_cmpuint (limits.max_indexed_frames, >=, FL_ENCODE_MAX_FRAMES);
  /* The largest frame block the CLI writes: a 4096x4096 frame of 12-bit codes. */
  g_assert_cmpuint (limits.max_indexed_file_bytes / FL_ENCODE_MAX_FRAMES, >=,
                    4096u * 4096u * 12u / 8u + 4096u);
  hg_image (frame, 0, 0, 1, 1, 0, FALSE);
  hg_raster (frame, &pixel, 1);
  g_byte_array_set_size (b, b->len);
  for (guint i = 0; i < n; i++)
    g_byte_array_append (b, frame->data, frame->len);
  bytes = hg_finish (b);
  gif = fl_gif_new_indexed (bytes, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, n);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hostile/gif/colour-beyond-table", test_colour_beyond_table);
  g_test_add_func ("/hostile/gif/huge-screens", test_huge_screens);
  g_test_add_func ("/hostile/gif/frames-larger-than-screen", test_frames_larger_than_screen);
  g_test_add_func ("/hostile/gif/memory-budget", test_memory_budget);
  g_test_add_func ("/hostile/gif/raster-budget", test_raster_budget);
  g_test_add_func ("/hostile/gif/zero-delays", test_zero_delays);
  g_test_add_func ("/hostile/gif/truncated-everywhere", test_truncated_everywhere);
  g_test_add_func ("/hostile/gif/empty-frames", test_empty_frames);
  g_test_add_func ("/hostile/gif/lzw-code-sizes", test_lzw_code_sizes);
  g_test_add_func ("/hostile/gif/frame-info", test_frame_info);
  g_test_add_func ("/hostile/gif/not-regular-files", test_not_regular_files);
  g_test_add_func ("/hostile/gif/every-gif-the-cli-makes", test_every_gif_the_cli_makes);
  return g_test_run ();
}
