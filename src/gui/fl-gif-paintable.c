/* fl-gif-paintable.c: FlGif -> GdkPaintable with a delay-honouring timer. */
#include "fl-gif-paintable.h"

struct _FlGifPaintable
{
  GObject parent_instance;

  FlGif *gif;
  FlGifCanvas *canvas;
  guint frame;
  guint plays;          /* complete passes through the animation so far */
  gboolean playing;
  gboolean drawn;       /* the current GIF has been drawn once */
  guint n_draws;        /* snapshots taken, for tests */
  double speed;
  guint timeout_id;
};

enum
{
  PROP_0,
  PROP_FRAME,
  PROP_N_FRAMES,
  PROP_PLAYING,
  PROP_SPEED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void fl_gif_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FlGifPaintable, fl_gif_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      fl_gif_paintable_iface_init))

void
fl_snapshot_append_crisp (GdkSnapshot *snapshot, cairo_surface_t *surface, double width,
                          double height)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  cairo_t *cr;

  /* GTK 4.8 scales textures with a smoothing filter (no GskScalingFilter before
   * 4.10), so cairo draws the enlargement, nearest neighbour: sharp squares. */
  cr = gtk_snapshot_append_cairo (GTK_SNAPSHOT (snapshot),
                                  &GRAPHENE_RECT_INIT (0, 0, (float) width, (float) height));
  cairo_scale (cr, width / w, height / h);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_destroy (cr);
}

static void
fl_gif_paintable_snapshot (GdkPaintable *paintable, GdkSnapshot *snapshot, double width,
                           double height)
{
  FlGifPaintable *self = FL_GIF_PAINTABLE (paintable);
  cairo_surface_t *surface;
  guint gw, gh;

  if (self->gif == NULL || width <= 0 || height <= 0)
    return;
  gw = fl_gif_get_width (self->gif);
  gh = fl_gif_get_height (self->gif);
  surface = cairo_image_surface_create_for_data (
    (guchar *) fl_gif_canvas_render (self->canvas, self->frame), CAIRO_FORMAT_ARGB32, (int) gw,
    (int) gh, (int) gw * 4);
  fl_snapshot_append_crisp (snapshot, surface, width, height);
  cairo_surface_destroy (surface);
  self->n_draws++;
  if (!self->drawn)
    {
      self->drawn = TRUE;
      g_debug ("first frame drawn at %.1f ms", g_get_monotonic_time () / 1000.0);
    }
}

static int
fl_gif_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  FlGifPaintable *self = FL_GIF_PAINTABLE (paintable);

  return self->gif ? (int) fl_gif_get_width (self->gif) : 0;
}

static int
fl_gif_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  FlGifPaintable *self = FL_GIF_PAINTABLE (paintable);

  return self->gif ? (int) fl_gif_get_height (self->gif) : 0;
}

static void
fl_gif_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = fl_gif_paintable_snapshot;
  iface->get_intrinsic_width = fl_gif_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = fl_gif_paintable_get_intrinsic_height;
}

static void schedule_next (FlGifPaintable *self);

static void
show_frame (FlGifPaintable *self, guint frame)
{
  if (self->frame == frame)
    return;
  self->frame = frame;
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
}

