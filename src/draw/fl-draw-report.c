/* fl-draw-report.c: report.md with the timeline's PNG and SVG beside it. */
#include "fl-draw-report.h"

#include "fl-draw-timeline.h"
#include "fl-file.h"
#include "fl-report.h"

#include <string.h>

gboolean
fl_draw_report_write (const char *dir, const char *invocation, GPtrArray *records,
                      GHashTable *commands, GArray *events, const char *server_command,
                      GError **error)
{
  g_autoptr (FlTimeline) timeline = fl_timeline_new ();
  g_autofree char *path = g_build_filename (dir, "report.md", NULL);
  g_autofree char *markdown = NULL;
  g_auto (GStrv) lines = NULL;
  FlReportContent content = { invocation, records, commands, NULL, NULL, NULL, server_command };

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
  markdown = fl_report_markdown (&content);
  return fl_file_write_atomic (path, markdown, strlen (markdown), error);
}
