/* fl-png.c: the PNG codec's limits, libpng's callbacks and the write side
 * (the check is fl-png-check.c, the decoder fl-png-decode.c). */
#include "fl-png.h"
#include "fl-png-private.h"

#include "fl-error.h"

#include <string.h>

void
fl_png_limits_init_default (FlPngLimits *limits)
{
  limits->max_width = FL_PNG_DEFAULT_MAX_DIMENSION;
  limits->max_height = FL_PNG_DEFAULT_MAX_DIMENSION;
  limits->max_bytes = FL_PNG_DEFAULT_MAX_BYTES;
}

gboolean
fl_png_check_length (gsize length, const FlPngLimits *limits, GError **error)
{
  if (length > limits->max_bytes)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "not a valid PNG: %" G_GSIZE_FORMAT " bytes is over the limit of %"
                   G_GSIZE_FORMAT, length, limits->max_bytes);
      return FALSE;
    }
  return TRUE;
}

void
fl_png_on_error (png_structp png, png_const_charp message)
{
  PngContext *ctx = png_get_error_ptr (png);

  if (ctx->message[0] == '\0')
    g_strlcpy (ctx->message, message ? message : "unknown error", sizeof ctx->message);
  longjmp (ctx->jump, 1);
}

void
fl_png_on_warning (png_structp png, png_const_charp message)
{
  /* Benign oddities (a bad ancillary chunk, an sRGB mismatch) are not errors. */
}

static void
on_png_write (png_structp png, png_bytep data, png_size_t length)
{
  PngContext *ctx = png_get_io_ptr (png);

  g_byte_array_append (ctx->out, data, (guint) length);
}

static void
on_png_flush (png_structp png)
{
}

/* The encode side keeps its own context: the jump buffer has to outlive each
 * call, since every call into libpng sets it afresh. */
struct _FlPngWriter
{
  PngContext ctx;
  png_structp png;
  png_infop info;
  gsize stride;
  guint rows_left;
};

static gboolean
writer_failed (FlPngWriter *writer, GError **error)
{
  g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not encode a PNG: %s",
               writer->ctx.message);
  return FALSE;
}

FlPngWriter *
fl_png_writer_new (guint width, guint height, guint channels, GByteArray *out, GError **error)
{
  FlPngWriter *writer;

  g_return_val_if_fail (channels == 3 || channels == 4, NULL);
  /* malloc and memset, not calloc: glibc's calloc skips the thread cache, and
   * the server makes one writer per connection. */
  writer = g_malloc (sizeof *writer);
  memset (writer, 0, sizeof *writer);
  writer->ctx.out = out;
  writer->stride = (gsize) width * channels;
  writer->rows_left = height;
  writer->png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &writer->ctx, fl_png_on_error,
                                         fl_png_on_warning);
  if (writer->png == NULL || (writer->info = png_create_info_struct (writer->png)) == NULL)
    {
      g_strlcpy (writer->ctx.message, "out of memory", sizeof writer->ctx.message);
      writer_failed (writer, error);
      fl_png_writer_free (writer);
      return NULL;
    }
  if (setjmp (writer->ctx.jump))
    {
      writer_failed (writer, error);
      fl_png_writer_free (writer);
      return NULL;
    }
  png_set_write_fn (writer->png, &writer->ctx, on_png_write, on_png_flush);
  /* Random pixels never compress: store them. A small window keeps zlib's
   * buffers under glibc's mmap threshold, which is most of the cost otherwise,
   * and keeps the state of a writer small. */
  png_set_compression_level (writer->png, 0);
  png_set_compression_mem_level (writer->png, 1);
  png_set_compression_window_bits (writer->png, 9);
  png_set_filter (writer->png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
  png_set_IHDR (writer->png, writer->info, width, height, 8,
                channels == 4 ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
  png_write_info (writer->png, writer->info);
  return writer;
}

gboolean
fl_png_writer_write_rows (FlPngWriter *writer, const guint8 *rows, guint n_rows, GError **error)
{
  g_return_val_if_fail (n_rows <= writer->rows_left, FALSE);
  if (setjmp (writer->ctx.jump))
    return writer_failed (writer, error);
  for (guint i = 0; i < n_rows; i++)
    png_write_row (writer->png, rows + (gsize) i * writer->stride);
  writer->rows_left -= n_rows;
  return TRUE;
}

gboolean
fl_png_writer_finish (FlPngWriter *writer, GError **error)
{
  g_return_val_if_fail (writer->rows_left == 0, FALSE);
  if (setjmp (writer->ctx.jump))
    return writer_failed (writer, error);
  png_write_end (writer->png, writer->info);
  return TRUE;
}

void
fl_png_writer_free (FlPngWriter *writer)
{
  if (writer == NULL)
    return;
  png_destroy_write_struct (&writer->png, &writer->info);
  g_free (writer);
}

gboolean
fl_png_encode (const FlImage *image, GByteArray *out, GError **error)
{
  guint initial_length = out->len;
  FlPngWriter *writer;
  gboolean ok;

  writer = fl_png_writer_new (image->width, image->height, image->channels, out, error);
  ok = writer != NULL && fl_png_writer_write_rows (writer, image->pixels, image->height, error)
       && fl_png_writer_finish (writer, error);
  fl_png_writer_free (writer);
  if (!ok)
    g_byte_array_set_size (out, initial_length);
  return ok;
}
