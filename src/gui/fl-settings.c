/* fl-settings.c: the app's GSettings, found or told missing once. */
#include "fl-settings.h"

#include "fl-config.h"

GSettings *
fl_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, FL_APP_ID, TRUE);
  if (schema == NULL)
    {
      /* Said once, not as a warning: the app works without it, it only forgets.
       * The install test looks for this line. Main thread only. */
      static gboolean told;

      if (!told)
        g_message ("Settings schema %s not found: settings will not be remembered", FL_APP_ID);
      told = TRUE;
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}
