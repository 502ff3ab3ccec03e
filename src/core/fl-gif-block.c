/* fl-gif-block.c: frames to GIF image blocks, with giflib doing the LZW.
 *
 * One GifFileType lives as long as the encoder: its screen descriptor (with
 * the global colour table, once there is one) is written once and thrown away,
 * then each frame's extension, descriptor, colour table and LZW data land in
 * the caller's buffer. giflib resets its LZW state for every image, so a block
 * depends only on the sources it is given (see fl-gif-delta.h).
 */
#include "fl-gif-block.h"

#include "fl-error.h"
#include "fl-png.h"

#include <errno.h>
#include <fcntl.h>
#include <gif_lib.h>
#include <string.h>
#include <unistd.h>

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
  GifFileType *gif;
  GByteArray *target; /* giflib's output goes here; NULL discards it */
  FlGifPaletteBuilder *palette_builder;
  FlGifPalette palette;   /* the frame's own table */
  guint8 *indices, *global_indices;
  guint32 *keys;          /* the rectangle being encoded */
  gsize indices_capacity; /* pixels each of the three holds */
  GByteArray *scratch[2]; /* the best candidate so far and the one being tried */
  gboolean dither;
  gboolean has_global;
  FlGifPalette global;    /* the global table, transparent_index always set */
  GlobalSlot global_slots[GLOBAL_HASH_SIZE];
  guint8 *file_data; /* the last PNG read, reused */
  gsize file_capacity;
};

static int
on_gif_write (GifFileType *gif, const GifByteType *data, int length)
{
  FlGifBlockEncoder *encoder = gif->UserData;

  /* A GByteArray grows or aborts, so no write is ever short here: giflib's
   * habit of ignoring write results cannot lose bytes. */
  if (length > 0 && encoder->target != NULL)
    g_byte_array_append (encoder->target, data, (guint) length);
  return length;
}

static const char *
gif_error_text (int code)
{
  const char *text = GifErrorString (code);

  return text != NULL ? text : "unknown giflib error";
}

static gboolean
gif_open (FlGifBlockEncoder *encoder, GError **error)
{
  int code = 0;

  GifColorType colors[FL_GIF_PALETTE_MAX];
  ColorMapObject global_map = { 1 << encoder->global.bits, (int) encoder->global.bits, false,
                                colors };

  for (guint i = 0; encoder->has_global && i < (1u << encoder->global.bits); i++)
    colors[i] = (GifColorType) { encoder->global.rgb[i * 3], encoder->global.rgb[i * 3 + 1],
                                 encoder->global.rgb[i * 3 + 2] };
  encoder->target = NULL;
  encoder->gif = EGifOpen (encoder, on_gif_write, &code);
  if (encoder->gif == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not start the GIF encoder: %s",
                   gif_error_text (code));
      return FALSE;
    }
  /* The real screen is only known at the end; the writer emits it. */
  if (EGifPutScreenDesc (encoder->gif, FL_GIF_MAX_DIMENSION, FL_GIF_MAX_DIMENSION, 8, 0,
                         encoder->has_global ? &global_map : NULL)
      == GIF_ERROR)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not start the GIF encoder: %s",
                   gif_error_text (encoder->gif->Error));
      EGifCloseFile (encoder->gif, &code);
      encoder->gif = NULL;
      return FALSE;
    }
  return TRUE;
}

static void
gif_close (FlGifBlockEncoder *encoder)
{
  int code = 0;

  if (encoder->gif == NULL)
    return;
  encoder->target = NULL;
  /* The trailer goes nowhere; a failure here cannot affect a finished block. */
  (void) EGifCloseFile (encoder->gif, &code);
  encoder->gif = NULL;
}

FlGifBlockEncoder *
fl_gif_block_encoder_new (GError **error)
{
  FlGifBlockEncoder *encoder = g_new0 (FlGifBlockEncoder, 1);

  encoder->palette_builder = fl_gif_palette_builder_new ();
  encoder->scratch[0] = g_byte_array_new ();
  encoder->scratch[1] = g_byte_array_new ();
  if (!gif_open (encoder, error))
    {
      fl_gif_block_encoder_free (encoder);
      return NULL;
    }
  return encoder;
}

void
fl_gif_block_encoder_free (FlGifBlockEncoder *encoder)
{
  if (encoder == NULL)
    return;
  gif_close (encoder);
  fl_gif_palette_builder_free (encoder->palette_builder);
  g_clear_pointer (&encoder->scratch[0], g_byte_array_unref);
  g_clear_pointer (&encoder->scratch[1], g_byte_array_unref);
  g_free (encoder->indices);
  g_free (encoder->global_indices);
  g_free (encoder->keys);
  g_free (encoder->file_data);
  g_free (encoder);
}

