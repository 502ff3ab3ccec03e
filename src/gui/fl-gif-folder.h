/* fl-gif-folder.h: the GIF before or after a file in its folder (Page Up and
 * Page Down in the viewer), in the order a file manager sorts names; the
 * folder is read on a thread. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* direction < 0: the one before, > 0: the one after. */
void   fl_gif_folder_find_async (GFile *file, int direction, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
/* The neighbour, or NULL (no error) when file is the first or the last. */
GFile *fl_gif_folder_find_finish (GAsyncResult *result, GError **error);

G_END_DECLS
