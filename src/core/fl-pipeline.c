/* fl-pipeline.c: download, then encode; each stage times itself on the monotonic clock. */
#include "fl-pipeline.h"

#include "fl-error.h"

#include <string.h>

gboolean
fl_pipeline_run (const FlPipelineConfig *config, GCancellable *cancellable,
                 FlPipelineResult *result, GError **error)
{
  FlPipelineResult local_result;

  g_return_val_if_fail (config != NULL, FALSE);
  if (result == NULL)
    result = &local_result;
  memset (result, 0, sizeof *result);

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
