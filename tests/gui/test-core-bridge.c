/* test-core-bridge: the log ring, the pipeline bridge's snapshots from synthetic
 * events, and the niced background runner. Nothing here needs a display. */
#include "fl-core-bridge.h"
#include "fl-error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Log ring */

static void
assert_lines (char **lines, const char *const *expected, guint n_expected)
{
  g_assert_cmpuint (g_strv_length (lines), ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpstr (lines[i], ==, expected[i]);
}

static void
test_ring_keeps_newest (void)
{
  FlLogRing *ring = fl_log_ring_new (4);
  const char *newest[] = { "line 6", "line 7", "line 8", "line 9" };
  const char *after_wrap[] = { "c", "d", "e", "f" };
  guint64 dropped = 99;
  char **lines;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %u", i);

      fl_log_ring_push (ring, line);
    }
  lines = fl_log_ring_take (ring, &dropped);
  assert_lines (lines, newest, G_N_ELEMENTS (newest));
  g_assert_cmpuint (dropped, ==, 6);
  g_strfreev (lines);

  /* Taken lines are gone, and so is the count of dropped ones. */
  lines = fl_log_ring_take (ring, &dropped);
  g_assert_cmpuint (g_strv_length (lines), ==, 0);
  g_assert_cmpuint (dropped, ==, 0);
  g_strfreev (lines);

  /* The oldest line waiting now sits mid-buffer: order survives the wrap. */
  fl_log_ring_push (ring, "a");
  fl_log_ring_push (ring, "b");
  lines = fl_log_ring_take (ring, NULL);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_strfreev (lines);
  for (const char *line = "abcdef"; *line != '\0'; line++)
    {
      char text[2] = { *line, '\0' };

      fl_log_ring_push (ring, text);
    }
  lines = fl_log_ring_take (ring, &dropped);
  assert_lines (lines, after_wrap, G_N_ELEMENTS (after_wrap));
  g_assert_cmpuint (dropped, ==, 2);
  g_strfreev (lines);
  fl_log_ring_free (ring);
}

static void
test_ring_capacity_zero (void)
{
  FlLogRing *ring = fl_log_ring_new (0);
  const char *last[] = { "third" };
  guint64 dropped = 0;
  char **lines;

  /* No capacity still keeps the newest line. */
  fl_log_ring_push (ring, "first");
  fl_log_ring_push (ring, "second");
  fl_log_ring_push (ring, "third");
  lines = fl_log_ring_take (ring, &dropped);
  assert_lines (lines, last, 1);
  g_assert_cmpuint (dropped, ==, 2);
  g_strfreev (lines);
  fl_log_ring_free (ring);
  fl_log_ring_free (NULL);
}

#define PUSHERS 4
#define PUSHES 2000

/* What a test thread works on (a ring, a bridge reference of its own) and its number. */
typedef struct
{
  gpointer target;
  guint thread;
} Job;

static gpointer
push_lines (gpointer data)
{
  Job *pusher = data;

  for (guint i = 0; i < PUSHES; i++)
    {
      char line[32];

      g_snprintf (line, sizeof line, "%u %u", pusher->thread, i);
      fl_log_ring_push (pusher->target, line);
    }
  return NULL;
}

/* Adds what lines holds to *taken and checks each pusher's lines come in order. */
static void
count_taken (char **lines, guint64 *taken, gint64 *last_seen)
{
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint thread, index;

      g_assert_cmpint (sscanf (lines[i], "%u %u", &thread, &index), ==, 2);
      g_assert_cmpuint (thread, <, PUSHERS);
      g_assert_cmpint ((gint64) index, >, last_seen[thread]);
      last_seen[thread] = index;
      (*taken)++;
    }
}

static void
test_ring_many_threads (void)
{
  FlLogRing *ring = fl_log_ring_new (64);
  Job pushers[PUSHERS];
  GThread *threads[PUSHERS];
  gint64 last_seen[PUSHERS];
  guint64 taken = 0, dropped = 0, dropped_now;
  char **lines;

  for (guint t = 0; t < PUSHERS; t++)
    {
      pushers[t] = (Job) { ring, t };
      last_seen[t] = -1;
      threads[t] = g_thread_new ("pusher", push_lines, &pushers[t]);
    }
  /* The main loop's tick, taking while handler threads push. */
  for (guint round = 0; round < 200; round++)
    {
      lines = fl_log_ring_take (ring, &dropped_now);
      count_taken (lines, &taken, last_seen);
      dropped += dropped_now;
      g_strfreev (lines);
      g_usleep (50);
    }
  for (guint t = 0; t < PUSHERS; t++)
    g_thread_join (threads[t]);
  lines = fl_log_ring_take (ring, &dropped_now);
  count_taken (lines, &taken, last_seen);
  dropped += dropped_now;
  g_strfreev (lines);

  /* Every line pushed was either taken or counted as dropped, exactly once. */
  g_assert_cmpuint (taken + dropped, ==, PUSHERS * PUSHES);
  g_assert_cmpuint (taken, >=, 64);
  fl_log_ring_free (ring);
}

