/* fl-path-row.h: a row that says where files go: its title, the real path as
 * the subtitle ("~/.cache/frameloom/frames", not "frames"), a button to choose
 * another and one that opens the folder in the file manager. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FL_TYPE_PATH_ROW (fl_path_row_get_type ())
G_DECLARE_FINAL_TYPE (FlPathRow, fl_path_row, FL, PATH_ROW, AdwActionRow)

/* Properties: "path" (what the user chose, "" for the default; settings bind
 * to it), "default-path" (the place used then), "folder" (choose a folder, not
 * a file to save). */
const char *fl_path_row_get_path (FlPathRow *self);
/* The path in effect: path, or default-path when path is "". */
const char *fl_path_row_get_effective (FlPathRow *self);
/* The folder the open button shows: the path itself for a folder (made when
 * missing), else the file's folder. */
char       *fl_path_row_get_folder (FlPathRow *self);
/* A path as a person reads it: the home folder as "~". */
char       *fl_path_row_display_path (const char *path);

G_END_DECLS
