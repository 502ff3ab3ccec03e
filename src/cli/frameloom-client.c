/* frameloom-client: the lab's client, as a thin front-end over the core's
 * pipeline and sweeps.
 *
 * Signals are blocked in every thread and taken by one helper thread with
 * sigwait: the first Ctrl-C cancels the run (workers are killed and reaped, no
 * GIF is left), a second one exits at once. */
#include "fl-config.h"

#include "fl-check-output.h"
#include "fl-check-server.h"
#include "fl-cli.h"
#include "fl-file.h"
#include "fl-client-options.h"
#include "fl-client-output.h"
#include "fl-client-report.h"
#include "fl-i18n.h"
#include "fl-process.h"
#include "fl-report.h"
#include "fl-trace.h"

#include <glib/gi18n.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#define EXIT_INTERRUPTED 130

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

  /* The set main blocked (blocking it again here changes nothing). */
  fl_cli_block_stop_signals (&signals);
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

/* What a run, a compare or a sweep shares while it goes. */
typedef struct
{
  FlClientProgress *progress;
  FlClientRun *runs;       /* --compare: [0] baseline, [1] chosen */
  GCancellable *cancellable;
  GPtrArray *records;
  const FlSweepOptions *sweep_options;
  GHashTable *commands;    /* --report: a run's label -> the command that repeats it, or NULL */
  char *label;             /* of the run under way */
} Session;

/* For --report: the command that repeats the run under way (its warm-ups and
 * repetitions are the same command). */
static void
note_command (Session *session, const FlPipelineConfig *config)
{
  if (session->commands != NULL && session->label != NULL)
    g_hash_table_insert (session->commands, g_strdup (session->label),
                         fl_report_command_line (config, g_get_prgname ()));
}

static void
on_run_started (guint index, guint total, const FlRunRecord *record, gpointer data)
{
  Session *session = data;

  /* The record lives until the records are freed, after every run. */
  fl_client_progress_set_label (session->progress, record->label);
  g_free (session->label);
  session->label = g_strdup (record->label);
}

static void
on_run_result (guint index, const FlPipelineConfig *config, const FlPipelineResult *result,
               const GError *run_error, gpointer data)
{
  Session *session = data;
  FlClientRun *run;

  note_command (session, config);
  if (session->runs == NULL)
    return;
  /* A compare alternates baseline and chosen: keep the latest of each. */
  run = &session->runs[index % 2];
  run->config = *config;
  run->result = *result;
  run->ok = run_error == NULL;
  run->started = TRUE;
  g_clear_error (&run->error);
  run->error = run_error ? g_error_copy (run_error) : NULL;
}

static FlSweepCallbacks
sweep_callbacks (Session *session)
{
  FlSweepCallbacks callbacks = {
    .run_started = on_run_started,
    .run_result = on_run_result,
  };

  return callbacks;
}

/* A sweep keeps its runs as records only. */
static void
on_sweep_run_result (guint index, const FlPipelineConfig *config, const FlPipelineResult *result,
                     const GError *run_error, gpointer data)
{
  note_command (data, config);
}

/* One run, the lab's way. */
static gboolean
run_once (Session *session, const FlPipelineConfig *config)
{
  FlClientRun *run = &session->runs[1];
  FlRunRecord *record = fl_run_record_new ("run");

  run->config = *config;
  run->started = TRUE;
  run->ok = fl_pipeline_run (&run->config, session->cancellable, &run->result, &run->error);
  fl_client_progress_end_line (session->progress);
  fl_run_record_fill (record, &run->config, &run->result, run->error);
  g_ptr_array_add (session->records, record);
  session->label = g_strdup (record->label);
  note_command (session, &run->config);
  return run->ok;
}

/* The sequential baseline, then config: the core's compare, labelled on the
 * progress line. */
static gboolean
run_compare (Session *session, const FlPipelineConfig *config)
{
  FlSweepCallbacks callbacks = sweep_callbacks (session);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  ok = fl_sweep_run (FL_SWEEP_COMPARE, config, NULL, 0, session->sweep_options, &callbacks,
                     session, session->cancellable, session->records, &error);
  fl_client_progress_end_line (session->progress);
  return ok && session->runs[0].ok && session->runs[1].ok;
}

/* Runs the sweeps in order. A processes sweep after a threads sweep reuses the
 * frames it downloaded. Returns FALSE at the first failed or cancelled run. */
static gboolean
run_sweeps (Session *session, const FlPipelineConfig *config, GArray *sweeps, GError **error)
{
  FlSweepCallbacks callbacks = sweep_callbacks (session);
  gboolean downloaded = !config->run_download;

  callbacks.run_result = on_sweep_run_result;
  for (guint i = 0; i < sweeps->len; i++)
    {
      FlClientSweep *sweep = &g_array_index (sweeps, FlClientSweep, i);
      FlPipelineConfig base = *config;
      gboolean ok;

      base.run_download = !downloaded;
      sweep->first = session->records->len;
      ok = fl_sweep_run (sweep->kind, &base, (const guint *) (gpointer) sweep->values->data,
                         sweep->values->len, session->sweep_options, &callbacks, session,
                         session->cancellable, session->records, error);
      fl_client_progress_end_line (session->progress);
      if (!ok)
        return FALSE;
      downloaded = TRUE;
    }
  return TRUE;
}

