/* fl-make-gif.h: "Make GIF from images…": PNG files or a folder of them,
 * chosen in a file chooser or dropped on the window, become a GIF. The client
 * panel runs its GIF stage alone on them (the worker processes, its progress
 * bar, its delay, loop, processes and output fields); at the end the window
 * shows the GIF in the viewer, as after a lab run, and a failure is a
 * sentence in the window's banner. */
#pragma once

#include <gtk/gtk.h>

#include "fl-client-panel.h"
#include "fl-speedup-panel.h"

G_BEGIN_DECLS

/* What making a GIF needs of the window that offers it (so that this file
 * does not depend on the window's): filled once by the window, and valid for
 * as long as it lives. */
typedef struct
{
  GtkWindow *parent;          /* the chooser's, and where it is kept */
  FlClientPanel *client;      /* runs the GIF stage */
  FlSpeedupPanel *speedup;    /* a sweep under way forbids a run */
  /* Shows message in the window's banner; NULL clears it. */
  void (*show_error) (GtkWindow *parent, const char *message);
} FlMakeGifTarget;

/* Opens a file chooser for PNG files (several at once), or with folder set
 * for a folder; what is chosen goes to fl_make_gif_from_files. */
void     fl_make_gif_choose (const FlMakeGifTarget *target, gboolean folder);

/* files (GFile's, in any order: files are sorted by name as a person would,
 * a folder brings its frames in that order, see fl-frame-list.h) become a
 * GIF: started, or a sentence in the banner when they cannot (not local
 * files, no PNG, a run under way). FALSE, and nothing done, when files is
 * one file that is neither a PNG nor a folder: a GIF for the viewer. */
gboolean fl_make_gif_from_files (const FlMakeGifTarget *target, GSList *files);

G_END_DECLS
