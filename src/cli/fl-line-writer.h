/* fl-line-writer.h: output that never holds up the program that prints.
 *
 * A server prints a line per image from many threads, onto a stdout that may be
 * a slow terminal, a full pipe nobody drains or a closed one. Lines are
 * appended without ever blocking; a writer thread writes them in large blocks,
 * waiting for the output only in bounded polls; what does not fit within the
 * bound, or cannot be written at all, is dropped and counted, and the count is
 * reported (rate-limited) through another writer. Closing waits for the output
 * only until a deadline, so a stuck output cannot stop the program either.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FlLineWriter FlLineWriter;

/* A writer on descriptor fd holding at most max_pending bytes. threaded: lines
 * go out from a thread of its own (for high rates); otherwise each line is
 * written at once if the output takes it without waiting, else dropped (for
 * rare lines; no thread). Should the thread not start, the writer is direct.
 * Drops are reported as one sentence through report (when not NULL). */
FlLineWriter *fl_line_writer_new (int fd, gsize max_pending, gboolean threaded,
                                  FlLineWriter *report);
/* Appends length bytes (whole lines, each ending in '\n'); never blocks on the
 * output. Thread-safe. */
void          fl_line_writer_append (FlLineWriter *writer, const char *text, gsize length);
/* Writes what is pending until deadline (g_get_monotonic_time microseconds),
 * drops what is left then, reports the drops, stops the thread and frees. */
void          fl_line_writer_free (FlLineWriter *writer, gint64 deadline);

G_END_DECLS
