/* frameloom-client: the lab's client, as a thin front-end over fl_pipeline_run.
 *
 * stdout carries only the lab's two lines (or one JSON object, or the --compare
 * or --sweep table); progress goes to stderr when it is a terminal. Signals are blocked in
 * every thread and taken by one helper thread with sigwait: the first Ctrl-C
 * cancels the run (workers are killed and reaped, no GIF is left), a second one
 * exits at once. */
#include "fl-config.h"
#include "fl-sync.h"

#include "fl-cli.h"
#include "fl-error.h"
#include "fl-net.h"
#include "fl-pipeline.h"
#include "fl-run-record.h"
#include "fl-sweep.h"

#include <glib/gi18n.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Threads measured against frameloom-server on this 2-core machine, 5000 frames,
 * --download-only, medians of 5 runs interleaved with bench/fl-loadgen -t 4 -w (the
 * C floor), while other builds kept the load average at 5-10, so the figures are
 * noisy. Round 1: T=1 2.40 s, 2 2.08 s, 4 1.70 s, 8 2.28 s, 16 2.92 s (floor 1.89 s).
 * Round 2: 1 2.62 s, 2 1.99 s, 4 1.75 s, 8 1.67 s, 16 1.97 s (floor 2.06 s).
 * 4 and 8 tie, both at the floor; 4 keeps both cores busy while a reply is in
 * flight without crowding the server's own threads on the same two cores. */
#define DEFAULT_THREADS 4
#define DEFAULT_FRAMES 5000
#define DEFAULT_DELAY_MS 500
#define EXIT_INTERRUPTED 130

typedef struct
{
  gboolean enabled;
  const char *label;
  FlMutex lock;       /* the stream's reader against main, between runs */
  FlStage stage;
  guint64 total, done;
  gint64 stage_start;
  gint64 last_draw;
  gboolean line_open; /* a progress line is drawn and not ended yet */
  gboolean finished[2]; /* per FlStage, in the current run */
} Progress;

static const char *
stage_name (FlStage stage)
{
  return stage == FL_STAGE_DOWNLOAD ? _("Download") : _("GIF");
}

#define format_seconds fl_format_seconds

static void
progress_draw (Progress *progress, guint64 done, guint64 total, gboolean final)
{
  double elapsed = (double) (g_get_monotonic_time () - progress->stage_start) / G_USEC_PER_SEC;
  double rate = elapsed > 0 ? (double) done / elapsed : 0;
  char bar[31];
  guint filled = total ? (guint) (done * 30 / total) : 30;
  GString *line = g_string_new ("\r");

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
  g_string_free (line, TRUE);
}

typedef struct
{
  FlPipelineConfig config;
  FlPipelineResult result;
  GError *error;
  gboolean ok;
  gboolean started;     /* FALSE for --compare's chosen run when the baseline failed */
  gboolean finished[2]; /* per FlStage */
  Progress *progress;
} Run;

/* The progress bar and the stages that finished, read from the event stream. */
static void
progress_read (const FlEvent *events, guint n_events, gpointer data)
{
  Progress *progress = data;
  gint64 now = g_get_monotonic_time ();

  fl_mutex_lock (&progress->lock);
  for (guint i = 0; i < n_events; i++)
    {
      const FlEvent *event = &events[i];

      if (event->kind == FL_EVENT_STAGE_STARTED && event->stage.stage <= FL_STAGE_ENCODE)
        {
          progress->stage = event->stage.stage;
          progress->total = event->stage.total;
          progress->done = 0;
          progress->stage_start = event->t0;
          progress->last_draw = 0;
          progress->line_open = progress->enabled;
        }
      else if (event->kind == FL_EVENT_FRAME_FETCHED)
        progress->done = MAX (progress->done, event->frame.done);
      else if (event->kind == FL_EVENT_CHUNK_PROGRESS || event->kind == FL_EVENT_CHUNK_ENCODED)
        progress->done = MAX (progress->done, event->chunk.stage_done);
      else if (event->kind == FL_EVENT_STAGE_ENDED && event->stage.stage <= FL_STAGE_ENCODE
               && event->stage.code == FL_EVENT_NO_ERROR)
        {
          progress->finished[event->stage.stage] = TRUE;
          if (progress->line_open)
            progress_draw (progress, progress->total, progress->total, TRUE);
          progress->line_open = FALSE;
        }
    }
  /* At most ten times a second. */
  if (progress->line_open && now - progress->last_draw >= G_USEC_PER_SEC / 10)
    {
      progress->last_draw = now;
      progress_draw (progress, progress->done, progress->total, FALSE);
    }
  fl_mutex_unlock (&progress->lock);
}

