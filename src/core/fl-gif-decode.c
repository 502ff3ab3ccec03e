/* fl-gif-decode.c: a whole GIF in memory decoded into frames (the reader's
 * decoded mode), with giflib's record-level API; every size is checked before
 * it is allocated. giflib is called here and in fl-gif-index.c only. */
#include "fl-gif-reader-private.h"

#include "fl-error.h"
#include "fl-gif-lzw-reader.h"

#include <gif_lib.h>
#include <string.h>

/* A frame giflib would not read as browsers do, and how it is shown to giflib:
 * an empty frame (no width or no height) is drawn at the screen's size, as
 * Firefox, Chromium and gifsicle do, so giflib reads a descriptor of that size;
 * a minimum LZW code size of 9 to 11, which giflib refuses, is shown to it as 8
 * and FlGifLzwReader decodes the raster instead. */
typedef struct
{
  gboolean empty;
  guint lzw_size;     /* > 8: FlGifLzwReader decodes the raster */
  gsize raster;       /* then: the offset of its first sub-block */
} ImageFix;

#define MAX_PATCHES 5

typedef struct
{
  const guint8 *data;
  gsize length;
  gsize offset;
  /* Bytes giflib reads in place of the file's (see prepare_image). */
  gsize patch_at[MAX_PATCHES];
  guint8 patch_to[MAX_PATCHES];
  guint n_patches;
} GifSource;

static int
on_gif_read (GifFileType *file, GifByteType *buffer, int length)
{
  GifSource *source = file->UserData;
  gsize n = fl_gif_copy_input (source->data, source->length, source->offset, buffer, length);

  for (guint i = 0; i < source->n_patches; i++)
    if (source->patch_at[i] >= source->offset && source->patch_at[i] - source->offset < n)
      buffer[source->patch_at[i] - source->offset] = source->patch_to[i];
  source->offset += n;
  return (int) n;
}

static void
add_patch (GifSource *source, gsize at, guint8 value)
{
  g_assert (source->n_patches < MAX_PATCHES);
  source->patch_at[source->n_patches] = at;
  source->patch_to[source->n_patches++] = value;
}

/* Looks at the image descriptor that starts at the source's offset (just after
 * its 0x2C) before giflib reads it, and patches what giflib must not see as it
 * is (see ImageFix). */
static void
prepare_image (FlGif *gif, GifSource *source, ImageFix *fix)
{
  const guint8 *d = source->data + source->offset;
  gsize avail = source->length - source->offset, code_at;

  memset (fix, 0, sizeof *fix);
  source->n_patches = 0;
  if (source->offset >= source->length || avail < 9)
    return;
  if ((d[4] | d[5]) == 0 || (d[6] | d[7]) == 0)
    {
      fix->empty = TRUE;
      add_patch (source, source->offset + 4, gif->width & 0xff);
      add_patch (source, source->offset + 5, gif->width >> 8);
      add_patch (source, source->offset + 6, gif->height & 0xff);
      add_patch (source, source->offset + 7, gif->height >> 8);
    }
  code_at = 9 + ((d[8] & 0x80) ? (gsize) 3 << ((d[8] & 7) + 1) : 0);
  if (avail > code_at && d[code_at] > 8 && d[code_at] <= 11)
    {
      fix->lzw_size = d[code_at];
      fix->raster = source->offset + code_at + 1;
      add_patch (source, source->offset + code_at, 8);
    }
}

/* giflib's codes as the end of a sentence; GifErrorString() may return NULL. */
static const char *
describe_gif_error (int code)
{
  switch (code)
    {
    case D_GIF_ERR_READ_FAILED:
      return "the file ends early";
    case D_GIF_ERR_NOT_GIF_FILE:
      return "it is not a GIF file";
    case D_GIF_ERR_NO_SCRN_DSCR:
      return "it has no screen descriptor";
    case D_GIF_ERR_NO_IMAG_DSCR:
      return "a frame has no image descriptor";
    case D_GIF_ERR_NO_COLOR_MAP:
      return "a frame has no colour table";
    case D_GIF_ERR_WRONG_RECORD:
      return "it contains a block of unknown type";
    case D_GIF_ERR_DATA_TOO_BIG:
      return "a frame holds more pixels than its size";
    case D_GIF_ERR_NOT_ENOUGH_MEM:
      return "there is not enough memory";
    case D_GIF_ERR_IMAGE_DEFECT:
      return "its image data is damaged";
    case D_GIF_ERR_EOF_TOO_SOON:
      return "its image data ends early";
    default:
      return "it could not be decoded";
    }
}

