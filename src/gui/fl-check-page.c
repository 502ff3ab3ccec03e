/* fl-check-page.c: the checker behind a form; the checks run through the app's
 * async layer (fl-core-async), which brings each check to the main loop. */
#include "fl-check-page.h"

#include "fl-core-async.h"
#include "fl-downloader.h"
#include "fl-file.h"
#include "fl-net.h"
#include "fl-path-row.h"
#include "fl-toast.h"
#include "fl-widget-util.h"

#include <glib/gi18n.h>
#include <string.h>

struct _FlCheckPage
{
  GtkWidget parent_instance;

  char *mode;                  /* "server" or "client" */
  GListStore *items;           /* FlCheckItem */
  GCancellable *cancellable;   /* the run's, while one runs */
  FlCheckClient *checker;      /* a client run's server, while it runs */
  char **client_strings;       /* its config's folder and command */
  FlCheckReport *report;       /* the last finished run's */
  char *error;
  gboolean passed;
  gboolean scroll_to_failure;  /* until the first failed row is in view */
  GtkFileChooserNative *chooser;

  GtkWidget *scroller;
  GtkStack *form_stack;
  AdwEntryRow *address_row;
  AdwEntryRow *server_command_row;
  GtkSpinButton *port_spin;
  GtkSpinButton *frames_spin;
  AdwEntryRow *client_command_row;
  FlPathRow *folder_row;
  GtkSwitch *sequential_switch;
  GtkSpinner *spinner;
  GtkLabel *status_label;
  GtkStack *run_stack;
  GtkWidget *start_button;
  GtkWidget *stop_button;
  GtkLabel *error_label;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (FlCheckPage, fl_check_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MODE,
  PROP_RUNNING,
  PROP_ERROR,
  PROP_PASSED,
  PROP_HAS_REPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_error (FlCheckPage *self, const char *message)
{
  fl_widget_set_error (G_OBJECT (self), properties[PROP_ERROR], &self->error, self->error_label,
                       GTK_WIDGET (self->error_label), message);
}

static void
update_actions (FlCheckPage *self)
{
  gboolean running = self->cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "check.start", !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "check.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "check.save", self->report != NULL);
  gtk_stack_set_visible_child (self->run_stack, running ? self->stop_button
                                                        : self->start_button);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running);
  gtk_spinner_set_spinning (self->spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->list),
                          g_list_model_get_n_items (G_LIST_MODEL (self->items)) > 0);
}

static void
update_progress (FlCheckPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items)), done = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FlCheckItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      done += !fl_check_item_get_running (item);
    }
  text = g_strdup_printf (ngettext ("Checking: %u check done…", "Checking: %u checks done…",
                                    done), done);
  gtk_label_set_text (self->status_label, text);
}