static FlEvent
served (const char *host, guint16 port, gint32 code)
{
  FlEvent event = { .kind = FL_EVENT_CONNECTION_SERVED,
                    .connection = { .code = code, .bytes = 300 } };

  if (host != NULL && strchr (host, ':') != NULL)
    {
      event.connection.peer.family = AF_INET6;
      g_assert_cmpint (inet_pton (AF_INET6, host, event.connection.peer.address), ==, 1);
    }
  else if (host != NULL)
    {
      event.connection.peer.family = AF_INET;
      g_assert_cmpint (inet_pton (AF_INET, host, event.connection.peer.address), ==, 1);
    }
  event.connection.peer.port = port;
  return event;
}

static void
test_ring_server_events (void)
{
  FlLogRing *ring = fl_log_ring_new (16);
  const FlEvent events[] = {
    served ("127.0.0.1", 50125, FL_EVENT_NO_ERROR),
    /* Not sent in full: no line, as the lab's server prints none. */
    served ("127.0.0.1", 50126, FL_ERROR_NETWORK),
    { .kind = FL_EVENT_STAGE_STARTED, .stage = { .stage = FL_STAGE_SERVE } },
    served ("::1", 1234, FL_EVENT_NO_ERROR),
    served ("10.1.2.3", 65535, FL_EVENT_NO_ERROR),
    served (NULL, 0, FL_EVENT_NO_ERROR),
  };
  const char *expected[] = {
    "Sent an image to (127.0.0.1, 50125)",
    "Sent an image to (::1, 1234)",
    "Sent an image to (10.1.2.3, 65535)",
    "Sent an image to (?, 0)",
    "Could not accept a connection: too many open files",
  };
  g_autoptr (FlEvents) stream = fl_events_new (0);
  guint64 dropped = 1;
  char **lines;

  /* Through a real stream, as the server panel reads its server. */
  fl_events_add_reader (stream, fl_log_ring_read_server_events, ring, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    fl_events_emit (stream, &events[i]);
  fl_events_notice (stream, FL_STAGE_SERVE, 1, "Could not accept a connection: %s",
                    "too many open files");
  fl_events_flush (stream);
  lines = fl_log_ring_take (ring, &dropped);
  assert_lines (lines, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (dropped, ==, 0);
  g_strfreev (lines);
  g_clear_pointer (&stream, fl_events_free);
  fl_log_ring_free (ring);
}

/* Pipeline bridge */

static void
emit (FlPipelineBridge *bridge, const FlEvent *event)
{
  fl_events_emit (fl_pipeline_bridge_get_events (bridge), event);
}

/* Emits the event and waits until the bridge has read it. */
static void
emit_read (FlPipelineBridge *bridge, FlEvent event)
{
  emit (bridge, &event);
  fl_events_flush (fl_pipeline_bridge_get_events (bridge));
}

static FlEvent
stage_started (FlStage stage, guint64 total, gint64 t0)
{
  return (FlEvent) { .kind = FL_EVENT_STAGE_STARTED, .t0 = t0, .t1 = t0,
                     .stage = { .stage = stage, .total = total, .tracks = 3 } };
}

static FlEvent
stage_ended (FlStage stage, gint64 t0, gint64 t1, guint64 done, gint32 code)
{
  return (FlEvent) { .kind = FL_EVENT_STAGE_ENDED, .t0 = t0, .t1 = t1,
                     .stage = { .stage = stage, .code = code, .done = done } };
}

static FlEvent
frame (FlEventKind kind, guint track, guint index, guint64 done)
{
  return (FlEvent) { .kind = kind, .track = track, .t0 = 100, .t1 = 200,
                     .frame = { .index = index, .attempt = 1, .done = done,
                                .code = kind == FL_EVENT_FRAME_FETCHED ? FL_EVENT_NO_ERROR
                                                                       : FL_ERROR_NETWORK } };
}

static FlEvent
chunk (FlEventKind kind, guint worker, guint first, guint count, guint done, guint64 stage_done)
{
  return (FlEvent) { .kind = kind, .track = worker, .t0 = 300, .t1 = 400,
                     .chunk = { .first = first, .count = count, .done = done,
                                .stage_done = stage_done } };
}

static void
assert_stage (FlPipelineBridge *bridge, FlStage stage, guint64 done, guint64 total,
              gboolean started, gboolean finished, double seconds)
{
  FlStageSnapshot snapshot;

  fl_pipeline_bridge_get (bridge, stage, &snapshot);
  g_assert_cmpuint (snapshot.done, ==, done);
  g_assert_cmpuint (snapshot.total, ==, total);
  g_assert_cmpint (snapshot.started, ==, started);
  g_assert_cmpint (snapshot.finished, ==, finished);
  g_assert_cmpfloat (snapshot.seconds, ==, seconds);
}

static void
assert_latest (FlPipelineBridge *bridge, gint expected)
{
  guint index = 12345;

  if (expected < 0)
    {
      g_assert_false (fl_pipeline_bridge_get_latest_frame (bridge, &index));
      g_assert_cmpuint (index, ==, 12345);
      return;
    }
  g_assert_true (fl_pipeline_bridge_get_latest_frame (bridge, &index));
  g_assert_cmpuint (index, ==, (guint) expected);
}

static void
assert_worker (const FlWorkerSnapshot *worker, guint first, guint n_frames, guint done,
               guint frames)
{
  g_assert_cmpuint (worker->first, ==, first);
  g_assert_cmpuint (worker->n_frames, ==, n_frames);
  g_assert_cmpuint (worker->done, ==, done);
  g_assert_cmpuint (worker->frames, ==, frames);
}

/* Consecutive slices that hold one state: from the previous run's end to end. */
typedef struct
{
  guint end;
  gint state;
} SliceRun;

/* The bridge's slices are exactly the runs, which cover all of them. */
#define assert_slice_runs(bridge, ...) \
  check_slice_runs (bridge, (const SliceRun[]) { __VA_ARGS__ }, \
                    G_N_ELEMENTS (((const SliceRun[]) { __VA_ARGS__ })))

static void
check_slice_runs (FlPipelineBridge *bridge, const SliceRun *runs, guint n_runs)
{
  gint slices[FL_BRIDGE_SLICES];
  guint s = 0;

  fl_pipeline_bridge_get_slices (bridge, slices);
  for (guint r = 0; r < n_runs; r++)
    for (; s < runs[r].end; s++)
      if (slices[s] != runs[r].state)
        g_error ("slice %u is %d, expected %d", s, slices[s], runs[r].state);
  g_assert_cmpuint (s, ==, FL_BRIDGE_SLICES);
}

/* A whole run as three download threads and two GIF workers report it. */
static void
run_sample (FlPipelineBridge *bridge)
{
  FlWorkerSnapshot workers[FL_BRIDGE_MAX_WORKERS];

  emit_read (bridge, (FlEvent) { .kind = FL_EVENT_RUN_STARTED, .t0 = 1,
                                 .run = { .index = 0, .total = 1 } });
  emit_read (bridge, stage_started (FL_STAGE_DOWNLOAD, 6, 1000000));
  assert_stage (bridge, FL_STAGE_DOWNLOAD, 0, 6, TRUE, FALSE, 0.0);
  assert_stage (bridge, FL_STAGE_ENCODE, 0, 0, FALSE, FALSE, 0.0);
  assert_latest (bridge, -1);

  for (guint t = 0; t < 3; t++)
    emit_read (bridge, frame (FL_EVENT_FRAME_STARTED, t, t, 0));
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 3);

  emit_read (bridge, frame (FL_EVENT_FRAME_FETCHED, 1, 1, 1));
  emit_read (bridge, frame (FL_EVENT_FRAME_RETRY, 0, 0, 0));
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 1);
  assert_stage (bridge, FL_STAGE_DOWNLOAD, 1, 6, TRUE, FALSE, 0.0);
  assert_latest (bridge, 1);

  emit_read (bridge, frame (FL_EVENT_FRAME_STARTED, 0, 0, 0));
  emit_read (bridge, frame (FL_EVENT_FRAME_STARTED, 1, 3, 0));
  emit_read (bridge, frame (FL_EVENT_FRAME_FETCHED, 2, 2, 2));
  emit_read (bridge, frame (FL_EVENT_FRAME_STARTED, 2, 4, 0));
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 3);
  /* Thread 2's count arrives before thread 0's smaller one: the largest stays,
   * the frame shown is the one written last. */
  emit_read (bridge, frame (FL_EVENT_FRAME_FETCHED, 2, 4, 4));
  emit_read (bridge, frame (FL_EVENT_FRAME_FETCHED, 0, 0, 3));
  assert_stage (bridge, FL_STAGE_DOWNLOAD, 4, 6, TRUE, FALSE, 0.0);
  assert_latest (bridge, 0);
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 1);

  emit_read (bridge, frame (FL_EVENT_FRAME_FAILED, 1, 3, 0));
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 0);
  emit_read (bridge, frame (FL_EVENT_FRAME_STARTED, 1, 3, 0));
  emit_read (bridge, frame (FL_EVENT_FRAME_STARTED, 0, 5, 0));
  emit_read (bridge, frame (FL_EVENT_FRAME_FETCHED, 0, 5, 5));
  emit_read (bridge, frame (FL_EVENT_FRAME_FETCHED, 1, 3, 6));
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 0);
  assert_latest (bridge, 3);
  assert_stage (bridge, FL_STAGE_DOWNLOAD, 6, 6, TRUE, FALSE, 0.0);
  emit_read (bridge, stage_ended (FL_STAGE_DOWNLOAD, 1000000, 3500000, 6, FL_EVENT_NO_ERROR));
  assert_stage (bridge, FL_STAGE_DOWNLOAD, 6, 6, TRUE, TRUE, 2.5);

  /* 480 frames in 240 slices: two frames a slice. Chunks of 120 frames. */
  emit_read (bridge, stage_started (FL_STAGE_ENCODE, 480, 5000000));
  g_assert_cmpuint (fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS), ==, 0);
  emit_read (bridge, chunk (FL_EVENT_CHUNK_STARTED, 0, 0, 120, 0, 0));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_STARTED, 1, 120, 120, 0, 0));
  assert_stage (bridge, FL_STAGE_ENCODE, 0, 480, TRUE, FALSE, 0.0);
  g_assert_cmpuint (fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS), ==, 2);
  assert_worker (&workers[0], 0, 120, 0, 0);
  assert_worker (&workers[1], 120, 120, 0, 0);
  /* max bounds the copy. */
  g_assert_cmpuint (fl_pipeline_bridge_get_workers (bridge, workers, 1), ==, 1);
  assert_slice_runs (bridge, { 60, 2 }, { 120, 4 }, { FL_BRIDGE_SLICES, 0 });

  emit_read (bridge, chunk (FL_EVENT_CHUNK_PROGRESS, 0, 0, 120, 60, 60));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_PROGRESS, 1, 120, 120, 31, 91));
  assert_stage (bridge, FL_STAGE_ENCODE, 91, 480, TRUE, FALSE, 0.0);
  fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS);
  assert_worker (&workers[0], 0, 120, 60, 60);
  assert_worker (&workers[1], 120, 120, 31, 31);
  /* Frames 120..150 encoded: slice 75 (frames 150, 151) is not yet. */
  assert_slice_runs (bridge, { 30, 3 }, { 60, 2 }, { 75, 5 }, { 120, 4 },
                     { FL_BRIDGE_SLICES, 0 });

  /* Worker 0 finishes its chunk and takes the third one. */
  emit_read (bridge, chunk (FL_EVENT_CHUNK_ENCODED, 0, 0, 120, 120, 151));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_STARTED, 0, 240, 120, 0, 151));
  fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS);
  assert_worker (&workers[0], 240, 120, 0, 120);
  emit_read (bridge, chunk (FL_EVENT_CHUNK_ENCODED, 1, 120, 120, 120, 240));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_STARTED, 1, 360, 120, 0, 240));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_PROGRESS, 0, 240, 120, 40, 280));
  assert_slice_runs (bridge, { 60, 3 }, { 120, 5 }, { 140, 3 }, { 180, 2 },
                     { FL_BRIDGE_SLICES, 4 });

  emit_read (bridge, chunk (FL_EVENT_CHUNK_ENCODED, 1, 360, 120, 120, 400));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_ENCODED, 0, 240, 120, 120, 480));
  emit_read (bridge, stage_ended (FL_STAGE_ENCODE, 5000000, 5750000, 480, FL_EVENT_NO_ERROR));
  assert_stage (bridge, FL_STAGE_ENCODE, 480, 480, TRUE, TRUE, 0.75);
  assert_stage (bridge, FL_STAGE_DOWNLOAD, 6, 6, TRUE, TRUE, 2.5);
  g_assert_cmpuint (fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS), ==, 2);
  assert_worker (&workers[0], 240, 120, 120, 240);
  assert_worker (&workers[1], 360, 120, 120, 240);
  assert_slice_runs (bridge, { 60, 3 }, { 120, 5 }, { 180, 3 }, { FL_BRIDGE_SLICES, 5 });

  /* The server's stage is not the bridge's; a worker beyond the slots is ignored. */
  emit_read (bridge, stage_started (FL_STAGE_SERVE, 77, 6000000));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_ENCODED, FL_BRIDGE_MAX_WORKERS, 0, 480, 480, 480));
  assert_stage (bridge, FL_STAGE_ENCODE, 480, 480, TRUE, TRUE, 0.75);
  g_assert_cmpuint (fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS), ==, 2);
  assert_slice_runs (bridge, { 60, 3 }, { 120, 5 }, { 180, 3 }, { FL_BRIDGE_SLICES, 5 });
}

