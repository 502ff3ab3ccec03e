/* fl-frame-peek.c: stat, read and decode a few PNG frames, newest first. */
#include "fl-frame-peek.h"

#include "fl-png.h"

#include <sys/stat.h>

/* Frames larger than this are not previewed live: decoding stays cheap. */
#define PEEK_MAX_DIMENSION 1024u
#define PEEK_MAX_BYTES (8u * 1024u * 1024u)

void
fl_frame_peek_free (FlFramePeek *peek)
{
  if (peek == NULL)
    return;
  g_free (peek->frames_dir);
  g_clear_pointer (&peek->image, fl_image_free);
  g_free (peek);
}

/* Threads finish frames roughly in index order, so the newest frame on disk is
 * at most a few below the count done; a frame is renamed into place whole. */
gboolean
fl_frame_peek_run (FlFramePeek *peek)
{
  FlPngLimits limits;

  fl_png_limits_init_default (&limits);
  limits.max_width = limits.max_height = PEEK_MAX_DIMENSION;
  limits.max_bytes = PEEK_MAX_BYTES;
  for (guint i = 0; i < peek->tries && i <= peek->newest && peek->image == NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.png", peek->newest - i);
      g_autofree char *path = g_build_filename (peek->frames_dir, name, NULL);
      g_autofree char *bytes = NULL;
      gsize length;
      struct stat st;

      if (stat (path, &st) != 0 || (gsize) st.st_size > limits.max_bytes
          || (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000 < peek->since
          || !g_file_get_contents (path, &bytes, &length, NULL))
        continue;
      peek->image = fl_png_decode ((const guint8 *) bytes, length, &limits, NULL);
      peek->index = peek->newest - i;
    }
  return peek->image != NULL;
}
