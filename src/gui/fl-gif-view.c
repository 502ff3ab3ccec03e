/* fl-gif-view.c: FlGifPaintable in a GtkPicture, its controls, keys and states. */
#include "fl-gif-view.h"

#include "fl-frame-details.h"
#include "fl-frame-export.h"
#include "fl-frame-paintable.h"
#include "fl-gif-folder.h"
#include "fl-gif-loader.h"
#include "fl-toast.h"
#include "fl-widget-util.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

struct _FlGifView
{
  GtkWidget parent_instance;

  FlGifPaintable *paintable;
  FlFramePaintable *live_paintable;
  guint live_frames;      /* shown since the live view started; 0: not live */
  FlGifLoad *load;        /* the open in progress, or NULL */
  GFile *loading;         /* its file */
  GFile *file;            /* the file shown (or that failed) */
  char *title;
  char *error;
  char *note;             /* what follows the GIF's end, or NULL */
  gboolean has_frame;
  GCancellable *cancellable; /* folder look-ups and exports; cancelled in dispose */
  GtkFileChooserNative *chooser;
  double scroll;          /* Ctrl+scroll not yet a whole zoom step */

  GtkStack *stack;
  GtkWidget *empty_page;
  GtkWidget *error_page;
  GtkScrolledWindow *scroller;
  GtkPicture *picture;
  GtkPicture *live_picture;
  GtkLabel *error_label;
  GtkLabel *note_label;
  GtkRevealer *details_revealer;
  FlFrameDetails *details;
  GtkWidget *controls;
  GtkToggleButton *play_button;
  GtkWidget *previous_button;
  GtkWidget *next_button;
  GtkWidget *details_button;
  GtkScale *frame_scale;
  GtkAdjustment *frame_adjustment;
  GtkLabel *counter_label;
  GtkDropDown *speed_dropdown;
  GtkDropDown *zoom_dropdown;
};

G_DEFINE_FINAL_TYPE (FlGifView, fl_gif_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_HAS_FRAME,
  N_PROPS
};

enum
{
  FRAME_EXPORTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const double speeds[] = { 0.25, 0.5, 1.0, 2.0, 4.0 };
static const guint zooms[] = { 0, 1, 2, 4, 8, 16, 32 }; /* 0: fit the area */
/* GTK 4.8 draws a cairo node into an image surface as large as the whole node,
 * however little of it the scroller shows, then copies it about four more times
 * on its way to a GL texture: a 4096x4096 GIF at 32x asked for 3.6 GB. So the
 * zoom stops where the enlarged picture reaches 2048x2048 pixels' worth (16 MiB,
 * about 80 MiB in GTK), and a GIF larger than that even at 1x is fitted to the
 * window. See FL_GIF_VIEW_MEMORY_BUDGET_BYTES. */
#define MAX_ZOOMED_PIXELS (G_GUINT64_CONSTANT (2048) * 2048)

static guint
n_frames (FlGifView *self)
{
  return fl_gif_paintable_get_n_frames (self->paintable);
}

static gboolean
showing_gif (FlGifView *self)
{
  return gtk_stack_get_visible_child (self->stack) == GTK_WIDGET (self->scroller);
}

static void
update_has_frame (FlGifView *self)
{
  gboolean has = showing_gif (self) && fl_gif_paintable_get_shown (self->paintable) != NULL;

  if (has == self->has_frame)
    return;
  self->has_frame = has;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_FRAME]);
}

/* The details of the frame asked for: they need no composing. */
static void
update_details (FlGifView *self)
{
  if (gtk_revealer_get_reveal_child (self->details_revealer))
    fl_frame_details_show (self->details, fl_gif_paintable_get_gif (self->paintable),
                           fl_gif_paintable_get_frame (self->paintable));
}

static void
update_counter (FlGifView *self)
{
  guint n = n_frames (self);
  guint frame = fl_gif_paintable_get_frame (self->paintable);
  FlGif *gif = fl_gif_paintable_get_gif (self->paintable);
  g_autofree char *text = NULL;

  /* The live view owns the counter until it ends. */
  if (self->live_frames > 0)
    return;
  if (n > 1)
    text = g_strdup_printf ("%u / %u", frame + 1, n);
  else if (gif != NULL)
    /* A still image: its size is what there is to say. */
    text = g_strdup_printf ("%u × %u", fl_gif_get_width (gif), fl_gif_get_height (gif));
  else
    text = g_strdup ("");
  gtk_label_set_text (self->counter_label, text);
  gtk_adjustment_configure (self->frame_adjustment, frame, 0, MAX (n, 1) - 1, 1, 10, 0);
  update_details (self);
}

