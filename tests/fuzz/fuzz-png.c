/* fuzz-png.c: the PNG frame check and decode that the client and the encoder use.
 *
 * fl_png_check runs on the bytes as they are; when it passes, fl_png_decode runs
 * with the default limits. Random mutations almost never keep a chunk's CRC
 * right, so the check would stop nearly every input before the decoder: the
 * same two steps run again on a copy whose chunk CRCs are recomputed, which lets
 * the fuzzer reach libpng and our pixel conversion.
 */
#include "fuzz-target.h"

#include "fl-error.h"
#include "fl-png.h"

#include <string.h>
#include <zlib.h>

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Rewrites the CRC of every complete chunk; returns FALSE when nothing changed. */
static gboolean
fix_crcs (guint8 *data, gsize length)
{
  gsize offset = FL_PNG_SIGNATURE_SIZE;
  gboolean changed = FALSE;

  while (length >= offset && length - offset >= 12)
    {
      guint32 chunk_length = read_be32 (data + offset);
      guint32 crc;

      if (chunk_length > length - offset - 12)
        break;
      crc = (guint32) crc32 (0, data + offset + 4, chunk_length + 4);
      if (read_be32 (data + offset + 8 + chunk_length) != crc)
        {
          guint8 *p = data + offset + 8 + chunk_length;

          p[0] = crc >> 24;
          p[1] = crc >> 16;
          p[2] = crc >> 8;
          p[3] = crc;
          changed = TRUE;
        }
      offset += (gsize) chunk_length + 12;
    }
  return changed;
}

/* The encoder's one-inflate path accepts exactly what check + decode accept,
 * with the same pixels. */
static void
decode_checked_agrees (const guint8 *data, gsize length, const FlPngLimits *limits,
                       const FlImage *reference)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlImage) image = fl_png_decode_checked (data, length, limits, &error);

  FUZZ_ASSERT ((image == NULL) == (reference == NULL));
  if (image == NULL)
    {
      FUZZ_ASSERT (error != NULL && error->domain == FL_ERROR);
      return;
    }
  FUZZ_ASSERT (image->width == reference->width && image->height == reference->height);
  FUZZ_ASSERT (memcmp (image->pixels, reference->pixels, fl_image_byte_size (image)) == 0);
}

static void
check_then_decode (const guint8 *data, gsize length)
{
  FlPngLimits limits;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlImage) image = NULL;
  guint width = 0, height = 0;

  fl_png_limits_init_default (&limits);
  if (!fl_png_check (data, length, &limits, &width, &height, &error))
    {
      FUZZ_ASSERT (error != NULL && error->domain == FL_ERROR);
      FUZZ_ASSERT (g_str_has_prefix (error->message, "not a valid PNG"));
      decode_checked_agrees (data, length, &limits, NULL);
      return;
    }
  FUZZ_ASSERT (error == NULL);
  FUZZ_ASSERT (width > 0 && width <= limits.max_width);
  FUZZ_ASSERT (height > 0 && height <= limits.max_height);

  image = fl_png_decode (data, length, &limits, &error);
  decode_checked_agrees (data, length, &limits, image);
  if (image == NULL)
    {
      /* The check does not inflate: bad zlib data or a bad palette index fail here. */
      FUZZ_ASSERT (error != NULL && error->domain == FL_ERROR);
      FUZZ_ASSERT (g_str_has_prefix (error->message, "not a valid PNG"));
      return;
    }
  FUZZ_ASSERT (error == NULL);
  FUZZ_ASSERT (image->width == width && image->height == height);
  FUZZ_ASSERT (image->channels == 4 && image->pixels != NULL);
  /* Touch the last byte so that ASan sees a short pixel buffer. */
  FUZZ_ASSERT (image->pixels[fl_image_byte_size (image) - 1] <= 255);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree guint8 *copy = NULL;

  check_then_decode (data, size);
  if (size > 0)
    {
      copy = g_memdup2 (data, size);
      if (fix_crcs (copy, size))
        check_then_decode (copy, size);
    }
  return 0;
}
