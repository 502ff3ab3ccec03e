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
  writer->png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &writer->ctx, on_png_error,
                                         on_png_warning);
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

/* The most bytes a PNG with this header can sensibly take: the raw rows (plus
 * Adam7's extra filter bytes), deflate's worst expansion (fixed Huffman codes:
 * 9 bits for some bytes, under 1/8 more), IDAT chunks of at least 256 bytes
 * (12 bytes each of framing) and 256 KiB of side chunks. */
static guint64
size_bound (guint width, guint height, guint bits_per_pixel, gboolean interlaced)
{
  guint64 raw = (guint64) height * (1 + ((guint64) width * bits_per_pixel + 7) / 8);

  if (interlaced)
    raw += 14 * ((guint64) height + 8);
  raw += raw / 8 + 1024;
  return raw + raw / 20 + 256 * 1024;
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

/* Inflates the IDAT stream in fixed steps and walks it row by row: the image data
 * must inflate without error to exactly the rows the header promises (every
 * Adam7 pass when interlaced), each starting with a known filter type. Only two
 * rows of a palette image are kept, so a zlib bomb costs time bounded by the
 * header's size (itself within the limits), never memory. */
typedef struct
{
  z_stream zs;
  gboolean started, ended;
  guint pass;            /* 0 when not interlaced, else the Adam7 pass 0..6 */
  gboolean interlaced;
  guint width, height, bits_per_pixel;
  guint64 row_length;    /* filter byte plus samples, of the current pass */
  guint64 rows;          /* in the current pass */
  guint64 row, column;   /* position in the current pass */
  gboolean complete;     /* every row of every pass seen */
  /* Palette images: rows are unfiltered to check every index against the
   * palette (libpng maps an index beyond it silently; the decoder refuses it).
   * 8-bit RGB and RGBA when decoding: rows are unfiltered into image. */
  guint palette_entries; /* 0: not a palette image */
  guint8 *row_now, *row_before; /* samples of this row and the one before; NULL: no unfiltering */
  guint filter_offset;   /* bytes from a sample to the one it is filtered against */
  guint channels;        /* of the file's 8-bit pixels when image is set: 3 or 4 */
  FlImage *image;        /* the decoded pixels (RGBA8), or NULL */
  guint64 pass_width;    /* pixels per row of the current pass */
  guint filter;          /* of the current row */
} IdatCheck;

static const guint8 adam7[7][4] = {
  /* start x, step x, start y, step y */
  { 0, 8, 0, 8 }, { 4, 8, 0, 8 }, { 0, 4, 4, 8 }, { 2, 4, 0, 4 },
  { 0, 2, 2, 4 }, { 1, 2, 0, 2 }, { 0, 1, 1, 2 },
};

/* Moves to the next pass with at least one pixel, or marks the image complete. */
static void
idat_next_pass (IdatCheck *check, gboolean first)
{
  if (!check->interlaced)
    {
      if (first)
        {
          check->rows = check->height;
          check->pass_width = check->width;
          check->row_length = 1 + ((guint64) check->width * check->bits_per_pixel + 7) / 8;
        }
      else
        check->complete = TRUE;
      return;
    }
  for (check->pass = first ? 0 : check->pass + 1; check->pass < 7; check->pass++)
    {
      const guint8 *a = adam7[check->pass];
      guint64 w = check->width > a[0] ? (check->width - a[0] + a[1] - 1) / a[1] : 0;
      guint64 h = check->height > a[2] ? (check->height - a[2] + a[3] - 1) / a[3] : 0;

      if (w > 0 && h > 0)
        {
          check->rows = h;
          check->pass_width = w;
          check->row_length = 1 + (w * check->bits_per_pixel + 7) / 8;
          check->row = check->column = 0;
          if (check->row_before != NULL)
            memset (check->row_before, 0, check->row_length - 1);
          return;
        }
    }
  check->complete = TRUE;
}

static guint8
paeth (guint8 a, guint8 b, guint8 c)
{
  int p = a + b - c, pa = ABS (p - a), pb = ABS (p - b), pc = ABS (p - c);

  return (pa <= pb && pa <= pc) ? a : pb <= pc ? b : c;
}

/* Unfilters a complete row, then checks its palette indices or stores its
 * pixels; swaps the row buffers. */
static gboolean
idat_row (IdatCheck *check, guint filter)
{
  guint8 *now = check->row_now, *before = check->row_before;
  gsize n = (gsize) check->row_length - 1;
  guint depth = check->bits_per_pixel;
  const gsize bpp = check->filter_offset;

  /* One loop per filter type, the first pixel's bytes apart (nothing to their left). */
  switch (filter)
    {
    case 1:
      for (gsize x = bpp; x < n; x++)
        now[x] += now[x - bpp];
      break;
    case 2:
      for (gsize x = 0; x < n; x++)
        now[x] += before[x];
      break;
    case 3:
      for (gsize x = 0; x < MIN (bpp, n); x++)
        now[x] += (guint8) (before[x] / 2);
      for (gsize x = bpp; x < n; x++)
        now[x] += (guint8) ((now[x - bpp] + before[x]) / 2);
      break;
    case 4:
      for (gsize x = 0; x < MIN (bpp, n); x++)
        now[x] += paeth (0, before[x], 0);
      for (gsize x = bpp; x < n; x++)
        now[x] += paeth (now[x - bpp], before[x], before[x - bpp]);
      break;
    default:
      break;
    }
  if (check->image != NULL)
    {
      guint8 *out = check->image->pixels + (gsize) check->row * check->image->width * 4;

      if (check->channels == 4)
        memcpy (out, now, n);
      else
        for (gsize x = 0; x < check->pass_width; x++)
          {
            out[x * 4] = now[x * 3];
            out[x * 4 + 1] = now[x * 3 + 1];
            out[x * 4 + 2] = now[x * 3 + 2];
            out[x * 4 + 3] = 255;
          }
    }
  else
    for (guint64 x = 0; x < check->pass_width; x++)
      {
        guint64 bit = x * depth;
        guint index = (now[bit / 8] >> (8 - depth - bit % 8)) & ((1u << depth) - 1);

        if (index >= check->palette_entries)
          return FALSE;
      }
  check->row_now = before;
  check->row_before = now;
  return TRUE;
}

static const char *
idat_walk (IdatCheck *check, const guint8 *data, gsize length)
{
  gsize i = 0;

  while (i < length)
    {
      guint64 step;

      if (check->complete)
        return "there is more image data than the header says";
      if (check->column == 0)
        {
          if (data[i] > 4)
            return "a row has an unknown filter type";
          check->filter = data[i];
        }
      step = MIN ((guint64) (length - i), check->row_length - check->column);
      if (check->row_now != NULL)
        {
          /* Samples only: the filter byte is at column 0. */
          gsize skip = check->column == 0 ? 1 : 0;
          memcpy (check->row_now + check->column - 1 + skip, data + i + skip,
                  (gsize) step - skip);
        }
      i += (gsize) step;
      check->column += step;
      if (check->column == check->row_length)
        {
          check->column = 0;
          if (check->row_now != NULL && !idat_row (check, check->filter))
            return "a pixel uses a colour beyond the palette";
          if (++check->row == check->rows)
            idat_next_pass (check, FALSE);
        }
    }
  return NULL;
}

static const char *
idat_feed (IdatCheck *check, const guint8 *data, gsize length)
{
  guint8 out[16384];

  if (!check->started)
    {
      memset (&check->zs, 0, sizeof check->zs);
      if (inflateInit (&check->zs) != Z_OK)
        return "out of memory";
      check->started = TRUE;
    }
  /* libpng ignores bytes after the end of the zlib stream with a warning: so do we. */
  while (length > 0 && !check->ended)
    {
      uInt n = (uInt) MIN (length, (gsize) 1 << 30);

      check->zs.next_in = (Bytef *) data;
      check->zs.avail_in = n;
      data += n;
      length -= n;
      do
        {
          const char *why;
          int rc;

          check->zs.next_out = out;
          check->zs.avail_out = sizeof out;
          rc = inflate (&check->zs, Z_NO_FLUSH);
          if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            return "the image data is corrupt";
          why = idat_walk (check, out, sizeof out - check->zs.avail_out);
          if (why != NULL)
            return why;
          if (rc == Z_STREAM_END)
            {
              check->ended = TRUE;
              /* libpng with benign errors refused refuses it ("Extra compressed data"). */
              if (check->image != NULL && (check->zs.avail_in > 0 || length > 0))
                return "there is data after the end of the image data";
              break;
            }
        }
      while (check->zs.avail_in > 0 || check->zs.avail_out == 0);
    }
  return NULL;
}

static void
idat_clear (IdatCheck *check)
{
  if (check->started)
    inflateEnd (&check->zs);
  check->started = FALSE;
  g_clear_pointer (&check->row_now, g_free);
  g_clear_pointer (&check->row_before, g_free);
  g_clear_pointer (&check->image, fl_image_free);
}

/* Ancillary chunks whose place libpng checks (its "out of place" benign errors,
 * which fl_png_decode treats as errors): before IDAT; for a palette image after
 * PLTE; and before PLTE. A known one that is empty is malformed. */
static gboolean
chunk_is (const guint8 *type, const char *const *names)
{
  for (; *names != NULL; names++)
    if (memcmp (type, *names, 4) == 0)
      return TRUE;
  return FALSE;
}

static const char *const chunks_before_idat[] = {
  "bKGD", "cHRM", "gAMA", "hIST", "iCCP", "oFFs", "pCAL", "pHYs", "sBIT", "sCAL", "sPLT",
  "sRGB", "tRNS", NULL,
};
static const char *const chunks_after_plte[] = { "bKGD", "hIST", "tRNS", NULL };
static const char *const chunks_before_plte[] = { "cHRM", "gAMA", "iCCP", "sBIT", "sRGB", NULL };
static const char *const chunks_never_empty[] = {
  "bKGD", "cHRM", "gAMA", "hIST", "iCCP", "oFFs", "pCAL", "pHYs", "sBIT", "sCAL", "sPLT",
  "sRGB", "tRNS", "tIME", "tEXt", "zTXt", "iTXt", "eXIf", NULL,
};

#define INVALID(...) \
  G_STMT_START { \
    g_set_error (error, FL_ERROR, FL_ERROR_INVALID_PNG, __VA_ARGS__); \
    goto fail; \
  } G_STMT_END

/* Allocates the row buffers for unfiltering: the full width holds any pass's row. */
static gboolean
idat_alloc_rows (IdatCheck *check, gsize row_bytes, GError **error)
{
  check->row_now = g_try_malloc0 (row_bytes);
  check->row_before = g_try_malloc0 (row_bytes);
  if (check->row_now == NULL || check->row_before == NULL)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_FAILED, "Could not check a PNG: out of memory");
      return FALSE;
    }
  return TRUE;
}

