/* fl-test-giflib.h: well-formed GIFs written with giflib into memory, for the
 * reader's tests (header-only, static helpers; the includer links giflib).
 * Hostile GIFs, which giflib refuses to write, come from fl-test-gif.h. */
#pragma once

#include <gif_lib.h>
#include <glib.h>

/* The tests' palette: entry c is (c, 255 - c, 7c), as hg_table's. */
static inline void
fl_test_giflib_colors (GifColorType colors[256])
{
  for (guint c = 0; c < 256; c++)
    colors[c] = (GifColorType) { (GifByteType) c, (GifByteType) (255 - c), (GifByteType) (c * 7) };
}

static inline int
fl_test_giflib_append (GifFileType *file, const GifByteType *data, int length)
{
  g_byte_array_append (file->UserData, data, (guint) length);
  return length;
}

/* A GIF89a encoder appending to bytes: a w x h screen with colour table
 * global, played loops times (0: forever). End it with fl_test_giflib_close. */
static inline GifFileType *
fl_test_giflib_open (GByteArray *bytes, guint w, guint h, const ColorMapObject *global,
                     guint16 loops)
{
  int err = 0;
  GifFileType *file = EGifOpen (bytes, fl_test_giflib_append, &err);
  const GifByteType loop[] = { 1, loops & 0xff, loops >> 8 };

  g_assert_nonnull (file);
  EGifSetGifVersion (file, true);
  g_assert_cmpint (EGifPutScreenDesc (file, (int) w, (int) h, 8, 0, global), ==, GIF_OK);
  EGifPutExtensionLeader (file, APPLICATION_EXT_FUNC_CODE);
  EGifPutExtensionBlock (file, 11, "NETSCAPE2.0");
  EGifPutExtensionBlock (file, 3, loop);
  EGifPutExtensionTrailer (file);
  return file;
}

/* Closes file (it must succeed) and returns what it wrote to bytes. */
static inline GBytes *
fl_test_giflib_close (GifFileType *file, GByteArray *bytes)
{
  int err = 0;

  g_assert_cmpint (EGifCloseFile (file, &err), ==, GIF_OK);
  return g_byte_array_free_to_bytes (bytes);
}
