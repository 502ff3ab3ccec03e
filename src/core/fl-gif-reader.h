/* fl-gif-reader.h: a GTK-free animated GIF reader on giflib, safe on hostile input.
 *
 * A FlGif holds every frame as it is in the file: the indices of the part of the
 * frame that lies on the logical screen, its colour table, disposal, transparency
 * and delay. That keeps a 5000-frame 10x10 GIF under a few megabytes. A FlGifCanvas
 * composes frames into one RGBA canvas on demand (disposal methods applied), with
 * sparse keyframes so that seeking never replays more than a few dozen frames.
 * Nothing here ever holds a scaled copy of a frame.
 *
 * Memory and CPU budget (enforced, tested by tests/core/test-gif-reader-hostile.c): one open GIF
 * costs at most FL_GIF_MEMORY_BUDGET_BYTES = 512 MiB, whatever the file says:
 *   - the file, mapped while it decodes: max_file_bytes (128 MiB);
 *   - decoded frames: indices of the on-screen part of each frame, colour tables
 *     (1 KiB each) and per-frame records together: max_frame_bytes (192 MiB);
 *   - one FlGifCanvas: the canvas and the DISPOSE_PREVIOUS save area, 4 bytes per
 *     screen pixel each, screen at most max_canvas_pixels (16 Mi pixels: 2 x 64 MiB),
 *     plus keyframes within KEYFRAME_BUDGET (64 MiB): 192 MiB.
 * Every limit is checked before the memory is allocated: a 65535x65535 screen is
 * refused from its 13-byte header. The CPU is bounded too: at most
 * max_raster_pixels pixels are LZW-decoded over the whole file (a tiny file can
 * encode billions of pixels), and the rows of a frame below the screen are
 * skipped, not decoded. A viewer holds one GIF and, while the next decodes, the
 * next one's file and frames.
 *
 * Indexed mode, for files over those limits (fl_gif_new_from_file with
 * max_indexed_frames > 0, the default; or fl_gif_new_indexed): the file stays
 * mapped read-only (MAP_PRIVATE: page cache, reclaimable, and dropped from RSS
 * as the scan passes), one scan of its blocks records 24 bytes per frame, and
 * giflib decodes a frame when a canvas draws it. Its budget:
 *   - the file, mapped: max_indexed_file_bytes (no limit but the address
 *     space: a mapping is reclaimable page cache, not the heap);
 *   - the index: 24 bytes a frame, at most max_indexed_frames (10 million, the
 *     most frameloom-client writes, FL_ENCODE_MAX_FRAMES: 240 MB; a million
 *     10x10 frames, 507 MB of file, need 24 MB). So the reader opens every GIF
 *     the CLI and the app can make;
 *   - the LZW CPU budget, max_raster_pixels, holds per frame drawn, not per file;
 *   - one FlGifCanvas as above (canvas, save area, keyframes within 64 MiB),
 *     plus the one frame being drawn (its indices and its image block).
 * The scan walks block lengths only (a 507 MB file of a million frames: about
 * a second). It keeps the complete frames of a truncated file (a last frame cut
 * in the middle is dropped, where the decoded mode keeps its rows), and finds
 * damaged LZW data only when it draws the frame: that frame draws nothing.
 *
 * Delays: a delay under FL_GIF_MIN_DELAY_CS (0 or 1 cs, often written by tools
 * that mean "as fast as possible") plays at FL_GIF_CLAMPED_DELAY_CS, as Firefox
 * and Chromium do, so a zero-delay GIF shows 10 frames a second, not thousands.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FL_GIF_MEMORY_BUDGET_BYTES (512u * 1024u * 1024u)
#define FL_GIF_DEFAULT_MAX_FILE_BYTES (128u * 1024u * 1024u)
#define FL_GIF_DEFAULT_MAX_CANVAS_PIXELS (16u * 1024u * 1024u)
#define FL_GIF_DEFAULT_MAX_FRAMES 100000u
#define FL_GIF_DEFAULT_MAX_FRAME_BYTES (192u * 1024u * 1024u)
/* Decoding costs about 20 ns a pixel: 256 Mi pixels, a few seconds at most. */
#define FL_GIF_DEFAULT_MAX_RASTER_PIXELS (G_GUINT64_CONSTANT (256) << 20)
#define FL_GIF_DEFAULT_MAX_INDEXED_FILE_BYTES G_MAXSIZE
/* Equal to FL_ENCODE_MAX_FRAMES (fl-encoder.h; fl-gif-reader.c asserts it). */
#define FL_GIF_DEFAULT_MAX_INDEXED_FRAMES 10000000u
/* Browsers play delays of 0 or 1 centisecond at 10 centiseconds. */
#define FL_GIF_MIN_DELAY_CS 2u
#define FL_GIF_CLAMPED_DELAY_CS 10u