static gboolean
on_timeout (gpointer data)
{
  FlGifPaintable *self = data;
  guint n = fl_gif_get_n_frames (self->gif);
  int loop = fl_gif_get_loop_count (self->gif);

  self->timeout_id = 0;
  if (self->frame + 1 < n)
    show_frame (self, self->frame + 1);
  else
    {
      self->plays++;
      /* No loop extension: play once; a count n: n more times, as browsers do. */
      if (loop < 0 || (loop > 0 && self->plays > (guint) loop))
        {
          self->plays = 0;
          fl_gif_paintable_set_playing (self, FALSE);
          return G_SOURCE_REMOVE;
        }
      show_frame (self, 0);
    }
  schedule_next (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_next (FlGifPaintable *self)
{
  guint delay;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  /* A single frame never changes: no timer waking the main loop for nothing. */
  if (!self->playing || self->gif == NULL || fl_gif_get_n_frames (self->gif) < 2)
    return;
  delay = (guint) (fl_gif_get_frame_delay_ms (self->gif, self->frame) / self->speed);
  self->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (delay, 1), on_timeout, self,
                                         NULL);
}

static void
fl_gif_paintable_dispose (GObject *object)
{
  FlGifPaintable *self = FL_GIF_PAINTABLE (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_pointer (&self->canvas, fl_gif_canvas_free);
  g_clear_pointer (&self->gif, fl_gif_unref);
  G_OBJECT_CLASS (fl_gif_paintable_parent_class)->dispose (object);
}

static void
fl_gif_paintable_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FlGifPaintable *self = FL_GIF_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_FRAME:
      g_value_set_uint (value, self->frame);
      break;
    case PROP_N_FRAMES:
      g_value_set_uint (value, fl_gif_paintable_get_n_frames (self));
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_gif_paintable_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  FlGifPaintable *self = FL_GIF_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_FRAME:
      fl_gif_paintable_set_frame (self, g_value_get_uint (value));
      break;
    case PROP_PLAYING:
      fl_gif_paintable_set_playing (self, g_value_get_boolean (value));
      break;
    case PROP_SPEED:
      fl_gif_paintable_set_speed (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fl_gif_paintable_class_init (FlGifPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fl_gif_paintable_dispose;
  object_class->get_property = fl_gif_paintable_get_property;
  object_class->set_property = fl_gif_paintable_set_property;

  properties[PROP_FRAME] = g_param_spec_uint ("frame", NULL, NULL, 0, G_MAXUINT, 0,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_FRAMES] = g_param_spec_uint ("n-frames", NULL, NULL, 0, G_MAXUINT, 0,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                     | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEED] = g_param_spec_double ("speed", NULL, NULL, 0.05, 20.0, 1.0,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                  | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fl_gif_paintable_init (FlGifPaintable *self)
{
  self->speed = 1.0;
}

FlGifPaintable *
fl_gif_paintable_new (void)
{
  return g_object_new (FL_TYPE_GIF_PAINTABLE, NULL);
}

void
fl_gif_paintable_set_gif (FlGifPaintable *self, FlGif *gif)
{
  g_return_if_fail (FL_IS_GIF_PAINTABLE (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_clear_pointer (&self->canvas, fl_gif_canvas_free);
  g_clear_pointer (&self->gif, fl_gif_unref);
  if (gif != NULL)
    {
      self->gif = fl_gif_ref (gif);
      self->canvas = fl_gif_canvas_new (gif);
    }
  self->frame = 0;
  self->plays = 0;
  self->drawn = FALSE;
  gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FRAMES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
  schedule_next (self);
}

FlGif *
fl_gif_paintable_get_gif (FlGifPaintable *self)
{
  return self->gif;
}

guint
fl_gif_paintable_get_n_frames (FlGifPaintable *self)
{
  return self->gif ? fl_gif_get_n_frames (self->gif) : 0;
}

guint
fl_gif_paintable_get_frame (FlGifPaintable *self)
{
  return self->frame;
}

void
fl_gif_paintable_set_frame (FlGifPaintable *self, guint frame)
{
  guint n = fl_gif_paintable_get_n_frames (self);

  if (n == 0)
    return;
  show_frame (self, MIN (frame, n - 1));
  if (self->playing)
    schedule_next (self);
}

guint
fl_gif_paintable_get_n_draws (FlGifPaintable *self)
{
  return self->n_draws;
}

gboolean
fl_gif_paintable_get_playing (FlGifPaintable *self)
{
  return self->playing;
}

void
fl_gif_paintable_set_playing (FlGifPaintable *self, gboolean playing)
{
  playing = !!playing && self->gif != NULL;
  if (self->playing == playing)
    return;
  self->playing = playing;
  schedule_next (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

double
fl_gif_paintable_get_speed (FlGifPaintable *self)
{
  return self->speed;
}

void
fl_gif_paintable_set_speed (FlGifPaintable *self, double speed)
{
  speed = CLAMP (speed, 0.05, 20.0);
  if (self->speed == speed)
    return;
  self->speed = speed;
  if (self->playing)
    schedule_next (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}
