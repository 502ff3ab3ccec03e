/* fl-check-server-command.c: a server the checker starts itself: its first
 * reply, its lines, Ctrl-C, and a restart at once on the same port. */
#include "fl-check-server-private.h"

#include "fl-error.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

/* The core has no text domain of its own: it shares the programs' one. */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

#define START_TIMEOUT_MS 15000u
#define RESTART_TIMEOUT_MS 5000u
#define STOP_TIMEOUT_MS 5000u
/* The lab's line, never translated: it is quoted from the program. */
#define SENT "Sent an image to "
#define SENT_QUOTED "Sent an image to …"

/* Waits for process to answer on the port: a refused connection means it is
 * not listening yet. Fills fetch with the first reply, or with the reason
 * there was none; *ready gets the seconds from the start. */
static void
await_first_reply (FlServerCheck *check, FlCheckProcess *process, guint timeout_ms,
                   FlFetch *fetch, double *ready)
{
  gint64 start = g_get_monotonic_time (), deadline = start + (gint64) timeout_ms * 1000;

  for (;;)
    {
      int status;

      fl_fetch_one (&check->addr, FL_CHECK_REPLY_TIMEOUT_MS, check->checker.cancellable, fetch);
      *ready = (g_get_monotonic_time () - start) / 1e6;
      if (fetch->status != FL_FETCH_CONNECT || fetch->connected_us != 0)
        return;
      if (fl_check_process_wait (process, 0, &status))
        {
          g_autofree char *how = fl_check_describe_wait_status (status);
          g_autofree char *last = fl_check_process_last_error_line (process);

          g_free (fetch->message);
          fetch->message = last != NULL
                             ? g_strdup_printf ("The server exited (%s) before it accepted a "
                                                "connection: “%s”", how, last)
                             : g_strdup_printf ("The server exited (%s) before it accepted a "
                                                "connection", how);
          return;
        }
      if (g_get_monotonic_time () >= deadline || fl_checker_cancelled (&check->checker))
        {
          g_free (fetch->message);
          fetch->message = g_strdup_printf ("The server accepted no connection on %s within "
                                            "%u s of its start", check->address,
                                            timeout_ms / 1000);
          return;
        }
      fl_fetch_clear (fetch, 1);
      g_usleep (50000);
    }
}

gboolean
fl_server_check_start (FlServerCheck *check, GError **error)
{
  const FlCheckServerConfig *config = check->config;
  double ready;
  int fd;

  /* Another program on the port would be checked instead of this one. */
  fd = fl_net_connect (&check->addr, g_get_monotonic_time () + 500000, NULL, NULL, NULL);
  if (fd >= 0)
    {
      close (fd);
      g_set_error (error, FL_ERROR, FL_ERROR_ADDRESS_IN_USE,
                   "Something already listens on %s: stop it, or start the server on a free "
                   "port", check->address);
      return FALSE;
    }
  check->process = fl_check_process_start (config->command, config->working_dir, error);
  if (check->process == NULL)
    return FALSE;
  await_first_reply (check, check->process, START_TIMEOUT_MS, &check->first, &ready);
  return TRUE;
}

static void
check_ctrl_c (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  g_autofree char *how = NULL;
  gint64 start;
  int status;

  fl_checker_begin (c, "ctrl-c", _("Stops on Ctrl-C"));
  if (fl_check_process_wait (check->process, 0, &status))
    {
      how = fl_check_describe_wait_status (status);
      fl_checker_end (c, FL_CHECK_FAIL,
                      _("The server had already ended (%s) before Ctrl-C: it must stay up until "
                        "it is stopped."), how);
      return;
    }
  start = g_get_monotonic_time ();
  fl_check_process_signal (check->process, SIGINT);
  if (!fl_check_process_wait (check->process, STOP_TIMEOUT_MS, &status))
    {
      fl_check_process_signal (check->process, SIGKILL);
      fl_check_process_wait (check->process, STOP_TIMEOUT_MS, NULL);
      fl_checker_end (c, FL_CHECK_FAIL,
                      _("The server was still running %u s after Ctrl-C (SIGINT); the checker "
                        "stopped it with SIGKILL."), STOP_TIMEOUT_MS / 1000);
      return;
    }
  how = fl_check_describe_wait_status (status);
  fl_checker_figure (c, "stop_seconds", (g_get_monotonic_time () - start) / 1e6);
  fl_checker_end (c, FL_CHECK_PASS, _("The server stopped %.2f s after Ctrl-C (SIGINT), with %s."),
                  (g_get_monotonic_time () - start) / 1e6, how);
}

