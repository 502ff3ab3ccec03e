/* fl-events.c: a bounded multi-producer ring with one delivering side.
 *
 * The ring is Vyukov's bounded queue: every slot carries a sequence number.
 * An emitter takes a position with one fetch-and-add on tail, waits until its
 * slot's sequence says the slot is free (it is, unless the ring is full),
 * copies the event in and publishes it by storing position + 1. The delivering
 * side (under drain_lock, one at a time) takes published slots in position
 * order, frees each by storing position + capacity, and hands the batch to the
 * readers. C11 atomics rather than GLib's: ThreadSanitizer sees them.
 *
 * The delivery thread sleeps while the ring is empty. The first emitter after
 * that wakes it (the only time an emitter takes a lock); it then waits one
 * latency period so that events arrive in batches, delivers, and goes on while
 * events keep coming. The sleeping flag and tail are both sequentially
 * consistent, so either the thread sees the new tail before it sleeps or the
 * emitter sees the flag and wakes it. */
#include "fl-events.h"

#include "fl-sync.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

G_STATIC_ASSERT (sizeof (FlEvent) == 64);

#define BATCH 256
#define CACHE_LINE 64

typedef struct
{
  _Atomic guint64 seq;
  FlEvent event;
} Slot;

typedef struct
{
  guint id;
  FlEventReader func;
  gpointer data;
  GDestroyNotify destroy;
} Reader;

/* Three cache lines for three kinds of access, so that an emitter's write
 * does not take the others' lines away from them: the padding is the point. */
struct _FlEvents /* NOLINT(clang-analyzer-optin.performance.Padding) */
{
  /* Written by every emitter: alone on its line. */
  _Alignas (CACHE_LINE) _Atomic guint64 tail;
  /* Read by every emitter; sleeping is written once per idle period. */
  _Alignas (CACHE_LINE) Slot *slots;
  guint64 capacity, mask;
  _Atomic int sleeping;
  _Atomic guint64 full_waits;
  /* The delivering side's. */
  _Alignas (CACHE_LINE) _Atomic guint64 head;  /* written under drain_lock only */

  FlMutex drain_lock;    /* one deliverer at a time; guards what follows */
  Reader readers[FL_EVENTS_MAX_READERS];
  guint n_readers;
  guint next_id;
  guint64 delivered;
  FlEvent *batch;

  FlMutex wake_lock;     /* guards quit and the delivery thread's sleep */
  FlCond wake;
  gboolean quit;
  gboolean has_thread;
  pthread_t thread;
};

const char *
fl_event_peer_host (const FlEventPeer *peer, char *buffer, gsize size)
{
  int family = peer->family == AF_INET ? AF_INET : peer->family == AF_INET6 ? AF_INET6 : 0;

  if (family == 0 || inet_ntop (family, peer->address, buffer, (socklen_t) size) == NULL)
    g_strlcpy (buffer, "?", size);
  return buffer;
}

const char *
fl_stage_name (FlStage stage)
{
  switch (stage)
    {
    case FL_STAGE_DOWNLOAD:
      return "download";
    case FL_STAGE_ENCODE:
      return "GIF";
    case FL_STAGE_SERVE:
      return "serve";
    }
  return "?";
}

/* Hands every published event up to limit (or the first one still being
 * written) to the readers. Called with drain_lock held. */
static void
drain_locked (FlEvents *events, guint64 limit)
{
  for (;;)
    {
      guint64 head = atomic_load_explicit (&events->head, memory_order_relaxed);
      guint n = 0;

      while (n < BATCH && head < limit)
        {
          Slot *slot = &events->slots[head & events->mask];

          if (atomic_load_explicit (&slot->seq, memory_order_acquire) != head + 1)
            break;
          events->batch[n++] = slot->event;
          atomic_store_explicit (&slot->seq, head + events->capacity, memory_order_release);
          head++;
        }
      atomic_store_explicit (&events->head, head, memory_order_release);
      if (n == 0)
        return;
      for (guint i = 0; i < events->n_readers; i++)
        events->readers[i].func (events->batch, n, events->readers[i].data);
      for (guint i = 0; i < n; i++)
        if (events->batch[i].kind == FL_EVENT_NOTICE)
          g_free (events->batch[i].notice.text);
      events->delivered += n;
    }
}

static gboolean
ring_empty (FlEvents *events)
{
  return atomic_load (&events->tail) == atomic_load (&events->head);
}

