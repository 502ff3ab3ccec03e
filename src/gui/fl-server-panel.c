/* fl-server-panel.c: FlServer behind a switch; stats and log pulled by a timer. */
#include "fl-server-panel.h"

#include "fl-application.h"
#include "fl-core-bridge.h"
#include "fl-image.h"
#include "fl-report.h"
#include "fl-preset-settings.h"
#include "fl-toast.h"
#include "fl-core-async.h"
#include "fl-widget-util.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#define LOG_RING_LINES 256  /* lines kept between two ticks */
#define LOG_VIEW_LINES 500  /* lines kept in the view */
#define STOP_GRACE_MS 500

struct _FlServerPanel
{
  GtkWidget parent_instance;

  FlServer *server;       /* owned while running */
  FlServer *starting;     /* owned while it starts */
  FlServerConfig config;  /* of the server running or starting; host: config_host */
  char *config_host;
  char *command;          /* the frameloom-server line that starts the same server */
  FlLogRing *ring;        /* outlives events: its reader writes here */
  FlEvents *events;       /* outlives server: the servers report here */
  GCancellable *cancellable;
  GSettings *settings;
  guint tick_id;
  gboolean busy;
  guint port;
  char *error;
  FlServerStats stats;
  guint64 rate_images;    /* images_sent at rate_time */
  gint64 rate_time;
  double rate;

  GtkSwitch *server_switch;
  AdwActionRow *switch_row;
  GtkWidget *host_entry;
  GtkWidget *port_row;
  GtkSpinButton *port_spin;
  GtkWidget *size_entry;
  AdwComboRow *preset_row;
  GtkWidget *latency_row;
  GtkWidget *jitter_row;
  GtkWidget *cost_row;
  GtkSpinButton *latency_spin;
  GtkSpinButton *jitter_spin;
  GtkSpinButton *cost_spin;
  FlPresetId preset;
  gboolean showing_preset;  /* the combo's change is ours, not the user's */
  GtkLabel *sent_label;
  GtkLabel *active_label;
  GtkLabel *rate_label;
  GtkLabel *failures_label;
  GtkWidget *error_row;
  GtkLabel *error_label;
  GtkTextView *log_view;
  gboolean log_follow;     /* keep the newest line in view: the user has not scrolled up */
  gboolean log_scrolling;  /* the value change is ours, not the user's */
};

G_DEFINE_FINAL_TYPE (FlServerPanel, fl_server_panel, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_PORT,
  PROP_BUSY,
  PROP_ERROR,
  PROP_PRESET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_busy (FlServerPanel *self, gboolean busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* The sentence shows under the switch, and "error" notifies: the window puts
 * it in its banner, in view whatever the sidebar shows. */
static void
show_error (FlServerPanel *self, const char *message)
{
  fl_widget_set_error (G_OBJECT (self), properties[PROP_ERROR], &self->error, self->error_label,
                       self->error_row, message);
}

static void
set_label_u64 (GtkLabel *label, guint64 value)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, value);
  gtk_label_set_text (label, text);
}

static void
append_log (FlServerPanel *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  g_auto (GStrv) lines = NULL;
  guint64 dropped = 0;
  g_autoptr (GString) text = g_string_new (NULL);
  GtkTextIter end;
  int excess;

  lines = fl_log_ring_take (self->ring, &dropped);
  if (lines[0] == NULL)
    return;
  if (dropped > 0)
    g_string_append_printf (text, _("… %llu more lines …\n"),
                            (unsigned long long) dropped);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_string_append (text, lines[i]);
      g_string_append_c (text, '\n');
    }
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text->str, (int) text->len);
  excess = gtk_text_buffer_get_line_count (buffer) - LOG_VIEW_LINES;
  if (excess > 0)
    {
      GtkTextIter start, cut;

      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_get_iter_at_line (buffer, &cut, excess);
      gtk_text_buffer_delete (buffer, &start, &cut);
    }
}

static gboolean
on_tick (gpointer data)
{
  FlServerPanel *self = data;
  gint64 now = g_get_monotonic_time ();
  char rate[32];

  if (self->server == NULL)
    return G_SOURCE_CONTINUE;
  fl_server_get_stats (self->server, &self->stats);
  /* The rate over the last second or so, updated about twice a second. */
  if (now - self->rate_time >= G_USEC_PER_SEC / 2)
    {
      self->rate = (double) (self->stats.images_sent - self->rate_images) * G_USEC_PER_SEC
                   / (double) (now - self->rate_time);
      self->rate_images = self->stats.images_sent;
      self->rate_time = now;
    }
  set_label_u64 (self->sent_label, self->stats.images_sent);
  set_label_u64 (self->active_label, self->stats.active);
  set_label_u64 (self->failures_label, self->stats.failures);
  g_snprintf (rate, sizeof rate, "%.0f", self->rate);
  gtk_label_set_text (self->rate_label, rate);
  append_log (self);
  return G_SOURCE_CONTINUE;
}