/* Signals, taken synchronously on one thread. */
typedef struct
{
  GCancellable *cancellable;
  gint interrupted;
} SignalState;

static gpointer
signal_thread (gpointer data)
{
  SignalState *state = data;
  sigset_t signals;
  int sig;

  sigemptyset (&signals);
  sigaddset (&signals, SIGINT);
  sigaddset (&signals, SIGTERM);
  sigaddset (&signals, SIGUSR1);
  for (;;)
    {
      sigwait (&signals, &sig);
      if (sig == SIGUSR1)
        return NULL;
      if (g_atomic_int_get (&state->interrupted))
        {
          fprintf (stderr, _("%s: stopping at once\n"), g_get_prgname ());
          _exit (EXIT_INTERRUPTED);
        }
      g_atomic_int_set (&state->interrupted, 1);
      g_cancellable_cancel (state->cancellable);
    }
}

/* JSON, built by hand (the writers live in the core, shared with run records). */
#define json_string fl_json_append_string

static void
json_seconds (GString *out, double seconds)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, format_seconds (seconds, buffer, sizeof buffer));
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

static void
json_run (GString *out, const Run *run)
{
  const FlDownloadResult *d = &run->result.download;
  const FlEncodeResult *e = &run->result.encode;

  /* A run that never started has no figures, not zeros that look measured. */
  if (!run->started)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append (out, "{\"download\": ");
  if (run->finished[FL_STAGE_DOWNLOAD] || (run->config.run_download && !run->ok))
    {
      g_string_append (out, "{\"seconds\": ");
      json_seconds (out, d->seconds);
      g_string_append_printf (out, ", \"frames\": %" G_GUINT64_FORMAT ", \"bytes\": %"
                              G_GUINT64_FORMAT ", \"retries\": %" G_GUINT64_FORMAT
                              ", \"failures\": %" G_GUINT64_FORMAT ", \"threads\": %u",
                              d->frames, d->bytes, d->retries, d->failures,
                              run->config.download.threads);
      json_servers (out, &run->config.download, d);
      g_string_append_c (out, '}');
    }
  else
    g_string_append (out, "null");
  g_string_append (out, ", \"encode\": ");
  if (run->finished[FL_STAGE_ENCODE])
    {
      g_string_append (out, "{\"seconds\": ");
      json_seconds (out, e->seconds);
      g_string_append_printf (out, ", \"frames\": %" G_GUINT64_FORMAT ", \"bytes\": %"
                              G_GUINT64_FORMAT ", \"quantised_frames\": %" G_GUINT64_FORMAT
                              ", \"width\": %u, \"height\": %u, \"processes\": %u}",
                              e->frames, e->bytes, e->quantised_frames, e->screen_width,
                              e->screen_height, run->config.encode.processes);
    }
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ", \"ok\": %s, \"error\": ", run->ok ? "true" : "false");
  json_string (out, run->error ? run->error->message : NULL);
  g_string_append_c (out, '}');
}

static void
json_speedup (GString *out, const Run *baseline, const Run *chosen)
{
  const double b[2] = { baseline->result.download.seconds, baseline->result.encode.seconds };
  const double c[2] = { chosen->result.download.seconds, chosen->result.encode.seconds };

  g_string_append (out, ", \"speedup\": {");
  for (int stage = 0; stage < 2; stage++)
    {
      g_string_append_printf (out, "%s\"%s\": ", stage ? ", " : "",
                              stage == FL_STAGE_DOWNLOAD ? "download" : "encode");
      if (baseline->finished[stage] && chosen->finished[stage] && c[stage] > 0)
        json_seconds (out, b[stage] / c[stage]);
      else
        g_string_append (out, "null");
    }
  g_string_append_c (out, '}');
}