static void *
delivery_thread (void *data)
{
  FlEvents *events = data;

  fl_mutex_lock (&events->wake_lock);
  while (!events->quit)
    {
      gint64 deadline;

      fl_mutex_unlock (&events->wake_lock);
      fl_mutex_lock (&events->drain_lock);
      drain_locked (events, G_MAXUINT64);
      fl_mutex_unlock (&events->drain_lock);
      fl_mutex_lock (&events->wake_lock);

      if (ring_empty (events))
        {
          /* Checked again once the flag is up: an emitter either sees it or
           * has already moved tail. */
          atomic_store (&events->sleeping, 1);
          if (ring_empty (events))
            while (atomic_load (&events->sleeping) && !events->quit)
              fl_cond_wait (&events->wake, &events->wake_lock);
          atomic_store (&events->sleeping, 0);
        }
      /* Let a batch gather: one delivery per period, not one per event. */
      deadline = g_get_monotonic_time () + FL_EVENTS_LATENCY_MS * 1000;
      while (!events->quit && fl_cond_wait_until (&events->wake, &events->wake_lock, deadline))
        ;
    }
  fl_mutex_unlock (&events->wake_lock);
  return NULL;
}

FlEvents *
fl_events_new (guint capacity)
{
  FlEvents *events;
  guint64 size = 16;
  sigset_t all, old;

  capacity = capacity ? capacity : FL_EVENTS_DEFAULT_CAPACITY;
  while (size < capacity && size < (1u << 24))
    size <<= 1;
  events = g_aligned_alloc0 (1, sizeof (FlEvents), _Alignof (FlEvents));
  events->capacity = size;
  events->mask = size - 1;
  events->slots = g_new (Slot, size);
  for (guint64 i = 0; i < size; i++)
    atomic_init (&events->slots[i].seq, i);
  events->batch = g_new (FlEvent, BATCH);
  events->next_id = 1;
  fl_mutex_init (&events->drain_lock);
  fl_mutex_init (&events->wake_lock);
  fl_cond_init (&events->wake);
  /* Without the thread (out of threads) events still arrive: emitters deliver
   * when the ring fills, and every module flushes when it ends. */
  sigfillset (&all);
  /* Signals are the program's business: the thread never takes one. */
  pthread_sigmask (SIG_SETMASK, &all, &old);
  events->has_thread = pthread_create (&events->thread, NULL, delivery_thread, events) == 0;
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  return events;
}

void
fl_events_free (FlEvents *events)
{
  if (events == NULL)
    return;
  fl_mutex_lock (&events->wake_lock);
  events->quit = TRUE;
  fl_cond_broadcast (&events->wake);
  fl_mutex_unlock (&events->wake_lock);
  if (events->has_thread)
    pthread_join (events->thread, NULL);
  fl_events_flush (events);
  for (guint i = 0; i < events->n_readers; i++)
    if (events->readers[i].destroy != NULL)
      events->readers[i].destroy (events->readers[i].data);
  fl_mutex_clear (&events->drain_lock);
  fl_mutex_clear (&events->wake_lock);
  fl_cond_clear (&events->wake);
  g_free (events->batch);
  g_free (events->slots);
  g_aligned_free (events);
}

guint
fl_events_add_reader (FlEvents *events, FlEventReader reader, gpointer user_data,
                      GDestroyNotify destroy)
{
  guint id = 0;

  g_return_val_if_fail (events != NULL && reader != NULL, 0);
  fl_mutex_lock (&events->drain_lock);
  if (events->n_readers < FL_EVENTS_MAX_READERS)
    {
      /* What was emitted before belongs to the readers already there. */
      drain_locked (events, atomic_load (&events->tail));
      id = events->next_id++;
      events->readers[events->n_readers++] = (Reader) { id, reader, user_data, destroy };
    }
  fl_mutex_unlock (&events->drain_lock);
  g_return_val_if_fail (id != 0, 0);
  return id;
}

void
fl_events_remove_reader (FlEvents *events, guint id)
{
  Reader removed = { 0 };

  g_return_if_fail (events != NULL);
  fl_mutex_lock (&events->drain_lock);
  for (guint i = 0; i < events->n_readers; i++)
    if (events->readers[i].id == id)
      {
        removed = events->readers[i];
        memmove (&events->readers[i], &events->readers[i + 1],
                 (events->n_readers - i - 1) * sizeof (Reader));
        events->n_readers--;
        break;
      }
  fl_mutex_unlock (&events->drain_lock);
  if (removed.destroy != NULL)
    removed.destroy (removed.data);
}

/* The ring is full: deliver until this emitter's slot is free. Only trylock:
 * the deliverer may be waiting for an event that an emitter blocked here has
 * reserved and not yet written. */