typedef struct
{
  gsize max_file_bytes;
  guint64 max_canvas_pixels;  /* logical screen width * height */
  guint max_frames;
  gsize max_frame_bytes;      /* decoded frames: on-screen pixels (1 byte each), colour
                               * tables and per-frame records */
  guint64 max_raster_pixels;  /* pixels LZW-decoded, on screen or not (CPU time) */
  gsize max_indexed_file_bytes; /* indexed mode: the mapped file */
  guint max_indexed_frames;   /* indexed mode: frames indexed; 0: no indexed mode */
} FlGifLimits;

typedef enum
{
  FL_GIF_DISPOSE_NONE,        /* 0 and 1: leave the frame in place */
  FL_GIF_DISPOSE_BACKGROUND,  /* 2: clear the frame's area to transparent */
  FL_GIF_DISPOSE_PREVIOUS,    /* 3: restore the area as it was before the frame */
} FlGifDisposal;

typedef struct _FlGif FlGif;
typedef struct _FlGifCanvas FlGifCanvas;

void     fl_gif_limits_init_default (FlGifLimits *limits);

/* Decodes a whole GIF from memory (limits NULL: the defaults). The error is in
 * FL_ERROR (INVALID_GIF, TOO_LARGE or CANCELLED) and says why in a clause that
 * callers prefix with the file: "the file ends in the middle of frame 3". A file
 * whose trailer is missing after complete frames keeps those frames, as browsers
 * do. Thread-safe: the result may be used from any one thread at a time, or
 * shared read-only. */
FlGif   *fl_gif_new_from_bytes (const guint8 *data, gsize length, const FlGifLimits *limits,
                                GCancellable *cancellable, GError **error);

/* Reads and decodes path; the error is one sentence naming the file:
 * "Could not open “x.gif”: it is not a GIF file." A file over max_file_bytes,
 * or whose frames exceed max_frames, max_frame_bytes or max_raster_pixels,
 * opens in indexed mode when limits->max_indexed_frames > 0. */
FlGif   *fl_gif_new_from_file (const char *path, const FlGifLimits *limits,
                               GCancellable *cancellable, GError **error);

/* The indexed mode on bytes (a reference is kept): scans the blocks, decodes
 * nothing until a canvas draws a frame; limits NULL: the defaults. The
 * decoded mode's error sentences. fl_gif_new_from_file picks this mode by
 * itself for a file over the decoded mode's budgets. */
FlGif   *fl_gif_new_indexed (GBytes *bytes, const FlGifLimits *limits,
                             GCancellable *cancellable, GError **error);
/* TRUE when gif decodes its frames as they are drawn. */
gboolean fl_gif_is_indexed (FlGif *gif);

FlGif   *fl_gif_ref (FlGif *gif);
void     fl_gif_unref (FlGif *gif);

guint    fl_gif_get_width (FlGif *gif);
guint    fl_gif_get_height (FlGif *gif);
guint    fl_gif_get_n_frames (FlGif *gif);
/* The NETSCAPE2.0/ANIMEXTS1.0 loop count: 0 = forever, -1 = no loop extension
 * (play once). */
