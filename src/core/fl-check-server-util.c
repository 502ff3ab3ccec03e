/* fl-check-server-util.c: what the server's checks share, beneath both the
 * run (fl-check-server.c) and the load checks (fl-check-server-load.c): the
 * fetches counted, whether a check may still run, distinct images. */
#include "fl-check-server-private.h"

#include <stdlib.h>

/* The core has no text domain of its own: it shares the programs' one. */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

gboolean
fl_server_check_count (FlServerCheck *check, const FlFetch *fetches, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      if (fetches[i].status == FL_FETCH_PNG)
        check->images++;
      else if (fetches[i].status != FL_FETCH_CANCELLED)
        fl_checker_add_failure (&check->checker, fetches[i].message,
                                fl_fetch_status_is_lost (fetches[i].status));
    }
  return !fl_checker_over_failures (&check->checker);
}

gboolean
fl_server_check_may_run (FlServerCheck *check, const char *id, const char *name)
{
  g_autofree char *reason = NULL;

  if (fl_checker_cancelled (&check->checker))
    return FALSE;
  if (!check->have_png)
    reason = g_strdup (check->first.status == FL_FETCH_CONNECT
                         ? _("Not run: the server accepted no connection.")
                         : _("Not run: the server sends no PNG to judge."));
  else if (check->first.status == FL_FETCH_NOT_CLOSED && g_strcmp0 (id, "closes") != 0
           && g_strcmp0 (id, "image-size") != 0)
    reason = g_strdup (_("Not run: the server does not close its connections, so no reply ends."));
  else if (fl_checker_over_failures (&check->checker))
    reason = fl_checker_failures_reason (&check->checker);
  if (reason == NULL)
    {
      fl_checker_begin (&check->checker, id, name);
      return TRUE;
    }
  fl_checker_skip (&check->checker, id, name, reason);
  return FALSE;
}

static int
compare_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* Distinct pixel hashes among the PNG fetches; *n_png of them were PNGs. */
guint
fl_check_count_distinct (const FlFetch *fetches, guint n, guint *n_png)
{
  g_autofree guint64 *hashes = g_new (guint64, MAX (n, 1));
  guint k = 0, distinct = 0;

  for (guint i = 0; i < n; i++)
    if (fetches[i].status == FL_FETCH_PNG)
      hashes[k++] = fetches[i].pixel_hash;
  qsort (hashes, k, sizeof *hashes, compare_u64);
  for (guint i = 0; i < k; i++)
    distinct += i == 0 || hashes[i] != hashes[i - 1];
  *n_png = k;
  return distinct;
}
