/* test-png: random images, PNG encode/check/decode round trips and limits. */
#include "fl-error.h"
#include "fl-image.h"
#include "fl-png.h"

#include <string.h>
#include <zlib.h>

static GByteArray *
encode_random (guint width, guint height, FlRng *rng, FlImage **image_out)
{
  g_autoptr (GError) error = NULL;
  FlImage *image = fl_image_new (width, height, 3, &error);
  GByteArray *png = g_byte_array_new ();

  g_assert_no_error (error);
  fl_image_randomize (image, rng);
  g_assert_true (fl_png_encode (image, png, &error));
  g_assert_no_error (error);
  *image_out = image;
  return png;
}

static void
assert_round_trip (guint width, guint height)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlImage) image = NULL;
  g_autoptr (FlImage) decoded = NULL;
  g_autoptr (GByteArray) png = NULL;
  FlRng rng;
  guint w = 0, h = 0;

  fl_rng_init (&rng);
  png = encode_random (width, height, &rng, &image);
  g_assert_true (fl_png_check (png->data, png->len, NULL, &w, &h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (w, ==, width);
  g_assert_cmpuint (h, ==, height);

  decoded = fl_png_decode (png->data, png->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->width, ==, width);
  g_assert_cmpuint (decoded->height, ==, height);
  g_assert_cmpuint (decoded->channels, ==, 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      g_assert_cmpmem (decoded->pixels + i * 4, 3, image->pixels + i * 3, 3);
      g_assert_cmpuint (decoded->pixels[i * 4 + 3], ==, 255);
    }
}

static void
test_round_trip_10x10 (void)
{
  assert_round_trip (10, 10);
}

static void
test_round_trip_other_sizes (void)
{
  assert_round_trip (1, 1);
  assert_round_trip (37, 5);
  assert_round_trip (5, 37);
  assert_round_trip (256, 256);
}

static void
test_wire_size (void)
{
  g_autoptr (FlImage) image = NULL;
  g_autoptr (GByteArray) png = NULL;
  FlRng rng;

  /* Random pixels never compress: stored deflate, a fixed size for 10x10 RGB. */
  fl_rng_init (&rng);
  png = encode_random (10, 10, &rng, &image);
  g_assert_cmpuint (png->len, ==, 378);
}

static void
test_images_differ (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                       (GDestroyNotify) g_bytes_unref, NULL);
  FlRng rng_a, rng_b;

  /* Two generators seeded from the OS never agree, and neither repeats itself. */
  fl_rng_init (&rng_a);
  fl_rng_init (&rng_b);
  for (int i = 0; i < 2000; i++)
    {
      g_autoptr (FlImage) image = NULL;
      GByteArray *png = encode_random (10, 10, i % 2 ? &rng_a : &rng_b, &image);
      GBytes *bytes = g_byte_array_free_to_bytes (png);
      g_assert_false (g_hash_table_contains (seen, bytes));
      g_hash_table_add (seen, bytes);
    }
}

static void
test_random_is_uniform (void)
{
  guint counts[256] = { 0 };
  guint8 buffer[4096];
  FlRng rng;

  fl_rng_init (&rng);
  for (int round = 0; round < 64; round++)
    {
      fl_rng_fill (&rng, buffer, sizeof buffer);
      for (gsize i = 0; i < sizeof buffer; i++)
        counts[buffer[i]]++;
    }
  /* 262144 bytes, 1024 expected per value; 6 sigma is about 190. */
  for (int v = 0; v < 256; v++)
    {
      g_assert_cmpuint (counts[v], >, 1024 - 200);
      g_assert_cmpuint (counts[v], <, 1024 + 200);
    }
}

