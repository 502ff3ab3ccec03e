/* fl-client-options.c: frameloom-client's options, a table of numbers and a
 * table of rules. */
#include "fl-client-options.h"

#include "fl-config.h"

#include "fl-cli.h"
#include "fl-error.h"
#include "fl-file.h"
#include "fl-frame-list.h"
#include "fl-gif-block.h"
#include "fl-net.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <stddef.h>
#include <unistd.h>

/* A number option: where its text and its value live in FlClientOptions. */
typedef struct
{
  gsize text_offset;
  gsize value_offset;
  const char *name;
  guint64 min, max;
} NumberOption;

#define NUMBER(text, value, name, min, max) \
  { offsetof (FlClientOptions, text), offsetof (FlClientOptions, value), name, min, max }

static const NumberOption numbers[] = {
  NUMBER (frames_text, frames, N_("Frames"), 1, FL_ENCODE_MAX_FRAMES),
  NUMBER (threads_text, threads, N_("Threads"), 1, 4096),
  NUMBER (processes_text, processes, N_("Processes"), 1, 256),
  NUMBER (delay_text, delay_ms, N_("Delay"), 0, 655350),
  NUMBER (loop_text, loop, N_("Loop count"), 0, 65535),
  NUMBER (repeat_text, repeat, N_("Repetitions"), 1, 1000),
  NUMBER (warmup_text, warmup, N_("Warm-up runs"), 0, 100),
  NUMBER (scale_text, scale, N_("Scale"), 1, 64),
  NUMBER (max_failures_text, max_failures, N_("Maximum failures"), 0, 1000000),
};

/* A combination that cannot work: broken() says whether options has it. */
typedef struct
{
  gboolean (*broken) (const FlClientOptions *o);
  const char *message;
} Rule;

static gboolean
both_stages_only (const FlClientOptions *o)
{
  return o->download_only && o->encode_only;
}

static gboolean
sequential_with_counts (const FlClientOptions *o)
{
  return o->sequential && (o->threads_text != NULL || o->processes_text != NULL);
}

static gboolean
sequential_with_compare (const FlClientOptions *o)
{
  return o->sequential && o->compare;
}

static gboolean
sweep_with_compare_or_sequential (const FlClientOptions *o)
{
  return o->sweeps->len > 0 && (o->compare || o->sequential);
}

/* The swept value replaces the option: taking one silently would time
 * something other than what the user asked for. */
static gboolean
threads_swept_and_given (const FlClientOptions *o)
{
  return o->sweeps_threads && o->threads_text != NULL;
}

static gboolean
processes_swept_and_given (const FlClientOptions *o)
{
  return o->sweeps_processes && o->processes_text != NULL;
}

static gboolean
threads_swept_without_download (const FlClientOptions *o)
{
  return o->sweeps_threads && o->encode_only;
}

static gboolean
processes_swept_without_gif (const FlClientOptions *o)
{
  return o->sweeps_processes && o->download_only;
}

static gboolean
servers_with_host (const FlClientOptions *o)
{
  return o->servers != NULL && o->host != NULL;
}

/* Only a compare or a sweep measures points; one run is the lab's one run. */
static gboolean
repetitions_without_series (const FlClientOptions *o)
{
  return (o->repeat_text != NULL || o->warmup_text != NULL || o->fresh_frames)
         && !o->compare && o->sweeps->len == 0;
}

static gboolean
empty_host (const FlClientOptions *o)
{
  return o->host != NULL && o->host[0] == '\0';
}

static gboolean
fps_and_delay (const FlClientOptions *o)
{
  return o->fps_text != NULL && o->delay_text != NULL;
}

static gboolean
json_to_stdout_gif (const FlClientOptions *o)
{
  return o->json && o->gif_to_stdout;
}

/* An empty name is a mistake (an unset shell variable), never "the current
 * folder": said before any work. */
static gboolean
empty_frames_dir (const FlClientOptions *o)
{
  return o->frames_dir != NULL && o->frames_dir[0] == '\0';
}

static gboolean
empty_output (const FlClientOptions *o)
{
  return o->output != NULL && o->output[0] == '\0';
}

static gboolean
empty_records_path (const FlClientOptions *o)
{
  return o->records_path != NULL && o->records_path[0] == '\0';
}

