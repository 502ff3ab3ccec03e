/* fl-gif-canvas.c: FlGifCanvas, the compositor: frames drawn in order onto one
 * RGBA canvas with their disposal, sparse keyframes so that a seek replays few
 * frames, and in indexed mode each frame LZW-decoded only when it is drawn. */
#include "fl-gif-reader.h"

#include "fl-gif-reader-private.h"

#include <string.h>

/* Keyframes hold the canvas state just before a frame is drawn. */
#define KEYFRAME_MIN_INTERVAL 32u
#define KEYFRAME_BUDGET_BYTES (64u * 1024u * 1024u)

struct _FlGifCanvas
{
  FlGif *gif;
  guint32 *pixels;
  guint32 *saved;    /* the area under a DISPOSE_PREVIOUS frame */
  int index;         /* the frame pixels show, -1: none */
  guint interval;
  guint32 **keyframes; /* (n_frames - 1) / interval + 1, lazily filled */
  guint n_keyframes;
  gsize keyframe_bytes;
  /* Indexed mode: the frame being drawn or disposed, the one-frame GIF that
   * holds its indices, and the synthetic stream's buffer. */
  FlGifFrame frame;
  FlGif *decoded;
  GByteArray *scratch;
  guint64 release_mark; /* the mapping before it may leave the RSS */
};

FlGifCanvas *
fl_gif_canvas_new (FlGif *gif)
{
  FlGifCanvas *canvas = g_new0 (FlGifCanvas, 1);
  gsize bytes = (gsize) gif->width * gif->height * 4;
  guint n = fl_gif_get_n_frames (gif);

  canvas->gif = fl_gif_ref (gif);
  canvas->pixels = g_malloc0 (bytes);
  canvas->saved = g_malloc0 (bytes);
  canvas->index = -1;
  /* Enough keyframes that a seek replays few frames, all of them within the
   * budget: max_keys of them fit (at least one: a canvas is at most 64 MiB). */
  gsize max_keys = MAX (KEYFRAME_BUDGET_BYTES / MAX (bytes, 1), 1);
  canvas->interval = (guint) MAX ((gsize) KEYFRAME_MIN_INTERVAL, (n + max_keys - 1) / max_keys);
  canvas->n_keyframes = n > 0 ? (n - 1) / canvas->interval + 1 : 1;
  canvas->keyframes = g_new0 (guint32 *, canvas->n_keyframes);
  if (gif->frames == NULL)
    canvas->scratch = g_byte_array_new ();
  return canvas;
}

void
fl_gif_canvas_free (FlGifCanvas *canvas)
{
  if (canvas == NULL)
    return;
  for (guint i = 0; i < canvas->n_keyframes; i++)
    g_free (canvas->keyframes[i]);
  g_free (canvas->keyframes);
  g_free (canvas->pixels);
  g_free (canvas->saved);
  g_clear_pointer (&canvas->decoded, fl_gif_unref);
  g_clear_pointer (&canvas->scratch, g_byte_array_unref);
  fl_gif_unref (canvas->gif);
  g_free (canvas);
}

gsize
fl_gif_canvas_get_memory_size (FlGifCanvas *canvas)
{
  return 2 * (gsize) canvas->gif->width * canvas->gif->height * 4 + canvas->keyframe_bytes;
}

static void
copy_rect (guint32 *dst, const guint32 *src, guint stride, const FlGifFrame *f)
{
  for (guint y = f->top; y < f->top + f->height; y++)
    memcpy (dst + (gsize) y * stride + f->left, src + (gsize) y * stride + f->left,
            f->width * sizeof (guint32));
}

/* Frame index as draw_frame and dispose_frame need it. In indexed mode it is
 * described from the file and, with pixels, LZW-decoded now; a frame whose
 * data turns out damaged keeps no indices and draws nothing. */
static const FlGifFrame *
canvas_frame (FlGifCanvas *canvas, guint index, gboolean pixels, GCancellable *cancellable)
{
  FlGif *gif = canvas->gif;

  if (gif->frames != NULL)
    return &g_array_index (gif->frames, FlGifFrame, index);
  fl_gif_index_get_frame (gif, index, &canvas->frame);
  if (pixels)
    {
      g_clear_pointer (&canvas->decoded, fl_gif_unref);
      fl_gif_index_release (gif, index, &canvas->release_mark);
      canvas->decoded = fl_gif_index_decode (gif, index, canvas->scratch, cancellable);
      if (canvas->decoded != NULL && canvas->decoded->frames->len == 1)
        {
          const FlGifFrame *d = &g_array_index (canvas->decoded->frames, FlGifFrame, 0);

          /* Same screen, same descriptor: the same rectangle. */
          if (d->left == canvas->frame.left && d->top == canvas->frame.top
              && d->width == canvas->frame.width && d->height == canvas->frame.height)
            {
              canvas->frame.indices = d->indices;
              canvas->frame.palette = d->palette;
            }
        }
    }
  return &canvas->frame;
}

