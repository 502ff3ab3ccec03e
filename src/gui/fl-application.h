/* fl-application.h: the GtkApplication: app-wide actions, accelerators, files
 * from the command line. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FL_TYPE_APPLICATION (fl_application_get_type ())
G_DECLARE_FINAL_TYPE (FlApplication, fl_application, FL, APPLICATION, GtkApplication)

FlApplication *fl_application_new (void);

/* The app's GSettings, or NULL when its schema is not installed (an uninstalled
 * build run without GSETTINGS_SCHEMA_DIR): fields then keep their defaults. */
GSettings     *fl_settings_new (void);

G_END_DECLS
