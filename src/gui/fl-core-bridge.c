/* fl-core-bridge.c: atomics and a bounded ring between the core's events and the UI. */
#include "fl-core-bridge.h"
#include "fl-sync.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct _FlLogRing
{
  FlMutex mutex;
  char **lines;      /* capacity slots, a circular buffer */
  guint capacity;
  guint head;        /* next slot to write */
  guint count;       /* lines waiting to be taken */
  guint64 dropped;
};

FlLogRing *
fl_log_ring_new (guint capacity)
{
  FlLogRing *ring = g_new0 (FlLogRing, 1);

  fl_mutex_init (&ring->mutex);
  ring->capacity = MAX (capacity, 1);
  ring->lines = g_new0 (char *, ring->capacity);
  return ring;
}

void
fl_log_ring_free (FlLogRing *ring)
{
  if (ring == NULL)
    return;
  for (guint i = 0; i < ring->capacity; i++)
    g_free (ring->lines[i]);
  g_free (ring->lines);
  fl_mutex_clear (&ring->mutex);
  g_free (ring);
}

void
fl_log_ring_push (FlLogRing *ring, const char *line)
{
  char *copy = g_strdup (line);
  char *old;

  fl_mutex_lock (&ring->mutex);
  old = ring->lines[ring->head];
  ring->lines[ring->head] = copy;
  ring->head = (ring->head + 1) % ring->capacity;
  if (ring->count == ring->capacity)
    ring->dropped++;
  else
    ring->count++;
  fl_mutex_unlock (&ring->mutex);
  /* Free outside the lock: handler threads only contend for a pointer swap. */
  g_free (old);
}

char **
fl_log_ring_take (FlLogRing *ring, guint64 *dropped)
{
  char **out;

  fl_mutex_lock (&ring->mutex);
  out = g_new0 (char *, ring->count + 1);
  for (guint i = 0; i < ring->count; i++)
    {
      guint slot = (ring->head + ring->capacity - ring->count + i) % ring->capacity;

      out[i] = g_steal_pointer (&ring->lines[slot]);
    }
  ring->count = 0;
  if (dropped)
    *dropped = ring->dropped;
  ring->dropped = 0;
  fl_mutex_unlock (&ring->mutex);
  return out;
}

void
fl_log_ring_read_server_events (const FlEvent *events, guint n_events, gpointer user_data)
{
  for (guint i = 0; i < n_events; i++)
    if (events[i].kind == FL_EVENT_CONNECTION_SERVED
        && events[i].connection.code == FL_EVENT_NO_ERROR)
      {
        char line[128];

        /* The lab's words, kept in English like the CLI's. */
        fl_server_format_sent_line (&events[i], line, sizeof line);
        fl_log_ring_push (user_data, line);
      }
    else if (events[i].kind == FL_EVENT_NOTICE)
      fl_log_ring_push (user_data, events[i].notice.text);
}

static void read_pipeline_events (const FlEvent *events, guint n_events, gpointer user_data);

FlPipelineBridge *
fl_pipeline_bridge_new (void)
{
  FlPipelineBridge *bridge = g_new0 (FlPipelineBridge, 1);

  bridge->ref_count = 1;
  fl_mutex_init (&bridge->pending_mutex);
  bridge->pending = g_array_new (FALSE, FALSE, sizeof (FlEvent));
  bridge->events = fl_events_new (0);
  fl_events_add_reader (bridge->events, read_pipeline_events, bridge, NULL);
  return bridge;
}

FlPipelineBridge *
fl_pipeline_bridge_ref (FlPipelineBridge *bridge)
{
  g_atomic_int_inc (&bridge->ref_count);
  return bridge;
}

void
fl_pipeline_bridge_unref (FlPipelineBridge *bridge)
{
  if (!g_atomic_int_dec_and_test (&bridge->ref_count))
    return;
  /* The last reference is never the reader's (it holds none): the stream's
   * thread is not the one joined here. */
  fl_events_free (bridge->events);
  g_array_unref (bridge->pending);
  fl_mutex_clear (&bridge->pending_mutex);
  g_free (bridge);
}