static void
frame_clear (gpointer data)
{
  FlGifFrame *frame = data;

  g_free (frame->indices);
}

static guint32 *
palette_from_map (FlGif *gif, const ColorMapObject *map)
{
  guint32 *palette = g_new0 (guint32, 256);
  int n = MIN (map->ColorCount, 256);

  for (int i = 0; i < n; i++)
    palette[i] = 0xff000000u | ((guint32) map->Colors[i].Red << 16)
                 | ((guint32) map->Colors[i].Green << 8) | map->Colors[i].Blue;
  g_ptr_array_add (gif->palettes, palette);
  gif->memory += 256 * sizeof (guint32);
  return palette;
}

static void
set_error (GError **error, int code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
set_error (GError **error, int code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, FL_ERROR, code, message);
}

/* Skips the rest of a frame's raster without decoding it: its sub-blocks up to
 * the terminator. Valid right after DGifGetImageDesc or between DGifGetLine
 * calls: giflib reads whole sub-blocks, so the file is at a block boundary. */
static gboolean
skip_raster (GifFileType *file, gboolean started)
{
  int code_size;
  GifByteType *block = NULL;

  if (!started && DGifGetCode (file, &code_size, &block) == GIF_ERROR)
    return FALSE;
  if (started && DGifGetCodeNext (file, &block) == GIF_ERROR)
    return FALSE;
  while (block != NULL)
    if (DGifGetCodeNext (file, &block) == GIF_ERROR)
      return FALSE;
  return TRUE;
}

/* Where a frame's rows come from: giflib, or FlGifLzwReader for the code sizes
 * giflib refuses (see ImageFix). */
typedef struct
{
  GifFileType *file;
  GifSource *source;
  FlGifLzwReader *lzw;      /* NULL: giflib */
  gboolean empty;     /* the frame is an empty one drawn at the screen's size */
  int error;          /* giflib's code for the last failure */
} RowReader;

typedef enum
{
  ROWS_OK,
  ROWS_SHORT,       /* the image data ends before the frame does */
  ROWS_FILE_ENDS,   /* the file ends in the middle of the raster */
  ROWS_DAMAGED,
} RowStatus;

static RowStatus
giflib_status (RowReader *r)
{
  r->error = r->file->Error;
  return r->error == D_GIF_ERR_EOF_TOO_SOON   ? ROWS_SHORT
         : r->error == D_GIF_ERR_READ_FAILED ? ROWS_FILE_ENDS
                                             : ROWS_DAMAGED;
}

static RowStatus
read_row (RowReader *r, GifPixelType *row, guint width)
{
  if (r->lzw == NULL)
    return DGifGetLine (r->file, row, (int) width) == GIF_ERROR ? giflib_status (r) : ROWS_OK;
  switch (fl_gif_lzw_reader_read (r->lzw, row, width))
    {
    case FL_GIF_LZW_READ_OK:
      return ROWS_OK;
    case FL_GIF_LZW_READ_END:
      r->error = D_GIF_ERR_EOF_TOO_SOON;
      return ROWS_SHORT;
    default:
      r->error = D_GIF_ERR_IMAGE_DEFECT;
      return ROWS_DAMAGED;
    }
}

/* Skips what is left of the raster up to its terminator; started: rows were
 * read from it (only giflib cares). */
static RowStatus
skip_rows (RowReader *r, gboolean started)
{
  gsize end;

  if (r->lzw == NULL)
    return skip_raster (r->file, started) ? ROWS_OK : giflib_status (r);
  end = fl_gif_lzw_reader_skip (r->lzw);
  if (end == 0)
    {
      r->error = D_GIF_ERR_READ_FAILED;
      return ROWS_FILE_ENDS;
    }
  /* giflib reads on from there: it never saw this raster. */
  r->source->offset = end;
  return ROWS_OK;
}

