/* fl-trace.c: FlEvents -> Chrome's Trace Event format (JSON array form).
 *
 * Thread ids are ours, not the kernel's: one range per kind of track, so that
 * a track keeps its name and place whatever thread served it (a handler slot
 * outlives its threads). Names are sent the first time a track shows up:
 * the format allows metadata anywhere in the file. The names stay English in
 * every language, like the lab's lines: a trace is data that people share and
 * tools read. */
#include "fl-trace.h"

#include "fl-error.h"
#include "fl-file.h"
#include "fl-json.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FLUSH_BYTES (64 * 1024)
#define TID_DOWNLOAD 1
#define TID_WORKER 100001
#define TID_HANDLER 200001

struct _FlTraceWriter
{
  FlAtomicFile *file;
  GString *out;
  GString *args;
  GHashTable *tracks;   /* tid -> tid: the named ones */
  int pid;
  gboolean any;         /* an event is written: the next needs a comma */
  guint64 async_id;
};

static const char *
code_name (gint32 code)
{
  static const char *const names[] = {
    [FL_ERROR_FAILED] = "failed",
    [FL_ERROR_INVALID_ARGUMENT] = "invalid argument",
    [FL_ERROR_ADDRESS] = "address",
    [FL_ERROR_ADDRESS_IN_USE] = "address in use",
    [FL_ERROR_ADDRESS_NOT_AVAILABLE] = "address not available",
    [FL_ERROR_CONNECT] = "connect",
    [FL_ERROR_NETWORK] = "network",
    [FL_ERROR_TOO_LARGE] = "too large",
    [FL_ERROR_INVALID_PNG] = "invalid PNG",
    [FL_ERROR_INVALID_GIF] = "invalid GIF",
    [FL_ERROR_IO] = "I/O",
    [FL_ERROR_NO_SPACE] = "no space",
    [FL_ERROR_NO_DESCRIPTORS] = "no descriptors",
    [FL_ERROR_WORKER] = "worker",
    [FL_ERROR_CANCELLED] = "cancelled",
  };

  if (code < 0)
    return NULL;
  if ((gsize) code < G_N_ELEMENTS (names) && names[code] != NULL)
    return names[code];
  return "failed";
}

static void
next_event (FlTraceWriter *writer)
{
  g_string_append (writer->out, writer->any ? ",\n" : "\n");
  writer->any = TRUE;
}

static void
flush_out (FlTraceWriter *writer, gsize threshold)
{
  if (writer->out->len < threshold)
    return;
  /* A failed write is sticky: close reports it. */
  fl_atomic_file_write (writer->file, writer->out->str, writer->out->len);
  g_string_truncate (writer->out, 0);
}

static void
metadata (FlTraceWriter *writer, const char *what, guint tid, const char *key, const char *name,
          guint sort_index)
{
  next_event (writer);
  g_string_append_printf (writer->out, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%d,\"tid\":%u,"
                          "\"args\":{\"%s\":", what, writer->pid, tid, key);
  if (name != NULL)
    fl_json_append_string (writer->out, name);
  else
    g_string_append_printf (writer->out, "%u", sort_index);
  g_string_append (writer->out, "}}");
}

/* The track's tid, named on first sight. */
static guint
track (FlTraceWriter *writer, guint base, guint index)
{
  guint tid = base + index;

  if (!g_hash_table_contains (writer->tracks, GUINT_TO_POINTER (tid)))
    {
      g_autofree char *name = NULL;

      /* Counted from 1, as people count threads and workers. */
      if (base == TID_DOWNLOAD)
        name = g_strdup_printf ("download thread %u", index + 1);
      else if (base == TID_WORKER)
        name = g_strdup_printf ("GIF worker %u", index + 1);
      else
        name = g_strdup_printf ("handler thread %u", index + 1);
      g_hash_table_add (writer->tracks, GUINT_TO_POINTER (tid));
      metadata (writer, "thread_name", tid, "name", name, 0);
      metadata (writer, "thread_sort_index", tid, "sort_index", NULL, tid);
    }
  return tid;
}

static void
append_int (GString *out, gint64 value)
{
  char digits[24];
  gsize i = sizeof digits;
  guint64 v = value < 0 ? -(guint64) value : (guint64) value;

  do
    digits[--i] = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  if (value < 0)
    digits[--i] = '-';
  g_string_append_len (out, digits + i, (gssize) (sizeof digits - i));
}

