/* fl-gif-reader.c: giflib's record-level API behind FlGif, every size checked
 * before it is allocated. giflib stays inside this file and fl-gif-index.c (the
 * indexed mode for files over the in-memory limits). */
#include "fl-gif-reader.h"

#include "fl-gif-index.h"

#include "fl-encoder.h"
#include "fl-error.h"
#include "fl-file.h"

#include <errno.h>
#include <fcntl.h>
#include <gif_lib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every GIF frameloom-client can write must open. */
G_STATIC_ASSERT (FL_GIF_DEFAULT_MAX_INDEXED_FRAMES >= FL_ENCODE_MAX_FRAMES);

/* Keyframes hold the canvas state just before a frame is drawn. */
#define KEYFRAME_MIN_INTERVAL 32u
#define KEYFRAME_BUDGET_BYTES (64u * 1024u * 1024u)
/* Files under this are decoded without a scan first: they fit at once. */
#define PRESCAN_MIN_BYTES (8u * 1024u * 1024u)

struct _FlGifCanvas
{
  FlGif *gif;
  guint32 *pixels;
  guint32 *saved;    /* the area under a DISPOSE_PREVIOUS frame */
  int index;         /* the frame pixels show, -1: none */
  guint interval;
  guint32 **keyframes; /* (n_frames - 1) / interval + 1, lazily filled */
  guint n_keyframes;
  gsize keyframe_bytes;
  /* Indexed mode: the frame being drawn or disposed, the one-frame GIF that
   * holds its indices, and the synthetic stream's buffer. */
  FlGifFrame frame;
  FlGif *decoded;
  GByteArray *scratch;
  guint64 release_mark; /* the mapping before it may leave the RSS */
};

typedef struct
{
  const guint8 *data;
  gsize length;
  gsize offset;
} GifSource;

void
fl_gif_limits_init_default (FlGifLimits *limits)
{
  limits->max_file_bytes = FL_GIF_DEFAULT_MAX_FILE_BYTES;
  limits->max_canvas_pixels = FL_GIF_DEFAULT_MAX_CANVAS_PIXELS;
  limits->max_frames = FL_GIF_DEFAULT_MAX_FRAMES;
  limits->max_frame_bytes = FL_GIF_DEFAULT_MAX_FRAME_BYTES;
  limits->max_raster_pixels = FL_GIF_DEFAULT_MAX_RASTER_PIXELS;
  limits->max_indexed_file_bytes = FL_GIF_DEFAULT_MAX_INDEXED_FILE_BYTES;
  limits->max_indexed_frames = FL_GIF_DEFAULT_MAX_INDEXED_FRAMES;
}

