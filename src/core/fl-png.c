/* fl-png.c: libpng behind a memory-only API. The only file that sees setjmp. */
#include "fl-png.h"

#include "fl-error.h"

#include <png.h>
#include <setjmp.h>
#include <string.h>
#include <zlib.h>

static const guint8 png_signature[FL_PNG_SIGNATURE_SIZE] = { 137, 80, 78, 71, 13, 10, 26, 10 };

void
fl_png_limits_init_default (FlPngLimits *limits)
{
  limits->max_width = FL_PNG_DEFAULT_MAX_DIMENSION;
  limits->max_height = FL_PNG_DEFAULT_MAX_DIMENSION;
  limits->max_bytes = FL_PNG_DEFAULT_MAX_BYTES;
}

/* State shared with the libpng callbacks; message holds the first error. */
typedef struct
{
  jmp_buf jump;
  char message[160];
  GByteArray *out;
  const guint8 *in;
  gsize in_length;
  gsize in_offset;
} PngContext;

static void
on_png_error (png_structp png, png_const_charp message)
{
  PngContext *ctx = png_get_error_ptr (png);

  if (ctx->message[0] == '\0')
    g_strlcpy (ctx->message, message ? message : "unknown error", sizeof ctx->message);
  longjmp (ctx->jump, 1);
}

static void
on_png_warning (png_structp png, png_const_charp message)
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

