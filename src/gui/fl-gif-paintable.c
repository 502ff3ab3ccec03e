/* fl-gif-paintable.c: FlGif -> GdkPaintable with a delay-honouring timer; the
 * frames come from an FlGifAhead, which wakes the main loop through a GSource. */
#include "fl-gif-paintable.h"

#include "fl-sync.h"

#include <math.h>

struct _FlGifPaintable
{
  GObject parent_instance;

  FlGif *gif;
  FlGifAhead *ahead;
  struct _ReadySource *ready;  /* wakes us when the thread has composed a frame */
  FlGifAheadFrame *shown;      /* drawn now */
  /* shown, reduced to the size it was last drawn at (see draw_reduced) */
  cairo_surface_t *reduced;
  FlGifAheadFrame *reduced_from;
  guint frame;
  guint pending;        /* playing: the next frame, waited for; G_MAXUINT: none */
  guint plays;          /* complete passes through the animation so far */
  gboolean playing;
  gboolean drawn;       /* the current GIF has been drawn once */
  guint n_draws;        /* snapshots of a frame taken, for tests */
  double speed;
  guint timeout_id;
};

enum
{
  PROP_0,
  PROP_FRAME,
  PROP_SHOWN_FRAME,
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

/* The composing thread's news, handed to the main loop the way LoadJob does
 * in fl-gif-view.c: a flag under an FlMutex (which ThreadSanitizer sees) and
 * a wake-up; the source's dispatch then asks the FlGifAhead for frames. */
typedef struct _ReadySource
{
  GSource source;
  FlMutex lock;
  gboolean ready;
  GMainContext *context;
  FlGifPaintable *paintable; /* main thread only */
} ReadySource;

static void on_frames_ready (FlGifPaintable *self);

static gboolean
ready_source_check (GSource *source)
{
  ReadySource *r = (ReadySource *) source;
  gboolean ready;

  fl_mutex_lock (&r->lock);
  ready = r->ready;
  fl_mutex_unlock (&r->lock);
  return ready;
}

static gboolean
ready_source_prepare (GSource *source, int *timeout)
{
  *timeout = -1;
  return ready_source_check (source);
}

static gboolean
ready_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  ReadySource *r = (ReadySource *) source;

  fl_mutex_lock (&r->lock);
  r->ready = FALSE;
  fl_mutex_unlock (&r->lock);
  on_frames_ready (r->paintable);
  return G_SOURCE_CONTINUE;
}

static void
ready_source_finalize (GSource *source)
{
  ReadySource *r = (ReadySource *) source;

  fl_mutex_clear (&r->lock);
  g_main_context_unref (r->context);
}

static GSourceFuncs ready_source_funcs = {
  ready_source_prepare, ready_source_check, ready_source_dispatch, ready_source_finalize,
  NULL, NULL,
};

/* The composing thread, with its cache locked: wake the main loop. */
static void
on_ahead_ready (gpointer data)
{
  ReadySource *r = data;

  fl_mutex_lock (&r->lock);
  r->ready = TRUE;
  fl_mutex_unlock (&r->lock);
  g_main_context_wakeup (r->context);
}

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

/* A frame drawn smaller than it is, reduced here first, nearest neighbour, to
 * the size it is drawn at. GTK 4.8 records a cairo node's drawing, and a
 * recording keeps a copy of its source when the source goes away: drawing a
 * 4096x4096 frame into a 400x300 picture copied 64 MiB on the main loop at
 * every frame (about 280 ms); the reduced image is a few hundred KiB, made
 * once per frame and size. */
