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
