/* fl-frame-details.h: what the viewer shows about a frame on request: its
 * number, delay (and the delay it is played at), disposal, position, size and
 * colour table. */
#pragma once

#include <gtk/gtk.h>

#include "fl-gif-reader.h"

G_BEGIN_DECLS

#define FL_TYPE_FRAME_DETAILS (fl_frame_details_get_type ())
G_DECLARE_FINAL_TYPE (FlFrameDetails, fl_frame_details, FL, FRAME_DETAILS, GtkWidget)

/* Shows frame of gif (NULL: empties the fields). Reads the file's records
 * only: nothing is decoded. */
void  fl_frame_details_show (FlFrameDetails *self, FlGif *gif, guint frame);
/* "Name: value" lines, for tests. */
char *fl_frame_details_get_text (FlFrameDetails *self);

G_END_DECLS
