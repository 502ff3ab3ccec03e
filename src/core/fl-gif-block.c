/* fl-gif-block.c: frames to GIF image blocks.
 *
 * Each frame's graphic control extension, descriptor, colour table and LZW
 * data land in the caller's buffer. The LZW is fl-gif-lzw.c's, not giflib's:
 * giflib takes fixed indices, while an unchanged pixel may be either its
 * colour or transparent, and choosing as the string table goes is worth 1-10 %
 * of the file. Its state is reset for every image, so a block depends only on
 * the sources it is given (see fl-gif-delta.h).
 */
#include "fl-gif-block.h"

#include "fl-error.h"
#include "fl-gif-global.h"
#include "fl-gif-lzw.h"
#include "fl-png.h"

#include <string.h>
#include <time.h>

#define GLOBAL_HASH_BITS 10
#define GLOBAL_HASH_SIZE (1u << GLOBAL_HASH_BITS)

typedef struct
{
  guint32 key;
  guint8 index;
  gboolean used;
} GlobalSlot;

struct _FlGifBlockEncoder
{
  FlGifLzw *lzw;
  FlGifPaletteBuilder *palette_builder;
  FlGifPalette palette;   /* the frame's own table */
  guint8 *indices, *global_indices;
  guint8 *unchanged;      /* per pixel of the rectangle: it may stay transparent */
  guint32 *keys;          /* the rectangle being encoded */
  gsize indices_capacity; /* pixels each of these holds */
  GByteArray *scratch[2]; /* the best candidate so far and the one being tried */
  gboolean dither;
  gboolean exact_first;   /* a first frame of more than 256 colours drawn in tiles */
  GArray *tiles;          /* FlGifTile, for that */
  gboolean has_global;
  FlGifGlobalChooser *chooser; /* while the global table is chosen */
  FlGifPalette global;    /* the global table, transparent_index always set */
  GlobalSlot global_slots[GLOBAL_HASH_SIZE];
  FlGifPhaseTimes times;
};

static guint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (guint64) ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) ts.tv_nsec;
}

void
fl_gif_block_encoder_take_times (FlGifBlockEncoder *encoder, FlGifPhaseTimes *times)
{
  *times = encoder->times;
  encoder->times = (FlGifPhaseTimes) { 0 };
}

/* The frame's own palette, its time counted as the quantiser's. */
static void
build_palette (FlGifBlockEncoder *encoder, gsize n, guint width, gboolean dither)
{
  guint64 start = now_ns ();

  fl_gif_palette_build_keys (encoder->palette_builder, encoder->keys, n, width, dither,
                             &encoder->palette, encoder->indices);
  encoder->times.quantise_ns += now_ns () - start;
}

FlGifBlockEncoder *
fl_gif_block_encoder_new (GError **error)
{
  FlGifBlockEncoder *encoder = g_new0 (FlGifBlockEncoder, 1);

  encoder->palette_builder = fl_gif_palette_builder_new ();
  encoder->lzw = fl_gif_lzw_new ();
  encoder->scratch[0] = g_byte_array_new ();
  encoder->scratch[1] = g_byte_array_new ();
  return encoder;
}

void
fl_gif_block_encoder_free (FlGifBlockEncoder *encoder)
{
  if (encoder == NULL)
    return;
  fl_gif_lzw_free (encoder->lzw);
  fl_gif_palette_builder_free (encoder->palette_builder);
  g_clear_pointer (&encoder->scratch[0], g_byte_array_unref);
  g_clear_pointer (&encoder->scratch[1], g_byte_array_unref);
  g_free (encoder->indices);
  g_free (encoder->global_indices);
  g_free (encoder->unchanged);
  g_free (encoder->keys);
  g_clear_pointer (&encoder->chooser, fl_gif_global_chooser_free);
  g_clear_pointer (&encoder->tiles, g_array_unref);
  g_free (encoder);
}

void
fl_gif_block_encoder_set_dither (FlGifBlockEncoder *encoder, gboolean dither)
{
  encoder->dither = dither;
}

void
fl_gif_block_encoder_set_exact_first (FlGifBlockEncoder *encoder, gboolean exact_first)
{
  encoder->exact_first = exact_first;
}

