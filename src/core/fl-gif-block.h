/* fl-gif-block.h: one frame as a finished, self-contained GIF image block.
 *
 * A block is a graphic control extension (delay, disposal "restore to
 * background", transparency), an image descriptor at (0,0) with a local colour
 * table, and the LZW data, as giflib writes them. Blocks do not depend on one
 * another, so any split of the frames between workers gives the same bytes.
 * This is the one code path for the worker program and for the tests.
 *
 * Blocks travel from a worker to the encoder as records on a pipe: a
 * FlGifRecordHeader (host byte order, both ends are the same machine) then
 * length payload bytes: the block, or for an error the message.
 */
#pragma once

#include <glib.h>

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

/* Appends the block of image (RGB or RGBA) to out. On failure out is left as it was. */
gboolean fl_gif_block_encode_image (FlGifBlockEncoder *encoder, const FlImage *image,
                                    guint delay_cs, GByteArray *out, FlGifFrameInfo *info,
                                    GError **error);

/* Reads, checks and decodes the PNG at path, then appends its block to out. Errors
 * name the file: "Could not read frames/17.png: ..." or "frames/17.png is not a
 * valid PNG: ...". */
gboolean fl_gif_block_encode_file (FlGifBlockEncoder *encoder, const char *path, guint delay_cs,
                                   GByteArray *out, FlGifFrameInfo *info, GError **error);

/* The same for name inside the folder open as dirfd (or AT_FDCWD); path is the
 * name users read in messages. Saves the path walk for every frame. */
gboolean fl_gif_block_encode_file_at (FlGifBlockEncoder *encoder, int dirfd, const char *name,
                                      const char *path, guint delay_cs, GByteArray *out,
                                      FlGifFrameInfo *info, GError **error);

/* Centiseconds for a delay in milliseconds, rounded to nearest, capped at 65535. */
guint fl_gif_delay_cs (guint delay_ms);

/* Worker-to-encoder records. */
typedef enum
{
  FL_GIF_RECORD_FRAME = 1, /* payload: the block */
  FL_GIF_RECORD_ERROR = 2, /* payload: one sentence; code: an FlErrorCode */
  FL_GIF_RECORD_DONE = 3,  /* index: frames sent; payload: FlGifChunkTimes, or none */
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

/* Appends a frame record for image index: the header then the block itself,
 * encoded in place, without copying. */
gboolean fl_gif_record_append_frame (FlGifBlockEncoder *encoder, int dirfd, const char *name,
                                     const char *path, guint index, guint delay_cs,
                                     GByteArray *out, GError **error);

G_END_DECLS
