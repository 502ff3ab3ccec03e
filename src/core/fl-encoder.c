/* fl-encoder.c: the parent side of the multi-process GIF encoder.
 *
 * Workers are exec'd with posix_spawn (never a bare fork: callers have threads)
 * and each sends its range's blocks as records on its stdout pipe. The parent
 * polls every pipe, writes the blocks of the earliest unfinished worker straight
 * to the file as they arrive, keeps the later workers' bytes until their turn,
 * and on any failure or cancel kills and reaps every worker before returning.
 */
#include "fl-encoder.h"

#include "fl-config.h"
#include "fl-error.h"
#include "fl-gif-block.h"
#include "fl-gif-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define READ_CHUNK (256u * 1024u)
#define PIPE_SIZE (1024 * 1024)
#define CANCEL_CHECK_MS 50

typedef struct
{
  guint number;       /* 1-based, as users read it */
  guint first, last;  /* inclusive frame range */
  pid_t pid;          /* 0 once reaped */
  int fd;             /* read end of its stdout; -1 after EOF */
  GByteArray *data;   /* bytes received and not yet written */
  gsize scanned;      /* prefix of data made of checked, complete records */
  guint frames_seen;
  gboolean done;      /* its DONE record arrived */
} Worker;

const char *
fl_encoder_default_worker_path (void)
{
  const char *path = g_getenv (FL_GIF_WORKER_ENV);

  if (path != NULL && path[0] != '\0')
    return path;
  return FL_LIBEXECDIR "/frameloom-gif-worker";
}

static void
worker_kill_and_reap (Worker *worker)
{
  if (worker->pid > 0)
    {
      int status;

      kill (worker->pid, SIGKILL);
      while (waitpid (worker->pid, &status, 0) < 0 && errno == EINTR)
        ;
      worker->pid = 0;
    }
  if (worker->fd >= 0)
    {
      close (worker->fd);
      worker->fd = -1;
    }
  g_clear_pointer (&worker->data, g_byte_array_unref);
}

static gboolean
worker_spawn (Worker *worker, const char *worker_path, const FlEncodeConfig *config,
              GError **error)
{
  g_autofree char *first = g_strdup_printf ("%u", worker->first);
  g_autofree char *count = g_strdup_printf ("%u", worker->last - worker->first + 1);
  g_autofree char *delay = g_strdup_printf ("%u", fl_gif_delay_cs (config->delay_ms));
  char *argv[] = { (char *) worker_path, (char *) config->frames_dir, first, count, delay, NULL };
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t empty, defaults;
  int fds[2], rc;

  if (pipe2 (fds, O_CLOEXEC) != 0)
    {
      int errsv = errno;
      g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "Could not start GIF worker %u: %s",
                   worker->number, fl_strerror (errsv));
      return FALSE;
    }
  /* A bigger pipe means fewer wake-ups; the default is fine if refused. */
  (void) fcntl (fds[0], F_SETPIPE_SZ, PIPE_SIZE);

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_addopen (&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2 (&actions, fds[1], STDOUT_FILENO);
  posix_spawnattr_init (&attr);
  sigemptyset (&empty);
  sigemptyset (&defaults);
  sigaddset (&defaults, SIGPIPE);
  sigaddset (&defaults, SIGTERM);
  sigaddset (&defaults, SIGINT);
  posix_spawnattr_setsigmask (&attr, &empty);
  posix_spawnattr_setsigdefault (&attr, &defaults);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  rc = posix_spawn (&worker->pid, worker_path, &actions, &attr, argv, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  close (fds[1]);
  if (rc != 0)
    {
      close (fds[0]);
      worker->pid = 0;
      g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "Could not start the GIF worker %s: %s",
                   worker_path, fl_strerror (rc));
      return FALSE;
    }
  worker->fd = fds[0];
  worker->data = g_byte_array_sized_new (READ_CHUNK);
  return TRUE;
}

static gboolean
worker_fail (Worker *worker, GError **error, const char *why)
{
  g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "GIF worker %u (frames %u-%u) %s",
               worker->number, worker->first, worker->last, why);
  return FALSE;
}

