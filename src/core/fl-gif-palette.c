/* fl-gif-palette.c: exact palettes and a deterministic median cut.
 *
 * The median cut gives the starting palette: boxes are split on their longest
 * axis, the box with the longest axis first, until there are 256 (255 with a
 * transparent entry) or every box holds one colour; each box's entry is its
 * rounded mean. fl-gif-quantise.c then refines those entries with k-means and
 * maps every pixel to its nearest entry, where the frame has at least 32
 * pixels per entry and its colours do not fill their boxes as noise does
 * (there refining costs several times the cut and gains little: each pixel
 * keeps its box's mean, within the box's extent of its colour). The largest
 * channel error actually
 * met is returned as max_error: 0 for exact frames; for 64x64 uniform noise
 * (4096 colours into 256 entries) it stays under 48 (tests/core/test-gif-palette.c checks it).
 */
#include "fl-gif-palette.h"

#include "fl-gif-quantise.h"

#include <string.h>

#define HASH_BITS 10
#define HASH_SIZE (1u << HASH_BITS)
#define TRANSPARENT_KEY 0x01000000u
#define NO_KEY 0xffffffffu
/* Below this many opaque pixels per palette entry a frame is not refined. */
#define REFINE_MIN_PIXELS_PER_ENTRY 32u
/* Nor when its boxes' mean extent (weighted by pixels) reaches this. */
#define REFINE_MAX_MEAN_EXTENT 40u

typedef struct
{
  guint32 key;
  guint32 stamp;
  guint32 index;
} Slot;

typedef struct
{
  guint32 start, count;
  guint8 min[3], max[3];
  guint extent, axis; /* the longest side and which channel it is */
} Box;

struct _FlGifPaletteBuilder
{
  Slot slots[HASH_SIZE];
  guint32 stamp;
  /* Median cut: opaque pixels as (packed RGB, pixel position) pairs. */
  guint32 *colors, *positions, *tmp_colors, *tmp_positions;
  gsize capacity;
  guint32 *image_keys; /* fl_gif_palette_build's pixels as keys */
  gsize image_capacity;
  Box boxes[FL_GIF_PALETTE_MAX];
  guint8 extents[FL_GIF_PALETTE_MAX];
  FlGifQuantiser *quantiser;
};

FlGifPaletteBuilder *
fl_gif_palette_builder_new (void)
{
  FlGifPaletteBuilder *builder = g_new0 (FlGifPaletteBuilder, 1);

  builder->quantiser = fl_gif_quantiser_new ();
  return builder;
}

void
fl_gif_palette_builder_free (FlGifPaletteBuilder *builder)
{
  if (builder == NULL)
    return;
  g_free (builder->colors);
  g_free (builder->positions);
  g_free (builder->tmp_colors);
  g_free (builder->tmp_positions);
  g_free (builder->image_keys);
  fl_gif_quantiser_free (builder->quantiser);
  g_free (builder);
}

static inline guint32
pixel_key (const guint8 *p, guint channels)
{
  if (channels == 4 && p[3] < 128)
    return TRANSPARENT_KEY;
  return ((guint32) p[0] << 16) | ((guint32) p[1] << 8) | p[2];
}

void
fl_gif_keys_from_pixels (const guint8 *pixels, gsize n_pixels, guint channels, guint32 *keys)
{
  for (gsize i = 0; i < n_pixels; i++)
    keys[i] = pixel_key (pixels + i * channels, channels);
}

static void
set_bits (FlGifPalette *palette)
{
  guint bits = 1;

  while ((1u << bits) < palette->n_entries)
    bits++;
  palette->bits = bits;
}

