/* fl-line-writer.c: bounded, non-blocking output for high-rate lines. */
#include "fl-line-writer.h"

#include "fl-sync.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

/* The thread writes at least this often, so lines show up promptly. */
#define FLUSH_INTERVAL_US (20 * 1000)
/* While it waits for the output, it looks at the deadline this often. */
#define POLL_SLICE_MS 100

struct _FlLineWriter
{
  int fd;
  gsize max_pending;
  FlLineWriter *report;
  FlMutex lock;
  FlCond wake;
  GString *pending;
  guint64 dropped;         /* lines not shown and not reported yet */
  gboolean broken;         /* the output is closed or failed: all is dropped */
  gboolean closing;
  _Atomic gint64 deadline; /* for waiting on the output: none until closing */
  gint64 last_report;
  gboolean threaded;
  pthread_t thread;
};

static guint64
count_lines (const char *text, gsize length)
{
  guint64 lines = 0;

  for (gsize i = 0; i < length; i++)
    lines += text[i] == '\n';
  return lines;
}

/* Writes while the output takes data, waiting for it (in bounded polls) only
 * until *deadline, which may move. Returns the bytes written; sets *broken when
 * the output can take nothing ever again (EPIPE, EBADF, ...). */
static gsize
write_within (int fd, const char *text, gsize length, const _Atomic gint64 *deadline,
              gboolean *broken)
{
  gsize done = 0;

  while (done < length)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLOUT };
      gint64 left = atomic_load (deadline) - g_get_monotonic_time ();
      int rc = poll (&pfd, 1, left <= 0 ? 0 : (int) MIN ((left + 999) / 1000, POLL_SLICE_MS));
      ssize_t n;

      if (rc < 0 && errno == EINTR)
        continue;
      if (rc == 0)
        {
          if (left <= 0)
            break;
          continue;
        }
      /* A pipe that polls writable takes up to PIPE_BUF bytes without blocking;
       * a closed one polls as an error, and the write then says EPIPE. */
      n = rc < 0 ? -1 : write (fd, text + done, MIN (length - done, (gsize) PIPE_BUF));
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        {
          *broken = TRUE;
          break;
        }
      done += (gsize) n;
    }
  return done;
}

/* Reports the drops through the report writer: at most once a second, unless
 * final. Called without the lock. */
static void
report_drops (FlLineWriter *writer, gboolean final)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *message = NULL;
  guint64 dropped;
  gboolean broken;

  fl_mutex_lock (&writer->lock);
  dropped = writer->dropped;
  broken = writer->broken;
  if (dropped == 0 || (!final && now - writer->last_report < G_USEC_PER_SEC))
    dropped = 0;
  else
    {
      writer->dropped = 0;
      writer->last_report = now;
    }
  fl_mutex_unlock (&writer->lock);
  if (dropped == 0 || writer->report == NULL)
    return;
  message = broken ? g_strdup_printf (_("%s: lines not shown: %llu (the output is closed)\n"),
                                      g_get_prgname (), (unsigned long long) dropped)
                   : g_strdup_printf (_("%s: lines not shown: %llu (the output is too slow)\n"),
                                      g_get_prgname (), (unsigned long long) dropped);
  fl_line_writer_append (writer->report, message, strlen (message));
}

/* Writes one batch; what it cannot write is counted as dropped. */
static void
write_batch (FlLineWriter *writer, GString *batch)
{
  gboolean broken = FALSE;
  gsize done = 0;

  fl_mutex_lock (&writer->lock);
  broken = writer->broken;
  fl_mutex_unlock (&writer->lock);
  if (!broken)
    done = write_within (writer->fd, batch->str, batch->len, &writer->deadline, &broken);
  fl_mutex_lock (&writer->lock);
  writer->broken = broken;
  writer->dropped += count_lines (batch->str + done, batch->len - done);
  fl_mutex_unlock (&writer->lock);
  g_string_truncate (batch, 0);
}

static void *
writer_thread (void *data)
{
  FlLineWriter *writer = data;
  GString *batch = g_string_sized_new (64 * 1024);

  fl_mutex_lock (&writer->lock);
  for (;;)
    {
      GString *full;
      gboolean closing;

      if (writer->pending->len == 0 && !writer->closing)
        fl_cond_wait_until (&writer->wake, &writer->lock,
                            g_get_monotonic_time () + FLUSH_INTERVAL_US);
      full = writer->pending;
      writer->pending = batch;
      batch = full;
      closing = writer->closing;
      fl_mutex_unlock (&writer->lock);

      if (batch->len > 0)
        write_batch (writer, batch);
      report_drops (writer, FALSE);

      fl_mutex_lock (&writer->lock);
      if (closing && writer->pending->len == 0)
        break;
    }
  fl_mutex_unlock (&writer->lock);
  g_string_free (batch, TRUE);
  return NULL;
}

FlLineWriter *
fl_line_writer_new (int fd, gsize max_pending, gboolean threaded, FlLineWriter *report)
{
  FlLineWriter *writer = g_new0 (FlLineWriter, 1);

  writer->fd = fd;
  writer->max_pending = max_pending;
  writer->report = report;
  writer->pending = g_string_sized_new (MIN (max_pending, 64 * 1024));
  atomic_init (&writer->deadline, G_MAXINT64);
  fl_mutex_init (&writer->lock);
  fl_cond_init (&writer->wake);
  /* Under a thread limit the writer still works, line by line. */
  writer->threaded = threaded
                     && pthread_create (&writer->thread, NULL, writer_thread, writer) == 0;
  return writer;
}

void
fl_line_writer_append (FlLineWriter *writer, const char *text, gsize length)
{
  fl_mutex_lock (&writer->lock);
  if (writer->broken || writer->pending->len + length > writer->max_pending)
    writer->dropped += count_lines (text, length);
  else if (writer->threaded)
    g_string_append_len (writer->pending, text, (gssize) length);
  else
    {
      /* Direct: the line goes now if the output takes it without a wait. */
      _Atomic gint64 now = 0;
      gsize done = write_within (writer->fd, text, length, &now, &writer->broken);
      writer->dropped += count_lines (text + done, length - done);
    }
  fl_mutex_unlock (&writer->lock);
  if (!writer->threaded)
    report_drops (writer, FALSE);
}

void
fl_line_writer_free (FlLineWriter *writer, gint64 deadline)
{
  if (writer == NULL)
    return;
  fl_mutex_lock (&writer->lock);
  writer->closing = TRUE;
  atomic_store (&writer->deadline, deadline);
  fl_cond_signal (&writer->wake);
  fl_mutex_unlock (&writer->lock);
  if (writer->threaded)
    pthread_join (writer->thread, NULL);
  report_drops (writer, TRUE);
  g_string_free (writer->pending, TRUE);
  fl_mutex_clear (&writer->lock);
  fl_cond_clear (&writer->wake);
  g_free (writer);
}
