/* test-gif-palette.c: palettes, quantisation and single blocks. */
#include "fl-gif-block.h"
#include "fl-gif-palette.h"
#include "fl-test-frames.h"

#include <string.h>

#define FL_TEST_QUANTISE_DIGEST "f4f7bafb883c3aa0e77f6d77597c090e805a2cb9c7f91f5295e1cfb8551df166"

static void
test_exact_order (void)
{
  g_autoptr (FlGifPaletteBuilder) builder = fl_gif_palette_builder_new ();
  g_autoptr (FlImage) image = fl_image_new (4, 1, 4, NULL);
  const guint8 pixels[16] = { 10, 20, 30, 255, 1, 2, 3, 255, 9, 9, 9, 0, 10, 20, 30, 200 };
  guint8 indices[4];
  FlGifPalette palette;

  memcpy (image->pixels, pixels, sizeof pixels);
  fl_gif_palette_build (builder, image, &palette, indices);
  g_assert_false (palette.quantised);
  g_assert_cmpuint (palette.n_entries, ==, 3);
  g_assert_cmpuint (palette.bits, ==, 2);
  g_assert_cmpint (palette.transparent_index, ==, 2);
  g_assert_cmpmem (palette.rgb, 9, ((guint8[]) { 10, 20, 30, 1, 2, 3, 0, 0, 0 }), 9);
  g_assert_cmpmem (palette.rgb + 9, 3, ((guint8[]) { 0, 0, 0 }), 3);
  g_assert_cmpmem (indices, 4, ((guint8[]) { 0, 1, 2, 0 }), 4);
}

static void
test_exact_single_and_256 (void)
{
  g_autoptr (FlGifPaletteBuilder) builder = fl_gif_palette_builder_new ();
  g_autoptr (FlImage) one = fl_image_new (3, 3, 3, NULL);
  g_autoptr (FlImage) full = fl_image_new (16, 16, 3, NULL);
  g_autofree guint8 *indices = g_malloc (256);
  FlGifPalette palette;

  fl_gif_palette_build (builder, one, &palette, indices);
  g_assert_cmpuint (palette.n_entries, ==, 1);
  g_assert_cmpuint (palette.bits, ==, 1);
  g_assert_cmpint (palette.transparent_index, ==, -1);

  /* 256 distinct colours, the most that stays exact. */
  for (guint i = 0; i < 256; i++)
    {
      full->pixels[i * 3] = (guint8) i;
      full->pixels[i * 3 + 1] = (guint8) (255 - i);
      full->pixels[i * 3 + 2] = (guint8) (i * 7);
    }
  fl_gif_palette_build (builder, full, &palette, indices);
  g_assert_false (palette.quantised);
  g_assert_cmpuint (palette.n_entries, ==, 256);
  g_assert_cmpuint (palette.bits, ==, 8);
  for (guint i = 0; i < 256; i++)
    {
      g_assert_cmpuint (indices[i], ==, i);
      g_assert_cmpmem (palette.rgb + i * 3, 3, full->pixels + i * 3, 3);
    }
}

/* Every pixel's colour through the palette is its own, within max_error. */
static void
check_mapping (const FlImage *image, const FlGifPalette *palette, const guint8 *indices)
{
  for (gsize i = 0; i < (gsize) image->width * image->height; i++)
    {
      const guint8 *p = image->pixels + i * image->channels;

      g_assert_cmpuint (indices[i], <, palette->n_entries);
      if (image->channels == 4 && p[3] < 128)
        {
          g_assert_cmpint (indices[i], ==, palette->transparent_index);
          continue;
        }
      g_assert_cmpint (indices[i], !=, palette->transparent_index);
      for (guint c = 0; c < 3; c++)
        g_assert_cmpuint (ABS ((int) palette->rgb[indices[i] * 3 + c] - p[c]), <=,
                          palette->max_error);
    }
}

static void
test_quantise (void)
{
  g_autoptr (FlGifPaletteBuilder) builder = fl_gif_palette_builder_new ();
  g_autoptr (FlGifPaletteBuilder) other = fl_gif_palette_builder_new ();
  g_autofree guint8 *indices = g_malloc (64 * 64);
  g_autofree guint8 *indices2 = g_malloc (64 * 64);
  FlGifPalette palette, palette2;
  FlRng rng;

  fl_rng_init_seeded (&rng, 42);
  for (guint channels = 3; channels <= 4; channels++)
    for (guint round = 0; round < 5; round++)
      {
        g_autoptr (FlImage) image = fl_test_make_image (&rng, 64, 64, channels, 0);

        fl_gif_palette_build (builder, image, &palette, indices);
        g_assert_true (palette.quantised);
        g_assert_cmpuint (palette.n_entries, ==, 256);
        g_assert_cmpuint (palette.bits, ==, 8);
        g_assert_cmpint (palette.transparent_index, ==, channels == 4 ? 255 : -1);
        /* The bound stated in fl-gif-palette.c for 64x64 noise. */
        g_test_message ("max error %u", palette.max_error);
        g_assert_cmpuint (palette.max_error, <, 48);
        g_assert_cmpuint (palette.max_error, >, 0);
        check_mapping (image, &palette, indices);

        /* Deterministic, whatever the builder's history. */
        fl_gif_palette_build (other, image, &palette2, indices2);
        g_assert_cmpmem (&palette, sizeof palette, &palette2, sizeof palette2);
        g_assert_cmpmem (indices, 64 * 64, indices2, 64 * 64);
      }
}

