/* fl-frame-list.c: inputs to frame paths, in natural order. */
#include "fl-frame-list.h"

#include "fl-error.h"

#include <errno.h>
#include <fnmatch.h>
#include <string.h>

int
fl_natural_compare (const char *a, const char *b)
{
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          const char *da = a, *db = b;
          gsize la, lb;
          int zeros;

          while (*da == '0')
            da++;
          while (*db == '0')
            db++;
          zeros = (int) (da - a) - (int) (db - b);
          a = da;
          b = db;
          while (g_ascii_isdigit (*a))
            a++;
          while (g_ascii_isdigit (*b))
            b++;
          la = (gsize) (a - da);
          lb = (gsize) (b - db);
          if (la != lb)
            return la < lb ? -1 : 1;
          if (la > 0 && memcmp (da, db, la) != 0)
            return memcmp (da, db, la) < 0 ? -1 : 1;
          if (zeros != 0)
            return zeros < 0 ? -1 : 1;
          continue;
        }
      if (*a != *b)
        return (guchar) *a < (guchar) *b ? -1 : 1;
      a++;
      b++;
    }
  return *a == *b ? 0 : *a == '\0' ? -1 : 1;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return fl_natural_compare (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
is_png_name (const char *name)
{
  gsize n = strlen (name);

  return n > 4 && g_ascii_strcasecmp (name + n - 4, ".png") == 0;
}

/* The folder's entries that pattern matches (every PNG when pattern is NULL),
 * sorted, appended to paths. */
static gboolean
add_matches (GPtrArray *paths, const char *dir, const char *prefix, const char *pattern,
             const char *input, GError **error)
{
  g_autoptr (GError) dir_error = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &dir_error);
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_IO, "Could not read the folder %s: %s", dir,
                   dir_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (pattern != NULL ? fnmatch (pattern, name, FNM_PERIOD) == 0 : is_png_name (name))
      g_ptr_array_add (found, prefix != NULL ? g_build_filename (prefix, name, NULL)
                                             : g_strdup (name));
  if (found->len == 0)
    {
      if (pattern != NULL)
        g_set_error (error, FL_ERROR, FL_ERROR_IO, "No file matches %s", input);
      else
        g_set_error (error, FL_ERROR, FL_ERROR_IO, "The folder %s holds no PNG files",
                     input);
      return FALSE;
    }
  g_ptr_array_sort (found, compare_paths);
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add (paths, g_steal_pointer (&found->pdata[i]));
  return TRUE;
}

static gboolean
add_folder (GPtrArray *paths, const char *dir, GError **error)
{
  g_autofree char *first = g_build_filename (dir, "0.png", NULL);

  if (!g_file_test (first, G_FILE_TEST_EXISTS))
    return add_matches (paths, dir, dir, NULL, dir, error);
  /* The lab's folder: <i>.png from 0 on, as the download writes them. */
  for (guint i = 0; i < G_MAXUINT; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.png", i);
      char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_free (path);
          break;
        }
      g_ptr_array_add (paths, path);
    }
  return TRUE;
}

GPtrArray *
fl_frame_list_expand (const char *const *inputs, GError **error)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; inputs != NULL && inputs[i] != NULL; i++)
    {
      const char *input = inputs[i];

      if (g_file_test (input, G_FILE_TEST_IS_DIR))
        {
          if (!add_folder (paths, input, error))
            return NULL;
        }
      else if (g_file_test (input, G_FILE_TEST_EXISTS))
        g_ptr_array_add (paths, g_strdup (input));
      else if (strpbrk (input, "*?[") != NULL)
        {
          g_autofree char *dir = g_path_get_dirname (input);
          g_autofree char *pattern = g_path_get_basename (input);
          gboolean here = strchr (input, G_DIR_SEPARATOR) == NULL;

          if (strpbrk (dir, "*?[") != NULL)
            {
              g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                           "Could not expand %s: only the file name may hold a pattern", input);
              return NULL;
            }
          if (!add_matches (paths, dir, here ? NULL : dir, pattern, input, error))
            return NULL;
        }
      else
        {
          g_set_error (error, FL_ERROR, FL_ERROR_IO, "Could not read %s: %s", input,
                       fl_strerror (ENOENT));
          return NULL;
        }
    }
  if (paths->len == 0)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                           "There are no frames to make a GIF from");
      return NULL;
    }
  return g_steal_pointer (&paths);
}
