/* test-run-record: run records through CSV and JSON and back, exactly, and the
 * one-sentence errors for files the module did not write. */
#include "fl-error.h"
#include "fl-json.h"
#include "fl-run-record.h"
#include "fl-test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static FlRunRecord *
sample (guint i)
{
  FlRunRecord *record = fl_run_record_new (i == 1 ? "quote \" comma , newline\nand tab\t" : "run");

  record->server = i == 2 ? NULL : g_strdup ("127.0.0.1:1234,[::1]:99");
  record->started_unix = 1764000000 + i;
  record->frames = 5000 + i;
  record->threads = 4 + i;
  record->processes = 2;
  record->width = 10;
  record->height = i;
  record->ran_download = TRUE;
  record->ran_encode = i != 2;
  record->download_seconds = 0.1 + 1.0 / 3.0 * i; /* not exact in decimal */
  record->encode_seconds = i != 2 ? 1e-7 * (i + 1) : 0.0;
  record->retries = G_MAXINT64 - i;
  record->failures = i;
  record->repetition = i + 2;
  record->download_wait_seconds = 0.05 + 1.0 / 7.0 * i;
  record->ok = i != 1;
  record->error = i == 1 ? g_strdup ("Frame 3 failed: «caf\xc3\xa9», \"x\"") : NULL;
  return record;
}

static GPtrArray *
samples (void)
{
  GPtrArray *records = fl_run_records_new ();

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (records, sample (i));
  return records;
}

static void
assert_same (GPtrArray *a, GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const FlRunRecord *x = a->pdata[i], *y = b->pdata[i];
      g_assert_cmpstr (x->label, ==, y->label);
      g_assert_cmpstr (x->server, ==, y->server);
      g_assert_cmpint (x->started_unix, ==, y->started_unix);
      g_assert_cmpuint (x->frames, ==, y->frames);
      g_assert_cmpuint (x->threads, ==, y->threads);
      g_assert_cmpuint (x->processes, ==, y->processes);
      g_assert_cmpuint (x->width, ==, y->width);
      g_assert_cmpuint (x->height, ==, y->height);
      g_assert_cmpint (x->ran_download, ==, y->ran_download);
      g_assert_cmpint (x->ran_encode, ==, y->ran_encode);
      /* Exact: the writer uses a form that reads back as the same double. */
      g_assert_true (x->download_seconds == y->download_seconds);
      g_assert_true (x->encode_seconds == y->encode_seconds);
      g_assert_cmpuint (x->retries, ==, y->retries);
      g_assert_cmpuint (x->failures, ==, y->failures);
      g_assert_cmpint (x->ok, ==, y->ok);
      g_assert_cmpstr (x->error, ==, y->error);
      g_assert_cmpuint (x->repetition, ==, y->repetition);
      g_assert_true (x->download_wait_seconds == y->download_wait_seconds);
    }
}

static void
test_round_trip (gconstpointer data)
{
  gboolean json = GPOINTER_TO_INT (data);
  g_autoptr (GPtrArray) records = samples ();
  g_autoptr (GPtrArray) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = json ? fl_run_records_to_json (records)
                               : fl_run_records_to_csv (records);

  back = fl_run_records_parse (text, -1, "mem", &error);
  g_assert_no_error (error);
  assert_same (records, back);
  if (!json)
    g_assert_true (g_str_has_prefix (text, FL_RUN_RECORD_FIELDS "\n"));
  else
    g_assert_true (text[0] == '[');
}

static void
test_empty (void)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autofree char *csv = fl_run_records_to_csv (records);
  g_autofree char *json = fl_run_records_to_json (records);
  g_autoptr (GPtrArray) a = fl_run_records_parse (csv, -1, "a", NULL);
  g_autoptr (GPtrArray) b = fl_run_records_parse (json, -1, "b", NULL);

  g_assert_cmpstr (json, ==, "[]\n");
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpuint (a->len, ==, 0);
  g_assert_cmpuint (b->len, ==, 0);
}

static void
test_rates (void)
{
  g_autoptr (FlRunRecord) record = fl_run_record_new (NULL);
  g_autoptr (FlRunRecord) copy = NULL;

  g_assert_cmpstr (record->label, ==, "");
  record->frames = 200;
  record->download_seconds = 0.5;
  record->encode_seconds = 2.0;
  g_assert_cmpfloat (fl_run_record_download_rate (record), ==, 0); /* did not run */
  record->ran_download = record->ran_encode = TRUE;
  g_assert_cmpfloat (fl_run_record_download_rate (record), ==, 400);
  g_assert_cmpfloat (fl_run_record_encode_rate (record), ==, 100);
  record->encode_seconds = 0;
  g_assert_cmpfloat (fl_run_record_encode_rate (record), ==, 0);
  record->server = g_strdup ("h:1");
  copy = fl_run_record_copy (record);
  g_assert_cmpstr (copy->server, ==, "h:1");
  g_assert_true (copy->server != record->server);
}

