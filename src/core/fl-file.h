/* fl-file.h: files written atomically, and bounded reads.
 *
 * An FlAtomicFile writes to an unnamed O_TMPFILE in the destination's folder
 * and links it into place on commit (where the file system has no O_TMPFILE, a
 * temporary ".NAME.tmp-PID-XXXXXX" renamed into place); any failure removes the
 * temporary, so a reader never sees half a file and a SIGKILL leaves no
 * temporary behind. Only nothing or a regular file is ever replaced: a folder,
 * a symbolic link, a FIFO, a device or a socket at the path is refused with one
 * sentence and left alone. A replaced file keeps its mode, and its owner and
 * group as far as the process may set them. Errors are sticky: after the first
 * failure every call returns FALSE and commit reports that first error.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

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
/* The same for name inside the open folder dir_fd (path names it in messages):
 * no path lookups of the folder, for writers of many files. */
gboolean fl_file_write_atomic_at (int dir_fd, const char *path, const char *name,
                                  const void *data, gsize length, GError **error);

/* Fails with one sentence unless path is nothing or a regular file. */
gboolean fl_file_check_replaceable (const char *path, GError **error);
/* Before any work: path is not empty, its folder exists and takes new files, and
 * path itself is replaceable. */
gboolean fl_file_check_output (const char *path, GError **error);
/* "a folder", "a FIFO", "a symbolic link", "a device", "a socket", "a regular file". */
const char *fl_file_describe_type (mode_t mode);

/* Removes the named temporaries that killed runs left in dir (only where
 * O_TMPFILE is missing, or in the instant between link and rename): for
 * frames, every ".<i>.png.tmp-*" (the caller holds the folder's lock); else
 * the ".NAME.tmp-*" whose process is gone. Returns how many it removed. */
guint fl_file_remove_stale_temporaries (const char *dir, const char *name, gboolean frames);

/* Reads a whole file of at most max_bytes; larger files fail with FL_ERROR_TOO_LARGE.
 * The result is owned by the caller (g_free). */
gboolean fl_file_read (const char *path, gsize max_bytes, guint8 **contents, gsize *length,
                       GError **error);

/* A buffer that fl_file_read_reusing fills and keeps from file to file. */
typedef struct
{
  guint8 *data;
  gsize capacity;
} FlFileBuffer;

/* Like fl_file_read, for name inside the folder open as dir_fd (or AT_FDCWD)
 * into buffer, which it grows as needed and keeps for the next file, in as few
 * system calls as possible (open, read, close: syscalls are most of a small
 * file's cost): no fstat, and a short read is the end of the file. O_NONBLOCK
 * keeps a FIFO from hanging the reader; a folder fails in read (EISDIR). path
 * names the file in messages. Sets *length to the bytes read. */
gboolean fl_file_read_reusing (int dir_fd, const char *name, const char *path, gsize max_bytes,
                               FlFileBuffer *buffer, gsize *length, GError **error);
/* Frees what buffer holds; it may be used again. */
void     fl_file_buffer_clear (FlFileBuffer *buffer);

/* Creates a folder and its parents (0755); an existing folder is fine. */
gboolean fl_file_ensure_dir (const char *path, GError **error);

/* Writes all bytes to fd, retrying short writes and EINTR. Returns 0 or errno. */
int fl_fd_write_all (int fd, const void *data, gsize length);

G_END_DECLS
