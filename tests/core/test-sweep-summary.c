/* test-sweep-summary: medians and spreads, verdicts ("no clear difference"
 * where ranges overlap), the Amdahl fit on synthetic data with a known serial
 * fraction, the latency-bound model for threads, and the sentences, all from
 * made-up records (no server, no timing). */
#include "fl-sweep-summary.h"
#include "fl-test-util.h"

#include <locale.h>
#include <math.h>
#include <string.h>

/* A timed run of one point: seconds for the stage the kind times. */
static void
add (GPtrArray *records, FlSweepKind kind, guint value, double seconds, double wait)
{
  /* repetition 1: what a record that does not say has. */
  g_ptr_array_add (records, fl_test_sweep_run (kind, value, 1, seconds, wait));
}

static const FlSweepPoint *
point (const FlSweepSummary *summary, guint i)
{
  g_assert_cmpuint (i, <, summary->points->len);
  return &g_array_index (summary->points, FlSweepPoint, i);
}

static void
test_spread (void)
{
  const double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 };
  FlSpread a, b, none;

  fl_spread_compute (odd, 3, &a);
  g_assert_cmpuint (a.n, ==, 3);
  g_assert_cmpfloat (a.median, ==, 2);
  g_assert_cmpfloat (a.min, ==, 1);
  g_assert_cmpfloat (a.max, ==, 3);
  fl_spread_compute (even, 4, &b);
  g_assert_cmpfloat (b.median, ==, 2.5);
  g_assert_cmpfloat (b.max, ==, 4);
  fl_spread_compute (NULL, 0, &none);
  g_assert_cmpuint (none.n, ==, 0);
  g_assert_true (fl_spread_overlap (&a, &b));
  g_assert_false (fl_spread_overlap (&a, &none));
  b.min = 3.5;
  g_assert_false (fl_spread_overlap (&a, &b));
}

/* Overlapping ranges are never a speed-up, whatever the medians. */
static void
test_overlap_is_no_clear_difference (void)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (FlSweepSummary) summary = NULL;
  const double one[] = { 1.00, 1.40, 1.10 }, eight[] = { 0.95, 1.05, 1.02 };

  for (guint i = 0; i < 3; i++)
    {
      add (records, FL_SWEEP_THREADS, 1, one[i], 0.0001 * 1000);
      add (records, FL_SWEEP_THREADS, 8, eight[i], 0.0001 * 1000);
    }
  summary = fl_sweep_summarize (FL_SWEEP_THREADS, FL_STAGE_DOWNLOAD, records, 0, records->len, 2);
  g_assert_cmpuint (summary->points->len, ==, 2);
  g_assert_cmpint (point (summary, 0)->verdict, ==, FL_VERDICT_BASELINE);
  g_assert_cmpint (point (summary, 1)->verdict, ==, FL_VERDICT_NO_CLEAR_DIFFERENCE);
  g_assert_cmpfloat (point (summary, 1)->seconds.median, ==, 1.02);
  /* The medians say 1.08x; the sentence does not. */
  g_assert_cmpfloat_with_epsilon (point (summary, 1)->speedup, 1.10 / 1.02, 1e-12);
  g_assert_cmpint (summary->best, ==, -1);
  g_assert_true (summary->nothing_to_hide); /* 100 us of waiting a frame */
  g_assert_true (g_str_has_prefix (summary->sentence,
                                   "No clear difference between 1 and 8 threads: each image "
                                   "arrives in 100 µs"));
  g_assert_null (strstr (summary->sentence, "faster"));
}

/* t(p) = 10 (s + (1 - s) / p) for a known s: the fit gives s back. */
static void
test_amdahl_recovers_serial_fraction (void)
{
  const guint processes[] = { 1, 2, 4, 8, 16 };
  const double known[] = { 0.0, 0.06, 0.25, 0.9 };

  for (guint k = 0; k < G_N_ELEMENTS (known); k++)
    {
      g_autoptr (GPtrArray) records = fl_run_records_new ();
      g_autoptr (FlSweepSummary) summary = NULL;
      double seconds[G_N_ELEMENTS (processes)], fitted = -1;

      for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
        {
          guint p = MIN (processes[i], 8u);
          seconds[i] = 10 * (known[k] + (1 - known[k]) / p);
          /* Three repetitions a tiny bit apart, so every point has a spread. */
          for (guint r = 0; r < 3; r++)
            add (records, FL_SWEEP_PROCESSES, processes[i], seconds[i] * (1 + 1e-6 * r), 0);
        }
      g_assert_true (fl_amdahl_fit (processes, seconds, G_N_ELEMENTS (processes), 8, &fitted));
      g_assert_cmpfloat_with_epsilon (fitted, known[k], 1e-12);
      summary = fl_sweep_summarize (FL_SWEEP_PROCESSES, FL_STAGE_ENCODE, records, 0,
                                    records->len, 8);
      g_assert_true (summary->fitted);
      g_assert_cmpfloat_with_epsilon (summary->serial_fraction, known[k], 1e-5);
      g_assert_cmpfloat_with_epsilon (fl_sweep_summary_predict (summary, 4),
                                      1 / (known[k] + (1 - known[k]) / 4), 1e-3);
      /* Beyond the cores the model gains nothing more. */
      g_assert_cmpfloat (fl_sweep_summary_predict (summary, 16), ==,
                         fl_sweep_summary_predict (summary, 8));
    }
  /* Nothing between 1 and the cores: no fit. */
  {
    const guint p[] = { 1, 4 };
    const double t[] = { 1, 0.5 };
    double s;
    g_assert_false (fl_amdahl_fit (p, t, 2, 2, &s));
  }
}

