/* fl-toast.h: a toast in the window a widget is in (its AdwToastOverlay), for
 * news that needs no answer: "Saved runs.csv" with Open, "Server stopped".
 * Outside a window with one (a widget alone in a test) nothing shows. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* button, action and target may be NULL; target (floating) is sunk. */
void fl_toast_show (GtkWidget *from, const char *title, const char *button, const char *action,
                    GVariant *target);
/* A toast with a button that opens uri (app.open-uri): a file or folder. */
void fl_toast_show_open (GtkWidget *from, const char *title, const char *button,
                         const char *uri);

G_END_DECLS