static int
on_gif_read (GifFileType *file, GifByteType *buffer, int length)
{
  GifSource *source = file->UserData;
  gsize n = length > 0 ? MIN ((gsize) length, source->length - source->offset) : 0;

  if (n > 0) /* data may be NULL for an empty file */
    memcpy (buffer, source->data + source->offset, n);
  source->offset += n;
  return (int) n;
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

/* Reads one image (descriptor already read) into a new frame. Only the rows and
 * columns on the screen are stored; the rest of a row is read into a scratch
 * row, and rows below the screen are skipped undecoded when the interlacing
 * allows. Returns FALSE with error set, or with *truncated set when the raster
 * stops early but what came before is usable. */
static gboolean
read_frame (FlGif *gif, GifFileType *file, const GraphicsControlBlock *gcb, guint32 *global,
            const FlGifLimits *limits, GCancellable *cancellable, gboolean *truncated,
            GError **error)
{
  const GifImageDesc *desc = &file->Image;
  guint n = gif->frames->len + 1;
  FlGifFrame frame = { 0 };
  guint fw = (guint) desc->Width, fh = (guint) desc->Height;
  guint fl = (guint) desc->Left, ft = (guint) desc->Top;
  int n_colors;
  guint8 valid[256] = { 0 };

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
      frame.palette = palette_from_map (gif, desc->ColorMap);
      n_colors = desc->ColorMap->ColorCount;
    }
  else if (global != NULL)
    {
      frame.palette = global;
      n_colors = file->SColorMap->ColorCount;
    }
  else
    {
      /* No table at all: browsers draw such frames in black. */
      ColorMapObject black = { 256, 8, false, (GifColorType[256]) { { 0 } } };

      frame.palette = palette_from_map (gif, &black);
      n_colors = 256;
    }
  memset (valid, 1, MIN (n_colors, 256));
  /* The transparent index draws nothing, so it may lie beyond the table. */
  if (gcb->TransparentColor >= 0 && gcb->TransparentColor < 256)
    valid[gcb->TransparentColor] = 1;

  frame.transparent = gcb->TransparentColor;
  frame.delay_cs = (guint) MAX (gcb->DelayTime, 0);
  frame.disposal = gcb->DisposalMode == DISPOSE_BACKGROUND ? FL_GIF_DISPOSE_BACKGROUND
                   : gcb->DisposalMode == DISPOSE_PREVIOUS ? FL_GIF_DISPOSE_PREVIOUS
                                                           : FL_GIF_DISPOSE_NONE;
  /* The on-screen part; a frame outside the screen keeps an empty rectangle. */
  frame.left = MIN (fl, gif->width);
  frame.top = MIN (ft, gif->height);
  frame.width = MIN (fw, gif->width - frame.left);
  frame.height = MIN (fh, gif->height - frame.top);

  gsize area = (gsize) frame.width * frame.height;
  /* The colour table above is already counted in gif->memory. */
  if (gif->memory > limits->max_frame_bytes
      || area + sizeof frame > limits->max_frame_bytes - gif->memory)
    {
      set_error (error, FL_ERROR_TOO_LARGE,
                 "its frames need more than %" G_GSIZE_FORMAT " MiB of memory",
                 limits->max_frame_bytes / (1024 * 1024));
      gif->over_budget = TRUE;
      return FALSE;
    }
  /* The CPU budget: rows below the screen are skipped, not decoded, except in
   * the first three passes of an interlaced frame. */
  guint64 raster = area == 0 ? 0 : (guint64) fw * (desc->Interlace ? fh : frame.height);
  if (raster > limits->max_raster_pixels - MIN (gif->raster_pixels, limits->max_raster_pixels))
    {
      set_error (error, FL_ERROR_TOO_LARGE,
                 "its frames encode more than %" G_GUINT64_FORMAT " million pixels",
                 limits->max_raster_pixels / 1000000);
      gif->over_budget = TRUE;
      return FALSE;
    }
  gif->raster_pixels += raster;

  if (fw == 0 || fh == 0)
    {
      /* giflib cannot read an empty raster line by line: skip its blocks. */
      if (!skip_raster (file, FALSE))
        goto fail;
      /* An empty frame shows nothing: it is not counted, as in gifsicle. */
      return TRUE;
    }
  else if (area == 0)
    {
      /* Wholly off the screen: it counts as a frame but draws nothing. */
      if (!skip_raster (file, FALSE))
        {
          if (file->Error == D_GIF_ERR_READ_FAILED && gif->frames->len > 0)
            {
              *truncated = TRUE;
              goto done;
            }
          goto fail;
        }
    }
  else
    {
      g_autofree GifPixelType *row = g_new (GifPixelType, fw);
      static const guint starts[] = { 0, 4, 2, 1 }, steps[] = { 8, 8, 4, 2 };
      guint passes = desc->Interlace ? 4 : 1;

      frame.indices = area ? g_malloc (area) : NULL;
      if (frame.indices)
        /* Pixels never sent stay transparent when the frame has a transparent
         * index, else take index 0, as browsers show them. */
        memset (frame.indices, frame.transparent >= 0 ? frame.transparent : 0, area);

      for (guint pass = 0; pass < passes; pass++)
        for (guint y = desc->Interlace ? starts[pass] : 0; y < fh;
             y += desc->Interlace ? steps[pass] : 1)
          {
            if (y >= frame.height && pass == passes - 1)
              {
                /* Every row left is below the screen. */
                if (!skip_raster (file, TRUE))
                  {
                    if (file->Error == D_GIF_ERR_READ_FAILED && gif->frames->len > 0)
                      {
                        *truncated = TRUE;
                        goto done;
                      }
                    g_free (frame.indices);
                    goto fail;
                  }
                goto done;
              }
            /* A newer open may supersede a frame of a billion pixels. */
            if (y % 256 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
              {
                g_free (frame.indices);
                return FALSE;
              }
            if (DGifGetLine (file, row, (int) fw) == GIF_ERROR)
              {
                if (file->Error == D_GIF_ERR_EOF_TOO_SOON
                    || (file->Error == D_GIF_ERR_READ_FAILED && gif->frames->len > 0))
                  {
                    *truncated = TRUE;
                    goto done;
                  }
                g_free (frame.indices);
                goto fail;
              }
            if (y < frame.height && frame.indices != NULL)
              {
                guint8 *dst = frame.indices + (gsize) y * frame.width;

                for (guint x = 0; x < frame.width; x++)
                  if (G_UNLIKELY (!valid[row[x]]))
                    {
                      set_error (error, FL_ERROR_INVALID_GIF,
                                 "frame %u uses colour %u beyond its colour table of %d",
                                 n, row[x], n_colors);
                      g_free (frame.indices);
                      return FALSE;
                    }
                memcpy (dst, row, frame.width);
              }
          }
    }

done:
  gif->memory += area + sizeof frame;
  g_array_append_val (gif->frames, frame);
  return TRUE;

fail:
  set_error (error, FL_ERROR_INVALID_GIF, "frame %u is damaged: %s", n,
             describe_gif_error (file->Error));
  return FALSE;
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

/* The decoded mode; *over_budget (may be NULL) tells a failure at a budget
 * the indexed mode does not have (file size, frame count, decoded bytes, LZW
 * pixels over the whole file) from damage. */
static FlGif *
decode_all (const guint8 *data, gsize length, const FlGifLimits *limits,
            GCancellable *cancellable, gboolean *over_budget, GError **error)
{
  FlGifLimits defaults;
  GifSource source = { data, length, 0 };
  GifFileType *file;
  int gif_error = 0;
  g_autoptr (FlGif) gif = NULL;
  GraphicsControlBlock gcb;
  guint32 *global = NULL;
  gboolean done = FALSE, truncated = FALSE;
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

  gif = g_new0 (FlGif, 1);
  g_atomic_ref_count_init (&gif->ref_count);
  gif->width = (guint) MAX (file->SWidth, 0);
  gif->height = (guint) MAX (file->SHeight, 0);
  gif->loop_count = -1;
  gif->frames = g_array_new (FALSE, TRUE, sizeof (FlGifFrame));
  g_array_set_clear_func (gif->frames, frame_clear);
  gif->palettes = g_ptr_array_new_with_free_func (g_free);

  if (gif->width == 0 || gif->height == 0)
    {
      set_error (&local_error, FL_ERROR_INVALID_GIF, "its logical screen is empty (%ux%u)",
                 gif->width, gif->height);
      goto out;
    }
  if ((guint64) gif->width * gif->height > limits->max_canvas_pixels)
    {
      set_error (&local_error, FL_ERROR_TOO_LARGE,
                 "its logical screen of %ux%u pixels is larger than the limit of %" G_GUINT64_FORMAT
                 " pixels", gif->width, gif->height, limits->max_canvas_pixels);
      goto out;
    }
  if (file->SColorMap != NULL)
    global = palette_from_map (gif, file->SColorMap);

  reset_gcb (&gcb);
  while (!done && !truncated)
    {
      GifRecordType type;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        goto out;
      if (DGifGetRecordType (file, &type) == GIF_ERROR)
        {
          /* A missing trailer after complete frames: keep them, as browsers do. */
          if (gif->frames->len > 0 && file->Error == D_GIF_ERR_READ_FAILED)
            break;
          set_error (&local_error, FL_ERROR_INVALID_GIF, "%s", describe_gif_error (file->Error));
          goto out;
        }
      switch (type)
        {
        case IMAGE_DESC_RECORD_TYPE:
          if (DGifGetImageDesc (file) == GIF_ERROR)
            {
              if (gif->frames->len > 0 && file->Error == D_GIF_ERR_READ_FAILED)
                {
                  truncated = TRUE;
                  break;
                }
              set_error (&local_error, FL_ERROR_INVALID_GIF, "frame %u is damaged: %s",
                         gif->frames->len + 1, describe_gif_error (file->Error));
              goto out;
            }
          if (!read_frame (gif, file, &gcb, global, limits, cancellable, &truncated,
                           &local_error))
            goto out;
          reset_gcb (&gcb);
          /* giflib appends every descriptor to SavedImages: keep that list empty. */
          if (file->ImageCount > 0)
            {
              GifFreeSavedImages (file);
              file->ImageCount = 0;
            }
          break;
        case EXTENSION_RECORD_TYPE:
          if (!read_extension (gif, file, &gcb, &local_error))
            {
              if (gif->frames->len > 0 && file->Error == D_GIF_ERR_READ_FAILED)
                {
                  truncated = TRUE;
                  break;
                }
              set_error (&local_error, FL_ERROR_INVALID_GIF, "%s",
                         describe_gif_error (file->Error));
              goto out;
            }
          break;
        case TERMINATE_RECORD_TYPE:
          done = TRUE;
          gif->trailer_end = source.offset;
          /* Bytes after the trailer are ignored, as browsers do (giflib's own
           * porsche.gif carries 631 of them). */
          break;
        default:
          break;
        }
    }

  if (gif->frames->len == 0)
    set_error (&local_error, FL_ERROR_INVALID_GIF, "it contains no frames");

out:
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

FlGif *
fl_gif_new_from_bytes (const guint8 *data, gsize length, const FlGifLimits *limits,
                       GCancellable *cancellable, GError **error)
{
  FlGif *gif = decode_all (data, length, limits, cancellable, NULL, error);

  if (gif != NULL)
    fl_gif_trailing_scan (gif, data, length, limits, cancellable);
  return gif;
}

/* Maps path read-only. Opened without blocking and checked to be a regular file
 * first: a FIFO would block the open (and a loader thread) until a writer came,
 * and a folder or a device has nothing to map. */
static GMappedFile *
map_file (const char *path, const char *display, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  GMappedFile *mapped;
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not open “%s”: %s.",
                   display, fl_strerror (errsv));
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    st.st_mode = 0;
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_IO, "Could not open “%s”: it is %s, not a GIF file.",
                   display, fl_file_describe_type (st.st_mode));
      close (fd);
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL)
    g_set_error (error, FL_ERROR,
                 g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOMEM)
                   ? FL_ERROR_TOO_LARGE : FL_ERROR_IO,
                 "Could not open “%s”: it cannot be mapped into memory.", display);
  return mapped;
}

