/* fl-encoder.c: the parent side of the multi-process GIF encoder.
 *
 * Workers are exec'd with posix_spawn (never a bare fork: callers have threads)
 * and stay up for the whole run. The frames are cut into K chunks (about 1 MiB
 * of GIF each, at least one per worker); a free worker is sent the next chunk
 * as a "FIRST COUNT" line on its stdin (a socket, so that a dead worker gives
 * EPIPE, not SIGPIPE) and answers with the chunk's records on its stdout pipe.
 * The parent writes the blocks of the chunk whose turn it is straight to the
 * file and holds the blocks of later chunks until their turn. Two bounds keep
 * its memory flat whatever the number of frames: at most WINDOW_PER_WORKER * P
 * chunks are out between the one being written and the last handed out, and
 * once max_held_bytes are held it stops reading the workers that are ahead, so
 * they block on their full pipes until the writer catches up. On any failure or
 * cancel it kills and reaps every worker before returning.
 */
#include "fl-encoder.h"

#include "fl-config.h"
#include "fl-dir-lock.h"
#include "fl-encoder-pipe.h"
#include "fl-error.h"
#include "fl-file.h"
#include "fl-gif-block.h"
#include "fl-gif-writer.h"
#include "fl-sync.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define READ_CHUNK (256u * 1024u)
#define PIPE_SIZE (1024 * 1024)
#define CANCEL_CHECK_MS 50
#define CHUNK_TARGET_BYTES (1024u * 1024u)
#define DEFAULT_MAX_HELD (8u * 1024u * 1024u)
#define WINDOW_PER_WORKER 4u
#define MIN_CHUNK_FRAMES 4u
/* A GIF block's colour table and framing on top of the pixels' share of the PNG. */
#define BLOCK_OVERHEAD 400u

typedef struct
{
  guint first, count;  /* its frames */
  guint worker;        /* index of the worker it went to */
  guint done;          /* frames received */
  guint reported;      /* done as last reported in an event */
  guint quantised;     /* frames of it that needed more than 256 colours */
  gint64 handed_at;    /* monotonic microseconds */
  gboolean finished;   /* its DONE record arrived */
  GByteArray *held;    /* FRAME records waiting for their turn, or NULL */
} Chunk;

typedef struct
{
  guint number;        /* 1-based, as users read it */
  pid_t pid;           /* 0 once reaped */
  int out_fd;          /* read end of its stdout; -1 after EOF */
  int cmd_fd;          /* our end of its stdin; -1 once closed */
  GByteArray *in;      /* read and not yet parsed: at most one partial record after a parse */
  guint64 chunk;       /* its current chunk, when busy */
  gboolean busy;
} Worker;

typedef struct
{
  const FlEncodeConfig *config;
  Worker *workers;
  guint n_workers;
  Chunk *ring;         /* chunks turn .. next_chunk - 1, at seq % window */
  guint window;
  guint64 n_chunks, next_chunk, turn;
  guint64 frames_done, quantised;
  gsize max_held, peak_held;
  FlGifWriter *writer;
} Encoder;

/* The worker that belongs with this program: an install moved elsewhere as a
 * whole keeps bin/ and libexec/ side by side, so look beside the program first;
 * a program in the build tree uses the worker built there; else the configured
 * libexecdir. */
static char *
find_worker (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *build_root = realpath (FL_BUILD_ROOT, NULL);

  if (exe != NULL && FL_BINDIR_TO_LIBEXECDIR[0] != '\0')
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      char *beside = g_build_filename (dir, FL_BINDIR_TO_LIBEXECDIR, FL_WORKER_NAME, NULL);
      if (access (beside, X_OK) == 0)
        return beside;
      g_free (beside);
    }
  if (exe != NULL && build_root != NULL && g_str_has_prefix (exe, build_root)
      && exe[strlen (build_root)] == G_DIR_SEPARATOR)
    return g_build_filename (build_root, "src", "worker", FL_WORKER_NAME, NULL);
  return g_build_filename (FL_LIBEXECDIR, FL_WORKER_NAME, NULL);
}

