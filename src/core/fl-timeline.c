/* fl-timeline.c: events -> rows of spans -> busy shares, idle gaps, imbalance. */
#include "fl-timeline.h"

typedef struct
{
  FlRowKind kind;
  guint track;
  GArray *spans;      /* FlSpan */
  gboolean sorted;    /* by t0 */
  guint retries;
} Row;

struct _FlTimeline
{
  GPtrArray *rows;    /* Row *, in row order */
  gint64 t0, t1;
  gboolean any;
  /* The stages' windows, per FlRowKind (0 when not seen). */
  gint64 stage_t0[FL_N_ROW_KINDS], stage_t1[FL_N_ROW_KINDS];
};

static void
row_free (gpointer data)
{
  Row *row = data;

  g_array_unref (row->spans);
  g_free (row);
}

FlTimeline *
fl_timeline_new (void)
{
  FlTimeline *timeline = g_new0 (FlTimeline, 1);

  timeline->rows = g_ptr_array_new_with_free_func (row_free);
  return timeline;
}

void
fl_timeline_free (FlTimeline *timeline)
{
  if (timeline == NULL)
    return;
  g_ptr_array_unref (timeline->rows);
  g_free (timeline);
}

/* Rows are few (threads + workers + handlers): a linear search is enough. */
static Row *
get_row (FlTimeline *timeline, FlRowKind kind, guint track)
{
  guint at = timeline->rows->len;
  Row *row;

  for (guint i = 0; i < timeline->rows->len; i++)
    {
      Row *r = timeline->rows->pdata[i];

      if (r->kind == kind && r->track == track)
        return r;
      if (at == timeline->rows->len && (r->kind > kind || (r->kind == kind && r->track > track)))
        at = i;
    }
  row = g_new0 (Row, 1);
  row->kind = kind;
  row->track = track;
  row->spans = g_array_new (FALSE, FALSE, sizeof (FlSpan));
  row->sorted = TRUE;
  g_ptr_array_insert (timeline->rows, (gint) at, row);
  return row;
}

static void
add_span (FlTimeline *timeline, FlRowKind kind, guint track, const FlSpan *span)
{
  Row *row = get_row (timeline, kind, track);

  /* Spans are emitted as they end: on a thread that does one thing at a time
   * that is also start order, but a server's wait loops may finish out of it. */
  if (row->spans->len > 0 && g_array_index (row->spans, FlSpan, row->spans->len - 1).t0 > span->t0)
    row->sorted = FALSE;
  g_array_append_val (row->spans, *span);
  if (span->kind == FL_SPAN_RETRY || span->kind == FL_SPAN_FAILED)
    row->retries++;
  if (!timeline->any || span->t0 < timeline->t0)
    timeline->t0 = span->t0;
  if (!timeline->any || span->t1 > timeline->t1)
    timeline->t1 = span->t1;
  timeline->any = TRUE;
}

static void
add_stage (FlTimeline *timeline, const FlEvent *event)
{
  static const FlRowKind kinds[FL_N_STAGES] = { FL_ROW_DOWNLOAD, FL_ROW_WORKER, FL_ROW_HANDLER };
  FlRowKind kind;

  if (event->stage.stage >= FL_N_STAGES)
    return;
  kind = kinds[event->stage.stage];
  /* A sweep's runs: the window spans all of them. */
  if (event->kind == FL_EVENT_STAGE_STARTED
      && (timeline->stage_t0[kind] == 0 || event->t0 < timeline->stage_t0[kind]))
    timeline->stage_t0[kind] = event->t0;
  if (event->kind == FL_EVENT_STAGE_ENDED && event->t1 > timeline->stage_t1[kind])
    timeline->stage_t1[kind] = event->t1;
}

static void
add_one (FlTimeline *timeline, const FlEvent *event)
{
  FlSpan span = { .t0 = event->t0, .t1 = MAX (event->t1, event->t0) };

  switch (event->kind)
    {
    case FL_EVENT_STAGE_STARTED:
    case FL_EVENT_STAGE_ENDED:
      add_stage (timeline, event);
      return;
    case FL_EVENT_FRAME_FETCHED:
    case FL_EVENT_FRAME_RETRY:
    case FL_EVENT_FRAME_FAILED:
      span.kind = event->kind == FL_EVENT_FRAME_FETCHED ? FL_SPAN_FRAME
                  : event->kind == FL_EVENT_FRAME_RETRY ? FL_SPAN_RETRY
                                                        : FL_SPAN_FAILED;
      span.index = event->frame.index;
      span.count = 1;
      span.bytes = event->frame.bytes;
      span.attempt = (guint8) MIN (event->frame.attempt, 255u);
      span.phase_us[0] = event->frame.connect_us;
      span.phase_us[1] = event->frame.wait_us;
      span.phase_us[2] = event->frame.write_us;
      add_span (timeline, FL_ROW_DOWNLOAD, event->track, &span);
      return;
    case FL_EVENT_CHUNK_ENCODED:
      span.kind = FL_SPAN_CHUNK;
      span.index = event->chunk.first;
      span.count = event->chunk.count;
      span.phase_us[0] = event->chunk.decode_us;
      span.phase_us[1] = event->chunk.quantise_us;
      span.phase_us[2] = event->chunk.compress_us;
      add_span (timeline, FL_ROW_WORKER, event->track, &span);
      return;
    case FL_EVENT_CONNECTION_SERVED:
      span.kind = FL_SPAN_CONNECTION;
      span.index = event->connection.index;
      span.count = 1;
      span.bytes = event->connection.bytes;
      span.phase_us[0] = event->connection.generate_us;
      add_span (timeline, FL_ROW_HANDLER, event->track, &span);
      return;
    default:
      return;
    }
}