gboolean
fl_png_encode (const FlImage *image, GByteArray *out, GError **error)
{
  PngContext ctx = { .out = out };
  png_structp png;
  png_infop info = NULL;
  guint initial_length = out->len;
  const int color_type = image->channels == 4 ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB;
  const gsize stride = (gsize) image->width * image->channels;

  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &ctx, on_png_error, on_png_warning);
  if (png == NULL || (info = png_create_info_struct (png)) == NULL)
    {
      png_destroy_write_struct (&png, NULL);
      g_set_error_literal (error, FL_ERROR, FL_ERROR_FAILED,
                           "Could not encode a PNG: out of memory");
      return FALSE;
    }
  if (setjmp (ctx.jump))
    {
      png_destroy_write_struct (&png, &info);
      g_byte_array_set_size (out, initial_length);
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not encode a PNG: %s", ctx.message);
      return FALSE;
    }
  png_set_write_fn (png, &ctx, on_png_write, on_png_flush);
  /* Random pixels never compress: store them. A small window keeps zlib's
   * buffers under glibc's mmap threshold, which is most of the cost otherwise. */
  png_set_compression_level (png, 0);
  png_set_compression_mem_level (png, 1);
  png_set_compression_window_bits (png, 9);
  png_set_filter (png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
  png_set_IHDR (png, info, image->width, image->height, 8, color_type, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
  png_write_info (png, info);
  for (guint y = 0; y < image->height; y++)
    png_write_row (png, image->pixels + y * stride);
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  return TRUE;
}

static inline guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

gboolean
fl_png_peek_size (const guint8 *data, gsize length, guint *width, guint *height)
{
  if (length < 33 || memcmp (data, png_signature, 8) != 0 || memcmp (data + 12, "IHDR", 4) != 0)
    return FALSE;
  *width = read_be32 (data + 16);
  *height = read_be32 (data + 20);
  return TRUE;
}

static gboolean
ihdr_depth_valid (guint depth, guint color_type)
{
  switch (color_type)
    {
    case 0: /* grey */
      return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3: /* palette */
      return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2: /* RGB */
    case 4: /* grey + alpha */
    case 6: /* RGBA */
      return depth == 8 || depth == 16;
    default:
      return FALSE;
    }
}

#define INVALID(...) \
  G_STMT_START { \
    g_set_error (error, FL_ERROR, FL_ERROR_INVALID_PNG, __VA_ARGS__); \
    return FALSE; \
  } G_STMT_END

gboolean
fl_png_check (const guint8 *data, gsize length, const FlPngLimits *limits, guint *width,
              guint *height, GError **error)
{
  FlPngLimits defaults;
  gsize offset = FL_PNG_SIGNATURE_SIZE;
  gboolean seen_ihdr = FALSE, seen_idat = FALSE, seen_plte = FALSE;
  guint color_type = 0, w = 0, h = 0;

  if (limits == NULL)
    {
      fl_png_limits_init_default (&defaults);
      limits = &defaults;
    }
  if (length > limits->max_bytes)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "not a valid PNG: %" G_GSIZE_FORMAT " bytes is over the limit of %"
                   G_GSIZE_FORMAT, length, limits->max_bytes);
      return FALSE;
    }
  if (length == 0)
    INVALID ("not a valid PNG: no data");
  if (length < FL_PNG_SIGNATURE_SIZE || memcmp (data, png_signature, FL_PNG_SIGNATURE_SIZE) != 0)
    {
      if (length < FL_PNG_SIGNATURE_SIZE && memcmp (data, png_signature, length) == 0)
        INVALID ("not a valid PNG: truncated after %" G_GSIZE_FORMAT " bytes", length);
      INVALID ("not a valid PNG: the signature is wrong");
    }

  for (;;)
    {
      guint32 chunk_length, crc_stored;
      const guint8 *type;

      if (length - offset < 12)
        INVALID ("not a valid PNG: truncated after %" G_GSIZE_FORMAT " bytes (no IEND)", length);
      chunk_length = read_be32 (data + offset);
      type = data + offset + 4;
      if (chunk_length > 0x7fffffffu)
        INVALID ("not a valid PNG: a chunk length is out of range");
      if (chunk_length > length - offset - 12)
        INVALID ("not a valid PNG: truncated after %" G_GSIZE_FORMAT " bytes", length);
      for (int i = 0; i < 4; i++)
        if (!g_ascii_isalpha (type[i]))
          INVALID ("not a valid PNG: a chunk type is not valid");

      crc_stored = read_be32 (data + offset + 8 + chunk_length);
      if ((guint32) crc32 (0, type, chunk_length + 4) != crc_stored)
        INVALID ("not a valid PNG: CRC error in the %.4s chunk", (const char *) type);

      if (!seen_ihdr)
        {
          const guint8 *p = data + offset + 8;
          guint depth;

          if (memcmp (type, "IHDR", 4) != 0 || chunk_length != 13)
            INVALID ("not a valid PNG: the first chunk is not a valid IHDR");
          w = read_be32 (p);
          h = read_be32 (p + 4);
          depth = p[8];
          color_type = p[9];
          if (w == 0 || h == 0 || w > 0x7fffffffu || h > 0x7fffffffu)
            INVALID ("not a valid PNG: the image size %ux%u is not valid", w, h);
          if (!ihdr_depth_valid (depth, color_type))
            INVALID ("not a valid PNG: bit depth %u with colour type %u is not valid",
                     depth, color_type);
          if (p[10] != 0 || p[11] != 0 || p[12] > 1)
            INVALID ("not a valid PNG: unknown compression, filter or interlace method");
          if (w > limits->max_width || h > limits->max_height)
            {
              g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                           "not a valid PNG: the image size %ux%u is over the limit of %ux%u",
                           w, h, limits->max_width, limits->max_height);
              return FALSE;
            }
          seen_ihdr = TRUE;
        }
      else if (memcmp (type, "IHDR", 4) == 0)
        INVALID ("not a valid PNG: more than one IHDR chunk");
      else if (memcmp (type, "PLTE", 4) == 0)
        {
          if (seen_idat || chunk_length == 0 || chunk_length % 3 != 0 || chunk_length > 768)
            INVALID ("not a valid PNG: the palette is not valid");
          seen_plte = TRUE;
        }
      else if (memcmp (type, "IDAT", 4) == 0)
        {
          if (color_type == 3 && !seen_plte)
            INVALID ("not a valid PNG: a palette image has no palette");
          seen_idat = TRUE;
        }
      else if (memcmp (type, "IEND", 4) == 0)
        {
          if (!seen_idat)
            INVALID ("not a valid PNG: no image data (IDAT)");
          if (chunk_length != 0)
            INVALID ("not a valid PNG: the IEND chunk is not empty");
          if (offset + 12 != length)
            INVALID ("not a valid PNG: %" G_GSIZE_FORMAT " unexpected bytes after IEND",
                     length - offset - 12);
          break;
        }
      else if (!(type[0] & 0x20))
        INVALID ("not a valid PNG: unknown critical chunk %.4s", (const char *) type);

      offset += (gsize) chunk_length + 12;
    }

  if (width)
    *width = w;
  if (height)
    *height = h;
  return TRUE;
}

