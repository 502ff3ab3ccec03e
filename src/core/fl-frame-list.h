/* fl-frame-list.h: the frames of an animation from what a user names.
 *
 * For the command line's make-gif and the app's "Make GIF from images": a list
 * of inputs, each a PNG file, a glob ("shots/frame*.png", for shells that did
 * not expand it) or a folder, becomes the list of frame paths that
 * FlEncodeConfig.frame_paths takes. Files keep the order given; what a glob or
 * a folder brings is in natural order (shot-2.png before shot-10.png).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Compares as a person sorts names: runs of digits by their value (fewer
 * leading zeros first on a tie), everything else byte by byte. */
int fl_natural_compare (const char *a, const char *b);

/* Expands the NULL-terminated inputs into paths (owned strings): a folder that
 * holds 0.png gives 0.png, 1.png, ... up to the first one missing (the lab's
 * numbered folder), any other folder its *.png files; a name that is not a
 * file but holds *, ? or [ is matched (fnmatch) against its folder's entries.
 * NULL with error (FL_ERROR) when an input does not exist, a glob matches
 * nothing, a folder holds no PNG, or there are no inputs. */
GPtrArray *fl_frame_list_expand (const char *const *inputs, GError **error);

G_END_DECLS
