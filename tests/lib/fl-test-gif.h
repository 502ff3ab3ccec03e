/* fl-test-gif.h: builds GIFs byte by byte, hostile ones included, for the
 * hostile app tests (header-only, static helpers). giflib's encoder refuses to
 * write most of what these tests need: indices beyond the colour table, frames
 * larger than the screen, LZW streams that expand a few KiB into gigapixels. */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <string.h>

static inline void
hg_u16 (GByteArray *b, guint v)
{
  guint8 le[2] = { v & 0xff, (v >> 8) & 0xff };

  g_byte_array_append (b, le, 2);
}

static inline void
hg_u8 (GByteArray *b, guint v)
{
  guint8 c = (guint8) v;

  g_byte_array_append (b, &c, 1);
}

/* A colour table of 2^bits entries: entry i is (i, 255 - i, 7i). */
static inline void
hg_table (GByteArray *b, guint bits)
{
  for (guint i = 0; i < (1u << bits); i++)
    {
      hg_u8 (b, i);
      hg_u8 (b, 255 - i);
      hg_u8 (b, i * 7);
    }
}

/* The colour hg_table gives index i, as FlGifCanvas renders it (0xAARRGGBB). */
static inline guint32
hg_color (guint i)
{
  return 0xff000000u | (i << 16) | ((255 - i) << 8) | ((i * 7) & 0xff);
}

/* Header and logical screen; table_bits 0: no global colour table. */
static inline GByteArray *
hg_new (guint width, guint height, guint table_bits)
{
  GByteArray *b = g_byte_array_new ();

  g_byte_array_append (b, (const guint8 *) "GIF89a", 6);
  hg_u16 (b, width);
  hg_u16 (b, height);
  hg_u8 (b, table_bits ? 0x80 | 0x70 | (table_bits - 1) : 0);
  hg_u8 (b, 0);
  hg_u8 (b, 0);
  if (table_bits)
    hg_table (b, table_bits);
  return b;
}

static inline void
hg_loop (GByteArray *b, guint count)
{
  g_byte_array_append (b, (const guint8 *) "\x21\xff\x0bNETSCAPE2.0\x03\x01", 16);
  hg_u16 (b, count);
  hg_u8 (b, 0);
}

/* A graphic control extension; transparent < 0: none; disposal 0-3. */
static inline void
hg_gce (GByteArray *b, guint delay_cs, int transparent, guint disposal)
{
  g_byte_array_append (b, (const guint8 *) "\x21\xf9\x04", 3);
  hg_u8 (b, (disposal << 2) | (transparent >= 0 ? 1 : 0));
  hg_u16 (b, delay_cs);
  hg_u8 (b, transparent >= 0 ? (guint) transparent : 0);
  hg_u8 (b, 0);
}

static inline void
hg_comment (GByteArray *b, const char *text)
{
  hg_u8 (b, 0x21);
  hg_u8 (b, 0xfe);
  hg_u8 (b, strlen (text));
  g_byte_array_append (b, (const guint8 *) text, strlen (text));
  hg_u8 (b, 0);
}

/* An image descriptor (and its local table when table_bits > 0); the raster
 * must follow. */
static inline void
hg_image (GByteArray *b, guint left, guint top, guint width, guint height, guint table_bits,
          gboolean interlace)
{
  hg_u8 (b, ',');
  hg_u16 (b, left);
  hg_u16 (b, top);
  hg_u16 (b, width);
  hg_u16 (b, height);
  hg_u8 (b, (table_bits ? 0x80 | (table_bits - 1) : 0) | (interlace ? 0x40 : 0));
  if (table_bits)
    hg_table (b, table_bits);
}

/* LZW code writer with giflib's decoder state mirrored (minimum code size 8
 * unless hg_lzw_begin_size says otherwise), so that code widths match what
 * the decoder expects. */
typedef struct
{
  GByteArray *out;
  guint8 block[255];
  guint block_len;
  guint32 acc;
  guint acc_bits;
  guint running_code, running_bits, max_code1;
  guint min_size, clear;
} HgLzw;

static inline void
hg_lzw_flush_block (HgLzw *z)
{
  if (z->block_len == 0)
    return;
  hg_u8 (z->out, z->block_len);
  g_byte_array_append (z->out, z->block, z->block_len);
  z->block_len = 0;
}

