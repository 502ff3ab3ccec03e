/* fl-run-object.h: a GObject holding one FlRunRecord, so that a GListStore
 * (the runs history) and a GtkColumnView can hold runs. The record is copied
 * in and never changes afterwards. */
#pragma once

#include <glib-object.h>

#include "fl-run-record.h"

G_BEGIN_DECLS

#define FL_TYPE_RUN_OBJECT (fl_run_object_get_type ())
G_DECLARE_FINAL_TYPE (FlRunObject, fl_run_object, FL, RUN_OBJECT, GObject)

/* Copies record. */
FlRunObject       *fl_run_object_new (const FlRunRecord *record);
/* Takes ownership of record. */
FlRunObject       *fl_run_object_new_take (FlRunRecord *record);
/* Owned by the object; valid as long as it lives. */
const FlRunRecord *fl_run_object_get_record (FlRunObject *self);

G_END_DECLS
