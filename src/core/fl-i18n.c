/* fl-i18n.c: locale and text domain. */
#include "fl-i18n.h"

#include "fl-config.h"

#include <libintl.h>
#include <locale.h>

void
fl_i18n_init (void)
{
  const char *localedir = g_getenv ("FRAMELOOM_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (FL_GETTEXT_PACKAGE,
                  localedir != NULL && *localedir != '\0' ? localedir : FL_LOCALEDIR);
  bind_textdomain_codeset (FL_GETTEXT_PACKAGE, "UTF-8");
  textdomain (FL_GETTEXT_PACKAGE);
}
