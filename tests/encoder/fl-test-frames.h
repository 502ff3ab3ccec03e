/* fl-test-frames.h: reproducible random PNG frames for the encoder tests and benches. */
#pragma once

#include <glib.h>

#include "fl-image.h"

G_BEGIN_DECLS

/* A width x height image with channels 3 or 4. With n_colors == 0 every channel
 * is uniformly random; otherwise pixels are drawn from n_colors random colours.
 * With 4 channels about a quarter of the pixels get alpha 0, the rest 255. */
FlImage *fl_test_make_image (FlRng *rng, guint width, guint height, guint channels,
                             guint n_colors);

/* Writes DIR/<first+i>.png for i < n, all from one generator seeded with seed. */
gboolean fl_test_make_frames (const char *dir, guint first, guint n, guint width, guint height,
                              guint channels, guint n_colors, guint64 seed, GError **error);

/* Composes every frame of the GIF at gif_path with the project's reader and
 * asserts that frame i shows paths[i] at the top left, transparent beyond it:
 * alpha < 128 transparent, every other channel within max_error (0: exact). */
void fl_test_check_gif_frames (const char *gif_path, const char *const *paths, guint n,
                               guint max_error);

G_END_DECLS
