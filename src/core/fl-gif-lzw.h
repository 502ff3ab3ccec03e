/* fl-gif-lzw.h: GIF's LZW with pixels that may take either of two indices.
 *
 * An unchanged pixel of an optimised frame may be drawn in its colour or left
 * transparent: the screen shows the same either way. This encoder decides as
 * it goes, taking whichever of the two extends the string it is matching (the
 * trick behind gifsicle -O3's smallest files), which giflib's encoder, given
 * fixed indices, cannot do. The codes are GIF's: a clear code first, the code
 * size growing as giflib's does, a clear when the table is full, the end code,
 * and the stream cut into sub-blocks of at most 255 bytes ending with an empty
 * one. Deterministic; one encoder per thread, its table reused (reset by a
 * generation count, not cleared).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FlGifLzw FlGifLzw;

FlGifLzw *fl_gif_lzw_new (void);
void      fl_gif_lzw_free (FlGifLzw *lzw);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlGifLzw, fl_gif_lzw_free)

/* Appends the image data of n pixels to out: the minimum code size byte (bits,
 * at least 2), the sub-blocks, the terminator. Pixel i is indices[i], or, when
 * flexible is not NULL and flexible[i] is set, either indices[i] or alternative
 * (prefer_alternative: tried first, and what a new string starts with). */
void fl_gif_lzw_encode (FlGifLzw *lzw, const guint8 *indices, const guint8 *flexible,
                        guint alternative, gboolean prefer_alternative, gsize n, guint bits,
                        GByteArray *out);

G_END_DECLS
