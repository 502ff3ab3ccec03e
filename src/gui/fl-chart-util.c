/* fl-chart-util.c: colours, text and axis helpers for the charts. */
#include "fl-chart-util.h"

#include <math.h>

#include <glib/gi18n.h>

static void
lookup (GtkStyleContext *context, const char *const *names, const char *fallback, GdkRGBA *out)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (gtk_style_context_lookup_color (context, names[i], out))
      return;
  gdk_rgba_parse (out, fallback);
}

static GdkRGBA
mix (const GdkRGBA *a, const GdkRGBA *b, float t)
{
  GdkRGBA out = { a->red * t + b->red * (1 - t), a->green * t + b->green * (1 - t),
                  a->blue * t + b->blue * (1 - t), 1.0f };

  return out;
}

void
fl_chart_colors_get (GtkWidget *widget, FlChartColors *out)
{
  static const char *const bg_names[] = { "window_bg_color", "theme_bg_color", NULL };
  /* libadwaita's names first, then GTK 4.8's own theme's. */
  static const char *const accent_names[] = { "accent_bg_color", "theme_selected_bg_color", NULL };
  static const char *const marker_names[] = { "warning_color", NULL };
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  float luminance;

  /* gtk_widget_get_color() is 4.10; this is the 4.8 way. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (context, &out->fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  out->fg.alpha = 1.0f;
  luminance = 0.2126f * out->fg.red + 0.7152f * out->fg.green + 0.0722f * out->fg.blue;
  lookup (context, bg_names, luminance > 0.5f ? "#242424" : "#fafafa", &out->bg);
  out->bg.alpha = 1.0f;
  lookup (context, accent_names, "#3584e4", &out->accent);
  out->accent.alpha = 1.0f;
  lookup (context, marker_names, "#e66100", &out->marker);
  out->marker.alpha = 1.0f;
  out->baseline = mix (&out->fg, &out->bg, 0.42f);
  out->grid = out->fg;
  out->grid.alpha = 0.12f;
}

double
fl_chart_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y, double ax,
               double ay, const GdkRGBA *color)
{
  int width, height;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, &height);
  cairo_save (cr);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_move_to (cr, round (x - ax * width), round (y - ay * height));
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  return width;
}

double
fl_chart_nice_ceil (double value)
{
  double power, scaled;

  if (!(value > 0) || !isfinite (value))
    return 1.0;
  power = pow (10.0, floor (log10 (value)));
  scaled = value / power;
  /* A hair of slack so that 2.0000001 stays 2. */
  if (scaled <= 1.0 + 1e-9)
    return power;
  if (scaled <= 2.0 + 1e-9)
    return 2 * power;
  if (scaled <= 5.0 + 1e-9)
    return 5 * power;
  return 10 * power;
}

static int
decimals_for (double value)
{
  return value < 10 ? 2 : value < 100 ? 1 : 0;
}

char *
fl_chart_format_seconds_like (double seconds, double like)
{
  switch (decimals_for (like))
    {
    /* TRANSLATORS: a duration in seconds, as on a chart: "4.21 s" */
    case 2:
      return g_strdup_printf (_("%.2f s"), seconds);
    case 1:
      return g_strdup_printf (_("%.1f s"), seconds);
    default:
      return g_strdup_printf (_("%.0f s"), seconds);
    }
}

char *
fl_chart_format_rate_like (double per_second, double like)
{
  switch (decimals_for (like))
    {
    /* TRANSLATORS: a throughput, frames per second, as on a chart: "2500/s" */
    case 2:
      return g_strdup_printf (_("%.2f/s"), per_second);
    case 1:
      return g_strdup_printf (_("%.1f/s"), per_second);
    default:
      return g_strdup_printf (_("%.0f/s"), per_second);
    }
}

char *
fl_chart_format_seconds (double seconds)
{
  return fl_chart_format_seconds_like (seconds, seconds);
}

char *
fl_chart_format_rate (double per_second)
{
  return fl_chart_format_rate_like (per_second, per_second);
}