static void
test_save_load (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-records-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "runs.csv", NULL);
  g_autofree char *json = g_build_filename (dir, "runs.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "runs.csv", NULL);
  g_autoptr (GPtrArray) records = samples ();
  g_autoptr (GPtrArray) a = NULL, b = NULL;
  g_autoptr (GError) error = NULL;
  GDir *listing;
  guint files = 0;

  g_assert_true (fl_run_records_save_csv (records, csv, &error));
  g_assert_no_error (error);
  g_assert_true (fl_run_records_save_json (records, json, &error));
  a = fl_run_records_load (csv, &error);
  g_assert_no_error (error);
  b = fl_run_records_load (json, &error);
  g_assert_no_error (error);
  assert_same (records, a);
  assert_same (records, b);
  /* Atomic: no temporary file is left beside them. */
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing))
    files++;
  g_dir_close (listing);
  g_assert_cmpuint (files, ==, 2);

  g_assert_false (fl_run_records_save_csv (records, missing, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  g_clear_error (&error);
  g_assert_null (fl_run_records_load (missing, &error));
  g_assert_nonnull (error);
  fl_test_remove_tree (dir);
}

/* The header of the first version, before repetitions and waiting were kept:
 * files saved then must still load. */
#define FIELDS_V1 \
  "label,server,started_unix,frames,threads,processes,width,height,ran_download," \
  "ran_encode,download_seconds,encode_seconds,download_rate,encode_rate,retries,failures," \
  "ok,error"

typedef struct
{
  const char *text;
  const char *expect; /* a substring of the message */
} BadCase;

static const BadCase bad_cases[] = {
  { "", "line 1: the file is empty" },
  { " \r\n\n\t", "line 1: the file is empty" },
  { "\xEF\xBB\xBF\n", "line 1: the file is empty" },
  { FIELDS_V1 "\nx\xff,,5,10,2,1,0,0,true,false,0.5,,,,0,0,true,\n",
    "line 2, field \"label\": the text is not valid UTF-8" },
  { FIELDS_V1 "\nx,,5,10,2,1,0,0,true,false,0.5,,,,0,0,false,\"a\xc3\"\n",
    "line 2, field \"error\": the text is not valid UTF-8" },
  { "label,server\nx,y\n", "field \"started_unix\": the field is missing" },
  { "[{\"label\": \"x\"}]", "line 1, field \"server\": the field is missing" },
  { "[\n  {\"label\": \"x\", \"frames\": -3}\n]", "line 2, field \"frames\": expected a whole" },
  { "[\n{\"label\": 5}]", "line 2, field \"label\": expected text" },
  { "[\n\n{\"label\": \"x\",\n \"ok\": \"yes\"}]", "line 4, field \"ok\": expected true or false" },
  /* Syntax errors are json-glib's, with their line and column. */
  { "[{\"label\": \"x\" \"y\"}]", "line 1, column 14: unexpected string constant" },
  { "[{\"label\": \"unterminated}]", "line 1, column 27: scanner: unterminated string constant" },
  { "[\n{\"label\": \"x\",\n\"label\": \"y\"}]", "line 3, field \"label\": the field appears twice" },
  { "[{\"label\": {\"a\": 1}}]", "field \"label\": expected a plain value" },
  { "[] x", "line 1, column 4: unexpected identifier `x', expected end of file" },
  { "{}", "line 1" },
  { "hello\0world", "NUL bytes" },
};

static void
test_bad (void)
{
  g_autoptr (GPtrArray) records = samples ();
  g_autofree char *csv = fl_run_records_to_csv (records);
  g_autofree char *json = fl_run_records_to_json (records);

  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gssize length = i == G_N_ELEMENTS (bad_cases) - 1 ? 11 : -1;
      g_autoptr (GPtrArray) parsed = fl_run_records_parse (bad_cases[i].text, length,
                                                           "runs.txt", &error);
      g_assert_null (parsed);
      g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "Could not read run records from "
                                                       "runs.txt: "));
      g_assert_nonnull (strstr (error->message, bad_cases[i].expect));
      g_assert_null (strchr (error->message, '\n'));
    }

  /* Damage one cell of a good CSV: the message names its line and column. */
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *damaged = NULL;
    g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
    g_autoptr (GPtrArray) parsed = NULL;
    char *at;

    /* Line 4 is sample (1)'s second physical line (its label holds a newline);
     * line 5 is sample (2). Make its threads cell non-numeric. */
    at = strstr (lines[4], ",5002,6,");
    g_assert_nonnull (at);
    at[6] = 'X'; /* ",5002,6," -> ",5002,X," */
    damaged = g_strjoinv ("\n", lines);
    parsed = fl_run_records_parse (damaged, -1, "runs.csv", &error);
    g_assert_null (parsed);
    g_assert_nonnull (strstr (error->message, "runs.csv: line 5, field \"threads\""));
  }
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *cut = g_strndup (csv, strlen (csv) - 30);
    g_autoptr (GPtrArray) parsed = fl_run_records_parse (cut, -1, "runs.csv", &error);
    g_assert_null (parsed);
    g_assert_nonnull (strstr (error->message, "line 5: "));
    g_assert_nonnull (strstr (error->message, "cells where the header has"));
  }
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *cut = g_strndup (json, strlen (json) - 3);
    g_autoptr (GPtrArray) parsed = fl_run_records_parse (cut, -1, "runs.json", &error);
    g_assert_null (parsed);
    g_assert_nonnull (strstr (error->message, "runs.json: line 4"));
  }
}

