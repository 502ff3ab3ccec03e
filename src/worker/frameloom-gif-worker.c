/* frameloom-gif-worker: encodes ranges of frames into GIF image blocks.
 *
 *   frameloom-gif-worker [--list] [--dither] [--exact-first] [--scale N] FRAMES_DIR DELAY_CS
 *                        FIRST N_FRAMES
 *
 * Started by the encoder in fl-encoder.c, never by hand. The animation is
 * frames FIRST .. FIRST+N_FRAMES-1: FRAMES_DIR/<i>.png, or with --list the
 * N_FRAMES paths that come first on stdin, each ended by a NUL. Ranges then
 * arrive as "FIRST COUNT" lines on stdin, one at a time; for each the worker
 * writes records (see fl-encoder-pipe.h) to stdout: the global colour table when
 * the range starts the animation, one per frame, then DONE. It reads the frame
 * before the range and the one after it too, since a frame's block depends on
 * its neighbours, and the animation's first frame once (the global table). It
 * exits 0 at end of input: the encoder hands out small ranges as workers
 * become free, so no worker runs far ahead of the one whose blocks are due. On
 * the first failure it writes an ERROR record naming the file and exits 1.
 *
 * Built with FL_GIF_WORKER_TEST_HOOKS (tests only), it honours
 * FRAMELOOM_GIF_WORKER_TEST_KILL_AT=<i> (SIGKILL itself before frame i) and
 * FRAMELOOM_GIF_WORKER_TEST_HANG_AT=<i> (sleep forever before frame i).
 */
#include "fl-error.h"
#include "fl-file.h"
#include "fl-encoder-pipe.h"
#include "fl-png.h"
#include "fl-process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_THRESHOLD (128u * 1024u)

static gboolean
parse_uint (const char *text, guint *value)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &v, NULL))
    return FALSE;
  *value = (guint) v;
  return TRUE;
}

static void
flush_or_die (GByteArray *out)
{
  int errsv = fl_fd_write_all (STDOUT_FILENO, out->data, out->len);

  /* The encoder has gone away or stopped reading: nobody is left to tell. */
  if (errsv != 0)
    exit (2);
  g_byte_array_set_size (out, 0);
}

/* GLib ends a process whose allocation fails (g_malloc) with an error-level
 * message and abort(): the encoder gets it as an ERROR record, which it words
 * as one sentence naming this worker's frames, instead of GLib's line on the
 * user's terminal and a signal. Nothing here allocates. */
static GLogWriterOutput
write_fatal_record (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                    gpointer user_data)
{
  struct
  {
    FlGifRecordHeader header;
    char text[400];
  } record;
  const char *message = "";
  const char *allocation;
  int length;

  if (!(level & G_LOG_LEVEL_ERROR))
    return g_log_writer_default (level, fields, n_fields, user_data);
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
      message = fields[i].value;
  allocation = strstr (message, "failed to allocate ");
  length = allocation != NULL
             ? snprintf (record.text, sizeof record.text, "ran out of memory (%s)", allocation)
             : snprintf (record.text, sizeof record.text, "stopped: %s", message);
  length = CLAMP (length, 0, (int) sizeof record.text - 1);
  record.header = (FlGifRecordHeader) { FL_GIF_RECORD_ERROR, 0, 0, 0, FL_ERROR_WORKER,
                                        (guint32) length };
  (void) fl_fd_write_all (STDOUT_FILENO, &record, sizeof record.header + (gsize) length);
  return G_LOG_WRITER_HANDLED;
}

#ifdef FL_GIF_WORKER_TEST_HOOKS
static gint64
test_hook (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : -1;
}
#endif

typedef struct
{
  FlGifBlockEncoder *encoder;
  GByteArray *out;
  FlFileBuffer file;    /* the last frame read, its buffer reused */
  guint64 read_ns;      /* spent reading frames since the range began */
  char *path;           /* "<dir>/" then room for "<10 digits>.png" */
  gsize prefix_length;
  int dirfd;
  guint delay_cs;
  guint first, n_frames; /* the whole animation's frames */
  guint scale;
  char **paths;         /* --list: the frames' paths, else NULL */
  FlGifSource *first_source; /* frame first: the global table, and what follows the last */
  /* The last two frames of the previous range, for a range that follows it. */
  guint held_index[2];
  FlGifSource *held[2];
#ifdef FL_GIF_WORKER_TEST_HOOKS
  gint64 kill_at, hang_at;
#endif
} Worker;