static void
test_bad_sizes (void)
{
  const char *bad[] = { "0x10", "10x0", "20000x10", "10", "axb", "10x", "x10", "-1x5", "10x10x",
                        "", "99999999999999999999x1" };
  guint w, h;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (fl_image_parse_size (bad[i], &w, &h, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == FL_ERROR);
      g_assert_nonnull (strstr (error->message, "Image size"));
    }
  g_assert_true (fl_image_parse_size ("640x480", &w, &h, NULL));
  g_assert_cmpuint (w, ==, 640);
  g_assert_cmpuint (h, ==, 480);
  {
    g_autoptr (GError) error = NULL;
    g_assert_null (fl_image_new (0, 5, 3, &error));
    g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT);
  }
  {
    g_autoptr (GError) error = NULL;
    g_assert_null (fl_image_new (16385, 1, 3, &error));
    g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
  }
}

static void
test_check_rejects_damage (void)
{
  g_autoptr (FlImage) image = NULL;
  g_autoptr (GByteArray) png = NULL;
  FlRng rng;

  fl_rng_init (&rng);
  png = encode_random (10, 10, &rng, &image);

  /* Every truncation fails, in the checker and in the decoder. */
  for (guint cut = 0; cut < png->len; cut++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) decode_error = NULL;
      g_autoptr (FlImage) decoded = NULL;
      g_assert_false (fl_png_check (png->data, cut, NULL, NULL, NULL, &error));
      g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_PNG);
      g_assert_true (g_str_has_prefix (error->message, "not a valid PNG"));
      decoded = fl_png_decode (png->data, cut, NULL, &decode_error);
      g_assert_null (decoded);
      g_assert_nonnull (decode_error);
    }

  /* Any flipped bit fails the CRC or the structure. */
  for (guint i = 8; i < png->len; i += 7)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GByteArray) damaged = g_byte_array_new ();
      g_byte_array_append (damaged, png->data, png->len);
      damaged->data[i] ^= 0x10;
      g_assert_false (fl_png_check (damaged->data, damaged->len, NULL, NULL, NULL, &error));
      g_assert_nonnull (error);
    }

  /* Bytes after IEND: not exactly one PNG. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GByteArray) longer = g_byte_array_new ();
    g_byte_array_append (longer, png->data, png->len);
    g_byte_array_append (longer, (const guint8 *) "junk", 4);
    g_assert_false (fl_png_check (longer->data, longer->len, NULL, NULL, NULL, &error));
    g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_PNG);
    g_assert_nonnull (strstr (error->message, "after IEND"));
  }
}

static void
test_check_limits (void)
{
  g_autoptr (FlImage) image = NULL;
  g_autoptr (GByteArray) png = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) byte_error = NULL;
  FlPngLimits limits;
  FlRng rng;

  fl_rng_init (&rng);
  png = encode_random (64, 32, &rng, &image);
  fl_png_limits_init_default (&limits);
  limits.max_width = 63;
  g_assert_false (fl_png_check (png->data, png->len, &limits, NULL, NULL, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "64x32"));

  fl_png_limits_init_default (&limits);
  limits.max_bytes = png->len - 1;
  g_assert_false (fl_png_check (png->data, png->len, &limits, NULL, NULL, &byte_error));
  g_assert_error (byte_error, FL_ERROR, FL_ERROR_TOO_LARGE);
}

static void
test_huge_header_refused (void)
{
  g_autoptr (FlImage) image = NULL;
  g_autoptr (GByteArray) png = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlImage) decoded = NULL;
  FlRng rng;
  guint32 crc;

  /* A valid PNG whose IHDR claims 100000x100000 (CRC fixed up): refused on the
   * header, before anything is allocated for the pixels. */
  fl_rng_init (&rng);
  png = encode_random (10, 10, &rng, &image);
  png->data[16] = 0; png->data[17] = 1; png->data[18] = 0x86; png->data[19] = 0xa0;
  png->data[20] = 0; png->data[21] = 1; png->data[22] = 0x86; png->data[23] = 0xa0;
  crc = (guint32) crc32 (0, png->data + 12, 17);
  png->data[29] = crc >> 24; png->data[30] = crc >> 16; png->data[31] = crc >> 8; png->data[32] = crc;
  g_assert_false (fl_png_check (png->data, png->len, NULL, NULL, NULL, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "100000x100000"));
  g_clear_error (&error);
  decoded = fl_png_decode (png->data, png->len, NULL, &error);
  g_assert_null (decoded);
  g_assert_nonnull (error);
}