static FlCheckItem *
find_running (FlCheckPage *self, const char *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  for (guint i = n; i-- > 0;)
    {
      g_autoptr (FlCheckItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (fl_check_item_get_running (item) && g_strcmp0 (fl_check_item_get_id (item), id) == 0)
        return item;
    }
  return NULL;
}

/* A check started or ended (the async layer brings it to the main loop). */
static void
on_check (const char *id, const char *name, const FlCheckResult *result, gpointer user_data)
{
  FlCheckPage *self = user_data;
  FlCheckItem *item;

  /* Dispose already let go of this run. */
  if (self->cancellable == NULL)
    return;
  item = find_running (self, id);
  if (item == NULL)
    {
      g_autoptr (FlCheckItem) added = fl_check_item_new (id, name);

      g_list_store_append (self->items, added);
      item = added;
    }
  if (result != NULL)
    fl_check_item_finish (item, result->status, result->evidence);
  update_progress (self);
  update_actions (self);
}

/* The sentence for the page when nothing could be checked, or when nothing
 * answered: the connection's own failure says why. */
static const char *
run_failure (const FlCheckReport *report, const GError *error)
{
  const FlCheckResult *connect;

  if (report == NULL)
    return error ? error->message : NULL;
  connect = fl_check_report_find (report, "connect");
  if (connect != NULL && connect->status == FL_CHECK_FAIL)
    return connect->evidence;
  return NULL;
}

static char *
describe_end (const FlCheckReport *report)
{
  if (report == NULL)
    return g_strdup ("");
  if (report->cancelled)
    return g_strdup_printf (ngettext ("Stopped: %u check done.", "Stopped: %u checks done.",
                                      report->results->len),
                            report->results->len);
  return fl_check_report_summary (report);
}

/* A long list ends below the fold: the first failed check is brought into
 * view, where the grader looks first. Tried again when the list's new rows
 * are laid out (the adjustment changes). */
static void
show_first_failure (FlCheckPage *self)
{
  GListModel *model = G_LIST_MODEL (self->items);
  GtkAdjustment *adjustment =
    gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller));
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (self->scroller));

  /* The viewport is the visible part; its child moves with the scroll, so
   * positions in it are the adjustment's. */
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));

  if (!self->scroll_to_failure)
    return;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FlCheckItem) item = g_list_model_get_item (model, i);
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (self->list, (int) i));
      graphene_rect_t bounds;
      double bottom;

      if (fl_check_item_get_status (item) != FL_CHECK_FAIL || row == NULL)
        continue;
      if (!gtk_widget_compute_bounds (row, content, &bounds))
        return;
      bottom = bounds.origin.y + bounds.size.height;
      gtk_adjustment_clamp_page (adjustment, bounds.origin.y, bottom);
      /* Laid out: done. */
      if (gtk_widget_get_height (row) > 0 && bottom <= gtk_adjustment_get_upper (adjustment))
        self->scroll_to_failure = FALSE;
      return;
    }
  self->scroll_to_failure = FALSE;
}

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlCheckPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlCheckReport) report = fl_core_check_finish (result, &error);
  g_autofree char *summary = NULL;

  if (g_application_get_default () != NULL)
    g_application_release (g_application_get_default ());
  /* The thread is done with the checker's server. */
  g_clear_pointer (&self->checker, fl_check_client_free);
  g_clear_pointer (&self->client_strings, g_strfreev);
  if (self->cancellable == NULL)
    return;
  g_clear_object (&self->cancellable);
  set_error (self, run_failure (report, error));
  self->passed = report != NULL && fl_check_report_passed (report);
  fl_check_report_free (self->report);
  self->report = g_steal_pointer (&report);
  summary = describe_end (self->report);
  gtk_label_set_text (self->status_label, summary);
  update_actions (self);
  self->scroll_to_failure = TRUE;
  show_first_failure (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_REPORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

/* A field's text, trimmed; NULL when empty. */
static char *
field_text (AdwEntryRow *row)
{
  char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (text[0] == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

/* The form's server: "HOST:PORT" (or "HOST", the lab's port then). */
static gboolean
start_server_check (FlCheckPage *self, GCancellable *cancellable)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autofree char *trimmed = g_strstrip (g_strdup (address));
  g_autofree char *host = NULL;
  g_autofree char *command = field_text (self->server_command_row);
  FlCheckServerConfig config = { 0 };

  if (!fl_net_parse_endpoint (trimmed, FL_DOWNLOAD_DEFAULT_PORT, &host, &config.port, NULL)
      || host[0] == '\0')
    {
      g_autofree char *message = g_strdup_printf (
        _("“%s” is not a server address: write HOST:PORT, with a port from 1 to 65535."),
        address);

      set_error (self, message);
      return FALSE;
    }
  config.host = host;
  config.command = command;
  fl_core_check_server_async (&config, on_check, self, cancellable, on_run_done,
                              g_object_ref (self));
  return TRUE;
}

/* The form's client: the checker's server starts listening now. */
static gboolean
start_client_check (FlCheckPage *self, GCancellable *cancellable)
{
  g_autofree char *command = field_text (self->client_command_row);
  g_autofree char *folder = g_strdup (fl_path_row_get_effective (self->folder_row));
  FlCheckClientConfig config = { 0 };
  g_autoptr (GError) error = NULL;

  /* The checker keeps config's strings: they live as long as it. */
  g_clear_pointer (&self->client_strings, g_strfreev);
  if (!fl_file_ensure_dir (folder, &error))
    {
      set_error (self, error->message);
      return FALSE;
    }
  /* What the fields show, typed but not confirmed included. */
  gtk_spin_button_update (self->port_spin);
  gtk_spin_button_update (self->frames_spin);
  config.port = (guint) gtk_spin_button_get_value_as_int (self->port_spin);
  config.n_frames = (guint) gtk_spin_button_get_value_as_int (self->frames_spin);
  config.command = command;
  config.working_dir = folder;
  config.sequential = gtk_switch_get_active (self->sequential_switch);
  self->checker = fl_check_client_new (&config, &error);
  self->client_strings = g_new0 (char *, 3);
  self->client_strings[0] = g_steal_pointer (&folder);
  self->client_strings[1] = g_steal_pointer (&command);
  if (self->checker == NULL)
    {
      set_error (self, error->message);
      return FALSE;
    }
  fl_core_check_client_async (self->checker, on_check, self, cancellable, on_run_done,
                              g_object_ref (self));
  return TRUE;
}

gboolean
fl_check_page_start (FlCheckPage *self)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  gboolean client;

  g_return_val_if_fail (FL_IS_CHECK_PAGE (self), FALSE);
  if (self->cancellable != NULL)
    return FALSE;
  client = g_str_equal (self->mode, "client");
  if (!(client ? start_client_check (self, cancellable)
               : start_server_check (self, cancellable)))
    return FALSE;
  set_error (self, NULL);
  g_list_store_remove_all (self->items);
  /* The list and the report saved are always the same run's. */
  g_clear_pointer (&self->report, fl_check_report_free);
  self->passed = FALSE;
  self->cancellable = g_steal_pointer (&cancellable);
  self->scroll_to_failure = FALSE;
  gtk_label_set_text (self->status_label, _("Checking…"));
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_REPORT]);
  /* The app stays up until the thread has let go of the page. */
  if (g_application_get_default () != NULL)
    g_application_hold (g_application_get_default ());
  return TRUE;
}

