/* fuzz-run-records.c: a run-record file, CSV or JSON, is what the app opens
 * when a user picks one (Ctrl+Shift+O), so it is arbitrary bytes. Reading
 * either gives records or one sentence naming the file; records read back
 * give the same text when written again in either format. */
#include "fuzz-target.h"

#include "fl-error.h"
#include "fl-run-record.h"

#include <string.h>

/* Written, read again and written again: the same text. */
static void
check_round_trip (GPtrArray *records, gboolean json)
{
  g_autofree char *text = json ? fl_run_records_to_json (records) : fl_run_records_to_csv (records);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) back = fl_run_records_parse (text, -1, "again", &error);
  g_autofree char *again = NULL;

  FUZZ_ASSERT (back != NULL && error == NULL);
  FUZZ_ASSERT (back->len == records->len);
  again = json ? fl_run_records_to_json (back) : fl_run_records_to_csv (back);
  FUZZ_ASSERT (strcmp (text, again) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = fl_run_records_parse ((const char *) data, (gssize) size,
                                                        "fuzz", &error);

  if (records == NULL)
    {
      FUZZ_ASSERT (error != NULL && error->domain == FL_ERROR);
      FUZZ_ASSERT (g_str_has_prefix (error->message, "Could not read run records from fuzz: "));
      FUZZ_ASSERT (strchr (error->message, '\n') == NULL);
      FUZZ_ASSERT (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  FUZZ_ASSERT (error == NULL);
  for (guint i = 0; i < records->len; i++)
    {
      const FlRunRecord *r = records->pdata[i];
      FUZZ_ASSERT (r->label != NULL && g_utf8_validate (r->label, -1, NULL));
      FUZZ_ASSERT (r->error == NULL || g_utf8_validate (r->error, -1, NULL));
    }
  check_round_trip (records, FALSE);
  check_round_trip (records, TRUE);
  return 0;
}
