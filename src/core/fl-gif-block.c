/* fl-gif-block.c: not written yet. */
#include <glib.h>
