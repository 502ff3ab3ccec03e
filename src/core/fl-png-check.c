/* fl-png-check.c: the check of untrusted PNG bytes (fl_png_check), chunk by
 * chunk with zlib's inflate in fixed steps; for 8-bit RGB and RGBA frames the
 * same walk decodes the rows (fl_png_decode_checked). */
#include "fl-png.h"
#include "fl-png-private.h"

#include "fl-error.h"

#include <string.h>
#include <zlib.h>

static const guint8 png_signature[FL_PNG_SIGNATURE_SIZE] = { 137, 80, 78, 71, 13, 10, 26, 10 };

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
    return FALSE; \
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
}

/* What the walk over the chunks has seen so far. */
typedef struct
{
  const FlPngLimits *limits;
  gboolean decoding; /* decode 8-bit RGB and RGBA on the way */
  gboolean seen_ihdr, seen_idat, seen_plte, seen_trns, after_idat;
  guint color_type, depth;
  IdatCheck idat;
} ChunkWalk;

/* The file as a whole before its chunks: within the size limit, not empty, the signature. */
static gboolean
check_start (const guint8 *data, gsize length, const FlPngLimits *limits, GError **error)
{
  if (!fl_png_check_length (length, limits, error))
    return FALSE;
  if (length == 0)
    INVALID ("not a valid PNG: no data");
  if (length < FL_PNG_SIGNATURE_SIZE || memcmp (data, png_signature, FL_PNG_SIGNATURE_SIZE) != 0)
    {
      if (length < FL_PNG_SIGNATURE_SIZE && memcmp (data, png_signature, length) == 0)
        INVALID ("not a valid PNG: truncated after %" G_GSIZE_FORMAT " bytes", length);
      INVALID ("not a valid PNG: the signature is wrong");
    }
  return TRUE;
}

/* The chunk at offset as a frame: length, type and CRC; sets its length and type. */
static gboolean
check_chunk_frame (const guint8 *data, gsize length, gsize offset, guint32 *chunk_length,
                   const guint8 **type, GError **error)
{
  guint32 crc_stored;

  if (length - offset < 12)
    INVALID ("not a valid PNG: truncated after %" G_GSIZE_FORMAT " bytes (no IEND)", length);
  *chunk_length = read_be32 (data + offset);
  *type = data + offset + 4;
  if (*chunk_length > 0x7fffffffu)
    INVALID ("not a valid PNG: a chunk length is out of range");
  if (*chunk_length > length - offset - 12)
    INVALID ("not a valid PNG: truncated after %" G_GSIZE_FORMAT " bytes", length);
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isalpha ((*type)[i]))
      INVALID ("not a valid PNG: a chunk type is not valid");
  crc_stored = read_be32 (data + offset + 8 + *chunk_length);
  if ((guint32) crc32 (0, *type, *chunk_length + 4) != crc_stored)
    INVALID ("not a valid PNG: CRC error in the %.4s chunk", (const char *) *type);
  return TRUE;
}

/* The first chunk, which must be the IHDR. */
static gboolean
walk_ihdr (ChunkWalk *walk, const guint8 *type, const guint8 *body, guint32 chunk_length,
           GError **error)
{
  IdatCheck *idat = &walk->idat;

  if (memcmp (type, "IHDR", 4) != 0 || chunk_length != 13)
    INVALID ("not a valid PNG: the first chunk is not a valid IHDR");
  if (!ihdr_check (body, walk->limits, idat, &walk->color_type, &walk->depth, error))
    return FALSE;
  idat_next_pass (idat, TRUE);
  idat->filter_offset = 1;
  /* At most width bytes a row (depth <= 8). */
  if (walk->color_type == 3
      && !idat_alloc_rows (idat, ((gsize) idat->width * walk->depth + 7) / 8, error))
    return FALSE;
  walk->seen_ihdr = TRUE;
  return TRUE;
}

/* Whether this walk decodes the image: 8-bit RGB and RGBA without interlacing
 * or tRNS, what the server and most tools write. */
static gboolean
walk_decodes (const ChunkWalk *walk)
{
  return walk->decoding && walk->depth == 8 && (walk->color_type == 2 || walk->color_type == 6)
         && !walk->idat.interlaced && !walk->seen_trns;
}

/* An IDAT chunk: its data inflated and walked row by row (decoded, on the way). */
static gboolean
walk_idat (ChunkWalk *walk, const guint8 *body, guint32 chunk_length, GError **error)
{
  IdatCheck *idat = &walk->idat;
  const char *why;

  if (walk->color_type == 3 && !walk->seen_plte)
    INVALID ("not a valid PNG: a palette image has no palette");
  /* libpng refuses image data split by another chunk ("Too many IDATs"). */
  if (walk->decoding && walk->after_idat && chunk_length > 0 && !idat->ended)
    INVALID ("not a valid PNG: the image data is split by another chunk");
  if (!walk->seen_idat && walk_decodes (walk))
    {
      idat->channels = walk->color_type == 6 ? 4 : 3;
      idat->filter_offset = idat->channels;
      idat->image = fl_image_new (idat->width, idat->height, 4, error);
      if (idat->image == NULL)
        {
          g_prefix_error (error, "not a valid PNG: ");
          return FALSE;
        }
      if (!idat_alloc_rows (idat, (gsize) idat->width * idat->channels, error))
        return FALSE;
    }
  why = idat_feed (idat, body, chunk_length);
  if (why != NULL)
    INVALID ("not a valid PNG: %s", why);
  walk->seen_idat = TRUE;
  return TRUE;
}

