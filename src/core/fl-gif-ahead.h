/* fl-gif-ahead.h: composes a GIF's frames ahead of a viewer, on a thread of its
 * own, into a small bounded cache; GTK-free.
 *
 * A viewer must never compose on its own thread: a 4096x4096 frame takes tens
 * of milliseconds to compose, a seek replays up to a keyframe interval of them,
 * and in indexed mode each frame is LZW-decoded as it is drawn (a 16384x4096
 * frame: over a second). So the viewer says which frame it wants and how many
 * after it it will want next (fl_gif_ahead_want), and the thread composes them
 * in that order with its own FlGifCanvas, calling ready after each one that
 * enters the cache. A want that leaves the frame being composed behind cancels
 * that work, between two frames or inside a frame's LZW data.
 *
 * Memory: at most FL_GIF_AHEAD_CACHE_BYTES of composed frames (4 bytes a
 * screen pixel each), but always at least 2 frames and at most
 * FL_GIF_AHEAD_MAX_FRAMES, plus the one FlGifCanvas (fl-gif-reader.h). A frame
 * a viewer still holds after the cache dropped it adds one more:
 * FL_GIF_AHEAD_MEMORY_BYTES in all for the largest screen the reader opens.
 */
#pragma once

#include "fl-gif-reader.h"

G_BEGIN_DECLS

#define FL_GIF_AHEAD_CACHE_BYTES (128u * 1024u * 1024u)
#define FL_GIF_AHEAD_MAX_FRAMES 8u
/* The cache and one frame held outside it, for a screen of the reader's
 * largest (FL_GIF_DEFAULT_MAX_CANVAS_PIXELS, 64 MiB a frame). */
#define FL_GIF_AHEAD_MEMORY_BYTES \
  (FL_GIF_AHEAD_CACHE_BYTES + 4u * FL_GIF_DEFAULT_MAX_CANVAS_PIXELS)

typedef struct _FlGifAhead FlGifAhead;
typedef struct _FlGifAheadFrame FlGifAheadFrame;

/* Called on the composing thread, with the cache's lock held, each time a
 * frame enters the cache: it must only wake its owner (set a flag, wake a
 * main loop), never call back into the FlGifAhead. */
typedef void (*FlGifAheadReadyFunc) (gpointer user_data);

/* Starts the thread for gif (a reference is taken); nothing is composed until
 * the first want. */
FlGifAhead *fl_gif_ahead_new (FlGif *gif, FlGifAheadReadyFunc ready, gpointer user_data);
/* Never waits: the thread stops at its next check and frees what it holds;
 * ready is not called once this returns. Frames still held stay valid. */
void        fl_gif_ahead_free (FlGifAhead *ahead);
/* The owner's thread: frame index is wanted now, then the n_after frames that
 * follow it (past the last frame: from the first again). */
void        fl_gif_ahead_want (FlGifAhead *ahead, guint index, guint n_after);
/* The owner's thread: frame index if it is composed (a new reference), else
 * NULL. */
FlGifAheadFrame *fl_gif_ahead_get (FlGifAhead *ahead, guint index);
/* How many frames the cache holds at most (the useful n_after + 1). */
guint       fl_gif_ahead_get_capacity (FlGifAhead *ahead);

/* Frames are reference counted (atomically) and read-only. */
FlGifAheadFrame *fl_gif_ahead_frame_ref (FlGifAheadFrame *frame);
void        fl_gif_ahead_frame_unref (FlGifAheadFrame *frame);
guint       fl_gif_ahead_frame_get_index (FlGifAheadFrame *frame);
/* width * height pixels of the screen, cairo's ARGB32 (see fl_gif_canvas_render). */
const guint32 *fl_gif_ahead_frame_get_pixels (FlGifAheadFrame *frame);
guint       fl_gif_ahead_frame_get_width (FlGifAheadFrame *frame);
guint       fl_gif_ahead_frame_get_height (FlGifAheadFrame *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlGifAheadFrame, fl_gif_ahead_frame_unref)

G_END_DECLS
