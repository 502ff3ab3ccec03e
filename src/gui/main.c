/* main.c: frameloom, the desktop app. */
#include "fl-application.h"
#include "fl-config.h"

#include <glib/gi18n.h>
#include <locale.h>

int
main (int argc, char **argv)
{
  g_autoptr (FlApplication) app = NULL;
  const char *localedir;

  g_debug ("started at %.1f ms", g_get_monotonic_time () / 1000.0);
  setlocale (LC_ALL, "");
  /* $FRAMELOOM_LOCALEDIR lets tests use the build tree's catalogues (build/po). */
  localedir = g_getenv ("FRAMELOOM_LOCALEDIR");
  bindtextdomain (FL_GETTEXT_PACKAGE,
                  localedir != NULL && *localedir != '\0' ? localedir : FL_LOCALEDIR);
  bind_textdomain_codeset (FL_GETTEXT_PACKAGE, "UTF-8");
  textdomain (FL_GETTEXT_PACKAGE);

  app = fl_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
