/* fl-sweep-summary.c: medians, spreads, verdicts, models and the sentence. */
#include "fl-sweep-summary.h"

#include "fl-config.h"
#include "fl-json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The core has no text domain of its own: it shares the programs' one. */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

/* Below these, "nothing is clearly faster" is because there is nothing to
 * overlap: a reply that takes a millisecond leaves little waiting for a thread
 * to hide, and a frame encoded in 0.2 ms costs about what handing it to a
 * worker costs. */
#define LITTLE_WAIT_PER_FRAME_S 1e-3
#define LITTLE_WORK_PER_FRAME_S 2e-4

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

void
fl_spread_compute (const double *values, guint n, FlSpread *spread)
{
  g_autofree double *sorted = NULL;

  memset (spread, 0, sizeof *spread);
  if (n == 0)
    return;
  sorted = g_memdup2 (values, n * sizeof *values);
  qsort (sorted, n, sizeof *sorted, compare_doubles);
  spread->n = n;
  spread->min = sorted[0];
  spread->max = sorted[n - 1];
  spread->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

gboolean
fl_spread_overlap (const FlSpread *a, const FlSpread *b)
{
  return a->n > 0 && b->n > 0 && a->min <= b->max && b->min <= a->max;
}

const char *
fl_verdict_describe (FlVerdict verdict)
{
  switch (verdict)
    {
    case FL_VERDICT_BASELINE:
      return _("baseline");
    case FL_VERDICT_FASTER:
      return _("faster");
    case FL_VERDICT_SLOWER:
      return _("slower");
    case FL_VERDICT_NO_CLEAR_DIFFERENCE:
      return _("no clear difference");
    case FL_VERDICT_UNKNOWN:
    default:
      return _("one run: no spread");
    }
}

gboolean
fl_amdahl_fit (const guint *processes, const double *seconds, guint n, guint cores,
               double *serial_fraction)
{
  double sxy = 0, sxx = 0;

  if (n == 0 || processes[0] != 1 || seconds[0] <= 0)
    return FALSE;
  cores = MAX (cores, 1u);
  /* t(p)/t(1) - 1/p = s (1 - 1/p): a line through the origin. */
  for (guint i = 1; i < n; i++)
    {
      double p = processes[i], x, y;

      if (processes[i] <= 1 || processes[i] > cores || seconds[i] <= 0)
        continue;
      x = 1 - 1 / p;
      y = seconds[i] / seconds[0] - 1 / p;
      sxy += x * y;
      sxx += x * x;
    }
  if (sxx == 0)
    return FALSE;
  *serial_fraction = CLAMP (sxy / sxx, 0.0, 1.0);
  return TRUE;
}

double
fl_amdahl_speedup (double serial_fraction, guint processes, guint cores)
{
  double p = MAX (MIN (processes, MAX (cores, 1u)), 1u);

  return 1 / (serial_fraction + (1 - serial_fraction) / p);
}

static gboolean
about_download (const FlSweepSummary *summary)
{
  return summary->stage == FL_STAGE_DOWNLOAD;
}

/* The latency-bound model for threads: t threads overlap t waits, until the
 * part of the baseline that is not waiting (local) fills the processors. */
static double
threads_model (guint threads, guint cores, double baseline_seconds, double baseline_wait)
{
  double local = MAX (baseline_seconds - baseline_wait, baseline_seconds * 1e-3);

  if (baseline_wait <= 0 || baseline_seconds <= 0)
    return threads;
  return MIN ((double) threads, MIN (threads, cores) * baseline_seconds / local);
}

static double
ideal_speedup (const FlSweepSummary *summary, const FlSweepPoint *baseline, guint value)
{
  guint base = MAX (baseline->value, 1u);

  if (about_download (summary))
    return threads_model (value, summary->cores, baseline->seconds.median,
                          baseline->wait_seconds.median)
           / threads_model (base, summary->cores, baseline->seconds.median,
                            baseline->wait_seconds.median);
  return (double) MIN (value, summary->cores) / MIN (base, summary->cores);
}

double
fl_sweep_summary_predict (const FlSweepSummary *summary, guint value)
{
  const FlSweepPoint *baseline;

  if (summary->points->len == 0)
    return 0;
  baseline = &g_array_index (summary->points, FlSweepPoint, 0);
  if (!about_download (summary) && summary->fitted)
    return fl_amdahl_speedup (summary->serial_fraction, value, summary->cores);
  return ideal_speedup (summary, baseline, value);
}

/* Groups the records by label, in order of appearance, and fills the spreads. */
static void
collect_points (FlSweepSummary *summary, GPtrArray *records, guint first, guint n)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  g_autoptr (GArray) seconds = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) waits = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = first; i < first + n && i < records->len; i++)
    {
      const FlRunRecord *r = records->pdata[i];
      gboolean known = FALSE;

      for (guint l = 0; l < labels->len && !known; l++)
        known = strcmp (labels->pdata[l], r->label) == 0;
      if (!known)
        g_ptr_array_add (labels, r->label);
    }
  for (guint l = 0; l < labels->len; l++)
    {
      FlSweepPoint point = { 0 };

      g_array_set_size (seconds, 0);
      g_array_set_size (waits, 0);
      point.label = g_strdup (labels->pdata[l]);
      for (guint i = first; i < first + n && i < records->len; i++)
        {
          const FlRunRecord *r = records->pdata[i];
          double s = about_download (summary) ? r->download_seconds : r->encode_seconds;

          if (strcmp (r->label, point.label) != 0)
            continue;
          point.value = about_download (summary) ? r->threads : r->processes;
          if (!r->ok || s <= 0)
            {
              point.failed++;
              continue;
            }
          summary->frames = r->frames;
          g_array_append_val (seconds, s);
          g_array_append_val (waits, r->download_wait_seconds);
        }
      fl_spread_compute ((double *) (gpointer) seconds->data, seconds->len, &point.seconds);
      if (about_download (summary))
        fl_spread_compute ((double *) (gpointer) waits->data, waits->len, &point.wait_seconds);
      g_array_append_val (summary->points, point);
    }
}