/* --check-server: the lab's checker, a line per check or JSON; the exit status. */
static int
run_check_server (const FlClientOptions *options, GCancellable *cancellable)
{
  FlCheckServerConfig config = {
    .host = options->check_host,
    .port = options->check_port,
    .command = options->check_server_command,
    .max_failures = options->max_failures,
  };
  g_autofree char *heading =
    options->check_server_command
      ? g_strdup_printf (_("Checking the server that “%s” starts, at %s:%u"),
                         options->check_server_command, options->check_host, options->check_port)
      : g_strdup_printf (_("Checking the server at %s:%u"), options->check_host,
                         options->check_port);
  FlCheckOutput output = { .json = options->json, .heading = heading };
  g_autoptr (GError) error = NULL;
  g_autoptr (FlCheckReport) report = fl_check_server_run (&config, fl_check_output_callbacks (),
                                                          &output, cancellable, &error);

  if (report == NULL)
    {
      fl_cli_error ("%s", error->message);
      return FL_EXIT_FAILURE;
    }
  return fl_check_output_finish (&output, report);
}

static void
report_interrupted (const FlClientOptions *options, GPtrArray *records)
{
  guint done = 0, total = 0;

  if (options->mode == FL_CLIENT_MODE_CHECK_SERVER)
    {
      fl_cli_error (_("Interrupted: the check stopped; the checks above had ended"));
      return;
    }

  if (options->mode != FL_CLIENT_MODE_SWEEP)
    {
      fl_cli_error (_("Interrupted: the frames already written stay in %s; no GIF was written"),
                    options->config.download.frames_dir);
      return;
    }
  for (guint i = 0; i < records->len; i++)
    done += ((FlRunRecord *) records->pdata[i])->ok;
  for (guint i = 0; i < options->sweeps->len; i++)
    total += g_array_index (options->sweeps, FlClientSweep, i).values->len * options->repeat;
  fl_cli_error (_("Interrupted: the sweep stopped after %u of its %u timed runs"), done, total);
}

/* Prints the results; returns the exit status. */
static int
report (const FlClientOptions *options, const FlClientRun *runs, GPtrArray *records,
        gboolean ok, const GError *sweep_error)
{
  const FlClientRun *failed = options->mode == FL_CLIENT_MODE_COMPARE && !runs[0].ok
                                ? &runs[0] : &runs[1];

  if (options->mode == FL_CLIENT_MODE_SWEEP)
    {
      if (options->json)
        fl_client_print_sweep_json (options, records);
      else
        fl_client_print_sweep_table (options, records);
      if (sweep_error != NULL)
        fl_cli_error ("%s", sweep_error->message);
      return ok ? FL_EXIT_OK : FL_EXIT_FAILURE;
    }
  if (options->json)
    fl_client_print_json (options, runs, records, ok);
  else if (options->mode == FL_CLIENT_MODE_COMPARE && ok)
    fl_client_print_compare_table (options, records);
  else if (options->mode == FL_CLIENT_MODE_RUN)
    fl_client_print_stage_lines (&runs[1]);
  if (failed->error)
    fl_cli_error ("%s", failed->error->message);
  return ok ? FL_EXIT_OK : FL_EXIT_FAILURE;
}

static gboolean
save_records (GPtrArray *records, const char *path, GError **error)
{
  if (g_str_has_suffix (path, ".json") || g_str_has_suffix (path, ".JSON"))
    return fl_run_records_save_json (records, path, error);
  return fl_run_records_save_csv (records, path, error);
}

/* A file written after the runs failed: one sentence, and a run that went well
 * fails all the same. Takes the error. */
static int
output_failed (int status, GError **error)
{
  fl_cli_error ("%s", (*error)->message);
  g_clear_error (error);
  return status == FL_EXIT_OK ? FL_EXIT_FAILURE : status;
}

/* A records file, a report or a trace that cannot be written fails now, not
 * after the runs (the pipeline checks --output and the worker itself, for the
 * app too). Returns FL_EXIT_OK, or the status to exit with. */
static int
prepare_outputs (FlClientOptions *options, FlTraceWriter **trace)
{
  g_autoptr (GError) error = NULL;

  if (options->records_path != NULL && !fl_file_check_output (options->records_path, &error))
    {
      fl_cli_error ("%s", error->message);
      return FL_EXIT_FAILURE;
    }
  if ((options->report_dir != NULL && !fl_client_report_prepare (options->report_dir, &error))
      || (options->trace_path != NULL
          && (*trace = fl_trace_writer_new (options->trace_path, g_get_prgname (), &error))
               == NULL))
    {
      fl_cli_error ("%s", error->message);
      return FL_EXIT_USAGE;
    }
  return FL_EXIT_OK;
}

