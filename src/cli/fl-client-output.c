/* fl-client-output.c: frameloom-client's progress line, tables and JSON. */
#include "fl-client-output.h"

#include "fl-sync.h"

#include "fl-sweep-summary.h"

#include "fl-cli.h"
#include "fl-json.h"

#include <glib/gi18n.h>
#include <stdio.h>

struct _FlClientProgress
{
  gboolean enabled;
  const char *label;
  FlMutex lock;
  FlStage stage;
  guint64 total, done;
  gint64 stage_start;
  gint64 last_draw;
  gboolean line_open; /* a progress line is drawn and not ended yet */
};

static const char *
stage_name (FlStage stage)
{
  return stage == FL_STAGE_DOWNLOAD ? _("Download") : _("GIF");
}

static void
progress_draw (FlClientProgress *progress, guint64 done, guint64 total, gboolean final)
{
  double elapsed = (double) (g_get_monotonic_time () - progress->stage_start) / G_USEC_PER_SEC;
  double rate = elapsed > 0 ? (double) done / elapsed : 0;
  char bar[31];
  guint filled = total ? (guint) (done * 30 / total) : 30;
  g_autoptr (GString) line = g_string_new ("\r");

  for (guint i = 0; i < 30; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[30] = '\0';
  if (progress->label)
    g_string_append_printf (line, "%s ", progress->label);
  g_string_append_printf (line, "%-8s [%s] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                          "  %.0f frames/s", stage_name (progress->stage), bar, done, total, rate);
  if (final)
    g_string_append_printf (line, "  %.2f s\033[K\n", elapsed);
  else if (rate > 0)
    g_string_append_printf (line, "  ETA %.1f s\033[K", (double) (total - done) / rate);
  else
    g_string_append (line, "\033[K");
  fputs (line->str, stderr);
  fflush (stderr);
}

static void
progress_read_one (FlClientProgress *progress, const FlEvent *event)
{
  switch (event->kind)
    {
    case FL_EVENT_STAGE_STARTED:
      if (event->stage.stage > FL_STAGE_ENCODE)
        break;
      progress->stage = event->stage.stage;
      progress->total = event->stage.total;
      progress->done = 0;
      progress->stage_start = event->t0;
      progress->last_draw = 0;
      progress->line_open = TRUE;
      break;
    case FL_EVENT_FRAME_FETCHED:
      progress->done = MAX (progress->done, event->frame.done);
      break;
    case FL_EVENT_CHUNK_PROGRESS:
    case FL_EVENT_CHUNK_ENCODED:
      progress->done = MAX (progress->done, event->chunk.stage_done);
      break;
    case FL_EVENT_STAGE_ENDED:
      if (event->stage.stage > FL_STAGE_ENCODE || event->stage.code != FL_EVENT_NO_ERROR)
        break;
      if (progress->line_open)
        progress_draw (progress, progress->total, progress->total, TRUE);
      progress->line_open = FALSE;
      break;
    default:
      break;
    }
}

void
fl_client_progress_read (const FlEvent *events, guint n_events, gpointer data)
{
  FlClientProgress *progress = data;
  gint64 now = g_get_monotonic_time ();

  if (!progress->enabled)
    return;
  fl_mutex_lock (&progress->lock);
  for (guint i = 0; i < n_events; i++)
    progress_read_one (progress, &events[i]);
  /* At most ten times a second, whatever the rate of events. */
  if (progress->line_open && now - progress->last_draw >= G_USEC_PER_SEC / 10)
    {
      progress->last_draw = now;
      progress_draw (progress, progress->done, progress->total, FALSE);
    }
  fl_mutex_unlock (&progress->lock);
}

FlClientProgress *
fl_client_progress_new (gboolean enabled)
{
  FlClientProgress *progress = g_new0 (FlClientProgress, 1);

  progress->enabled = enabled;
  fl_mutex_init (&progress->lock);
  return progress;
}

void
fl_client_progress_free (FlClientProgress *progress)
{
  if (progress == NULL)
    return;
  fl_mutex_clear (&progress->lock);
  g_free (progress);
}

void
fl_client_progress_set_label (FlClientProgress *progress, const char *label)
{
  fl_mutex_lock (&progress->lock);
  progress->label = label;
  fl_mutex_unlock (&progress->lock);
}

void
fl_client_progress_end_line (FlClientProgress *progress)
{
  fl_mutex_lock (&progress->lock);
  if (progress->line_open)
    {
      fputc ('\n', stderr);
      progress->line_open = FALSE;
    }
  fl_mutex_unlock (&progress->lock);
}

void
fl_client_print_stage_lines (const FlClientRun *run)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* The lab's exact wording; never translated, scripts read it. */
  if (run->result.finished[FL_STAGE_DOWNLOAD])
    printf ("Frames download time: %s\n",
            fl_format_seconds (run->result.download.seconds, buffer, sizeof buffer));
  if (run->result.finished[FL_STAGE_ENCODE])
    printf ("GIF creation time: %s\n",
            fl_format_seconds (run->result.encode.seconds, buffer, sizeof buffer));
}

/* What to try when a summary found nothing to hide (the CLI's own words for
 * the app's presets). */
static const char *
hint (const FlSweepSummary *summary)
{
  if (!summary->nothing_to_hide)
    return NULL;
  return summary->stage == FL_STAGE_DOWNLOAD
           ? _("To see threads hide waiting, try a server that waits: frameloom-server "
               "--latency-ms 20")
           : _("To see processes share work, try heavier frames: frameloom-server --size "
               "256x256");
}

static void
print_sentence (const char *prefix, const FlSweepSummary *summary)
{
  const char *try = hint (summary);

  printf ("%s: %s\n", prefix, summary->sentence);
  if (try != NULL)
    printf ("  %s\n", try);
}

static void
print_how_measured (const FlClientOptions *options)
{
  /* TRANSLATORS: how each point was measured: "3 timed runs after 1 warm-up each" */
  printf (g_dngettext (NULL, "%u timed run", "%u timed runs", options->repeat), options->repeat);
  printf (g_dngettext (NULL, " after %u warm-up each", " after %u warm-ups each", options->warmup),
          options->warmup);
  printf ("; %s\n", options->fresh_frames
                      ? _("every download started from a folder without the frames")
                      : _("every download overwrote the frames in place"));
}

static void
print_spread_cell (const FlSpread *spread)
{
  g_autofree char *cell = g_strdup_printf ("%.4f (%.4f..%.4f)", spread->median, spread->min,
                                           spread->max);
  printf (" %26s", cell);
}

void
fl_client_print_compare_table (const FlClientOptions *options, GPtrArray *records)
{
  printf ("%-10s %26s %26s %9s  %s\n", _("Stage"), _("Baseline s (min..max)"),
          _("Chosen s (min..max)"), _("Speed-up"), _("Verdict"));
  for (int stage = 0; stage < 2; stage++)
    {
      gboolean ran = stage == 0 ? options->config.run_download : options->config.run_encode;
      g_autoptr (FlSweepSummary) summary = NULL;
      const FlSweepPoint *b, *c;

      if (!ran)
        continue;
      summary = fl_sweep_summarize (FL_SWEEP_COMPARE, (FlStage) stage, records, 0, records->len,
                                    0);
      if (summary->points->len < 2)
        continue;
      b = &g_array_index (summary->points, FlSweepPoint, 0);
      c = &g_array_index (summary->points, FlSweepPoint, 1);
      printf ("%-10s", stage_name ((FlStage) stage));
      print_spread_cell (&b->seconds);
      print_spread_cell (&c->seconds);
      printf (" %8.2fx  %s\n", c->speedup, fl_verdict_describe (c->verdict));
    }
  print_how_measured (options);
  for (int stage = 0; stage < 2; stage++)
    {
      gboolean ran = stage == 0 ? options->config.run_download : options->config.run_encode;
      g_autoptr (FlSweepSummary) summary = NULL;

      if (!ran)
        continue;
      summary = fl_sweep_summarize (FL_SWEEP_COMPARE, (FlStage) stage, records, 0, records->len,
                                    0);
      print_sentence (stage_name ((FlStage) stage), summary);
    }
}

/* The records of one of the options' sweeps. */
static FlSweepSummary *
summarize_sweep (const FlClientOptions *options, guint index, GPtrArray *records)
{
  const FlClientSweep *sweep = &g_array_index (options->sweeps, FlClientSweep, index);
  guint end = index + 1 < options->sweeps->len
                ? g_array_index (options->sweeps, FlClientSweep, index + 1).first
                : records->len;

  return fl_sweep_summarize (sweep->kind, FL_STAGE_DOWNLOAD, records, sweep->first,
                             end - sweep->first, 0);
}

void
fl_client_print_sweep_table (const FlClientOptions *options, GPtrArray *records)
{
  printf ("%-10s %6s %5s %10s %10s %10s %11s %9s %6s %7s  %s\n", _("Parameter"), _("Value"),
          _("Runs"), _("Median s"), _("Min s"), _("Max s"), _("Frames/s"), _("Speed-up"),
          _("Effic."), _("Ideal"), _("Verdict"));
  for (guint i = 0; i < options->sweeps->len; i++)
    {
      g_autoptr (FlSweepSummary) summary = summarize_sweep (options, i, records);
      const char *name = summary->kind == FL_SWEEP_THREADS ? "threads" : "processes";

      for (guint row = 0; row < summary->points->len; row++)
        {
          const FlSweepPoint *p = &g_array_index (summary->points, FlSweepPoint, row);

          if (p->seconds.n == 0)
            {
              printf ("%-10s %6u %5u %10s\n", name, p->value, 0u, _("failed"));
              continue;
            }
          printf ("%-10s %6u %5u %10.6f %10.6f %10.6f %11.1f %8.2fx %5.0f%% %6.2fx  %s\n", name,
                  p->value, p->seconds.n, p->seconds.median, p->seconds.min, p->seconds.max,
                  p->frames_per_second, p->speedup, p->efficiency * 100, p->ideal,
                  fl_verdict_describe (p->verdict));
        }
    }
  print_how_measured (options);
  for (guint i = 0; i < options->sweeps->len; i++)
    {
      g_autoptr (FlSweepSummary) summary = summarize_sweep (options, i, records);
      print_sentence (summary->kind == FL_SWEEP_THREADS ? _("Threads") : _("Processes"),
                      summary);
    }
}

void
fl_client_print_sweep_json (const FlClientOptions *options, GPtrArray *records)
{
  g_autoptr (GString) out = g_string_new ("{\"records\": ");
  g_autofree char *records_json = fl_run_records_to_json (records);

  g_strchomp (records_json);
  g_string_append (out, records_json);
  g_string_append_printf (out, ", \"repeat\": %u, \"warmup\": %u, \"fresh_frames\": %s, "
                          "\"sweeps\": [", options->repeat, options->warmup,
                          options->fresh_frames ? "true" : "false");
  for (guint i = 0; i < options->sweeps->len; i++)
    {
      g_autoptr (FlSweepSummary) summary = summarize_sweep (options, i, records);
      if (i > 0)
        g_string_append (out, ", ");
      fl_sweep_summary_append_json (summary, out);
    }
  g_string_append (out, "]}\n");
  fputs (out->str, stdout);
}

/* JSON, built by hand (the writers live in the core, shared with run records). */
#define json_string fl_json_append_string

static void
json_seconds (GString *out, double seconds)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, fl_format_seconds (seconds, buffer, sizeof buffer));
}