static FlVerdict
judge (const FlSpread *baseline, const FlSpread *point)
{
  if (baseline->n < 2 || point->n < 2)
    return FL_VERDICT_UNKNOWN;
  if (fl_spread_overlap (baseline, point))
    return FL_VERDICT_NO_CLEAR_DIFFERENCE;
  return point->median < baseline->median ? FL_VERDICT_FASTER : FL_VERDICT_SLOWER;
}

static void
compare_points (FlSweepSummary *summary)
{
  FlSweepPoint *baseline = &g_array_index (summary->points, FlSweepPoint, 0);
  const FlSpread *b = &baseline->seconds;

  summary->best = -1;
  for (guint i = 0; i < summary->points->len; i++)
    {
      FlSweepPoint *p = &g_array_index (summary->points, FlSweepPoint, i);
      const FlSpread *s = &p->seconds;

      if (s->n == 0 || b->n == 0)
        {
          p->verdict = i == 0 ? FL_VERDICT_BASELINE : FL_VERDICT_UNKNOWN;
          continue;
        }
      p->frames_per_second = summary->frames / s->median;
      p->speedup = b->median / s->median;
      p->speedup_low = b->min / s->max;
      p->speedup_high = b->max / s->min;
      p->efficiency = p->speedup * MAX (baseline->value, 1u) / MAX (p->value, 1u);
      p->ideal = ideal_speedup (summary, baseline, p->value);
      if (about_download (summary) && baseline->wait_seconds.median > 0)
        p->hidden = CLAMP ((b->median - s->median) / baseline->wait_seconds.median, 0.0, 1.0);
      p->verdict = i == 0 ? FL_VERDICT_BASELINE : judge (b, s);
      if (p->verdict == FL_VERDICT_FASTER
          && (summary->best < 0
              || p->speedup > g_array_index (summary->points, FlSweepPoint, summary->best).speedup))
        summary->best = (gint) i;
    }
}