gboolean
fl_gif_block_encoder_add_global_colours (FlGifBlockEncoder *encoder, const FlGifSource *frame,
                                         const FlGifSource *before)
{
  if (before == NULL)
    {
      g_clear_pointer (&encoder->chooser, fl_gif_global_chooser_free);
      encoder->chooser = fl_gif_global_chooser_new ();
    }
  if (encoder->chooser == NULL)
    return FALSE;
  /* A first frame drawn exactly in tiles does not make the animation photo-like. */
  return fl_gif_global_chooser_add (encoder->chooser, frame, before, !encoder->exact_first);
}

gboolean
fl_gif_block_encoder_global_wants_more (FlGifBlockEncoder *encoder)
{
  return encoder->chooser != NULL && fl_gif_global_chooser_wants_more (encoder->chooser);
}

void
fl_gif_block_encoder_set_global (FlGifBlockEncoder *encoder)
{
  FlGifPalette *g = &encoder->global;

  memset (encoder->global_slots, 0, sizeof encoder->global_slots);
  encoder->has_global = encoder->chooser != NULL
                        && fl_gif_global_chooser_choose (encoder->chooser, g);
  for (guint i = 0; encoder->has_global && i < g->n_entries; i++)
    {
      guint32 key = (guint32) g->rgb[i * 3] << 16 | (guint32) g->rgb[i * 3 + 1] << 8
                    | g->rgb[i * 3 + 2];
      guint h = (key * 0x9e3779b1u) >> (32 - GLOBAL_HASH_BITS);

      while (encoder->global_slots[h].used)
        h = (h + 1) & (GLOBAL_HASH_SIZE - 1);
      encoder->global_slots[h] = (GlobalSlot) { key, (guint8) i, TRUE };
    }
  g_clear_pointer (&encoder->chooser, fl_gif_global_chooser_free);
}

gboolean
fl_gif_block_encoder_get_global (FlGifBlockEncoder *encoder, guint8 *rgb, guint *bits)
{
  if (!encoder->has_global)
    return FALSE;
  memcpy (rgb, encoder->global.rgb, (gsize) 3 << encoder->global.bits);
  *bits = encoder->global.bits;
  return TRUE;
}

guint
fl_gif_delay_cs (guint delay_ms)
{
  if (delay_ms > 0 && delay_ms < FL_GIF_DELAY_RAISED_BELOW_MS)
    return 2;
  return delay_ms >= 655345u ? 65535u : (delay_ms + 5) / 10;
}

/* Makes room for n pixels in every scratch buffer; FALSE when out of memory. */
static gboolean
reserve (FlGifBlockEncoder *encoder, gsize n, guint width, guint height, GError **error)
{
  if (encoder->indices_capacity >= n)
    return TRUE;
  g_free (encoder->indices);
  g_free (encoder->global_indices);
  g_free (encoder->unchanged);
  g_free (encoder->keys);
  encoder->indices = g_try_malloc (n);
  encoder->global_indices = g_try_malloc (n);
  encoder->unchanged = g_try_malloc (n);
  encoder->keys = g_try_malloc (n * sizeof (guint32));
  encoder->indices_capacity = n;
  if (encoder->indices == NULL || encoder->global_indices == NULL || encoder->unchanged == NULL
      || encoder->keys == NULL)
    {
      g_clear_pointer (&encoder->indices, g_free);
      g_clear_pointer (&encoder->global_indices, g_free);
      g_clear_pointer (&encoder->unchanged, g_free);
      g_clear_pointer (&encoder->keys, g_free);
      encoder->indices_capacity = 0;
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED,
                   "Could not encode a %ux%u frame: out of memory", width, height);
      return FALSE;
    }
  return TRUE;
}

/* One candidate encoding of a frame: its rectangle's indices and the table they index. */
typedef struct
{
  const guint8 *indices;
  const guint8 *flexible;    /* NULL, or per pixel: transparent would do as well */
  gboolean prefer_transparent; /* for flexible pixels */
  const FlGifPalette *table; /* the local table, or NULL for the global one */
  int transparent;           /* index, or -1 */
  guint code_bits;           /* the LZW's: enough for the largest index used */
} Candidate;

static inline void
put_le16 (guint8 *p, guint v)
{
  p[0] = (guint8) (v & 0xff);
  p[1] = (guint8) (v >> 8);
}