/* Which controls the page shown needs: none for the empty and error states,
 * the counter alone while live, no playback for a still image. */
static void
update_controls (FlGifView *self)
{
  GtkWidget *page = gtk_stack_get_visible_child (self->stack);
  gboolean live = page == GTK_WIDGET (self->live_picture);
  gboolean animated = showing_gif (self) && n_frames (self) > 1;
  GtkWidget *playback[] = { GTK_WIDGET (self->play_button), self->previous_button,
                            self->next_button, GTK_WIDGET (self->frame_scale),
                            GTK_WIDGET (self->speed_dropdown) };

  gtk_widget_set_visible (self->controls, showing_gif (self) || live);
  for (guint i = 0; i < G_N_ELEMENTS (playback); i++)
    gtk_widget_set_visible (playback[i], animated);
  gtk_widget_set_visible (self->details_button, showing_gif (self));
  if (!showing_gif (self))
    gtk_revealer_set_reveal_child (self->details_revealer, FALSE);
  update_has_frame (self);
}

static void
on_playing_notify (FlGifView *self)
{
  gboolean playing = fl_gif_paintable_get_playing (self->paintable);

  gtk_toggle_button_set_active (self->play_button, playing);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic"
                                    : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               playing ? _("Pause (Space)") : _("Play (Space)"));
}

static void
on_play_toggled (FlGifView *self)
{
  fl_gif_paintable_set_playing (self->paintable, gtk_toggle_button_get_active (self->play_button));
}

static void
on_frame_value_changed (FlGifView *self)
{
  guint value = (guint) gtk_adjustment_get_value (self->frame_adjustment);

  if (value != fl_gif_paintable_get_frame (self->paintable))
    fl_gif_paintable_set_frame (self->paintable, value);
}

static void
on_speed_selected (FlGifView *self)
{
  guint i = gtk_drop_down_get_selected (self->speed_dropdown);

  if (i < G_N_ELEMENTS (speeds))
    fl_gif_paintable_set_speed (self->paintable, speeds[i]);
}

guint
fl_gif_view_get_zoom (FlGifView *self)
{
  guint i = gtk_drop_down_get_selected (self->zoom_dropdown);
  guint zoom = i < G_N_ELEMENTS (zooms) ? zooms[i] : 0;
  guint64 w = (guint64) gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (self->paintable));
  guint64 h = (guint64) gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (self->paintable));

  while (zoom > 1 && w * zoom * h * zoom > MAX_ZOOMED_PIXELS)
    zoom /= 2;
  if (zoom == 1 && w * h > MAX_ZOOMED_PIXELS)
    zoom = 0;
  return zoom;
}

static void
apply_zoom (FlGifView *self)
{
  guint zoom = fl_gif_view_get_zoom (self);
  int w = gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (self->paintable));
  int h = gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (self->paintable));
  GtkWidget *picture = GTK_WIDGET (self->picture);

  if (zoom == 0)
    {
      gtk_widget_set_size_request (picture, -1, -1);
      gtk_widget_set_halign (picture, GTK_ALIGN_FILL);
      gtk_widget_set_valign (picture, GTK_ALIGN_FILL);
      gtk_picture_set_can_shrink (self->picture, TRUE);
    }
  else
    {
      gtk_widget_set_size_request (picture, MIN (w * (int) zoom, 16384),
                                   MIN (h * (int) zoom, 16384));
      gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (picture, GTK_ALIGN_CENTER);
      gtk_picture_set_can_shrink (self->picture, FALSE);
    }
}

/* One step along Fit, 1x, 2x .. 32x; from Fit, the first factor above the
 * fitted one. */
static void
zoom_step (FlGifView *self, int step)
{
  guint i = gtk_drop_down_get_selected (self->zoom_dropdown);
  int w = gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (self->paintable));
  int h = gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (self->paintable));

  if (i >= G_N_ELEMENTS (zooms) || w <= 0 || h <= 0)
    i = 0;
  if (i == 0 && step > 0)
    {
      double fit = MIN ((double) gtk_widget_get_width (GTK_WIDGET (self->scroller)) / w,
                        (double) gtk_widget_get_height (GTK_WIDGET (self->scroller)) / h);

      i = 1;
      while (i + 1 < G_N_ELEMENTS (zooms) && zooms[i] <= fit)
        i++;
    }
  else if (step > 0)
    i = MIN (i + 1, G_N_ELEMENTS (zooms) - 1);
  else if (i > 0)
    i--;
  gtk_drop_down_set_selected (self->zoom_dropdown, i);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, gpointer data)
{
  FlGifView *self = data;
  GdkModifierType state
    = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (!(state & GDK_CONTROL_MASK))
    return FALSE;
  /* A touchpad scrolls in fractions: a zoom step per whole unit. */
  self->scroll += dy;
  for (; self->scroll <= -1; self->scroll += 1)
    zoom_step (self, +1);
  for (; self->scroll >= 1; self->scroll -= 1)
    zoom_step (self, -1);
  return TRUE;
}

