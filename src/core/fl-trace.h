/* fl-trace.h: a run's events as a trace file for the profilers people already use.
 *
 * The file is Chrome's Trace Event format (JSON), which Perfetto
 * (ui.perfetto.dev), chrome://tracing and speedscope open: one process for the
 * program, one named thread track per download thread ("download thread 1"),
 * per GIF worker ("GIF worker 1") and per server handler ("handler thread 1").
 * On them: a "frame" span per frame fetched (with its phases "connect", "wait
 * for the reply" and "write the frame" inside), "retry" and "failed" spans for
 * attempts that did not deliver, a "chunk" span per chunk a worker encoded (its
 * decode, quantise and compress times as arguments: the worker reports them
 * summed over the chunk), a "connection" span per connection served (with
 * "generate" and "send" inside); the stages and a sweep's runs as process-wide
 * async spans, notices as instants. Timestamps are CLOCK_MONOTONIC
 * microseconds, so a client's and a server's traces from one machine line up.
 *
 * The writer is an FlEventReader: add it to a stream for a live run, or hand
 * it a finished run's events. It writes as it goes (its memory does not grow
 * with the run) to a temporary file renamed into place on close.
 */
#pragma once

#include <glib.h>

#include "fl-events.h"

G_BEGIN_DECLS

typedef struct _FlTraceWriter FlTraceWriter;

/* Starts a trace at path for the program process_name ("frameloom-client").
 * NULL with the error when the file cannot be created. */
FlTraceWriter *fl_trace_writer_new (const char *path, const char *process_name, GError **error);

/* An FlEventReader (user_data: the writer). Errors are sticky: close reports
 * the first. Never call it twice at once (a stream never does). */
void           fl_trace_writer_add (const FlEvent *events, guint n_events, gpointer writer);

/* Ends the file and renames it into place, then frees the writer. FALSE with
 * the first error; nothing is left at path then. */
gboolean       fl_trace_writer_close (FlTraceWriter *writer, GError **error);

/* Removes the temporary file and frees; path is never touched. */
void           fl_trace_writer_abort (FlTraceWriter *writer);

G_END_DECLS
