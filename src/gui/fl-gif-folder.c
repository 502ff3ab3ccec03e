/* fl-gif-folder.c: one pass over the folder, keeping the nearest name. */
#include "fl-gif-folder.h"

#include "fl-tsan.h"

#include <string.h>

typedef struct
{
  GFile *file;
  int direction;
  GFile *found;
} FindData;

static void
find_data_free (FindData *data)
{
  g_object_unref (data->file);
  g_clear_object (&data->found);
  g_free (data);
}

static gboolean
is_gif_name (const char *name)
{
  gsize n = strlen (name);

  return n > 4 && g_ascii_strcasecmp (name + n - 4, ".gif") == 0;
}

/* The nearest GIF name past current's key in direction, by collation key. */
static GFile *
find_neighbour (GFile *file, int direction, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFile) parent = g_file_get_parent (file);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *key = g_utf8_collate_key_for_filename (name, -1);
  g_autofree char *best_key = NULL;
  g_autofree char *best_name = NULL;
  g_autoptr (GFileEnumerator) children = NULL;

  if (parent == NULL)
    return NULL;
  children = g_file_enumerate_children (parent,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (children == NULL)
    return NULL;
  for (;;)
    {
      GFileInfo *info = NULL;
      const char *child;
      g_autofree char *child_key = NULL;
      int against_current, against_best;

      if (!g_file_enumerator_iterate (children, &info, NULL, cancellable, error))
        return NULL;
      if (info == NULL)
        break;
      child = g_file_info_get_name (info);
      if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR || !is_gif_name (child))
        continue;
      child_key = g_utf8_collate_key_for_filename (child, -1);
      /* Names that collate alike are told apart by their bytes. */
      against_current = g_strcmp0 (child_key, key) ?: g_strcmp0 (child, name);
      against_best = best_key == NULL ? -direction
                                      : g_strcmp0 (child_key, best_key) ?: g_strcmp0 (child,
                                                                                     best_name);
      if (against_current * direction > 0 && against_best * direction < 0)
        {
          g_free (best_key);
          g_free (best_name);
          best_key = g_steal_pointer (&child_key);
          best_name = g_strdup (child);
        }
    }
  return best_name != NULL ? g_file_get_child (parent, best_name) : NULL;
}

static void
find_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FindData *data = task_data;
  GError *error = NULL;

  fl_tsan_acquire (data);
  data->found = find_neighbour (data->file, data->direction, cancellable, &error);
  fl_tsan_release (data);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
fl_gif_folder_find_async (GFile *file, int direction, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  FindData *data = g_new0 (FindData, 1);

  data->file = g_object_ref (file);
  data->direction = direction < 0 ? -1 : 1;
  /* No destroy notify: fl_gif_folder_find_finish frees it on the main thread. */
  g_task_set_task_data (task, data, NULL);
  fl_tsan_release (data);
  g_task_run_in_thread (task, find_thread);
}

GFile *
fl_gif_folder_find_finish (GAsyncResult *result, GError **error)
{
  FindData *data = g_task_get_task_data (G_TASK (result));
  GFile *found;

  fl_tsan_acquire (data);
  found = g_steal_pointer (&data->found);
  find_data_free (data);
  g_task_set_task_data (G_TASK (result), NULL, NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    g_clear_object (&found);
  return found;
}
