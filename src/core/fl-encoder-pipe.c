/* fl-encoder-pipe.c: writing the worker's records (fl-encoder-pipe.h). */
#include "fl-encoder-pipe.h"

#include "fl-error.h"

#include <string.h>

void
fl_gif_record_append (GByteArray *out, FlGifRecordKind kind, guint32 index, guint32 width,
                      guint32 height, guint32 code, const void *payload, gsize length)
{
  FlGifRecordHeader header = { kind, index, width, height, code, (guint32) length };

  g_return_if_fail (length <= FL_GIF_RECORD_MAX_PAYLOAD);
  g_byte_array_append (out, (const guint8 *) &header, sizeof header);
  if (length > 0)
    g_byte_array_append (out, payload, (guint) length);
}

gboolean
fl_gif_record_append_source (FlGifBlockEncoder *encoder, const FlGifSource *prev,
                             const FlGifSource *cur, const FlGifSource *next, const char *path,
                             guint index, guint delay_cs, GByteArray *out, GError **error)
{
  const guint start = out->len;
  FlGifRecordHeader header = { FL_GIF_RECORD_FRAME, index, 0, 0, 0, 0 };
  g_autoptr (GError) local_error = NULL;
  FlGifFrameInfo info;

  g_byte_array_set_size (out, start + sizeof header);
  if (!fl_gif_block_encode_source (encoder, prev, cur, next, delay_cs, out, &info, &local_error))
    {
      g_byte_array_set_size (out, start);
      g_set_error (error, FL_ERROR, local_error->code, "Could not encode %s: %s", path,
                   local_error->message);
      return FALSE;
    }
  header.width = info.width;
  header.height = info.height;
  header.code = info.quantised ? 1 : 0;
  header.length = out->len - start - (guint32) sizeof header;
  memcpy (out->data + start, &header, sizeof header);
  return TRUE;
}
