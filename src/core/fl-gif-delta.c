/* fl-gif-delta.c: changed rectangles and disposal between consecutive frames. */
#include "fl-gif-delta.h"

#include "fl-error.h"
#include "fl-gif-block.h"
#include "fl-gif-palette.h"

#include <string.h>

FlGifSource *
fl_gif_source_new_from_image (FlImage *image, guint scale, GError **error)
{
  const gsize n = (gsize) image->width * image->height;
  FlGifSource *source;
  guint32 *keys;

  g_return_val_if_fail (image->channels == 4, NULL);
  scale = MAX (scale, 1);
  if ((guint64) image->width * scale > FL_GIF_MAX_DIMENSION
      || (guint64) image->height * scale > FL_GIF_MAX_DIMENSION
      || (guint64) n * scale * scale > FL_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "A %ux%u frame enlarged %u times does not fit in a GIF (at most %ux%u, %u "
                   "pixels)", image->width, image->height, scale, FL_GIF_MAX_DIMENSION,
                   FL_GIF_MAX_DIMENSION, FL_IMAGE_MAX_PIXELS);
      fl_image_free (image);
      return NULL;
    }
  /* Four bytes a pixel either way: the keys overwrite the pixels they come from. */
  keys = (guint32 *) (void *) image->pixels;
  fl_gif_keys_from_pixels (image->pixels, n, 4, keys);
  source = g_new0 (FlGifSource, 1);
  source->width = image->width * scale;
  source->height = image->height * scale;
  if (scale == 1)
    source->keys = keys;
  else
    {
      source->keys = g_new (guint32, (gsize) source->width * source->height);
      for (guint y = 0; y < source->height; y++)
        {
          const guint32 *from = keys + (gsize) (y / scale) * image->width;
          guint32 *to = source->keys + (gsize) y * source->width;

          for (guint x = 0; x < source->width; x++)
            to[x] = from[x / scale];
        }
      g_free (keys);
    }
  image->pixels = NULL;
  fl_image_free (image);
  return source;
}

void
fl_gif_source_free (FlGifSource *source)
{
  if (source == NULL)
    return;
  g_free (source->keys);
  g_free (source);
}

/* Row y of source, or NULL below it; *width is how much of the row exists. */
static inline const guint32 *
source_row (const FlGifSource *source, guint y, guint *width)
{
  if (source == NULL || y >= source->height)
    {
      *width = 0;
      return NULL;
    }
  *width = source->width;
  return source->keys + (gsize) y * source->width;
}

/* Some pixel opaque in cur is transparent in next: the screen must be cleared. */
static gboolean
needs_clear (const FlGifSource *cur, const FlGifSource *next)
{
  for (guint y = 0; y < cur->height; y++)
    {
      const guint32 *row = cur->keys + (gsize) y * cur->width;
      guint next_width;
      const guint32 *next_row = source_row (next, y, &next_width);

      for (guint x = 0; x < cur->width; x++)
        if (row[x] != FL_GIF_KEY_TRANSPARENT
            && (x >= next_width || next_row[x] == FL_GIF_KEY_TRANSPARENT))
          return TRUE;
    }
  return FALSE;
}

typedef struct
{
  guint x0, y0, x1, y1; /* inclusive; x0 > x1 when empty */
} Box;

static inline void
box_add (Box *box, guint x, guint y)
{
  box->x0 = MIN (box->x0, x);
  box->x1 = MAX (box->x1, x);
  box->y0 = MIN (box->y0, y);
  box->y1 = MAX (box->y1, y);
}

void
fl_gif_delta_plan (const FlGifSource *prev, const FlGifSource *cur, const FlGifSource *next,
                   FlGifDelta *delta)
{
  Box changed = { G_MAXUINT, G_MAXUINT, 0, 0 }, opaque = changed;
  const Box *box;

  delta->canvas = prev != NULL && !needs_clear (prev, cur) ? prev : NULL;
  delta->dispose = next != NULL && needs_clear (cur, next);
  for (guint y = 0; y < cur->height; y++)
    {
      const guint32 *row = cur->keys + (gsize) y * cur->width;
      guint canvas_width;
      const guint32 *canvas_row = source_row (delta->canvas, y, &canvas_width);
      guint first = G_MAXUINT, last = 0, first_changed = G_MAXUINT, last_changed = 0;

      for (guint x = 0; x < cur->width; x++)
        {
          guint32 key = row[x];

          if (key == FL_GIF_KEY_TRANSPARENT)
            continue;
          first = MIN (first, x);
          last = x;
          if (x >= canvas_width || canvas_row[x] != key)
            {
              first_changed = MIN (first_changed, x);
              last_changed = x;
            }
        }
      if (first != G_MAXUINT)
        {
          box_add (&opaque, first, y);
          box_add (&opaque, last, y);
        }
      if (first_changed != G_MAXUINT)
        {
          box_add (&changed, first_changed, y);
          box_add (&changed, last_changed, y);
        }
    }
  /* A disposed frame must cover every opaque pixel, so that clearing its
   * rectangle empties the screen. Every changed pixel is opaque. */
  box = delta->dispose ? &opaque : &changed;
  delta->has_changes = changed.x0 <= changed.x1;
  if (box->x0 > box->x1)
    {
      delta->left = delta->top = 0;
      delta->width = delta->height = 1;
      return;
    }
  delta->left = box->x0;
  delta->top = box->y0;
  delta->width = box->x1 - box->x0 + 1;
  delta->height = box->y1 - box->y0 + 1;
}