static inline void
hg_lzw_put (HgLzw *z, guint code)
{
  z->acc |= (guint32) code << z->acc_bits;
  z->acc_bits += z->running_bits;
  while (z->acc_bits >= 8)
    {
      z->block[z->block_len++] = z->acc & 0xff;
      z->acc >>= 8;
      z->acc_bits -= 8;
      if (z->block_len == 255)
        hg_lzw_flush_block (z);
    }
  /* giflib: every code read bumps RunningCode, widening past MaxCode1. */
  if (z->running_code < 4097 && ++z->running_code > z->max_code1 && z->running_bits < 12)
    {
      z->max_code1 <<= 1;
      z->running_bits++;
    }
  if (code == z->clear)
    {
      z->running_code = z->clear + 2;
      z->running_bits = z->min_size + 1;
      z->max_code1 = z->clear << 1;
    }
}

/* Starts a raster with minimum code size min_size (2..11; above 8 only
 * browsers and FlGifLzwReader read it, giflib refuses). */
static inline void
hg_lzw_begin_size (HgLzw *z, GByteArray *out, guint min_size)
{
  memset (z, 0, sizeof *z);
  z->out = out;
  z->min_size = min_size;
  z->clear = 1u << min_size;
  z->running_code = z->clear + 2;
  z->running_bits = min_size + 1;
  z->max_code1 = z->clear << 1;
  hg_u8 (out, min_size);
}

static inline void
hg_lzw_begin (HgLzw *z, GByteArray *out)
{
  hg_lzw_begin_size (z, out, 8);
}

/* End of information, then the block terminator. */
static inline void
hg_lzw_end (HgLzw *z, gboolean eoi)
{
  if (eoi)
    hg_lzw_put (z, z->clear + 1);
  if (z->acc_bits > 0)
    {
      z->block[z->block_len++] = z->acc & 0xff;
      if (z->block_len == 255)
        hg_lzw_flush_block (z);
    }
  hg_lzw_flush_block (z);
  hg_u8 (z->out, 0);
}

/* The raster as literal codes of minimum size min_size, a clear code often
 * enough that the width never grows. */
static inline void
hg_raster_size (GByteArray *b, const guint16 *codes, gsize n, guint min_size)
{
  HgLzw z;

  hg_lzw_begin_size (&z, b, min_size);
  for (gsize i = 0; i < n; i++)
    {
      if (i % (z.clear - 6) == 0)
        hg_lzw_put (&z, z.clear);
      hg_lzw_put (&z, codes[i]);
    }
  hg_lzw_end (&z, TRUE);
}

/* The raster as literal codes, a clear code every 250 so the width stays 9. */
static inline void
hg_raster (GByteArray *b, const guint8 *indices, gsize n)
{
  HgLzw z;

  hg_lzw_begin (&z, b);
  for (gsize i = 0; i < n; i++)
    {
      if (i % 250 == 0)
        hg_lzw_put (&z, 256);
      hg_lzw_put (&z, indices[i]);
    }
  hg_lzw_end (&z, TRUE);
}

/* A decompression bomb: at least n_pixels of colour index, each code one
 * pixel longer than the last (the KwKwK case), about 5.5 KiB per 7.4 million
 * pixels. Pixels beyond the frame's size are extra data, which decoders skip. */
static inline void
hg_raster_solid (GByteArray *b, guint index, guint64 n_pixels)
{
  HgLzw z;
  guint64 done = 0;

  hg_lzw_begin (&z, b);
  while (done < n_pixels)
    {
      hg_lzw_put (&z, 256);
      hg_lzw_put (&z, index);
      done++;
      for (guint code = 258; code <= 4095 && done < n_pixels; code++)
        {
          hg_lzw_put (&z, code);
          done += code - 256;
        }
    }
  hg_lzw_end (&z, TRUE);
}

static inline GBytes *
hg_finish (GByteArray *b)
{
  hg_u8 (b, ';');
  return g_byte_array_free_to_bytes (b);
}

/* Writes bytes to dir/name; returns the path (caller frees). */
static inline char *
hg_write (const char *dir, const char *name, GBytes *bytes)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  return path;
}

/* ThreadSanitizer maps several shadow bytes for every byte touched: under it,
 * peak RSS says nothing about our budget, nor the time spent freeing large
 * blocks about our code, so those figures are only reported. */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
#define HG_RSS_MEASURABLE 0
#else
#define HG_RSS_MEASURABLE 1
#endif

#define hg_assert_peak_kib(peak, limit)                                                    \
  G_STMT_START                                                                             \
  {                                                                                        \
    if (HG_RSS_MEASURABLE)                                                                 \
      g_assert_cmpuint ((peak), <=, (limit));                                              \
    else                                                                                   \
      g_test_message ("ThreadSanitizer build: peak RSS reported, not checked");            \
  }                                                                                        \
  G_STMT_END

/* Makes the peak resident set size (VmHWM in fl_test_status_field) start again
 * from now. */
static inline gboolean
hg_reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}
