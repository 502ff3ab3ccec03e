/* fl-reply.h: reading one server reply into memory, with the client's memory bounded.
 *
 * Each download thread keeps one small buffer (FL_REPLY_BASE_BYTES) that holds any
 * frame up to about 128x128 RGB. A larger reply first has its PNG header read and
 * checked: a size over the limits, or bytes that are not a PNG at all, end the
 * reply there, before anything is allocated for it. Otherwise the header says how
 * large the reply can be (fl_png_peek_header), and a buffer of exactly that size is
 * taken from one budget that all threads share: so the replies held at once never
 * take more than the budget, however many threads run and whatever the server
 * sends; a thread waits while the budget is used up. The buffer is freed as soon as
 * the frame is written.
 */
#pragma once

#include <gio/gio.h>

#include "fl-png.h"

G_BEGIN_DECLS

#define FL_REPLY_BASE_BYTES (64u * 1024u)
/* Room for four of the largest frames (64 MiB) at once. */
#define FL_REPLY_DEFAULT_BUDGET_BYTES (256u * 1024u * 1024u)

typedef struct _FlReplyBudget FlReplyBudget;

/* bytes: what the large replies may hold in all (0: the default). */
FlReplyBudget *fl_reply_budget_new (gsize bytes);
void           fl_reply_budget_free (FlReplyBudget *budget);
/* The most the large replies held at once since the budget was made. */
gsize          fl_reply_budget_get_peak (FlReplyBudget *budget);

typedef enum
{
  FL_REPLY_OK,        /* one complete, valid PNG */
  FL_REPLY_TRANSIENT, /* reset, timeout, truncated or damaged: worth another try */
  FL_REPLY_NOT_PNG,   /* the peer does not send PNGs at all (JPEG, HTTP, text) */
  FL_REPLY_RESOURCE,  /* our own shortage: the budget stayed used up past the deadline */
} FlReplyStatus;

/* One thread's buffers; zero-initialise, then fl_reply_clear when done. */
typedef struct
{
  guint8 *data;      /* the reply: base or big */
  gsize length;
  guint8 *base;      /* FL_REPLY_BASE_BYTES, kept between replies */
  guint8 *big;       /* a large reply's buffer, freed by fl_reply_release */
  gsize reserved;    /* of the budget, for big */
} FlReply;

/* Reads the whole reply from the non-blocking socket fd by deadline and checks that
 * it is one complete PNG within limits (fl_png_check). The error is one sentence
 * that names peer ("The reply from 127.0.0.1:1234 is a JPEG image, not a PNG").
 * Call fl_reply_release once the reply's bytes are no longer needed. */
FlReplyStatus fl_reply_read (FlReply *reply, int fd, gint64 deadline, const FlPngLimits *limits,
                             FlReplyBudget *budget, const gint *stop, GCancellable *cancellable,
                             const char *peer, GError **error);
void          fl_reply_release (FlReply *reply, FlReplyBudget *budget);
void          fl_reply_clear (FlReply *reply, FlReplyBudget *budget);

/* What bytes that are not a PNG look like, for messages: "a JPEG image", "an HTTP
 * response", "text", "binary data"...; NULL when they are a PNG's first bytes (or
 * none), or a PNG whose signature a text-mode transfer damaged. Untranslated. */
const char   *fl_reply_describe_content (const guint8 *data, gsize length);

G_END_DECLS
