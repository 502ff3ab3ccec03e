/* fl-make-gif.c: chosen or dropped files -> frame paths -> the client panel's GIF stage. */
#include "fl-make-gif.h"

#include "fl-frame-list.h"

#include <string.h>

#include <glib/gi18n.h>

/* Where the window keeps its open chooser: destroyed with the window. */
#define CHOOSER_KEY "fl-make-gif-chooser"

static gboolean
is_png_name (const char *name)
{
  gsize n = strlen (name);

  return n > 4 && g_ascii_strcasecmp (name + n - 4, ".png") == 0;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return fl_natural_compare (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
is_folder (GFile *file)
{
  return g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY;
}

gboolean
fl_make_gif_from_files (const FlMakeGifTarget *target, GSList *files)
{
  FlClientPanel *panel = target->client;
  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) paths = NULL;
  g_autoptr (GError) error = NULL;

  if (files == NULL)
    return FALSE;
  if (files->next == NULL)
    {
      g_autofree char *name = g_file_get_basename (files->data);

      if ((name == NULL || !is_png_name (name)) && !is_folder (files->data))
        return FALSE;
    }
  if (fl_client_panel_get_running (panel)
      || fl_speedup_panel_get_running (target->speedup))
    {
      target->show_error (target->parent, _("A run is under way: wait for it to end or cancel it, "
                                      "then make the GIF."));
      return TRUE;
    }
  for (GSList *l = files; l != NULL; l = l->next)
    {
      char *path = g_file_get_path (l->data);

      if (path == NULL)
        {
          g_autofree char *uri = g_file_get_uri (l->data);
          g_autofree char *message = g_strdup_printf (
            _("Could not make a GIF from %s: only files on this computer can be read."), uri);

          target->show_error (target->parent, message);
          return TRUE;
        }
      g_ptr_array_add (inputs, path);
    }
  /* A drag or a chooser gives the files in no useful order: by name, as a
   * person sorts them (shot-2.png before shot-10.png), as for a folder. */
  g_ptr_array_sort (inputs, compare_paths);
  g_ptr_array_add (inputs, NULL);
  paths = fl_frame_list_expand ((const char *const *) inputs->pdata, &error);
  if (paths == NULL)
    {
      target->show_error (target->parent, error->message);
      return TRUE;
    }
  target->show_error (target->parent, NULL);
  fl_client_panel_make_gif (panel, paths);
  return TRUE;
}

static void
on_chooser_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  const FlMakeGifTarget *target = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GListModel) chosen = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      GSList *files = NULL;

      for (guint i = g_list_model_get_n_items (chosen); i > 0; i--)
        files = g_slist_prepend (files, g_list_model_get_item (chosen, i - 1));
      /* A single file the filter let through is still meant as a frame. */
      if (files != NULL && !fl_make_gif_from_files (target, files))
        {
          g_autofree char *name = g_file_get_parse_name (files->data);
          g_autofree char *message = g_strdup_printf (
            _("Could not make a GIF from %s: it is not a PNG image."), name);

          target->show_error (target->parent, message);
        }
      g_slist_free_full (files, g_object_unref);
    }
  /* Destroys the dialog: the window holds the last reference. */
  g_object_set_data (G_OBJECT (target->parent), CHOOSER_KEY, NULL);
}

static void
destroy_chooser (gpointer dialog)
{
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
fl_make_gif_choose (const FlMakeGifTarget *target, gboolean folder)
{
  GtkWindow *window = target->parent;
  GtkFileChooserNative *chooser;

  if (g_object_get_data (G_OBJECT (window), CHOOSER_KEY) != NULL)
    return;
  if (folder)
    chooser = gtk_file_chooser_native_new (_("Make GIF from a Folder of Images"),
                                           window,
                                           GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Make GIF"),
                                           _("_Cancel"));
  else
    {
      g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

      chooser = gtk_file_chooser_native_new (_("Make GIF from Images"), window,
                                             GTK_FILE_CHOOSER_ACTION_OPEN, _("_Make GIF"),
                                             _("_Cancel"));
      gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
      gtk_file_filter_set_name (filter, _("PNG images"));
      gtk_file_filter_add_mime_type (filter, "image/png");
      gtk_file_filter_add_suffix (filter, "png");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data_full (G_OBJECT (window), CHOOSER_KEY, chooser, destroy_chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), (gpointer) target);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
