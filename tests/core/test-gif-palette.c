/* test-gif-palette.c: palettes, quantisation and single blocks. */
#include "fl-gif-block.h"
#include "fl-gif-lzw.h"
#include "fl-gif-palette.h"
#include "fl-test-frames.h"

#include <gif_lib.h>
#include <math.h>
#include <string.h>

#define FL_TEST_REFINED_DIGEST "2f51ad844331222f06561f7f6ed30214804b11627af07fa6db8c328b52659cde"
#define FL_TEST_DITHERED_DIGEST "8a301472a1d8e3d1ebdb923b05c4984726157aacc70c2e0972fa39eaae7c3c90"
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

/* A smooth 128x128 image with grain: enough pixels per entry to be refined by
 * k-means and mapped to the nearest entries, with and without dithering. */
static FlImage *
make_smooth (guint seed)
{
  FlImage *image = fl_image_new (128, 128, 3, NULL);
  FlRng rng;

  fl_rng_init_seeded (&rng, seed);
  for (guint y = 0; y < 128; y++)
    for (guint x = 0; x < 128; x++)
      {
        guint8 *p = image->pixels + (y * 128 + x) * 3;
        int grain = (int) (fl_rng_next (&rng) % 9) - 4;

        p[0] = (guint8) CLAMP ((int) (x * 2) + grain, 0, 255);
        p[1] = (guint8) CLAMP ((int) (y * 2) + grain, 0, 255);
        p[2] = (guint8) CLAMP ((int) ((x + y) * 255 / 254) - grain, 0, 255);
      }
  return image;
}

