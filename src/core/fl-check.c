/* fl-check.c: the report of a check run, its JSON, and the running check. */
#include "fl-check-private.h"

#include "fl-json.h"
#include "fl-report.h"

#include <stdarg.h>

/* The core has no text domain of its own: it shares the programs' one. */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

const char *
fl_check_status_to_string (FlCheckStatus status)
{
  switch (status)
    {
    case FL_CHECK_PASS:
      return "PASS";
    case FL_CHECK_WARN:
      return "WARN";
    case FL_CHECK_FAIL:
      return "FAIL";
    case FL_CHECK_SKIP:
    default:
      return "SKIP";
    }
}

static void
failure_free (gpointer data)
{
  FlCheckFailure *failure = data;

  g_free (failure->sentence);
  g_free (failure);
}

static void
result_free (gpointer data)
{
  FlCheckResult *result = data;

  g_free (result->evidence);
  g_free (result);
}

FlCheckReport *
fl_check_report_new (const char *kind, const char *target)
{
  FlCheckReport *report = g_new0 (FlCheckReport, 1);

  report->kind = g_strdup (kind);
  report->target = g_strdup (target);
  report->results = g_ptr_array_new_with_free_func (result_free);
  report->failures = g_ptr_array_new_with_free_func (failure_free);
  return report;
}

void
fl_check_report_free (FlCheckReport *report)
{
  if (report == NULL)
    return;
  g_free (report->kind);
  g_free (report->target);
  g_ptr_array_unref (report->results);
  g_ptr_array_unref (report->failures);
  g_free (report);
}

guint
fl_check_report_count (const FlCheckReport *report, FlCheckStatus status)
{
  guint n = 0;

  for (guint i = 0; i < report->results->len; i++)
    n += ((const FlCheckResult *) report->results->pdata[i])->status == status;
  return n;
}

gboolean
fl_check_report_passed (const FlCheckReport *report)
{
  return !report->cancelled && fl_check_report_count (report, FL_CHECK_FAIL) == 0;
}

const FlCheckResult *
fl_check_report_find (const FlCheckReport *report, const char *id)
{
  for (guint i = 0; i < report->results->len; i++)
    {
      const FlCheckResult *result = report->results->pdata[i];

      if (g_strcmp0 (result->id, id) == 0)
        return result;
    }
  return NULL;
}

static void
append_result_json (GString *out, const FlCheckResult *result)
{
  g_string_append (out, "{\"id\": ");
  fl_json_append_string (out, result->id);
  g_string_append (out, ", \"name\": ");
  fl_json_append_string (out, result->name);
  g_string_append (out, ", \"status\": ");
  fl_json_append_string (out, fl_check_status_to_string (result->status));
  g_string_append (out, ", \"evidence\": ");
  fl_json_append_string (out, result->evidence);
  g_string_append (out, ", \"seconds\": ");
  fl_json_append_double (out, result->seconds);
  g_string_append (out, ", \"figures\": {");
  for (guint i = 0; i < result->n_figures; i++)
    {
      g_string_append (out, i > 0 ? ", " : "");
      fl_json_append_string (out, result->figures[i].key);
      g_string_append (out, ": ");
      fl_json_append_double (out, result->figures[i].value);
    }
  g_string_append (out, "}}");
}