/* The checker makes its own connections: a run's settings would be ignored. */
static gboolean
check_with_run_options (const FlClientOptions *o)
{
  return o->check_server != NULL
         && (o->compare || o->sweep_texts != NULL || o->sequential || o->download_only
             || o->encode_only || o->threads_text != NULL || o->processes_text != NULL
             || o->frames_text != NULL || o->servers != NULL || o->host != NULL
             || o->port_text != NULL || o->records_path != NULL);
}

static gboolean
check_command_without_server (const FlClientOptions *o)
{
  return o->check_server_command != NULL && o->check_server == NULL;
}

static gboolean
max_failures_without_check (const FlClientOptions *o)
{
  return o->max_failures_text != NULL && o->check_server == NULL;
}

static const Rule rules[] = {
  { fps_and_delay, N_("--fps and --delay-ms both set the delay: give one of them") },
  { json_to_stdout_gif, N_("With -o - the GIF goes to standard output: drop --json") },
  { both_stages_only, N_("--download-only and --encode-only cannot be used together") },
  { sequential_with_counts,
    N_("--sequential means one thread and one process: drop --threads and --processes") },
  { sequential_with_compare,
    N_("--compare already runs the sequential baseline: drop --sequential") },
  { sweep_with_compare_or_sequential,
    N_("--sweep sets threads or processes itself: drop --compare and --sequential") },
  { threads_swept_and_given,
    N_("A threads sweep sets the thread count of each run: drop --threads") },
  { processes_swept_and_given,
    N_("A processes sweep sets the process count of each run: drop --processes") },
  { threads_swept_without_download, N_("A threads sweep times the download: drop --encode-only") },
  { processes_swept_without_gif, N_("A processes sweep times the GIF: drop --download-only") },
  { servers_with_host,
    N_("--server and --host cannot be used together: give every server with --server") },
  { repetitions_without_series,
    N_("--repeat, --warmup and --fresh-frames measure the points of --compare or --sweep: add "
       "one of those") },
  { empty_host, N_("The server address is empty") },
  { empty_frames_dir, N_("The frames folder (--frames-dir) is empty") },
  { empty_output, N_("The GIF file name (--output) is empty") },
  { empty_records_path, N_("The records file name (--save-records) is empty") },
  { check_with_run_options,
    N_("--check-server grades a server with connections of its own: drop the options of a run") },
  { check_command_without_server,
    N_("--check-server-command needs --check-server HOST:PORT, the address the command listens "
       "on") },
  { max_failures_without_check, N_("--max-failures goes with --check-server") },
};

static gboolean
usage_error (const char *message)
{
  fl_cli_error ("%s", message);
  fprintf (stderr, _("Try \"%s --help\" for more information.\n"), g_get_prgname ());
  return FALSE;
}

static gboolean
parse_numbers (FlClientOptions *o)
{
  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      const NumberOption *n = &numbers[i];
      const char *text = *(char **) (gpointer) ((char *) o + n->text_offset);
      guint64 parsed;

      if (text == NULL)
        continue;
      if (!g_ascii_string_to_unsigned (text, 10, n->min, n->max, &parsed, NULL))
        {
          g_autofree char *message =
            g_strdup_printf (_("%s \"%s\" is not valid: expected a number from %llu to %llu"),
                             _(n->name), text, (unsigned long long) n->min,
                             (unsigned long long) n->max);
          return usage_error (message);
        }
      *(guint *) (gpointer) ((char *) o + n->value_offset) = (guint) parsed;
    }
  return TRUE;
}

/* --server HOST:PORT, repeatable; a missing port is --port's. */
static gboolean
parse_servers (FlClientOptions *o)
{
  guint n = o->servers ? g_strv_length (o->servers) : 0;

  if (n > FL_DOWNLOAD_MAX_ENDPOINTS)
    {
      g_autofree char *message =
        g_strdup_printf (_("Too many servers: %u, at most %u"), n, FL_DOWNLOAD_MAX_ENDPOINTS);
      return usage_error (message);
    }
  for (guint i = 0; i < n; i++)
    {
      char *host = NULL;
      guint port;

      if (!fl_net_parse_endpoint (o->servers[i], o->port, &host, &port, NULL) || host[0] == '\0')
        {
          g_autofree char *message =
            g_strdup_printf (_("Server \"%s\" is not valid: expected HOST:PORT with a port from "
                               "1 to 65535"), o->servers[i]);
          g_free (host);
          return usage_error (message);
        }
      g_ptr_array_add (o->endpoint_hosts, host);
      o->endpoints[i].host = host;
      o->endpoints[i].port = port;
    }
  o->n_endpoints = n;
  return TRUE;
}