void
fl_gif_block_encoder_set_dither (FlGifBlockEncoder *encoder, gboolean dither)
{
  encoder->dither = dither;
}

gboolean
fl_gif_block_encoder_set_global (FlGifBlockEncoder *encoder, const FlGifSource *first,
                                 GError **error)
{
  const gsize n = (gsize) first->width * first->height;
  g_autofree guint8 *indices = g_malloc (n);
  FlGifPalette *g = &encoder->global;

  fl_gif_palette_build_keys (encoder->palette_builder, first->keys, n, first->width, FALSE, g,
                             indices);
  gif_close (encoder);
  memset (encoder->global_slots, 0, sizeof encoder->global_slots);
  /* Only an exact table with room for a transparent index is worth sharing. */
  encoder->has_global = !g->quantised && (g->transparent_index >= 0 || g->n_entries < 256);
  if (encoder->has_global)
    {
      if (g->transparent_index < 0)
        {
          g->transparent_index = (int) g->n_entries++;
          while ((1u << g->bits) < g->n_entries)
            g->bits++;
        }
      for (guint i = 0; i < g->n_entries; i++)
        {
          guint32 key = (int) i == g->transparent_index
                          ? FL_GIF_KEY_TRANSPARENT
                          : ((guint32) g->rgb[i * 3] << 16) | ((guint32) g->rgb[i * 3 + 1] << 8)
                              | g->rgb[i * 3 + 2];
          guint h = (key * 0x9e3779b1u) >> (32 - GLOBAL_HASH_BITS);

          while (encoder->global_slots[h].used)
            h = (h + 1) & (GLOBAL_HASH_SIZE - 1);
          encoder->global_slots[h] = (GlobalSlot) { key, (guint8) i, TRUE };
        }
    }
  return gif_open (encoder, error);
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
  g_free (encoder->keys);
  encoder->indices = g_try_malloc (n);
  encoder->global_indices = g_try_malloc (n);
  encoder->keys = g_try_malloc (n * sizeof (guint32));
  encoder->indices_capacity = n;
  if (encoder->indices == NULL || encoder->global_indices == NULL || encoder->keys == NULL)
    {
      g_clear_pointer (&encoder->indices, g_free);
      g_clear_pointer (&encoder->global_indices, g_free);
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
  const FlGifPalette *table; /* the local table, or NULL for the global one */
  int transparent;           /* index, or -1 */
} Candidate;

/* Appends the block (GCE, descriptor, local table, LZW) of candidate c to out. */
static gboolean
put_block (FlGifBlockEncoder *encoder, const FlGifDelta *d, const Candidate *c, guint delay_cs,
           GByteArray *out)
{
  GifColorType colors[FL_GIF_PALETTE_MAX];
  ColorMapObject color_map;
  GraphicsControlBlock gcb;
  GifByteType extension[4];
  size_t extension_length;

  if (c->table != NULL)
    {
      for (guint i = 0; i < (1u << c->table->bits); i++)
        {
          colors[i].Red = c->table->rgb[i * 3];
          colors[i].Green = c->table->rgb[i * 3 + 1];
          colors[i].Blue = c->table->rgb[i * 3 + 2];
        }
      color_map.ColorCount = 1 << c->table->bits;
      color_map.BitsPerPixel = (int) c->table->bits;
      color_map.SortFlag = false;
      color_map.Colors = colors;
    }
  gcb.DisposalMode = d->dispose ? DISPOSE_BACKGROUND : DISPOSE_DO_NOT;
  gcb.UserInputFlag = false;
  gcb.DelayTime = (int) delay_cs;
  gcb.TransparentColor = c->transparent >= 0 ? c->transparent : NO_TRANSPARENT_COLOR;
  extension_length = EGifGCBToExtension (&gcb, extension);

  encoder->target = out;
  if (EGifPutExtension (encoder->gif, GRAPHICS_EXT_FUNC_CODE, (int) extension_length, extension)
      == GIF_ERROR)
    return FALSE;
  if (EGifPutImageDesc (encoder->gif, (int) d->left, (int) d->top, (int) d->width,
                        (int) d->height, false, c->table != NULL ? &color_map : NULL)
      == GIF_ERROR)
    return FALSE;
  /* giflib masks each row in place: the rows are our own scratch indices. */
  for (guint y = 0; y < d->height; y++)
    if (EGifPutLine (encoder->gif, (GifPixelType *) c->indices + (gsize) y * d->width,
                     (int) d->width) == GIF_ERROR)
      return FALSE;
  encoder->target = NULL;
  return TRUE;
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

/* Indexes n keys into the global table; FALSE when a colour is not in it. */
static gboolean
map_global (FlGifBlockEncoder *encoder, const guint32 *keys, gsize n, guint8 *indices)
{
  guint32 last_key = G_MAXUINT32;
  guint8 last = 0;

  for (gsize i = 0; i < n; i++)
    {
      if (keys[i] != last_key)
        {
          guint h = (keys[i] * 0x9e3779b1u) >> (32 - GLOBAL_HASH_BITS);

          while (encoder->global_slots[h].used && encoder->global_slots[h].key != keys[i])
            h = (h + 1) & (GLOBAL_HASH_SIZE - 1);
          if (!encoder->global_slots[h].used)
            return FALSE;
          last_key = keys[i];
          last = encoder->global_slots[h].index;
        }
      indices[i] = last;
    }
  return TRUE;
}

/* Encodes c into scratch, keeping it in *best when it is the smallest yet. */
static gboolean
try_candidate (FlGifBlockEncoder *encoder, const FlGifDelta *d, const Candidate *c,
               guint delay_cs, GByteArray **best)
{
  GByteArray *scratch = encoder->scratch[*best == encoder->scratch[0] ? 1 : 0];

  g_byte_array_set_size (scratch, 0);
  if (!put_block (encoder, d, c, delay_cs, scratch))
    return FALSE;
  if (*best == NULL || scratch->len < (*best)->len)
    *best = scratch;
  return TRUE;
}

/* Encodes the frame planned in d, trying the variants that may be smallest:
 * unchanged pixels transparent or drawn, a local or the global table. Ties go
 * to the first tried, so the choice depends on the pixels only. */
static gboolean
encode_delta (FlGifBlockEncoder *encoder, const FlGifDelta *d, const FlGifSource *cur,
              guint delay_cs, GByteArray *out, FlGifFrameInfo *info)
{
  const gsize n = (gsize) d->width * d->height;
  GByteArray *best = NULL;

  info->quantised = FALSE;
  info->max_error = 0;
  for (guint pass = 0; pass < 2; pass++)
    {
      const gboolean hide = pass == 0;
      FlGifPalette *palette = &encoder->palette;
      gsize unchanged = fl_gif_delta_keys (d, cur, hide, encoder->keys);
      gboolean global_ok;
      Candidate c;

      /* Drawing unchanged pixels only differs when there are some, and a
       * quantised frame draws only what changed. */
      if (!hide && (unchanged == 0 || info->quantised))
        break;
      fl_gif_palette_build_keys (encoder->palette_builder, encoder->keys, n, d->width,
                                 encoder->dither, palette, encoder->indices);
      if (!hide && palette->quantised)
        break;
      if (hide)
        {
          info->quantised = palette->quantised;
          info->max_error = palette->max_error;
        }
      global_ok = encoder->has_global && !palette->quantised
                  && map_global (encoder, encoder->keys, n, encoder->global_indices);
      if (global_ok)
        {
          /* The global table always has a transparent index (see local_transparent). */
          c = (Candidate) { encoder->global_indices, NULL, encoder->global.transparent_index };
          if (!try_candidate (encoder, d, &c, delay_cs, &best))
            return FALSE;
        }
      /* With no fewer bits than the global table, a local one only adds its bytes. */
      if (!global_ok || palette->bits < encoder->global.bits)
        {
          c = (Candidate) { encoder->indices, palette, local_transparent (palette) };
          if (!try_candidate (encoder, d, &c, delay_cs, &best))
            return FALSE;
        }
    }
  g_byte_array_append (out, best->data, best->len);
  return TRUE;
}

static gboolean
encode_checked (FlGifBlockEncoder *encoder, const FlGifDelta *d, const FlGifSource *cur,
                guint delay_cs, GByteArray *out, FlGifFrameInfo *info, GError **error)
{
  const guint initial_length = out->len;
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
  if (encoder->gif == NULL && !gif_open (encoder, error))
    return FALSE;
  if (!reserve (encoder, (gsize) d->width * d->height, cur->width, cur->height, error))
    return FALSE;
  if (!encode_delta (encoder, d, cur, delay_cs, out, info))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not encode a %ux%u GIF frame: %s",
                   cur->width, cur->height, gif_error_text (encoder->gif->Error));
      /* giflib is now mid-image: start it afresh for the next frame. */
      gif_close (encoder);
      g_byte_array_set_size (out, initial_length);
      return FALSE;
    }
  info->width = cur->width;
  info->height = cur->height;
  return TRUE;
}