char *
fl_check_report_to_json (const FlCheckReport *report)
{
  GString *out = g_string_new ("{\"kind\": ");

  fl_json_append_string (out, report->kind);
  g_string_append (out, ", \"target\": ");
  fl_json_append_string (out, report->target);
  g_string_append_printf (out, ", \"ok\": %s, \"passed\": %u, \"warned\": %u, \"failed\": %u, "
                          "\"skipped\": %u, \"cancelled\": %s, \"seconds\": ",
                          fl_check_report_passed (report) ? "true" : "false",
                          fl_check_report_count (report, FL_CHECK_PASS),
                          fl_check_report_count (report, FL_CHECK_WARN),
                          fl_check_report_count (report, FL_CHECK_FAIL),
                          fl_check_report_count (report, FL_CHECK_SKIP),
                          report->cancelled ? "true" : "false");
  fl_json_append_double (out, report->seconds);
  g_string_append (out, ",\n \"checks\": [");
  for (guint i = 0; i < report->results->len; i++)
    {
      g_string_append (out, i > 0 ? ",\n  " : "\n  ");
      append_result_json (out, report->results->pdata[i]);
    }
  g_string_append_printf (out, "],\n \"failed_connections\": %u, \"failures\": [",
                          report->n_failures);
  for (guint i = 0; i < report->failures->len; i++)
    {
      const FlCheckFailure *failure = report->failures->pdata[i];

      g_string_append (out, i > 0 ? ",\n  {\"sentence\": " : "\n  {\"sentence\": ");
      fl_json_append_string (out, failure->sentence);
      g_string_append_printf (out, ", \"count\": %u}", failure->count);
    }
  g_string_append (out, "]}\n");
  return g_string_free (out, FALSE);
}

char *
fl_check_report_summary (const FlCheckReport *report)
{
  return g_strdup_printf (_("%u passed, %u warned, %u failed, %u skipped in %.1f s."),
                          fl_check_report_count (report, FL_CHECK_PASS),
                          fl_check_report_count (report, FL_CHECK_WARN),
                          fl_check_report_count (report, FL_CHECK_FAIL),
                          fl_check_report_count (report, FL_CHECK_SKIP), report->seconds);
}

char *
fl_check_report_to_markdown (const FlCheckReport *report)
{
  g_autofree char *summary = fl_check_report_summary (report);
  GString *out = g_string_new ("# ");

  g_string_append_printf (out, g_strcmp0 (report->kind, "client") == 0
                                 ? _("Check of the client %s")
                                 : _("Check of the server %s"),
                          report->target);
  g_string_append_printf (out, "\n\n%s\n", summary);
  if (report->cancelled)
    g_string_append_printf (out, "\n%s\n", _("The check was stopped before it ended."));
  g_string_append_printf (out, "\n| %s | %s | %s |\n|---|---|---|\n", _("Result"), _("Check"),
                          _("Evidence"));
  for (guint i = 0; i < report->results->len; i++)
    {
      const FlCheckResult *result = report->results->pdata[i];

      g_string_append (out, "|");
      fl_report_append_cell (out, fl_check_status_to_string (result->status));
      fl_report_append_cell (out, result->name);
      fl_report_append_cell (out, result->evidence);
      g_string_append_c (out, '\n');
    }
  if (report->n_failures > 0)
    {
      guint listed = 0;

      g_string_append (out, "\n## ");
      g_string_append_printf (out, g_dngettext (FL_GETTEXT_PACKAGE, "%u connection failed",
                                                "%u connections failed", report->n_failures),
                              report->n_failures);
      g_string_append (out, "\n\n");
      for (guint i = 0; i < report->failures->len; i++)
        {
          const FlCheckFailure *failure = report->failures->pdata[i];

          g_string_append_printf (out, "- %u× %s\n", failure->count, failure->sentence);
          listed += failure->count;
        }
      if (report->n_failures > listed)
        g_string_append_printf (out, _("- and %u more\n"), report->n_failures - listed);
    }
  return g_string_free (out, FALSE);
}

void
fl_checker_init (FlChecker *checker, FlCheckReport *report, const FlCheckCallbacks *callbacks,
                 gpointer user_data, GCancellable *cancellable, guint max_failures)
{
  static const FlCheckCallbacks none = { NULL, NULL };

  *checker = (FlChecker) {
    .report = report,
    .callbacks = callbacks ? callbacks : &none,
    .user_data = user_data,
    .cancellable = cancellable,
    .max_failures = max_failures,
    .run_started = g_get_monotonic_time (),
  };
}