static void
test_tolerant (void)
{
  /* Unknown fields are skipped, CRLF and a byte order mark are fine, the rate
   * columns are ignored (they follow from the others). */
  const char *csv = "\xEF\xBB\xBF" FIELDS_V1 ",future\r\n"
                    "a,,5,10,2,1,0,0,true,false,0.5,,999,,0,0,true,,zzz\r\n";
  const char *json = " \n[{\"future\": [1], \"label\": \"b\", \"server\": null, "
                     "\"started_unix\": -1, \"frames\": 1, \"threads\": 1, \"processes\": 1, "
                     "\"width\": 0, \"height\": 0, \"ran_download\": false, \"ran_encode\": true, "
                     "\"download_seconds\": null, \"encode_seconds\": 2.5e-1, \"retries\": 0, "
                     "\"failures\": 0, \"ok\": true, \"error\": \"\\u00e9\\ud83d\\ude00\"}]";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) a = fl_run_records_parse (csv, -1, "a.csv", &error);
  g_autoptr (GPtrArray) b = NULL;
  FlRunRecord *r;

  g_assert_no_error (error);
  g_assert_cmpuint (a->len, ==, 1);
  r = a->pdata[0];
  g_assert_cmpstr (r->label, ==, "a");
  g_assert_null (r->server);
  g_assert_cmpfloat (r->download_seconds, ==, 0.5);
  /* A file from before repetitions were kept: each run is a point's only one. */
  g_assert_cmpuint (r->repetition, ==, 1);
  g_assert_cmpfloat (r->download_wait_seconds, ==, 0.0);
  g_assert_cmpfloat (fl_run_record_download_rate (r), ==, 20);
  /* A nested value under an unknown key is still refused: this reader keeps to
   * flat objects. */
  b = fl_run_records_parse (json, -1, "b.json", &error);
  g_assert_null (b);
  g_assert_nonnull (strstr (error->message, "field \"future\""));
  g_clear_error (&error);
  {
    g_autofree char *flat = g_strdup (json);
    char *bracketed = strstr (flat, "[1]");
    g_assert_nonnull (bracketed);
    bracketed[0] = ' ';
    bracketed[2] = ' ';
    b = fl_run_records_parse (flat, -1, "b.json", &error);
  }
  g_assert_no_error (error);
  r = b->pdata[0];
  g_assert_cmpint (r->started_unix, ==, -1);
  g_assert_cmpfloat (r->encode_seconds, ==, 0.25);
  g_assert_cmpstr (r->error, ==, "\xc3\xa9\xf0\x9f\x98\x80");
}

/* fl_format_seconds keeps its promise (reads back as the same double, fits in
 * G_ASCII_DTOSTR_BUF_SIZE) outside the range of usual seconds too. */
