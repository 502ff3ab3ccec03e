/* fl-pipeline.h: the client's two stages, download then GIF, timed.
 *
 * The CLI and the app both run the lab through this: it times each stage the
 * way the lab does (wall-clock seconds); the stages report their start, every
 * frame and chunk, and their end through one event stream (fl-events.h). */
#pragma once

#include <gio/gio.h>

#include "fl-downloader.h"
#include "fl-encoder.h"

G_BEGIN_DECLS

typedef struct
{
  FlDownloadConfig download;
  FlEncodeConfig encode;     /* frames_dir and n_frames follow download's when unset */
  gboolean run_download;
  gboolean run_encode;
  FlEvents *events;          /* optional: both stages report here, whatever their own say */
} FlPipelineConfig;

typedef struct
{
  FlDownloadResult download;
  FlEncodeResult encode;
  gboolean finished[2];      /* indexed by FlStage: the stage ran to its end */
} FlPipelineResult;

/* Synchronous; call from any thread. Stops at the first failed stage. When it
 * returns, the readers of the events have seen every event of the run. */
gboolean fl_pipeline_run (const FlPipelineConfig *config, GCancellable *cancellable,
                          FlPipelineResult *result, GError **error);

G_END_DECLS
