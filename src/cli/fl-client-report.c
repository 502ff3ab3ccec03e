/* fl-client-report.c: --report DIR; the folder is fl-draw-report.c's. */
#include "fl-client-report.h"

#include "fl-draw-report.h"
#include "fl-file.h"
#include "fl-report.h"

gboolean
fl_client_report_prepare (const char *dir, GError **error)
{
  return fl_file_ensure_dir (dir, error);
}

gboolean
fl_client_report_write (const char *dir, char **argv, GPtrArray *records, GHashTable *commands,
                        GArray *events, GError **error)
{
  g_autofree char **named = g_memdup2 (argv, (g_strv_length (argv) + 1) * sizeof (char *));
  g_autofree char *invocation = NULL;

  /* The program by its name, wherever it was run from. */
  named[0] = (char *) g_get_prgname ();
  invocation = fl_report_join_argv (named);
  return fl_draw_report_write (dir, invocation, records, commands, events, NULL, error);
}
