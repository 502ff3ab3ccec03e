/* fl-file-private.h: what fl-file.c shares with fl-frame-writer.c. */
#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* Whether name in dir_fd may be replaced: nothing there (*exists FALSE), or a
 * regular file (then *old holds it); anything else is one sentence naming path. */
gboolean fl_file_check_destination_at (int dir_fd, const char *name, const char *path,
                                       gboolean *exists, struct stat *old, GError **error);
/* Gives the file open on fd the mode, owner and group of old, as far as allowed. */
void     fl_file_keep_mode_and_owner (int fd, const struct stat *old);

/* Gives the O_TMPFILE file open on fd the name name in dir_fd; 0 or errno. */
int      fl_file_link_tmpfile (int fd, int dir_fd, const char *name);

G_END_DECLS
