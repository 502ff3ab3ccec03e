/* fl-report.h: the facts a report to hand in gives besides its figures: the
 * machine the runs ran on, and the exact command line that repeats each run.
 *
 * Facts only, untranslated (model names, versions, options): the front-ends
 * (the CLI's --report, the app's "Export report") write them under headings
 * in the user's language. */
#pragma once

#include <glib.h>

#include "fl-pipeline.h"
#include "fl-server.h"
#include "fl-sweep-summary.h"

G_BEGIN_DECLS

typedef struct
{
  char *cpu_model;          /* "AMD EPYC 7B13"; "unknown" when the system does not say */
  guint cores;              /* processors this process may use */
  guint64 memory_bytes;     /* physical memory; 0 when unknown */
  char *os;                 /* "Debian GNU/Linux 12 (bookworm), Linux 6.1.0-13-amd64 x86_64" */
  char *frameloom_version;
  char *glib_version;       /* the library running, not the headers built against */
  char *libpng_version;     /* the same */
  char *giflib_version;     /* the headers': giflib has no run-time query */
} FlMachine;

/* This machine, now. Never fails: what cannot be found reads "unknown" (0). */
FlMachine *fl_machine_new (void);
void       fl_machine_free (FlMachine *machine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlMachine, fl_machine_free)

/* The frameloom-client command that repeats the run config describes, as
 * program followed by its arguments (NULL-terminated; g_strfreev). Every
 * option is spelled out, defaults included, so that the line means the same
 * with another version's defaults; the stages follow run_download and
 * run_encode. program: "frameloom-client" when NULL. */
char     **fl_report_command_argv (const FlPipelineConfig *config, const char *program);
/* The same as one line for a POSIX shell, each argument quoted where needed. */
char      *fl_report_command_line (const FlPipelineConfig *config, const char *program);
/* The frameloom-server command that starts a server like config's (host,
 * port, image size and the workloads that are set) as one shell line.
 * program: "frameloom-server" when NULL. */
char      *fl_report_server_command_line (const FlServerConfig *config, const char *program);
/* argv as one line for a POSIX shell: plain words as they are, the others quoted. */
char      *fl_report_join_argv (char *const *argv);

/* What a report says. */
typedef struct
{
  const char *invocation;    /* the command that wrote it, or NULL (the app) */
  GPtrArray *records;        /* FlRunRecord *, repetitions included */
  GHashTable *commands;      /* a run's label -> the command line that repeats it */
  const char *timeline_png;  /* the timeline's pictures beside report.md, or NULL */
  const char *timeline_svg;
  char **timeline_lines;     /* the figures under the timeline, or NULL */
  const char *server_command;  /* the server the runs used, when it was the app's own */
  GPtrArray *summaries;      /* fl_report_summaries (records), or NULL: no sweep tables */
  gboolean sweep_charts;     /* each sweep's chart is beside report.md (its chart name) */
} FlReportContent;

/* The report as Markdown, headings in the user's language: when and by what it
 * was written, the machine, the runs as a table, the sweeps and the compare as
 * tables with their sentences and charts, the timeline with its figures, and
 * the command line that repeats each run. */
char      *fl_report_markdown (const FlReportContent *content);
/* The sweeps and the compare the records hold, found by their labels (fl-sweep.c
 * names the points "threads=N", "processes=N", "baseline" and "chosen"; one
 * sweep is such records in a row), as FlSweepSummary *: one per sweep, one per
 * stage that ran for a compare. Never NULL. */
GPtrArray *fl_report_summaries (GPtrArray *records);
/* "sweep-threads", "sweep-processes": a sweep's chart files without ".png"/".svg". */
const char *fl_report_sweep_chart_name (FlSweepKind kind);
/* Each summary as a Markdown table under its heading, with its sentence and,
 * when charts, the links to its chart. */
void       fl_report_append_summaries (GString *out, GPtrArray *summaries, gboolean charts);
/* " text |": a Markdown table cell (its bars escaped, line breaks made spaces). */
void       fl_report_append_cell (GString *out, const char *text);

G_END_DECLS
