/* fl-pipeline.c: download, then encode, each stage timed on the monotonic clock. */
#include "fl-pipeline.h"

#include "fl-dir-lock.h"
#include "fl-error.h"
#include "fl-file.h"

#include <string.h>

typedef struct
{
  const FlPipelineCallbacks *callbacks;
  gpointer user_data;
  FlStage stage;
} StageProgress;

static void
on_stage_progress (guint64 done, guint64 total, gpointer data)
{
  StageProgress *sp = data;

  sp->callbacks->stage_progress (sp->stage, done, total, sp->user_data);
}

static double
seconds_since (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

/* What would fail only after the download, found before it: the worker, the
 * output path. Then the frames folder is locked for both stages, so that no
 * other run writes frames between them (*lock stays NULL for a missing folder
 * that only the GIF would read: the encoder names it). */
static gboolean
prepare (const FlPipelineConfig *config, FlDirLock **lock, GError **error)
{
  const char *frames_dir = config->run_download || config->encode.frames_dir == NULL
                             ? config->download.frames_dir
                             : config->encode.frames_dir;

  if (config->run_encode && (!fl_encoder_check_worker (config->encode.worker_path, error)
                             || !fl_file_check_output (config->encode.output, error)))
    return FALSE;
  if (config->run_download && !fl_file_ensure_dir (frames_dir, error))
    return FALSE;
  if (!config->run_download && !g_file_test (frames_dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  *lock = fl_dir_lock_acquire (frames_dir, error);
  return *lock != NULL;
}

gboolean
fl_pipeline_run (const FlPipelineConfig *config, const FlPipelineCallbacks *callbacks,
                 gpointer user_data, GCancellable *cancellable, FlPipelineResult *result,
                 GError **error)
{
  static const FlPipelineCallbacks no_callbacks = { 0 };
  g_autoptr (FlDirLock) lock = NULL;
  FlPipelineResult local_result;
  StageProgress sp;
  gint64 start;

  g_return_val_if_fail (config != NULL, FALSE);
  if (callbacks == NULL)
    callbacks = &no_callbacks;
  if (result == NULL)
    result = &local_result;
  memset (result, 0, sizeof *result);
  sp.callbacks = callbacks;
  sp.user_data = user_data;
  if (!prepare (config, &lock, error))
    return FALSE;

  if (config->run_download)
    {
      sp.stage = FL_STAGE_DOWNLOAD;
      if (callbacks->stage_started)
        callbacks->stage_started (FL_STAGE_DOWNLOAD, config->download.n_frames, user_data);
      start = g_get_monotonic_time ();
      if (!fl_download_frames (&config->download,
                               callbacks->stage_progress ? on_stage_progress : NULL, &sp,
                               cancellable, &result->download, error))
        {
          result->download.seconds = seconds_since (start);
          return FALSE;
        }
      result->download.seconds = seconds_since (start);
      result->finished[FL_STAGE_DOWNLOAD] = TRUE;
      if (callbacks->stage_finished)
        callbacks->stage_finished (FL_STAGE_DOWNLOAD, result->download.seconds, user_data);
    }

  if (config->run_encode)
    {
      FlEncodeConfig encode = config->encode;

      if (encode.frames_dir == NULL)
        encode.frames_dir = config->download.frames_dir;
      if (encode.n_frames == 0)
        encode.n_frames = config->download.n_frames;
      if (encode.processes == 0)
        encode.processes = 1;
      /* The callbacks' live view wins over one set in the config: the caller
       * that passes callbacks is the one watching. */
      if (callbacks->worker_progress != NULL)
        {
          encode.worker_progress = callbacks->worker_progress;
          encode.worker_progress_data = user_data;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error_literal (error, FL_ERROR, FL_ERROR_CANCELLED, "The run was cancelled");
          return FALSE;
        }
      sp.stage = FL_STAGE_ENCODE;
      if (callbacks->stage_started)
        callbacks->stage_started (FL_STAGE_ENCODE, encode.n_frames, user_data);
      start = g_get_monotonic_time ();
      if (!fl_encode_gif (&encode, callbacks->stage_progress ? on_stage_progress : NULL, &sp,
                          cancellable, &result->encode, error))
        {
          result->encode.seconds = seconds_since (start);
          return FALSE;
        }
      result->encode.seconds = seconds_since (start);
      result->finished[FL_STAGE_ENCODE] = TRUE;
      if (callbacks->stage_finished)
        callbacks->stage_finished (FL_STAGE_ENCODE, result->encode.seconds, user_data);
    }
  return TRUE;
}
