/* fl-gif-ahead.c: one detached thread per FlGifAhead, an FlMutex-guarded cache.
 *
 * The thread and the owner share the FlGifAhead through a reference each, so
 * that fl_gif_ahead_free never waits for a frame being composed: whichever side
 * lets go last frees it. The thread is a bare pthread and the lock an FlMutex
 * so that ThreadSanitizer sees every hand-off (see fl-sync.h). */
#include "fl-gif-ahead.h"

#include "fl-sync.h"

#include <string.h>

#define NONE G_MAXUINT

struct _FlGifAheadFrame
{
  gint refs;
  guint index;
  guint width, height;
  guint32 pixels[];
};

struct _FlGifAhead
{
  gint refs;                 /* the owner's and the thread's */
  FlMutex lock;
  FlCond cond;
  FlGif *gif;
  guint n_frames;
  guint capacity;
  FlGifAheadReadyFunc ready;
  gpointer user_data;
  gboolean threaded;         /* FALSE when no thread could start: want composes */
  FlGifCanvas *canvas;       /* the composing side's only */

  /* Under lock. */
  gboolean quit;
  guint want, n_after;
  gboolean wanted;           /* a want has come */
  FlGifAheadFrame **cache;   /* capacity slots, NULL when free */
  guint working;             /* the frame being composed, or NONE */
  GCancellable *work;        /* its cancellable */
};

FlGifAheadFrame *
fl_gif_ahead_frame_ref (FlGifAheadFrame *frame)
{
  g_atomic_int_inc (&frame->refs);
  return frame;
}

void
fl_gif_ahead_frame_unref (FlGifAheadFrame *frame)
{
  if (frame != NULL && g_atomic_int_dec_and_test (&frame->refs))
    g_free (frame);
}

guint
fl_gif_ahead_frame_get_index (FlGifAheadFrame *frame)
{
  return frame->index;
}

const guint32 *
fl_gif_ahead_frame_get_pixels (FlGifAheadFrame *frame)
{
  return frame->pixels;
}

guint
fl_gif_ahead_frame_get_width (FlGifAheadFrame *frame)
{
  return frame->width;
}

guint
fl_gif_ahead_frame_get_height (FlGifAheadFrame *frame)
{
  return frame->height;
}

static void
ahead_unref (FlGifAhead *ahead)
{
  if (!g_atomic_int_dec_and_test (&ahead->refs))
    return;
  for (guint i = 0; i < ahead->capacity; i++)
    fl_gif_ahead_frame_unref (ahead->cache[i]);
  g_free (ahead->cache);
  g_clear_object (&ahead->work);
  fl_gif_canvas_free (ahead->canvas);
  fl_gif_unref (ahead->gif);
  fl_cond_clear (&ahead->cond);
  fl_mutex_clear (&ahead->lock);
  g_free (ahead);
}

/* Under lock: how far index lies after the wanted frame, in playing order. */
static guint
distance (FlGifAhead *ahead, guint index)
{
  return (index + ahead->n_frames - ahead->want) % ahead->n_frames;
}

/* Under lock: the frames worth keeping: the wanted one and those after it
 * that the cache has room for. */
static gboolean
in_window (FlGifAhead *ahead, guint index)
{
  return distance (ahead, index) <= MIN (ahead->n_after, ahead->capacity - 1);
}

static FlGifAheadFrame **
find (FlGifAhead *ahead, guint index)
{
  for (guint i = 0; i < ahead->capacity; i++)
    if (ahead->cache[i] != NULL && ahead->cache[i]->index == index)
      return &ahead->cache[i];
  return NULL;
}

/* Under lock: the next frame to compose, or NONE. */
static guint
pick (FlGifAhead *ahead)
{
  guint n = MIN (MIN (ahead->n_after, ahead->capacity - 1), ahead->n_frames - 1);

  if (!ahead->wanted)
    return NONE;
  for (guint k = 0; k <= n; k++)
    {
      guint index = (ahead->want + k) % ahead->n_frames;

      if (find (ahead, index) == NULL)
        return index;
    }
  return NONE;
}

/* Under lock: a free slot, made by dropping a frame that is no longer wanted. */
static FlGifAheadFrame **
free_slot (FlGifAhead *ahead)
{
  FlGifAheadFrame **slot = NULL;

  for (guint i = 0; i < ahead->capacity && slot == NULL; i++)
    if (ahead->cache[i] == NULL || !in_window (ahead, ahead->cache[i]->index))
      slot = &ahead->cache[i];
  if (slot != NULL)
    g_clear_pointer (slot, fl_gif_ahead_frame_unref);
  return slot;
}

/* Composes index (lock not held) into a new frame, or NULL when cancelled. */
static FlGifAheadFrame *
compose (FlGifAhead *ahead, guint index, GCancellable *cancellable)
{
  gsize n_pixels = (gsize) fl_gif_get_width (ahead->gif) * fl_gif_get_height (ahead->gif);
  const guint32 *pixels = fl_gif_canvas_render_cancellable (ahead->canvas, index, cancellable);
  FlGifAheadFrame *frame;

  if (pixels == NULL)
    return NULL;
  frame = g_malloc (sizeof *frame + n_pixels * sizeof (guint32));
  frame->refs = 1;
  frame->index = index;
  frame->width = fl_gif_get_width (ahead->gif);
  frame->height = fl_gif_get_height (ahead->gif);
  memcpy (frame->pixels, pixels, n_pixels * sizeof (guint32));
  return frame;
}

