/* fl-file.c: atomic file output and bounded file input. */
#include "fl-file.h"
#include "fl-file-private.h"

#include "fl-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _FlAtomicFile
{
  char *path;      /* the destination, as messages name it */
  char *name;      /* its last component, relative to dir_fd */
  int dir_fd;      /* its folder */
  gboolean own_dir_fd;
  char *temp_path; /* a named temporary (no O_TMPFILE here), else NULL */
  int fd;
  guint64 size;
  GError *error;   /* the first failure, sticky */
};

/* Names of the named temporaries: ".NAME.tmp-PID-N", so that a later run can tell
 * one whose process is gone (a SIGKILL) from one still being written. */
#define TEMP_INFIX ".tmp-"

int
fl_fd_write_all (int fd, const void *data, gsize length)
{
  const guint8 *p = data;

  while (length > 0)
    {
      ssize_t n = write (fd, p, length);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return errno;
        }
      if (n == 0)
        return EIO;
      p += n;
      length -= (gsize) n;
    }
  return 0;
}

static void
set_errno_error (GError **error, int errsv, const char *verb, const char *path)
{
  g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not %s %s: %s", verb,
               path, fl_strerror (errsv));
}

const char *
fl_file_describe_type (mode_t mode)
{
  if (S_ISREG (mode))
    return "a regular file";
  if (S_ISDIR (mode))
    return "a folder";
  if (S_ISLNK (mode))
    return "a symbolic link";
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISSOCK (mode))
    return "a socket";
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return "a device";
  return "not a regular file";
}

static void
set_not_regular_error (GError **error, const char *path, mode_t mode)
{
  g_set_error (error, FL_ERROR, FL_ERROR_IO,
               "Could not write %s: it is %s, and only a regular file is ever replaced", path,
               fl_file_describe_type (mode));
}

/* Whether name in dir_fd may be replaced: nothing there, or a regular file
 * (then *old holds it). Replacing anything else would turn /dev/null into a
 * file or write through a symbolic link. */
gboolean
fl_file_check_destination_at (int dir_fd, const char *name, const char *path, gboolean *exists,
                              struct stat *old, GError **error)
{
  if (fstatat (dir_fd, name, old, AT_SYMLINK_NOFOLLOW) != 0)
    {
      int errsv = errno;
      *exists = FALSE;
      if (errsv == ENOENT)
        return TRUE;
      set_errno_error (error, errsv, "write", path);
      return FALSE;
    }
  *exists = TRUE;
  if (!S_ISREG (old->st_mode))
    {
      set_not_regular_error (error, path, old->st_mode);
      return FALSE;
    }
  return TRUE;
}

gboolean
fl_file_check_replaceable (const char *path, GError **error)
{
  struct stat st;
  gboolean exists;

  return fl_file_check_destination_at (AT_FDCWD, path, path, &exists, &st, error);
}

gboolean
fl_file_check_output (const char *path, GError **error)
{
  g_autofree char *dir = NULL;
  struct stat st;

  if (path == NULL || path[0] == '\0')
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT, "The file name is empty");
      return FALSE;
    }
  dir = g_path_get_dirname (path);
  if (stat (dir, &st) != 0)
    {
      int errsv = errno;
      g_set_error (error, FL_ERROR, FL_ERROR_IO, "Could not write %s: its folder %s %s", path,
                   dir, errsv == ENOENT ? "does not exist" : fl_strerror (errsv));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_IO, "Could not write %s: %s is %s, not a folder",
                   path, dir, fl_file_describe_type (st.st_mode));
      return FALSE;
    }
  if (access (dir, W_OK | X_OK) != 0)
    {
      set_errno_error (error, errno, "write", path);
      return FALSE;
    }
  return fl_file_check_replaceable (path, error);
}

/* O_TMPFILE: the file has no name until it is complete, so a SIGKILL leaves
 * nothing behind. Where the file system lacks it, a named temporary. */
