/* fl-run-record-private.h: the field table that drives both the run-record
 * writers (fl-run-record.c) and readers (fl-run-record-read.c), so a field added
 * to it is saved and loaded in both formats at once. Private to those two files:
 * the public contract is fl-run-record.h. */
#pragma once

#include "fl-run-record.h"

G_BEGIN_DECLS

typedef enum
{
  FIELD_TEXT,       /* char *, never NULL (label) */
  FIELD_TEXT_NULL,  /* char *, NULL allowed */
  FIELD_INT64,
  FIELD_UINT,
  FIELD_UINT64,
  FIELD_BOOL,
  FIELD_SECONDS,    /* double, empty/null when its stage did not run */
  FIELD_DOWNLOAD_RATE, /* derived: written, ignored on load */
  FIELD_ENCODE_RATE,
} FlRecordFieldType;

typedef struct
{
  const char *name;
  gsize offset;
  gsize ran_offset; /* FIELD_SECONDS: the gboolean that says whether it applies */
  FlRecordFieldType type;
  gboolean optional; /* added after the first version: older files lack it */
} FlRecordField;

/* In FL_RUN_RECORD_FIELDS order; the definition in fl-run-record.c must list
 * exactly this many (the compiler checks it against this declaration). */
#define FL_RECORD_N_FIELDS 20
G_GNUC_INTERNAL extern const FlRecordField fl_record_fields[FL_RECORD_N_FIELDS];

#define FL_RECORD_FIELD_PTR(record, field, type) \
  ((type *) (gpointer) ((char *) (record) + (field)->offset))

G_END_DECLS
