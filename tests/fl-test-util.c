/* fl-test-util.c: temporary folders and child processes, for the tests. */
#include "fl-test-util.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
fl_test_make_dir (const char *name_template)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (name_template, &error);

  g_assert_no_error (error);
  return dir;
}

void
fl_test_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      fl_test_remove_tree (child);
    }
  g_dir_close (dir);
  /* A test may have made it read-only to provoke a failure. */
  g_chmod (path, 0755);
  g_rmdir (path);
}

guint
fl_test_count_children (void)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL, *stat = NULL;
      const char *end;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
      end = strrchr (stat, ')');
      if (end != NULL && strtol (end + 4, NULL, 10) == (long) getpid ())
        {
          g_test_message ("child: %s", stat);
          n++;
        }
    }
  return n;
}

gboolean
fl_test_invalid_gif_plays (const char *name)
{
  static const char *const playable[] = { "plain-text.gif", "gifsicle-010_blank-garbage.gif",
                                          "gifsicle-009_zerowidth-bad.gif" };
  g_autofree char *base = g_path_get_basename (name);

  for (guint i = 0; i < G_N_ELEMENTS (playable); i++)
    if (g_str_equal (base, playable[i]))
      return TRUE;
  return FALSE;
}
