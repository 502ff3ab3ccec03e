/* fl-preset.h: the lab's workloads in one click.
 *
 * On loopback the C server and encoder are so fast that threads and processes
 * have nothing to hide; a preset sets the embedded server's knobs and the
 * client's fields to a workload that shows the lesson (or back to the fast
 * defaults). The values live in this one table so that the app's fields, its
 * "Custom" and the tests agree. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every field a preset sets: the server's and the client's. */
typedef struct
{
  guint latency_ms, jitter_ms, cost_us;  /* the server's workload (FlServerConfig) */
  guint width, height;                   /* the server's images */
  guint frames, threads, processes;      /* the client's run */
} FlWorkload;

typedef enum
{
  FL_PRESET_LAB,           /* the defaults: the fast path */
  FL_PRESET_SLOW_NETWORK,  /* 20 ms before each image: threads hide the waiting */
  FL_PRESET_HEAVY_FRAMES,  /* 256x256 noise, quantised: processes share real work */
  FL_N_PRESETS,
  FL_PRESET_CUSTOM = -1,   /* the fields match no preset */
} FlPresetId;

typedef struct
{
  const char *id;           /* "lab", "slow-network", "heavy-frames" */
  const char *name;         /* untranslated; fl_preset_get_name translates */
  const char *description;  /* untranslated; what it shows, for a tooltip */
  FlWorkload workload;
} FlPreset;

/* preset < FL_N_PRESETS. */
const FlPreset *fl_preset_get (FlPresetId preset);
/* Translated: "Lab defaults (fast)", ...; "Custom" for FL_PRESET_CUSTOM. */
const char     *fl_preset_get_name (FlPresetId preset);
const char     *fl_preset_get_description (FlPresetId preset);
/* The preset whose values are exactly workload's, or FL_PRESET_CUSTOM. */
FlPresetId      fl_preset_find (const FlWorkload *workload);

G_END_DECLS
