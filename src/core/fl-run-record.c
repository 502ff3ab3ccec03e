/* fl-run-record.c: run records, and their CSV and JSON forms.
 *
 * Both formats are written and read here by hand (GLib only). One field table
 * drives the writers and the readers, so a field added to it is saved and loaded
 * in both formats at once. The readers are strict about what they need and
 * tolerant of what they do not know: a missing field or a value of the wrong
 * kind is an error naming the file, the line and the field; an unknown field is
 * skipped. */
#include "fl-run-record.h"

#include "fl-error.h"
#include "fl-file.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* A run-record file is a few kilobytes per hundred runs; this only stops a
 * wrong file (a video, /dev/zero) from being read whole. */
#define MAX_FILE_BYTES (64u * 1024u * 1024u)

FlRunRecord *
fl_run_record_new (const char *label)
{
  FlRunRecord *record = g_new0 (FlRunRecord, 1);

  record->label = g_strdup (label ? label : "");
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

/* Number formatting. */

const char *
fl_format_seconds (double value, char *buffer, gsize size)
{
  for (int decimals = 1; decimals <= 17; decimals++)
    {
      char format[16];
      g_snprintf (format, sizeof format, "%%.%df", decimals);
      g_ascii_formatd (buffer, (int) size, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }
  return buffer;
}

/* Fixed-point when that is exact (the usual case for seconds), else %.17g,
 * which always is. */
static const char *
format_double (double value, char *buffer, gsize size)
{
  fl_format_seconds (value, buffer, size);
  if (g_ascii_strtod (buffer, NULL) != value)
    g_ascii_formatd (buffer, (int) size, "%.17g", value);
  return buffer;
}

void
fl_json_append_double (GString *out, double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 32];

  if (!isfinite (value))
    g_string_append (out, "null");
  else
    g_string_append (out, format_double (value, buffer, sizeof buffer));
}

void
fl_json_append_string (GString *out, const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  /* JSON is UTF-8; a file name need not be. */
  valid = g_utf8_make_valid (text, -1);
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) valid; *p; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

/* The field table. */

typedef enum
{
  FIELD_TEXT,       /* char *, never NULL (label) */
  FIELD_TEXT_NULL,  /* char *, NULL allowed */
  FIELD_INT64,
  FIELD_UINT,
  FIELD_UINT64,
  FIELD_BOOL,
  FIELD_SECONDS,    /* double, empty/null when its stage did not run */
  FIELD_DOWNLOAD_RATE, /* derived: written, ignored on load */
  FIELD_ENCODE_RATE,
} FieldType;

typedef struct
{
  const char *name;
  FieldType type;
  gsize offset;
  gsize ran_offset; /* FIELD_SECONDS: the gboolean that says whether it applies */
} Field;

#define F(name, type) { #name, type, offsetof (FlRunRecord, name), 0 }
#define S(name, ran) { #name, FIELD_SECONDS, offsetof (FlRunRecord, name), \
                       offsetof (FlRunRecord, ran) }

/* In FL_RUN_RECORD_FIELDS order. */
static const Field fields[] = {
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
  { "download_rate", FIELD_DOWNLOAD_RATE, 0, 0 },
  { "encode_rate", FIELD_ENCODE_RATE, 0, 0 },
  F (retries, FIELD_UINT64),
  F (failures, FIELD_UINT64),
  F (ok, FIELD_BOOL),
  F (error, FIELD_TEXT_NULL),
};

#undef F
#undef S

#define N_FIELDS G_N_ELEMENTS (fields)
#define FIELD_PTR(record, field, type) ((type *) (gpointer) ((char *) (record) + (field)->offset))

static gboolean
field_is_derived (const Field *field)
{
  return field->type == FIELD_DOWNLOAD_RATE || field->type == FIELD_ENCODE_RATE;
}

/* The field's value as text, or NULL for an empty cell / JSON null. quoted is
 * set for values that JSON writes as a string. */
