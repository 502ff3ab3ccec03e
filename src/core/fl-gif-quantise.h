/* fl-gif-quantise.h: k-means refinement and nearest-colour mapping.
 *
 * Private to fl-gif-palette.c. Starting from the median cut's entries, a few
 * k-means passes over (a fixed subsample of) the opaque pixels move each entry
 * to the mean of the pixels nearest to it; then every pixel takes its nearest
 * entry, optionally with Floyd-Steinberg error diffusion. Everything is integer
 * arithmetic with ties broken by entry index: the same pixels always give the
 * same palette and indices.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FlGifQuantiser FlGifQuantiser;

FlGifQuantiser *fl_gif_quantiser_new (void);
void            fl_gif_quantiser_free (FlGifQuantiser *quantiser);

/* Refines rgb[0 .. n_colours) (n_colours >= 1 when any key is opaque) for the
 * n keys, a width-wide rectangle, and writes each key's index: its nearest
 * entry, transparent keys transparent_index. Returns the largest error of any
 * channel of any opaque pixel. */
guint fl_gif_quantise (FlGifQuantiser *quantiser, const guint32 *keys, gsize n, guint width,
                       gboolean dither, guint8 *rgb, guint n_colours, guint transparent_index,
                       guint8 *indices);

G_END_DECLS
