/* fl-net.c: sockets with clear errors. */
#include "fl-net.h"

#include "fl-error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

const char *
fl_net_format_host (const struct sockaddr *sa, char *buffer, gsize size, guint *port_out)
{
  char host[INET6_ADDRSTRLEN] = "?";
  guint port = 0;

  if (sa->sa_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
      inet_ntop (AF_INET, &in->sin_addr, host, sizeof host);
      port = ntohs (in->sin_port);
    }
  else if (sa->sa_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
      inet_ntop (AF_INET6, &in6->sin6_addr, host, sizeof host);
      port = ntohs (in6->sin6_port);
    }
  g_strlcpy (buffer, host, size);
  if (port_out)
    *port_out = port;
  return buffer;
}

const char *
fl_net_format_address (const FlSockAddr *addr, char *buffer, gsize size)
{
  char host[INET6_ADDRSTRLEN];
  guint port;

  fl_net_format_host ((const struct sockaddr *) &addr->storage, host, sizeof host, &port);
  if (addr->storage.ss_family == AF_INET6)
    g_snprintf (buffer, size, "[%s]:%u", host, port);
  else
    g_snprintf (buffer, size, "%s:%u", host, port);
  return buffer;
}

gboolean
fl_net_resolve (const char *host, guint port, gboolean passive, FlSockAddr *addr,
                GError **error)
{
  struct addrinfo hints = { 0 }, *result = NULL;
  char service[16];
  int rc;

  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  hints.ai_family = AF_UNSPEC;
  g_snprintf (service, sizeof service, "%u", port);
  rc = getaddrinfo (host && *host ? host : NULL, service, &hints, &result);
  if (rc != 0 || result == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_ADDRESS, "Could not resolve %s: %s",
                   host ? host : "(any)", rc == EAI_SYSTEM ? fl_strerror (errno) : gai_strerror (rc));
      if (result)
        freeaddrinfo (result);
      return FALSE;
    }
  memset (addr, 0, sizeof *addr);
  memcpy (&addr->storage, result->ai_addr, result->ai_addrlen);
  addr->length = result->ai_addrlen;
  freeaddrinfo (result);
  return TRUE;
}

FlSockAddr *
fl_net_resolve_all (const char *host, guint port, guint *n_addrs, GError **error)
{
  struct addrinfo hints = { 0 }, *result = NULL;
  g_autoptr (GArray) addrs = g_array_new (FALSE, TRUE, sizeof (FlSockAddr));
  char service[16];
  int rc;

  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  hints.ai_family = AF_UNSPEC;
  g_snprintf (service, sizeof service, "%u", port);
  rc = getaddrinfo (host, service, &hints, &result);
  if (rc != 0 || result == NULL)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_ADDRESS, "Could not resolve %s: %s", host,
                   rc == EAI_SYSTEM ? fl_strerror (errno) : gai_strerror (rc));
      if (result)
        freeaddrinfo (result);
      return NULL;
    }
  for (struct addrinfo *ai = result; ai != NULL; ai = ai->ai_next)
    {
      FlSockAddr addr = { 0 };
      gboolean seen = FALSE;

      if (ai->ai_addrlen > sizeof addr.storage)
        continue;
      memcpy (&addr.storage, ai->ai_addr, ai->ai_addrlen);
      addr.length = ai->ai_addrlen;
      for (guint i = 0; i < addrs->len && !seen; i++)
        {
          const FlSockAddr *known = &g_array_index (addrs, FlSockAddr, i);

          seen = known->length == addr.length
                 && memcmp (&known->storage, &addr.storage, addr.length) == 0;
        }
      if (!seen)
        g_array_append_val (addrs, addr);
    }
  freeaddrinfo (result);
  *n_addrs = addrs->len;
  return (FlSockAddr *) (gpointer) g_array_free (g_steal_pointer (&addrs), FALSE);
}

gboolean
fl_net_parse_port (const char *text, gboolean allow_zero, guint *port, GError **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, allow_zero ? 0 : 1, 65535, &value, NULL))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                   "Port \"%s\" is not valid: expected a number from %d to 65535", text,
                   allow_zero ? 0 : 1);
      return FALSE;
    }
  *port = (guint) value;
  return TRUE;
}

