/* fl-sweep.c: a series of pipeline runs, one parameter changing, as records.
 *
 * Each run is an ordinary fl_pipeline_run on the calling thread, so a sweep is
 * cancelled the way a run is: the run in progress stops and reports
 * FL_ERROR_CANCELLED, its record is kept (ok FALSE), no later run starts. */
#include "fl-sweep.h"

#include "fl-error.h"

#include <glib/gstdio.h>

#include <string.h>

void
fl_run_record_fill (FlRunRecord *record, const FlPipelineConfig *config,
                    const FlPipelineResult *result, const GError *run_error)
{
  gboolean encode_started;

  g_return_if_fail (record != NULL && config != NULL && result != NULL);
  g_free (record->server);
  record->server = config->run_download
                     ? fl_download_config_describe_servers (&config->download) : NULL;
  record->frames = config->run_download ? config->download.n_frames
                   : config->encode.n_frames ? config->encode.n_frames
                   : config->download.n_frames;
  record->threads = config->run_download ? MAX (config->download.threads, 1u) : 0;
  record->processes = config->run_encode ? MAX (config->encode.processes, 1u) : 0;
  record->width = result->encode.screen_width;
  record->height = result->encode.screen_height;
  /* The pipeline stops at the first failed stage: an encode that never started
   * took no time. */
  encode_started = config->run_encode && (run_error == NULL || result->encode.seconds > 0);
  record->ran_download = config->run_download;
  record->ran_encode = encode_started;
  record->download_seconds = config->run_download ? result->download.seconds : 0.0;
  record->encode_seconds = encode_started ? result->encode.seconds : 0.0;
  record->download_wait_seconds = config->run_download ? result->download.wait_seconds : 0.0;
  record->retries = result->download.retries;
  record->failures = result->download.failures;
  record->ok = run_error == NULL;
  g_free (record->error);
  record->error = run_error ? g_strdup (run_error->message) : NULL;
  if (record->started_unix == 0)
    record->started_unix = g_get_real_time () / G_USEC_PER_SEC
                           - (gint64) (record->download_seconds + record->encode_seconds);
}

typedef struct
{
  FlPipelineConfig config;
  char *label;
} Plan;

static void
emit_run (FlEvents *events, FlEventKind kind, guint index, guint total, gint64 start,
          const GError *run_error)
{
  fl_events_emit (events, &(FlEvent) {
    .kind = kind, .t0 = start,
    .t1 = kind == FL_EVENT_RUN_STARTED ? start : g_get_monotonic_time (),
    .run = { .index = index, .total = total,
             .code = run_error != NULL ? run_error->code : FL_EVENT_NO_ERROR },
  });
}

static gboolean
cancelled (GCancellable *cancellable, GError **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  g_set_error_literal (error, FL_ERROR, FL_ERROR_CANCELLED, "The sweep was cancelled");
  return TRUE;
}

/* The frames of a download, removed so the next one writes into a folder
 * without them. Frames that are not there are fine. */
static void
remove_frames (const FlPipelineConfig *config)
{
  g_autoptr (GString) path = g_string_new (config->download.frames_dir);
  gsize dir_length;

  g_string_append_c (path, G_DIR_SEPARATOR);
  dir_length = path->len;
  for (guint i = 0; i < config->download.n_frames; i++)
    {
      g_string_truncate (path, dir_length);
      g_string_append_printf (path, "%u.png", i);
      (void) g_unlink (path->str);
    }
}

static guint
make_plans (FlSweepKind kind, const FlPipelineConfig *base, const guint *values, guint n_values,
            Plan *plans)
{
  if (kind == FL_SWEEP_COMPARE)
    {
      plans[0].config = *base;
      plans[0].config.download.threads = 1;
      plans[0].config.encode.processes = 1;
      plans[0].label = g_strdup ("baseline");
      plans[1].config = *base;
      plans[1].label = g_strdup ("chosen");
      return 2;
    }
  for (guint i = 0; i < n_values; i++)
    {
      plans[i].config = *base;
      if (kind == FL_SWEEP_THREADS)
        {
          plans[i].config.download.threads = MAX (values[i], 1u);
          plans[i].config.run_download = TRUE;
          plans[i].config.run_encode = FALSE;
          plans[i].label = g_strdup_printf ("threads=%u", values[i]);
        }
      else
        {
          plans[i].config.encode.processes = MAX (values[i], 1u);
          plans[i].config.run_download = FALSE;
          plans[i].config.run_encode = TRUE;
          plans[i].label = g_strdup_printf ("processes=%u", values[i]);
        }
    }
  return n_values;
}

/* One run of a plan; repetition 0 is a warm-up, whose record is dropped unless
 * it failed. */