static void
update_state (FlServerPanel *self)
{
  gboolean running = self->server != NULL;
  g_autofree char *status = NULL;

  gtk_switch_set_state (self->server_switch, running);
  gtk_switch_set_active (self->server_switch, running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_switch), !self->busy);
  gtk_widget_set_sensitive (self->host_entry, !running && !self->busy);
  gtk_widget_set_sensitive (self->port_row, !running && !self->busy);
  gtk_widget_set_sensitive (self->size_entry, !running && !self->busy);
  /* The workload is the server's at its start: stop it to change it. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->preset_row),
                            !running && !self->busy && self->settings != NULL);
  gtk_widget_set_sensitive (self->latency_row, !running && !self->busy);
  gtk_widget_set_sensitive (self->jitter_row, !running && !self->busy);
  gtk_widget_set_sensitive (self->cost_row, !running && !self->busy);
  if (running)
    status = g_strdup_printf (_("Listening on %s"), fl_server_get_address (self->server));
  else
    status = g_strdup (self->busy ? _("Starting…") : _("Stopped"));
  adw_action_row_set_subtitle (self->switch_row, status);
}

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlServerPanel) self = user_data;
  FlServer *server = g_steal_pointer (&self->starting);
  g_autoptr (GError) error = NULL;
  /* fl_server_start ran on a thread: its bound port, address and threads are
   * ours from here. */
  gboolean ok = fl_core_server_start_finish (result, &error);

  /* Disposed meanwhile (the window closed): nobody else would stop it. */
  if (self->cancellable == NULL)
    {
      if (ok)
        fl_server_stop (server, 0);
      fl_server_free (server);
      return;
    }
  if (!ok)
    {
      fl_server_free (server);
      show_error (self, error->message);
      self->busy = FALSE;
      update_state (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
      return;
    }
  self->server = server;
  self->port = fl_server_get_port (server);
  self->config.port = self->port;
  g_free (self->command);
  self->command = fl_report_server_command_line (&self->config, "frameloom-server");
  self->rate_images = 0;
  self->rate_time = g_get_monotonic_time ();
  self->rate = 0;
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add (FL_BRIDGE_TICK_MS, on_tick, self);
  self->busy = FALSE;
  update_state (self);
  on_tick (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_stopped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FlServerPanel) self = user_data;

  /* The async layer frees the server once this returns. */
  fl_core_server_stop_finish (result);
  self->busy = FALSE;
  if (self->cancellable == NULL)
    return;
  append_log (self);
  /* A stopped server serves nobody: keep the total, clear the live figures. */
  self->rate = 0;
  gtk_label_set_text (self->rate_label, "0");
  gtk_label_set_text (self->active_label, "0");
  update_state (self);
  fl_toast_show (GTK_WIDGET (self), _("Server stopped"), NULL, NULL, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* What the field shows, typed but not confirmed included. */
static guint
spin_value (GtkSpinButton *spin)
{
  gtk_spin_button_update (spin);
  return (guint) MAX (gtk_spin_button_get_value_as_int (spin), 0);
}

void
fl_server_panel_set_running (FlServerPanel *self, gboolean running)
{
  g_return_if_fail (FL_IS_SERVER_PANEL (self));
  if (self->busy || running == (self->server != NULL))
    {
      update_state (self);
      return;
    }
  if (running)
    {
      FlServerConfig config = { 0 };
      g_autoptr (GError) error = NULL;
      FlServer *server;

      config.host = gtk_editable_get_text (GTK_EDITABLE (self->host_entry));
      config.port = fl_server_panel_get_configured_port (self);
      if (!fl_image_parse_size (gtk_editable_get_text (GTK_EDITABLE (self->size_entry)),
                                &config.width, &config.height, &error))
        {
          show_error (self, error->message);
          update_state (self);
          return;
        }
      config.latency_ms = spin_value (self->latency_spin);
      config.jitter_ms = spin_value (self->jitter_spin);
      config.cost_us = spin_value (self->cost_spin);
      show_error (self, NULL);
      config.events = self->events;
      g_free (self->config_host);
      self->config_host = g_strdup (config.host);
      self->config = config;
      self->config.host = self->config_host;
      server = fl_server_new (&config);
      set_busy (self, TRUE);
      /* on_started keeps or frees it. */
      self->starting = server;
      fl_core_server_start_async (server, on_started, g_object_ref (self));
    }
  else
    {
      FlServer *server = g_steal_pointer (&self->server);

      on_tick (self);
      set_busy (self, TRUE);
      self->port = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
      fl_core_server_stop_async (server, STOP_GRACE_MS, on_stopped, g_object_ref (self));
    }
  update_state (self);
  if (!running)
    adw_action_row_set_subtitle (self->switch_row, _("Stopping…"));
}

static gboolean
on_switch_state_set (FlServerPanel *self, gboolean state)
{
  fl_server_panel_set_running (self, state);
  /* The state follows the server, not the click. */
  return TRUE;
}

FlEvents *
fl_server_panel_get_events (FlServerPanel *self)
{
  return self->events;
}

const char *
fl_server_panel_get_command_line (FlServerPanel *self)
{
  return self->server != NULL ? self->command : NULL;
}

gboolean
fl_server_panel_get_running (FlServerPanel *self)
{
  return self->server != NULL;
}

guint
fl_server_panel_get_port (FlServerPanel *self)
{
  return self->server != NULL ? self->port : 0;
}

guint
fl_server_panel_get_configured_port (FlServerPanel *self)
{
  return spin_value (self->port_spin);
}

gboolean
fl_server_panel_get_busy (FlServerPanel *self)
{
  return self->busy;
}

void
fl_server_panel_get_stats (FlServerPanel *self, FlServerStats *stats)
{
  *stats = self->stats;
}

const char *
fl_server_panel_get_error (FlServerPanel *self)
{
  return self->error;
}

GtkSwitch *
fl_server_panel_get_switch (FlServerPanel *self)
{
  return self->server_switch;
}

void
fl_server_panel_shutdown (FlServerPanel *self)
{
  if (self->server != NULL)
    {
      fl_server_stop (self->server, STOP_GRACE_MS);
      g_clear_pointer (&self->server, fl_server_free);
    }
}

static void
fl_server_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlServerPanel *self = FL_SERVER_PANEL (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, fl_server_panel_get_running (self));
      break;
    case PROP_PORT:
      g_value_set_uint (value, fl_server_panel_get_port (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_PRESET:
      g_value_set_int (value, self->preset);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_server_panel_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_PRESET:
      fl_server_panel_set_preset (FL_SERVER_PANEL (object), g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_server_panel_dispose (GObject *object)
{
  FlServerPanel *self = FL_SERVER_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  fl_server_panel_shutdown (self);
  fl_widget_dispose_template_children (GTK_WIDGET (self), FL_TYPE_SERVER_PANEL);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (fl_server_panel_parent_class)->dispose (object);
}

static void
fl_server_panel_finalize (GObject *object)
{
  FlServerPanel *self = FL_SERVER_PANEL (object);

  /* Every server thread has been joined by now (dispose or on_stopped). */
  fl_events_free (self->events);
  fl_log_ring_free (self->ring);
  g_free (self->error);
  g_free (self->config_host);
  g_free (self->command);
  G_OBJECT_CLASS (fl_server_panel_parent_class)->finalize (object);
}

static void
fl_server_panel_class_init (FlServerPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_server_panel_dispose;
  object_class->finalize = fl_server_panel_finalize;
  object_class->get_property = fl_server_panel_get_property;
  object_class->set_property = fl_server_panel_set_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The sentence of the last failure to start, or NULL. */
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The FlPresetId the fields match, FL_PRESET_CUSTOM (-1) when none; setting
   * it applies that preset to the server's and the client's fields. */
  properties[PROP_PRESET] = g_param_spec_int ("preset", NULL, NULL, FL_PRESET_CUSTOM,
                                              FL_N_PRESETS - 1, FL_PRESET_CUSTOM,
                                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                                | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/frameloom/Frameloom/fl-server-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, server_switch);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, switch_row);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, host_entry);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, port_row);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, port_spin);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, size_entry);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, preset_row);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, latency_row);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, jitter_row);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, cost_row);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, latency_spin);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, jitter_spin);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, cost_spin);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, error_row);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, sent_label);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, active_label);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, rate_label);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, failures_label);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlServerPanel, log_view);
  gtk_widget_class_bind_template_callback (widget_class, on_switch_state_set);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

