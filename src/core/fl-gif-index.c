/* fl-gif-index.c: the indexed mode of FlGif for files over the in-memory
 * limits. The scan walks the block structure by hand (lengths only, no LZW:
 * a 507 MB file of a million frames is indexed in well under a second plus
 * the page faults); giflib decodes each frame's LZW data when it is drawn. */
#include "fl-gif-reader-private.h"

#include "fl-error.h"

#include <gif_lib.h>
#include <string.h>
#include <sys/mman.h>

/* Pages scanned are dropped from the mapping every so often: they stay in the
 * page cache, but the process's RSS does not grow with the file. */
#define DROP_CHUNK_BYTES (8u * 1024u * 1024u)
#define PAGE_BYTES 4096u
#define CANCEL_CHECK_FRAMES 4096u
/* The block introducers (giflib keeps them private). */
#define BLOCK_EXTENSION 0x21
#define BLOCK_IMAGE 0x2c
#define BLOCK_TRAILER 0x3b

typedef struct
{
  const guint8 *data;
  gsize length;
  gsize offset;
} IndexSource;

static int
on_index_read (GifFileType *file, GifByteType *buffer, int length)
{
  IndexSource *source = file->UserData;
  gsize n = fl_gif_copy_input (source->data, source->length, source->offset, buffer, length);

  source->offset += n;
  return (int) n;
}

/* Tells the kernel the scanned part of a file mapping, [*dropped, upto), may
 * leave this process's RSS: MADV_DONTNEED on a read-only private file mapping
 * only unmaps the pages, which stay in the page cache and are read back if
 * touched. Never on heap memory: there it would zero the bytes. */
static void
drop_pages (const guint8 *data, gsize *dropped, gsize upto, gboolean all)
{
  gsize end = upto & ~(gsize) (PAGE_BYTES - 1);

  if (!all && end < *dropped + DROP_CHUNK_BYTES)
    return;
  if (((guintptr) data & (PAGE_BYTES - 1)) == 0 && end > *dropped)
    madvise ((void *) (data + *dropped), end - *dropped, MADV_DONTNEED);
  *dropped = MAX (*dropped, end);
}

typedef struct
{
  int disposal;      /* giflib's DisposalMode */
  guint delay_cs;
  int transparent;
} Gce;

static void
gce_reset (Gce *gce)
{
  gce->disposal = DISPOSAL_UNSPECIFIED;
  gce->delay_cs = 0;
  gce->transparent = NO_TRANSPARENT_COLOR;
}

/* Reads the size byte of the sub-block at *p: TRUE with *p past it and *n
 * the size (0: the terminator) when the whole sub-block is in the file, FALSE
 * when the file ends first. */
static gboolean
next_sub_block (const guint8 *data, gsize length, gsize *p, guint *n)
{
  if (*p >= length)
    return FALSE;
  *n = data[(*p)++];
  return *n <= length - *p;
}

/* Walks one extension's sub-blocks from p (after its label), as the decoded
 * mode's read_extension does. Returns the offset after its terminator, or 0
 * when the file ends first. */
static gsize
scan_extension (FlGif *gif, const guint8 *data, gsize length, gsize p, guint8 label, Gce *gce)
{
  gboolean first = TRUE, is_loop_app = FALSE;

  for (;;)
    {
      guint n;
      const guint8 *b;

      if (!next_sub_block (data, length, &p, &n))
        return 0;
      if (n == 0)
        return p;
      b = data + p;
      if (label == GRAPHICS_EXT_FUNC_CODE && first && n >= 4)
        {
          gce->disposal = (b[0] >> 2) & 7;
          gce->delay_cs = b[1] | ((guint) b[2] << 8);
          gce->transparent = (b[0] & 1) ? b[3] : NO_TRANSPARENT_COLOR;
        }
      else if (label == APPLICATION_EXT_FUNC_CODE && first && n == 11)
        is_loop_app = memcmp (b, "NETSCAPE2.0", 11) == 0 || memcmp (b, "ANIMEXTS1.0", 11) == 0;
      else if (is_loop_app && n >= 3 && b[0] == 1)
        gif->loop_count = b[1] | (b[2] << 8);
      first = FALSE;
      p += n;
    }
}