static void
sweep_clear (gpointer data)
{
  FlClientSweep *sweep = data;

  g_clear_pointer (&sweep->values, g_array_unref);
}

static gboolean
parse_sweeps (FlClientOptions *o)
{
  for (guint i = 0; o->sweep_texts != NULL && o->sweep_texts[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      FlClientSweep sweep = { 0 };

      if (!fl_sweep_parse (o->sweep_texts[i], &sweep.kind, &sweep.values, &error))
        return usage_error (error->message);
      o->sweeps_threads |= sweep.kind == FL_SWEEP_THREADS;
      o->sweeps_processes |= sweep.kind == FL_SWEEP_PROCESSES;
      g_array_append_val (o->sweeps, sweep);
    }
  return TRUE;
}

static void
build_config (FlClientOptions *o)
{
  FlPipelineConfig *config = &o->config;

  if (o->sequential)
    o->threads = o->processes = 1;
  o->mode = o->sweeps->len > 0 ? FL_CLIENT_MODE_SWEEP
            : o->compare       ? FL_CLIENT_MODE_COMPARE
                               : FL_CLIENT_MODE_RUN;
  config->download.host = o->host ? o->host : FL_DOWNLOAD_DEFAULT_HOST;
  config->download.port = o->port;
  config->download.endpoints = o->n_endpoints ? o->endpoints : NULL;
  config->download.n_endpoints = o->n_endpoints;
  config->download.frames_dir = o->frames_dir ? o->frames_dir : FL_CLIENT_DEFAULT_FRAMES_DIR;
  config->download.n_frames = o->frames;
  config->download.threads = o->threads;
  config->encode.frames_dir = config->download.frames_dir;
  config->encode.n_frames = o->frames;
  config->encode.processes = o->processes;
  config->encode.delay_ms = o->delay_ms;
  config->encode.loop = o->loop;
  config->encode.output = o->output ? o->output : FL_CLIENT_DEFAULT_OUTPUT;
  config->run_download = !o->encode_only;
  config->run_encode = !o->download_only;
  o->sweep_options.repeat = o->repeat;
  o->sweep_options.warmup = o->warmup;
  o->sweep_options.fresh_frames = o->fresh_frames;
}

static GOptionContext *
new_context (FlClientOptions *o)
{
  const GOptionEntry entries[] = {
    { "host", 'H', 0, G_OPTION_ARG_STRING, &o->host,
      N_("Server address, IPv4, IPv6 or a name (default 127.0.0.1)"), N_("ADDR") },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &o->port_text,
      N_("Server TCP port (default 1234)"), N_("N") },
    { "server", 's', 0, G_OPTION_ARG_STRING_ARRAY, &o->servers,
      N_("A server; repeat to spread the frames over several (instead of --host)"),
      N_("HOST:PORT") },
    { "frames", 'n', 0, G_OPTION_ARG_STRING, &o->frames_text,
      N_("Number of frames to download and encode (default 5000)"), N_("N") },
    { "threads", 't', 0, G_OPTION_ARG_STRING, &o->threads_text,
      N_("Download connections at once, one thread each (default 4)"), N_("T") },
    { "processes", 'P', 0, G_OPTION_ARG_STRING, &o->processes_text,
      N_("GIF worker processes (default: 2, at most the CPU count)"), N_("P") },
    { "frames-dir", 'd', 0, G_OPTION_ARG_FILENAME, &o->frames_dir,
      N_("Folder for the frames <i>.png (default frames)"), N_("DIR") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output,
      N_("The animated GIF to write (default frameloom.gif)"), N_("FILE") },
    { "delay-ms", 0, 0, G_OPTION_ARG_STRING, &o->delay_text,
      N_("Delay per frame in milliseconds (default 500)"), N_("D") },
    { "loop", 0, 0, G_OPTION_ARG_STRING, &o->loop_text,
      N_("Times the animation repeats, 0 for forever (default 0)"), N_("L") },
    { "sequential", 0, 0, G_OPTION_ARG_NONE, &o->sequential,
      N_("Run the lab's unoptimised client: one connection at a time, one process"), NULL },
    { "download-only", 0, 0, G_OPTION_ARG_NONE, &o->download_only,
      N_("Only download the frames"), NULL },
    { "encode-only", 0, 0, G_OPTION_ARG_NONE, &o->encode_only,
      N_("Only build the GIF from the frames already in the folder"), NULL },
    { "compare", 0, 0, G_OPTION_ARG_NONE, &o->compare,
      N_("Run the sequential baseline, then this configuration, and print the speed-up"), NULL },
    { "sweep", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->sweep_texts,
      N_("Time one run per value, e.g. threads=1,2,4,8 or processes=1,2; repeatable"),
      N_("PARAM=N,...") },
    { "repeat", 0, 0, G_OPTION_ARG_STRING, &o->repeat_text,
      N_("Timed runs per point of --compare or --sweep, shown as median and min..max "
         "(default 3)"), N_("N") },
    { "warmup", 0, 0, G_OPTION_ARG_STRING, &o->warmup_text,
      N_("Untimed runs per point before the timed ones (default 1)"), N_("K") },
    { "fresh-frames", 0, 0, G_OPTION_ARG_NONE, &o->fresh_frames,
      N_("Remove the frames before every timed download (default: overwrite them in place)"),
      NULL },
    { "save-records", 0, 0, G_OPTION_ARG_FILENAME, &o->records_path,
      N_("Also save the runs as CSV, or as JSON when FILE ends in .json"), N_("FILE") },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &o->trace_path,
      N_("Write every frame, per download thread and per GIF worker, to FILE in Chrome's Trace "
         "Event format (Perfetto and chrome://tracing open it)"), N_("FILE.json") },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &o->report_dir,
      N_("Also write a report to hand in, DIR/report.md: the machine, the runs and the command "
         "that repeats each"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json,
      N_("Print JSON instead of the timing lines (the runs as records for --sweep)"), NULL },
    { "check-server", 0, 0, G_OPTION_ARG_STRING, &o->check_server,
      N_("Grade the lab's server at HOST:PORT: each requirement PASS, WARN or FAIL"),
      N_("HOST:PORT") },
    { "check-server-command", 0, 0, G_OPTION_ARG_STRING, &o->check_server_command,
      N_("With --check-server: the command that starts the server; it is started, stopped "
         "with Ctrl-C and started again"), N_("CMD") },
    { "max-failures", 0, 0, G_OPTION_ARG_STRING, &o->max_failures_text,
      N_("With --check-server: go on after N connections refused, reset or timed out (default 0)"), N_("N") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, N_("Show no progress"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o->version, N_("Print the version and exit"), NULL },
    { NULL },
  };
  GOptionContext *context = g_option_context_new (NULL);

  g_option_context_set_translation_domain (context, FL_GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Downloads N random frames from a frameloom server with a pool of threads, then\n"
      "builds a lossless animated GIF from them with worker processes, timing each stage."));
  g_option_context_add_main_entries (context, entries, FL_GETTEXT_PACKAGE);
  return context;
}

