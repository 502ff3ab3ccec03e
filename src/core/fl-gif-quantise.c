/* fl-gif-quantise.c: k-means refinement of a palette and nearest-colour mapping.
 *
 * The nearest entry is found in a copy of the palette sorted on its widest
 * channel: from the query's place in that order the search walks outwards
 * both ways and stops on a side once the distance on that channel alone is
 * no better than the best found, so a query costs tens of distances, not 256.
 * A small direct-mapped cache of recent colours serves the repeats that real
 * frames are full of. Distances are plain squared RGB differences, the ones
 * PSNR counts.
 */
#include "fl-gif-quantise.h"

#include "fl-gif-palette.h"

#include <stdlib.h>
#include <string.h>

#define KMEANS_PASSES 4
/* The k-means passes look at most this many pixels (a fixed stride): the
 * final mapping sees every pixel. */
#define KMEANS_SAMPLES 65536u
#define CACHE_BITS 12
#define CACHE_SIZE (1u << CACHE_BITS)

typedef struct
{
  int axis;            /* the value on the sort channel */
  int rgb[3];
  guint index;
} Entry;

typedef struct
{
  guint32 key;
  guint32 stamp;
  guint index;
} CacheSlot;

struct _FlGifQuantiser
{
  Entry entries[FL_GIF_PALETTE_MAX];
  guint n_entries, axis;
  CacheSlot cache[CACHE_SIZE];
  guint32 stamp;
  int *errors;         /* dithering: two rows of (width + 2) x 3 errors, 1/16 units */
  gsize errors_capacity;
};

FlGifQuantiser *
fl_gif_quantiser_new (void)
{
  return g_new0 (FlGifQuantiser, 1);
}

void
fl_gif_quantiser_free (FlGifQuantiser *quantiser)
{
  if (quantiser == NULL)
    return;
  g_free (quantiser->errors);
  g_free (quantiser);
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const Entry *x = a, *y = b;

  if (x->axis != y->axis)
    return x->axis < y->axis ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Prepares the search over rgb[0 .. n) and empties the cache. */
static void
search_init (FlGifQuantiser *q, const guint8 *rgb, guint n)
{
  int lo[3] = { 255, 255, 255 }, hi[3] = { 0, 0, 0 };
  guint axis = 0;

  for (guint k = 0; k < n; k++)
    for (guint c = 0; c < 3; c++)
      {
        lo[c] = MIN (lo[c], rgb[k * 3 + c]);
        hi[c] = MAX (hi[c], rgb[k * 3 + c]);
      }
  for (guint c = 1; c < 3; c++)
    if (hi[c] - lo[c] > hi[axis] - lo[axis])
      axis = c;
  for (guint k = 0; k < n; k++)
    {
      Entry *e = &q->entries[k];

      for (guint c = 0; c < 3; c++)
        e->rgb[c] = rgb[k * 3 + c];
      e->axis = e->rgb[axis];
      e->index = k;
    }
  qsort (q->entries, n, sizeof (Entry), compare_entries);
  q->n_entries = n;
  q->axis = axis;
  if (++q->stamp == 0)
    {
      memset (q->cache, 0, sizeof q->cache);
      q->stamp = 1;
    }
}

static inline int
distance (const Entry *e, const int *c)
{
  int dr = e->rgb[0] - c[0], dg = e->rgb[1] - c[1], db = e->rgb[2] - c[2];

  return dr * dr + dg * dg + db * db;
}

static inline void
consider (const Entry *e, const int *c, int *best, guint *best_index)
{
  int d = distance (e, c);

  if (d < *best || (d == *best && e->index < *best_index))
    {
      *best = d;
      *best_index = e->index;
    }
}

static guint
search (const FlGifQuantiser *q, const int *c)
{
  const int v = c[q->axis];
  guint lo = 0, hi = q->n_entries, best_index = G_MAXUINT;
  int best = G_MAXINT, up, down;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (q->entries[mid].axis < v)
        lo = mid + 1;
      else
        hi = mid;
    }
  up = (int) lo;
  down = (int) lo - 1;
  while (up < (int) q->n_entries || down >= 0)
    {
      if (up < (int) q->n_entries)
        {
          int d = q->entries[up].axis - v;

          if (d * d > best)
            up = (int) q->n_entries;
          else
            consider (&q->entries[up++], c, &best, &best_index);
        }
      if (down >= 0)
        {
          int d = v - q->entries[down].axis;

          if (d * d > best)
            down = -1;
          else
            consider (&q->entries[down--], c, &best, &best_index);
        }
    }
  return best_index;
}

static inline guint
nearest_key (FlGifQuantiser *q, guint32 key)
{
  CacheSlot *slot = &q->cache[(key * 0x9e3779b1u) >> (32 - CACHE_BITS)];
  int c[3] = { (int) (key >> 16), (int) ((key >> 8) & 0xff), (int) (key & 0xff) };

  if (slot->stamp == q->stamp && slot->key == key)
    return slot->index;
  slot->stamp = q->stamp;
  slot->key = key;
  slot->index = search (q, c);
  return slot->index;
}

