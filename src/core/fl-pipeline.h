/* fl-pipeline.h: the client's two stages, download then GIF, timed.
 *
 * The CLI and the app both run the lab through this: it times each stage the
 * way the lab does (wall-clock seconds), and reports stage start, progress and
 * end through callbacks that may come from any thread. */
#pragma once

#include <gio/gio.h>

#include "fl-downloader.h"
#include "fl-encoder.h"

G_BEGIN_DECLS

typedef enum
{
  FL_STAGE_DOWNLOAD,
  FL_STAGE_ENCODE,
} FlStage;

typedef struct
{
  FlDownloadConfig download;
  FlEncodeConfig encode;     /* frames_dir and n_frames follow download's when unset */
  gboolean run_download;
  gboolean run_encode;
} FlPipelineConfig;

typedef struct
{
  void (*stage_started) (FlStage stage, guint64 total, gpointer user_data);
  void (*stage_progress) (FlStage stage, guint64 done, guint64 total, gpointer user_data);
  void (*stage_finished) (FlStage stage, double seconds, gpointer user_data);
  FlWorkerProgressFunc worker_progress;  /* optional: forwarded from the encoder */
} FlPipelineCallbacks;

typedef struct
{
  FlDownloadResult download;
  FlEncodeResult encode;
  gboolean finished[2];      /* indexed by FlStage: the stage ran to its end */
} FlPipelineResult;

/* Synchronous; call from any thread. Stops at the first failed stage. */
gboolean fl_pipeline_run (const FlPipelineConfig *config, const FlPipelineCallbacks *callbacks,
                          gpointer user_data, GCancellable *cancellable, FlPipelineResult *result,
                          GError **error);

G_END_DECLS
