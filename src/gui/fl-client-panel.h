/* fl-client-panel.h: the Client area: the lab's client (download with threads,
 * GIF with processes) run through fl_pipeline_run on a thread, with two live
 * progress bars and the stage times in the lab's words. */
#pragma once

#include <gtk/gtk.h>

#include "fl-core-async.h"
#include "fl-run-model.h"

G_BEGIN_DECLS

#define FL_TYPE_CLIENT_PANEL (fl_client_panel_get_type ())
G_DECLARE_FINAL_TYPE (FlClientPanel, fl_client_panel, FL, CLIENT_PANEL, GtkWidget)

/* Starts a run with the fields' values; does nothing while one is running.
 * Emits "finished" (gboolean success, const char *gif_path) at its end, and
 * while frames download, up to four times a second, "frame-arrived" (guint
 * index, guint total, const FlImage *image) with the newest frame on disk,
 * decoded on a thread, and for a run that ended (not cancelled) "run-recorded"
 * (FlRunObject *run) for the history. */
void        fl_client_panel_run (FlClientPanel *self);
/* The fields as a run's configuration (both stages); the caller owns it. */
FlRunSetup *fl_client_panel_get_setup (FlClientPanel *self);
/* The current run's progress, or NULL when idle; borrowed (take a reference
 * to keep it past the run). */
FlPipelineBridge *fl_client_panel_get_bridge (FlClientPanel *self);
/* Cancels the current run; the workers are killed and no GIF is left. */
void        fl_client_panel_cancel (FlClientPanel *self);
gboolean    fl_client_panel_get_running (FlClientPanel *self);
/* Points the address at the embedded server when the address is local. */
void        fl_client_panel_follow_server (FlClientPanel *self, guint port);
/* TRUE when the address is this machine (127.0.0.1, localhost, ::1, 0.0.0.0)
 * and the port is port (never for port 0). */
gboolean    fl_client_panel_targets_local_port (FlClientPanel *self, guint port);
/* The current or the last run's model ("model"), or NULL before the first
 * run; borrowed. */
FlRunModel *fl_client_panel_get_model (FlClientPanel *self);
/* A stage's time in the lab's words ("Frames download time: 1.234 s") once it
 * ended, else NULL. */
const char *fl_client_panel_get_stage_text (FlClientPanel *self, FlStage stage);
const char *fl_client_panel_get_error (FlClientPanel *self);
const char *fl_client_panel_get_output (FlClientPanel *self);

G_END_DECLS