/* The 13 bytes of an IHDR body: a valid size within limits, depth, colour type
 * and methods; fills idat's geometry. */
static gboolean
ihdr_check (const guint8 *p, const FlPngLimits *limits, IdatCheck *idat, guint *color_type,
            guint *depth, GError **error)
{
  guint w = read_be32 (p), h = read_be32 (p + 4);

  *depth = p[8];
  *color_type = p[9];
  if (w == 0 || h == 0 || w > 0x7fffffffu || h > 0x7fffffffu)
    INVALID ("not a valid PNG: the image size %ux%u is not valid", w, h);
  if (!ihdr_depth_valid (*depth, *color_type))
    INVALID ("not a valid PNG: bit depth %u with colour type %u is not valid", *depth,
             *color_type);
  if (p[10] != 0 || p[11] != 0 || p[12] > 1)
    INVALID ("not a valid PNG: unknown compression, filter or interlace method");
  if (w > limits->max_width || h > limits->max_height)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "not a valid PNG: the image size %ux%u is over the limit of %ux%u", w, h,
                   limits->max_width, limits->max_height);
      return FALSE;
    }
  idat->width = w;
  idat->height = h;
  idat->interlaced = p[12] == 1;
  idat->bits_per_pixel = *depth * (*color_type == 2 ? 3 : *color_type == 4 ? 2
                                   : *color_type == 6 ? 4 : 1);
  return TRUE;