/* Returns FALSE as soon as a 257th distinct colour appears. */
static gboolean
build_exact (FlGifPaletteBuilder *b, const guint32 *keys, gsize n_pixels, FlGifPalette *palette,
             guint8 *indices)
{
  guint32 last_key = NO_KEY, last_index = 0;

  if (++b->stamp == 0)
    {
      memset (b->slots, 0, sizeof b->slots);
      b->stamp = 1;
    }
  for (gsize i = 0; i < n_pixels; i++)
    {
      guint32 key = keys[i];
      guint32 h;

      if (key == last_key)
        {
          indices[i] = (guint8) last_index;
          continue;
        }
      h = (key * 0x9e3779b1u) >> (32 - HASH_BITS);
      for (;;)
        {
          Slot *slot = &b->slots[h];

          if (slot->stamp != b->stamp)
            {
              guint n = palette->n_entries;

              if (n == FL_GIF_PALETTE_MAX)
                return FALSE;
              slot->stamp = b->stamp;
              slot->key = key;
              slot->index = n;
              if (key == TRANSPARENT_KEY)
                palette->transparent_index = (int) n;
              else
                {
                  palette->rgb[n * 3] = (guint8) (key >> 16);
                  palette->rgb[n * 3 + 1] = (guint8) (key >> 8);
                  palette->rgb[n * 3 + 2] = (guint8) key;
                }
              palette->n_entries = n + 1;
              break;
            }
          if (slot->key == key)
            break;
          h = (h + 1) & (HASH_SIZE - 1);
        }
      last_key = key;
      last_index = b->slots[h].index;
      indices[i] = (guint8) last_index;
    }
  return TRUE;
}

static inline guint8
channel_of (guint32 color, guint c)
{
  return (guint8) (color >> (16 - 8 * c));
}

typedef struct
{
  guint8 min[3], max[3];
} Bounds;

static inline void
bounds_reset (Bounds *bounds)
{
  memset (bounds->min, 255, 3);
  memset (bounds->max, 0, 3);
}

static inline void
bounds_add (Bounds *bounds, guint32 color)
{
  for (guint c = 0; c < 3; c++)
    {
      guint8 v = channel_of (color, c);
      bounds->min[c] = MIN (bounds->min[c], v);
      bounds->max[c] = MAX (bounds->max[c], v);
    }
}

static void
bounds_of (const guint32 *colors, guint32 n, Bounds *bounds)
{
  guint8 l0 = 255, l1 = 255, l2 = 255, h0 = 0, h1 = 0, h2 = 0;

  for (guint32 k = 0; k < n; k++)
    {
      guint8 r = (guint8) (colors[k] >> 16), g = (guint8) (colors[k] >> 8), bl = (guint8) colors[k];
      l0 = MIN (l0, r);
      h0 = MAX (h0, r);
      l1 = MIN (l1, g);
      h1 = MAX (h1, g);
      l2 = MIN (l2, bl);
      h2 = MAX (h2, bl);
    }
  *bounds = (Bounds) { { l0, l1, l2 }, { h0, h1, h2 } };
}

static void
box_set_bounds (Box *box, const Bounds *bounds)
{
  memcpy (box->min, bounds->min, 3);
  memcpy (box->max, bounds->max, 3);
  box->extent = 0;
  box->axis = 0;
  for (guint c = 0; c < 3; c++)
    if ((guint) (box->max[c] - box->min[c]) > box->extent)
      {
        box->extent = box->max[c] - box->min[c];
        box->axis = c;
      }
}

/* Splits box at the median of its longest axis; the upper half becomes out.
 * The result depends only on the set of colours in the box, never on their
 * order, so nothing here can make two runs differ. */
