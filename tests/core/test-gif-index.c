/* test-gif-index.c: FlGif's indexed mode (files over the in-memory limits)
 * against its decoded mode, pixel for pixel, on the same files. */
#include "fl-error.h"
#include "fl-gif-reader.h"
#include "fl-test-giflib.h"
#include "fl-test-util.h"

#include <gif_lib.h>
#include <string.h>

/* n frames on a w x h screen. rich: random sub-rectangles, every disposal,
 * transparency, local colour tables, interlacing and delays, from seed; else
 * full-screen frames of one colour each, as frameloom-client writes them. */
static GBytes *
make_gif (guint w, guint h, guint n, gboolean rich, guint32 seed)
{
  GByteArray *bytes = g_byte_array_new ();
  GBytes *written;
  GifColorType colors[256];
  ColorMapObject *global, *local;
  GifFileType *file;
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autofree GifPixelType *row = g_new (GifPixelType, w);
  GifByteType ext[4];

  fl_test_giflib_colors (colors);
  global = GifMakeMapObject (16, colors);
  local = GifMakeMapObject (4, colors + 100);
  file = fl_test_giflib_open (bytes, w, h, global, 3);
  for (guint i = 0; i < n; i++)
    {
      GraphicsControlBlock gcb = { DISPOSAL_UNSPECIFIED, false, (int) (i % 7), -1 };
      guint fl = 0, ft = 0, fw = w, fh = h;
      gboolean use_local = FALSE, interlace = FALSE;

      if (rich)
        {
          fl = (guint) g_rand_int_range (rand, 0, (gint32) w);
          ft = (guint) g_rand_int_range (rand, 0, (gint32) h);
          fw = (guint) g_rand_int_range (rand, 1, (gint32) (w - fl + 1));
          fh = (guint) g_rand_int_range (rand, 1, (gint32) (h - ft + 1));
          gcb.DisposalMode = g_rand_int_range (rand, 0, 4);
          gcb.TransparentColor = g_rand_boolean (rand) ? g_rand_int_range (rand, 0, 4) : -1;
          use_local = g_rand_int_range (rand, 0, 4) == 0;
          interlace = g_rand_int_range (rand, 0, 4) == 0;
          if (g_rand_int_range (rand, 0, 24) == 0)
            {
              /* Now and then a full-screen frame, opaque or disposed to the
               * background (as frameloom-client writes them): seeks start
               * there. */
              fl = ft = 0;
              fw = w;
              fh = h;
              if (g_rand_boolean (rand))
                gcb.TransparentColor = -1;
              else
                gcb.DisposalMode = DISPOSE_BACKGROUND;
            }
        }
      EGifGCBToExtension (&gcb, ext);
      EGifPutExtension (file, GRAPHICS_EXT_FUNC_CODE, 4, ext);
      /* giflib 5.2 drops the previous frame's local table unfreed when the
       * next frame has none. */
      if (!use_local && file->Image.ColorMap != NULL)
        {
          GifFreeMapObject (file->Image.ColorMap);
          file->Image.ColorMap = NULL;
        }
      g_assert_cmpint (EGifPutImageDesc (file, (int) fl, (int) ft, (int) fw, (int) fh, interlace,
                                         use_local ? local : NULL), ==, GIF_OK);
      for (guint y = 0; y < fh; y++)
        {
          for (guint x = 0; x < fw; x++)
            row[x] = rich ? (GifPixelType) g_rand_int_range (rand, 0, 4)
                          : (GifPixelType) (i % 16);
          g_assert_cmpint (EGifPutLine (file, row, (int) fw), ==, GIF_OK);
        }
    }
  written = fl_test_giflib_close (file, bytes);
  GifFreeMapObject (global);
  GifFreeMapObject (local);
  return written;
}

static char *
write_temp (const char *dir, const char *name, GBytes *bytes)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  return path;
}

/* Every frame of indexed, played forward, then at random seeks, shows what
 * full shows; their delays, disposals and loop count agree. n: frames to
 * compare (full may hold one more: a frame cut by a truncation). */
