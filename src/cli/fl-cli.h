/* fl-cli.h: what the command-line front-ends share: the exit
 * codes, option errors, and a line writer that never lets printing limit a
 * server's throughput. */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

enum
{
  FL_EXIT_OK = 0,
  FL_EXIT_FAILURE = 1, /* the work failed */
  FL_EXIT_USAGE = 2,   /* bad arguments or a setting that cannot work (port in use) */
};

/* Parses argv with context; on failure prints "PROGRAM: sentence" plus a hint
 * and exits FL_EXIT_USAGE. Handles --version (prints "PROGRAM VERSION"). */
void fl_cli_parse_or_exit (GOptionContext *context, int *argc, char ***argv, const gboolean *version);

/* Prints "PROGRAM: message" on stderr. */
void fl_cli_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Buffered, bounded output for high-rate lines. Lines are appended from any
 * thread and written by a background thread in large blocks; when the output
 * cannot keep up (a slow terminal) lines beyond the bound are counted and
 * reported, never allowed to block the caller. */
typedef struct _FlLineWriter FlLineWriter;

FlLineWriter *fl_line_writer_new (FILE *stream, gsize max_pending);
void          fl_line_writer_append (FlLineWriter *writer, const char *line, gsize length);
/* Flushes everything pending, stops the thread, frees. */
void          fl_line_writer_free (FlLineWriter *writer);

G_END_DECLS
