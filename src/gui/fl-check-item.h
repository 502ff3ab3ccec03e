/* fl-check-item.h: one check of a run as a GObject, for the Check page's
 * list model (and whatever lists checks next: the app's report).
 *
 * Properties (read-only): "id" (stable, English: "reply-png"), "name"
 * (translated), "evidence" (one sentence; empty while the check runs),
 * "status" (an FlCheckStatus as int), "status-text" ("PASS" ...; empty while
 * it runs), "icon-name" (the status's symbolic icon), "running". */
#pragma once

#include "fl-check.h"

#include <glib-object.h>

G_BEGIN_DECLS

#define FL_TYPE_CHECK_ITEM (fl_check_item_get_type ())
G_DECLARE_FINAL_TYPE (FlCheckItem, fl_check_item, FL, CHECK_ITEM, GObject)

/* A check that has started: running, no evidence yet. */
FlCheckItem  *fl_check_item_new (const char *id, const char *name);
/* It ended: its status and evidence, and it no longer runs. */
void          fl_check_item_finish (FlCheckItem *self, FlCheckStatus status,
                                    const char *evidence);
const char   *fl_check_item_get_id (FlCheckItem *self);
FlCheckStatus fl_check_item_get_status (FlCheckItem *self);
const char   *fl_check_item_get_evidence (FlCheckItem *self);
gboolean      fl_check_item_get_running (FlCheckItem *self);

G_END_DECLS
