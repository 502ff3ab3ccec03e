/* fl-window.h: the main window: a header bar with a view switcher over the
 * pages (Viewer, Speed-up, Runs; room for more), the Server and the Client in
 * a sidebar that folds over the pages in a narrow window, a banner for what
 * needs the user's attention and toasts for the rest; the window actions open,
 * run, compare, sweep-threads, sweep-processes, cancel, save-runs, open-runs,
 * make-gif, make-gif-folder (fl-make-gif.h), export-frame, copy-frame,
 * fullscreen, toggle-sidebar and show-page. */
#pragma once

#include <adwaita.h>

#include "fl-application.h"
#include "fl-banner.h"
#include "fl-client-panel.h"
#include "fl-concurrency-view.h"
#include "fl-gif-view.h"
#include "fl-make-gif.h"
#include "fl-run-object.h"
#include "fl-runs-view.h"
#include "fl-server-panel.h"
#include "fl-speedup-panel.h"
#include "fl-timeline-view.h"

G_BEGIN_DECLS

#define FL_TYPE_WINDOW (fl_window_get_type ())
G_DECLARE_FINAL_TYPE (FlWindow, fl_window, FL, WINDOW, AdwApplicationWindow)

FlWindow      *fl_window_new (FlApplication *app);
/* Opens file in the viewer and shows the viewer (from any page). */
void           fl_window_open_gif (FlWindow *self, GFile *file);
/* What fl-make-gif.h needs of this window. */
const FlMakeGifTarget *fl_window_get_make_gif_target (FlWindow *self);
FlServerPanel *fl_window_get_server_panel (FlWindow *self);
FlClientPanel *fl_window_get_client_panel (FlWindow *self);
FlGifView     *fl_window_get_gif_view (FlWindow *self);
FlSpeedupPanel *fl_window_get_speedup_panel (FlWindow *self);
FlRunsView    *fl_window_get_runs_view (FlWindow *self);
FlConcurrencyView *fl_window_get_concurrency_view (FlWindow *self);
/* Shows the page "viewer", "speedup" or "runs" at once (no transition). */
void           fl_window_show_page (FlWindow *self, const char *name);
const char    *fl_window_get_page (FlWindow *self);
/* TRUE while the window offers to start the embedded server before a run. */
gboolean       fl_window_get_offering_server (FlWindow *self);
/* The banner for failures: the sentence at the top of the window, whatever
 * page or part of the sidebar is in view; NULL message hides it. */
void           fl_window_show_error (FlWindow *self, const char *message);
FlBanner      *fl_window_get_error_banner (FlWindow *self);
/* The sidebar: shown (revealed), and whether it folds over the pages. */
gboolean       fl_window_get_sidebar_folded (FlWindow *self);

FlTimelineView    *fl_window_get_timeline_view (FlWindow *self);
/* What "Export trace…" and "Export report…" do once a file or folder is
 * chosen: the Timeline's run, written on a thread; a toast says when it is
 * there, the banner when it failed. */
void               fl_window_export_trace (FlWindow *self, const char *path);
void               fl_window_export_report (FlWindow *self, const char *dir);

G_END_DECLS
