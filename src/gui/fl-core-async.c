/* fl-core-async.c: one GTask hand-off for every piece of the app's core work. */
#include "fl-core-async.h"

#include "fl-core-bridge.h"
#include "fl-draw-report.h"
#include "fl-error.h"
#include "fl-file.h"
#include "fl-report.h"
#include "fl-trace.h"
#include "fl-tsan.h"

/* Returns FALSE only with error set. */
typedef gboolean (*JobFunc) (gpointer data, GCancellable *cancellable, GError **error);

/* A piece of work. The pool thread touches only func, data, cancellable, ok,
 * cancelled and error, between the hand-offs; the rest is the main thread's.
 * Reference counted with atomics compiled here (TSan sees them): a sweep's
 * messages to the main loop hold a reference. */
typedef struct
{
  gint refs;
  JobFunc func;
  gpointer data;
  GDestroyNotify free_data;
  gboolean niced;            /* the work starts threads or processes of its own */
  GAsyncReadyCallback callback;
  gpointer user_data;
  FlRunModel *model;
  GMainContext *context;
  GCancellable *cancellable;
  gboolean ok, cancelled;
  GError *error;
  gboolean completed;        /* the callback ran: no more messages */
  /* Optional, on the main thread before the callback: the work's data to the model. */
  void (*complete) (gpointer data, FlRunModel *model);
} Job;

static Job *
job_ref (Job *job)
{
  __atomic_add_fetch (&job->refs, 1, __ATOMIC_RELAXED);
  return job;
}

static void
job_unref (Job *job)
{
  if (__atomic_sub_fetch (&job->refs, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  if (job->free_data != NULL && job->data != NULL)
    job->free_data (job->data);
  g_clear_object (&job->model);
  g_main_context_unref (job->context);
  g_clear_error (&job->error);
  g_free (job);
}

static gpointer
run_job (gpointer data)
{
  Job *job = data;

  job->ok = job->func (job->data, job->cancellable, &job->error);
  return NULL;
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error;
  gboolean ok;

  fl_tsan_acquire (job);
  job->cancellable = cancellable;
  if (job->niced)
    fl_bridge_run_in_background (run_job, job);
  else
    run_job (job);
  /* The last touches of job before the hand-off back. */
  ok = job->ok;
  job->cancelled = !ok && (g_error_matches (job->error, FL_ERROR, FL_ERROR_CANCELLED)
                           || g_error_matches (job->error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  error = ok ? NULL : g_steal_pointer (&job->error);
  fl_tsan_release (job);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;

  fl_tsan_acquire (job);
  if (job->model != NULL && job->complete != NULL)
    job->complete (job->data, job->model);
  if (job->model != NULL)
    fl_run_model_end (job->model, job->ok ? FL_RUN_STATE_DONE
                                  : job->cancelled ? FL_RUN_STATE_CANCELLED
                                                   : FL_RUN_STATE_FAILED);
  job->completed = TRUE;
  if (job->callback != NULL)
    job->callback (source, result, job->user_data);
  /* Here, on the main thread, after the caller is done with the data. */
  job_unref (job);
}

static Job *
job_new (JobFunc func, gpointer data, GDestroyNotify free_data, gboolean niced,
         FlRunModel *model, GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job = g_new0 (Job, 1);

  job->refs = 1;
  job->func = func;
  job->data = data;
  job->free_data = free_data;
  job->niced = niced;
  job->model = model != NULL ? g_object_ref (model) : NULL;
  job->callback = callback;
  job->user_data = user_data;
  job->context = g_main_context_ref_thread_default ();
  return job;
}

static void
job_start (Job *job, gpointer tag, GCancellable *cancellable)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, job_done, job);

  g_task_set_source_tag (task, tag);
  /* The work's own outcome, also when Cancel came after it ended: the model's
   * state and the _finish agree. */
  g_task_set_check_cancellable (task, FALSE);
  /* No destroy notify: job_done, which GTask always calls, drops the job. */
  g_task_set_task_data (task, job, NULL);
  if (job->model != NULL)
    fl_run_model_start (job->model);
  fl_tsan_release (job);
  g_task_run_in_thread (task, job_thread);
}

static Job *
job_of (GAsyncResult *result, gpointer tag)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, NULL);
  return g_task_get_task_data (G_TASK (result));
}

