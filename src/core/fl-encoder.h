/* fl-encoder.h: the multi-process animated GIF encoder.
 *
 * P worker processes (the frameloom-gif-worker program, started with
 * posix_spawn, never a bare fork) encode frames DIR/<i>.png (or any list of
 * PNG files) into finished GIF image blocks: each frame draws only what
 * changed since the one before (fl-gif-delta.h). The frames are cut into chunks of about 1 MiB of GIF each that
 * are handed out one at a time to whichever worker is free; the parent writes
 * the header, the blocks in frame order and the trailer to a temporary file and
 * renames it into place. Blocks that arrive ahead of their turn are held, up to
 * max_held_bytes in all, after which the workers that are ahead wait: the
 * parent's memory does not grow with the number of frames. The output is
 * byte-identical for every P and every chunk size.
 */
#pragma once

#include <gio/gio.h>

#include "fl-events.h"

G_BEGIN_DECLS

/* The most frames one GIF may have (frameloom-client's --frames, the app's field);
 * the reader opens every such GIF (FL_GIF_DEFAULT_MAX_INDEXED_FRAMES). */
#define FL_ENCODE_MAX_FRAMES 10000000u

/* The environment variable that overrides the worker program's path (tests set it). */
#define FL_GIF_WORKER_ENV "FRAMELOOM_GIF_WORKER"

/* The lab's GIF: half a second a frame, looping forever; two worker processes
 * (never more than the processors) by default. */
#define FL_ENCODE_DEFAULT_DELAY_MS 500
#define FL_ENCODE_DEFAULT_PROCESSES 2

typedef struct
{
  const char *frames_dir;   /* holds <first>.png .. <first+n_frames-1>.png */
  const char *const *frame_paths; /* or else: n_frames paths of PNG files, in order */
  guint first;              /* index of the first frame, usually 0 */
  guint n_frames;
  guint processes;          /* worker processes, >= 1 */
  guint delay_ms;           /* per frame; stored in centiseconds, rounded */
  guint loop;               /* NETSCAPE2.0 loop count, 0 = forever */
  const char *output;       /* the GIF to write atomically */
  const char *worker_path;  /* NULL: $FRAMELOOM_GIF_WORKER, else the installed one */
  FlEvents *events;         /* optional: the stage and every chunk (tracks: workers 0..P-1) */
  guint chunk_frames;       /* frames per chunk; 0: sized from the first frame (~1 MiB) */
  gsize max_held_bytes;     /* out-of-order blocks the parent may hold; 0: 8 MiB */
  guint scale;              /* 0 or 1: as they are; N: every frame enlarged N times */
  gboolean dither;          /* Floyd-Steinberg on quantised frames */
} FlEncodeConfig;

typedef struct
{
  guint64 frames;
  guint64 bytes;            /* of the GIF */
  guint screen_width, screen_height;
  guint64 quantised_frames; /* frames that had more than 256 colours */
  double seconds;
  guint64 chunks;           /* ranges handed out to the workers */
  guint64 peak_held_bytes;  /* most bytes the parent buffered at once (blocks, partial reads) */
} FlEncodeResult;

/* Synchronous; runs on the calling thread (plus the worker processes) and may be
 * called from any thread. config->events gets FL_STAGE_ENCODE's start and end
 * and, per chunk, its hand-out to a worker, its progress (frames received) and
 * its end with the worker's own times; the chunks cover every frame exactly
 * once. The stream is flushed before this returns. Cancelling kills the
 * workers, reaps them and removes the temporary file. On error nothing is left
 * at config->output (an older file there is left untouched); a failed worker is
 * named with the frames of its current chunk. */
gboolean fl_encode_gif (const FlEncodeConfig *config, GCancellable *cancellable,
                        FlEncodeResult *result, GError **error);

/* The worker program's path: $FRAMELOOM_GIF_WORKER when set; else the one beside
 * this program in a relocated install (<bindir>/../libexec); else, for a program
 * in the build tree, the worker built there; else the configured libexecdir. */
const char *fl_encoder_default_worker_path (void);
/* That the worker (NULL: the default one) can be started; else one sentence
 * naming it and the variable that overrides it. */
gboolean    fl_encoder_check_worker (const char *worker_path, GError **error);

G_END_DECLS