/* ", "servers": [...]": each server with the frames it delivered (and the
 * attempts that failed there) when result is given, else just the addresses. */
static void
json_servers (GString *out, const FlDownloadConfig *config, const FlDownloadResult *result)
{
  g_autofree char *described = fl_download_config_describe_servers (config);
  g_auto (GStrv) addresses = g_strsplit (described, ",", -1);

  g_string_append (out, ", \"servers\": [");
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      if (result == NULL)
        {
          json_string (out, addresses[i]);
          continue;
        }
      g_string_append (out, "{\"address\": ");
      json_string (out, addresses[i]);
      g_string_append_printf (out, ", \"frames\": %" G_GUINT64_FORMAT ", \"failures\": %"
                              G_GUINT64_FORMAT "}",
                              i < result->n_endpoints ? result->endpoint_frames[i] : 0,
                              i < result->n_endpoints ? result->endpoint_failures[i] : 0);
    }
  g_string_append_c (out, ']');
}

/* What both stages' objects start with, left open for their own fields:
 * {"seconds": ..., "frames": ..., "bytes": ... */
static void
json_stage_open (GString *out, double seconds, guint64 frames, guint64 bytes)
{
  g_string_append (out, "{\"seconds\": ");
  json_seconds (out, seconds);
  g_string_append_printf (out, ", \"frames\": %" G_GUINT64_FORMAT ", \"bytes\": %"
                          G_GUINT64_FORMAT, frames, bytes);
}

