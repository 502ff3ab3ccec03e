/* fl-core-bridge.h: the core's event stream -> coalesced main-loop state.
 *
 * Core modules report through an FlEvents stream from many threads, up to tens
 * of thousands of events a second. Nothing here touches a widget: the readers
 * store the latest values in atomics or append to a bounded ring under a mutex,
 * and a panel's ~20 Hz main-loop timer takes a snapshot. So the main loop sees a
 * fixed, small amount of work per tick whatever the event rate.
 */
#pragma once

#include <glib.h>

#include "fl-pipeline.h"
#include "fl-server.h"
#include "fl-sync.h"

G_BEGIN_DECLS

/* The refresh rate of every panel that reads a bridge. */
#define FL_BRIDGE_TICK_MS 50

/* A bounded ring of text lines; the oldest are dropped when full. */
typedef struct _FlLogRing FlLogRing;

FlLogRing *fl_log_ring_new (guint capacity);
void       fl_log_ring_free (FlLogRing *ring);
/* Any thread. Copies line. */
void       fl_log_ring_push (FlLogRing *ring, const char *line);
/* Main thread: the lines pushed since the last take (at most capacity, oldest
 * first, NULL-terminated, caller frees) and how many were dropped meanwhile. */
char     **fl_log_ring_take (FlLogRing *ring, guint64 *dropped);

/* An FlEventReader for a server's stream, with the FlLogRing as user_data: the
 * lab's "Sent an image to (host, port)" per image sent, and every notice. */
void       fl_log_ring_read_server_events (const FlEvent *events, guint n_events,
                                           gpointer user_data);

/* Pipeline progress as atomics, read from the bridge's own event stream: set
 * the pipeline config's events to fl_pipeline_bridge_get_events (bridge).
 * Reference counted (atomically): the run's thread, its panel and the live
 * concurrency view each hold one, so none has to outlive the others; the
 * stream goes with the last reference. */
#define FL_BRIDGE_MAX_WORKERS 64
/* The GIF's frames in this many equal slices, each remembering which worker
 * took it and whether it is encoded: a worker gets many chunks in turn, and a
 * ~20 Hz view would miss the short ones if it only saw each worker's latest. */
#define FL_BRIDGE_SLICES 240

typedef struct
{
  /* g_atomic_int_*: inline atomics that ThreadSanitizer sees, unlike GLib's
   * g_atomic_rc_box (the last reference may go on any thread). */
  gint ref_count;
  guint64 done[2];      /* indexed by FlStage */
  guint64 total[2];
  gint started[2];
  gint finished[2];
  double seconds[2];    /* valid once finished[stage] is set */
  gint in_flight;       /* attempts at a frame under way right now */
  gint latest_frame;    /* the frame written last, + 1; 0 before the first */
  guint n_workers;      /* highest GIF worker index seen + 1 */
  guint worker_first[FL_BRIDGE_MAX_WORKERS];
  guint worker_n[FL_BRIDGE_MAX_WORKERS];
  guint worker_done[FL_BRIDGE_MAX_WORKERS];
  guint worker_frames[FL_BRIDGE_MAX_WORKERS];  /* encoded by each worker so far */
  gint slices[FL_BRIDGE_SLICES];  /* 0 nobody, 2 (w + 1) taken by w, + 1 once encoded */
  FlEvents *events;
  /* The events read since the last fl_pipeline_bridge_take_events (notices
   * left out): the run model takes them on the main loop. */
  FlMutex pending_mutex;
  GArray *pending;
} FlPipelineBridge;

typedef struct
{
  guint64 done, total;
  gboolean started, finished;
  double seconds;
} FlStageSnapshot;

typedef struct
{
  guint first, n_frames, done;  /* the worker's latest range */
  guint frames;                 /* all the frames it encoded so far */
} FlWorkerSnapshot;

/* A zeroed bridge with one reference, and its stream. */
FlPipelineBridge *fl_pipeline_bridge_new (void);
FlPipelineBridge *fl_pipeline_bridge_ref (FlPipelineBridge *bridge);
void fl_pipeline_bridge_unref (FlPipelineBridge *bridge);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlPipelineBridge, fl_pipeline_bridge_unref)

/* Any thread (a sweep resets between its runs while the UI reads): every field
 * is stored atomically. */
void fl_pipeline_bridge_reset (FlPipelineBridge *bridge);
/* The stream the bridge reads; it lives as long as the bridge. */
FlEvents *fl_pipeline_bridge_get_events (FlPipelineBridge *bridge);
/* Any thread; a consistent-enough snapshot of one stage. */
void fl_pipeline_bridge_get (FlPipelineBridge *bridge, FlStage stage, FlStageSnapshot *out);
/* Any thread: the attempts at a frame under way right now. */
guint fl_pipeline_bridge_get_in_flight (FlPipelineBridge *bridge);
/* Any thread: the frame written last, or FALSE before the first. */
gboolean fl_pipeline_bridge_get_latest_frame (FlPipelineBridge *bridge, guint *index);
/* Any thread: copies up to max workers' ranges into out; returns how many. */
guint fl_pipeline_bridge_get_workers (FlPipelineBridge *bridge, FlWorkerSnapshot *out, guint max);
/* Any thread: the FL_BRIDGE_SLICES slice states (see FlPipelineBridge.slices). */
void  fl_pipeline_bridge_get_slices (FlPipelineBridge *bridge, gint *out);
/* Any thread: the events (FlEvent, notices left out) read since the last call,
 * oldest first; g_array_unref. A sweep's RUN_STARTED also resets the atomics,
 * so every run's bars and workers start from zero. */
GArray *fl_pipeline_bridge_take_events (FlPipelineBridge *bridge);
/* An FlEventReader for another stream, the embedded server's (user_data: the
 * bridge): its connections join the events the run model takes, so the
 * Timeline shows the handler threads beside the client's. */
void    fl_pipeline_bridge_read_server_events (const FlEvent *events, guint n_events,
                                               gpointer bridge);

/* Runs func (data) on a new thread whose nice value is raised by FL_BRIDGE_NICE
 * and waits for it. On Linux nice is per thread, and the threads and processes
 * that thread starts (download threads, GIF workers, server handlers) inherit
 * it: so under load the main loop keeps the processors it needs, without a
 * pool thread staying niced (an unprivileged thread cannot lower it again). */
#define FL_BRIDGE_NICE 5

void fl_bridge_run_in_background (GThreadFunc func, gpointer data);

G_END_DECLS
