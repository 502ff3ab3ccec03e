/* fl-settings.h: the app's GSettings, for the panels and the window (apart from
 * the application, so that the panels do not depend on it). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The app's GSettings, or NULL when its schema is not installed (an uninstalled
 * build run without GSETTINGS_SCHEMA_DIR): fields then keep their defaults. */
GSettings *fl_settings_new (void);

G_END_DECLS