fail:
  return FALSE;
}

gboolean
fl_png_peek_header (const guint8 *data, gsize length, const FlPngLimits *limits,
                    gsize *max_bytes, GError **error)
{
  FlPngLimits defaults;
  IdatCheck idat = { 0 };
  guint color_type, depth;

  if (limits == NULL)
    {
      fl_png_limits_init_default (&defaults);
      limits = &defaults;
    }
  *max_bytes = 0;
  if (length < FL_PNG_HEADER_SIZE)
    return TRUE;
  if (memcmp (data, png_signature, FL_PNG_SIGNATURE_SIZE) != 0)
    INVALID ("not a valid PNG: the signature is wrong");
  if (read_be32 (data + 8) != 13 || memcmp (data + 12, "IHDR", 4) != 0)
    INVALID ("not a valid PNG: the first chunk is not a valid IHDR");
  if ((guint32) crc32 (0, data + 12, 17) != read_be32 (data + 29))
    INVALID ("not a valid PNG: CRC error in the IHDR chunk");
  if (!ihdr_check (data + 16, limits, &idat, &color_type, &depth, error))
    return FALSE;
  *max_bytes = (gsize) MIN ((guint64) limits->max_bytes,
                            size_bound (idat.width, idat.height, idat.bits_per_pixel,
                                        idat.interlaced));
  return TRUE;

fail:
  return FALSE;
}