static void
check_lines (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  guint n_lines, sent = 0;
  g_auto (GStrv) lines = NULL;
  const char *first = NULL, *listening = NULL;

  fl_checker_begin (c, "lines", _("Prints the lab's lines"));
  /* The server was stopped just before: its last lines may still be on their way. */
  fl_check_process_wait_output (check->process, 2000);
  lines = fl_check_process_get_lines (check->process, &n_lines);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (first == NULL && lines[i][0] != '\0')
        first = lines[i];
      if (listening == NULL && g_str_has_prefix (lines[i], "Listening on "))
        listening = lines[i];
      /* Threads that print at once may share a line: count each line's lines. */
      for (const char *p = strstr (lines[i], SENT); p != NULL; p = strstr (p + 1, SENT))
        sent++;
    }
  fl_checker_figure (c, "sent_lines", sent);
  fl_checker_figure (c, "images_received", check->images);
  if (listening == NULL && first == NULL)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("The server printed nothing: the lab's server prints “Listening on …” when "
                      "it starts."));
  else if (listening == NULL)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("The server never printed “Listening on …” (its first line: “%s”)."), first);
  else if (sent == 0 && check->images > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("The server printed “%s” but no “%s” line for the %u images the checker "
                      "received."), listening, SENT_QUOTED, check->images);
  else if (sent < check->images)
    fl_checker_end (c, FL_CHECK_WARN,
                    g_dngettext (FL_GETTEXT_PACKAGE,
                                 "The server printed “%s” but only %u “%s” line for the %u "
                                 "images the checker received.",
                                 "The server printed “%s” but only %u “%s” lines for the %u "
                                 "images the checker received.", sent),
                    listening, sent, SENT_QUOTED, check->images);
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    g_dngettext (FL_GETTEXT_PACKAGE,
                                 "The server printed “%s” and %u “%s” line for the %u images "
                                 "the checker received.",
                                 "The server printed “%s” and %u “%s” lines for the %u images "
                                 "the checker received.", sent),
                    listening, sent, SENT_QUOTED, check->images);
}

static void
check_address_reuse (FlServerCheck *check)
{
  FlChecker *c = &check->checker;
  guint waiting = fl_check_count_time_wait (check->port);
  g_autoptr (GError) error = NULL;
  FlCheckProcess *again;
  FlFetch fetch = { 0 };
  double ready;

  if (check->first.status == FL_FETCH_CONNECT)
    {
      fl_checker_skip (c, "address-reuse", _("Restarts at once on the same port"),
                       _("Not run: the server never accepted a connection."));
      return;
    }
  fl_checker_begin (c, "address-reuse", _("Restarts at once on the same port"));
  fl_checker_figure (c, "time_wait", waiting);
  again = fl_check_process_start (check->config->command, check->config->working_dir, &error);
  if (again == NULL)
    {
      fl_checker_end (c, FL_CHECK_FAIL, _("%s."), error->message);
      return;
    }
  await_first_reply (check, again, RESTART_TIMEOUT_MS, &fetch, &ready);
  if (fetch.status == FL_FETCH_CONNECT)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("Started again at once: %s. It must mark its socket for address reuse "
                      "(SO_REUSEADDR) before bind."), fetch.message);
  else if (waiting == 0)
    fl_checker_end (c, FL_CHECK_WARN,
                    _("Started again at once, it answered after %.2f s, but no connection of its "
                      "first run was left in TIME_WAIT, so this does not show address reuse."),
                    ready);
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    g_dngettext (FL_GETTEXT_PACKAGE,
                                 "Started again at once, it answered after %.2f s, while %u "
                                 "connection of its first run was in TIME_WAIT.",
                                 "Started again at once, it answered after %.2f s, while %u "
                                 "connections of its first run were in TIME_WAIT.", waiting),
                    ready, waiting);
  fl_fetch_clear (&fetch, 1);
  fl_check_process_free (again, 3000);
}

void
fl_server_check_command (FlServerCheck *check)
{
  if (fl_checker_cancelled (&check->checker))
    return;
  check_ctrl_c (check);
  check_lines (check);
  if (!fl_checker_cancelled (&check->checker))
    check_address_reuse (check);
}