static void
test_quantise_golden (void)
{
  g_autoptr (FlGifPaletteBuilder) builder = fl_gif_palette_builder_new ();
  g_autofree guint8 *indices = g_malloc (32 * 32);
  g_autoptr (FlImage) image = NULL;
  g_autofree char *digest = NULL;
  FlGifPalette palette;
  FlRng rng;

  fl_rng_init_seeded (&rng, 7);
  image = fl_test_make_image (&rng, 32, 32, 3, 0);
  fl_gif_palette_build (builder, image, &palette, indices);
  g_assert_true (palette.quantised);
  check_mapping (image, &palette, indices);
  {
    g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
    g_checksum_update (sum, palette.rgb, sizeof palette.rgb);
    g_checksum_update (sum, indices, 32 * 32);
    digest = g_strdup (g_checksum_get_string (sum));
  }
  g_test_message ("quantised palette digest %s, max error %u", digest, palette.max_error);
  g_assert_cmpstr (digest, ==, FL_TEST_QUANTISE_DIGEST);
}

static void
test_block_layout (void)
{
  g_autoptr (FlGifBlockEncoder) encoder = fl_gif_block_encoder_new (NULL);
  g_autoptr (GByteArray) a = g_byte_array_new ();
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_autoptr (FlImage) image = NULL;
  g_autoptr (FlImage) other = NULL;
  FlGifFrameInfo info;
  FlRng rng;

  fl_rng_init_seeded (&rng, 3);
  image = fl_test_make_image (&rng, 10, 7, 4, 5);
  other = fl_test_make_image (&rng, 30, 30, 3, 0);
  g_assert_true (fl_gif_block_encode_image (encoder, image, 50, a, &info, NULL));
  g_assert_cmpuint (info.width, ==, 10);
  g_assert_cmpuint (info.height, ==, 7);
  g_assert_false (info.quantised);

  /* GCE: disposal 2, transparency flag, delay 50, then the descriptor at (0,0). */
  g_assert_cmpuint (a->len, >, 19);
  g_assert_cmpmem (a->data, 4, ((guint8[]) { 0x21, 0xf9, 0x04, (2 << 2) | 1 }), 4);
  g_assert_cmpuint (a->data[4] | (a->data[5] << 8), ==, 50);
  g_assert_cmpuint (a->data[8], ==, 0x2c);
  g_assert_cmpmem (a->data + 9, 8, ((guint8[]) { 0, 0, 0, 0, 10, 0, 7, 0 }), 8);
  g_assert_cmpuint (a->data[17] & 0x80, ==, 0x80); /* local colour table */
  g_assert_cmpuint (a->data[a->len - 1], ==, 0);   /* block terminator */

  /* A block never depends on what the encoder did before. */
  g_assert_true (fl_gif_block_encode_image (encoder, other, 50, b, NULL, NULL));
  g_byte_array_set_size (b, 0);
  g_assert_true (fl_gif_block_encode_image (encoder, image, 50, b, NULL, NULL));
  g_assert_cmpmem (a->data, a->len, b->data, b->len);
}

static void
test_delay (void)
{
  g_assert_cmpuint (fl_gif_delay_cs (500), ==, 50);
  g_assert_cmpuint (fl_gif_delay_cs (0), ==, 0);
  /* 1..14 ms would be 0 or 1 cs, played at 100 ms: the nearest that plays, 2 cs. */
  g_assert_cmpuint (fl_gif_delay_cs (1), ==, 2);
  g_assert_cmpuint (fl_gif_delay_cs (4), ==, 2);
  g_assert_cmpuint (fl_gif_delay_cs (14), ==, 2);
  g_assert_cmpuint (fl_gif_delay_cs (15), ==, 2);
  g_assert_cmpuint (fl_gif_delay_cs (25), ==, 3);
  g_assert_cmpuint (fl_gif_delay_cs (G_MAXUINT), ==, 65535);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gif-palette/exact-order", test_exact_order);
  g_test_add_func ("/gif-palette/exact-single-and-256", test_exact_single_and_256);
  g_test_add_func ("/gif-palette/quantise", test_quantise);
  g_test_add_func ("/gif-palette/quantise-golden", test_quantise_golden);
  g_test_add_func ("/gif-block/layout", test_block_layout);
  g_test_add_func ("/gif-block/delay", test_delay);
  return g_test_run ();
}
