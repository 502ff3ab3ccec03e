/* fl-progress.h: how long-running core work reports progress.
 *
 * Callbacks come from any thread, often many times a second from many threads;
 * receivers must be quick and thread-safe, and coalesce before touching a UI. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* done of total units (frames) finished so far; total never changes in a run. */
typedef void (*FlProgressFunc) (guint64 done, guint64 total, gpointer user_data);

/* A live view of the GIF workers: worker (0..P-1) holds frames first..first+n_frames-1
 * and has finished done of them. Called from the thread running the encoder
 * whenever a worker starts a range or reports frames; done == n_frames ends it. */
typedef void (*FlWorkerProgressFunc) (guint worker, guint first, guint n_frames, guint done,
                                      gpointer user_data);

G_END_DECLS
