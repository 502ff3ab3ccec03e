/* fl-client-options.h: frameloom-client's command line, parsed and checked.
 *
 * Every option is read into FlClientOptions as given, then numbers are parsed
 * by one table and conflicts checked by another, so main never sees a value
 * that cannot work, and every bad argument gets one sentence and exit 2. */
#pragma once

#include "fl-pipeline.h"
#include "fl-sweep.h"

G_BEGIN_DECLS

/* The lab's file names, relative to the working folder. */
#define FL_CLIENT_DEFAULT_FRAMES_DIR "frames"
#define FL_CLIENT_DEFAULT_OUTPUT "frameloom.gif"

typedef enum
{
  FL_CLIENT_MODE_RUN,      /* one run, the lab's two lines */
  FL_CLIENT_MODE_COMPARE,  /* the sequential baseline, then this configuration */
  FL_CLIENT_MODE_SWEEP,    /* one or more --sweep series */
  FL_CLIENT_MODE_CHECK_SERVER, /* --check-server: grade a server against the lab */
} FlClientMode;

typedef struct
{
  FlSweepKind kind;
  GArray *values;  /* guint */
  guint first;     /* its first row in the records, set while it runs */
} FlClientSweep;

typedef struct
{
  /* As given: NULL (or FALSE) when absent, so a check can tell an option the
   * user gave from a default. */
  char *host, *port_text, *frames_text, *threads_text, *processes_text;
  char *delay_text, *loop_text, *repeat_text, *warmup_text;
  char **servers, **sweep_texts;
  char *frames_dir, *output, *records_path, *trace_path, *report_dir;
  gboolean sequential, download_only, encode_only, compare, json, quiet, version;
  gboolean fresh_frames;

  /* Parsed, with the defaults filled in. */
  guint port, frames, threads, processes, delay_ms, loop;
  guint repeat, warmup;        /* of each point of a compare or a sweep */
  FlClientMode mode;
  GArray *sweeps;  /* FlClientSweep, in the order given */
  gboolean sweeps_threads, sweeps_processes;
  FlEndpoint endpoints[FL_DOWNLOAD_MAX_ENDPOINTS];
  guint n_endpoints;
  GPtrArray *endpoint_hosts;  /* owns endpoints[i].host */
  /* What to run; its strings point into this struct, which must outlive it. */
  FlPipelineConfig config;
  FlSweepOptions sweep_options;

  /* make-gif: the frames named on the command line, encoded as --encode-only. */
  gboolean make_gif, dither, gif_to_stdout, exact_first;
  char *fps_text, *scale_text;
  char **inputs;
  guint scale;
  GPtrArray *frame_paths;   /* NULL-terminated, for config.encode.frame_paths */
  char *stdout_temp;        /* -o -: the GIF is made here, then copied out */

  /* --check-server HOST:PORT: the lab's checker instead of a run. */
  char *check_server, *check_server_command, *max_failures_text;
  char *check_host;         /* parsed from check_server */
  guint check_port, max_failures;
} FlClientOptions;

/* Parses and checks argv into options (zeroed by the caller). On success
 * returns TRUE; on a bad argument prints "frameloom-client: sentence" and a
 * hint on stderr and returns FALSE (exit status FL_EXIT_USAGE). --help and
 * --version print and exit. Prints a warning (and goes on) when more worker
 * processes than processors were asked for. */
gboolean fl_client_options_parse (FlClientOptions *options, int argc, char **argv);
void fl_client_options_clear (FlClientOptions *options);

/* make-gif with -o -: copies the finished GIF to stdout (nothing else goes
 * there), removes the temporary file, prints the error if run failed; returns
 * the exit status. */
int fl_client_make_gif_to_stdout (FlClientOptions *options, gboolean ok, const GError *error);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FlClientOptions, fl_client_options_clear)

G_END_DECLS