/* The text view validates lines a few at a time, so the height of the log
 * grows over several frames after each batch: follow the bottom as it grows,
 * like a terminal, until the user scrolls up to read. */
static void
on_log_adjustment_changed (FlServerPanel *self, GtkAdjustment *adjustment)
{
  if (!self->log_follow)
    return;
  self->log_scrolling = TRUE;
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                          - gtk_adjustment_get_page_size (adjustment));
  self->log_scrolling = FALSE;
}

static void
on_log_value_changed (FlServerPanel *self, GtkAdjustment *adjustment)
{
  double bottom = gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment);

  if (!self->log_scrolling)
    self->log_follow = bottom >= gtk_adjustment_get_upper (adjustment) - 1;
}

/* The combo follows the keys: a preset chosen, or a field changed by hand. */
static void
show_preset (FlServerPanel *self)
{
  FlPresetId preset = self->settings != NULL ? fl_preset_settings_find (self->settings)
                                             : FL_PRESET_CUSTOM;

  self->showing_preset = TRUE;
  /* "Custom" is the last item. */
  adw_combo_row_set_selected (self->preset_row, preset == FL_PRESET_CUSTOM ? FL_N_PRESETS
                                                                            : (guint) preset);
  /* The row shows the preset's name as its subtitle (a narrow sidebar would
   * cut it short beside the title); what it does is the tooltip. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->preset_row), fl_preset_get_description (preset));
  self->showing_preset = FALSE;
  if (preset != self->preset)
    {
      self->preset = preset;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESET]);
    }
}

static void
on_settings_changed (FlServerPanel *self, const char *key)
{
  if (fl_preset_settings_has_key (key))
    show_preset (self);
}

void
fl_server_panel_set_preset (FlServerPanel *self, FlPresetId preset)
{
  g_return_if_fail (FL_IS_SERVER_PANEL (self));

  /* "Custom" keeps the fields as they are. */
  if (self->settings != NULL && preset >= 0 && preset < FL_N_PRESETS)
    fl_preset_settings_apply (self->settings, preset);
  show_preset (self);
}

