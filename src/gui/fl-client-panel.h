/* fl-client-panel.h: the Client area: the lab's client (download with threads,
 * GIF with processes) run through fl_pipeline_run on a thread, with two live
 * progress bars and the stage times in the lab's words. */
#pragma once

#include <gtk/gtk.h>

#include "fl-core-bridge.h"
#include "fl-pipeline.h"

G_BEGIN_DECLS

/* A run's configuration together with the strings it points to. */
typedef struct
{
  FlPipelineConfig config;
  char *host;
  char *frames_dir;
  char *output;
} FlRunSetup;

void fl_run_setup_free (FlRunSetup *setup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlRunSetup, fl_run_setup_free)

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
/* What the panel shows, for tests: a stage's counts and its time sentence. */
void        fl_client_panel_get_stage (FlClientPanel *self, FlStage stage, guint64 *done,
                                       guint64 *total, double *fraction, const char **time_text);
const char *fl_client_panel_get_error (FlClientPanel *self);
const char *fl_client_panel_get_output (FlClientPanel *self);

G_END_DECLS
