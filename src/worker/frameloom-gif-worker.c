/* frameloom-gif-worker: encodes a range of frames into GIF image blocks.
 *
 *   frameloom-gif-worker FRAMES_DIR FIRST COUNT DELAY_CS
 *
 * Started by the encoder in fl-encoder.c, never by hand. It reads
 * FRAMES_DIR/<i>.png for i = FIRST .. FIRST+COUNT-1 and writes records (see
 * fl-gif-block.h) to stdout: one per frame, then DONE; on the first failure an
 * ERROR record naming the file, and exit status 1.
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

int
main (int argc, char **argv)
{
  g_autoptr (FlGifBlockEncoder) encoder = NULL;
  g_autoptr (GByteArray) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  guint first, count, delay_cs;
  gsize prefix_length;
  int dirfd;
#ifdef FL_GIF_WORKER_TEST_HOOKS
  const gint64 kill_at = test_hook ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT");
  const gint64 hang_at = test_hook ("FRAMELOOM_GIF_WORKER_TEST_HANG_AT");
#endif

  if (argc != 5 || !parse_uint (argv[2], &first) || !parse_uint (argv[3], &count)
      || !parse_uint (argv[4], &delay_cs) || (guint64) first + count > (guint64) G_MAXUINT32 + 1)
    {
      fprintf (stderr, "Usage: %s FRAMES_DIR FIRST COUNT DELAY_CS (started by Frameloom)\n",
               argv[0]);
      return 2;
    }

  out = g_byte_array_sized_new (FLUSH_THRESHOLD * 2);
  encoder = fl_gif_block_encoder_new (&error);
  /* Room for "<dir>/<10 digits>.png". */
  prefix_length = strlen (argv[1]) + 1;
  path = g_malloc (prefix_length + 16);
  memcpy (path, argv[1], prefix_length - 1);
  path[prefix_length - 1] = '/';
  /* Frames are opened relative to the folder: no path walk per frame. If the
   * folder cannot be opened, each frame's open reports why, with its name. */
  dirfd = open (argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    dirfd = AT_FDCWD;

  for (guint k = 0; encoder != NULL && k < count; k++)
    {
      guint index = first + k;
      const char *name;

#ifdef FL_GIF_WORKER_TEST_HOOKS
      if (kill_at == index)
        {
          flush_or_die (out);
          raise (SIGKILL);
        }
      if (hang_at == index)
        {
          flush_or_die (out);
          for (;;)
            pause ();
        }
#endif
      g_snprintf (path + prefix_length, 16, "%u.png", index);
      name = dirfd == AT_FDCWD ? path : path + prefix_length;
      if (!fl_gif_record_append_frame (encoder, dirfd, name, path, index, delay_cs, out, &error))
        break;
      if (out->len >= FLUSH_THRESHOLD)
        flush_or_die (out);
    }

  if (error != NULL)
    {
      fl_gif_record_append (out, FL_GIF_RECORD_ERROR, 0, 0, 0, (guint32) error->code,
                            error->message, strlen (error->message));
      flush_or_die (out);
      return 1;
    }
  fl_gif_record_append (out, FL_GIF_RECORD_DONE, count, 0, 0, 0, NULL, 0);
  flush_or_die (out);
  return 0;
}
