/* fl-report-markdown.c: the Markdown of a report (the CLI's --report, the
 * app's "Export report"); the facts come from fl-report.c. */
#include "fl-report.h"

#include "fl-config.h"
#include "fl-run-record.h"

/* Library code: the programs bind the domain (fl_i18n_init). */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

static void
append_machine (GString *out)
{
  g_autoptr (FlMachine) machine = fl_machine_new ();
  g_autofree char *memory = machine->memory_bytes
                              ? g_format_size_full (machine->memory_bytes, G_FORMAT_SIZE_IEC_UNITS)
                              : g_strdup ("?");
  g_autofree char *cores = g_strdup_printf ("%u", machine->cores);
  const char *rows[][2] = {
    { _("Processor"), machine->cpu_model },
    { _("Cores"), cores },
    { _("Memory"), memory },
    { _("System"), machine->os },
    { "Frameloom", machine->frameloom_version },
    { "GLib", machine->glib_version },
    { "libpng", machine->libpng_version },
    { "giflib", machine->giflib_version },
  };

  g_string_append_printf (out, "## %s\n\n| | |\n|---|---|\n", _("Machine"));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_string_append (out, "|");
      fl_report_append_cell (out, rows[i][0]);
      fl_report_append_cell (out, rows[i][1]);
      g_string_append_c (out, '\n');
    }
}

static void
append_number (GString *out, gboolean ran, const char *format, double value)
{
  g_autofree char *text = ran ? g_strdup_printf (format, value) : g_strdup ("–");

  fl_report_append_cell (out, text);
}

static void
append_runs (GString *out, GPtrArray *records)
{
  g_string_append_printf (out, "\n## %s\n\n|", _("Runs"));
  fl_report_append_cell (out, _("Run"));
  /* TRANSLATORS: a table heading of the report: which timed run of a point (1, 2, 3) */
  fl_report_append_cell (out, _("Repetition"));
  fl_report_append_cell (out, _("Frames"));
  fl_report_append_cell (out, _("Threads"));
  fl_report_append_cell (out, _("Processes"));
  fl_report_append_cell (out, _("Download (s)"));
  fl_report_append_cell (out, _("Download frames/s"));
  fl_report_append_cell (out, _("GIF (s)"));
  fl_report_append_cell (out, _("GIF frames/s"));
  fl_report_append_cell (out, _("Retries"));
  fl_report_append_cell (out, _("Result"));
  g_string_append (out, "\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (guint i = 0; i < records->len; i++)
    {
      const FlRunRecord *r = records->pdata[i];
      g_autofree char *frames = g_strdup_printf ("%u", r->frames);
      g_autofree char *repetition = g_strdup_printf ("%u", r->repetition);
      g_autofree char *retries = g_strdup_printf ("%" G_GUINT64_FORMAT, r->retries);
      g_autofree char *result = r->ok ? g_strdup (_("done"))
                                      : g_strdup_printf (_("failed: %s"), r->error ? r->error : "");

      g_string_append (out, "|");
      fl_report_append_cell (out, r->label);
      fl_report_append_cell (out, repetition);
      fl_report_append_cell (out, frames);
      append_number (out, r->threads > 0, "%.0f", r->threads);
      append_number (out, r->processes > 0, "%.0f", r->processes);
      append_number (out, r->ran_download, "%.4f", r->download_seconds);
      append_number (out, r->ran_download, "%.0f", fl_run_record_download_rate (r));
      append_number (out, r->ran_encode, "%.4f", r->encode_seconds);
      append_number (out, r->ran_encode, "%.0f", fl_run_record_encode_rate (r));
      fl_report_append_cell (out, retries);
      fl_report_append_cell (out, result);
      g_string_append_c (out, '\n');
    }
}

static void
append_timeline (GString *out, const FlReportContent *content)
{
  if (content->timeline_png == NULL && content->timeline_svg == NULL)
    return;
  g_string_append_printf (out, "\n## %s\n\n", _("Timeline"));
  if (content->timeline_png != NULL)
    /* TRANSLATORS: the alternative text of the report's timeline picture */
    g_string_append_printf (out, "![%s](%s)\n\n",
                            _("Every download thread and GIF worker over time"),
                            content->timeline_png);
  if (content->timeline_svg != NULL)
    /* TRANSLATORS: a link to the timeline as a scalable picture */
    g_string_append_printf (out, "[%s](%s)\n\n", _("The timeline as SVG"), content->timeline_svg);
  for (guint i = 0; content->timeline_lines && content->timeline_lines[i]; i++)
    g_string_append_printf (out, "- %s\n", content->timeline_lines[i]);
}

char *
fl_report_markdown (const FlReportContent *content)
{
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  GString *out = g_string_new (NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S %Z");

  g_string_append_printf (out, "# %s\n\n", _("Frameloom report"));
  if (content->invocation != NULL)
    {
      /* TRANSLATORS: "Written on 2026-12-01 21:40:00 UTC by:", then the command */
      g_string_append_printf (out, _("Written on %s by:"), when);
      g_string_append_printf (out, "\n\n    %s\n\n", content->invocation);
    }
  else
    {
      /* TRANSLATORS: "Written on 2026-12-01 21:40:00 UTC by the Frameloom app." */
      g_string_append_printf (out, _("Written on %s by the Frameloom app."), when);
      g_string_append (out, "\n\n");
    }
  append_machine (out);
  append_runs (out, content->records);
  fl_report_append_summaries (out, content->summaries, content->sweep_charts);
  append_timeline (out, content);
  g_string_append_printf (out, "\n## %s\n\n", _("The command that repeats each run"));
  if (content->server_command != NULL)
    /* TRANSLATORS: in a report, before the command that starts the server again */
    g_string_append_printf (out, "%s\n\n    %s\n\n",
                            _("The runs used the app's own server; this command starts the same:"),
                            content->server_command);
  /* Once per run: its repetitions are the same command. */
  for (guint i = 0; i < content->records->len; i++)
    {
      const char *label = ((const FlRunRecord *) content->records->pdata[i])->label;
      const char *command = content->commands ? g_hash_table_lookup (content->commands, label)
                                              : NULL;

      if (command == NULL || !g_hash_table_add (listed, (gpointer) label))
        continue;
      g_string_append_printf (out, "- %s:\n\n      %s\n\n", label, command);
    }
  return g_string_free (out, FALSE);
}
