/* fl-gif-global.h: choosing an animation's global colour table.
 *
 * A frame whose changed pixels all have colours of the global table needs no
 * local table of its own (48 to 768 bytes) and may use shorter LZW codes. The
 * chooser sees samples: the first frame whole, then frames each with the frame
 * before it, and keeps each sample's set of changed colours. It then picks the
 * frames to serve: greedily, the frame whose local table saves the most bytes
 * per colour it adds, until 256 entries are used; the free entries up to the
 * table's size go to the colours on the most changed pixels. Everything
 * depends on the samples in the order given, so every worker that adds the
 * same samples gets the same table.
 */
#pragma once

#include <glib.h>

#include "fl-gif-delta.h"
#include "fl-gif-palette.h"

G_BEGIN_DECLS

typedef struct _FlGifGlobalChooser FlGifGlobalChooser;

FlGifGlobalChooser *fl_gif_global_chooser_new (void);
void                fl_gif_global_chooser_free (FlGifGlobalChooser *chooser);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlGifGlobalChooser, fl_gif_global_chooser_free)

/* Adds frame as a sample: all its colours when before is NULL (the first
 * frame), else those of the pixels where it differs from before. Returns FALSE,
 * and the chooser then refuses every table, when the first frame has more
 * than 256 colours and refuse_photo_like is set: a photo-like animation is
 * quantised frame by frame. */
gboolean fl_gif_global_chooser_add (FlGifGlobalChooser *chooser, const FlGifSource *frame,
                                    const FlGifSource *before, gboolean refuse_photo_like);

/* TRUE when more samples could serve more frames: the colours added so far
 * do not all fit in one table, yet the table would serve at least a quarter
 * of the samples whole. Frames each of many colours of their own (noise in
 * small frames) would fill a table with two or three of them: more samples
 * could not help and would cost their decoding. */
gboolean fl_gif_global_chooser_wants_more (FlGifGlobalChooser *chooser);

/* Fills table (rgb, n_entries, bits; transparent_index -1: each frame takes an
 * entry it does not draw) and returns TRUE, or FALSE when there is no table. */
gboolean fl_gif_global_chooser_choose (FlGifGlobalChooser *chooser, FlGifPalette *table);

/* The LZW code size (2..8) for a frame whose largest index is max_index. */
guint fl_gif_code_bits (guint max_index);

G_END_DECLS
