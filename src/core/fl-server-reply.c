/* fl-server-reply.c: one reply, encoded row by row as it is sent.
 *
 * The rows are drawn and encoded only while out holds nothing unsent, up to a
 * flush's worth at a time, so a reply never holds more than about one flush plus
 * a row, whatever the image's height and whatever the peer does. A 10x10 image
 * is one flush: one send, as cheap as encoding it whole.
 */
#include "fl-server-private.h"

#include "fl-error.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FLUSH_BYTES (64u * 1024u)

void
fl_server_reply_init (FlServerReply *reply, int fd, const struct sockaddr_storage *peer, gint64 due)
{
  memset (reply, 0, sizeof *reply);
  reply->fd = fd;
  reply->peer = *peer;
  reply->due = due;
  reply->heap_index = G_MAXUINT;
}

gboolean
fl_server_reply_start (FlServer *server, FlServerReply *reply, FlRng *rng)
{
  if (!reply->cost_spent)
    fl_rng_spend_cpu (rng, server->cost_us, &server->cut);
  reply->cost_spent = TRUE;
  if (g_atomic_int_get (&server->cut))
    return FALSE;
  if (reply->row == NULL)
    reply->row = g_malloc (server->block_rows * server->row_bytes);
  if (reply->out == NULL)
    reply->out = g_byte_array_sized_new (512 + (guint) MIN ((gsize) FLUSH_BYTES,
                                                            server->row_bytes * server->height));
  g_byte_array_set_size (reply->out, 0);
  reply->sent = 0;
  /* The signature and header wait in out for the first rows. */
  reply->png = fl_png_writer_new (server->width, server->height, 3, reply->out, NULL);
  if (reply->png == NULL)
    return FALSE;
  reply->rows_left = server->height;
  reply->hash = FL_IMAGE_HASH_INIT;
  reply->started_at = g_get_monotonic_time ();
  /* A peer slower than 1 MB/s on average does not get the rest. */
  reply->deadline = reply->started_at + (gint64) server->send_timeout_ms * 1000
                    + (gint64) (server->row_bytes * server->height);
  return TRUE;
}

/* Draws and encodes rows until out holds a flush's worth (or the image). */
static gboolean
fill (FlServer *server, FlServerReply *reply, FlRng *rng)
{
  if (reply->sent == reply->out->len)
    {
      g_byte_array_set_size (reply->out, 0);
      reply->sent = 0;
    }
  while (reply->rows_left > 0 && reply->out->len < FLUSH_BYTES)
    {
      guint rows = MIN (reply->rows_left, server->block_rows);

      /* Small rows are drawn a block at a time: one call, not one per row. */
      fl_rng_fill (rng, reply->row, rows * server->row_bytes);
      if (server->hash_images)
        reply->hash = fl_image_hash_update (reply->hash, reply->row, rows * server->row_bytes);
      if (!fl_png_writer_write_rows (reply->png, reply->row, rows, NULL))
        return FALSE;
      reply->rows_left -= rows;
    }
  if (reply->rows_left == 0)
    {
      if (!fl_png_writer_finish (reply->png, NULL))
        return FALSE;
      reply->ended = TRUE;
    }
  return TRUE;
}

FlServerReplyStatus
fl_server_reply_pump (FlServer *server, FlServerReply *reply, FlRng *rng, gsize share)
{
  gsize done = 0;

  for (;;)
    {
      ssize_t n;

      /* The stop's cut ends a reply within one flush, however big the image. */
      if (g_atomic_int_get (&server->cut))
        return FL_SERVER_REPLY_FAILED;
      if (reply->sent == reply->out->len && reply->ended)
        return FL_SERVER_REPLY_DONE;
      /* Encode more once all is sent, or while nothing of a short out was. */
      if (!reply->ended
          && (reply->sent == reply->out->len
              || (reply->sent == 0 && reply->out->len < FLUSH_BYTES)))
        {
          if (done >= share)
            return FL_SERVER_REPLY_YIELD;
          if (!fill (server, reply, rng))
            return FL_SERVER_REPLY_FAILED;
          continue;
        }
      n = send (reply->fd, reply->out->data + reply->sent, reply->out->len - reply->sent,
                MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return errno == EAGAIN || errno == EWOULDBLOCK ? FL_SERVER_REPLY_BLOCKED
                                                         : FL_SERVER_REPLY_FAILED;
        }
      reply->sent += (guint) n;
      reply->bytes += (guint64) n;
      done += (gsize) n;
    }
}