/* The frame's colour table, transparency, timing and on-screen rectangle, with
 * the budgets checked. valid[i] says whether index i may appear. */
static gboolean
setup_frame (FlGif *gif, GifFileType *file, const GraphicsControlBlock *gcb, guint32 *global,
             const FlGifLimits *limits, FlGifFrame *frame, guint8 *valid, GError **error)
{
  const GifImageDesc *desc = &file->Image;
  guint n = gif->frames->len + 1;
  int n_colors;

  if (gif->frames->len >= limits->max_frames)
    {
      set_error (error, FL_ERROR_TOO_LARGE, "it has more than %u frames", limits->max_frames);
      gif->over_budget = TRUE;
      return FALSE;
    }
  if (desc->Left < 0 || desc->Top < 0 || desc->Width < 0 || desc->Height < 0)
    {
      set_error (error, FL_ERROR_INVALID_GIF, "frame %u has an invalid position", n);
      return FALSE;
    }

  if (desc->ColorMap != NULL)
    {
      frame->palette = palette_from_map (gif, desc->ColorMap);
      n_colors = desc->ColorMap->ColorCount;
      frame->local_colors = TRUE;
    }
  else if (global != NULL)
    {
      frame->palette = global;
      n_colors = file->SColorMap->ColorCount;
    }
  else
    {
      /* No table at all: browsers draw such frames in black. */
      ColorMapObject black = { 256, 8, false, (GifColorType[256]) { { 0 } } };

      frame->palette = palette_from_map (gif, &black);
      n_colors = 256;
    }
  frame->n_colors = (guint16) (desc->ColorMap != NULL || global != NULL ? MIN (n_colors, 256) : 0);
  memset (valid, 1, MIN (n_colors, 256));
  /* The transparent index draws nothing, so it may lie beyond the table. */
  if (gcb->TransparentColor >= 0 && gcb->TransparentColor < 256)
    valid[gcb->TransparentColor] = 1;

  frame->transparent = gcb->TransparentColor;
  frame->delay_cs = (guint) MAX (gcb->DelayTime, 0);
  frame->disposal = gcb->DisposalMode == DISPOSE_BACKGROUND ? FL_GIF_DISPOSE_BACKGROUND
                    : gcb->DisposalMode == DISPOSE_PREVIOUS ? FL_GIF_DISPOSE_PREVIOUS
                                                            : FL_GIF_DISPOSE_NONE;
  /* The on-screen part; a frame outside the screen keeps an empty rectangle. */
  frame->left = MIN ((guint) desc->Left, gif->width);
  frame->top = MIN ((guint) desc->Top, gif->height);
  frame->width = MIN ((guint) desc->Width, gif->width - frame->left);
  frame->height = MIN ((guint) desc->Height, gif->height - frame->top);

  gsize area = (gsize) frame->width * frame->height;
  /* The colour table above is already counted in gif->memory. */
  if (gif->memory > limits->max_frame_bytes
      || area + sizeof *frame > limits->max_frame_bytes - gif->memory)
    {
      set_error (error, FL_ERROR_TOO_LARGE,
                 "its frames need more than %" G_GSIZE_FORMAT " MiB of memory",
                 limits->max_frame_bytes / (1024 * 1024));
      gif->over_budget = TRUE;
      return FALSE;
    }
  /* The CPU budget: rows below the screen are skipped, not decoded, except in
   * the first three passes of an interlaced frame. */
  guint64 raster = area == 0 ? 0 : (guint64) desc->Width * (desc->Interlace ? (guint) desc->Height
                                                                          : frame->height);
  if (raster > limits->max_raster_pixels - MIN (gif->raster_pixels, limits->max_raster_pixels))
    {
      set_error (error, FL_ERROR_TOO_LARGE,
                 "its frames encode more than %" G_GUINT64_FORMAT " million pixels",
                 limits->max_raster_pixels / 1000000);
      gif->over_budget = TRUE;
      return FALSE;
    }
  gif->raster_pixels += raster;
  return TRUE;
}

/* The rows of a frame with an on-screen part: only the columns on the screen
 * are stored, rows below it are skipped undecoded when the interlacing allows.
 * ROWS_SHORT and ROWS_FILE_ENDS leave what came before in frame->indices. */