gboolean
fl_gif_block_encode_source (FlGifBlockEncoder *encoder, const FlGifSource *prev,
                            const FlGifSource *cur, const FlGifSource *next, guint delay_cs,
                            GByteArray *out, FlGifFrameInfo *info, GError **error)
{
  FlGifDelta d;

  fl_gif_delta_plan (prev, cur, next, &d);
  return encode_checked (encoder, &d, cur, delay_cs, out, info, error);
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
  return encode_checked (encoder, &d, source, delay_cs, out, info, error);
}

/* Like fl_file_read, into a buffer reused from frame to frame, in as few system
 * calls as possible (open, read, close: syscalls are most of a small frame's
 * cost): no fstat, and a short read of a regular file is its end. O_NONBLOCK
 * keeps a FIFO from hanging the worker; a folder fails in read with EISDIR. */
static gboolean
read_file (FlGifBlockEncoder *encoder, int dirfd, const char *name, const char *path,
           gsize *length, GError **error)
{
  const gsize max_bytes = FL_PNG_DEFAULT_MAX_BYTES;
  gsize used = 0;
  int errsv = 0;
  int fd;

  fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      errsv = errno;
      g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not read %s: %s",
                   path, fl_strerror (errsv));
      return FALSE;
    }
  for (;;)
    {
      ssize_t n;

      if (used == encoder->file_capacity)
        {
          if (encoder->file_capacity > max_bytes)
            {
              close (fd);
              g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                           "Could not read %s: it is larger than %" G_GSIZE_FORMAT " bytes",
                           path, max_bytes);
              return FALSE;
            }
          gsize capacity = MIN (MAX (encoder->file_capacity * 2, 64 * 1024), max_bytes + 1);
          /* A worker short of memory names the file instead of aborting. */
          guint8 *bigger = g_try_realloc (encoder->file_data, capacity);
          if (bigger == NULL)
            {
              close (fd);
              g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not read %s: out of memory",
                           path);
              return FALSE;
            }
          encoder->file_data = bigger;
          encoder->file_capacity = capacity;
        }
      n = read (fd, encoder->file_data + used, encoder->file_capacity - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          errsv = errno;
          close (fd);
          g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not read %s: %s",
                       path, fl_strerror (errsv));
          return FALSE;
        }
      used += (gsize) n;
      if (used < encoder->file_capacity)
        break;
    }
  close (fd);
  *length = used;
  return TRUE;
}

