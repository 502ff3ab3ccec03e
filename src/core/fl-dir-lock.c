/* fl-dir-lock.c: flock() on a folder, plus an in-process table of the locks held
 * (flock conflicts between two descriptors of one process too, and the thread
 * that holds a lock must be able to take it again). */
#include "fl-dir-lock.h"

#include "fl-error.h"
#include "fl-sync.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct _FlDirLock
{
  char *key;      /* "dev:ino" of the folder */
  int fd;
  GThread *owner;
  guint depth;
};

/* pthread's, which ThreadSanitizer sees (GLib's futexes it does not). */
static FlMutex table_lock = { PTHREAD_MUTEX_INITIALIZER };
static GHashTable *table; /* key -> FlDirLock, guarded by table_lock */

/* The process that holds an flock on dev:ino, from /proc/locks; 0 if unknown. */
static int
find_holder (const struct stat *st)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/locks", &contents, NULL, NULL))
    return 0;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char kind[16];
      unsigned int maj, min;
      unsigned long ino;
      int pid;

      /* "1: FLOCK  ADVISORY  WRITE 31052 fe:00:11108353 0 EOF" */
      if (sscanf (lines[i], "%*d: %15s %*s %*s %d %x:%x:%lu", kind, &pid, &maj, &min, &ino) == 5
          && g_str_equal (kind, "FLOCK") && maj == major (st->st_dev)
          && min == minor (st->st_dev) && ino == (unsigned long) st->st_ino)
        return pid;
    }
  return 0;
}

/* "frameloom-client" from /proc/PID/cmdline (comm is cut at 15 bytes); NULL if gone. */
static char *
process_name (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *cmdline = NULL;
  gsize length;

  if (!g_file_get_contents (path, &cmdline, &length, NULL) || length == 0)
    return NULL;
  return g_path_get_basename (cmdline);
}

static void
set_in_use_error (GError **error, const char *path, const struct stat *st)
{
  int pid = find_holder (st);
  g_autofree char *name = pid > 0 ? process_name (pid) : NULL;

  if (pid == getpid ())
    g_set_error (error, FL_ERROR, FL_ERROR_IO,
                 "The frames folder %s is in use by another run in this process: two runs in "
                 "one folder would mix their frames", path);
  else if (pid > 0)
    g_set_error (error, FL_ERROR, FL_ERROR_IO,
                 "The frames folder %s is in use by process %d (%s): two runs in one folder "
                 "would mix their frames", path, pid, name ? name : "gone");
  else
    g_set_error (error, FL_ERROR, FL_ERROR_IO,
                 "The frames folder %s is in use by another process: two runs in one folder "
                 "would mix their frames", path);
}

FlDirLock *
fl_dir_lock_acquire (const char *path, GError **error)
{
  FlDirLock *lock;
  g_autofree char *key = NULL;
  struct stat st;
  int fd;

  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int errsv = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv),
                   "Could not use the frames folder %s: %s", path, fl_strerror (errsv));
      return NULL;
    }
  key = g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
  fl_mutex_lock (&table_lock);
  if (table == NULL)
    table = g_hash_table_new (g_str_hash, g_str_equal);
  lock = g_hash_table_lookup (table, key);
  if (lock != NULL)
    {
      gboolean mine = lock->owner == g_thread_self ();
      if (mine)
        lock->depth++;
      fl_mutex_unlock (&table_lock);
      close (fd);
      if (!mine)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_IO,
                       "The frames folder %s is in use by another run in this process: two "
                       "runs in one folder would mix their frames", path);
          return NULL;
        }
      return lock;
    }
  /* A file system without flock (ENOLCK, EOPNOTSUPP) runs unlocked rather than
   * not at all: the lock guards against a mistake, not an attack. */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
    {
      fl_mutex_unlock (&table_lock);
      close (fd);
      set_in_use_error (error, path, &st);
      return NULL;
    }
  lock = g_new0 (FlDirLock, 1);
  lock->key = g_steal_pointer (&key);
  lock->fd = fd;
  lock->owner = g_thread_self ();
  lock->depth = 1;
  g_hash_table_insert (table, lock->key, lock);
  fl_mutex_unlock (&table_lock);
  return lock;
}

int
fl_dir_lock_get_fd (FlDirLock *lock)
{
  return lock->fd;
}

void
fl_dir_lock_release (FlDirLock *lock)
{
  if (lock == NULL)
    return;
  fl_mutex_lock (&table_lock);
  if (--lock->depth > 0)
    {
      fl_mutex_unlock (&table_lock);
      return;
    }
  g_hash_table_remove (table, lock->key);
  fl_mutex_unlock (&table_lock);
  close (lock->fd); /* drops the flock */
  g_free (lock->key);
  g_free (lock);
}
