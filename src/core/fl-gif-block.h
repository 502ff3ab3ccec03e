/* fl-gif-block.h: one frame as a finished GIF image block.
 *
 * A block is a graphic control extension (delay, disposal, transparency), an
 * image descriptor for the rectangle the frame changes, a local colour table
 * unless the global one serves, and the LZW data (fl-gif-lzw.c). A
 * block depends only on the frame, its two neighbours (fl-gif-delta.h) and the
 * fixed sample of frames whose colours make the global table, so any split of
 * the frames between workers gives the same bytes as long as each worker reads
 * those. This is the one code path for the worker program and for the tests.
 * The codec takes memory: callers read the files (fl-file.h) and carry the
 * blocks (the worker's pipe records are in fl-encoder-pipe.h).
 */
#pragma once

#include <glib.h>

#include "fl-gif-delta.h"
#include "fl-gif-palette.h"
#include "fl-image.h"

G_BEGIN_DECLS

/* GIF stores dimensions in 16 bits. */
#define FL_GIF_MAX_DIMENSION 65535u

typedef struct
{
  guint width, height;
  gboolean quantised;
  guint max_error;
} FlGifFrameInfo;

typedef struct _FlGifBlockEncoder FlGifBlockEncoder;

/* Owns giflib's state and scratch buffers reused frame after frame; one per thread. */
FlGifBlockEncoder *fl_gif_block_encoder_new (GError **error);
void               fl_gif_block_encoder_free (FlGifBlockEncoder *encoder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlGifBlockEncoder, fl_gif_block_encoder_free)

/* Where an encoder's time went, in monotonic nanoseconds: decoding PNG files
 * (the worker adds the time it spends reading them), building palettes (the
 * quantiser), the LZW and framing. */
typedef struct
{
  guint64 decode_ns, quantise_ns, compress_ns;
} FlGifPhaseTimes;

/* The time spent in each phase since the last call, then starts again from 0. */
void fl_gif_block_encoder_take_times (FlGifBlockEncoder *encoder, FlGifPhaseTimes *times);

/* Quantised frames spread their error (Floyd-Steinberg); off by default. */
void fl_gif_block_encoder_set_dither (FlGifBlockEncoder *encoder, gboolean dither);

/* A first frame of more than 256 colours is shown exactly, in several image
 * blocks of at most 256 colours each (fl_gif_delta_tiles) drawn one after the
 * other with no delay, the frame's delay on the last; off by default, the
 * frame is then quantised. Decoders count each block as a frame: Pillow and
 * our reader see K - 1 more frames for K tiles, and browsers and the app play
 * each of the first K - 1 for 100 ms (delays under 2 cs are raised, see
 * fl-gif-reader.h). Frames after it are exact when their changes have at most
 * 256 colours, as usual. Set before the global colours are added (such a
 * first frame does not then refuse the global table). */
void fl_gif_block_encoder_set_exact_first (FlGifBlockEncoder *encoder, gboolean exact_first);

/* The global colour table, chosen to serve as many frames whole as it can
 * (fl-gif-global.h) from the first frame and from the pixels that change
 * between sample frames and the frames before them; none when the first
 * frame alone has more than 256 colours (unless exact_first).
 * Call add for the first frame (before NULL), then for each sample with the
 * frame before it, then set, before encoding frames, on every encoder of one
 * animation alike (the worker's samples are spread evenly over the frames). */
gboolean fl_gif_block_encoder_add_global_colours (FlGifBlockEncoder *encoder,
                                                  const FlGifSource *frame,
                                                  const FlGifSource *before);
/* TRUE when more samples could serve more frames (fl-gif-global.h). */
gboolean fl_gif_block_encoder_global_wants_more (FlGifBlockEncoder *encoder);
void     fl_gif_block_encoder_set_global (FlGifBlockEncoder *encoder);
/* The global table (3 << bits bytes into rgb, 768 of room); FALSE when there is none. */
gboolean fl_gif_block_encoder_get_global (FlGifBlockEncoder *encoder, guint8 *rgb, guint *bits);

/* Appends the block of cur, shown after prev (NULL: cur is the first frame)
 * and before next (NULL: nothing follows), to out. On failure out is left as
 * it was. info gives cur's size and whether it was quantised. */
gboolean fl_gif_block_encode_source (FlGifBlockEncoder *encoder, const FlGifSource *prev,
                                     const FlGifSource *cur, const FlGifSource *next,
                                     guint delay_cs, GByteArray *out, FlGifFrameInfo *info,
                                     GError **error);

/* A self-contained block of image (RGB or RGBA): the whole frame at (0,0) with
 * a local table, disposed to the background. */
gboolean fl_gif_block_encode_image (FlGifBlockEncoder *encoder, const FlImage *image,
                                    guint delay_cs, GByteArray *out, FlGifFrameInfo *info,
                                    GError **error);

/* Checks and decodes the PNG in data (length bytes, a file's content),
 * enlarged scale times. path is the name users read in messages:
 * "frames/17.png is not a valid PNG: ...". */
FlGifSource *fl_gif_block_decode_source (FlGifBlockEncoder *encoder, const guint8 *data,
                                         gsize length, const char *path, guint scale,
                                         GError **error);

/* Delays of 1 to 14 ms round to 0 or 1 centisecond, which browsers and the app
 * play at 100 ms (fl-gif-reader.h, FL_GIF_MIN_DELAY_CS): they are stored as 2 cs
 * instead, the nearest delay that plays as written. 0 stays 0 ("no delay"). */
#define FL_GIF_DELAY_RAISED_BELOW_MS 15u
/* Centiseconds for a delay in milliseconds, rounded to nearest, capped at 65535;
 * 1..14 ms give 2 (see above). */
guint fl_gif_delay_cs (guint delay_ms);

G_END_DECLS
