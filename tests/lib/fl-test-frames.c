/* fl-test-frames.c: reproducible random PNG frames. */
#include "fl-test-frames.h"

#include "fl-file.h"
#include "fl-gif-reader.h"
#include "fl-png.h"

#include <math.h>
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

const char *
fl_test_kind_name (FlTestKind kind)
{
  static const char *const names[] = { "cartoon", "screen", "screen-aa", "photo", "noise",
                                       "sprite" };

  return names[kind];
}

static void
put (FlImage *image, guint x, guint y, const guint8 *rgba)
{
  if (x < image->width && y < image->height)
    memcpy (image->pixels + ((gsize) y * image->width + x) * 4, rgba, 4);
}

static void
fill_rect (FlImage *image, int x0, int y0, int w, int h, const guint8 *rgba)
{
  for (int y = MAX (y0, 0); y < y0 + h; y++)
    for (int x = MAX (x0, 0); x < x0 + w; x++)
      put (image, (guint) x, (guint) y, rgba);
}

/* A 3x5 glyph from the bits of g at (x, y); with shades, each ink pixel has a
 * blend of ink and paper (one of four) to its right, as antialiasing leaves. */
static void
draw_glyph (FlImage *image, guint x, guint y, guint g, const guint8 *ink, const guint8 *paper,
            gboolean shades)
{
  for (guint r = 0; r < 5; r++)
    for (guint c = 0; c < 3; c++)
      if (g & (1u << (r * 3 + c)))
        {
          put (image, x + c, y + r, ink);
          if (shades)
            {
              guint8 mix[4] = { 0, 0, 0, 255 };
              guint level = (g >> (15 + (r + c) % 2)) % 4 + 1; /* 1..4 fifths of paper */

              for (guint ch = 0; ch < 3; ch++)
                mix[ch] = (guint8) ((ink[ch] * (5 - level) + paper[ch] * level) / 5);
              put (image, x + c + 1, y + r, mix);
            }
        }
}

static void
draw_kind (FlImage *image, FlTestKind kind, guint i, FlRng *rng, const guint8 *palette,
           const guint32 *glyphs)
{
  const guint w = image->width, h = image->height;

  switch (kind)
    {
    case FL_TEST_CARTOON:
      fill_rect (image, 0, 0, (int) w, (int) h, palette);
      fill_rect (image, 5, 30, 20, 18, palette + 4);
      fill_rect (image, 40, 25, 15, 23, palette + 8);
      for (guint k = 0; k < 3; k++)
        {
          int x = (int) ((7 + k * 17 + i * (k + 1) * 2) % (w + 10)) - 5;
          int y = (int) ((3 + k * 11 + i * (3 - k)) % (h + 6)) - 3;

          fill_rect (image, x, y, 7 + (int) k * 2, 6, palette + 12 + 4 * k);
          fill_rect (image, x + 2, y + 1, 2, 2, palette + 28 + 4 * k);
        }
      break;
    case FL_TEST_SCREEN:
    case FL_TEST_SCREEN_AA:
      {
        const guint8 paper[4] = { 20, 22, 26, 255 }, cursor[4] = { 220, 220, 220, 255 };
        /* Screens narrower than a glyph or shorter than a line still get one. */
        const guint per_line = w > 8 ? (w - 4) / 4 : 1, typed = i * 2;
        const guint lines = h > 9 ? (h - 2) / 7 : 1;

        fill_rect (image, 0, 0, (int) w, (int) h, paper);
        for (guint k = 0; k < typed; k++)
          {
            guint line = (k / per_line) % lines;

            draw_glyph (image, 2 + (k % per_line) * 4, 2 + line * 7, glyphs[k % 64],
                        palette + 4 * (1 + (k / per_line) % 2), paper,
                        kind == FL_TEST_SCREEN_AA);
          }
        if (i % 2 == 0)
          fill_rect (image, (int) (2 + (typed % per_line) * 4),
                     (int) (2 + ((typed / per_line) % lines) * 7), 3, 5, cursor);
      }
      break;
    case FL_TEST_PHOTO:
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          {
            double u = (x + i * 1.5) / 9.0, v = (y + i * 0.5) / 7.0;
            guint8 p[4] = { (guint8) (128 + 100 * sin (u) * cos (v * 0.7)),
                            (guint8) (110 + 90 * cos (u * 0.8 + v)),
                            (guint8) (100 + 80 * sin (v * 1.3 - u * 0.3)), 255 };

            for (guint ch = 0; ch < 3; ch++)
              p[ch] = (guint8) CLAMP ((int) p[ch] + (int) (fl_rng_next (rng) % 5) - 2, 0, 255);
            put (image, x, y, p);
          }
      break;
    case FL_TEST_NOISE:
      fl_rng_fill (rng, image->pixels, fl_image_byte_size (image));
      for (gsize p = 0; p < (gsize) w * h; p++)
        image->pixels[p * 4 + 3] = 255;
      break;
    case FL_TEST_SPRITE:
    default:
      memset (image->pixels, 0, fl_image_byte_size (image));
      fill_rect (image, (int) (i * 3 % w) - 4, (int) (i * 2 % h) - 2, 9, 7, palette + 16);
      fill_rect (image, (int) (i * 3 % w) - 2, (int) (i * 2 % h), 3, 3, palette + 20);
      /* A dotted line that moves the other way. */
      for (guint x = 0; x < w; x += 2)
        put (image, x, h - 1 - (i % h), palette + 24);
      break;
    }
}

gboolean
fl_test_make_animation (const char *dir, FlTestKind kind, guint n, guint64 seed, GError **error)
{
  g_autoptr (GByteArray) png = g_byte_array_new ();
  static const guint sizes[FL_TEST_N_KINDS][2] = { { 64, 48 }, { 80, 40 }, { 80, 40 },
                                                   { 48, 32 }, { 24, 16 }, { 40, 30 } };
  guint8 palette[16 * 4];
  guint32 glyphs[64];
  FlRng rng;

  if (!fl_file_ensure_dir (dir, error))
    return FALSE;
  fl_rng_init_seeded (&rng, seed);
  fl_rng_fill (&rng, palette, sizeof palette);
  for (guint k = 0; k < 16; k++)
    palette[k * 4 + 3] = 255;
  for (guint k = 0; k < 64; k++)
    glyphs[k] = (guint32) fl_rng_next (&rng) | 1u;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlImage) image = fl_image_new (sizes[kind][0], sizes[kind][1], 4, NULL);
      g_autofree char *path = g_strdup_printf ("%s/%u.png", dir, i);

      draw_kind (image, kind, i, &rng, palette, glyphs);
      g_byte_array_set_size (png, 0);
      if (!fl_png_encode (image, png, error)
          || !fl_file_write_atomic (path, png->data, png->len, error))
        return FALSE;
    }
  return TRUE;
}
