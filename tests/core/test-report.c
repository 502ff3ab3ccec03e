/* test-report: the machine's description and the command lines that repeat a
 * run (parsed back the way a shell would). */
#include "fl-config.h"
#include "fl-report.h"
#include "fl-run-record.h"

#include <string.h>

static void
test_machine (void)
{
  g_autoptr (FlMachine) machine = fl_machine_new ();

  g_assert_nonnull (machine->cpu_model);
  g_assert_cmpstr (machine->cpu_model, !=, "");
  g_assert_cmpuint (machine->cores, ==, g_get_num_processors ());
  g_assert_cmpuint (machine->memory_bytes, >, 64u * 1024 * 1024);
  g_assert_true (strstr (machine->os, "Linux") != NULL);
  g_assert_cmpstr (machine->frameloom_version, ==, FL_VERSION);
  g_assert_true (g_str_has_prefix (machine->glib_version, "2."));
  g_assert_true (g_str_has_prefix (machine->libpng_version, "1."));
  g_assert_true (g_str_has_prefix (machine->giflib_version, "5."));
  g_test_message ("%s, %u cores, %" G_GUINT64_FORMAT " bytes, %s; Frameloom %s, GLib %s, "
                  "libpng %s, giflib %s", machine->cpu_model, machine->cores,
                  machine->memory_bytes, machine->os, machine->frameloom_version,
                  machine->glib_version, machine->libpng_version, machine->giflib_version);
}

static void
assert_line (const FlPipelineConfig *config, const char *expected)
{
  g_autofree char *line = fl_report_command_line (config, NULL);
  g_auto (GStrv) argv = fl_report_command_argv (config, NULL);
  g_auto (GStrv) parsed = NULL;

  g_assert_cmpstr (line, ==, expected);
  /* A shell reads the line back into the same words. */
  g_assert_true (g_shell_parse_argv (line, NULL, &parsed, NULL));
  g_assert_cmpuint (g_strv_length (parsed), ==, g_strv_length (argv));
  for (guint i = 0; argv[i] != NULL; i++)
    g_assert_cmpstr (parsed[i], ==, argv[i]);
}

static void
test_command_lines (void)
{
  FlPipelineConfig config = { 0 };
  FlEndpoint endpoints[2] = { { "10.0.0.2", 1234 }, { "::1", 4000 } };

  config.download = (FlDownloadConfig) { .host = "127.0.0.1", .port = 1234,
                                         .frames_dir = "frames", .n_frames = 5000, .threads = 4 };
  config.encode = (FlEncodeConfig) { .processes = 2, .delay_ms = 500, .output = "frameloom.gif" };
  config.run_download = config.run_encode = TRUE;
  assert_line (&config, "frameloom-client --host 127.0.0.1 --port 1234 --frames 5000 --threads 4 "
                        "--processes 2 --frames-dir frames --output frameloom.gif --delay-ms 500 "
                        "--loop 0");

  /* A sweep's threads run: the download only; names that a shell would split are quoted. */
  config.run_encode = FALSE;
  config.download.threads = 8;
  config.download.frames_dir = "my frames";
  assert_line (&config, "frameloom-client --host 127.0.0.1 --port 1234 --frames 5000 --threads 8 "
                        "--frames-dir 'my frames' --download-only");

  /* A processes run: the GIF only, from the frames already there. */
  config.run_download = FALSE;
  config.run_encode = TRUE;
  config.encode.processes = 1;
  config.encode.loop = 3;
  config.encode.output = "it's.gif";
  assert_line (&config, "frameloom-client --frames 5000 --processes 1 --frames-dir 'my frames' "
                        "--output 'it'\\''s.gif' --delay-ms 500 --loop 3 --encode-only");

  /* Several servers, IPv6 in brackets (quoted: a shell would glob them). */
  config.run_download = TRUE;
  config.run_encode = FALSE;
  config.download.endpoints = endpoints;
  config.download.n_endpoints = 2;
  config.download.frames_dir = "f";
  assert_line (&config, "frameloom-client --server 10.0.0.2:1234 --server '[::1]:4000' "
                        "--frames 5000 --threads 8 --frames-dir f --download-only");
}

static const char *records_path;

/* The records of two sweeps and a compare (report-records.csv: a plain run,
 * then as fl-sweep.c labels them), read back as three tables with their
 * sentences; a plain run makes none. */
static void
test_summaries (void)
{
  GError *error = NULL;
  g_autoptr (GPtrArray) records = fl_run_records_load (records_path, &error);
  g_autoptr (GPtrArray) summaries = NULL, none = NULL;
  g_autofree char *markdown = NULL;
  FlReportContent content = { 0 };
  const FlSweepSummary *threads;

  g_assert_no_error (error);
  summaries = fl_report_summaries (records);
  /* threads, processes, the compare's download and GIF */
  g_assert_cmpuint (summaries->len, ==, 4);
  threads = summaries->pdata[0];
  g_assert_cmpint (threads->kind, ==, FL_SWEEP_THREADS);
  g_assert_cmpuint (threads->points->len, ==, 2);
  g_assert_cmpint (((const FlSweepSummary *) summaries->pdata[1])->kind, ==, FL_SWEEP_PROCESSES);
  g_assert_cmpint (((const FlSweepSummary *) summaries->pdata[2])->stage, ==, FL_STAGE_DOWNLOAD);
  g_assert_cmpint (((const FlSweepSummary *) summaries->pdata[3])->stage, ==, FL_STAGE_ENCODE);
  g_assert_cmpstr (fl_report_sweep_chart_name (FL_SWEEP_PROCESSES), ==, "sweep-processes");

  content.records = records;
  content.summaries = summaries;
  content.sweep_charts = TRUE;
  markdown = fl_report_markdown (&content);
  g_assert_nonnull (strstr (markdown, "\n## Threads sweep\n"));
  g_assert_nonnull (strstr (markdown, "\n## Processes sweep\n"));
  g_assert_nonnull (strstr (markdown, "| threads=1 | 2 | 4.1000 | 4.0000..4.2000 | 1.00× | 100% | "
                                      "1.00× | baseline |\n"));
  g_assert_nonnull (strstr (markdown, "| threads=4 | 2 | 1.0500 | 1.0000..1.1000 | 3.90× | "));
  g_assert_nonnull (strstr (markdown, threads->sentence));
  g_assert_nonnull (strstr (markdown, "](sweep-threads.png)"));
  g_assert_nonnull (strstr (markdown, "](sweep-processes.svg)"));
  g_assert_nonnull (strstr (markdown, "\n## Compare\n"));
  g_assert_nonnull (strstr (markdown, "| Download | 4.0500 (4.0000..4.1000) | "
                                      "1.0500 (1.0000..1.1000) | 3.86× | faster |\n"));
  g_assert_nonnull (strstr (markdown, "| GIF | 2.0500 (2.0000..2.1000) | "));
  /* Only one compare heading for its two stages. */
  g_assert_true (strstr (strstr (markdown, "## Compare") + 1, "## Compare") == NULL);

  g_ptr_array_set_size (records, 1);
  none = fl_report_summaries (records);
  g_assert_cmpuint (none->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The records' file, from meson.build. */
  g_assert_cmpint (argc, ==, 2);
  records_path = argv[1];
  g_test_add_func ("/report/machine", test_machine);
  g_test_add_func ("/report/command-lines", test_command_lines);
  g_test_add_func ("/report/summaries", test_summaries);
  return g_test_run ();
}