/* One k-means step on the sampled opaque keys; FALSE when no entry moved. */
static gboolean
kmeans_pass (FlGifQuantiser *q, const guint32 *keys, gsize n, gsize stride, guint8 *rgb,
             guint n_colours)
{
  guint64 sums[FL_GIF_PALETTE_MAX][3];
  guint64 counts[FL_GIF_PALETTE_MAX];
  gboolean moved = FALSE;

  memset (sums, 0, sizeof sums);
  memset (counts, 0, sizeof counts);
  search_init (q, rgb, n_colours);
  for (gsize i = 0; i < n; i += stride)
    {
      guint32 key = keys[i];
      guint k;

      if (key == FL_GIF_KEY_TRANSPARENT)
        continue;
      k = nearest_key (q, key);
      sums[k][0] += key >> 16;
      sums[k][1] += (key >> 8) & 0xff;
      sums[k][2] += key & 0xff;
      counts[k]++;
    }
  for (guint k = 0; k < n_colours; k++)
    {
      if (counts[k] == 0)
        continue;
      for (guint c = 0; c < 3; c++)
        {
          guint8 mean = (guint8) ((sums[k][c] + counts[k] / 2) / counts[k]);

          moved |= mean != rgb[k * 3 + c];
          rgb[k * 3 + c] = mean;
        }
    }
  return moved;
}

static inline guint
channel_error (const guint8 *entry, guint32 key)
{
  guint e = (guint) ABS ((int) entry[0] - (int) (key >> 16));

  e = MAX (e, (guint) ABS ((int) entry[1] - (int) ((key >> 8) & 0xff)));
  return MAX (e, (guint) ABS ((int) entry[2] - (int) (key & 0xff)));
}

/* Floyd-Steinberg, left to right on every row; transparent pixels pass no error on. */
static guint
map_dithered (FlGifQuantiser *q, const guint32 *keys, gsize n, guint width, const guint8 *rgb,
              guint transparent_index, guint8 *indices)
{
  const gsize row_errors = ((gsize) width + 2) * 3;
  guint max_error = 0;
  int *now, *next;

  if (q->errors_capacity < row_errors * 2)
    {
      q->errors_capacity = row_errors * 2;
      q->errors = g_renew (int, q->errors, q->errors_capacity);
    }
  memset (q->errors, 0, row_errors * 2 * sizeof (int));
  now = q->errors;
  next = q->errors + row_errors;
  for (gsize i = 0; i < n; i++)
    {
      const gsize x = i % width;
      const guint32 key = keys[i];
      int *e = now + (x + 1) * 3;
      int c[3];
      guint k;

      if (x == 0 && i > 0)
        {
          int *swap = now;

          now = next;
          next = swap;
          memset (next, 0, row_errors * sizeof (int));
          e = now + 3;
        }
      if (key == FL_GIF_KEY_TRANSPARENT)
        {
          indices[i] = (guint8) transparent_index;
          continue;
        }
      c[0] = CLAMP ((int) (key >> 16) + e[0] / 16, 0, 255);
      c[1] = CLAMP ((int) ((key >> 8) & 0xff) + e[1] / 16, 0, 255);
      c[2] = CLAMP ((int) (key & 0xff) + e[2] / 16, 0, 255);
      k = search (q, c);
      indices[i] = (guint8) k;
      max_error = MAX (max_error, channel_error (rgb + k * 3, key));
      for (guint ch = 0; ch < 3; ch++)
        {
          int err = c[ch] - rgb[k * 3 + ch];

          e[3 + ch] += err * 7;
          next[(x) * 3 + ch] += err * 3;
          next[(x + 1) * 3 + ch] += err * 5;
          next[(x + 2) * 3 + ch] += err;
        }
    }
  return max_error;
}

guint
fl_gif_quantise (FlGifQuantiser *q, const guint32 *keys, gsize n, guint width, gboolean dither,
                 guint8 *rgb, guint n_colours, guint transparent_index, guint8 *indices)
{
  const gsize stride = MAX (n / KMEANS_SAMPLES, 1);
  guint max_error = 0;

  if (n_colours == 0)
    {
      memset (indices, (int) transparent_index, n);
      return 0;
    }
  for (guint pass = 0; pass < KMEANS_PASSES; pass++)
    if (!kmeans_pass (q, keys, n, stride, rgb, n_colours))
      break;
  search_init (q, rgb, n_colours);
  if (dither && width > 0)
    return map_dithered (q, keys, n, width, rgb, transparent_index, indices);
  for (gsize i = 0; i < n; i++)
    {
      guint32 key = keys[i];
      guint k;

      if (key == FL_GIF_KEY_TRANSPARENT)
        {
          indices[i] = (guint8) transparent_index;
          continue;
        }
      k = nearest_key (q, key);
      indices[i] = (guint8) k;
      max_error = MAX (max_error, channel_error (rgb + k * 3, key));
    }
  return max_error;
}