gboolean
fl_net_parse_endpoint (const char *text, guint default_port, char **host, guint *port,
                       GError **error)
{
  const char *colon;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');
      if (close == NULL || (close[1] != '\0' && close[1] != ':') || close == text + 1)
        goto bad;
      *host = g_strndup (text + 1, close - text - 1);
      if (close[1] == '\0')
        *port = default_port;
      else if (!fl_net_parse_port (close + 2, FALSE, port, error))
        {
          g_clear_pointer (host, g_free);
          return FALSE;
        }
      return TRUE;
    }
  colon = strrchr (text, ':');
  if (colon != NULL && strchr (text, ':') != colon)
    colon = NULL; /* a bare IPv6 address */
  if (colon == text || text[0] == '\0')
    goto bad;
  if (colon == NULL)
    {
      *host = g_strdup (text);
      *port = default_port;
      return TRUE;
    }
  if (!fl_net_parse_port (colon + 1, FALSE, port, error))
    return FALSE;
  *host = g_strndup (text, colon - text);
  return TRUE;

bad:
  g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
               "Server address \"%s\" is not valid: expected HOST:PORT", text);
  return FALSE;
}

int
fl_net_listen (const FlSockAddr *addr, int backlog, GError **error)
{
  char where[80];
  int fd, one = 1;

  fl_net_format_address (addr, where, sizeof where);
  fd = socket (addr->storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv),
                   "Could not create a socket for %s: %s", where, fl_strerror (errsv));
      return -1;
    }
  /* Before bind, so that a restart does not wait for TIME_WAIT to drain. */
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (const struct sockaddr *) &addr->storage, addr->length) != 0)
    {
      int errsv = errno;
      close (fd);
      g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv), "Could not bind %s: %s",
                   where, fl_strerror (errsv));
      return -1;
    }
  if (listen (fd, backlog) != 0)
    {
      int errsv = errno;
      close (fd);
      g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv),
                   "Could not listen on %s: %s", where, fl_strerror (errsv));
      return -1;
    }
  return fd;
}

gboolean
fl_net_local_address (int fd, FlSockAddr *addr)
{
  memset (addr, 0, sizeof *addr);
  addr->length = sizeof addr->storage;
  return getsockname (fd, (struct sockaddr *) &addr->storage, &addr->length) == 0;
}

int
fl_net_send_all (int fd, const void *data, gsize length, gint64 deadline)
{
  const guint8 *p = data;

  while (length > 0)
    {
      ssize_t n = send (fd, p, length, MSG_NOSIGNAL);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return (errno == EAGAIN || errno == EWOULDBLOCK) ? ETIMEDOUT : errno;
        }
      p += n;
      length -= (gsize) n;
      if (length > 0 && deadline != 0 && g_get_monotonic_time () >= deadline)
        return ETIMEDOUT;
    }
  return 0;
}

static int
remaining_ms (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();
  if (left <= 0)
    return 0;
  return (int) MIN ((left + 999) / 1000, G_MAXINT);
}

int
fl_net_connect (const FlSockAddr *addr, gint64 deadline, const gint *stop,
                GCancellable *cancellable, GError **error)
{
  char where[80];
  int fd, errsv;

  fd = socket (addr->storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    {
      errsv = errno;
      goto fail;
    }
  if (connect (fd, (const struct sockaddr *) &addr->storage, addr->length) == 0)
    return fd;
  errsv = errno;
  if (errsv != EINPROGRESS && errsv != EINTR)
    goto fail;
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLOUT };
      int timeout = remaining_ms (deadline);
      int rc;
      socklen_t len = sizeof errsv;

      if (timeout == 0)
        {
          errsv = ETIMEDOUT;
          goto fail;
        }
      if ((stop && g_atomic_int_get (stop)) || g_cancellable_is_cancelled (cancellable))
        {
          errsv = ECANCELED;
          goto fail;
        }
      if (stop || cancellable)
        timeout = MIN (timeout, 50);
      rc = poll (&pfd, 1, timeout);
      if (rc < 0 && errno == EINTR)
        continue;
      if (rc < 0)
        {
          errsv = errno;
          goto fail;
        }
      if (rc == 0)
        continue; /* the deadline check above ends it */
      if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &errsv, &len) != 0)
        errsv = errno;
      if (errsv == 0)
        return fd;
      goto fail;
    }