FlGif *
fl_gif_new_from_file (const char *path, const FlGifLimits *limits, GCancellable *cancellable,
                      GError **error)
{
  FlGifLimits defaults;
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *display = g_filename_display_name (path);
  FlGif *gif = NULL;
  gsize length;
  gboolean over_budget;

  if (limits == NULL)
    {
      fl_gif_limits_init_default (&defaults);
      limits = &defaults;
    }
  mapped = map_file (path, display, error);
  if (mapped == NULL)
    return NULL;
  length = g_mapped_file_get_length (mapped);
  over_budget = length > limits->max_file_bytes;
  if (!over_budget && limits->max_indexed_frames > 0 && length > PRESCAN_MIN_BYTES)
    {
      /* A big file: a scan (fast: block lengths only) tells whether its frames
       * fit the decoded budgets before they are decoded, not after. */
      g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (mapped);

      gif = fl_gif_index_scan (bytes, TRUE, limits, cancellable, NULL);
      if (gif != NULL && fl_gif_get_n_frames (gif) <= limits->max_frames
          && gif->decoded_bytes <= limits->max_frame_bytes
          && gif->raster_pixels <= limits->max_raster_pixels)
        g_clear_pointer (&gif, fl_gif_unref);
    }
  if (gif == NULL && (!over_budget || limits->max_indexed_frames == 0))
    gif = decode_all ((const guint8 *) g_mapped_file_get_contents (mapped), length, limits,
                      cancellable, &over_budget, &local_error);
  if (gif == NULL && over_budget && limits->max_indexed_frames > 0)
    {
      /* Over the in-memory budgets: keep the file mapped and decode each
       * frame when it is drawn. */
      g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (mapped);

      g_clear_error (&local_error);
      gif = fl_gif_index_scan (bytes, TRUE, limits, cancellable, &local_error);
    }
  if (gif == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error (error, FL_ERROR, FL_ERROR_CANCELLED, "Opening “%s” was cancelled.", display);
      else
        g_set_error (error, FL_ERROR, local_error->domain == FL_ERROR ? local_error->code
                                                                    : FL_ERROR_INVALID_GIF,
                     "Could not open “%s”: %s.", display, local_error->message);
    }
  else
    fl_gif_trailing_scan (gif, (const guint8 *) g_mapped_file_get_contents (mapped), length,
                          limits, cancellable);
  return gif;
}

