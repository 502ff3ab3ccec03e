/* fl-frame-paintable.h: one still image as a GdkPaintable, drawn with crisp pixels.
 *
 * The preview shows the latest downloaded frame with it while a run is under
 * way. Like FlGifPaintable it draws with cairo and CAIRO_FILTER_NEAREST, so a
 * 10x10 frame filling the area shows 100 sharp squares, and it keeps only the
 * frame at its own size. Main thread only.
 */
#pragma once

#include <gtk/gtk.h>

#include "fl-image.h"

G_BEGIN_DECLS

#define FL_TYPE_FRAME_PAINTABLE (fl_frame_paintable_get_type ())
G_DECLARE_FINAL_TYPE (FlFramePaintable, fl_frame_paintable, FL, FRAME_PAINTABLE, GObject)

FlFramePaintable *fl_frame_paintable_new (void);

/* Copies image (RGB or RGBA, 8 bits); NULL shows nothing. */
void fl_frame_paintable_set_image (FlFramePaintable *self, const FlImage *image);

G_END_DECLS