const char *
fl_encoder_default_worker_path (void)
{
  /* pthread's lock, which ThreadSanitizer sees (GOnce's futex it does not). */
  static FlMutex lock = { PTHREAD_MUTEX_INITIALIZER };
  static char *found;
  const char *path = g_getenv (FL_GIF_WORKER_ENV);

  if (path != NULL && path[0] != '\0')
    return path;
  fl_mutex_lock (&lock);
  if (found == NULL)
    found = find_worker ();
  path = found;
  fl_mutex_unlock (&lock);
  return path;
}

gboolean
fl_encoder_check_worker (const char *worker_path, GError **error)
{
  const char *path = worker_path != NULL ? worker_path : fl_encoder_default_worker_path ();

  if (access (path, X_OK) == 0)
    return TRUE;
  g_set_error (error, FL_ERROR, FL_ERROR_WORKER,
               "Could not start the GIF worker %s: %s (set %s to the worker's path)", path,
               fl_strerror (errno), FL_GIF_WORKER_ENV);
  return FALSE;
}

static inline Chunk *
chunk_at (Encoder *e, guint64 seq)
{
  return &e->ring[seq % e->window];
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
  if (worker->out_fd >= 0)
    close (worker->out_fd);
  if (worker->cmd_fd >= 0)
    close (worker->cmd_fd);
  worker->out_fd = worker->cmd_fd = -1;
  g_clear_pointer (&worker->in, g_byte_array_unref);
}

/* Sends the frames' paths, each ended by a NUL, before any range (--list). */
static gboolean
send_paths (int fd, const FlEncodeConfig *config)
{
  for (guint i = 0; i < config->n_frames; i++)
    {
      const char *p = config->frame_paths[i];
      gsize left = strlen (p) + 1;

      while (left > 0)
        {
          ssize_t n = send (fd, p, left, MSG_NOSIGNAL);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            return FALSE;
          p += n;
          left -= (gsize) n;
        }
    }
  return TRUE;
}

static gboolean
worker_spawn (Worker *worker, const char *worker_path, const FlEncodeConfig *config,
              GError **error)
{
  g_autofree char *delay = g_strdup_printf ("%u", fl_gif_delay_cs (config->delay_ms));
  g_autofree char *first = g_strdup_printf ("%u", config->first);
  g_autofree char *n_frames = g_strdup_printf ("%u", config->n_frames);
  g_autofree char *scale = g_strdup_printf ("--scale=%u", MAX (config->scale, 1));
  const char *argv[11];
  guint argc = 0;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t empty, defaults;
  int fds[2], cmd[2], rc, errsv;

  /* posix_spawn reports a missing program only where the C library learns it
   * before returning (glibc does; valgrind's and some others exit 127 in the
   * child instead): ask first, so the sentence is the same everywhere. */
  argv[argc++] = worker_path;
  if (config->frame_paths != NULL)
    argv[argc++] = "--list";
  if (config->dither)
    argv[argc++] = "--dither";
  if (config->exact_first)
    argv[argc++] = "--exact-first";
  argv[argc++] = scale;
  argv[argc++] = config->frame_paths != NULL ? "-" : config->frames_dir;
  argv[argc++] = delay;
  argv[argc++] = first;
  argv[argc++] = n_frames;
  argv[argc] = NULL;
  if (!fl_encoder_check_worker (worker_path, error))
    return FALSE;
  if (pipe2 (fds, O_CLOEXEC) != 0)
    goto failed;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cmd) != 0)
    {
      errsv = errno;
      close (fds[0]);
      close (fds[1]);
      errno = errsv;
      goto failed;
    }
  /* A bigger pipe means fewer wake-ups; the default is fine if refused. */
  (void) fcntl (fds[0], F_SETPIPE_SZ, PIPE_SIZE);

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, cmd[1], STDIN_FILENO);
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
  rc = posix_spawn (&worker->pid, worker_path, &actions, &attr, (char **) argv, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  close (fds[1]);
  close (cmd[1]);
  if (rc != 0)
    {
      close (fds[0]);
      close (cmd[0]);
      worker->pid = 0;
      g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "Could not start the GIF worker %s: %s",
                   worker_path, fl_strerror (rc));
      return FALSE;
    }
  worker->out_fd = fds[0];
  worker->cmd_fd = cmd[0];
  worker->in = g_byte_array_sized_new (READ_CHUNK);
  /* A worker that is gone tells its story through its closed stdout. */
  if (config->frame_paths != NULL && !send_paths (worker->cmd_fd, config))
    {
      close (worker->cmd_fd);
      worker->cmd_fd = -1;
    }
  return TRUE;

