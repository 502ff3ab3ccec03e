/* fl-gif-delta.h: what one frame of an animation must draw, given its neighbours.
 *
 * Each frame is a source: its pixels as keys (fl-gif-palette.h), placed at the
 * top left of the logical screen, transparent beyond its own size. A decoder
 * must show exactly the sources, one after another. Frame k draws only the
 * rectangle where the screen after frame k-1 differs from source k; pixels
 * inside it that did not change may be left transparent. GIF cannot turn an
 * opaque pixel transparent, so when source k+1 is transparent where source k
 * is opaque, frame k covers all of its opaque pixels and is disposed to the
 * background (disposal 2); otherwise it stays (disposal 1).
 *
 * The screen left after frame k-1 is therefore source k-1 or, when frame k-1
 * was disposed, empty: it depends on sources k-1 and k only, so a frame's
 * block depends on sources k-1, k and k+1 and nothing older. That is what
 * lets a worker start anywhere: it reads one frame before its range and one
 * after. Comparisons are of sources, not of what a quantised frame showed: a
 * pixel whose colour did not change keeps what it showed before.
 */
#pragma once

#include <glib.h>

#include "fl-image.h"

G_BEGIN_DECLS

typedef struct
{
  guint width, height;
  guint32 *keys; /* width * height, row by row, owned */
} FlGifSource;

/* Takes image (8-bit RGBA, consumed: its pixels become the keys in place) and
 * enlarges it scale times (nearest neighbour) when scale > 1. NULL with error
 * when the enlarged frame would be too large. */
FlGifSource *fl_gif_source_new_from_image (FlImage *image, guint scale, GError **error);
void         fl_gif_source_free (FlGifSource *source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlGifSource, fl_gif_source_free)

typedef struct
{
  const FlGifSource *canvas; /* the screen before the frame: NULL when empty */
  guint left, top, width, height; /* the rectangle the frame draws, at least 1x1 */
  gboolean dispose;          /* disposal 2 after the frame, else 1 */
  gboolean has_changes;      /* FALSE: nothing differs, the frame is one transparent pixel */
} FlGifDelta;

/* Plans frame cur after prev (NULL for the first frame) and before next (NULL
 * when nothing follows). */
void fl_gif_delta_plan (const FlGifSource *prev, const FlGifSource *cur, const FlGifSource *next,
                        FlGifDelta *delta);

typedef enum
{
  FL_GIF_UNCHANGED_HIDDEN, /* transparent */
  FL_GIF_UNCHANGED_DRAWN,  /* their colour */
} FlGifUnchanged;

/* Writes the rectangle's keys (delta->width * delta->height) to keys: changed
 * pixels their colour, transparent ones FL_GIF_KEY_TRANSPARENT, unchanged
 * opaque ones as unchanged_as says; and when unchanged_mask is not NULL, 1 for
 * each unchanged pixel, else 0. Returns how many opaque pixels of the
 * rectangle are unchanged. */
gsize fl_gif_delta_keys (const FlGifDelta *delta, const FlGifSource *cur,
                         FlGifUnchanged unchanged_as, guint32 *keys, guint8 *unchanged_mask);

typedef struct
{
  guint left, top, width, height;
} FlGifTile;

/* Cuts source cur into rectangles of at most 256 colours each (transparent
 * counts as one), in drawing order, so that several image blocks can show a
 * frame of more colours exactly: bands of whole rows, top to bottom, as tall
 * as they can be; a row of more than 256 colours alone is cut into runs, left
 * to right. Fills tiles (FlGifTile); one tile, the whole source, when it has
 * at most 256 colours. */
void fl_gif_delta_tiles (const FlGifSource *cur, GArray *tiles);

G_END_DECLS