FlGifSource *
fl_gif_block_read_source (FlGifBlockEncoder *encoder, int dirfd, const char *name,
                          const char *path, guint scale, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  FlGifSource *source;
  FlImage *image;
  gsize length = 0;

  if (!read_file (encoder, dirfd, name, path, &length, error))
    return NULL;
  /* The structural check and the decode in one inflate: libpng alone lets some
   * damage through as warnings. */
  image = fl_png_decode_checked (encoder->file_data, length, NULL, &local_error);
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
  return source;
}

void
fl_gif_record_append (GByteArray *out, FlGifRecordKind kind, guint32 index, guint32 width,
                      guint32 height, guint32 code, const void *payload, gsize length)
{
  FlGifRecordHeader header = { kind, index, width, height, code, (guint32) length };

  g_return_if_fail (length <= FL_GIF_RECORD_MAX_PAYLOAD);
  g_byte_array_append (out, (const guint8 *) &header, sizeof header);
  if (length > 0)
    g_byte_array_append (out, payload, (guint) length);
}

gboolean
fl_gif_record_append_source (FlGifBlockEncoder *encoder, const FlGifSource *prev,
                             const FlGifSource *cur, const FlGifSource *next, const char *path,
                             guint index, guint delay_cs, GByteArray *out, GError **error)
{
  const guint start = out->len;
  FlGifRecordHeader header = { FL_GIF_RECORD_FRAME, index, 0, 0, 0, 0 };
  g_autoptr (GError) local_error = NULL;
  FlGifFrameInfo info;

  g_byte_array_set_size (out, start + sizeof header);
  if (!fl_gif_block_encode_source (encoder, prev, cur, next, delay_cs, out, &info, &local_error))
    {
      g_byte_array_set_size (out, start);
      g_set_error (error, FL_ERROR, local_error->code, "Could not encode %s: %s", path,
                   local_error->message);
      return FALSE;
    }
  header.width = info.width;
  header.height = info.height;
  header.code = info.quantised ? 1 : 0;
  header.length = out->len - start - (guint32) sizeof header;
  memcpy (out->data + start, &header, sizeof header);
  return TRUE;
}
