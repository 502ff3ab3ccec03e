/* test-gif-ahead.c: FlGifAhead, the viewer's composing thread: the frames it
 * hands out are the canvas's, pixel for pixel; a want never waits for the
 * composing; a far seek cancels the work in between; the cache stays within
 * its bound; freeing it while it composes leaves nothing to call back. */
#include "fl-gif-ahead.h"
#include "fl-test-gif.h"
#include "fl-sync.h"

#include <string.h>

typedef struct
{
  FlMutex lock;
  FlCond cond;
  guint ready;      /* ready calls so far */
  gboolean freed;   /* set once fl_gif_ahead_free returned */
  guint late;       /* ready calls after that: must stay 0 */
} Waiter;

static void
waiter_init (Waiter *w)
{
  memset (w, 0, sizeof *w);
  fl_mutex_init (&w->lock);
  fl_cond_init (&w->cond);
}

static void
waiter_clear (Waiter *w)
{
  fl_cond_clear (&w->cond);
  fl_mutex_clear (&w->lock);
}

static void
on_ready (gpointer data)
{
  Waiter *w = data;

  fl_mutex_lock (&w->lock);
  w->ready++;
  if (w->freed)
    w->late++;
  fl_cond_broadcast (&w->cond);
  fl_mutex_unlock (&w->lock);
}

/* Waits (up to 30 s) until frame index is in the cache; returns it. The lock
 * order is the FlGifAhead's, then the waiter's (ready runs under the first):
 * so never ask the FlGifAhead while holding the waiter's. */
static FlGifAheadFrame *
wait_frame (FlGifAhead *ahead, Waiter *w, guint index)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      FlGifAheadFrame *frame;
      guint seen;
      gboolean timed_out;

      fl_mutex_lock (&w->lock);
      seen = w->ready;
      fl_mutex_unlock (&w->lock);
      if ((frame = fl_gif_ahead_get (ahead, index)) != NULL)
        return frame;
      fl_mutex_lock (&w->lock);
      while (w->ready == seen && fl_cond_wait_until (&w->cond, &w->lock, deadline))
        ;
      timed_out = w->ready == seen;
      fl_mutex_unlock (&w->lock);
      if (timed_out)
        g_error ("frame %u never composed", index);
    }
}

/* n frames of w x h, each a different pattern with every disposal in turn,
 * some transparent: composing them in order matters. */
static GBytes *
patterned_gif (guint w, guint h, guint n)
{
  GByteArray *b = hg_new (w, h, 4);
  g_autofree guint8 *px = g_malloc ((gsize) w * h);

  hg_loop (b, 0);
  for (guint f = 0; f < n; f++)
    {
      guint fw = w - f % 3, fh = h - f % 2;

      for (gsize p = 0; p < (gsize) fw * fh; p++)
        px[p] = (guint8) ((p * (f + 1) + f) % 16);
      hg_gce (b, 4, f % 4 == 1 ? 0 : -1, f % 4);
      hg_image (b, f % 3, f % 2, fw, fh, 0, FALSE);
      hg_raster (b, px, (gsize) fw * fh);
    }
  return hg_finish (b);
}

/* Frames handed out in any order are those a canvas composes, byte for byte. */
static void
test_same_pixels (void)
{
  g_autoptr (GBytes) bytes = patterned_gif (37, 23, 40);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = fl_gif_new_from_bytes (g_bytes_get_data (bytes, NULL),
                                                 g_bytes_get_size (bytes), NULL, NULL, &error);
  g_autoptr (FlGifCanvas) canvas = NULL;
  static const guint order[] = { 0, 1, 2, 3, 39, 5, 20, 19, 38, 0, 33, 34, 35, 7 };
  FlGifAhead *ahead;
  Waiter w;

  g_assert_no_error (error);
  waiter_init (&w);
  canvas = fl_gif_canvas_new (gif);
  ahead = fl_gif_ahead_new (gif, on_ready, &w);
  g_assert_cmpuint (fl_gif_ahead_get_capacity (ahead), ==, FL_GIF_AHEAD_MAX_FRAMES);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr (FlGifAheadFrame) frame = NULL;

      fl_gif_ahead_want (ahead, order[i], i % 2 ? 3 : 0);
      frame = wait_frame (ahead, &w, order[i]);
      g_assert_cmpuint (fl_gif_ahead_frame_get_index (frame), ==, order[i]);
      g_assert_cmpuint (fl_gif_ahead_frame_get_width (frame), ==, 37);
      g_assert_true (memcmp (fl_gif_ahead_frame_get_pixels (frame),
                             fl_gif_canvas_render (canvas, order[i]), 37 * 23 * 4) == 0);
    }
  /* Playing on past the last frame: the first ones follow. */
  fl_gif_ahead_want (ahead, 38, 4);
  for (guint i = 0; i < 5; i++)
    fl_gif_ahead_frame_unref (wait_frame (ahead, &w, (38 + i) % 40));
  fl_gif_ahead_free (ahead);
  waiter_clear (&w);
}

/* A GIF whose frames each take long to decode: indexed, 8192x2048 frames on a
 * 2048x2048 screen (16 Mi pixels of LZW data each, from a few KiB). */
