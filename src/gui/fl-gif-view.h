/* fl-gif-view.h: the Preview area: an animated GIF with play/pause, a frame
 * slider, a counter, speed and crisp zoom. Files are decoded on a thread. */
#pragma once

#include <gtk/gtk.h>

#include "fl-gif-paintable.h"

G_BEGIN_DECLS

#define FL_TYPE_GIF_VIEW (fl_gif_view_get_type ())
G_DECLARE_FINAL_TYPE (FlGifView, fl_gif_view, FL, GIF_VIEW, GtkWidget)

/* Decodes file on a thread, then shows it and plays. A newer call supersedes an
 * older one; errors appear in the view as one sentence naming the file. */
void            fl_gif_view_open (FlGifView *self, GFile *file);
void            fl_gif_view_toggle_playing (FlGifView *self);
FlGifPaintable *fl_gif_view_get_paintable (FlGifView *self);
/* The sentence shown for the last failed open, or NULL (for tests). */
const char     *fl_gif_view_get_error (FlGifView *self);

G_END_DECLS
