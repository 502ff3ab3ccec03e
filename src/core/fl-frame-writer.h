/* fl-frame-writer.h: one download thread's frames, each written atomically.
 *
 * A new frame is an O_TMPFILE linked into place: nothing is ever visible but a
 * whole frame, and a SIGKILL leaves nothing behind. Replacing a frame that is
 * already there is where atomic files cost most (a new inode allocated and the
 * old one freed, per frame): so the writer recycles inodes. It keeps one spare
 * file under a hidden name, writes the new frame into it, and swaps it with the
 * old frame in one renameat2(RENAME_EXCHANGE); the old frame's inode becomes the
 * next spare. Readers of <i>.png see the old frame or the new one, whole. A
 * killed run leaves its spares (".spare-N.png.tmp-PID-N", one per thread), which
 * the next run removes (fl_file_remove_stale_temporaries). Where the exchange is
 * not supported, a frame is linked under a temporary name and renamed over the
 * old one. Only nothing or a regular file is replaced, keeping its mode and owner.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FlFrameWriter FlFrameWriter;

/* dir_fd: the frames folder, open for as long as the writer lives; dir_path
 * names it in messages. One writer per thread. */
FlFrameWriter *fl_frame_writer_new (int dir_fd, const char *dir_path);
/* Writes name (an <i>.png) atomically; the error names DIR_PATH/NAME. */
gboolean       fl_frame_writer_write (FlFrameWriter *writer, const char *name, const void *data,
                                      gsize length, GError **error);
/* Removes the spare, frees. */
void           fl_frame_writer_free (FlFrameWriter *writer);

G_END_DECLS
