/* fl-gif-paintable.h: an animated FlGif as a GdkPaintable, drawn with crisp pixels.
 *
 * GTK 4.8 neither animates GIFs nor scales textures without smoothing, so this
 * paintable draws composed frames with cairo and CAIRO_FILTER_NEAREST at
 * whatever size it is given: a 10x10 frame filling the window shows 100 sharp
 * squares, and no scaled copy is ever stored. Frames are composed on a thread
 * of their own, ahead of playback (FlGifAhead): the main loop never composes
 * or decodes, so a seek answers at once and the picture follows when its frame
 * is ready; until then the last frame stays. Playback follows the file's
 * delays (clamped like browsers: a zero-delay GIF plays at 10 frames a second,
 * so its timer cannot spin the main loop), its loop count and a speed factor;
 * a frame that is not composed in time is shown late, never skipped. Main
 * thread only.
 */
#pragma once

#include <gtk/gtk.h>

#include "fl-gif-ahead.h"

G_BEGIN_DECLS

#define FL_TYPE_GIF_PAINTABLE (fl_gif_paintable_get_type ())
G_DECLARE_FINAL_TYPE (FlGifPaintable, fl_gif_paintable, FL, GIF_PAINTABLE, GObject)

FlGifPaintable *fl_gif_paintable_new (void);

/* Shows gif from its first frame (NULL: nothing); does not start playing. */
void     fl_gif_paintable_set_gif (FlGifPaintable *self, FlGif *gif);
FlGif   *fl_gif_paintable_get_gif (FlGifPaintable *self);
guint    fl_gif_paintable_get_n_frames (FlGifPaintable *self);
/* "frame": the frame asked for (a seek sets it at once) and, while playing,
 * the frame shown. */
guint    fl_gif_paintable_get_frame (FlGifPaintable *self);
void     fl_gif_paintable_set_frame (FlGifPaintable *self, guint frame);
/* "shown-frame": the frame drawn now, G_MAXUINT before the first is ready. */
guint    fl_gif_paintable_get_shown_frame (FlGifPaintable *self);
/* The composed frame drawn now (borrowed), or NULL. */
FlGifAheadFrame *fl_gif_paintable_get_shown (FlGifPaintable *self);
/* How many times the paintable has been drawn (for tests: proof it shows). */
guint    fl_gif_paintable_get_n_draws (FlGifPaintable *self);
gboolean fl_gif_paintable_get_playing (FlGifPaintable *self);
void     fl_gif_paintable_set_playing (FlGifPaintable *self, gboolean playing);
double   fl_gif_paintable_get_speed (FlGifPaintable *self);
void     fl_gif_paintable_set_speed (FlGifPaintable *self, double speed);

/* Draws surface enlarged to width x height with crisp nearest-neighbour pixels;
 * shared by every paintable that shows frames. */
void fl_snapshot_append_crisp (GdkSnapshot *snapshot, cairo_surface_t *surface, double width,
                               double height);

G_END_DECLS
