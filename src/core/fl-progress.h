/* fl-progress.h: how long-running core work reports progress.
 *
 * Callbacks come from any thread, often many times a second from many threads;
 * receivers must be quick and thread-safe, and coalesce before touching a UI. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* done of total units (frames) finished so far; total never changes in a run. */
typedef void (*FlProgressFunc) (guint64 done, guint64 total, gpointer user_data);

G_END_DECLS
