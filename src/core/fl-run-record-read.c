/* fl-run-record-read.c: loading run records from CSV (by hand) and JSON (with
 * json-glib), driven by the field table in fl-run-record-private.h. The readers are
 * strict about what they need and tolerant of what they do not know: a missing
 * field or a value of the wrong kind is an error naming the file, the line and
 * the field; an unknown field is skipped. */
#include "fl-run-record-private.h"

#include "fl-error.h"
#include "fl-file.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
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
  VALUE_NUMBER,  /* a JSON whole number (text holds it in decimal) */
  VALUE_REAL,    /* a JSON number with a fraction or an exponent */
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

/* A message quotes what it read, which may be any bytes: keep it one line of
 * valid UTF-8. Returns a new string. */
static char *
printable (const char *text)
{
  char *valid = g_utf8_make_valid (text, -1);

  for (char *p = valid; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      *p = ' ';
  return valid;
}

/* The reason a format makes, with control characters made printable. */
static char * G_GNUC_PRINTF (1, 0)
printable_reason (const char *format, va_list args)
{
  g_autofree char *raw = g_strdup_vprintf (format, args);

  return printable (raw);
}

static gboolean G_GNUC_PRINTF (3, 4)
reader_fail (Reader *reader, const char *field, const char *format, ...)
{
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = printable_reason (format, args);
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

/* A syntax error at a line and a column (JSON). */
static gboolean G_GNUC_PRINTF (4, 5)
reader_fail_at (Reader *reader, guint line, guint column, const char *format, ...)
{
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = printable_reason (format, args);
  va_end (args);
  g_set_error (reader->error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
               "Could not read run records from %s: line %u, column %u: %s", reader->name, line,
               column, why);
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
  gboolean is_whole = kind == VALUE_NUMBER || (kind == VALUE_TEXT && text[0] != '\0');
  gboolean is_number = is_whole || kind == VALUE_REAL;
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
      if (!is_whole || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &s, NULL))
        return reader_fail (reader, field->name, "expected a whole number");
      *FL_RECORD_FIELD_PTR (record, field, gint64) = s;
      return TRUE;
    case FIELD_UINT:
    case FIELD_UINT64:
      if (!is_whole
          || !g_ascii_string_to_unsigned (text, 10, 0,
                                          field->type == FIELD_UINT ? G_MAXUINT : G_MAXINT64,
                                          &u, NULL))
        return reader_fail (reader, field->name, "expected a whole number from 0 to %"
                            G_GUINT64_FORMAT,
                            field->type == FIELD_UINT ? (guint64) G_MAXUINT : (guint64) G_MAXINT64);
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

/* JSON, parsed by json-glib: an array of flat objects. json-glib keeps no
 * positions in its tree, so the line of every member is noted while it parses. */

typedef struct
{
  GHashTable *lines;       /* JsonNode * (an element or a member's value) -> its line */
  GHashTable *names;       /* JsonObject * -> GHashTable of the member names seen */
  GHashTable *duplicates;  /* JsonObject * -> the first name seen twice in it */
} JsonPositions;

/* json-glib keeps only the last of two members with one name: note the
 * repeat here, where it is still seen. */
static void
on_object_member (JsonParser *parser, JsonObject *object, const char *name, gpointer data)
{
  JsonPositions *positions = data;
  GHashTable *names = g_hash_table_lookup (positions->names, object);

  if (names == NULL)
    {
      names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (positions->names, object, names);
    }
  if (!g_hash_table_add (names, g_strdup (name))
      && !g_hash_table_contains (positions->duplicates, object))
    g_hash_table_insert (positions->duplicates, object, g_strdup (name));
  g_hash_table_insert (positions->lines, json_object_get_member (object, name),
                       GUINT_TO_POINTER (json_parser_get_current_line (parser)));
}

static void
on_array_element (JsonParser *parser, JsonArray *array, guint index, gpointer data)
{
  JsonPositions *positions = data;

  g_hash_table_insert (positions->lines, json_array_get_element (array, index),
                       GUINT_TO_POINTER (json_parser_get_current_line (parser)));
}

/* json-glib's "<data>:3:14: Parse error: unexpected ..." as "line 3, column 14:
 * unexpected ...", on one line of valid UTF-8: it quotes the token it met, which
 * may hold line breaks and the bytes of a broken escape. */
static gboolean
json_syntax_fail (Reader *reader, const GError *error)
{
  const char *why = strstr (error->message, "Parse error: ");
  guint line = 0, column = 0;
  int consumed = 0;

  if (sscanf (error->message, "<data>:%u:%u: %n", &line, &column, &consumed) >= 2 && consumed > 0)
    return reader_fail_at (reader, line, column, "%s",
                           why ? why + strlen ("Parse error: ") : error->message + consumed);
  return reader_fail (reader, NULL, "%s", error->message);
}

/* The value of the four hex digits at p, or -1. */
static int
hex4 (const char *p, const char *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);
      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* json-glib 1.6 leaks the string it was reading when the string is malformed
 * (a bad escape, half of a UTF-16 surrogate pair): check the strings' syntax
 * first, so that json-glib only ever sees good ones. */
static gboolean
json_check_strings (Reader *reader, const char *text, const char *end)
{
  gboolean in_string = FALSE;
  guint line = 1;
  const char *line_start = text;

  for (const char *p = text; p < end; p++)
    {
      guint column = (guint) (p - line_start) + 1;
      int unit, low;

      if (*p == '\n')
        {
          line++;
          line_start = p + 1;
        }
      if (*p == '"')
        in_string = !in_string;
      if (!in_string)
        continue;
      if ((guchar) *p < 0x20)
        return reader_fail_at (reader, line, column, "a control character inside a string");
      if (*p != '\\')
        continue;
      if (++p >= end || strchr ("\"\\/bfnrtu", *p) == NULL || *p == '\0')
        return reader_fail_at (reader, line, column, "a bad escape inside a string");
      if (*p != 'u')
        continue;
      if ((unit = hex4 (p + 1, end)) < 0)
        return reader_fail_at (reader, line, column, "a bad \\u escape");
      p += 4;
      if (unit < 0xD800 || unit > 0xDFFF)
        continue;
      low = unit < 0xDC00 && end - p >= 7 && p[1] == '\\' && p[2] == 'u' ? hex4 (p + 3, end) : -1;
      if (low < 0xDC00 || low > 0xDFFF)
        return reader_fail_at (reader, line, column, "a lone UTF-16 surrogate");
      p += 6;
    }
  return TRUE;
}

/* A member's value as set_field takes it. */
static gboolean
json_value (Reader *reader, const char *name, JsonNode *node, ValueKind *kind, char **text)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  *text = NULL;
  if (JSON_NODE_HOLDS_NULL (node))
    *kind = VALUE_NULL;
  else if (!JSON_NODE_HOLDS_VALUE (node))
    return reader_fail (reader, name, "expected a plain value, not an object or array");
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *kind = VALUE_TEXT;
      *text = g_strdup (json_node_get_string (node));
    }
  else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    *kind = json_node_get_boolean (node) ? VALUE_TRUE : VALUE_FALSE;
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *kind = VALUE_NUMBER;
      *text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    }
  else
    {
      *kind = VALUE_REAL;
      *text = g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
    }
  return TRUE;
}