static gboolean
open_temporary (FlAtomicFile *file, GError **error)
{
  g_autofree char *dir = NULL;

  file->fd = openat (file->dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (file->fd >= 0)
    return TRUE;
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    {
      set_errno_error (error, errno, "create", file->path);
      return FALSE;
    }
  dir = g_path_get_dirname (file->path);
  file->temp_path = g_strdup_printf ("%s/.%s" TEMP_INFIX "%d-XXXXXX", dir, file->name,
                                     (int) getpid ());
  file->fd = g_mkstemp_full (file->temp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (file->fd < 0)
    {
      set_errno_error (error, errno, "create", file->path);
      g_clear_pointer (&file->temp_path, g_free);
      return FALSE;
    }
  return TRUE;
}

static FlAtomicFile *
atomic_file_new (int dir_fd, gboolean own_dir_fd, const char *path, const char *name,
                 GError **error)
{
  FlAtomicFile *file = g_new0 (FlAtomicFile, 1);

  file->path = g_strdup (path);
  file->name = g_strdup (name);
  file->dir_fd = dir_fd;
  file->own_dir_fd = own_dir_fd;
  if (!open_temporary (file, error))
    {
      fl_atomic_file_abort (file);
      return NULL;
    }
  return file;
}

FlAtomicFile *
fl_atomic_file_new (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  struct stat old;
  gboolean exists;
  int dir_fd;

  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    {
      set_errno_error (error, errno, "create", path);
      return NULL;
    }
  /* Checked now, so that a bad destination fails before any work; and again
   * at commit, which is what counts. */
  if (!fl_file_check_destination_at (dir_fd, base, path, &exists, &old, error))
    {
      close (dir_fd);
      return NULL;
    }
  return atomic_file_new (dir_fd, TRUE, path, base, error);
}

static gboolean
record_errno (FlAtomicFile *file, int errsv)
{
  if (file->error == NULL)
    set_errno_error (&file->error, errsv, "write", file->path);
  return FALSE;
}

gboolean
fl_atomic_file_write (FlAtomicFile *file, const void *data, gsize length)
{
  int errsv;

  if (file->error != NULL)
    return FALSE;
  errsv = fl_fd_write_all (file->fd, data, length);
  if (errsv != 0)
    return record_errno (file, errsv);
  file->size += length;
  return TRUE;
}

gboolean
fl_atomic_file_pwrite (FlAtomicFile *file, const void *data, gsize length, guint64 offset)
{
  const guint8 *p = data;

  if (file->error != NULL)
    return FALSE;
  while (length > 0)
    {
      ssize_t n = pwrite (file->fd, p, length, (off_t) offset);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return record_errno (file, n < 0 ? errno : EIO);
      p += n;
      length -= (gsize) n;
      offset += (guint64) n;
    }
  return TRUE;
}

guint64
fl_atomic_file_get_size (FlAtomicFile *file)
{
  return file->size;
}

static void
atomic_file_free (FlAtomicFile *file)
{
  if (file->own_dir_fd && file->dir_fd >= 0)
    close (file->dir_fd);
  g_free (file->path);
  g_free (file->name);
  g_free (file->temp_path);
  g_clear_error (&file->error);
  g_free (file);
}

void
fl_atomic_file_abort (FlAtomicFile *file)
{
  if (file == NULL)
    return;
  if (file->fd >= 0)
    close (file->fd);
  if (file->temp_path != NULL)
    g_unlink (file->temp_path);
  atomic_file_free (file);
}

/* The mode a new file gets here (0644 less the umask), learnt once from the
 * first temporary file, so that replacing a file with the same mode costs no
 * fchmod. */
static mode_t
created_mode (int fd)
{
  static gint cached = -1;
  gint mode = g_atomic_int_get (&cached);
  struct stat st;

  if (mode < 0 && fstat (fd, &st) == 0)
    {
      mode = (gint) (st.st_mode & 07777);
      g_atomic_int_set (&cached, mode);
    }
  return (mode_t) mode;
}

/* A replaced file keeps its mode and, as far as we may set it, its owner and group. */
void
fl_file_keep_mode_and_owner (int fd, const struct stat *old)
{
  if ((old->st_mode & 07777) != created_mode (fd))
    fchmod (fd, old->st_mode & 07777);
  if (old->st_uid != geteuid () || old->st_gid != getegid ())
    {
      if (fchown (fd, old->st_uid, old->st_gid) != 0)
        (void) !fchown (fd, (uid_t) -1, old->st_gid);
    }
}

/* Gives the O_TMPFILE file a name. AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH;
 * /proc/self/fd works for everyone where /proc is mounted. */
int
fl_file_link_tmpfile (int fd, int dir_fd, const char *name)
{
  static gint empty_path_works = 1;
  char proc_path[64];

  if (g_atomic_int_get (&empty_path_works))
    {
      if (linkat (fd, "", dir_fd, name, AT_EMPTY_PATH) == 0)
        return 0;
      if (errno != ENOENT && errno != EPERM)
        return errno;
      g_atomic_int_set (&empty_path_works, 0);
    }
  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  return linkat (AT_FDCWD, proc_path, dir_fd, name, AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
}

/* linkat never replaces: an existing file is replaced by linking the new one
 * under a temporary name and renaming that over it. Only a SIGKILL in
 * between leaves the name, which fl_file_remove_stale_temporaries clears. */
static int
link_over (FlAtomicFile *file)
{
  static gint counter;
  char temp[256];
  int errsv;

  for (int tries = 0; tries < 100; tries++)
    {
      g_snprintf (temp, sizeof temp, ".%s" TEMP_INFIX "%d-%d", file->name, (int) getpid (),
                  g_atomic_int_add (&counter, 1));
      errsv = fl_file_link_tmpfile (file->fd, file->dir_fd, temp);
      if (errsv == EEXIST)
        continue;
      if (errsv != 0)
        return errsv;
      if (renameat (file->dir_fd, temp, file->dir_fd, file->name) == 0)
        return 0;
      errsv = errno;
      unlinkat (file->dir_fd, temp, 0);
      return errsv;
    }
  return EEXIST;
}

static gboolean
commit_tmpfile (FlAtomicFile *file)
{
  struct stat old;
  gboolean exists;
  int errsv;

  for (int tries = 0; tries < 3; tries++)
    {
      if (!fl_file_check_destination_at (file->dir_fd, file->name, file->path, &exists, &old, &file->error))
        return FALSE;
      if (exists)
        {
          fl_file_keep_mode_and_owner (file->fd, &old);
          errsv = link_over (file);
        }
      else
        errsv = fl_file_link_tmpfile (file->fd, file->dir_fd, file->name);
      if (errsv == 0)
        return TRUE;
      if (errsv != EEXIST && errsv != ENOENT)
        break;
      /* Created or removed by someone else since the check: look again. */
    }
  set_errno_error (&file->error, errsv, "rename into place", file->path);
  return FALSE;
}

static gboolean
commit_named (FlAtomicFile *file)
{
  struct stat old;
  gboolean exists;

  if (!fl_file_check_destination_at (file->dir_fd, file->name, file->path, &exists, &old, &file->error))
    return FALSE;
  if (exists)
    fl_file_keep_mode_and_owner (file->fd, &old);
  if (renameat (AT_FDCWD, file->temp_path, file->dir_fd, file->name) != 0)
    {
      set_errno_error (&file->error, errno, "rename into place", file->path);
      return FALSE;
    }
  g_clear_pointer (&file->temp_path, g_free);
  return TRUE;
}

gboolean
fl_atomic_file_commit (FlAtomicFile *file, GError **error)
{
  if (file->error == NULL)
    {
      if (file->temp_path != NULL)
        commit_named (file);
      else
        commit_tmpfile (file);
    }
  /* close() can report a deferred write error (NFS, quota): it counts. Only a
   * named temporary can be on such a file system: O_TMPFILE needs a local one. */
  if (file->fd >= 0 && close (file->fd) != 0 && file->error == NULL)
    record_errno (file, errno);
  file->fd = -1;
  if (file->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&file->error));
      fl_atomic_file_abort (file);
      return FALSE;
    }
  atomic_file_free (file);
  return TRUE;
}

gboolean
fl_file_write_atomic (const char *path, const void *data, gsize length, GError **error)
{
  FlAtomicFile *file = fl_atomic_file_new (path, error);

  if (file == NULL)
    return FALSE;
  fl_atomic_file_write (file, data, length);
  return fl_atomic_file_commit (file, error);
}

gboolean
fl_file_write_atomic_at (int dir_fd, const char *path, const char *name, const void *data,
                         gsize length, GError **error)
{
  FlAtomicFile *file = atomic_file_new (dir_fd, FALSE, path, name, error);

  if (file == NULL)
    return FALSE;
  fl_atomic_file_write (file, data, length);
  return fl_atomic_file_commit (file, error);
}

/* A temporary's process: the PID in ".NAME.tmp-PID-N", or 0 for an older
 * ".NAME.tmp-XXXXXX" that carries none. */
static int
temporary_owner (const char *suffix)
{
  char *end;
  guint64 pid = g_ascii_strtoull (suffix, &end, 10);

  return end != suffix && *end == '-' && pid > 0 && pid < G_MAXINT ? (int) pid : 0;
}

/* ".<i>.png.tmp-..." or a frame writer's ".spare.png.tmp-...": infix points at ".tmp-". */
static gboolean
is_frame_temporary (const char *entry, const char *infix)
{
  return infix - entry >= 5 && strncmp (infix - 4, ".png", 4) == 0;
}

guint
fl_file_remove_stale_temporaries (const char *dir, const char *name, gboolean frames)
{
  g_autoptr (GDir) folder = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = name != NULL ? g_strdup_printf (".%s" TEMP_INFIX, name) : NULL;
  const char *entry;
  guint removed = 0;

  if (folder == NULL)
    return 0;
  while ((entry = g_dir_read_name (folder)) != NULL)
    {
      const char *infix = strstr (entry, TEMP_INFIX);
      int owner;

      if (entry[0] != '.' || infix == NULL)
        continue;
      if (prefix != NULL && !g_str_has_prefix (entry, prefix))
        continue;
      /* Frames: ".<i>.png.tmp-..."; the caller holds the folder's lock, so no
       * other run writes them. */
      if (frames && !is_frame_temporary (entry, infix))
        continue;
      owner = temporary_owner (infix + strlen (TEMP_INFIX));
      if (!frames && owner != 0 && (owner == getpid () || kill (owner, 0) == 0 || errno != ESRCH))
        continue; /* its process may still be writing it */
      {
        g_autofree char *path = g_build_filename (dir, entry, NULL);
        if (g_unlink (path) == 0)
          removed++;
      }
    }
  return removed;
}

/* Reads fd to its end into buffer, growing it as needed, reading at most
 * max_bytes + 1 bytes: one byte more than allowed tells a file that is too
 * large (a reused buffer may be larger than that). With short_read_ends (a
 * regular file read in as few calls as possible) a read that does not fill
 * the room is the end; else only a read of nothing is. A file may be large and
 * memory limited (a worker under RLIMIT_AS): fail with a sentence rather than
 * abort the process. */
static gboolean
read_fd_bounded (int fd, const char *path, gsize max_bytes, gboolean short_read_ends,
                 FlFileBuffer *buffer, gsize *length, GError **error)
{
  const gsize limit = max_bytes < G_MAXSIZE ? max_bytes + 1 : G_MAXSIZE;
  gsize used = 0;

  for (;;)
    {
      gsize room = MIN (buffer->capacity, limit);
      ssize_t n;

      if (used == room)
        {
          gsize capacity = MIN (MAX (buffer->capacity * 2, 64 * 1024), limit);
          guint8 *bigger;

          if (room > max_bytes)
            {
              g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                           "Could not read %s: it is larger than %" G_GSIZE_FORMAT " bytes",
                           path, max_bytes);
              return FALSE;
            }
          bigger = g_try_realloc (buffer->data, capacity);
          if (bigger == NULL)
            {
              g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not read %s: out of memory",
                           path);
              return FALSE;
            }
          buffer->data = bigger;
          buffer->capacity = capacity;
          continue;
        }
      n = read (fd, buffer->data + used, room - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not read %s: %s",
                       path, fl_strerror (errsv));
          return FALSE;
        }
      used += (gsize) n;
      if (n == 0 || (short_read_ends && used < room))
        break;
    }
  *length = used;
  return TRUE;
}