static GOptionContext *
new_make_gif_context (FlClientOptions *o)
{
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output,
      N_("The animated GIF to write, - for standard output (default frameloom.gif)"),
      N_("FILE") },
    { "fps", 0, 0, G_OPTION_ARG_STRING, &o->fps_text,
      N_("Frames per second, e.g. 12.5 (GIF keeps delays in hundredths of a second)"),
      N_("F") },
    { "delay-ms", 0, 0, G_OPTION_ARG_STRING, &o->delay_text,
      N_("Delay per frame in milliseconds (default 500)"), N_("D") },
    { "loop", 0, 0, G_OPTION_ARG_STRING, &o->loop_text,
      N_("Times the animation repeats, 0 for forever (default 0)"), N_("L") },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &o->scale_text,
      N_("Enlarge every frame N times, each pixel a square (default 1)"), N_("N") },
    { "processes", 'P', 0, G_OPTION_ARG_STRING, &o->processes_text,
      N_("GIF worker processes (default: 2, at most the CPU count)"), N_("P") },
    { "dither", 0, 0, G_OPTION_ARG_NONE, &o->dither,
      N_("Dither frames that have more than 256 colours (Floyd-Steinberg)"), NULL },
    { "exact-first", 0, 0, G_OPTION_ARG_NONE, &o->exact_first,
      N_("Show a first frame of more than 256 colours exactly, in several image blocks "
         "(decoders count each as a frame)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, N_("Print JSON instead of the timing line"),
      NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, N_("Show no progress"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->inputs, NULL, NULL },
    { NULL },
  };
  GOptionContext *context = g_option_context_new (N_("IMAGE|GLOB|FOLDER..."));

  g_option_context_set_translation_domain (context, FL_GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Makes an animated GIF of PNG images, in the order given: files, globs such as\n"
      "\"shot-*.png\" (in natural order: shot-2 before shot-10) or folders (0.png, 1.png...\n"
      "or else every PNG in natural order). Lossless for frames of up to 256 colours."));
  g_option_context_add_main_entries (context, entries, FL_GETTEXT_PACKAGE);
  return context;
}