FlEvents *
fl_pipeline_bridge_get_events (FlPipelineBridge *bridge)
{
  return bridge->events;
}

void
fl_pipeline_bridge_reset (FlPipelineBridge *bridge)
{
  double zero = 0.0;

  for (guint stage = 0; stage < 2; stage++)
    {
      g_atomic_int_set (&bridge->finished[stage], FALSE);
      g_atomic_int_set (&bridge->started[stage], FALSE);
      __atomic_store_n (&bridge->done[stage], 0, __ATOMIC_RELAXED);
      __atomic_store_n (&bridge->total[stage], 0, __ATOMIC_RELAXED);
      __atomic_store (&bridge->seconds[stage], &zero, __ATOMIC_RELAXED);
    }
  for (guint i = 0; i < FL_BRIDGE_MAX_WORKERS; i++)
    {
      g_atomic_int_set (&bridge->worker_first[i], 0);
      g_atomic_int_set (&bridge->worker_n[i], 0);
      g_atomic_int_set (&bridge->worker_done[i], 0);
      g_atomic_int_set (&bridge->worker_frames[i], 0);
    }
  for (guint i = 0; i < FL_BRIDGE_SLICES; i++)
    g_atomic_int_set (&bridge->slices[i], 0);
  /* in_flight returns to 0 by itself, as every attempt ends. */
  g_atomic_int_set (&bridge->latest_frame, 0);
  g_atomic_int_set (&bridge->n_workers, 0);
}

static void
on_stage_started (FlStage stage, guint64 total, gpointer user_data)
{
  FlPipelineBridge *bridge = user_data;

  __atomic_store_n (&bridge->total[stage], total, __ATOMIC_RELEASE);
  g_atomic_int_set (&bridge->started[stage], TRUE);
}

static void
on_stage_progress (FlStage stage, guint64 done, guint64 total, gpointer user_data)
{
  FlPipelineBridge *bridge = user_data;
  guint64 seen = __atomic_load_n (&bridge->done[stage], __ATOMIC_RELAXED);

  /* Callbacks from several threads may arrive out of order: keep the largest. */
  while (done > seen
         && !__atomic_compare_exchange_n (&bridge->done[stage], &seen, done, TRUE,
                                          __ATOMIC_RELEASE, __ATOMIC_RELAXED))
    ;
  __atomic_store_n (&bridge->total[stage], total, __ATOMIC_RELEASE);
  g_atomic_int_set (&bridge->started[stage], TRUE);
}

static void
on_stage_finished (FlStage stage, double seconds, gpointer user_data)
{
  FlPipelineBridge *bridge = user_data;

  __atomic_store (&bridge->seconds[stage], &seconds, __ATOMIC_RELAXED);
  /* The release store publishes seconds. */
  g_atomic_int_set (&bridge->finished[stage], TRUE);
}

/* Only the stream's reader calls this, never twice at once: plain
 * read-modify-write of the atomics is enough; the atomics are for the UI. */
