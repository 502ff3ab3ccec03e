/* frameloom-gif-worker: encodes ranges of frames into GIF image blocks.
 *
 *   frameloom-gif-worker FRAMES_DIR DELAY_CS            (ranges from stdin)
 *   frameloom-gif-worker FRAMES_DIR FIRST COUNT DELAY_CS (one range)
 *
 * Started by the encoder in fl-encoder.c, never by hand. For each range it
 * reads FRAMES_DIR/<i>.png for i = FIRST .. FIRST+COUNT-1 and writes records
 * (see fl-gif-block.h) to stdout: one per frame, then DONE. In the first form
 * the ranges arrive as "FIRST COUNT" lines on stdin, one at a time, and the
 * worker exits 0 at end of input: the encoder hands out small ranges as workers
 * become free, so no worker runs far ahead of the one whose blocks are due. On
 * the first failure it writes an ERROR record naming the file and exits 1.
 *
 * Built with FL_GIF_WORKER_TEST_HOOKS (tests only), it honours
 * FRAMELOOM_GIF_WORKER_TEST_KILL_AT=<i> (SIGKILL itself before frame i) and
 * FRAMELOOM_GIF_WORKER_TEST_HANG_AT=<i> (sleep forever before frame i).
 */
#include "fl-error.h"
#include "fl-file.h"
#include "fl-gif-block.h"

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
  char *path;           /* "<dir>/" then room for "<10 digits>.png" */
  gsize prefix_length;
  int dirfd;
  guint delay_cs;
#ifdef FL_GIF_WORKER_TEST_HOOKS
  gint64 kill_at, hang_at;
#endif
} Worker;

/* Encodes one range and its DONE record; FALSE with error at the first bad frame. */
static gboolean
encode_range (Worker *worker, guint first, guint count, GError **error)
{
  FlGifChunkTimes times = { .start_us = g_get_monotonic_time () };

  for (guint k = 0; k < count; k++)
    {
      guint index = first + k;
      const char *name;

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
      g_snprintf (worker->path + worker->prefix_length, 16, "%u.png", index);
      name = worker->dirfd == AT_FDCWD ? worker->path : worker->path + worker->prefix_length;
      if (!fl_gif_record_append_frame (worker->encoder, worker->dirfd, name, worker->path, index,
                                       worker->delay_cs, worker->out, error))
        return FALSE;
      if (worker->out->len >= FLUSH_THRESHOLD)
        flush_or_die (worker->out);
    }
  /* Where the time went, for the encoder's events (a timeline, a trace). */
  fl_gif_block_encoder_take_times (worker->encoder, &times.phases);
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

int
main (int argc, char **argv)
{
  g_autoptr (FlGifBlockEncoder) encoder = NULL;
  g_autoptr (GByteArray) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  guint first = 0, count = 0, delay_cs;
  gboolean from_stdin = argc == 3;
  Worker worker;

  if (!(argc == 3 && parse_uint (argv[2], &delay_cs))
      && !(argc == 5 && parse_uint (argv[2], &first) && parse_uint (argv[3], &count)
           && parse_uint (argv[4], &delay_cs)
           && (guint64) first + count <= (guint64) G_MAXUINT32 + 1))
    {
      fprintf (stderr, "Usage: %s FRAMES_DIR [FIRST COUNT] DELAY_CS (started by Frameloom)\n",
               argv[0]);
      return 2;
    }

  out = g_byte_array_sized_new (FLUSH_THRESHOLD * 2);
  encoder = fl_gif_block_encoder_new (&error);
  /* Room for "<dir>/<10 digits>.png". */
  worker.prefix_length = strlen (argv[1]) + 1;
  path = g_malloc (worker.prefix_length + 16);
  memcpy (path, argv[1], worker.prefix_length - 1);
  path[worker.prefix_length - 1] = '/';
  worker.path = path;
  worker.encoder = encoder;
  worker.out = out;
  worker.delay_cs = delay_cs;
  /* Frames are opened relative to the folder: no path walk per frame. If the
   * folder cannot be opened, each frame's open reports why, with its name. */
  worker.dirfd = open (argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (worker.dirfd < 0)
    worker.dirfd = AT_FDCWD;
#ifdef FL_GIF_WORKER_TEST_HOOKS
  worker.kill_at = test_hook ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT");
  worker.hang_at = test_hook ("FRAMELOOM_GIF_WORKER_TEST_HANG_AT");
#endif

  if (encoder != NULL)
    {
      if (from_stdin)
        {
          while (next_range (stdin, &first, &count))
            if (!encode_range (&worker, first, count, &error))
              break;
        }
      else
        encode_range (&worker, first, count, &error);
    }

  if (error != NULL)
    {
      fl_gif_record_append (out, FL_GIF_RECORD_ERROR, 0, 0, 0, (guint32) error->code,
                            error->message, strlen (error->message));
      flush_or_die (out);
      return 1;
    }
  return 0;
}
