/* frameloom-server: the lab's image server, as a thin front-end over FlServer.
 *
 * Signals are blocked in every thread and taken synchronously by main with
 * sigwait, so no handler runs inside library code. The first SIGINT/SIGTERM
 * stops gracefully on a helper thread, which also writes out the last lines;
 * main keeps waiting for signals all along, so a second one exits at once.
 * Nothing here ever blocks on stdout or stderr: both go through line writers
 * that drop and count what a stuck output cannot take. */
#include "fl-config.h"

#include "fl-check-client.h"
#include "fl-check-output.h"
#include "fl-cli.h"
#include "fl-error.h"
#include "fl-i18n.h"
#include "fl-image.h"
#include "fl-line-writer.h"
#include "fl-net.h"
#include "fl-process.h"
#include "fl-server.h"
#include "fl-trace.h"

#include <glib/gi18n.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* After the stop, the output gets this long to take the last lines. */
#define OUTPUT_GRACE_US (1000 * 1000)

/* Where the server's events go: the lab's line per image on out (NULL with
 * --quiet), the notices on err. The stream's thread formats them, so a handler
 * never waits for printing, and the writers never wait for the output. */
typedef struct
{
  FlLineWriter *out, *err;
} Outputs;

static void
on_events (const FlEvent *events, guint n_events, gpointer user_data)
{
  Outputs *outputs = user_data;

  for (guint i = 0; i < n_events; i++)
    if (events[i].kind == FL_EVENT_CONNECTION_SERVED && outputs->out != NULL
        && events[i].connection.code == FL_EVENT_NO_ERROR)
      {
        char line[128];
        gsize length = fl_server_format_sent_line (&events[i], line, sizeof line - 1);

        line[length++] = '\n';
        fl_line_writer_append (outputs->out, line, length);
      }
    else if (events[i].kind == FL_EVENT_NOTICE)
      {
        g_autofree char *line = g_strdup_printf ("%s: %s\n", g_get_prgname (),
                                                 events[i].notice.text);
        fl_line_writer_append (outputs->err, line, strlen (line));
      }
}

static void
print_line (FlLineWriter *writer, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
print_line (FlLineWriter *writer, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  fl_line_writer_append (writer, line, strlen (line));
}

typedef struct
{
  FlServer *server;
  FlEvents *events;
  guint lines, traced;  /* the readers */
  FlTraceWriter *trace; /* NULL without --trace */
  Outputs outputs;
  FlLineWriter *stdout_writer; /* outputs.out, also with --quiet: the last line */
  pthread_t main_thread;
  gboolean trace_failed;
} StopRequest;

/* The graceful stop, the last line, the trace, and the output's own grace. */
static void
stop_and_say_so (StopRequest *request)
{
  g_autoptr (GError) error = NULL;
  FlServerStats stats;

  /* The stop flushed the events: the readers have every one. */
  fl_server_stop (request->server, FL_SERVER_DEFAULT_GRACE_MS);
  fl_events_remove_reader (request->events, request->lines);
  fl_server_get_stats (request->server, &stats);
  print_line (request->stdout_writer, _("Stopped: %llu images sent, %llu failed connections\n"),
              (unsigned long long) stats.images_sent, (unsigned long long) stats.failures);
  if (request->trace != NULL)
    {
      fl_events_remove_reader (request->events, request->traced);
      if (!fl_trace_writer_close (request->trace, &error))
        {
          g_autofree char *line = g_strdup_printf ("%s: %s\n", g_get_prgname (),
                                                   error->message);
          fl_line_writer_append (request->outputs.err, line, strlen (line));
          request->trace_failed = TRUE;
        }
    }
  fl_line_writer_free (request->stdout_writer, g_get_monotonic_time () + OUTPUT_GRACE_US);
  fl_line_writer_free (request->outputs.err, g_get_monotonic_time ());
}

static void *
stop_thread (void *data)
{
  StopRequest *request = data;

  stop_and_say_so (request);
  pthread_kill (request->main_thread, SIGUSR1);
  return NULL;
}

/* The command line, as given and parsed. */
typedef struct
{
  char *host, *size, *port_text, *trace;
  char *latency_text, *jitter_text, *cost_text;
  gint max_connections;
  gboolean quiet, version;
  FlServerConfig config;
  /* --check-client: the lab's checker of a client. */
  gboolean check_client, check_sequential, json;
  char *check_command, *check_dir, *check_gif, *check_frames_text;
  guint check_frames;
} ServerOptions;

static void
server_options_clear (ServerOptions *o)
{
  g_clear_pointer (&o->host, g_free);
  g_clear_pointer (&o->size, g_free);
  g_clear_pointer (&o->port_text, g_free);
  g_clear_pointer (&o->trace, g_free);
  g_clear_pointer (&o->latency_text, g_free);
  g_clear_pointer (&o->jitter_text, g_free);
  g_clear_pointer (&o->cost_text, g_free);
  g_clear_pointer (&o->check_command, g_free);
  g_clear_pointer (&o->check_dir, g_free);
  g_clear_pointer (&o->check_gif, g_free);
  g_clear_pointer (&o->check_frames_text, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServerOptions, server_options_clear)

/* text (when given) as a whole number from 0 to max; FALSE after one sentence. */
static gboolean
parse_amount (const char *option, const char *text, guint max, guint *value)
{
  guint64 parsed;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &parsed, NULL))
    {
      fl_cli_error (_("%s \"%s\" is not valid: expected a whole number from 0 to %u"), option,
                    text, max);
      return FALSE;
    }
  *value = (guint) parsed;
  return TRUE;
}

