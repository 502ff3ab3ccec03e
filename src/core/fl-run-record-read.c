/* fl-run-record-read.c: loading run records from CSV and JSON, by hand (GLib
 * only), driven by the field table in fl-run-record-private.h. The readers are
 * strict about what they need and tolerant of what they do not know: a missing
 * field or a value of the wrong kind is an error naming the file, the line and
 * the field; an unknown field is skipped. */
#include "fl-run-record-private.h"

#include "fl-error.h"
#include "fl-file.h"

#include <math.h>
#include <string.h>

/* A run-record file is a few kilobytes per hundred runs; this only stops a
 * wrong file (a video, /dev/zero) from being read whole. */
#define MAX_FILE_BYTES (64u * 1024u * 1024u)

static gboolean
field_is_derived (const FlRecordField *field)
{
  return field->type == FIELD_DOWNLOAD_RATE || field->type == FIELD_ENCODE_RATE;
}

/* Readers: both hand each value to set_field, which knows the field's type. */

typedef enum
{
  VALUE_TEXT,    /* a CSV cell or a JSON string */
  VALUE_EMPTY,   /* an empty unquoted CSV cell (text ""): NULL text, or "" for the label;
                  * "" written as a quoted "" cell stays "" */
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
set_field (Reader *reader, FlRunRecord *record, const FlRecordField *field, ValueKind kind,
           const char *text)
{
  /* A CSV cell is text whatever it holds; JSON says what it is. */
  gboolean is_number = kind == VALUE_NUMBER || (kind == VALUE_TEXT && text[0] != '\0');
  gboolean is_null = kind == VALUE_NULL || kind == VALUE_EMPTY;
  guint64 u;
  gint64 s;
  char *end;
  double d;

  switch (field->type)
    {
    case FIELD_TEXT:
      if (kind != VALUE_TEXT && kind != VALUE_EMPTY)
        return reader_fail (reader, field->name, "expected text");
      if (!g_utf8_validate (text, -1, NULL))
        return reader_fail (reader, field->name, "the text is not valid UTF-8");
      g_free (record->label);
      record->label = g_strdup (text);
      return TRUE;
    case FIELD_TEXT_NULL:
      if (kind != VALUE_TEXT && kind != VALUE_NULL && kind != VALUE_EMPTY)
        return reader_fail (reader, field->name, "expected text or null");
      /* A CSV cell is not checked elsewhere; the app shows these in labels. */
      if (!is_null && !g_utf8_validate (text, -1, NULL))
        return reader_fail (reader, field->name, "the text is not valid UTF-8");
      g_free (*FL_RECORD_FIELD_PTR (record, field, char *));
      *FL_RECORD_FIELD_PTR (record, field, char *) = is_null ? NULL : g_strdup (text);
      return TRUE;
    case FIELD_INT64:
      if (!is_number || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &s, NULL))
        return reader_fail (reader, field->name, "expected a whole number");
      *FL_RECORD_FIELD_PTR (record, field, gint64) = s;
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
        *FL_RECORD_FIELD_PTR (record, field, guint) = (guint) u;
      else
        *FL_RECORD_FIELD_PTR (record, field, guint64) = u;
      return TRUE;
    case FIELD_BOOL:
      if (!parse_bool (kind, text, FL_RECORD_FIELD_PTR (record, field, gboolean)))
        return reader_fail (reader, field->name, "expected true or false");
      return TRUE;
    case FIELD_SECONDS:
      /* A stage that did not run: empty, null, or (leniently) a blank string. */
      if (is_null || (kind == VALUE_TEXT && text[0] == '\0'))
        {
          *FL_RECORD_FIELD_PTR (record, field, double) = 0.0;
          return TRUE;
        }
      if (!is_number)
        return reader_fail (reader, field->name, "expected a number of seconds");
      d = g_ascii_strtod (text, &end);
      if (end == text || *end != '\0' || !isfinite (d) || d < 0)
        return reader_fail (reader, field->name, "expected a number of seconds, not \"%s\"",
                            text);
      *FL_RECORD_FIELD_PTR (record, field, double) = d;
      return TRUE;
    case FIELD_DOWNLOAD_RATE:
    case FIELD_ENCODE_RATE:
      return TRUE; /* derived from the others */
    default:
      g_assert_not_reached ();
    }
}

static const FlRecordField *
find_field (const char *name)
{
  for (guint f = 0; f < FL_RECORD_N_FIELDS; f++)
    if (strcmp (fl_record_fields[f].name, name) == 0)
      return &fl_record_fields[f];
  return NULL;
}

/* Checks that every field that is neither derived nor optional was given. */
static gboolean
check_complete (Reader *reader, const gboolean *seen)
{
  for (guint f = 0; f < FL_RECORD_N_FIELDS; f++)
    if (!seen[f] && !field_is_derived (&fl_record_fields[f]) && !fl_record_fields[f].optional)
      return reader_fail (reader, fl_record_fields[f].name, "the field is missing");
  return TRUE;
}

/* CSV. */

/* Reads one record (a list of cells) starting at *p; advances *p past its line
 * end and counts the lines it spans (a quoted cell may hold line breaks). An
 * empty unquoted cell is NULL, so "" (quoted) can stay apart from nothing. */
static GPtrArray *
csv_read_row (Reader *reader, const char **p, const char *end, guint *line)
{
  g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  GString *cell = g_string_new (NULL);

  for (;;)
    {
      gboolean quoted = *p < end && **p == '"';

      if (quoted)
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
      if (!quoted && cell->len == 0)
        g_ptr_array_add (cells, NULL);
      else
        g_ptr_array_add (cells, g_string_free (g_steal_pointer (&cell), FALSE));
      if (cell == NULL)
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
  g_autofree const FlRecordField **columns = NULL;
  gboolean seen[FL_RECORD_N_FIELDS] = { FALSE };
  const char *p = text;
  guint line = 1;

  reader->line = 1;
  header = csv_read_row (reader, &p, end, &line);
  if (header == NULL)
    return NULL;
  columns = g_new0 (const FlRecordField *, header->len);
  for (guint c = 0; c < header->len; c++)
    {
      columns[c] = header->pdata[c] ? find_field (header->pdata[c]) : NULL;
      if (columns[c] != NULL)
        {
          guint f = (guint) (columns[c] - fl_record_fields);
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
            && !set_field (reader, record, columns[c],
                           row->pdata[c] ? VALUE_TEXT : VALUE_EMPTY,
                           row->pdata[c] ? row->pdata[c] : ""))
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
  gboolean seen[FL_RECORD_N_FIELDS] = { FALSE };
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
        const FlRecordField *field;
        ValueKind kind = VALUE_NULL;

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
            guint f = (guint) (field - fl_record_fields);
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
  /* memchr and memcmp must not see NULL, even for no bytes. */
  if (length == 0)
    return reader_fail (&reader, NULL, "the file is empty"), NULL;
  end = text + length;
  if (memchr (text, '\0', (gsize) length) != NULL)
    return reader_fail (&reader, NULL, "the file holds NUL bytes, so it is not text"), NULL;
  /* A UTF-8 byte order mark, as some spreadsheets write. */
  text += (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
  p = text;
  while (p < end && g_ascii_isspace (*p))
    p++;
  /* Nothing but blank space (or a lone byte order mark) holds no header row. */
  if (p >= end)
    return reader_fail (&reader, NULL, "the file is empty"), NULL;
  if (*p == '[')
    return parse_json (&reader, text, end);
  return parse_csv (&reader, text, end);
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