static void
box_split (FlGifPaletteBuilder *b, Box *box, Box *out)
{
  guint32 histogram[256] = { 0 };
  const guint axis = box->axis, shift = 16 - 8 * axis;
  guint32 i = box->start, j = box->start + box->count, cumulative = 0, n_low = 0;
  Bounds low, high;
  guint cut;

  for (guint32 k = i; k < j; k++)
    histogram[(b->colors[k] >> shift) & 0xff]++;
  for (cut = box->min[axis]; cut < box->max[axis]; cut++)
    {
      cumulative += histogram[cut];
      if (cumulative * 2 >= box->count)
        break;
    }
  if (cut == box->max[axis])
    cut--;

  /* Branch-free distribution: with noise the side of each colour is a coin
   * toss, and mispredicted branches were most of the quantiser's time. */
  for (guint v = box->min[axis]; v <= cut; v++)
    n_low += histogram[v];
  {
    guint32 lo = box->start, hi = box->start + n_low;

    for (guint32 k = i; k < j; k++)
      {
        guint32 color = b->colors[k];
        guint32 is_low = ((color >> shift) & 0xff) <= cut;
        guint32 dst = is_low ? lo : hi;

        b->tmp_colors[dst] = color;
        b->tmp_positions[dst] = b->positions[k];
        lo += is_low;
        hi += is_low ^ 1;
      }
  }
  memcpy (b->colors + i, b->tmp_colors + i, box->count * sizeof (guint32));
  memcpy (b->positions + i, b->tmp_positions + i, box->count * sizeof (guint32));
  i = box->start + n_low;
  bounds_of (b->colors + box->start, n_low, &low);
  bounds_of (b->colors + i, box->count - n_low, &high);
  out->start = i;
  out->count = box->start + box->count - i;
  box->count = i - box->start;
  box_set_bounds (box, &low);
  box_set_bounds (out, &high);
}

/* Gathers the opaque pixels' colours and positions into b; returns how many,
 * and sets *has_transparent when some pixel is transparent. */
static guint32
collect_opaque (FlGifPaletteBuilder *b, const guint32 *keys, gsize n_pixels,
                gboolean *has_transparent)
{
  guint32 n_opaque = 0;

  if (b->capacity < n_pixels)
    {
      b->capacity = n_pixels;
      b->colors = g_renew (guint32, b->colors, n_pixels);
      b->positions = g_renew (guint32, b->positions, n_pixels);
      b->tmp_colors = g_renew (guint32, b->tmp_colors, n_pixels);
      b->tmp_positions = g_renew (guint32, b->tmp_positions, n_pixels);
    }
  *has_transparent = FALSE;
  for (gsize i = 0; i < n_pixels; i++)
    {
      if (keys[i] == TRANSPARENT_KEY)
        {
          *has_transparent = TRUE;
          continue;
        }
      b->colors[n_opaque] = keys[i];
      b->positions[n_opaque++] = (guint32) i;
    }
  return n_opaque;
}

/* The median cut: the n_opaque colours in b cut into at most max_boxes boxes,
 * always the widest next; returns how many boxes there are. */
static guint
cut_boxes (FlGifPaletteBuilder *b, guint32 n_opaque, guint max_boxes)
{
  guint n_boxes = 0;

  if (n_opaque > 0)
    {
      Bounds all;

      bounds_reset (&all);
      for (guint32 i = 0; i < n_opaque; i++)
        bounds_add (&all, b->colors[i]);
      b->boxes[0].start = 0;
      b->boxes[0].count = n_opaque;
      box_set_bounds (&b->boxes[0], &all);
      b->extents[0] = (guint8) b->boxes[0].extent;
      n_boxes = 1;
    }
  while (n_boxes > 0 && n_boxes < max_boxes)
    {
      guint best = 0, best_extent = 0;

      /* A compact array scans fast; the first of equal boxes wins. */
      for (guint i = 0; i < n_boxes; i++)
        if (b->extents[i] > best_extent)
          {
            best_extent = b->extents[i];
            best = i;
          }
      if (best_extent == 0)
        break;
      box_split (b, &b->boxes[best], &b->boxes[n_boxes]);
      b->extents[best] = (guint8) b->boxes[best].extent;
      b->extents[n_boxes] = (guint8) b->boxes[n_boxes].extent;
      n_boxes++;
    }
  return n_boxes;
}