/* The checker's options; FALSE after one sentence. */
static gboolean
parse_check_options (ServerOptions *o)
{
  guint64 frames = FL_CHECK_CLIENT_DEFAULT_FRAMES;

  if (!o->check_client && (o->check_command || o->check_dir || o->check_gif
                           || o->check_frames_text || o->check_sequential || o->json))
    {
      fl_cli_error (_("--check-client-command, --check-dir, --check-gif, --check-frames, "
                      "--check-sequential and --json go with --check-client"));
      return FALSE;
    }
  if (o->check_client && o->trace != NULL)
    {
      fl_cli_error (_("--trace does not go with --check-client"));
      return FALSE;
    }
  if (o->check_frames_text != NULL
      && !g_ascii_string_to_unsigned (o->check_frames_text, 10, 1, 10000000, &frames, NULL))
    {
      fl_cli_error (_("Frames \"%s\" is not valid: expected a number from 1 to 10000000"),
                    o->check_frames_text);
      return FALSE;
    }
  if (o->check_command != NULL && g_strstrip (o->check_command)[0] == '\0')
    {
      fl_cli_error (_("The client command (--check-client-command) is empty"));
      return FALSE;
    }
  o->check_frames = (guint) frames;
  return TRUE;
}

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
      N_("Threads that serve connections (default 256); waiting and slow connections need "
         "none"), N_("N") },
    { "latency-ms", 0, 0, G_OPTION_ARG_STRING, &o->latency_text,
      N_("Wait this long before each reply, as a distant server would (default 0)"),
      N_("MS") },
    { "jitter-ms", 0, 0, G_OPTION_ARG_STRING, &o->jitter_text,
      N_("Wait a random 0 to J ms more before each reply (default 0)"), N_("J") },
    { "cost-us", 0, 0, G_OPTION_ARG_STRING, &o->cost_text,
      N_("CPU time spent on each image, as a slow generator would (default 0)"), N_("US") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
      N_("Do not print a line per image sent"), NULL },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &o->trace,
      N_("Write every connection, per handler thread, to FILE in Chrome's Trace Event "
         "format (Perfetto and chrome://tracing open it)"), N_("FILE.json") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o->version, N_("Print the version and exit"), NULL },
    { "check-client", 0, 0, G_OPTION_ARG_NONE, &o->check_client,
      N_("Grade the lab's client: serve it, then check its frames, GIF, lines and processes"),
      NULL },
    { "check-client-command", 0, 0, G_OPTION_ARG_STRING, &o->check_command,
      N_("With --check-client: the command that runs the client (else the report comes once "
         "its GIF is written, or at Ctrl-C)"), N_("CMD") },
    { "check-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->check_dir,
      N_("With --check-client: the client's folder, where it writes frames/ and its GIF "
         "(default .)"), N_("DIR") },
    { "check-gif", 0, 0, G_OPTION_ARG_FILENAME, &o->check_gif,
      N_("With --check-client: the client's GIF (default: the newest .gif it wrote in DIR)"),
      N_("FILE") },
    { "check-frames", 0, 0, G_OPTION_ARG_STRING, &o->check_frames_text,
      N_("With --check-client: the frames the client downloads (default 5000)"), N_("N") },
    { "check-sequential", 0, 0, G_OPTION_ARG_NONE, &o->check_sequential,
      N_("With --check-client: grade the lab's first client (one connection, one process)"),
      NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json,
      N_("With --check-client: print the report as JSON"), NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  guint port = FL_SERVER_DEFAULT_PORT, width = 10, height = 10;

  o->max_connections = FL_SERVER_DEFAULT_MAX_CONNECTIONS;
  g_option_context_set_translation_domain (context, FL_GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Serves a freshly generated random PNG image to every TCP connection, then closes it.\n"
      "Each connection is answered at once by one of the server's threads. Runs until Ctrl-C."));
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
  if (!parse_amount ("--latency-ms", o->latency_text, FL_SERVER_MAX_LATENCY_MS,
                     &o->config.latency_ms)
      || !parse_amount ("--jitter-ms", o->jitter_text, FL_SERVER_MAX_LATENCY_MS,
                        &o->config.jitter_ms)
      || !parse_amount ("--cost-us", o->cost_text, FL_SERVER_MAX_COST_US, &o->config.cost_us))
    return FALSE;
  if (!parse_check_options (o))
    return FALSE;
  o->config.host = o->host;
  o->config.port = port;
  o->config.width = width;
  o->config.height = height;
  o->config.max_connections = (guint) o->max_connections;
  return TRUE;
}