static void
json_config (GString *out, const FlPipelineConfig *config, gboolean sequential)
{
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
                          config->encode.loop, sequential ? "true" : "false",
                          config->run_download ? "true" : "false",
                          config->run_encode ? "true" : "false");
}

static void
run_pipeline (Run *run, Progress *progress, GCancellable *cancellable)
{
  run->progress = progress;
  run->started = TRUE;
  fl_mutex_lock (&progress->lock);
  memset (progress->finished, 0, sizeof progress->finished);
  fl_mutex_unlock (&progress->lock);
  run->ok = fl_pipeline_run (&run->config, cancellable, &run->result, &run->error);
  /* The pipeline flushed its events: the reader is done with this run. */
  fl_mutex_lock (&progress->lock);
  memcpy (run->finished, progress->finished, sizeof run->finished);
  fl_mutex_unlock (&progress->lock);
  if (progress->line_open)
    {
      fputc ('\n', stderr);
      progress->line_open = FALSE;
    }
}

static void
print_stage_lines (const Run *run)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* The lab's exact wording; never translated, scripts read it. */
  if (run->finished[FL_STAGE_DOWNLOAD])
    printf ("Frames download time: %s\n",
            format_seconds (run->result.download.seconds, buffer, sizeof buffer));
  if (run->finished[FL_STAGE_ENCODE])
    printf ("GIF creation time: %s\n",
            format_seconds (run->result.encode.seconds, buffer, sizeof buffer));
}

static void
print_compare_table (const Run *baseline, const Run *chosen)
{
  printf ("%-10s %12s %12s %10s\n", _("Stage"), _("Baseline s"), _("Chosen s"), _("Speed-up"));
  for (int stage = 0; stage < 2; stage++)
    {
      gboolean ran = stage == 0 ? chosen->config.run_download : chosen->config.run_encode;
      double b = stage == 0 ? baseline->result.download.seconds : baseline->result.encode.seconds;
      double c = stage == 0 ? chosen->result.download.seconds : chosen->result.encode.seconds;
      if (!ran)
        continue;
      printf ("%-10s %12.4f %12.4f %9.2fx\n", stage_name ((FlStage) stage), b, c,
              c > 0 ? b / c : 0.0);
    }
}

/* --sweep: the runs as records, then one table. */
typedef struct
{
  FlSweepKind kind;
  GArray *values;  /* guint */
  guint first;     /* its first row in the records */
} Sweep;

static void
sweep_clear (gpointer data)
{
  Sweep *sweep = data;

  g_clear_pointer (&sweep->values, g_array_unref);
}

static void
on_sweep_run_started (guint index, guint total, const FlRunRecord *record, gpointer data)
{
  Progress *progress = ((Run *) data)->progress;

  /* The record lives until the sweep's records are freed, after every run. */
  fl_mutex_lock (&progress->lock);
  progress->label = record->label;
  fl_mutex_unlock (&progress->lock);
}

/* Runs the sweeps in order. A processes sweep after a threads sweep reuses the
 * frames it downloaded. Returns FALSE at the first failed or cancelled run. */
static gboolean
run_sweeps (const FlPipelineConfig *config, GArray *sweeps, Progress *progress,
            GCancellable *cancellable, GPtrArray *records, GError **error)
{
  const FlSweepCallbacks callbacks = {
    .run_started = on_sweep_run_started,
  };
  gboolean downloaded = !config->run_download;
  Run context = { .progress = progress };

  for (guint i = 0; i < sweeps->len; i++)
    {
      Sweep *sweep = &g_array_index (sweeps, Sweep, i);
      FlPipelineConfig base = *config;
      gboolean ok;

      base.run_download = !downloaded;
      sweep->first = records->len;
      ok = fl_sweep_run (sweep->kind, &base, (const guint *) (gpointer) sweep->values->data,
                         sweep->values->len, &callbacks, &context, cancellable, records, error);
      if (progress->line_open)
        {
          fputc ('\n', stderr);
          progress->line_open = FALSE;
        }
      if (!ok)
        return FALSE;
      downloaded = TRUE;
    }
  return TRUE;
}

