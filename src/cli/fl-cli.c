/* fl-cli.c: shared front-end helpers. */
#include "fl-cli.h"

#include "fl-config.h"
#include "fl-sync.h"

#include <glib/gi18n.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

void
fl_cli_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "%s: %s\n", g_get_prgname (), message);
}

void
fl_cli_parse_or_exit (GOptionContext *context, int *argc, char ***argv, const gboolean *version)
{
  g_autoptr (GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fl_cli_error ("%s", error->message);
      fprintf (stderr, _("Try \"%s --help\" for more information.\n"), g_get_prgname ());
      exit (FL_EXIT_USAGE);
    }
  if (*version)
    {
      printf ("%s %s\n", g_get_prgname (), FL_VERSION);
      exit (FL_EXIT_OK);
    }
  if (*argc > 1)
    {
      fl_cli_error (_("Unexpected argument \"%s\""), (*argv)[1]);
      fprintf (stderr, _("Try \"%s --help\" for more information.\n"), g_get_prgname ());
      exit (FL_EXIT_USAGE);
    }
}

struct _FlLineWriter
{
  FILE *stream;
  gsize max_pending;
  FlMutex lock;
  FlCond wake;
  GString *pending;
  guint64 dropped;
  gboolean closing;
  GThread *thread;
};

#define FLUSH_INTERVAL_US (20 * 1000)

static gpointer
line_writer_thread (gpointer data)
{
  FlLineWriter *writer = data;
  GString *spare = g_string_sized_new (64 * 1024);
  int fd = fileno (writer->stream);

  fl_mutex_lock (&writer->lock);
  for (;;)
    {
      GString *batch;
      guint64 dropped;
      gboolean closing;

      if (writer->pending->len == 0 && writer->dropped == 0 && !writer->closing)
        fl_cond_wait_until (&writer->wake, &writer->lock,
                           g_get_monotonic_time () + FLUSH_INTERVAL_US);
      batch = writer->pending;
      writer->pending = spare;
      dropped = writer->dropped;
      writer->dropped = 0;
      closing = writer->closing;
      fl_mutex_unlock (&writer->lock);

      /* write(2) directly: stdio would take its own lock and could block callers. */
      for (gsize done = 0; done < batch->len;)
        {
          ssize_t n = write (fd, batch->str + done, batch->len - done);
          if (n <= 0)
            break; /* a closed pipe: the lines are lost either way */
          done += (gsize) n;
        }
      if (dropped > 0)
        fprintf (stderr, _("%s: output too slow, %llu lines not shown\n"),
                 g_get_prgname (), (unsigned long long) dropped);
      g_string_truncate (batch, 0);
      spare = batch;

      fl_mutex_lock (&writer->lock);
      if (closing && writer->pending->len == 0)
        break;
    }
  fl_mutex_unlock (&writer->lock);
  g_string_free (spare, TRUE);
  return NULL;
}

FlLineWriter *
fl_line_writer_new (FILE *stream, gsize max_pending)
{
  FlLineWriter *writer = g_new0 (FlLineWriter, 1);

  fflush (stream);
  writer->stream = stream;
  writer->max_pending = max_pending;
  writer->pending = g_string_sized_new (64 * 1024);
  fl_mutex_init (&writer->lock);
  fl_cond_init (&writer->wake);
  writer->thread = g_thread_new ("line-writer", line_writer_thread, writer);
  return writer;
}

void
fl_line_writer_append (FlLineWriter *writer, const char *line, gsize length)
{
  fl_mutex_lock (&writer->lock);
  if (writer->pending->len + length > writer->max_pending)
    writer->dropped++;
  else
    g_string_append_len (writer->pending, line, (gssize) length);
  fl_mutex_unlock (&writer->lock);
}

void
fl_line_writer_free (FlLineWriter *writer)
{
  if (writer == NULL)
    return;
  fl_mutex_lock (&writer->lock);
  writer->closing = TRUE;
  fl_cond_signal (&writer->wake);
  fl_mutex_unlock (&writer->lock);
  g_thread_join (writer->thread);
  g_string_free (writer->pending, TRUE);
  fl_mutex_clear (&writer->lock);
  fl_cond_clear (&writer->wake);
  g_free (writer);
}