static void
test_bridge_snapshots (void)
{
  g_autoptr (FlPipelineBridge) bridge = fl_pipeline_bridge_new ();
  FlWorkerSnapshot workers[FL_BRIDGE_MAX_WORKERS];

  /* A new bridge is zeroed. */
  assert_stage (bridge, FL_STAGE_DOWNLOAD, 0, 0, FALSE, FALSE, 0.0);
  assert_stage (bridge, FL_STAGE_ENCODE, 0, 0, FALSE, FALSE, 0.0);
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 0);
  assert_latest (bridge, -1);
  g_assert_cmpuint (fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS), ==, 0);
  assert_slice_runs (bridge, { FL_BRIDGE_SLICES, 0 });

  run_sample (bridge);
}

static void
test_bridge_run_started_resets (void)
{
  g_autoptr (FlPipelineBridge) bridge = fl_pipeline_bridge_new ();
  FlWorkerSnapshot workers[FL_BRIDGE_MAX_WORKERS];

  run_sample (bridge);
  /* A frame still under way when the sweep's next run begins. */
  emit_read (bridge, frame (FL_EVENT_FRAME_STARTED, 0, 9, 0));
  emit_read (bridge, (FlEvent) { .kind = FL_EVENT_RUN_STARTED, .t0 = 7000000,
                                 .run = { .index = 1, .total = 2 } });
  assert_stage (bridge, FL_STAGE_DOWNLOAD, 0, 0, FALSE, FALSE, 0.0);
  assert_stage (bridge, FL_STAGE_ENCODE, 0, 0, FALSE, FALSE, 0.0);
  assert_latest (bridge, -1);
  g_assert_cmpuint (fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS), ==, 0);
  /* In flight is not reset: it returns to zero as the attempt ends. */
  assert_slice_runs (bridge, { FL_BRIDGE_SLICES, 0 });
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 1);
  emit_read (bridge, frame (FL_EVENT_FRAME_FAILED, 0, 9, 0));
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 0);

  /* The new run's workers count from zero, whatever their last range was. */
  emit_read (bridge, stage_started (FL_STAGE_ENCODE, 480, 8000000));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_PROGRESS, 0, 0, 120, 10, 10));
  g_assert_cmpuint (fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS), ==, 1);
  assert_worker (&workers[0], 0, 120, 10, 10);
  assert_slice_runs (bridge, { 5, 3 }, { 60, 2 }, { FL_BRIDGE_SLICES, 0 });

  /* A stage that ends in an error is not finished and has no time. */
  emit_read (bridge, stage_ended (FL_STAGE_ENCODE, 8000000, 9000000, 10, FL_ERROR_CANCELLED));
  assert_stage (bridge, FL_STAGE_ENCODE, 10, 480, TRUE, FALSE, 0.0);

  /* The explicit reset does the same from any thread. */
  emit_read (bridge, frame (FL_EVENT_FRAME_STARTED, 0, 2, 0));
  emit_read (bridge, frame (FL_EVENT_FRAME_FETCHED, 0, 2, 1));
  fl_pipeline_bridge_reset (bridge);
  assert_stage (bridge, FL_STAGE_DOWNLOAD, 0, 0, FALSE, FALSE, 0.0);
  assert_stage (bridge, FL_STAGE_ENCODE, 0, 0, FALSE, FALSE, 0.0);
  assert_latest (bridge, -1);
  g_assert_cmpuint (fl_pipeline_bridge_get_workers (bridge, workers, FL_BRIDGE_MAX_WORKERS), ==, 0);
}