/* One row per run: the seconds and frames/s of the stage the sweep varies, and
 * the speed-up against the sweep's first row. */
static void
print_sweep_table (GArray *sweeps, GPtrArray *records)
{
  printf ("%-10s %6s %11s %11s %9s\n", _("Parameter"), _("Value"), _("Seconds"),
          _("Frames/s"), _("Speed-up"));
  for (guint i = 0; i < sweeps->len; i++)
    {
      const Sweep *sweep = &g_array_index (sweeps, Sweep, i);
      gboolean threads = sweep->kind == FL_SWEEP_THREADS;
      double first_seconds = 0;

      for (guint row = sweep->first; row < records->len && row - sweep->first < sweep->values->len;
           row++)
        {
          const FlRunRecord *r = records->pdata[row];
          double seconds = threads ? r->download_seconds : r->encode_seconds;
          double rate = threads ? fl_run_record_download_rate (r) : fl_run_record_encode_rate (r);

          if (row == sweep->first)
            first_seconds = seconds;
          if (!r->ok)
            {
              printf ("%-10s %6u %11s\n", threads ? "threads" : "processes",
                      threads ? r->threads : r->processes, _("failed"));
              continue;
            }
          printf ("%-10s %6u %11.6f %11.1f %8.2fx\n", threads ? "threads" : "processes",
                  threads ? r->threads : r->processes, seconds, rate,
                  seconds > 0 ? first_seconds / seconds : 0.0);
        }
    }
}

/* The run (or the two of --compare) as records, for --json and --save-records. */
static void
add_record (GPtrArray *records, const char *label, const Run *run)
{
  FlRunRecord *record = fl_run_record_new (label);

  fl_run_record_fill (record, &run->config, &run->result, run->error);
  g_ptr_array_add (records, record);
}

static gboolean
save_records (GPtrArray *records, const char *path, GError **error)
{
  if (g_str_has_suffix (path, ".json") || g_str_has_suffix (path, ".JSON"))
    return fl_run_records_save_json (records, path, error);
  return fl_run_records_save_csv (records, path, error);
}

/* --server HOST:PORT, repeatable; a missing port is --port's. */
static gboolean
parse_servers (char **servers, guint default_port, FlEndpoint *endpoints, GPtrArray *hosts,
               guint *n_endpoints)
{
  guint n = g_strv_length (servers);

  if (n > FL_DOWNLOAD_MAX_ENDPOINTS)
    {
      fl_cli_error (_("Too many servers: %u, at most %u"), n, FL_DOWNLOAD_MAX_ENDPOINTS);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      char *host = NULL;
      guint port;

      if (!fl_net_parse_endpoint (servers[i], default_port, &host, &port, NULL)
          || host[0] == '\0')
        {
          g_free (host);
          fl_cli_error (_("Server \"%s\" is not valid: expected HOST:PORT with a port from 1 "
                          "to 65535"), servers[i]);
          return FALSE;
        }
      g_ptr_array_add (hosts, host);
      endpoints[i].host = host;
      endpoints[i].port = port;
    }
  *n_endpoints = n;
  return TRUE;
}

static gboolean
parse_count (const char *text, const char *what, guint64 min, guint64 max, guint *value)
{
  guint64 parsed;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &parsed, NULL))
    {
      fl_cli_error (_("%s \"%s\" is not valid: expected a number from %llu to %llu"), what,
                    text, (unsigned long long) min, (unsigned long long) max);
      return FALSE;
    }
  *value = (guint) parsed;
  return TRUE;
}

static int
usage_error (const char *message)
{
  fl_cli_error ("%s", message);
  fprintf (stderr, _("Try \"%s --help\" for more information.\n"), g_get_prgname ());
  return FL_EXIT_USAGE;
}

/* Prints --json's object (or the lab's lines, or the --compare table) for one
 * run or a compare; returns the exit status. */