FlGif *
fl_gif_ref (FlGif *gif)
{
  g_atomic_ref_count_inc (&gif->ref_count);
  return gif;
}

void
fl_gif_unref (FlGif *gif)
{
  if (gif == NULL || !g_atomic_ref_count_dec (&gif->ref_count))
    return;
  g_clear_pointer (&gif->frames, g_array_unref);
  g_clear_pointer (&gif->index, g_array_unref);
  g_clear_pointer (&gif->file, g_bytes_unref);
  g_ptr_array_unref (gif->palettes);
  g_free (gif);
}

guint
fl_gif_get_width (FlGif *gif)
{
  return gif->width;
}

guint
fl_gif_get_height (FlGif *gif)
{
  return gif->height;
}

guint
fl_gif_get_n_frames (FlGif *gif)
{
  return gif->frames != NULL ? gif->frames->len : gif->index->len;
}

int
fl_gif_get_loop_count (FlGif *gif)
{
  return gif->loop_count;
}

guint
fl_gif_get_frame_delay_cs (FlGif *gif, guint index)
{
  g_return_val_if_fail (index < fl_gif_get_n_frames (gif), 0);
  if (gif->frames == NULL)
    return g_array_index (gif->index, FlGifIndexEntry, index).delay_cs;
  return g_array_index (gif->frames, FlGifFrame, index).delay_cs;
}

