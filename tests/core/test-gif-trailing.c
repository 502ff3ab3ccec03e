/* test-gif-trailing.c: what the GIF reader says about the bytes after a GIF's
 * trailer: GIFs joined with cat, other data, or nothing; in each open mode. */
#include "fl-error.h"
#include "fl-gif-reader.h"
#include "fl-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

/* A GIF89a of n 1x1 frames (a two-colour global table, each frame one pixel
 * of colour 0), with its trailer when trailer. */
static void
append_gif (GByteArray *out, guint n_frames, gboolean trailer)
{
  static const guint8 header[] = {
    'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
  };
  static const guint8 frame[] = { ',', 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0 };

  g_byte_array_append (out, header, sizeof header);
  for (guint i = 0; i < n_frames; i++)
    g_byte_array_append (out, frame, sizeof frame);
  if (trailer)
    g_byte_array_append (out, (const guint8 *) ";", 1);
}

/* Opens data three ways (decoded from memory, indexed, from a file) and checks
 * that each tells the same: the frames that play and what follows them. */
static void
check_modes (GByteArray *data, guint frames, const FlGifTrailing *want, const char *note)
{
  g_autofree char *dir = fl_test_make_dir ("fl-trailing-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "joined.gif", NULL);
  g_autoptr (GBytes) bytes = g_bytes_new (data->data, data->len);
  g_autoptr (GError) error = NULL;
  FlGif *gifs[3];

  g_assert_true (g_file_set_contents (path, (const char *) data->data, data->len, &error));
  gifs[0] = fl_gif_new_from_bytes (data->data, data->len, NULL, NULL, &error);
  g_assert_no_error (error);
  gifs[1] = fl_gif_new_indexed (bytes, NULL, NULL, &error);
  g_assert_no_error (error);
  gifs[2] = fl_gif_new_from_file (path, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (gifs); i++)
    {
      FlGifTrailing got;
      g_autofree char *text = fl_gif_describe_trailing (gifs[i]);

      fl_gif_get_trailing (gifs[i], &got);
      g_assert_cmpuint (fl_gif_get_n_frames (gifs[i]), ==, frames);
      g_assert_cmpuint (got.bytes, ==, want->bytes);
      g_assert_cmpuint (got.n_gifs, ==, want->n_gifs);
      g_assert_cmpuint (got.n_frames, ==, want->n_frames);
      g_assert_cmpuint (got.other_bytes, ==, want->other_bytes);
      g_assert_cmpstr (text, ==, note);
      fl_gif_unref (gifs[i]);
    }
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_nothing_follows (void)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  FlGifTrailing want = { 0, 1, 4, 0 };

  append_gif (data, 4, TRUE);
  check_modes (data, 4, &want, NULL);
}

/* What a client that encodes its halves in two processes and joins them with
 * cat writes: the file looks whole, but players stop at the first trailer. */
static void
test_two_gifs_back_to_back (void)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  g_autoptr (GByteArray) second = g_byte_array_new ();
  FlGifTrailing want;

  append_gif (data, 25, TRUE);
  append_gif (second, 25, TRUE);
  want = (FlGifTrailing) { second->len, 2, 50, 0 };
  g_byte_array_append (data, second->data, second->len);
  check_modes (data, 25, &want,
               "This file holds 2 GIFs back to back; only the first (25 frames) plays.");
}

static void
test_gifs_then_other_bytes (void)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  gsize first;
  FlGifTrailing want;

  append_gif (data, 1, TRUE);
  first = data->len;
  append_gif (data, 2, TRUE);
  append_gif (data, 3, TRUE);
  g_byte_array_append (data, (const guint8 *) "garbage", 7);
  want = (FlGifTrailing) { data->len - first, 3, 6, 7 };
  check_modes (data, 1, &want,
               "This file holds 3 GIFs back to back; only the first (1 frame) plays.");
}

static void
test_other_bytes_only (void)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  FlGifTrailing want = { 7, 1, 2, 7 };

  append_gif (data, 2, TRUE);
  g_byte_array_append (data, (const guint8 *) "garbage", 7);
  check_modes (data, 2, &want, "7 bytes follow the end of the GIF; players ignore them.");
}

/* A last part without its trailer still counts (its complete frames play in
 * browsers when opened alone); a part whose header is cut short does not. */
static void
test_last_part_cut (void)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  gsize first;
  FlGifTrailing want;

  append_gif (data, 3, TRUE);
  first = data->len;
  append_gif (data, 2, FALSE);
  want = (FlGifTrailing) { data->len - first, 2, 5, 0 };
  check_modes (data, 3, &want,
               "This file holds 2 GIFs back to back; only the first (3 frames) plays.");

  g_byte_array_set_size (data, first);
  g_byte_array_append (data, (const guint8 *) "GIF89a\1", 7);
  want = (FlGifTrailing) { 7, 1, 3, 7 };
  check_modes (data, 3, &want, "7 bytes follow the end of the GIF; players ignore them.");
}

/* Ten thousand parts: counted in a loop (no recursion), quickly. */
static void
test_many_parts (void)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  FlGifTrailing want;
  gsize first;
  gint64 start;

  append_gif (data, 1, TRUE);
  first = data->len;
  for (guint i = 0; i < 10000; i++)
    append_gif (data, 1, TRUE);
  want = (FlGifTrailing) { data->len - first, 10001, 10001, 0 };
  start = g_get_monotonic_time ();
  check_modes (data, 1, &want,
               "This file holds 10001 GIFs back to back; only the first (1 frame) plays.");
  g_test_message ("10001 parts counted three times in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
}

/* giflib's own porsche.gif carries 631 bytes after its trailer. */
static void
test_corpus_porsche (void)
{
  const char *corpus = g_getenv ("FRAMELOOM_CORPUS");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;
  FlGifTrailing trailing;

  if (corpus == NULL)
    {
      g_test_skip ("no corpus (FRAMELOOM_CORPUS)");
      return;
    }
  path = g_build_filename (corpus, "gif-valid", "giflib-pic", "porsche.gif", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("porsche.gif is not in the corpus");
      return;
    }
  gif = fl_gif_new_from_file (path, NULL, NULL, &error);
  g_assert_no_error (error);
  fl_gif_get_trailing (gif, &trailing);
  g_assert_cmpuint (trailing.bytes, ==, 631);
  g_assert_cmpuint (trailing.n_gifs, ==, 1);
  g_assert_cmpuint (trailing.other_bytes, ==, 631);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gif-trailing/nothing-follows", test_nothing_follows);
  g_test_add_func ("/gif-trailing/two-gifs-back-to-back", test_two_gifs_back_to_back);
  g_test_add_func ("/gif-trailing/gifs-then-other-bytes", test_gifs_then_other_bytes);
  g_test_add_func ("/gif-trailing/other-bytes-only", test_other_bytes_only);
  g_test_add_func ("/gif-trailing/last-part-cut", test_last_part_cut);
  g_test_add_func ("/gif-trailing/many-parts", test_many_parts);
  g_test_add_func ("/gif-trailing/corpus-porsche", test_corpus_porsche);
  return g_test_run ();
}
