/* fl-report-sweeps.c: a report's sweep and compare tables, read back from the
 * run records by their labels, summarised as the CLI's tables and the app's
 * Speed-up page summarise them (fl-sweep-summary.h). */
#include "fl-report.h"

#include "fl-config.h"
#include "fl-run-record.h"

#include <string.h>

/* Library code: the programs bind the domain (fl_i18n_init). */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

/* What a record's label says it belongs to: fl-sweep.c names the points. */
static gboolean
label_kind (const char *label, FlSweepKind *kind)
{
  if (g_str_has_prefix (label, "threads="))
    *kind = FL_SWEEP_THREADS;
  else if (g_str_has_prefix (label, "processes="))
    *kind = FL_SWEEP_PROCESSES;
  else if (strcmp (label, "baseline") == 0 || strcmp (label, "chosen") == 0)
    *kind = FL_SWEEP_COMPARE;
  else
    return FALSE;
  return TRUE;
}

static void
add_compare (GPtrArray *summaries, GPtrArray *records, guint first, guint n)
{
  for (int stage = 0; stage < 2; stage++)
    {
      gboolean ran = FALSE;
      FlSweepSummary *summary;

      for (guint i = first; i < first + n && !ran; i++)
        {
          const FlRunRecord *r = records->pdata[i];
          ran = stage == FL_STAGE_DOWNLOAD ? r->ran_download : r->ran_encode;
        }
      if (!ran)
        continue;
      summary = fl_sweep_summarize (FL_SWEEP_COMPARE, (FlStage) stage, records, first, n, 0);
      if (summary->points->len >= 2)
        g_ptr_array_add (summaries, summary);
      else
        fl_sweep_summary_free (summary);
    }
}

GPtrArray *
fl_report_summaries (GPtrArray *records)
{
  GPtrArray *summaries = g_ptr_array_new_with_free_func ((GDestroyNotify) fl_sweep_summary_free);
  guint i = 0;

  while (records != NULL && i < records->len)
    {
      FlSweepKind kind, next;
      guint end = i + 1;

      if (!label_kind (((const FlRunRecord *) records->pdata[i])->label, &kind))
        {
          i++;
          continue;
        }
      /* One sweep is the records in a row whose labels name the same kind. */
      while (end < records->len
             && label_kind (((const FlRunRecord *) records->pdata[end])->label, &next)
             && next == kind)
        end++;
      if (kind == FL_SWEEP_COMPARE)
        add_compare (summaries, records, i, end - i);
      else
        g_ptr_array_add (summaries,
                         fl_sweep_summarize (kind, FL_STAGE_DOWNLOAD, records, i, end - i, 0));
      i = end;
    }
  return summaries;
}

const char *
fl_report_sweep_chart_name (FlSweepKind kind)
{
  return kind == FL_SWEEP_THREADS ? "sweep-threads" : "sweep-processes";
}

/* A number's cell: numbers hold no bar or line break to escape. */
#define append_number_cell(out, format, ...) \
  g_string_append_printf (out, " " format " |", __VA_ARGS__)

static void
append_heading (GString *out, const char *const *cells, guint n, const char *rule)
{
  g_string_append (out, "|");
  for (guint i = 0; i < n; i++)
    fl_report_append_cell (out, cells[i]);
  g_string_append_printf (out, "\n%s\n", rule);
}

static void
append_spread_cell (GString *out, const FlSpread *spread)
{
  if (spread->n == 0)
    fl_report_append_cell (out, _("failed"));
  else
    append_number_cell (out, "%.4f (%.4f..%.4f)", spread->median, spread->min, spread->max);
}

static void
append_charts (GString *out, FlSweepKind kind)
{
  const char *name = fl_report_sweep_chart_name (kind);

  /* TRANSLATORS: the alternative text of a sweep's chart in the report */
  g_string_append_printf (out, "![%s](%s.png)\n\n", _("Time and speed-up at each point"), name);
  /* TRANSLATORS: a link to a sweep's chart as a scalable picture */
  g_string_append_printf (out, "[%s](%s.svg)\n\n", _("The chart as SVG"), name);
}

