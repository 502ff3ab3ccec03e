/* fl-encoder.c: not written yet. */
#include <glib.h>
