/* fl-json.h: writing JSON by hand, the way every JSON output here needs it:
 * run records, the CLI's --json, sweep summaries and traces. Any thread, no
 * state. (Reading JSON is json-glib's.) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends text as a JSON string (invalid UTF-8 repaired), or null when NULL. */
void fl_json_append_string (GString *out, const char *text);
/* Appends the shortest decimal that reads back as value, or null when not finite. */
void fl_json_append_double (GString *out, double value);
/* Shortest fixed-point text that reads back as the same double, like Python's
 * print of a float ("0.2345678", "2.0"); where no fixed point of at most 17
 * decimals does (from 1e20, and some values under 1e-5) the %.17g form, which
 * does; "nan"/"inf" when not finite. Locale-independent; returns buffer
 * (G_ASCII_DTOSTR_BUF_SIZE bytes are enough). */
const char *fl_format_seconds (double value, char *buffer, gsize size);

G_END_DECLS
