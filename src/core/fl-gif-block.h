/* fl-gif-block.h: one frame as a finished GIF image block.
 *
 * A block is a graphic control extension (delay, disposal, transparency), an
 * image descriptor for the rectangle the frame changes, a local colour table
 * unless the global one serves, and the LZW data (fl-gif-lzw.c). A
 * block depends only on the frame, its two neighbours (fl-gif-delta.h) and the
 * fixed sample of frames whose colours make the global table, so any split of
 * the frames between workers gives the same bytes as long as each worker reads
 * those. This is the one code path for the worker program and for the tests.
 *
 * Blocks travel from a worker to the encoder as records on a pipe: a
 * FlGifRecordHeader (host byte order, both ends are the same machine) then
 * length payload bytes: the block, or for an error the message.
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

/* Where an encoder's time went, in monotonic nanoseconds: reading and decoding
 * PNG files, building palettes (the quantiser), giflib's LZW and framing. */
typedef struct
{
  guint64 decode_ns, quantise_ns, compress_ns;
} FlGifPhaseTimes;

/* The time spent in each phase since the last call, then starts again from 0. */
void fl_gif_block_encoder_take_times (FlGifBlockEncoder *encoder, FlGifPhaseTimes *times);

/* Quantised frames spread their error (Floyd-Steinberg); off by default. */
void fl_gif_block_encoder_set_dither (FlGifBlockEncoder *encoder, gboolean dither);

/* The global colour table: of the colours of the first frame and of the
 * pixels that change between sample frames and the frames before them, the
 * 256 on the most changed pixels (ties in order of appearance), the most
 * changed first; none when the first frame alone has more than 256 colours.
 * Call add for the first frame (before NULL), then for each sample with the
 * frame before it, then set, before encoding frames, on every encoder of one
 * animation alike (the worker's samples are spread evenly over the frames). */
gboolean fl_gif_block_encoder_add_global_colours (FlGifBlockEncoder *encoder,
                                                  const FlGifSource *frame,
                                                  const FlGifSource *before);
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

/* Reads, checks and decodes the PNG name inside the folder open as dirfd (or
 * AT_FDCWD), enlarged scale times. path is the name users read in messages:
 * "Could not read frames/17.png: ..." or "frames/17.png is not a valid PNG: ...". */
FlGifSource *fl_gif_block_read_source (FlGifBlockEncoder *encoder, int dirfd, const char *name,
                                       const char *path, guint scale, GError **error);

/* Delays of 1 to 14 ms round to 0 or 1 centisecond, which browsers and the app
 * play at 100 ms (fl-gif-reader.h, FL_GIF_MIN_DELAY_CS): they are stored as 2 cs
 * instead, the nearest delay that plays as written. 0 stays 0 ("no delay"). */
#define FL_GIF_DELAY_RAISED_BELOW_MS 15u
/* Centiseconds for a delay in milliseconds, rounded to nearest, capped at 65535;
 * 1..14 ms give 2 (see above). */
guint fl_gif_delay_cs (guint delay_ms);

/* Worker-to-encoder records. */
typedef enum
{
  FL_GIF_RECORD_FRAME = 1, /* payload: the block */
  FL_GIF_RECORD_ERROR = 2, /* payload: one sentence; code: an FlErrorCode */
  FL_GIF_RECORD_DONE = 3,  /* index: frames sent; payload: FlGifChunkTimes, or none */
  FL_GIF_RECORD_GLOBAL = 4, /* before the first frame's: the global table; code: its bits */
} FlGifRecordKind;

typedef struct
{
  guint32 kind;
  guint32 index;  /* frame index */
  guint32 width;
  guint32 height;
  guint32 code;   /* FRAME: 1 when quantised; ERROR: the FlErrorCode */
  guint32 length; /* payload bytes that follow */
} FlGifRecordHeader;

/* A DONE record's payload: when the worker started and finished the range
 * (g_get_monotonic_time(), the parent's clock too) and its phases. */
typedef struct
{
  gint64 start_us, end_us;
  FlGifPhaseTimes phases;
} FlGifChunkTimes;

/* Caps a record's payload so that a broken worker cannot make the parent allocate
 * without bound: a 4096x4096 frame's block is well under this. */
#define FL_GIF_RECORD_MAX_PAYLOAD (256u * 1024u * 1024u)

/* Appends a record header and its payload to out. */
void fl_gif_record_append (GByteArray *out, FlGifRecordKind kind, guint32 index, guint32 width,
                           guint32 height, guint32 code, const void *payload, gsize length);

/* Appends a frame record for frame index (cur, between prev and next): the
 * header then the block itself, encoded in place, without copying. Errors
 * name path. */
gboolean fl_gif_record_append_source (FlGifBlockEncoder *encoder, const FlGifSource *prev,
                                      const FlGifSource *cur, const FlGifSource *next,
                                      const char *path, guint index, guint delay_cs,
                                      GByteArray *out, GError **error);

G_END_DECLS