/* Walks an image block from its 0x2C at p. Returns the offset after the
 * raster's terminator, 0 when the file ends first, or G_MAXSIZE when the
 * block is damaged (an LZW code size above 11, which no decoder reads). */
static gsize
scan_image (const guint8 *data, gsize length, gsize p)
{
  guint8 packed;

  if (length - p < 10)
    return 0;
  packed = data[p + 9];
  p += 10;
  if (packed & 0x80)
    {
      gsize table = (gsize) 3 << ((packed & 7) + 1);

      if (table > length - p)
        return 0;
      p += table;
    }
  if (p >= length)
    return 0;
  if (data[p++] > 11)
    return G_MAXSIZE;
  for (guint n; next_sub_block (data, length, &p, &n); p += n)
    if (n == 0)
      return p;
  return 0;
}

static guint
read_u16 (const guint8 *p)
{
  return p[0] | ((guint) p[1] << 8);
}

/* The frame's size as drawn: an empty frame (no width or no height) takes the
 * screen's size, as in browsers and in the decoded mode. */
static void
frame_size (FlGif *gif, const guint8 *desc, guint *width, guint *height)
{
  *width = read_u16 (desc + 4);
  *height = read_u16 (desc + 6);
  if (*width == 0 || *height == 0)
    {
      *width = gif->width;
      *height = gif->height;
    }
}

/* Appends the frame whose block is [start, end); checks the indexed budgets
 * first. */
static gboolean
add_frame (FlGif *gif, const guint8 *data, gsize start, gsize end, const Gce *gce,
           GError **error)
{
  const guint8 *desc = data + start + 1;
  guint fw, fh, top, height;
  guint n = gif->index->len;
  FlGifIndexEntry entry = { 0 };
  guint64 raster;

  frame_size (gif, desc, &fw, &fh);
  top = MIN (read_u16 (desc + 2), gif->height);
  height = MIN (fh, gif->height - top);
  if (n >= gif->limits.max_indexed_frames)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE, "it has more than %u frames",
                 gif->limits.max_indexed_frames);
      return FALSE;
    }
  if (end - start > G_MAXUINT32)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE, "frame %u is larger than 4 GiB", n + 1);
      return FALSE;
    }
  /* The CPU budget holds per frame here: one frame is decoded at a time. */
  raster = (guint64) fw * ((desc[8] & 0x40) ? fh : height);
  if (raster > gif->limits.max_raster_pixels)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                 "frame %u encodes more than %" G_GUINT64_FORMAT " million pixels", n + 1,
                 gif->limits.max_raster_pixels / 1000000);
      return FALSE;
    }
  /* What the decoded mode would hold: the on-screen indices, the frame record,
   * a local colour table; and the pixels it would LZW-decode. */
  gif->decoded_bytes += (gsize) MIN (fw, gif->width - MIN (read_u16 (desc), gif->width)) * height
                        + sizeof (FlGifFrame) + ((desc[8] & 0x80) ? 256 * sizeof (guint32) : 0);
  gif->raster_pixels += height > 0 ? raster : 0;
  entry.offset = start;
  entry.length = (guint32) (end - start);
  entry.delay_cs = (guint16) gce->delay_cs;
  entry.transparent = (gint16) gce->transparent;
  entry.disposal = gce->disposal == DISPOSE_BACKGROUND ? FL_GIF_DISPOSE_BACKGROUND
                   : gce->disposal == DISPOSE_PREVIOUS ? FL_GIF_DISPOSE_PREVIOUS
                                                       : FL_GIF_DISPOSE_NONE;
  if (read_u16 (desc) == 0 && top == 0 && fw >= gif->width && height == gif->height)
    {
      if (gce->transparent < 0 && entry.disposal != FL_GIF_DISPOSE_PREVIOUS)
        entry.flags |= FL_GIF_INDEX_COVERS;
      if (entry.disposal == FL_GIF_DISPOSE_BACKGROUND)
        entry.flags |= FL_GIF_INDEX_CLEARS;
    }
  g_array_append_val (gif->index, entry);
  gif->memory += sizeof entry;
  return TRUE;
}

/* Reads the header, screen descriptor and global colour table with giflib, as
 * the decoded mode does, and checks the screen. */
