/* fl-error.c: the FL_ERROR domain and errno wording. */
#include "fl-error.h"

#include "fl-sync.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

GQuark
fl_error_quark (void)
{
  /* Not G_DEFINE_QUARK: its lazy static is a plain (if benign) data race when
   * the first errors come from several threads at once. */
  static _Atomic GQuark quark;
  GQuark q = atomic_load_explicit (&quark, memory_order_acquire);

  if (G_UNLIKELY (q == 0))
    {
      q = g_quark_from_static_string ("fl-error-quark");
      atomic_store_explicit (&quark, q, memory_order_release);
    }
  return q;
}

void
fl_error_prepare_threads (void)
{
  /* GLib allocates the lock of its error-domain table on the first
   * g_error_new(); done here, on the thread about to start others, that
   * allocation happens before them instead of racing between them. */
  g_error_free (g_error_new_literal (fl_error_quark (), FL_ERROR_FAILED, ""));
}

FlErrorCode
fl_error_code_from_errno (int errsv)
{
  switch (errsv)
    {
    case ENOSPC:
    case EDQUOT:
      return FL_ERROR_NO_SPACE;
    case EMFILE:
    case ENFILE:
      return FL_ERROR_NO_DESCRIPTORS;
    case EADDRINUSE:
      return FL_ERROR_ADDRESS_IN_USE;
    case EADDRNOTAVAIL:
      return FL_ERROR_ADDRESS_NOT_AVAILABLE;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
      return FL_ERROR_CONNECT;
    case ECONNRESET:
    case EPIPE:
    case ETIMEDOUT:
      return FL_ERROR_NETWORK;
    case ECANCELED:
      return FL_ERROR_CANCELLED;
    default:
      return FL_ERROR_IO;
    }
}

const char *
fl_strerror (int errsv)
{
  /* g_strerror gives "Address already in use"; a sentence reads better with the
   * reason in lower case after a colon, as in "Could not bind ...: address already in use". */
  static FlMutex lock = { PTHREAD_MUTEX_INITIALIZER };
  static GHashTable *cache;
  const char *reason;

  fl_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new (g_direct_hash, g_direct_equal);
  reason = g_hash_table_lookup (cache, GINT_TO_POINTER (errsv));
  if (reason == NULL)
    {
      char *lower = g_strdup (g_strerror (errsv));
      if (lower[0] != '\0' && g_ascii_isupper (lower[0]) && !g_ascii_isupper (lower[1]))
        lower[0] = g_ascii_tolower (lower[0]);
      g_hash_table_insert (cache, GINT_TO_POINTER (errsv), lower);
      reason = lower;
    }
  fl_mutex_unlock (&lock);
  return reason;
}