failed:
  errsv = errno;
  g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "Could not start GIF worker %u: %s",
               worker->number, fl_strerror (errsv));
  return FALSE;
}

static gboolean
worker_fail (Encoder *e, Worker *worker, GError **error, const char *why)
{
  if (worker->busy)
    {
      const Chunk *chunk = chunk_at (e, worker->chunk);

      if (chunk->count == 1)
        g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "GIF worker %u (frame %u) %s",
                     worker->number, chunk->first, why);
      else
        g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "GIF worker %u (frames %u-%u) %s",
                     worker->number, chunk->first, chunk->first + chunk->count - 1, why);
    }
  else
    g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "GIF worker %u %s", worker->number, why);
  return FALSE;
}

/* kind: CHUNK_STARTED, CHUNK_PROGRESS or (with the worker's times, if any) CHUNK_ENCODED. */
static void
emit_chunk (Encoder *e, FlEventKind kind, guint64 seq, const FlGifChunkTimes *times)
{
  const Chunk *chunk = chunk_at (e, seq);
  gint64 now = g_get_monotonic_time ();
  FlEvent event = {
    .kind = kind, .track = chunk->worker, .t0 = now, .t1 = now,
    .chunk = { .index = (guint32) seq, .first = chunk->first, .count = chunk->count,
               .done = chunk->done, .stage_done = e->frames_done },
  };

  if (kind == FL_EVENT_CHUNK_STARTED)
    event.t0 = event.t1 = chunk->handed_at;
  if (kind == FL_EVENT_CHUNK_ENCODED)
    {
      event.t0 = chunk->handed_at;
      /* The worker's own clock, unless it is older than this program. */
      if (times != NULL && times->start_us >= chunk->handed_at && times->end_us <= now
          && times->start_us <= times->end_us)
        {
          event.t0 = times->start_us;
          event.t1 = times->end_us;
          event.chunk.decode_us = (guint32) MIN (times->phases.decode_ns / 1000, G_MAXUINT32);
          event.chunk.quantise_us = (guint32) MIN (times->phases.quantise_ns / 1000, G_MAXUINT32);
          event.chunk.compress_us = (guint32) MIN (times->phases.compress_ns / 1000, G_MAXUINT32);
        }
      event.chunk.quantised = chunk->quantised;
    }
  fl_events_emit (e->config->events, &event);
}

static void
report_chunk (Encoder *e, guint64 seq)
{
  Chunk *chunk = chunk_at (e, seq);

  if (chunk->reported != chunk->done)
    {
      chunk->reported = chunk->done;
      emit_chunk (e, FL_EVENT_CHUNK_PROGRESS, seq, NULL);
    }
}

/* Chunk seq's frames: an even split, so that K == P gives the classic ranges. */
static void
chunk_bounds (Encoder *e, guint64 seq, guint *first, guint *count)
{
  const guint64 n = e->config->n_frames;
  guint64 start = n * seq / e->n_chunks, end = n * (seq + 1) / e->n_chunks;

  *first = e->config->first + (guint) start;
  *count = (guint) (end - start);
}

/* About CHUNK_TARGET_BYTES of GIF per chunk, judged from the first frame's
 * file (noise compresses about as badly in a PNG as in a GIF), but at least
 * MIN_CHUNK_FRAMES frames: a worker reads the frame before its chunk and the
 * one after too, so one-frame chunks of big frames would decode each three
 * times. At least one chunk per worker, at most one per frame. */
