/* fl-gif-palette.c: not written yet. */
#include <glib.h>