static void
fit_amdahl (FlSweepSummary *summary)
{
  guint n = summary->points->len;
  g_autofree guint *values = g_new0 (guint, MAX (n, 1u));
  g_autofree double *seconds = g_new0 (double, MAX (n, 1u));

  if (about_download (summary))
    return;
  for (guint i = 0; i < n; i++)
    {
      const FlSweepPoint *p = &g_array_index (summary->points, FlSweepPoint, i);
      values[i] = p->value;
      seconds[i] = p->seconds.median;
    }
  summary->fitted = fl_amdahl_fit (values, seconds, n, summary->cores, &summary->serial_fraction);
}

/* The point with the most extreme verdict of the kind asked, for the sentence. */
static const FlSweepPoint *
find_point (const FlSweepSummary *summary, FlVerdict verdict)
{
  const FlSweepPoint *found = NULL;

  for (guint i = 1; i < summary->points->len; i++)
    {
      const FlSweepPoint *p = &g_array_index (summary->points, FlSweepPoint, i);
      if (p->verdict == verdict && (found == NULL || p->speedup < found->speedup))
        found = p;
    }
  return found;
}

static const FlSweepPoint *
last_point (const FlSweepSummary *summary)
{
  return &g_array_index (summary->points, FlSweepPoint, summary->points->len - 1);
}

/* "; more threads than 16 gain nothing" when points beyond the best one exist
 * and none of them is clearly faster than it. */
static void
append_knee (const FlSweepSummary *summary, const FlSweepPoint *best, GString *out)
{
  gboolean beyond = FALSE;

  for (guint i = (guint) summary->best + 1; i < summary->points->len; i++)
    {
      const FlSweepPoint *p = &g_array_index (summary->points, FlSweepPoint, i);
      if (p->value <= best->value)
        continue;
      if (p->seconds.n > 0 && p->seconds.max < best->seconds.min)
        return;
      beyond = TRUE;
    }
  if (!beyond)
    return;
  if (about_download (summary))
    g_string_append_printf (out, g_dngettext (FL_GETTEXT_PACKAGE, "; more threads than %u gain nothing",
                                    "; more threads than %u gain nothing", best->value),
                            best->value);
  else if (best->value >= summary->cores)
    g_string_append (out, _("; beyond the cores nothing gains"));
  else
    g_string_append_printf (out, g_dngettext (FL_GETTEXT_PACKAGE, "; more processes than %u gain nothing",
                                    "; more processes than %u gain nothing", best->value),
                            best->value);
}

static void
say_faster (const FlSweepSummary *summary, const FlSweepPoint *best, GString *out)
{
  if (about_download (summary))
    g_string_append_printf (out, g_dngettext (FL_GETTEXT_PACKAGE, "%u thread hid %.0f%% of the waiting: %.1f× faster "
                                    "(ideal %.1f×)",
                                    "%u threads hid %.0f%% of the waiting: %.1f× faster "
                                    "(ideal %.1f×)", best->value),
                            best->value, best->hidden * 100, best->speedup, best->ideal);
  else if (summary->fitted)
    g_string_append_printf (out, g_dngettext (FL_GETTEXT_PACKAGE, "%u process on %u cores: %.1f× faster (Amdahl: %.0f%% "
                                    "serial)",
                                    "%u processes on %u cores: %.1f× faster (Amdahl: %.0f%% "
                                    "serial)", best->value),
                            best->value, summary->cores, best->speedup,
                            summary->serial_fraction * 100);
  else
    g_string_append_printf (out, g_dngettext (FL_GETTEXT_PACKAGE, "%u process on %u cores: %.1f× faster (ideal %.1f×)",
                                    "%u processes on %u cores: %.1f× faster (ideal %.1f×)",
                                    best->value),
                            best->value, summary->cores, best->speedup, best->ideal);
  append_knee (summary, best, out);
}

