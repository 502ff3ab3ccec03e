/* fl-hostile-gifinfo: decodes a GIF with giflib (DGifSlurp) and describes it, for
 * the hostile encoder tests.
 *
 *   fl-hostile-gifinfo FILE.gif [DUMP_DIR]
 *
 * stdout: "screen W H images N loop L", then per image
 * "image I left L top T width W height H delay CS transparent X colours C".
 * With DUMP_DIR, writes DUMP_DIR/<I>.rgba: the image's own rectangle as RGBA8,
 * alpha 0 at the transparent index. Exits 1 with a sentence on stderr when giflib
 * refuses the file, a colour index is outside its table, or an image lies outside
 * the screen: our encoder must never write such a GIF. */
#include <gif_lib.h>
#include <string.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

static int
fail (const char *path, const char *why, int code)
{
  const char *text = code != 0 ? GifErrorString (code) : NULL;

  fprintf (stderr, "%s: %s%s%s\n", path, why, text ? ": " : "", text ? text : "");
  return 1;
}

static int
loop_count (const SavedImage *image)
{
  for (int i = 0; i < image->ExtensionBlockCount; i++)
    {
      const ExtensionBlock *b = &image->ExtensionBlocks[i];
      if (b->Function == APPLICATION_EXT_FUNC_CODE && b->ByteCount == 11
          && memcmp (b->Bytes, "NETSCAPE2.0", 11) == 0 && i + 1 < image->ExtensionBlockCount
          && image->ExtensionBlocks[i + 1].ByteCount >= 3)
        {
          const GifByteType *d = image->ExtensionBlocks[i + 1].Bytes;
          return d[1] | (d[2] << 8);
        }
    }
  return -1;
}

int
main (int argc, char **argv)
{
  const char *path = argc > 1 ? argv[1] : NULL;
  GifFileType *gif;
  int error = 0, loop = -1;

  if (argc < 2 || argc > 3)
    {
      fprintf (stderr, "Usage: %s FILE.gif [DUMP_DIR]\n", argv[0]);
      return 2;
    }
  gif = DGifOpenFileName (path, &error);
  if (gif == NULL)
    return fail (path, "giflib cannot open it", error);
  if (DGifSlurp (gif) != GIF_OK)
    {
      int code = gif->Error;
      DGifCloseFile (gif, &error);
      return fail (path, "giflib cannot decode it", code);
    }
  for (int i = 0; i < gif->ImageCount && loop < 0; i++)
    loop = loop_count (&gif->SavedImages[i]);
  printf ("screen %d %d images %d loop %d\n", gif->SWidth, gif->SHeight, gif->ImageCount, loop);
  for (int i = 0; i < gif->ImageCount; i++)
    {
      const SavedImage *image = &gif->SavedImages[i];
      const GifImageDesc *d = &image->ImageDesc;
      const ColorMapObject *map = d->ColorMap ? d->ColorMap : gif->SColorMap;
      GraphicsControlBlock gcb = { .TransparentColor = NO_TRANSPARENT_COLOR };
      g_autofree guint8 *rgba = NULL;
      gsize n = (gsize) d->Width * d->Height;

      DGifSavedExtensionToGCB (gif, i, &gcb);
      if (map == NULL)
        return fail (path, "an image has no colour table", 0);
      if (d->Left + d->Width > gif->SWidth || d->Top + d->Height > gif->SHeight)
        return fail (path, "an image lies outside the logical screen", 0);
      printf ("image %d left %d top %d width %d height %d delay %d transparent %d colours %d\n",
              i, d->Left, d->Top, d->Width, d->Height, gcb.DelayTime, gcb.TransparentColor,
              map->ColorCount);
      rgba = g_malloc (n * 4 + 1);
      for (gsize p = 0; p < n; p++)
        {
          int index = image->RasterBits[p];
          if (index >= map->ColorCount)
            return fail (path, "a colour index is outside the colour table", 0);
          rgba[p * 4] = map->Colors[index].Red;
          rgba[p * 4 + 1] = map->Colors[index].Green;
          rgba[p * 4 + 2] = map->Colors[index].Blue;
          rgba[p * 4 + 3] = index == gcb.TransparentColor ? 0 : 255;
        }
      if (argc == 3)
        {
          g_autofree char *name = g_strdup_printf ("%d.rgba", i);
          g_autofree char *out = g_build_filename (argv[2], name, NULL);
          if (!g_file_set_contents (out, (const char *) rgba, (gssize) (n * 4), NULL))
            return fail (out, "cannot be written", 0);
        }
    }
  DGifCloseFile (gif, &error);
  return 0;
}