/* --fps F: a delay of 1000 / F milliseconds. */
static gboolean
parse_fps (FlClientOptions *o)
{
  char *end = NULL;
  double fps;

  if (o->fps_text == NULL)
    return TRUE;
  fps = g_ascii_strtod (o->fps_text, &end);
  if (end == o->fps_text || *end != '\0' || !(fps >= 0.01 && fps <= 1000))
    {
      g_autofree char *message =
        g_strdup_printf (_("Frames per second \"%s\" is not valid: expected a number from "
                           "0.01 to 1000"), o->fps_text);
      return usage_error (message);
    }
  o->delay_ms = (guint) (1000.0 / fps + 0.5);
  return TRUE;
}

/* frameloom-client make-gif: a run of the GIF stage alone over the frames the
 * arguments name (fl-frame-list.h), with the run's usual progress and output. */
static gboolean
parse_make_gif (FlClientOptions *o, int argc, char **argv)
{
  g_autoptr (GOptionContext) context = new_make_gif_context (o);
  g_autoptr (GError) error = NULL;

  /* Its own name in --help and in the hint after a usage error. */
  g_set_prgname ("frameloom-client make-gif");
  fl_cli_parse_or_exit (context, &argc, &argv, &o->version);
  o->make_gif = TRUE;
  o->encode_only = TRUE;
  o->gif_to_stdout = g_strcmp0 (o->output, "-") == 0;
  if (o->inputs == NULL)
    return usage_error (_("Name the images to make the GIF from: files, globs or folders"));
  if (!parse_numbers (o) || !parse_fps (o))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rules[i].broken (o))
      return usage_error (_(rules[i].message));
  g_set_prgname ("frameloom-client");
  o->frame_paths = fl_frame_list_expand ((const char *const *) o->inputs, &error);
  if (o->frame_paths == NULL)
    {
      /* Named inputs that are not there are bad input, not bad usage. */
      fl_cli_error ("%s", error->message);
      exit (FL_EXIT_FAILURE);
    }
  o->frames = o->frame_paths->len;
  g_ptr_array_add (o->frame_paths, NULL);
  if (o->gif_to_stdout)
    {
      int fd = g_file_open_tmp ("frameloom-XXXXXX.gif", &o->stdout_temp, &error);

      if (fd < 0)
        {
          fl_cli_error ("%s", error->message);
          exit (FL_EXIT_FAILURE);
        }
      close (fd);
      g_unlink (o->stdout_temp);
    }
  build_config (o);
  o->config.encode.frame_paths = (const char *const *) o->frame_paths->pdata;
  o->config.encode.scale = o->scale;
  o->config.encode.dither = o->dither;
  o->config.encode.exact_first = o->exact_first;
  if (o->gif_to_stdout)
    o->config.encode.output = o->stdout_temp;
  return TRUE;
}

int
fl_client_make_gif_to_stdout (FlClientOptions *o, gboolean ok, const GError *run_error)
{
  g_autofree guint8 *data = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;
  int errsv;

  if (!ok)
    {
      if (run_error != NULL)
        fl_cli_error ("%s", run_error->message);
      g_unlink (o->stdout_temp);
      return FL_EXIT_FAILURE;
    }
  if (!fl_file_read (o->stdout_temp, G_MAXSIZE / 2, &data, &length, &error))
    {
      fl_cli_error ("%s", error->message);
      g_unlink (o->stdout_temp);
      return FL_EXIT_FAILURE;
    }
  g_unlink (o->stdout_temp);
  errsv = fl_fd_write_all (STDOUT_FILENO, data, length);
  if (errsv != 0)
    {
      fl_cli_error (_("Could not write the GIF to standard output: %s"), fl_strerror (errsv));
      return FL_EXIT_FAILURE;
    }
  return FL_EXIT_OK;
}