static RowStatus
read_rows (RowReader *r, guint n, const GifImageDesc *desc, FlGifFrame *frame,
           const guint8 *valid, GCancellable *cancellable, GError **error)
{
  static const guint starts[] = { 0, 4, 2, 1 }, steps[] = { 8, 8, 4, 2 };
  guint fw = (guint) desc->Width, fh = (guint) desc->Height;
  g_autofree GifPixelType *row = g_new (GifPixelType, fw);
  guint passes = desc->Interlace ? 4 : 1;
  RowStatus status;

  for (guint pass = 0; pass < passes; pass++)
    for (guint y = desc->Interlace ? starts[pass] : 0; y < fh;
         y += desc->Interlace ? steps[pass] : 1)
      {
        /* Every row left is below the screen. */
        if (y >= frame->height && pass == passes - 1)
          return skip_rows (r, TRUE);
        /* A newer open may supersede a frame of a billion pixels. */
        if (y % 256 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
          return ROWS_DAMAGED;
        if ((status = read_row (r, row, fw)) != ROWS_OK)
          return status;
        if (y < frame->height)
          {
            for (guint x = 0; x < frame->width; x++)
              if (G_UNLIKELY (!valid[row[x]]))
                {
                  set_error (error, FL_ERROR_INVALID_GIF,
                             "frame %u uses colour %u beyond its colour table of %u", n,
                             row[x], (guint) frame->n_colors);
                  return ROWS_DAMAGED;
                }
            memcpy (frame->indices + (gsize) y * frame->width, row, frame->width);
          }
      }
  /* FlGifLzwReader leaves the end code and the terminator for giflib to pass. */
  return r->lzw != NULL ? skip_rows (r, TRUE) : ROWS_OK;
}

/* Reads one image (descriptor already read) into a new frame. Returns FALSE
 * with error set, or with *truncated set when the file ends early but what
 * came before is usable. */
static gboolean
read_frame (FlGif *gif, GifFileType *file, const ImageFix *fix,
            const GraphicsControlBlock *gcb, guint32 *global, const FlGifLimits *limits,
            GCancellable *cancellable, gboolean *truncated, GError **error)
{
  guint n = gif->frames->len + 1;
  FlGifFrame frame = { 0 };
  guint8 valid[256] = { 0 };
  g_autofree FlGifLzwReader *lzw = NULL;
  RowReader reader = { file, file->UserData, NULL, fix->empty, 0 };
  RowStatus status;
  gsize area;

  if (!setup_frame (gif, file, gcb, global, limits, &frame, valid, error))
    return FALSE;
  if (fix->lzw_size > 8)
    {
      GifSource *source = file->UserData;

      lzw = g_new (FlGifLzwReader, 1);
      fl_gif_lzw_reader_init (lzw, source->data, source->length, fix->raster, fix->lzw_size);
      reader.lzw = lzw;
    }
  area = (gsize) frame.width * frame.height;
  if (area == 0)
    /* Wholly off the screen: it counts as a frame but draws nothing. */
    status = skip_rows (&reader, FALSE);
  else
    {
      frame.indices = g_malloc (area);
      /* Pixels never sent stay transparent when the frame has a transparent
       * index, else take index 0, as browsers show them. */
      memset (frame.indices, frame.transparent >= 0 ? frame.transparent : 0, area);
      status = read_rows (&reader, n, &file->Image, &frame, valid, cancellable, error);
      /* Data that ends early in an empty frame drawn at the screen's size, or
       * in one that FlGifLzwReader reads, ends that frame only, as in browsers. */
      if (status == ROWS_SHORT && (fix->empty || lzw != NULL))
        status = skip_rows (&reader, TRUE);
      else if (status == ROWS_SHORT)
        {
          *truncated = TRUE;
          status = ROWS_OK;
        }
    }
  if (status == ROWS_FILE_ENDS && gif->frames->len > 0)
    {
      *truncated = TRUE;
      status = ROWS_OK;
    }
  if (status != ROWS_OK)
    {
      g_free (frame.indices);
      if (error != NULL && *error == NULL)
        set_error (error, FL_ERROR_INVALID_GIF, "frame %u is damaged: %s", n,
                   describe_gif_error (reader.error));
      return FALSE;
    }
  gif->memory += area + sizeof frame;
  g_array_append_val (gif->frames, frame);
  return TRUE;
}

static gboolean
read_extension (FlGif *gif, GifFileType *file, GraphicsControlBlock *gcb, GError **error)
{
  int code;
  GifByteType *block = NULL;
  gboolean is_loop_app = FALSE, first = TRUE;

  if (DGifGetExtension (file, &code, &block) == GIF_ERROR)
    return FALSE;
  while (block != NULL)
    {
      /* block[0] is the length of the sub-block that follows it. */
      if (code == GRAPHICS_EXT_FUNC_CODE && first && block[0] >= 4)
        DGifExtensionToGCB (block[0], block + 1, gcb);
      else if (code == APPLICATION_EXT_FUNC_CODE && first && block[0] == 11)
        is_loop_app = memcmp (block + 1, "NETSCAPE2.0", 11) == 0
                      || memcmp (block + 1, "ANIMEXTS1.0", 11) == 0;
      else if (is_loop_app && block[0] >= 3 && block[1] == 1)
        gif->loop_count = block[2] | (block[3] << 8);
      first = FALSE;
      if (DGifGetExtensionNext (file, &block) == GIF_ERROR)
        return FALSE;
    }
  return TRUE;
}

static void
reset_gcb (GraphicsControlBlock *gcb)
{
  gcb->DisposalMode = DISPOSAL_UNSPECIFIED;
  gcb->UserInputFlag = false;
  gcb->DelayTime = 0;
  gcb->TransparentColor = NO_TRANSPARENT_COLOR;
}

/* An image record: its descriptor (with the fixes prepare_image makes) and its
 * frame. A file cut short after complete frames sets *truncated and passes. */
static gboolean
decode_image_record (FlGif *gif, GifFileType *file, GifSource *source, GraphicsControlBlock *gcb,
                     guint32 *global, const FlGifLimits *limits, GCancellable *cancellable,
                     gboolean *truncated, GError **error)
{
  ImageFix fix;
  gboolean image_ok;

  prepare_image (gif, source, &fix);
  image_ok = DGifGetImageDesc (file) != GIF_ERROR;
  source->n_patches = 0;
  if (!image_ok)
    {
      if (gif->frames->len > 0 && file->Error == D_GIF_ERR_READ_FAILED)
        {
          *truncated = TRUE;
          return TRUE;
        }
      set_error (error, FL_ERROR_INVALID_GIF, "frame %u is damaged: %s", gif->frames->len + 1,
                 describe_gif_error (file->Error));
      return FALSE;
    }
  if (!read_frame (gif, file, &fix, gcb, global, limits, cancellable, truncated, error))
    return FALSE;
  reset_gcb (gcb);
  /* giflib appends every descriptor to SavedImages: keep that list empty. */
  if (file->ImageCount > 0)
    {
      GifFreeSavedImages (file);
      file->ImageCount = 0;
    }
  return TRUE;
}

/* An extension record (graphic control, loop count). A file cut short after
 * complete frames sets *truncated and passes. */
static gboolean
decode_extension_record (FlGif *gif, GifFileType *file, GraphicsControlBlock *gcb,
                         gboolean *truncated, GError **error)
{
  if (read_extension (gif, file, gcb, error))
    return TRUE;
  if (gif->frames->len > 0 && file->Error == D_GIF_ERR_READ_FAILED)
    {
      *truncated = TRUE;
      return TRUE;
    }
  set_error (error, FL_ERROR_INVALID_GIF, "%s", describe_gif_error (file->Error));
  return FALSE;
}

/* Every record up to the trailer (or the end of a file cut short after
 * complete frames); at least one frame. */
static gboolean
decode_records (FlGif *gif, GifFileType *file, GifSource *source, guint32 *global,
                const FlGifLimits *limits, GCancellable *cancellable, GError **error)
{
  GraphicsControlBlock gcb;
  gboolean done = FALSE, truncated = FALSE;

  reset_gcb (&gcb);
  while (!done && !truncated)
    {
      GifRecordType type;
      gboolean ok = TRUE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (DGifGetRecordType (file, &type) == GIF_ERROR)
        {
          /* A missing trailer after complete frames: keep them, as browsers do. */
          if (gif->frames->len > 0 && file->Error == D_GIF_ERR_READ_FAILED)
            break;
          set_error (error, FL_ERROR_INVALID_GIF, "%s", describe_gif_error (file->Error));
          return FALSE;
        }
      if (type == IMAGE_DESC_RECORD_TYPE)
        ok = decode_image_record (gif, file, source, &gcb, global, limits, cancellable,
                                  &truncated, error);
      else if (type == EXTENSION_RECORD_TYPE)
        ok = decode_extension_record (gif, file, &gcb, &truncated, error);
      /* Bytes after the trailer are not played, as browsers do (giflib's own
       * porsche.gif carries 631 of them); where they start is kept, to say
       * what they are (another GIF joined with cat, or other bytes). */
      else if (type == TERMINATE_RECORD_TYPE)
        {
          done = TRUE;
          gif->trailer_end = source->offset;
        }
      if (!ok)
        return FALSE;
    }
  if (gif->frames->len == 0)
    {
      set_error (error, FL_ERROR_INVALID_GIF, "it contains no frames");
      return FALSE;
    }
  return TRUE;
}

/* The FlGif for file's logical screen, with no frames yet. */
static FlGif *
gif_new_for_screen (GifFileType *file)
{
  FlGif *gif = g_new0 (FlGif, 1);

  gif->ref_count = 1;
  gif->width = (guint) MAX (file->SWidth, 0);
  gif->height = (guint) MAX (file->SHeight, 0);
  gif->loop_count = -1;
  gif->frames = g_array_new (FALSE, TRUE, sizeof (FlGifFrame));
  g_array_set_clear_func (gif->frames, frame_clear);
  gif->palettes = g_ptr_array_new_with_free_func (g_free);
  return gif;
}

/* The logical screen is not empty and within the limits. */
static gboolean
check_screen (const FlGif *gif, const FlGifLimits *limits, GError **error)
{
  if (gif->width == 0 || gif->height == 0)
    {
      set_error (error, FL_ERROR_INVALID_GIF, "its logical screen is empty (%ux%u)", gif->width,
                 gif->height);
      return FALSE;
    }
  if ((guint64) gif->width * gif->height > limits->max_canvas_pixels)
    {
      set_error (error, FL_ERROR_TOO_LARGE,
                 "its logical screen of %ux%u pixels is larger than the limit of %" G_GUINT64_FORMAT
                 " pixels", gif->width, gif->height, limits->max_canvas_pixels);
      return FALSE;
    }
  return TRUE;
}

FlGif *
fl_gif_decode_all (const guint8 *data, gsize length, const FlGifLimits *limits,
                   GCancellable *cancellable, gboolean *over_budget, GError **error)
{
  FlGifLimits defaults;
  GifSource source = { data, length, 0, { 0 }, { 0 }, 0 };
  GifFileType *file;
  int gif_error = 0;
  g_autoptr (FlGif) gif = NULL;
  guint32 *global = NULL;
  GError *local_error = NULL;

  if (limits == NULL)
    {
      fl_gif_limits_init_default (&defaults);
      limits = &defaults;
    }
  if (length > limits->max_file_bytes)
    {
      set_error (error, FL_ERROR_TOO_LARGE, "the file is larger than %" G_GSIZE_FORMAT " MiB",
                 limits->max_file_bytes / (1024 * 1024));
      if (over_budget != NULL)
        *over_budget = TRUE;
      return NULL;
    }

  file = DGifOpen (&source, on_gif_read, &gif_error);
  if (file == NULL)
    {
      set_error (error, FL_ERROR_INVALID_GIF, "%s", describe_gif_error (gif_error));
      return NULL;
    }
  gif = gif_new_for_screen (file);
  if (check_screen (gif, limits, &local_error))
    {
      if (file->SColorMap != NULL)
        global = palette_from_map (gif, file->SColorMap);
      decode_records (gif, file, &source, global, limits, cancellable, &local_error);
    }
  DGifCloseFile (file, &gif_error);
  if (local_error != NULL)
    {
      if (over_budget != NULL)
        *over_budget = gif->over_budget;
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&gif);
}
