/* fl-frame-peek.h: the newest frame a running download has written, read and
 * decoded (on a thread: the client panel shows it while frames arrive). */
#pragma once

#include <glib.h>

#include "fl-image.h"

G_BEGIN_DECLS

typedef struct
{
  char *frames_dir;
  guint newest;     /* the index to try first, then the few below it */
  guint tries;
  gint64 since;     /* real time: a file older than this is from an earlier run */
  guint total;      /* frames in the run, passed through */
  guint index;      /* out: the frame found */
  FlImage *image;   /* out: it, decoded, or NULL */
} FlFramePeek;

void fl_frame_peek_free (FlFramePeek *peek);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlFramePeek, fl_frame_peek_free)

/* Any thread: fills index and image with the newest frame on disk that is no
 * older than since, trying newest and the tries - 1 below it. Frames over
 * 1024 pixels a side or 8 MiB are not read: the preview stays cheap. */
gboolean fl_frame_peek_run (FlFramePeek *peek);

G_END_DECLS
