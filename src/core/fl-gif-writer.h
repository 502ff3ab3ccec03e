/* fl-gif-writer.h: assembles a GIF89a file from finished image blocks.
 *
 * Header, logical screen descriptor, the global colour table if any, NETSCAPE2.0 loop
 * extension, the blocks in the order given, the trailer; written atomically
 * through FlAtomicFile and buffered so that thousands of small blocks cost a
 * handful of write() calls. The logical screen is the largest width and the
 * largest height of all frames, patched in at commit; smaller frames sit at the
 * top left. Errors are sticky: after a failure add_block returns FALSE and
 * commit reports the first error. Not thread-safe: one thread drives a writer.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FlGifWriter FlGifWriter;

/* Creates the temporary file next to path; fails with a sentence naming path. */
FlGifWriter *fl_gif_writer_new (const char *path, guint loop, GError **error);

/* Gives the file a global colour table (3 << bits bytes of rgb); only before
 * the first block. */
void fl_gif_writer_set_global_table (FlGifWriter *writer, const guint8 *rgb, guint bits);

/* Appends one block (see fl-gif-block.h) of a width x height frame. */
gboolean fl_gif_writer_add_block (FlGifWriter *writer, const guint8 *block, gsize length,
                                  guint width, guint height);

/* Writes the trailer, patches the screen size, renames into place, frees the
 * writer. On failure nothing appears at path. screen_width/height may be NULL. */
gboolean fl_gif_writer_commit (FlGifWriter *writer, guint *screen_width, guint *screen_height,
                               guint64 *bytes, GError **error);

/* Removes the temporary file and frees the writer; path is never touched. NULL is fine. */
void fl_gif_writer_abort (FlGifWriter *writer);

G_END_DECLS
