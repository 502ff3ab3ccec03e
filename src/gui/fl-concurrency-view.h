/* fl-concurrency-view.h: the threads and processes at work, live: how many
 * downloads are connected right now (with the last seconds as a sparkline) and
 * which GIF worker process took which frames: a strip per worker over the
 * whole GIF, filling up as the worker reports frames. It polls a
 * FlPipelineBridge ~20 times a second. */
#pragma once

#include <gtk/gtk.h>

#include "fl-core-bridge.h"

G_BEGIN_DECLS

#define FL_TYPE_CONCURRENCY_VIEW (fl_concurrency_view_get_type ())
G_DECLARE_FINAL_TYPE (FlConcurrencyView, fl_concurrency_view, FL, CONCURRENCY_VIEW, GtkWidget)

/* Main thread. Starts following bridge (a reference is taken) for a run with
 * threads download threads; NULL stops polling and keeps the last picture. */
void  fl_concurrency_view_set_bridge (FlConcurrencyView *self, FlPipelineBridge *bridge,
                                      guint threads);
/* For tests: the most downloads seen in flight at once, and the workers seen,
 * since the last set_bridge with a bridge. */
guint fl_concurrency_view_get_max_in_flight (FlConcurrencyView *self);
guint fl_concurrency_view_get_n_workers (FlConcurrencyView *self);
/* For tests: the frames worker encoded in the run (0 when unknown). */
guint fl_concurrency_view_get_worker_frames (FlConcurrencyView *self, guint worker);

G_END_DECLS
