/* fl-encoder-pipe.h: the records a GIF worker sends the encoder on its pipe.
 *
 * Blocks (fl-gif-block.h) travel from a worker (src/worker) to the encoder
 * (fl-encoder.c) as records: a FlGifRecordHeader (host byte order, both ends
 * are the same machine) then length payload bytes: the block, the global
 * table, the chunk's times, or for an error the message.
 */
#pragma once

#include <glib.h>

#include "fl-gif-block.h"

G_BEGIN_DECLS

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