static void
append_sweep (GString *out, const FlSweepSummary *summary, gboolean charts)
{
  const char *heading[] = {
    /* TRANSLATORS: table headings of a sweep in the report */
    _("Point"), _("Runs"), _("Median (s)"), _("Min..max (s)"), _("Speed-up"), _("Efficiency"),
    _("Ideal"), _("Verdict"),
  };

  g_string_append_printf (out, "\n## %s\n\n", summary->kind == FL_SWEEP_THREADS
                                                ? _("Threads sweep")
                                                : _("Processes sweep"));
  append_heading (out, heading, G_N_ELEMENTS (heading),
                  "|---|---:|---:|---:|---:|---:|---:|---|");
  for (guint i = 0; i < summary->points->len; i++)
    {
      const FlSweepPoint *p = &g_array_index (summary->points, FlSweepPoint, i);

      g_string_append (out, "|");
      fl_report_append_cell (out, p->label);
      append_number_cell (out, "%u", p->seconds.n);
      if (p->seconds.n == 0)
        {
          fl_report_append_cell (out, _("failed"));
          g_string_append (out, " | | | | |\n");
          continue;
        }
      append_number_cell (out, "%.4f", p->seconds.median);
      append_number_cell (out, "%.4f..%.4f", p->seconds.min, p->seconds.max);
      append_number_cell (out, "%.2f×", p->speedup);
      append_number_cell (out, "%.0f%%", p->efficiency * 100);
      append_number_cell (out, "%.2f×", p->ideal);
      fl_report_append_cell (out, fl_verdict_describe (p->verdict));
      g_string_append_c (out, '\n');
    }
  g_string_append_printf (out, "\n%s\n\n", summary->sentence);
  if (charts)
    append_charts (out, summary->kind);
}

static const char *
stage_name (FlStage stage)
{
  return stage == FL_STAGE_DOWNLOAD ? _("Download") : _("GIF");
}

/* The compare's stages, summaries[first ..] while they are a compare's. */
static guint
append_compare (GString *out, GPtrArray *summaries, guint first)
{
  const char *heading[] = {
    /* TRANSLATORS: table headings of a compare in the report */
    _("Stage"), _("Baseline s (min..max)"), _("Chosen s (min..max)"), _("Speed-up"),
    _("Verdict"),
  };
  guint end = first;

  /* TRANSLATORS: a report's heading: the baseline run against the chosen one */
  g_string_append_printf (out, "\n## %s\n\n", _("Compare"));
  append_heading (out, heading, G_N_ELEMENTS (heading), "|---|---:|---:|---:|---|");
  for (; end < summaries->len; end++)
    {
      const FlSweepSummary *summary = summaries->pdata[end];
      const FlSweepPoint *b, *c;

      if (summary->kind != FL_SWEEP_COMPARE || (end > first && summary->stage == FL_STAGE_DOWNLOAD))
        break;
      b = &g_array_index (summary->points, FlSweepPoint, 0);
      c = &g_array_index (summary->points, FlSweepPoint, 1);
      g_string_append (out, "|");
      fl_report_append_cell (out, stage_name (summary->stage));
      append_spread_cell (out, &b->seconds);
      append_spread_cell (out, &c->seconds);
      append_number_cell (out, "%.2f×", c->speedup);
      fl_report_append_cell (out, fl_verdict_describe (c->verdict));
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
  for (guint i = first; i < end; i++)
    {
      const FlSweepSummary *summary = summaries->pdata[i];

      g_string_append_printf (out, "- %s: %s\n", stage_name (summary->stage), summary->sentence);
    }
  return end;
}

void
fl_report_append_summaries (GString *out, GPtrArray *summaries, gboolean charts)
{
  guint i = 0;

  while (summaries != NULL && i < summaries->len)
    {
      const FlSweepSummary *summary = summaries->pdata[i];

      if (summary->kind == FL_SWEEP_COMPARE)
        i = append_compare (out, summaries, i);
      else
        {
          append_sweep (out, summary, charts);
          i++;
        }
    }
}
