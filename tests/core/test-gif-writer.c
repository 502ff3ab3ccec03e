/* test-gif-writer: fl-gif-writer.c: the GIF89a framing around blocks, byte for
 * byte (header, screen patched at commit, global table, loop, trailer), large
 * blocks past its buffer, a real animation read back with giflib, and the
 * failures that leave nothing at the path. */
#include "fl-error.h"
#include "fl-gif-block.h"
#include "fl-gif-writer.h"
#include "fl-test-util.h"

#include <gif_lib.h>
#include <glib/gstdio.h>
#include <string.h>

static const guint8 netscape[] = { 0x21, 0xff, 0x0b, 'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E',
                                   '2', '.', '0', 0x03, 0x01 };

typedef struct
{
  char *dir;
  char *path; /* out.gif in dir */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = fl_test_make_dir ("fl-test-gif-writer-XXXXXX");
  f->path = g_build_filename (f->dir, "out.gif", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fl_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static GByteArray *
expected_start (guint width, guint height, guint global_bits, const guint8 *rgb, guint loop)
{
  GByteArray *bytes = g_byte_array_new ();
  guint8 screen[7] = { width & 0xff, width >> 8, height & 0xff, height >> 8,
                       global_bits > 0 ? 0xf0 | (global_bits - 1) : 0x70, 0, 0 };
  guint8 loop_bytes[3] = { loop & 0xff, loop >> 8, 0 };

  g_byte_array_append (bytes, (const guint8 *) "GIF89a", 6);
  g_byte_array_append (bytes, screen, sizeof screen);
  if (global_bits > 0)
    g_byte_array_append (bytes, rgb, 3u << global_bits);
  g_byte_array_append (bytes, netscape, sizeof netscape);
  g_byte_array_append (bytes, loop_bytes, sizeof loop_bytes);
  return bytes;
}

static GBytes *
contents_of (const char *path)
{
  char *data = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  return g_bytes_new_take (data, length);
}

static void
assert_file_is (const char *path, const GByteArray *expected)
{
  g_autoptr (GBytes) bytes = contents_of (path);
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  g_assert_cmpmem (data, length, expected->data, expected->len);
}

static void
test_framing (Fixture *f, gconstpointer data)
{
  const char *path = f->path;
  g_autoptr (GByteArray) expected = expected_start (5, 2, 0, NULL, 3);
  g_autoptr (GError) error = NULL;
  FlGifWriter *writer = fl_gif_writer_new (path, 3, &error);
  guint width = 0, height = 0;
  guint64 bytes = 0;

  g_assert_no_error (error);
  /* The writer does not look into blocks: any bytes frame the same way. */
  g_assert_true (fl_gif_writer_add_block (writer, (const guint8 *) "ABC", 3, 3, 2));
  g_assert_true (fl_gif_writer_add_block (writer, (const guint8 *) "DE", 2, 5, 1));
  /* Nothing at the path until the commit. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (fl_gif_writer_commit (writer, &width, &height, &bytes, &error));
  g_assert_no_error (error);
  /* The screen is the largest width and the largest height. */
  g_assert_cmpuint (width, ==, 5);
  g_assert_cmpuint (height, ==, 2);
  g_byte_array_append (expected, (const guint8 *) "ABCDE;", 6);
  g_assert_cmpuint (bytes, ==, expected->len);
  assert_file_is (path, expected);
}

static void
test_global_table_and_loop (Fixture *f, gconstpointer data)
{
  const char *path = f->path;
  static const guint8 rgb[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  /* Loop counts above GIF's 16 bits are capped. */
  g_autoptr (GByteArray) expected = expected_start (0, 0, 2, rgb, 65535);
  FlGifWriter *writer = fl_gif_writer_new (path, 70000, NULL);

  fl_gif_writer_set_global_table (writer, rgb, 2);
  g_assert_true (fl_gif_writer_commit (writer, NULL, NULL, NULL, NULL));
  g_byte_array_append (expected, (const guint8 *) ";", 1);
  assert_file_is (path, expected);
}

static void
test_large_blocks (Fixture *f, gconstpointer data)
{
  const char *path = f->path;
  g_autoptr (GByteArray) expected = expected_start (9, 9, 0, NULL, 0);
  const gsize big = 300 * 1024, small = 200 * 1024;
  g_autofree guint8 *block = g_malloc (big);
  FlGifWriter *writer = fl_gif_writer_new (path, 0, NULL);

  for (gsize i = 0; i < big; i++)
    block[i] = (guint8) (i % 251);
  /* Past the writer's buffer (256 KiB) both ways: a block larger than it, and
   * blocks that fill it up. */
  g_assert_true (fl_gif_writer_add_block (writer, block, small, 9, 9));
  g_assert_true (fl_gif_writer_add_block (writer, block, big, 9, 9));
  g_assert_true (fl_gif_writer_add_block (writer, block, small, 9, 9));
  g_assert_true (fl_gif_writer_commit (writer, NULL, NULL, NULL, NULL));
  g_byte_array_append (expected, block, small);
  g_byte_array_append (expected, block, big);
  g_byte_array_append (expected, block, small);
  g_byte_array_append (expected, (const guint8 *) ";", 1);
  assert_file_is (path, expected);
}

static FlImage *
solid (guint width, guint height, guint8 r, guint8 g, guint8 b)
{
  FlImage *image = fl_image_new (width, height, 3, NULL);

  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      image->pixels[i * 3] = r;
      image->pixels[i * 3 + 1] = g;
      image->pixels[i * 3 + 2] = b;
    }
  return image;
}

static void
test_animation_reads_back (Fixture *f, gconstpointer data)
{
  const char *path = f->path;
  g_autoptr (FlGifBlockEncoder) encoder = fl_gif_block_encoder_new (NULL);
  g_autoptr (FlImage) red = solid (4, 3, 255, 0, 0);
  g_autoptr (FlImage) blue = solid (2, 6, 0, 0, 255);
  g_autoptr (GByteArray) block = g_byte_array_new ();
  FlGifWriter *writer = fl_gif_writer_new (path, 0, NULL);
  FlGifFrameInfo info;
  GifFileType *gif;
  int gif_error = 0;
  const ColorMapObject *map;

  g_assert_true (fl_gif_block_encode_image (encoder, red, 50, block, &info, NULL));
  g_assert_true (fl_gif_writer_add_block (writer, block->data, block->len, info.width,
                                          info.height));
  g_byte_array_set_size (block, 0);
  g_assert_true (fl_gif_block_encode_image (encoder, blue, 50, block, &info, NULL));
  g_assert_true (fl_gif_writer_add_block (writer, block->data, block->len, info.width,
                                          info.height));
  g_assert_true (fl_gif_writer_commit (writer, NULL, NULL, NULL, NULL));

  gif = DGifOpenFileName (path, &gif_error);
  g_assert_nonnull (gif);
  g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
  g_assert_cmpint (gif->SWidth, ==, 4);
  g_assert_cmpint (gif->SHeight, ==, 6);
  g_assert_cmpint (gif->ImageCount, ==, 2);
  g_assert_cmpint (gif->SavedImages[1].ImageDesc.Width, ==, 2);
  g_assert_cmpint (gif->SavedImages[1].ImageDesc.Height, ==, 6);
  map = gif->SavedImages[0].ImageDesc.ColorMap;
  g_assert_nonnull (map);
  {
    const GifColorType *c = &map->Colors[gif->SavedImages[0].RasterBits[0]];

    g_assert_cmpuint (c->Red, ==, 255);
    g_assert_cmpuint (c->Green, ==, 0);
    g_assert_cmpuint (c->Blue, ==, 0);
  }
  DGifCloseFile (gif, &gif_error);
}

static void
test_failures (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (f->dir, "no", "out.gif", NULL);
  const char *path = f->path;
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) listing = NULL;
  FlGifWriter *writer;

  g_assert_null (fl_gif_writer_new (missing, 0, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  expected = g_strdup_printf ("Could not create %s: no such file or directory", missing);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  /* Aborted: nothing at the path, no temporary beside it. */
  writer = fl_gif_writer_new (path, 0, NULL);
  g_assert_true (fl_gif_writer_add_block (writer, (const guint8 *) "A", 1, 1, 1));
  fl_gif_writer_abort (writer);
  fl_gif_writer_abort (NULL);
  listing = g_dir_open (f->dir, 0, NULL);
  g_assert_null (g_dir_read_name (listing));

  /* A folder that took the path's place while writing is not replaced. */
  writer = fl_gif_writer_new (path, 0, NULL);
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  g_assert_false (fl_gif_writer_commit (writer, NULL, NULL, NULL, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  expected = g_strdup_printf (
    "Could not write %s: it is a folder, and only a regular file is ever replaced", path);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/gif-writer/framing", test_framing);
  ADD ("/gif-writer/global-table-and-loop", test_global_table_and_loop);
  ADD ("/gif-writer/large-blocks", test_large_blocks);
  ADD ("/gif-writer/animation-reads-back", test_animation_reads_back);
  ADD ("/gif-writer/failures", test_failures);
#undef ADD
  return g_test_run ();
}