/* A slice shows the frame under it; one that lies before a chunk is not its. */
static void
test_bridge_slices_at_chunk_edges (void)
{
  g_autoptr (FlPipelineBridge) bridge = fl_pipeline_bridge_new ();

  /* Fewer frames than slices: each frame spans two or three slices, and
   * nothing shows encoded before a frame is. */
  emit_read (bridge, stage_started (FL_STAGE_ENCODE, 100, 0));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_STARTED, 0, 0, 100, 0, 0));
  assert_slice_runs (bridge, { FL_BRIDGE_SLICES, 2 });
  /* Frames 0..49 encoded: slice 120, at 50 %, shows frame 50. */
  emit_read (bridge, chunk (FL_EVENT_CHUNK_PROGRESS, 0, 0, 100, 50, 50));
  assert_slice_runs (bridge, { 120, 3 }, { FL_BRIDGE_SLICES, 2 });
  emit_read (bridge, chunk (FL_EVENT_CHUNK_ENCODED, 0, 0, 100, 100, 100));
  assert_slice_runs (bridge, { FL_BRIDGE_SLICES, 3 });

  /* 5000 frames: slice 4 is frames 83..103, all worker 0's. Worker 1's chunk
   * starts at 104, inside the slice's number range (104 * 240 / 5000 = 4.99). */
  fl_pipeline_bridge_reset (bridge);
  emit_read (bridge, stage_started (FL_STAGE_ENCODE, 5000, 0));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_STARTED, 0, 0, 104, 0, 0));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_STARTED, 1, 104, 104, 0, 0));
  assert_slice_runs (bridge, { 5, 2 }, { 10, 4 }, { FL_BRIDGE_SLICES, 0 });
  emit_read (bridge, chunk (FL_EVENT_CHUNK_PROGRESS, 0, 0, 104, 100, 100));
  assert_slice_runs (bridge, { 4, 3 }, { 5, 2 }, { 10, 4 }, { FL_BRIDGE_SLICES, 0 });
  emit_read (bridge, chunk (FL_EVENT_CHUNK_ENCODED, 0, 0, 104, 104, 104));
  emit_read (bridge, chunk (FL_EVENT_CHUNK_ENCODED, 1, 104, 104, 104, 208));
  assert_slice_runs (bridge, { 5, 3 }, { 10, 5 }, { FL_BRIDGE_SLICES, 0 });
}

