/* fl-check-net.c: batches of connections on one thread, each reply classified. */
#include "fl-check-net.h"

#include "fl-error.h"
#include "fl-png.h"
#include "fl-reply.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A reply larger than this is not the lab's image, whatever it is. */
#define MAX_REPLY_BYTES (16u * 1024u * 1024u)
#define READ_CHUNK 65536u
/* Colours are counted over at most this many pixels. */
#define MAX_COUNTED_PIXELS 4096u

typedef struct
{
  int fd;
  FlFetch *fetch;
  gboolean connected;
  GByteArray *data;
  gint64 deadline;
} Slot;

static gint64
since (const FlFetch *fetch)
{
  return g_get_monotonic_time () - fetch->started_at;
}

static int
compare_u32 (const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static void
measure_image (FlFetch *fetch, const FlImage *image)
{
  gsize n_pixels = (gsize) image->width * image->height;
  gsize counted = MIN (n_pixels, (gsize) MAX_COUNTED_PIXELS);
  g_autofree guint32 *pixels = g_new (guint32, MAX (counted, 1));
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_length = sizeof digest;

  g_checksum_update (checksum, image->pixels, (gssize) fl_image_byte_size (image));
  g_checksum_get_digest (checksum, digest, &digest_length);
  memcpy (&fetch->pixel_hash, digest, sizeof fetch->pixel_hash);
  memcpy (pixels, image->pixels, counted * 4);
  qsort (pixels, counted, sizeof *pixels, compare_u32);
  fetch->colours = counted > 0;
  for (gsize i = 1; i < counted; i++)
    fetch->colours += pixels[i] != pixels[i - 1];
}

/* The reply is complete (EOF): what is it? */
static void
evaluate (FlFetch *fetch, const GByteArray *data, const char *peer, gboolean decode)
{
  g_autoptr (GError) error = NULL;
  FlPngLimits limits;

  fetch->bytes = data->len;
  fetch->done_us = since (fetch);
  if (data->len == 0)
    {
      fetch->status = FL_FETCH_EMPTY;
      fetch->message = g_strdup_printf ("%s closed the connection without sending anything", peer);
      return;
    }
  fetch->what = fl_reply_describe_content (data->data, data->len);
  if (fetch->what != NULL)
    {
      fetch->status = FL_FETCH_NOT_PNG;
      fetch->message = g_strdup_printf ("The reply from %s is %s, not a PNG", peer, fetch->what);
      return;
    }
  fl_png_limits_init_default (&limits);
  limits.max_bytes = MAX_REPLY_BYTES;
  if (!fl_png_check (data->data, data->len, &limits, &fetch->width, &fetch->height, &error))
    {
      fetch->status = FL_FETCH_BAD_PNG;
      fetch->message = g_strdup_printf ("The reply from %s is %s", peer, error->message);
      return;
    }
  fetch->status = FL_FETCH_PNG;
  if (decode)
    {
      g_autoptr (FlImage) image = fl_png_decode (data->data, data->len, &limits, &error);

      if (image == NULL)
        {
          fetch->status = FL_FETCH_BAD_PNG;
          fetch->message = g_strdup_printf ("The reply from %s is %s", peer, error->message);
          return;
        }
      measure_image (fetch, image);
    }
}

static void
slot_close (Slot *slot)
{
  if (slot->fd >= 0)
    close (slot->fd);
  slot->fd = -1;
  g_clear_pointer (&slot->data, g_byte_array_unref);
}

static void
slot_fail (Slot *slot, FlFetchStatus status, char *message)
{
  slot->fetch->status = status;
  slot->fetch->message = message;
  slot->fetch->bytes = slot->data ? slot->data->len : 0;
  slot->fetch->done_us = since (slot->fetch);
  slot_close (slot);
}

/* The deadline passed. A complete PNG on a connection still open is the
 * server's failure to close, not a slow reply. */
static void
slot_timeout (Slot *slot, const char *peer, gboolean decode)
{
  slot->fetch->timed_out = TRUE;
  if (!slot->connected)
    {
      slot_fail (slot, FL_FETCH_CONNECT,
                 g_strdup_printf ("Could not connect to %s: connection timed out", peer));
      return;
    }
  if (slot->data->len > 0 && fl_png_check (slot->data->data, slot->data->len, NULL, NULL, NULL,
                                           NULL))
    {
      evaluate (slot->fetch, slot->data, peer, decode);
      slot->fetch->status = FL_FETCH_NOT_CLOSED;
      g_clear_pointer (&slot->fetch->message, g_free);
      slot->fetch->message =
        g_strdup_printf ("%s sent a complete PNG but did not close the connection", peer);
      slot_close (slot);
      return;
    }
  slot_fail (slot, FL_FETCH_NETWORK,
             g_strdup_printf ("The reply from %s timed out after %u bytes", peer, slot->data->len));
}

/* Reads what has arrived; TRUE when the slot is done. */
static gboolean
slot_read (Slot *slot, const char *peer, gboolean decode)
{
  for (;;)
    {
      gsize old = slot->data->len;
      ssize_t n;

      g_byte_array_set_size (slot->data, old + READ_CHUNK);
      n = recv (slot->fd, slot->data->data + old, READ_CHUNK, 0);
      g_byte_array_set_size (slot->data, old + (n > 0 ? (gsize) n : 0));
      if (n > 0 && slot->fetch->first_byte_us == 0)
        slot->fetch->first_byte_us = since (slot->fetch);
      if (n > 0 && slot->data->len > MAX_REPLY_BYTES)
        {
          slot_fail (slot, FL_FETCH_TOO_LARGE,
                     g_strdup_printf ("The reply from %s is larger than %u bytes", peer,
                                      MAX_REPLY_BYTES));
          return TRUE;
        }
      if (n > 0)
        continue;
      if (n == 0)
        {
          evaluate (slot->fetch, slot->data, peer, decode);
          slot_close (slot);
          return TRUE;
        }
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return FALSE;
      slot_fail (slot, FL_FETCH_NETWORK,
                 g_strdup_printf ("Could not read from %s after %u bytes: %s", peer,
                                  slot->data->len, fl_strerror (errno)));
      return TRUE;
    }
}

static gboolean
slot_start (Slot *slot, const FlSockAddr *addr, guint timeout_ms, FlFetch *fetch, const char *peer)
{
  *slot = (Slot) { .fd = -1, .fetch = fetch };
  fetch->started_at = g_get_monotonic_time ();
  slot->deadline = fetch->started_at + (gint64) timeout_ms * 1000;
  slot->data = g_byte_array_new ();
  slot->fd = socket (addr->storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (slot->fd < 0)
    {
      slot_fail (slot, FL_FETCH_CONNECT,
                 g_strdup_printf ("Could not connect to %s: %s", peer, fl_strerror (errno)));
      return FALSE;
    }
  if (connect (slot->fd, (const struct sockaddr *) &addr->storage, addr->length) == 0)
    slot->connected = TRUE;
  else if (errno != EINPROGRESS && errno != EINTR)
    {
      slot_fail (slot, FL_FETCH_CONNECT,
                 g_strdup_printf ("Could not connect to %s: %s", peer, fl_strerror (errno)));
      return FALSE;
    }
  if (slot->connected)
    fetch->connected_us = since (fetch);
  return TRUE;
}

/* The slot's socket is ready; TRUE when the slot is done. */
static gboolean
slot_ready (Slot *slot, short revents, const char *peer, gboolean decode)
{
  if (!slot->connected)
    {
      int errsv = 0;
      socklen_t len = sizeof errsv;

      if (getsockopt (slot->fd, SOL_SOCKET, SO_ERROR, &errsv, &len) != 0)
        errsv = errno;
      if (errsv != 0)
        {
          slot_fail (slot, FL_FETCH_CONNECT,
                     g_strdup_printf ("Could not connect to %s: %s", peer, fl_strerror (errsv)));
          return TRUE;
        }
      slot->connected = TRUE;
      slot->fetch->connected_us = since (slot->fetch);
      return FALSE;
    }
  return (revents & (POLLIN | POLLHUP | POLLERR)) ? slot_read (slot, peer, decode) : FALSE;
}

static void
cancel_fetch (FlFetch *fetch)
{
  fetch->status = FL_FETCH_CANCELLED;
  g_clear_pointer (&fetch->message, g_free);
  fetch->message = g_strdup ("The check was stopped");
}

/* Polls the open slots once (at most 50 ms); returns how many ended. */
static guint
poll_slots (Slot *slots, guint n_open, const char *peer, gboolean decode)
{
  g_autofree struct pollfd *fds = g_new (struct pollfd, MAX (n_open, 1));
  gint64 now = g_get_monotonic_time (), wait_us = 50000;
  guint ended = 0;

  for (guint i = 0; i < n_open; i++)
    {
      fds[i] = (struct pollfd) { slots[i].fd, slots[i].connected ? POLLIN : POLLOUT, 0 };
      wait_us = MIN (wait_us, MAX (slots[i].deadline - now, 0));
    }
  if (poll (fds, n_open, (int) ((wait_us + 999) / 1000)) < 0 && errno != EINTR)
    g_usleep (1000);
  now = g_get_monotonic_time ();
  for (guint i = 0; i < n_open; i++)
    {
      if (fds[i].revents != 0 && slot_ready (&slots[i], fds[i].revents, peer, decode))
        ended++;
      else if (slots[i].fd >= 0 && now >= slots[i].deadline)
        {
          slot_timeout (&slots[i], peer, decode);
          ended++;
        }
    }
  return ended;
}

/* Drops the slots that ended (fd closed), keeping the others in order. */
static guint
compact_slots (Slot *slots, guint n_open)
{
  guint kept = 0;

  for (guint i = 0; i < n_open; i++)
    if (slots[i].fd >= 0)
      slots[kept++] = slots[i];
  return kept;
}

gboolean
fl_fetch_status_is_lost (FlFetchStatus status)
{
  return status == FL_FETCH_CONNECT || status == FL_FETCH_NETWORK || status == FL_FETCH_NOT_CLOSED;
}

guint
fl_fetch_run (const FlFetchPlan *plan, FlFetch *fetches, guint stop_after,
              GCancellable *cancellable)
{
  guint in_flight = plan->in_flight > 0 ? MIN (plan->in_flight, plan->n) : plan->n;
  g_autofree Slot *slots = g_new0 (Slot, MAX (in_flight, 1));
  guint next = 0, n_open = 0, lost = 0, failed = 0;
  char peer[80];

  fl_net_format_address (plan->addr, peer, sizeof peer);
  memset (fetches, 0, plan->n * sizeof *fetches);
  while (next < plan->n || n_open > 0)
    {
      gboolean stop = g_cancellable_is_cancelled (cancellable)
                      || (stop_after > 0 && lost >= stop_after);

      while (!stop && n_open < in_flight && next < plan->n)
        {
          if (slot_start (&slots[n_open], plan->addr, plan->timeout_ms, &fetches[next++], peer))
            n_open++;
          else
            lost++;
        }
      if (stop)
        {
          for (guint i = 0; i < n_open; i++)
            {
              cancel_fetch (slots[i].fetch);
              slot_close (&slots[i]);
            }
          while (next < plan->n)
            cancel_fetch (&fetches[next++]);
          break;
        }
      if (n_open > 0)
        poll_slots (slots, n_open, peer, plan->decode);
      for (guint i = 0; i < n_open; i++)
        lost += slots[i].fd < 0 && fl_fetch_status_is_lost (slots[i].fetch->status);
      n_open = compact_slots (slots, n_open);
    }
  for (guint i = 0; i < plan->n; i++)
    failed += fetches[i].status != FL_FETCH_PNG;
  return failed;
}

void
fl_fetch_one (const FlSockAddr *addr, guint timeout_ms, GCancellable *cancellable, FlFetch *fetch)
{
  FlFetchPlan plan = { addr, 1, 1, timeout_ms, TRUE };

  fl_fetch_run (&plan, fetch, 0, cancellable);
}

void
fl_fetch_finish (int fd, const FlSockAddr *addr, guint timeout_ms, GCancellable *cancellable,
                 FlFetch *fetch)
{
  Slot slot = { .fd = fd, .fetch = fetch, .connected = TRUE, .data = g_byte_array_new () };
  char peer[80];

  fl_net_format_address (addr, peer, sizeof peer);
  memset (fetch, 0, sizeof *fetch);
  fetch->started_at = g_get_monotonic_time ();
  slot.deadline = fetch->started_at + (gint64) timeout_ms * 1000;
  while (slot.fd >= 0)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          cancel_fetch (fetch);
          slot_close (&slot);
          break;
        }
      poll_slots (&slot, 1, peer, TRUE);
    }
}

void
fl_fetch_clear (FlFetch *fetches, guint n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&fetches[i].message, g_free);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double *
fl_fetch_latencies (const FlFetch *fetches, guint n, guint *n_out)
{
  double *values = g_new (double, MAX (n, 1));
  guint k = 0;

  for (guint i = 0; i < n; i++)
    if (fetches[i].status == FL_FETCH_PNG)
      values[k++] = fetches[i].done_us / 1e6;
  qsort (values, k, sizeof *values, compare_doubles);
  *n_out = k;
  return values;
}

double
fl_fetch_quantile (const double *sorted, guint n, double q)
{
  guint rank;

  if (n == 0)
    return 0;
  rank = (guint) (q * n + 0.999999);
  return sorted[CLAMP (rank, 1u, n) - 1];
}
