/* fl-window.h: the main window: header bar, Client and Server on the left,
 * Preview on the right; the window actions open, run, cancel and play. */
#pragma once

#include <gtk/gtk.h>

#include "fl-application.h"
#include "fl-client-panel.h"
#include "fl-gif-view.h"
#include "fl-server-panel.h"

G_BEGIN_DECLS

#define FL_TYPE_WINDOW (fl_window_get_type ())
G_DECLARE_FINAL_TYPE (FlWindow, fl_window, FL, WINDOW, GtkApplicationWindow)

FlWindow      *fl_window_new (FlApplication *app);
void           fl_window_open_gif (FlWindow *self, GFile *file);
FlServerPanel *fl_window_get_server_panel (FlWindow *self);
FlClientPanel *fl_window_get_client_panel (FlWindow *self);
FlGifView     *fl_window_get_gif_view (FlWindow *self);
/* TRUE while the window offers to start the embedded server before a run. */
gboolean       fl_window_get_offering_server (FlWindow *self);

G_END_DECLS