static int
report_runs (const FlPipelineConfig *config, Run *runs, gboolean compare, gboolean sequential,
             gboolean json, GPtrArray *records)
{
  Run *chosen = &runs[1];
  Run *failed = compare && !runs[0].ok ? &runs[0] : chosen;
  int status = failed->ok ? FL_EXIT_OK : FL_EXIT_FAILURE;

  if (json)
    {
      g_autoptr (GString) out = g_string_new ("{\"config\": ");
      g_autofree char *records_json = fl_run_records_to_json (records);

      json_config (out, config, sequential);
      if (compare)
        {
          g_string_append (out, ", \"baseline\": ");
          json_run (out, &runs[0]);
          g_string_append (out, ", \"chosen\": ");
          json_run (out, chosen);
          json_speedup (out, &runs[0], chosen);
        }
      else
        {
          g_string_append (out, ", \"run\": ");
          json_run (out, chosen);
        }
      g_strchomp (records_json);
      g_string_append_printf (out, ", \"records\": %s, \"ok\": %s}\n", records_json,
                              status == 0 ? "true" : "false");
      fputs (out->str, stdout);
    }
  else if (compare && status == FL_EXIT_OK)
    print_compare_table (&runs[0], chosen);
  else if (!compare)
    print_stage_lines (chosen);
  if (failed->error)
    fl_cli_error ("%s", failed->error->message);
  return status;
}

