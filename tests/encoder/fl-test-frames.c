/* fl-test-frames.c: reproducible random PNG frames. */
#include "fl-test-frames.h"

#include "fl-file.h"
#include "fl-gif-reader.h"
#include "fl-png.h"

#include <string.h>

FlImage *
fl_test_make_image (FlRng *rng, guint width, guint height, guint channels, guint n_colors)
{
  FlImage *image = fl_image_new (width, height, channels, NULL);
  const gsize n_pixels = (gsize) width * height;
  guint8 palette[256 * 3];

  g_assert_nonnull (image);
  g_assert_cmpuint (n_colors, <=, 256);
  fl_rng_fill (rng, image->pixels, fl_image_byte_size (image));
  if (n_colors > 0)
    {
      fl_rng_fill (rng, palette, n_colors * 3);
      for (gsize i = 0; i < n_pixels; i++)
        {
          guint k = (guint) (fl_rng_next (rng) % n_colors);
          memcpy (image->pixels + i * channels, palette + k * 3, 3);
        }
    }
  if (channels == 4)
    for (gsize i = 0; i < n_pixels; i++)
      image->pixels[i * 4 + 3] = (fl_rng_next (rng) & 3) == 0 ? 0 : 255;
  return image;
}

gboolean
fl_test_make_frames (const char *dir, guint first, guint n, guint width, guint height,
                     guint channels, guint n_colors, guint64 seed, GError **error)
{
  g_autoptr (GByteArray) png = g_byte_array_new ();
  FlRng rng;

  if (!fl_file_ensure_dir (dir, error))
    return FALSE;
  fl_rng_init_seeded (&rng, seed);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlImage) image = fl_test_make_image (&rng, width, height, channels, n_colors);
      g_autofree char *path = g_strdup_printf ("%s/%u.png", dir, first + i);

      g_byte_array_set_size (png, 0);
      if (!fl_png_encode (image, png, error)
          || !fl_file_write_atomic (path, png->data, png->len, error))
        return FALSE;
    }
  return TRUE;
}

void
fl_test_check_gif_frames (const char *gif_path, const char *const *paths, guint n,
                          guint max_error)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = fl_gif_new_from_file (gif_path, NULL, NULL, &error);
  g_autoptr (FlGifCanvas) canvas = NULL;
  g_autofree guint8 *rgba = NULL;
  guint width, height;

  g_assert_no_error (error);
  g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, n);
  width = fl_gif_get_width (gif);
  height = fl_gif_get_height (gif);
  canvas = fl_gif_canvas_new (gif);
  rgba = g_malloc ((gsize) width * height * 4);
  for (guint i = 0; i < n; i++)
    {
      g_autofree guint8 *data = NULL;
      g_autoptr (FlImage) png = NULL;
      gsize length;

      g_assert_true (fl_file_read (paths[i], FL_PNG_DEFAULT_MAX_BYTES, &data, &length, NULL));
      png = fl_png_decode (data, length, NULL, &error);
      g_assert_no_error (error);
      fl_gif_pixels_to_rgba (fl_gif_canvas_render (canvas, i), (gsize) width * height, rgba);
      for (guint y = 0; y < height; y++)
        for (guint x = 0; x < width; x++)
          {
            const guint8 *got = rgba + ((gsize) y * width + x) * 4;
            const guint8 *want = x < png->width && y < png->height
                                   ? png->pixels + ((gsize) y * png->width + x) * 4
                                   : (const guint8 *) "\0\0\0\0";

            if (want[3] < 128)
              {
                if (got[3] != 0)
                  g_error ("%s frame %u (%u,%u): opaque, should be transparent", gif_path, i, x,
                           y);
                continue;
              }
            if (got[3] != 255 || (guint) ABS (got[0] - want[0]) > max_error
                || (guint) ABS (got[1] - want[1]) > max_error
                || (guint) ABS (got[2] - want[2]) > max_error)
              g_error ("%s frame %u (%u,%u): %u,%u,%u,%u, should be %u,%u,%u", gif_path, i, x, y,
                       got[0], got[1], got[2], got[3], want[0], want[1], want[2]);
          }
    }
}