/* Checks the complete records that arrived; counts frames; stops at an error record. */
static gboolean
worker_scan (Worker *worker, guint64 *frames_done, GError **error)
{
  for (;;)
    {
      FlGifRecordHeader header;
      gsize available = worker->data->len - worker->scanned;

      if (available < sizeof header)
        return TRUE;
      memcpy (&header, worker->data->data + worker->scanned, sizeof header);
      if (header.length > FL_GIF_RECORD_MAX_PAYLOAD)
        return worker_fail (worker, error, "sent a record that is too large");
      if (available - sizeof header < header.length)
        return TRUE;
      if (worker->done)
        return worker_fail (worker, error, "sent data after its last record");
      switch (header.kind)
        {
        case FL_GIF_RECORD_FRAME:
          if (header.index != worker->first + worker->frames_seen || header.index > worker->last
              || header.width == 0 || header.height == 0)
            return worker_fail (worker, error, "sent a frame out of order");
          worker->frames_seen++;
          (*frames_done)++;
          break;
        case FL_GIF_RECORD_ERROR:
          g_set_error (error, FL_ERROR, header.code, "%.*s", (int) header.length,
                       (const char *) worker->data->data + worker->scanned + sizeof header);
          return FALSE;
        case FL_GIF_RECORD_DONE:
          if (worker->frames_seen != worker->last - worker->first + 1)
            return worker_fail (worker, error, "finished before its last frame");
          worker->done = TRUE;
          break;
        default:
          return worker_fail (worker, error, "sent a record of an unknown kind");
        }
      worker->scanned += sizeof header + header.length;
    }
}

/* Hands the scanned records of the worker whose turn it is to the writer. */
static gboolean
worker_write (Worker *worker, FlGifWriter *writer, guint64 *quantised)
{
  gsize offset = 0;

  while (offset < worker->scanned)
    {
      FlGifRecordHeader header;

      memcpy (&header, worker->data->data + offset, sizeof header);
      offset += sizeof header;
      if (header.kind == FL_GIF_RECORD_FRAME)
        {
          if (!fl_gif_writer_add_block (writer, worker->data->data + offset, header.length,
                                        header.width, header.height))
            return FALSE;
          if (header.code != 0)
            (*quantised)++;
        }
      offset += header.length;
    }
  g_byte_array_remove_range (worker->data, 0, (guint) worker->scanned);
  worker->scanned = 0;
  return TRUE;
}

/* Reads once from a readable pipe; on EOF reaps the worker and judges its end. */
static gboolean
worker_read (Worker *worker, guint64 *frames_done, GError **error)
{
  guint old_length = worker->data->len;
  ssize_t n;
  int status;

  g_byte_array_set_size (worker->data, old_length + READ_CHUNK);
  do
    n = read (worker->fd, worker->data->data + old_length, READ_CHUNK);
  while (n < 0 && errno == EINTR);
  g_byte_array_set_size (worker->data, old_length + (n > 0 ? (guint) n : 0));
  if (n < 0)
    {
      int errsv = errno;
      g_autofree char *why = g_strdup_printf ("could not be read from: %s", fl_strerror (errsv));
      return worker_fail (worker, error, why);
    }
  if (n > 0)
    return worker_scan (worker, frames_done, error);

  close (worker->fd);
  worker->fd = -1;
  while (waitpid (worker->pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        worker->pid = 0;
        return worker_fail (worker, error, "vanished");
      }
  worker->pid = 0;
  if (WIFSIGNALED (status))
    {
      g_autofree char *why = g_strdup_printf ("was killed by signal %d", WTERMSIG (status));
      return worker_fail (worker, error, why);
    }
  if (WEXITSTATUS (status) != 0)
    {
      g_autofree char *why = g_strdup_printf ("exited with status %d", WEXITSTATUS (status));
      return worker_fail (worker, error, why);
    }
  if (!worker->done || worker->scanned != worker->data->len)
    return worker_fail (worker, error, "stopped before its last frame");
  return TRUE;
}

static gboolean
check_config (const FlEncodeConfig *config, GError **error)
{
  if (config->n_frames == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                   "Could not write %s: there are no frames to encode", config->output);
      return FALSE;
    }
  if (config->processes == 0)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                           "The number of GIF worker processes must be at least 1");
      return FALSE;
    }
  if ((guint64) config->first + config->n_frames - 1 > G_MAXUINT32)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                           "The frame numbers are out of range");
      return FALSE;
    }
  return TRUE;
}

