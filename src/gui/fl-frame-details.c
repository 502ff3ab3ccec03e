/* fl-frame-details.c: FlFrameDetails, label and value pairs in a grid. */
#include "fl-frame-details.h"

#include <glib/gi18n.h>

enum
{
  DETAIL_FRAME,
  DETAIL_DELAY,
  DETAIL_DISPOSAL,
  DETAIL_POSITION,
  DETAIL_SIZE,
  DETAIL_COLOURS,
  N_DETAILS
};

static const char *const detail_names[N_DETAILS] = {
  N_("Frame"), N_("Delay"), N_("Disposal"), N_("Position"), N_("Size"), N_("Colours"),
};

struct _FlFrameDetails
{
  GtkWidget parent_instance;

  GtkGrid *grid;
  GtkLabel *values[N_DETAILS];
};

G_DEFINE_FINAL_TYPE (FlFrameDetails, fl_frame_details, GTK_TYPE_WIDGET)

static char *
describe_delay (const FlGifFrameInfo *info, guint played_ms)
{
  if (info->delay_cs * 10 == played_ms)
    /* TRANSLATORS: a frame's delay */
    return g_strdup_printf (_("%u ms"), played_ms);
  /* TRANSLATORS: a tiny delay in the file, played longer, as browsers do */
  return g_strdup_printf (_("%u ms, played at %u ms"), info->delay_cs * 10, played_ms);
}

static char *
describe_colours (const FlGifFrameInfo *info)
{
  g_autofree char *table = NULL;

  if (info->n_colors == 0)
    table = g_strdup (_("none, drawn black"));
  else if (info->local_colors)
    /* TRANSLATORS: the number of colours in the frame's own colour table */
    table = g_strdup_printf (_("%u, its own table"), info->n_colors);
  else
    table = g_strdup_printf (_("%u, the global table"), info->n_colors);
  if (info->transparent < 0)
    return g_steal_pointer (&table);
  /* TRANSLATORS: the colour table, then the index that draws nothing */
  return g_strdup_printf (_("%s; index %d transparent"), table, info->transparent);
}

void
fl_frame_details_show (FlFrameDetails *self, FlGif *gif, guint frame)
{
  FlGifFrameInfo info;
  char *text[N_DETAILS] = { NULL };

  g_return_if_fail (FL_IS_FRAME_DETAILS (self));
  if (gif != NULL && frame < fl_gif_get_n_frames (gif))
    {
      fl_gif_get_frame_info (gif, frame, &info);
      text[DETAIL_FRAME] = g_strdup_printf (_("%u of %u"), frame + 1, fl_gif_get_n_frames (gif));
      text[DETAIL_DELAY] = describe_delay (&info, fl_gif_get_frame_delay_ms (gif, frame));
      text[DETAIL_DISPOSAL] = g_strdup (info.disposal == FL_GIF_DISPOSE_BACKGROUND
                                          ? _("clear to the background")
                                        : info.disposal == FL_GIF_DISPOSE_PREVIOUS
                                          ? _("restore the previous frame")
                                          : _("keep"));
      text[DETAIL_POSITION] = g_strdup_printf ("%u, %u", info.left, info.top);
      text[DETAIL_SIZE] = g_strdup_printf ("%u × %u", info.width, info.height);
      text[DETAIL_COLOURS] = describe_colours (&info);
    }
  for (guint i = 0; i < N_DETAILS; i++)
    {
      gtk_label_set_text (self->values[i], text[i] ? text[i] : "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->values[i]), text[i]);
      g_free (text[i]);
    }
}

char *
fl_frame_details_get_text (FlFrameDetails *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < N_DETAILS; i++)
    g_string_append_printf (text, "%s: %s\n", _(detail_names[i]),
                            gtk_label_get_text (self->values[i]));
  return g_string_free (text, FALSE);
}

static void
fl_frame_details_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), FL_TYPE_FRAME_DETAILS);
  G_OBJECT_CLASS (fl_frame_details_parent_class)->dispose (object);
}

static void
fl_frame_details_class_init (FlFrameDetailsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = fl_frame_details_dispose;
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/frameloom/Frameloom/fl-frame-details.ui");
  gtk_widget_class_bind_template_child (widget_class, FlFrameDetails, grid);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

/* Label and value for each detail, two pairs to a row. */
static void
fl_frame_details_init (FlFrameDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < N_DETAILS; i++)
    {
      GtkWidget *name = gtk_label_new (_(detail_names[i]));
      GtkWidget *value = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (name), 1);
      gtk_widget_add_css_class (name, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (value), 14);
      gtk_widget_set_margin_end (value, i % 2 == 0 ? 24 : 0);
      gtk_widget_add_css_class (value, "numeric");
      gtk_grid_attach (self->grid, name, (int) (i % 2) * 2, (int) i / 2, 1, 1);
      gtk_grid_attach (self->grid, value, (int) (i % 2) * 2 + 1, (int) i / 2, 1, 1);
      self->values[i] = GTK_LABEL (value);
    }
}