static void
wait_for_slot (FlEvents *events, Slot *slot, guint64 pos)
{
  atomic_fetch_add_explicit (&events->full_waits, 1, memory_order_relaxed);
  for (guint tries = 0; atomic_load_explicit (&slot->seq, memory_order_acquire) != pos; tries++)
    {
      if (fl_mutex_trylock (&events->drain_lock))
        {
          drain_locked (events, pos);
          fl_mutex_unlock (&events->drain_lock);
        }
      if (atomic_load_explicit (&slot->seq, memory_order_acquire) == pos)
        break;
      /* A slow reader holds the lock: past a few turns, stop spinning. */
      if (tries < 16)
        sched_yield ();
      else
        g_usleep (100);
    }
}

void
fl_events_push (FlEvents *events, const FlEvent *event)
{
  guint64 pos;
  Slot *slot;

  if (events == NULL)
    return;
  pos = atomic_fetch_add (&events->tail, 1);
  slot = &events->slots[pos & events->mask];
  if (G_UNLIKELY (atomic_load_explicit (&slot->seq, memory_order_acquire) != pos))
    wait_for_slot (events, slot, pos);
  slot->event = *event;
  atomic_store_explicit (&slot->seq, pos + 1, memory_order_release);
  if (G_UNLIKELY (atomic_load (&events->sleeping)) && atomic_exchange (&events->sleeping, 0))
    {
      fl_mutex_lock (&events->wake_lock);
      fl_cond_signal (&events->wake);
      fl_mutex_unlock (&events->wake_lock);
    }
}

void
fl_events_notice (FlEvents *events, FlStage stage, guint what, const char *format, ...)
{
  gint64 now = g_get_monotonic_time ();
  va_list args;
  char *text;

  if (events == NULL)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fl_events_push (events, &(FlEvent) {
    .kind = FL_EVENT_NOTICE, .t0 = now, .t1 = now,
    .notice = { .stage = stage, .what = what, .text = text },
  });
}

void
fl_events_flush (FlEvents *events)
{
  guint64 target;

  if (events == NULL)
    return;
  target = atomic_load (&events->tail);
  fl_mutex_lock (&events->drain_lock);
  for (;;)
    {
      drain_locked (events, target);
      if (atomic_load_explicit (&events->head, memory_order_relaxed) >= target)
        break;
      /* An emitter took a position and has not written it yet. */
      sched_yield ();
    }
  fl_mutex_unlock (&events->drain_lock);
}

void
fl_events_get_stats (FlEvents *events, FlEventsStats *stats)
{
  g_return_if_fail (events != NULL && stats != NULL);
  fl_mutex_lock (&events->drain_lock);
  stats->delivered = events->delivered;
  fl_mutex_unlock (&events->drain_lock);
  stats->emitted = atomic_load (&events->tail);
  stats->full_waits = atomic_load (&events->full_waits);
  stats->capacity = (guint) events->capacity;
}

struct _FlEventLog
{
  FlEvents *events;
  guint reader;
  FlMutex lock;
  GArray *kept;
};

static void
event_log_read (const FlEvent *events, guint n_events, gpointer data)
{
  FlEventLog *log = data;
  guint first;

  fl_mutex_lock (&log->lock);
  first = log->kept->len;
  g_array_append_vals (log->kept, events, n_events);
  for (guint i = first; i < log->kept->len; i++)
    {
      FlEvent *event = &g_array_index (log->kept, FlEvent, i);

      if (event->kind == FL_EVENT_NOTICE)
        event->notice.text = g_strdup (event->notice.text);
    }
  fl_mutex_unlock (&log->lock);
}

FlEventLog *
fl_event_log_new (FlEvents *events)
{
  FlEventLog *log = g_new0 (FlEventLog, 1);

  g_return_val_if_fail (events != NULL, NULL);
  log->events = events;
  log->kept = g_array_new (FALSE, FALSE, sizeof (FlEvent));
  fl_mutex_init (&log->lock);
  log->reader = fl_events_add_reader (events, event_log_read, log, NULL);
  return log;
}

void
fl_event_log_free (FlEventLog *log)
{
  if (log == NULL)
    return;
  fl_events_remove_reader (log->events, log->reader);
  for (guint i = 0; i < log->kept->len; i++)
    if (g_array_index (log->kept, FlEvent, i).kind == FL_EVENT_NOTICE)
      g_free (g_array_index (log->kept, FlEvent, i).notice.text);
  g_array_unref (log->kept);
  fl_mutex_clear (&log->lock);
  g_free (log);
}

GArray *
fl_event_log_dup (FlEventLog *log)
{
  GArray *copy;

  fl_mutex_lock (&log->lock);
  copy = g_array_sized_new (FALSE, FALSE, sizeof (FlEvent), log->kept->len);
  g_array_append_vals (copy, log->kept->data, log->kept->len);
  fl_mutex_unlock (&log->lock);
  return copy;
}