static void
test_bridge_take_events (void)
{
  g_autoptr (FlPipelineBridge) bridge = fl_pipeline_bridge_new ();
  FlEvents *stream = fl_pipeline_bridge_get_events (bridge);
  const FlEvent sent[] = {
    stage_started (FL_STAGE_DOWNLOAD, 2, 10),
    frame (FL_EVENT_FRAME_STARTED, 0, 0, 0),
    frame (FL_EVENT_FRAME_FETCHED, 0, 0, 1),
    chunk (FL_EVENT_CHUNK_STARTED, 1, 0, 2, 0, 0),
  };
  const FlEvent from_server[] = {
    served ("127.0.0.1", 40000, FL_EVENT_NO_ERROR),
    { .kind = FL_EVENT_STAGE_STARTED, .stage = { .stage = FL_STAGE_SERVE } },
    served ("127.0.0.1", 40001, FL_ERROR_NETWORK),
    { .kind = FL_EVENT_NOTICE, .notice = { .stage = FL_STAGE_SERVE, .text = (char *) "x" } },
  };
  g_autoptr (GArray) taken = NULL;
  const FlEvent *events;

  taken = fl_pipeline_bridge_take_events (bridge);
  g_assert_cmpuint (taken->len, ==, 0);
  g_clear_pointer (&taken, g_array_unref);

  emit (bridge, &sent[0]);
  emit (bridge, &sent[1]);
  fl_events_notice (stream, FL_STAGE_DOWNLOAD, 3, "Could not start download thread %u", 2);
  emit (bridge, &sent[2]);
  emit (bridge, &sent[3]);
  fl_events_notice (stream, FL_STAGE_ENCODE, 4, "A notice");
  fl_events_flush (stream);

  taken = fl_pipeline_bridge_take_events (bridge);
  g_assert_cmpuint (taken->len, ==, G_N_ELEMENTS (sent));
  events = (const FlEvent *) taken->data;
  for (guint i = 0; i < G_N_ELEMENTS (sent); i++)
    {
      g_assert_cmpint (events[i].kind, ==, sent[i].kind);
      g_assert_cmpuint (events[i].track, ==, sent[i].track);
      g_assert_cmpint (events[i].t0, ==, sent[i].t0);
      g_assert_cmpint (events[i].t1, ==, sent[i].t1);
    }
  g_assert_cmpuint (events[0].stage.total, ==, 2);
  g_assert_cmpuint (events[2].frame.done, ==, 1);
  g_assert_cmpuint (events[3].chunk.count, ==, 2);
  g_clear_pointer (&taken, g_array_unref);

  /* Taken once: then nothing. */
  taken = fl_pipeline_bridge_take_events (bridge);
  g_assert_cmpuint (taken->len, ==, 0);
  g_clear_pointer (&taken, g_array_unref);

  /* The embedded server's connections join them, and nothing else of its stream. */
  fl_pipeline_bridge_read_server_events (from_server, G_N_ELEMENTS (from_server), bridge);
  emit_read (bridge, frame (FL_EVENT_FRAME_STARTED, 1, 1, 0));
  taken = fl_pipeline_bridge_take_events (bridge);
  g_assert_cmpuint (taken->len, ==, 3);
  events = (const FlEvent *) taken->data;
  g_assert_cmpint (events[0].kind, ==, FL_EVENT_CONNECTION_SERVED);
  g_assert_cmpuint (events[0].connection.peer.port, ==, 40000);
  g_assert_cmpint (events[1].kind, ==, FL_EVENT_CONNECTION_SERVED);
  g_assert_cmpuint (events[1].connection.peer.port, ==, 40001);
  g_assert_cmpint (events[2].kind, ==, FL_EVENT_FRAME_STARTED);
  g_assert_cmpuint (events[2].frame.index, ==, 1);
  /* Connections are not frames: the bars did not move. */
  g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 1);
}