void
fl_checker_begin (FlChecker *checker, const char *id, const char *name)
{
  g_assert (checker->current == NULL);
  checker->current = g_new0 (FlCheckResult, 1);
  checker->current->id = id;
  checker->current->name = name;
  checker->started = g_get_monotonic_time ();
  if (checker->callbacks->started)
    checker->callbacks->started (id, name, checker->user_data);
}

void
fl_checker_figure (FlChecker *checker, const char *key, double value)
{
  FlCheckResult *result = checker->current;

  g_assert (result != NULL && result->n_figures < FL_CHECK_MAX_FIGURES);
  result->figures[result->n_figures].key = key;
  result->figures[result->n_figures++].value = value;
}

void
fl_checker_end (FlChecker *checker, FlCheckStatus status, const char *format, ...)
{
  FlCheckResult *result = g_steal_pointer (&checker->current);
  va_list args;

  g_assert (result != NULL);
  va_start (args, format);
  result->evidence = g_strdup_vprintf (format, args);
  va_end (args);
  result->status = status;
  /* What a stopped check measured is not a verdict. */
  if (g_cancellable_is_cancelled (checker->cancellable))
    {
      g_free (result->evidence);
      result->evidence = g_strdup (_("Stopped before it ended."));
      result->status = FL_CHECK_SKIP;
      result->n_figures = 0;
    }
  result->seconds = (g_get_monotonic_time () - checker->started) / 1e6;
  g_ptr_array_add (checker->report->results, result);
  if (checker->callbacks->finished)
    checker->callbacks->finished (result, checker->user_data);
}

void
fl_checker_skip (FlChecker *checker, const char *id, const char *name, const char *reason)
{
  fl_checker_begin (checker, id, name);
  fl_checker_end (checker, FL_CHECK_SKIP, "%s", reason);
}

gboolean
fl_checker_add_failure (FlChecker *checker, const char *sentence, gboolean lost)
{
  FlCheckReport *report = checker->report;

  report->n_failures++;
  checker->n_lost += lost;
  for (guint i = 0; i < report->failures->len; i++)
    {
      FlCheckFailure *failure = report->failures->pdata[i];

      if (g_strcmp0 (failure->sentence, sentence) == 0)
        {
          failure->count++;
          return !fl_checker_over_failures (checker);
        }
    }
  if (report->failures->len < FL_CHECK_MAX_FAILURES_KEPT)
    {
      FlCheckFailure *failure = g_new (FlCheckFailure, 1);

      failure->sentence = g_strdup (sentence);
      failure->count = 1;
      g_ptr_array_add (report->failures, failure);
    }
  return !fl_checker_over_failures (checker);
}

gboolean
fl_checker_over_failures (const FlChecker *checker)
{
  return checker->n_lost > checker->max_failures;
}

char *
fl_checker_failures_reason (const FlChecker *checker)
{
  guint n = checker->n_lost;

  return g_strdup_printf (g_dngettext (FL_GETTEXT_PACKAGE,
                                       "Not run: %u connection was refused, reset or timed out, "
                                       "more than --max-failures %u allows.",
                                       "Not run: %u connections were refused, reset or timed out, "
                                       "more than --max-failures %u allows.", n),
                          n, checker->max_failures);
}

gboolean
fl_checker_cancelled (FlChecker *checker)
{
  return g_cancellable_is_cancelled (checker->cancellable);
}

void
fl_checker_finish (FlChecker *checker)
{
  checker->report->seconds = (g_get_monotonic_time () - checker->run_started) / 1e6;
  checker->report->cancelled = g_cancellable_is_cancelled (checker->cancellable);
}

char *
fl_check_format_duration (double seconds)
{
  if (seconds < 0.01)
    return g_strdup_printf (_ ("%.2f ms"), seconds * 1e3);
  if (seconds < 1)
    return g_strdup_printf (_ ("%.0f ms"), seconds * 1e3);
  return g_strdup_printf (_ ("%.2f s"), seconds);
}