int
main (int argc, char **argv)
{
  g_autofree char *host = NULL, *port_text = NULL, *frames_text = NULL;
  g_autofree char *threads_text = NULL, *processes_text = NULL, *frames_dir = NULL;
  g_autofree char *output = NULL, *delay_text = NULL, *loop_text = NULL;
  g_autofree char *records_path = NULL;
  g_auto (GStrv) servers = NULL;
  g_auto (GStrv) sweep_texts = NULL;
  gboolean sequential = FALSE, download_only = FALSE, encode_only = FALSE, compare = FALSE;
  gboolean json = FALSE, quiet = FALSE, version = FALSE;
  GOptionEntry entries[] = {
    { "host", 'H', 0, G_OPTION_ARG_STRING, &host,
      N_("Server address, IPv4, IPv6 or a name (default 127.0.0.1)"), N_("ADDR") },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port_text,
      N_("Server TCP port (default 1234)"), N_("N") },
    { "server", 's', 0, G_OPTION_ARG_STRING_ARRAY, &servers,
      N_("A server; repeat to spread the frames over several (instead of --host)"),
      N_("HOST:PORT") },
    { "frames", 'n', 0, G_OPTION_ARG_STRING, &frames_text,
      N_("Number of frames to download and encode (default 5000)"), N_("N") },
    { "threads", 't', 0, G_OPTION_ARG_STRING, &threads_text,
      N_("Download connections at once, one thread each (default 4)"), N_("T") },
    { "processes", 'P', 0, G_OPTION_ARG_STRING, &processes_text,
      N_("GIF worker processes (default: 2, at most the CPU count)"), N_("P") },
    { "frames-dir", 'd', 0, G_OPTION_ARG_FILENAME, &frames_dir,
      N_("Folder for the frames <i>.png (default frames)"), N_("DIR") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The animated GIF to write (default frameloom.gif)"), N_("FILE") },
    { "delay-ms", 0, 0, G_OPTION_ARG_STRING, &delay_text,
      N_("Delay per frame in milliseconds (default 500)"), N_("D") },
    { "loop", 0, 0, G_OPTION_ARG_STRING, &loop_text,
      N_("Times the animation repeats, 0 for forever (default 0)"), N_("L") },
    { "sequential", 0, 0, G_OPTION_ARG_NONE, &sequential,
      N_("Run the lab's unoptimised client: one connection at a time, one process"), NULL },
    { "download-only", 0, 0, G_OPTION_ARG_NONE, &download_only,
      N_("Only download the frames"), NULL },
    { "encode-only", 0, 0, G_OPTION_ARG_NONE, &encode_only,
      N_("Only build the GIF from the frames already in the folder"), NULL },
    { "compare", 0, 0, G_OPTION_ARG_NONE, &compare,
      N_("Run the sequential baseline, then this configuration, and print the speed-up"), NULL },
    { "sweep", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sweep_texts,
      N_("Time one run per value, e.g. threads=1,2,4,8 or processes=1,2; repeatable"),
      N_("PARAM=N,...") },
    { "save-records", 0, 0, G_OPTION_ARG_FILENAME, &records_path,
      N_("Also save the runs as CSV, or as JSON when FILE ends in .json"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print JSON instead of the timing lines (the runs as records for --sweep)"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Show no progress"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GArray) sweeps = g_array_new (FALSE, TRUE, sizeof (Sweep));
  FlEndpoint endpoints[FL_DOWNLOAD_MAX_ENDPOINTS];
  FlPipelineConfig config = { 0 };
  Progress progress = { 0 };
  g_autoptr (FlEvents) events = NULL;
  SignalState signal_state = { 0 };
  Run runs[2] = { 0 };
  Run *chosen = &runs[1];
  guint port = 1234, frames = DEFAULT_FRAMES, threads = DEFAULT_THREADS, n_endpoints = 0;
  guint cpus = g_get_num_processors ();
  guint processes = MIN (2u, cpus), delay_ms = DEFAULT_DELAY_MS, loop = 0;
  gboolean sweep_threads = FALSE, sweep_processes = FALSE, all_ok;
  GThread *signals_thread;
  sigset_t signals;
  int status;

  fl_cli_init ();
  g_set_prgname ("frameloom-client");
  g_array_set_clear_func (sweeps, sweep_clear);
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, FL_GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Downloads N random frames from a frameloom server with a pool of threads, then\n"
      "builds a lossless animated GIF from them with worker processes, timing each stage."));
  g_option_context_add_main_entries (context, entries, FL_GETTEXT_PACKAGE);
  fl_cli_parse_or_exit (context, &argc, &argv, &version);

  if ((port_text && !fl_net_parse_port (port_text, FALSE, &port, &error)))
    return usage_error (error->message);
  if (!parse_count (frames_text, _("Frames"), 1, 10000000, &frames)
      || !parse_count (threads_text, _("Threads"), 1, 4096, &threads)
      || !parse_count (processes_text, _("Processes"), 1, 256, &processes)
      || !parse_count (delay_text, _("Delay"), 0, 655350, &delay_ms)
      || !parse_count (loop_text, _("Loop count"), 0, 65535, &loop))
    return FL_EXIT_USAGE;
  if (servers != NULL && !parse_servers (servers, port, endpoints, hosts, &n_endpoints))
    return FL_EXIT_USAGE;
  for (guint i = 0; sweep_texts != NULL && sweep_texts[i] != NULL; i++)
    {
      Sweep sweep = { 0 };
      if (!fl_sweep_parse (sweep_texts[i], &sweep.kind, &sweep.values, &error))
        return usage_error (error->message);
      sweep_threads |= sweep.kind == FL_SWEEP_THREADS;
      sweep_processes |= sweep.kind == FL_SWEEP_PROCESSES;
      g_array_append_val (sweeps, sweep);
    }
  if (download_only && encode_only)
    return usage_error (_("--download-only and --encode-only cannot be used together"));
  if (sequential && (threads_text || processes_text))
    return usage_error (_("--sequential means one thread and one process: drop --threads and "
                          "--processes"));
  if (sequential && compare)
    return usage_error (_("--compare already runs the sequential baseline: drop --sequential"));
  if (sweeps->len > 0 && (compare || sequential))
    return usage_error (_("--sweep sets threads or processes itself: drop --compare and "
                          "--sequential"));
  /* The swept value replaces the option: taking one silently would time
   * something other than what the user asked for. */
  if (sweep_threads && threads_text != NULL)
    return usage_error (_("A threads sweep sets the thread count of each run: drop --threads"));
  if (sweep_processes && processes_text != NULL)
    return usage_error (_("A processes sweep sets the process count of each run: drop "
                          "--processes"));
  if (sweep_threads && encode_only)
    return usage_error (_("A threads sweep times the download: drop --encode-only"));
  if (sweep_processes && download_only)
    return usage_error (_("A processes sweep times the GIF: drop --download-only"));
  if (servers != NULL && host != NULL)
    return usage_error (_("--server and --host cannot be used together: give every server "
                          "with --server"));
  if (host != NULL && host[0] == '\0')
    return usage_error (_("The server address is empty"));
  if (sequential)
    threads = processes = 1;
  if (processes > cpus && !download_only)
    fl_cli_error (_("warning: %u worker processes on %u CPUs will compete for them"), processes,
                  cpus);

  config.download.host = host ? host : "127.0.0.1";
  config.download.port = port;
  config.download.endpoints = n_endpoints ? endpoints : NULL;
  config.download.n_endpoints = n_endpoints;
  config.download.frames_dir = frames_dir ? frames_dir : "frames";
  config.download.n_frames = frames;
  config.download.threads = threads;
  config.encode.frames_dir = config.download.frames_dir;
  config.encode.n_frames = frames;
  config.encode.processes = processes;
  config.encode.delay_ms = delay_ms;
  config.encode.loop = loop;
  config.encode.output = output ? output : "frameloom.gif";
  config.run_download = !encode_only;
  config.run_encode = !download_only;

  /* Blocked before any thread starts, so every thread inherits the mask. */
  sigemptyset (&signals);
  sigaddset (&signals, SIGINT);
  sigaddset (&signals, SIGTERM);
  sigaddset (&signals, SIGUSR1);
  pthread_sigmask (SIG_BLOCK, &signals, NULL);
  cancellable = g_cancellable_new ();
  signal_state.cancellable = cancellable;
  signals_thread = g_thread_new ("signals", signal_thread, &signal_state);

  progress.enabled = !quiet && isatty (STDERR_FILENO);
  fl_mutex_init (&progress.lock);
  events = fl_events_new (0);
  fl_events_add_reader (events, progress_read, &progress, NULL);
  config.events = events;
  if (sweeps->len > 0)
    {
      all_ok = run_sweeps (&config, sweeps, &progress, cancellable, records, &error);
    }
  else
    {
      if (compare)
        {
          runs[0].config = config;
          runs[0].config.download.threads = 1;
          runs[0].config.encode.processes = 1;
          progress.label = _("baseline");
          run_pipeline (&runs[0], &progress, cancellable);
          progress.label = _("chosen  ");
          add_record (records, "baseline", &runs[0]);
        }
      chosen->config = config;
      if (!compare || runs[0].ok)
        {
          run_pipeline (chosen, &progress, cancellable);
          add_record (records, compare ? "chosen" : "run", chosen);
        }
      all_ok = chosen->ok && (!compare || runs[0].ok);
    }

  /* A signal that came after the work was done changes nothing. */
  if (g_atomic_int_get (&signal_state.interrupted) && !all_ok)
    {
      if (sweeps->len > 0)
        {
          guint done = 0, total = 0;
          for (guint i = 0; i < records->len; i++)
            done += ((FlRunRecord *) records->pdata[i])->ok;
          for (guint i = 0; i < sweeps->len; i++)
            total += g_array_index (sweeps, Sweep, i).values->len;
          fl_cli_error (_("Interrupted: the sweep stopped after %u of its %u runs"), done, total);
        }
      else
        fl_cli_error (_("Interrupted: the frames already written stay in %s; no GIF was "
                        "written"), config.download.frames_dir);
      status = EXIT_INTERRUPTED;
    }
  else if (sweeps->len > 0)
    {
      status = all_ok ? FL_EXIT_OK : FL_EXIT_FAILURE;
      if (json)
        {
          g_autofree char *text = fl_run_records_to_json (records);
          fputs (text, stdout);
        }
      else
        print_sweep_table (sweeps, records);
      if (error != NULL)
        fl_cli_error ("%s", error->message);
    }
  else
    status = report_runs (&config, runs, compare, sequential, json, records);
  fflush (stdout);

  if (records_path != NULL)
    {
      g_autoptr (GError) save_error = NULL;
      if (!save_records (records, records_path, &save_error))
        {
          fl_cli_error ("%s", save_error->message);
          if (status == FL_EXIT_OK)
            status = FL_EXIT_FAILURE;
        }
    }

  /* Process-directed, so it reaches the one thread that waits for it. */
  kill (getpid (), SIGUSR1);
  g_thread_join (signals_thread);
  for (int i = 0; i < 2; i++)
    g_clear_error (&runs[i].error);
  g_clear_pointer (&events, fl_events_free);
  fl_mutex_clear (&progress.lock);
  return status;
}