#define HOLDERS 4
#define ROUNDS 500

/* data: a Job whose target is a bridge reference, the thread's to drop. */
static gpointer
hold_and_emit (gpointer data)
{
  Job *holder = data;

  for (guint i = 0; i < ROUNDS; i++)
    {
      FlPipelineBridge *ref = fl_pipeline_bridge_ref (holder->target);
      FlStageSnapshot snapshot;
      FlEvent started = frame (FL_EVENT_FRAME_STARTED, holder->thread, i, 0);
      FlEvent fetched = frame (FL_EVENT_FRAME_FETCHED, holder->thread, i,
                               (guint64) holder->thread * ROUNDS + i + 1);

      emit (ref, &started);
      emit (ref, &fetched);
      fl_pipeline_bridge_get (ref, FL_STAGE_DOWNLOAD, &snapshot);
      fl_pipeline_bridge_get_in_flight (ref);
      if (i % 50 == 0)
        g_array_unref (fl_pipeline_bridge_take_events (ref));
      fl_pipeline_bridge_unref (ref);
    }
  fl_pipeline_bridge_unref (holder->target);
  return NULL;
}

typedef struct
{
  gint events;
  gint destroyed;
} Counted;

static void
count_events (const FlEvent *events, guint n_events, gpointer user_data)
{
  Counted *counted = user_data;

  (void) events;
  g_atomic_int_add (&counted->events, (gint) n_events);
}