/* Blocks SIGINT, SIGTERM and SIGUSR1 before any other thread starts, so every
 * thread inherits the mask, and starts the one thread that waits for them. */
static GThread *
start_signal_thread (SignalState *state)
{
  sigset_t signals;

  fl_cli_block_stop_signals (&signals);
  return g_thread_new ("signals", signal_thread, state);
}

/* The runs the options ask for: one, a comparison, or sweeps. */
static gboolean
run_mode (Session *session, FlClientOptions *options, GError **error)
{
  switch (options->mode)
    {
    case FL_CLIENT_MODE_RUN:
      return run_once (session, &options->config);
    case FL_CLIENT_MODE_COMPARE:
      return run_compare (session, &options->config);
    case FL_CLIENT_MODE_SWEEP:
    default:
      return run_sweeps (session, &options->config, options->sweeps, error);
    }
}

/* After the runs: the trace, the report and the records, each written whole or
 * said to have failed (status then says so). Takes events, report_log and trace. */
static int
write_outputs (const FlClientOptions *options, char **given, GPtrArray *records,
               GHashTable *commands, FlEventLog *report_log, FlEvents *events,
               FlTraceWriter *trace, int status)
{
  g_autoptr (GArray) report_events = NULL;
  GError *output_error = NULL;

  /* Every run flushed its events: the trace has them all, also when a run
   * failed or was interrupted (it shows where the time went until then). */
  if (report_log != NULL)
    {
      report_events = fl_event_log_dup (report_log);
      fl_event_log_free (report_log);
    }
  fl_events_free (events);
  if (trace != NULL && !fl_trace_writer_close (trace, &output_error))
    status = output_failed (status, &output_error);
  if (options->report_dir != NULL
      && !fl_client_report_write (options->report_dir, given, records, commands, report_events,
                                  &output_error))
    status = output_failed (status, &output_error);
  if (options->records_path != NULL
      && !save_records (records, options->records_path, &output_error))
    status = output_failed (status, &output_error);
  return status;
}

int
main (int argc, char **argv)
{
  g_auto (FlClientOptions) options = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GPtrArray) records = fl_run_records_new ();
  g_autoptr (GHashTable) commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          g_free);
  /* As given: parsing takes the options out of argv. */
  g_auto (GStrv) given = g_strdupv (argv);
  g_autoptr (FlClientProgress) progress = NULL;
  /* After progress, so it is freed first: its readers use progress and trace. */
  g_autoptr (FlEvents) events = NULL;
  FlTraceWriter *trace = NULL;
  FlEventLog *report_log = NULL;      /* --report: the timeline's events */
  FlClientRun runs[2] = { 0 };
  Session session;
  SignalState signal_state = { .cancellable = cancellable };
  GThread *signals_thread;
  gboolean ok;
  int status, check_status = FL_EXIT_OK;

  fl_process_init ();
  fl_i18n_init ();
  g_set_prgname ("frameloom-client");
  if (!fl_client_options_parse (&options, argc, argv))
    return FL_EXIT_USAGE;
  status = prepare_outputs (&options, &trace);
  if (status != FL_EXIT_OK)
    return status;
  signals_thread = start_signal_thread (&signal_state);

  progress = fl_client_progress_new (!options.quiet && isatty (STDERR_FILENO));
  /* Always on: the progress line and the trace are readers of one stream. */
  events = fl_events_new (0);
  fl_events_add_reader (events, fl_client_progress_read, progress, NULL);
  if (trace != NULL)
    fl_events_add_reader (events, fl_trace_writer_add, trace, NULL);
  if (options.report_dir != NULL)
    report_log = fl_event_log_new (events);
  options.config.events = events;
  session = (Session) { progress, runs, cancellable, records, &options.sweep_options,
                        options.report_dir != NULL ? commands : NULL, NULL };
  if (options.mode == FL_CLIENT_MODE_CHECK_SERVER)
    {
      check_status = run_check_server (&options, cancellable);
      ok = check_status == FL_EXIT_OK;
    }
  else
    ok = run_mode (&session, &options, &error);

  /* A signal that came after the work was done changes nothing. */
  if (g_atomic_int_get (&signal_state.interrupted) && !ok)
    {
      report_interrupted (&options, records);
      status = EXIT_INTERRUPTED;
    }
  else if (options.mode == FL_CLIENT_MODE_CHECK_SERVER)
    status = check_status;
  else if (options.gif_to_stdout)
    status = fl_client_make_gif_to_stdout (&options, ok, runs[1].error);
  else
    status = report (&options, runs, records, ok, error);
  fflush (stdout);

  status = write_outputs (&options, given, records, commands, report_log,
                          g_steal_pointer (&events), trace, status);

  /* Process-directed, so it reaches the one thread that waits for it. */
  kill (getpid (), SIGUSR1);
  g_thread_join (signals_thread);
  for (int i = 0; i < 2; i++)
    g_clear_error (&runs[i].error);
  g_free (session.label);
  return status;
}
