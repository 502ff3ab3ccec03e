/* fl-sweep.h: the lab's "did threads/processes pay off?" as a series of runs.
 *
 * A sweep runs the pipeline once per value of one parameter, with everything
 * else fixed: the download stage for each thread count, or the GIF stage for each
 * process count (the frames are downloaded once, before the first GIF run). A
 * compare is a two-point sweep: the lab's baseline (1 thread, 1 process) and the
 * chosen configuration, on the same server, back to back. */
#pragma once

#include <gio/gio.h>

#include "fl-pipeline.h"
#include "fl-run-record.h"

G_BEGIN_DECLS

typedef enum
{
  FL_SWEEP_THREADS,          /* download stage only, one run per thread count */
  FL_SWEEP_PROCESSES,        /* GIF stage only, one run per process count */
  FL_SWEEP_COMPARE,          /* both stages: baseline, then config as given */
} FlSweepKind;

/* How each point of a sweep is measured. */
typedef struct
{
  guint repeat;           /* timed runs per point; 0 counts as 1 */
  guint warmup;           /* untimed runs per point before the timed ones */
  gboolean fresh_frames;  /* every download starts from a folder without the frames;
                           * FALSE: each overwrites the frames of the run before */
} FlSweepOptions;

/* The CLI's and the app's defaults: a warm-up (so no point pays for a cold page
 * cache or a fresh folder alone) and three timed runs, the fewest that give a
 * median and a spread. */
#define FL_SWEEP_DEFAULT_REPEAT 3
#define FL_SWEEP_DEFAULT_WARMUP 1

typedef struct
{
  /* Called from the sweep's thread before and after each run, warm-ups
   * included (their record's repetition is 0, and it is not kept); index counts
   * from 0 over the whole sweep, total is the number of runs. */
  void (*run_started) (guint index, guint total, const FlRunRecord *record, gpointer user_data);
  void (*run_finished) (guint index, guint total, const FlRunRecord *record, gpointer user_data);
  /* Optional, from the sweep's thread after each run_finished: the run's own
   * configuration and its full result (per-server figures, GIF size...). */
  void (*run_result) (guint index, const FlPipelineConfig *config,
                      const FlPipelineResult *result, const GError *run_error,
                      gpointer user_data);
} FlSweepCallbacks;

/* Runs base for every values[i] (threads or processes; ignored for COMPARE),
 * options->warmup untimed times and then options->repeat timed times each
 * (NULL: once, no warm-up), in rounds: every point once per round, so a change
 * in the machine's load spreads over all points instead of favouring one. Appends
 * one FlRunRecord per timed run to records, its repetition counting from 1.
 * Synchronous, any thread. Stops at the first failed run (its record, with ok
 * FALSE and the error, is appended too, even for a warm-up) or on cancel
 * (FL_ERROR_CANCELLED; the run in progress is appended as failed, none starts
 * after it).
 *
 * Labels: "threads=N", "processes=N", or "baseline" and "chosen" for COMPARE.
 * THREADS runs only the download stage; PROCESSES only the GIF stage, after one
 * download of the frames when base->run_download is TRUE (its stage events are
 * reported, it is not recorded; if it fails, FALSE with no record appended); set
 * base->run_download FALSE when the frames are already there. COMPARE runs the
 * stages base asks for, first with 1 thread and 1 process. base->events gets
 * every run's events between FL_EVENT_RUN_STARTED and FL_EVENT_RUN_ENDED. */
gboolean fl_sweep_run (FlSweepKind kind, const FlPipelineConfig *base, const guint *values,
                       guint n_values, const FlSweepOptions *options,
                       const FlSweepCallbacks *callbacks, gpointer user_data,
                       GCancellable *cancellable, GPtrArray *records, GError **error);

/* Fills a record from a finished (or failed) pipeline run: threads is 0 when
 * the run downloaded nothing, processes 0 when it built no GIF, width/height
 * come from the GIF (0 without one), and started_unix, when still 0, is set to
 * now minus the run's seconds. The label is left alone. */
void fl_run_record_fill (FlRunRecord *record, const FlPipelineConfig *config,
                         const FlPipelineResult *result, const GError *run_error);

/* Parses "threads=1,2,4" or "processes=1,2" (the CLI's --sweep). */
gboolean fl_sweep_parse (const char *text, FlSweepKind *kind, GArray **values, GError **error);

G_END_DECLS