/* Undoes frame index's effect according to its disposal. */
static void
dispose_frame (FlGifCanvas *canvas, guint index)
{
  const FlGifFrame *f = canvas_frame (canvas, index, FALSE, NULL);
  guint stride = canvas->gif->width;

  if (f->disposal == FL_GIF_DISPOSE_BACKGROUND)
    for (guint y = f->top; y < f->top + f->height; y++)
      memset (canvas->pixels + (gsize) y * stride + f->left, 0, f->width * sizeof (guint32));
  else if (f->disposal == FL_GIF_DISPOSE_PREVIOUS)
    copy_rect (canvas->pixels, canvas->saved, stride, f);
}

/* Returns FALSE when cancelled while the frame's data was being decoded; the
 * canvas then holds no frame (index -1). */
static gboolean
draw_frame (FlGifCanvas *canvas, guint index, GCancellable *cancellable)
{
  const FlGifFrame *f = canvas_frame (canvas, index, TRUE, cancellable);
  guint stride = canvas->gif->width;
  gsize bytes = (gsize) stride * canvas->gif->height * 4;

  if (index % canvas->interval == 0 && canvas->keyframes[index / canvas->interval] == NULL)
    {
      canvas->keyframes[index / canvas->interval] = g_memdup2 (canvas->pixels, bytes);
      canvas->keyframe_bytes += bytes;
    }
  if (f->indices == NULL && g_cancellable_is_cancelled (cancellable))
    {
      /* Part-way between frames: the next render starts again. */
      canvas->index = -1;
      return FALSE;
    }
  if (f->disposal == FL_GIF_DISPOSE_PREVIOUS)
    copy_rect (canvas->saved, canvas->pixels, stride, f);
  /* A frame clipped to nothing (it starts past the screen's edge) has no
   * indices; its rows would start from a NULL pointer. */
  for (guint y = 0; f->indices != NULL && y < f->height; y++)
    {
      const guint8 *src = f->indices + (gsize) y * f->width;
      guint32 *dst = canvas->pixels + (gsize) (f->top + y) * stride + f->left;

      for (guint x = 0; x < f->width; x++)
        if ((int) src[x] != f->transparent)
          dst[x] = f->palette[src[x]];
    }
  canvas->index = (int) index;
  return TRUE;
}

const guint32 *
fl_gif_canvas_render (FlGifCanvas *canvas, guint index)
{
  return fl_gif_canvas_render_cancellable (canvas, index, NULL);
}

const guint32 *
fl_gif_canvas_render_cancellable (FlGifCanvas *canvas, guint index, GCancellable *cancellable)
{
  guint n = fl_gif_get_n_frames (canvas->gif);
  guint start;

  g_return_val_if_fail (index < n, canvas->pixels);
  if (canvas->index == (int) index)
    return canvas->pixels;

  if (canvas->index >= 0 && (guint) canvas->index < index
      && index - (guint) canvas->index <= canvas->interval)
    {
      start = (guint) canvas->index + 1;
      dispose_frame (canvas, start - 1);
    }
  else
    {
      /* Start from the nearest known keyframe at or before index. */
      guint k = index / canvas->interval;
      gsize bytes = (gsize) canvas->gif->width * canvas->gif->height * 4;

      while (k > 0 && canvas->keyframes[k] == NULL)
        k--;
      start = k * canvas->interval;
      if (canvas->index >= 0 && (guint) canvas->index < index && (guint) canvas->index >= start)
        {
          start = (guint) canvas->index + 1;
          dispose_frame (canvas, start - 1);
        }
      else if (canvas->keyframes[k] != NULL)
        memcpy (canvas->pixels, canvas->keyframes[k], bytes);
      else
        memset (canvas->pixels, 0, bytes);
    }
  /* Indexed mode: after a full-screen frame disposed to the background, or
   * from a frame that paints the whole screen opaquely, what came before is
   * irrelevant: a far seek starts there (frameloom-client writes only such
   * frames), not at a keyframe that may not exist yet. */
  if (canvas->gif->frames == NULL)
    {
      gboolean clear;
      guint found = fl_gif_index_find_start (canvas->gif, start, index, &clear);

      if (found != start && clear)
        memset (canvas->pixels, 0, (gsize) canvas->gif->width * canvas->gif->height * 4);
      start = found;
    }
  for (guint i = start; i <= index; i++)
    {
      /* Between two frames the canvas is whole: a stop there loses nothing. */
      if (i > start && g_cancellable_is_cancelled (cancellable))
        return NULL;
      if (i > start)
        dispose_frame (canvas, i - 1);
      if (!draw_frame (canvas, i, cancellable))
        return NULL;
    }
  return canvas->pixels;
}

void
fl_gif_pixels_to_rgba (const guint32 *pixels, gsize n_pixels, guint8 *rgba)
{
  for (gsize i = 0; i < n_pixels; i++)
    {
      guint32 p = pixels[i];

      rgba[4 * i + 0] = (p >> 16) & 0xff;
      rgba[4 * i + 1] = (p >> 8) & 0xff;
      rgba[4 * i + 2] = p & 0xff;
      rgba[4 * i + 3] = p >> 24;
    }
}
