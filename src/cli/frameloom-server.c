/* frameloom-server: the lab's image server, as a thin front-end over FlServer.
 *
 * Signals are blocked in every thread and taken synchronously by main with
 * sigwait, so no handler runs inside library code. The first SIGINT/SIGTERM
 * stops gracefully on a helper thread; a second one exits at once. */
#include "fl-config.h"

#include "fl-cli.h"
#include "fl-error.h"
#include "fl-i18n.h"
#include "fl-image.h"
#include "fl-net.h"
#include "fl-server.h"
#include "fl-trace.h"

#include <glib/gi18n.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* The server's events: the lab's line per image (when writer is set; the
 * stream's thread formats it, so a handler never waits for printing) and the
 * notices on stderr. */
static void
on_events (const FlEvent *events, guint n_events, gpointer user_data)
{
  FlLineWriter *writer = user_data;

  for (guint i = 0; i < n_events; i++)
    if (events[i].kind == FL_EVENT_CONNECTION_SERVED && writer != NULL
        && events[i].connection.code == FL_EVENT_NO_ERROR)
      {
        char line[128];
        gsize length = fl_server_format_sent_line (&events[i], line, sizeof line - 1);

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

/* The command line, as given and parsed. */
typedef struct
{
  char *host, *size, *port_text, *trace;
  gint max_connections;
  gboolean quiet, version;
  FlServerConfig config;
} ServerOptions;

static void
server_options_clear (ServerOptions *o)
{
  g_clear_pointer (&o->host, g_free);
  g_clear_pointer (&o->size, g_free);
  g_clear_pointer (&o->port_text, g_free);
  g_clear_pointer (&o->trace, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServerOptions, server_options_clear)

/* Fills o->config from argv; FALSE after printing one sentence (exit 2). */
static gboolean
parse_options (ServerOptions *o, int argc, char **argv)
{
  const GOptionEntry entries[] = {
    { "host", 'H', 0, G_OPTION_ARG_STRING, &o->host,
      N_("Address to listen on, IPv4 or IPv6 (default 0.0.0.0)"), N_("ADDR") },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &o->port_text,
      N_("TCP port to listen on, 0 for any free port (default 1234)"), N_("N") },
    { "size", 's', 0, G_OPTION_ARG_STRING, &o->size,
      N_("Size of every image (default 10x10)"), N_("WxH") },
    { "max-connections", 'c', 0, G_OPTION_ARG_INT, &o->max_connections,
      N_("Connections served at once, one thread each (default 256)"), N_("N") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
      N_("Do not print a line per image sent"), NULL },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &o->trace,
      N_("Write every connection, per handler thread, to FILE in Chrome's Trace Event "
         "format (Perfetto and chrome://tracing open it)"), N_("FILE.json") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o->version, N_("Print the version and exit"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  guint port = FL_SERVER_DEFAULT_PORT, width = 10, height = 10;

  o->max_connections = FL_SERVER_DEFAULT_MAX_CONNECTIONS;
  g_option_context_set_translation_domain (context, FL_GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Serves a freshly generated random PNG image to every TCP connection, then closes it.\n"
      "Each connection is handled on its own thread. Runs until Ctrl-C."));
  g_option_context_add_main_entries (context, entries, FL_GETTEXT_PACKAGE);
  fl_cli_parse_or_exit (context, &argc, &argv, &o->version);

  if ((o->port_text && !fl_net_parse_port (o->port_text, TRUE, &port, &error))
      || (o->size && !fl_image_parse_size (o->size, &width, &height, &error)))
    {
      fl_cli_error ("%s", error->message);
      return FALSE;
    }
  if (o->max_connections < 1 || o->max_connections > 100000)
    {
      fl_cli_error (_("Maximum connections %d is not valid: expected a number from 1 to 100000"),
                    o->max_connections);
      return FALSE;
    }
  o->config.host = o->host;
  o->config.port = port;
  o->config.width = width;
  o->config.height = height;
  o->config.max_connections = (guint) o->max_connections;
  return TRUE;
}

/* Waits for the second signal or the graceful stop's end, whichever first;
 * a second signal ends the process at once. */
static void
stop (FlServer *server, const sigset_t *signals)
{
  StopRequest request = { server, pthread_self () };
  pthread_attr_t attr;
  pthread_t stopper;
  gboolean started;
  sigset_t pending;
  int sig;

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
    {
      fl_server_stop (server, FL_SERVER_DEFAULT_GRACE_MS);
      return;
    }
  do
    sigwait (signals, &sig);
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

int
main (int argc, char **argv)
{
  g_auto (ServerOptions) options = { 0 };
  g_autoptr (GError) error = NULL;
  /* Before the server, so it is freed after it: the server reports into it. */
  g_autoptr (FlEvents) events = NULL;
  g_autoptr (FlServer) server = NULL;
  FlLineWriter *writer = NULL;
  FlTraceWriter *trace = NULL;
  FlServerStats stats;
  sigset_t signals;
  guint lines, traced = 0;
  int sig;

  fl_i18n_init ();
  g_set_prgname ("frameloom-server");
  if (!parse_options (&options, argc, argv))
    return FL_EXIT_USAGE;

  /* Blocked before any thread starts, so every thread inherits the mask. */
  sigemptyset (&signals);
  sigaddset (&signals, SIGINT);
  sigaddset (&signals, SIGTERM);
  sigaddset (&signals, SIGUSR1);
  pthread_sigmask (SIG_BLOCK, &signals, NULL);

  if (options.trace != NULL
      && (trace = fl_trace_writer_new (options.trace, g_get_prgname (), &error)) == NULL)
    {
      fl_cli_error ("%s", error->message);
      return FL_EXIT_USAGE;
    }
  if (!options.quiet)
    writer = fl_line_writer_new (stdout, 8 * 1024 * 1024);
  events = fl_events_new (0);
  lines = fl_events_add_reader (events, on_events, writer, NULL);
  if (trace != NULL)
    traced = fl_events_add_reader (events, fl_trace_writer_add, trace, NULL);
  options.config.events = events;
  server = fl_server_new (&options.config);
  if (!fl_server_start (server, &error))
    {
      g_clear_pointer (&server, fl_server_free);
      g_clear_pointer (&events, fl_events_free);
      fl_line_writer_free (writer);
      fl_trace_writer_abort (trace);
      fl_cli_error ("%s", error->message);
      return FL_EXIT_USAGE;
    }
  printf ("Listening on %s\n", fl_server_get_address (server));
  fflush (stdout);

  do
    sigwait (&signals, &sig);
  while (sig == SIGUSR1);
  stop (server, &signals);
  /* The stop flushed the events: the readers have every one. */
  fl_events_remove_reader (events, lines);
  fl_line_writer_free (writer);

  fl_server_get_stats (server, &stats);
  printf (_("Stopped: %llu images sent, %llu failed connections\n"),
          (unsigned long long) stats.images_sent, (unsigned long long) stats.failures);
  if (trace != NULL)
    {
      fl_events_remove_reader (events, traced);
      if (!fl_trace_writer_close (trace, &error))
        {
          fl_cli_error ("%s", error->message);
          return FL_EXIT_FAILURE;
        }
    }
  return FL_EXIT_OK;
}
