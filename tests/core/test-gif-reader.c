/* test-gif-reader.c: FlGif on the shared corpus, hostile input and big animations. */
#include "fl-error.h"
#include "fl-gif-reader.h"
#include "fl-test-giflib.h"
#include "fl-test-util.h"

#include <gif_lib.h>
#include <string.h>

static const char *
corpus_dir (void)
{
  const char *dir = g_getenv ("FRAMELOOM_CORPUS");

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  return dir;
}

static GPtrArray *
list_gifs (const char *dir)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autoptr (GPtrArray) sub = list_gifs (path);

          for (guint i = 0; i < sub->len; i++)
            g_ptr_array_add (paths, g_strdup (sub->pdata[i]));
        }
      else if (g_str_has_suffix (name, ".gif"))
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);
  return paths;
}

/* Names in gif-test-suite/TESTS that upstream disabled (prefixed with '#'). */
static gboolean
suite_test_disabled (const char *suite_dir, const char *base)
{
  g_autofree char *tests = g_build_filename (suite_dir, "TESTS", NULL);
  g_autofree char *text = NULL;
  g_autofree char *needle = g_strdup_printf ("\n#%s\n", base);

  if (!g_file_get_contents (tests, &text, NULL, NULL))
    return FALSE;
  return strstr (text, needle) != NULL;
}

static void
check_against_conf (FlGif *gif, const char *gif_path)
{
  g_autofree char *dir = g_path_get_dirname (gif_path);
  g_autofree char *stem = g_strndup (gif_path, strlen (gif_path) - 4);
  g_autofree char *conf_path = g_strconcat (stem, ".conf", NULL);
  g_autofree char *base = g_path_get_basename (stem);
  g_autoptr (GKeyFile) conf = g_key_file_new ();
  g_auto (GStrv) frames = NULL;
  g_autofree char *loop = NULL;
  g_autofree char *force = NULL;
  int expected_loop;
  g_autoptr (FlGifCanvas) canvas = NULL;

  g_key_file_set_list_separator (conf, ',');
  if (!g_key_file_load_from_file (conf, conf_path, G_KEY_FILE_NONE, NULL))
    return;
  if (suite_test_disabled (dir, base))
    {
      g_test_message ("%s: disabled upstream, only checked to decode", base);
      return;
    }
  g_assert_cmpint (fl_gif_get_width (gif), ==, g_key_file_get_integer (conf, "config", "width", NULL));
  g_assert_cmpint (fl_gif_get_height (gif), ==,
                   g_key_file_get_integer (conf, "config", "height", NULL));
  loop = g_key_file_get_string (conf, "config", "loop-count", NULL);
  force = g_key_file_get_string (conf, "config", "force-animation", NULL);
  expected_loop = g_strcmp0 (loop, "infinite") == 0 ? 0
                  : g_strcmp0 (loop, "0") == 0    ? -1
                                                  : atoi (loop);
  /* force-animation: the reference decoder loops GIFs without a loop extension;
   * we play them once, as browsers do. */
  if (fl_gif_get_loop_count (gif) != expected_loop
      && !(g_strcmp0 (force, "yes") == 0 && fl_gif_get_loop_count (gif) == -1))
    g_error ("%s: loop count %d, expected %d", base, fl_gif_get_loop_count (gif), expected_loop);

  frames = g_key_file_get_string_list (conf, "config", "frames", NULL, NULL);
  g_assert_nonnull (frames);
  if (fl_gif_get_n_frames (gif) != g_strv_length (frames))
    g_error ("%s: %u frames, expected %u", base, fl_gif_get_n_frames (gif), g_strv_length (frames));
  canvas = fl_gif_canvas_new (gif);
  for (guint i = 0; frames[i] != NULL; i++)
    {
      int delay = g_key_file_get_integer (conf, frames[i], "delay", NULL);
      g_autofree char *pixels = g_key_file_get_string (conf, frames[i], "pixels", NULL);
      g_autofree char *rgba_path = pixels ? g_build_filename (dir, pixels, NULL) : NULL;
      g_autofree guint8 *expected = NULL;
      gsize expected_len = 0;
      gsize n_pixels = (gsize) fl_gif_get_width (gif) * fl_gif_get_height (gif);
      g_autofree guint8 *actual = g_malloc (n_pixels * 4);

      g_assert_cmpint (fl_gif_get_frame_delay_cs (gif, i), ==, delay);
      if (rgba_path == NULL
          || !g_file_get_contents (rgba_path, (char **) &expected, &expected_len, NULL))
        continue;
      g_assert_cmpuint (expected_len, ==, n_pixels * 4);
      fl_gif_pixels_to_rgba (fl_gif_canvas_render (canvas, i), n_pixels, actual);
      /* Fully transparent pixels may carry any colour. */
      for (gsize p = 0; p < n_pixels; p++)
        if (expected[4 * p + 3] != 0 || actual[4 * p + 3] != 0)
          {
            if (memcmp (expected + 4 * p, actual + 4 * p, 4) != 0)
              g_error ("%s frame %u pixel %" G_GSIZE_FORMAT ": expected %02x%02x%02x%02x, got "
                       "%02x%02x%02x%02x", base, i, p, expected[4 * p], expected[4 * p + 1],
                       expected[4 * p + 2], expected[4 * p + 3], actual[4 * p],
                       actual[4 * p + 1], actual[4 * p + 2], actual[4 * p + 3]);
          }
    }
}

