/* fl-run-model.c: the bridge's events, taken on the main loop, as properties. */
#include "fl-run-model.h"

#include <string.h>

struct _FlRunModel
{
  GObject parent_instance;

  FlPipelineBridge *bridge;
  FlRunState state;
  guint tick_id;
  GArray *events;            /* FlEvent, every one so far */
  FlRunStage stages[2];
  gint64 stage_t0[2];
  gint latest_frame;
  GPtrArray *records;
  GHashTable *commands;
  char *server_command;
};

G_DEFINE_FINAL_TYPE (FlRunModel, fl_run_model, G_TYPE_OBJECT)

/* Per stage, in this order, from PROP_STAGE_FIRST (download) and
 * PROP_STAGE_FIRST + N_STAGE_PROPS (encode). */
enum
{
  STAGE_DONE,
  STAGE_TOTAL,
  STAGE_FRACTION,
  STAGE_SECONDS,
  STAGE_STARTED,
  STAGE_FINISHED,
  N_STAGE_PROPS
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_LATEST_FRAME,
  PROP_N_EVENTS,
  PROP_STAGE_FIRST,
  N_PROPS = PROP_STAGE_FIRST + 2 * N_STAGE_PROPS
};

enum
{
  EVENTS_ADDED,
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

FlRunModel *
fl_run_model_new (void)
{
  return g_object_new (FL_TYPE_RUN_MODEL, NULL);
}

FlEvents *
fl_run_model_get_stream (FlRunModel *self)
{
  g_return_val_if_fail (FL_IS_RUN_MODEL (self), NULL);
  return fl_pipeline_bridge_get_events (self->bridge);
}

FlPipelineBridge *
fl_run_model_get_bridge (FlRunModel *self)
{
  g_return_val_if_fail (FL_IS_RUN_MODEL (self), NULL);
  return self->bridge;
}

FlRunState
fl_run_model_get_state (FlRunModel *self)
{
  g_return_val_if_fail (FL_IS_RUN_MODEL (self), FL_RUN_STATE_IDLE);
  return self->state;
}

void
fl_run_model_get_stage (FlRunModel *self, FlStage stage, FlRunStage *out)
{
  g_return_if_fail (FL_IS_RUN_MODEL (self) && stage <= FL_STAGE_ENCODE);
  *out = self->stages[stage];
}

gboolean
fl_run_model_get_latest_frame (FlRunModel *self, guint *index)
{
  g_return_val_if_fail (FL_IS_RUN_MODEL (self), FALSE);
  if (self->latest_frame < 0)
    return FALSE;
  *index = (guint) self->latest_frame;
  return TRUE;
}

GArray *
fl_run_model_get_events_array (FlRunModel *self)
{
  g_return_val_if_fail (FL_IS_RUN_MODEL (self), NULL);
  return self->events;
}

void
fl_run_model_add_record (FlRunModel *self, const FlRunRecord *record, const char *command)
{
  g_return_if_fail (FL_IS_RUN_MODEL (self));
  g_ptr_array_add (self->records, fl_run_record_copy (record));
  if (command != NULL)
    g_hash_table_replace (self->commands, g_strdup (record->label), g_strdup (command));
}

GPtrArray *
fl_run_model_get_records (FlRunModel *self)
{
  return self->records;
}

GHashTable *
fl_run_model_get_commands (FlRunModel *self)
{
  return self->commands;
}

void
fl_run_model_set_server_command (FlRunModel *self, const char *command)
{
  g_return_if_fail (FL_IS_RUN_MODEL (self));
  g_free (self->server_command);
  self->server_command = g_strdup (command);
}

const char *
fl_run_model_get_server_command (FlRunModel *self)
{
  return self->server_command;
}

static void
reset_stages (FlRunModel *self)
{
  memset (self->stages, 0, sizeof self->stages);
  self->stage_t0[0] = self->stage_t0[1] = 0;
}

/* One event's effect on the figures; the events themselves are kept as they are. */
static void
apply (FlRunModel *self, const FlEvent *event)
{
  FlStage stage = event->stage.stage;

  switch (event->kind)
    {
    case FL_EVENT_RUN_STARTED:
      /* A sweep's runs each count from zero. */
      reset_stages (self);
      break;
    case FL_EVENT_STAGE_STARTED:
      if (stage > FL_STAGE_ENCODE)
        break;
      self->stages[stage] = (FlRunStage) { .total = event->stage.total, .started = TRUE,
                                           .tracks = event->stage.tracks };
      self->stage_t0[stage] = event->t0;
      break;
    case FL_EVENT_STAGE_ENDED:
      if (stage > FL_STAGE_ENCODE)
        break;
      self->stages[stage].done = MAX (self->stages[stage].done, event->stage.done);
      self->stages[stage].seconds = (double) (event->t1 - event->t0) / G_USEC_PER_SEC;
      self->stages[stage].finished = event->stage.code == FL_EVENT_NO_ERROR;
      self->stage_t0[stage] = 0;
      break;
    case FL_EVENT_FRAME_FETCHED:
      self->latest_frame = (gint) event->frame.index;
      self->stages[FL_STAGE_DOWNLOAD].done = MAX (self->stages[FL_STAGE_DOWNLOAD].done,
                                                  event->frame.done);
      break;
    case FL_EVENT_CHUNK_PROGRESS:
    case FL_EVENT_CHUNK_ENCODED:
      self->stages[FL_STAGE_ENCODE].done = MAX (self->stages[FL_STAGE_ENCODE].done,
                                                event->chunk.stage_done);
      break;
    default:
      break;
    }
}

static void
notify_changes (FlRunModel *self, const FlRunStage *before, gint latest_before, guint n_before)
{
  for (guint s = 0; s < 2; s++)
    {
      const FlRunStage *a = &before[s], *b = &self->stages[s];
      gboolean changed[N_STAGE_PROPS] = {
        a->done != b->done, a->total != b->total, a->fraction != b->fraction,
        a->seconds != b->seconds, a->started != b->started, a->finished != b->finished,
      };

      for (guint p = 0; p < N_STAGE_PROPS; p++)
        if (changed[p])
          g_object_notify_by_pspec (G_OBJECT (self),
                                    properties[PROP_STAGE_FIRST + s * N_STAGE_PROPS + p]);
    }
  if (latest_before != self->latest_frame)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATEST_FRAME]);
  if (n_before != self->events->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_EVENTS]);
}

