/* fl-run-record.c: the run-record model, number formatting, and the CSV and
 * JSON writers (by hand, GLib only). The readers are in fl-run-record-read.c;
 * the field table that drives both is defined here and declared in
 * fl-run-record-private.h. */
#include "fl-run-record-private.h"

#include "fl-file.h"
#include "fl-json.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

FlRunRecord *
fl_run_record_new (const char *label)
{
  FlRunRecord *record = g_new0 (FlRunRecord, 1);

  record->label = g_strdup (label ? label : "");
  record->repetition = 1;
  return record;
}

FlRunRecord *
fl_run_record_copy (const FlRunRecord *record)
{
  FlRunRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);
  copy = g_memdup2 (record, sizeof *record);
  copy->label = g_strdup (record->label ? record->label : "");
  copy->server = g_strdup (record->server);
  copy->error = g_strdup (record->error);
  return copy;
}

void
fl_run_record_free (FlRunRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->label);
  g_free (record->server);
  g_free (record->error);
  g_free (record);
}

GPtrArray *
fl_run_records_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) fl_run_record_free);
}

static double
rate (gboolean ran, guint frames, double seconds)
{
  return ran && seconds > 0 && isfinite (seconds) ? frames / seconds : 0.0;
}

double
fl_run_record_download_rate (const FlRunRecord *record)
{
  return rate (record->ran_download, record->frames, record->download_seconds);
}

double
fl_run_record_encode_rate (const FlRunRecord *record)
{
  return rate (record->ran_encode, record->frames, record->encode_seconds);
}

/* The field table. */

#define F(field, type_) \
  { .name = #field, .type = (type_), .offset = offsetof (FlRunRecord, field) }
#define S(field, ran) \
  { .name = #field, .type = FIELD_SECONDS, .offset = offsetof (FlRunRecord, field), \
    .ran_offset = offsetof (FlRunRecord, ran) }
#define OPTIONAL_F(field, type_) \
  { .name = #field, .type = (type_), .offset = offsetof (FlRunRecord, field), .optional = TRUE }
#define OPTIONAL_S(field, ran) \
  { .name = #field, .type = FIELD_SECONDS, .offset = offsetof (FlRunRecord, field), \
    .ran_offset = offsetof (FlRunRecord, ran), .optional = TRUE }

/* In FL_RUN_RECORD_FIELDS order. Not static: fl-run-record-read.c reads it too
 * (declared with its length in fl-run-record-private.h). */
const FlRecordField fl_record_fields[] = {
  F (label, FIELD_TEXT),
  F (server, FIELD_TEXT_NULL),
  F (started_unix, FIELD_INT64),
  F (frames, FIELD_UINT),
  F (threads, FIELD_UINT),
  F (processes, FIELD_UINT),
  F (width, FIELD_UINT),
  F (height, FIELD_UINT),
  F (ran_download, FIELD_BOOL),
  F (ran_encode, FIELD_BOOL),
  S (download_seconds, ran_download),
  S (encode_seconds, ran_encode),
  { .name = "download_rate", .type = FIELD_DOWNLOAD_RATE },
  { .name = "encode_rate", .type = FIELD_ENCODE_RATE },
  F (retries, FIELD_UINT64),
  F (failures, FIELD_UINT64),
  F (ok, FIELD_BOOL),
  F (error, FIELD_TEXT_NULL),
  OPTIONAL_F (repetition, FIELD_UINT),
  OPTIONAL_S (download_wait_seconds, ran_download),
};

#undef F
#undef S
#undef OPTIONAL_F
#undef OPTIONAL_S

/* The field's value as text, or NULL for an empty cell / JSON null. quoted is
 * set for values that JSON writes as a string. */
static char *
field_to_text (const FlRunRecord *record, const FlRecordField *field, gboolean *quoted)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 32];
  double value;

  *quoted = FALSE;
  switch (field->type)
    {
    case FIELD_TEXT:
    case FIELD_TEXT_NULL:
      *quoted = TRUE;
      return g_strdup (*FL_RECORD_FIELD_PTR (record, field, char *));
    case FIELD_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, *FL_RECORD_FIELD_PTR (record, field, gint64));
    case FIELD_UINT:
      return g_strdup_printf ("%u", *FL_RECORD_FIELD_PTR (record, field, guint));
    case FIELD_UINT64:
      /* JSON readers (json-glib among them) hold whole numbers as signed 64 bits. */
      return g_strdup_printf ("%" G_GUINT64_FORMAT,
                              MIN (*FL_RECORD_FIELD_PTR (record, field, guint64),
                                   (guint64) G_MAXINT64));
    case FIELD_BOOL:
      return g_strdup (*FL_RECORD_FIELD_PTR (record, field, gboolean) ? "true" : "false");
    case FIELD_SECONDS:
      value = *FL_RECORD_FIELD_PTR (record, field, double);
      if (!*(const gboolean *) ((const char *) record + field->ran_offset) || !isfinite (value))
        return NULL;
      return g_strdup (fl_format_seconds (value, buffer, sizeof buffer));
    case FIELD_DOWNLOAD_RATE:
    case FIELD_ENCODE_RATE:
      if (!(field->type == FIELD_DOWNLOAD_RATE ? record->ran_download : record->ran_encode))
        return NULL;
      value = field->type == FIELD_DOWNLOAD_RATE ? fl_run_record_download_rate (record)
                                                 : fl_run_record_encode_rate (record);
      /* frames / a subnormal number of seconds is infinite, which JSON cannot
       * hold: written as an empty cell / null, like a stage that did not run. */
      if (!isfinite (value))
        return NULL;
      return g_strdup (fl_format_seconds (value, buffer, sizeof buffer));
    default:
      g_assert_not_reached ();
    }
}

