/* fl-pipeline.c: not written yet. */
#include <glib.h>
