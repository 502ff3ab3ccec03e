/* fl-gif-writer.c: GIF89a framing around image blocks, through an FlAtomicFile. */
#include "fl-gif-writer.h"

#include "fl-error.h"
#include "fl-file.h"

#include <string.h>

#define BUFFER_SIZE (256u * 1024u)
#define SCREEN_OFFSET 6 /* after "GIF89a" */

struct _FlGifWriter
{
  FlAtomicFile *file;
  guint8 *buffer;
  gsize used;
  guint width, height;
  guint64 frames;
  guint loop;
  gboolean started;   /* the header is out */
  guint global_bits;  /* 0: no global colour table */
  guint8 global[768];
};

static gboolean
flush (FlGifWriter *writer)
{
  gboolean ok = fl_atomic_file_write (writer->file, writer->buffer, writer->used);

  writer->used = 0;
  return ok;
}

static gboolean
put (FlGifWriter *writer, const guint8 *data, gsize length)
{
  if (writer->used + length > BUFFER_SIZE && writer->used > 0 && !flush (writer))
    return FALSE;
  if (length >= BUFFER_SIZE)
    return fl_atomic_file_write (writer->file, data, length);
  memcpy (writer->buffer + writer->used, data, length);
  writer->used += length;
  return TRUE;
}

static void
put_screen (guint8 *p, guint width, guint height, guint global_bits)
{
  p[0] = width & 0xff;
  p[1] = width >> 8;
  p[2] = height & 0xff;
  p[3] = height >> 8;
  /* 8-bit colour resolution, and the global table's size when there is one. */
  p[4] = global_bits > 0 ? 0xf0 | (global_bits - 1) : 0x70;
  p[5] = 0;    /* background index */
  p[6] = 0;    /* no aspect ratio */
}

/* Header, screen (patched at commit), global table, loop extension. */
static void
start (FlGifWriter *writer)
{
  static const guint8 netscape[] = { 0x21, 0xff, 0x0b, 'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E',
                                     '2', '.', '0', 0x03, 0x01 };
  const guint loop = MIN (writer->loop, 65535u);
  guint8 header[13] = { 'G', 'I', 'F', '8', '9', 'a' };
  guint8 loop_bytes[3] = { loop & 0xff, loop >> 8, 0 };

  if (writer->started)
    return;
  writer->started = TRUE;
  put_screen (header + SCREEN_OFFSET, 0, 0, writer->global_bits);
  put (writer, header, sizeof header);
  if (writer->global_bits > 0)
    put (writer, writer->global, (gsize) 3 << writer->global_bits);
  put (writer, netscape, sizeof netscape);
  put (writer, loop_bytes, sizeof loop_bytes);
}

FlGifWriter *
fl_gif_writer_new (const char *path, guint loop, GError **error)
{
  FlAtomicFile *file = fl_atomic_file_new (path, error);
  FlGifWriter *writer;

  if (file == NULL)
    return NULL;
  writer = g_new0 (FlGifWriter, 1);
  writer->file = file;
  writer->buffer = g_malloc (BUFFER_SIZE);
  writer->loop = loop;
  return writer;
}

void
fl_gif_writer_set_global_table (FlGifWriter *writer, const guint8 *rgb, guint bits)
{
  g_return_if_fail (!writer->started && bits >= 1 && bits <= 8);
  memcpy (writer->global, rgb, (gsize) 3 << bits);
  writer->global_bits = bits;
}

gboolean
fl_gif_writer_add_block (FlGifWriter *writer, const guint8 *block, gsize length, guint width,
                         guint height)
{
  start (writer);
  writer->width = MAX (writer->width, width);
  writer->height = MAX (writer->height, height);
  writer->frames++;
  return put (writer, block, length);
}

gboolean
fl_gif_writer_commit (FlGifWriter *writer, guint *screen_width, guint *screen_height,
                      guint64 *bytes, GError **error)
{
  static const guint8 trailer = 0x3b;
  guint8 screen[7];
  gboolean ok;

  start (writer);
  put_screen (screen, writer->width, writer->height, writer->global_bits);
  put (writer, &trailer, 1);
  flush (writer);
  fl_atomic_file_pwrite (writer->file, screen, sizeof screen, SCREEN_OFFSET);
  if (bytes != NULL)
    *bytes = fl_atomic_file_get_size (writer->file);
  if (screen_width != NULL)
    *screen_width = writer->width;
  if (screen_height != NULL)
    *screen_height = writer->height;
  ok = fl_atomic_file_commit (writer->file, error);
  g_free (writer->buffer);
  g_free (writer);
  return ok;
}

void
fl_gif_writer_abort (FlGifWriter *writer)
{
  if (writer == NULL)
    return;
  fl_atomic_file_abort (writer->file);
  g_free (writer->buffer);
  g_free (writer);
}
