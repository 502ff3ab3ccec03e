/* fl-gif-view.h: the Preview area: an animated GIF with play/pause, a frame
 * slider, a counter, speed and crisp zoom. Files are decoded on a thread.
 *
 * Memory: the view holds one GIF within the reader's budget
 * (FL_GIF_MEMORY_BUDGET_BYTES, see fl-gif-reader.h) and draws it at most 2048x2048
 * pixels' worth when zoomed (larger: fitted to the window), which GTK 4.8 holds
 * about five times over on its way to the screen: FL_GIF_VIEW_MEMORY_BUDGET_BYTES
 * in all, whatever the file and the zoom (tests/hostile/app measures it). */
#pragma once

#include <gtk/gtk.h>

#include "fl-gif-paintable.h"
#include "fl-image.h"

G_BEGIN_DECLS

#define FL_GIF_VIEW_MEMORY_BUDGET_BYTES (FL_GIF_MEMORY_BUDGET_BYTES + 128u * 1024u * 1024u)

#define FL_TYPE_GIF_VIEW (fl_gif_view_get_type ())
G_DECLARE_FINAL_TYPE (FlGifView, fl_gif_view, FL, GIF_VIEW, GtkWidget)

/* Decodes file on a thread, then shows it and plays. A newer call supersedes an
 * older one; errors appear in the view as one sentence naming the file. */
void            fl_gif_view_open (FlGifView *self, GFile *file);
void            fl_gif_view_toggle_playing (FlGifView *self);
FlGifPaintable *fl_gif_view_get_paintable (FlGifView *self);
/* While a run downloads: shows image (copied), frame index of total, in place
 * of the GIF until fl_gif_view_end_live or the next GIF opened. */
void            fl_gif_view_show_live_frame (FlGifView *self, const FlImage *image, guint index,
                                             guint total);
/* Back to the GIF (or the placeholder) after a run that made no GIF. */
void            fl_gif_view_end_live (FlGifView *self);
/* Frames shown since the live view last started (for tests). */
guint           fl_gif_view_get_live_frames (FlGifView *self);
/* The sentence shown for the last failed open, or NULL (for tests). */
const char     *fl_gif_view_get_error (FlGifView *self);

G_END_DECLS
