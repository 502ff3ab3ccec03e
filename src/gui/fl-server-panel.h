/* fl-server-panel.h: the Server area: a switch over an embedded FlServer, its
 * fields, live counters and a bounded, batched log of the lab's lines. */
#pragma once

#include <gtk/gtk.h>

#include "fl-server.h"

G_BEGIN_DECLS

#define FL_TYPE_SERVER_PANEL (fl_server_panel_get_type ())
G_DECLARE_FINAL_TYPE (FlServerPanel, fl_server_panel, FL, SERVER_PANEL, GtkWidget)

/* Starts or stops the server as the switch does; both happen on a thread. */
void        fl_server_panel_set_running (FlServerPanel *self, gboolean running);
/* TRUE once started, until stopped ("port" is non-zero exactly then). */
gboolean    fl_server_panel_get_running (FlServerPanel *self);
guint       fl_server_panel_get_port (FlServerPanel *self);
/* The port field: where the server will listen once started (0: any). */
guint       fl_server_panel_get_configured_port (FlServerPanel *self);
/* TRUE while a start or stop is in progress ("busy" notifies when that ends,
 * whether or not the server could start). */
gboolean    fl_server_panel_get_busy (FlServerPanel *self);
/* The counters as last shown (for tests). */
void        fl_server_panel_get_stats (FlServerPanel *self, FlServerStats *stats);
/* The stream every server of the panel reports to; it lives as long as the panel. */
FlEvents   *fl_server_panel_get_events (FlServerPanel *self);
/* The frameloom-server command that starts a server like the running one, or
 * NULL when it is off. */
const char *fl_server_panel_get_command_line (FlServerPanel *self);
/* The sentence shown for the last failure, or NULL (for tests). */
const char *fl_server_panel_get_error (FlServerPanel *self);
GtkSwitch  *fl_server_panel_get_switch (FlServerPanel *self);
/* Stops the server and blocks until it has (window close, application quit). */
void        fl_server_panel_shutdown (FlServerPanel *self);

G_END_DECLS
