/* fl-reply.c: one reply, read in two steps (its header, then the rest) into
 * buffers whose total the budget bounds. */
#include "fl-reply.h"

#include "fl-error.h"
#include "fl-net.h"
#include "fl-sync.h"

#include <string.h>
#include <sys/mman.h>

struct _FlReplyBudget
{
  FlMutex lock;   /* pthread's, which ThreadSanitizer sees (GLib's futexes it does not) */
  FlCond released;
  gsize total, used, peak; /* guarded by lock */
};

FlReplyBudget *
fl_reply_budget_new (gsize bytes)
{
  FlReplyBudget *budget = g_new0 (FlReplyBudget, 1);

  fl_mutex_init (&budget->lock);
  fl_cond_init (&budget->released);
  budget->total = bytes != 0 ? bytes : FL_REPLY_DEFAULT_BUDGET_BYTES;
  return budget;
}

void
fl_reply_budget_free (FlReplyBudget *budget)
{
  if (budget == NULL)
    return;
  fl_mutex_clear (&budget->lock);
  fl_cond_clear (&budget->released);
  g_free (budget);
}

gsize
fl_reply_budget_get_peak (FlReplyBudget *budget)
{
  gsize peak;

  fl_mutex_lock (&budget->lock);
  peak = budget->peak;
  fl_mutex_unlock (&budget->lock);
  return peak;
}

/* Waits until bytes of the budget are free and takes them; FALSE when the run
 * stops or the deadline passes first. A waiting thread holds no part of the
 * budget, so the holders always finish and the waits always end. */
static gboolean
budget_take (FlReplyBudget *budget, gsize bytes, gint64 deadline, const gint *stop,
             GCancellable *cancellable)
{
  gboolean ok = TRUE;

  fl_mutex_lock (&budget->lock);
  while (budget->used + bytes > budget->total)
    {
      gint64 now = g_get_monotonic_time ();
      if (now >= deadline || (stop && g_atomic_int_get (stop))
          || g_cancellable_is_cancelled (cancellable))
        {
          ok = FALSE;
          break;
        }
      fl_cond_wait_until (&budget->released, &budget->lock, MIN (deadline, now + 50000));
    }
  if (ok)
    {
      budget->used += bytes;
      budget->peak = MAX (budget->peak, budget->used);
    }
  fl_mutex_unlock (&budget->lock);
  return ok;
}

void
fl_reply_release (FlReply *reply, FlReplyBudget *budget)
{
  if (reply->big != NULL)
    munmap (reply->big, reply->reserved);
  reply->big = NULL;
  reply->data = reply->base;
  reply->length = 0;
  if (reply->reserved == 0)
    return;
  fl_mutex_lock (&budget->lock);
  budget->used -= reply->reserved;
  fl_cond_broadcast (&budget->released);
  fl_mutex_unlock (&budget->lock);
  reply->reserved = 0;
}

void
fl_reply_clear (FlReply *reply, FlReplyBudget *budget)
{
  fl_reply_release (reply, budget);
  g_clear_pointer (&reply->base, g_free);
  reply->data = NULL;
}

/* What bytes that are not a PNG look like, for messages: "a JPEG image", "an HTTP
 * response", "text", "binary data"...; NULL when they are a PNG's first bytes (or
 * none), or a PNG whose signature a text-mode transfer damaged. */
