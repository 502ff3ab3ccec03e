/* fl-toast.c: AdwToast through the nearest AdwToastOverlay. */
#include "fl-toast.h"

#include <adwaita.h>

void
fl_toast_show (GtkWidget *from, const char *title, const char *button, const char *action,
               GVariant *target)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (from, ADW_TYPE_TOAST_OVERLAY);
  g_autoptr (GVariant) owned = target ? g_variant_ref_sink (target) : NULL;
  AdwToast *toast;

  if (overlay == NULL)
    return;
  toast = adw_toast_new (title);
  if (button != NULL)
    {
      adw_toast_set_button_label (toast, button);
      adw_toast_set_action_name (toast, action);
      adw_toast_set_action_target_value (toast, owned);
    }
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

void
fl_toast_show_open (GtkWidget *from, const char *title, const char *button, const char *uri)
{
  fl_toast_show (from, title, button, "app.open-uri", g_variant_new_string (uri));
}