static char *
field_to_text (const FlRunRecord *record, const Field *field, gboolean *quoted)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 32];
  double value;

  *quoted = FALSE;
  switch (field->type)
    {
    case FIELD_TEXT:
    case FIELD_TEXT_NULL:
      *quoted = TRUE;
      return g_strdup (*FIELD_PTR (record, field, char *));
    case FIELD_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, *FIELD_PTR (record, field, gint64));
    case FIELD_UINT:
      return g_strdup_printf ("%u", *FIELD_PTR (record, field, guint));
    case FIELD_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, *FIELD_PTR (record, field, guint64));
    case FIELD_BOOL:
      return g_strdup (*FIELD_PTR (record, field, gboolean) ? "true" : "false");
    case FIELD_SECONDS:
      value = *FIELD_PTR (record, field, double);
      if (!*(const gboolean *) ((const char *) record + field->ran_offset) || !isfinite (value))
        return NULL;
      return g_strdup (format_double (value, buffer, sizeof buffer));
    case FIELD_DOWNLOAD_RATE:
    case FIELD_ENCODE_RATE:
      if (!(field->type == FIELD_DOWNLOAD_RATE ? record->ran_download : record->ran_encode))
        return NULL;
      value = field->type == FIELD_DOWNLOAD_RATE ? fl_run_record_download_rate (record)
                                                 : fl_run_record_encode_rate (record);
      return g_strdup (format_double (value, buffer, sizeof buffer));
    default:
      g_assert_not_reached ();
    }
}

/* Writers. */

