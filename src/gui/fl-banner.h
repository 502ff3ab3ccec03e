/* fl-banner.h: a strip across the top of the window for what needs the user's
 * attention now: a sentence, an optional button and a close button. What
 * AdwBanner does from libadwaita 1.3, for Debian 12's 1.2. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FL_TYPE_BANNER (fl_banner_get_type ())
G_DECLARE_FINAL_TYPE (FlBanner, fl_banner, FL, BANNER, GtkWidget)

/* Properties: "title" (the sentence), "button-label" (NULL or "": no button),
 * "action-name" (what the button activates), "revealed", "error" (styled as
 * an error). Signals: "button-clicked", "dismissed" (the close button or
 * Escape; the banner hides itself). */
GtkWidget  *fl_banner_new (void);
void        fl_banner_set_title (FlBanner *self, const char *title);
const char *fl_banner_get_title (FlBanner *self);
void        fl_banner_set_revealed (FlBanner *self, gboolean revealed);
gboolean    fl_banner_get_revealed (FlBanner *self);
/* The sentence's label (for tests: is it on screen?). */
GtkWidget  *fl_banner_get_label (FlBanner *self);

G_END_DECLS