guint
fl_gif_get_frame_delay_ms (FlGif *gif, guint index)
{
  guint cs = fl_gif_get_frame_delay_cs (gif, index);

  return 10 * (cs < FL_GIF_MIN_DELAY_CS ? FL_GIF_CLAMPED_DELAY_CS : cs);
}

FlGifDisposal
fl_gif_get_frame_disposal (FlGif *gif, guint index)
{
  g_return_val_if_fail (index < fl_gif_get_n_frames (gif), FL_GIF_DISPOSE_NONE);
  if (gif->frames == NULL)
    return g_array_index (gif->index, FlGifIndexEntry, index).disposal;
  return g_array_index (gif->frames, FlGifFrame, index).disposal;
}

gsize
fl_gif_get_memory_size (FlGif *gif)
{
  return gif->memory;
}

FlGifCanvas *
fl_gif_canvas_new (FlGif *gif)
{
  FlGifCanvas *canvas = g_new0 (FlGifCanvas, 1);
  gsize bytes = (gsize) gif->width * gif->height * 4;
  guint n = fl_gif_get_n_frames (gif);

  canvas->gif = fl_gif_ref (gif);
  canvas->pixels = g_malloc0 (bytes);
  canvas->saved = g_malloc0 (bytes);
  canvas->index = -1;
  /* Enough keyframes that a seek replays few frames, all of them within the
   * budget: max_keys of them fit (at least one: a canvas is at most 64 MiB). */
  gsize max_keys = MAX (KEYFRAME_BUDGET_BYTES / MAX (bytes, 1), 1);
  canvas->interval = (guint) MAX ((gsize) KEYFRAME_MIN_INTERVAL, (n + max_keys - 1) / max_keys);
  canvas->n_keyframes = n > 0 ? (n - 1) / canvas->interval + 1 : 1;
  canvas->keyframes = g_new0 (guint32 *, canvas->n_keyframes);
  if (gif->frames == NULL)
    canvas->scratch = g_byte_array_new ();
  return canvas;
}