static void
count_destroy (gpointer user_data)
{
  Counted *counted = user_data;

  g_atomic_int_inc (&counted->destroyed);
}

/* Several holders: with keep_last, this thread keeps a reference to the end. */
static void
race_references (gboolean keep_last)
{
  FlPipelineBridge *bridge = fl_pipeline_bridge_new ();
  Counted counted = { 0, 0 };
  Job holders[HOLDERS];
  GThread *threads[HOLDERS];

  fl_events_add_reader (fl_pipeline_bridge_get_events (bridge), count_events, &counted,
                        count_destroy);
  for (guint t = 0; t < HOLDERS; t++)
    {
      holders[t] = (Job) { fl_pipeline_bridge_ref (bridge), t };
      threads[t] = g_thread_new ("holder", hold_and_emit, &holders[t]);
    }
  if (!keep_last)
    fl_pipeline_bridge_unref (bridge);
  for (guint t = 0; t < HOLDERS; t++)
    g_thread_join (threads[t]);

  if (keep_last)
    {
      FlStageSnapshot snapshot;

      fl_events_flush (fl_pipeline_bridge_get_events (bridge));
      g_assert_cmpint (g_atomic_int_get (&counted.destroyed), ==, 0);
      g_assert_cmpint (g_atomic_int_get (&counted.events), ==, HOLDERS * ROUNDS * 2);
      fl_pipeline_bridge_get (bridge, FL_STAGE_DOWNLOAD, &snapshot);
      g_assert_cmpuint (snapshot.done, ==, HOLDERS * ROUNDS);
      g_assert_cmpuint (fl_pipeline_bridge_get_in_flight (bridge), ==, 0);
      fl_pipeline_bridge_unref (bridge);
    }
  /* Whoever dropped the last reference freed the stream, once, after it
   * delivered every event. */
  g_assert_cmpint (g_atomic_int_get (&counted.destroyed), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&counted.events), ==, HOLDERS * ROUNDS * 2);
}