/* The _finish of work that has nothing to give back but its outcome. */
static gboolean
job_finish (GAsyncResult *result, gpointer tag, GError **error)
{
  job_of (result, tag);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
fl_run_setup_free (FlRunSetup *setup)
{
  if (setup == NULL)
    return;
  g_free (setup->host);
  g_free (setup->frames_dir);
  g_free (setup->output);
  g_strfreev (setup->frame_paths);
  g_free (setup);
}

/* The pipeline. */

typedef struct
{
  FlRunSetup *setup;
  FlPipelineResult result;
} PipelineData;

static void
pipeline_data_free (gpointer data)
{
  PipelineData *pipeline = data;

  fl_run_setup_free (pipeline->setup);
  g_free (pipeline);
}

static gboolean
pipeline_func (gpointer data, GCancellable *cancellable, GError **error)
{
  PipelineData *pipeline = data;

  return fl_pipeline_run (&pipeline->setup->config, cancellable, &pipeline->result, error);
}

void
fl_core_pipeline_async (FlRunSetup *setup, FlRunModel *model, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  PipelineData *pipeline = g_new0 (PipelineData, 1);

  pipeline->setup = setup;
  if (model != NULL)
    setup->config.events = fl_run_model_get_stream (model);
  job_start (job_new (pipeline_func, pipeline, pipeline_data_free, TRUE, model, callback,
                      user_data),
             fl_core_pipeline_async, cancellable);
}

gboolean
fl_core_pipeline_finish (GAsyncResult *result, const FlRunSetup **setup, FlPipelineResult *out,
                         GError **error)
{
  Job *job = job_of (result, fl_core_pipeline_async);
  PipelineData *pipeline = job->data;

  if (setup != NULL)
    *setup = pipeline->setup;
  if (out != NULL)
    *out = pipeline->result;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Sweeps. */

typedef struct
{
  FlSweepKind kind;
  FlRunSetup *setup;
  GArray *values;
  FlSweepOptions options;
  gboolean has_options;
  GPtrArray *records;
  GHashTable *commands;      /* a run's label -> its command line, filled on the thread */
  char *label;               /* the run that just finished, on the thread */
  FlCoreSweepFunc on_run;
  gpointer run_data;
  Job *job;                  /* not a reference: the job owns this */
} SweepData;

static void
sweep_data_free (gpointer data)
{
  SweepData *sweep = data;

  fl_run_setup_free (sweep->setup);
  g_array_unref (sweep->values);
  g_ptr_array_unref (sweep->records);
  g_hash_table_unref (sweep->commands);
  g_free (sweep->label);
  g_free (sweep);
}

/* A message from the work's thread to the main thread: the job's own
 * message types start with this. */
typedef struct JobMessage JobMessage;
typedef void (*JobMessageFunc) (JobMessage *message, gpointer job_data);
typedef void (*JobMessageClear) (JobMessage *message);

struct JobMessage
{
  Job *job;
  JobMessageFunc deliver;    /* main thread, only while the job's callback has not run */
  JobMessageClear clear;     /* frees the fields after this header; may be NULL */
};

static void
job_message_free (gpointer data)
{
  JobMessage *message = data;

  job_unref (message->job);
  if (message->clear != NULL)
    message->clear (message);
  g_free (message);
}

static gboolean
on_job_message (gpointer data)
{
  JobMessage *message = data;

  fl_tsan_acquire (message);
  if (!message->job->completed)
    message->deliver (message, message->job->data);
  return G_SOURCE_REMOVE;
}

/* From the work's thread: message (a JobMessage first, g_malloc'ed, taken)
 * to deliver on the job's main context. Always through the main loop:
 * g_main_context_invoke would run it right here, on this thread, whenever
 * nobody owns the main context (as between two iterations of a test's loop).
 * Idles of one priority run in the order they were added, and before the
 * task's callback (attached after them, at the same priority). */
static void
job_post (Job *job, gpointer message, JobMessageFunc deliver, JobMessageClear clear)
{
  g_autoptr (GSource) source = g_idle_source_new ();
  JobMessage *header = message;

  header->job = job_ref (job);
  header->deliver = deliver;
  header->clear = clear;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, on_job_message, message, job_message_free);
  fl_tsan_release (message);
  g_source_attach (source, job->context);
}

/* One message from the sweep's thread: a run started or finished. */
typedef struct
{
  JobMessage header;
  guint index, total;
  gboolean finished;
  FlRunRecord *record;
} Message;

static void
message_clear (JobMessage *header)
{
  fl_run_record_free (((Message *) header)->record);
}

static void
deliver_message (JobMessage *header, gpointer job_data)
{
  Message *message = (Message *) header;
  SweepData *sweep = job_data;

  if (sweep->on_run != NULL)
    sweep->on_run (message->index, message->total, message->record, message->finished,
                   sweep->run_data);
}

/* Sweep thread: a few calls per run, so one idle each is cheap. */
static void
post (SweepData *sweep, guint index, guint total, const FlRunRecord *record, gboolean finished)
{
  Message *message = g_new0 (Message, 1);

  message->index = index;
  message->total = total;
  message->finished = finished;
  message->record = fl_run_record_copy (record);
  job_post (sweep->job, message, deliver_message, message_clear);
}

static void
on_run_started (guint index, guint total, const FlRunRecord *record, gpointer user_data)
{
  post (user_data, index, total, record, FALSE);
}

static void
on_run_finished (guint index, guint total, const FlRunRecord *record, gpointer user_data)
{
  SweepData *sweep = user_data;

  g_free (sweep->label);
  sweep->label = g_strdup (record->label);
  post (sweep, index, total, record, TRUE);
}

/* After run_finished, with the run's own configuration: what repeats it. */
static void
on_run_result (guint index, const FlPipelineConfig *config, const FlPipelineResult *result,
               const GError *run_error, gpointer user_data)
{
  SweepData *sweep = user_data;

  if (sweep->label != NULL)
    g_hash_table_replace (sweep->commands, g_strdup (sweep->label),
                          fl_report_command_line (config, "frameloom-client"));
}

/* Main thread, the sweep over: its runs go to the model for a report. */
static void
sweep_complete (gpointer data, FlRunModel *model)
{
  SweepData *sweep = data;

  for (guint i = 0; i < sweep->records->len; i++)
    {
      const FlRunRecord *record = sweep->records->pdata[i];

      fl_run_model_add_record (model, record, g_hash_table_lookup (sweep->commands,
                                                                   record->label));
    }
}

static gboolean
sweep_func (gpointer data, GCancellable *cancellable, GError **error)
{
  static const FlSweepCallbacks callbacks = {
    on_run_started,
    on_run_finished,
    on_run_result,
  };
  SweepData *sweep = data;

  return fl_sweep_run (sweep->kind, &sweep->setup->config, (const guint *) sweep->values->data,
                       sweep->values->len, sweep->has_options ? &sweep->options : NULL,
                       &callbacks, sweep, cancellable, sweep->records, error);
}

void
fl_core_sweep_async (FlSweepKind kind, FlRunSetup *setup, GArray *values,
                     const FlSweepOptions *options, FlRunModel *model, FlCoreSweepFunc on_run,
                     gpointer run_data, GCancellable *cancellable, GAsyncReadyCallback callback,
                     gpointer user_data)
{
  SweepData *sweep = g_new0 (SweepData, 1);

  sweep->kind = kind;
  sweep->setup = setup;
  sweep->values = g_array_ref (values);
  sweep->has_options = options != NULL;
  if (options != NULL)
    sweep->options = *options;
  sweep->records = g_ptr_array_new_with_free_func ((GDestroyNotify) fl_run_record_free);
  sweep->commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sweep->on_run = on_run;
  sweep->run_data = run_data;
  if (model != NULL)
    setup->config.events = fl_run_model_get_stream (model);
  /* The sweep itself stays on the pool thread; each run's pipeline is niced
   * like a client run's. */
  sweep->job = job_new (sweep_func, sweep, sweep_data_free, TRUE, model, callback, user_data);
  sweep->job->complete = sweep_complete;
  job_start (sweep->job, fl_core_sweep_async, cancellable);
}

gboolean
fl_core_sweep_finish (GAsyncResult *result, GPtrArray **records, GError **error)
{
  Job *job = job_of (result, fl_core_sweep_async);

  if (records != NULL)
    *records = ((SweepData *) job->data)->records;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The lab's checker. */

typedef struct
{
  FlCheckServerConfig config;  /* its strings are the fields below */
  char *host, *command, *working_dir;
  FlCheckClient *checker;      /* a client's check: the caller's */
  FlCheckReport *report;
  FlCoreCheckFunc on_check;
  gpointer check_data;
  Job *job;                    /* not a reference: the job owns this */
} CheckData;

static void
check_data_free (gpointer data)
{
  CheckData *check = data;

  g_free (check->host);
  g_free (check->command);
  g_free (check->working_dir);
  fl_check_report_free (check->report);
  g_free (check);
}

/* A check started (no result) or ended, copied for the main thread. */
typedef struct
{
  JobMessage header;
  char *id, *name;
  FlCheckResult *result;
} CheckMessage;

static void
check_message_clear (JobMessage *header)
{
  CheckMessage *message = (CheckMessage *) header;

  g_free (message->id);
  g_free (message->name);
  if (message->result != NULL)
    g_free (message->result->evidence);
  g_free (message->result);
}

static void
deliver_check_message (JobMessage *header, gpointer job_data)
{
  CheckMessage *message = (CheckMessage *) header;
  CheckData *check = job_data;

  if (check->on_check != NULL)
    check->on_check (message->id, message->name, message->result, check->check_data);
}

static void
post_check (CheckData *check, const char *id, const char *name, const FlCheckResult *result)
{
  CheckMessage *message = g_new0 (CheckMessage, 1);

  message->id = g_strdup (id);
  message->name = g_strdup (name);
  if (result != NULL)
    {
      message->result = g_memdup2 (result, sizeof *result);
      message->result->evidence = g_strdup (result->evidence);
    }
  job_post (check->job, message, deliver_check_message, check_message_clear);
}

static void
on_check_started (const char *id, const char *name, gpointer user_data)
{
  post_check (user_data, id, name, NULL);
}

static void
on_check_finished (const FlCheckResult *result, gpointer user_data)
{
  post_check (user_data, result->id, result->name, result);
}

static gboolean
check_func (gpointer data, GCancellable *cancellable, GError **error)
{
  static const FlCheckCallbacks callbacks = { on_check_started, on_check_finished };
  CheckData *check = data;

  check->report = check->checker != NULL
                    ? fl_check_client_run (check->checker, &callbacks, check, cancellable, error)
                    : fl_check_server_run (&check->config, &callbacks, check, cancellable, error);
  return check->report != NULL;
}

static void
check_start (CheckData *check, FlCoreCheckFunc on_check, gpointer check_data,
             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  check->on_check = on_check;
  check->check_data = check_data;
  /* The checker starts the student's program and its own threads: niced like a run. */
  check->job = job_new (check_func, check, check_data_free, TRUE, NULL, callback, user_data);
  job_start (check->job, fl_core_check_server_async, cancellable);
}

void
fl_core_check_server_async (const FlCheckServerConfig *config, FlCoreCheckFunc on_check,
                            gpointer check_data, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  CheckData *check = g_new0 (CheckData, 1);

  check->config = *config;
  check->config.host = check->host = g_strdup (config->host);
  check->config.command = check->command = g_strdup (config->command);
  check->config.working_dir = check->working_dir = g_strdup (config->working_dir);
  check_start (check, on_check, check_data, cancellable, callback, user_data);
}

void
fl_core_check_client_async (FlCheckClient *checker, FlCoreCheckFunc on_check,
                            gpointer check_data, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  CheckData *check = g_new0 (CheckData, 1);

  check->checker = checker;
  check_start (check, on_check, check_data, cancellable, callback, user_data);
}

FlCheckReport *
fl_core_check_finish (GAsyncResult *result, GError **error)
{
  Job *job = job_of (result, fl_core_check_server_async);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return g_steal_pointer (&((CheckData *) job->data)->report);
}

/* The embedded server. */

typedef struct
{
  FlServer *server;
  guint grace_ms;
} ServerData;

static gboolean
server_start_func (gpointer data, GCancellable *cancellable, GError **error)
{
  return fl_server_start (((ServerData *) data)->server, error);
}

static gboolean
server_stop_func (gpointer data, GCancellable *cancellable, GError **error)
{
  ServerData *stop = data;

  fl_server_stop (stop->server, stop->grace_ms);
  return TRUE;
}

static void
server_stop_data_free (gpointer data)
{
  ServerData *stop = data;

  fl_server_free (stop->server);
  g_free (stop);
}

void
fl_core_server_start_async (FlServer *server, GAsyncReadyCallback callback, gpointer user_data)
{
  ServerData *start = g_new0 (ServerData, 1);

  start->server = server;
  /* The handler threads inherit the lower priority of the thread that starts them. */
  job_start (job_new (server_start_func, start, g_free, TRUE, NULL, callback, user_data),
             fl_core_server_start_async, NULL);
}

gboolean
fl_core_server_start_finish (GAsyncResult *result, GError **error)
{
  return job_finish (result, fl_core_server_start_async, error);
}

void
fl_core_server_stop_async (FlServer *server, guint grace_ms, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  ServerData *stop = g_new0 (ServerData, 1);

  stop->server = server;
  stop->grace_ms = grace_ms;
  job_start (job_new (server_stop_func, stop, server_stop_data_free, FALSE, NULL, callback,
                      user_data),
             fl_core_server_stop_async, NULL);
}

void
fl_core_server_stop_finish (GAsyncResult *result)
{
  job_finish (result, fl_core_server_stop_async, NULL);
}

/* The newest frame of a running download. */

static gboolean
peek_func (gpointer data, GCancellable *cancellable, GError **error)
{
  /* Finding no frame yet is no failure: the peek says so (no image). */
  fl_frame_peek_run (data);
  return TRUE;
}

void
fl_core_peek_frame_async (FlFramePeek *peek, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  job_start (job_new (peek_func, peek, (GDestroyNotify) fl_frame_peek_free, FALSE, NULL, callback,
                      user_data),
             fl_core_peek_frame_async, cancellable);
}

FlFramePeek *
fl_core_peek_frame_finish (GAsyncResult *result)
{
  Job *job = job_of (result, fl_core_peek_frame_async);
  FlFramePeek *peek = job->data;

  if (!g_task_propagate_boolean (G_TASK (result), NULL) || peek->image == NULL)
    return NULL;
  return g_steal_pointer (&job->data);
}

/* Exports. */

typedef struct
{
  char *path;
  GArray *events;
  GPtrArray *records;
  GHashTable *commands;
  char *server_command;
} ExportData;

static void
export_data_free (gpointer data)
{
  ExportData *export = data;

  g_free (export->path);
  g_array_unref (export->events);
  g_clear_pointer (&export->records, g_ptr_array_unref);
  g_clear_pointer (&export->commands, g_hash_table_unref);
  g_free (export->server_command);
  g_free (export);
}

/* The thread reads copies: a live model keeps growing on the main thread. */
static ExportData *
export_data_new (const char *path, FlRunModel *model, gboolean report)
{
  ExportData *export = g_new0 (ExportData, 1);
  GPtrArray *records = fl_run_model_get_records (model);
  GHashTableIter iter;
  gpointer key, value;

  export->path = g_strdup (path);
  export->events = g_array_copy (fl_run_model_get_events_array (model));
  if (!report)
    return export;
  export->records = g_ptr_array_new_full (records->len, (GDestroyNotify) fl_run_record_free);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (export->records, fl_run_record_copy (records->pdata[i]));
  export->commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  export->server_command = g_strdup (fl_run_model_get_server_command (model));
  g_hash_table_iter_init (&iter, fl_run_model_get_commands (model));
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (export->commands, g_strdup (key), g_strdup (value));
  return export;
}

/* An export writes files only: it runs at the app's own priority. */
static void
export_start (JobFunc func, FlRunModel *model, const char *path, gboolean report,
              GAsyncReadyCallback callback, gpointer user_data, gpointer tag)
{
  job_start (job_new (func, export_data_new (path, model, report), export_data_free, FALSE, NULL,
                      callback, user_data),
             tag, NULL);
}

static gboolean
trace_func (gpointer data, GCancellable *cancellable, GError **error)
{
  ExportData *export = data;
  FlTraceWriter *writer = fl_trace_writer_new (export->path, "frameloom", error);

  if (writer == NULL)
    return FALSE;
  fl_trace_writer_add ((const FlEvent *) export->events->data, export->events->len, writer);
  return fl_trace_writer_close (writer, error);
}

void
fl_core_write_trace_async (FlRunModel *model, const char *path, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  export_start (trace_func, model, path, FALSE, callback, user_data, fl_core_write_trace_async);
}

gboolean
fl_core_write_trace_finish (GAsyncResult *result, GError **error)
{
  return job_finish (result, fl_core_write_trace_async, error);
}

static gboolean
report_func (gpointer data, GCancellable *cancellable, GError **error)
{
  ExportData *export = data;

  return fl_file_ensure_dir (export->path, error)
         && fl_draw_report_write (export->path, NULL, export->records, export->commands,
                                  export->events, export->server_command, error);
}

void
fl_core_write_report_async (FlRunModel *model, const char *dir, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  export_start (report_func, model, dir, TRUE, callback, user_data, fl_core_write_report_async);
}

gboolean
fl_core_write_report_finish (GAsyncResult *result, GError **error)
{
  return job_finish (result, fl_core_write_report_async, error);
}
