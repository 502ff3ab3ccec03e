/* test-gif-block: fl-gif-block.c from memory: PNG bytes decoded into sources
 * (with the sentences a user reads), blocks of a frame between its neighbours,
 * the global colour table, the phase times, and the worker's pipe records
 * (fl-encoder-pipe.c). */
#include "fl-encoder-pipe.h"
#include "fl-error.h"
#include "fl-gif-block.h"
#include "fl-png.h"

#include <string.h>

/* A width x height RGB image in which pixel i has colour colours[i % n]. */
static FlImage *
make_image (guint width, guint height, const guint32 *colours, guint n)
{
  FlImage *image = fl_image_new (width, height, 3, NULL);

  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      image->pixels[i * 3] = (guint8) (colours[i % n] >> 16);
      image->pixels[i * 3 + 1] = (guint8) (colours[i % n] >> 8);
      image->pixels[i * 3 + 2] = (guint8) colours[i % n];
    }
  return image;
}

static GByteArray *
png_of (const FlImage *image)
{
  GByteArray *png = g_byte_array_new ();

  g_assert_true (fl_png_encode (image, png, NULL));
  return png;
}

static FlGifSource *
source_of (FlGifBlockEncoder *encoder, const FlImage *image)
{
  g_autoptr (GByteArray) png = png_of (image);
  g_autoptr (GError) error = NULL;
  FlGifSource *source = fl_gif_block_decode_source (encoder, png->data, png->len, "frame.png", 1,
                                                    &error);

  g_assert_no_error (error);
  g_assert_nonnull (source);
  return source;
}

/* A width x height source of two colours in turn, 0x102030 and 0x405060. */
static FlGifSource *
two_colour_source (FlGifBlockEncoder *encoder, guint width, guint height)
{
  static const guint32 two[] = { 0x102030, 0x405060 };
  g_autoptr (FlImage) image = make_image (width, height, two, 2);

  return source_of (encoder, image);
}

static void
test_decode_source (void)
{
  static const guint32 colours[] = { 0xff0000, 0x00ff00, 0x0000ff };
  g_autoptr (FlGifBlockEncoder) encoder = fl_gif_block_encoder_new (NULL);
  g_autoptr (FlImage) image = make_image (3, 2, colours, 3);
  g_autoptr (GByteArray) png = png_of (image);
  g_autoptr (FlGifSource) source = NULL;
  g_autoptr (FlGifSource) scaled = NULL;
  FlGifPhaseTimes times;

  source = fl_gif_block_decode_source (encoder, png->data, png->len, "frames/0.png", 1, NULL);
  g_assert_nonnull (source);
  g_assert_cmpuint (source->width, ==, 3);
  g_assert_cmpuint (source->height, ==, 2);
  /* Pixels of one colour have one key, pixels of others another. */
  g_assert_cmpuint (source->keys[0], ==, source->keys[3]);
  g_assert_cmpuint (source->keys[0], !=, source->keys[1]);
  g_assert_cmpuint (source->keys[1], !=, source->keys[2]);

  scaled = fl_gif_block_decode_source (encoder, png->data, png->len, "frames/0.png", 2, NULL);
  g_assert_cmpuint (scaled->width, ==, 6);
  g_assert_cmpuint (scaled->height, ==, 4);
  /* Nearest neighbour: each pixel becomes a 2x2 square. */
  g_assert_cmpuint (scaled->keys[0], ==, source->keys[0]);
  g_assert_cmpuint (scaled->keys[1], ==, source->keys[0]);
  g_assert_cmpuint (scaled->keys[6], ==, source->keys[0]);
  g_assert_cmpuint (scaled->keys[2], ==, source->keys[1]);

  /* The decoding is counted as the decode phase, once. */
  fl_gif_block_encoder_take_times (encoder, &times);
  g_assert_cmpuint (times.decode_ns, >, 0);
  fl_gif_block_encoder_take_times (encoder, &times);
  g_assert_cmpuint (times.decode_ns, ==, 0);
}