static void
test_bridge_references (void)
{
  race_references (TRUE);
  race_references (FALSE);
}

/* Background runner */

typedef struct
{
  pid_t caller_tid;
  pid_t tid;
  int nice;
  int stat_nice;
  gboolean ran;
} Niced;

/* The nice value: field 19 of /proc/thread-self/stat, the 17th after the command's ")". */
static int
read_stat_nice (void)
{
  g_autofree char *stat = NULL;
  g_auto (GStrv) fields = NULL;
  const char *after_command;

  g_assert_true (g_file_get_contents ("/proc/thread-self/stat", &stat, NULL, NULL));
  after_command = strrchr (stat, ')');
  g_assert_nonnull (after_command);
  fields = g_strsplit (after_command + 2, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >, 16);
  return atoi (fields[16]);
}

static gpointer
note_priority (gpointer data)
{
  Niced *niced = data;

  niced->tid = gettid ();
  errno = 0;
  niced->nice = getpriority (PRIO_PROCESS, (id_t) niced->tid);
  g_assert_cmpint (errno, ==, 0);
  niced->stat_nice = read_stat_nice ();
  /* The caller must still be waiting when this ends. */
  g_usleep (50000);
  niced->ran = TRUE;
  return NULL;
}

static void
test_run_in_background (void)
{
  Niced niced = { .caller_tid = gettid () };
  int before, expected;

  errno = 0;
  before = getpriority (PRIO_PROCESS, (id_t) niced.caller_tid);
  g_assert_cmpint (errno, ==, 0);
  expected = MIN (before + FL_BRIDGE_NICE, 19);
  fl_bridge_run_in_background (note_priority, &niced);

  g_assert_true (niced.ran);
  g_assert_cmpint (niced.tid, !=, niced.caller_tid);
  g_assert_cmpint (niced.nice, ==, expected);
  g_assert_cmpint (niced.stat_nice, ==, expected);
  /* Only that thread was niced: the caller (the main loop) was not. */
  errno = 0;
  g_assert_cmpint (getpriority (PRIO_PROCESS, (id_t) niced.caller_tid), ==, before);
  g_assert_cmpint (read_stat_nice (), ==, before);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core-bridge/ring/keeps-newest", test_ring_keeps_newest);
  g_test_add_func ("/core-bridge/ring/capacity-zero", test_ring_capacity_zero);
  g_test_add_func ("/core-bridge/ring/many-threads", test_ring_many_threads);
  g_test_add_func ("/core-bridge/ring/server-events", test_ring_server_events);
  g_test_add_func ("/core-bridge/bridge/snapshots", test_bridge_snapshots);
  g_test_add_func ("/core-bridge/bridge/run-started-resets", test_bridge_run_started_resets);
  g_test_add_func ("/core-bridge/bridge/slices-at-chunk-edges",
                   test_bridge_slices_at_chunk_edges);
  g_test_add_func ("/core-bridge/bridge/take-events", test_bridge_take_events);
  g_test_add_func ("/core-bridge/bridge/references", test_bridge_references);
  g_test_add_func ("/core-bridge/run-in-background", test_run_in_background);
  return g_test_run ();
}
