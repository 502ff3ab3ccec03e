/* test-timeline: rows, spans, segments and the figures from synthetic events. */
#include "fl-timeline.h"

static FlEvent
frame (guint track, guint index, gint64 t0, gint64 t1, FlEventKind kind)
{
  return (FlEvent) { .kind = kind, .track = track, .t0 = t0, .t1 = t1,
                     .frame = { .index = index, .attempt = 1, .connect_us = 10, .wait_us = 50,
                                .write_us = 20, .bytes = 1000 } };
}

static FlEvent
chunk (guint track, guint first, gint64 t0, gint64 t1)
{
  return (FlEvent) { .kind = FL_EVENT_CHUNK_ENCODED, .track = track, .t0 = t0, .t1 = t1,
                     .chunk = { .first = first, .count = 10, .decode_us = 100,
                                .quantise_us = 200, .compress_us = 300 } };
}

static FlTimeline *
sample (void)
{
  FlTimeline *timeline = fl_timeline_new ();
  const FlEvent events[] = {
    { .kind = FL_EVENT_STAGE_STARTED, .t0 = 0, .stage = { .stage = FL_STAGE_DOWNLOAD } },
    /* Thread 1 busy 0..400 but for a 200 us gap; thread 0 busy 0..100, 100..200. */
    frame (1, 0, 0, 100, FL_EVENT_FRAME_FETCHED),
    frame (0, 1, 0, 100, FL_EVENT_FRAME_RETRY),
    frame (0, 1, 100, 200, FL_EVENT_FRAME_FETCHED),
    frame (1, 2, 300, 400, FL_EVENT_FRAME_FETCHED),
    { .kind = FL_EVENT_STAGE_ENDED, .t0 = 0, .t1 = 400, .stage = { .stage = FL_STAGE_DOWNLOAD } },
    /* Worker 1 arrives first: rows are still in track order. */
    chunk (1, 10, 500, 1500),
    chunk (0, 0, 500, 1000),
  };

  fl_timeline_add (timeline, events, G_N_ELEMENTS (events));
  return timeline;
}

static void
test_rows (void)
{
  g_autoptr (FlTimeline) timeline = sample ();
  FlTimelineRowInfo row;
  gint64 t0, t1;

  g_assert_cmpuint (fl_timeline_get_n_rows (timeline), ==, 4);
  fl_timeline_get_row (timeline, 0, &row);
  g_assert_cmpint (row.kind, ==, FL_ROW_DOWNLOAD);
  g_assert_cmpuint (row.track, ==, 0);
  g_assert_cmpuint (row.n_spans, ==, 2);
  g_assert_cmpuint (row.retries, ==, 1);
  fl_timeline_get_row (timeline, 2, &row);
  g_assert_cmpint (row.kind, ==, FL_ROW_WORKER);
  g_assert_cmpuint (row.track, ==, 0);
  fl_timeline_get_row (timeline, 3, &row);
  g_assert_cmpuint (row.track, ==, 1);
  g_assert_true (fl_timeline_get_range (timeline, &t0, &t1));
  g_assert_cmpint (t0, ==, 0);
  g_assert_cmpint (t1, ==, 1500);
}

static void
test_segments (void)
{
  FlEvent e = frame (0, 0, 1000, 1100, FL_EVENT_FRAME_FETCHED);
  g_autoptr (FlTimeline) timeline = fl_timeline_new ();
  FlSegment segments[4];
  const FlSpan *span;
  guint n;

  fl_timeline_add (timeline, &e, 1);
  span = fl_timeline_get_spans (timeline, 0, &n);
  g_assert_cmpuint (n, ==, 1);
  n = fl_span_get_segments (span, segments);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (segments[0].phase, ==, FL_PHASE_CONNECT);
  g_assert_cmpint (segments[0].t1, ==, 1010);
  g_assert_cmpint (segments[1].phase, ==, FL_PHASE_WAIT);
  g_assert_cmpint (segments[1].t1, ==, 1060);
  g_assert_cmpint (segments[2].phase, ==, FL_PHASE_WRITE);
  g_assert_cmpint (segments[2].t1, ==, 1100);

  /* A chunk's phase sums split it in proportion, the rest is hand-off. */
  e = chunk (0, 0, 0, 1000);
  fl_timeline_add (timeline, &e, 1);
  span = fl_timeline_get_spans (timeline, 1, &n);
  n = fl_span_get_segments (span, segments);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (segments[0].phase, ==, FL_PHASE_DECODE);
  g_assert_cmpint (segments[2].t1, ==, 600);
  g_assert_cmpint (segments[3].phase, ==, FL_PHASE_HAND_OFF);
}