/* The IEND chunk: the image data complete, nothing after it. */
static gboolean
walk_iend (ChunkWalk *walk, gsize length, gsize offset, guint32 chunk_length, GError **error)
{
  if (!walk->seen_idat)
    INVALID ("not a valid PNG: no image data (IDAT)");
  if (!walk->idat.complete)
    INVALID ("not a valid PNG: the image data ends before the last row");
  if (!walk->idat.ended)
    INVALID ("not a valid PNG: the image data is not a complete zlib stream");
  if (chunk_length != 0)
    INVALID ("not a valid PNG: the IEND chunk is not empty");
  if (offset + 12 != length)
    INVALID ("not a valid PNG: %" G_GSIZE_FORMAT " unexpected bytes after IEND",
             length - offset - 12);
  return TRUE;
}

/* A chunk after the IHDR other than IDAT and IEND: PLTE, or an ancillary one in its place. */
static gboolean
walk_other (ChunkWalk *walk, const guint8 *type, guint32 chunk_length, GError **error)
{
  if (memcmp (type, "IHDR", 4) == 0)
    INVALID ("not a valid PNG: more than one IHDR chunk");
  if (memcmp (type, "PLTE", 4) == 0)
    {
      if (walk->seen_idat || chunk_length == 0 || chunk_length % 3 != 0 || chunk_length > 768)
        INVALID ("not a valid PNG: the palette is not valid");
      walk->idat.palette_entries = chunk_length / 3;
      walk->seen_plte = TRUE;
      return TRUE;
    }
  if (!(type[0] & 0x20))
    INVALID ("not a valid PNG: unknown critical chunk %.4s", (const char *) type);
  if ((walk->seen_idat && chunk_is (type, chunks_before_idat))
      || (walk->color_type == 3 && !walk->seen_plte && chunk_is (type, chunks_after_plte))
      || (walk->seen_plte && chunk_is (type, chunks_before_plte)))
    INVALID ("not a valid PNG: the %.4s chunk is out of place", (const char *) type);
  if (chunk_length == 0 && chunk_is (type, chunks_never_empty))
    INVALID ("not a valid PNG: the %.4s chunk is empty", (const char *) type);
  return TRUE;
}

/* Every chunk from the signature to IEND. */
static gboolean
walk_chunks (ChunkWalk *walk, const guint8 *data, gsize length, GError **error)
{
  gsize offset = FL_PNG_SIGNATURE_SIZE;

  for (;;)
    {
      guint32 chunk_length;
      const guint8 *type, *body;
      gboolean ok;

      if (!check_chunk_frame (data, length, offset, &chunk_length, &type, error))
        return FALSE;
      if (walk->seen_idat && memcmp (type, "IDAT", 4) != 0)
        walk->after_idat = TRUE;
      if (memcmp (type, "tRNS", 4) == 0)
        walk->seen_trns = TRUE;
      body = data + offset + 8;
      if (!walk->seen_ihdr)
        ok = walk_ihdr (walk, type, body, chunk_length, error);
      else if (memcmp (type, "IDAT", 4) == 0)
        ok = walk_idat (walk, body, chunk_length, error);
      else if (memcmp (type, "IEND", 4) == 0)
        return walk_iend (walk, length, offset, chunk_length, error);
      else
        ok = walk_other (walk, type, chunk_length, error);
      if (!ok)
        return FALSE;
      offset += (gsize) chunk_length + 12;
    }
}

#undef INVALID

gboolean
fl_png_check_decoding (const guint8 *data, gsize length, const FlPngLimits *limits,
                       guint *width, guint *height, FlImage **image_out, GError **error)
{
  FlPngLimits defaults;
  ChunkWalk walk = { .decoding = image_out != NULL };

  if (limits == NULL)
    {
      fl_png_limits_init_default (&defaults);
      limits = &defaults;
    }
  walk.limits = limits;
  if (!check_start (data, length, limits, error) || !walk_chunks (&walk, data, length, error))
    {
      idat_clear (&walk.idat);
      return FALSE;
    }
  if (image_out != NULL)
    *image_out = g_steal_pointer (&walk.idat.image);
  if (width)
    *width = walk.idat.width;
  if (height)
    *height = walk.idat.height;
  idat_clear (&walk.idat);
  return TRUE;
}

gboolean
fl_png_check (const guint8 *data, gsize length, const FlPngLimits *limits, guint *width,
              guint *height, GError **error)
{
  return fl_png_check_decoding (data, length, limits, width, height, NULL, error);
}