/* Nothing clearly faster: say why, from what a frame costs. */
static void
say_no_gain (FlSweepSummary *summary, GString *out)
{
  const FlSweepPoint *baseline = &g_array_index (summary->points, FlSweepPoint, 0);
  const FlSweepPoint *slower = find_point (summary, FL_VERDICT_SLOWER);
  guint frames = MAX (summary->frames, 1u);
  double wait = baseline->wait_seconds.median / frames;
  double work = baseline->seconds.median / frames;
  double waiting_share = baseline->seconds.median > 0
                           ? baseline->wait_seconds.median / baseline->seconds.median : 0;

  if (slower != NULL)
    g_string_append_printf (out, about_download (summary)
                                   ? g_dngettext (FL_GETTEXT_PACKAGE, "More threads were slower: %u thread took %.1f× as long",
                                        "More threads were slower: %u threads took %.1f× as long",
                                        slower->value)
                                   : g_dngettext (FL_GETTEXT_PACKAGE, "More processes were slower: %u process took %.1f× as "
                                        "long",
                                        "More processes were slower: %u processes took %.1f× as "
                                        "long", slower->value),
                            slower->value, 1 / slower->speedup);
  else
    g_string_append_printf (out, about_download (summary)
                                   ? _("No clear difference between %u and %u threads")
                                   : _("No clear difference between %u and %u processes"),
                            baseline->value, last_point (summary)->value);
  if (about_download (summary) && wait < LITTLE_WAIT_PER_FRAME_S)
    {
      summary->nothing_to_hide = TRUE;
      g_string_append_printf (out, _(": each image arrives in %.0f µs, so there is little "
                                     "waiting for threads to hide"), wait * 1e6);
    }
  else if (about_download (summary))
    g_string_append_printf (out, _(", though waiting is %.0f%% of a run: something lets "
                                   "only one connection through at a time"),
                            waiting_share * 100);
  else if (work < LITTLE_WORK_PER_FRAME_S)
    {
      summary->nothing_to_hide = TRUE;
      g_string_append_printf (out, _(": a frame takes %.0f µs to encode, about what handing it "
                                     "to a worker costs"), work * 1e6);
    }
  else
    g_string_append_printf (out, g_dngettext (FL_GETTEXT_PACKAGE, ": the work did not spread over the %u core",
                                    ": the work did not spread over the %u cores",
                                    summary->cores), summary->cores);
}

static void
say_unknown (const FlSweepSummary *summary, GString *out)
{
  const FlSweepPoint *p = last_point (summary);

  g_string_append_printf (out, about_download (summary)
                                 ? g_dngettext (FL_GETTEXT_PACKAGE, "%u thread: %.1f× the speed of the baseline from one run "
                                      "each; repeat the runs to see the spread",
                                      "%u threads: %.1f× the speed of the baseline from one run "
                                      "each; repeat the runs to see the spread", p->value)
                                 : g_dngettext (FL_GETTEXT_PACKAGE, "%u process: %.1f× the speed of the baseline from one run "
                                      "each; repeat the runs to see the spread",
                                      "%u processes: %.1f× the speed of the baseline from one "
                                      "run each; repeat the runs to see the spread", p->value),
                          p->value, p->speedup);
}

static char *
make_sentence (FlSweepSummary *summary)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean all_unknown = TRUE;

  if (summary->points->len < 2
      || g_array_index (summary->points, FlSweepPoint, 0).seconds.n == 0)
    return g_strdup (_("Not enough finished runs to compare"));
  for (guint i = 1; i < summary->points->len; i++)
    all_unknown &= g_array_index (summary->points, FlSweepPoint, i).verdict == FL_VERDICT_UNKNOWN;
  if (summary->best >= 0)
    say_faster (summary, &g_array_index (summary->points, FlSweepPoint, summary->best), out);
  else if (all_unknown)
    say_unknown (summary, out);
  else
    say_no_gain (summary, out);
  g_string_append_c (out, '.');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
point_clear (gpointer data)
{
  g_free (((FlSweepPoint *) data)->label);
}

