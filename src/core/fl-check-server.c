/* fl-check-server.c: the server checker's run, and the checks of its replies. */
#include "fl-check-server-private.h"

#include "fl-downloader.h"
#include "fl-error.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* The core has no text domain of its own: it shares the programs' one. */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)
#define N_(text) (text)

/* fl_reply_describe_content's phrases, so that they reach the translation. */
static const char *const content_phrases[] = {
  N_("a JPEG image"), N_("a GIF image"),   N_("a BMP image"),  N_("a TIFF image"),
  N_("gzip data"),    N_("an HTTP response"), N_("a WebP image"),
  N_("an HTML or XML document"), N_("text"), N_("binary data"),
};

const char *
fl_check_describe_what (const char *what)
{
  for (guint i = 0; i < G_N_ELEMENTS (content_phrases); i++)
    if (g_strcmp0 (what, content_phrases[i]) == 0)
      return _(content_phrases[i]);
  return what;
}

static void
check_connect (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  const FlFetch *first = &check->first;

  fl_checker_begin (c, "connect", _("Accepts a connection"));
  if (first->status == FL_FETCH_CONNECT || first->status == FL_FETCH_CANCELLED)
    {
      fl_checker_end (c, FL_CHECK_FAIL, _("%s."), first->message);
      return;
    }
  fl_checker_figure (c, "connect_ms", first->connected_us / 1e3);
  fl_checker_end (c, FL_CHECK_PASS, _("Connected to %s in %.1f ms."), check->address,
                  first->connected_us / 1e3);
}

static void
check_reply (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  const FlFetch *first = &check->first;

  if (first->status == FL_FETCH_CONNECT)
    {
      fl_checker_skip (c, "reply-png", _("Sends one complete PNG"),
                       _("Not run: the server accepted no connection."));
      return;
    }
  fl_checker_begin (c, "reply-png", _("Sends one complete PNG"));
  switch (first->status)
    {
    case FL_FETCH_PNG:
    case FL_FETCH_NOT_CLOSED:
      check->have_png = TRUE;
      fl_checker_figure (c, "bytes", first->bytes);
      fl_checker_end (c, FL_CHECK_PASS,
                      _("The reply is one complete PNG of %lu bytes, with nothing after it."),
                      (unsigned long) first->bytes);
      break;
    case FL_FETCH_NOT_PNG:
      fl_checker_end (c, FL_CHECK_FAIL, _("The reply is %s, not a PNG."),
                      fl_check_describe_what (first->what));
      break;
    case FL_FETCH_EMPTY:
      fl_checker_end (c, FL_CHECK_FAIL,
                      _("The server closed the connection without sending anything."));
      break;
    default:
      fl_checker_end (c, FL_CHECK_FAIL, _("%s."), first->message);
      break;
    }
}

static void
check_size_and_close (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  const FlFetch *first = &check->first;

  if (fl_server_check_may_run (check, "image-size", _("The image is 10x10")))
    {
      fl_checker_figure (c, "width", first->width);
      fl_checker_figure (c, "height", first->height);
      if (first->width == 10 && first->height == 10)
        fl_checker_end (c, FL_CHECK_PASS, _("The image is 10x10, as the lab asks."));
      else
        fl_checker_end (c, FL_CHECK_FAIL, _("The image is %ux%u, not the lab's 10x10."),
                        first->width, first->height);
    }
  if (!fl_server_check_may_run (check, "closes", _("Closes the connection after the image")))
    return;
  if (first->status == FL_FETCH_NOT_CLOSED)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("The server sent the whole image but kept the connection open for %.0f s: "
                      "the lab's client reads until the server closes."),
                    FL_CHECK_REPLY_TIMEOUT_MS / 1000.0);
  else
    {
      double after = (first->done_us - MAX (first->first_byte_us, 0)) / 1e3;

      fl_checker_figure (c, "close_after_first_byte_ms", after);
      fl_checker_end (c, FL_CHECK_PASS,
                      _("The server closed the connection %.2f ms after the first byte of the "
                        "image."), after);
    }
}

static int
compare_uint (const void *a, const void *b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

static void
check_random (FlServerCheck *check, const FlFetch *fetches, guint n)
{
  FlChecker *c = &check->checker;
  g_autofree guint *colours = g_new (guint, MAX (n, 1));
  guint k = 0, median, pixels = MIN (check->first.width * check->first.height, 4096u);

  if (!fl_server_check_may_run (check, "random", _("The images are random pixels")))
    return;
  for (guint i = 0; i < n; i++)
    if (fetches[i].status == FL_FETCH_PNG)
      colours[k++] = fetches[i].colours;
  qsort (colours, k, sizeof *colours, compare_uint);
  if (k == 0)
    {
      fl_checker_end (c, FL_CHECK_FAIL, _("No reply was a PNG to look at."));
      return;
    }
  median = colours[k / 2];
  fl_checker_figure (c, "median_colours", median);
  fl_checker_figure (c, "fewest_colours", colours[0]);
  if (colours[k - 1] <= 1)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("Every image is a single colour: the lab's pixels are random, each "
                      "channel of each pixel."));
  else if (colours[k / 2] * 2 < pixels)
    fl_checker_end (c, FL_CHECK_WARN,
                    _("The images have few colours (a median of %u in %u pixels): uniformly "
                      "random pixels would nearly all differ."), colours[k / 2], pixels);
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("The images have a median of %u colours in %u pixels (the fewest %u), as "
                      "random pixels have."), colours[k / 2], pixels, colours[0]);
}

