/* fl-file.h: files written atomically, and bounded reads.
 *
 * An FlAtomicFile writes to a temporary name in the destination's folder and
 * renames it into place on commit; any failure removes the temporary file, so a
 * reader never sees half a file. Errors are sticky: after the first failure
 * every call returns FALSE and commit reports that first error.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FlAtomicFile FlAtomicFile;

FlAtomicFile *fl_atomic_file_new (const char *path, GError **error);
gboolean      fl_atomic_file_write (FlAtomicFile *file, const void *data, gsize length);
/* Writes at an absolute offset (for patching a header); does not move the end. */
gboolean      fl_atomic_file_pwrite (FlAtomicFile *file, const void *data, gsize length,
                                     guint64 offset);
guint64       fl_atomic_file_get_size (FlAtomicFile *file);
/* Closes, renames into place, frees. On failure removes the temporary file. */
gboolean      fl_atomic_file_commit (FlAtomicFile *file, GError **error);
/* Removes the temporary file and frees; the destination is never touched. */
void          fl_atomic_file_abort (FlAtomicFile *file);

/* One call for the common case: the whole content at once. */
gboolean fl_file_write_atomic (const char *path, const void *data, gsize length, GError **error);

/* Reads a whole file of at most max_bytes; larger files fail with FL_ERROR_TOO_LARGE.
 * The result is owned by the caller (g_free). */
gboolean fl_file_read (const char *path, gsize max_bytes, guint8 **contents, gsize *length,
                       GError **error);

/* Creates a folder and its parents (0755); an existing folder is fine. */
gboolean fl_file_ensure_dir (const char *path, GError **error);

/* Writes all bytes to fd, retrying short writes and EINTR. Returns 0 or errno. */
int fl_fd_write_all (int fd, const void *data, gsize length);

G_END_DECLS
