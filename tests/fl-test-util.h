/* fl-test-util.h: small helpers every C test program shares. */
#pragma once

#include <glib.h>

/* A fresh folder under the temporary directory; template like "fl-x-XXXXXX". */
char *fl_test_make_dir (const char *name_template);

/* Removes path and everything under it, read-only folders included. */
void  fl_test_remove_tree (const char *path);

/* Children of this process in /proc, zombies included (each logged with
 * g_test_message): a test asserts 0 once everything it started is reaped. */
guint fl_test_count_children (void);

/* TRUE for the invalid corpus GIFs (by base name) that browsers nevertheless
 * show, and so the reader and the viewer too: plain-text.gif (a GIF89a plain
 * text block before the image), gifsicle-010_blank-garbage.gif (text after
 * the trailer), gifsicle-009_zerowidth-bad.gif (a frame of width 0, drawn at
 * the screen's size). */
gboolean fl_test_invalid_gif_plays (const char *name);