static guint64
count_chunks (const FlEncodeConfig *config, guint n_workers)
{
  guint64 per_chunk = config->chunk_frames, n_chunks;

  if (per_chunk == 0)
    {
      g_autofree char *name = g_strdup_printf ("%u.png", config->first);
      g_autofree char *path = config->frame_paths != NULL
                                ? g_strdup (config->frame_paths[0])
                                : g_build_filename (config->frames_dir, name, NULL);
      struct stat st;
      guint64 per_frame = 64 * 1024;

      if (stat (path, &st) == 0 && st.st_size > 0)
        per_frame = (guint64) st.st_size + BLOCK_OVERHEAD;
      per_chunk = MAX (CHUNK_TARGET_BYTES / per_frame, MIN_CHUNK_FRAMES);
    }
  n_chunks = (config->n_frames + per_chunk - 1) / per_chunk;
  return CLAMP (n_chunks, n_workers, config->n_frames);
}

/* Sends the next chunk to an idle worker. A worker that is gone gets it all the
 * same: its closed stdout then tells the story, naming these frames. */
static void
hand_out (Encoder *e, guint index)
{
  Worker *worker = &e->workers[index];
  Chunk *chunk = chunk_at (e, e->next_chunk);
  char line[32];
  int length;

  *chunk = (Chunk) { .worker = index, .handed_at = g_get_monotonic_time () };
  chunk_bounds (e, e->next_chunk, &chunk->first, &chunk->count);
  worker->chunk = e->next_chunk++;
  worker->busy = TRUE;
  length = g_snprintf (line, sizeof line, "%u %u\n", chunk->first, chunk->count);
  if (send (worker->cmd_fd, line, (size_t) length, MSG_NOSIGNAL) != length)
    {
      close (worker->cmd_fd);
      worker->cmd_fd = -1;
    }
  emit_chunk (e, FL_EVENT_CHUNK_STARTED, worker->chunk, NULL);
}

static void
hand_out_all (Encoder *e)
{
  for (guint i = 0; i < e->n_workers; i++)
    {
      Worker *worker = &e->workers[i];

      if (worker->busy || worker->out_fd < 0 || worker->cmd_fd < 0)
        continue;
      if (e->next_chunk == e->n_chunks)
        {
          /* End of input: the worker exits once it has read it. */
          close (worker->cmd_fd);
          worker->cmd_fd = -1;
        }
      else if (e->next_chunk - e->turn < e->window)
        hand_out (e, i);
    }
}

static gboolean
write_record (Encoder *e, const FlGifRecordHeader *header, const guint8 *payload)
{
  if (header->code != 0)
    e->quantised++;
  return fl_gif_writer_add_block (e->writer, payload, header->length, header->width,
                                  header->height);
}

/* Writes what is due: the held records of the chunk whose turn it is, then of the
 * next chunk once that one has finished, and so on. */
static gboolean
drain (Encoder *e)
{
  while (e->turn < e->next_chunk)
    {
      Chunk *chunk = chunk_at (e, e->turn);

      if (chunk->held != NULL)
        {
          for (gsize offset = 0; offset < chunk->held->len;)
            {
              FlGifRecordHeader header;

              memcpy (&header, chunk->held->data + offset, sizeof header);
              offset += sizeof header;
              if (!write_record (e, &header, chunk->held->data + offset))
                return FALSE;
              offset += header.length;
            }
          g_clear_pointer (&chunk->held, g_byte_array_unref);
        }
      if (!chunk->finished)
        return TRUE;
      e->turn++;
    }
  return TRUE;
}

/* Takes the complete records out of worker->in: checks them, counts frames, and
 * writes or holds each block. Stops at an error record. */
