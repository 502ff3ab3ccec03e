/* fl-gif-reader.c: not written yet. */
#include <glib.h>
