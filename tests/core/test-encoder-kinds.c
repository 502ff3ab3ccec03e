/* test-encoder-kinds.c: the optimised encoder on small animations of each kind
 * (fl-test-frames.c): a golden SHA-256 per kind, the same bytes for every P and
 * chunk size, and decoding (the project's reader, Pillow) to exactly the source
 * frames where a frame has at most 256 colours. */
#include "test-encoder.h"

#include "fl-file.h"
#include "fl-gif-reader.h"
#include "fl-png.h"

#include <gif_lib.h>
#include <string.h>

typedef struct
{
  FlTestKind kind;
  guint n_frames;
  guint max_error;     /* 0: every frame exact */
  const char *golden;  /* SHA-256 of the GIF at P=2, default chunks */
} Kind;

static const Kind kinds[] = {
  { FL_TEST_CARTOON, 16, 0, "8d54a40c0c708276c6651ef91d4218f97f5c3b1374042d9ca112a6e4a72da776" },
  { FL_TEST_SCREEN, 16, 0, "633994aa399d6aa150865e13b51816a4e0cf360a2ba76211ca27513eb91d80ae" },
  { FL_TEST_SCREEN_AA, 16, 0, "3bde4f6efeb5ba955f104319c749f8c018f7d77ffdc0ad5a321804a7ea9b9eb3" },
  { FL_TEST_PHOTO, 10, 40, "280a39c265f44aec730839a44831bad5c6b6e62e96839b29a46ae71ad8894399" },
  { FL_TEST_NOISE, 10, 128, "326081e3553e3d240d94d1cff3ad4e79d38dad1693891fc8defa20124ba217c6" },
  { FL_TEST_SPRITE, 16, 0, "9c2fe9dbc0f5a42104b2f943d2ad098e062bb7b4ad4417f75392b06cf431090e" },
};

static void
encode_with (const char *dir, guint n, guint processes, guint chunk_frames,
             gboolean exact_first, const char *gif)
{
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config;
  FlEncodeResult result;

  fl_test_config_init (&config, dir, n, processes, gif);
  config.chunk_frames = chunk_frames;
  config.exact_first = exact_first;
  g_assert_true (fl_encode_gif (&config, NULL, &result, &error));
  if (exact_first)
    g_assert_cmpuint (result.quantised_frames, ==, 0);
  g_assert_no_error (error);
  fl_test_assert_no_children ();
}

static void
encode (const char *dir, guint n, guint processes, guint chunk_frames, const char *gif)
{
  encode_with (dir, n, processes, chunk_frames, FALSE, gif);
}

/* Some frame after the first draws less than the whole screen. */
static void
assert_optimised (const char *gif_path)
{
  int code = 0;
  GifFileType *gif = DGifOpenFileName (gif_path, &code);
  gboolean smaller = FALSE;

  g_assert_nonnull (gif);
  g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
  for (int i = 1; i < gif->ImageCount; i++)
    {
      const GifImageDesc *d = &gif->SavedImages[i].ImageDesc;

      smaller |= d->Width * d->Height < gif->SWidth * gif->SHeight;
    }
  g_assert_true (smaller);
  DGifCloseFile (gif, &code);
}

