/* fl-widget-util.h: what the app's composite widgets share: the "error"
 * property shown in a label, and the dispose of a template whose root is not
 * a bound child. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Main thread: makes *error (owned by object) a copy of message (NULL: no
 * error), shows it in label and shows shown (the label or a row holding it)
 * only while there is one. Notifies pspec on object only when the text
 * changed; nothing else happens then either. */
void fl_widget_set_error (GObject *object, GParamSpec *pspec, char **error, GtkLabel *label,
                          GtkWidget *shown, const char *message);

/* gtk_widget_dispose_template (widget, type), then unparents the children it
 * left: a template's unnamed root box is the widget's own to unparent. */
void fl_widget_dispose_template_children (GtkWidget *widget, GType type);

G_END_DECLS