static gboolean
parse_check_server (FlClientOptions *o)
{
  if (!fl_net_parse_endpoint (o->check_server, FL_DOWNLOAD_DEFAULT_PORT, &o->check_host,
                              &o->check_port, NULL) || o->check_host[0] == '\0')
    {
      g_autofree char *message =
        g_strdup_printf (_("Server \"%s\" is not valid: expected HOST:PORT with a port from "
                           "1 to 65535"), o->check_server);
      return usage_error (message);
    }
  if (o->check_server_command != NULL && g_strstrip (o->check_server_command)[0] == '\0')
    return usage_error (_("The server command (--check-server-command) is empty"));
  o->mode = FL_CLIENT_MODE_CHECK_SERVER;
  return TRUE;
}

gboolean
fl_client_options_parse (FlClientOptions *o, int argc, char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  guint cpus = g_get_num_processors ();

  o->port = FL_DOWNLOAD_DEFAULT_PORT;
  o->frames = FL_DOWNLOAD_DEFAULT_FRAMES;
  o->threads = FL_DOWNLOAD_DEFAULT_THREADS;
  o->processes = MIN ((guint) FL_ENCODE_DEFAULT_PROCESSES, cpus);
  o->delay_ms = FL_ENCODE_DEFAULT_DELAY_MS;
  o->repeat = FL_SWEEP_DEFAULT_REPEAT;
  o->warmup = FL_SWEEP_DEFAULT_WARMUP;
  o->sweeps = g_array_new (FALSE, TRUE, sizeof (FlClientSweep));
  g_array_set_clear_func (o->sweeps, sweep_clear);
  o->endpoint_hosts = g_ptr_array_new_with_free_func (g_free);
  o->scale = 1;
  if (argc > 1 && g_strcmp0 (argv[1], "make-gif") == 0)
    return parse_make_gif (o, argc - 1, argv + 1);
  context = new_context (o);
  fl_cli_parse_or_exit (context, &argc, &argv, &o->version);

  if (o->port_text != NULL && !fl_net_parse_port (o->port_text, FALSE, &o->port, &error))
    return usage_error (error->message);
  if (!parse_numbers (o) || !parse_servers (o) || !parse_sweeps (o))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rules[i].broken (o))
      return usage_error (_(rules[i].message));
  if (o->check_server != NULL)
    return parse_check_server (o);

  build_config (o);
  if (o->config.run_encode && o->delay_ms > 0 && o->delay_ms < FL_GIF_DELAY_RAISED_BELOW_MS)
    fl_cli_error (_("warning: GIF delays are whole hundredths of a second, and browsers and the "
                    "app play a delay under 20 ms at 100 ms: --delay-ms %u is stored as 20 ms"),
                  o->delay_ms);
  if (o->config.encode.processes > cpus && o->config.run_encode)
    fl_cli_error (_("warning: %u worker processes on %u CPUs will compete for them"),
                  o->config.encode.processes, cpus);
  return TRUE;
}

void
fl_client_options_clear (FlClientOptions *o)
{
  g_clear_pointer (&o->host, g_free);
  g_clear_pointer (&o->port_text, g_free);
  g_clear_pointer (&o->frames_text, g_free);
  g_clear_pointer (&o->threads_text, g_free);
  g_clear_pointer (&o->processes_text, g_free);
  g_clear_pointer (&o->delay_text, g_free);
  g_clear_pointer (&o->loop_text, g_free);
  g_clear_pointer (&o->repeat_text, g_free);
  g_clear_pointer (&o->warmup_text, g_free);
  g_clear_pointer (&o->servers, g_strfreev);
  g_clear_pointer (&o->sweep_texts, g_strfreev);
  g_clear_pointer (&o->frames_dir, g_free);
  g_clear_pointer (&o->output, g_free);
  g_clear_pointer (&o->records_path, g_free);
  g_clear_pointer (&o->trace_path, g_free);
  g_clear_pointer (&o->report_dir, g_free);
  g_clear_pointer (&o->sweeps, g_array_unref);
  g_clear_pointer (&o->endpoint_hosts, g_ptr_array_unref);
  g_clear_pointer (&o->fps_text, g_free);
  g_clear_pointer (&o->scale_text, g_free);
  g_clear_pointer (&o->inputs, g_strfreev);
  g_clear_pointer (&o->frame_paths, g_ptr_array_unref);
  g_clear_pointer (&o->stdout_temp, g_free);
  g_clear_pointer (&o->check_server, g_free);
  g_clear_pointer (&o->check_server_command, g_free);
  g_clear_pointer (&o->max_failures_text, g_free);
  g_clear_pointer (&o->check_host, g_free);
}