static void
build_quantised (FlGifPaletteBuilder *b, const guint32 *keys, gsize n_pixels, guint width,
                 gboolean dither, FlGifPalette *palette, guint8 *indices)
{
  gboolean has_transparent, refine;
  guint32 n_opaque = collect_opaque (b, keys, n_pixels, &has_transparent);
  guint n_boxes, max_error = 0;
  guint64 extent_sum = 0;

  memset (palette, 0, sizeof *palette);
  palette->transparent_index = -1;
  palette->quantised = TRUE;
  n_boxes = cut_boxes (b, n_opaque, FL_GIF_PALETTE_MAX - (has_transparent ? 1 : 0));

  /* Few pixels per entry (small rectangles), or colours that fill their boxes
   * as uniform noise does (a photo with grain: mean extent 21; noise: 56):
   * refining costs 4 to 6 times the cut there for about 1 dB, and each pixel
   * keeps its box's mean instead. */
  for (guint k = 0; k < n_boxes; k++)
    extent_sum += (guint64) b->boxes[k].extent * b->boxes[k].count;
  refine = dither || (n_opaque >= REFINE_MIN_PIXELS_PER_ENTRY * (guint32) n_boxes
                      && extent_sum < (guint64) REFINE_MAX_MEAN_EXTENT * n_opaque);
  for (guint k = 0; k < n_boxes; k++)
    {
      const Box *box = &b->boxes[k];
      guint64 sum[3] = { 0, 0, 0 };

      for (guint32 i = box->start; i < box->start + box->count; i++)
        {
          for (guint c = 0; c < 3; c++)
            sum[c] += channel_of (b->colors[i], c);
          if (!refine)
            indices[b->positions[i]] = (guint8) k;
        }
      for (guint c = 0; c < 3; c++)
        {
          guint8 mean = (guint8) ((sum[c] + box->count / 2) / box->count);

          palette->rgb[k * 3 + c] = mean;
          if (!refine)
            max_error = MAX (max_error, (guint) MAX (mean - box->min[c], box->max[c] - mean));
        }
    }
  palette->n_entries = n_boxes;
  if (has_transparent)
    {
      palette->transparent_index = (int) n_boxes;
      palette->n_entries = n_boxes + 1;
    }
  if (refine)
    max_error = fl_gif_quantise (b->quantiser, keys, n_pixels, width, dither, palette->rgb,
                                 n_boxes, has_transparent ? n_boxes : 0, indices);
  else if (has_transparent)
    for (gsize i = 0; i < n_pixels; i++)
      if (keys[i] == TRANSPARENT_KEY)
        indices[i] = (guint8) n_boxes;
  palette->max_error = max_error;
}

void
fl_gif_palette_build_keys (FlGifPaletteBuilder *builder, const guint32 *keys, gsize n_pixels,
                           guint width, gboolean dither, FlGifPalette *palette, guint8 *indices)
{
  palette->n_entries = 0;
  palette->transparent_index = -1;
  palette->quantised = FALSE;
  palette->max_error = 0;
  if (!build_exact (builder, keys, n_pixels, palette, indices))
    build_quantised (builder, keys, n_pixels, width, dither, palette, indices);
  /* The table holds at least two entries; unused ones are black. */
  palette->n_entries = MAX (palette->n_entries, 1);
  set_bits (palette);
  memset (palette->rgb + palette->n_entries * 3, 0,
          (FL_GIF_PALETTE_MAX - palette->n_entries) * 3);
  if (palette->transparent_index >= 0)
    memset (palette->rgb + palette->transparent_index * 3, 0, 3);
}

void
fl_gif_palette_build (FlGifPaletteBuilder *builder, const FlImage *image,
                      FlGifPalette *palette, guint8 *indices)
{
  const gsize n_pixels = (gsize) image->width * image->height;

  if (builder->image_capacity < n_pixels)
    {
      builder->image_capacity = n_pixels;
      builder->image_keys = g_renew (guint32, builder->image_keys, n_pixels);
    }
  fl_gif_keys_from_pixels (image->pixels, n_pixels, image->channels, builder->image_keys);
  fl_gif_palette_build_keys (builder, builder->image_keys, n_pixels, image->width, FALSE, palette,
                             indices);
}