/* Appends the block (GCE, descriptor, local table, LZW) of candidate c to out. */
static void
put_block (FlGifBlockEncoder *encoder, const FlGifDelta *d, const Candidate *c, guint delay_cs,
           GByteArray *out)
{
  guint8 head[18] = { 0x21, 0xf9, 0x04 };

  /* Disposal 2 (background) or 1 (leave in place), the transparency flag. */
  head[3] = (guint8) ((d->dispose ? 2 : 1) << 2 | (c->transparent >= 0 ? 1 : 0));
  put_le16 (head + 4, MIN (delay_cs, 65535u));
  head[6] = (guint8) (c->transparent >= 0 ? c->transparent : 0);
  head[7] = 0;
  head[8] = 0x2c;
  put_le16 (head + 9, d->left);
  put_le16 (head + 11, d->top);
  put_le16 (head + 13, d->width);
  put_le16 (head + 15, d->height);
  head[17] = c->table != NULL ? (guint8) (0x80 | (c->table->bits - 1)) : 0;
  g_byte_array_append (out, head, sizeof head);
  if (c->table != NULL)
    g_byte_array_append (out, c->table->rgb, 3u << c->table->bits);
  fl_gif_lzw_encode (encoder->lzw, c->indices, c->flexible, (guint) MAX (c->transparent, 0),
                     c->prefer_transparent, (gsize) d->width * d->height, c->code_bits, out);
}

/* The transparent index a local table declares: its own, else an unused one
 * when there is room. Pillow needs it: it fills a disposed frame with the
 * background colour unless the frame declares a transparent index, and it
 * shows every later frame without transparency unless the first declares one. */
static int
local_transparent (const FlGifPalette *palette)
{
  if (palette->transparent_index >= 0)
    return palette->transparent_index;
  if (palette->n_entries < (1u << palette->bits))
    return (int) palette->n_entries;
  return -1;
}

/* Indexes n keys into the global table; FALSE when a colour is not in it or
 * when transparency is needed and the frame draws every entry. Transparent
 * pixels take the lowest entry the frame does not draw, *transparent (-1 when
 * there is none; declared even when unused, see local_transparent);
 * *max_index is the largest index used. */
static gboolean
map_global (FlGifBlockEncoder *encoder, const guint32 *keys, gsize n, guint8 *indices,
            int *transparent, guint *max_index)
{
  guint32 last_key = G_MAXUINT32, used[FL_GIF_PALETTE_MAX / 32] = { 0 };
  guint8 last = 0;
  gboolean needs_transparent = FALSE;

  *max_index = 0;
  *transparent = -1;
  for (gsize i = 0; i < n; i++)
    {
      if (keys[i] == FL_GIF_KEY_TRANSPARENT)
        {
          needs_transparent = TRUE;
          continue;
        }
      if (keys[i] != last_key)
        {
          guint h = (keys[i] * 0x9e3779b1u) >> (32 - GLOBAL_HASH_BITS);

          while (encoder->global_slots[h].used && encoder->global_slots[h].key != keys[i])
            h = (h + 1) & (GLOBAL_HASH_SIZE - 1);
          if (!encoder->global_slots[h].used)
            return FALSE;
          last_key = keys[i];
          last = encoder->global_slots[h].index;
          used[last / 32] |= 1u << (last % 32);
        }
      indices[i] = last;
    }
  for (guint k = 0; k < (1u << encoder->global.bits) && *transparent < 0; k++)
    if (!(used[k / 32] & (1u << (k % 32))))
      *transparent = (int) k;
  if (needs_transparent && *transparent < 0)
    return FALSE;
  for (guint k = 0; k < encoder->global.n_entries; k++)
    if (used[k / 32] & (1u << (k % 32)))
      *max_index = k;
  if (*transparent >= 0)
    {
      *max_index = MAX (*max_index, (guint) *transparent);
      for (gsize i = 0; i < n; i++)
        if (keys[i] == FL_GIF_KEY_TRANSPARENT)
          indices[i] = (guint8) *transparent;
    }
  return TRUE;
}

/* Encodes c into scratch, keeping it in *best when it is the smallest yet. */
static void
try_candidate (FlGifBlockEncoder *encoder, const FlGifDelta *d, const Candidate *c,
               guint delay_cs, GByteArray **best)
{
  GByteArray *scratch = encoder->scratch[*best == encoder->scratch[0] ? 1 : 0];

  g_byte_array_set_size (scratch, 0);
  put_block (encoder, d, c, delay_cs, scratch);
  if (*best == NULL || scratch->len < (*best)->len)
    *best = scratch;
}

/* The candidates for one choice of the rectangle's keys: the global table when
 * every colour is in it, and a local one unless it has no fewer bits (then it
 * would only add its own bytes). With flexible (unchanged pixels that may be
 * transparent) each is tried as drawn, and leaning to transparent (leaning to
 * the colour never won on the benchmark's animations). */
