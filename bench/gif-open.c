/* gif-open: opens a GIF with the project's reader (fl-gif-reader.h) as the app's
 * viewer does, renders every frame once in order, and reports the cost.
 *
 *   gif-open FILE.gif [--unlimited]
 *
 * With --unlimited every FlGifLimits field is raised to its maximum, to see what
 * a file beyond the default budget would cost. Prints one JSON object: frames,
 * screen size, seconds to open (decode) and to render all frames, the reader's
 * own memory figure and the process's peak RSS (VmHWM), or the error.
 */
#include "fl-gif-reader.h"

#include <stdio.h>
#include <string.h>

static long
vm_hwm_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;
  g_autoptr (FlGifCanvas) canvas = NULL;
  FlGifLimits limits;
  gint64 start, opened;
  guint64 checksum = 0;

  if (argc < 2 || argc > 3 || (argc == 3 && strcmp (argv[2], "--unlimited") != 0))
    {
      fprintf (stderr, "Usage: gif-open FILE.gif [--unlimited]\n");
      return 2;
    }
  fl_gif_limits_init_default (&limits);
  if (argc == 3)
    {
      limits.max_file_bytes = G_MAXSIZE;
      limits.max_canvas_pixels = G_MAXUINT64;
      limits.max_frames = G_MAXUINT;
      limits.max_frame_bytes = G_MAXSIZE;
      limits.max_raster_pixels = G_MAXUINT64;
    }
  start = g_get_monotonic_time ();
  gif = fl_gif_new_from_file (argv[1], &limits, NULL, &error);
  opened = g_get_monotonic_time ();
  if (gif == NULL)
    {
      printf ("{\"ok\": false, \"seconds\": %.3f, \"peak_rss_kib\": %ld, \"error\": \"%s\"}\n",
              (opened - start) / 1e6, vm_hwm_kib (), error->message);
      return 1;
    }
  canvas = fl_gif_canvas_new (gif);
  for (guint i = 0; i < fl_gif_get_n_frames (gif); i++)
    checksum += fl_gif_canvas_render (canvas, i)[0];
  printf ("{\"ok\": true, \"frames\": %u, \"width\": %u, \"height\": %u, \"open_seconds\": %.3f, "
          "\"render_all_seconds\": %.3f, \"reader_bytes\": %" G_GSIZE_FORMAT
          ", \"canvas_bytes\": %" G_GSIZE_FORMAT ", \"peak_rss_kib\": %ld, \"checksum\": %"
          G_GUINT64_FORMAT "}\n",
          fl_gif_get_n_frames (gif), fl_gif_get_width (gif), fl_gif_get_height (gif),
          (opened - start) / 1e6, (g_get_monotonic_time () - opened) / 1e6,
          fl_gif_get_memory_size (gif), fl_gif_canvas_get_memory_size (canvas), vm_hwm_kib (),
          checksum);
  return 0;
}
