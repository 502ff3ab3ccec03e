/* fl-client-output.h: what frameloom-client prints.
 *
 * stdout carries only results: the lab's two lines, the --compare or --sweep
 * table, or one JSON document. Progress goes to stderr, and only when it is a
 * terminal. */
#pragma once

#include "fl-client-options.h"
#include "fl-run-record.h"

G_BEGIN_DECLS

/* One pipeline run as the front-end saw it. */
typedef struct
{
  FlPipelineConfig config;
  FlPipelineResult result;
  GError *error;
  gboolean ok;
  gboolean started;  /* FALSE for --compare's chosen run when the baseline failed */
} FlClientRun;

/* A progress line on stderr: "Download [####......] 1234/5000  2500 frames/s  ETA 1.5 s". */
typedef struct _FlClientProgress FlClientProgress;

/* enabled FALSE: every call does nothing (quiet, or stderr is not a terminal). */
FlClientProgress *fl_client_progress_new (gboolean enabled);
void fl_client_progress_free (FlClientProgress *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlClientProgress, fl_client_progress_free)
/* An FlEventReader that draws it from the run's events (user_data: the progress). */
void fl_client_progress_read (const FlEvent *events, guint n_events, gpointer progress);
/* A prefix for the lines that follow ("baseline", "threads=8"); label must
 * live until the next call. Any thread. */
void fl_client_progress_set_label (FlClientProgress *progress, const char *label);
/* Ends a line left open by a stage that failed or was cancelled. */
void fl_client_progress_end_line (FlClientProgress *progress);

/* The lab's lines ("Frames download time: 0.42"), for the stages that finished. */
void fl_client_print_stage_lines (const FlClientRun *run);
/* --compare: per stage that ran, the baseline's and the chosen's median seconds
 * with their min..max, the speed-up and its verdict; how the runs were made;
 * then one sentence per stage (and what to try when there was nothing to hide). */
void fl_client_print_compare_table (const FlClientOptions *options, GPtrArray *records);
/* --sweep: one row per point of each sweep (repetitions, median, min, max,
 * frames/s, speed-up against its first point, efficiency, the model's ideal,
 * the verdict), then one sentence per sweep. */
void fl_client_print_sweep_table (const FlClientOptions *options, GPtrArray *records);
/* --sweep --json: {"records": [...], "repeat", "warmup", "fresh_frames",
 * "sweeps": [summary, ...]}. */
void fl_client_print_sweep_json (const FlClientOptions *options, GPtrArray *records);

/* --json for one run or a compare: {"config", "run" | "baseline", "chosen",
 * "speedup", "records", "ok"}. */
void fl_client_print_json (const FlClientOptions *options, const FlClientRun *runs,
                           GPtrArray *records, gboolean ok);

G_END_DECLS