static const char *
frame_path (Worker *worker, guint index, const char **name)
{
  if (worker->paths != NULL)
    {
      *name = worker->paths[index - worker->first];
      return *name;
    }
  g_snprintf (worker->path + worker->prefix_length, 16, "%u.png", index);
  *name = worker->dirfd == AT_FDCWD ? worker->path : worker->path + worker->prefix_length;
  return worker->path;
}

/* Frame index, from the held ones when it is there (then no longer held). */
static FlGifSource *
take_frame (Worker *worker, guint index, GError **error)
{
  const char *name, *path;
  gint64 start;
  gsize length = 0;
  gboolean ok;

  for (guint i = 0; i < 2; i++)
    if (worker->held[i] != NULL && worker->held_index[i] == index)
      return g_steal_pointer (&worker->held[i]);
  path = frame_path (worker, index, &name);
  start = g_get_monotonic_time ();
  ok = fl_file_read_reusing (worker->dirfd, name, path, FL_PNG_DEFAULT_MAX_BYTES, &worker->file,
                             &length, error);
  worker->read_ns += (guint64) (g_get_monotonic_time () - start) * 1000;
  if (!ok)
    return NULL;
  return fl_gif_block_decode_source (worker->encoder, worker->file.data, length, path,
                                     worker->scale, error);
}

/* Frames sampled for the global table, in two rounds. First at most
 * QUICK_SAMPLES pairs spread evenly within QUICK_SAMPLE_PIXELS (32 frames of
 * 800x600, 8 of 1024x1024), each sample with the frame before it: when their
 * colours all fit in one table, as a cartoon's or an aliased screen's do, or
 * when the table would serve fewer than a quarter of them whole (small noisy
 * frames), that is the table. Otherwise (an antialiased screen, where which
 * frames the table serves whole matters) every frame when there are at most
 * GLOBAL_SAMPLES holding at most GLOBAL_SAMPLE_PIXELS in all (150 frames of
 * 640x400 do), else that many pairs within that many pixels: a worker reads
 * them all before its first range, at the cost of decoding them. */
#define QUICK_SAMPLES 16u
#define QUICK_SAMPLE_PIXELS (16u << 20)
#define GLOBAL_SAMPLES 256u
#define GLOBAL_SAMPLE_PIXELS (64u << 20)

static guint
count_samples (Worker *worker, guint max_samples, guint64 max_pixels)
{
  guint64 frame_pixels = MAX ((guint64) worker->first_source->width
                                * worker->first_source->height, 1);

  if (worker->n_frames <= max_samples && (guint64) worker->n_frames * frame_pixels <= max_pixels)
    return worker->n_frames;
  return (guint) MIN ((guint64) MIN (max_samples, worker->n_frames),
                      MAX (max_pixels / (2 * frame_pixels), 2));
}

/* Gives the encoder the first frame and samples - 1 more, spread evenly, each
 * with the frame before it (what frames draw); FALSE with error on a bad
 * frame. *complete: more samples could not serve more frames (a photo-like
 * first frame refuses every table, or every colour seen fits in one, or the
 * samples each bring too many colours of their own). */
static gboolean
add_samples (Worker *worker, guint samples, gboolean *complete, GError **error)
{
  g_autoptr (FlGifSource) last = NULL;
  guint last_index = worker->first;

  *complete = TRUE;
  if (!fl_gif_block_encoder_add_global_colours (worker->encoder, worker->first_source, NULL))
    return TRUE;
  for (guint i = 1; i < samples; i++)
    {
      guint index = worker->first + (guint) ((guint64) (worker->n_frames - 1) * i / (samples - 1));
      g_autoptr (FlGifSource) before = NULL;
      FlGifSource *sample;

      if (index - 1 == last_index)
        before = g_steal_pointer (&last);
      else if ((before = take_frame (worker, index - 1, error)) == NULL)
        return FALSE;
      if ((sample = take_frame (worker, index, error)) == NULL)
        return FALSE;
      fl_gif_block_encoder_add_global_colours (worker->encoder, sample,
                                               before != NULL ? before : worker->first_source);
      g_clear_pointer (&last, fl_gif_source_free);
      last = sample;
      last_index = index;
    }
  *complete = !fl_gif_block_encoder_global_wants_more (worker->encoder);
  return TRUE;
}

/* The first frame, and the global table from it and the samples: the same
 * frames on every worker, so the same table. */
