/* test-gif-view.c: the Preview: every corpus GIF opens (or shows a sentence),
 * playback advances, and enlarged pixels stay sharp. */
#include "fl-gui-test.h"
#include "fl-test-util.h"

#include "fl-gif-view.h"

static gboolean
view_settled (gpointer data)
{
  FlGifView *view = data;

  return fl_gif_paintable_get_n_frames (fl_gif_view_get_paintable (view)) > 0
         || fl_gif_view_get_error (view) != NULL;
}

static void
open_dir (GtkWindow *window, const char *dir, gboolean valid)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (GFile) file = NULL;
      FlGifView *view;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          open_dir (window, path, valid);
          continue;
        }
      if (!g_str_has_suffix (name, ".gif"))
        continue;
      /* A fresh view per file, so "settled" means this file. */
      view = g_object_new (FL_TYPE_GIF_VIEW, NULL);
      gtk_window_set_child (window, GTK_WIDGET (view));
      file = g_file_new_for_path (path);
      fl_gif_view_open (view, file);
      g_assert_true (fl_gui_test_wait (view_settled, view, 5000));
      if (fl_gif_view_get_error (view) != NULL)
        {
          /* The sentence names the file (GFile may have tidied the folders). */
          g_autofree char *display = g_filename_display_name (name);

          g_assert_nonnull (strstr (fl_gif_view_get_error (view), display));
          if (valid)
            g_test_message ("valid %s: %s", name, fl_gif_view_get_error (view));
        }
      else
        {
          fl_gui_test_spin (20);
          if (!valid)
            {
              /* Only the two files the reader documents as playable (see
               * test-gif-reader.c) may open; any other invalid GIF must fail. */
              g_assert_true (fl_test_invalid_gif_plays (name));
              g_test_message ("invalid %s opened (as browsers do)", name);
            }
        }
      gtk_window_set_child (window, NULL);
    }
}

static void
test_corpus (void)
{
  const char *corpus = g_getenv ("FRAMELOOM_CORPUS");
  GtkWindow *window;

  if (corpus == NULL || !g_file_test (corpus, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no corpus");
      return;
    }
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 400, 300);
  gtk_window_present (window);
  {
    g_autofree char *valid = g_build_filename (corpus, "gif-valid", NULL);
    g_autofree char *invalid = g_build_filename (corpus, "gif-invalid", NULL);

    open_dir (window, valid, TRUE);
    open_dir (window, invalid, FALSE);
  }
  gtk_window_destroy (window);
}

static gboolean
frame_shown (gpointer data)
{
  return fl_gif_paintable_get_shown_frame (data) == 0;
}

static void
test_crisp_pixels (void)
{
  /* A 2x1 GIF, black then white, drawn at 200x100: the middle columns must be
   * pure black and pure white, never grey. */
  static const guint8 gif_bytes[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
    ',', 0, 0, 0, 0, 2, 0, 1, 0, 0, 2, 2, 0x44, 0x0a, 0, ';',
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = fl_gif_new_from_bytes (gif_bytes, sizeof gif_bytes, NULL, NULL, &error);
  g_autoptr (FlGifPaintable) paintable = fl_gif_paintable_new ();
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr (GdkTexture) texture = NULL;
  guint8 *pixels = g_malloc (200 * 100 * 4);

  g_assert_no_error (error);
  fl_gif_paintable_set_gif (paintable, gif);
  /* Composed on its own thread: drawn once it is ready. */
  g_assert_true (fl_gui_test_wait (frame_shown, paintable, 10000));
  gdk_paintable_snapshot (GDK_PAINTABLE (paintable), snapshot, 200, 100);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_true (gsk_renderer_realize (renderer, NULL, NULL));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, 200, 100));
  gdk_texture_download (texture, pixels, 200 * 4);
  for (guint x = 0; x < 200; x++)
    {
      guint8 v = pixels[(50 * 200 + x) * 4];

      g_assert_cmpuint (v, ==, x < 100 ? 0 : 255);
    }
  gsk_renderer_unrealize (renderer);
  g_free (pixels);
}

int
main (int argc, char **argv)
{
  if (!fl_gui_test_have_display ())
    return 0;
  fl_gui_test_init (&argc, &argv);
  g_test_add_func ("/gif-view/corpus", test_corpus);
  g_test_add_func ("/gif-view/crisp-pixels", test_crisp_pixels);
  return g_test_run ();
}