FlSweepSummary *
fl_sweep_summarize (FlSweepKind kind, FlStage stage, GPtrArray *records, guint first, guint n,
                    guint cores)
{
  FlSweepSummary *summary = g_new0 (FlSweepSummary, 1);

  summary->kind = kind;
  summary->stage = kind == FL_SWEEP_THREADS    ? FL_STAGE_DOWNLOAD
                   : kind == FL_SWEEP_PROCESSES ? FL_STAGE_ENCODE
                                                : stage;
  summary->cores = cores ? cores : MAX (g_get_num_processors (), 1u);
  summary->best = -1;
  summary->points = g_array_new (FALSE, TRUE, sizeof (FlSweepPoint));
  g_array_set_clear_func (summary->points, point_clear);
  collect_points (summary, records, first, n);
  if (summary->points->len > 0)
    {
      fit_amdahl (summary);
      compare_points (summary);
    }
  summary->sentence = make_sentence (summary);
  return summary;
}

void
fl_sweep_summary_free (FlSweepSummary *summary)
{
  if (summary == NULL)
    return;
  g_array_unref (summary->points);
  g_free (summary->sentence);
  g_free (summary);
}

static void
append_spread (GString *out, const char *name, const FlSpread *spread)
{
  g_string_append_printf (out, ", \"%s\": {\"median\": ", name);
  fl_json_append_double (out, spread->median);
  g_string_append (out, ", \"min\": ");
  fl_json_append_double (out, spread->min);
  g_string_append (out, ", \"max\": ");
  fl_json_append_double (out, spread->max);
  g_string_append_c (out, '}');
}

static void
append_number (GString *out, const char *name, double value)
{
  g_string_append_printf (out, ", \"%s\": ", name);
  fl_json_append_double (out, value);
}

static const char *
verdict_key (FlVerdict verdict)
{
  static const char *const keys[] = { "baseline", "faster", "slower", "no clear difference",
                                      "unknown" };
  return keys[verdict];
}

void
fl_sweep_summary_append_json (const FlSweepSummary *summary, GString *out)
{
  static const char *const kinds[] = { "threads", "processes", "compare" };

  g_string_append_printf (out, "{\"kind\": \"%s\", \"stage\": \"%s\", \"cores\": %u, "
                          "\"frames\": %u, \"points\": [", kinds[summary->kind],
                          about_download (summary) ? "download" : "encode", summary->cores,
                          summary->frames);
  for (guint i = 0; i < summary->points->len; i++)
    {
      const FlSweepPoint *p = &g_array_index (summary->points, FlSweepPoint, i);

      g_string_append (out, i ? ", {\"label\": " : "{\"label\": ");
      fl_json_append_string (out, p->label);
      g_string_append_printf (out, ", \"value\": %u, \"repetitions\": %u, \"failed\": %u",
                              p->value, p->seconds.n, p->failed);
      append_spread (out, "seconds", &p->seconds);
      if (about_download (summary))
        append_spread (out, "wait_seconds", &p->wait_seconds);
      append_number (out, "frames_per_second", p->frames_per_second);
      append_number (out, "speedup", p->speedup);
      append_number (out, "speedup_low", p->speedup_low);
      append_number (out, "speedup_high", p->speedup_high);
      append_number (out, "efficiency", p->efficiency);
      append_number (out, "ideal", p->ideal);
      if (about_download (summary))
        append_number (out, "hidden", p->hidden);
      g_string_append_printf (out, ", \"verdict\": \"%s\"}", verdict_key (p->verdict));
    }
  g_string_append (out, "], \"serial_fraction\": ");
  if (summary->fitted)
    fl_json_append_double (out, summary->serial_fraction);
  else
    g_string_append (out, "null");
  g_string_append (out, ", \"best\": ");
  if (summary->best >= 0)
    fl_json_append_string (out,
                           g_array_index (summary->points, FlSweepPoint, summary->best).label);
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ", \"nothing_to_hide\": %s, \"sentence\": ",
                          summary->nothing_to_hide ? "true" : "false");
  fl_json_append_string (out, summary->sentence);
  g_string_append_c (out, '}');
}