static gboolean
read_header (FlGif *gif, const guint8 *data, gsize length, GError **error)
{
  IndexSource source = { data, length, 0 };
  int gif_error = 0;
  GifFileType *file = DGifOpen (&source, on_index_read, &gif_error);
  gboolean ok = FALSE;

  if (file == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_GIF, "%s",
                 gif_error == D_GIF_ERR_NOT_GIF_FILE ? "it is not a GIF file"
                 : gif_error == D_GIF_ERR_NO_SCRN_DSCR ? "it has no screen descriptor"
                 : gif_error == D_GIF_ERR_NOT_ENOUGH_MEM ? "there is not enough memory"
                                                         : "the file ends early");
      return FALSE;
    }
  gif->width = (guint) MAX (file->SWidth, 0);
  gif->height = (guint) MAX (file->SHeight, 0);
  gif->header_length = source.offset;
  if (gif->width == 0 || gif->height == 0)
    g_set_error (error, FL_ERROR, FL_ERROR_INVALID_GIF, "its logical screen is empty (%ux%u)",
                 gif->width, gif->height);
  else if ((guint64) gif->width * gif->height > gif->limits.max_canvas_pixels)
    g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
               "its logical screen of %ux%u pixels is larger than the limit of %" G_GUINT64_FORMAT
               " pixels", gif->width, gif->height, gif->limits.max_canvas_pixels);
  else
    ok = TRUE;
  DGifCloseFile (file, &gif_error);
  return ok;
}

FlGif *
fl_gif_index_scan (GBytes *file, gboolean mapped, const FlGifLimits *limits,
                   GCancellable *cancellable, GError **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (file, &length);
  g_autoptr (FlGif) gif = g_new0 (FlGif, 1);
  gsize p, dropped = 0;
  gboolean ended = FALSE;
  Gce gce;

  gif->ref_count = 1;
  gif->loop_count = -1;
  gif->limits = *limits;
  gif->file = g_bytes_ref (file);
  gif->mapped = mapped;
  gif->palettes = g_ptr_array_new_with_free_func (g_free);
  /* 1M frames: 24 MB; doubling while it grows. */
  gif->index = g_array_sized_new (FALSE, FALSE, sizeof (FlGifIndexEntry),
                                  (guint) MIN (length / 64 + 16, 1u << 16));
  if (length > limits->max_indexed_file_bytes)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                   "the file is larger than %" G_GSIZE_FORMAT " MiB",
                 limits->max_indexed_file_bytes / (1024 * 1024));
      return NULL;
    }
  if (!read_header (gif, data, length, error))
    return NULL;
  if (mapped)
    madvise ((void *) data, length, MADV_SEQUENTIAL);

  gce_reset (&gce);
  /* A missing trailer or a block cut short ends the scan (ended): the
   * complete frames stay, as browsers do. */
  for (p = gif->header_length; !ended;)
    {
      gsize next;

      if (gif->index->len % CANCEL_CHECK_FRAMES == 0 && g_cancellable_is_cancelled (cancellable))
        {
          g_cancellable_set_error_if_cancelled (cancellable, error);
          return NULL;
        }
      if (mapped)
        drop_pages (data, &dropped, p, FALSE);
      if (p >= length)
        ended = TRUE;
      else if (data[p] == BLOCK_TRAILER)
        {
          gif->trailer_end = p + 1;
          break;
        }
      else if (data[p] == BLOCK_EXTENSION)
        {
          next = p + 1 < length ? scan_extension (gif, data, length, p + 2, data[p + 1], &gce) : 0;
          ended = next == 0;
          p = next;
        }
      else if (data[p] == BLOCK_IMAGE)
        {
          /* A last frame cut short is dropped: only complete frames are kept. */
          next = scan_image (data, length, p);
          if (next == G_MAXSIZE && gif->index->len == 0)
            {
              g_set_error (error, FL_ERROR, FL_ERROR_INVALID_GIF, "frame 1 is damaged: %s",
                         "its image data is damaged");
              return NULL;
            }
          /* giflib calls a bad code size a failed read: the frames before stay. */
          ended = next == 0 || next == G_MAXSIZE;
          if (!ended && !add_frame (gif, data, p, next, &gce, error))
            return NULL;
          gce_reset (&gce);
          p = next;
        }
      else
        {
          g_set_error_literal (error, FL_ERROR, FL_ERROR_INVALID_GIF,
                               "it contains a block of unknown type");
          return NULL;
        }
    }
  if (mapped)
    {
      drop_pages (data, &dropped, length, TRUE);
      madvise ((void *) data, length, MADV_NORMAL);
    }
  if (gif->index->len == 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_GIF, "%s",
                 ended ? "the file ends early" : "it contains no frames");
      return NULL;
    }
  return g_steal_pointer (&gif);
}

