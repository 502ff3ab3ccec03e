/* test-gif-view.c: the Viewer: every corpus GIF opens (or shows a sentence),
 * enlarged pixels stay sharp; the empty and error states; frame by frame
 * steps, first and last; zoom; a still image without playback controls; the
 * frame's details; the frame exported as PNG and copied to the clipboard; the
 * next and previous GIF of a folder. (Real keys: test-window.) */
#include "fl-test-gui.h"
#include "fl-test-util.h"

#include "fl-gif-view.h"
#include "fl-test-gif.h"
#include "fl-png.h"

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
      g_assert_true (fl_gui_test_wait (fl_gui_test_view_settled, view, 5000));
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
  window = fl_gui_test_new_window (400, 300);
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

static GtkWindow *window;

/* A fresh view in the shared window. */
static FlGifView *
new_view (void)
{
  FlGifView *view = g_object_new (FL_TYPE_GIF_VIEW, NULL);

  gtk_window_set_child (window, GTK_WIDGET (view));
  return view;
}

/* n frames of 4x4, frame f all of colour f + 1; delay 10 cs, looping. */
static GBytes *
counting_gif (guint n)
{
  GByteArray *b = hg_new (4, 4, 4);

  hg_loop (b, 0);
  for (guint f = 0; f < n; f++)
    {
      guint8 px[16];

      memset (px, (int) (f + 1) % 16, sizeof px);
      hg_gce (b, 10, -1, 0);
      hg_image (b, 0, 0, 4, 4, 0, FALSE);
      hg_raster (b, px, 16);
    }
  return hg_finish (b);
}

static FlGifView *
open_path (const char *path)
{
  FlGifView *view = new_view ();
  g_autoptr (GFile) file = g_file_new_for_path (path);

  g_object_set_data (G_OBJECT (window), "view", view);
  fl_gif_view_open (view, file);
  g_assert_true (fl_gui_test_wait (fl_gui_test_view_settled, view, 10000));
  return view;
}

/* No GIF yet: a status page that says what to do; a file that fails: another
 * with the sentence, in view. */
static void
test_states (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-gif-view-XXXXXX");
  g_autofree char *bad = g_build_filename (dir, "bad.gif", NULL);
  FlGifView *view = new_view ();
  GtkWidget *status;

  fl_gui_test_spin (100);
  status = fl_gui_test_find_type (GTK_WIDGET (view), ADW_TYPE_STATUS_PAGE, TRUE);
  g_assert_nonnull (status);
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (status)), "Ctrl+O"));
  g_assert_false (fl_gif_view_get_has_frame (view));
  g_assert_true (g_file_set_contents (bad, "GIF89a, but no more", -1, NULL));
  view = open_path (bad);
  fl_gui_test_spin (100);
  status = fl_gui_test_find_type (GTK_WIDGET (view), ADW_TYPE_STATUS_PAGE, TRUE);
  g_assert_nonnull (status);
  g_assert_cmpstr (fl_gif_view_get_title (view), ==, "bad.gif");
  g_assert_nonnull (strstr (fl_gif_view_get_error (view), "bad.gif"));
  g_assert_false (fl_gif_view_get_has_frame (view));
  gtk_window_set_child (window, NULL);
  fl_test_remove_tree (dir);
}

/* Left/Right (viewer.step), Home/End (viewer.first/last) pause and step; the
 * frame shows once composed. */
static void
test_steps (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-gif-view-XXXXXX");
  g_autoptr (GBytes) bytes = counting_gif (6);
  g_autofree char *path = hg_write (dir, "count.gif", bytes);
  FlGifView *view = open_path (path);
  FlGifPaintable *paintable = fl_gif_view_get_paintable (view);

  g_assert_true (fl_gif_paintable_get_playing (paintable));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "viewer.first", NULL));
  g_assert_false (fl_gif_paintable_get_playing (paintable));
  g_assert_true (fl_gui_test_wait_shown (view, 0, 5000));
  for (guint i = 1; i < 6; i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (view), "viewer.step", "i", 1);
      g_assert_cmpuint (fl_gif_paintable_get_frame (paintable), ==, i);
      g_assert_true (fl_gui_test_wait_shown (view, i, 5000));
    }
  /* The last frame stays the last. */
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.step", "i", 1);
  g_assert_cmpuint (fl_gif_paintable_get_frame (paintable), ==, 5);
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.step", "i", -1);
  g_assert_true (fl_gui_test_wait_shown (view, 4, 5000));
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.first", NULL);
  g_assert_true (fl_gui_test_wait_shown (view, 0, 5000));
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.last", NULL);
  g_assert_true (fl_gui_test_wait_shown (view, 5, 5000));
  /* The pixels are the frame's: colour 6 (hg_table's). */
  g_assert_cmphex (fl_gif_ahead_frame_get_pixels (fl_gif_paintable_get_shown (paintable))[0], ==,
                   hg_color (6));
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.play", NULL);
  g_assert_true (fl_gif_paintable_get_playing (paintable));
  gtk_window_set_child (window, NULL);
  fl_test_remove_tree (dir);
}