static FlGif *
slow_gif (guint n)
{
  GByteArray *b = hg_new (2048, 2048, 3);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  FlGif *gif;

  for (guint f = 0; f < n; f++)
    {
      hg_gce (b, 10, -1, 0);
      hg_image (b, 0, 0, 8192, 2048, 0, FALSE);
      hg_raster_solid (b, f % 8, 8192ull * 2048);
    }
  bytes = hg_finish (b);
  gif = fl_gif_new_indexed (bytes, NULL, NULL, &error);
  g_assert_no_error (error);
  return gif;
}

/* A want returns at once, whatever is being composed; a seek far away stops
 * the work in between, so the frame sought comes after about one frame's
 * decoding, not after all of those before it. */
static void
test_want_never_waits (void)
{
  g_autoptr (FlGif) gif = slow_gif (12);
  g_autoptr (FlGifAheadFrame) first = NULL;
  g_autoptr (FlGifAheadFrame) last = NULL;
  gint64 start, one, longest = 0;
  FlGifAhead *ahead;
  Waiter w;

  waiter_init (&w);
  ahead = fl_gif_ahead_new (gif, on_ready, &w);
  g_assert_cmpuint (fl_gif_ahead_get_capacity (ahead), ==, 8);
  start = g_get_monotonic_time ();
  fl_gif_ahead_want (ahead, 0, 0);
  first = wait_frame (ahead, &w, 0);
  one = g_get_monotonic_time () - start;
  g_assert_cmphex (fl_gif_ahead_frame_get_pixels (first)[0], ==, hg_color (0));
  /* Ask for the frames one after the other, faster than they compose. */
  for (guint i = 1; i < 12; i++)
    {
      gint64 t = g_get_monotonic_time ();

      fl_gif_ahead_want (ahead, i, 0);
      longest = MAX (longest, g_get_monotonic_time () - t);
    }
  last = wait_frame (ahead, &w, 11);
  g_test_message ("one 16 Mi-pixel frame: %.0f ms; longest want: %.2f ms; frame 11 after "
                  "%.0f ms", one / 1000.0, longest / 1000.0,
                  (g_get_monotonic_time () - start) / 1000.0);
  /* A want only takes the lock, which the composing thread holds for
   * microseconds at a time; a loaded machine may still preempt us. */
  g_assert_cmpint (longest, <, 50 * 1000 + one / 4);
  /* The frame is whole: frame 11 is colour 3 everywhere. */
  g_assert_cmphex (fl_gif_ahead_frame_get_pixels (last)[0], ==, hg_color (3));
  g_assert_cmphex (fl_gif_ahead_frame_get_pixels (last)[2048 * 2048 - 1], ==, hg_color (3));
  /* Freed while it composes ahead: no call back once freed. */
  fl_gif_ahead_want (ahead, 0, 7);
  g_usleep (20 * 1000);
  fl_gif_ahead_free (ahead);
  fl_mutex_lock (&w.lock);
  w.freed = TRUE;
  fl_mutex_unlock (&w.lock);
  g_usleep (200 * 1000);
  fl_mutex_lock (&w.lock);
  g_assert_cmpuint (w.late, ==, 0);
  fl_mutex_unlock (&w.lock);
  waiter_clear (&w);
}

/* The cache holds what its budget allows: at most FL_GIF_AHEAD_CACHE_BYTES,
 * two frames at least, never more than FL_GIF_AHEAD_MAX_FRAMES. */
static void
test_capacity (void)
{
  static const struct
  {
    guint w, h, n, capacity;
  } cases[] = {
    { 10, 10, 5000, FL_GIF_AHEAD_MAX_FRAMES },
    { 2048, 2048, 20, 8 },
    { 4096, 2048, 20, 4 },
    { 4096, 4096, 20, 2 },
    { 4096, 4096, 1, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GByteArray *b = hg_new (cases[i].w, cases[i].h, 1);
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (FlGif) gif = NULL;
      FlGifAhead *ahead;
      Waiter w;

      for (guint f = 0; f < cases[i].n; f++)
        {
          hg_image (b, 0, 0, 1, 1, 0, FALSE);
          hg_raster (b, (const guint8 *) "\1", 1);
        }
      bytes = hg_finish (b);
      gif = fl_gif_new_indexed (bytes, NULL, NULL, NULL);
      g_assert_nonnull (gif);
      waiter_init (&w);
      ahead = fl_gif_ahead_new (gif, on_ready, &w);
      g_assert_cmpuint (fl_gif_ahead_get_capacity (ahead), ==, cases[i].capacity);
      g_assert_cmpuint ((guint64) fl_gif_ahead_get_capacity (ahead) * cases[i].w * cases[i].h * 4,
                        <=, MAX ((guint64) FL_GIF_AHEAD_CACHE_BYTES,
                                 2ull * cases[i].w * cases[i].h * 4));
      fl_gif_ahead_free (ahead);
      waiter_clear (&w);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gif-ahead/same-pixels", test_same_pixels);
  g_test_add_func ("/gif-ahead/want-never-waits", test_want_never_waits);
  g_test_add_func ("/gif-ahead/capacity", test_capacity);
  return g_test_run ();
}
