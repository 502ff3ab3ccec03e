/* fuzz-server-response.c: what the downloader does with a server's reply.
 *
 * The reply is arbitrary bytes from the network; fl_png_check is the only thing
 * that reads them before they are written as a frame. It runs here with small
 * limits, so that the size and dimension caps are crossed often, and with the
 * downloader's own limits, and the two verdicts must agree with each other.
 */
#include "fuzz-target.h"

#include "fl-error.h"
#include "fl-png.h"

#define SMALL_MAX_DIMENSION 64u
#define SMALL_MAX_BYTES (16u * 1024u)

static gboolean
check (const guint8 *data, gsize length, const FlPngLimits *limits, guint *width, guint *height)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = fl_png_check (data, length, limits, width, height, &error);

  if (!ok)
    {
      FUZZ_ASSERT (error != NULL && error->domain == FL_ERROR);
      FUZZ_ASSERT (error->code == FL_ERROR_INVALID_PNG || error->code == FL_ERROR_TOO_LARGE);
      /* The downloader puts "The reply from ADDRESS is " in front of it. */
      FUZZ_ASSERT (g_str_has_prefix (error->message, "not a valid PNG"));
      if (length > limits->max_bytes)
        FUZZ_ASSERT (error->code == FL_ERROR_TOO_LARGE);
      return FALSE;
    }
  FUZZ_ASSERT (error == NULL);
  FUZZ_ASSERT (length <= limits->max_bytes);
  FUZZ_ASSERT (*width > 0 && *width <= limits->max_width);
  FUZZ_ASSERT (*height > 0 && *height <= limits->max_height);
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  FlPngLimits small, downloader;
  guint small_w = 0, small_h = 0, w = 0, h = 0, peek_w = 0, peek_h = 0;
  gboolean small_ok, ok;

  small.max_width = SMALL_MAX_DIMENSION;
  small.max_height = SMALL_MAX_DIMENSION;
  small.max_bytes = SMALL_MAX_BYTES;
  small_ok = check (data, size, &small, &small_w, &small_h);

  /* The downloader's: the default dimensions and a 64 MiB reply. */
  fl_png_limits_init_default (&downloader);
  ok = check (data, size, &downloader, &w, &h);

  /* Looser limits never refuse what tighter ones accept. */
  if (small_ok)
    FUZZ_ASSERT (ok && w == small_w && h == small_h);
  /* An accepted reply's dimensions are the ones its IHDR announces. */
  if (ok)
    {
      FUZZ_ASSERT (fl_png_peek_size (data, size, &peek_w, &peek_h));
      FUZZ_ASSERT (peek_w == w && peek_h == h);
    }
  return 0;
}