/* The picture: 20 ms a frame of waiting, 16 threads hide most of it. */
static void
test_threads_hide_waiting (void)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (FlSweepSummary) summary = NULL;
  const FlSweepPoint *p;

  for (guint r = 0; r < 3; r++)
    {
      add (records, FL_SWEEP_THREADS, 1, 20.0 + 0.01 * r, 19.8);
      add (records, FL_SWEEP_THREADS, 16, 1.35 + 0.001 * r, 19.8);
      add (records, FL_SWEEP_THREADS, 64, 1.34 + 0.02 * r, 19.9);
    }
  summary = fl_sweep_summarize (FL_SWEEP_THREADS, FL_STAGE_DOWNLOAD, records, 0, records->len, 2);
  p = point (summary, 1);
  g_assert_cmpint (p->verdict, ==, FL_VERDICT_FASTER);
  g_assert_cmpfloat_with_epsilon (p->speedup, 20.01 / 1.351, 1e-9);
  g_assert_cmpfloat_with_epsilon (p->hidden, (20.01 - 1.351) / 19.8, 1e-9);
  /* The latency-bound model: 16 waits at once; the 0.2 s that is not waiting
   * spreads over 2 cores, which would allow up to 200x. */
  g_assert_cmpfloat_with_epsilon (p->ideal, 16, 1e-9);
  g_assert_cmpfloat_with_epsilon (p->efficiency, p->speedup / 16, 1e-12);
  g_assert_cmpfloat_with_epsilon (point (summary, 2)->ideal, 64, 1e-9);
  /* 64 threads overlap 16's range: the best clear one is 16 or 64, and the
   * sentence names it with its share of the waiting. */
  g_assert_cmpint (summary->best, >=, 1);
  g_assert_false (summary->nothing_to_hide);
  g_assert_true (g_str_has_prefix (summary->sentence, "64 threads hid 94% of the waiting: 14.9× "
                                                      "faster (ideal 64.0×)")
                 || g_str_has_prefix (summary->sentence, "16 threads hid 94% of the waiting: "
                                                         "14.8× faster (ideal 16.0×)"));
  g_test_message ("%s", summary->sentence);
}

/* Two processes on two cores pay off; four are no faster than two. */
static void
test_processes_knee (void)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (FlSweepSummary) summary = NULL;

  for (guint r = 0; r < 3; r++)
    {
      add (records, FL_SWEEP_PROCESSES, 1, 2.00 + 0.01 * r, 0);
      add (records, FL_SWEEP_PROCESSES, 2, 1.10 + 0.01 * r, 0);
      add (records, FL_SWEEP_PROCESSES, 4, 1.11 + 0.02 * r, 0);
    }
  summary = fl_sweep_summarize (FL_SWEEP_PROCESSES, FL_STAGE_ENCODE, records, 0, records->len,
                                2);
  g_assert_cmpint (summary->best, ==, 1);
  g_assert_cmpint (point (summary, 2)->verdict, ==, FL_VERDICT_FASTER);
  g_assert_cmpfloat (point (summary, 2)->ideal, ==, 2);
  /* t2 / t1 = s + (1 - s) / 2, with the medians 1.11 and 2.01. */
  g_assert_cmpfloat_with_epsilon (summary->serial_fraction, 2 * 1.11 / 2.01 - 1, 1e-12);
  g_assert_cmpstr (summary->sentence, ==,
                   "2 processes on 2 cores: 1.8× faster (Amdahl: 10% serial); beyond the "
                   "cores nothing gains.");
}