/* The whole check. With image_out, 8-bit RGB and RGBA images without
 * interlacing or tRNS are decoded on the way (*image_out; NULL for other
 * kinds, which libpng decodes): one inflate does both. */
static gboolean
check_png (const guint8 *data, gsize length, const FlPngLimits *limits, guint *width,
           guint *height, FlImage **image_out, GError **error)
{
  FlPngLimits defaults;
  gsize offset = FL_PNG_SIGNATURE_SIZE;
  gboolean seen_ihdr = FALSE, seen_idat = FALSE, seen_plte = FALSE;
  guint color_type = 0, w = 0, h = 0, depth = 0;
  gboolean seen_trns = FALSE, after_idat = FALSE;
  IdatCheck idat = { 0 };
  const char *why;

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
      goto fail;
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

      if (seen_idat && memcmp (type, "IDAT", 4) != 0)
        after_idat = TRUE;
      if (memcmp (type, "tRNS", 4) == 0)
        seen_trns = TRUE;
      crc_stored = read_be32 (data + offset + 8 + chunk_length);
      if ((guint32) crc32 (0, type, chunk_length + 4) != crc_stored)
        INVALID ("not a valid PNG: CRC error in the %.4s chunk", (const char *) type);

      if (!seen_ihdr)
        {
          if (memcmp (type, "IHDR", 4) != 0 || chunk_length != 13)
            INVALID ("not a valid PNG: the first chunk is not a valid IHDR");
          if (!ihdr_check (data + offset + 8, limits, &idat, &color_type, &depth, error))
            goto fail;
          w = idat.width;
          h = idat.height;
          idat_next_pass (&idat, TRUE);
          idat.filter_offset = 1;
          /* At most width bytes a row (depth <= 8). */
          if (color_type == 3 && !idat_alloc_rows (&idat, ((gsize) w * depth + 7) / 8, error))
            goto fail;
          seen_ihdr = TRUE;
        }
      else if (memcmp (type, "IHDR", 4) == 0)
        INVALID ("not a valid PNG: more than one IHDR chunk");
      else if (memcmp (type, "PLTE", 4) == 0)
        {
          if (seen_idat || chunk_length == 0 || chunk_length % 3 != 0 || chunk_length > 768)
            INVALID ("not a valid PNG: the palette is not valid");
          idat.palette_entries = chunk_length / 3;
          seen_plte = TRUE;
        }
      else if (memcmp (type, "IDAT", 4) == 0)
        {
          if (color_type == 3 && !seen_plte)
            INVALID ("not a valid PNG: a palette image has no palette");
          /* libpng refuses image data split by another chunk ("Too many IDATs"). */
          if (image_out != NULL && after_idat && chunk_length > 0 && !idat.ended)
            INVALID ("not a valid PNG: the image data is split by another chunk");
          if (!seen_idat && image_out != NULL && depth == 8 && (color_type == 2 || color_type == 6)
              && !idat.interlaced && !seen_trns)
            {
              idat.channels = color_type == 6 ? 4 : 3;
              idat.filter_offset = idat.channels;
              idat.image = fl_image_new (w, h, 4, error);
              if (idat.image == NULL)
                {
                  g_prefix_error (error, "not a valid PNG: ");
                  goto fail;
                }
              if (!idat_alloc_rows (&idat, (gsize) w * idat.channels, error))
                goto fail;
            }
          why = idat_feed (&idat, data + offset + 8, chunk_length);
          if (why != NULL)
            INVALID ("not a valid PNG: %s", why);
          seen_idat = TRUE;
        }
      else if (memcmp (type, "IEND", 4) == 0)
        {
          if (!seen_idat)
            INVALID ("not a valid PNG: no image data (IDAT)");
          if (!idat.complete)
            INVALID ("not a valid PNG: the image data ends before the last row");
          if (!idat.ended)
            INVALID ("not a valid PNG: the image data is not a complete zlib stream");
          if (chunk_length != 0)
            INVALID ("not a valid PNG: the IEND chunk is not empty");
          if (offset + 12 != length)
            INVALID ("not a valid PNG: %" G_GSIZE_FORMAT " unexpected bytes after IEND",
                     length - offset - 12);
          break;
        }
      else if (!(type[0] & 0x20))
        INVALID ("not a valid PNG: unknown critical chunk %.4s", (const char *) type);
      else if ((seen_idat && chunk_is (type, chunks_before_idat))
               || (color_type == 3 && !seen_plte && chunk_is (type, chunks_after_plte))
               || (seen_plte && chunk_is (type, chunks_before_plte)))
        INVALID ("not a valid PNG: the %.4s chunk is out of place", (const char *) type);
      else if (chunk_length == 0 && chunk_is (type, chunks_never_empty))
        INVALID ("not a valid PNG: the %.4s chunk is empty", (const char *) type);

      offset += (gsize) chunk_length + 12;
    }

  if (image_out != NULL)
    *image_out = g_steal_pointer (&idat.image);
  idat_clear (&idat);
  if (width)
    *width = w;
  if (height)
    *height = h;
  return TRUE;

fail:
  idat_clear (&idat);
  return FALSE;
}

#undef INVALID

gboolean
fl_png_check (const guint8 *data, gsize length, const FlPngLimits *limits, guint *width,
              guint *height, GError **error)
{
  return check_png (data, length, limits, width, height, NULL, error);
}

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
  png_set_read_fn (png, &ctx, on_png_read);
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
  rows = g_try_new (png_bytep, height);
  if (rows == NULL)
    png_error (png, "out of memory");
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

FlImage *
fl_png_decode_checked (const guint8 *data, gsize length, const FlPngLimits *limits,
                       GError **error)
{
  FlImage *image = NULL;

  if (!check_png (data, length, limits, NULL, NULL, &image, error))
    return NULL;
  /* Other kinds (palette, grey, 16-bit, interlaced, tRNS) are rare as frames:
   * libpng decodes them, inflating a second time. */
  if (image == NULL)
    image = fl_png_decode (data, length, limits, error);
  return image;
}
