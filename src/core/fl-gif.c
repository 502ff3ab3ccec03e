/* fl-gif.c: the FlGif object every part of the reader shares (fl-gif-decode.c,
 * fl-gif-index.c, fl-gif-canvas.c, fl-gif-reader.c): its default limits, its
 * references and the accessors that need no decoding. Depends on nothing else
 * of the reader, so that the reader's files depend on each other one way. */
#include "fl-gif-reader.h"

#include "fl-gif-reader-private.h"

void
fl_gif_limits_init_default (FlGifLimits *limits)
{
  limits->max_file_bytes = FL_GIF_DEFAULT_MAX_FILE_BYTES;
  limits->max_canvas_pixels = FL_GIF_DEFAULT_MAX_CANVAS_PIXELS;
  limits->max_frames = FL_GIF_DEFAULT_MAX_FRAMES;
  limits->max_frame_bytes = FL_GIF_DEFAULT_MAX_FRAME_BYTES;
  limits->max_raster_pixels = FL_GIF_DEFAULT_MAX_RASTER_PIXELS;
  limits->max_indexed_file_bytes = FL_GIF_DEFAULT_MAX_INDEXED_FILE_BYTES;
  limits->max_indexed_frames = FL_GIF_DEFAULT_MAX_INDEXED_FRAMES;
}

FlGif *
fl_gif_ref (FlGif *gif)
{
  g_atomic_int_inc (&gif->ref_count);
  return gif;
}

void
fl_gif_unref (FlGif *gif)
{
  if (gif == NULL || !g_atomic_int_dec_and_test (&gif->ref_count))
    return;
  g_clear_pointer (&gif->frames, g_array_unref);
  g_clear_pointer (&gif->index, g_array_unref);
  g_clear_pointer (&gif->file, g_bytes_unref);
  g_ptr_array_unref (gif->palettes);
  g_free (gif);
}

guint
fl_gif_get_width (FlGif *gif)
{
  return gif->width;
}

guint
fl_gif_get_height (FlGif *gif)
{
  return gif->height;
}

guint
fl_gif_get_n_frames (FlGif *gif)
{
  return gif->frames != NULL ? gif->frames->len : gif->index->len;
}

int
fl_gif_get_loop_count (FlGif *gif)
{
  return gif->loop_count;
}

guint
fl_gif_get_frame_delay_cs (FlGif *gif, guint index)
{
  g_return_val_if_fail (index < fl_gif_get_n_frames (gif), 0);
  if (gif->frames == NULL)
    return g_array_index (gif->index, FlGifIndexEntry, index).delay_cs;
  return g_array_index (gif->frames, FlGifFrame, index).delay_cs;
}

guint
fl_gif_get_frame_delay_ms (FlGif *gif, guint index)
{
  guint cs = fl_gif_get_frame_delay_cs (gif, index);

  return 10 * (cs < FL_GIF_MIN_DELAY_CS ? FL_GIF_CLAMPED_DELAY_CS : cs);
}

FlGifDisposal
fl_gif_get_frame_disposal (FlGif *gif, guint index)
{
  g_return_val_if_fail (index < fl_gif_get_n_frames (gif), FL_GIF_DISPOSE_NONE);
  if (gif->frames == NULL)
    return g_array_index (gif->index, FlGifIndexEntry, index).disposal;
  return g_array_index (gif->frames, FlGifFrame, index).disposal;
}

gsize
fl_gif_get_memory_size (FlGif *gif)
{
  return gif->memory;
}