/* Fit, then one factor after another, and back; Ctrl+0 fits, Ctrl+1 is 1:1. */
static void
test_zoom (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-gif-view-XXXXXX");
  g_autoptr (GBytes) bytes = counting_gif (2);
  g_autofree char *path = hg_write (dir, "zoom.gif", bytes);
  FlGifView *view = open_path (path);
  guint zoom;

  fl_gui_test_spin (100);
  g_assert_cmpuint (fl_gif_view_get_zoom (view), ==, 0);
  /* 4x4 fitted in a 400x300 window is ~60x: the next factor is the largest. */
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.zoom-in", NULL);
  zoom = fl_gif_view_get_zoom (view);
  g_test_message ("zoom in from fit: %ux", zoom);
  g_assert_cmpuint (zoom, >=, 16);
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.zoom-out", NULL);
  g_assert_cmpuint (fl_gif_view_get_zoom (view), <, zoom);
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.zoom-original", NULL);
  g_assert_cmpuint (fl_gif_view_get_zoom (view), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.zoom-in", NULL);
  g_assert_cmpuint (fl_gif_view_get_zoom (view), ==, 2);
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.zoom-out", NULL);
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.zoom-out", NULL);
  g_assert_cmpuint (fl_gif_view_get_zoom (view), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.zoom-in", NULL);
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.zoom-fit", NULL);
  g_assert_cmpuint (fl_gif_view_get_zoom (view), ==, 0);
  gtk_window_set_child (window, NULL);
  fl_test_remove_tree (dir);
}

static gboolean
is_visible_button (GtkWidget *widget, const char *tooltip_prefix)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  return GTK_IS_TOGGLE_BUTTON (widget) && tooltip != NULL
         && g_str_has_prefix (tooltip, tooltip_prefix) && gtk_widget_is_visible (widget);
}

static gboolean
has_visible_button (GtkWidget *widget, const char *tooltip_prefix)
{
  if (is_visible_button (widget, tooltip_prefix))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_visible_button (child, tooltip_prefix))
      return TRUE;
  return FALSE;
}

/* A still image: no Pause (or Play) button, not playing; its details. */
static void
test_still_and_details (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-gif-view-XXXXXX");
  g_autoptr (GBytes) still = counting_gif (1);
  g_autoptr (GBytes) moving = counting_gif (3);
  g_autofree char *still_path = hg_write (dir, "still.gif", still);
  g_autofree char *moving_path = hg_write (dir, "moving.gif", moving);
  FlGifView *view = open_path (still_path);
  g_autofree char *details = NULL;

  fl_gui_test_spin (100);
  g_assert_false (fl_gif_paintable_get_playing (fl_gif_view_get_paintable (view)));
  g_assert_false (has_visible_button (GTK_WIDGET (view), "Pause"));
  g_assert_false (has_visible_button (GTK_WIDGET (view), "Play"));
  details = fl_gif_view_get_details_text (view);
  g_test_message ("%s", details);
  g_assert_nonnull (strstr (details, "Size: 4 × 4"));
  g_assert_nonnull (strstr (details, "Delay: 100 ms"));
  g_assert_nonnull (strstr (details, "Colours: 16, the global table"));
  view = open_path (moving_path);
  fl_gui_test_spin (100);
  g_assert_true (has_visible_button (GTK_WIDGET (view), "Pause"));
  gtk_window_set_child (window, NULL);
  fl_test_remove_tree (dir);
}

static void
on_exported (FlGifView *view, GFile *file, const char *error, gpointer data)
{
  *(char **) data = g_strdup (error ? error : "");
}

static gboolean
string_set (gpointer data)
{
  return *(char **) data != NULL;
}

static void
on_texture_read (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GdkTexture **) data = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result,
                                                             NULL);
  if (*(GdkTexture **) data == NULL)
    *(GdkTexture **) data = GDK_TEXTURE (g_object_new (GDK_TYPE_MEMORY_TEXTURE, NULL));
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* The frame shown as a PNG file (its pixels, byte for byte) and on the
 * clipboard (as an image). */
