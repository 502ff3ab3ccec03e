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

G_END_DECLS