static void
json_download (GString *out, const FlClientRun *run)
{
  const FlDownloadResult *d = &run->result.download;

  json_stage_open (out, d->seconds, d->frames, d->bytes);
  g_string_append_printf (out, ", \"retries\": %" G_GUINT64_FORMAT ", \"failures\": %"
                          G_GUINT64_FORMAT ", \"threads\": %u",
                          d->retries, d->failures, run->config.download.threads);
  json_servers (out, &run->config.download, d);
  g_string_append_c (out, '}');
}

static void
json_encode (GString *out, const FlClientRun *run)
{
  const FlEncodeResult *e = &run->result.encode;

  json_stage_open (out, e->seconds, e->frames, e->bytes);
  g_string_append_printf (out, ", \"quantised_frames\": %" G_GUINT64_FORMAT
                          ", \"width\": %u, \"height\": %u, \"processes\": %u}",
                          e->quantised_frames, e->screen_width, e->screen_height,
                          run->config.encode.processes);
}

static void
json_run (GString *out, const FlClientRun *run)
{
  /* A run that never started has no figures, not zeros that look measured. */
  if (!run->started)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append (out, "{\"download\": ");
  if (run->result.finished[FL_STAGE_DOWNLOAD] || (run->config.run_download && !run->ok))
    json_download (out, run);
  else
    g_string_append (out, "null");
  g_string_append (out, ", \"encode\": ");
  if (run->result.finished[FL_STAGE_ENCODE])
    json_encode (out, run);
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ", \"ok\": %s, \"error\": ", run->ok ? "true" : "false");
  json_string (out, run->error ? run->error->message : NULL);
  g_string_append_c (out, '}');
}

