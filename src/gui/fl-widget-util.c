/* fl-widget-util.c: helpers for the app's composite widgets. */
#include "fl-widget-util.h"

void
fl_widget_set_error (GObject *object, GParamSpec *pspec, char **error, GtkLabel *label,
                     GtkWidget *shown, const char *message)
{
  if (g_strcmp0 (*error, message) == 0)
    return;
  g_free (*error);
  *error = g_strdup (message);
  gtk_label_set_text (label, message ? message : "");
  gtk_widget_set_visible (shown, message != NULL);
  g_object_notify_by_pspec (object, pspec);
}

void
fl_widget_dispose_template_children (GtkWidget *widget, GType type)
{
  gtk_widget_dispose_template (widget, type);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (widget)) != NULL;)
    gtk_widget_unparent (child);
}