static void
test_export_and_copy (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-gif-view-XXXXXX");
  g_autoptr (GBytes) bytes = counting_gif (3);
  g_autofree char *path = hg_write (dir, "export.gif", bytes);
  g_autofree char *png_path = g_build_filename (dir, "frame.png", NULL);
  g_autoptr (GFile) png = g_file_new_for_path (png_path);
  g_autofree char *error = NULL;
  g_autofree char *data = NULL;
  g_autoptr (FlImage) image = NULL;
  GdkTexture *texture = NULL;
  guint8 rgba[4 * 16];
  gsize length;
  FlGifView *view = open_path (path);
  FlGifPaintable *paintable = fl_gif_view_get_paintable (view);

  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.step", "i", 1);
  g_assert_true (fl_gui_test_wait_shown (view, 1, 5000));
  g_assert_true (fl_gif_view_get_has_frame (view));
  g_signal_connect (view, "frame-exported", G_CALLBACK (on_exported), &error);
  fl_gif_view_export_frame (view, png);
  g_assert_true (fl_gui_test_wait (string_set, &error, 10000));
  g_assert_cmpstr (error, ==, "");
  g_assert_true (g_file_get_contents (png_path, &data, &length, NULL));
  image = fl_png_decode ((const guint8 *) data, length, NULL, NULL);
  g_assert_nonnull (image);
  g_assert_cmpuint (image->width, ==, 4);
  g_assert_cmpuint (image->channels, ==, 4);
  fl_gif_pixels_to_rgba (fl_gif_ahead_frame_get_pixels (fl_gif_paintable_get_shown (paintable)),
                         16, rgba);
  g_assert_cmpmem (image->pixels, 16 * 4, rgba, 16 * 4);
  g_clear_pointer (&error, g_free);
  /* A folder that is not there: one sentence, no file. */
  {
    g_autofree char *nowhere = g_build_filename (dir, "no", "such", "frame.png", NULL);
    g_autoptr (GFile) file = g_file_new_for_path (nowhere);

    fl_gif_view_export_frame (view, file);
    g_assert_true (fl_gui_test_wait (string_set, &error, 10000));
    g_test_message ("export into a missing folder: %s", error);
    g_assert_nonnull (strstr (error, "frame.png"));
  }

  fl_gif_view_copy_frame (view);
  gdk_clipboard_read_texture_async (gtk_widget_get_clipboard (GTK_WIDGET (view)), NULL,
                                    on_texture_read, &texture);
  g_assert_true (fl_gui_test_wait (pointer_set, &texture, 10000));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 4);
  {
    guint32 pixels[16];

    gdk_texture_download (texture, (guchar *) pixels, 16);
    g_assert_cmphex (pixels[0], ==, hg_color (2));
  }
  g_object_unref (texture);
  gtk_window_set_child (window, NULL);
  fl_test_remove_tree (dir);
}

static gboolean
title_is (gpointer data)
{
  FlGifView *view = g_object_get_data (G_OBJECT (window), "view");

  return g_strcmp0 (fl_gif_view_get_title (view), data) == 0
         && fl_gif_view_get_has_frame (view);
}

/* Page Down and Page Up: the next and the previous GIF of the folder, in the
 * order a file manager sorts names ("b2" before "b10"); files that are not
 * GIFs are passed over; at either end it stays. */
static void
test_folder (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-gif-view-XXXXXX");
  static const char *const names[] = { "a.gif", "b2.gif", "b10.GIF", "c.gif" };
  g_autoptr (GBytes) bytes = counting_gif (2);
  g_autofree char *other = g_build_filename (dir, "b5.txt", NULL);
  g_autofree char *first = NULL;
  FlGifView *view;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_free (hg_write (dir, names[i], bytes));
  g_assert_true (g_file_set_contents (other, "not a GIF", -1, NULL));
  first = g_build_filename (dir, "b2.gif", NULL);
  view = open_path (first);
  g_assert_true (fl_gui_test_wait (title_is, (gpointer) "b2.gif", 5000));
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.next-file", NULL);
  g_assert_true (fl_gui_test_wait (title_is, (gpointer) "b10.GIF", 5000));
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.next-file", NULL);
  g_assert_true (fl_gui_test_wait (title_is, (gpointer) "c.gif", 5000));
  gtk_widget_activate_action (GTK_WIDGET (view), "viewer.next-file", NULL);
  fl_gui_test_spin (300);
  g_assert_cmpstr (fl_gif_view_get_title (view), ==, "c.gif");
  for (guint i = 0; i < 3; i++)
    gtk_widget_activate_action (GTK_WIDGET (view), "viewer.previous-file", NULL),
      fl_gui_test_spin (300);
  g_assert_true (fl_gui_test_wait (title_is, (gpointer) "a.gif", 5000));
  gtk_window_set_child (window, NULL);
  fl_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  int status;

  if (!fl_gui_test_init (&argc, &argv))
    return 0;
  window = fl_gui_test_new_window (400, 300);
  g_test_add_func ("/gif-view/corpus", test_corpus);
  g_test_add_func ("/gif-view/crisp-pixels", test_crisp_pixels);
  g_test_add_func ("/gif-view/states", test_states);
  g_test_add_func ("/gif-view/steps", test_steps);
  g_test_add_func ("/gif-view/zoom", test_zoom);
  g_test_add_func ("/gif-view/still-and-details", test_still_and_details);
  g_test_add_func ("/gif-view/export-and-copy", test_export_and_copy);
  g_test_add_func ("/gif-view/folder", test_folder);
  status = g_test_run ();
  gtk_window_destroy (window);
  return status;
}