/* ", "speedup": {...}, "summary": {...}": the medians' ratio per stage and the
 * whole summary (null for a stage that did not run in both). */
static void
json_compare (GString *out, const FlClientOptions *options, GPtrArray *records)
{
  FlSweepSummary *summaries[2] = { NULL, NULL };

  for (int stage = 0; stage < 2; stage++)
    {
      FlSweepSummary *summary = fl_sweep_summarize (FL_SWEEP_COMPARE, (FlStage) stage, records,
                                                    0, records->len, 0);
      if (summary->points->len == 2
          && g_array_index (summary->points, FlSweepPoint, 1).seconds.n > 0)
        summaries[stage] = summary;
      else
        fl_sweep_summary_free (summary);
    }
  g_string_append (out, ", \"speedup\": {");
  for (int stage = 0; stage < 2; stage++)
    {
      g_string_append_printf (out, "%s\"%s\": ", stage ? ", " : "",
                              stage == FL_STAGE_DOWNLOAD ? "download" : "encode");
      if (summaries[stage] != NULL)
        json_seconds (out, g_array_index (summaries[stage]->points, FlSweepPoint, 1).speedup);
      else
        g_string_append (out, "null");
    }
  g_string_append_printf (out, "}, \"repeat\": %u, \"warmup\": %u, \"summary\": {",
                          options->repeat, options->warmup);
  for (int stage = 0; stage < 2; stage++)
    {
      g_string_append_printf (out, "%s\"%s\": ", stage ? ", " : "",
                              stage == FL_STAGE_DOWNLOAD ? "download" : "encode");
      if (summaries[stage] != NULL)
        fl_sweep_summary_append_json (summaries[stage], out);
      else
        g_string_append (out, "null");
    }
  g_string_append_c (out, '}');
  for (int stage = 0; stage < 2; stage++)
    fl_sweep_summary_free (summaries[stage]);
}

static void
json_config (GString *out, const FlClientOptions *options)
{
  const FlPipelineConfig *config = &options->config;

  g_string_append (out, "{\"host\": ");
  json_string (out, config->download.host);
  g_string_append_printf (out, ", \"port\": %u, \"frames\": %u, \"threads\": %u, "
                          "\"processes\": %u", config->download.port,
                          config->download.n_frames, config->download.threads,
                          config->encode.processes);
  json_servers (out, &config->download, NULL);
  g_string_append (out, ", \"frames_dir\": ");
  json_string (out, config->download.frames_dir);
  g_string_append (out, ", \"output\": ");
  json_string (out, config->encode.output);
  g_string_append_printf (out, ", \"delay_ms\": %u, \"loop\": %u, \"sequential\": %s, "
                          "\"download\": %s, \"encode\": %s}", config->encode.delay_ms,
                          config->encode.loop, options->sequential ? "true" : "false",
                          config->run_download ? "true" : "false",
                          config->run_encode ? "true" : "false");
}

void
fl_client_print_json (const FlClientOptions *options, const FlClientRun *runs,
                      GPtrArray *records, gboolean ok)
{
  g_autoptr (GString) out = g_string_new ("{\"config\": ");
  g_autofree char *records_json = fl_run_records_to_json (records);

  json_config (out, options);
  if (options->mode == FL_CLIENT_MODE_COMPARE)
    {
      g_string_append (out, ", \"baseline\": ");
      json_run (out, &runs[0]);
      g_string_append (out, ", \"chosen\": ");
      json_run (out, &runs[1]);
      json_compare (out, options, records);
    }
  else
    {
      g_string_append (out, ", \"run\": ");
      json_run (out, &runs[1]);
    }
  g_strchomp (records_json);
  g_string_append_printf (out, ", \"records\": %s, \"ok\": %s}\n", records_json,
                          ok ? "true" : "false");
  fputs (out->str, stdout);
}
