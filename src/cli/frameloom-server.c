/* frameloom-server: the lab's image server, as a thin front-end over FlServer.
 *
 * Signals are blocked in every thread and taken synchronously by main with
 * sigwait, so no handler runs inside library code. The first SIGINT/SIGTERM
 * stops gracefully on a helper thread; a second one exits at once. */
#include "fl-config.h"

#include "fl-cli.h"
#include "fl-error.h"
#include "fl-image.h"
#include "fl-net.h"
#include "fl-server.h"

#include <glib/gi18n.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* The lab's line per image (when writer is set) and the server's notices. */
static void
on_events (const FlEvent *events, guint n_events, gpointer user_data)
{
  FlLineWriter *writer = user_data;

  for (guint i = 0; i < n_events; i++)
    if (events[i].kind == FL_EVENT_CONNECTION_SERVED && writer != NULL
        && events[i].connection.code == FL_EVENT_NO_ERROR)
      {
        char line[128];
        gsize length = fl_server_sent_line (&events[i], line, sizeof line - 1);

        line[length++] = '\n';
        fl_line_writer_append (writer, line, length);
      }
    else if (events[i].kind == FL_EVENT_NOTICE)
      fprintf (stderr, "%s: %s\n", g_get_prgname (), events[i].notice.text);
}

typedef struct
{
  FlServer *server;
  pthread_t main_thread;
} StopRequest;

static void *
stop_thread (void *data)
{
  StopRequest *request = data;

  fl_server_stop (request->server, FL_SERVER_DEFAULT_GRACE_MS);
  pthread_kill (request->main_thread, SIGUSR1);
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *size = NULL;
  g_autofree char *port_text = NULL;
  gint max_connections = FL_SERVER_DEFAULT_MAX_CONNECTIONS;
  gboolean quiet = FALSE, version = FALSE;
  GOptionEntry entries[] = {
    { "host", 'H', 0, G_OPTION_ARG_STRING, &host,
      N_("Address to listen on, IPv4 or IPv6 (default 0.0.0.0)"), N_("ADDR") },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port_text,
      N_("TCP port to listen on, 0 for any free port (default 1234)"), N_("N") },
    { "size", 's', 0, G_OPTION_ARG_STRING, &size,
      N_("Size of every image (default 10x10)"), N_("WxH") },
    { "max-connections", 'c', 0, G_OPTION_ARG_INT, &max_connections,
      N_("Connections served at once, one thread each (default 256)"), N_("N") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("Do not print a line per image sent"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  /* Before the server, so it is freed after it: the server reports into it. */
  g_autoptr (FlEvents) events = NULL;
  g_autoptr (FlServer) server = NULL;
  FlServerConfig config = { 0 };
  FlLineWriter *writer = NULL;
  FlServerStats stats;
  StopRequest request;
  pthread_attr_t attr;
  pthread_t stopper;
  gboolean started;
  sigset_t signals;
  guint port = FL_SERVER_DEFAULT_PORT, width = 10, height = 10, reader;
  int sig;

  fl_cli_init ();
  g_set_prgname ("frameloom-server");
  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, FL_GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Serves a freshly generated random PNG image to every TCP connection, then closes it.\n"
      "Each connection is handled on its own thread. Runs until Ctrl-C."));
  g_option_context_add_main_entries (context, entries, FL_GETTEXT_PACKAGE);
  fl_cli_parse_or_exit (context, &argc, &argv, &version);

  if ((port_text && !fl_net_parse_port (port_text, TRUE, &port, &error))
      || (size && !fl_image_parse_size (size, &width, &height, &error)))
    {
      fl_cli_error ("%s", error->message);
      return FL_EXIT_USAGE;
    }
  if (max_connections < 1 || max_connections > 100000)
    {
      fl_cli_error (_("Maximum connections %d is not valid: expected a number from 1 to 100000"),
                    max_connections);
      return FL_EXIT_USAGE;
    }

  /* Blocked before any thread starts, so every thread inherits the mask. */
  sigemptyset (&signals);
  sigaddset (&signals, SIGINT);
  sigaddset (&signals, SIGTERM);
  sigaddset (&signals, SIGUSR1);
  pthread_sigmask (SIG_BLOCK, &signals, NULL);

  config.host = host;
  config.port = port;
  config.width = width;
  config.height = height;
  config.max_connections = (guint) max_connections;
  if (!quiet)
    writer = fl_line_writer_new (stdout, 8 * 1024 * 1024);
  events = fl_events_new (0);
  reader = fl_events_add_reader (events, on_events, writer, NULL);
  config.events = events;
  server = fl_server_new (&config);
  if (!fl_server_start (server, &error))
    {
      g_clear_pointer (&server, fl_server_free);
      g_clear_pointer (&events, fl_events_free);
      fl_line_writer_free (writer);
      fl_cli_error ("%s", error->message);
      return FL_EXIT_USAGE;
    }
  printf ("Listening on %s\n", fl_server_get_address (server));
  fflush (stdout);

  do
    sigwait (&signals, &sig);
  while (sig == SIGUSR1);

  request.server = server;
  request.main_thread = pthread_self ();
  /* Under a thread limit (a pids cgroup, RLIMIT_NPROC) the helper may not start:
   * then stop right here; the grace still bounds the wait, only a second signal
   * cannot cut it short (g_thread_new would abort). The helper is detached: a
   * second signal may end the process while it runs, and once it has signalled
   * it touches nothing of ours. */
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  started = pthread_create (&stopper, &attr, stop_thread, &request) == 0;
  pthread_attr_destroy (&attr);
  if (!started)
    fl_server_stop (server, FL_SERVER_DEFAULT_GRACE_MS);
  else
    {
      sigset_t pending;

      do
        sigwait (&signals, &sig);
      while (sig != SIGUSR1 && sig != SIGINT && sig != SIGTERM);
      /* sigwait takes the lowest pending signal first: a stop that ended just as
       * the second signal came was graceful all the same. */
      if (sig != SIGUSR1 && !(sigpending (&pending) == 0 && sigismember (&pending, SIGUSR1)))
        {
          fprintf (stderr, _("%s: stopping at once\n"), g_get_prgname ());
          fflush (stdout);
          _exit (130);
        }
    }
  /* The stop flushed the events: the writer has every line. */
  fl_events_remove_reader (events, reader);
  fl_line_writer_free (writer);

  fl_server_get_stats (server, &stats);
  printf (_("Stopped: %llu images sent, %llu failed connections\n"),
          (unsigned long long) stats.images_sent, (unsigned long long) stats.failures);
  return FL_EXIT_OK;
}