/* A complete span; args is a JSON object or NULL. A negative length is left out. */
static void
span (FlTraceWriter *writer, guint tid, const char *name, const char *cat, gint64 ts, gint64 dur,
      const char *args)
{
  GString *out = writer->out;

  if (dur < 0)
    return;
  /* Several spans a frame: appended piece by piece, printf's parsing would be
   * most of the writer's cost. */
  next_event (writer);
  g_string_append (out, "{\"name\":\"");
  g_string_append (out, name);
  g_string_append (out, "\",\"cat\":\"");
  g_string_append (out, cat);
  g_string_append (out, "\",\"ph\":\"X\",\"pid\":");
  append_int (out, writer->pid);
  g_string_append (out, ",\"tid\":");
  append_int (out, tid);
  g_string_append (out, ",\"ts\":");
  append_int (out, ts);
  g_string_append (out, ",\"dur\":");
  append_int (out, dur);
  if (args != NULL)
    {
      g_string_append (out, ",\"args\":");
      g_string_append (out, args);
    }
  g_string_append_c (out, '}');
}

/* A process-wide span (a stage, a run), written once its end is known. */
static void
async_span (FlTraceWriter *writer, const char *name, const char *cat, gint64 t0, gint64 t1,
            const char *args)
{
  guint64 id = ++writer->async_id;

  next_event (writer);
  g_string_append_printf (writer->out,
                          "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"b\",\"id\":%" G_GUINT64_FORMAT
                          ",\"pid\":%d,\"tid\":0,\"ts\":%" G_GINT64_FORMAT, name, cat, id,
                          writer->pid, t0);
  if (args != NULL)
    g_string_append_printf (writer->out, ",\"args\":%s", args);
  g_string_append_c (writer->out, '}');
  next_event (writer);
  g_string_append_printf (writer->out,
                          "{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"e\",\"id\":%" G_GUINT64_FORMAT
                          ",\"pid\":%d,\"tid\":0,\"ts\":%" G_GINT64_FORMAT "}", name, cat, id,
                          writer->pid, MAX (t1, t0));
}

static void
add_error (GString *args, gint32 code)
{
  if (code_name (code) != NULL)
    g_string_append_printf (args, ",\"error\":\"%s\"", code_name (code));
}

static void
add_frame (FlTraceWriter *writer, const FlEvent *event)
{
  const char *name = event->kind == FL_EVENT_FRAME_FETCHED ? "frame"
                     : event->kind == FL_EVENT_FRAME_RETRY ? "retry" : "failed";
  guint tid = track (writer, TID_DOWNLOAD, event->track);
  GString *args = writer->args;
  gint64 t = event->t0;

  g_string_assign (args, "{\"frame\":");
  append_int (args, event->frame.index);
  g_string_append (args, ",\"attempt\":");
  append_int (args, event->frame.attempt);
  if (event->kind == FL_EVENT_FRAME_FETCHED)
    {
      g_string_append (args, ",\"bytes\":");
      append_int (args, (gint64) event->frame.bytes);
    }
  add_error (args, event->frame.code);
  g_string_append_c (args, '}');
  span (writer, tid, name, "download", event->t0, event->t1 - event->t0, args->str);
  /* The phases nest inside: they are contiguous and sum to the span. */
  if (event->frame.connect_us > 0)
    span (writer, tid, "connect", "phase", t, event->frame.connect_us, NULL);
  t += event->frame.connect_us;
  if (event->frame.wait_us > 0)
    span (writer, tid, "wait for the reply", "phase", t, event->frame.wait_us, NULL);
  t += event->frame.wait_us;
  if (event->frame.write_us > 0)
    span (writer, tid, "write the frame", "phase", t, event->frame.write_us, NULL);
}

static void
add_chunk (FlTraceWriter *writer, const FlEvent *event)
{
  GString *args = writer->args;

  g_string_printf (args, "{\"chunk\":%u,\"first frame\":%u,\"frames\":%u,\"quantised\":%u,"
                   "\"decode ms\":%.3f,\"quantise ms\":%.3f,\"compress ms\":%.3f}",
                   event->chunk.index, event->chunk.first, event->chunk.count,
                   event->chunk.quantised, event->chunk.decode_us / 1000.0,
                   event->chunk.quantise_us / 1000.0, event->chunk.compress_us / 1000.0);
  span (writer, track (writer, TID_WORKER, event->track), "chunk", "encode", event->t0,
        event->t1 - event->t0, args->str);
}

static void
add_connection (FlTraceWriter *writer, const FlEvent *event)
{
  guint tid = track (writer, TID_HANDLER, event->track);
  GString *args = writer->args;
  const FlEventPeer *peer = &event->connection.peer;
  gboolean v6 = peer->family == AF_INET6;
  char host[64];

  g_string_assign (args, "{\"connection\":");
  append_int (args, event->connection.index);
  g_string_append (args, ",\"bytes\":");
  append_int (args, (gint64) event->connection.bytes);
  g_string_append (args, v6 ? ",\"peer\":\"[" : ",\"peer\":\"");
  g_string_append (args, fl_event_peer_host (peer, host, sizeof host));
  g_string_append (args, v6 ? "]:" : ":");
  append_int (args, peer->port);
  g_string_append_c (args, '"');
  add_error (args, event->connection.code);
  g_string_append_c (args, '}');
  span (writer, tid, "connection", "serve", event->t0, event->t1 - event->t0, args->str);
  if (event->connection.generate_us > 0)
    span (writer, tid, "generate", "phase", event->t0, event->connection.generate_us, NULL);
  if (event->connection.code == FL_EVENT_NO_ERROR)
    span (writer, tid, "send", "phase", event->t0 + event->connection.generate_us,
          event->t1 - event->t0 - event->connection.generate_us, NULL);
}