gsize
fl_gif_delta_keys (const FlGifDelta *delta, const FlGifSource *cur, FlGifUnchanged unchanged_as,
                   guint32 *keys, guint8 *unchanged_mask)
{
  gsize unchanged = 0;

  for (guint y = 0; y < delta->height; y++)
    {
      const guint sy = delta->top + y;
      guint cur_width, canvas_width;
      const guint32 *row = source_row (cur, sy, &cur_width);
      const guint32 *canvas_row = source_row (delta->canvas, sy, &canvas_width);
      guint32 *out = keys + (gsize) y * delta->width;
      guint8 *mask = unchanged_mask != NULL ? unchanged_mask + (gsize) y * delta->width : NULL;

      for (guint x = 0; x < delta->width; x++)
        {
          const guint sx = delta->left + x;
          guint32 key = sx < cur_width ? row[sx] : FL_GIF_KEY_TRANSPARENT;
          gboolean same = key != FL_GIF_KEY_TRANSPARENT && sx < canvas_width
                          && canvas_row[sx] == key;

          unchanged += same;
          out[x] = same && unchanged_as == FL_GIF_UNCHANGED_HIDDEN ? FL_GIF_KEY_TRANSPARENT : key;
          if (mask != NULL)
            mask[x] = (guint8) same;
        }
    }
  return unchanged;
}

/* Adds the colours of n keys to set (key + 1: never 0), FALSE and set as it
 * was when that would make more than FL_GIF_PALETTE_MAX; added is scratch. */
static gboolean
add_colours (GHashTable *set, const guint32 *keys, guint n, GArray *added)
{
  g_array_set_size (added, 0);
  for (guint i = 0; i < n; i++)
    {
      gpointer key = GUINT_TO_POINTER (keys[i] + 1);

      if (g_hash_table_contains (set, key))
        continue;
      if (g_hash_table_size (set) == FL_GIF_PALETTE_MAX)
        {
          for (guint k = 0; k < added->len; k++)
            g_hash_table_remove (set, g_array_index (added, gpointer, k));
          return FALSE;
        }
      g_hash_table_add (set, key);
      g_array_append_val (added, key);
    }
  return TRUE;
}

static void
add_tile (GArray *tiles, guint left, guint top, guint width, guint height)
{
  FlGifTile tile = { left, top, width, height };

  g_array_append_val (tiles, tile);
}

void
fl_gif_delta_tiles (const FlGifSource *cur, GArray *tiles)
{
  g_autoptr (GHashTable) set = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr (GArray) added = g_array_new (FALSE, FALSE, sizeof (gpointer));
  const guint w = cur->width;
  guint band_top = 0;

  g_array_set_size (tiles, 0);
  for (guint y = 0; y < cur->height; y++)
    {
      const guint32 *row = cur->keys + (gsize) y * w;
      guint x0 = 0;

      if (add_colours (set, row, w, added))
        continue;
      if (y > band_top)
        add_tile (tiles, 0, band_top, w, y - band_top);
      g_hash_table_remove_all (set);
      band_top = y;
      if (add_colours (set, row, w, added))
        continue;
      /* One row of more than 256 colours: runs of it. */
      g_hash_table_remove_all (set);
      for (guint x = 0; x < w; x++)
        if (!add_colours (set, row + x, 1, added))
          {
            add_tile (tiles, x0, y, x - x0, 1);
            g_hash_table_remove_all (set);
            x0 = x;
            add_colours (set, row + x, 1, added);
          }
      add_tile (tiles, x0, y, w - x0, 1);
      g_hash_table_remove_all (set);
      band_top = y + 1;
    }
  if (band_top < cur->height)
    add_tile (tiles, 0, band_top, w, cur->height - band_top);
}
