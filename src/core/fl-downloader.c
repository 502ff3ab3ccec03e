/* fl-downloader.c: not written yet. */
#include <glib.h>