static void
try_tables (FlGifBlockEncoder *encoder, const FlGifDelta *d, const FlGifPalette *palette,
            const guint8 *flexible, guint delay_cs, GByteArray **best)
{
  const gsize n = (gsize) d->width * d->height;
  guint global_max = 0;
  int global_transparent = -1;
  gboolean global_ok = encoder->has_global && !palette->quantised
                       && map_global (encoder, encoder->keys, n, encoder->global_indices,
                                      &global_transparent, &global_max);
  const int transparent = local_transparent (palette);
  const guint variants = flexible != NULL ? 2 : 1;
  /* GIF lets the LZW code size be smaller than the table when a frame uses
   * only its first entries: a frame of the global table that draws two
   * colours of the first four costs 2-bit codes, not 8. So the global table
   * has no transparent entry of its own: each frame takes the lowest it does
   * not draw (as gifsicle does). */
  const guint global_bits = fl_gif_code_bits (global_max);
  const guint local_bits = fl_gif_code_bits (MAX (palette->n_entries, (guint) transparent + 1)
                                             - 1);

  for (guint v = 0; v < variants; v++)
    {
      const guint8 *mask = v == 0 ? NULL : flexible;
      Candidate c;

      if (global_ok && (mask == NULL || global_transparent >= 0))
        {
          c = (Candidate) { encoder->global_indices, mask, v == 1, NULL, global_transparent,
                            global_bits };
          try_candidate (encoder, d, &c, delay_cs, best);
        }
      /* With no smaller codes than the global table, a local one only adds its bytes. */
      if ((!global_ok || local_bits < global_bits) && (mask == NULL || transparent >= 0))
        {
          c = (Candidate) { encoder->indices, mask, v == 1, palette, transparent,
                            MAX (local_bits, palette->bits) };
          try_candidate (encoder, d, &c, delay_cs, best);
        }
    }
}

/* Encodes the frame planned in d, trying the variants that may be smallest:
 * unchanged pixels transparent, or each either transparent or drawn (when
 * their colours fit the table too), with a local or the global table. Ties go
 * to the first tried, so the choice depends on the pixels only. */
static void
encode_delta (FlGifBlockEncoder *encoder, const FlGifDelta *d, const FlGifSource *cur,
              guint delay_cs, GByteArray *out, FlGifFrameInfo *info)
{
  const gsize n = (gsize) d->width * d->height;
  FlGifPalette *palette = &encoder->palette;
  GByteArray *best = NULL;
  gsize unchanged;

  fl_gif_delta_keys (d, cur, FL_GIF_UNCHANGED_HIDDEN, encoder->keys, NULL);
  build_palette (encoder, n, d->width, encoder->dither);
  info->quantised = palette->quantised;
  info->max_error = palette->max_error;
  try_tables (encoder, d, palette, NULL, delay_cs, &best);
  /* A quantised frame draws only what changed. */
  if (!palette->quantised)
    {
      unchanged = fl_gif_delta_keys (d, cur, FL_GIF_UNCHANGED_DRAWN, encoder->keys,
                                     encoder->unchanged);
      if (unchanged > 0)
        {
          build_palette (encoder, n, d->width, FALSE);
          if (!palette->quantised)
            try_tables (encoder, d, palette, encoder->unchanged, delay_cs, &best);
        }
    }
  g_byte_array_append (out, best->data, best->len);
}

/* The first frame, of more than 256 colours, exactly: one block per tile
 * (fl_gif_delta_tiles), each left in place, the frame's delay on the last.
 * FALSE when it has at most 256 colours (one tile: the usual block) or must be
 * disposed (disposal would clear only the last tile). */
static gboolean
encode_tiles (FlGifBlockEncoder *encoder, const FlGifDelta *d, const FlGifSource *cur,
              guint delay_cs, GByteArray *out, FlGifFrameInfo *info)
{
  if (d->dispose || d->canvas != NULL || d->left != 0 || d->top != 0 || d->width != cur->width
      || d->height != cur->height)
    return FALSE;
  if (encoder->tiles == NULL)
    encoder->tiles = g_array_new (FALSE, FALSE, sizeof (FlGifTile));
  fl_gif_delta_tiles (cur, encoder->tiles);
  if (encoder->tiles->len < 2)
    return FALSE;
  for (guint i = 0; i < encoder->tiles->len; i++)
    {
      const FlGifTile *t = &g_array_index (encoder->tiles, FlGifTile, i);
      FlGifDelta tile = { NULL, t->left, t->top, t->width, t->height, FALSE, TRUE };

      encode_delta (encoder, &tile, cur, i + 1 == encoder->tiles->len ? delay_cs : 0, out, info);
    }
  return TRUE;
}