static void
on_worker_progress (guint worker, guint first, guint n_frames, guint done, gpointer user_data)
{
  FlPipelineBridge *bridge = user_data;
  guint64 total = __atomic_load_n (&bridge->total[FL_STAGE_ENCODE], __ATOMIC_ACQUIRE);
  guint previous = 0;

  /* More workers than slots: the view shows the first ones. */
  if (worker >= FL_BRIDGE_MAX_WORKERS)
    return;
  if ((guint) g_atomic_int_get (&bridge->worker_first[worker]) == first
      && (guint) g_atomic_int_get (&bridge->worker_n[worker]) == n_frames)
    previous = (guint) g_atomic_int_get (&bridge->worker_done[worker]);
  if (done > previous)
    g_atomic_int_add (&bridge->worker_frames[worker], done - previous);
  g_atomic_int_set (&bridge->worker_first[worker], first);
  g_atomic_int_set (&bridge->worker_n[worker], n_frames);
  g_atomic_int_set (&bridge->worker_done[worker], done);
  if (worker + 1 > (guint) g_atomic_int_get (&bridge->n_workers))
    g_atomic_int_set (&bridge->n_workers, worker + 1);

  total = MAX (total, (guint64) first + n_frames);
  for (guint64 s = (guint64) first * FL_BRIDGE_SLICES / total;
       s < FL_BRIDGE_SLICES && s * total / FL_BRIDGE_SLICES < (guint64) first + n_frames; s++)
    {
      /* A slice narrower than a frame shows the frame under it. */
      guint64 slice_end = MAX ((s + 1) * total / FL_BRIDGE_SLICES,
                               s * total / FL_BRIDGE_SLICES + 1);
      guint64 end;
      gint state, old;

      /* The first slice may hold only the frames before this chunk: the
       * previous chunk's worker shows it. */
      if (slice_end <= first)
        continue;
      /* A slice is encoded once the frames it ends with are. */
      end = MIN (slice_end, (guint64) first + n_frames);
      state = 2 * (gint) (worker + 1) + (end <= (guint64) first + done ? 1 : 0);
      old = g_atomic_int_get (&bridge->slices[s]);
      /* An encoded slice stays with the worker that finished it (a slice may
       * straddle two chunks). */
      if (!(old & 1))
        g_atomic_int_set (&bridge->slices[s], state);
    }
}

/* A batch at a time under the lock: the main loop takes them ~20 times a second. */
static void
keep_events (FlPipelineBridge *bridge, const FlEvent *events, guint n_events)
{
  fl_mutex_lock (&bridge->pending_mutex);
  for (guint i = 0; i < n_events; i++)
    if (events[i].kind != FL_EVENT_NOTICE)
      g_array_append_val (bridge->pending, events[i]);
  fl_mutex_unlock (&bridge->pending_mutex);
}

GArray *
fl_pipeline_bridge_take_events (FlPipelineBridge *bridge)
{
  GArray *taken;

  fl_mutex_lock (&bridge->pending_mutex);
  taken = bridge->pending;
  bridge->pending = g_array_new (FALSE, FALSE, sizeof (FlEvent));
  fl_mutex_unlock (&bridge->pending_mutex);
  return taken;
}

void
fl_pipeline_bridge_read_server_events (const FlEvent *events, guint n_events, gpointer user_data)
{
  FlPipelineBridge *bridge = user_data;

  fl_mutex_lock (&bridge->pending_mutex);
  for (guint i = 0; i < n_events; i++)
    if (events[i].kind == FL_EVENT_CONNECTION_SERVED)
      g_array_append_val (bridge->pending, events[i]);
  fl_mutex_unlock (&bridge->pending_mutex);
}

static void
read_pipeline_events (const FlEvent *events, guint n_events, gpointer user_data)
{
  FlPipelineBridge *bridge = user_data;

  keep_events (bridge, events, n_events);
  for (guint i = 0; i < n_events; i++)
    {
      const FlEvent *event = &events[i];
      FlStage stage = event->stage.stage;

      switch (event->kind)
        {
        case FL_EVENT_RUN_STARTED:
          fl_pipeline_bridge_reset (bridge);
          break;
        case FL_EVENT_STAGE_STARTED:
          if (stage <= FL_STAGE_ENCODE)
            on_stage_started (stage, event->stage.total, bridge);
          break;
        case FL_EVENT_STAGE_ENDED:
          if (stage <= FL_STAGE_ENCODE && event->stage.code == FL_EVENT_NO_ERROR)
            on_stage_finished (stage, (double) (event->t1 - event->t0) / G_USEC_PER_SEC, bridge);
          break;
        case FL_EVENT_FRAME_STARTED:
          g_atomic_int_inc (&bridge->in_flight);
          break;
        case FL_EVENT_FRAME_FETCHED:
          g_atomic_int_set (&bridge->latest_frame, (gint) event->frame.index + 1);
          on_stage_progress (FL_STAGE_DOWNLOAD, event->frame.done,
                             __atomic_load_n (&bridge->total[FL_STAGE_DOWNLOAD], __ATOMIC_ACQUIRE),
                             bridge);
          G_GNUC_FALLTHROUGH;
        case FL_EVENT_FRAME_RETRY:
        case FL_EVENT_FRAME_FAILED:
          g_atomic_int_add (&bridge->in_flight, -1);
          break;
        case FL_EVENT_CHUNK_STARTED:
        case FL_EVENT_CHUNK_PROGRESS:
        case FL_EVENT_CHUNK_ENCODED:
          on_worker_progress (event->track, event->chunk.first, event->chunk.count,
                              event->chunk.done, bridge);
          if (event->kind != FL_EVENT_CHUNK_STARTED)
            on_stage_progress (FL_STAGE_ENCODE, event->chunk.stage_done,
                               __atomic_load_n (&bridge->total[FL_STAGE_ENCODE], __ATOMIC_ACQUIRE),
                               bridge);
          break;
        default:
          break;
        }
    }
}