static void
add_stage_or_run (FlTraceWriter *writer, const FlEvent *event)
{
  GString *args = writer->args;

  if (event->kind == FL_EVENT_STAGE_ENDED)
    {
      g_string_printf (args, "{\"frames\":%" G_GUINT64_FORMAT ",\"done\":%" G_GUINT64_FORMAT,
                       event->stage.total, event->stage.done);
      add_error (args, event->stage.code);
      g_string_append_c (args, '}');
      async_span (writer, fl_stage_name (event->stage.stage), "stage", event->t0, event->t1,
                  args->str);
    }
  else
    {
      g_autofree char *name = g_strdup_printf ("run %u of %u", event->run.index + 1,
                                               event->run.total);

      g_string_assign (args, "{");
      add_error (args, event->run.code);
      g_string_append_c (args, '}');
      if (args->str[1] == ',')
        g_string_erase (args, 1, 1);
      async_span (writer, name, "run", event->t0, event->t1, args->str);
    }
}

static void
add_notice (FlTraceWriter *writer, const FlEvent *event)
{
  next_event (writer);
  g_string_append_printf (writer->out, "{\"name\":");
  fl_json_append_string (writer->out, event->notice.text);
  g_string_append_printf (writer->out, ",\"cat\":\"notice\",\"ph\":\"i\",\"s\":\"p\",\"pid\":%d,"
                          "\"tid\":0,\"ts\":%" G_GINT64_FORMAT "}", writer->pid, event->t0);
}

void
fl_trace_writer_add (const FlEvent *events, guint n_events, gpointer data)
{
  FlTraceWriter *writer = data;

  for (guint i = 0; i < n_events; i++)
    {
      switch (events[i].kind)
        {
        case FL_EVENT_FRAME_FETCHED:
        case FL_EVENT_FRAME_RETRY:
        case FL_EVENT_FRAME_FAILED:
          add_frame (writer, &events[i]);
          break;
        case FL_EVENT_CHUNK_ENCODED:
          add_chunk (writer, &events[i]);
          break;
        case FL_EVENT_CONNECTION_SERVED:
          add_connection (writer, &events[i]);
          break;
        case FL_EVENT_STAGE_STARTED:
          /* Every thread and worker gets its track, also one that stays idle
           * (idle is worth seeing); a server's handlers appear as they serve. */
          for (guint t = 0; t < events[i].stage.tracks && events[i].stage.stage != FL_STAGE_SERVE;
               t++)
            track (writer, events[i].stage.stage == FL_STAGE_DOWNLOAD ? TID_DOWNLOAD : TID_WORKER,
                   t);
          break;
        case FL_EVENT_STAGE_ENDED:
        case FL_EVENT_RUN_ENDED:
          add_stage_or_run (writer, &events[i]);
          break;
        case FL_EVENT_NOTICE:
          add_notice (writer, &events[i]);
          break;
        default:
          /* Starts and progress are for live views: the ends carry the spans. */
          break;
        }
    }
  flush_out (writer, FLUSH_BYTES);
}

FlTraceWriter *
fl_trace_writer_new (const char *path, const char *process_name, GError **error)
{
  FlAtomicFile *file = fl_atomic_file_new (path, error);
  FlTraceWriter *writer;

  if (file == NULL)
    return NULL;
  writer = g_new0 (FlTraceWriter, 1);
  writer->file = file;
  writer->out = g_string_sized_new (FLUSH_BYTES + 4096);
  writer->args = g_string_new (NULL);
  writer->tracks = g_hash_table_new (NULL, NULL);
  writer->pid = (int) getpid ();
  g_string_append (writer->out, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
  metadata (writer, "process_name", 0, "name", process_name, 0);
  return writer;
}

static void
writer_free (FlTraceWriter *writer)
{
  g_string_free (writer->out, TRUE);
  g_string_free (writer->args, TRUE);
  g_hash_table_unref (writer->tracks);
  g_free (writer);
}

gboolean
fl_trace_writer_close (FlTraceWriter *writer, GError **error)
{
  gboolean ok;

  g_string_append (writer->out, "\n]}\n");
  flush_out (writer, 0);
  ok = fl_atomic_file_commit (writer->file, error);
  writer_free (writer);
  return ok;
}

void
fl_trace_writer_abort (FlTraceWriter *writer)
{
  if (writer == NULL)
    return;
  fl_atomic_file_abort (writer->file);
  writer_free (writer);
}
