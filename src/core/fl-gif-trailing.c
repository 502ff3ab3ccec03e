/* fl-gif-trailing.c: what follows a GIF's trailer, counted without decoding.
 *
 * A GIF ends at its first trailer byte, and every player stops there. A client
 * that encodes its frames in parts and joins the parts with cat writes a file
 * that looks whole (its size is right) but plays only the first part. Each
 * appended GIF is scanned the way the indexed mode scans a file (block lengths
 * only, nothing decoded), so a file of many parts costs one pass over its
 * bytes. */
#include "fl-gif-reader-private.h"

#include "fl-config.h"

#include <string.h>

static gboolean
starts_gif (const guint8 *data, gsize length)
{
  return length >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0);
}

void
fl_gif_trailing_scan (FlGif *gif, const guint8 *data, gsize length, const FlGifLimits *limits,
                      GCancellable *cancellable)
{
  FlGifTrailing *trailing = &gif->trailing;
  FlGifLimits defaults;
  gsize p = gif->trailer_end;

  trailing->bytes = 0;
  trailing->n_gifs = 1;
  trailing->n_frames = fl_gif_get_n_frames (gif);
  trailing->other_bytes = 0;
  if (p == 0 || p >= length)
    return;
  if (limits == NULL)
    {
      fl_gif_limits_init_default (&defaults);
      limits = &defaults;
    }
  trailing->bytes = length - p;
  while (starts_gif (data + p, length - p) && !g_cancellable_is_cancelled (cancellable))
    {
      g_autoptr (GBytes) part = g_bytes_new_static (data + p, length - p);
      g_autoptr (FlGif) next = fl_gif_index_scan (part, FALSE, limits, cancellable, NULL);

      /* A damaged part ends the count: its bytes are "not a GIF". */
      if (next == NULL)
        break;
      trailing->n_gifs++;
      trailing->n_frames += fl_gif_get_n_frames (next);
      /* Complete frames without a trailer: the file ends with them. */
      p = next->trailer_end != 0 ? p + next->trailer_end : length;
    }
  trailing->other_bytes = length - p;
}

void
fl_gif_get_trailing (FlGif *gif, FlGifTrailing *trailing)
{
  *trailing = gif->trailing;
}

char *
fl_gif_describe_trailing (FlGif *gif)
{
  const FlGifTrailing *t = &gif->trailing;
  guint frames = fl_gif_get_n_frames (gif);
  g_autofree char *first = NULL;

  if (t->bytes == 0)
    return NULL;
  if (t->n_gifs < 2)
    return g_strdup_printf (g_dngettext (FL_GETTEXT_PACKAGE,
                                         "%lu byte follows the end of the GIF; players ignore it.",
                                         "%lu bytes follow the end of the GIF; players ignore "
                                         "them.", t->bytes),
                            (unsigned long) t->bytes);
  first = g_strdup_printf (g_dngettext (FL_GETTEXT_PACKAGE, "%u frame", "%u frames", frames),
                           frames);
  return g_strdup_printf (g_dngettext (FL_GETTEXT_PACKAGE,
                                       "This file holds %u GIF back to back; only the first "
                                       "(%s) plays.",
                                       "This file holds %u GIFs back to back; only the first "
                                       "(%s) plays.", t->n_gifs),
                          t->n_gifs, first);
}
