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

/* Small animations of the kinds the encoder optimises, all seeded, for golden
 * hashes and round trips: frame i of kind written to DIR/<i>.png. */
typedef enum
{
  FL_TEST_CARTOON,   /* 64x48, 16 flat colours, shapes moving on a backdrop */
  FL_TEST_SCREEN,    /* 80x40, glyphs typed in two inks, a blinking cursor */
  FL_TEST_SCREEN_AA, /* the same, every glyph edge in four blended shades */
  FL_TEST_PHOTO,     /* 48x32, a pan over a smooth field: quantised */
  FL_TEST_NOISE,     /* 24x16 uniform noise: quantised */
  FL_TEST_SPRITE,    /* 40x30 RGBA: a sprite moving over transparency */
  FL_TEST_N_KINDS,
} FlTestKind;

const char *fl_test_kind_name (FlTestKind kind);
gboolean    fl_test_make_animation (const char *dir, FlTestKind kind, guint n, guint64 seed,
                                    GError **error);

G_END_DECLS