static gboolean
read_first (Worker *worker, GError **error)
{
  guint quick, full;
  gboolean complete;

  if (worker->first_source != NULL)
    return TRUE;
  worker->first_source = take_frame (worker, worker->first, error);
  if (worker->first_source == NULL)
    return FALSE;
  quick = count_samples (worker, QUICK_SAMPLES, QUICK_SAMPLE_PIXELS);
  full = count_samples (worker, GLOBAL_SAMPLES, GLOBAL_SAMPLE_PIXELS);
  if (!add_samples (worker, quick, &complete, error))
    return FALSE;
  if (!complete && full > quick && !add_samples (worker, full, &complete, error))
    return FALSE;
  fl_gif_block_encoder_set_global (worker->encoder);
  return TRUE;
}

static void
hold (Worker *worker, guint slot, guint index, FlGifSource *source)
{
  g_clear_pointer (&worker->held[slot], fl_gif_source_free);
  worker->held[slot] = source;
  worker->held_index[slot] = index;
}

/* Encodes one range and its DONE record; FALSE with error at the first bad
 * frame. Each frame's block needs the frames on either side (fl-gif-delta.h):
 * the one before the range and the one after it are read too. */
static gboolean
encode_range (Worker *worker, guint first, guint count, GError **error)
{
  FlGifChunkTimes times = { .start_us = g_get_monotonic_time () };

  /* The range's own phases only: what came before is not in its span. */
  fl_gif_block_encoder_take_times (worker->encoder, &times.phases);
  worker->read_ns = 0;
  const guint end = worker->first + worker->n_frames;
  g_autoptr (FlGifSource) prev = NULL;
  g_autoptr (FlGifSource) cur = NULL;
  gboolean ok = TRUE;

  if ((guint64) first + count > end || first < worker->first)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_WORKER,
                   "was asked for the range %u+%u, which is not among its frames", first, count);
      return FALSE;
    }
  if (!read_first (worker, error))
    return FALSE;
  if (first == worker->first)
    {
      guint8 rgb[768];
      guint bits;

      if (fl_gif_block_encoder_get_global (worker->encoder, rgb, &bits))
        fl_gif_record_append (worker->out, FL_GIF_RECORD_GLOBAL, first, 0, 0, bits, rgb,
                              (gsize) 3 << bits);
    }
  if (first > worker->first && (prev = take_frame (worker, first - 1, error)) == NULL)
    return FALSE;
  if ((cur = take_frame (worker, first, error)) == NULL)
    return FALSE;
  for (guint k = 0; k < count && ok; k++)
    {
      guint index = first + k;
      g_autoptr (FlGifSource) next = NULL;
      const FlGifSource *after = NULL;
      const char *name, *path;

#ifdef FL_GIF_WORKER_TEST_HOOKS
      if (worker->kill_at == index)
        {
          flush_or_die (worker->out);
          raise (SIGKILL);
        }
      if (worker->hang_at == index)
        {
          flush_or_die (worker->out);
          for (;;)
            pause ();
        }
#endif
      /* The last frame is followed by the first again when the animation loops. */
      if (index + 1 < end)
        {
          if ((next = take_frame (worker, index + 1, error)) == NULL)
            return FALSE;
          after = next;
        }
      else if (worker->n_frames > 1)
        after = worker->first_source;
      path = frame_path (worker, index, &name);
      ok = fl_gif_record_append_source (worker->encoder, prev, cur, after, path, index,
                                        worker->delay_cs, worker->out, error);
      if (worker->out->len >= FLUSH_THRESHOLD)
        flush_or_die (worker->out);
      g_clear_pointer (&prev, fl_gif_source_free);
      prev = g_steal_pointer (&cur);
      cur = g_steal_pointer (&next);
    }
  if (!ok)
    return FALSE;
  /* A range that starts where this one ended needs these two again. */
  hold (worker, 0, first + count - 1, g_steal_pointer (&prev));
  hold (worker, 1, first + count, g_steal_pointer (&cur));
  /* Where the time went, for the encoder's events (a timeline, a trace). */
  fl_gif_block_encoder_take_times (worker->encoder, &times.phases);
  times.phases.decode_ns += worker->read_ns;
  times.end_us = g_get_monotonic_time ();
  fl_gif_record_append (worker->out, FL_GIF_RECORD_DONE, count, 0, 0, 0, &times, sizeof times);
  /* The encoder waits for DONE before it hands out the next range. */
  flush_or_die (worker->out);
  return TRUE;
}

/* Reads "FIRST COUNT" lines until end of input; FALSE on a malformed line. */
static gboolean
next_range (FILE *in, guint *first, guint *count)
{
  char line[64];
  char **fields;
  gboolean ok;

  if (fgets (line, sizeof line, in) == NULL)
    return FALSE;
  g_strchomp (line);
  fields = g_strsplit (line, " ", 3);
  ok = g_strv_length (fields) == 2 && parse_uint (fields[0], first) && parse_uint (fields[1], count)
       && *count > 0 && (guint64) *first + *count <= (guint64) G_MAXUINT32 + 1;
  g_strfreev (fields);
  if (!ok)
    {
      fprintf (stderr, "frameloom-gif-worker: a malformed range on stdin: %s\n", line);
      exit (2);
    }
  return TRUE;
}

