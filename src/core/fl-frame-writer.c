/* fl-frame-writer.c: atomic frames that recycle the inodes they replace. */
#include "fl-frame-writer.h"

#include "fl-error.h"
#include "fl-file-private.h"
#include "fl-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

struct _FlFrameWriter
{
  int dir_fd;
  char *dir_path;
  GString *path;        /* dir_path/name of the frame being written, for messages */
  char spare[96];       /* the hidden name of the spare */
  gboolean have_spare;
  struct stat spare_st; /* the spare's mode and owner (of the frame it once was) */
  gboolean no_exchange; /* renameat2(RENAME_EXCHANGE) is not supported here */
};

FlFrameWriter *
fl_frame_writer_new (int dir_fd, const char *dir_path)
{
  static gint counter;
  FlFrameWriter *writer = g_new0 (FlFrameWriter, 1);

  writer->dir_fd = dir_fd;
  writer->dir_path = g_strdup (dir_path);
  writer->path = g_string_new (NULL);
  /* A frame temporary by its name (".*.png.tmp-PID-N"), so that the next run
   * removes it if this one is killed. */
  g_snprintf (writer->spare, sizeof writer->spare, ".spare.png.tmp-%d-%d", (int) getpid (),
              g_atomic_int_add (&counter, 1));
  return writer;
}

static const char *
frame_path (FlFrameWriter *writer, const char *name)
{
  g_string_assign (writer->path, writer->dir_path);
  if (writer->path->len > 0 && writer->path->str[writer->path->len - 1] != G_DIR_SEPARATOR)
    g_string_append_c (writer->path, G_DIR_SEPARATOR);
  g_string_append (writer->path, name);
  return writer->path->str;
}

static gboolean
set_errno (GError **error, int errsv, const char *path)
{
  g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not write %s: %s", path,
               fl_strerror (errsv));
  return FALSE;
}

/* Writes the new frame into the spare and swaps the two: the old frame's inode
 * is the spare after. FALSE with errno when the spare or the exchange fails. */
static gboolean
exchange_with_spare (FlFrameWriter *writer, const char *name, const struct stat *old,
                     const void *data, gsize length, int *errsv)
{
  int fd = openat (writer->dir_fd, writer->spare, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    {
      *errsv = errno;
      return FALSE;
    }
  *errsv = fl_fd_write_all (fd, data, length);
  if (*errsv == 0 && ftruncate (fd, (off_t) length) != 0)
    *errsv = errno;
  if (*errsv == 0 && ((old->st_mode ^ writer->spare_st.st_mode) & 07777
                      || old->st_uid != writer->spare_st.st_uid
                      || old->st_gid != writer->spare_st.st_gid))
    fl_file_keep_mode_and_owner (fd, old);
  if (close (fd) != 0 && *errsv == 0)
    *errsv = errno;
  if (*errsv == 0 && renameat2 (writer->dir_fd, writer->spare, writer->dir_fd, name,
                                RENAME_EXCHANGE) != 0)
    *errsv = errno;
  if (*errsv != 0)
    return FALSE;
  writer->spare_st = *old;
  return TRUE;
}

/* The first frame a thread replaces: written as a new file, linked under the
 * spare's name and exchanged with the old frame, which stays as the spare. */
static gboolean
start_spare (FlFrameWriter *writer, const char *name, const struct stat *old, const void *data,
             gsize length, GError **error)
{
  const char *path = writer->path->str;
  int fd = openat (writer->dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  int errsv;

  if (fd < 0)
    {
      /* No O_TMPFILE here: no spares either. */
      writer->no_exchange = TRUE;
      return fl_file_write_atomic_at (writer->dir_fd, path, name, data, length, error);
    }
  errsv = fl_fd_write_all (fd, data, length);
  if (errsv == 0)
    {
      fl_file_keep_mode_and_owner (fd, old);
      errsv = fl_file_link_tmpfile (fd, writer->dir_fd, writer->spare);
    }
  close (fd);
  if (errsv != 0)
    return set_errno (error, errsv, path);
  if (renameat2 (writer->dir_fd, writer->spare, writer->dir_fd, name, RENAME_EXCHANGE) != 0)
    {
      errsv = errno;
      /* No exchange here: a plain rename over the old frame, and no spares. */
      if (renameat (writer->dir_fd, writer->spare, writer->dir_fd, name) != 0)
        {
          int rename_errsv = errno;
          unlinkat (writer->dir_fd, writer->spare, 0);
          return set_errno (error, rename_errsv, path);
        }
      writer->no_exchange = errsv == EINVAL || errsv == ENOSYS || errsv == EOPNOTSUPP;
      return TRUE;
    }
  writer->spare_st = *old;
  writer->have_spare = TRUE;
  return TRUE;
}

gboolean
fl_frame_writer_write (FlFrameWriter *writer, const char *name, const void *data, gsize length,
                       GError **error)
{
  const char *path = frame_path (writer, name);
  struct stat old;
  gboolean exists;
  int errsv;

  if (!fl_file_check_destination_at (writer->dir_fd, name, path, &exists, &old, error))
    return FALSE;
  if (!exists || writer->no_exchange)
    return fl_file_write_atomic_at (writer->dir_fd, path, name, data, length, error);
  if (!writer->have_spare)
    return start_spare (writer, name, &old, data, length, error);
  if (exchange_with_spare (writer, name, &old, data, length, &errsv))
    return TRUE;
  /* The spare is unusable (removed, or the disk is full): drop it and write the
   * frame the ordinary way, which reports a failure of its own. */
  unlinkat (writer->dir_fd, writer->spare, 0);
  writer->have_spare = FALSE;
  if (errsv == ENOSPC || errsv == EDQUOT || errsv == EIO)
    return set_errno (error, errsv, path);
  return fl_file_write_atomic_at (writer->dir_fd, path, name, data, length, error);
}

void
fl_frame_writer_free (FlFrameWriter *writer)
{
  if (writer == NULL)
    return;
  if (writer->have_spare)
    unlinkat (writer->dir_fd, writer->spare, 0);
  g_string_free (writer->path, TRUE);
  g_free (writer->dir_path);
  g_free (writer);
}
