/* fl-chart-util.c: colours, text and axis helpers for the charts. */
#include "fl-chart-util.h"

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

FlDrawColor
fl_chart_color (const GdkRGBA *rgba)
{
  FlDrawColor color = { rgba->red, rgba->green, rgba->blue, rgba->alpha };

  return color;
}

void
fl_chart_style_get (GtkWidget *widget, FlDrawStyle *style)
{
  FlChartColors c;

  fl_chart_colors_get (widget, &c);
  fl_draw_style_init (style);
  style->fg = fl_chart_color (&c.fg);
  style->bg = fl_chart_color (&c.bg);
  style->accent = fl_chart_color (&c.accent);
  style->baseline = fl_chart_color (&c.baseline);
  style->grid = fl_chart_color (&c.grid);
  style->marker = fl_chart_color (&c.marker);
  /* The widget's font, as the rest of the window has it. */
  style->context = gtk_widget_get_pango_context (widget);
}

double
fl_chart_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y, double ax,
               double ay, const GdkRGBA *color)
{
  FlDrawColor c = fl_chart_color (color);

  return fl_draw_text (cr, layout, text, x, y, ax, ay, &c);
}

double
fl_chart_nice_ceil (double value)
{
  return fl_draw_nice_ceil (value);
}

char *
fl_chart_format_seconds_like (double seconds, double like)
{
  return fl_draw_format_seconds_like (seconds, like);
}

char *
fl_chart_format_rate_like (double per_second, double like)
{
  return fl_draw_format_rate_like (per_second, like);
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