/* Writers. */

static void
csv_cell (GString *out, const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    return;
  /* An empty cell reads back as NULL: "" is written quoted. */
  if (text[0] == '\0')
    {
      g_string_append (out, "\"\"");
      return;
    }
  /* The reader takes only UTF-8, as JSON does (a file name in an error message
   * need not be): repaired here the way fl_json_append_string does. */
  if (!g_utf8_validate (text, -1, NULL))
    {
      valid = g_utf8_make_valid (text, -1);
      text = valid;
    }
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

char *
fl_run_records_to_csv (GPtrArray *records)
{
  GString *out = g_string_new (FL_RUN_RECORD_FIELDS "\n");

  g_return_val_if_fail (records != NULL, NULL);
  for (guint i = 0; i < records->len; i++)
    {
      const FlRunRecord *record = records->pdata[i];
      for (guint f = 0; f < FL_RECORD_N_FIELDS; f++)
        {
          gboolean quoted;
          g_autofree char *text = field_to_text (record, &fl_record_fields[f], &quoted);
          if (f > 0)
            g_string_append_c (out, ',');
          csv_cell (out, text);
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

char *
fl_run_records_to_json (GPtrArray *records)
{
  GString *out = g_string_new ("[");

  g_return_val_if_fail (records != NULL, NULL);
  for (guint i = 0; i < records->len; i++)
    {
      const FlRunRecord *record = records->pdata[i];
      g_string_append (out, i > 0 ? ",\n  {" : "\n  {");
      for (guint f = 0; f < FL_RECORD_N_FIELDS; f++)
        {
          gboolean quoted;
          g_autofree char *text = field_to_text (record, &fl_record_fields[f], &quoted);
          g_string_append_printf (out, "%s\"%s\": ", f > 0 ? ", " : "", fl_record_fields[f].name);
          if (quoted)
            fl_json_append_string (out, text);
          else
            g_string_append (out, text ? text : "null");
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, records->len > 0 ? "\n]\n" : "]\n");
  return g_string_free (out, FALSE);
}

static gboolean
save_text (char *text, const char *path, GError **error)
{
  g_autofree char *owned = text;

  return fl_file_write_atomic (path, owned, strlen (owned), error);
}

gboolean
fl_run_records_save_csv (GPtrArray *records, const char *path, GError **error)
{
  g_return_val_if_fail (records != NULL && path != NULL, FALSE);
  return save_text (fl_run_records_to_csv (records), path, error);
}

gboolean
fl_run_records_save_json (GPtrArray *records, const char *path, GError **error)
{
  g_return_val_if_fail (records != NULL && path != NULL, FALSE);
  return save_text (fl_run_records_to_json (records), path, error);
}
