/* fl-gif-view.h: the Viewer page: an animated GIF with play/pause, a frame
 * slider, frame by frame steps (Left/Right, comma/period, Home/End), the
 * frame's details on request, crisp zoom (Ctrl+plus/minus/0/1, Ctrl+scroll),
 * the next and previous GIF of its folder (Page Up/Down), the frame exported
 * as PNG or copied; an empty state and an error state that say what to do.
 * Files are opened on a thread and frames composed on another (FlGifAhead):
 * nothing here decodes on the main loop. Its keys are bindings active while
 * the focus is in the view, so they never take a key from a text field.
 *
 * Memory: the view holds one GIF within the reader's budget
 * (FL_GIF_MEMORY_BUDGET_BYTES, see fl-gif-reader.h), the composed frames
 * within FL_GIF_AHEAD_MEMORY_BYTES (fl-gif-ahead.h), and draws at most
 * 2048x2048 pixels' worth when zoomed (larger: fitted to the window), which
 * GTK 4.8 holds about five times over on its way to the screen:
 * FL_GIF_VIEW_MEMORY_BUDGET_BYTES in all, whatever the file and the zoom
 * (tests/gui/test-gif-view-hostile.c measures it). */
#pragma once

#include <gtk/gtk.h>

#include "fl-gif-paintable.h"
#include "fl-image.h"

G_BEGIN_DECLS

#define FL_GIF_VIEW_MEMORY_BUDGET_BYTES \
  (FL_GIF_MEMORY_BUDGET_BYTES + FL_GIF_AHEAD_MEMORY_BYTES + 128u * 1024u * 1024u)

#define FL_TYPE_GIF_VIEW (fl_gif_view_get_type ())
G_DECLARE_FINAL_TYPE (FlGifView, fl_gif_view, FL, GIF_VIEW, GtkWidget)

/* Opens file on a thread, then shows it and plays. A newer call supersedes an
 * older one; errors appear in the view as one sentence naming the file. */
void            fl_gif_view_open (FlGifView *self, GFile *file);
void            fl_gif_view_toggle_playing (FlGifView *self);
FlGifPaintable *fl_gif_view_get_paintable (FlGifView *self);
/* While a run downloads: shows image (copied), frame index of total, in place
 * of the GIF until fl_gif_view_end_live or the next GIF opened. */
void            fl_gif_view_show_live_frame (FlGifView *self, const FlImage *image, guint index,
                                             guint total);
/* Back to the GIF (or the empty state) after a run that made no GIF. */
void            fl_gif_view_end_live (FlGifView *self);
/* Frames shown since the live view last started (for tests). */
guint           fl_gif_view_get_live_frames (FlGifView *self);
/* The sentence shown for the last failed open, or NULL (for tests). */
const char     *fl_gif_view_get_error (FlGifView *self);
/* The reader's note on the GIF shown, or NULL: "This file holds 2 GIFs back to
 * back; only the first (2500 frames) plays." */
const char     *fl_gif_view_get_note (FlGifView *self);
/* "title": the name of the GIF shown (or that failed to open), or NULL. */
const char     *fl_gif_view_get_title (FlGifView *self);
/* The file shown, or NULL. */
GFile          *fl_gif_view_get_file (FlGifView *self);
/* "has-frame": a frame is shown that can be exported or copied. */
gboolean        fl_gif_view_get_has_frame (FlGifView *self);
/* The zoom: 0 fits the view, else the factor (1, 2, 4 .. 32). */
guint           fl_gif_view_get_zoom (FlGifView *self);
/* The frame shown, as a PNG at file: on a thread; "frame-exported" (GFile
 * *file, const char *error or NULL) tells the end, and a toast says it. */
void            fl_gif_view_export_frame (FlGifView *self, GFile *file);
/* The Save dialog for fl_gif_view_export_frame. */
void            fl_gif_view_choose_export (FlGifView *self);
/* The frame shown, to the clipboard as an image. */
void            fl_gif_view_copy_frame (FlGifView *self);
/* The text of the frame details (for tests): "Size: 10 × 10" and the like. */
char           *fl_gif_view_get_details_text (FlGifView *self);

G_END_DECLS