static void
test_format (void)
{
  static const double values[] = { 0.0, 2.0, 0.2345678, 1.0 / 3.0, 1e-7, 1.2345678901234567e-10,
                                   5e-324, 123456789.125, 1e19, 1e300, -1e300, -2.5,
                                   G_MAXDOUBLE };
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      const char *text = fl_format_seconds (values[i], buffer, sizeof buffer);
      g_test_message ("%.17g -> %s", values[i], text);
      g_assert_true (text == buffer);
      g_assert_true (g_ascii_strtod (text, NULL) == values[i]);
    }
  g_assert_cmpstr (fl_format_seconds (2.0, buffer, sizeof buffer), ==, "2.0");
  g_assert_cmpstr (fl_format_seconds (0.2345678, buffer, sizeof buffer), ==, "0.2345678");
  g_assert_cmpstr (fl_format_seconds (0.000004, buffer, sizeof buffer), ==, "0.000004");
}

/* Values a loaded file may hold must survive being written again: a subnormal
 * number of seconds makes an infinite rate, and text need not be UTF-8 (an
 * error naming a file). Both formats must read back what they wrote. */
static void
test_edge_values (void)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  FlRunRecord *record = fl_run_record_new ("bad \xff label");

  record->frames = 10;
  record->ran_download = record->ran_encode = TRUE;
  record->download_seconds = 5e-324;
  record->encode_seconds = 1e300;
  record->error = g_strdup ("Could not read /tmp/\xe9t\xe9.png");
  g_ptr_array_add (records, record);
  for (int json = 1; json >= 0; json--)
    {
      g_autofree char *text = json ? fl_run_records_to_json (records)
                                   : fl_run_records_to_csv (records);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) back = fl_run_records_parse (text, -1, "edge", &error);
      const FlRunRecord *r;

      g_assert_no_error (error);
      g_assert_cmpuint (back->len, ==, 1);
      r = back->pdata[0];
      g_assert_true (r->download_seconds == 5e-324);
      g_assert_true (r->encode_seconds == 1e300);
      g_assert_true (g_utf8_validate (r->label, -1, NULL));
      g_assert_true (g_str_has_prefix (r->label, "bad "));
      g_assert_true (g_utf8_validate (r->error, -1, NULL));
      g_assert_true (g_str_has_prefix (r->error, "Could not read /tmp/"));
    }
}

/* Empty text is not no text: "" and NULL both read back as they were, in both
 * formats; an empty unquoted CSV cell (as other writers leave) is NULL, or ""
 * for the label. */
static void
test_empty_text (void)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  FlRunRecord *blank = fl_run_record_new ("");
  FlRunRecord *none = fl_run_record_new ("x");

  blank->server = g_strdup ("");
  blank->error = g_strdup ("");
  g_ptr_array_add (records, blank);
  g_ptr_array_add (records, none);
  for (int json = 0; json < 2; json++)
    {
      g_autofree char *text = json ? fl_run_records_to_json (records)
                                   : fl_run_records_to_csv (records);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) back = fl_run_records_parse (text, -1, "blank", &error);

      g_assert_no_error (error);
      assert_same (records, back);
      g_assert_nonnull (((FlRunRecord *) back->pdata[0])->server);
      g_assert_null (((FlRunRecord *) back->pdata[1])->server);
    }
  {
    const char *csv = FIELDS_V1 "\n,,5,10,2,1,0,0,true,false,0.5,,,,0,0,true,\n";
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) back = fl_run_records_parse (csv, -1, "other.csv", &error);
    const FlRunRecord *r;

    g_assert_no_error (error);
    r = back->pdata[0];
    g_assert_cmpstr (r->label, ==, "");
    g_assert_null (r->server);
    g_assert_null (r->error);
  }
}

/* No bytes at all, even from a NULL pointer, is the empty-file sentence. */
static void
test_no_bytes (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) parsed = fl_run_records_parse (NULL, 0, "none", &error);

  g_assert_null (parsed);
  g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "the file is empty"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/run-record/format", test_format);
  g_test_add_func ("/run-record/edge-values", test_edge_values);
  g_test_add_func ("/run-record/no-bytes", test_no_bytes);
  g_test_add_func ("/run-record/empty-text", test_empty_text);
  g_test_add_data_func ("/run-record/csv-round-trip", GINT_TO_POINTER (FALSE), test_round_trip);
  g_test_add_data_func ("/run-record/json-round-trip", GINT_TO_POINTER (TRUE), test_round_trip);
  g_test_add_func ("/run-record/empty", test_empty);
  g_test_add_func ("/run-record/rates", test_rates);
  g_test_add_func ("/run-record/save-load", test_save_load);
  g_test_add_func ("/run-record/bad", test_bad);
  g_test_add_func ("/run-record/tolerant", test_tolerant);
  return g_test_run ();
}
