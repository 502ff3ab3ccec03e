/* fl-frame-paintable.c: FlImage -> cairo ARGB32 surface -> nearest-neighbour paintable. */
#include "fl-frame-paintable.h"
#include "fl-gif-paintable.h"

struct _FlFramePaintable
{
  GObject parent_instance;

  cairo_surface_t *surface; /* the frame at its own size, NULL when empty */
};

static void fl_frame_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FlFramePaintable, fl_frame_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      fl_frame_paintable_iface_init))

static void
fl_frame_paintable_snapshot (GdkPaintable *paintable, GdkSnapshot *snapshot, double width,
                             double height)
{
  FlFramePaintable *self = FL_FRAME_PAINTABLE (paintable);

  if (self->surface == NULL || width <= 0 || height <= 0)
    return;
  fl_snapshot_append_crisp (snapshot, self->surface, width, height);
}

static int
fl_frame_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  FlFramePaintable *self = FL_FRAME_PAINTABLE (paintable);

  return self->surface ? cairo_image_surface_get_width (self->surface) : 0;
}

static int
fl_frame_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  FlFramePaintable *self = FL_FRAME_PAINTABLE (paintable);

  return self->surface ? cairo_image_surface_get_height (self->surface) : 0;
}

static void
fl_frame_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = fl_frame_paintable_snapshot;
  iface->get_intrinsic_width = fl_frame_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = fl_frame_paintable_get_intrinsic_height;
}

static void
fl_frame_paintable_dispose (GObject *object)
{
  FlFramePaintable *self = FL_FRAME_PAINTABLE (object);

  g_clear_pointer (&self->surface, cairo_surface_destroy);
  G_OBJECT_CLASS (fl_frame_paintable_parent_class)->dispose (object);
}

static void
fl_frame_paintable_class_init (FlFramePaintableClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = fl_frame_paintable_dispose;
}

static void
fl_frame_paintable_init (FlFramePaintable *self)
{
}

FlFramePaintable *
fl_frame_paintable_new (void)
{
  return g_object_new (FL_TYPE_FRAME_PAINTABLE, NULL);
}

void
fl_frame_paintable_set_image (FlFramePaintable *self, const FlImage *image)
{
  gboolean resized;

  g_return_if_fail (FL_IS_FRAME_PAINTABLE (self));

  resized = image == NULL || self->surface == NULL
            || cairo_image_surface_get_width (self->surface) != (int) image->width
            || cairo_image_surface_get_height (self->surface) != (int) image->height;
  if (resized)
    {
      g_clear_pointer (&self->surface, cairo_surface_destroy);
      if (image != NULL)
        self->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) image->width,
                                                    (int) image->height);
    }
  if (self->surface != NULL)
    {
      guint8 *row = cairo_image_surface_get_data (self->surface);
      int stride = cairo_image_surface_get_stride (self->surface);

      cairo_surface_flush (self->surface);
      for (guint y = 0; y < image->height; y++, row += stride)
        {
          const guint8 *src = image->pixels + (gsize) y * image->width * image->channels;
          guint32 *dst = (guint32 *) row;

          for (guint x = 0; x < image->width; x++, src += image->channels)
            {
              guint a = image->channels == 4 ? src[3] : 255;

              /* cairo wants native-endian premultiplied ARGB. */
              dst[x] = a << 24 | (src[0] * a / 255) << 16 | (src[1] * a / 255) << 8
                       | (src[2] * a / 255);
            }
        }
      cairo_surface_mark_dirty (self->surface);
    }
  if (resized)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}
