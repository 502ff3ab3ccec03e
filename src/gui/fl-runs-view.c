/* fl-runs-view.c: a column per field; each cell is a label set at bind time, so
 * a thousand runs cost a screenful of labels. */
#include "fl-runs-view.h"

#include "fl-run-object.h"
#include "fl-toast.h"
#include "fl-widget-util.h"

#include <adwaita.h>
#include <glib/gi18n.h>

struct _FlRunsView
{
  GtkWidget parent_instance;

  GListStore *store;
  char *error;
  GtkFileChooserNative *chooser;

  GtkColumnView *columns;
  GtkStack *stack;
  GtkWidget *empty_page;
  GtkWidget *list_page;
  GtkLabel *error_label;
  GtkLabel *count_label;
};

G_DEFINE_FINAL_TYPE (FlRunsView, fl_runs_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef char *(*CellFormat) (const FlRunRecord *record);

static char *
format_label (const FlRunRecord *r)
{
  return g_strdup (r->label);
}

static char *
format_frames (const FlRunRecord *r)
{
  return g_strdup_printf ("%u", r->frames);
}

/* 0 threads or processes: that stage did not run (a sweep of the other one). */
static char *
format_threads (const FlRunRecord *r)
{
  return r->threads ? g_strdup_printf ("%u", r->threads) : g_strdup ("—");
}

static char *
format_processes (const FlRunRecord *r)
{
  return r->processes ? g_strdup_printf ("%u", r->processes) : g_strdup ("—");
}

static char *
format_size (const FlRunRecord *r)
{
  return r->width && r->height ? g_strdup_printf ("%u×%u", r->width, r->height) : g_strdup ("");
}

/* A failed run measured nothing: the seconds until it stopped are no result,
 * and frames/s from them would be nonsense (300 frames "in" 0.011 s). The
 * file keeps them, marked ok=false. */
static char *
format_download (const FlRunRecord *r)
{
  return r->ran_download && r->ok ? g_strdup_printf ("%.3f", r->download_seconds)
                                  : g_strdup ("—");
}

static char *
format_encode (const FlRunRecord *r)
{
  return r->ran_encode && r->ok ? g_strdup_printf ("%.3f", r->encode_seconds) : g_strdup ("—");
}

static char *
format_download_rate (const FlRunRecord *r)
{
  return r->ran_download && r->ok ? g_strdup_printf ("%.0f", fl_run_record_download_rate (r))
                                  : g_strdup ("—");
}

static char *
format_encode_rate (const FlRunRecord *r)
{
  return r->ran_encode && r->ok ? g_strdup_printf ("%.0f", fl_run_record_encode_rate (r))
                                : g_strdup ("—");
}

static char *
format_failures (const FlRunRecord *r)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, r->failures);
}

static char *
format_result (const FlRunRecord *r)
{
  if (r->ok)
    return g_strdup (_("OK"));
  /* TRANSLATORS: the result of a failed run, then why */
  return r->error ? g_strdup_printf (_("Failed: %s"), r->error) : g_strdup (_("Failed"));
}

/* Which timed run of its point (compare and sweep points are measured several
 * times); the records keep every one. */
static char *
format_repetition (const FlRunRecord *r)
{
  return g_strdup_printf ("%u", r->repetition);
}

static const struct
{
  const char *title;   /* N_() */
  CellFormat format;
  gboolean numeric;
  gboolean expand;
  int chars;           /* the cells' width: a column is as wide as its widest cell */
} columns[] = {
  { N_("Run"), format_label, FALSE, FALSE, 12 },
  { N_("Frames"), format_frames, TRUE, FALSE, 6 },
  { N_("Threads"), format_threads, TRUE, FALSE, 4 },
  { N_("Processes"), format_processes, TRUE, FALSE, 4 },
  { N_("Size"), format_size, TRUE, FALSE, 7 },
  { N_("Download (s)"), format_download, TRUE, FALSE, 7 },
  { N_("GIF (s)"), format_encode, TRUE, FALSE, 7 },
  { N_("Download frames/s"), format_download_rate, TRUE, FALSE, 6 },
  { N_("GIF frames/s"), format_encode_rate, TRUE, FALSE, 6 },
  { N_("Failures"), format_failures, TRUE, FALSE, 4 },
  { N_("Result"), format_result, FALSE, TRUE, 16 },
  { N_("Repetition"), format_repetition, TRUE, FALSE, 3 },
};

