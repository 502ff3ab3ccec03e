/* fl-image.h: 8-bit RGB/RGBA images in memory and the fast random generator.
 *
 * Pixels are tightly packed rows (stride == width * channels). Dimensions are
 * capped so that no caller can be made to allocate an absurd buffer.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FL_IMAGE_MAX_DIMENSION 16384u
/* 64 Mpx * 4 bytes = 256 MiB, the most any image may take. */
#define FL_IMAGE_MAX_PIXELS (64u * 1024u * 1024u)

typedef struct
{
  guint width;
  guint height;
  guint channels; /* 3 (RGB) or 4 (RGBA) */
  guint8 *pixels; /* width * height * channels bytes, owned */
} FlImage;

/* Checks width x height against the caps; fills error with a sentence when not. */
gboolean fl_image_check_size (guint width, guint height, GError **error);

/* Parses "WxH" (e.g. "10x10") into checked dimensions. */
gboolean fl_image_parse_size (const char *text, guint *width, guint *height, GError **error);

/* A zeroed image; NULL with error when the size is not allowed. */
FlImage *fl_image_new (guint width, guint height, guint channels, GError **error);
void     fl_image_free (FlImage *image);
gsize    fl_image_byte_size (const FlImage *image);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlImage, fl_image_free)

/* xoshiro256**: fast, good enough for random pixels, never shared between
 * threads (each thread owns one). Seeded from the OS (getrandom). */
typedef struct
{
  guint64 s[4];
} FlRng;

void    fl_rng_init (FlRng *rng);
void    fl_rng_init_seeded (FlRng *rng, guint64 seed); /* reproducible, for tests */
guint64 fl_rng_next (FlRng *rng);
void    fl_rng_fill (FlRng *rng, guint8 *buffer, gsize length);

/* Steps rng until the calling thread has used cpu_us microseconds of CPU time:
 * the cost of a slow image generator as real work rather than a sleep, so that
 * it competes for the cores as such work does. Returns early once *stop (when
 * stop is not NULL) is non-zero. */
void    fl_rng_spend_cpu (FlRng *rng, guint64 cpu_us, const gint *stop);

/* Fills every channel of every pixel with uniformly random bytes. */
void fl_image_randomize (FlImage *image, FlRng *rng);

/* A 32-bit hash (FNV-1a) of an image's R, G, B bytes, row after row, fed in
 * pieces: the server hashes its rows as it draws them, the lab's checker a
 * frame decoded from a file, and the two meet. Not for security. */
#define FL_IMAGE_HASH_INIT 2166136261u
guint32 fl_image_hash_update (guint32 hash, const guint8 *data, gsize length);
/* The same of a whole RGB or RGBA image (alpha left out). */
guint32 fl_image_hash (const FlImage *image);

G_END_DECLS