static void
test_one_run_has_no_spread (void)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (FlSweepSummary) summary = NULL;

  add (records, FL_SWEEP_PROCESSES, 1, 2.0, 0);
  add (records, FL_SWEEP_PROCESSES, 2, 1.0, 0);
  summary = fl_sweep_summarize (FL_SWEEP_PROCESSES, FL_STAGE_ENCODE, records, 0, records->len,
                                2);
  g_assert_cmpint (point (summary, 1)->verdict, ==, FL_VERDICT_UNKNOWN);
  g_assert_cmpint (summary->best, ==, -1);
  g_assert_nonnull (strstr (summary->sentence, "from one run each"));
}

/* Failed runs count as failures and stay out of the medians; slower is said. */
static void
test_failures_and_slower (void)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (FlSweepSummary) summary = NULL;
  FlRunRecord *failed;

  for (guint r = 0; r < 3; r++)
    {
      add (records, FL_SWEEP_PROCESSES, 1, 0.08 + 0.001 * r, 0);
      add (records, FL_SWEEP_PROCESSES, 2, 0.16 + 0.001 * r, 0);
    }
  add (records, FL_SWEEP_PROCESSES, 2, 0.01, 0);
  failed = records->pdata[records->len - 1];
  failed->ok = FALSE;
  summary = fl_sweep_summarize (FL_SWEEP_PROCESSES, FL_STAGE_ENCODE, records, 0, records->len,
                                2);
  g_assert_cmpuint (point (summary, 1)->failed, ==, 1);
  g_assert_cmpuint (point (summary, 1)->seconds.n, ==, 3);
  g_assert_cmpfloat (point (summary, 1)->seconds.min, ==, 0.16);
  g_assert_cmpint (point (summary, 1)->verdict, ==, FL_VERDICT_SLOWER);
  g_assert_true (summary->nothing_to_hide); /* 81 us a frame */
  g_assert_true (g_str_has_prefix (summary->sentence,
                                   "More processes were slower: 2 processes took 2.0× as long: "
                                   "a frame takes 81 µs to encode"));
}

/* A compare summarises each stage from the same two labels. */
static void
test_compare_stages (void)
{
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (FlSweepSummary) download = NULL, encode = NULL;
  g_autoptr (GString) json = g_string_new (NULL);

  for (guint r = 0; r < 3; r++)
    for (guint chosen = 0; chosen < 2; chosen++)
      {
        FlRunRecord *rec = fl_run_record_new (chosen ? "chosen" : "baseline");
        rec->ok = rec->ran_download = rec->ran_encode = TRUE;
        rec->frames = 500;
        rec->threads = chosen ? 8 : 1;
        rec->processes = chosen ? 2 : 1;
        rec->download_seconds = (chosen ? 1.0 : 8.0) + 0.01 * r;
        rec->download_wait_seconds = 7.5;
        rec->encode_seconds = (chosen ? 0.6 : 1.0) + 0.01 * r;
        g_ptr_array_add (records, rec);
      }
  download = fl_sweep_summarize (FL_SWEEP_COMPARE, FL_STAGE_DOWNLOAD, records, 0, 6, 2);
  encode = fl_sweep_summarize (FL_SWEEP_COMPARE, FL_STAGE_ENCODE, records, 0, 6, 2);
  g_assert_cmpuint (point (download, 1)->value, ==, 8);
  g_assert_cmpuint (point (encode, 1)->value, ==, 2);
  g_assert_cmpint (point (download, 1)->verdict, ==, FL_VERDICT_FASTER);
  g_assert_true (g_str_has_prefix (download->sentence, "8 threads hid 93% of the waiting"));
  g_assert_true (g_str_has_prefix (encode->sentence, "2 processes on 2 cores: 1.7× faster"));
  fl_sweep_summary_append_json (encode, json);
  g_assert_true (g_str_has_prefix (json->str, "{\"kind\": \"compare\", \"stage\": \"encode\""));
  g_assert_nonnull (strstr (json->str, "\"verdict\": \"faster\""));
}

int
main (int argc, char **argv)
{
  /* The sentences are asserted in English. */
  g_setenv ("LANGUAGE", "C", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sweep-summary/spread", test_spread);
  g_test_add_func ("/sweep-summary/overlap", test_overlap_is_no_clear_difference);
  g_test_add_func ("/sweep-summary/amdahl", test_amdahl_recovers_serial_fraction);
  g_test_add_func ("/sweep-summary/threads", test_threads_hide_waiting);
  g_test_add_func ("/sweep-summary/processes", test_processes_knee);
  g_test_add_func ("/sweep-summary/one-run", test_one_run_has_no_spread);
  g_test_add_func ("/sweep-summary/failures", test_failures_and_slower);
  g_test_add_func ("/sweep-summary/compare", test_compare_stages);
  return g_test_run ();
}
