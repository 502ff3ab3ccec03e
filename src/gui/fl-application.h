/* fl-application.h: the AdwApplication: one instance per session (a second
 * `frameloom FILE.gif` opens the file in the running one, through D-Bus; with
 * no session bus each start is an instance of its own), app-wide actions,
 * accelerators, files from the command line, the About window. */
#pragma once

#include <adwaita.h>

#include "fl-settings.h"

G_BEGIN_DECLS

#define FL_TYPE_APPLICATION (fl_application_get_type ())
G_DECLARE_FINAL_TYPE (FlApplication, fl_application, FL, APPLICATION, AdwApplication)

FlApplication *fl_application_new (void);

G_END_DECLS