static void
test_quantise_refined (void)
{
  g_autoptr (FlGifPaletteBuilder) builder = fl_gif_palette_builder_new ();
  g_autoptr (FlImage) image = make_smooth (8);
  g_autofree guint32 *keys = g_new (guint32, 128 * 128);
  g_autofree guint8 *indices = g_malloc (128 * 128);
  g_autofree guint8 *again = g_malloc (128 * 128);
  const char *digests[2] = { NULL, NULL };
  FlGifPalette palette, palette2;

  fl_gif_keys_from_pixels (image->pixels, 128 * 128, 3, keys);
  for (guint dither = 0; dither < 2; dither++)
    {
      g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      double squared = 0;

      fl_gif_palette_build_keys (builder, keys, 128 * 128, 128, dither, &palette, indices);
      g_assert_true (palette.quantised);
      /* Deterministic, whatever the builder's history. */
      fl_gif_palette_build_keys (builder, keys, 128 * 128, 128, dither, &palette2, again);
      g_assert_cmpmem (&palette, sizeof palette, &palette2, sizeof palette2);
      g_assert_cmpmem (indices, 128 * 128, again, 128 * 128);
      if (!dither)
        check_mapping (image, &palette, indices);
      for (guint i = 0; i < 128 * 128; i++)
        for (guint c = 0; c < 3; c++)
          {
            int d = palette.rgb[indices[i] * 3 + c] - image->pixels[i * 3 + c];
            squared += d * d;
          }
      g_checksum_update (sum, palette.rgb, sizeof palette.rgb);
      g_checksum_update (sum, indices, 128 * 128);
      digests[dither] = g_intern_string (g_checksum_get_string (sum));
      g_test_message ("dither %u: max error %u, PSNR %.2f dB, digest %s", dither,
                      palette.max_error, 10 * log10 (255.0 * 255 / (squared / (128 * 128 * 3))),
                      digests[dither]);
      /* 256 colours for a 2-D gradient with grain of +-4: 34.3 dB when this was written. */
      if (!dither)
        g_assert_cmpfloat (10 * log10 (255.0 * 255 / (squared / (128 * 128 * 3))), >, 33.0);
    }
  g_assert_cmpstr (digests[0], ==, FL_TEST_REFINED_DIGEST);
  g_assert_cmpstr (digests[1], ==, FL_TEST_DITHERED_DIGEST);
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

static int
append_to_array (GifFileType *gif, const GifByteType *data, int length)
{
  g_byte_array_append (gif->UserData, data, (guint) length);
  return length;
}

/* With fixed indices the LZW is giflib's, byte for byte: every code size, runs
 * and noise, streams long enough to fill the table and clear it. */
static void
test_lzw_matches_giflib (void)
{
  g_autoptr (FlGifLzw) lzw = fl_gif_lzw_new ();
  FlRng rng;

  fl_rng_init_seeded (&rng, 5);
  for (guint bits = 1; bits <= 8; bits++)
    for (gsize n = 1; n < 100000; n = n * 5 + 3)
      {
        g_autofree guint8 *indices = g_malloc (n);
        g_autoptr (GByteArray) mine = g_byte_array_new ();
        g_autoptr (GByteArray) theirs = g_byte_array_new ();
        GifColorType colors[256] = { { 0 } };
        ColorMapObject map = { 1 << bits, (int) bits, false, colors };
        GifFileType *gif;
        guint start;
        int code = 0;

        for (gsize i = 0; i < n; i++)
          indices[i] = (fl_rng_next (&rng) & 1) && i > 0 ? indices[i - 1]
                                                          : (guint8) (fl_rng_next (&rng) % (1u << bits));
        fl_gif_lzw_encode (lzw, indices, NULL, 0, FALSE, n, bits, mine);
        gif = EGifOpen (theirs, append_to_array, &code);
        g_assert_nonnull (gif);
        g_assert_cmpint (EGifPutScreenDesc (gif, 65535, 65535, 8, 0, NULL), ==, GIF_OK);
        g_assert_cmpint (EGifPutImageDesc (gif, 0, 0, (int) n, 1, false, &map), ==, GIF_OK);
        /* From the minimum code size byte, the descriptor's and table's last. */
        start = theirs->len - 1;
        g_assert_cmpint (EGifPutLine (gif, indices, (int) n), ==, GIF_OK);
        g_assert_cmpmem (mine->data, mine->len, theirs->data + start, theirs->len - start);
        EGifCloseFile (gif, &code);
      }
}

typedef struct
{
  const GByteArray *data;
  gsize offset;
} Cursor;

static int
read_from_array (GifFileType *gif, GifByteType *data, int length)
{
  Cursor *cursor = gif->UserData;
  gsize n = MIN ((gsize) length, cursor->data->len - cursor->offset);

  memcpy (data, cursor->data->data + cursor->offset, n);
  cursor->offset += n;
  return (int) n;
}

/* Flexible pixels decode to one of their two indices, the others exactly, and
 * leaning on the alternative makes the data smaller than fixed indices. */
static void
test_lzw_flexible (void)
{
  static const guint8 head[] = { 'G', 'I', 'F', '8', '9', 'a', 0x88, 0x13, 1, 0, 0x81, 0, 0,
                                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0x2c, 0, 0, 0, 0, 0x88, 0x13, 1, 0, 0 };
  g_autoptr (FlGifLzw) lzw = fl_gif_lzw_new ();
  const gsize n = 5000; /* 0x1388, as in head */
  g_autofree guint8 *indices = g_malloc (n);
  g_autofree guint8 *flexible = g_malloc (n);
  g_autoptr (GByteArray) fixed = g_byte_array_new ();
  FlRng rng;

  fl_rng_init_seeded (&rng, 6);
  for (gsize i = 0; i < n; i++)
    {
      indices[i] = (guint8) ((i / 37) % 3);
      flexible[i] = (fl_rng_next (&rng) % 3) == 0;
    }
  fl_gif_lzw_encode (lzw, indices, NULL, 0, FALSE, n, 2, fixed);
  for (guint prefer = 0; prefer < 2; prefer++)
    {
      g_autoptr (GByteArray) gif = g_byte_array_new ();
      Cursor cursor = { gif, 0 };
      GifFileType *in;
      int code = 0;

      /* A 5000x1 GIF with a 4-entry global table around the data. */
      g_byte_array_append (gif, head, sizeof head);
      fl_gif_lzw_encode (lzw, indices, flexible, 3, prefer, n, 2, gif);
      g_byte_array_append (gif, (const guint8 *) "\x3b", 1);
      g_test_message ("flexible, prefer %u: %u bytes of LZW, fixed %u", prefer,
                      (guint) (gif->len - sizeof head - 1), fixed->len);
      in = DGifOpen (&cursor, read_from_array, &code);
      g_assert_nonnull (in);
      g_assert_cmpint (DGifSlurp (in), ==, GIF_OK);
      g_assert_cmpint (in->ImageCount, ==, 1);
      for (gsize i = 0; i < n; i++)
        {
          guint8 got = in->SavedImages[0].RasterBits[i];

          if (got != indices[i] && !(flexible[i] && got == 3))
            g_error ("pixel %" G_GSIZE_FORMAT ": %u, expected %u", i, got, indices[i]);
        }
      DGifCloseFile (in, &code);
    }
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
  g_test_add_func ("/gif-palette/quantise-refined", test_quantise_refined);
  g_test_add_func ("/gif-block/layout", test_block_layout);
  g_test_add_func ("/gif-block/delay", test_delay);
  g_test_add_func ("/gif-lzw/matches-giflib", test_lzw_matches_giflib);
  g_test_add_func ("/gif-lzw/flexible", test_lzw_flexible);
  return g_test_run ();
}