void
fl_pipeline_bridge_get (FlPipelineBridge *bridge, FlStage stage, FlStageSnapshot *out)
{
  out->finished = g_atomic_int_get (&bridge->finished[stage]);
  out->started = g_atomic_int_get (&bridge->started[stage]);
  out->done = __atomic_load_n (&bridge->done[stage], __ATOMIC_ACQUIRE);
  out->total = __atomic_load_n (&bridge->total[stage], __ATOMIC_ACQUIRE);
  out->seconds = 0.0;
  if (out->finished)
    __atomic_load (&bridge->seconds[stage], &out->seconds, __ATOMIC_RELAXED);
}

guint
fl_pipeline_bridge_get_in_flight (FlPipelineBridge *bridge)
{
  return (guint) MAX (g_atomic_int_get (&bridge->in_flight), 0);
}

gboolean
fl_pipeline_bridge_get_latest_frame (FlPipelineBridge *bridge, guint *index)
{
  gint latest = g_atomic_int_get (&bridge->latest_frame);

  if (latest <= 0)
    return FALSE;
  *index = (guint) latest - 1;
  return TRUE;
}

guint
fl_pipeline_bridge_get_workers (FlPipelineBridge *bridge, FlWorkerSnapshot *out, guint max)
{
  guint n = MIN ((guint) g_atomic_int_get (&bridge->n_workers), max);

  for (guint i = 0; i < n; i++)
    {
      out[i].first = (guint) g_atomic_int_get (&bridge->worker_first[i]);
      out[i].n_frames = (guint) g_atomic_int_get (&bridge->worker_n[i]);
      out[i].done = (guint) g_atomic_int_get (&bridge->worker_done[i]);
      out[i].frames = (guint) g_atomic_int_get (&bridge->worker_frames[i]);
    }
  return n;
}

void
fl_pipeline_bridge_get_slices (FlPipelineBridge *bridge, gint *out)
{
  for (guint i = 0; i < FL_BRIDGE_SLICES; i++)
    out[i] = g_atomic_int_get (&bridge->slices[i]);
}

typedef struct
{
  GThreadFunc func;
  gpointer data;
} Background;

static gpointer
background_thread (gpointer data)
{
  Background *bg = data;
  pid_t tid = gettid ();
  int nice;

  errno = 0;
  nice = getpriority (PRIO_PROCESS, tid);
  /* Best effort: at worst the work runs at the same priority as the UI. */
  if (errno == 0)
    setpriority (PRIO_PROCESS, tid, MIN (nice + FL_BRIDGE_NICE, 19));
  bg->func (bg->data);
  return NULL;
}

void
fl_bridge_run_in_background (GThreadFunc func, gpointer data)
{
  Background bg = { func, data };

  g_thread_join (g_thread_new ("fl-background", background_thread, &bg));
}
