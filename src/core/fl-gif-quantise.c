/* fl-gif-quantise.c: k-means refinement of a palette and nearest-colour mapping.
 *
 * The nearest entry is found through a grid over the colour cube (see Cell),
 * so a query costs a handful of distances, not 256; a small direct-mapped
 * cache of recent colours serves the repeats that real frames are full of.
 * Distances are plain squared RGB differences, the ones PSNR counts.
 */
#include "fl-gif-quantise.h"

#include "fl-gif-palette.h"

#include <stdlib.h>
#include <string.h>

#define KMEANS_PASSES 3
/* The k-means passes look at most this many pixels (a fixed stride): the
 * final mapping sees every pixel. */
#define KMEANS_SAMPLES 16384u
#define CACHE_BITS 12
#define CACHE_SIZE (1u << CACHE_BITS)

/* The colour cube in CELLS^3 cells; each cell lists, built when first asked,
 * the entries that can be nearest to some colour inside it: those whose
 * distance to the cell is at most the smallest "farthest distance" of any
 * entry to it (Heckbert's locally sorted search). A query scans its cell's
 * list, typically a handful of entries. */
#define MAX_CELL_BITS 5

typedef struct
{
  guint32 stamp;
  guint32 start;       /* into candidates */
  guint16 count;
} Cell;

typedef struct
{
  guint32 key;
  guint32 stamp;
  guint index;
} CacheSlot;

struct _FlGifQuantiser
{
  int rgb[FL_GIF_PALETTE_MAX][3];
  int channel[3][FL_GIF_PALETTE_MAX]; /* the same, channel by channel */
  guint n_entries;
  guint cell_bits;     /* finer cells cost more to build and less to search */
  Cell cells[1u << (3 * MAX_CELL_BITS)];
  guint8 *candidates;  /* entry indices, in index order within a cell */
  gsize n_candidates, candidates_capacity;
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
  g_free (quantiser->candidates);
  g_free (quantiser->errors);
  g_free (quantiser);
}

/* Prepares the search over rgb[0 .. n) for about `queries` colours: every cell
 * and cached colour forgotten. The grid's size changes the speed only, never
 * the answers. */
static void
search_init (FlGifQuantiser *q, const guint8 *rgb, guint n, gsize queries)
{
  q->cell_bits = queries >= 131072 ? 5 : queries >= 32768 ? 4 : 3;
  for (guint k = 0; k < n; k++)
    for (guint c = 0; c < 3; c++)
      q->rgb[k][c] = q->channel[c][k] = rgb[k * 3 + c];
  q->n_entries = n;
  q->n_candidates = 0;
  if (++q->stamp == 0)
    {
      memset (q->cache, 0, sizeof q->cache);
      memset (q->cells, 0, sizeof q->cells);
      q->stamp = 1;
    }
}

static void
cell_build (FlGifQuantiser *q, Cell *cell, const int *c)
{
  const guint n = q->n_entries;
  int near[FL_GIF_PALETTE_MAX], far[FL_GIF_PALETTE_MAX];
  int bound = G_MAXINT;

  memset (near, 0, n * sizeof (int));
  memset (far, 0, n * sizeof (int));
  /* Channel by channel over plain arrays, so that the compiler vectorises it. */
  for (guint ch = 0; ch < 3; ch++)
    {
      const guint shift = 8 - q->cell_bits;
      const int lo = (c[ch] >> shift) << shift, hi = lo + (1 << shift) - 1;
      const int *e = q->channel[ch];

      for (guint k = 0; k < n; k++)
        {
          int dn = MAX (lo - e[k], 0) + MAX (e[k] - hi, 0);
          int df = MAX (e[k] - lo, hi - e[k]);

          near[k] += dn * dn;
          far[k] += df * df;
        }
    }
  for (guint k = 0; k < n; k++)
    bound = MIN (bound, far[k]);
  if (q->candidates_capacity < q->n_candidates + n)
    {
      q->candidates_capacity = MAX (q->candidates_capacity * 2, q->n_candidates + 4096);
      q->candidates = g_realloc (q->candidates, q->candidates_capacity);
    }
  cell->start = (guint32) q->n_candidates;
  cell->count = 0;
  for (guint k = 0; k < n; k++)
    if (near[k] <= bound)
      {
        q->candidates[q->n_candidates++] = (guint8) k;
        cell->count++;
      }
  cell->stamp = q->stamp;
}

/* The nearest entry to c; ties go to the lowest index. */
static guint
search (FlGifQuantiser *q, const int *c)
{
  const guint bits = q->cell_bits, shift = 8 - bits;
  Cell *cell = &q->cells[((guint) (c[0] >> shift) << (2 * bits))
                         | ((guint) (c[1] >> shift) << bits) | (guint) (c[2] >> shift)];
  const guint8 *list;
  guint best_index = 0;
  int best = G_MAXINT;

  if (cell->stamp != q->stamp)
    cell_build (q, cell, c);
  list = q->candidates + cell->start;
  for (guint i = 0; i < cell->count; i++)
    {
      const int *e = q->rgb[list[i]];
      int dr = e[0] - c[0], dg = e[1] - c[1], db = e[2] - c[2];
      int d = dr * dr + dg * dg + db * db;

      if (d < best)
        {
          best = d;
          best_index = list[i];
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
  search_init (q, rgb, n_colours, n / stride);
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
  search_init (q, rgb, n_colours, n);
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