FlPresetId
fl_server_panel_get_preset (FlServerPanel *self)
{
  return self->preset;
}

void
fl_server_panel_get_workload (FlServerPanel *self, FlWorkload *workload)
{
  memset (workload, 0, sizeof *workload);
  workload->latency_ms = spin_value (self->latency_spin);
  workload->jitter_ms = spin_value (self->jitter_spin);
  workload->cost_us = spin_value (self->cost_spin);
  if (!fl_image_parse_size (gtk_editable_get_text (GTK_EDITABLE (self->size_entry)),
                            &workload->width, &workload->height, NULL))
    workload->width = workload->height = 0;
}

GtkSpinButton *
fl_server_panel_get_latency_spin (FlServerPanel *self)
{
  return self->latency_spin;
}

static void
on_preset_selected (FlServerPanel *self)
{
  if (!self->showing_preset)
    fl_server_panel_set_preset (self, (FlPresetId) adw_combo_row_get_selected (self->preset_row));
}

static void
init_presets (FlServerPanel *self)
{
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);

  for (int i = 0; i < FL_N_PRESETS; i++)
    gtk_string_list_append (names, fl_preset_get_name (i));
  gtk_string_list_append (names, fl_preset_get_name (FL_PRESET_CUSTOM));
  self->preset = FL_PRESET_CUSTOM;
  self->showing_preset = TRUE;
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (names));
  self->showing_preset = FALSE;
  g_signal_connect_object (self->preset_row, "notify::selected", G_CALLBACK (on_preset_selected),
                           self, G_CONNECT_SWAPPED);
  show_preset (self);
}

static void
fl_server_panel_init (FlServerPanel *self)
{
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->log_follow = TRUE;
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->log_view));
  g_signal_connect_object (adjustment, "changed", G_CALLBACK (on_log_adjustment_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_log_value_changed), self,
                           G_CONNECT_SWAPPED);
  self->ring = fl_log_ring_new (LOG_RING_LINES);
  self->events = fl_events_new (0);
  fl_events_add_reader (self->events, fl_log_ring_read_server_events, self->ring, NULL);
  self->cancellable = g_cancellable_new ();
  self->settings = fl_settings_new ();
  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "server-host", self->host_entry, "text",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "server-port", self->port_spin, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "server-size", self->size_entry, "text",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "server-latency-ms", self->latency_spin, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "server-jitter-ms", self->jitter_spin, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "server-cost-us", self->cost_spin, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self,
                               G_CONNECT_SWAPPED);
    }
  init_presets (self);
  update_state (self);
}
