/* records-tool: loads a run-record file (CSV or JSON, told by content) with
 * fl_run_records_load and prints it again, so script tests can check that what
 * frameloom-client writes reads back. Usage: records-tool csv|json FILE.
 * Exit 0, or 1 with the loader's sentence on stderr. */
#include "fl-run-record.h"

#include <stdio.h>
#include <string.h>

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *text = NULL;

  if (argc != 3 || (strcmp (argv[1], "csv") != 0 && strcmp (argv[1], "json") != 0))
    {
      fprintf (stderr, "usage: records-tool csv|json FILE\n");
      return 2;
    }
  records = fl_run_records_load (argv[2], &error);
  if (records == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  text = strcmp (argv[1], "csv") == 0 ? fl_run_records_to_csv (records)
                                      : fl_run_records_to_json (records);
  fputs (text, stdout);
  return 0;
}
