/* fl-gif-block.c: frames to GIF image blocks, with giflib doing the LZW.
 *
 * One GifFileType lives as long as the encoder: its screen descriptor is written
 * once and thrown away, then each frame's extension, descriptor, colour table
 * and LZW data land in the caller's buffer. giflib resets its LZW state for
 * every image, so a block never depends on the frames before it.
 */
#include "fl-gif-block.h"

#include "fl-error.h"
#include "fl-png.h"

#include <errno.h>
#include <fcntl.h>
#include <gif_lib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct _FlGifBlockEncoder
{
  GifFileType *gif;
  GByteArray *target; /* giflib's output goes here; NULL discards it */
  FlGifPaletteBuilder *palette_builder;
  guint8 *indices;
  gsize indices_capacity;
  guint8 *file_data; /* the last PNG read, reused */
  gsize file_capacity;
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

  encoder->target = NULL;
  encoder->gif = EGifOpen (encoder, on_gif_write, &code);
  if (encoder->gif == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not start the GIF encoder: %s",
                   gif_error_text (code));
      return FALSE;
    }
  /* The real screen is only known at the end; the writer emits it. */
  if (EGifPutScreenDesc (encoder->gif, FL_GIF_MAX_DIMENSION, FL_GIF_MAX_DIMENSION, 8, 0, NULL)
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
  g_free (encoder->indices);
  g_free (encoder->file_data);
  g_free (encoder);
}

guint
fl_gif_delay_cs (guint delay_ms)
{
  return delay_ms >= 655345u ? 65535u : (delay_ms + 5) / 10;
}

gboolean
fl_gif_block_encode_image (FlGifBlockEncoder *encoder, const FlImage *image, guint delay_cs,
                           GByteArray *out, FlGifFrameInfo *info, GError **error)
{
  const gsize n_pixels = (gsize) image->width * image->height;
  const guint initial_length = out->len;
  FlGifPalette palette;
  GifColorType colors[FL_GIF_PALETTE_MAX];
  ColorMapObject color_map;
  GraphicsControlBlock gcb;
  GifByteType extension[4];
  size_t extension_length;
  guint64 quantise_start, compress_start;

  g_return_val_if_fail (image->channels == 3 || image->channels == 4, FALSE);
  if (image->width == 0 || image->height == 0 || image->width > FL_GIF_MAX_DIMENSION
      || image->height > FL_GIF_MAX_DIMENSION)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "A %ux%u frame does not fit in a GIF (at most %ux%u)", image->width,
                   image->height, FL_GIF_MAX_DIMENSION, FL_GIF_MAX_DIMENSION);
      return FALSE;
    }
  if (encoder->gif == NULL && !gif_open (encoder, error))
    return FALSE;
  if (encoder->indices_capacity < n_pixels)
    {
      g_free (encoder->indices);
      encoder->indices = g_try_malloc (n_pixels);
      encoder->indices_capacity = encoder->indices != NULL ? n_pixels : 0;
      if (encoder->indices == NULL)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_FAILED,
                       "Could not encode a %ux%u frame: out of memory", image->width,
                       image->height);
          return FALSE;
        }
    }

  quantise_start = now_ns ();
  fl_gif_palette_build (encoder->palette_builder, image, &palette, encoder->indices);
  compress_start = now_ns ();
  encoder->times.quantise_ns += compress_start - quantise_start;
  for (guint i = 0; i < (1u << palette.bits); i++)
    {
      colors[i].Red = palette.rgb[i * 3];
      colors[i].Green = palette.rgb[i * 3 + 1];
      colors[i].Blue = palette.rgb[i * 3 + 2];
    }
  color_map.ColorCount = 1 << palette.bits;
  color_map.BitsPerPixel = (int) palette.bits;
  color_map.SortFlag = false;
  color_map.Colors = colors;

  gcb.DisposalMode = DISPOSE_BACKGROUND;
  gcb.UserInputFlag = false;
  gcb.DelayTime = (int) delay_cs;
  /* Viewers that take disposal 2 literally (Pillow) fill the frame with the
   * background colour unless the frame declares a transparent index: declare an
   * unused one when the table has room, so the next frame's holes stay clear. */
  if (palette.transparent_index >= 0)
    gcb.TransparentColor = palette.transparent_index;
  else if (palette.n_entries < (1u << palette.bits))
    gcb.TransparentColor = (int) palette.n_entries;
  else
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
  extension_length = EGifGCBToExtension (&gcb, extension);

  encoder->target = out;
  if (EGifPutExtension (encoder->gif, GRAPHICS_EXT_FUNC_CODE, (int) extension_length, extension)
      == GIF_ERROR)
    goto failed;
  if (EGifPutImageDesc (encoder->gif, 0, 0, (int) image->width, (int) image->height, false,
                        &color_map) == GIF_ERROR)
    goto failed;
  /* giflib masks each row in place: the rows are our own scratch indices. */
  for (guint y = 0; y < image->height; y++)
    if (EGifPutLine (encoder->gif, encoder->indices + (gsize) y * image->width,
                     (int) image->width) == GIF_ERROR)
      goto failed;
  encoder->target = NULL;
  encoder->times.compress_ns += now_ns () - compress_start;

  if (info != NULL)
    {
      info->width = image->width;
      info->height = image->height;
      info->quantised = palette.quantised;
      info->max_error = palette.max_error;
    }
  return TRUE;