static cairo_surface_t *
reduced_frame (FlGifPaintable *self, int width, int height)
{
  guint gw = fl_gif_ahead_frame_get_width (self->shown);
  guint gh = fl_gif_ahead_frame_get_height (self->shown);
  const guint32 *src = fl_gif_ahead_frame_get_pixels (self->shown);
  g_autofree guint *columns = NULL;
  guint32 *dst;
  int stride;

  if (self->reduced != NULL && self->reduced_from == self->shown
      && cairo_image_surface_get_width (self->reduced) == width
      && cairo_image_surface_get_height (self->reduced) == height)
    return self->reduced;
  g_clear_pointer (&self->reduced, cairo_surface_destroy);
  self->reduced = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  self->reduced_from = self->shown;
  cairo_surface_flush (self->reduced);
  dst = (guint32 *) (gpointer) cairo_image_surface_get_data (self->reduced);
  stride = cairo_image_surface_get_stride (self->reduced) / 4;
  columns = g_new (guint, width);
  for (int x = 0; x < width; x++)
    columns[x] = (guint) (((guint64) x * gw + gw / 2) / (guint) width);
  for (int y = 0; y < height; y++)
    {
      const guint32 *row = src + (gsize) (((guint64) y * gh + gh / 2) / (guint) height) * gw;

      for (int x = 0; x < width; x++)
        dst[(gsize) y * stride + x] = row[MIN (columns[x], gw - 1)];
    }
  cairo_surface_mark_dirty (self->reduced);
  return self->reduced;
}

static void
fl_gif_paintable_snapshot (GdkPaintable *paintable, GdkSnapshot *snapshot, double width,
                           double height)
{
  FlGifPaintable *self = FL_GIF_PAINTABLE (paintable);
  cairo_surface_t *surface;
  guint gw, gh;

  if (self->shown == NULL || width <= 0 || height <= 0)
    return;
  gw = fl_gif_ahead_frame_get_width (self->shown);
  gh = fl_gif_ahead_frame_get_height (self->shown);
  if (width < gw || height < gh)
    {
      /* Enlarged at most to a whole pixel each way, then drawn as it is. */
      surface = reduced_frame (self, (int) MIN (ceil (width), gw), (int) MIN (ceil (height), gh));
      fl_snapshot_append_crisp (snapshot, surface, width, height);
    }
  else
    {
      surface = cairo_image_surface_create_for_data (
        (guchar *) fl_gif_ahead_frame_get_pixels (self->shown), CAIRO_FORMAT_ARGB32, (int) gw,
        (int) gh, (int) gw * 4);
      fl_snapshot_append_crisp (snapshot, surface, width, height);
      cairo_surface_destroy (surface);
    }
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

/* The frame after frame in playing order, or G_MAXUINT when playback ends
 * there (no loop extension: once; a count n: n more times, as browsers do). */
static guint
next_frame (FlGifPaintable *self, guint frame, gboolean count)
{
  int loop = fl_gif_get_loop_count (self->gif);

  if (frame + 1 < fl_gif_get_n_frames (self->gif))
    return frame + 1;
  if (loop < 0 || (loop > 0 && self->plays + 1 > (guint) loop))
    return G_MAXUINT;
  if (count)
    self->plays++;
  return 0;
}

/* Tells the thread what to compose: while playing, the frames that follow the
 * one shown; paused, the one asked for and the next (a step forward). */
static void
update_want (FlGifPaintable *self)
{
  guint capacity, next;

  if (self->ahead == NULL)
    return;
  capacity = fl_gif_ahead_get_capacity (self->ahead);
  next = self->pending != G_MAXUINT ? self->pending : next_frame (self, self->frame, FALSE);
  if (self->playing && next != G_MAXUINT && self->shown != NULL
      && fl_gif_ahead_frame_get_index (self->shown) == self->frame)
    fl_gif_ahead_want (self->ahead, next, capacity - 1);
  else
    fl_gif_ahead_want (self->ahead, self->frame, self->playing ? capacity - 1 : 1);
}

static void
show (FlGifPaintable *self, FlGifAheadFrame *frame)
{
  if (self->shown == frame)
    {
      fl_gif_ahead_frame_unref (frame);
      return;
    }
  fl_gif_ahead_frame_unref (self->shown);
  self->shown = frame;
  g_clear_pointer (&self->reduced, cairo_surface_destroy);
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN_FRAME]);
}

/* Shows the frame asked for once it is composed; then playback goes on. */
static void
on_frames_ready (FlGifPaintable *self)
{
  FlGifAheadFrame *frame;

  if (self->ahead == NULL)
    return;
  if (self->pending != G_MAXUINT && (frame = fl_gif_ahead_get (self->ahead, self->pending)))
    {
      self->frame = self->pending;
      self->pending = G_MAXUINT;
      show (self, frame);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
      schedule_next (self);
    }
  else if ((self->shown == NULL || fl_gif_ahead_frame_get_index (self->shown) != self->frame)
           && (frame = fl_gif_ahead_get (self->ahead, self->frame)) != NULL)
    {
      show (self, frame);
      schedule_next (self);
    }
  update_want (self);
}

