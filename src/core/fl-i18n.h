/* fl-i18n.h: the gettext set-up every program shares. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* setlocale (LC_ALL, "") and the text domain, its catalogues taken from
 * $FRAMELOOM_LOCALEDIR when set (tests use the build tree's), else from the
 * installed ones. Call first in main, before any thread starts. */
void fl_i18n_init (void);

G_END_DECLS