static void
assert_decode_fails (FlGifBlockEncoder *encoder, const guint8 *data, gsize length, int code,
                     const char *message)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (fl_gif_block_decode_source (encoder, data, length, "frames/7.png", 1, &error));
  g_assert_error (error, FL_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_decode_errors (void)
{
  static const guint32 black[] = { 0 };
  g_autoptr (FlGifBlockEncoder) encoder = fl_gif_block_encoder_new (NULL);
  g_autoptr (FlImage) image = make_image (4, 4, black, 1);
  g_autoptr (GByteArray) png = png_of (image);
  g_autoptr (GByteArray) huge = NULL;
  g_autoptr (FlImage) wide = make_image (5000, 1, black, 1);
  g_autofree char *truncated = NULL;

  assert_decode_fails (encoder, (const guint8 *) "", 0, FL_ERROR_INVALID_PNG,
                       "frames/7.png is not a valid PNG: no data");
  assert_decode_fails (encoder, (const guint8 *) "GIF89a not a PNG", 16, FL_ERROR_INVALID_PNG,
                       "frames/7.png is not a valid PNG: the signature is wrong");
  /* Cut inside the image data: the file ends before the chunk does. */
  truncated = g_strdup_printf ("frames/7.png is not a valid PNG: truncated after %u bytes",
                               png->len - 20);
  assert_decode_fails (encoder, png->data, png->len - 20, FL_ERROR_INVALID_PNG, truncated);
  huge = png_of (wide);
  assert_decode_fails (encoder, huge->data, huge->len, FL_ERROR_TOO_LARGE,
                       "frames/7.png is not a valid PNG: the image size 5000x1 is over the limit "
                       "of 4096x4096");
}

/* The 19 bytes before a block's LZW data, as fields. */
typedef struct
{
  guint disposal, transparent_flag, delay, left, top, width, height;
  gboolean local_table;
} Head;

static Head
head_of (const GByteArray *block)
{
  const guint8 *p = block->data;

  g_assert_cmpuint (block->len, >, 19);
  g_assert_cmpmem (p, 3, ((guint8[]) { 0x21, 0xf9, 0x04 }), 3);
  g_assert_cmpuint (p[8], ==, 0x2c);
  g_assert_cmpuint (p[block->len - 1], ==, 0);
  return (Head) { (p[3] >> 2) & 7, p[3] & 1, p[4] | p[5] << 8, p[9] | p[10] << 8,
                  p[11] | p[12] << 8, p[13] | p[14] << 8, p[15] | p[16] << 8,
                  (p[17] & 0x80) != 0 };
}

static void
test_encode_between_neighbours (void)
{
  static const guint32 two[] = { 0x102030, 0x405060 };
  g_autoptr (FlGifBlockEncoder) encoder = fl_gif_block_encoder_new (NULL);
  g_autoptr (FlImage) a = make_image (8, 8, two, 2);
  g_autoptr (FlImage) b = make_image (8, 8, two, 2);
  g_autoptr (FlGifSource) first = NULL;
  g_autoptr (FlGifSource) second = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GByteArray) again = g_byte_array_new ();
  FlGifFrameInfo info = { 0 };
  Head head;

  /* The second frame differs from the first in one pixel: (5,3). */
  b->pixels[(3 * 8 + 5) * 3] = 0xee;
  first = source_of (encoder, a);
  second = source_of (encoder, b);

  g_assert_true (fl_gif_block_encode_source (encoder, NULL, first, second, 10, out, &info, NULL));
  head = head_of (out);
  g_assert_cmpuint (info.width, ==, 8);
  g_assert_cmpuint (info.height, ==, 8);
  g_assert_false (info.quantised);
  /* The first frame draws all of itself, and stays (the next is opaque too). */
  g_assert_cmpuint (head.left, ==, 0);
  g_assert_cmpuint (head.top, ==, 0);
  g_assert_cmpuint (head.width, ==, 8);
  g_assert_cmpuint (head.height, ==, 8);
  g_assert_cmpuint (head.disposal, ==, 1);
  g_assert_cmpuint (head.delay, ==, 10);
  g_assert_true (head.local_table);

  /* The second draws only the pixel that changed. */
  g_byte_array_set_size (out, 0);
  g_assert_true (fl_gif_block_encode_source (encoder, first, second, NULL, 20, out, &info, NULL));
  head = head_of (out);
  g_assert_cmpuint (head.left, ==, 5);
  g_assert_cmpuint (head.top, ==, 3);
  g_assert_cmpuint (head.width, ==, 1);
  g_assert_cmpuint (head.height, ==, 1);
  g_assert_cmpuint (head.delay, ==, 20);

  /* Appended after what out holds, and the same bytes from a fresh encoder. */
  {
    g_autoptr (FlGifBlockEncoder) fresh = fl_gif_block_encoder_new (NULL);

    g_byte_array_append (again, (const guint8 *) "xy", 2);
    g_assert_true (fl_gif_block_encode_source (fresh, first, second, NULL, 20, again, NULL, NULL));
    g_assert_cmpmem (again->data + 2, again->len - 2, out->data, out->len);
  }
}

