/* decode-floor: the single-process floors of the GIF stage.
 *
 *   decode-floor DIR N [OUT.gif]
 *
 * Reads DIR/0.png .. DIR/<N-1>.png with plain libpng (any PNG kind expanded to
 * 8-bit RGBA) in one process and one thread: the "decode floor". With OUT.gif it
 * also writes a lossless animated GIF89a with plain giflib (NETSCAPE2.0 loop
 * forever, 500 ms per frame, one local colour table of the frame's exact colours,
 * alpha < 128 as one transparent index): the "libpng + giflib floor". Frames with
 * more than 256 colours are not quantised: the program then fails.
 * Prints one JSON object: {"frames": N, "seconds": S, "decode_seconds": D}, where
 * S is the whole work (read, decode, palette, LZW, write) timed inside the process
 * and D the part spent reading and decoding PNGs.
 */
#include <gif_lib.h>
#include <png.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Decodes path into *rgba (grown as needed), 8-bit RGBA. Returns 0 on success. */
static int
decode_png (const char *path, uint8_t **rgba, size_t *cap, uint32_t *w, uint32_t *h)
{
  FILE *f = fopen (path, "rb");
  png_structp png;
  png_infop info;
  png_bytep *rows = NULL;
  if (!f)
    {
      fprintf (stderr, "decode-floor: %s: %s\n", path, strerror (errno));
      return -1;
    }
  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  info = png_create_info_struct (png);
  if (setjmp (png_jmpbuf (png)))
    {
      fprintf (stderr, "decode-floor: %s: invalid PNG\n", path);
      png_destroy_read_struct (&png, &info, NULL);
      free (rows);
      fclose (f);
      return -1;
    }
  png_init_io (png, f);
  png_read_info (png, info);
  png_set_expand (png);
  png_set_strip_16 (png);
  png_set_gray_to_rgb (png);
  png_set_add_alpha (png, 0xff, PNG_FILLER_AFTER);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);
  *w = png_get_image_width (png, info);
  *h = png_get_image_height (png, info);
  if ((size_t) *w * *h * 4 > *cap)
    {
      *cap = (size_t) *w * *h * 4;
      *rgba = realloc (*rgba, *cap);
    }
  rows = malloc (*h * sizeof *rows);
  for (uint32_t y = 0; y < *h; y++)
    rows[y] = *rgba + (size_t) y * *w * 4;
  png_read_image (png, rows);
  png_read_end (png, NULL);
  png_destroy_read_struct (&png, &info, NULL);
  free (rows);
  fclose (f);
  return 0;
}

#define HASH_SIZE 1024 /* > 2 * 257 slots: open addressing stays short */

/* Exact palette of one frame: fills colors and index, returns the count or -1 (> 256). */
static int
build_palette (const uint8_t *rgba, size_t n_pixels, GifColorType *colors, GifByteType *index,
               int *transparent)
{
  uint32_t keys[HASH_SIZE];
  int16_t values[HASH_SIZE];
  int n = 0;
  memset (values, 0xff, sizeof values);
  *transparent = -1;
  for (size_t i = 0; i < n_pixels; i++)
    {
      const uint8_t *p = rgba + i * 4;
      uint32_t key = p[3] < 128 ? 0 : (1u << 24) | (p[0] << 16) | (p[1] << 8) | p[2];
      uint32_t slot = (key * 2654435761u) >> 22;
      while (values[slot] >= 0 && keys[slot] != key)
        slot = (slot + 1) & (HASH_SIZE - 1);
      if (values[slot] < 0)
        {
          if (n == 256)
            return -1;
          keys[slot] = key;
          values[slot] = (int16_t) n;
          colors[n].Red = key ? p[0] : 0;
          colors[n].Green = key ? p[1] : 0;
          colors[n].Blue = key ? p[2] : 0;
          if (!key)
            *transparent = n;
          n++;
        }
      index[i] = (GifByteType) values[slot];
    }
  return n;
}

