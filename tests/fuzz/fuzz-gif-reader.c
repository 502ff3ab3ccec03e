/* fuzz-gif-reader.c: the GIF reader the preview uses, then its compositor.
 *
 * The bytes go through fl_gif_new_from_bytes with the default limits (what the
 * app applies to a file it opens); a GIF it accepts is then played as the
 * preview plays it: every frame composed in order, then seeks backwards and
 * forwards across keyframes, so that disposal and keyframe code are fuzzed too.
 * Every input is then opened in the indexed mode too (what the app uses for a
 * file over the in-memory limits: a block scan, then giflib on each frame as
 * it is drawn) and played the same way.
 */
#include "fuzz-target.h"

#include "fl-error.h"
#include "fl-gif-reader.h"

/* Converting a 4096x4096 canvas to RGBA on every input would slow the fuzzer
 * for nothing; small canvases are converted to check the whole buffer. */
#define MAX_RGBA_PIXELS (256u * 256u)

static void
touch_canvas (const guint32 *pixels, guint width, guint height)
{
  gsize n_pixels = (gsize) width * height;

  FUZZ_ASSERT (pixels != NULL);
  if (n_pixels <= MAX_RGBA_PIXELS)
    {
      g_autofree guint8 *rgba = g_malloc (n_pixels * 4);

      fl_gif_pixels_to_rgba (pixels, n_pixels, rgba);
    }
  else
    {
      /* The first and last pixel: ASan sees a canvas that is too short. */
      volatile guint32 sink = pixels[0] ^ pixels[n_pixels - 1];
      (void) sink;
    }
}

/* Checks what gif says about itself, then plays it as the preview does. */
static void
play (FlGif *gif, guint max_frames)
{
  g_autoptr (FlGifCanvas) canvas = NULL;
  guint width, height, n_frames;

  width = fl_gif_get_width (gif);
  height = fl_gif_get_height (gif);
  n_frames = fl_gif_get_n_frames (gif);
  FUZZ_ASSERT (width > 0 && height > 0);
  FUZZ_ASSERT ((guint64) width * height <= FL_GIF_DEFAULT_MAX_CANVAS_PIXELS);
  FUZZ_ASSERT (n_frames > 0 && n_frames <= max_frames);
  FUZZ_ASSERT (fl_gif_get_loop_count (gif) >= -1);
  FUZZ_ASSERT (fl_gif_get_memory_size (gif) > 0);
  for (guint i = 0; i < n_frames; i++)
    {
      FlGifDisposal disposal = fl_gif_get_frame_disposal (gif, i);

      FUZZ_ASSERT (fl_gif_get_frame_delay_ms (gif, i) >= 10 * FL_GIF_MIN_DELAY_CS);
      FUZZ_ASSERT (disposal == FL_GIF_DISPOSE_NONE || disposal == FL_GIF_DISPOSE_BACKGROUND
                   || disposal == FL_GIF_DISPOSE_PREVIOUS);
    }

  canvas = fl_gif_canvas_new (gif);
  /* Forward, as the preview plays. */
  for (guint i = 0; i < n_frames; i++)
    touch_canvas (fl_gif_canvas_render (canvas, i), width, height);
  /* Seeks: back to the start, to the end, into the middle, and a step back. */
  touch_canvas (fl_gif_canvas_render (canvas, 0), width, height);
  touch_canvas (fl_gif_canvas_render (canvas, n_frames - 1), width, height);
  touch_canvas (fl_gif_canvas_render (canvas, n_frames / 2), width, height);
  if (n_frames > 1)
    touch_canvas (fl_gif_canvas_render (canvas, n_frames / 2 - (n_frames > 2)), width, height);
  /* A second compositor on the same GIF, as a second view would have. */
  {
    g_autoptr (FlGifCanvas) other = fl_gif_canvas_new (gif);
    touch_canvas (fl_gif_canvas_render (other, n_frames - 1), width, height);
  }
}

/* What follows the trailer is counted within the file's own bytes. */
static void
check_trailing (FlGif *gif, size_t size)
{
  FlGifTrailing trailing;
  g_autofree char *note = fl_gif_describe_trailing (gif);

  fl_gif_get_trailing (gif, &trailing);
  FUZZ_ASSERT (trailing.bytes < size && trailing.other_bytes <= trailing.bytes);
  FUZZ_ASSERT (trailing.n_gifs >= 1 && trailing.n_frames >= fl_gif_get_n_frames (gif));
  FUZZ_ASSERT ((note != NULL) == (trailing.bytes > 0));
}

static void
check_error (const GError *error)
{
  FUZZ_ASSERT (error != NULL && error->domain == FL_ERROR);
  FUZZ_ASSERT (error->code == FL_ERROR_INVALID_GIF || error->code == FL_ERROR_TOO_LARGE);
  FUZZ_ASSERT (error->message != NULL && error->message[0] != '\0');
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;
  g_autoptr (GBytes) bytes = g_bytes_new_static (data, size);

  gif = fl_gif_new_from_bytes (data, size, NULL, NULL, &error);
  if (gif == NULL)
    check_error (error);
  else
    {
      FUZZ_ASSERT (error == NULL);
      FUZZ_ASSERT (!fl_gif_is_indexed (gif));
      play (gif, FL_GIF_DEFAULT_MAX_FRAMES);
      check_trailing (gif, size);
    }
  g_clear_pointer (&gif, fl_gif_unref);
  g_clear_error (&error);

  gif = fl_gif_new_indexed (bytes, NULL, NULL, &error);
  if (gif == NULL)
    {
      check_error (error);
      return 0;
    }
  FUZZ_ASSERT (error == NULL);
  FUZZ_ASSERT (fl_gif_is_indexed (gif));
  play (gif, FL_GIF_DEFAULT_MAX_INDEXED_FRAMES);
  check_trailing (gif, size);
  return 0;
}