static void
csv_cell (GString *out, const char *text)
{
  if (text == NULL)
    return;
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
      for (guint f = 0; f < N_FIELDS; f++)
        {
          gboolean quoted;
          g_autofree char *text = field_to_text (record, &fields[f], &quoted);
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
      for (guint f = 0; f < N_FIELDS; f++)
        {
          gboolean quoted;
          g_autofree char *text = field_to_text (record, &fields[f], &quoted);
          g_string_append_printf (out, "%s\"%s\": ", f > 0 ? ", " : "", fields[f].name);
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

/* Readers: both hand each value to set_field, which knows the field's type. */

typedef enum
{
  VALUE_TEXT,    /* a CSV cell or a JSON string */
  VALUE_NUMBER,  /* JSON number (text holds its literal) */
  VALUE_TRUE,
  VALUE_FALSE,
  VALUE_NULL,
} ValueKind;

typedef struct
{
  const char *name;  /* the file, for messages */
  guint line;        /* where the current record starts or the current value sits */
  GError **error;
} Reader;

static gboolean G_GNUC_PRINTF (3, 4)
reader_fail (Reader *reader, const char *field, const char *format, ...)
{
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  if (field != NULL)
    g_set_error (reader->error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                 "Could not read run records from %s: line %u, field \"%s\": %s", reader->name,
                 reader->line, field, why);
  else
    g_set_error (reader->error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                 "Could not read run records from %s: line %u: %s", reader->name, reader->line,
                 why);
  return FALSE;
}

static gboolean
parse_bool (ValueKind kind, const char *text, gboolean *value)
{
  if (kind == VALUE_TRUE || (kind == VALUE_TEXT && strcmp (text, "true") == 0))
    *value = TRUE;
  else if (kind == VALUE_FALSE || (kind == VALUE_TEXT && strcmp (text, "false") == 0))
    *value = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
set_field (Reader *reader, FlRunRecord *record, const Field *field, ValueKind kind,
           const char *text)
{
  /* A CSV cell is text whatever it holds; JSON says what it is. */
  gboolean is_number = kind == VALUE_NUMBER || (kind == VALUE_TEXT && text[0] != '\0');
  gboolean is_null = kind == VALUE_NULL || (kind == VALUE_TEXT && text[0] == '\0');
  guint64 u;
  gint64 s;
  char *end;
  double d;

  switch (field->type)
    {
    case FIELD_TEXT:
      if (kind != VALUE_TEXT)
        return reader_fail (reader, field->name, "expected text");
      g_free (record->label);
      record->label = g_strdup (text);
      return TRUE;
    case FIELD_TEXT_NULL:
      if (kind != VALUE_TEXT && kind != VALUE_NULL)
        return reader_fail (reader, field->name, "expected text or null");
      g_free (*FIELD_PTR (record, field, char *));
      *FIELD_PTR (record, field, char *) = is_null ? NULL : g_strdup (text);
      return TRUE;
    case FIELD_INT64:
      if (!is_number || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &s, NULL))
        return reader_fail (reader, field->name, "expected a whole number");
      *FIELD_PTR (record, field, gint64) = s;
      return TRUE;
    case FIELD_UINT:
    case FIELD_UINT64:
      if (!is_number
          || !g_ascii_string_to_unsigned (text, 10, 0,
                                          field->type == FIELD_UINT ? G_MAXUINT : G_MAXUINT64,
                                          &u, NULL))
        return reader_fail (reader, field->name, "expected a whole number from 0 to %"
                            G_GUINT64_FORMAT,
                            field->type == FIELD_UINT ? (guint64) G_MAXUINT : G_MAXUINT64);
      if (field->type == FIELD_UINT)
        *FIELD_PTR (record, field, guint) = (guint) u;
      else
        *FIELD_PTR (record, field, guint64) = u;
      return TRUE;
    case FIELD_BOOL:
      if (!parse_bool (kind, text, FIELD_PTR (record, field, gboolean)))
        return reader_fail (reader, field->name, "expected true or false");
      return TRUE;
    case FIELD_SECONDS:
      if (is_null)
        {
          *FIELD_PTR (record, field, double) = 0.0;
          return TRUE;
        }
      if (!is_number)
        return reader_fail (reader, field->name, "expected a number of seconds");
      d = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0' || !isfinite (d) || d < 0)
        return reader_fail (reader, field->name, "expected a number of seconds, not \"%s\"",
                            text);
      *FIELD_PTR (record, field, double) = d;
      return TRUE;
    case FIELD_DOWNLOAD_RATE:
    case FIELD_ENCODE_RATE:
      return TRUE; /* derived from the others */
    default:
      g_assert_not_reached ();
    }
}

static const Field *
find_field (const char *name)
{
  for (guint f = 0; f < N_FIELDS; f++)
    if (strcmp (fields[f].name, name) == 0)
      return &fields[f];
  return NULL;
}

/* Checks that every field that is not derived was given. */
static gboolean
check_complete (Reader *reader, const gboolean *seen)
{
  for (guint f = 0; f < N_FIELDS; f++)
    if (!seen[f] && !field_is_derived (&fields[f]))
      return reader_fail (reader, fields[f].name, "the field is missing");
  return TRUE;
}

/* CSV. */

/* Reads one record (a list of cells) starting at *p; advances *p past its line
 * end and counts the lines it spans (a quoted cell may hold line breaks). */
static GPtrArray *
csv_read_row (Reader *reader, const char **p, const char *end, guint *line)
{
  g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  GString *cell = g_string_new (NULL);

  for (;;)
    {
      if (*p < end && **p == '"')
        {
          guint quote_line = *line;
          (*p)++;
          for (;;)
            {
              if (*p >= end)
                {
                  reader->line = quote_line;
                  g_string_free (cell, TRUE);
                  reader_fail (reader, NULL, "a quoted cell is not closed");
                  return NULL;
                }
              if (**p == '"')
                {
                  if (*p + 1 < end && (*p)[1] == '"')
                    {
                      g_string_append_c (cell, '"');
                      *p += 2;
                      continue;
                    }
                  (*p)++;
                  break;
                }
              if (**p == '\n')
                (*line)++;
              g_string_append_c (cell, *(*p)++);
            }
          if (*p < end && **p != ',' && **p != '\n' && **p != '\r')
            {
              reader->line = *line;
              g_string_free (cell, TRUE);
              reader_fail (reader, NULL, "text after a closing quote");
              return NULL;
            }
        }
      else
        {
          while (*p < end && **p != ',' && **p != '\n' && **p != '\r')
            {
              if (**p == '"')
                {
                  reader->line = *line;
                  g_string_free (cell, TRUE);
                  reader_fail (reader, NULL, "a quote inside an unquoted cell");
                  return NULL;
                }
              g_string_append_c (cell, *(*p)++);
            }
        }
      g_ptr_array_add (cells, g_string_free (g_steal_pointer (&cell), FALSE));
      cell = g_string_new (NULL);
      if (*p < end && **p == ',')
        {
          (*p)++;
          continue;
        }
      break;
    }
  g_string_free (cell, TRUE);
  if (*p < end && **p == '\r')
    (*p)++;
  if (*p < end && **p == '\n')
    (*p)++;
  (*line)++;
  return g_steal_pointer (&cells);
}

static GPtrArray *
parse_csv (Reader *reader, const char *text, const char *end)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GPtrArray) header = NULL;
  g_autofree const Field **columns = NULL;
  gboolean seen[N_FIELDS] = { FALSE };
  const char *p = text;
  guint line = 1;

  reader->line = 1;
  header = csv_read_row (reader, &p, end, &line);
  if (header == NULL)
    return NULL;
  columns = g_new0 (const Field *, header->len);
  for (guint c = 0; c < header->len; c++)
    {
      columns[c] = find_field (header->pdata[c]);
      if (columns[c] != NULL)
        {
          guint f = (guint) (columns[c] - fields);
          if (seen[f])
            return reader_fail (reader, header->pdata[c], "the column appears twice"), NULL;
          seen[f] = TRUE;
        }
    }
  if (!check_complete (reader, seen))
    return NULL;

  while (p < end)
    {
      g_autoptr (GPtrArray) row = NULL;
      g_autoptr (FlRunRecord) record = NULL;
      guint row_line = line;

      if (*p == '\n' || *p == '\r')
        {
          /* Blank lines (a trailing one, say) hold no record. */
          p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
          line++;
          continue;
        }
      row = csv_read_row (reader, &p, end, &line);
      if (row == NULL)
        return NULL;
      reader->line = row_line;
      if (row->len != header->len)
        return reader_fail (reader, NULL, "%u cells where the header has %u", row->len,
                            header->len), NULL;
      record = fl_run_record_new (NULL);
      for (guint c = 0; c < row->len; c++)
        if (columns[c] != NULL
            && !set_field (reader, record, columns[c], VALUE_TEXT, row->pdata[c]))
          return NULL;
      g_ptr_array_add (records, g_steal_pointer (&record));
    }
  return g_steal_pointer (&records);
}

/* JSON: an array of flat objects, which is all these files hold. */

typedef struct
{
  Reader *reader;
  const char *p, *end;
  guint line;
} Json;

static void
json_skip_space (Json *json)
{
  while (json->p < json->end
         && (*json->p == ' ' || *json->p == '\t' || *json->p == '\n' || *json->p == '\r'))
    {
      if (*json->p == '\n')
        json->line++;
      json->p++;
    }
}

static gboolean
json_fail (Json *json, const char *field, const char *why)
{
  json->reader->line = json->line;
  return reader_fail (json->reader, field, "%s", why);
}

static gboolean
json_expect (Json *json, char c, const char *field, const char *why)
{
  json_skip_space (json);
  if (json->p >= json->end || *json->p != c)
    return json_fail (json, field, why);
  json->p++;
  return TRUE;
}

static gboolean
json_read_hex4 (Json *json, gunichar *value)
{
  *value = 0;
  if (json->end - json->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int v = g_ascii_xdigit_value (json->p[i]);
      if (v < 0)
        return FALSE;
      *value = *value * 16 + (gunichar) v;
    }
  json->p += 4;
  return TRUE;
}

/* A string, at the opening quote; the result is valid UTF-8. */
static char *
json_read_string (Json *json, const char *field)
{
  g_autoptr (GString) out = g_string_new (NULL);

  json->p++;
  for (;;)
    {
      guchar c;
      if (json->p >= json->end)
        return json_fail (json, field, "a string is not closed"), NULL;
      c = (guchar) *json->p++;
      if (c == '"')
        break;
      if (c < 0x20)
        return json_fail (json, field, "a control character inside a string"), NULL;
      if (c != '\\')
        {
          g_string_append_c (out, (char) c);
          continue;
        }
      if (json->p >= json->end)
        return json_fail (json, field, "a string is not closed"), NULL;
      c = (guchar) *json->p++;
      switch (c)
        {
        case '"': case '\\': case '/':
          g_string_append_c (out, (char) c);
          break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar u, low;
            if (!json_read_hex4 (json, &u))
              return json_fail (json, field, "a bad \\u escape"), NULL;
            if (u >= 0xD800 && u < 0xDC00)
              {
                if (json->end - json->p < 6 || json->p[0] != '\\' || json->p[1] != 'u')
                  return json_fail (json, field, "a lone UTF-16 surrogate"), NULL;
                json->p += 2;
                if (!json_read_hex4 (json, &low) || low < 0xDC00 || low > 0xDFFF)
                  return json_fail (json, field, "a lone UTF-16 surrogate"), NULL;
                u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
              }
            else if (u >= 0xDC00 && u < 0xE000)
              return json_fail (json, field, "a lone UTF-16 surrogate"), NULL;
            if (u == 0)
              return json_fail (json, field, "a NUL character inside a string"), NULL;
            g_string_append_unichar (out, u);
            break;
          }
        default:
          return json_fail (json, field, "a bad escape inside a string"), NULL;
        }
    }
  if (!g_utf8_validate (out->str, (gssize) out->len, NULL))
    return json_fail (json, field, "a string is not valid UTF-8"), NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
json_read_literal (Json *json, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (json->end - json->p) < n || memcmp (json->p, word, n) != 0)
    return FALSE;
  json->p += n;
  return TRUE;
}

