/* fl-pipeline.c: download, then encode; each stage times itself on the monotonic clock. */
#include "fl-pipeline.h"

#include "fl-dir-lock.h"
#include "fl-error.h"
#include "fl-file.h"

#include <string.h>

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
fl_pipeline_run (const FlPipelineConfig *config, GCancellable *cancellable,
                 FlPipelineResult *result, GError **error)
{
  g_autoptr (FlDirLock) lock = NULL;
  FlPipelineResult local_result;

  g_return_val_if_fail (config != NULL, FALSE);
  if (result == NULL)
    result = &local_result;
  memset (result, 0, sizeof *result);
  if (!prepare (config, &lock, error))
    return FALSE;

  if (config->run_download)
    {
      FlDownloadConfig download = config->download;

      if (config->events != NULL)
        download.events = config->events;
      if (!fl_download_frames (&download, cancellable, &result->download, error))
        return FALSE;
      result->finished[FL_STAGE_DOWNLOAD] = TRUE;
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
      if (config->events != NULL)
        encode.events = config->events;
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error_literal (error, FL_ERROR, FL_ERROR_CANCELLED, "The run was cancelled");
          return FALSE;
        }
      if (!fl_encode_gif (&encode, cancellable, &result->encode, error))
        return FALSE;
      result->finished[FL_STAGE_ENCODE] = TRUE;
    }
  return TRUE;
}
