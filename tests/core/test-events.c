/* test-events: the event stream delivers every event once, in each thread's
 * order, to readers that never run at the same time, with a bounded ring. */
#include "fl-events.h"

#include <stdatomic.h>

#define N_THREADS 4

typedef struct
{
  guint64 count;
  guint64 next[N_THREADS];  /* per emitting thread: the item expected next */
  gboolean in_order;
  int inside;               /* plain on purpose: ThreadSanitizer flags overlapping readers */
  gboolean overlapped;
  guint sleep_every;        /* a slow reader: sleeps 1 ms every so many batches */
  guint batches;
  _Atomic guint64 seen;     /* for a thread that polls */
  gboolean destroyed;
} Log;

static void
on_events (const FlEvent *events, guint n, gpointer data)
{
  Log *log = data;

  if (log->inside++)
    log->overlapped = TRUE;
  for (guint i = 0; i < n; i++)
    {
      guint thread = events[i].track;

      g_assert_cmpuint (thread, <, N_THREADS);
      if (events[i].frame.index != log->next[thread])
        log->in_order = FALSE;
      log->next[thread] = events[i].frame.index + 1;
    }
  log->count += n;
  if (log->sleep_every && ++log->batches % log->sleep_every == 0)
    g_usleep (1000);
  log->inside--;
  atomic_fetch_add (&log->seen, n);
}

static void
on_destroy (gpointer data)
{
  ((Log *) data)->destroyed = TRUE;
}

static void
emit_frames (FlEvents *events, guint thread, guint n)
{
  for (guint i = 0; i < n; i++)
    fl_events_emit (events, &(FlEvent) {
                              .kind = FL_EVENT_FRAME_FETCHED,
                              .track = thread,
                              .t0 = fl_events_now (),
                              .t1 = fl_events_now (),
                              .frame = { .index = i, .attempt = 1 },
                            });
}

/* One thread, more events than the ring holds: all arrive, in order. */
static void
test_one_thread (void)
{
  g_autoptr (FlEvents) events = fl_events_new (64);
  Log log = { .in_order = TRUE };
  FlEventsStats stats;

  g_assert_cmpuint (sizeof (FlEvent), ==, 64);
  fl_events_add_reader (events, on_events, &log, on_destroy);
  emit_frames (events, 0, 100000);
  fl_events_flush (events);
  g_assert_cmpuint (log.count, ==, 100000);
  g_assert_true (log.in_order);
  fl_events_get_stats (events, &stats);
  g_assert_cmpuint (stats.emitted, ==, 100000);
  g_assert_cmpuint (stats.delivered, ==, 100000);
  g_assert_cmpuint (stats.capacity, ==, 64);
  g_clear_pointer (&events, fl_events_free);
  g_assert_true (log.destroyed);
}

typedef struct
{
  FlEvents *events;
  guint thread;
  guint n;
} Emitter;

static gpointer
emitter_thread (gpointer data)
{
  Emitter *emitter = data;

  emit_frames (emitter->events, emitter->thread, emitter->n);
  return NULL;
}

/* Several emitters, a tiny ring and a slow reader: emitters wait for room
 * (bounded memory) instead of losing events; readers never overlap. */
static void
test_many_threads (void)
{
  g_autoptr (FlEvents) events = fl_events_new (16);
  Log log = { .in_order = TRUE, .sleep_every = 50 };
  Emitter emitters[N_THREADS];
  GThread *threads[N_THREADS];
  FlEventsStats stats;
  const guint n = 20000;

  fl_events_add_reader (events, on_events, &log, NULL);
  for (guint t = 0; t < N_THREADS; t++)
    {
      emitters[t] = (Emitter) { events, t, n };
      threads[t] = g_thread_new ("emitter", emitter_thread, &emitters[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  fl_events_flush (events);
  g_assert_cmpuint (log.count, ==, (guint64) n * N_THREADS);
  g_assert_true (log.in_order);
  g_assert_false (log.overlapped);
  for (guint t = 0; t < N_THREADS; t++)
    g_assert_cmpuint (log.next[t], ==, n);
  fl_events_get_stats (events, &stats);
  g_assert_cmpuint (stats.delivered, ==, stats.emitted);
  g_assert_cmpuint (stats.full_waits, >, 0);
  g_test_message ("%" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT " waits for room",
                  stats.emitted, stats.full_waits);
}

/* Without a flush, the stream's thread delivers by itself (a server's last
 * line must not wait for the next connection). */
static void
test_delivered_without_flush (void)
{
  g_autoptr (FlEvents) events = fl_events_new (0);
  Log log = { .in_order = TRUE };
  gint64 deadline;

  fl_events_add_reader (events, on_events, &log, NULL);
  for (guint round = 1; round <= 3; round++)
    {
      emit_frames (events, 0, 1);
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (atomic_load (&log.seen) < round && g_get_monotonic_time () < deadline)
        g_usleep (1000);
      g_assert_cmpuint (atomic_load (&log.seen), ==, round);
      /* Idle again before the next one: the thread must wake from its sleep. */
      g_usleep (3 * FL_EVENTS_LATENCY_MS * 1000);
    }
}

/* Once removed, a reader is not called again; others still are. */
static void
test_remove_reader (void)
{
  g_autoptr (FlEvents) events = fl_events_new (0);
  Log first = { .in_order = TRUE }, second = { .in_order = TRUE };
  guint id;

  id = fl_events_add_reader (events, on_events, &first, on_destroy);
  g_assert_cmpuint (id, !=, 0);
  fl_events_add_reader (events, on_events, &second, NULL);
  emit_frames (events, 0, 10);
  fl_events_remove_reader (events, id);
  g_assert_true (first.destroyed);
  emit_frames (events, 1, 10);
  fl_events_flush (events);
  g_assert_cmpuint (first.count, <=, 10);
  g_assert_cmpuint (second.count, ==, 20);
}

/* A module given no stream reports nothing and must not crash. */
static void
test_null_stream (void)
{
  FlEvent event = { .kind = FL_EVENT_STAGE_STARTED };

  fl_events_emit (NULL, &event);
  fl_events_flush (NULL);
  fl_events_free (NULL);
  g_assert_cmpstr (fl_stage_name (FL_STAGE_DOWNLOAD), ==, "download");
  g_assert_cmpstr (fl_stage_name (FL_STAGE_ENCODE), ==, "GIF");
  g_assert_cmpstr (fl_stage_name (FL_STAGE_SERVE), ==, "serve");
}

/* Freeing delivers what is still in the ring. */
static void
test_free_delivers (void)
{
  FlEvents *events = fl_events_new (0);
  Log log = { .in_order = TRUE };

  fl_events_add_reader (events, on_events, &log, on_destroy);
  emit_frames (events, 2, 500);
  fl_events_free (events);
  g_assert_cmpuint (log.count, ==, 500);
  g_assert_true (log.destroyed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/events/one-thread", test_one_thread);
  g_test_add_func ("/events/many-threads", test_many_threads);
  g_test_add_func ("/events/delivered-without-flush", test_delivered_without_flush);
  g_test_add_func ("/events/remove-reader", test_remove_reader);
  g_test_add_func ("/events/null-stream", test_null_stream);
  g_test_add_func ("/events/free-delivers", test_free_delivers);
  return g_test_run ();
}
