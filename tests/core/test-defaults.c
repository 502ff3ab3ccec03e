/* test-defaults: the app starts with the core's defaults, the ones the CLI uses.
 * The app's fields come from its GSettings schema, which is XML: this checks that
 * every client default in it equals the core's constant (the app once started
 * with 8 download threads while the CLI used 4). */
#include "fl-config.h"
#include "fl-downloader.h"
#include "fl-encoder.h"

#include <gio/gio.h>

static void
test_schema_matches_the_core (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSettingsSchemaSource) source = NULL;
  g_autoptr (GSettingsSchema) schema = NULL;
  const struct
  {
    const char *key;
    gint32 value;
  } ints[] = {
    { "client-threads", FL_DOWNLOAD_DEFAULT_THREADS },
    { "client-frames", FL_DOWNLOAD_DEFAULT_FRAMES },
    { "client-port", FL_DOWNLOAD_DEFAULT_PORT },
    { "client-processes", FL_ENCODE_DEFAULT_PROCESSES },
    { "client-delay", FL_ENCODE_DEFAULT_DELAY_MS },
  };

  source = g_settings_schema_source_new_from_directory (FL_TEST_SCHEMA_DIR, NULL, TRUE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, FL_APP_ID, FALSE);
  g_assert_nonnull (schema);
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autoptr (GSettingsSchemaKey) key = g_settings_schema_get_key (schema, ints[i].key);
      g_autoptr (GVariant) value = g_settings_schema_key_get_default_value (key);

      g_test_message ("%s: %d", ints[i].key, g_variant_get_int32 (value));
      g_assert_cmpint (g_variant_get_int32 (value), ==, ints[i].value);
    }
  {
    g_autoptr (GSettingsSchemaKey) key = g_settings_schema_get_key (schema, "client-host");
    g_autoptr (GVariant) value = g_settings_schema_key_get_default_value (key);

    g_assert_cmpstr (g_variant_get_string (value, NULL), ==, FL_DOWNLOAD_DEFAULT_HOST);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/defaults/schema-matches-the-core", test_schema_matches_the_core);
  return g_test_run ();
}
