/* fl-test-frames.c: reproducible random PNG frames. */
#include "fl-test-frames.h"

#include "fl-file.h"
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