static void
check_pillow (const char *gif, const char *dir, guint n)
{
  const char *python = g_getenv ("PYTHON_PIL");
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { python, FL_TEST_PILLOW_SCRIPT, gif, dir, count, NULL };
  int status = 0;

  if (python == NULL || python[0] == '\0')
    return;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
  g_test_message ("pillow: %s%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* gifsicle's own compositing: --unoptimize writes every frame whole, which
 * giflib then decodes alone; each must be its PNG (transparent beyond it). */
static void
check_gifsicle (const char *gif, const char *dir, GPtrArray *paths)
{
  g_autofree char *gifsicle = g_find_program_in_path ("gifsicle");
  g_autofree char *whole = g_build_filename (dir, "whole.gif", NULL);
  const char *argv[] = { gifsicle, "--unoptimize", gif, "-o", whole, NULL };
  int status = 0, code = 0;
  GifFileType *in;

  if (gifsicle == NULL)
    {
      g_test_message ("gifsicle is not installed: not checked with it");
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  in = DGifOpenFileName (whole, &code);
  g_assert_nonnull (in);
  g_assert_cmpint (DGifSlurp (in), ==, GIF_OK);
  g_assert_cmpint (in->ImageCount, ==, paths->len);
  for (int i = 0; i < in->ImageCount; i++)
    {
      const SavedImage *frame = &in->SavedImages[i];
      const ColorMapObject *map = frame->ImageDesc.ColorMap ? frame->ImageDesc.ColorMap
                                                             : in->SColorMap;
      GraphicsControlBlock gcb = { .TransparentColor = NO_TRANSPARENT_COLOR };
      g_autofree guint8 *data = NULL;
      g_autoptr (FlImage) png = NULL;
      gsize length;

      DGifSavedExtensionToGCB (in, i, &gcb);
      g_assert_true (fl_file_read (paths->pdata[i], 1u << 26, &data, &length, NULL));
      png = fl_png_decode (data, length, NULL, NULL);
      g_assert_cmpint (frame->ImageDesc.Left, ==, 0);
      g_assert_cmpint (frame->ImageDesc.Top, ==, 0);
      for (int y = 0; y < frame->ImageDesc.Height; y++)
        for (int x = 0; x < frame->ImageDesc.Width; x++)
          {
            int index = frame->RasterBits[y * frame->ImageDesc.Width + x];
            const guint8 *want = (guint) x < png->width && (guint) y < png->height
                                   ? png->pixels + ((gsize) y * png->width + x) * 4
                                   : (const guint8 *) "\0\0\0\0";

            if (want[3] < 128)
              g_assert_cmpint (index, ==, gcb.TransparentColor);
            else
              {
                g_assert_cmpint (index, !=, gcb.TransparentColor);
                g_assert_cmpmem (&map->Colors[index], 3, want, 3);
              }
          }
    }
  DGifCloseFile (in, &code);
}

static void
test_kind (gconstpointer data)
{
  const Kind *k = data;
  g_autofree char *dir = fl_test_dir_new ();
  g_autofree char *frames = g_build_filename (dir, "frames", NULL);
  g_autofree char *gif = g_build_filename (dir, "out.gif", NULL);
  g_autofree char *reference = NULL;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const guint chunks[] = { 0, 1, 3 };

  g_assert_true (fl_test_make_animation (frames, k->kind, k->n_frames, 2026, &error));
  g_assert_no_error (error);
  encode (frames, k->n_frames, 2, 0, gif);
  reference = fl_test_file_sha256 (gif);
  g_test_message ("%s: %s", fl_test_kind_name (k->kind), reference);
  for (guint i = 0; i < k->n_frames; i++)
    g_ptr_array_add (paths, g_strdup_printf ("%s/%u.png", frames, i));
  fl_test_check_gif_frames (gif, (const char *const *) paths->pdata, paths->len, k->max_error);
  if (k->max_error == 0)
    {
      check_pillow (gif, frames, k->n_frames);
      check_gifsicle (gif, dir, paths);
    }
  /* A pan changes every pixel and noise every pixel of every frame. */
  if (k->kind != FL_TEST_NOISE && k->kind != FL_TEST_PHOTO)
    assert_optimised (gif);
  /* Byte-identical whatever the split: each worker reads its neighbours. */
  for (guint p = 1; p <= 4; p++)
    for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
      {
        g_autofree char *sum = NULL;

        if (p == 2 && chunks[c] == 0)
          continue;
        encode (frames, k->n_frames, p, chunks[c], gif);
        sum = fl_test_file_sha256 (gif);
        if (g_strcmp0 (sum, reference) != 0)
          g_error ("%s: P=%u chunk=%u gives %s, P=2 %s", fl_test_kind_name (k->kind), p,
                   chunks[c], sum, reference);
      }
  g_assert_cmpstr (reference, ==, k->golden);
  fl_test_dir_free (g_steal_pointer (&dir));
}

/* A first frame of 1,536 colours (48x32, every pixel its own), then a 4x4
 * square of two colours moving over it. */
static void
make_exact_first (const char *dir, guint n)
{
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlImage) image = fl_image_new (48, 32, 4, NULL);
      g_autoptr (GByteArray) png = g_byte_array_new ();
      g_autofree char *path = g_strdup_printf ("%s/%u.png", dir, i);

      for (guint y = 0; y < 32; y++)
        for (guint x = 0; x < 48; x++)
          {
            guint8 *p = image->pixels + ((gsize) y * 48 + x) * 4;
            gboolean square = i > 0 && x >= 4 * i && x < 4 * i + 4 && y >= 8 && y < 12;

            p[0] = square ? ((x + y) % 2 ? 255 : 0) : (guint8) (x * 5);
            p[1] = square ? ((x + y) % 2 ? 0 : 255) : (guint8) (y * 7);
            p[2] = square ? 0 : (guint8) (x * y);
            p[3] = 255;
          }
      g_assert_true (fl_png_encode (image, png, NULL));
      g_assert_true (g_file_set_contents (path, (const char *) png->data, png->len, NULL));
    }
}

/* exact_first: the first frame in K blocks of at most 256 colours, K - 1 of
 * them with no delay; composed, block K - 1 + i is source i exactly. The same
 * bytes for every P and chunk size. */
static void
test_exact_first (void)
{
  g_autofree char *dir = fl_test_dir_new ();
  g_autofree char *frames = g_build_filename (dir, "frames", NULL);
  g_autofree char *gif = g_build_filename (dir, "out.gif", NULL);
  g_autofree char *reference = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) decoded = NULL;
  g_autoptr (FlGifCanvas) canvas = NULL;
  const guint n = 6, chunks[] = { 0, 1, 3 };
  guint tiles;

  make_exact_first (frames, n);
  encode_with (frames, n, 2, 0, TRUE, gif);
  reference = fl_test_file_sha256 (gif);
  decoded = fl_gif_new_from_file (gif, NULL, NULL, &error);
  g_assert_no_error (error);
  tiles = fl_gif_get_n_frames (decoded) - (n - 1);
  /* Bands of 5 rows of 48 colours each, the last of 2. */
  g_assert_cmpuint (tiles, ==, 7);
  canvas = fl_gif_canvas_new (decoded);
  for (guint k = 0; k < fl_gif_get_n_frames (decoded); k++)
    g_assert_cmpuint (fl_gif_get_frame_delay_cs (decoded, k), ==, k + 1 < tiles ? 0 : 50);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%u.png", frames, i);
      g_autofree guint8 *data = NULL;
      g_autoptr (FlImage) png = NULL;
      guint8 rgba[48 * 32 * 4];
      gsize length;

      g_assert_true (fl_file_read (path, 1u << 20, &data, &length, NULL));
      png = fl_png_decode (data, length, NULL, NULL);
      fl_gif_pixels_to_rgba (fl_gif_canvas_render (canvas, tiles - 1 + i), 48 * 32, rgba);
      g_assert_cmpmem (rgba, sizeof rgba, png->pixels, sizeof rgba);
    }
  for (guint p = 1; p <= 4; p++)
    for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
      {
        g_autofree char *sum = NULL;

        encode_with (frames, n, p, chunks[c], TRUE, gif);
        sum = fl_test_file_sha256 (gif);
        g_assert_cmpstr (sum, ==, reference);
      }
  /* Without the option the first frame is quantised, in one block. */
  encode (frames, n, 2, 0, gif);
  g_clear_pointer (&decoded, fl_gif_unref);
  decoded = fl_gif_new_from_file (gif, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fl_gif_get_n_frames (decoded), ==, n);
  fl_test_dir_free (g_steal_pointer (&dir));
}

void
fl_test_add_kind_tests (void)
{
  g_test_add_func ("/encoder/kinds/exact-first", test_exact_first);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *path = g_strdup_printf ("/encoder/kinds/%s",
                                               fl_test_kind_name (kinds[i].kind));

      g_test_add_data_func (path, &kinds[i], test_kind);
    }
}
