/* fl-core-async.h: the app's one way to run core work off the main loop.
 *
 * Each piece of long work is an _async/_finish pair over GTask: the pipeline,
 * a sweep (or compare), the embedded server's start and stop, the peek at the
 * newest frame of a running download, and the trace and report exports. They share one hand-off (fl-core-async.c):
 * the work's data goes to a pool thread and comes back to the calling thread's
 * main context with the ThreadSanitizer markers of fl-tsan.h, the data is freed
 * there (never on the pool's thread, which may drop a GTask's last reference),
 * and work that starts more threads or processes runs at a raised nice value
 * (fl_bridge_run_in_background). A run model given to the pipeline or a sweep
 * is RUNNING from the _async call and ends (DONE, FAILED or CANCELLED, all its
 * events taken) just before the callback runs.
 *
 * Call the _async functions from the main thread; the callback runs there with
 * the GAsyncResult, which only the matching _finish reads. */
#pragma once

#include <gio/gio.h>

#include "fl-frame-peek.h"
#include "fl-pipeline.h"
#include "fl-run-model.h"
#include "fl-server.h"
#include "fl-sweep.h"

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

/* Runs fl_pipeline_run with setup (taken) reporting to model (may be NULL;
 * its stream replaces setup->config.events). */
void     fl_core_pipeline_async (FlRunSetup *setup, FlRunModel *model, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
/* The run's result (out, may be NULL) and its setup (borrowed: valid until
 * the callback returns). FALSE with the run's error. */
gboolean fl_core_pipeline_finish (GAsyncResult *result, const FlRunSetup **setup,
                                  FlPipelineResult *out, GError **error);

/* On the main thread before (finished FALSE) and after (TRUE) each run of a
 * sweep, warm-ups included (see FlSweepCallbacks), never after the sweep's
 * callback. The record is borrowed. */
typedef void (*FlCoreSweepFunc) (guint index, guint total, const FlRunRecord *record,
                                 gboolean finished, gpointer user_data);

/* Runs fl_sweep_run over values (referenced) with setup (taken) and options
 * (copied; NULL: one run per point), reporting to model (may be NULL); on_run
 * (may be NULL) gets run_data. */
void     fl_core_sweep_async (FlSweepKind kind, FlRunSetup *setup, GArray *values,
                              const FlSweepOptions *options, FlRunModel *model,
                              FlCoreSweepFunc on_run, gpointer run_data,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data);
/* The runs' records (FlRunRecord *; borrowed: valid until the callback
 * returns), also when the sweep failed or was cancelled. */
gboolean fl_core_sweep_finish (GAsyncResult *result, GPtrArray **records, GError **error);

/* fl_server_start on a thread (the handler threads inherit its nice value).
 * server is the caller's and must live until the callback. */
void     fl_core_server_start_async (FlServer *server, GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean fl_core_server_start_finish (GAsyncResult *result, GError **error);
/* fl_server_stop (server, grace_ms) on a thread (it blocks up to grace_ms),
 * then fl_server_free on the main thread after the callback: server is taken. */
void     fl_core_server_stop_async (FlServer *server, guint grace_ms,
                                    GAsyncReadyCallback callback, gpointer user_data);
void     fl_core_server_stop_finish (GAsyncResult *result);

/* fl_frame_peek_run on a thread; peek is taken. */
void     fl_core_peek_frame_async (FlFramePeek *peek, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
/* The peek back (caller frees) when a frame was found, else NULL. */
FlFramePeek *fl_core_peek_frame_finish (GAsyncResult *result);

/* The model's events as a Chrome trace at path (fl-trace.h), on a thread. */
void     fl_core_write_trace_async (FlRunModel *model, const char *path,
                                    GAsyncReadyCallback callback, gpointer user_data);
gboolean fl_core_write_trace_finish (GAsyncResult *result, GError **error);
/* The model's runs as a report folder dir (fl-draw-report.h: report.md, the
 * timeline's PNG and SVG), created when missing, on a thread. */
void     fl_core_write_report_async (FlRunModel *model, const char *dir,
                                     GAsyncReadyCallback callback, gpointer user_data);
gboolean fl_core_write_report_finish (GAsyncResult *result, GError **error);

G_END_DECLS