int
main (int argc, char **argv)
{
  const char *dir, *out = NULL;
  long n;
  uint8_t *rgba = NULL;
  size_t cap = 0;
  GifByteType *index = NULL;
  GifFileType *gif = NULL;
  double start, decode = 0;
  unsigned long long checksum = 0;
  int error = 0;

  if (argc < 3 || argc > 4 || (n = strtol (argv[2], NULL, 10)) <= 0)
    {
      fprintf (stderr, "Usage: decode-floor DIR N [OUT.gif]\n");
      return 2;
    }
  dir = argv[1];
  if (argc == 4)
    out = argv[3];

  start = now ();
  if (out && !(gif = EGifOpenFileName (out, false, &error)))
    {
      fprintf (stderr, "decode-floor: %s: %s\n", out, GifErrorString (error));
      return 1;
    }
  for (long i = 0; i < n; i++)
    {
      char path[4096];
      uint32_t w, h;
      double t0 = now ();
      snprintf (path, sizeof path, "%s/%ld.png", dir, i);
      if (decode_png (path, &rgba, &cap, &w, &h) != 0)
        return 1;
      decode += now () - t0;
      if (!gif)
        {
          checksum += rgba[0] + rgba[(size_t) w * h * 4 - 1];
          continue;
        }

      GifColorType colors[256];
      int transparent, count, bits = 1;
      index = realloc (index, (size_t) w * h);
      count = build_palette (rgba, (size_t) w * h, colors, index, &transparent);
      if (count < 0)
        {
          fprintf (stderr, "decode-floor: %s has more than 256 colours: not quantised here\n", path);
          return 1;
        }
      while ((1 << bits) < count)
        bits++;
      for (int k = count; k < (1 << bits); k++)
        colors[k] = (GifColorType){ 0, 0, 0 };
      ColorMapObject *map = GifMakeMapObject (1 << bits, colors);
      if (i == 0)
        {
          /* Logical screen = the first frame; NETSCAPE2.0 loop forever. */
          static const GifByteType loop[3] = { 1, 0, 0 };
          if (EGifPutScreenDesc (gif, (int) w, (int) h, 8, 0, NULL) == GIF_ERROR
              || EGifPutExtensionLeader (gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR
              || EGifPutExtensionBlock (gif, 11, "NETSCAPE2.0") == GIF_ERROR
              || EGifPutExtensionBlock (gif, 3, loop) == GIF_ERROR
              || EGifPutExtensionTrailer (gif) == GIF_ERROR)
            goto gif_error;
        }
      GraphicsControlBlock gcb = { .DisposalMode = DISPOSE_BACKGROUND, .UserInputFlag = false,
                                   .DelayTime = 50, .TransparentColor = transparent };
      GifByteType ext[4];
      EGifGCBToExtension (&gcb, ext);
      if (EGifPutExtension (gif, GRAPHICS_EXT_FUNC_CODE, 4, ext) == GIF_ERROR
          || EGifPutImageDesc (gif, 0, 0, (int) w, (int) h, false, map) == GIF_ERROR)
        goto gif_error;
      for (uint32_t y = 0; y < h; y++)
        if (EGifPutLine (gif, index + (size_t) y * w, (int) w) == GIF_ERROR)
          goto gif_error;
      GifFreeMapObject (map);
    }
  if (gif && EGifCloseFile (gif, &error) == GIF_ERROR)
    {
      fprintf (stderr, "decode-floor: %s: %s\n", out, GifErrorString (error));
      return 1;
    }
  printf ("{\"frames\": %ld, \"seconds\": %.6f, \"decode_seconds\": %.6f, \"checksum\": %llu}\n",
          n, now () - start, decode, checksum);
  free (rgba);
  free (index);
  return 0;

gif_error:
  fprintf (stderr, "decode-floor: %s: %s\n", out, GifErrorString (gif->Error));
  return 1;
}