static void
test_span_at (void)
{
  g_autoptr (FlTimeline) timeline = sample ();
  const FlSpan *span;

  span = fl_timeline_span_at (timeline, 1, 350, 0);
  g_assert_nonnull (span);
  g_assert_cmpuint (span->index, ==, 2);
  g_assert_null (fl_timeline_span_at (timeline, 1, 200, 10));
  span = fl_timeline_span_at (timeline, 1, 190, 100);
  g_assert_nonnull (span);
  g_assert_cmpuint (span->index, ==, 0);
  g_assert_cmpuint (fl_timeline_find (timeline, 1, 150), ==, 1);
}

static void
test_stats (void)
{
  g_autoptr (FlTimeline) timeline = sample ();
  g_autoptr (FlTimelineStats) stats = fl_timeline_get_stats (timeline);

  g_assert_cmpuint (stats->n_rows, ==, 4);
  /* Download window: the stage, 0..400. */
  g_assert_cmpint (stats->window_t0[FL_ROW_DOWNLOAD], ==, 0);
  g_assert_cmpint (stats->window_t1[FL_ROW_DOWNLOAD], ==, 400);
  g_assert_cmpint (stats->rows[0].busy_us, ==, 200);
  g_assert_cmpfloat_with_epsilon (stats->rows[0].busy_share, 0.5, 1e-9);
  g_assert_cmpint (stats->rows[0].longest_idle_us, ==, 200);
  g_assert_cmpint (stats->rows[0].longest_idle_t0, ==, 200);
  g_assert_cmpint (stats->rows[1].busy_us, ==, 200);
  g_assert_cmpint (stats->rows[1].longest_idle_us, ==, 200);
  g_assert_cmpfloat_with_epsilon (stats->imbalance[FL_ROW_DOWNLOAD], 0.0, 1e-9);
  /* Workers: window 500..1500; 500 and 1000 busy: max/mean - 1 = 1000/750 - 1. */
  g_assert_cmpint (stats->rows[2].busy_us, ==, 500);
  g_assert_cmpint (stats->rows[2].longest_idle_us, ==, 500);
  g_assert_cmpfloat_with_epsilon (stats->rows[3].busy_share, 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (stats->imbalance[FL_ROW_WORKER], 1000.0 / 750.0 - 1, 1e-9);
  g_assert_cmpfloat (stats->imbalance[FL_ROW_HANDLER], ==, -1.0);
  g_assert_cmpuint (stats->longest_idle_row, ==, 2);
}

/* A server's wait loops end connections out of start order, and overlap. */
static void
test_overlap (void)
{
  g_autoptr (FlTimeline) timeline = fl_timeline_new ();
  const FlEvent events[] = {
    { .kind = FL_EVENT_CONNECTION_SERVED, .t0 = 100, .t1 = 300, .connection = { .generate_us = 50 } },
    { .kind = FL_EVENT_CONNECTION_SERVED, .t0 = 0, .t1 = 200, .connection = { .generate_us = 50 } },
  };
  g_autoptr (FlTimelineStats) stats = NULL;
  const FlSpan *spans;
  guint n;

  fl_timeline_add (timeline, events, G_N_ELEMENTS (events));
  spans = fl_timeline_get_spans (timeline, 0, &n);
  g_assert_cmpint (spans[0].t0, ==, 0);
  g_assert_cmpuint (fl_timeline_find (timeline, 0, 150), ==, 0);
  stats = fl_timeline_get_stats (timeline);
  g_assert_cmpint (stats->rows[0].busy_us, ==, 300);
  g_assert_cmpint (stats->rows[0].longest_idle_us, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/timeline/rows", test_rows);
  g_test_add_func ("/timeline/segments", test_segments);
  g_test_add_func ("/timeline/span-at", test_span_at);
  g_test_add_func ("/timeline/stats", test_stats);
  g_test_add_func ("/timeline/overlap", test_overlap);
  return g_test_run ();
}