gboolean
fl_gif_is_indexed (FlGif *gif)
{
  return gif->frames == NULL;
}

void
fl_gif_index_get_frame (FlGif *gif, guint index, FlGifFrame *frame)
{
  const FlGifIndexEntry *e = &g_array_index (gif->index, FlGifIndexEntry, index);
  const guint8 *header = g_bytes_get_data (gif->file, NULL);
  const guint8 *desc = header + e->offset + 1;
  guint fl = read_u16 (desc), ft = read_u16 (desc + 2), fw, fh;

  memset (frame, 0, sizeof *frame);
  /* Clipped to the screen exactly as the decoded mode's read_frame does. */
  frame->left = MIN (fl, gif->width);
  frame->top = MIN (ft, gif->height);
  frame_size (gif, desc, &fw, &fh);
  frame->width = MIN (fw, gif->width - frame->left);
  frame->height = MIN (fh, gif->height - frame->top);
  /* Byte 8 of the descriptor and byte 10 of the header: a table's flag and size. */
  frame->local_colors = (desc[8] & 0x80) != 0;
  frame->n_colors = frame->local_colors ? 2u << (desc[8] & 7)
                    : (header[10] & 0x80)  ? 2u << (header[10] & 7)
                                           : 0;
  frame->transparent = e->transparent;
  frame->delay_cs = e->delay_cs;
  frame->disposal = e->disposal;
}

guint
fl_gif_index_find_start (FlGif *gif, guint from, guint to, gboolean *clear)
{
  const FlGifIndexEntry *entries = (const FlGifIndexEntry *) (gpointer) gif->index->data;

  *clear = FALSE;
  for (guint i = to; i > from; i--)
    {
      if (entries[i].flags & FL_GIF_INDEX_COVERS)
        return i;
      if (entries[i - 1].flags & FL_GIF_INDEX_CLEARS)
        {
          *clear = TRUE;
          return i;
        }
    }
  return from;
}

void
fl_gif_index_release (FlGif *gif, guint index, guint64 *mark)
{
  const guint8 *data = g_bytes_get_data (gif->file, NULL);
  guint64 offset = g_array_index (gif->index, FlGifIndexEntry, index).offset;
  gsize dropped;

  if (!gif->mapped)
    return;
  if (offset < *mark)
    {
      /* A seek backwards: start again from here. */
      *mark = offset & ~(guint64) (PAGE_BYTES - 1);
      return;
    }
  dropped = (gsize) *mark;
  drop_pages (data, &dropped, (gsize) offset, FALSE);
  *mark = dropped;
}

FlGif *
fl_gif_index_decode (FlGif *gif, guint index, GByteArray *scratch, GCancellable *cancellable)
{
  const FlGifIndexEntry *e = &g_array_index (gif->index, FlGifIndexEntry, index);
  const guint8 *data = g_bytes_get_data (gif->file, NULL);
  /* A graphic control extension carrying the frame's transparency: it decides
   * which pixels the frame leaves untouched. */
  guint8 gce[8] = { BLOCK_EXTENSION, GRAPHICS_EXT_FUNC_CODE, 4,
                    e->transparent >= 0 ? 1 : 0, 0, 0,
                    (guint8) MAX (e->transparent, 0), 0 };
  static const guint8 trailer = BLOCK_TRAILER;
  FlGifLimits limits = gif->limits;

  g_byte_array_set_size (scratch, 0);
  g_byte_array_append (scratch, data, (guint) gif->header_length);
  g_byte_array_append (scratch, gce, sizeof gce);
  g_byte_array_append (scratch, data + e->offset, e->length);
  g_byte_array_append (scratch, &trailer, 1);
  limits.max_file_bytes = G_MAXSIZE;
  limits.max_frames = 1;
  limits.max_frame_bytes = G_MAXSIZE;
  return fl_gif_decode_all (scratch->data, scratch->len, &limits, cancellable, NULL, NULL);
}
