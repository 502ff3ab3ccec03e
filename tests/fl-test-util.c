/* fl-test-util.c: temporary folders for the tests. */
#include "fl-test-util.h"

#include <glib/gstdio.h>

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