static void
for_each_corpus_png (const char *subdir, void (*func) (const char *path))
{
  const char *corpus = g_getenv ("FRAMELOOM_CORPUS");
  g_autofree char *root = NULL;
  g_autoptr (GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  guint count = 0;

  if (corpus == NULL || !g_file_test (corpus, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("the shared corpus is absent (set -Dcorpus=PATH); skipping corpus files");
      return;
    }
  root = g_build_filename (corpus, subdir, NULL);
  g_ptr_array_add (dirs, g_strdup (root));
  while (dirs->len > 0)
    {
      g_autofree char *dir_path = g_ptr_array_steal_index (dirs, dirs->len - 1);
      g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;
      if (dir == NULL)
        continue;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          if (g_file_test (path, G_FILE_TEST_IS_DIR))
            g_ptr_array_add (dirs, g_steal_pointer (&path));
          else if (g_str_has_suffix (name, ".png"))
            {
              func (path);
              count++;
            }
        }
    }
  g_assert_cmpuint (count, >, 0);
}

static void
check_valid_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (FlImage) image = NULL;
  gsize length;
  guint w, h;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  if (!fl_png_check ((guint8 *) contents, length, NULL, &w, &h, &error))
    g_error ("%s: %s", path, error->message);
  image = fl_png_decode ((guint8 *) contents, length, NULL, &error);
  if (image == NULL)
    g_error ("%s: %s", path, error->message);
  g_assert_cmpuint (image->width, ==, w);
  g_assert_cmpuint (image->height, ==, h);
}

static void
check_invalid_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (FlImage) image = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  /* Either the structural check or the decoder must refuse it, with a sentence. */
  if (fl_png_check ((guint8 *) contents, length, NULL, NULL, NULL, &error))
    {
      image = fl_png_decode ((guint8 *) contents, length, NULL, &error);
      if (image != NULL)
        g_error ("%s: an invalid PNG was accepted", path);
    }
  g_assert_nonnull (error);
  g_assert_true (error->domain == FL_ERROR);
  g_assert_cmpuint (strlen (error->message), >, 10);
}

/* The encoder's one-inflate path refuses exactly what the check plus the decoder refuse. */
static gboolean
assert_checked_agrees (const guint8 *data, gsize length, const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) checked_error = NULL;
  g_autoptr (FlImage) image = NULL;
  g_autoptr (FlImage) checked = NULL;

  if (fl_png_check (data, length, NULL, NULL, NULL, &error))
    image = fl_png_decode (data, length, NULL, &error);
  checked = fl_png_decode_checked (data, length, NULL, &checked_error);
  if ((image == NULL) != (checked == NULL))
    g_error ("%s: check + decode %s (%s), decode_checked %s (%s)", what,
             image ? "accepts" : "refuses", error ? error->message : "",
             checked ? "accepts" : "refuses", checked_error ? checked_error->message : "");
  if (image != NULL)
    {
      g_assert_cmpuint (image->width, ==, checked->width);
      g_assert_cmpuint (image->height, ==, checked->height);
      g_assert_cmpmem (image->pixels, fl_image_byte_size (image), checked->pixels,
                       fl_image_byte_size (checked));
    }
  else
    {
      g_assert_true (checked_error->domain == FL_ERROR);
      g_assert_true (g_str_has_prefix (checked_error->message, "not a valid PNG"));
    }
  return image != NULL;
}

