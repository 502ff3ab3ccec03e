/* fl-gif-lzw-reader.h: private to the GIF reader. An LZW decoder for the one case
 * giflib refuses: a minimum code size of 9 to 11 (giflib stops at 8; browsers
 * and gdk-pixbuf decode up to 11, the most that leaves room for a code after
 * the clear and end codes in 12 bits). Every other raster goes through giflib.
 *
 * It reads the raster's sub-blocks straight from memory; codes above 255 that
 * stand for single pixels keep their low byte, as Firefox and Chromium store
 * them, and the reader then checks them against the colour table like any
 * other index. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FL_GIF_LZW_READ_MAX_CODES 4096

typedef enum
{
  FL_GIF_LZW_READ_OK,       /* the pixels asked for were decoded */
  FL_GIF_LZW_READ_END,      /* the end code or the data ended first: the rest is missing */
  FL_GIF_LZW_READ_DAMAGED,  /* a code that is not in the table yet */
} FlGifLzwReadStatus;

typedef struct
{
  const guint8 *data;
  gsize length;
  gsize block;         /* offset of the next sub-block's length byte */
  const guint8 *bytes; /* the current sub-block's unread bytes */
  guint n_bytes;
  guint32 bits;
  guint n_bits;
  guint min_size, code_size, clear, next_code;
  int prev;            /* the previous code, -1 after a clear */
  gboolean ended;
  guint16 prefix[FL_GIF_LZW_READ_MAX_CODES];
  guint8 suffix[FL_GIF_LZW_READ_MAX_CODES];
  guint8 first[FL_GIF_LZW_READ_MAX_CODES];    /* the first pixel of each code's string */
  guint16 length_of[FL_GIF_LZW_READ_MAX_CODES];
  guint8 stack[FL_GIF_LZW_READ_MAX_CODES];
  guint n_stack;       /* pixels of the last string not handed out yet */
} FlGifLzwReader;

/* raster is the offset of the raster's first sub-block (just after the code
 * size byte) in data; min_size is that byte (2..11). */
void           fl_gif_lzw_reader_init (FlGifLzwReader *lzw, const guint8 *data, gsize length, gsize raster,
                                guint min_size);
/* Decodes the next n pixels into out. */
FlGifLzwReadStatus fl_gif_lzw_reader_read (FlGifLzwReader *lzw, guint8 *out, gsize n);
/* The offset just after the raster's block terminator, or 0 when the file ends
 * before it. */
gsize          fl_gif_lzw_reader_skip (FlGifLzwReader *lzw);

G_END_DECLS