static void
test_global_table (void)
{
  g_autoptr (FlGifBlockEncoder) encoder = fl_gif_block_encoder_new (NULL);
  g_autoptr (FlGifSource) source = two_colour_source (encoder, 4, 4);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint8 rgb[768];
  guint bits = 0;

  g_assert_false (fl_gif_block_encoder_get_global (encoder, rgb, &bits));
  g_assert_true (fl_gif_block_encoder_add_global_colours (encoder, source, NULL));
  fl_gif_block_encoder_set_global (encoder);
  g_assert_true (fl_gif_block_encoder_get_global (encoder, rgb, &bits));
  /* Two colours in order of appearance, and room for a transparent entry. */
  g_assert_cmpuint (bits, ==, 2);
  g_assert_cmpmem (rgb, 6, ((guint8[]) { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60 }), 6);
  /* A frame whose colours are all in it uses it: no local table. */
  g_assert_true (fl_gif_block_encode_source (encoder, NULL, source, NULL, 0, out, NULL, NULL));
  g_assert_false (head_of (out).local_table);
}

static void
test_no_global_table (void)
{
  g_autoptr (FlGifBlockEncoder) encoder = fl_gif_block_encoder_new (NULL);
  g_autofree guint32 *many = g_new (guint32, 300);
  g_autoptr (FlImage) image = NULL;
  g_autoptr (FlGifSource) source = NULL;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  FlGifFrameInfo info;
  guint8 rgb[768];
  guint bits;

  for (guint i = 0; i < 300; i++)
    many[i] = i * 0x010203u;
  image = make_image (30, 10, many, 300);
  source = source_of (encoder, image);
  /* A first frame of more than 256 colours: no shared table, the frame is quantised. */
  g_assert_false (fl_gif_block_encoder_add_global_colours (encoder, source, NULL));
  fl_gif_block_encoder_set_global (encoder);
  g_assert_false (fl_gif_block_encoder_get_global (encoder, rgb, &bits));
  g_assert_true (fl_gif_block_encode_source (encoder, NULL, source, NULL, 0, out, &info, NULL));
  g_assert_true (info.quantised);
  g_assert_cmpuint (info.max_error, >, 0);
  g_assert_true (head_of (out).local_table);
}

static void
test_records (void)
{
  g_autoptr (FlGifBlockEncoder) encoder = fl_gif_block_encoder_new (NULL);
  g_autoptr (FlGifSource) source = two_colour_source (encoder, 6, 5);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GByteArray) block = g_byte_array_new ();
  FlGifRecordHeader header;

  fl_gif_record_append (out, FL_GIF_RECORD_ERROR, 7, 0, 0, FL_ERROR_IO, "bad", 3);
  g_assert_cmpuint (out->len, ==, sizeof header + 3);
  memcpy (&header, out->data, sizeof header);
  g_assert_cmpuint (header.kind, ==, FL_GIF_RECORD_ERROR);
  g_assert_cmpuint (header.index, ==, 7);
  g_assert_cmpuint (header.code, ==, FL_ERROR_IO);
  g_assert_cmpuint (header.length, ==, 3);
  g_assert_cmpmem (out->data + sizeof header, 3, "bad", 3);

  /* A frame record: the header then the block, as fl_gif_block_encode_source writes it. */
  g_byte_array_set_size (out, 0);
  g_assert_true (fl_gif_record_append_source (encoder, NULL, source, NULL, "frames/4.png", 4, 30,
                                              out, NULL));
  g_assert_true (fl_gif_block_encode_source (encoder, NULL, source, NULL, 30, block, NULL, NULL));
  memcpy (&header, out->data, sizeof header);
  g_assert_cmpuint (header.kind, ==, FL_GIF_RECORD_FRAME);
  g_assert_cmpuint (header.index, ==, 4);
  g_assert_cmpuint (header.width, ==, 6);
  g_assert_cmpuint (header.height, ==, 5);
  g_assert_cmpuint (header.code, ==, 0);
  g_assert_cmpuint (header.length, ==, out->len - sizeof header);
  g_assert_cmpmem (out->data + sizeof header, header.length, block->data, block->len);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gif-block/decode-source", test_decode_source);
  g_test_add_func ("/gif-block/decode-errors", test_decode_errors);
  g_test_add_func ("/gif-block/between-neighbours", test_encode_between_neighbours);
  g_test_add_func ("/gif-block/global-table", test_global_table);
  g_test_add_func ("/gif-block/no-global-table", test_no_global_table);
  g_test_add_func ("/gif-block/records", test_records);
  return g_test_run ();
}