static void
append_chunk (GByteArray *png, const char *type, const guint8 *data, gsize length)
{
  guint8 be[4] = { length >> 24, length >> 16, length >> 8, length };
  guint32 crc;

  g_byte_array_append (png, be, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (length > 0)
    g_byte_array_append (png, data, (guint) length);
  crc = (guint32) crc32 (0, (const guint8 *) type, 4);
  /* crc32 of a NULL buffer is zlib's initial value, not a no-op. */
  if (length > 0)
    crc = (guint32) crc32 (crc, data, (uInt) length);
  be[0] = crc >> 24, be[1] = crc >> 16, be[2] = crc >> 8, be[3] = crc;
  g_byte_array_append (png, be, 4);
}

/* A PNG with valid CRCs around whatever image data it is given: damage that
 * only the inflate (or libpng) can see. */
static GByteArray *
wrap_png (guint width, guint height, guint depth, guint colour, const guint8 *zdata,
          gsize zlength, gsize split)
{
  static const guint8 signature[8] = { 137, 80, 78, 71, 13, 10, 26, 10 };
  guint8 ihdr[13] = { width >> 24, width >> 16, width >> 8, width,
                      height >> 24, height >> 16, height >> 8, height, depth, colour, 0, 0, 0 };
  GByteArray *png = g_byte_array_new ();

  g_byte_array_append (png, signature, 8);
  append_chunk (png, "IHDR", ihdr, 13);
  if (colour == 3)
    {
      guint8 palette[3 * 16];
      for (guint i = 0; i < sizeof palette; i++)
        palette[i] = (guint8) (i * 37);
      append_chunk (png, "PLTE", palette, sizeof palette);
    }
  split = MIN (split, zlength);
  append_chunk (png, "IDAT", zdata, split);
  if (split < zlength)
    append_chunk (png, "IDAT", zdata + split, zlength - split);
  /* Another IDAT after the stream's end, or image data split by another chunk. */
  if (split % 5 == 4)
    append_chunk (png, "IDAT", (const guint8 *) "x", 1);
  if (split % 7 == 6 && split < zlength)
    {
      g_byte_array_set_size (png, png->len - (zlength - split) - 12);
      append_chunk (png, "tEXt", (const guint8 *) "a\0b", 3);
      append_chunk (png, "IDAT", zdata + split, zlength - split);
    }
  append_chunk (png, "IEND", NULL, 0);
  return png;
}

static void
test_checked_decode_agrees (void)
{
  FlRng rng;
  guint cases = 0, accepted = 0;

  fl_rng_init_seeded (&rng, 77);
  for (guint round = 0; round < 400; round++)
    {
      const guint colour = (round % 3 == 0) ? 2 : (round % 3 == 1) ? 6 : 3;
      const guint width = 1 + round % 9, height = 1 + (round / 9) % 7;
      const guint bpp = colour == 2 ? 3 : colour == 6 ? 4 : 1;
      const gsize row = 1 + (gsize) width * bpp;
      /* Rows to compress: sometimes one too few or too many. */
      const guint rows = height + (round % 11 == 0 ? 1 : 0) - (round % 13 == 0 ? 1 : 0);
      g_autofree guint8 *raw = g_malloc (row * (rows + 1));
      g_autofree guint8 *z = g_malloc (row * (rows + 1) * 2 + 64);
      uLongf zlength = row * (rows + 1) * 2 + 64;
      g_autoptr (GByteArray) png = NULL;
      g_autofree char *what = NULL;

      fl_rng_fill (&rng, raw, row * rows);
      for (guint y = 0; y < rows; y++)
        {
          /* Palette rows unfiltered, so that the indices are the bytes. */
          raw[y * row] = colour == 3 ? 0 : raw[y * row] % 5;
          if (colour == 3)
            for (gsize x = 1; x < row; x++)
              raw[y * row + x] &= round % 5 == 0 ? 0x1f : 0x0f; /* beyond 16 entries */
        }
      if (round % 7 == 0)
        raw[(fl_rng_next (&rng) % rows) * row] = 5 + round % 200; /* unknown filter */
      g_assert_cmpint (compress2 (z, &zlength, raw, row * rows, round % 10), ==, Z_OK);
      switch (round % 6)
        {
        case 1: /* a damaged byte of the stream */
          z[fl_rng_next (&rng) % zlength] ^= (guint8) (1u << (round % 8));
          break;
        case 2: /* the stream cut short */
          zlength -= 1 + fl_rng_next (&rng) % MIN (zlength - 1, 6u);
          break;
        case 3: /* junk after the stream's end */
          z[zlength++] = 0x42;
          break;
        default:
          break;
        }
      png = wrap_png (width, height, 8, colour, z, zlength, 1 + round % 17);
      what = g_strdup_printf ("case %u (%ux%u colour %u)", round, width, height, colour);
      accepted += assert_checked_agrees (png->data, png->len, what);
      for (guint cut = 8; cut < png->len; cut += 5)
        assert_checked_agrees (png->data, cut, what);
      cases++;
    }
  g_test_message ("%u generated PNGs (%u valid) and their truncations agree", cases, accepted);
  /* Both sides of the line are exercised. */
  g_assert_cmpuint (accepted, >, cases / 5);
  g_assert_cmpuint (accepted, <, cases * 4 / 5);
}

static void
check_agrees_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  assert_checked_agrees ((const guint8 *) contents, length, path);
}