failed:
  g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not encode a %ux%u GIF frame: %s",
               image->width, image->height, gif_error_text (encoder->gif->Error));
  /* giflib is now mid-image: start it afresh for the next frame. */
  gif_close (encoder);
  g_byte_array_set_size (out, initial_length);
  return FALSE;
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

gboolean
fl_gif_block_encode_file_at (FlGifBlockEncoder *encoder, int dirfd, const char *name,
                             const char *path, guint delay_cs, GByteArray *out,
                             FlGifFrameInfo *info, GError **error)
{
  g_autoptr (FlImage) image = NULL;
  g_autoptr (GError) local_error = NULL;
  guint64 decode_start = now_ns ();
  gsize length = 0;

  if (!read_file (encoder, dirfd, name, path, &length, error))
    return FALSE;
  /* The full structural check first: libpng lets some damage through as warnings. */
  if (!fl_png_check (encoder->file_data, length, NULL, NULL, NULL, &local_error)
      || (image = fl_png_decode (encoder->file_data, length, NULL, &local_error)) == NULL)
    {
      const char *message = local_error->message;

      if (g_str_has_prefix (message, "not a valid PNG"))
        g_set_error (error, FL_ERROR, local_error->code, "%s is %s", path, message);
      else
        g_set_error (error, FL_ERROR, local_error->code, "%s is not a valid PNG: %s", path,
                     message);
      return FALSE;
    }
  encoder->times.decode_ns += now_ns () - decode_start;
  if (!fl_gif_block_encode_image (encoder, image, delay_cs, out, info, &local_error))
    {
      g_set_error (error, FL_ERROR, local_error->code, "Could not encode %s: %s", path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
fl_gif_block_encode_file (FlGifBlockEncoder *encoder, const char *path, guint delay_cs,
                          GByteArray *out, FlGifFrameInfo *info, GError **error)
{
  return fl_gif_block_encode_file_at (encoder, AT_FDCWD, path, path, delay_cs, out, info, error);
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
fl_gif_record_append_frame (FlGifBlockEncoder *encoder, int dirfd, const char *name,
                            const char *path, guint index, guint delay_cs, GByteArray *out,
                            GError **error)
{
  const guint start = out->len;
  FlGifRecordHeader header = { FL_GIF_RECORD_FRAME, index, 0, 0, 0, 0 };
  FlGifFrameInfo info;

  g_byte_array_set_size (out, start + sizeof header);
  if (!fl_gif_block_encode_file_at (encoder, dirfd, name, path, delay_cs, out, &info, error))
    {
      g_byte_array_set_size (out, start);
      return FALSE;
    }
  header.width = info.width;
  header.height = info.height;
  header.code = info.quantised ? 1 : 0;
  header.length = out->len - start - (guint32) sizeof header;
  memcpy (out->data + start, &header, sizeof header);
  return TRUE;
}
