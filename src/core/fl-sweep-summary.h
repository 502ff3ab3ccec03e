/* fl-sweep-summary.h: what a sweep or a compare shows, as numbers and one
 * plain sentence.
 *
 * Each point of a sweep is several timed repetitions; a point is shown as the
 * median with its min..max, and a speed-up only counts where the two ranges do
 * not overlap: inside the spread it is "no clear difference", whatever the
 * medians say. Next to the measurements stand the models a teacher draws: for
 * processes the core count and an Amdahl fit, for threads the latency-bound
 * model (each thread hides one wait, until the work that cannot overlap fills
 * the processors) and the share of the waiting that no longer shows. The CLI's
 * tables and --json and the app's Speed-up page all read this. */
#pragma once

#include "fl-sweep.h"

G_BEGIN_DECLS

typedef struct
{
  guint n;                 /* values it was made of; 0: no value, all fields 0 */
  double median, min, max;
} FlSpread;

/* The median (the mean of the middle two for an even n), min and max. */
void fl_spread_compute (const double *values, guint n, FlSpread *spread);
/* TRUE when both have values and their [min, max] ranges overlap. */
gboolean fl_spread_overlap (const FlSpread *a, const FlSpread *b);

typedef enum
{
  FL_VERDICT_BASELINE,              /* the point the others are measured against */
  FL_VERDICT_FASTER,                /* the ranges do not overlap, this one is faster */
  FL_VERDICT_SLOWER,
  FL_VERDICT_NO_CLEAR_DIFFERENCE,   /* the ranges overlap */
  FL_VERDICT_UNKNOWN,               /* fewer than 2 good repetitions on a side */
} FlVerdict;

/* "faster", "slower", "no clear difference", ... (translated). */
const char *fl_verdict_describe (FlVerdict verdict);

typedef struct
{
  char *label;               /* the records' label: "threads=8", "baseline" */
  guint value;               /* threads or processes of this point */
  guint failed;              /* repetitions that failed, left out of the spreads */
  FlSpread seconds;          /* of the stage the summary is about */
  FlSpread wait_seconds;     /* the download's waiting (download summaries only) */
  double frames_per_second;  /* at the median */
  double speedup;            /* the baseline's median over this one's */
  double speedup_low;        /* the baseline's min over this one's max */
  double speedup_high;       /* the baseline's max over this one's min */
  double efficiency;         /* speed-up per thread or process gained (1 is ideal) */
  double ideal;              /* the model's speed-up at this value */
  double hidden;             /* download: share of the baseline's waiting that no longer
                              * shows on the clock, 0..1 */
  FlVerdict verdict;
} FlSweepPoint;

typedef struct
{
  FlSweepKind kind;
  FlStage stage;             /* the stage summarised (a compare has one summary per stage) */
  guint cores;
  guint frames;
  GArray *points;            /* FlSweepPoint in the order the records first name them;
                              * [0] is the baseline */
  gboolean fitted;           /* processes: an Amdahl fit was possible */
  double serial_fraction;    /* the fit's serial fraction, 0..1 */
  gint best;                 /* the clearly fastest point, or -1 */
  gboolean nothing_to_hide;  /* nothing is clearly faster because a frame's work is tiny */
  char *sentence;            /* the one plain sentence, translated */
} FlSweepSummary;

/* Summarises records[first .. first + n - 1] (one sweep's, or a compare's)
 * about stage: THREADS and a compare's download read the download seconds,
 * PROCESSES and a compare's GIF the GIF seconds. cores: the processors to model
 * (0: this machine's). Records are grouped by label; failed ones only count as
 * failures. Never NULL; with no usable record the points are empty and the
 * sentence says so. */
FlSweepSummary *fl_sweep_summarize (FlSweepKind kind, FlStage stage, GPtrArray *records,
                                    guint first, guint n, guint cores);
void fl_sweep_summary_free (FlSweepSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlSweepSummary, fl_sweep_summary_free)

/* The speed-up the summary's model predicts at value: the Amdahl curve for
 * processes when fitted, else the ideal. For drawing curves between points. */
double fl_sweep_summary_predict (const FlSweepSummary *summary, guint value);

/* Amdahl: seconds[i] measured with processes[i] workers, processes[0] == 1 the
 * baseline. Least squares for s in t(p) = t(1) (s + (1 - s) / min (p, cores))
 * over the points with 1 < p <= cores; FALSE when there is none. s is clamped to
 * 0..1. */
gboolean fl_amdahl_fit (const guint *processes, const double *seconds, guint n, guint cores,
                        double *serial_fraction);
/* 1 / (s + (1 - s) / min (p, cores)). */
double fl_amdahl_speedup (double serial_fraction, guint processes, guint cores);

/* Appends the summary as one JSON object: kind, stage, cores, frames, points
 * (label, value, repetitions, failed, seconds {median, min, max}, ...), the
 * fit, best, verdicts and the sentence. */
void fl_sweep_summary_append_json (const FlSweepSummary *summary, GString *out);

G_END_DECLS
