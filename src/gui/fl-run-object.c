/* fl-run-object.c: FlRunObject, a read-only box around a FlRunRecord. */
#include "fl-run-object.h"

struct _FlRunObject
{
  GObject parent_instance;

  FlRunRecord *record;
};

G_DEFINE_FINAL_TYPE (FlRunObject, fl_run_object, G_TYPE_OBJECT)

static void
fl_run_object_finalize (GObject *object)
{
  g_clear_pointer (&FL_RUN_OBJECT (object)->record, fl_run_record_free);
  G_OBJECT_CLASS (fl_run_object_parent_class)->finalize (object);
}

static void
fl_run_object_class_init (FlRunObjectClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fl_run_object_finalize;
}

static void
fl_run_object_init (FlRunObject *self)
{
}

FlRunObject *
fl_run_object_new_take (FlRunRecord *record)
{
  FlRunObject *self = g_object_new (FL_TYPE_RUN_OBJECT, NULL);

  g_return_val_if_fail (record != NULL, self);
  self->record = record;
  return self;
}

FlRunObject *
fl_run_object_new (const FlRunRecord *record)
{
  return fl_run_object_new_take (fl_run_record_copy (record));
}

const FlRunRecord *
fl_run_object_get_record (FlRunObject *self)
{
  g_return_val_if_fail (FL_IS_RUN_OBJECT (self), NULL);
  return self->record;
}
