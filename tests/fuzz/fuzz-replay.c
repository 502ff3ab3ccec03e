/* fuzz-replay.c: runs a fuzz target on files, so that it needs no libFuzzer.
 *
 *   fuzz-X [--corpus=SUBDIR]... [PATH]...
 *
 * Every regular file under each PATH (recursively, in sorted order) and under
 * $FRAMELOOM_CORPUS/SUBDIR goes through LLVMFuzzerTestOneInput once, one TAP
 * test a file. When a --corpus is asked for and $FRAMELOOM_CORPUS is not a
 * folder, the whole run is a TAP skip. A crash is the target's own abort or a
 * sanitizer report: the run stops before that file's "ok", which names it.
 */
#include "fuzz-target.h"

#include <glib.h>
#include <string.h>

static gboolean
collect (const char *path, GPtrArray *files, GError **error)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such file or folder", path);
          return FALSE;
        }
      g_ptr_array_add (files, g_strdup (path));
      return TRUE;
    }
  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      const char *child = names->pdata[i];

      /* Skip what is neither a folder nor a file (a dangling link, a socket). */
      if (g_file_test (child, G_FILE_TEST_IS_DIR) || g_file_test (child, G_FILE_TEST_IS_REGULAR))
        if (!collect (child, files, error))
          return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const char *corpus = g_getenv ("FRAMELOOM_CORPUS");
  gint64 start = g_get_monotonic_time ();

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *path = NULL;

      if (g_str_has_prefix (argv[i], "--corpus="))
        {
          if (corpus == NULL || corpus[0] == '\0' || !g_file_test (corpus, G_FILE_TEST_IS_DIR))
            {
              printf ("1..0 # SKIP the shared corpus is absent (FRAMELOOM_CORPUS=%s); "
                      "nothing to replay from it\n", corpus ? corpus : "(unset)");
              return 0;
            }
          path = g_build_filename (corpus, argv[i] + strlen ("--corpus="), NULL);
        }
      else
        path = g_strdup (argv[i]);
      if (!collect (path, files, &error))
        {
          printf ("Bail out! %s\n", error->message);
          return 1;
        }
    }
  if (files->len == 0)
    {
      printf ("Bail out! no input file to replay\n");
      return 1;
    }

  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, &error))
        {
          printf ("Bail out! %s\n", error->message);
          return 1;
        }
      printf ("# replay %s\n", path);
      fflush (stdout);
      /* A private copy of exactly length bytes, so that ASan sees a read past
       * the end of the input as it does under libFuzzer. */
      {
        g_autofree uint8_t *copy = g_memdup2 (contents, length);
        LLVMFuzzerTestOneInput (copy, length);
      }
      printf ("ok %u %s (%" G_GSIZE_FORMAT " bytes)\n", i + 1, path, length);
    }
  printf ("# replayed %u files in %.2f s\n", files->len, (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
