/* fl-png.h: PNG in memory: encode, check and decode.
 *
 * The codec never does I/O: callers hand it bytes and get bytes back, so the
 * server, the downloader, the encoder, the tests and the fuzzers share one path.
 * libpng and its setjmp stay inside the codec's files (fl-png.c writes,
 * fl-png-check.c checks, fl-png-decode.c decodes).
 */
#pragma once

#include <glib.h>

#include "fl-image.h"

G_BEGIN_DECLS

/* Caps applied to untrusted PNG bytes before anything is allocated for them. */
typedef struct
{
  guint max_width;
  guint max_height;
  gsize max_bytes; /* of the encoded file */
} FlPngLimits;

#define FL_PNG_DEFAULT_MAX_DIMENSION 4096u
#define FL_PNG_DEFAULT_MAX_BYTES (64u * 1024u * 1024u)
#define FL_PNG_SIGNATURE_SIZE 8
/* The signature and the whole IHDR chunk: what a header check needs. */
#define FL_PNG_HEADER_SIZE 33

/* 4096x4096 and 64 MiB: room for --size 1024x1024 and any sensible frame. */
void fl_png_limits_init_default (FlPngLimits *limits);

/* Encodes an RGB or RGBA image as a PNG appended to out. Uses no compression and
 * no filtering: frames are random noise, which never compresses, and speed is
 * what the server needs. Thread-safe; the caller owns out. */
gboolean fl_png_encode (const FlImage *image, GByteArray *out, GError **error);

/* A PNG written row by row, the same encoding as fl_png_encode: each call
 * appends the bytes it produces to out (the caller's, which it may empty at any
 * time between calls), so a caller that sends them as they come holds about one
 * row, whatever the image's height. new writes the signature and header; then
 * come exactly height rows of width * channels bytes, n_rows at a time from
 * consecutive memory; then finish writes the end.
 * Not thread-safe per writer; any number of writers may run at once. */
typedef struct _FlPngWriter FlPngWriter;

FlPngWriter *fl_png_writer_new (guint width, guint height, guint channels, GByteArray *out,
                                GError **error);
gboolean     fl_png_writer_write_rows (FlPngWriter *writer, const guint8 *rows, guint n_rows,
                                       GError **error);
gboolean     fl_png_writer_finish (FlPngWriter *writer, GError **error);
void         fl_png_writer_free (FlPngWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlPngWriter, fl_png_writer_free)

/* Check of untrusted bytes: exactly one PNG, signature through IEND, every chunk
 * CRC, a valid IHDR within the limits, nothing after IEND, and image data that
 * inflates without a zlib error to exactly the rows the header promises, each with
 * a known filter type (so a truncated or damaged stream never passes). Inflates
 * into a fixed scratch buffer: memory use does not depend on the input. Does not
 * unfilter or check palette indices (fl_png_decode does). Sets width/height when
 * given. Thread-safe. */
gboolean fl_png_check (const guint8 *data, gsize length, const FlPngLimits *limits,
                       guint *width, guint *height, GError **error);

/* Before the rest of a reply arrives: given at least FL_PNG_HEADER_SIZE bytes,
 * checks the signature and the IHDR (CRC, size within limits) and sets
 * *max_bytes to the most a PNG with that header can take (raw rows, deflate's
 * worst expansion, chunk framing, 256 KiB of side chunks), at most
 * limits->max_bytes; a shorter prefix sets it to 0 and passes. So a buffer for
 * the reply never needs to be larger than what its header promises. */
gboolean fl_png_peek_header (const guint8 *data, gsize length, const FlPngLimits *limits,
                             gsize *max_bytes, GError **error);

/* Reads the dimensions from the IHDR of a PNG without checking the rest. */
gboolean fl_png_peek_size (const guint8 *data, gsize length, guint *width, guint *height);

/* Decodes any valid PNG (palette, grey, alpha, 16-bit, interlaced) to RGBA8.
 * 16-bit samples are scaled to 8 bits; tRNS becomes alpha. The error message
 * starts with "not a valid PNG" or names the limit; callers prefix the file. */
FlImage *fl_png_decode (const guint8 *data, gsize length, const FlPngLimits *limits,
                        GError **error);

/* fl_png_check then fl_png_decode: the same files pass and decode to the same
 * pixels, but 8-bit RGB and RGBA images (not interlaced, no tRNS: what the
 * server and most tools write) are decoded by the check's own inflate, so
 * their image data is inflated once instead of twice. The error is the
 * check's, else the decoder's. For frames from disk; the downloader keeps the
 * check alone, which never holds a decoded image. */
FlImage *fl_png_decode_checked (const guint8 *data, gsize length, const FlPngLimits *limits,
                                GError **error);

G_END_DECLS