/* The GIFs in the corpus folder sub, more than min of them; NULL, with the
 * test skipped, when there is no corpus. */
static GPtrArray *
corpus_gifs (const char *sub, guint min)
{
  const char *corpus = corpus_dir ();
  g_autofree char *dir = NULL;
  GPtrArray *paths;

  if (corpus == NULL)
    {
      g_test_skip ("no corpus (FRAMELOOM_CORPUS)");
      return NULL;
    }
  dir = g_build_filename (corpus, sub, NULL);
  paths = list_gifs (dir);
  g_assert_cmpuint (paths->len, >, min);
  return paths;
}

static void
test_valid_corpus (void)
{
  g_autoptr (GPtrArray) paths = corpus_gifs ("gif-valid", 50);

  if (paths == NULL)
    return;
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      g_autofree char *base = g_path_get_basename (path);
      g_autoptr (GError) error = NULL;
      g_autoptr (FlGif) gif = fl_gif_new_from_file (path, NULL, NULL, &error);

      if (gif == NULL)
        {
          g_autofree char *stem = g_strndup (path, strlen (path) - 4);
          g_autofree char *suite = g_path_get_dirname (path);
          g_autofree char *name = g_path_get_basename (stem);

          /* The few suite files that upstream disabled may fail, with a sentence. */
          if (g_str_has_suffix (suite, "gif-test-suite") && suite_test_disabled (suite, name))
            {
              g_test_message ("%s (disabled upstream): %s", base, error->message);
              continue;
            }
          /* giflib 5.2.1 stops on a full code table without a clear code. */
          if (strcmp (base, "max-codes.gif") == 0)
            {
              g_test_message ("%s (known giflib limitation): %s", base, error->message);
              continue;
            }
          g_error ("%s: %s", base, error->message);
        }
      g_assert_cmpuint (fl_gif_get_n_frames (gif), >, 0);
      if (strcmp (base, "fire.gif") == 0)
        g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, 33);
      else if (strcmp (base, "welcome2.gif") == 0)
        g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, 6);
      else if (strcmp (base, "gdk-pixbuf-aero.gif") == 0)
        g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, 56);
      check_against_conf (gif, path);
    }
}

