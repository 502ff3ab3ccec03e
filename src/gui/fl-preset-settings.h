/* fl-preset-settings.h: the workload presets (fl-preset.h) over the app's
 * GSettings. The fields of both panels are bound to their keys, so a preset
 * written here shows in the server's and the client's fields at once, and any
 * field changed by hand changes a key: the preset is found again from the
 * keys, "Custom" when they match none. */
#pragma once

#include <gio/gio.h>

#include "fl-preset.h"

G_BEGIN_DECLS

/* The keys' values; an image size that does not parse reads as 0x0 (custom). */
void       fl_preset_settings_read (GSettings *settings, FlWorkload *workload);
/* Writes every key of preset (< FL_N_PRESETS) in one change. */
void       fl_preset_settings_apply (GSettings *settings, FlPresetId preset);
FlPresetId fl_preset_settings_find (GSettings *settings);
/* TRUE for the keys a preset sets: a change to another key leaves it alone. */
gboolean   fl_preset_settings_has_key (const char *key);

G_END_DECLS
