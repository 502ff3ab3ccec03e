/* fl-gif-reader-private.h: the inside of FlGif, shared by the reader's files
 * and by nothing else. They depend one way: fl-gif-reader.c (open, choose the
 * mode, the accessors) uses fl-gif-decode.c (a whole file decoded) and
 * fl-gif-index.c (the indexed mode), which uses fl-gif-decode.c for one frame
 * at a time; fl-gif-canvas.c composes frames from either mode.
 *
 * A FlGif is in one of two modes. Decoded (frames != NULL): every frame's
 * indices are held, as fl-gif-reader.h describes. Indexed (frames == NULL), for
 * files over the in-memory limits: the file stays mapped (read-only,
 * MAP_PRIVATE, reclaimable page cache) and one FlGifIndexEntry of 24 bytes per
 * frame says where its image block lies; a frame is LZW-decoded by giflib only
 * when a canvas draws it, from a small synthetic GIF made of the file's header
 * and global colour table, a graphic control extension and that one image
 * block.
 */
#pragma once

#include "fl-gif-reader.h"

#include <string.h>

G_BEGIN_DECLS

typedef struct
{
  guint left, top, width, height; /* clipped to the logical screen */
  guint8 *indices;                /* width * height, owned; NULL when empty */
  guint32 *palette;               /* 256 entries, shared with gif->palettes */
  int transparent;                /* -1: none */
  guint delay_cs;
  FlGifDisposal disposal;
  guint16 n_colors;               /* entries of its colour table; 0: it has none */
  guint8 local_colors;            /* the table is the frame's own */
} FlGifFrame;

/* The frame paints every screen pixel opaquely and is not disposed to the
 * previous state: the canvas from it on does not depend on what came before. */
#define FL_GIF_INDEX_COVERS 1u
/* The frame spans the screen and is disposed to the background: the canvas is
 * empty after it, whatever came before. */
#define FL_GIF_INDEX_CLEARS 2u

typedef struct
{
  guint64 offset;     /* the image descriptor's 0x2C byte in the file */
  guint32 length;     /* from there through the raster's block terminator */
  guint16 delay_cs;
  gint16 transparent; /* -1: none */
  guint8 disposal;    /* FlGifDisposal */
  guint8 flags;       /* FL_GIF_INDEX_COVERS, FL_GIF_INDEX_CLEARS */
} FlGifIndexEntry;

struct _FlGif
{
  gint ref_count;    /* g_atomic_int_*: inline atomics that ThreadSanitizer sees, unlike
                      * GLib's grefcount functions (the composing thread shares gifs) */
  guint width, height;
  int loop_count;
  GArray *frames;    /* FlGifFrame; NULL in indexed mode */
  GPtrArray *palettes; /* guint32[256] each, owned */
  gsize memory;      /* what max_frame_bytes bounds (indexed: the index) */
  guint64 raster_pixels; /* what max_raster_pixels bounds */
  gboolean over_budget; /* the decode stopped at a frame budget, not on damage */

  /* Indexed mode. */
  GBytes *file;      /* the mapped file */
  gsize header_length; /* header, screen descriptor and global colour table */
  GArray *index;     /* FlGifIndexEntry */
  gboolean mapped;   /* file is a file mapping: its pages may be dropped */
  gsize decoded_bytes; /* what the decoded mode's frames would take (memory) */
  FlGifLimits limits;

  gsize trailer_end;  /* just past the trailer; 0: the file has none */
  FlGifTrailing trailing; /* what follows it (fl-gif-trailing.c) */
};

/* fl-gif-decode.c */

/* The decoded mode: every frame of data decoded into a new FlGif (limits NULL:
 * the defaults). *over_budget (may be NULL) tells a failure at a budget the
 * indexed mode does not have (file size, frame count, decoded bytes, LZW
 * pixels over the whole file) from damage. */
FlGif   *fl_gif_decode_all (const guint8 *data, gsize length, const FlGifLimits *limits,
                            GCancellable *cancellable, gboolean *over_budget, GError **error);

/* fl-gif-index.c */

/* Scans file into a new indexed FlGif (see fl_gif_new_indexed); mapped: file
 * is a file mapping whose scanned pages may be dropped from RSS. */
FlGif   *fl_gif_index_scan (GBytes *file, gboolean mapped, const FlGifLimits *limits,
                            GCancellable *cancellable, GError **error);

/* Fills frame (indices and palette NULL) with the geometry, disposal,
 * transparency and delay of frame index of an indexed gif. */
void     fl_gif_index_get_frame (FlGif *gif, guint index, FlGifFrame *frame);

/* LZW-decodes frame index of an indexed gif into a new one-frame decoded FlGif,
 * using scratch as the synthetic stream's buffer. NULL when its data is
 * damaged (the frame then draws nothing) or when cancelled. Thread-safe on a
 * shared gif. */
FlGif   *fl_gif_index_decode (FlGif *gif, guint index, GByteArray *scratch,
                            GCancellable *cancellable);

/* Where composing frame to may start instead of from (from <= to): the last
 * frame in (from, to] that covers the screen, or the frame after the last one
 * in [from, to) that clears it (*clear set: start from an empty canvas), or
 * from itself. */
guint    fl_gif_index_find_start (FlGif *gif, guint from, guint to, gboolean *clear);

/* Lets the pages of the mapping between *mark and frame index's block leave
 * the RSS once the playback has moved 8 MiB past them (no-op on heap bytes);
 * *mark is the caller's (one per canvas), 0 at first. */
void     fl_gif_index_release (FlGif *gif, guint index, guint64 *mark);

/* Fills gif->trailing from the bytes after gif->trailer_end in data (the
 * whole file gif was read from): the GIFs appended there, counted by scans of
 * their blocks. Called once by each public constructor, never by a scan, so a
 * file of many GIFs is walked in a loop, not by recursion. */
void     fl_gif_trailing_scan (FlGif *gif, const guint8 *data, gsize length,
                               const FlGifLimits *limits, GCancellable *cancellable);

/* giflib's read callback over memory: copies up to want bytes of data (length
 * bytes, may be NULL when empty) from offset into buffer and returns how
 * many; the caller advances its offset by that. */
static inline gsize
fl_gif_copy_input (const guint8 *data, gsize length, gsize offset, guint8 *buffer, int want)
{
  gsize n = want > 0 ? MIN ((gsize) want, length - offset) : 0;

  if (n > 0)
    memcpy (buffer, data + offset, n);
  return n;
}

G_END_DECLS