void
fl_gif_canvas_free (FlGifCanvas *canvas)
{
  if (canvas == NULL)
    return;
  for (guint i = 0; i < canvas->n_keyframes; i++)
    g_free (canvas->keyframes[i]);
  g_free (canvas->keyframes);
  g_free (canvas->pixels);
  g_free (canvas->saved);
  g_clear_pointer (&canvas->decoded, fl_gif_unref);
  g_clear_pointer (&canvas->scratch, g_byte_array_unref);
  fl_gif_unref (canvas->gif);
  g_free (canvas);
}

gsize
fl_gif_canvas_get_memory_size (FlGifCanvas *canvas)
{
  return 2 * (gsize) canvas->gif->width * canvas->gif->height * 4 + canvas->keyframe_bytes;
}

static void
copy_rect (guint32 *dst, const guint32 *src, guint stride, const FlGifFrame *f)
{
  for (guint y = f->top; y < f->top + f->height; y++)
    memcpy (dst + (gsize) y * stride + f->left, src + (gsize) y * stride + f->left,
            f->width * sizeof (guint32));
}

/* Frame index as draw_frame and dispose_frame need it. In indexed mode it is
 * described from the file and, with pixels, LZW-decoded now; a frame whose
 * data turns out damaged keeps no indices and draws nothing. */
static const FlGifFrame *
canvas_frame (FlGifCanvas *canvas, guint index, gboolean pixels)
{
  FlGif *gif = canvas->gif;

  if (gif->frames != NULL)
    return &g_array_index (gif->frames, FlGifFrame, index);
  fl_gif_index_get_frame (gif, index, &canvas->frame);
  if (pixels)
    {
      g_clear_pointer (&canvas->decoded, fl_gif_unref);
      fl_gif_index_release (gif, index, &canvas->release_mark);
      canvas->decoded = fl_gif_index_decode (gif, index, canvas->scratch);
      if (canvas->decoded != NULL && canvas->decoded->frames->len == 1)
        {
          const FlGifFrame *d = &g_array_index (canvas->decoded->frames, FlGifFrame, 0);

          /* Same screen, same descriptor: the same rectangle. */
          if (d->left == canvas->frame.left && d->top == canvas->frame.top
              && d->width == canvas->frame.width && d->height == canvas->frame.height)
            {
              canvas->frame.indices = d->indices;
              canvas->frame.palette = d->palette;
            }
        }
    }
  return &canvas->frame;
}

/* Undoes frame index's effect according to its disposal. */
static void
dispose_frame (FlGifCanvas *canvas, guint index)
{
  const FlGifFrame *f = canvas_frame (canvas, index, FALSE);
  guint stride = canvas->gif->width;

  if (f->disposal == FL_GIF_DISPOSE_BACKGROUND)
    for (guint y = f->top; y < f->top + f->height; y++)
      memset (canvas->pixels + (gsize) y * stride + f->left, 0, f->width * sizeof (guint32));
  else if (f->disposal == FL_GIF_DISPOSE_PREVIOUS)
    copy_rect (canvas->pixels, canvas->saved, stride, f);
}