static void
test_invalid_corpus (void)
{
  g_autoptr (GPtrArray) paths = corpus_gifs ("gif-invalid", 10);

  if (paths == NULL)
    return;
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      g_autofree char *display = g_filename_display_name (path);
      g_autoptr (GError) error = NULL;
      g_autoptr (FlGif) gif = fl_gif_new_from_file (path, NULL, NULL, &error);

      /* plain-text: GIF89a-legal (a Plain Text Extension, then an image), the
       * reference decoder draws no frame, browsers and we show the image.
       * blank-garbage: a complete 1x1 GIF with text after its trailer, as the
       * valid porsche.gif has. zerowidth-bad: a frame of width 0, drawn at the
       * screen's size as browsers and gifsicle draw it. */
      if (gif != NULL && fl_test_invalid_gif_plays (path))
        {
          g_test_message ("%s decodes as browsers do (%u frame)", path,
                          fl_gif_get_n_frames (gif));
          continue;
        }
      if (gif != NULL)
        g_error ("%s decoded (%u frames) but must fail", path, fl_gif_get_n_frames (gif));
      g_assert_true (error->domain == FL_ERROR);
      g_assert_nonnull (strstr (error->message, display));
      g_assert_true (g_str_has_suffix (error->message, "."));
      g_test_message ("%s", error->message);
    }
}

/* A GIF built in memory with giflib: n frames of w x h, each frame i filled with
 * colour index i % n_colors, 4 cs delays, looping forever. */
static GBytes *
make_gif (guint width, guint height, guint n_frames, guint n_colors)
{
  GByteArray *bytes = g_byte_array_new ();
  GBytes *written;
  GifColorType colors[256];
  ColorMapObject *map;
  GifFileType *file;
  g_autofree GifPixelType *row = g_new (GifPixelType, width);
  GraphicsControlBlock gcb = { DISPOSAL_UNSPECIFIED, false, 4, NO_TRANSPARENT_COLOR };
  GifByteType ext[4];

  fl_test_giflib_colors (colors);
  map = GifMakeMapObject ((int) n_colors, colors);
  file = fl_test_giflib_open (bytes, width, height, map, 0);
  for (guint i = 0; i < n_frames; i++)
    {
      EGifGCBToExtension (&gcb, ext);
      EGifPutExtension (file, GRAPHICS_EXT_FUNC_CODE, 4, ext);
      g_assert_cmpint (EGifPutImageDesc (file, 0, 0, (int) width, (int) height, false, NULL), ==,
                       GIF_OK);
      memset (row, (int) (i % n_colors), width);
      for (guint y = 0; y < height; y++)
        g_assert_cmpint (EGifPutLine (file, row, (int) width), ==, GIF_OK);
    }
  written = fl_test_giflib_close (file, bytes);
  GifFreeMapObject (map);
  return written;
}

static void
test_many_frames (void)
{
  g_autoptr (GBytes) bytes = make_gif (10, 10, 5000, 256);
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr (FlGif) gif = fl_gif_new_from_bytes (g_bytes_get_data (bytes, NULL),
                                                 g_bytes_get_size (bytes), NULL, NULL, &error);
  gint64 elapsed = g_get_monotonic_time () - start;
  g_autoptr (FlGifCanvas) canvas = NULL;
  g_autoptr (FlGifCanvas) sequential = NULL;

  g_assert_no_error (error);
  g_test_message ("5000 frames of 10x10 decoded in %.1f ms, %" G_GSIZE_FORMAT " KiB",
                  elapsed / 1000.0, fl_gif_get_memory_size (gif) / 1024);
  g_assert_cmpint (elapsed, <, G_USEC_PER_SEC);
  g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, 5000);
  g_assert_cmpint (fl_gif_get_loop_count (gif), ==, 0);
  g_assert_cmpuint (fl_gif_get_frame_delay_ms (gif, 4999), ==, 40);
  /* Small: indices and one 1 KiB palette, never RGBA per frame. */
  g_assert_cmpuint (fl_gif_get_memory_size (gif), <, 5000 * 200);

  canvas = fl_gif_canvas_new (gif);
  sequential = fl_gif_canvas_new (gif);
  for (guint i = 0; i < 5000; i++)
    fl_gif_canvas_render (sequential, i);
  /* Seeking anywhere gives what playing forward gives. */
  for (guint k = 0; k < 200; k++)
    {
      guint i = (guint) g_test_rand_int_range (0, 5000);
      const guint32 *px = fl_gif_canvas_render (canvas, i);

      g_assert_cmphex (px[0], ==, 0xff000000u | ((i % 256) << 16) | ((255 - i % 256) << 8)
                                    | ((i % 256) * 7 % 256));
    }
}