static gboolean
encode_checked (FlGifBlockEncoder *encoder, const FlGifDelta *d, const FlGifSource *cur,
                gboolean tiled, guint delay_cs, GByteArray *out, FlGifFrameInfo *info,
                GError **error)
{
  FlGifFrameInfo local;

  if (info == NULL)
    info = &local;
  if (cur->width == 0 || cur->height == 0 || cur->width > FL_GIF_MAX_DIMENSION
      || cur->height > FL_GIF_MAX_DIMENSION)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "A %ux%u frame does not fit in a GIF (at most %ux%u)", cur->width,
                   cur->height, FL_GIF_MAX_DIMENSION, FL_GIF_MAX_DIMENSION);
      return FALSE;
    }
  if (!reserve (encoder, (gsize) d->width * d->height, cur->width, cur->height, error))
    return FALSE;
  if (!tiled || !encode_tiles (encoder, d, cur, delay_cs, out, info))
    encode_delta (encoder, d, cur, delay_cs, out, info);
  info->width = cur->width;
  info->height = cur->height;
  return TRUE;
}

gboolean
fl_gif_block_encode_source (FlGifBlockEncoder *encoder, const FlGifSource *prev,
                            const FlGifSource *cur, const FlGifSource *next, guint delay_cs,
                            GByteArray *out, FlGifFrameInfo *info, GError **error)
{
  guint64 start = now_ns (), quantising = encoder->times.quantise_ns;
  FlGifDelta d;
  gboolean ok;

  fl_gif_delta_plan (prev, cur, next, &d);
  ok = encode_checked (encoder, &d, cur, encoder->exact_first && prev == NULL, delay_cs, out,
                       info, error);
  /* All but the palettes: the plan, the candidates' LZW, the framing. */
  encoder->times.compress_ns += now_ns () - start - (encoder->times.quantise_ns - quantising);
  return ok;
}

gboolean
fl_gif_block_encode_image (FlGifBlockEncoder *encoder, const FlImage *image, guint delay_cs,
                           GByteArray *out, FlGifFrameInfo *info, GError **error)
{
  g_autoptr (FlGifSource) source = NULL;
  FlImage *copy;
  FlGifDelta d;

  g_return_val_if_fail (image->channels == 3 || image->channels == 4, FALSE);
  copy = fl_image_new (image->width, image->height, 4, error);
  if (copy == NULL)
    return FALSE;
  for (gsize i = 0; i < (gsize) image->width * image->height; i++)
    {
      memcpy (copy->pixels + i * 4, image->pixels + i * image->channels, 3);
      copy->pixels[i * 4 + 3] = image->channels == 4 ? image->pixels[i * 4 + 3] : 255;
    }
  source = fl_gif_source_new_from_image (copy, 1, error);
  if (source == NULL)
    return FALSE;
  /* Self-contained: the whole frame at (0,0), disposed, on an empty screen. */
  d = (FlGifDelta) { NULL, 0, 0, image->width, image->height, TRUE, TRUE };
  return encode_checked (encoder, &d, source, FALSE, delay_cs, out, info, error);
}

FlGifSource *
fl_gif_block_decode_source (FlGifBlockEncoder *encoder, const guint8 *data, gsize length,
                            const char *path, guint scale, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint64 start = now_ns ();
  FlGifSource *source;
  FlImage *image;

  /* The structural check and the decode in one inflate: libpng alone lets some
   * damage through as warnings. */
  image = fl_png_decode_checked (data, length, NULL, &local_error);
  if (image == NULL)
    {
      const char *message = local_error->message;

      if (g_str_has_prefix (message, "not a valid PNG"))
        g_set_error (error, FL_ERROR, local_error->code, "%s is %s", path, message);
      else
        g_set_error (error, FL_ERROR, local_error->code, "%s is not a valid PNG: %s", path,
                     message);
      return NULL;
    }
  source = fl_gif_source_new_from_image (image, scale, &local_error);
  if (source == NULL)
    g_set_error (error, FL_ERROR, local_error->code, "Could not encode %s: %s", path,
                 local_error->message);
  encoder->times.decode_ns += now_ns () - start;
  return source;
}
