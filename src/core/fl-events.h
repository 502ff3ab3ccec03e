/* fl-events.h: the one stream of timed events that every module reports through.
 *
 * A module emits an FlEvent for each thing a reader may want to see (a stage
 * started or ended; frame k fetched by download thread t from t0 to t1, with its
 * phases, bytes and attempts; a retry; chunk c encoded by GIF worker w; a
 * connection served by handler h) from whichever thread it happens on. Emitting
 * copies the event into a bounded ring with a few atomic instructions: no lock,
 * no allocation, no system call. The stream's own thread hands the events, in
 * batches, in the order they were emitted, to every reader (progress bars, the
 * app's live view, trace files, run records) within about FL_EVENTS_LATENCY_MS.
 *
 * Nothing is ever dropped: an emitter that finds the ring full delivers what is
 * in it before it goes on, so memory stays bounded and a slow reader slows the
 * work down instead of losing events. Readers are therefore called one at a
 * time (never concurrently, never re-entered) but on any thread: the stream's,
 * one calling fl_events_flush(), or an emitting one. A reader must be quick,
 * must not emit into the same stream, and must not touch a UI.
 *
 * Times are microseconds of g_get_monotonic_time() (CLOCK_MONOTONIC), which all
 * processes of the machine share: a GIF worker's times, the server's and the
 * client's line up. Every module that takes an FlEvents * accepts NULL (then it
 * reports nothing and pays nothing) and flushes the stream before it returns,
 * so when fl_download_frames() returns its readers have seen all of its events.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a stage event is about. The server's life is the SERVE stage. */
typedef enum
{
  FL_STAGE_DOWNLOAD,
  FL_STAGE_ENCODE,
  FL_STAGE_SERVE,
} FlStage;

#define FL_N_STAGES 3

typedef enum
{
  /* stage: a stage began at t0; total is its frames (0 for SERVE), tracks the
   * threads or workers its events can come from (tracks 0..tracks-1). */
  FL_EVENT_STAGE_STARTED = 1,
  /* stage: it ended at t1 (began t0); done frames; code the error that ended it. */
  FL_EVENT_STAGE_ENDED,
  /* run: run index of total (a sweep's runs), began at t0. */
  FL_EVENT_RUN_STARTED,
  /* run: it ended at t1 (began t0); code the error that ended it. */
  FL_EVENT_RUN_ENDED,
  /* frame: download thread track began attempt number attempt at frame index at t0. */
  FL_EVENT_FRAME_STARTED,
  /* frame: that attempt failed at t1 (code); the frame is tried again. */
  FL_EVENT_FRAME_RETRY,
  /* frame: that attempt failed at t1 (code) and was the last: the frame is not written.
   * Also sent, with FL_ERROR_CANCELLED or the stop's code, for an attempt a stop cut. */
  FL_EVENT_FRAME_FAILED,
  /* frame: written; t0..t1 is the attempt that worked (its phases), attempt the
   * attempts it took, bytes the reply, done the frames written so far. */
  FL_EVENT_FRAME_FETCHED,
  /* chunk: frames first..first+count-1 handed to GIF worker track at t0. */
  FL_EVENT_CHUNK_STARTED,
  /* chunk: done of its frames arrived from the worker by t0; stage_done in all. */
  FL_EVENT_CHUNK_PROGRESS,
  /* chunk: the worker encoded it from t0 to t1 (its own clock when it reports
   * one, else hand-out to the last record), with the time of each phase. */
  FL_EVENT_CHUNK_ENCODED,
  /* connection: accepted at t0 by handler thread track, closed at t1; code when
   * the image was not sent in full. */
  FL_EVENT_CONNECTION_SERVED,
  /* notice: one sentence about a notable condition (descriptors exhausted, a
   * thread that could not start); rate-limited by the module that sends it. */
  FL_EVENT_NOTICE,
} FlEventKind;

/* The code of an event that reports no error. */
#define FL_EVENT_NO_ERROR (-1)

/* A peer's address, by value (an event holds no pointers). */
typedef struct
{
  guint8 family;      /* AF_INET, AF_INET6, or 0 when unknown */
  guint8 reserved;
  guint16 port;       /* host byte order */
  guint8 address[16]; /* network byte order; the first 4 for IPv4 */
} FlEventPeer;

