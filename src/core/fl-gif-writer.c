/* fl-gif-writer.c: not written yet. */
#include <glib.h>
