/* fl-run-model.h: one run (or one sweep) as a GObject the widgets bind to.
 *
 * The core reports through an FlEvents stream from many threads; the model's
 * bridge (fl-core-bridge.h) keeps what it reads, and the model takes it on the
 * main loop every FL_BRIDGE_TICK_MS while the run is live. So every property
 * below changes, and every signal is emitted, on the main thread only, at most
 * ~20 times a second whatever the event rate.
 *
 * Properties (read-only, notify when they change): "state" (FlRunState),
 * "download-done", "download-total" (guint64), "download-fraction",
 * "download-seconds" (double: the time so far while the stage runs, its own
 * span once it ended), "download-started", "download-finished" (gboolean), the
 * same six for "encode-", "latest-frame" (gint: the frame written last, -1
 * before the first) and "n-events".
 *
 * Signals: "events-added" (guint first, guint n): events first..first+n-1 of
 * fl_run_model_get_events_array() arrived; "changed": a tick changed
 * something (after the notifies). */
#pragma once

#include <glib-object.h>

#include "fl-core-bridge.h"
#include "fl-run-record.h"

G_BEGIN_DECLS

typedef enum
{
  FL_RUN_STATE_IDLE,       /* not started */
  FL_RUN_STATE_RUNNING,
  FL_RUN_STATE_DONE,
  FL_RUN_STATE_FAILED,
  FL_RUN_STATE_CANCELLED,
} FlRunState;

#define FL_TYPE_RUN_MODEL (fl_run_model_get_type ())
G_DECLARE_FINAL_TYPE (FlRunModel, fl_run_model, FL, RUN_MODEL, GObject)

typedef struct
{
  guint64 done, total;
  double fraction;
  double seconds;
  gboolean started, finished;
  guint tracks;            /* download threads or GIF workers the stage said it uses */
} FlRunStage;

FlRunModel *fl_run_model_new (void);
/* The stream to put in the run's configuration (FlPipelineConfig.events); it
 * lives as long as the model's bridge. */
FlEvents   *fl_run_model_get_stream (FlRunModel *self);
/* The bridge the live concurrency view samples; borrowed. */
FlPipelineBridge *fl_run_model_get_bridge (FlRunModel *self);

FlRunState  fl_run_model_get_state (FlRunModel *self);
void        fl_run_model_get_stage (FlRunModel *self, FlStage stage, FlRunStage *out);
/* The frame written last, or FALSE before the first. */
gboolean    fl_run_model_get_latest_frame (FlRunModel *self, guint *index);
/* Every event of the run so far, in order (FlEvent, notices left out);
 * borrowed: it grows while the run is live. */
GArray     *fl_run_model_get_events_array (FlRunModel *self);

/* The run's records (FlRunRecord *) and the command lines that repeat them
 * (label -> command), for a report: the client panel adds its run's, the
 * async layer a sweep's. Borrowed. */
void        fl_run_model_add_record (FlRunModel *self, const FlRunRecord *record,
                                     const char *command);
GPtrArray  *fl_run_model_get_records (FlRunModel *self);
GHashTable *fl_run_model_get_commands (FlRunModel *self);
/* The command that starts the embedded server the run used, or NULL. */
void        fl_run_model_set_server_command (FlRunModel *self, const char *command);
const char *fl_run_model_get_server_command (FlRunModel *self);

/* For the async layer (fl-core-async.h): the run began (RUNNING; the model
 * starts taking events), and it ended: the last events are taken, then the
 * state is set. */
void        fl_run_model_start (FlRunModel *self);
void        fl_run_model_end (FlRunModel *self, FlRunState state);
/* Takes what the bridge has now (the tick does this by itself). */
void        fl_run_model_update (FlRunModel *self);

G_END_DECLS
