/* fl-png-private.h: what the PNG codec's files share (fl-png.c writes,
 * fl-png-check.c checks, fl-png-decode.c decodes). libpng and its setjmp stay
 * in the writer and the decoder; the check walks the chunks with zlib alone. */
#pragma once

#include <glib.h>
#include <png.h>
#include <setjmp.h>

#include "fl-png.h"

G_BEGIN_DECLS

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

/* libpng's error callback: keeps the first message, jumps to ctx->jump. */
void fl_png_on_error (png_structp png, png_const_charp message);
/* libpng's warning callback: benign oddities are not errors. */
void fl_png_on_warning (png_structp png, png_const_charp message);

/* Fails with the sentence both the check and the decoder give when length is
 * over limits->max_bytes. */
gboolean fl_png_check_length (gsize length, const FlPngLimits *limits, GError **error);

/* fl_png_check; with image_out, 8-bit RGB and RGBA images without interlacing
 * or tRNS are decoded on the way (*image_out; NULL for other kinds, which
 * libpng decodes): one inflate does both. */
gboolean fl_png_check_decoding (const guint8 *data, gsize length, const FlPngLimits *limits,
                                guint *width, guint *height, FlImage **image_out,
                                GError **error);

G_END_DECLS