static void
on_picture_pressed (GtkGestureClick *gesture, int n_press, double x, double y, gpointer data)
{
  gtk_widget_grab_focus (GTK_WIDGET (((FlGifView *) data)->picture));
}

static void
show_error (FlGifView *self, const char *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message ? message : "");
}

/* The reader's sentence when data follows the GIF's end: a GIF made in parts
 * and joined with cat plays its first part alone, here as in any player. */
static void
show_note (FlGifView *self, FlGif *gif)
{
  g_free (self->note);
  self->note = gif ? fl_gif_describe_trailing (gif) : NULL;
  gtk_label_set_text (self->note_label, self->note ? self->note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->note_label), self->note != NULL);
}

static void
set_title_from (FlGifView *self, GFile *file)
{
  g_autofree char *base = file ? g_file_get_basename (file) : NULL;

  g_free (self->title);
  self->title = base ? g_filename_display_name (base) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* The open finished (the thread joined): the GIF plays, or its sentence shows. */
static void
on_loaded (FlGif *gif, GError *error, gpointer data)
{
  FlGifView *self = data;
  g_autoptr (FlGif) owned = gif;
  g_autoptr (GError) owned_error = error;

  self->load = NULL;
  g_set_object (&self->file, self->loading);
  g_clear_object (&self->loading);
  set_title_from (self, self->file);
  fl_gif_view_end_live (self);
  if (gif == NULL)
    {
      fl_gif_paintable_set_gif (self->paintable, NULL);
      show_note (self, NULL);
      show_error (self, error->message);
      gtk_stack_set_visible_child (self->stack, self->error_page);
      update_counter (self);
      return;
    }
  show_error (self, NULL);
  show_note (self, gif);
  fl_gif_paintable_set_gif (self->paintable, gif);
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->scroller));
  apply_zoom (self);
  update_counter (self);
  update_controls (self);
  fl_gif_paintable_set_playing (self->paintable, fl_gif_get_n_frames (gif) > 1);
}

void
fl_gif_view_open (FlGifView *self, GFile *file)
{
  g_return_if_fail (FL_IS_GIF_VIEW (self));

  g_clear_pointer (&self->load, fl_gif_load_cancel);
  g_set_object (&self->loading, file);
  self->load = fl_gif_load_start (file, on_loaded, self);
}

void
fl_gif_view_show_live_frame (FlGifView *self, const FlImage *image, guint index, guint total)
{
  g_autofree char *text = NULL;

  g_return_if_fail (FL_IS_GIF_VIEW (self));

  if (self->live_frames++ == 0)
    {
      /* The GIF underneath waits, paused, for the run's result. */
      fl_gif_paintable_set_playing (self->paintable, FALSE);
      gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->live_picture));
    }
  fl_frame_paintable_set_image (self->live_paintable, image);
  /* TRANSLATORS: while a run downloads: "Frame 1234 of 5000" */
  text = g_strdup_printf (_("Frame %u of %u"), index + 1, total);
  gtk_label_set_text (self->counter_label, text);
}

void
fl_gif_view_end_live (FlGifView *self)
{
  g_return_if_fail (FL_IS_GIF_VIEW (self));

  if (self->live_frames == 0)
    return;
  self->live_frames = 0;
  fl_frame_paintable_set_image (self->live_paintable, NULL);
  gtk_stack_set_visible_child (self->stack, n_frames (self) > 0 ? GTK_WIDGET (self->scroller)
                                            : self->error != NULL ? self->error_page
                                                                  : self->empty_page);
  update_counter (self);
}

guint
fl_gif_view_get_live_frames (FlGifView *self)
{
  return self->live_frames;
}

void
fl_gif_view_toggle_playing (FlGifView *self)
{
  if (n_frames (self) > 1)
    fl_gif_paintable_set_playing (self->paintable,
                                  !fl_gif_paintable_get_playing (self->paintable));
}

