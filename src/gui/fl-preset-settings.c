/* fl-preset-settings.c: FlWorkload <-> the GSettings keys. */
#include "fl-preset-settings.h"

#include "fl-image.h"

#include <string.h>

static const struct
{
  const char *key;
  gsize offset;  /* of the guint in FlWorkload */
} int_keys[] = {
  { "server-latency-ms", G_STRUCT_OFFSET (FlWorkload, latency_ms) },
  { "server-jitter-ms", G_STRUCT_OFFSET (FlWorkload, jitter_ms) },
  { "server-cost-us", G_STRUCT_OFFSET (FlWorkload, cost_us) },
  { "client-frames", G_STRUCT_OFFSET (FlWorkload, frames) },
  { "client-threads", G_STRUCT_OFFSET (FlWorkload, threads) },
  { "client-processes", G_STRUCT_OFFSET (FlWorkload, processes) },
};

#define SIZE_KEY "server-size"

static guint *
field (FlWorkload *workload, guint i)
{
  return G_STRUCT_MEMBER_P (workload, int_keys[i].offset);
}

void
fl_preset_settings_read (GSettings *settings, FlWorkload *workload)
{
  g_autofree char *size = g_settings_get_string (settings, SIZE_KEY);

  memset (workload, 0, sizeof *workload);
  for (guint i = 0; i < G_N_ELEMENTS (int_keys); i++)
    *field (workload, i) = (guint) MAX (g_settings_get_int (settings, int_keys[i].key), 0);
  if (!fl_image_parse_size (size, &workload->width, &workload->height, NULL))
    workload->width = workload->height = 0;
}

void
fl_preset_settings_apply (GSettings *settings, FlPresetId preset)
{
  FlWorkload workload = fl_preset_get (preset)->workload;
  g_autofree char *size = g_strdup_printf ("%ux%u", workload.width, workload.height);

  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettingsBackend) backend = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GSettings) batch = NULL;

  /* One batch, so the panels see the whole preset, never half of it: on a
   * settings object of its own, as delay-apply mode cannot be left again. */
  g_object_get (settings, "settings-schema", &schema, "backend", &backend, "path", &path, NULL);
  batch = g_settings_new_full (schema, backend, path);
  g_settings_delay (batch);
  for (guint i = 0; i < G_N_ELEMENTS (int_keys); i++)
    g_settings_set_int (batch, int_keys[i].key, (int) *field (&workload, i));
  g_settings_set_string (batch, SIZE_KEY, size);
  g_settings_apply (batch);
}

FlPresetId
fl_preset_settings_find (GSettings *settings)
{
  FlWorkload workload;

  fl_preset_settings_read (settings, &workload);
  return fl_preset_find (&workload);
}

gboolean
fl_preset_settings_has_key (const char *key)
{
  if (key == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (int_keys); i++)
    if (strcmp (key, int_keys[i].key) == 0)
      return TRUE;
  return strcmp (key, SIZE_KEY) == 0;
}