/* Stops on a helper thread while waiting for a second signal, which ends the
 * process at once: even a stop held up by its grace, or by an output nobody
 * reads, gives way to it. */
static void
stop (StopRequest *request, const sigset_t *signals)
{
  pthread_attr_t attr;
  pthread_t stopper;
  gboolean started;
  sigset_t pending;
  int sig;

  /* Under a thread limit (a pids cgroup, RLIMIT_NPROC) the helper may not start:
   * then stop right here; the graces still bound the wait, only a second signal
   * cannot cut it short (g_thread_new would abort). The helper is detached: a
   * second signal may end the process while it runs, and once it has signalled
   * it touches nothing of ours. */
  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  started = pthread_create (&stopper, &attr, stop_thread, request) == 0;
  pthread_attr_destroy (&attr);
  if (!started)
    {
      stop_and_say_so (request);
      return;
    }
  do
    sigwait (signals, &sig);
  while (sig != SIGUSR1 && sig != SIGINT && sig != SIGTERM);
  /* sigwait takes the lowest pending signal first: a stop that ended just as
   * the second signal came was graceful all the same. */
  if (sig != SIGUSR1 && !(sigpending (&pending) == 0 && sigismember (&pending, SIGUSR1)))
    {
      /* One try that cannot block: stderr may be a pipe nobody reads. */
      FlLineWriter *err = fl_line_writer_new (STDERR_FILENO, 4096, FALSE, NULL);
      print_line (err, _("%s: stopping at once\n"), g_get_prgname ());
      _exit (130);
    }
}

typedef struct
{
  FlCheckClient *checker;
  FlCheckOutput *output;
  GCancellable *cancellable;
  FlCheckReport *report;
  GError *error;
  pthread_t main_thread;
  gint done;          /* report and error are set */
} CheckRun;

static gpointer
check_thread (gpointer data)
{
  CheckRun *run = data;

  run->report = fl_check_client_run (run->checker, fl_check_output_callbacks (), run->output,
                                     run->cancellable, &run->error);
  g_atomic_int_set (&run->done, 1);
  pthread_kill (run->main_thread, SIGUSR1);
  return NULL;
}

/* --check-client: serves the client while it runs, then prints the checks. A
 * first Ctrl-C ends the client's run (what it left is checked), a second one
 * the process. */