static gboolean
worker_parse (Encoder *e, Worker *worker, GError **error)
{
  gsize offset = 0;
  gboolean ok = TRUE;

  while (ok)
    {
      FlGifRecordHeader header;
      FlGifChunkTimes times;
      gsize available = worker->in->len - offset;
      const guint8 *payload;
      Chunk *chunk = worker->busy ? chunk_at (e, worker->chunk) : NULL;

      if (available < sizeof header)
        break;
      memcpy (&header, worker->in->data + offset, sizeof header);
      if (header.length > FL_GIF_RECORD_MAX_PAYLOAD)
        return worker_fail (e, worker, error, "sent a record that is too large");
      if (available - sizeof header < header.length)
        break;
      payload = worker->in->data + offset + sizeof header;
      switch (header.kind)
        {
        case FL_GIF_RECORD_FRAME:
          if (chunk == NULL || chunk->done == chunk->count
              || header.index != chunk->first + chunk->done || header.width == 0
              || header.height == 0)
            return worker_fail (e, worker, error, "sent a frame out of order");
          chunk->done++;
          chunk->quantised += header.code != 0;
          e->frames_done++;
          if (worker->chunk == e->turn)
            ok = write_record (e, &header, payload);
          else
            {
              if (chunk->held == NULL)
                chunk->held = g_byte_array_new ();
              g_byte_array_append (chunk->held, worker->in->data + offset,
                                   (guint) (sizeof header + header.length));
            }
          break;
        case FL_GIF_RECORD_ERROR:
          /* A frame's error names its file; the worker's own (out of memory) says
           * what happened to it, and the sentence names the worker. */
          if (header.code == FL_ERROR_WORKER)
            {
              g_autofree char *why = g_strndup ((const char *) payload, header.length);

              return worker_fail (e, worker, error, why);
            }
          g_set_error (error, FL_ERROR, header.code, "%.*s", (int) header.length,
                       (const char *) payload);
          return FALSE;
        case FL_GIF_RECORD_GLOBAL:
          /* Only the range that starts the animation sends it, before its first frame. */
          if (chunk == NULL || chunk->first != e->config->first || chunk->done != 0
              || header.code < 1 || header.code > 8 || header.length != 3u << header.code)
            return worker_fail (e, worker, error, "sent a colour table out of order");
          fl_gif_writer_set_global_table (e->writer, payload, header.code);
          break;
        case FL_GIF_RECORD_DONE:
          if (chunk == NULL || chunk->done != chunk->count)
            return worker_fail (e, worker, error, "finished before its last frame");
          chunk->finished = TRUE;
          worker->busy = FALSE;
          /* The payload sits anywhere in the pipe's bytes: copied, not cast. */
          if (header.length == sizeof times)
            memcpy (&times, payload, sizeof times);
          emit_chunk (e, FL_EVENT_CHUNK_ENCODED, worker->chunk,
                      header.length == sizeof times ? &times : NULL);
          break;
        default:
          return worker_fail (e, worker, error, "sent a record of an unknown kind");
        }
      offset += sizeof header + header.length;
    }
  g_byte_array_remove_range (worker->in, 0, (guint) offset);
  if (worker->busy)
    report_chunk (e, worker->chunk);
  /* A failed write is sticky: the caller's commit reports it. */
  return ok && drain (e);
}

/* Bytes the parent holds: partial reads plus blocks waiting for their turn. */
static gsize
held_bytes (Encoder *e)
{
  gsize held = 0;

  for (guint i = 0; i < e->n_workers; i++)
    if (e->workers[i].in != NULL)
      held += e->workers[i].in->len;
  for (guint64 seq = e->turn; seq < e->next_chunk; seq++)
    if (chunk_at (e, seq)->held != NULL)
      held += chunk_at (e, seq)->held->len;
  return held;
}

