/* test-make-gif.c: "Make GIF from images…" in the real window: three PNGs
 * dropped on it (in the wrong order), a folder of them dropped, and the files
 * a chooser returns, each become a GIF made by the worker processes that
 * decodes (the project's reader) to exactly those images in name order, and
 * shows in the viewer; a folder with no PNG, and a run under way, give a
 * sentence in the window's banner. */
#include "fl-test-util.h"
#include "fl-test-gui.h"

#include "fl-application.h"
#include "fl-gif-reader.h"
#include "fl-make-gif.h"
#include "fl-png.h"
#include "fl-window.h"

#include <stdlib.h>

#define W 12
#define H 8

static FlApplication *app;
static FlWindow *window;
static GSettings *settings;
static char *tmpdir;
static guint n_finished;
static gboolean last_ok;

static void
on_finished (FlClientPanel *panel, gboolean ok, const char *path, gpointer data)
{
  n_finished++;
  last_ok = ok;
}

static gboolean
finished_reached (gpointer data)
{
  return n_finished >= GPOINTER_TO_UINT (data);
}

/* Frame k: a colour of its own with a k-pixel bar of another, so that every
 * frame differs from the one before and is exact (few colours). */
static void
frame_pixels (guint k, guint8 *rgba)
{
  for (guint i = 0; i < W * H; i++)
    {
      gboolean bar = i % W < k + 1;
      guint8 *p = rgba + i * 4;

      p[0] = (guint8) (40 * k + (bar ? 100 : 0));
      p[1] = (guint8) (200 - 30 * k);
      p[2] = bar ? 250 : 10;
      p[3] = 255;
    }
}

/* dir/<name> holds frame k. */
static char *
write_frame (const char *dir, const char *name, guint k)
{
  g_autoptr (FlImage) image = fl_image_new (W, H, 4, NULL);
  g_autoptr (GByteArray) png = g_byte_array_new ();
  char *path = g_build_filename (dir, name, NULL);

  frame_pixels (k, image->pixels);
  g_assert_true (fl_png_encode (image, png, NULL));
  g_assert_true (g_file_set_contents (path, (const char *) png->data, png->len, NULL));
  return path;
}

/* The GIF at the client's output has the three frames, in order, exactly. */
static void
assert_gif (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = fl_gif_new_from_file (path, NULL, NULL, &error);
  g_autoptr (FlGifCanvas) canvas = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (fl_gif_get_n_frames (gif), ==, 3);
  g_assert_cmpuint (fl_gif_get_width (gif), ==, W);
  g_assert_cmpuint (fl_gif_get_height (gif), ==, H);
  canvas = fl_gif_canvas_new (gif);
  for (guint k = 0; k < 3; k++)
    {
      guint8 want[W * H * 4], got[W * H * 4];

      frame_pixels (k, want);
      fl_gif_pixels_to_rgba (fl_gif_canvas_render (canvas, k), W * H, got);
      g_assert_cmpmem (got, sizeof got, want, sizeof want);
    }
}

static char *
output_path (const char *name)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_settings_set_string (settings, "client-output", path);
  return path;
}

static GtkDropTarget *
drop_target (void)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  g_assert_not_reached ();
}

/* Drops files (a NULL-terminated list of paths) as a file manager does: a
 * file list. */
static void
drop (const char *const *paths)
{
  GSList *files = NULL;
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;

  for (guint i = 0; paths[i] != NULL; i++)
    files = g_slist_append (files, g_file_new_for_path (paths[i]));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (drop_target (), "drop", &value, 10.0, 10.0, &handled);
  g_value_unset (&value);
  g_slist_free_full (files, g_object_unref);
  g_assert_true (handled);
}

static void
wait_made (const char *gif)
{
  guint before = n_finished;

  g_assert_true (fl_client_panel_get_running (fl_window_get_client_panel (window)));
  g_assert_true (fl_gui_test_wait (finished_reached, GUINT_TO_POINTER (before + 1), 60000));
  g_assert_true (last_ok);
  g_assert_null (fl_client_panel_get_error (fl_window_get_client_panel (window)));
  assert_gif (gif);
  g_assert_cmpstr (fl_window_get_page (window), ==, "viewer");
  g_assert_true (fl_gui_test_wait_viewer_frames (window, 3, 10000));
}