static void
assert_same (FlGif *full, FlGif *indexed, guint n, guint n_seeks)
{
  gsize px = (gsize) fl_gif_get_width (full) * fl_gif_get_height (full);
  g_autoptr (FlGifCanvas) a = fl_gif_canvas_new (full);
  g_autoptr (FlGifCanvas) b = fl_gif_canvas_new (indexed);
  g_autoptr (FlGifCanvas) seeker = fl_gif_canvas_new (indexed);
  g_autofree guint32 *all = g_new (guint32, px * MAX (n, 1));
  g_autoptr (GRand) rand = g_rand_new_with_seed (n);

  g_assert_true (fl_gif_is_indexed (indexed));
  g_assert_false (fl_gif_is_indexed (full));
  g_assert_cmpuint (fl_gif_get_width (indexed), ==, fl_gif_get_width (full));
  g_assert_cmpuint (fl_gif_get_height (indexed), ==, fl_gif_get_height (full));
  g_assert_cmpint (fl_gif_get_loop_count (indexed), ==, fl_gif_get_loop_count (full));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (fl_gif_get_frame_delay_cs (indexed, i), ==,
                        fl_gif_get_frame_delay_cs (full, i));
      g_assert_cmpuint (fl_gif_get_frame_delay_ms (indexed, i), ==,
                        fl_gif_get_frame_delay_ms (full, i));
      g_assert_cmpint (fl_gif_get_frame_disposal (indexed, i), ==,
                       fl_gif_get_frame_disposal (full, i));
      memcpy (all + px * i, fl_gif_canvas_render (a, i), px * 4);
      if (memcmp (fl_gif_canvas_render (b, i), all + px * i, px * 4) != 0)
        g_error ("frame %u differs between the modes", i);
    }
  for (guint k = 0; n > 0 && k < n_seeks; k++)
    {
      guint i = (guint) g_rand_int_range (rand, 0, (gint32) n);

      if (memcmp (fl_gif_canvas_render (seeker, i), all + px * i, px * 4) != 0)
        g_error ("frame %u differs after a seek", i);
    }
}

static void
test_same_pixels (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-gif-index-XXXXXX");
  struct
  {
    guint w, h, n;
    gboolean rich;
  } cases[] = { { 4, 4, 20000, FALSE }, { 9, 7, 3000, TRUE }, { 1, 1, 1, FALSE } };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr (GBytes) bytes = make_gif (cases[c].w, cases[c].h, cases[c].n, cases[c].rich, c);
      g_autofree char *path = write_temp (dir, "a.gif", bytes);
      g_autoptr (GError) error = NULL;
      g_autoptr (FlGif) full = NULL;
      g_autoptr (FlGif) indexed = NULL;
      g_autoptr (FlGif) by_count = NULL;
      g_autoptr (FlGif) from_bytes = NULL;
      FlGifLimits limits;
      gint64 start;

      full = fl_gif_new_from_file (path, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fl_gif_get_n_frames (full), ==, cases[c].n);
      /* Over the file limit: the indexed mode, by itself. */
      fl_gif_limits_init_default (&limits);
      limits.max_file_bytes = 64;
      start = g_get_monotonic_time ();
      indexed = fl_gif_new_from_file (path, &limits, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("%u frames of %ux%u (%" G_GSIZE_FORMAT " bytes) indexed in %.1f ms, "
                      "index %" G_GSIZE_FORMAT " bytes", cases[c].n, cases[c].w, cases[c].h,
                      g_bytes_get_size (bytes), (g_get_monotonic_time () - start) / 1000.0,
                      fl_gif_get_memory_size (indexed));
      g_assert_cmpuint (fl_gif_get_n_frames (indexed), ==, cases[c].n);
      g_assert_cmpuint (fl_gif_get_memory_size (indexed), <=, 24 * cases[c].n);
      assert_same (full, indexed, cases[c].n, 500);

      /* Over the frame-count budget: indexed too, unless the mode is off. */
      fl_gif_limits_init_default (&limits);
      limits.max_frames = cases[c].n > 1 ? cases[c].n - 1 : 1;
      by_count = fl_gif_new_from_file (path, &limits, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fl_gif_is_indexed (by_count), ==, cases[c].n > 1);
      limits.max_indexed_frames = 0;
      g_clear_pointer (&by_count, fl_gif_unref);
      by_count = fl_gif_new_from_file (path, &limits, NULL, &error);
      if (cases[c].n > 1)
        {
          g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
          g_assert_nonnull (strstr (error->message, "frames"));
          g_clear_error (&error);
        }
      /* The indexed mode's own frame limit. */
      fl_gif_limits_init_default (&limits);
      limits.max_indexed_frames = cases[c].n > 1 ? cases[c].n - 1 : 1;
      from_bytes = fl_gif_new_indexed (bytes, &limits, NULL, &error);
      if (cases[c].n > 1)
        {
          g_assert_null (from_bytes);
          g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
          g_assert_nonnull (strstr (error->message, "more than"));
          g_clear_error (&error);
        }
      else
        g_assert_no_error (error);
    }
  fl_test_remove_tree (dir);
}

