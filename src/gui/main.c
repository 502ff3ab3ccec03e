/* main.c: frameloom, the desktop app. */
#include "fl-application.h"
#include "fl-i18n.h"
#include "fl-process.h"

int
main (int argc, char **argv)
{
  g_autoptr (FlApplication) app = NULL;

  fl_process_init ();
  g_debug ("started at %.1f ms", g_get_monotonic_time () / 1000.0);
  fl_i18n_init ();

  app = fl_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
