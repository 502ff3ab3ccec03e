/* fl-check-output.h: the checker's results as both programs print them.
 *
 * On a terminal (not --json) each check is one line on stdout as it ends:
 * "PASS  Accepts a connection      Connected to 127.0.0.1:1234 in 0.1 ms.",
 * then a summary and the failed connections. With --json nothing is printed
 * until the end, then one JSON document (fl_check_report_to_json). */
#pragma once

#include "fl-check.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean json;
  gboolean started; /* the heading was printed */
  const char *heading;
} FlCheckOutput;

/* Callbacks that print each check as it ends; user_data is the FlCheckOutput. */
const FlCheckCallbacks *fl_check_output_callbacks (void);

/* Prints the end of the report (the summary, or the JSON document) and
 * returns the exit status: FL_EXIT_OK only when no check failed. */
int fl_check_output_finish (FlCheckOutput *output, const FlCheckReport *report);

G_END_DECLS
