/* fl-frame-export.h: a composed frame (FlGifAheadFrame) out of the viewer: as
 * a PNG file, encoded and written atomically on a thread, or as a texture for
 * the clipboard. */
#pragma once

#include <gtk/gtk.h>

#include "fl-gif-ahead.h"

G_BEGIN_DECLS

/* Main thread: writes frame to file (a local path) as an RGBA PNG; the
 * callback runs on the main context and must call the finish function. */
void        fl_frame_export_png_async (FlGifAheadFrame *frame, GFile *file,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
/* FALSE with one sentence naming the file. */
gboolean    fl_frame_export_png_finish (GAsyncResult *result, GError **error);
/* The frame as a texture, without a copy (it keeps a reference to frame). */
GdkTexture *fl_frame_to_texture (FlGifAheadFrame *frame);

G_END_DECLS
