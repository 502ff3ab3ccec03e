/* fl-draw-report.c: report.md with the timeline's and the sweeps' PNG and SVG
 * beside it. */
#include "fl-draw-report.h"

#include "fl-draw-sweep.h"
#include "fl-config.h"
#include "fl-draw-timeline.h"
#include "fl-error.h"
#include "fl-file.h"
#include "fl-report.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Library code: the programs bind the domain (fl_i18n_init). */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

/* fl_draw_sweep_write writes straight to its path: a temporary in the same
 * folder, renamed into place, keeps a reader from seeing half a chart. Its
 * name keeps the extension, which chooses PNG or SVG. */
static gboolean
write_chart (const char *dir, const char *name, const char *extension, const FlDrawSweep *sweep,
             const char *caption, GError **error)
{
  g_autofree char *file = g_strconcat (name, extension, NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *tmp_name = g_strdup_printf (".%s.tmp-%d%s", name, (int) getpid (), extension);
  g_autofree char *tmp = g_build_filename (dir, tmp_name, NULL);

  if (!fl_draw_sweep_write (tmp, sweep, caption, FL_REPORT_CHART_WIDTH, FL_REPORT_CHART_HEIGHT,
                            error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) == 0)
    return TRUE;
  g_set_error (error, FL_ERROR, FL_ERROR_IO, _("Could not write %s: %s."), path,
               g_strerror (errno));
  g_unlink (tmp);
  return FALSE;
}

static int
compare_uint (const void *a, const void *b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* Each sweep's chart as PNG and SVG, drawn by the app's Speed-up page's code. */
static gboolean
write_sweep_charts (const char *dir, GPtrArray *summaries, GError **error)
{
  for (guint i = 0; i < summaries->len; i++)
    {
      const FlSweepSummary *summary = summaries->pdata[i];
      const char *name = fl_report_sweep_chart_name (summary->kind);
      g_autofree guint *values = g_new0 (guint, summary->points->len + 1);
      FlDrawSweep sweep = { summary->kind, values, 0, summary, summary->cores, NULL };

      if (summary->kind == FL_SWEEP_COMPARE)
        continue;
      /* The x axis: the points' values, ascending, each once. */
      for (guint p = 0; p < summary->points->len; p++)
        values[p] = g_array_index (summary->points, FlSweepPoint, p).value;
      qsort (values, summary->points->len, sizeof (guint), compare_uint);
      for (guint p = 0; p < summary->points->len; p++)
        if (sweep.n_values == 0 || values[sweep.n_values - 1] != values[p])
          values[sweep.n_values++] = values[p];
      if (!write_chart (dir, name, ".png", &sweep, summary->sentence, error)
          || !write_chart (dir, name, ".svg", &sweep, summary->sentence, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
fl_draw_report_write (const char *dir, const char *invocation, GPtrArray *records,
                      GHashTable *commands, GArray *events, const char *server_command,
                      GError **error)
{
  g_autoptr (FlTimeline) timeline = fl_timeline_new ();
  g_autofree char *path = g_build_filename (dir, "report.md", NULL);
  g_autofree char *markdown = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) summaries = fl_report_summaries (records);
  FlReportContent content = { invocation, records, commands, NULL, NULL, NULL, server_command,
                              summaries, TRUE };

  if (events != NULL)
    fl_timeline_add (timeline, (const FlEvent *) events->data, events->len);
  if (fl_timeline_get_n_rows (timeline) > 0)
    {
      g_autofree char *png = g_build_filename (dir, "timeline.png", NULL);
      g_autofree char *svg = g_build_filename (dir, "timeline.svg", NULL);

      if (!fl_draw_timeline_write (timeline, FL_REPORT_TIMELINE_WIDTH, png, svg, error))
        return FALSE;
      lines = fl_draw_timeline_describe (timeline);
      content.timeline_png = "timeline.png";
      content.timeline_svg = "timeline.svg";
      content.timeline_lines = lines;
    }
  if (!write_sweep_charts (dir, summaries, error))
    return FALSE;
  markdown = fl_report_markdown (&content);
  return fl_file_write_atomic (path, markdown, strlen (markdown), error);
}
