/* fl-image.c: image buffers and the per-thread random generator. */
#include "fl-image.h"

#include "fl-error.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

gboolean
fl_image_check_size (guint width, guint height, GError **error)
{
  if (width == 0 || height == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                   "Image size %ux%u is not allowed: width and height must be at least 1",
                   width, height);
      return FALSE;
    }
  if (width > FL_IMAGE_MAX_DIMENSION || height > FL_IMAGE_MAX_DIMENSION
      || (guint64) width * height > FL_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "Image size %ux%u is too large: the limit is %u pixels a side and %u pixels in all",
                   width, height, FL_IMAGE_MAX_DIMENSION, FL_IMAGE_MAX_PIXELS);
      return FALSE;
    }
  return TRUE;
}

gboolean
fl_image_parse_size (const char *text, guint *width, guint *height, GError **error)
{
  guint64 w, h;
  char *end;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    goto bad;
  w = g_ascii_strtoull (text, &end, 10);
  if (*end != 'x' && *end != 'X')
    goto bad;
  if (!g_ascii_isdigit (end[1]))
    goto bad;
  h = g_ascii_strtoull (end + 1, &end, 10);
  if (*end != '\0')
    goto bad;
  if (w > G_MAXUINT || h > G_MAXUINT)
    w = h = G_MAXUINT;
  if (!fl_image_check_size ((guint) w, (guint) h, error))
    return FALSE;
  *width = (guint) w;
  *height = (guint) h;
  return TRUE;

bad:
  g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
               "Image size \"%s\" is not valid: expected WIDTHxHEIGHT, for example 10x10",
               text ? text : "");
  return FALSE;
}

FlImage *
fl_image_new (guint width, guint height, guint channels, GError **error)
{
  FlImage *image;

  g_return_val_if_fail (channels == 3 || channels == 4, NULL);
  if (!fl_image_check_size (width, height, error))
    return NULL;
  image = g_new0 (FlImage, 1);
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->pixels = g_try_malloc0 ((gsize) width * height * channels);
  if (image->pixels == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED,
                   "Could not allocate a %ux%u image: out of memory", width, height);
      g_free (image);
      return NULL;
    }
  return image;
}

void
fl_image_free (FlImage *image)
{
  if (image == NULL)
    return;
  g_free (image->pixels);
  g_free (image);
}

gsize
fl_image_byte_size (const FlImage *image)
{
  return (gsize) image->width * image->height * image->channels;
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void
fl_rng_init_seeded (FlRng *rng, guint64 seed)
{
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&seed);
}

void
fl_rng_init (FlRng *rng)
{
  guint64 seed[4] = { 0 };
  gsize got = 0;

  while (got < sizeof seed)
    {
      ssize_t n = getrandom ((guint8 *) seed + got, sizeof seed - got, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (gsize) n;
    }
  if (got < sizeof seed)
    {
      /* getrandom cannot fail on Linux >= 3.17 with a buffer this small; never
       * fall back to a constant seed all the same. */
      guint64 mix = (guint64) g_get_real_time () ^ ((guint64) (guintptr) rng << 17);
      fl_rng_init_seeded (rng, mix);
      return;
    }
  for (int i = 0; i < 4; i++)
    rng->s[i] = seed[i];
  if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
    rng->s[0] = 1; /* the only state xoshiro cannot leave */
}

guint64
fl_rng_next (FlRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

void
fl_rng_fill (FlRng *rng, guint8 *buffer, gsize length)
{
  while (length >= 8)
    {
      guint64 v = fl_rng_next (rng);
      memcpy (buffer, &v, 8);
      buffer += 8;
      length -= 8;
    }
  if (length > 0)
    {
      guint64 v = fl_rng_next (rng);
      memcpy (buffer, &v, length);
    }
}

void
fl_image_randomize (FlImage *image, FlRng *rng)
{
  fl_rng_fill (rng, image->pixels, fl_image_byte_size (image));
}

static gint64
thread_cpu_us (void)
{
  struct timespec now;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now) != 0)
    return g_get_monotonic_time (); /* not on Linux; wall time is the next best */
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

void
fl_rng_spend_cpu (FlRng *rng, guint64 cpu_us, const gint *stop)
{
  gint64 until;

  if (cpu_us == 0)
    return;
  until = thread_cpu_us () + (gint64) MIN (cpu_us, (guint64) G_MAXINT32);
  /* The generator's own steps are the work: its state lives in memory and the
   * pixels drawn next depend on it, so none of it can be optimised away. The
   * clock is read every 1024 steps, a microsecond or two of work. */
  do
    for (guint i = 0; i < 1024; i++)
      fl_rng_next (rng);
  while (thread_cpu_us () < until && (stop == NULL || !g_atomic_int_get (stop)));
}

guint32
fl_image_hash_update (guint32 hash, const guint8 *data, gsize length)
{
  for (gsize i = 0; i < length; i++)
    hash = (hash ^ data[i]) * 16777619u;
  return hash;
}

guint32
fl_image_hash (const FlImage *image)
{
  gsize n_pixels = (gsize) image->width * image->height;
  guint32 hash = FL_IMAGE_HASH_INIT;

  if (image->channels == 3)
    return fl_image_hash_update (hash, image->pixels, n_pixels * 3);
  for (gsize i = 0; i < n_pixels; i++)
    hash = fl_image_hash_update (hash, image->pixels + i * image->channels, 3);
  return hash;
}