static void
test_huge_screen_refused (void)
{
  /* 65535x65535 logical screen: 16 GiB of canvas, refused before any allocation. */
  static const guint8 huge[] = {
    'G', 'I', 'F', '8', '9', 'a', 0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
    ',', 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, ';',
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = fl_gif_new_from_bytes (huge, sizeof huge, NULL, NULL, &error);

  g_assert_null (gif);
  g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "65535x65535"));
}

static void
test_frame_budget (void)
{
  g_autoptr (GBytes) bytes = make_gif (100, 100, 50, 4);
  FlGifLimits limits;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;

  fl_gif_limits_init_default (&limits);
  limits.max_frames = 10;
  gif = fl_gif_new_from_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                               &limits, NULL, &error);
  g_assert_null (gif);
  g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
  g_clear_error (&error);

  fl_gif_limits_init_default (&limits);
  limits.max_frame_bytes = 100 * 100 * 20;
  gif = fl_gif_new_from_bytes (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                               &limits, NULL, &error);
  g_assert_null (gif);
  g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
}

static void
test_index_beyond_table (void)
{
  /* 1x1 screen, 2-entry global table, one pixel of index 3 (LZW min code size 2). */
  static const guint8 bad[] = {
    'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
    ',', 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x5c, 0x01, 0, ';',
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = fl_gif_new_from_bytes (bad, sizeof bad, NULL, NULL, &error);

  g_assert_null (gif);
  g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_GIF);
  g_assert_nonnull (strstr (error->message, "colour table"));
}

static void
test_truncated (void)
{
  g_autoptr (GBytes) bytes = make_gif (7, 5, 12, 16);
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  gsize length = g_bytes_get_size (bytes);
  guint ok = 0;

  for (gsize cut = 0; cut < length; cut++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree guint8 *copy = g_memdup2 (data, cut);
      g_autoptr (FlGif) gif = fl_gif_new_from_bytes (copy, cut, NULL, NULL, &error);

      if (gif != NULL)
        {
          g_autoptr (FlGifCanvas) canvas = fl_gif_canvas_new (gif);

          ok++;
          g_assert_cmpuint (fl_gif_get_n_frames (gif), <=, 12);
          for (guint i = 0; i < fl_gif_get_n_frames (gif); i++)
            fl_gif_canvas_render (canvas, i);
        }
      else
        {
          g_assert_true (error->domain == FL_ERROR);
          g_assert_cmpstr (error->message, !=, "");
        }
    }
  g_test_message ("%u of %" G_GSIZE_FORMAT " truncations kept some frames", ok, length);
}

static void
test_delay_clamp (void)
{
  const char *corpus = corpus_dir ();
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;

  if (corpus == NULL)
    {
      g_test_skip ("no corpus (FRAMELOOM_CORPUS)");
      return;
    }
  path = g_build_filename (corpus, "gif-valid", "gif-test-suite", "animation-zero-delays.gif",
                           NULL);
  gif = fl_gif_new_from_file (path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fl_gif_get_frame_delay_cs (gif, 0), ==, 0);
  g_assert_cmpuint (fl_gif_get_frame_delay_ms (gif, 0), ==, 100);
}

static void
test_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = fl_gif_new_from_file ("/nonexistent/x.gif", NULL, NULL, &error);

  g_assert_null (gif);
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.gif"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gif-reader/valid-corpus", test_valid_corpus);
  g_test_add_func ("/gif-reader/invalid-corpus", test_invalid_corpus);
  g_test_add_func ("/gif-reader/many-frames", test_many_frames);
  g_test_add_func ("/gif-reader/huge-screen-refused", test_huge_screen_refused);
  g_test_add_func ("/gif-reader/frame-budget", test_frame_budget);
  g_test_add_func ("/gif-reader/index-beyond-table", test_index_beyond_table);
  g_test_add_func ("/gif-reader/truncated", test_truncated);
  g_test_add_func ("/gif-reader/delay-clamp", test_delay_clamp);
  g_test_add_func ("/gif-reader/missing-file", test_missing_file);
  return g_test_run ();
}
