/* fl-gif-palette.h: one frame's colours as a GIF colour table plus indices.
 *
 * Exact when the frame has at most 256 distinct colours (transparent pixels
 * count as one): entries in order of first occurrence, so the result depends on
 * the pixels only. Otherwise a deterministic median cut refined by k-means,
 * each pixel mapped to its nearest entry (see fl-gif-palette.c and
 * fl-gif-quantise.c). Pixels with alpha < 128 all map to one transparent index.
 *
 * Pixels are handled as keys: 0xRRGGBB, or FL_GIF_KEY_TRANSPARENT.
 */
#pragma once

#include <glib.h>

#include "fl-image.h"

G_BEGIN_DECLS

#define FL_GIF_PALETTE_MAX 256u
#define FL_GIF_KEY_TRANSPARENT 0x01000000u

typedef struct
{
  guint8 rgb[FL_GIF_PALETTE_MAX * 3]; /* entries past n_entries are zero */
  guint n_entries;                     /* used entries, the transparent one included */
  int transparent_index;               /* -1 when no pixel is transparent */
  guint bits;                          /* table size is 1 << bits, 1..8 */
  gboolean quantised;                  /* more than 256 colours: median cut */
  guint max_error;                     /* largest |error| of any channel, 0 when exact */
} FlGifPalette;

typedef struct _FlGifPaletteBuilder FlGifPaletteBuilder;

/* Scratch state reused from frame to frame so that a worker does not allocate per
 * frame. One builder per thread; it holds no reference to any image. */
FlGifPaletteBuilder *fl_gif_palette_builder_new (void);
void                 fl_gif_palette_builder_free (FlGifPaletteBuilder *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlGifPaletteBuilder, fl_gif_palette_builder_free)

/* Fills palette for image (RGB or RGBA, 8-bit) and writes one index per pixel to
 * indices (width * height bytes, caller-owned). Deterministic: the same pixels
 * always give the same palette and indices. */
void fl_gif_palette_build (FlGifPaletteBuilder *builder, const FlImage *image,
                           FlGifPalette *palette, guint8 *indices);

/* The same for n_pixels keys (a width-wide rectangle, for dithering); dither
 * spreads a quantised frame's error (Floyd-Steinberg), exact ones never change. */
void fl_gif_palette_build_keys (FlGifPaletteBuilder *builder, const guint32 *keys, gsize n_pixels,
                                guint width, gboolean dither, FlGifPalette *palette,
                                guint8 *indices);

/* RGB or RGBA pixels (channels 3 or 4) to keys; alpha < 128 is transparent. */
void fl_gif_keys_from_pixels (const guint8 *pixels, gsize n_pixels, guint channels,
                              guint32 *keys);

G_END_DECLS