gboolean
fl_file_read (const char *path, gsize max_bytes, guint8 **contents, gsize *length,
              GError **error)
{
  FlFileBuffer buffer = { NULL, 0 };
  struct stat st;
  gboolean ok;
  int fd;

  /* O_NONBLOCK: a FIFO must not block the open; it is refused below. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, FL_ERROR,
                   errsv == ENOENT ? FL_ERROR_IO : fl_error_code_from_errno (errsv),
                   "Could not read %s: %s", path, fl_strerror (errsv));
      return FALSE;
    }
  if (fstat (fd, &st) == 0 && !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, FL_ERROR, FL_ERROR_IO, "Could not read %s: it is %s, not a regular file",
                   path, fl_file_describe_type (st.st_mode));
      return FALSE;
    }
  /* Trust the size only as a hint: the file may grow while we read. */
  buffer.capacity = (st.st_size > 0 && (guint64) st.st_size < max_bytes) ? (gsize) st.st_size + 1
                                                                          : 4096;
  buffer.capacity = MIN (buffer.capacity, max_bytes + 1);
  buffer.data = g_try_malloc (buffer.capacity);
  if (buffer.data == NULL)
    buffer.capacity = 0;
  ok = read_fd_bounded (fd, path, max_bytes, FALSE, &buffer, length, error);
  close (fd);
  if (!ok)
    {
      fl_file_buffer_clear (&buffer);
      return FALSE;
    }
  *contents = buffer.data;
  return TRUE;
}

gboolean
fl_file_read_reusing (int dir_fd, const char *name, const char *path, gsize max_bytes,
                      FlFileBuffer *buffer, gsize *length, GError **error)
{
  gboolean ok;
  int fd;

  fd = openat (dir_fd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not read %s: %s",
                   path, fl_strerror (errsv));
      return FALSE;
    }
  ok = read_fd_bounded (fd, path, max_bytes, TRUE, buffer, length, error);
  close (fd);
  return ok;
}

void
fl_file_buffer_clear (FlFileBuffer *buffer)
{
  g_clear_pointer (&buffer->data, g_free);
  buffer->capacity = 0;
}

gboolean
fl_file_ensure_dir (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      int errsv = errno;
      set_errno_error (error, errsv, "create the folder", path);
      return FALSE;
    }
  return TRUE;
}