fail:
  if (fd >= 0)
    close (fd);
  fl_net_format_address (addr, where, sizeof where);
  g_set_error (error, FL_ERROR,
               errsv == ETIMEDOUT ? FL_ERROR_CONNECT : fl_error_code_from_errno (errsv),
               "Could not connect to %s: %s", where,
               errsv == ETIMEDOUT ? "connection timed out" : fl_strerror (errsv));
  errno = errsv;
  return -1;
}

int
fl_net_connect_any (const FlSockAddr *addrs, guint n_addrs, guint *which, gint64 deadline,
                    const gint *stop, GCancellable *cancellable, GError **error)
{
  guint first = *which < n_addrs ? *which : 0;

  for (guint k = 0; k < n_addrs; k++)
    {
      guint i = (first + k) % n_addrs;
      g_autoptr (GError) local_error = NULL;
      int fd = fl_net_connect (&addrs[i], deadline, stop, cancellable, &local_error);
      int errsv = errno;

      if (fd >= 0)
        {
          *which = i;
          return fd;
        }
      /* Out of descriptors, a cancel or the deadline ends the round: another
       * address would fail the same way. */
      if (k + 1 == n_addrs || errsv == EMFILE || errsv == ENFILE || errsv == ECANCELED
          || g_get_monotonic_time () >= deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          errno = errsv;
          return -1;
        }
    }
  g_set_error_literal (error, FL_ERROR, FL_ERROR_ADDRESS, "No address to connect to");
  errno = EINVAL;
  return -1;
}

gboolean
fl_net_read (int fd, gint64 deadline, guint8 *buffer, gsize capacity, gsize want, gsize *length,
             gboolean *eof, const gint *stop, GCancellable *cancellable, const char *peer,
             GError **error)
{
  guint8 probe;

  *eof = FALSE;
  while (*length < want)
    {
      /* A full buffer: one byte more tells EOF from a reply that is too large. */
      gboolean full = *length == capacity;
      ssize_t n = full ? recv (fd, &probe, 1, 0) : recv (fd, buffer + *length, capacity - *length, 0);

      if (n > 0 && full)
        {
          g_set_error (error, FL_ERROR, FL_ERROR_TOO_LARGE,
                       "The reply from %s is larger than %" G_GSIZE_FORMAT " bytes", peer,
                       capacity);
          return FALSE;
        }
      if (n > 0)
        {
          *length += (gsize) n;
          continue;
        }
      if (n == 0)
        {
          *eof = TRUE;
          return TRUE;
        }
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          struct pollfd pfd = { .fd = fd, .events = POLLIN };
          int timeout = remaining_ms (deadline);
          if ((stop && g_atomic_int_get (stop)) || g_cancellable_is_cancelled (cancellable))
            {
              g_set_error (error, FL_ERROR, FL_ERROR_CANCELLED, "The download was cancelled");
              return FALSE;
            }
          if (timeout == 0)
            {
              g_set_error (error, FL_ERROR, FL_ERROR_NETWORK,
                           "The reply from %s timed out after %" G_GSIZE_FORMAT " bytes", peer,
                           *length);
              return FALSE;
            }
          if (stop || cancellable)
            timeout = MIN (timeout, 50);
          if (poll (&pfd, 1, timeout) < 0 && errno != EINTR)
            {
              int errsv = errno;
              g_set_error (error, FL_ERROR, FL_ERROR_NETWORK, "Could not read from %s: %s", peer,
                           fl_strerror (errsv));
              return FALSE;
            }
          continue;
        }
      {
        int errsv = errno;
        g_set_error (error, FL_ERROR, fl_error_code_from_errno (errsv) == FL_ERROR_IO
                                        ? FL_ERROR_NETWORK
                                        : fl_error_code_from_errno (errsv),
                     "Could not read from %s: %s", peer, fl_strerror (errsv));
        return FALSE;
      }
    }
  return TRUE;
}

guint64
fl_net_raise_nofile_limit (guint64 wanted)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) != 0)
    return 0;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < wanted)
    {
      struct rlimit raised = rl;
      raised.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > wanted) ? wanted : rl.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &raised) == 0)
        rl = raised;
    }
  return rl.rlim_cur == RLIM_INFINITY ? G_MAXUINT64 : rl.rlim_cur;
}
