/* test-encoder.c: the multi-process GIF encoder produces lossless, identical GIFs. */
#include "test-encoder.h"
#include "fl-test-util.h"

#include "fl-error.h"
#include "fl-file.h"
#include "fl-png.h"

#include <errno.h>
#include <gif_lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

/* SHA-256 of the GIF built by test_golden from its seeded frames. */
#define GOLDEN_SHA256 "a9ffa6a893d1623a4c77d1f5fce6957968973f2989940237cda2bede4d79c223"

char *
fl_test_dir_new (void)
{
  return fl_test_make_dir ("fl-encoder-XXXXXX");
}

void
fl_test_dir_free (char *dir)
{
  fl_test_remove_tree (dir);
  g_free (dir);
}

char *
fl_test_file_sha256 (const char *path)
{
  g_autofree guint8 *data = NULL;
  gsize length;

  g_assert_true (fl_file_read (path, 1u << 30, &data, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
}

void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = fl_test_dir_new ();
  f->gif = g_build_filename (f->dir, "out.gif", NULL);
}

void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fl_test_dir_free (g_steal_pointer (&f->dir));
  g_free (f->gif);
}

void
fl_test_config_init (FlEncodeConfig *config, const char *frames_dir, guint n_frames,
                     guint processes, const char *output)
{
  *config = (FlEncodeConfig) {
    .frames_dir = frames_dir,
    .n_frames = n_frames,
    .processes = processes,
    .delay_ms = 500,
    .loop = 0,
    .output = output,
    .worker_path = FL_TEST_WORKER_PATH,
  };
}