/* --list: the frames' paths come first on stdin, n_frames of them, each ended by a NUL. */
static char **
read_paths (FILE *in, guint n_frames)
{
  char **paths = g_new0 (char *, (gsize) n_frames + 1);
  char *line = NULL;
  size_t size = 0;

  for (guint i = 0; i < n_frames; i++)
    {
      ssize_t length = getdelim (&line, &size, '\0', in);

      if (length <= 1 || line[length - 1] != '\0')
        {
          fprintf (stderr, "frameloom-gif-worker: %u frame paths expected on stdin, got %u\n",
                   n_frames, i);
          exit (2);
        }
      paths[i] = g_strdup (line);
    }
  free (line);
  return paths;
}

int
main (int argc, char **argv)
{
  g_autoptr (FlGifBlockEncoder) encoder = NULL;
  g_autoptr (GByteArray) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autofree char *path = NULL;
  gboolean list = FALSE, dither = FALSE, exact_first = FALSE;
  int scale = 1;
  guint first = 0, count = 0;
  const GOptionEntry entries[] = {
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, "Frame paths on stdin", NULL },
    { "dither", 0, 0, G_OPTION_ARG_NONE, &dither, "Dither quantised frames", NULL },
    { "exact-first", 0, 0, G_OPTION_ARG_NONE, &exact_first, "An exact first frame", NULL },
    { "scale", 0, 0, G_OPTION_ARG_INT, &scale, "Enlarge the frames", "N" },
    { NULL },
  };
  Worker worker = { 0 };

  fl_process_init ();

  context = g_option_context_new ("FRAMES_DIR DELAY_CS FIRST N_FRAMES");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 5
      || !parse_uint (argv[2], &worker.delay_cs) || !parse_uint (argv[3], &worker.first)
      || !parse_uint (argv[4], &worker.n_frames) || worker.n_frames == 0
      || (guint64) worker.first + worker.n_frames > (guint64) G_MAXUINT32 + 1 || scale < 1)
    {
      fprintf (stderr, "Usage: %s [--list] [--dither] [--exact-first] [--scale N] FRAMES_DIR "
               "DELAY_CS FIRST N_FRAMES (started by Frameloom)\n", argv[0]);
      return 2;
    }
  g_clear_error (&error);

  out = g_byte_array_sized_new (FLUSH_THRESHOLD * 2);
  g_log_set_writer_func (write_fatal_record, NULL, NULL);
  encoder = fl_gif_block_encoder_new (&error);
  /* Room for "<dir>/<10 digits>.png". */
  worker.prefix_length = strlen (argv[1]) + 1;
  path = g_malloc (worker.prefix_length + 16);
  memcpy (path, argv[1], worker.prefix_length - 1);
  path[worker.prefix_length - 1] = '/';
  worker.path = path;
  worker.encoder = encoder;
  worker.out = out;
  worker.scale = (guint) scale;
  if (list)
    worker.paths = read_paths (stdin, worker.n_frames);
  /* Frames are opened relative to the folder: no path walk per frame. If the
   * folder cannot be opened, each frame's open reports why, with its name. */
  worker.dirfd = list ? AT_FDCWD : open (argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (worker.dirfd < 0)
    worker.dirfd = AT_FDCWD;
#ifdef FL_GIF_WORKER_TEST_HOOKS
  worker.kill_at = test_hook ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT");
  worker.hang_at = test_hook ("FRAMELOOM_GIF_WORKER_TEST_HANG_AT");
#endif

  if (encoder != NULL)
    {
      fl_gif_block_encoder_set_dither (encoder, dither);
      fl_gif_block_encoder_set_exact_first (encoder, exact_first);
      while (next_range (stdin, &first, &count))
        if (!encode_range (&worker, first, count, &error))
          break;
    }
  for (guint i = 0; i < 2; i++)
    g_clear_pointer (&worker.held[i], fl_gif_source_free);
  g_clear_pointer (&worker.first_source, fl_gif_source_free);
  g_strfreev (worker.paths);
  fl_file_buffer_clear (&worker.file);

  if (error != NULL)
    {
      fl_gif_record_append (out, FL_GIF_RECORD_ERROR, 0, 0, 0, (guint32) error->code,
                            error->message, strlen (error->message));
      flush_or_die (out);
      return 1;
    }
  return 0;
}
