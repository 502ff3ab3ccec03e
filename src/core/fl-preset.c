/* fl-preset.c: the presets' table. */
#include "fl-preset.h"

#include "fl-config.h"
#include "fl-downloader.h"
#include "fl-encoder.h"

#include <string.h>

#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)
#define N_(text) text

/* Slow network: 20 ms is a reply across a city; 500 frames take 10 s with one
 * thread, so a sweep stays short, and 16 threads should come near 16x.
 * Heavy frames: 256x256 random pixels have far more than 256 colours, so every
 * frame is quantised, real work that processes share. 1000 frames take about
 * 2 s with one process: shorter runs (200 frames, 0.4 s) are dominated by the
 * workers' start and the machine's noise, and show no clear difference. Both
 * keep the lab's client defaults elsewhere. */
static const FlPreset presets[FL_N_PRESETS] = {
  [FL_PRESET_LAB] = {
    "lab", N_("Lab defaults (fast)"),
    N_("The C server on loopback: every image arrives at once, so there is little for "
       "threads or processes to hide"),
    { 0, 0, 0, 10, 10, FL_DOWNLOAD_DEFAULT_FRAMES, FL_DOWNLOAD_DEFAULT_THREADS,
      FL_ENCODE_DEFAULT_PROCESSES } },
  [FL_PRESET_SLOW_NETWORK] = {
    "slow-network", N_("Slow network (20 ms per image)"),
    N_("The server waits 20 ms before each image, like one across a network: threads "
       "hide the waiting"),
    { 20, 0, 0, 10, 10, 500, 16, FL_ENCODE_DEFAULT_PROCESSES } },
  [FL_PRESET_HEAVY_FRAMES] = {
    "heavy-frames", N_("Heavy frames (256x256)"),
    N_("Large noisy frames with more than 256 colours: each is quantised, real work "
       "that GIF processes share"),
    { 0, 0, 0, 256, 256, 1000, FL_DOWNLOAD_DEFAULT_THREADS, FL_ENCODE_DEFAULT_PROCESSES } },
};

const FlPreset *
fl_preset_get (FlPresetId preset)
{
  g_return_val_if_fail (preset >= 0 && preset < FL_N_PRESETS, NULL);
  return &presets[preset];
}

const char *
fl_preset_get_name (FlPresetId preset)
{
  if (preset < 0 || preset >= FL_N_PRESETS)
    /* TRANSLATORS: the workload preset when the fields match none of them */
    return _("Custom");
  return _(presets[preset].name);
}

const char *
fl_preset_get_description (FlPresetId preset)
{
  if (preset < 0 || preset >= FL_N_PRESETS)
    return _("Your own values: change any field");
  return _(presets[preset].description);
}

FlPresetId
fl_preset_find (const FlWorkload *workload)
{
  for (int i = 0; i < FL_N_PRESETS; i++)
    if (memcmp (&presets[i].workload, workload, sizeof *workload) == 0)
      return (FlPresetId) i;
  return FL_PRESET_CUSTOM;
}