/* One plain value (string, number, true, false, null) into kind/text. */
static gboolean
json_read_value (Json *json, const char *field, ValueKind *kind, char **text)
{
  const char *start;

  json_skip_space (json);
  *text = NULL;
  if (json->p >= json->end)
    return json_fail (json, field, "the file ends where a value should be");
  switch (*json->p)
    {
    case '"':
      *kind = VALUE_TEXT;
      *text = json_read_string (json, field);
      return *text != NULL;
    case 't':
      *kind = VALUE_TRUE;
      return json_read_literal (json, "true") || json_fail (json, field, "not a JSON value");
    case 'f':
      *kind = VALUE_FALSE;
      return json_read_literal (json, "false") || json_fail (json, field, "not a JSON value");
    case 'n':
      *kind = VALUE_NULL;
      return json_read_literal (json, "null") || json_fail (json, field, "not a JSON value");
    case '{':
    case '[':
      return json_fail (json, field, "expected a plain value, not an object or array");
    default:
      break;
    }
  /* A number, by JSON's grammar. */
  start = json->p;
  if (json->p < json->end && *json->p == '-')
    json->p++;
  if (json->p >= json->end || !g_ascii_isdigit (*json->p))
    return json_fail (json, field, "not a JSON value");
  if (*json->p == '0')
    json->p++;
  else
    while (json->p < json->end && g_ascii_isdigit (*json->p))
      json->p++;
  if (json->p < json->end && *json->p == '.')
    {
      json->p++;
      if (json->p >= json->end || !g_ascii_isdigit (*json->p))
        return json_fail (json, field, "not a JSON number");
      while (json->p < json->end && g_ascii_isdigit (*json->p))
        json->p++;
    }
  if (json->p < json->end && (*json->p == 'e' || *json->p == 'E'))
    {
      json->p++;
      if (json->p < json->end && (*json->p == '+' || *json->p == '-'))
        json->p++;
      if (json->p >= json->end || !g_ascii_isdigit (*json->p))
        return json_fail (json, field, "not a JSON number");
      while (json->p < json->end && g_ascii_isdigit (*json->p))
        json->p++;
    }
  *kind = VALUE_NUMBER;
  *text = g_strndup (start, (gsize) (json->p - start));
  return TRUE;
}