void
fl_timeline_add (FlTimeline *timeline, const FlEvent *events, guint n_events)
{
  for (guint i = 0; i < n_events; i++)
    add_one (timeline, &events[i]);
}

guint
fl_timeline_get_n_rows (FlTimeline *timeline)
{
  return timeline->rows->len;
}

void
fl_timeline_get_row (FlTimeline *timeline, guint row, FlTimelineRowInfo *out)
{
  Row *r = timeline->rows->pdata[row];

  out->kind = r->kind;
  out->track = r->track;
  out->n_spans = r->spans->len;
  out->retries = r->retries;
}

static gint
compare_spans (gconstpointer a, gconstpointer b)
{
  const FlSpan *x = a, *y = b;

  return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

static Row *
sorted_row (FlTimeline *timeline, guint row)
{
  Row *r = timeline->rows->pdata[row];

  if (!r->sorted)
    {
      g_array_sort (r->spans, compare_spans);
      r->sorted = TRUE;
    }
  return r;
}

const FlSpan *
fl_timeline_get_spans (FlTimeline *timeline, guint row, guint *n_spans)
{
  Row *r = sorted_row (timeline, row);

  *n_spans = r->spans->len;
  return (const FlSpan *) r->spans->data;
}

guint
fl_timeline_find (FlTimeline *timeline, guint row, gint64 t)
{
  guint n;
  const FlSpan *spans = fl_timeline_get_spans (timeline, row, &n);
  guint lo = 0, hi = n;

  /* The first span starting after t, then back over the ones that still cover
   * t (one on a thread; a few where a server's wait loops overlap). */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (spans[mid].t0 <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
  while (lo > 0 && spans[lo - 1].t1 > t)
    lo--;
  return lo;
}

const FlSpan *
fl_timeline_span_at (FlTimeline *timeline, guint row, gint64 t, gint64 slop_us)
{
  guint n;
  const FlSpan *spans = fl_timeline_get_spans (timeline, row, &n);
  guint i = fl_timeline_find (timeline, row, t - slop_us);
  const FlSpan *best = NULL;
  gint64 best_distance = slop_us + 1;

  for (; i < n && spans[i].t0 <= t + slop_us; i++)
    {
      gint64 distance = t < spans[i].t0 ? spans[i].t0 - t : t > spans[i].t1 ? t - spans[i].t1 : 0;

      if (distance < best_distance)
        {
          best = &spans[i];
          best_distance = distance;
        }
    }
  return best;
}

gboolean
fl_timeline_get_range (FlTimeline *timeline, gint64 *t0, gint64 *t1)
{
  *t0 = timeline->t0;
  *t1 = timeline->t1;
  return timeline->any;
}

static void
add_segment (FlSegment *out, guint *n, FlPhase phase, gint64 t0, gint64 t1)
{
  if (t1 > t0)
    out[(*n)++] = (FlSegment) { phase, t0, t1 };
}

guint
fl_span_get_segments (const FlSpan *span, FlSegment *out)
{
  gint64 length = span->t1 - span->t0, t = span->t0;
  guint n = 0;

  switch (span->kind)
    {
    case FL_SPAN_RETRY:
    case FL_SPAN_FAILED:
      add_segment (out, &n, span->kind == FL_SPAN_RETRY ? FL_PHASE_RETRY : FL_PHASE_FAILED,
                   span->t0, span->t1);
      break;
    case FL_SPAN_FRAME:
      {
        gint64 connect = MIN ((gint64) span->phase_us[0], length);
        gint64 wait = MIN ((gint64) span->phase_us[1], length - connect);

        /* What the phases do not account for is the write's (it ends the attempt). */
        add_segment (out, &n, FL_PHASE_CONNECT, t, t + connect);
        add_segment (out, &n, FL_PHASE_WAIT, t + connect, t + connect + wait);
        add_segment (out, &n, FL_PHASE_WRITE, t + connect + wait, span->t1);
        break;
      }
    case FL_SPAN_CHUNK:
      {
        guint64 sum = (guint64) span->phase_us[0] + span->phase_us[1] + span->phase_us[2];
        /* Sums over the chunk's frames, in proportion; never more than the span. */
        double scale = sum > (guint64) length ? (double) length / (double) sum : 1.0;
        static const FlPhase phases[3] = { FL_PHASE_DECODE, FL_PHASE_QUANTISE,
                                           FL_PHASE_COMPRESS };

        for (guint i = 0; i < 3; i++)
          {
            gint64 d = (gint64) (span->phase_us[i] * scale);

            add_segment (out, &n, phases[i], t, t + d);
            t += d;
          }
        add_segment (out, &n, FL_PHASE_HAND_OFF, t, span->t1);
        break;
      }
    default:
      {
        gint64 generate = MIN ((gint64) span->phase_us[0], length);

        add_segment (out, &n, FL_PHASE_GENERATE, t, t + generate);
        add_segment (out, &n, FL_PHASE_SEND, t + generate, span->t1);
        break;
      }
    }
  return n;
}

static void
window_of (FlTimeline *timeline, FlRowKind kind, gint64 *t0, gint64 *t1)
{
  gboolean any = FALSE;

  *t0 = *t1 = 0;
  for (guint i = 0; i < timeline->rows->len; i++)
    {
      Row *row = timeline->rows->pdata[i];

      if (row->kind != kind)
        continue;
      for (guint s = 0; s < row->spans->len; s++)
        {
          const FlSpan *span = &g_array_index (row->spans, FlSpan, s);

          *t0 = any ? MIN (*t0, span->t0) : span->t0;
          *t1 = any ? MAX (*t1, span->t1) : span->t1;
          any = TRUE;
        }
    }
  if (timeline->stage_t0[kind] != 0 && (!any || timeline->stage_t0[kind] < *t0))
    *t0 = timeline->stage_t0[kind];
  if (timeline->stage_t1[kind] > *t1)
    *t1 = timeline->stage_t1[kind];
}

/* Busy time (the union of the spans: a server's may overlap) and the longest
 * gap inside t0..t1. */
static void
row_stats (FlTimeline *timeline, guint index, gint64 t0, gint64 t1, FlTimelineRowStats *out)
{
  guint n;
  const FlSpan *spans = fl_timeline_get_spans (timeline, index, &n);
  gint64 covered_to = t0;

  out->busy_us = 0;
  out->longest_idle_us = 0;
  out->longest_idle_t0 = t0;
  for (guint i = 0; i < n; i++)
    {
      gint64 s0 = MAX (spans[i].t0, t0), s1 = MIN (spans[i].t1, t1);

      if (s1 <= s0)
        continue;
      if (s0 > covered_to && s0 - covered_to > out->longest_idle_us)
        {
          out->longest_idle_us = s0 - covered_to;
          out->longest_idle_t0 = covered_to;
        }
      if (s1 > covered_to)
        {
          out->busy_us += s1 - MAX (s0, covered_to);
          covered_to = s1;
        }
    }
  if (t1 - covered_to > out->longest_idle_us)
    {
      out->longest_idle_us = t1 - covered_to;
      out->longest_idle_t0 = covered_to;
    }
  out->busy_share = t1 > t0 ? (double) out->busy_us / (double) (t1 - t0) : 0.0;
}

FlTimelineStats *
fl_timeline_get_stats (FlTimeline *timeline)
{
  FlTimelineStats *stats = g_new0 (FlTimelineStats, 1);
  gint64 max_busy[FL_N_ROW_KINDS] = { 0 }, sum_busy[FL_N_ROW_KINDS] = { 0 };
  guint count[FL_N_ROW_KINDS] = { 0 };
  gint64 longest = -1;

  stats->n_rows = timeline->rows->len;
  stats->rows = g_new0 (FlTimelineRowStats, MAX (stats->n_rows, 1));
  stats->longest_idle_row = stats->n_rows;
  for (guint k = 0; k < FL_N_ROW_KINDS; k++)
    window_of (timeline, k, &stats->window_t0[k], &stats->window_t1[k]);
  for (guint i = 0; i < stats->n_rows; i++)
    {
      Row *row = timeline->rows->pdata[i];
      FlTimelineRowStats *out = &stats->rows[i];

      out->kind = row->kind;
      out->track = row->track;
      row_stats (timeline, i, stats->window_t0[row->kind], stats->window_t1[row->kind], out);
      max_busy[row->kind] = MAX (max_busy[row->kind], out->busy_us);
      sum_busy[row->kind] += out->busy_us;
      count[row->kind]++;
      if (out->longest_idle_us > longest)
        {
          longest = out->longest_idle_us;
          stats->longest_idle_row = i;
        }
    }
  for (guint k = 0; k < FL_N_ROW_KINDS; k++)
    stats->imbalance[k] = count[k] < 2 || sum_busy[k] == 0
                            ? -1.0
                            : (double) max_busy[k] * count[k] / (double) sum_busy[k] - 1.0;
  return stats;
}

void
fl_timeline_stats_free (FlTimelineStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->rows);
  g_free (stats);
}
