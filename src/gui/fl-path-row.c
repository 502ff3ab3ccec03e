/* fl-path-row.c: FlPathRow, an AdwActionRow with a file chooser behind it. */
#include "fl-path-row.h"

#include "fl-file.h"

#include <glib/gi18n.h>
#include <string.h>

struct _FlPathRow
{
  AdwActionRow parent_instance;

  char *path;
  char *default_path;
  gboolean folder;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (FlPathRow, fl_path_row, ADW_TYPE_ACTION_ROW)

enum
{
  PROP_0,
  PROP_PATH,
  PROP_DEFAULT_PATH,
  PROP_FOLDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
fl_path_row_display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize n = strlen (home);

  if (n > 1 && g_str_has_prefix (path, home) && (path[n] == '/' || path[n] == '\0'))
    {
      g_autofree char *rest = g_filename_display_name (path + n);

      return g_strconcat ("~", rest, NULL);
    }
  return g_filename_display_name (path);
}

const char *
fl_path_row_get_path (FlPathRow *self)
{
  return self->path ? self->path : "";
}

const char *
fl_path_row_get_effective (FlPathRow *self)
{
  return self->path && *self->path ? self->path : self->default_path ? self->default_path : "";
}

char *
fl_path_row_get_folder (FlPathRow *self)
{
  return self->folder ? g_strdup (fl_path_row_get_effective (self))
                      : g_path_get_dirname (fl_path_row_get_effective (self));
}

static void
update_subtitle (FlPathRow *self)
{
  g_autofree char *display = fl_path_row_display_path (fl_path_row_get_effective (self));
  g_autofree char *full = g_filename_display_name (fl_path_row_get_effective (self));

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), display);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), full);
}

static void
on_chooser_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  FlPathRow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_object_set (self, "path", path, NULL);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_clicked (FlPathRow *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self));

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (
    title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
    self->folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_SAVE,
    self->folder ? _("_Select") : _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (!self->folder)
    {
      g_autofree char *base = g_path_get_basename (fl_path_row_get_effective (self));

      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), base);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* The folder in the file manager, made first: before the first run the
 * frames folder does not exist yet. A failure shows as the row's error. */
static void
on_open_clicked (FlPathRow *self)
{
  g_autofree char *dir = fl_path_row_get_folder (self);
  g_autoptr (GFile) file = g_file_new_for_path (dir);
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr (GError) error = NULL;

  if (!fl_file_ensure_dir (dir, &error))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-error", "s", error->message);
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "app.open-uri", "s", uri);
}

/* g_set_str() arrived in GLib 2.76. */
static gboolean
replace_str (char **slot, const char *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static void
fl_path_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlPathRow *self = FL_PATH_ROW (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, fl_path_row_get_path (self));
      break;
    case PROP_DEFAULT_PATH:
      g_value_set_string (value, self->default_path);
      break;
    case PROP_FOLDER:
      g_value_set_boolean (value, self->folder);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_path_row_set_property (GObject *object, guint prop_id, const GValue *value,
                          GParamSpec *pspec)
{
  FlPathRow *self = FL_PATH_ROW (object);

  switch (prop_id)
    {
    case PROP_PATH:
      if (replace_str (&self->path, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_DEFAULT_PATH:
      if (replace_str (&self->default_path, g_value_get_string (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_FOLDER:
      self->folder = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
  update_subtitle (self);
}

static void
fl_path_row_dispose (GObject *object)
{
  FlPathRow *self = FL_PATH_ROW (object);

  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), FL_TYPE_PATH_ROW);
  G_OBJECT_CLASS (fl_path_row_parent_class)->dispose (object);
}

static void
fl_path_row_finalize (GObject *object)
{
  FlPathRow *self = FL_PATH_ROW (object);

  g_free (self->path);
  g_free (self->default_path);
  G_OBJECT_CLASS (fl_path_row_parent_class)->finalize (object);
}

static void
fl_path_row_class_init (FlPathRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_path_row_dispose;
  object_class->finalize = fl_path_row_finalize;
  object_class->get_property = fl_path_row_get_property;
  object_class->set_property = fl_path_row_set_property;
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, "",
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                 | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEFAULT_PATH] = g_param_spec_string ("default-path", NULL, NULL, NULL,
                                                       G_PARAM_READWRITE
                                                         | G_PARAM_EXPLICIT_NOTIFY
                                                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLDER] = g_param_spec_boolean ("folder", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
                                                    | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-path-row.ui");
  gtk_widget_class_bind_template_callback (widget_class, on_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
}

static void
fl_path_row_init (FlPathRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
