/* fl-file.c: atomic file output and bounded file input. */
#include "fl-file.h"

#include "fl-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct _FlAtomicFile
{
  char *path;
  char *temp_path;
  int fd;
  guint64 size;
  GError *error; /* the first failure, sticky */
};

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

FlAtomicFile *
fl_atomic_file_new (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  FlAtomicFile *file;
  char *temp_path;
  int fd;

  /* Same folder, so that rename() is atomic; a dot name, so globs skip it. */
  temp_path = g_strdup_printf ("%s/.%s.tmp-XXXXXX", dir, base);
  fd = g_mkstemp_full (temp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int errsv = errno;
      set_errno_error (error, errsv, "create", path);
      g_free (temp_path);
      return NULL;
    }
  file = g_new0 (FlAtomicFile, 1);
  file->path = g_strdup (path);
  file->temp_path = temp_path;
  file->fd = fd;
  return file;
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
  g_free (file->path);
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
  g_unlink (file->temp_path);
  atomic_file_free (file);
}

gboolean
fl_atomic_file_commit (FlAtomicFile *file, GError **error)
{
  int fd = file->fd;

  file->fd = -1;
  /* close() can report a deferred write error (NFS, quota): it counts. */
  if (close (fd) != 0 && file->error == NULL)
    record_errno (file, errno);
  if (file->error == NULL && rename (file->temp_path, file->path) != 0)
    set_errno_error (&file->error, errno, "rename into place", file->path);
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
fl_file_read (const char *path, gsize max_bytes, guint8 **contents, gsize *length,
              GError **error)
{
  struct stat st;
  guint8 *buffer = NULL;
  gsize capacity, used = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
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
      g_set_error (error, FL_ERROR, FL_ERROR_IO, "Could not read %s: not a regular file", path);
      return FALSE;
    }
  /* Trust the size only as a hint: the file may grow while we read. */
  capacity = (st.st_size > 0 && (guint64) st.st_size < max_bytes) ? (gsize) st.st_size + 1 : 4096;
  capacity = MIN (capacity, max_bytes + 1);
  /* A file may be large and memory limited (a worker under RLIMIT_AS): fail with a
   * sentence rather than abort the process. */
  buffer = g_try_malloc (capacity);
  if (buffer == NULL)
    goto out_of_memory;
  for (;;)
    {
      ssize_t n;
      if (used == capacity)
        {
          if (capacity > max_bytes)
            {
              g_free (buffer);
              close (fd);
              g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                           "Could not read %s: it is larger than %" G_GSIZE_FORMAT " bytes",
                           path, max_bytes);
              return FALSE;
            }
          capacity = MIN (capacity * 2, max_bytes + 1);
          {
            guint8 *bigger = g_try_realloc (buffer, capacity);
            if (bigger == NULL)
              goto out_of_memory;
            buffer = bigger;
          }
        }
      n = read (fd, buffer + used, capacity - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          g_free (buffer);
          close (fd);
          g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not read %s: %s",
                       path, fl_strerror (errsv));
          return FALSE;
        }
      if (n == 0)
        break;
      used += (gsize) n;
    }
  close (fd);
  if (used > max_bytes)
    {
      g_free (buffer);
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "Could not read %s: it is larger than %" G_GSIZE_FORMAT " bytes", path,
                   max_bytes);
      return FALSE;
    }
  *contents = buffer;
  *length = used;
  return TRUE;

out_of_memory:
  g_free (buffer);
  close (fd);
  g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not read %s: out of memory", path);
  return FALSE;
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
