/* fl-timeline.h: a run's events as rows of busy spans on one time axis, and the
 * figures a teacher asks of them.
 *
 * One row per download thread, per GIF worker and per server handler thread
 * (the events' tracks), each a list of spans: a frame fetched (its connect,
 * wait-for-the-reply and write phases), an attempt that was retried or failed,
 * a chunk a worker encoded (its decode, quantise and compress times: the worker
 * reports them summed over the chunk, so they split the span in proportion), a
 * connection served (generating, then sending). What a row does not cover is
 * idle. The timeline grows as events arrive (live) and stays for a finished run;
 * the drawing (src/draw/fl-draw-timeline.h) and the app's hover read it.
 *
 * Not thread-safe: one thread adds and reads (the app's main loop, the CLI's
 * report after the run). */
#pragma once

#include <glib.h>

#include "fl-events.h"

G_BEGIN_DECLS

typedef enum
{
  FL_ROW_DOWNLOAD,  /* a download thread */
  FL_ROW_WORKER,    /* a GIF worker process */
  FL_ROW_HANDLER,   /* an embedded or standalone server's handler thread */
} FlRowKind;

#define FL_N_ROW_KINDS 3

/* What a stretch of a row was spent on: the colours of the drawing. */
typedef enum
{
  FL_PHASE_CONNECT,
  FL_PHASE_WAIT,       /* for the reply, and reading it */
  FL_PHASE_WRITE,      /* checking the reply and writing the frame file */
  FL_PHASE_RETRY,      /* an attempt that was tried again */
  FL_PHASE_FAILED,     /* an attempt that was the last */
  FL_PHASE_DECODE,     /* reading and decoding the PNGs */
  FL_PHASE_QUANTISE,   /* building palettes */
  FL_PHASE_COMPRESS,   /* LZW */
  FL_PHASE_HAND_OFF,   /* a chunk's time outside the three: pipes, hand-out */
  FL_PHASE_GENERATE,   /* the server: from the accept to the reply's start */
  FL_PHASE_SEND,       /* the server: making and sending the image */
  FL_N_PHASES
} FlPhase;

typedef enum
{
  FL_SPAN_FRAME,       /* index: the frame; bytes, attempt; phase_us: connect, wait, write */
  FL_SPAN_RETRY,       /* the same, for an attempt tried again */
  FL_SPAN_FAILED,      /* the same, for a last attempt */
  FL_SPAN_CHUNK,       /* index: its first frame, count its frames; phase_us: decode, quantise, compress */
  FL_SPAN_CONNECTION,  /* index: connections before it; bytes sent; phase_us[0]: generate */
} FlSpanKind;

typedef struct
{
  gint64 t0, t1;       /* microseconds, monotonic (FlEvent's clock) */
  guint64 bytes;
  guint32 index, count;
  guint32 phase_us[3];
  guint8 kind;         /* FlSpanKind */
  guint8 attempt;      /* attempts so far, capped at 255 */
} FlSpan;

/* A stretch of a span spent on one phase. */
typedef struct
{
  FlPhase phase;
  gint64 t0, t1;
} FlSegment;

/* The phases of span, in time order, inside t0..t1 (at most 4). */
guint fl_span_get_segments (const FlSpan *span, FlSegment *out);

typedef struct _FlTimeline FlTimeline;

typedef struct
{
  FlRowKind kind;
  guint track;
  guint n_spans;
  guint retries;       /* spans of kind RETRY or FAILED */
} FlTimelineRowInfo;

FlTimeline *fl_timeline_new (void);
void        fl_timeline_free (FlTimeline *timeline);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlTimeline, fl_timeline_free)

/* Adds a batch of events (any kinds; the ones that are no span are skipped
 * but for the stage windows). */
void        fl_timeline_add (FlTimeline *timeline, const FlEvent *events, guint n_events);
/* Rows in a fixed order: download threads, then GIF workers, then handlers,
 * each by track. */
guint       fl_timeline_get_n_rows (FlTimeline *timeline);
void        fl_timeline_get_row (FlTimeline *timeline, guint row, FlTimelineRowInfo *out);
/* The row's spans by start time (borrowed until the next add). */
const FlSpan *fl_timeline_get_spans (FlTimeline *timeline, guint row, guint *n_spans);
/* The first span of row that ends after t (n_spans when none): where a window
 * starting at t begins. */
guint       fl_timeline_find (FlTimeline *timeline, guint row, gint64 t);
/* The span of row under t, or the nearest within slop_us; NULL when none. */
const FlSpan *fl_timeline_span_at (FlTimeline *timeline, guint row, gint64 t, gint64 slop_us);
/* From the earliest event to the latest; FALSE when there is none. */
gboolean    fl_timeline_get_range (FlTimeline *timeline, gint64 *t0, gint64 *t1);

typedef struct
{
  FlRowKind kind;
  guint track;
  gint64 busy_us;          /* the union of its spans */
  double busy_share;       /* busy_us over its kind's window, 0..1 */
  gint64 longest_idle_us;  /* the longest stretch of the window with no span */
  gint64 longest_idle_t0;  /* where it begins */
} FlTimelineRowStats;

typedef struct
{
  guint n_rows;
  FlTimelineRowStats *rows;     /* n_rows, in row order */
  /* Per FlRowKind: its window (the stages' start and end where seen, else its
   * spans'), and how unevenly its rows were loaded: the busiest row's busy time
   * over the mean, minus 1 (0 = perfectly even; -1 with fewer than 2 rows). */
  gint64 window_t0[FL_N_ROW_KINDS], window_t1[FL_N_ROW_KINDS];
  double imbalance[FL_N_ROW_KINDS];
  guint longest_idle_row;       /* the row with the longest idle gap (n_rows: none) */
} FlTimelineStats;

FlTimelineStats *fl_timeline_get_stats (FlTimeline *timeline);
void             fl_timeline_stats_free (FlTimelineStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlTimelineStats, fl_timeline_stats_free)

G_END_DECLS