void
fl_run_model_update (FlRunModel *self)
{
  g_autoptr (GArray) taken = fl_pipeline_bridge_take_events (self->bridge);
  FlRunStage before[2];
  gint latest_before = self->latest_frame;
  guint first = self->events->len;
  gint64 now = g_get_monotonic_time ();

  memcpy (before, self->stages, sizeof before);
  for (guint i = 0; i < taken->len; i++)
    apply (self, &g_array_index (taken, FlEvent, i));
  g_array_append_vals (self->events, taken->data, taken->len);
  for (guint s = 0; s < 2; s++)
    {
      FlRunStage *stage = &self->stages[s];

      if (stage->started && !stage->finished && self->stage_t0[s] != 0
          && self->state == FL_RUN_STATE_RUNNING)
        stage->seconds = (double) (now - self->stage_t0[s]) / G_USEC_PER_SEC;
      stage->fraction = stage->total ? MIN ((double) stage->done / (double) stage->total, 1.0)
                                     : 0.0;
    }
  g_object_freeze_notify (G_OBJECT (self));
  notify_changes (self, before, latest_before, first);
  g_object_thaw_notify (G_OBJECT (self));
  if (taken->len > 0)
    g_signal_emit (self, signals[EVENTS_ADDED], 0, first, taken->len);
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
on_tick (gpointer data)
{
  fl_run_model_update (data);
  return G_SOURCE_CONTINUE;
}

static void
set_state (FlRunModel *self, FlRunState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
fl_run_model_start (FlRunModel *self)
{
  g_return_if_fail (FL_IS_RUN_MODEL (self));
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add (FL_BRIDGE_TICK_MS, on_tick, self);
  set_state (self, FL_RUN_STATE_RUNNING);
}

void
fl_run_model_end (FlRunModel *self, FlRunState state)
{
  g_return_if_fail (FL_IS_RUN_MODEL (self));
  /* Every module flushed the stream before the run's thread returned. */
  fl_run_model_update (self);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  set_state (self, state);
}

static void
fl_run_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlRunModel *self = FL_RUN_MODEL (object);
  const FlRunStage *stage;

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      return;
    case PROP_LATEST_FRAME:
      g_value_set_int (value, self->latest_frame);
      return;
    case PROP_N_EVENTS:
      g_value_set_uint (value, self->events->len);
      return;
    default:
      break;
    }
  if (prop_id < PROP_STAGE_FIRST || prop_id >= N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  stage = &self->stages[(prop_id - PROP_STAGE_FIRST) / N_STAGE_PROPS];
  switch ((prop_id - PROP_STAGE_FIRST) % N_STAGE_PROPS)
    {
    case STAGE_DONE:
      g_value_set_uint64 (value, stage->done);
      break;
    case STAGE_TOTAL:
      g_value_set_uint64 (value, stage->total);
      break;
    case STAGE_FRACTION:
      g_value_set_double (value, stage->fraction);
      break;
    case STAGE_SECONDS:
      g_value_set_double (value, stage->seconds);
      break;
    case STAGE_STARTED:
      g_value_set_boolean (value, stage->started);
      break;
    default:
      g_value_set_boolean (value, stage->finished);
      break;
    }
}

static void
fl_run_model_finalize (GObject *object)
{
  FlRunModel *self = FL_RUN_MODEL (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_array_unref (self->events);
  g_ptr_array_unref (self->records);
  g_hash_table_unref (self->commands);
  g_free (self->server_command);
  fl_pipeline_bridge_unref (self->bridge);
  G_OBJECT_CLASS (fl_run_model_parent_class)->finalize (object);
}

/* "download-done" and the like, interned: a param spec keeps the pointer. */
static const char *
stage_property_name (const char *prefix, const char *suffix)
{
  g_autofree char *name = g_strconcat (prefix, suffix, NULL);

  return g_intern_string (name);
}

static void
install_stage_properties (guint first, const char *prefix)
{
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_NICK
                            | G_PARAM_STATIC_BLURB;
#define NAME(suffix) stage_property_name (prefix, suffix)
  properties[first + STAGE_DONE] = g_param_spec_uint64 (NAME ("-done"), NULL, NULL, 0,
                                                        G_MAXUINT64, 0, flags);
  properties[first + STAGE_TOTAL] = g_param_spec_uint64 (NAME ("-total"), NULL, NULL, 0,
                                                         G_MAXUINT64, 0, flags);
  properties[first + STAGE_FRACTION] = g_param_spec_double (NAME ("-fraction"), NULL, NULL, 0,
                                                            1, 0, flags);
  properties[first + STAGE_SECONDS] = g_param_spec_double (NAME ("-seconds"), NULL, NULL, 0,
                                                           G_MAXDOUBLE, 0, flags);
  properties[first + STAGE_STARTED] = g_param_spec_boolean (NAME ("-started"), NULL, NULL,
                                                            FALSE, flags);
  properties[first + STAGE_FINISHED] = g_param_spec_boolean (NAME ("-finished"), NULL, NULL,
                                                             FALSE, flags);
#undef NAME
}

static void
fl_run_model_class_init (FlRunModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = fl_run_model_get_property;
  object_class->finalize = fl_run_model_finalize;
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, FL_RUN_STATE_IDLE,
                                             FL_RUN_STATE_CANCELLED, FL_RUN_STATE_IDLE, flags);
  properties[PROP_LATEST_FRAME] = g_param_spec_int ("latest-frame", NULL, NULL, -1, G_MAXINT,
                                                    -1, flags);
  properties[PROP_N_EVENTS] = g_param_spec_uint ("n-events", NULL, NULL, 0, G_MAXUINT, 0, flags);
  install_stage_properties (PROP_STAGE_FIRST, "download");
  install_stage_properties (PROP_STAGE_FIRST + N_STAGE_PROPS, "encode");
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[EVENTS_ADDED] = g_signal_new ("events-added", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                        G_TYPE_UINT, G_TYPE_UINT);
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
fl_run_model_init (FlRunModel *self)
{
  self->bridge = fl_pipeline_bridge_new ();
  self->events = g_array_new (FALSE, FALSE, sizeof (FlEvent));
  self->latest_frame = -1;
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify) fl_run_record_free);
  self->commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}