FlGifPaintable *
fl_gif_view_get_paintable (FlGifView *self)
{
  return self->paintable;
}

const char *
fl_gif_view_get_error (FlGifView *self)
{
  return self->error;
}

const char *
fl_gif_view_get_note (FlGifView *self)
{
  return self->note;
}

const char *
fl_gif_view_get_title (FlGifView *self)
{
  return self->title;
}

GFile *
fl_gif_view_get_file (FlGifView *self)
{
  return self->file;
}

gboolean
fl_gif_view_get_has_frame (FlGifView *self)
{
  return self->has_frame;
}

char *
fl_gif_view_get_details_text (FlGifView *self)
{
  gtk_revealer_set_reveal_child (self->details_revealer, TRUE);
  update_details (self);
  return fl_frame_details_get_text (self->details);
}

typedef struct
{
  FlGifView *view;
  GFile *file;
} ExportRequest;

static void
on_exported (GObject *source, GAsyncResult *result, gpointer data)
{
  ExportRequest *request = data;
  g_autoptr (FlGifView) self = request->view;
  g_autoptr (GFile) file = request->file;
  g_autoptr (GError) error = NULL;
  gboolean ok = fl_frame_export_png_finish (result, &error);

  g_free (request);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ok)
    {
      g_autofree char *base = g_file_get_basename (file);
      g_autofree char *name = g_filename_display_name (base);
      g_autofree char *title = g_strdup_printf (_("Saved %s"), name);
      g_autofree char *uri = g_file_get_uri (file);

      fl_toast_show_open (GTK_WIDGET (self), title, _("_Open"), uri);
    }
  else
    fl_toast_show (GTK_WIDGET (self), error->message, NULL, NULL, NULL);
  g_signal_emit (self, signals[FRAME_EXPORTED], 0, file, ok ? NULL : error->message);
}

void
fl_gif_view_export_frame (FlGifView *self, GFile *file)
{
  FlGifAheadFrame *frame = fl_gif_paintable_get_shown (self->paintable);
  ExportRequest *request;

  g_return_if_fail (FL_IS_GIF_VIEW (self));
  if (frame == NULL)
    return;
  request = g_new0 (ExportRequest, 1);
  request->view = g_object_ref (self);
  request->file = g_object_ref (file);
  fl_frame_export_png_async (frame, file, self->cancellable, on_exported, request);
}

static void
on_export_response (GtkNativeDialog *dialog, int response, gpointer data)
{
  FlGifView *self = data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        fl_gif_view_export_frame (self, file);
    }
  g_clear_object (&self->chooser);
}

void
fl_gif_view_choose_export (FlGifView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *base = self->file ? g_file_get_basename (self->file) : g_strdup ("frame.gif");
  g_autofree char *stem = g_strndup (base, strlen (base) - (g_str_has_suffix (base, ".gif")
                                                            || g_str_has_suffix (base, ".GIF")
                                                              ? 4 : 0));
  g_autofree char *name = NULL;

  if (self->chooser != NULL || !self->has_frame)
    return;
  /* TRANSLATORS: the file name offered for an exported frame: "cat-frame-3.png" */
  name = g_strdup_printf (_("%s-frame-%u.png"), stem,
                          fl_gif_paintable_get_shown_frame (self->paintable) + 1);
  self->chooser = gtk_file_chooser_native_new (_("Export Frame"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                               _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

void
fl_gif_view_copy_frame (FlGifView *self)
{
  FlGifAheadFrame *frame = fl_gif_paintable_get_shown (self->paintable);
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *title = NULL;

  if (frame == NULL || !self->has_frame)
    return;
  texture = fl_frame_to_texture (frame);
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (self)), texture);
  /* TRANSLATORS: a toast once a frame is on the clipboard */
  title = g_strdup_printf (_("Frame %u copied"), fl_gif_ahead_frame_get_index (frame) + 1);
  fl_toast_show (GTK_WIDGET (self), title, NULL, NULL, NULL);
}

typedef struct
{
  FlGifView *view;
  int direction;
} SiblingRequest;

static void
on_sibling_found (GObject *source, GAsyncResult *result, gpointer data)
{
  SiblingRequest *request = data;
  g_autoptr (FlGifView) self = request->view;
  int direction = request->direction;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) found = fl_gif_folder_find_finish (result, &error);

  g_free (request);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (found != NULL)
    fl_gif_view_open (self, found);
  else if (error != NULL)
    fl_toast_show (GTK_WIDGET (self), error->message, NULL, NULL, NULL);
  else
    fl_toast_show (GTK_WIDGET (self), direction > 0 ? _("No GIF after this one in its folder")
                               : _("No GIF before this one in its folder"),
           NULL, NULL, NULL);
}

