/* fl-gif-reader.c: FlGif's front: the file opened (never blocking) and mapped,
 * the mode chosen (decoded, or indexed for files over the in-memory limits),
 * a frame's details in either mode. Beneath it, one way: fl-gif-index.c scans
 * and decodes frame by frame, fl-gif-decode.c decodes whole files, and
 * fl-gif.c holds the object they all share. */
#include "fl-gif-reader.h"

#include "fl-gif-reader-private.h"

#include "fl-encoder.h"
#include "fl-error.h"
#include "fl-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every GIF frameloom-client can write must open. */
G_STATIC_ASSERT (FL_GIF_DEFAULT_MAX_INDEXED_FRAMES >= FL_ENCODE_MAX_FRAMES);

/* Files under this are decoded without a scan first: they fit at once. */
#define PRESCAN_MIN_BYTES (8u * 1024u * 1024u)

FlGif *
fl_gif_new_from_bytes (const guint8 *data, gsize length, const FlGifLimits *limits,
                       GCancellable *cancellable, GError **error)
{
  FlGif *gif = fl_gif_decode_all (data, length, limits, cancellable, NULL, error);

  if (gif != NULL)
    fl_gif_trailing_scan (gif, data, length, limits, cancellable);
  return gif;
}

/* Maps path read-only. Opened without blocking and checked to be a regular file
 * first: a FIFO would block the open (and a loader thread) until a writer came,
 * and a folder or a device has nothing to map. */
static GMappedFile *
map_file (const char *path, const char *display, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  GMappedFile *mapped;
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not open “%s”: %s.",
                   display, fl_strerror (errsv));
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    st.st_mode = 0;
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_IO, "Could not open “%s”: it is %s, not a GIF file.",
                   display, fl_file_describe_type (st.st_mode));
      close (fd);
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL)
    g_set_error (error, FL_ERROR,
                 g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOMEM)
                   ? FL_ERROR_TOO_LARGE : FL_ERROR_IO,
                 "Could not open “%s”: it cannot be mapped into memory.", display);
  return mapped;
}

FlGif *
fl_gif_new_from_file (const char *path, const FlGifLimits *limits, GCancellable *cancellable,
                      GError **error)
{
  FlGifLimits defaults;
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *display = g_filename_display_name (path);
  FlGif *gif = NULL;
  gsize length;
  gboolean over_budget;

  if (limits == NULL)
    {
      fl_gif_limits_init_default (&defaults);
      limits = &defaults;
    }
  mapped = map_file (path, display, error);
  if (mapped == NULL)
    return NULL;
  length = g_mapped_file_get_length (mapped);
  over_budget = length > limits->max_file_bytes;
  if (!over_budget && limits->max_indexed_frames > 0 && length > PRESCAN_MIN_BYTES)
    {
      /* A big file: a scan (fast: block lengths only) tells whether its frames
       * fit the decoded budgets before they are decoded, not after. */
      g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (mapped);

      gif = fl_gif_index_scan (bytes, TRUE, limits, cancellable, NULL);
      if (gif != NULL && fl_gif_get_n_frames (gif) <= limits->max_frames
          && gif->decoded_bytes <= limits->max_frame_bytes
          && gif->raster_pixels <= limits->max_raster_pixels)
        g_clear_pointer (&gif, fl_gif_unref);
    }
  if (gif == NULL && (!over_budget || limits->max_indexed_frames == 0))
    gif = fl_gif_decode_all ((const guint8 *) g_mapped_file_get_contents (mapped), length, limits,
                      cancellable, &over_budget, &local_error);
  if (gif == NULL && over_budget && limits->max_indexed_frames > 0)
    {
      /* Over the in-memory budgets: keep the file mapped and decode each
       * frame when it is drawn. */
      g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (mapped);

      g_clear_error (&local_error);
      gif = fl_gif_index_scan (bytes, TRUE, limits, cancellable, &local_error);
    }
  if (gif == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error (error, FL_ERROR, FL_ERROR_CANCELLED, "Opening “%s” was cancelled.", display);
      else
        g_set_error (error, FL_ERROR, local_error->domain == FL_ERROR ? local_error->code
                                                                    : FL_ERROR_INVALID_GIF,
                     "Could not open “%s”: %s.", display, local_error->message);
    }
  else
    fl_gif_trailing_scan (gif, (const guint8 *) g_mapped_file_get_contents (mapped), length,
                          limits, cancellable);
  return gif;
}

void
fl_gif_get_frame_info (FlGif *gif, guint index, FlGifFrameInfo *info)
{
  FlGifFrame indexed;
  const FlGifFrame *f;

  memset (info, 0, sizeof *info);
  g_return_if_fail (index < fl_gif_get_n_frames (gif));
  if (gif->frames != NULL)
    f = &g_array_index (gif->frames, FlGifFrame, index);
  else
    {
      fl_gif_index_get_frame (gif, index, &indexed);
      f = &indexed;
    }
  info->left = f->left;
  info->top = f->top;
  info->width = f->width;
  info->height = f->height;
  info->delay_cs = f->delay_cs;
  info->disposal = f->disposal;
  info->transparent = f->transparent;
  info->n_colors = f->n_colors;
  info->local_colors = f->local_colors;
}

FlGif *
fl_gif_new_indexed (GBytes *bytes, const FlGifLimits *limits, GCancellable *cancellable,
                    GError **error)
{
  FlGifLimits defaults;
  FlGif *gif;

  if (limits == NULL)
    {
      fl_gif_limits_init_default (&defaults);
      limits = &defaults;
    }
  gif = fl_gif_index_scan (bytes, FALSE, limits, cancellable, error);
  if (gif != NULL)
    fl_gif_trailing_scan (gif, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), limits,
                          cancellable);
  return gif;
}