void
fl_check_page_stop (FlCheckPage *self)
{
  g_return_if_fail (FL_IS_CHECK_PAGE (self));
  if (self->cancellable == NULL)
    return;
  /* A client's run ends as if it had finished: what it left is checked. */
  if (self->checker != NULL)
    fl_check_client_end_run (self->checker);
  else
    g_cancellable_cancel (self->cancellable);
}

gboolean
fl_check_page_get_running (FlCheckPage *self)
{
  return self->cancellable != NULL;
}

const char *
fl_check_page_get_error (FlCheckPage *self)
{
  return self->error;
}

GListModel *
fl_check_page_get_model (FlCheckPage *self)
{
  return G_LIST_MODEL (self->items);
}

GtkWidget *
fl_check_page_get_row (FlCheckPage *self, guint index)
{
  return GTK_WIDGET (gtk_list_box_get_row_at_index (self->list, (int) index));
}

const FlCheckReport *
fl_check_page_get_report (FlCheckPage *self)
{
  return self->report;
}

void
fl_check_page_set_mode (FlCheckPage *self, const char *mode)
{
  const char *name = g_strcmp0 (mode, "client") == 0 ? "client" : "server";

  if (g_strcmp0 (self->mode, name) == 0)
    return;
  g_free (self->mode);
  self->mode = g_strdup (name);
  gtk_stack_set_visible_child_name (self->form_stack, name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

void
fl_check_page_set_server (FlCheckPage *self, const char *address, const char *command)
{
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), address ? address : "");
  gtk_editable_set_text (GTK_EDITABLE (self->server_command_row), command ? command : "");
}

void
fl_check_page_set_client (FlCheckPage *self, guint port, guint frames, const char *command,
                          const char *folder)
{
  if (port != 0)
    gtk_spin_button_set_value (self->port_spin, port);
  if (frames != 0)
    gtk_spin_button_set_value (self->frames_spin, frames);
  gtk_editable_set_text (GTK_EDITABLE (self->client_command_row), command ? command : "");
  if (folder != NULL)
    g_object_set (self->folder_row, "path", folder, NULL);
}

gboolean
fl_check_page_save (FlCheckPage *self, const char *path, GError **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (self->report != NULL, FALSE);
  text = g_str_has_suffix (path, ".json") ? fl_check_report_to_json (self->report)
                                          : fl_check_report_to_markdown (self->report);
  return fl_file_write_atomic (path, text, strlen (text), error);
}

static void
on_save_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  FlCheckPage *self = user_data;
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->chooser);
  path = file ? g_file_get_path (file) : NULL;
  if (path == NULL || self->report == NULL)
    return;
  if (fl_check_page_save (self, path, &error))
    {
      g_autofree char *base = g_file_get_basename (file);
      g_autofree char *title = g_strdup_printf (_("Saved %s"), base);
      g_autofree char *uri = g_file_get_uri (file);

      set_error (self, NULL);
      fl_toast_show_open (GTK_WIDGET (self), title, _("_Open"), uri);
    }
  else
    set_error (self, error->message);
}

static void
choose_save (FlCheckPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr (GtkFileFilter) both = gtk_file_filter_new ();

  if (self->chooser != NULL || self->report == NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Save Check Results"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_file_filter_set_name (both, _("Check results (Markdown or JSON)"));
  gtk_file_filter_add_suffix (both, "md");
  gtk_file_filter_add_suffix (both, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), both);
  /* The extension picks the format: say so by example. */
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "frameloom-check.md");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_action (GtkWidget *widget, const char *action, GVariant *param)
{
  FlCheckPage *self = FL_CHECK_PAGE (widget);

  if (g_str_equal (action, "check.start"))
    fl_check_page_start (self);
  else if (g_str_equal (action, "check.stop"))
    fl_check_page_stop (self);
  else if (g_str_equal (action, "check.save"))
    choose_save (self);
}

static void
on_entry_activated (FlCheckPage *self)
{
  if (self->cancellable == NULL)
    fl_check_page_start (self);
}

