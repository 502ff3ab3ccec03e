/* fl-dir-lock.h: one run per frames folder.
 *
 * Two runs writing <i>.png into one folder would each build a GIF of the other's
 * frames. A run takes the folder's lock for as long as it reads or writes frames:
 * flock() on the folder itself (no lock file to leave behind or to mistake for a
 * frame), which the kernel drops when the process ends, even by SIGKILL. A second
 * run, in this process or another, is refused with a sentence that names the
 * folder and, from /proc/locks, the process that holds it. The thread that holds
 * a lock may take it again (the pipeline holds it across the download and the
 * GIF, which take it too).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FlDirLock FlDirLock;

/* Locks the existing folder path; NULL and FL_ERROR_IO when it is in use (or
 * cannot be opened: the errno's code). Call from any thread; release on the same. */
FlDirLock *fl_dir_lock_acquire (const char *path, GError **error);
/* The open folder (O_RDONLY | O_DIRECTORY), valid until the release: for openat(). */
int        fl_dir_lock_get_fd (FlDirLock *lock);
void       fl_dir_lock_release (FlDirLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlDirLock, fl_dir_lock_release)

G_END_DECLS