typedef struct
{
  FlEventKind kind;
  guint32 track;      /* from 0: the download thread, GIF worker or handler thread */
  gint64 t0, t1;      /* microseconds, monotonic; t1 == t0 for an instant */
  union
  {
    struct
    {
      FlStage stage;
      gint32 code;    /* ENDED: FL_EVENT_NO_ERROR or the FlErrorCode that ended it */
      guint64 total;
      guint64 done;
      guint32 tracks;
    } stage;
    struct
    {
      guint32 index, total;
      gint32 code;    /* ENDED: FL_EVENT_NO_ERROR or the FlErrorCode that ended it */
    } run;
    struct
    {
      guint32 index;  /* frame number */
      guint32 attempt;
      gint32 code;    /* RETRY, FAILED: the attempt's FlErrorCode */
      /* The attempt's phases, 0 when not reached: connecting; waiting for and
       * reading the reply; checking it and writing the frame file. */
      guint32 connect_us, wait_us, write_us;
      guint64 bytes;  /* of the reply */
      guint64 done;
    } frame;
    struct
    {
      guint32 index;  /* chunk number, from 0 */
      guint32 first, count;
      guint32 done;
      guint64 stage_done;
      /* ENCODED, when the worker reports them: its time reading and decoding
       * the PNGs, building palettes (quantising), and compressing (LZW),
       * summed over the chunk's frames; quantised frames among them. */
      guint32 decode_us, quantise_us, compress_us;
      guint32 quantised;
    } chunk;
    struct
    {
      guint32 index;  /* connections served before this one */
      gint32 code;    /* FL_EVENT_NO_ERROR when sent in full */
      guint32 bytes;  /* sent (a reply is under 1 GiB: FL_IMAGE_MAX_PIXELS) */
      /* FlServerConfig.hash_images: fl_image_hash of the pixels sent (what the
       * lab's checker compares the client's frames with); else 0. */
      guint32 image_hash;
      /* From the accept to the reply's start (the server's latency and cost); the
       * image is then made, encoded and sent row by row, together. */
      guint32 generate_us;
      FlEventPeer peer;
    } connection;
    struct
    {
      FlStage stage;  /* the module's */
      guint32 what;   /* the module's kind of notice */
      /* The sentence, untranslated. It belongs to the stream and is valid only
       * while a reader is called: copy it to keep it. */
      char *text;
    } notice;
  };
} FlEvent;

/* The peer's address as text ("127.0.0.1", "::1"; "?" when unknown) in buffer
 * (46 bytes are enough); returns buffer. */
const char *fl_event_peer_host (const FlEventPeer *peer, char *buffer, gsize size);

/* The stream. */
typedef struct _FlEvents FlEvents;

/* Called with consecutive events, oldest first; see the rules at the top. */
typedef void (*FlEventReader) (const FlEvent *events, guint n_events, gpointer user_data);

#define FL_EVENTS_DEFAULT_CAPACITY 8192
#define FL_EVENTS_LATENCY_MS 20
#define FL_EVENTS_MAX_READERS 8

/* A stream whose ring holds capacity events (rounded up to a power of two; 0:
 * the default), with its delivery thread. */
FlEvents *fl_events_new (guint capacity);
/* Delivers what is left, stops the thread, drops the readers (calling their
 * destroy functions), frees. Not from a reader. */
void      fl_events_free (FlEvents *events);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlEvents, fl_events_free)

/* Any thread but a reader. Returns an id for fl_events_remove_reader (never 0);
 * the reader sees the events emitted after this call. */
guint     fl_events_add_reader (FlEvents *events, FlEventReader reader, gpointer user_data,
                                GDestroyNotify destroy);
/* Once this returns, the reader is not running and is never called again; its
 * destroy function has been called. Any thread but a reader. */
void      fl_events_remove_reader (FlEvents *events, guint id);

/* Any thread. events may be NULL (nothing happens). A NOTICE's text is taken
 * over (g_free'd once delivered). */
void      fl_events_push (FlEvents *events, const FlEvent *event);

static inline void
fl_events_emit (FlEvents *events, const FlEvent *event)
{
  if (events != NULL)
    fl_events_push (events, event);
}

/* When this returns, every event emitted before the call has reached every
 * reader. Any thread but a reader; events may be NULL. */
void      fl_events_flush (FlEvents *events);

typedef struct
{
  guint64 emitted;    /* events pushed so far */
  guint64 delivered;  /* of those, handed to the readers */
  guint64 full_waits; /* times an emitter found the ring full and delivered first */
  guint capacity;
} FlEventsStats;

void      fl_events_get_stats (FlEvents *events, FlEventsStats *stats);

/* The clock of every event. */
static inline gint64
fl_events_now (void)
{
  return g_get_monotonic_time ();
}

/* Sends a notice: text is formatted here and owned by the stream. No-op when
 * events is NULL (and then nothing is formatted). */
void      fl_events_notice (FlEvents *events, FlStage stage, guint what, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

/* A reader that keeps every event it reads, in order, in memory: what a test,
 * a finished run's timeline or a trace export of it reads back. It adds itself
 * to events (which must outlive it) and removes itself when freed. */
typedef struct _FlEventLog FlEventLog;

FlEventLog *fl_event_log_new (FlEvents *events);
void        fl_event_log_free (FlEventLog *log);
/* Any thread: a copy of the events kept so far (FlEvent; g_array_unref). The
 * notices' texts in it belong to the log. */
GArray     *fl_event_log_dup (FlEventLog *log);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlEventLog, fl_event_log_free)

/* "download", "GIF", "serve": the stage's name in traces and logs (untranslated). */
const char *fl_stage_name (FlStage stage);

G_END_DECLS