static void
test_truncated (void)
{
  g_autoptr (GBytes) bytes = make_gif (6, 5, 30, TRUE, 42);
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  gsize length = g_bytes_get_size (bytes);
  guint kept = 0, refused = 0;

  for (gsize cut = 0; cut < length; cut++)
    {
      g_autoptr (GError) full_error = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) part = g_bytes_new (data, cut);
      g_autoptr (FlGif) full = fl_gif_new_from_bytes (data, cut, NULL, NULL, &full_error);
      g_autoptr (FlGif) indexed = fl_gif_new_indexed (part, NULL, NULL, &error);

      if (indexed == NULL)
        {
          g_assert_true (error->domain == FL_ERROR);
          g_assert_cmpstr (error->message, !=, "");
          /* The decoded mode keeps a first frame cut short only when... never. */
          g_assert_null (full);
          continue;
        }
      kept++;
      if (full == NULL)
        {
          /* giflib reports some cuts inside a raster as damage, and the decoded
           * mode then refuses the file; the indexed mode keeps the complete
           * frames before the cut, which must match an uncut decode. */
          g_autoptr (FlGif) whole = fl_gif_new_from_bytes (data, length, NULL, NULL, NULL);

          refused++;
          assert_same (whole, indexed, fl_gif_get_n_frames (indexed), 10);
          continue;
        }
      /* Only complete frames: the decoded mode may also keep the cut one. */
      g_assert_cmpuint (fl_gif_get_n_frames (indexed), <=, fl_gif_get_n_frames (full));
      g_assert_cmpuint (fl_gif_get_n_frames (indexed) + 1, >=, fl_gif_get_n_frames (full));
      assert_same (full, indexed, fl_gif_get_n_frames (indexed), 10);
    }
  g_test_message ("%u of %" G_GSIZE_FORMAT " truncations kept some frames (%u of them refused "
                  "by the decoded mode)", kept, length, refused);
  g_assert_cmpuint (kept, >, 0);
}

static void
test_cancel (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-gif-index-XXXXXX");
  g_autoptr (GBytes) bytes = make_gif (4, 4, 5000, FALSE, 0);
  g_autofree char *path = write_temp (dir, "c.gif", bytes);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;
  FlGifLimits limits;

  fl_gif_limits_init_default (&limits);
  limits.max_file_bytes = 64;
  g_cancellable_cancel (cancellable);
  gif = fl_gif_new_from_file (path, &limits, cancellable, &error);
  g_assert_null (gif);
  g_assert_error (error, FL_ERROR, FL_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "c.gif"));
  g_clear_error (&error);
  gif = fl_gif_new_indexed (bytes, NULL, cancellable, &error);
  g_assert_null (gif);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  fl_test_remove_tree (dir);
}

/* A frame whose LZW data is garbage: the decoded mode refuses the file, the
 * indexed mode (which decodes only when drawing) draws nothing for that frame
 * and goes on. */
static void
test_damaged_frame (void)
{
  g_autoptr (GBytes) good = make_gif (4, 4, 3, FALSE, 0);
  g_autoptr (GByteArray) bad = g_byte_array_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) full = NULL;
  g_autoptr (FlGif) indexed = NULL;
  g_autoptr (FlGifCanvas) canvas = NULL;
  gsize p;

  g_byte_array_append (bad, g_bytes_get_data (good, NULL), (guint) g_bytes_get_size (good));
  /* Header and 16-colour table (61), loop block (19), frame 0's control
   * block (8), descriptor (10) and LZW code size (1); then its sub-blocks. */
  p = 61 + 19 + 8 + 10 + 1;
  while (bad->data[p] != 0)
    p += 1 + bad->data[p];
  p++;
  /* Frame 1: its first sub-block becomes all ones, codes beyond the table. */
  g_assert_cmphex (bad->data[p], ==, 0x21);
  g_assert_cmphex (bad->data[p + 8], ==, 0x2c);
  p += 8 + 10 + 1;
  g_assert_cmpuint (bad->data[p], >, 0);
  memset (bad->data + p + 1, 0xff, bad->data[p]);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&bad));

  full = fl_gif_new_from_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL,
                                NULL, &error);
  g_assert_null (full);
  g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_GIF);
  g_test_message ("decoded mode: %s", error->message);
  g_clear_error (&error);
  indexed = fl_gif_new_indexed (bytes, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fl_gif_get_n_frames (indexed), ==, 3);
  canvas = fl_gif_canvas_new (indexed);
  for (guint i = 0; i < 3; i++)
    {
      const guint32 *px = fl_gif_canvas_render (canvas, i);
      guint c = i == 1 ? 0 : i; /* frame 1 draws nothing: frame 0 stays */

      g_assert_cmphex (px[15], ==, 0xff000000u | (c << 16) | ((255 - c) << 8) | (c * 7 % 256));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gif-index/same-pixels", test_same_pixels);
  g_test_add_func ("/gif-index/truncated", test_truncated);
  g_test_add_func ("/gif-index/cancel", test_cancel);
  g_test_add_func ("/gif-index/damaged-frame", test_damaged_frame);
  return g_test_run ();
}
