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
  /* The download's connecting and waiting for replies, summed over every
   * attempt of every frame: the waiting that threads can hide. */
  double download_wait_seconds;
  guint repetition;          /* of a sweep's point, from 1; 1 for a single run */
  guint64 retries;           /* counts are saved up to 2^63 - 1, as JSON readers hold them */
  guint64 failures;          /* frames that failed for good */
  gboolean ok;
  char *error;               /* the failure sentence, or NULL */
} FlRunRecord;

/* A record with label copied (NULL reads as ""), repetition 1, everything else
 * zero/FALSE/NULL. */
FlRunRecord *fl_run_record_new (const char *label);
FlRunRecord *fl_run_record_copy (const FlRunRecord *record);
void fl_run_record_free (FlRunRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlRunRecord, fl_run_record_free)

/* Frames per second of a stage that ran (0 when it did not or took no time). */
double fl_run_record_download_rate (const FlRunRecord *record);
double fl_run_record_encode_rate (const FlRunRecord *record);

/* An empty GPtrArray of FlRunRecord* that frees its records. */
GPtrArray *fl_run_records_new (void);

/* The file formats. CSV: RFC 4180 (fields with a comma, quote or line break are
 * quoted, quotes doubled), one header row naming the fields in FL_RUN_RECORD_FIELDS
 * order, "true"/"false" for booleans, an empty cell for NULL text and for the
 * seconds and rates of a stage that did not run. JSON: "[", one object per line
 * with the same keys, "]"; null where CSV has an empty cell. Doubles are written
 * in the shortest form that reads back as the same double, so a save/load round
 * trip is exact. download_rate and encode_rate (frames/s) are written for
 * spreadsheets and ignored on load; unknown columns/keys are ignored too (a newer
 * writer may add some; in JSON their values must be plain: no objects or arrays),
 * and the fields added after the first version (repetition,
 * download_wait_seconds) may be missing (then 1 and 0), but every other field
 * must be there. */
#define FL_RUN_RECORD_FIELDS \
  "label,server,started_unix,frames,threads,processes,width,height,ran_download," \
  "ran_encode,download_seconds,encode_seconds,download_rate,encode_rate,retries,failures," \
  "ok,error,repetition,download_wait_seconds"

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