static void
draw_frame (FlGifCanvas *canvas, guint index)
{
  const FlGifFrame *f = canvas_frame (canvas, index, TRUE);
  guint stride = canvas->gif->width;
  gsize bytes = (gsize) stride * canvas->gif->height * 4;

  if (index % canvas->interval == 0 && canvas->keyframes[index / canvas->interval] == NULL)
    {
      canvas->keyframes[index / canvas->interval] = g_memdup2 (canvas->pixels, bytes);
      canvas->keyframe_bytes += bytes;
    }
  if (f->disposal == FL_GIF_DISPOSE_PREVIOUS)
    copy_rect (canvas->saved, canvas->pixels, stride, f);
  /* A frame clipped to nothing (it starts past the screen's edge) has no
   * indices; its rows would start from a NULL pointer. */
  for (guint y = 0; f->indices != NULL && y < f->height; y++)
    {
      const guint8 *src = f->indices + (gsize) y * f->width;
      guint32 *dst = canvas->pixels + (gsize) (f->top + y) * stride + f->left;

      for (guint x = 0; x < f->width; x++)
        if ((int) src[x] != f->transparent)
          dst[x] = f->palette[src[x]];
    }
  canvas->index = (int) index;
}

const guint32 *
fl_gif_canvas_render (FlGifCanvas *canvas, guint index)
{
  guint n = fl_gif_get_n_frames (canvas->gif);
  guint start;

  g_return_val_if_fail (index < n, canvas->pixels);
  if (canvas->index == (int) index)
    return canvas->pixels;

  if (canvas->index >= 0 && (guint) canvas->index < index
      && index - (guint) canvas->index <= canvas->interval)
    {
      start = (guint) canvas->index + 1;
      dispose_frame (canvas, start - 1);
    }
  else
    {
      /* Start from the nearest known keyframe at or before index. */
      guint k = index / canvas->interval;
      gsize bytes = (gsize) canvas->gif->width * canvas->gif->height * 4;

      while (k > 0 && canvas->keyframes[k] == NULL)
        k--;
      start = k * canvas->interval;
      if (canvas->index >= 0 && (guint) canvas->index < index && (guint) canvas->index >= start)
        {
          start = (guint) canvas->index + 1;
          dispose_frame (canvas, start - 1);
        }
      else if (canvas->keyframes[k] != NULL)
        memcpy (canvas->pixels, canvas->keyframes[k], bytes);
      else
        memset (canvas->pixels, 0, bytes);
    }
  /* Indexed mode: after a full-screen frame disposed to the background, or
   * from a frame that paints the whole screen opaquely, what came before is
   * irrelevant: a far seek starts there (frameloom-client writes only such
   * frames), not at a keyframe that may not exist yet. */
  if (canvas->gif->frames == NULL)
    {
      gboolean clear;
      guint found = fl_gif_index_find_start (canvas->gif, start, index, &clear);

      if (found != start && clear)
        memset (canvas->pixels, 0, (gsize) canvas->gif->width * canvas->gif->height * 4);
      start = found;
    }
  for (guint i = start; i <= index; i++)
    {
      if (i > start)
        dispose_frame (canvas, i - 1);
      draw_frame (canvas, i);
    }
  return canvas->pixels;
}

void
fl_gif_pixels_to_rgba (const guint32 *pixels, gsize n_pixels, guint8 *rgba)
{
  for (gsize i = 0; i < n_pixels; i++)
    {
      guint32 p = pixels[i];

      rgba[4 * i + 0] = (p >> 16) & 0xff;
      rgba[4 * i + 1] = (p >> 8) & 0xff;
      rgba[4 * i + 2] = p & 0xff;
      rgba[4 * i + 3] = p >> 24;
    }
}