/* Under lock, and returns with it held: composes the next frame if there is
 * one; FALSE when there is nothing to do. */
static gboolean
compose_next (FlGifAhead *ahead)
{
  guint index = pick (ahead);
  g_autoptr (GCancellable) cancellable = NULL;
  FlGifAheadFrame *frame, **slot;

  if (index == NONE || ahead->quit)
    return FALSE;
  /* Room first, so that the cache and the new frame stay within capacity. */
  if (free_slot (ahead) == NULL)
    return FALSE;
  ahead->working = index;
  ahead->work = g_cancellable_new ();
  cancellable = g_object_ref (ahead->work);
  fl_mutex_unlock (&ahead->lock);
  frame = compose (ahead, index, cancellable);
  fl_mutex_lock (&ahead->lock);
  ahead->working = NONE;
  g_clear_object (&ahead->work);
  if (frame == NULL || ahead->quit || !in_window (ahead, index) || find (ahead, index) != NULL
      || (slot = free_slot (ahead)) == NULL)
    {
      fl_gif_ahead_frame_unref (frame);
      return TRUE;
    }
  *slot = frame;
  ahead->ready (ahead->user_data);
  return TRUE;
}

static gpointer
ahead_thread (gpointer data)
{
  FlGifAhead *ahead = data;

  fl_mutex_lock (&ahead->lock);
  while (!ahead->quit)
    if (!compose_next (ahead) && !ahead->quit)
      fl_cond_wait (&ahead->cond, &ahead->lock);
  fl_mutex_unlock (&ahead->lock);
  ahead_unref (ahead);
  return NULL;
}

FlGifAhead *
fl_gif_ahead_new (FlGif *gif, FlGifAheadReadyFunc ready, gpointer user_data)
{
  FlGifAhead *ahead = g_new0 (FlGifAhead, 1);
  gsize frame_bytes = (gsize) fl_gif_get_width (gif) * fl_gif_get_height (gif) * 4;
  pthread_attr_t attr;
  pthread_t thread;

  ahead->refs = 2;
  fl_mutex_init (&ahead->lock);
  fl_cond_init (&ahead->cond);
  ahead->gif = fl_gif_ref (gif);
  ahead->n_frames = MAX (fl_gif_get_n_frames (gif), 1);
  ahead->capacity = (guint) CLAMP (FL_GIF_AHEAD_CACHE_BYTES / MAX (frame_bytes, 1), 2,
                                   FL_GIF_AHEAD_MAX_FRAMES);
  ahead->capacity = MIN (ahead->capacity, ahead->n_frames);
  ahead->cache = g_new0 (FlGifAheadFrame *, ahead->capacity);
  ahead->ready = ready;
  ahead->user_data = user_data;
  ahead->canvas = fl_gif_canvas_new (gif);
  ahead->working = NONE;
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  ahead->threaded = pthread_create (&thread, &attr, ahead_thread, ahead) == 0;
  pthread_attr_destroy (&attr);
  if (!ahead->threaded)
    {
      /* Composed on the owner's thread instead: slower, never wrong. */
      g_warning ("No thread could be started to compose GIF frames: composing them inline");
      ahead->refs = 1;
    }
  return ahead;
}

void
fl_gif_ahead_free (FlGifAhead *ahead)
{
  if (ahead == NULL)
    return;
  fl_mutex_lock (&ahead->lock);
  ahead->quit = TRUE;
  if (ahead->work != NULL)
    g_cancellable_cancel (ahead->work);
  fl_cond_signal (&ahead->cond);
  fl_mutex_unlock (&ahead->lock);
  ahead_unref (ahead);
}

void
fl_gif_ahead_want (FlGifAhead *ahead, guint index, guint n_after)
{
  g_return_if_fail (index < ahead->n_frames);

  fl_mutex_lock (&ahead->lock);
  ahead->want = index;
  ahead->n_after = n_after;
  ahead->wanted = TRUE;
  if (ahead->working != NONE && !in_window (ahead, ahead->working))
    g_cancellable_cancel (ahead->work);
  if (ahead->threaded)
    fl_cond_signal (&ahead->cond);
  else
    while (compose_next (ahead))
      ;
  fl_mutex_unlock (&ahead->lock);
}

FlGifAheadFrame *
fl_gif_ahead_get (FlGifAhead *ahead, guint index)
{
  FlGifAheadFrame **slot;
  FlGifAheadFrame *frame = NULL;

  fl_mutex_lock (&ahead->lock);
  slot = find (ahead, index);
  if (slot != NULL)
    frame = fl_gif_ahead_frame_ref (*slot);
  fl_mutex_unlock (&ahead->lock);
  return frame;
}

guint
fl_gif_ahead_get_capacity (FlGifAhead *ahead)
{
  return ahead->capacity;
}
