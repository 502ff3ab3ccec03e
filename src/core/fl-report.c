/* fl-report.c: this machine, the command line of a run, and a Markdown cell. */
#include "fl-report.h"

#include "fl-config.h"

#include <gif_lib.h>
#include <png.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define UNKNOWN "unknown"

/* The first "model name" of /proc/cpuinfo (x86), else the names ARM and others use. */
static char *
cpu_model (void)
{
  static const char *const keys[] = { "model name", "Model", "Hardware", "cpu model", "cpu" };
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return g_strdup (UNKNOWN);
  lines = g_strsplit (text, "\n", -1);
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    for (guint i = 0; lines[i] != NULL; i++)
      {
        const char *colon = strchr (lines[i], ':');
        g_autofree char *key = NULL;

        if (colon == NULL)
          continue;
        key = g_strstrip (g_strndup (lines[i], (gsize) (colon - lines[i])));
        if (strcmp (key, keys[k]) == 0 && *g_strstrip ((char *) colon + 1) != '\0')
          return g_strdup (colon + 1);
      }
  return g_strdup (UNKNOWN);
}

static char *
os_description (void)
{
  g_autofree char *name = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  struct utsname u;

  if (uname (&u) != 0)
    return g_strdup (name != NULL ? name : UNKNOWN);
  if (name == NULL)
    return g_strdup_printf ("%s %s %s", u.sysname, u.release, u.machine);
  return g_strdup_printf ("%s, %s %s %s", name, u.sysname, u.release, u.machine);
}

FlMachine *
fl_machine_new (void)
{
  FlMachine *machine = g_new0 (FlMachine, 1);
  long pages = sysconf (_SC_PHYS_PAGES), page_size = sysconf (_SC_PAGESIZE);

  machine->cpu_model = cpu_model ();
  machine->cores = g_get_num_processors ();
  machine->memory_bytes = pages > 0 && page_size > 0 ? (guint64) pages * (guint64) page_size : 0;
  machine->os = os_description ();
  machine->frameloom_version = g_strdup (FL_VERSION);
  machine->glib_version = g_strdup_printf ("%u.%u.%u", glib_major_version, glib_minor_version,
                                           glib_micro_version);
  machine->libpng_version = g_strdup (png_get_libpng_ver (NULL));
  machine->giflib_version = g_strdup_printf ("%d.%d.%d", GIFLIB_MAJOR, GIFLIB_MINOR,
                                             GIFLIB_RELEASE);
  return machine;
}

void
fl_machine_free (FlMachine *machine)
{
  if (machine == NULL)
    return;
  g_free (machine->cpu_model);
  g_free (machine->os);
  g_free (machine->frameloom_version);
  g_free (machine->glib_version);
  g_free (machine->libpng_version);
  g_free (machine->giflib_version);
  g_free (machine);
}

static void
add (GPtrArray *argv, const char *option, const char *value)
{
  g_ptr_array_add (argv, g_strdup (option));
  if (value != NULL)
    g_ptr_array_add (argv, g_strdup (value));
}

static void
add_uint (GPtrArray *argv, const char *option, guint value)
{
  g_ptr_array_add (argv, g_strdup (option));
  g_ptr_array_add (argv, g_strdup_printf ("%u", value));
}

static void
add_servers (GPtrArray *argv, const FlDownloadConfig *download)
{
  if (download->n_endpoints == 0)
    {
      add (argv, "--host", download->host ? download->host : FL_DOWNLOAD_DEFAULT_HOST);
      add_uint (argv, "--port", download->port ? download->port : FL_DOWNLOAD_DEFAULT_PORT);
      return;
    }
  for (guint i = 0; i < download->n_endpoints; i++)
    {
      const FlEndpoint *e = &download->endpoints[i];
      const char *host = e->host ? e->host : FL_DOWNLOAD_DEFAULT_HOST;
      gboolean v6 = strchr (host, ':') != NULL;

      g_ptr_array_add (argv, g_strdup ("--server"));
      g_ptr_array_add (argv, g_strdup_printf ("%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "",
                                              e->port ? e->port : FL_DOWNLOAD_DEFAULT_PORT));
    }
}

char **
fl_report_command_argv (const FlPipelineConfig *config, const char *program)
{
  GPtrArray *argv = g_ptr_array_new ();
  const FlEncodeConfig *encode = &config->encode;
  const char *frames_dir = encode->frames_dir && !config->run_download ? encode->frames_dir
                                                                      : config->download.frames_dir;
  guint frames = config->run_download || encode->n_frames == 0 ? config->download.n_frames
                                                                : encode->n_frames;

  g_ptr_array_add (argv, g_strdup (program ? program : "frameloom-client"));
  if (config->run_download)
    add_servers (argv, &config->download);
  add_uint (argv, "--frames", frames);
  if (config->run_download)
    add_uint (argv, "--threads", MAX (config->download.threads, 1u));
  if (config->run_encode)
    add_uint (argv, "--processes", MAX (encode->processes, 1u));
  if (frames_dir != NULL)
    add (argv, "--frames-dir", frames_dir);
  if (config->run_encode)
    {
      if (encode->output != NULL)
        add (argv, "--output", encode->output);
      add_uint (argv, "--delay-ms", encode->delay_ms);
      add_uint (argv, "--loop", encode->loop);
    }
  if (!config->run_encode)
    add (argv, "--download-only", NULL);
  if (!config->run_download)
    add (argv, "--encode-only", NULL);
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

char *
fl_report_server_command_line (const FlServerConfig *config, const char *program)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const struct
  {
    const char *option;
    guint value;
  } workloads[] = {
    { "--latency-ms", config->latency_ms },
    { "--jitter-ms", config->jitter_ms },
    { "--cost-us", config->cost_us },
  };

  g_ptr_array_add (argv, g_strdup (program ? program : "frameloom-server"));
  add (argv, "--host", config->host && *config->host ? config->host : "0.0.0.0");
  add_uint (argv, "--port", config->port);
  g_ptr_array_add (argv, g_strdup ("--size"));
  g_ptr_array_add (argv, g_strdup_printf ("%ux%u", config->width ? config->width : 10,
                                          config->height ? config->height : 10));
  for (guint i = 0; i < G_N_ELEMENTS (workloads); i++)
    if (workloads[i].value > 0)
      add_uint (argv, workloads[i].option, workloads[i].value);
  g_ptr_array_add (argv, NULL);
  return fl_report_join_argv ((char *const *) argv->pdata);
}

/* Quotes only what a shell would split or expand: the common line stays readable. */
static gboolean
needs_quotes (const char *arg)
{
  if (*arg == '\0')
    return TRUE;
  for (const char *p = arg; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_./:=,@%+", *p) == NULL)
      return TRUE;
  return FALSE;
}

char *
fl_report_command_line (const FlPipelineConfig *config, const char *program)
{
  g_auto (GStrv) argv = fl_report_command_argv (config, program);

  return fl_report_join_argv (argv);
}

char *
fl_report_join_argv (char *const *argv)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *quoted = needs_quotes (argv[i]) ? g_shell_quote (argv[i]) : NULL;

      if (i > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, quoted ? quoted : argv[i]);
    }
  return g_string_free (line, FALSE);
}

void
fl_report_append_cell (GString *out, const char *text)
{
  g_string_append (out, " ");
  for (const char *p = text; *p; p++)
    if (*p == '|')
      g_string_append (out, "\\|");
    else if (*p == '\n' || *p == '\r')
      g_string_append_c (out, ' ');
    else
      g_string_append_c (out, *p);
  g_string_append (out, " |");
}
