/* fl-process.h: what every Frameloom program does before anything else. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes descriptors 0, 1 and 2 open (on /dev/null where they were closed), so
 * that no socket or file the program opens later takes one of those numbers and
 * receives what is meant for stdout; and ignores SIGPIPE, so that a closed pipe
 * or socket is an EPIPE to handle, never the end of the process. Call first in
 * main, before any thread starts. Child processes the core starts get SIGPIPE
 * back at its default. */
void fl_process_init (void);

G_END_DECLS