static gboolean
run_plan (const Plan *plan, guint repetition, gboolean fresh_frames, guint index, guint total,
          const FlSweepCallbacks *callbacks, gpointer user_data, GCancellable *cancellable,
          GPtrArray *records, GError **error)
{
  g_autoptr (FlRunRecord) record = fl_run_record_new (plan->label);
  g_autoptr (GError) run_error = NULL;
  FlPipelineResult result;
  gint64 start;
  gboolean ok;

  if (fresh_frames && plan->config.run_download)
    remove_frames (&plan->config);
  record->repetition = repetition;
  record->started_unix = g_get_real_time () / G_USEC_PER_SEC;
  fl_run_record_fill (record, &plan->config, &(FlPipelineResult) { 0 }, NULL);
  record->ok = FALSE; /* not finished yet */
  if (callbacks->run_started)
    callbacks->run_started (index, total, record, user_data);
  start = g_get_monotonic_time ();
  emit_run (plan->config.events, FL_EVENT_RUN_STARTED, index, total, start, NULL);
  ok = fl_pipeline_run (&plan->config, cancellable, &result, &run_error);
  emit_run (plan->config.events, FL_EVENT_RUN_ENDED, index, total, start, run_error);
  fl_events_flush (plan->config.events);
  fl_run_record_fill (record, &plan->config, &result, run_error);
  if (callbacks->run_finished)
    callbacks->run_finished (index, total, record, user_data);
  if (callbacks->run_result)
    callbacks->run_result (index, &plan->config, &result, run_error, user_data);
  if (repetition > 0 || !ok)
    g_ptr_array_add (records, g_steal_pointer (&record));
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&run_error));
  return ok;
}

gboolean
fl_sweep_run (FlSweepKind kind, const FlPipelineConfig *base, const guint *values,
              guint n_values, const FlSweepOptions *options, const FlSweepCallbacks *callbacks,
              gpointer user_data, GCancellable *cancellable, GPtrArray *records, GError **error)
{
  static const FlSweepCallbacks no_callbacks = { 0 };
  static const FlSweepOptions once = { 1, 0, FALSE };
  g_autofree Plan *plans = NULL;
  guint n_plans, repeat, rounds, total, index = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (base != NULL && records != NULL, FALSE);
  g_return_val_if_fail (kind == FL_SWEEP_COMPARE || values != NULL || n_values == 0, FALSE);
  if (callbacks == NULL)
    callbacks = &no_callbacks;
  if (options == NULL)
    options = &once;

  if (kind != FL_SWEEP_COMPARE && n_values == 0)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                           "A sweep needs at least one value");
      return FALSE;
    }
  plans = g_new0 (Plan, kind == FL_SWEEP_COMPARE ? 2 : n_values);
  n_plans = make_plans (kind, base, values, n_values, plans);
  repeat = MAX (options->repeat, 1u);
  rounds = options->warmup + repeat;
  total = rounds * n_plans;

  /* The GIF runs share one set of frames: download it once, untimed by the
   * sweep (base->run_download FALSE means the frames are already there). */
  if (kind == FL_SWEEP_PROCESSES && base->run_download)
    {
      FlPipelineConfig download = *base;
      download.run_encode = FALSE;
      ok = !cancelled (cancellable, error)
           && fl_pipeline_run (&download, cancellable, NULL, error);
    }

  for (guint round = 0; ok && round < rounds; round++)
    for (guint i = 0; ok && i < n_plans; i++, index++)
      {
        guint repetition = round < options->warmup ? 0 : round - options->warmup + 1;

        ok = !cancelled (cancellable, error)
             && run_plan (&plans[i], repetition, options->fresh_frames, index, total, callbacks,
                          user_data, cancellable, records, error);
      }

  for (guint i = 0; i < n_plans; i++)
    g_free (plans[i].label);
  return ok;
}

gboolean
fl_sweep_parse (const char *text, FlSweepKind *kind, GArray **values, GError **error)
{
  g_autoptr (GArray) parsed = NULL;
  g_auto (GStrv) items = NULL;
  const char *equals, *list;
  guint64 max;

  g_return_val_if_fail (text != NULL && kind != NULL && values != NULL, FALSE);
  equals = strchr (text, '=');
  if (equals == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                   "The sweep \"%s\" is not valid: expected threads=N,N,... or "
                   "processes=N,N,...", text);
      return FALSE;
    }
  if (strncmp (text, "threads", (gsize) (equals - text)) == 0 && equals - text == 7)
    {
      *kind = FL_SWEEP_THREADS;
      max = 4096;
    }
  else if (strncmp (text, "processes", (gsize) (equals - text)) == 0 && equals - text == 9)
    {
      *kind = FL_SWEEP_PROCESSES;
      max = 256;
    }
  else
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                   "The sweep \"%s\" is not valid: the parameter must be threads or processes",
                   text);
      return FALSE;
    }
  list = equals + 1;
  items = g_strsplit (list, ",", -1);
  parsed = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; items[i] != NULL; i++)
    {
      guint64 value;
      guint value32;
      if (!g_ascii_string_to_unsigned (items[i], 10, 1, max, &value, NULL))
        {
          g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                       "The sweep \"%s\" is not valid: \"%s\" is not a number from 1 to %"
                       G_GUINT64_FORMAT, text, items[i], max);
          return FALSE;
        }
      value32 = (guint) value;
      g_array_append_val (parsed, value32);
    }
  if (parsed->len == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                   "The sweep \"%s\" is not valid: it lists no values", text);
      return FALSE;
    }
  *values = g_steal_pointer (&parsed);
  return TRUE;
}
