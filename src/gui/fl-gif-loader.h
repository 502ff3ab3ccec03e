/* fl-gif-loader.h: opens a GIF file on a thread of its own (fl_gif_new_from_file:
 * mapping, scanning, decoding) and hands the result to the main loop. */
#pragma once

#include <gio/gio.h>

#include "fl-gif-reader.h"

G_BEGIN_DECLS

typedef struct _FlGifLoad FlGifLoad;

/* Called on the main context that started the load, with the GIF (owned by
 * the callee) or the error (owned by the callee): one sentence naming the
 * file. */
typedef void (*FlGifLoadFunc) (FlGif *gif, GError *error, gpointer user_data);

/* Main thread: starts opening file; done runs once unless cancelled. */
FlGifLoad *fl_gif_load_start (GFile *file, FlGifLoadFunc done, gpointer user_data);
/* Main thread: done will not run; the thread stops at its next check and
 * the main loop joins it. load is not to be used after. */
void       fl_gif_load_cancel (FlGifLoad *load);

G_END_DECLS
