/* fl-check-output.c: the checker's table and JSON. */
#include "fl-check-output.h"

#include "fl-cli.h"

#include <glib/gi18n.h>
#include <stdio.h>

/* Names are padded to this many characters, so the evidence lines up. */
#define NAME_COLUMNS 48

static void
print_heading (FlCheckOutput *output)
{
  if (output->started || output->json)
    return;
  output->started = TRUE;
  if (output->heading != NULL)
    printf ("%s\n", output->heading);
}

static void
on_finished (const FlCheckResult *result, gpointer data)
{
  FlCheckOutput *output = data;
  glong width = g_utf8_strlen (result->name, -1);

  if (output->json)
    return;
  print_heading (output);
  printf ("%s  %s%*s  %s\n", fl_check_status_to_string (result->status), result->name,
          (int) MAX (NAME_COLUMNS - width, 0), "", result->evidence);
  fflush (stdout);
}

const FlCheckCallbacks *
fl_check_output_callbacks (void)
{
  static const FlCheckCallbacks callbacks = { NULL, on_finished };

  return &callbacks;
}

int
fl_check_output_finish (FlCheckOutput *output, const FlCheckReport *report)
{
  g_autofree char *summary = NULL;

  if (output->json)
    {
      g_autofree char *json = fl_check_report_to_json (report);

      fputs (json, stdout);
      fflush (stdout);
      return fl_check_report_passed (report) ? FL_EXIT_OK : FL_EXIT_FAILURE;
    }
  print_heading (output);
  summary = fl_check_report_summary (report);
  printf ("%s\n", summary);
  if (report->n_failures > 0)
    {
      printf (ngettext ("%u connection failed:\n", "%u connections failed:\n", report->n_failures),
              report->n_failures);
      guint listed = 0;

      for (guint i = 0; i < report->failures->len; i++)
        {
          const FlCheckFailure *failure = report->failures->pdata[i];

          printf ("  %5u× %s\n", failure->count, failure->sentence);
          listed += failure->count;
        }
      if (report->n_failures > listed)
        printf (_("  and %u more\n"), report->n_failures - listed);
    }
  fflush (stdout);
  return fl_check_report_passed (report) ? FL_EXIT_OK : FL_EXIT_FAILURE;
}
