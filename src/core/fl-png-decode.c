/* fl-png-decode.c: any valid PNG to RGBA8 with libpng (fl_png_decode), and
 * the check and the decode in one (fl_png_decode_checked). */
#include "fl-png.h"
#include "fl-png-private.h"

#include "fl-error.h"

#include <string.h>

static void
on_png_read (png_structp png, png_bytep data, png_size_t length)
{
  PngContext *ctx = png_get_io_ptr (png);

  if (ctx->in_length - ctx->in_offset < length)
    png_error (png, "the data is truncated");
  memcpy (data, ctx->in + ctx->in_offset, length);
  ctx->in_offset += length;
}

/* Expands in place the palette indices that sit at the start of every RGBA row.
 * Returns FALSE when an index is beyond the palette. */
static gboolean
map_palette (png_structp png, png_infop info, FlImage *image)
{
  png_colorp palette = NULL;
  png_bytep trans = NULL;
  int n_palette = 0, n_trans = 0;
  guint8 rgba[256][4];

  if (png_get_PLTE (png, info, &palette, &n_palette) == 0 || n_palette <= 0)
    return FALSE;
  png_get_tRNS (png, info, &trans, &n_trans, NULL);
  for (int i = 0; i < 256; i++)
    {
      gboolean defined = i < n_palette;
      rgba[i][0] = defined ? palette[i].red : 0;
      rgba[i][1] = defined ? palette[i].green : 0;
      rgba[i][2] = defined ? palette[i].blue : 0;
      rgba[i][3] = (trans != NULL && i < n_trans) ? trans[i] : 255;
    }
  for (guint y = 0; y < image->height; y++)
    {
      guint8 *row = image->pixels + (gsize) y * image->width * 4;
      /* Backwards, so that no index is overwritten before it is read. */
      for (guint x = image->width; x-- > 0;)
        {
          guint index = row[x];
          if (index >= (guint) n_palette)
            return FALSE;
          memcpy (row + (gsize) x * 4, rgba[index], 4);
        }
    }
  return TRUE;
}

static const png_byte ignored_chunks[] =
  "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0"
  "tEXt\0tIME\0zTXt";

/* Before libpng sees the bytes: within the size limit and a PNG signature. */
static gboolean
decode_check_start (const guint8 *data, gsize length, const FlPngLimits *limits, GError **error)
{
  if (!fl_png_check_length (length, limits, error))
    return FALSE;
  if (length < FL_PNG_SIGNATURE_SIZE || png_sig_cmp (data, 0, FL_PNG_SIGNATURE_SIZE) != 0)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INVALID_PNG,
                           length == 0 ? "not a valid PNG: the file is empty"
                                       : "not a valid PNG: the signature is wrong");
      return FALSE;
    }
  return TRUE;
}

/* Reads from ctx, within limits, strict about what libpng calls benign. */
static void
decode_set_options (png_structp png, PngContext *ctx, const FlPngLimits *limits)
{
  png_set_read_fn (png, ctx, on_png_read);
  png_set_user_limits (png, limits->max_width, limits->max_height);
  png_set_chunk_malloc_max (png, MIN (limits->max_bytes, (gsize) 64 * 1024 * 1024));
  /* libpng lets palette indices beyond the palette and malformed ancillary
   * chunks pass as "benign"; a frame we cannot reproduce exactly is not benign. */
  png_set_benign_errors (png, 0);
  /* What makes a frame is IHDR, PLTE, tRNS and the pixels: skip the other chunks
   * unread, so that a damaged text or colour-space chunk (which the frame does not
   * use) fails neither here nor in fl_png_check, and the two agree on every file. */
  png_set_keep_unknown_chunks (png, PNG_HANDLE_CHUNK_NEVER, ignored_chunks,
                               (int) (sizeof ignored_chunks / 5));
}

/* The pixels into rows (one a row of image, RGBA8), through png_error on failure. */
static void
decode_rows (png_structp png, png_infop info, FlImage *image, png_bytep *rows)
{
  if (png_get_color_type (png, info) == PNG_COLOR_TYPE_PALETTE)
    {
      /* Indices are read as bytes (one per pixel, at the start of each RGBA row)
       * and mapped here, since libpng maps an index beyond the palette silently. */
      png_set_packing (png);
      png_set_interlace_handling (png);
      png_read_update_info (png, info);
      if (png_get_rowbytes (png, info) != image->width)
        png_error (png, "unexpected row layout for a palette image");
      png_read_image (png, rows);
      png_read_end (png, NULL);
      if (!map_palette (png, info, image))
        png_error (png, "a pixel uses a colour beyond the palette");
    }
  else
    {
      /* Everything else to 8-bit RGBA. */
      png_set_expand (png);
      png_set_scale_16 (png);
      png_set_gray_to_rgb (png);
      png_set_add_alpha (png, 0xff, PNG_FILLER_AFTER);
      png_set_interlace_handling (png);
      png_read_update_info (png, info);
      if (png_get_rowbytes (png, info) != (gsize) image->width * 4)
        png_error (png, "unexpected row layout after conversion");
      png_read_image (png, rows);
      png_read_end (png, NULL);
    }
}

FlImage *
fl_png_decode (const guint8 *data, gsize length, const FlPngLimits *limits_in, GError **error)
{
  PngContext ctx = { .in = data, .in_length = length };
  FlPngLimits limits;
  png_structp png;
  png_infop info = NULL;
  FlImage *volatile image = NULL;
  png_bytep *volatile rows = NULL;
  GError *size_error = NULL;
  guint width, height;

  if (limits_in == NULL)
    fl_png_limits_init_default (&limits);
  else
    limits = *limits_in;
  if (!decode_check_start (data, length, &limits, error))
    return NULL;
  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &ctx, fl_png_on_error, fl_png_on_warning);
  if (png == NULL || (info = png_create_info_struct (png)) == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      g_set_error_literal (error, FL_ERROR, FL_ERROR_FAILED,
                           "Could not decode a PNG: out of memory");
      return NULL;
    }
  if (setjmp (ctx.jump))
    {
      png_destroy_read_struct (&png, &info, NULL);
      g_free (rows);
      fl_image_free (image);
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_PNG, "not a valid PNG: %s", ctx.message);
      return NULL;
    }
  decode_set_options (png, &ctx, &limits);
  png_read_info (png, info);

  width = png_get_image_width (png, info);
  height = png_get_image_height (png, info);
  if (!fl_image_check_size (width, height, &size_error))
    {
      png_destroy_read_struct (&png, &info, NULL);
      g_set_error (error, FL_ERROR, size_error->code, "not a valid PNG: %s", size_error->message);
      g_error_free (size_error);
      return NULL;
    }
  image = fl_image_new (width, height, 4, NULL);
  if (image == NULL)
    png_error (png, "out of memory");
  rows = g_try_new (png_bytep, height);
  if (rows == NULL)
    png_error (png, "out of memory");
  for (guint y = 0; y < height; y++)
    rows[y] = image->pixels + (gsize) y * width * 4;
  decode_rows (png, info, image, rows);
  png_destroy_read_struct (&png, &info, NULL);
  g_free (rows);
  return image;
}

FlImage *
fl_png_decode_checked (const guint8 *data, gsize length, const FlPngLimits *limits,
                       GError **error)
{
  FlImage *image = NULL;

  if (!fl_png_check_decoding (data, length, limits, NULL, NULL, &image, error))
    return NULL;
  /* Other kinds (palette, grey, 16-bit, interlaced, tRNS) are rare as frames:
   * libpng decodes them, inflating a second time. */
  if (image == NULL)
    image = fl_png_decode (data, length, limits, error);
  return image;
}
