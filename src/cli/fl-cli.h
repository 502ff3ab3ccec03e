/* fl-cli.h: what the command-line front-ends share: the exit codes and option
 * errors. */
#pragma once

#include <glib.h>
#include <signal.h>
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

/* Blocks SIGINT, SIGTERM and SIGUSR1 in the calling thread and sets signals
 * to them, for sigwait. Called before any other thread starts, so that every
 * thread inherits the mask and only the waiting one takes them. */
void fl_cli_block_stop_signals (sigset_t *signals);

/* Prints "PROGRAM: message" on stderr. */
void fl_cli_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