gboolean
fl_encode_gif (const FlEncodeConfig *config, FlProgressFunc progress, gpointer user_data,
               GCancellable *cancellable, FlEncodeResult *result, GError **error)
{
  const gint64 start_time = g_get_monotonic_time ();
  const char *worker_path = config->worker_path ? config->worker_path
                                                : fl_encoder_default_worker_path ();
  g_autofree Worker *workers = NULL;
  g_autofree struct pollfd *pfds = NULL;
  FlGifWriter *writer = NULL;
  guint n_workers, turn = 0, n_open;
  guint64 frames_done = 0, frames_reported = 0, quantised = 0;
  guint screen_width = 0, screen_height = 0;
  guint64 bytes = 0;
  gboolean ok = FALSE;

  if (!check_config (config, error))
    return FALSE;
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_CANCELLED, "The GIF encoding was cancelled");
      return FALSE;
    }
  writer = fl_gif_writer_new (config->output, config->loop, error);
  if (writer == NULL)
    return FALSE;

  n_workers = MIN (config->processes, config->n_frames);
  workers = g_new0 (Worker, n_workers);
  pfds = g_new0 (struct pollfd, n_workers + 1);
  for (guint i = 0; i < n_workers; i++)
    {
      workers[i].number = i + 1;
      workers[i].first = config->first + (guint) ((guint64) config->n_frames * i / n_workers);
      workers[i].last = config->first
                        + (guint) ((guint64) config->n_frames * (i + 1) / n_workers) - 1;
      workers[i].fd = -1;
    }
  for (guint i = 0; i < n_workers; i++)
    if (!worker_spawn (&workers[i], worker_path, config, error))
      goto out;

  n_open = n_workers;
  while (n_open > 0)
    {
      nfds_t n_pfds = 0;
      int rc;

      for (guint i = 0; i < n_workers; i++)
        if (workers[i].fd >= 0)
          pfds[n_pfds++] = (struct pollfd) { .fd = workers[i].fd, .events = POLLIN };
      /* A short timeout rather than g_cancellable_make_pollfd(): its eventfd is
       * handed between threads behind a lock ThreadSanitizer cannot see, and a
       * cancel within 50 ms is quick enough. */
      rc = poll (pfds, n_pfds, CANCEL_CHECK_MS);
      if (rc < 0 && errno != EINTR)
        {
          int errsv = errno;
          g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "Could not wait for the GIF workers: %s",
                       fl_strerror (errsv));
          goto out;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error_literal (error, FL_ERROR, FL_ERROR_CANCELLED,
                               "The GIF encoding was cancelled");
          goto out;
        }
      for (guint i = 0; i < n_workers; i++)
        {
          Worker *worker = &workers[i];
          gboolean ready = FALSE;

          if (worker->fd < 0)
            continue;
          for (nfds_t k = 0; k < n_pfds; k++)
            if (pfds[k].fd == worker->fd && pfds[k].revents != 0)
              ready = TRUE;
          if (!ready)
            continue;
          if (!worker_read (worker, &frames_done, error))
            goto out;
          if (worker->fd < 0)
            n_open--;
        }
      /* Write everything that is in order: the current worker's records, then
       * the next worker's once the current one has finished. */
      while (turn < n_workers)
        {
          Worker *worker = &workers[turn];

          if (worker->scanned > 0 && !worker_write (worker, writer, &quantised))
            goto out;
          if (!worker->done)
            break;
          turn++;
        }
      if (progress != NULL && frames_done != frames_reported)
        {
          frames_reported = frames_done;
          progress (frames_done, config->n_frames, user_data);
        }
    }
  if (turn != n_workers)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_WORKER,
                           "The GIF workers stopped before the last frame");
      goto out;
    }
  ok = fl_gif_writer_commit (g_steal_pointer (&writer), &screen_width, &screen_height, &bytes,
                             error);

out:
  for (guint i = 0; workers != NULL && i < n_workers; i++)
    worker_kill_and_reap (&workers[i]);
  if (writer != NULL)
    {
      /* A sticky write error explains the failure better than the stop it caused. */
      if (error != NULL && *error == NULL)
        fl_gif_writer_commit (g_steal_pointer (&writer), NULL, NULL, NULL, error);
      else
        fl_gif_writer_abort (g_steal_pointer (&writer));
    }
  if (ok && result != NULL)
    {
      result->frames = config->n_frames;
      result->bytes = bytes;
      result->screen_width = screen_width;
      result->screen_height = screen_height;
      result->quantised_frames = quantised;
      result->seconds = (g_get_monotonic_time () - start_time) / 1e6;
    }
  return ok;
}
