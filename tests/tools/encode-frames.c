/* encode-frames: runs fl_encode_gif once, for benchmarks and manual checks.
 *
 *   encode-frames FRAMES_DIR N OUTPUT.gif PROCESSES [WORKER]
 *
 * Prints the seconds, frames, bytes, screen size, chunks and the most bytes the
 * parent held on stdout.
 */
#include "fl-encoder.h"

#include <stdio.h>

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config = { .delay_ms = 500 };
  FlEncodeResult result;
  guint64 n, p;

  if (argc < 5 || argc > 6 || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXUINT32, &n, NULL)
      || !g_ascii_string_to_unsigned (argv[4], 10, 1, 1024, &p, NULL))
    {
      fprintf (stderr, "Usage: encode-frames FRAMES_DIR N OUTPUT.gif PROCESSES [WORKER]\n");
      return 2;
    }
  config.frames_dir = argv[1];
  config.n_frames = (guint) n;
  config.processes = (guint) p;
  config.output = argv[3];
  config.worker_path = argc > 5 ? argv[5] : NULL;
  if (!fl_encode_gif (&config, NULL, &result, &error))
    {
      fprintf (stderr, "encode-frames: %s\n", error->message);
      return 1;
    }
  printf ("%.4f s, %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " bytes, %ux%u, "
          "%" G_GUINT64_FORMAT " quantised, %" G_GUINT64_FORMAT " chunks, %" G_GUINT64_FORMAT
          " bytes held at most\n", result.seconds, result.frames, result.bytes,
          result.screen_width, result.screen_height, result.quantised_frames, result.chunks,
          result.peak_held_bytes);
  return 0;
}