static gboolean
on_timeout (gpointer data)
{
  FlGifPaintable *self = data;
  guint next = next_frame (self, self->frame, TRUE);

  self->timeout_id = 0;
  if (next == G_MAXUINT)
    {
      self->plays = 0;
      fl_gif_paintable_set_playing (self, FALSE);
      return G_SOURCE_REMOVE;
    }
  self->pending = next;
  on_frames_ready (self);
  return G_SOURCE_REMOVE;
}

/* The delay of the frame shown starts when it is shown. */
static void
schedule_next (FlGifPaintable *self)
{
  guint delay;

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  /* A single frame never changes: no timer waking the main loop for nothing. */
  if (!self->playing || self->gif == NULL || fl_gif_get_n_frames (self->gif) < 2
      || self->pending != G_MAXUINT || self->shown == NULL
      || fl_gif_ahead_frame_get_index (self->shown) != self->frame)
    return;
  delay = (guint) (fl_gif_get_frame_delay_ms (self->gif, self->frame) / self->speed);
  self->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT, MAX (delay, 1), on_timeout, self,
                                         NULL);
}

/* Stops the composing thread (without waiting for it) and drops its frames. */
static void
clear_gif (FlGifPaintable *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  /* No ready call comes once the FlGifAhead is freed: then the source can go. */
  g_clear_pointer (&self->ahead, fl_gif_ahead_free);
  if (self->ready != NULL)
    {
      g_source_destroy (&self->ready->source);
      g_source_unref (&self->ready->source);
      self->ready = NULL;
    }
  g_clear_pointer (&self->shown, fl_gif_ahead_frame_unref);
  g_clear_pointer (&self->reduced, cairo_surface_destroy);
  self->reduced_from = NULL;
  g_clear_pointer (&self->gif, fl_gif_unref);
}

static void
fl_gif_paintable_dispose (GObject *object)
{
  FlGifPaintable *self = FL_GIF_PAINTABLE (object);

  clear_gif (self);
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
    case PROP_SHOWN_FRAME:
      g_value_set_uint (value, fl_gif_paintable_get_shown_frame (self));
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
  properties[PROP_SHOWN_FRAME] = g_param_spec_uint ("shown-frame", NULL, NULL, 0, G_MAXUINT,
                                                    G_MAXUINT,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
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
  self->pending = G_MAXUINT;
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

  clear_gif (self);
  if (gif != NULL)
    {
      ReadySource *r = (ReadySource *) g_source_new (&ready_source_funcs, sizeof (ReadySource));

      g_source_set_static_name (&r->source, "FlGifPaintable frames");
      fl_mutex_init (&r->lock);
      r->context = g_main_context_ref_thread_default ();
      r->paintable = self;
      /* Above the redraw: a composed frame is taken before the next paint. */
      g_source_set_priority (&r->source, G_PRIORITY_DEFAULT);
      g_source_attach (&r->source, r->context);
      self->ready = r;
      self->gif = fl_gif_ref (gif);
      self->ahead = fl_gif_ahead_new (gif, on_ahead_ready, r);
    }
  self->frame = 0;
  self->pending = G_MAXUINT;
  self->plays = 0;
  self->drawn = FALSE;
  update_want (self);
  gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FRAMES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN_FRAME]);
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
  frame = MIN (frame, n - 1);
  self->pending = G_MAXUINT;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->frame != frame)
    {
      self->frame = frame;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
    }
  /* The thread composes it; shown (and playback goes on) once it is ready. */
  update_want (self);
  on_frames_ready (self);
  schedule_next (self);
}

guint
fl_gif_paintable_get_shown_frame (FlGifPaintable *self)
{
  return self->shown != NULL ? fl_gif_ahead_frame_get_index (self->shown) : G_MAXUINT;
}

FlGifAheadFrame *
fl_gif_paintable_get_shown (FlGifPaintable *self)
{
  return self->shown;
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
  if (!playing)
    self->pending = G_MAXUINT;
  update_want (self);
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