/* A status's colour on its icon. */
static void
update_row_icon (FlCheckItem *item, GParamSpec *pspec, GtkWidget *icon)
{
  static const char *const classes[] = { "success", "warning", "error", "dim-label" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (icon, classes[i]);
  gtk_widget_add_css_class (icon, classes[MIN ((guint) fl_check_item_get_status (item),
                                               G_N_ELEMENTS (classes) - 1)]);
}

static GtkWidget *
create_row (gpointer object, gpointer user_data)
{
  FlCheckItem *item = object;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *evidence = gtk_label_new (NULL);
  GtkWidget *status = gtk_label_new (NULL);
  GBindingFlags sync = G_BINDING_SYNC_CREATE;

  gtk_widget_add_css_class (box, "fl-row-text");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_set_valign (spinner, GTK_ALIGN_START);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (evidence), 0);
  gtk_label_set_wrap (GTK_LABEL (evidence), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (evidence), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (evidence, "dim-label");
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (status, GTK_ALIGN_START);
  gtk_widget_add_css_class (status, "caption-heading");
  gtk_widget_add_css_class (status, "monospace");
  g_object_bind_property (item, "icon-name", icon, "icon-name", sync);
  g_object_bind_property (item, "running", icon, "visible", sync | G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (item, "running", spinner, "visible", sync);
  g_object_bind_property (item, "running", spinner, "spinning", sync);
  g_object_bind_property (item, "name", name, "label", sync);
  g_object_bind_property (item, "evidence", evidence, "label", sync);
  g_object_bind_property (item, "status-text", status, "label", sync);
  g_signal_connect_object (item, "notify::status", G_CALLBACK (update_row_icon), icon, 0);
  update_row_icon (item, NULL, icon);
  gtk_box_append (GTK_BOX (text), name);
  gtk_box_append (GTK_BOX (text), evidence);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), spinner);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), status);
  return box;
}

static void
fl_check_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlCheckPage *self = FL_CHECK_PAGE (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_string (value, self->mode);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_PASSED:
      g_value_set_boolean (value, self->passed);
      break;
    case PROP_HAS_REPORT:
      g_value_set_boolean (value, self->report != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_check_page_set_property (GObject *object, guint prop_id, const GValue *value,
                            GParamSpec *pspec)
{
  if (prop_id == PROP_MODE)
    fl_check_page_set_mode (FL_CHECK_PAGE (object), g_value_get_string (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
fl_check_page_dispose (GObject *object)
{
  FlCheckPage *self = FL_CHECK_PAGE (object);

  /* The thread ends soon after (a client command is stopped); its callback
   * frees what it used. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), FL_TYPE_CHECK_PAGE);
  G_OBJECT_CLASS (fl_check_page_parent_class)->dispose (object);
}

static void
fl_check_page_finalize (GObject *object)
{
  FlCheckPage *self = FL_CHECK_PAGE (object);

  g_free (self->mode);
  g_free (self->error);
  g_clear_object (&self->items);
  fl_check_report_free (self->report);
  g_strfreev (self->client_strings);
  G_OBJECT_CLASS (fl_check_page_parent_class)->finalize (object);
}

static void
fl_check_page_class_init (FlCheckPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = fl_check_page_get_property;
  object_class->set_property = fl_check_page_set_property;
  object_class->dispose = fl_check_page_dispose;
  object_class->finalize = fl_check_page_finalize;
  properties[PROP_MODE] = g_param_spec_string ("mode", NULL, NULL, "server",
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                 | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);
  properties[PROP_PASSED] = g_param_spec_boolean ("passed", NULL, NULL, FALSE, flags);
  properties[PROP_HAS_REPORT] = g_param_spec_boolean ("has-report", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FL_TYPE_PATH_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-check-page.ui");
  /* Bound so that dispose_template unparents it. */
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, form_stack);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, server_command_row);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, port_spin);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, frames_spin);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, client_command_row);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, folder_row);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, sequential_switch);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, run_stack);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlCheckPage, list);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_install_property_action (widget_class, "check.mode", "mode");
  gtk_widget_class_install_action (widget_class, "check.start", NULL, on_action);
  gtk_widget_class_install_action (widget_class, "check.stop", NULL, on_action);
  gtk_widget_class_install_action (widget_class, "check.save", NULL, on_action);
  /* Where the focus is in the page: Ctrl+Return is free in the app, and
   * Ctrl+S saves the runs. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "check.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_S,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "check.save", NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
fl_check_page_init (FlCheckPage *self)
{
  g_autofree char *folder = g_build_filename (g_get_user_cache_dir (), "frameloom", "check",
                                              NULL);

  self->mode = g_strdup ("server");
  self->items = g_list_store_new (FL_TYPE_CHECK_ITEM);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_object_set (self->folder_row, "default-path", folder, NULL);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->items), create_row, self, NULL);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (
                             GTK_SCROLLED_WINDOW (self->scroller)),
                           "changed", G_CALLBACK (show_first_failure), self, G_CONNECT_SWAPPED);
  update_actions (self);
}