static FlRunRecord *
json_read_object (Json *json)
{
  g_autoptr (FlRunRecord) record = fl_run_record_new (NULL);
  gboolean seen[N_FIELDS] = { FALSE };
  guint object_line;

  json_skip_space (json);
  object_line = json->line;
  if (!json_expect (json, '{', NULL, "expected an object ({) for each run"))
    return NULL;
  json_skip_space (json);
  if (json->p < json->end && *json->p == '}')
    json->p++;
  else
    for (;;)
      {
        g_autofree char *key = NULL;
        g_autofree char *text = NULL;
        const Field *field;
        ValueKind kind;

        json_skip_space (json);
        if (json->p >= json->end || *json->p != '"')
          return json_fail (json, NULL, "expected a field name in quotes"), NULL;
        key = json_read_string (json, NULL);
        if (key == NULL || !json_expect (json, ':', key, "expected a colon after the name"))
          return NULL;
        if (!json_read_value (json, key, &kind, &text))
          return NULL;
        field = find_field (key);
        if (field != NULL)
          {
            guint f = (guint) (field - fields);
            json->reader->line = json->line;
            if (seen[f])
              return reader_fail (json->reader, key, "the field appears twice"), NULL;
            seen[f] = TRUE;
            if (!set_field (json->reader, record, field, kind, text))
              return NULL;
          }
        json_skip_space (json);
        if (json->p < json->end && *json->p == ',')
          {
            json->p++;
            continue;
          }
        if (!json_expect (json, '}', NULL, "expected a comma or } after a field"))
          return NULL;
        break;
      }
  json->reader->line = object_line;
  if (!check_complete (json->reader, seen))
    return NULL;
  return g_steal_pointer (&record);
}

