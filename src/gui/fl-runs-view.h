/* fl-runs-view.h: the session's runs history as a table (a GtkColumnView over
 * a GListStore of FlRunObject), saved and opened as CSV or JSON. */
#pragma once

#include <gtk/gtk.h>

#include "fl-run-record.h"

G_BEGIN_DECLS

#define FL_TYPE_RUNS_VIEW (fl_runs_view_get_type ())
G_DECLARE_FINAL_TYPE (FlRunsView, fl_runs_view, FL, RUNS_VIEW, GtkWidget)

/* The runs, oldest first (FlRunObject); owned by the view. */
GListModel *fl_runs_view_get_model (FlRunsView *self);
/* Appends a copy of record as a new row. */
void        fl_runs_view_add (FlRunsView *self, const FlRunRecord *record);
void        fl_runs_view_clear (FlRunsView *self);
/* Writes every row to path atomically: JSON when the name ends in .json, CSV
 * otherwise. What the Save dialog calls. */
gboolean    fl_runs_view_save (FlRunsView *self, const char *path, GError **error);
/* Appends the runs of a CSV or JSON file (told by content); on error the table
 * is unchanged. What the Open dialog calls. */
gboolean    fl_runs_view_load (FlRunsView *self, const char *path, GError **error);
/* What the dialogs do with the file chosen: save (a toast "Saved runs.csv"
 * with Open) or open; a failure is the view's "error". */
void        fl_runs_view_save_or_open (FlRunsView *self, GFile *file, gboolean saving);
/* The dialogs (GtkFileChooserNative); errors show in the view. */
void        fl_runs_view_choose_save (FlRunsView *self);
void        fl_runs_view_choose_open (FlRunsView *self);
/* The sentence of the last failed save or open, or NULL. */
const char *fl_runs_view_get_error (FlRunsView *self);
/* For tests: the text of a cell (row, column title), NULL when out of range. */
char       *fl_runs_view_get_cell_text (FlRunsView *self, guint row, guint column);

G_END_DECLS
