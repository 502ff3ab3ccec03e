/* fl-window.h: the main window: header bar, Client, the live view and Server
 * on the left; Preview, Speed-up and Runs pages on the right; the window
 * actions open, run, compare, sweep-threads, sweep-processes, cancel, play,
 * save-runs and open-runs. */
#pragma once

#include <gtk/gtk.h>

#include "fl-application.h"
#include "fl-client-panel.h"
#include "fl-concurrency-view.h"
#include "fl-gif-view.h"
#include "fl-run-object.h"
#include "fl-runs-view.h"
#include "fl-server-panel.h"
#include "fl-speedup-panel.h"

G_BEGIN_DECLS

#define FL_TYPE_WINDOW (fl_window_get_type ())
G_DECLARE_FINAL_TYPE (FlWindow, fl_window, FL, WINDOW, GtkApplicationWindow)

FlWindow      *fl_window_new (FlApplication *app);
void           fl_window_open_gif (FlWindow *self, GFile *file);
FlServerPanel *fl_window_get_server_panel (FlWindow *self);
FlClientPanel *fl_window_get_client_panel (FlWindow *self);
FlGifView     *fl_window_get_gif_view (FlWindow *self);
FlSpeedupPanel *fl_window_get_speedup_panel (FlWindow *self);
FlRunsView    *fl_window_get_runs_view (FlWindow *self);
FlConcurrencyView *fl_window_get_concurrency_view (FlWindow *self);
/* Shows the right-hand page "preview", "speedup" or "runs". */
void           fl_window_show_page (FlWindow *self, const char *name);
/* TRUE while the window offers to start the embedded server before a run. */
gboolean       fl_window_get_offering_server (FlWindow *self);

G_END_DECLS