/* FL_CHECK_FRESH_REPLIES replies one after another: all different, random. */
static void
check_fresh (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  FlFetch fetches[FL_CHECK_FRESH_REPLIES];
  FlFetchPlan plan = { &check->addr, G_N_ELEMENTS (fetches), 1, FL_CHECK_REPLY_TIMEOUT_MS, TRUE };
  g_autofree double *latencies = NULL;
  guint n_png, distinct, n_latencies;

  if (!fl_server_check_may_run (check, "fresh", _("Every image is new")))
    {
      /* Skipped for the same reason (may_run is FALSE again). */
      fl_server_check_may_run (check, "random", _("The images are random pixels"));
      return;
    }
  fl_fetch_run (&plan, fetches, 0, c->cancellable);
  fl_server_check_count (check, fetches, plan.n);
  latencies = fl_fetch_latencies (fetches, plan.n, &n_latencies);
  check->single_seconds = fl_fetch_quantile (latencies, n_latencies, 0.5);
  distinct = fl_check_count_distinct (fetches, plan.n, &n_png);
  fl_checker_figure (c, "replies", n_png);
  fl_checker_figure (c, "distinct", distinct);
  if (n_png < 2)
    fl_checker_end (c, FL_CHECK_FAIL, _("Only %u of %u replies were PNGs: %s."), n_png, plan.n,
                    fetches[0].message ? fetches[0].message : fetches[1].message);
  else if (distinct == 1)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("%u replies one after another were all the same image: the lab's server "
                      "makes a new random image for each connection."), n_png);
  else if (distinct < n_png)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("%u replies one after another held only %u different images."), n_png,
                    distinct);
  else
    {
      check->fresh = TRUE;
      fl_checker_end (c, FL_CHECK_PASS, _("%u replies one after another, %u different images."),
                      n_png, distinct);
    }
  check_random (check, fetches, plan.n);
  fl_fetch_clear (fetches, plan.n);
}

/* The processes serving the port can be looked at only on this machine. */
static gboolean
is_loopback (const FlSockAddr *addr)
{
  const struct sockaddr *sa = (const struct sockaddr *) &addr->storage;

  if (sa->sa_family == AF_INET)
    return (ntohl (((const struct sockaddr_in *) sa)->sin_addr.s_addr) >> 24) == 127;
  return sa->sa_family == AF_INET6
         && IN6_IS_ADDR_LOOPBACK (&((const struct sockaddr_in6 *) sa)->sin6_addr);
}

static void
server_check_clear (FlServerCheck *check)
{
  fl_check_process_free (check->process, 3000);
  g_clear_pointer (&check->pids, g_array_unref);
  fl_fetch_clear (&check->first, 1);
}

FlCheckReport *
fl_check_server_run (const FlCheckServerConfig *config, const FlCheckCallbacks *callbacks,
                     gpointer user_data, GCancellable *cancellable, GError **error)
{
  FlServerCheck check = { .config = config };
  const char *host = config->host ? config->host : FL_DOWNLOAD_DEFAULT_HOST;
  g_autoptr (FlCheckReport) report = NULL;
  g_autofree char *target = NULL;

  check.port = config->port ? config->port : FL_DOWNLOAD_DEFAULT_PORT;
  if (!fl_net_resolve (host, check.port, FALSE, &check.addr, error))
    return NULL;
  fl_net_format_address (&check.addr, check.address, sizeof check.address);
  target = config->command ? g_strdup_printf ("%s (%s)", config->command, check.address)
                           : g_strdup (check.address);
  report = fl_check_report_new ("server", target);
  fl_checker_init (&check.checker, report, callbacks, user_data, cancellable,
                   config->max_failures);
  check.pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  fl_net_raise_nofile_limit (4096);

  if (config->command != NULL)
    {
      if (!fl_server_check_start (&check, error))
        {
          server_check_clear (&check);
          return NULL;
        }
    }
  else
    fl_fetch_one (&check.addr, FL_CHECK_REPLY_TIMEOUT_MS, cancellable, &check.first);
  check.images += check.first.status == FL_FETCH_PNG;
  if (config->command != NULL || is_loopback (&check.addr))
    fl_check_find_listeners (check.port, check.pids);
  if (check.pids->len == 0 && check.process != NULL)
    {
      pid_t pid = fl_check_process_get_pid (check.process);
      g_array_append_val (check.pids, pid);
    }

  check_connect (&check);
  if (!fl_checker_cancelled (&check.checker))
    check_reply (&check);
  check_size_and_close (&check);
  check_fresh (&check);
  fl_server_check_load (&check);
  if (config->command != NULL)
    fl_server_check_command (&check);
  fl_checker_finish (&check.checker);
  server_check_clear (&check);
  return g_steal_pointer (&report);
}