static void
on_setup (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  guint column = GPOINTER_TO_UINT (data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), columns[column].numeric ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), columns[column].chars);
  if (columns[column].numeric)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
on_bind (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  guint column = GPOINTER_TO_UINT (data);
  FlRunObject *run = gtk_list_item_get_item (item);
  const FlRunRecord *record = fl_run_object_get_record (run);
  g_autofree char *text = columns[column].format (record);
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_text (GTK_LABEL (label), text);
  /* A failure sentence is long: all of it in the tooltip. */
  gtk_widget_set_tooltip_text (label, columns[column].expand ? text : NULL);
  if (columns[column].expand && !record->ok)
    gtk_widget_add_css_class (label, "fl-error");
  else
    gtk_widget_remove_css_class (label, "fl-error");
}

static void
set_error (FlRunsView *self, const char *message)
{
  fl_widget_set_error (G_OBJECT (self), properties[PROP_ERROR], &self->error, self->error_label,
                       GTK_WIDGET (self->error_label), message);
}

static void
on_items_changed (FlRunsView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  g_autofree char *count = g_strdup_printf (g_dngettext (NULL, "%u run", "%u runs", n), n);

  gtk_stack_set_visible_child (self->stack, n == 0 ? self->empty_page : self->list_page);
  gtk_label_set_text (self->count_label, count);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.save", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.clear", n > 0);
}

GListModel *
fl_runs_view_get_model (FlRunsView *self)
{
  g_return_val_if_fail (FL_IS_RUNS_VIEW (self), NULL);
  return G_LIST_MODEL (self->store);
}

void
fl_runs_view_add (FlRunsView *self, const FlRunRecord *record)
{
  g_autoptr (FlRunObject) run = NULL;

  g_return_if_fail (FL_IS_RUNS_VIEW (self));
  run = fl_run_object_new (record);
  g_list_store_append (self->store, run);
}

void
fl_runs_view_clear (FlRunsView *self)
{
  g_list_store_remove_all (self->store);
  set_error (self, NULL);
}

static GPtrArray *
collect_records (FlRunsView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  GPtrArray *records = g_ptr_array_new_full (n, (GDestroyNotify) fl_run_record_free);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlRunObject) run = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      g_ptr_array_add (records, fl_run_record_copy (fl_run_object_get_record (run)));
    }
  return records;
}

gboolean
fl_runs_view_save (FlRunsView *self, const char *path, GError **error)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *lower = NULL;
  gboolean ok;

  g_return_val_if_fail (FL_IS_RUNS_VIEW (self), FALSE);
  records = collect_records (self);
  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".json"))
    ok = fl_run_records_save_json (records, path, error);
  else
    ok = fl_run_records_save_csv (records, path, error);
  return ok;
}

gboolean
fl_runs_view_load (FlRunsView *self, const char *path, GError **error)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GPtrArray) objects = NULL;

  g_return_val_if_fail (FL_IS_RUNS_VIEW (self), FALSE);
  records = fl_run_records_load (path, error);
  if (records == NULL)
    return FALSE;
  objects = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (objects, fl_run_object_new (g_ptr_array_index (records, i)));
  /* One splice: one items-changed, one relayout. */
  g_list_store_splice (self->store, g_list_model_get_n_items (G_LIST_MODEL (self->store)), 0,
                       objects->pdata, objects->len);
  return TRUE;
}

const char *
fl_runs_view_get_error (FlRunsView *self)
{
  return self->error;
}

char *
fl_runs_view_get_cell_text (FlRunsView *self, guint row, guint column)
{
  g_autoptr (FlRunObject) run = g_list_model_get_item (G_LIST_MODEL (self->store), row);

  if (run == NULL || column >= G_N_ELEMENTS (columns))
    return NULL;
  return columns[column].format (fl_run_object_get_record (run));
}

/* "Saved runs.csv", with a button that opens it. */
static void
toast_saved (FlRunsView *self, GFile *file)
{
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *name = g_filename_display_name (base);
  g_autofree char *uri = g_file_get_uri (file);
  /* TRANSLATORS: a toast: "Saved runs.csv" */
  g_autofree char *title = g_strdup_printf (_("Saved %s"), name);

  fl_toast_show_open (GTK_WIDGET (self), title, _("_Open"), uri);
}