static GPtrArray *
parse_json (Reader *reader, const char *text, const char *end)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  Json json = { reader, text, end, 1 };

  if (!json_expect (&json, '[', NULL, "expected a JSON array ([) of runs"))
    return NULL;
  json_skip_space (&json);
  if (json.p < json.end && *json.p == ']')
    json.p++;
  else
    for (;;)
      {
        FlRunRecord *record = json_read_object (&json);
        if (record == NULL)
          return NULL;
        g_ptr_array_add (records, record);
        json_skip_space (&json);
        if (json.p < json.end && *json.p == ',')
          {
            json.p++;
            continue;
          }
        if (!json_expect (&json, ']', NULL, "expected a comma or ] after a run"))
          return NULL;
        break;
      }
  json_skip_space (&json);
  if (json.p < json.end)
    return json_fail (&json, NULL, "text after the end of the array"), NULL;
  return g_steal_pointer (&records);
}

GPtrArray *
fl_run_records_parse (const char *text, gssize length, const char *name, GError **error)
{
  Reader reader = { name ? name : "(text)", 1, error };
  const char *p, *end;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  if (length < 0)
    length = (gssize) strlen (text);
  end = text + length;
  if (memchr (text, '\0', (gsize) length) != NULL)
    return reader_fail (&reader, NULL, "the file holds NUL bytes, so it is not text"), NULL;
  /* A UTF-8 byte order mark, as some spreadsheets write. */
  text += (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
  p = text;
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p < end && *p == '[')
    return parse_json (&reader, text, end);
  p = text;
  if (p >= end)
    return reader_fail (&reader, NULL, "the file is empty"), NULL;
  return parse_csv (&reader, p, end);
}

GPtrArray *
fl_run_records_load (const char *path, GError **error)
{
  g_autofree guint8 *contents = NULL;
  g_autofree char *display = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  if (!fl_file_read (path, MAX_FILE_BYTES, &contents, &length, error))
    return NULL;
  display = g_filename_display_name (path);
  return fl_run_records_parse ((const char *) contents, (gssize) length, display, error);
}
