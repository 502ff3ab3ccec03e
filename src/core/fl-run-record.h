/* fl-run-record.h: one client run, as the history, the charts and --json keep it.
 *
 * A record is plain data (configuration in, per-stage results out), so the CLI,
 * the app's history table and the sweep share one format. Lists of records are
 * saved and loaded as CSV (one header row, then one row per run) and JSON (an
 * array of objects with the same field names); loading rejects a file it did not
 * write with one sentence naming the file, line and field. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *label;               /* "baseline", "threads=8", "run 3", ...; never NULL */
  char *server;              /* "127.0.0.1:1234" or "a:1,b:2" for several endpoints */
  gint64 started_unix;       /* seconds since the epoch */
  guint frames;
  guint threads;
  guint processes;
  guint width, height;       /* frame size; 0 when unknown */
  gboolean ran_download;
  gboolean ran_encode;
  double download_seconds;   /* meaningful only when ran_download */
  double encode_seconds;     /* meaningful only when ran_encode */
  guint64 retries;
  guint64 failures;          /* frames that failed for good */
  gboolean ok;
  char *error;               /* the failure sentence, or NULL */
} FlRunRecord;

FlRunRecord *fl_run_record_new (const char *label);
FlRunRecord *fl_run_record_copy (const FlRunRecord *record);
void fl_run_record_free (FlRunRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlRunRecord, fl_run_record_free)

/* Frames per second of a stage that ran (0 when it did not or took no time). */
double fl_run_record_download_rate (const FlRunRecord *record);
double fl_run_record_encode_rate (const FlRunRecord *record);

/* records holds FlRunRecord* (free func fl_run_record_free). Writes atomically. */
gboolean fl_run_records_save_csv (GPtrArray *records, const char *path, GError **error);
gboolean fl_run_records_save_json (GPtrArray *records, const char *path, GError **error);
/* The same text, for stdout (--json) and tests. */
char *fl_run_records_to_csv (GPtrArray *records);
char *fl_run_records_to_json (GPtrArray *records);

/* A new GPtrArray of FlRunRecord*, or NULL with an error in FL_ERROR. The format
 * is told by content (JSON starts with '['), not by the file name. */
GPtrArray *fl_run_records_load (const char *path, GError **error);
GPtrArray *fl_run_records_parse (const char *text, gssize length, const char *name,
                                 GError **error);

G_END_DECLS