void
fl_test_assert_no_children (void)
{
  int status;

  g_assert_cmpint (waitpid (-1, &status, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

static FlImage *
read_png (const char *path)
{
  g_autofree guint8 *data = NULL;
  gsize length;
  g_autoptr (GError) error = NULL;
  FlImage *image;

  g_assert_true (fl_file_read (path, FL_PNG_DEFAULT_MAX_BYTES, &data, &length, &error));
  image = fl_png_decode (data, length, NULL, &error);
  g_assert_no_error (error);
  return image;
}

/* Decodes gif_path with giflib (structure, delays, loop) and composes every
 * frame with the project's reader (disposal and transparency applied): each
 * must show its PNG at the top left, transparent beyond it, with exact colours
 * (alpha < 128 as transparent) unless the frame was quantised, where every
 * channel must be within max_error. */
static void
check_gif (const char *gif_path, const char *frames_dir, guint n_frames, guint max_error)
{
  int code = 0;
  GifFileType *gif = DGifOpenFileName (gif_path, &code);
  guint screen_w = 0, screen_h = 0;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (gif);
  g_assert_cmpint (DGifSlurp (gif), ==, GIF_OK);
  g_assert_cmpint (gif->ImageCount, ==, n_frames);
  for (int i = 0; i < gif->ImageCount; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%d.png", frames_dir, i);
      g_autoptr (FlImage) png = read_png (path);
      const GifImageDesc *d = &gif->SavedImages[i].ImageDesc;
      GraphicsControlBlock gcb;

      screen_w = MAX (screen_w, png->width);
      screen_h = MAX (screen_h, png->height);
      g_assert_cmpint (DGifSavedExtensionToGCB (gif, i, &gcb), ==, GIF_OK);
      g_assert_cmpint (gcb.DelayTime, ==, 50);
      g_assert_true (d->ColorMap != NULL || gif->SColorMap != NULL);
      /* Inside the frame's own area, so inside the screen. */
      g_assert_cmpint (d->Left + d->Width, <=, png->width);
      g_assert_cmpint (d->Top + d->Height, <=, png->height);
      g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  g_assert_cmpint (gif->SWidth, ==, screen_w);
  g_assert_cmpint (gif->SHeight, ==, screen_h);
  /* NETSCAPE2.0, loop 0, in the extension blocks before the first image's GCE. */
  g_assert_cmpint (gif->SavedImages[0].ExtensionBlockCount, >=, 3);
  g_assert_cmpmem (gif->SavedImages[0].ExtensionBlocks[0].Bytes, 11, "NETSCAPE2.0", 11);
  g_assert_cmpmem (gif->SavedImages[0].ExtensionBlocks[1].Bytes, 3, "\x01\x00\x00", 3);
  g_assert_cmpint (DGifCloseFile (gif, &code), ==, GIF_OK);
  fl_test_check_gif_frames (gif_path, (const char *const *) paths->pdata, paths->len, max_error);
}

static void
encode_ok (const char *frames_dir, guint n, guint processes, const char *output,
           FlEncodeResult *result)
{
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config;
  FlEncodeResult local;

  fl_test_config_init (&config, frames_dir, n, processes, output);
  g_assert_true (fl_encode_gif (&config, NULL, result ? result : &local, &error));
  g_assert_no_error (error);
  fl_test_assert_no_children ();
}

/* 40 frames: random RGB 10x10, RGBA with transparency, few colours, other sizes. */
static void
make_mixed_frames (const char *dir)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (fl_test_make_frames (dir, 0, 25, 10, 10, 3, 0, 1, &error));
  g_assert_true (fl_test_make_frames (dir, 25, 5, 17, 5, 4, 0, 2, &error));
  g_assert_true (fl_test_make_frames (dir, 30, 5, 1, 1, 3, 0, 3, &error));
  g_assert_true (fl_test_make_frames (dir, 35, 4, 23, 31, 4, 3, 4, &error));
  g_assert_true (fl_test_make_frames (dir, 39, 1, 12, 3, 3, 2, 5, &error));
  g_assert_no_error (error);
}

/* The encoder's events tell its progress: frames received only ever rise,
 * up to every frame, between the stage's start and end. */
static guint64
check_progress (GArray *events, guint64 total, guint workers)
{
  guint64 last = 0;

  g_assert_cmpuint (events->len, >=, 2);
  g_assert_cmpint (g_array_index (events, FlEvent, 0).kind, ==, FL_EVENT_STAGE_STARTED);
  g_assert_cmpuint (g_array_index (events, FlEvent, 0).stage.total, ==, total);
  g_assert_cmpuint (g_array_index (events, FlEvent, 0).stage.tracks, ==, workers);
  for (guint i = 1; i + 1 < events->len; i++)
    {
      const FlEvent *event = &g_array_index (events, FlEvent, i);

      if (event->kind == FL_EVENT_CHUNK_PROGRESS || event->kind == FL_EVENT_CHUNK_ENCODED)
        {
          g_assert_cmpuint (event->chunk.stage_done, >=, last);
          g_assert_cmpuint (event->chunk.stage_done, <=, total);
          last = event->chunk.stage_done;
        }
    }
  g_assert_cmpint (g_array_index (events, FlEvent, events->len - 1).kind, ==,
                   FL_EVENT_STAGE_ENDED);
  g_assert_cmpuint (g_array_index (events, FlEvent, events->len - 1).stage.done, ==, last);
  return last;
}

static void
test_lossless (void)
{
  g_autofree char *dir = fl_test_dir_new ();
  g_autofree char *frames = g_build_filename (dir, "frames", NULL);
  g_autofree char *gif = g_build_filename (dir, "out.gif", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlEvents) events = fl_events_new (0);
  g_autoptr (FlEventLog) log = fl_event_log_new (events);
  g_autoptr (GArray) seen = NULL;
  FlEncodeConfig config;
  FlEncodeResult result;

  make_mixed_frames (frames);
  fl_test_config_init (&config, frames, 40, 3, gif);
  config.events = events;
  g_assert_true (fl_encode_gif (&config, NULL, &result, &error));
  g_assert_no_error (error);
  /* Flushed on return: no wait. */
  seen = fl_event_log_dup (log);
  g_assert_cmpuint (check_progress (seen, 40, 3), ==, 40);
  g_assert_cmpuint (result.frames, ==, 40);
  g_assert_cmpuint (result.screen_width, ==, 23);
  g_assert_cmpuint (result.screen_height, ==, 31);
  g_assert_cmpuint (result.quantised_frames, ==, 0);
  check_gif (gif, frames, 40, 0);
  fl_test_dir_free (g_steal_pointer (&dir));
}

static void
test_quantised (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FlEncodeResult result;

  g_assert_true (fl_test_make_frames (f->dir, 0, 6, 64, 64, 3, 0, 9, &error));
  g_assert_true (fl_test_make_frames (f->dir, 6, 2, 40, 40, 4, 0, 10, &error));
  encode_ok (f->dir, 8, 2, f->gif, &result);
  g_assert_cmpuint (result.quantised_frames, ==, 8);
  check_gif (f->gif, f->dir, 8, 47);
}

static void
test_pillow (void)
{
  const char *python = g_getenv ("PYTHON_PIL");
  g_autofree char *dir = NULL, *gif = NULL, *n = NULL, *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (python == NULL || python[0] == '\0')
    {
      g_test_skip ("no python3 with Pillow (PYTHON_PIL is empty)");
      return;
    }
  dir = fl_test_dir_new ();
  gif = g_build_filename (dir, "out.gif", NULL);
  /* Equal sizes and all different: Pillow merges identical consecutive frames. */
  g_assert_true (fl_test_make_frames (dir, 0, 30, 10, 10, 3, 0, 11, &error));
  g_assert_true (fl_test_make_frames (dir, 30, 10, 10, 10, 4, 0, 12, &error));
  encode_ok (dir, 40, 2, gif, NULL);
  n = g_strdup ("40");
  {
    const char *argv[] = { python, FL_TEST_PILLOW_SCRIPT, gif, dir, n, NULL };
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                  &error);
  }
  g_assert_no_error (error);
  g_test_message ("pillow: %s%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "ok 40 frames, duration 500, loop 0\n");
  fl_test_dir_free (g_steal_pointer (&dir));
}

static void
test_identity (void)
{
  g_autofree char *dir = fl_test_dir_new ();
  g_autofree char *frames = g_build_filename (dir, "frames", NULL);
  g_autofree char *first = NULL;
  const guint processes[] = { 1, 2, 3, 7 };

  make_mixed_frames (frames);
  for (guint i = 0; i < G_N_ELEMENTS (processes); i++)
    {
      g_autofree char *gif = g_strdup_printf ("%s/p%u.gif", dir, processes[i]);
      g_autofree char *sum = NULL;

      encode_ok (frames, 40, processes[i], gif, NULL);
      sum = fl_test_file_sha256 (gif);
      if (first == NULL)
        first = g_strdup (sum);
      g_assert_cmpstr (sum, ==, first);
    }
  fl_test_dir_free (g_steal_pointer (&dir));
}

static void
test_golden (void)
{
  g_autofree char *dir = fl_test_dir_new ();
  g_autofree char *gif = g_build_filename (dir, "golden.gif", NULL);
  g_autofree char *sum = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (fl_test_make_frames (dir, 0, 20, 10, 10, 3, 0, 2024, &error));
  g_assert_true (fl_test_make_frames (dir, 20, 3, 48, 32, 4, 0, 2025, &error));
  g_assert_true (fl_test_make_frames (dir, 23, 3, 9, 4, 4, 6, 2026, &error));
  encode_ok (dir, 26, 2, gif, NULL);
  sum = fl_test_file_sha256 (gif);
  g_test_message ("golden GIF sha256 %s", sum);
  g_assert_cmpstr (sum, ==, GOLDEN_SHA256);
  fl_test_dir_free (g_steal_pointer (&dir));
}

/* Lists the files under dir, sorted, recursively. */
static void
list_files (const char *dir, GPtrArray *out)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        list_files (path, out);
      else if (g_str_has_suffix (name, ".png"))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

static GPtrArray *
corpus_files (const char *sub)
{
  const char *corpus = g_getenv ("FRAMELOOM_CORPUS");
  g_autofree char *dir = NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  if (corpus == NULL || !g_file_test (corpus, G_FILE_TEST_IS_DIR))
    return files;
  dir = g_build_filename (corpus, sub, NULL);
  list_files (dir, files);
  g_ptr_array_sort (files, (GCompareFunc) g_strcmp0);
  return files;
}

static void
test_corpus_valid (void)
{
  g_autoptr (GPtrArray) files = corpus_files ("png-valid");
  g_autofree char *dir = NULL;

  if (files->len == 0)
    {
      g_test_skip ("the corpus ($FRAMELOOM_CORPUS/png-valid) is absent");
      return;
    }
  dir = fl_test_dir_new ();
  for (guint i = 0; i < files->len; i++)
    {
      const char *source = files->pdata[i];
      g_autofree char *frame = g_build_filename (dir, "0.png", NULL);
      g_autofree char *gif = g_build_filename (dir, "out.gif", NULL);
      g_autofree guint8 *data = NULL;
      g_autoptr (FlImage) image = NULL;
      gsize length;
      FlEncodeResult result;

      g_assert_true (fl_file_read (source, 1u << 26, &data, &length, NULL));
      g_assert_true (fl_file_write_atomic (frame, data, length, NULL));
      image = fl_png_decode (data, length, NULL, NULL);
      g_assert_nonnull (image);
      encode_ok (dir, 1, 1, gif, &result);
      g_assert_cmpuint (result.screen_width, ==, image->width);
      g_assert_cmpuint (result.screen_height, ==, image->height);
      check_gif (gif, dir, 1, result.quantised_frames > 0 ? 128 : 0);
    }
  g_test_message ("%u valid corpus PNGs encoded", files->len);
  fl_test_dir_free (g_steal_pointer (&dir));
}

static void
test_corpus_invalid (void)
{
  g_autoptr (GPtrArray) files = corpus_files ("png-invalid");
  g_autofree char *dir = NULL;

  if (files->len == 0)
    {
      g_test_skip ("the corpus ($FRAMELOOM_CORPUS/png-invalid) is absent");
      return;
    }
  dir = fl_test_dir_new ();
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *frame = g_build_filename (dir, "0.png", NULL);
      g_autofree char *gif = g_build_filename (dir, "out.gif", NULL);
      g_autofree guint8 *data = NULL;
      g_autoptr (GError) error = NULL;
      FlEncodeConfig config;
      gsize length;

      g_assert_true (fl_file_read (files->pdata[i], 1u << 26, &data, &length, NULL));
      g_assert_true (fl_file_write_atomic (frame, data, length, NULL));
      fl_test_config_init (&config, dir, 1, 1, gif);
      g_assert_false (fl_encode_gif (&config, NULL, NULL, &error));
      g_assert_nonnull (error);
      g_test_message ("%s: %s", (char *) files->pdata[i], error->message);
      g_assert_true (g_str_has_prefix (error->message, frame)
                     || (g_str_has_prefix (error->message, "Could not read ")
                         && strstr (error->message, frame) != NULL));
      g_assert_null (strchr (error->message, '\n'));
      g_assert_false (g_file_test (gif, G_FILE_TEST_EXISTS));
      fl_test_assert_no_children ();
    }
  fl_test_dir_free (g_steal_pointer (&dir));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/encoder/lossless", test_lossless);
  FL_TEST_ADD_FIXTURE ("/encoder/quantised", test_quantised);
  g_test_add_func ("/encoder/pillow", test_pillow);
  g_test_add_func ("/encoder/identity", test_identity);
  g_test_add_func ("/encoder/golden", test_golden);
  g_test_add_func ("/encoder/corpus-valid", test_corpus_valid);
  g_test_add_func ("/encoder/corpus-invalid", test_corpus_invalid);
  fl_test_add_failure_tests ();
  fl_test_add_chunk_tests ();
  fl_test_add_kind_tests ();
  return g_test_run ();
}