static void
open_sibling (FlGifView *self, int direction)
{
  GFile *from = self->loading ? self->loading : self->file;
  SiblingRequest *request;

  if (from == NULL)
    return;
  request = g_new0 (SiblingRequest, 1);
  request->view = g_object_ref (self);
  request->direction = direction;
  fl_gif_folder_find_async (from, direction, self->cancellable, on_sibling_found, request);
}

/* The view's actions, for its bindings and buttons. */
static void
on_action (GtkWidget *widget, const char *action, GVariant *param)
{
  FlGifView *self = FL_GIF_VIEW (widget);
  guint n = n_frames (self), frame = fl_gif_paintable_get_frame (self->paintable);

  if (g_str_equal (action, "viewer.play"))
    fl_gif_view_toggle_playing (self);
  else if (g_str_equal (action, "viewer.step") && n > 0)
    {
      int step = g_variant_get_int32 (param);

      /* Frame by frame is paused: the step is the frame that stays. */
      fl_gif_paintable_set_playing (self->paintable, FALSE);
      fl_gif_paintable_set_frame (self->paintable,
                                  step < 0 ? (frame > 0 ? frame - 1 : 0) : MIN (frame + 1, n - 1));
    }
  else if ((g_str_equal (action, "viewer.first") || g_str_equal (action, "viewer.last")) && n > 0)
    {
      fl_gif_paintable_set_playing (self->paintable, FALSE);
      fl_gif_paintable_set_frame (self->paintable, g_str_equal (action, "viewer.first") ? 0
                                                                                         : n - 1);
    }
  else if (g_str_equal (action, "viewer.zoom-in"))
    zoom_step (self, +1);
  else if (g_str_equal (action, "viewer.zoom-out"))
    zoom_step (self, -1);
  else if (g_str_equal (action, "viewer.zoom-fit"))
    gtk_drop_down_set_selected (self->zoom_dropdown, 0);
  else if (g_str_equal (action, "viewer.zoom-original"))
    gtk_drop_down_set_selected (self->zoom_dropdown, 1);
  else if (g_str_equal (action, "viewer.copy"))
    fl_gif_view_copy_frame (self);
  else if (g_str_equal (action, "viewer.details") && showing_gif (self))
    gtk_revealer_set_reveal_child (self->details_revealer,
                                   !gtk_revealer_get_reveal_child (self->details_revealer));
  else if (g_str_equal (action, "viewer.next-file"))
    open_sibling (self, +1);
  else if (g_str_equal (action, "viewer.previous-file"))
    open_sibling (self, -1);
}

static gboolean
fl_gif_view_grab_focus (GtkWidget *widget)
{
  FlGifView *self = FL_GIF_VIEW (widget);
  GtkWidget *page = gtk_stack_get_visible_child (self->stack);

  if (page == GTK_WIDGET (self->scroller))
    return gtk_widget_grab_focus (GTK_WIDGET (self->picture));
  /* The empty and error pages: their button, so the keys (Page Down) work. */
  return page != NULL && gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD);
}

static void
fl_gif_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlGifView *self = FL_GIF_VIEW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_HAS_FRAME:
      g_value_set_boolean (value, self->has_frame);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_gif_view_dispose (GObject *object)
{
  FlGifView *self = FL_GIF_VIEW (object);

  g_clear_pointer (&self->load, fl_gif_load_cancel);
  g_cancellable_cancel (self->cancellable);
  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  fl_widget_dispose_template_children (GTK_WIDGET (self), FL_TYPE_GIF_VIEW);
  g_clear_object (&self->paintable);
  g_clear_object (&self->live_paintable);
  g_clear_object (&self->loading);
  g_clear_object (&self->file);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->note, g_free);
  g_clear_pointer (&self->title, g_free);
  G_OBJECT_CLASS (fl_gif_view_parent_class)->dispose (object);
}