int      fl_gif_get_loop_count (FlGif *gif);
/* The delay stored in the file, in centiseconds. */
guint    fl_gif_get_frame_delay_cs (FlGif *gif, guint index);
/* The delay to play, in milliseconds: tiny delays clamped as browsers do. */
guint    fl_gif_get_frame_delay_ms (FlGif *gif, guint index);
FlGifDisposal fl_gif_get_frame_disposal (FlGif *gif, guint index);
/* What the frame viewer shows on request. */
typedef struct
{
  guint left, top, width, height; /* the part of the frame on the screen */
  guint delay_cs;                 /* as stored; fl_gif_get_frame_delay_ms plays it */
  FlGifDisposal disposal;
  int transparent;                /* the transparent index, -1: none */
  guint n_colors;                 /* entries of its colour table; 0: none (drawn black) */
  gboolean local_colors;          /* the table is the frame's own, not the global one */
} FlGifFrameInfo;

/* Describes frame index (< n_frames). An empty frame (no width or height in
 * the file) is drawn at the screen's size, as browsers do, and described so. */
void     fl_gif_get_frame_info (FlGif *gif, guint index, FlGifFrameInfo *info);
/* Bytes held by the decoded frames, colour tables included (not counting
 * canvases): what max_frame_bytes bounds; in indexed mode, the index. */
gsize    fl_gif_get_memory_size (FlGif *gif);

/* A compositor for gif; one per consumer, not thread-safe. Its memory, at most
 * 2 x 4 x width x height bytes plus the keyframe budget of 64 MiB, is
 * fl_gif_canvas_get_memory_size(). */
FlGifCanvas *fl_gif_canvas_new (FlGif *gif);
void     fl_gif_canvas_free (FlGifCanvas *canvas);
/* Bytes the canvas holds now (pixels, save area and the keyframes made so far). */
gsize    fl_gif_canvas_get_memory_size (FlGifCanvas *canvas);

/* Composes frame index (< n_frames) and returns the canvas: width * height
 * native-endian 0xAARRGGBB premultiplied pixels (cairo's ARGB32), stride
 * width * 4, owned by canvas and valid until the next call. Playing forward
 * costs one frame; seeking costs at most one keyframe interval. */
const guint32 *fl_gif_canvas_render (FlGifCanvas *canvas, guint index);

/* The same, stopping between frames (or inside a frame that indexed mode
 * decodes) once cancellable is cancelled: then NULL, and the next render
 * starts again from a keyframe. For a thread that composes ahead of a viewer. */
const guint32 *fl_gif_canvas_render_cancellable (FlGifCanvas *canvas, guint index,
                                                 GCancellable *cancellable);

/* Converts canvas pixels to R,G,B,A bytes (for comparisons and PNG export). */
void     fl_gif_pixels_to_rgba (const guint32 *pixels, gsize n_pixels, guint8 *rgba);

/* What follows the trailer of the GIF that plays. Players stop at the first
 * trailer, so GIFs made in parts and joined with cat show only the first part:
 * the viewer and the lab's checker say so. */
typedef struct
{
  gsize bytes;       /* after the trailer; 0: nothing follows (or there is no trailer) */
  guint n_gifs;      /* complete GIFs back to back, the one that plays included */
  guint64 n_frames;  /* the frames of all of them */
  gsize other_bytes; /* of bytes, those after the last GIF found (not a GIF) */
} FlGifTrailing;

void     fl_gif_get_trailing (FlGif *gif, FlGifTrailing *trailing);
/* One translated sentence for the viewer, "This file holds 2 GIFs back to
 * back; only the first (2500 frames) plays.", or NULL when nothing follows the
 * trailer. Free with g_free. */
char    *fl_gif_describe_trailing (FlGif *gif);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlGif, fl_gif_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlGifCanvas, fl_gif_canvas_free)

G_END_DECLS