static void
test_corpus_checked (void)
{
  for_each_corpus_png ("png-valid", check_agrees_file);
  for_each_corpus_png ("png-invalid", check_agrees_file);
}

static void
test_corpus_valid (void)
{
  for_each_corpus_png ("png-valid", check_valid_file);
}

static void
test_corpus_invalid (void)
{
  for_each_corpus_png ("png-invalid", check_invalid_file);
}

/* The writer, fed a few rows at a time with out drained in between (as the
 * server sends), makes the same bytes as encoding the image whole, and holds
 * no more than about a row's worth at any time. */
static void
test_writer_streams_rows (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlImage) image = NULL;
  g_autoptr (GByteArray) whole = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GByteArray) sent = g_byte_array_new ();
  g_autoptr (FlPngWriter) writer = NULL;
  const guint width = 1000, height = 300, stride = width * 3;
  guint most = 0;
  FlRng rng;

  fl_rng_init_seeded (&rng, 7);
  whole = encode_random (width, height, &rng, &image);
  writer = fl_png_writer_new (width, height, 3, out, &error);
  g_assert_no_error (error);
  for (guint y = 0; y < height; y += 3)
    {
      g_assert_true (fl_png_writer_write_rows (writer, image->pixels + y * stride,
                                               MIN (3, height - y), &error));
      g_assert_no_error (error);
      most = MAX (most, out->len);
      g_byte_array_append (sent, out->data, out->len);
      g_byte_array_set_size (out, 0);
    }
  g_assert_true (fl_png_writer_finish (writer, &error));
  g_assert_no_error (error);
  g_byte_array_append (sent, out->data, out->len);
  g_assert_cmpmem (sent->data, sent->len, whole->data, whole->len);
  /* Three rows in, at most three rows plus one IDAT chunk's worth out. */
  g_assert_cmpuint (most, <=, 3 * (stride + 1) + 8192 + 64);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/png/round-trip-10x10", test_round_trip_10x10);
  g_test_add_func ("/png/round-trip-other-sizes", test_round_trip_other_sizes);
  g_test_add_func ("/png/wire-size", test_wire_size);
  g_test_add_func ("/png/writer-streams-rows", test_writer_streams_rows);
  g_test_add_func ("/png/images-differ", test_images_differ);
  g_test_add_func ("/png/random-is-uniform", test_random_is_uniform);
  g_test_add_func ("/png/bad-sizes", test_bad_sizes);
  g_test_add_func ("/png/check-rejects-damage", test_check_rejects_damage);
  g_test_add_func ("/png/check-limits", test_check_limits);
  g_test_add_func ("/png/huge-header-refused", test_huge_header_refused);
  g_test_add_func ("/png/corpus-valid", test_corpus_valid);
  g_test_add_func ("/png/corpus-invalid", test_corpus_invalid);
  g_test_add_func ("/png/checked-decode-agrees", test_checked_decode_agrees);
  g_test_add_func ("/png/corpus-checked", test_corpus_checked);
  return g_test_run ();
}
