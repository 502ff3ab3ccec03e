/* fl-frame-export.c: PNG export over GTask, clipboard textures over GBytes. */
#include "fl-frame-export.h"

#include "fl-error.h"
#include "fl-file.h"
#include "fl-image.h"
#include "fl-png.h"
#include "fl-tsan.h"

#include <glib/gi18n.h>

typedef struct
{
  FlGifAheadFrame *frame;
  char *path;
} ExportData;

static void
export_data_free (ExportData *data)
{
  fl_gif_ahead_frame_unref (data->frame);
  g_free (data->path);
  g_free (data);
}

static gboolean
export_png (ExportData *data, GError **error)
{
  guint w = fl_gif_ahead_frame_get_width (data->frame);
  guint h = fl_gif_ahead_frame_get_height (data->frame);
  g_autofree char *display = g_filename_display_name (data->path);
  g_autoptr (GByteArray) png = g_byte_array_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (FlImage) image = fl_image_new (w, h, 4, &local);

  if (image != NULL)
    {
      /* A GIF's pixels are opaque or fully transparent: premultiplied or not
       * is the same. */
      fl_gif_pixels_to_rgba (fl_gif_ahead_frame_get_pixels (data->frame), (gsize) w * h,
                             image->pixels);
      if (fl_png_encode (image, png, &local))
        /* Its sentence names the file already. */
        return fl_file_write_atomic (data->path, png->data, png->len, error);
    }
  g_set_error (error, FL_ERROR, local->domain == FL_ERROR ? local->code : FL_ERROR_IO,
               _("Could not save the frame as “%s”: %s"), display, local->message);
  return FALSE;
}

static void
export_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ExportData *data = task_data;
  GError *error = NULL;
  gboolean ok;

  fl_tsan_acquire (data);
  ok = export_png (data, &error);
  fl_tsan_release (data);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
fl_frame_export_png_async (FlGifAheadFrame *frame, GFile *file, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ExportData *data = g_new0 (ExportData, 1);

  data->frame = fl_gif_ahead_frame_ref (frame);
  data->path = g_file_get_path (file);
  g_task_set_source_tag (task, fl_frame_export_png_async);
  if (data->path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      export_data_free (data);
      g_task_return_new_error (task, FL_ERROR, FL_ERROR_IO,
                               _("Could not save the frame as “%s”: only local files can be "
                                 "written."), uri);
      return;
    }
  /* No destroy notify: GTask would free data on whichever thread drops the
   * last reference; fl_frame_export_png_finish frees it on the main thread. */
  g_task_set_task_data (task, data, NULL);
  fl_tsan_release (data);
  g_task_run_in_thread (task, export_thread);
}

gboolean
fl_frame_export_png_finish (GAsyncResult *result, GError **error)
{
  ExportData *data = g_task_get_task_data (G_TASK (result));

  if (data != NULL)
    {
      fl_tsan_acquire (data);
      export_data_free (data);
      g_task_set_task_data (G_TASK (result), NULL, NULL);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}

GdkTexture *
fl_frame_to_texture (FlGifAheadFrame *frame)
{
  guint w = fl_gif_ahead_frame_get_width (frame), h = fl_gif_ahead_frame_get_height (frame);
  g_autoptr (GBytes) bytes = g_bytes_new_with_free_func (
    fl_gif_ahead_frame_get_pixels (frame), (gsize) w * h * 4,
    (GDestroyNotify) fl_gif_ahead_frame_unref, fl_gif_ahead_frame_ref (frame));

  /* GDK_MEMORY_DEFAULT is cairo's ARGB32, the canvas's own format. */
  return gdk_memory_texture_new ((int) w, (int) h, GDK_MEMORY_DEFAULT, bytes, (gsize) w * 4);
}