static guint
json_line (JsonPositions *positions, JsonNode *node)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (positions->lines, node));
}

static FlRunRecord *
json_read_object (Reader *reader, JsonPositions *positions, JsonNode *node)
{
  g_autoptr (FlRunRecord) record = fl_run_record_new (NULL);
  gboolean seen[FL_RECORD_N_FIELDS] = { FALSE };
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  const char *twice;

  reader->line = json_line (positions, node);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return reader_fail (reader, NULL, "expected an object ({) for each run"), NULL;
  twice = g_hash_table_lookup (positions->duplicates, json_node_get_object (node));
  if (twice != NULL)
    return reader_fail (reader, twice, "the field appears twice"), NULL;
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &value))
    {
      const FlRecordField *field = find_field (name);
      g_autofree char *text = NULL;
      ValueKind kind = VALUE_NULL;

      reader->line = json_line (positions, value);
      if (!json_value (reader, name, value, &kind, &text))
        return NULL;
      if (field == NULL)
        continue;
      seen[field - fl_record_fields] = TRUE;
      if (!set_field (reader, record, field, kind, text ? text : ""))
        return NULL;
    }
  reader->line = json_line (positions, node);
  if (!check_complete (reader, seen))
    return NULL;
  return g_steal_pointer (&record);
}

static GPtrArray *
parse_json (Reader *reader, const char *text, const char *end)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GHashTable) lines = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) names = g_hash_table_new_full (NULL, NULL, NULL,
                                                        (GDestroyNotify) g_hash_table_unref);
  g_autoptr (GHashTable) duplicates = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  JsonPositions positions = { lines, names, duplicates };
  g_autoptr (GError) parse_error = NULL;
  JsonArray *array;
  JsonNode *root;

  if (!json_check_strings (reader, text, end))
    return NULL;
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &positions);
  g_signal_connect (parser, "array-element", G_CALLBACK (on_array_element), &positions);
  if (!json_parser_load_from_data (parser, text, end - text, &parse_error))
    return json_syntax_fail (reader, parse_error), NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return reader_fail (reader, NULL, "expected a JSON array ([) of runs"), NULL;
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      FlRunRecord *record = json_read_object (reader, &positions, json_array_get_element (array,
                                                                                          i));
      if (record == NULL)
        return NULL;
      g_ptr_array_add (records, record);
    }
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