void
fl_server_reply_clear (FlServerReply *reply)
{
  g_clear_pointer (&reply->png, fl_png_writer_free);
  if (!reply->lent)
    {
      g_clear_pointer (&reply->row, g_free);
      if (reply->out != NULL)
        g_byte_array_unref (reply->out);
    }
  reply->row = NULL;
  reply->out = NULL;
}

gboolean
fl_server_take_budget (FlServer *server, FlServerReply *reply)
{
  gint64 left = atomic_load_explicit (&server->budget_left, memory_order_relaxed);

  if (reply->budget > 0)
    return TRUE;
  do
    if (left < (gint64) server->reply_bytes)
      return FALSE;
  while (!atomic_compare_exchange_weak_explicit (&server->budget_left, &left,
                                                 left - (gint64) server->reply_bytes,
                                                 memory_order_relaxed, memory_order_relaxed));
  reply->budget = server->reply_bytes;
  return TRUE;
}

void
fl_server_return_budget (FlServer *server, FlServerReply *reply)
{
  if (reply->budget == 0)
    return;
  atomic_fetch_add_explicit (&server->budget_left, (gint64) reply->budget, memory_order_relaxed);
  reply->budget = 0;
}

/* The end of a connection, whoever finished it: the handler or a wait loop. */

static void
peer_set (FlEventPeer *out, const struct sockaddr_storage *peer)
{
  if (peer->ss_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) peer;

      out->family = AF_INET;
      out->port = ntohs (in->sin_port);
      memcpy (out->address, &in->sin_addr, 4);
    }
  else if (peer->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) peer;

      out->family = AF_INET6;
      out->port = ntohs (in6->sin6_port);
      memcpy (out->address, &in6->sin6_addr, 16);
    }
}

/* The connection accepted by the handler in reply->track has ended. One that a
 * wait loop finished (it waited, or its peer read slowly) spans the time its
 * handler went on serving others. */
static void
emit_served (FlServer *server, const FlServerReply *reply, gboolean sent)
{
  FlEvent event = {
    .kind = FL_EVENT_CONNECTION_SERVED, .track = reply->track, .t0 = reply->accepted_at,
    .t1 = g_get_monotonic_time (),
    .connection = {
      .index = (guint32) atomic_fetch_add_explicit (&server->accepted, 1, memory_order_relaxed),
      .code = sent ? FL_EVENT_NO_ERROR : FL_ERROR_NETWORK,
      .bytes = (guint32) reply->bytes,
      .image_hash = server->hash_images ? reply->hash : 0,
      .generate_us = reply->started_at ? (guint32) (reply->started_at - reply->accepted_at) : 0,
    },
  };

  peer_set (&event.connection.peer, &reply->peer);
  fl_events_push (server->events, &event);
}

void
fl_server_end_connection (FlServer *server, FlServerReply *reply, gboolean sent)
{
  /* The event comes before the close: a client that reads the lab's line after
   * its EOF can count on it, and lines of one sequential client are in order. */
  if (sent)
    {
      atomic_fetch_add_explicit (&server->images_sent, 1, memory_order_relaxed);
      atomic_fetch_add_explicit (&server->bytes_sent, reply->bytes, memory_order_relaxed);
    }
  else
    atomic_fetch_add_explicit (&server->failures, 1, memory_order_relaxed);
  if (server->events != NULL)
    emit_served (server, reply, sent);
  close (reply->fd);
  fl_server_reply_clear (reply);
  atomic_fetch_sub_explicit (&server->active, 1, memory_order_relaxed);
}