static void
add_bindings (GtkWidgetClass *widget_class)
{
  static const struct
  {
    guint key;
    GdkModifierType mods;
    const char *action;
    int step;  /* viewer.step's parameter */
  } bindings[] = {
    { GDK_KEY_space, 0, "viewer.play", 0 },
    { GDK_KEY_Left, 0, "viewer.step", -1 },
    { GDK_KEY_comma, 0, "viewer.step", -1 },
    { GDK_KEY_Right, 0, "viewer.step", 1 },
    { GDK_KEY_period, 0, "viewer.step", 1 },
    { GDK_KEY_Home, 0, "viewer.first", 0 },
    { GDK_KEY_End, 0, "viewer.last", 0 },
    { GDK_KEY_Page_Up, 0, "viewer.previous-file", 0 },
    { GDK_KEY_Page_Down, 0, "viewer.next-file", 0 },
    { GDK_KEY_plus, GDK_CONTROL_MASK, "viewer.zoom-in", 0 },
    { GDK_KEY_equal, GDK_CONTROL_MASK, "viewer.zoom-in", 0 },
    { GDK_KEY_KP_Add, GDK_CONTROL_MASK, "viewer.zoom-in", 0 },
    { GDK_KEY_minus, GDK_CONTROL_MASK, "viewer.zoom-out", 0 },
    { GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "viewer.zoom-out", 0 },
    { GDK_KEY_0, GDK_CONTROL_MASK, "viewer.zoom-fit", 0 },
    { GDK_KEY_1, GDK_CONTROL_MASK, "viewer.zoom-original", 0 },
    { GDK_KEY_c, GDK_CONTROL_MASK, "viewer.copy", 0 },
    { GDK_KEY_Return, GDK_ALT_MASK, "viewer.details", 0 },
  };
  static const char *const actions[] = { "viewer.play", "viewer.first", "viewer.last",
                                         "viewer.zoom-in", "viewer.zoom-out", "viewer.zoom-fit",
                                         "viewer.zoom-original", "viewer.copy", "viewer.details",
                                         "viewer.next-file", "viewer.previous-file" };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_class_install_action (widget_class, actions[i], NULL, on_action);
  gtk_widget_class_install_action (widget_class, "viewer.step", "i", on_action);
  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    if (bindings[i].step != 0)
      gtk_widget_class_add_binding_action (widget_class, bindings[i].key, bindings[i].mods,
                                           bindings[i].action, "i", bindings[i].step);
    else
      gtk_widget_class_add_binding_action (widget_class, bindings[i].key, bindings[i].mods,
                                           bindings[i].action, NULL);
}

static void
fl_gif_view_class_init (FlGifViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_gif_view_dispose;
  object_class->get_property = fl_gif_view_get_property;
  g_type_ensure (FL_TYPE_FRAME_DETAILS);
  widget_class->grab_focus = fl_gif_view_grab_focus;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_FRAME] = g_param_spec_boolean ("has-frame", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  /* (GFile *file, const char *error): a frame export ended; error NULL when
   * it was saved. */
  signals[FRAME_EXPORTED] = g_signal_new ("frame-exported", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                          G_TYPE_FILE, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-gif-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FlGifView, stack);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, error_page);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, scroller);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, picture);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, live_picture);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, note_label);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, details_revealer);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, details);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, controls);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, play_button);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, previous_button);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, next_button);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, details_button);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, frame_scale);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, frame_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, counter_label);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, speed_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, zoom_dropdown);
  gtk_widget_class_bind_template_callback (widget_class, on_play_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_frame_value_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_speed_selected);
  gtk_widget_class_bind_template_callback (widget_class, apply_zoom);
  gtk_widget_class_bind_template_callback (widget_class, update_controls);
  add_bindings (widget_class);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "flgifview");
}

static void
fl_gif_view_init (FlGifView *self)
{
  GtkEventController *scroll;
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->paintable = fl_gif_paintable_new ();
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->paintable));
  self->live_paintable = fl_frame_paintable_new ();
  gtk_picture_set_paintable (self->live_picture, GDK_PAINTABLE (self->live_paintable));
  g_signal_connect_object (self->paintable, "notify::frame", G_CALLBACK (update_counter), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->paintable, "notify::n-frames", G_CALLBACK (update_counter),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->paintable, "notify::shown-frame",
                           G_CALLBACK (update_has_frame), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->paintable, "notify::playing", G_CALLBACK (on_playing_notify),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->details_revealer, "notify::reveal-child",
                           G_CALLBACK (update_details), self, G_CONNECT_SWAPPED);
  gtk_drop_down_set_selected (self->speed_dropdown, 2);

  /* Ctrl+scroll zooms, before the scroller scrolls. */
  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), scroll);
  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_picture_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), GTK_EVENT_CONTROLLER (click));
  gtk_stack_set_visible_child (self->stack, self->empty_page);
  update_counter (self);
  update_controls (self);
}