static void
test_drop_files (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "shots", NULL);
  g_autofree char *gif = output_path ("dropped.gif");
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  a = write_frame (dir, "shot-2.png", 1);
  b = write_frame (dir, "shot-10.png", 2);
  c = write_frame (dir, "shot-1.png", 0);
  fl_window_show_page (window, "runs");
  /* In no useful order: the GIF takes them by name, as a person reads them. */
  drop ((const char *const[]) { b, c, a, NULL });
  wait_made (gif);
}

static void
test_drop_folder (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "numbered", NULL);
  g_autofree char *gif = output_path ("folder.gif");

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (guint k = 0; k < 3; k++)
    {
      g_autofree char *name = g_strdup_printf ("%u.png", k);
      g_autofree char *path = write_frame (dir, name, k);
    }
  fl_window_show_page (window, "speedup");
  drop ((const char *const[]) { dir, NULL });
  wait_made (gif);
}

/* What the chooser hands over when the user picks three files. */
static void
test_chosen_files (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "chosen", NULL);
  g_autofree char *gif = output_path ("chosen.gif");
  GSList *files = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (guint k = 0; k < 3; k++)
    {
      g_autofree char *name = g_strdup_printf ("frame%02u.png", k);
      g_autofree char *path = write_frame (dir, name, k);

      files = g_slist_prepend (files, g_file_new_for_path (path));
    }
  g_assert_true (fl_make_gif_from_files (fl_window_get_make_gif_target (window), files));
  g_slist_free_full (files, g_object_unref);
  wait_made (gif);
}

static void
test_errors (void)
{
  g_autofree char *empty = g_build_filename (tmpdir, "empty", NULL);
  g_autofree char *gif = output_path ("never.gif");
  g_autofree char *note = g_build_filename (empty, "notes.txt", NULL);
  FlBanner *banner = fl_window_get_error_banner (window);
  GSList one = { NULL, NULL };

  g_assert_cmpint (g_mkdir_with_parents (empty, 0755), ==, 0);
  g_assert_true (g_file_set_contents (note, "not a frame", -1, NULL));
  drop ((const char *const[]) { empty, NULL });
  g_assert_false (fl_client_panel_get_running (fl_window_get_client_panel (window)));
  g_assert_true (fl_banner_get_revealed (banner));
  g_assert_nonnull (strstr (fl_banner_get_title (banner), "PNG"));
  g_assert_false (g_file_test (gif, G_FILE_TEST_EXISTS));
  /* One file that is not a PNG is a GIF for the viewer, not frames. */
  one.data = g_file_new_for_path (note);
  g_assert_false (fl_make_gif_from_files (fl_window_get_make_gif_target (window), &one));
  g_object_unref (one.data);
  fl_window_show_error (window, NULL);
}

/* While a GIF is being made another cannot start: a sentence says why. */
static void
test_busy (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "numbered", NULL);
  g_autofree char *gif = output_path ("busy.gif");
  FlBanner *banner = fl_window_get_error_banner (window);
  guint before = n_finished;

  drop ((const char *const[]) { dir, NULL });
  g_assert_true (fl_client_panel_get_running (fl_window_get_client_panel (window)));
  drop ((const char *const[]) { dir, NULL });
  g_assert_true (fl_banner_get_revealed (banner));
  g_assert_nonnull (strstr (fl_banner_get_title (banner), "under way"));
  g_assert_true (fl_gui_test_wait (finished_reached, GUINT_TO_POINTER (before + 1), 60000));
  g_assert_cmpuint (n_finished, ==, before + 1);
  assert_gif (gif);
  fl_window_show_error (window, NULL);
}

int
main (int argc, char **argv)
{
  int status;

  if (!fl_gui_test_init (&argc, &argv))
    return 0;

  fl_gui_test_new_settings (&settings, "frameloom-make-gif-XXXXXX", 1024, 700, &tmpdir);
  g_settings_set_int (settings, "client-processes", 2);
  window = fl_gui_test_open_window (&app, FALSE);
  g_signal_connect (fl_window_get_client_panel (window), "finished", G_CALLBACK (on_finished),
                    NULL);

  g_test_add_func ("/make-gif/drop-files", test_drop_files);
  g_test_add_func ("/make-gif/drop-folder", test_drop_folder);
  g_test_add_func ("/make-gif/chosen-files", test_chosen_files);
  g_test_add_func ("/make-gif/errors", test_errors);
  g_test_add_func ("/make-gif/busy", test_busy);
  status = fl_gui_test_close_window (g_test_run (), window, &app, &tmpdir);
  g_clear_object (&settings);
  return status;
}
