/* fl-banner.c: FlBanner, a revealer around a sentence and two buttons. */
#include "fl-banner.h"

struct _FlBanner
{
  GtkWidget parent_instance;

  GtkRevealer *revealer;
  GtkWidget *box;
  GtkLabel *label;
  GtkButton *button;
};

G_DEFINE_FINAL_TYPE (FlBanner, fl_banner, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_BUTTON_LABEL,
  PROP_ACTION_NAME,
  PROP_REVEALED,
  PROP_ERROR,
  N_PROPS
};

enum
{
  BUTTON_CLICKED,
  DISMISSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

GtkWidget *
fl_banner_new (void)
{
  return g_object_new (FL_TYPE_BANNER, NULL);
}

void
fl_banner_set_title (FlBanner *self, const char *title)
{
  g_return_if_fail (FL_IS_BANNER (self));
  if (g_strcmp0 (title, gtk_label_get_text (self->label)) == 0)
    return;
  gtk_label_set_text (self->label, title ? title : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
fl_banner_get_title (FlBanner *self)
{
  return gtk_label_get_text (self->label);
}

void
fl_banner_set_revealed (FlBanner *self, gboolean revealed)
{
  g_return_if_fail (FL_IS_BANNER (self));
  if (gtk_revealer_get_reveal_child (self->revealer) == !!revealed)
    return;
  /* Hidden, it takes no part in the focus chain or the accessibility tree:
   * on_child_revealed hides it once the slide is over. */
  if (revealed)
    gtk_widget_set_visible (self->box, TRUE);
  gtk_revealer_set_reveal_child (self->revealer, revealed);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEALED]);
}

gboolean
fl_banner_get_revealed (FlBanner *self)
{
  return gtk_revealer_get_reveal_child (self->revealer);
}

GtkWidget *
fl_banner_get_label (FlBanner *self)
{
  return GTK_WIDGET (self->label);
}

static void
on_button_clicked (FlBanner *self)
{
  g_signal_emit (self, signals[BUTTON_CLICKED], 0);
}

static void
on_child_revealed (FlBanner *self)
{
  if (!gtk_revealer_get_reveal_child (self->revealer))
    gtk_widget_set_visible (self->box, FALSE);
}

static void
on_dismiss (GtkWidget *widget, const char *action, GVariant *param)
{
  FlBanner *self = FL_BANNER (widget);

  fl_banner_set_revealed (self, FALSE);
  g_signal_emit (self, signals[DISMISSED], 0);
}

static void
fl_banner_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlBanner *self = FL_BANNER (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, gtk_label_get_text (self->label));
      break;
    case PROP_BUTTON_LABEL:
      g_value_set_string (value, gtk_button_get_label (self->button));
      break;
    case PROP_ACTION_NAME:
      g_value_set_string (value, gtk_actionable_get_action_name (GTK_ACTIONABLE (self->button)));
      break;
    case PROP_REVEALED:
      g_value_set_boolean (value, fl_banner_get_revealed (self));
      break;
    case PROP_ERROR:
      g_value_set_boolean (value, gtk_widget_has_css_class (self->box, "fl-banner-error"));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_banner_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FlBanner *self = FL_BANNER (object);
  const char *text;

  switch (prop_id)
    {
    case PROP_TITLE:
      fl_banner_set_title (self, g_value_get_string (value));
      break;
    case PROP_BUTTON_LABEL:
      text = g_value_get_string (value);
      gtk_button_set_label (self->button, text);
      gtk_widget_set_visible (GTK_WIDGET (self->button), text != NULL && *text != '\0');
      break;
    case PROP_ACTION_NAME:
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->button), g_value_get_string (value));
      break;
    case PROP_REVEALED:
      fl_banner_set_revealed (self, g_value_get_boolean (value));
      break;
    case PROP_ERROR:
      if (g_value_get_boolean (value))
        gtk_widget_add_css_class (self->box, "fl-banner-error");
      else
        gtk_widget_remove_css_class (self->box, "fl-banner-error");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_banner_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), FL_TYPE_BANNER);
  G_OBJECT_CLASS (fl_banner_parent_class)->dispose (object);
}

static void
fl_banner_class_init (FlBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_banner_dispose;
  object_class->get_property = fl_banner_get_property;
  object_class->set_property = fl_banner_set_property;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                  | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUTTON_LABEL] = g_param_spec_string ("button-label", NULL, NULL, NULL,
                                                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTION_NAME] = g_param_spec_string ("action-name", NULL, NULL, NULL,
                                                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVEALED] = g_param_spec_boolean ("revealed", NULL, NULL, FALSE,
                                                    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                      | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] = g_param_spec_boolean ("error", NULL, NULL, FALSE,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[BUTTON_CLICKED] = g_signal_new ("button-clicked", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[DISMISSED] = g_signal_new ("dismissed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, FlBanner, revealer);
  gtk_widget_class_bind_template_child (widget_class, FlBanner, box);
  gtk_widget_class_bind_template_child (widget_class, FlBanner, label);
  gtk_widget_class_bind_template_child (widget_class, FlBanner, button);
  gtk_widget_class_bind_template_callback (widget_class, on_button_clicked);
  gtk_widget_class_install_action (widget_class, "banner.dismiss", NULL, on_dismiss);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "flbanner");
}

static void
fl_banner_init (FlBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (self->box, FALSE);
  g_signal_connect_object (self->revealer, "notify::child-revealed",
                           G_CALLBACK (on_child_revealed), self, G_CONNECT_SWAPPED);
}
