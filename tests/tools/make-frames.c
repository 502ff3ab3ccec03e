/* make-frames: writes reproducible random frames for tests and benchmarks.
 *
 *   make-frames DIR N WxH SEED [rgb|rgba] [COLOURS]
 */
#include "fl-test-frames.h"

#include <stdio.h>

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  guint64 n, seed, n_colors = 0;
  guint width, height, channels = 3;

  if (argc < 5 || argc > 7 || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXUINT32, &n, NULL)
      || !fl_image_parse_size (argv[3], &width, &height, &error)
      || !g_ascii_string_to_unsigned (argv[4], 10, 0, G_MAXUINT64, &seed, NULL)
      || (argc > 5 && g_strcmp0 (argv[5], "rgb") != 0 && g_strcmp0 (argv[5], "rgba") != 0)
      || (argc > 6 && !g_ascii_string_to_unsigned (argv[6], 10, 0, 256, &n_colors, NULL)))
    {
      fprintf (stderr, "Usage: make-frames DIR N WxH SEED [rgb|rgba] [COLOURS]%s%s\n",
               error ? ": " : "", error ? error->message : "");
      return 2;
    }
  if (argc > 5 && g_strcmp0 (argv[5], "rgba") == 0)
    channels = 4;
  if (!fl_test_make_frames (argv[1], 0, (guint) n, width, height, channels, (guint) n_colors,
                            seed, &error))
    {
      fprintf (stderr, "make-frames: %s\n", error->message);
      return 1;
    }
  return 0;
}