static const char *
describe_content (const guint8 *data, gsize length)
{
  static const struct
  {
    const char *magic;
    gsize size;
    const char *what;
  } formats[] = {
    { "\xff\xd8\xff", 3, "a JPEG image" },
    { "GIF87a", 6, "a GIF image" },
    { "GIF89a", 6, "a GIF image" },
    { "BM", 2, "a BMP image" },
    { "II*\0", 4, "a TIFF image" },
    { "MM\0*", 4, "a TIFF image" },
    { "\x1f\x8b", 2, "gzip data" },
    { "HTTP/", 5, "an HTTP response" },
  };
  static const guint8 signature[FL_PNG_SIGNATURE_SIZE] = { 137, 80, 78, 71, 13, 10, 26, 10 };
  gsize printable = 0, n = MIN (length, (gsize) 512), differ = 0;

  /* A PNG, the start of one (length 0 included), or one whose signature a
   * text-mode transfer damaged: that is a damaged PNG, not another format. */
  for (gsize i = 0; i < MIN (length, (gsize) sizeof signature); i++)
    differ += data[i] != signature[i];
  if (differ == 0 || (length >= sizeof signature && differ <= 2)
      || (length >= 4 && memcmp (data, signature, 4) == 0))
    return NULL;
  if (length >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "a WebP image";
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (length >= formats[i].size && memcmp (data, formats[i].magic, formats[i].size) == 0)
      return formats[i].what;
  for (gsize i = 0; i < n; i++)
    printable += g_ascii_isprint (data[i]) || g_ascii_isspace (data[i]) || data[i] >= 0x80;
  if (printable == n)
    {
      gsize i = 0;
      while (i < n && g_ascii_isspace (data[i]))
        i++;
      return i < n && data[i] == '<' ? "an HTML or XML document" : "text";
    }
  return "binary data";
}

/* "The reply from PEER is " + the codec's clause ("not a valid PNG: ..."). */
static void
set_reply_error (GError **error, const char *peer, GError *check_error)
{
  g_set_error (error, FL_ERROR, check_error->code, "The reply from %s is %s", peer,
               check_error->message);
  g_error_free (check_error);
}

/* Moves a reply that outgrew the base buffer into one of exactly capacity bytes. */
static FlReplyStatus
grow (FlReply *reply, gsize capacity, gint64 deadline, FlReplyBudget *budget, const gint *stop,
      GCancellable *cancellable, const char *peer, GError **error)
{
  if (!budget_take (budget, capacity, deadline, stop, cancellable))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED,
                   "The reply from %s waited too long for memory (the client holds at most "
                   "%" G_GSIZE_FORMAT " MiB of replies)", peer, budget->total >> 20);
      return FL_REPLY_RESOURCE;
    }
  reply->reserved = capacity;
  /* Mapped, not malloc'ed: freed, it goes back to the system at once. malloc
   * would serve a large reply from a thread's arena after the first (glibc
   * raises its mmap threshold to the largest block freed) and keep it there, so
   * the process would hold more than the budget says. */
  reply->big = mmap (NULL, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (reply->big == MAP_FAILED)
    {
      reply->big = NULL;
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED,
                   "The reply from %s needs %" G_GSIZE_FORMAT " bytes: out of memory", peer,
                   capacity);
      return FL_REPLY_RESOURCE;
    }
  memcpy (reply->big, reply->base, reply->length);
  reply->data = reply->big;
  return FL_REPLY_OK;
}

FlReplyStatus
fl_reply_read (FlReply *reply, int fd, gint64 deadline, const FlPngLimits *limits,
               FlReplyBudget *budget, const gint *stop, GCancellable *cancellable,
               const char *peer, GError **error)
{
  GError *check_error = NULL;
  const char *what;
  gsize capacity;
  gboolean eof;

  fl_reply_release (reply, budget);
  if (reply->base == NULL)
    reply->base = g_malloc (FL_REPLY_BASE_BYTES);
  reply->data = reply->base;
  if (!fl_net_read (fd, deadline, reply->base, FL_REPLY_BASE_BYTES, FL_PNG_HEADER_SIZE,
                    &reply->length, &eof, stop, cancellable, peer, error))
    return FL_REPLY_TRANSIENT;

  /* A server that sends something else will never send a PNG: no retry. */
  what = describe_content (reply->base, reply->length);
  if (what != NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_PNG, "The reply from %s is %s, not a PNG",
                   peer, what);
      return FL_REPLY_NOT_PNG;
    }
  if (!fl_png_peek_header (reply->base, reply->length, limits, &capacity, &check_error))
    {
      set_reply_error (error, peer, check_error);
      return FL_REPLY_TRANSIENT;
    }
  if (!eof)
    {
      /* The header promises at most capacity bytes; the budget must hold one. */
      capacity = MIN (capacity, budget->total);
      if (reply->length > capacity)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                       "The reply from %s is larger than %" G_GSIZE_FORMAT " bytes", peer,
                       capacity);
          return FL_REPLY_TRANSIENT;
        }
      if (!fl_net_read (fd, deadline, reply->base, MIN (capacity, FL_REPLY_BASE_BYTES),
                        capacity > FL_REPLY_BASE_BYTES ? FL_REPLY_BASE_BYTES : G_MAXSIZE,
                        &reply->length, &eof, stop, cancellable, peer, error))
        return FL_REPLY_TRANSIENT;
    }
  if (!eof)
    {
      FlReplyStatus status = grow (reply, capacity, deadline, budget, stop, cancellable, peer,
                                   error);
      if (status != FL_REPLY_OK)
        return status;
      if (!fl_net_read (fd, deadline, reply->big, capacity, G_MAXSIZE, &reply->length, &eof,
                        stop, cancellable, peer, error))
        return FL_REPLY_TRANSIENT;
    }
  if (!fl_png_check (reply->data, reply->length, limits, NULL, NULL, &check_error))
    {
      set_reply_error (error, peer, check_error);
      return FL_REPLY_TRANSIENT;
    }
  return FL_REPLY_OK;
}