static int
run_check_client (ServerOptions *o, const sigset_t *signals)
{
  FlCheckClientConfig config = {
    .host = o->host, .port = o->config.port, .command = o->check_command,
    .working_dir = o->check_dir, .gif_path = o->check_gif, .n_frames = o->check_frames,
    .sequential = o->check_sequential, .server = &o->config,
  };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FlCheckClient) checker = fl_check_client_new (&config, &error);
  g_autofree char *heading = NULL;
  FlCheckOutput output = { .json = o->json };
  CheckRun run = { checker, &output, cancellable, NULL, NULL, pthread_self (), 0 };
  GThread *thread;
  int sig, status;
  gboolean ended = FALSE;

  if (checker == NULL)
    {
      fl_cli_error ("%s", error->message);
      return FL_EXIT_USAGE;
    }
  /* With --json, stdout is the report's alone. */
  fprintf (o->json ? stderr : stdout, "Listening on %s\n", fl_check_client_get_address (checker));
  heading = o->check_command
              ? g_strdup_printf (_("Checking the client “%s”"), o->check_command)
              : g_strdup_printf (_("Checking the client that downloads %u frames from here "
                                   "(Ctrl-C when it is done)"), o->check_frames);
  if (!o->json)
    printf ("%s\n", heading);
  fflush (stdout);
  output.started = TRUE;
  thread = g_thread_new ("check", check_thread, &run);
  for (;;)
    {
      sigwait (signals, &sig);
      if (sig == SIGUSR1 && g_atomic_int_get (&run.done))
        break;
      if (sig == SIGUSR1)
        continue;
      if (ended)
        {
          fprintf (stderr, _("%s: stopping at once\n"), g_get_prgname ());
          _exit (130);
        }
      ended = TRUE;
      fl_check_client_end_run (checker);
    }
  g_thread_join (thread);
  if (run.report == NULL)
    {
      fl_cli_error ("%s", run.error->message);
      g_error_free (run.error);
      return FL_EXIT_FAILURE;
    }
  status = fl_check_output_finish (&output, run.report);
  fl_check_report_free (run.report);
  return status;
}

int
main (int argc, char **argv)
{
  g_auto (ServerOptions) options = { 0 };
  g_autoptr (GError) error = NULL;
  /* Before the server, so it is freed after it: the server reports into it. */
  g_autoptr (FlEvents) events = NULL;
  g_autoptr (FlServer) server = NULL;
  StopRequest request = { 0 };
  sigset_t signals;
  int sig;

  fl_process_init ();
  fl_i18n_init ();
  g_set_prgname ("frameloom-server");
  if (!parse_options (&options, argc, argv))
    return FL_EXIT_USAGE;

  /* Blocked before any thread starts, so every thread inherits the mask. */
  fl_cli_block_stop_signals (&signals);
  if (options.check_client)
    return run_check_client (&options, &signals);

  if (options.trace != NULL
      && (request.trace = fl_trace_writer_new (options.trace, g_get_prgname (), &error)) == NULL)
    {
      fl_cli_error ("%s", error->message);
      return FL_EXIT_USAGE;
    }
  /* Log lines are rare: written at once or dropped, no thread of their own. */
  request.outputs.err = fl_line_writer_new (STDERR_FILENO, 64 * 1024, FALSE, NULL);
  request.stdout_writer = fl_line_writer_new (STDOUT_FILENO, 8 * 1024 * 1024, TRUE,
                                              request.outputs.err);
  request.outputs.out = options.quiet ? NULL : request.stdout_writer;
  request.main_thread = pthread_self ();
  request.events = events = fl_events_new (0);
  request.lines = fl_events_add_reader (events, on_events, &request.outputs, NULL);
  if (request.trace != NULL)
    request.traced = fl_events_add_reader (events, fl_trace_writer_add, request.trace, NULL);
  options.config.events = events;
  request.server = server = fl_server_new (&options.config);
  if (!fl_server_start (server, &error))
    {
      g_clear_pointer (&server, fl_server_free);
      g_clear_pointer (&events, fl_events_free);
      fl_trace_writer_abort (request.trace);
      fl_line_writer_free (request.stdout_writer, g_get_monotonic_time ());
      fl_line_writer_free (request.outputs.err, g_get_monotonic_time ());
      fl_cli_error ("%s", error->message);
      return FL_EXIT_USAGE;
    }
  print_line (request.stdout_writer, "Listening on %s\n", fl_server_get_address (server));

  do
    sigwait (&signals, &sig);
  while (sig == SIGUSR1);
  stop (&request, &signals);
  /* The server before the stream it reports to. */
  g_clear_pointer (&server, fl_server_free);
  return request.trace_failed ? FL_EXIT_FAILURE : FL_EXIT_OK;
}
