/* fl-cli.c: shared front-end helpers. */
#include "fl-cli.h"

#include "fl-config.h"

#include <glib/gi18n.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

void
fl_cli_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "%s: %s\n", g_get_prgname (), message);
}

void
fl_cli_parse_or_exit (GOptionContext *context, int *argc, char ***argv, const gboolean *version)
{
  g_autoptr (GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fl_cli_error ("%s", error->message);
      fprintf (stderr, _("Try \"%s --help\" for more information.\n"), g_get_prgname ());
      exit (FL_EXIT_USAGE);
    }
  if (*version)
    {
      printf ("%s %s\n", g_get_prgname (), FL_VERSION);
      exit (FL_EXIT_OK);
    }
  if (*argc > 1)
    {
      fl_cli_error (_("Unexpected argument \"%s\""), (*argv)[1]);
      fprintf (stderr, _("Try \"%s --help\" for more information.\n"), g_get_prgname ());
      exit (FL_EXIT_USAGE);
    }
}

void
fl_cli_block_stop_signals (sigset_t *signals)
{
  sigemptyset (signals);
  sigaddset (signals, SIGINT);
  sigaddset (signals, SIGTERM);
  sigaddset (signals, SIGUSR1);
  pthread_sigmask (SIG_BLOCK, signals, NULL);
}
