/* fl-json.c: JSON strings and numbers that read back exactly. */
#include "fl-json.h"

#include <math.h>

const char *
fl_format_seconds (double value, char *buffer, gsize size)
{
  /* Fixed point needs more than 17 decimals for some values below about 1e-5,
   * and more digits than the buffer holds from 1e20: %.17g, which always reads
   * back, covers those (a truncated fixed-point text would read back as another
   * number). */
  if (isfinite (value) && fabs (value) < 1e20)
    for (int decimals = 1; decimals <= 17; decimals++)
      {
        char format[16];
        g_snprintf (format, sizeof format, "%%.%df", decimals);
        g_ascii_formatd (buffer, (int) size, format, value);
        if (g_ascii_strtod (buffer, NULL) == value)
          return buffer;
      }
  g_ascii_formatd (buffer, (int) size, isfinite (value) ? "%.17g" : "%f", value);
  return buffer;
}

void
fl_json_append_double (GString *out, double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 32];

  if (!isfinite (value))
    g_string_append (out, "null");
  else
    g_string_append (out, fl_format_seconds (value, buffer, sizeof buffer));
}

void
fl_json_append_string (GString *out, const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  /* JSON is UTF-8; a file name need not be. */
  valid = g_utf8_make_valid (text, -1);
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) valid; *p; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

