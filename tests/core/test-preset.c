/* test-preset.c: the workload presets' one table. */
#include "fl-downloader.h"
#include "fl-encoder.h"
#include "fl-preset.h"

/* The presets' table: each preset is found from its own values, any change
 * is custom, the lab's defaults are the programs' defaults, and the two
 * lessons have something to hide. */
static void
test_presets (void)
{
  const FlWorkload *lab = &fl_preset_get (FL_PRESET_LAB)->workload;
  const FlWorkload *slow = &fl_preset_get (FL_PRESET_SLOW_NETWORK)->workload;
  const FlWorkload *heavy = &fl_preset_get (FL_PRESET_HEAVY_FRAMES)->workload;

  for (int i = 0; i < FL_N_PRESETS; i++)
    {
      FlWorkload w = fl_preset_get (i)->workload;

      g_assert_cmpint (fl_preset_find (&w), ==, i);
      w.threads++;
      g_assert_cmpint (fl_preset_find (&w), ==, FL_PRESET_CUSTOM);
      w.threads--;
      w.latency_ms += 1;
      g_assert_cmpint (fl_preset_find (&w), ==, FL_PRESET_CUSTOM);
      g_assert_nonnull (fl_preset_get_name (i));
      g_assert_cmpstr (fl_preset_get_name (i), !=, fl_preset_get_name (FL_PRESET_CUSTOM));
      g_assert_nonnull (fl_preset_get_description (i));
    }
  g_assert_cmpuint (lab->latency_ms + lab->jitter_ms + lab->cost_us, ==, 0);
  g_assert_cmpuint (lab->frames, ==, FL_DOWNLOAD_DEFAULT_FRAMES);
  g_assert_cmpuint (lab->threads, ==, FL_DOWNLOAD_DEFAULT_THREADS);
  g_assert_cmpuint (lab->processes, ==, FL_ENCODE_DEFAULT_PROCESSES);
  g_assert_cmpuint (lab->width, ==, 10);
  g_assert_cmpuint (slow->latency_ms, ==, 20);
  g_assert_cmpuint (slow->threads, >, 1);
  g_assert_cmpuint (heavy->width, ==, 256);
  g_assert_cmpuint (heavy->height, ==, 256);
  g_assert_cmpuint (heavy->processes, >, 1);
  g_assert_cmpstr (fl_preset_get_name (FL_PRESET_SLOW_NETWORK), ==,
                   "Slow network (20 ms per image)");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preset/table", test_presets);
  return g_test_run ();
}