/* Reads once from a readable pipe; on EOF reaps the worker and judges its end. */
static gboolean
worker_read (Encoder *e, Worker *worker, GError **error)
{
  guint old_length = worker->in->len;
  ssize_t n;
  int status;

  g_byte_array_set_size (worker->in, old_length + READ_CHUNK);
  do
    n = read (worker->out_fd, worker->in->data + old_length, READ_CHUNK);
  while (n < 0 && errno == EINTR);
  g_byte_array_set_size (worker->in, old_length + (n > 0 ? (guint) n : 0));
  if (n < 0)
    {
      int errsv = errno;
      g_autofree char *why = g_strdup_printf ("could not be read from: %s", fl_strerror (errsv));
      return worker_fail (e, worker, error, why);
    }
  if (n > 0)
    {
      e->peak_held = MAX (e->peak_held, held_bytes (e));
      return worker_parse (e, worker, error);
    }

  close (worker->out_fd);
  worker->out_fd = -1;
  while (waitpid (worker->pid, &status, 0) < 0)
    if (errno != EINTR)
      {
        worker->pid = 0;
        return worker_fail (e, worker, error, "vanished");
      }
  worker->pid = 0;
  if (WIFSIGNALED (status))
    {
      g_autofree char *why = g_strdup_printf ("was killed by signal %d", WTERMSIG (status));
      return worker_fail (e, worker, error, why);
    }
  if (WEXITSTATUS (status) != 0)
    {
      g_autofree char *why = g_strdup_printf ("exited with status %d", WEXITSTATUS (status));
      return worker_fail (e, worker, error, why);
    }
  if (worker->busy || worker->in->len != 0)
    return worker_fail (e, worker, error, "stopped before its last frame");
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

/* Temporaries that killed runs left beside the output (where there is no O_TMPFILE). */
static void
remove_stale_output (const char *output)
{
  g_autofree char *dir = g_path_get_dirname (output);
  g_autofree char *base = g_path_get_basename (output);

  fl_file_remove_stale_temporaries (dir, base, FALSE);
}

/* Polls the workers until all have ended; FALSE at the first failure. */
static gboolean
run (Encoder *e, GCancellable *cancellable, GError **error)
{
  g_autofree struct pollfd *pfds = g_new0 (struct pollfd, e->n_workers);
  g_autofree guint *owner = g_new0 (guint, e->n_workers);

  for (;;)
    {
      nfds_t n_pfds = 0;
      gboolean over = held_bytes (e) >= e->max_held;
      gboolean open = FALSE;
      int rc;

      hand_out_all (e);
      for (guint i = 0; i < e->n_workers; i++)
        {
          Worker *worker = &e->workers[i];

          if (worker->out_fd < 0)
            continue;
          open = TRUE;
          /* Over budget, a worker that is ahead waits on its full pipe. */
          if (over && worker->busy && worker->chunk != e->turn)
            continue;
          owner[n_pfds] = i;
          pfds[n_pfds++] = (struct pollfd) { .fd = worker->out_fd, .events = POLLIN };
        }
      if (!open)
        break;
      /* A short timeout rather than g_cancellable_make_pollfd(): its eventfd is
       * handed between threads behind a lock ThreadSanitizer cannot see, and a
       * cancel within 50 ms is quick enough. */
      rc = poll (pfds, n_pfds, CANCEL_CHECK_MS);
      if (rc < 0 && errno != EINTR)
        {
          int errsv = errno;
          g_set_error (error, FL_ERROR, FL_ERROR_WORKER, "Could not wait for the GIF workers: %s",
                       fl_strerror (errsv));
          return FALSE;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error_literal (error, FL_ERROR, FL_ERROR_CANCELLED,
                               "The GIF encoding was cancelled");
          return FALSE;
        }
      for (nfds_t k = 0; rc > 0 && k < n_pfds; k++)
        {
          Worker *worker = &e->workers[owner[k]];

          if (pfds[k].revents == 0)
            continue;
          /* Re-checked per read: one round must not add a read per worker. */
          if (worker->busy && worker->chunk != e->turn && held_bytes (e) >= e->max_held)
            continue;
          if (!worker_read (e, worker, error))
            return FALSE;
        }
    }
  if (e->turn != e->n_chunks)
    {
      g_set_error_literal (error, FL_ERROR, FL_ERROR_WORKER,
                           "The GIF workers stopped before the last frame");
      return FALSE;
    }
  return TRUE;
}

static gboolean
encode_gif (const FlEncodeConfig *config, GCancellable *cancellable, FlEncodeResult *result,
            guint64 *frames_done, GError **error)
{
  const gint64 start_time = g_get_monotonic_time ();
  const char *worker_path = config->worker_path ? config->worker_path
                                                : fl_encoder_default_worker_path ();
  g_autoptr (FlDirLock) lock = NULL;
  Encoder e = { .config = config };
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
  /* No other run may write the frames while they are read. A missing folder
   * is left to the first frame's sentence. */
  if (g_file_test (config->frames_dir, G_FILE_TEST_IS_DIR))
    {
      /* Held until the return: g_autoptr releases it (the analyser does not see that). */
      lock = fl_dir_lock_acquire (config->frames_dir, error); /* NOLINT(clang-analyzer-deadcode.DeadStores) */
      if (lock == NULL)
        return FALSE;
    }
  remove_stale_output (config->output);
  e.writer = fl_gif_writer_new (config->output, config->loop, error);
  if (e.writer == NULL)
    return FALSE;

  e.n_workers = MIN (config->processes, config->n_frames);
  e.n_chunks = count_chunks (config, e.n_workers);
  e.window = WINDOW_PER_WORKER * e.n_workers;
  e.max_held = config->max_held_bytes != 0 ? config->max_held_bytes : DEFAULT_MAX_HELD;
  e.ring = g_new0 (Chunk, e.window);
  e.workers = g_new0 (Worker, e.n_workers);
  for (guint i = 0; i < e.n_workers; i++)
    {
      e.workers[i].number = i + 1;
      e.workers[i].out_fd = e.workers[i].cmd_fd = -1;
    }
  for (guint i = 0; i < e.n_workers; i++)
    if (!worker_spawn (&e.workers[i], worker_path, config, error))
      goto out;

  ok = run (&e, cancellable, error);
  *frames_done = e.frames_done;
  if (ok)
    ok = fl_gif_writer_commit (g_steal_pointer (&e.writer), &screen_width, &screen_height,
                               &bytes, error);

out:
  for (guint i = 0; i < e.n_workers; i++)
    worker_kill_and_reap (&e.workers[i]);
  for (guint i = 0; i < e.window; i++)
    g_clear_pointer (&e.ring[i].held, g_byte_array_unref);
  g_free (e.workers);
  g_free (e.ring);
  if (e.writer != NULL)
    {
      /* A sticky write error explains the failure better than the stop it caused. */
      if (error != NULL && *error == NULL)
        fl_gif_writer_commit (g_steal_pointer (&e.writer), NULL, NULL, NULL, error);
      else
        fl_gif_writer_abort (g_steal_pointer (&e.writer));
    }
  if (ok && result != NULL)
    {
      result->frames = config->n_frames;
      result->bytes = bytes;
      result->screen_width = screen_width;
      result->screen_height = screen_height;
      result->quantised_frames = e.quantised;
      result->seconds = (g_get_monotonic_time () - start_time) / 1e6;
      result->chunks = e.n_chunks;
      result->peak_held_bytes = e.peak_held;
    }
  return ok;
}

gboolean
fl_encode_gif (const FlEncodeConfig *config, GCancellable *cancellable, FlEncodeResult *result,
               GError **error)
{
  gint64 start = g_get_monotonic_time (), end;
  GError *local_error = NULL;
  guint64 done = 0;
  gboolean ok;

  g_return_val_if_fail (config != NULL, FALSE);
  fl_events_emit (config->events, &(FlEvent) {
    .kind = FL_EVENT_STAGE_STARTED, .t0 = start, .t1 = start,
    .stage = { .stage = FL_STAGE_ENCODE, .code = FL_EVENT_NO_ERROR, .total = config->n_frames,
               .tracks = MIN (config->processes, config->n_frames) },
  });
  ok = encode_gif (config, cancellable, result, &done, &local_error);
  end = g_get_monotonic_time ();
  /* The stage's seconds are its events' span, to the microsecond (a failed
   * stage's too: records tell a stage that never started by its 0). */
  if (result != NULL)
    result->seconds = (double) (end - start) / G_USEC_PER_SEC;
  fl_events_emit (config->events, &(FlEvent) {
    .kind = FL_EVENT_STAGE_ENDED, .t0 = start, .t1 = end,
    .stage = { .stage = FL_STAGE_ENCODE, .total = config->n_frames, .done = done,
               .code = ok ? FL_EVENT_NO_ERROR : local_error->code },
  });
  fl_events_flush (config->events);
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}