void
fl_runs_view_save_or_open (FlRunsView *self, GFile *file, gboolean saving)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr (GError) error = NULL;

  if (path == NULL)
    return;
  if (saving ? fl_runs_view_save (self, path, &error) : fl_runs_view_load (self, path, &error))
    {
      set_error (self, NULL);
      if (saving)
        toast_saved (self, file);
    }
  else
    set_error (self, error->message);
}

static void
on_chooser_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  FlRunsView *self = user_data;
  gboolean saving = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog))
                    == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        fl_runs_view_save_or_open (self, file, saving);
    }
  g_clear_object (&self->chooser);
}

static void
open_chooser (FlRunsView *self, gboolean saving)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr (GtkFileFilter) both = gtk_file_filter_new ();
  g_autoptr (GtkFileFilter) csv = gtk_file_filter_new ();
  g_autoptr (GtkFileFilter) json = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (
    saving ? _("Save Runs") : _("Open Runs"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
    saving ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
    saving ? _("_Save") : _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (both, _("Runs (CSV or JSON)"));
  gtk_file_filter_add_suffix (both, "csv");
  gtk_file_filter_add_suffix (both, "json");
  gtk_file_filter_set_name (csv, _("CSV"));
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_set_name (json, _("JSON"));
  gtk_file_filter_add_suffix (json, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), both);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), json);
  if (saving)
    /* The extension picks the format: say so by example. */
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "frameloom-runs.csv");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

void
fl_runs_view_choose_save (FlRunsView *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    open_chooser (self, TRUE);
}

void
fl_runs_view_choose_open (FlRunsView *self)
{
  open_chooser (self, FALSE);
}

static void
on_action (GtkWidget *widget, const char *action, GVariant *param)
{
  FlRunsView *self = FL_RUNS_VIEW (widget);

  if (g_str_equal (action, "runs.save"))
    fl_runs_view_choose_save (self);
  else if (g_str_equal (action, "runs.open"))
    fl_runs_view_choose_open (self);
  else
    fl_runs_view_clear (self);
}

static void
fl_runs_view_dispose (GObject *object)
{
  FlRunsView *self = FL_RUNS_VIEW (object);

  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  fl_widget_dispose_template_children (GTK_WIDGET (self), FL_TYPE_RUNS_VIEW);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (fl_runs_view_parent_class)->dispose (object);
}

static void
fl_runs_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_ERROR:
      g_value_set_string (value, FL_RUNS_VIEW (object)->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_runs_view_finalize (GObject *object)
{
  g_free (FL_RUNS_VIEW (object)->error);
  G_OBJECT_CLASS (fl_runs_view_parent_class)->finalize (object);
}

static void
fl_runs_view_class_init (FlRunsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_runs_view_dispose;
  object_class->finalize = fl_runs_view_finalize;
  object_class->get_property = fl_runs_view_get_property;
  /* The sentence of the last failed save or open, or NULL. */
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-runs-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FlRunsView, columns);
  gtk_widget_class_bind_template_child (widget_class, FlRunsView, stack);
  gtk_widget_class_bind_template_child (widget_class, FlRunsView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, FlRunsView, list_page);
  gtk_widget_class_bind_template_child (widget_class, FlRunsView, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlRunsView, count_label);
  gtk_widget_class_install_action (widget_class, "runs.save", NULL, on_action);
  gtk_widget_class_install_action (widget_class, "runs.open", NULL, on_action);
  gtk_widget_class_install_action (widget_class, "runs.clear", NULL, on_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
fl_runs_view_init (FlRunsView *self)
{
  g_autoptr (GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->store = g_list_store_new (FL_TYPE_RUN_OBJECT);
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr (GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (on_setup), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (on_bind), GUINT_TO_POINTER (i));
      /* The column takes the factory. */
      column = gtk_column_view_column_new (_(columns[i].title), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      gtk_column_view_append_column (self->columns, column);
    }
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->store)));
  gtk_column_view_set_model (self->columns, GTK_SELECTION_MODEL (selection));
  g_signal_connect_swapped (self->store, "items-changed", G_CALLBACK (on_items_changed), self);
  on_items_changed (self);
}
