/* gif-open: opens a GIF with the project's reader (fl-gif-reader.h) as the app's
 * viewer does, renders every frame once in order, and reports the cost.
 *
 *   gif-open FILE.gif [--unlimited | --decoded | --indexed] [--first-only]
 *
 * By default the viewer's limits: a file over the in-memory budget opens in
 * indexed mode (scanned, each frame decoded when drawn). --unlimited raises
 * every decoded-mode limit to its maximum and turns the indexed mode off, to
 * see what decoding such a file up front would cost; --decoded only turns the
 * indexed mode off. --first-only stops after the first frame. Prints one JSON
 * object: the mode, frames, screen size, seconds to open, to the first frame
 * (open + compositor + frame 0), to render all frames in order and to seek
 * far (the last frame, then the middle one, on a fresh compositor), the
 * reader's and the compositor's memory figures, VmRSS after the first frame
 * and at the end (total, anonymous, and the mapped file's pages: RssFile +
 * RssShmem) and the peak (VmHWM), or the error.
 */
#include "fl-gif-reader.h"

#include <stdio.h>
#include <string.h>

static long
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line != NULL ? strtol (line + strlen (field), NULL, 10) : -1;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;
  g_autoptr (FlGifCanvas) canvas = NULL;
  FlGifLimits limits;
  gint64 start, opened, first, done, seek_us;
  guint64 checksum = 0;
  gboolean first_only = FALSE;
  long rss_first, file_first, anon_first;

  fl_gif_limits_init_default (&limits);
  if (argc < 2)
    {
      fprintf (stderr, "Usage: gif-open FILE.gif [--unlimited | --decoded | --indexed] "
               "[--first-only]\n");
      return 2;
    }
  for (int i = 2; i < argc; i++)
    if (strcmp (argv[i], "--unlimited") == 0)
      {
        limits.max_file_bytes = G_MAXSIZE;
        limits.max_canvas_pixels = G_MAXUINT64;
        limits.max_frames = G_MAXUINT;
        limits.max_frame_bytes = G_MAXSIZE;
        limits.max_raster_pixels = G_MAXUINT64;
        limits.max_indexed_frames = 0;
      }
    else if (strcmp (argv[i], "--decoded") == 0)
      limits.max_indexed_frames = 0;
    else if (strcmp (argv[i], "--indexed") == 0)
      limits.max_file_bytes = 0; /* every file is over it */
    else if (strcmp (argv[i], "--first-only") == 0)
      first_only = TRUE;
    else
      {
        fprintf (stderr, "gif-open: unknown option \"%s\".\n", argv[i]);
        return 2;
      }
  start = g_get_monotonic_time ();
  gif = fl_gif_new_from_file (argv[1], &limits, NULL, &error);
  opened = g_get_monotonic_time ();
  if (gif == NULL)
    {
      printf ("{\"ok\": false, \"seconds\": %.3f, \"peak_rss_kib\": %ld, \"error\": \"%s\"}\n",
              (opened - start) / 1e6, status_kib ("VmHWM:"), error->message);
      return 1;
    }
  canvas = fl_gif_canvas_new (gif);
  checksum += fl_gif_canvas_render (canvas, 0)[0];
  first = g_get_monotonic_time ();
  rss_first = status_kib ("VmRSS:");
  /* The mapped GIF's pages: RssFile, or RssShmem when it lies on tmpfs. */
  file_first = status_kib ("RssFile:") + status_kib ("RssShmem:");
  anon_first = status_kib ("RssAnon:");
  for (guint i = 1; !first_only && i < fl_gif_get_n_frames (gif); i++)
    checksum += fl_gif_canvas_render (canvas, i)[0];
  done = g_get_monotonic_time ();
  {
    /* A far seek on a fresh compositor, as the view's slider does it. */
    g_autoptr (FlGifCanvas) seeker = fl_gif_canvas_new (gif);
    gint64 seek_start = g_get_monotonic_time ();

    checksum += fl_gif_canvas_render (seeker, fl_gif_get_n_frames (gif) - 1)[0];
    checksum += fl_gif_canvas_render (seeker, fl_gif_get_n_frames (gif) / 2)[0];
    seek_us = (g_get_monotonic_time () - seek_start) / 2;
  }
  printf ("{\"ok\": true, \"mode\": \"%s\", \"frames\": %u, \"width\": %u, \"height\": %u, "
          "\"open_seconds\": %.3f, \"first_frame_seconds\": %.3f, \"render_all_seconds\": %.3f, "
          "\"far_seek_seconds\": %.6f, "
          "\"reader_bytes\": %" G_GSIZE_FORMAT ", \"canvas_bytes\": %" G_GSIZE_FORMAT ", "
          "\"rss_first_kib\": %ld, \"rss_anon_first_kib\": %ld, \"rss_file_first_kib\": %ld, "
          "\"rss_end_kib\": %ld, \"rss_anon_end_kib\": %ld, \"rss_file_end_kib\": %ld, "
          "\"peak_rss_kib\": %ld, \"checksum\": %" G_GUINT64_FORMAT "}\n",
          fl_gif_is_indexed (gif) ? "indexed" : "decoded", fl_gif_get_n_frames (gif),
          fl_gif_get_width (gif), fl_gif_get_height (gif), (opened - start) / 1e6,
          (first - start) / 1e6, first_only ? 0.0 : (done - first) / 1e6, seek_us / 1e6,
          fl_gif_get_memory_size (gif), fl_gif_canvas_get_memory_size (canvas), rss_first,
          anon_first, file_first, status_kib ("VmRSS:"), status_kib ("RssAnon:"),
          status_kib ("RssFile:") + status_kib ("RssShmem:"), status_kib ("VmHWM:"),
          checksum);
  return 0;
}
