/* fl-check-page.h: the Check page: a student's server or client graded
 * against the lab, the checks listed live as they end, saved as Markdown or
 * JSON.
 *
 * A check runs on a worker thread (GTask); each check that starts or ends is
 * posted to the main context, where the model (FlCheckItem objects, in the
 * order the checks ran) changes. Properties of the page: "mode" ("server" or
 * "client"), "running", "error" (one sentence, or NULL: the address does not
 * resolve, the port is taken, the command cannot start), "passed" (the last
 * run ended with no failure), "has-report". */
#pragma once

#include "fl-check-item.h"
#include "fl-check.h"

#include <adwaita.h>

G_BEGIN_DECLS

#define FL_TYPE_CHECK_PAGE (fl_check_page_get_type ())
G_DECLARE_FINAL_TYPE (FlCheckPage, fl_check_page, FL, CHECK_PAGE, GtkWidget)

/* The checks of the run shown (FlCheckItem). */
GListModel          *fl_check_page_get_model (FlCheckPage *self);
void                 fl_check_page_set_mode (FlCheckPage *self, const char *mode);
/* What the form says, as the user would type it. */
void                 fl_check_page_set_server (FlCheckPage *self, const char *address,
                                               const char *command);
/* command and folder may be NULL; frames 0 keeps the form's count. */
void                 fl_check_page_set_client (FlCheckPage *self, guint port, guint frames,
                                               const char *command, const char *folder);
/* Starts the check the form describes (check.start): FALSE, with "error" set,
 * when it could not start. */
gboolean             fl_check_page_start (FlCheckPage *self);
/* A server check is cancelled; a client's run is ended and what it left is
 * checked (check.stop). */
void                 fl_check_page_stop (FlCheckPage *self);
gboolean             fl_check_page_get_running (FlCheckPage *self);
const char          *fl_check_page_get_error (FlCheckPage *self);
/* The last finished run's report (NULL before one): the app's report takes it. */
const FlCheckReport *fl_check_page_get_report (FlCheckPage *self);
/* The row that shows check index of the model (for tests). */
GtkWidget           *fl_check_page_get_row (FlCheckPage *self, guint index);
/* Writes the report to path: JSON for a .json name, else Markdown. */
gboolean             fl_check_page_save (FlCheckPage *self, const char *path, GError **error);

G_END_DECLS