#undef INVALID

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

FlImage *
fl_png_decode (const guint8 *data, gsize length, const FlPngLimits *limits_in, GError **error)
{
  PngContext ctx = { .in = data, .in_length = length };
  FlPngLimits limits_copy;
  const FlPngLimits *limits = &limits_copy;
  png_structp png;
  png_infop info = NULL;
  FlImage *volatile image = NULL;
  png_bytep *volatile rows = NULL;
  guint width, height;

  if (limits_in == NULL)
    fl_png_limits_init_default (&limits_copy);
  else
    limits_copy = *limits_in;
  if (length > limits->max_bytes)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "not a valid PNG: %" G_GSIZE_FORMAT " bytes is over the limit of %"
                   G_GSIZE_FORMAT, length, limits->max_bytes);
      return NULL;
    }
  if (length < FL_PNG_SIGNATURE_SIZE || png_sig_cmp (data, 0, FL_PNG_SIGNATURE_SIZE) != 0)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INVALID_PNG,
                           length == 0 ? "not a valid PNG: the file is empty"
                                       : "not a valid PNG: the signature is wrong");
      return NULL;
    }

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &ctx, on_png_error, on_png_warning);
  if (png == NULL || (info = png_create_info_struct (png)) == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      g_set_error_literal (error, FL_ERROR, FL_ERROR_FAILED, "Could not decode a PNG: out of memory");
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
  png_set_read_fn (png, &ctx, on_png_read);
  png_set_user_limits (png, limits->max_width, limits->max_height);
  png_set_chunk_malloc_max (png, MIN (limits->max_bytes, (gsize) 64 * 1024 * 1024));
  /* libpng lets palette indices beyond the palette and malformed ancillary
   * chunks pass as "benign"; a frame we cannot reproduce exactly is not benign. */
  png_set_benign_errors (png, 0);
  png_read_info (png, info);

  width = png_get_image_width (png, info);
  height = png_get_image_height (png, info);
  {
    GError *size_error = NULL;
    if (!fl_image_check_size (width, height, &size_error))
      {
        png_destroy_read_struct (&png, &info, NULL);
        g_set_error (error, FL_ERROR, size_error->code, "not a valid PNG: %s", size_error->message);
        g_error_free (size_error);
        return NULL;
      }
  }

  image = fl_image_new (width, height, 4, NULL);
  if (image == NULL)
    png_error (png, "out of memory");
  rows = g_new (png_bytep, height);
  for (guint y = 0; y < height; y++)
    rows[y] = image->pixels + (gsize) y * width * 4;

  if (png_get_color_type (png, info) == PNG_COLOR_TYPE_PALETTE)
    {
      /* Indices are read as bytes (one per pixel, at the start of each RGBA row)
       * and mapped here, since libpng maps an index beyond the palette silently. */
      png_set_packing (png);
      png_set_interlace_handling (png);
      png_read_update_info (png, info);
      if (png_get_rowbytes (png, info) != width)
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
      if (png_get_rowbytes (png, info) != (gsize) width * 4)
        png_error (png, "unexpected row layout after conversion");
      png_read_image (png, rows);
      png_read_end (png, NULL);
    }

  png_destroy_read_struct (&png, &info, NULL);
  g_free (rows);
  return image;
}
