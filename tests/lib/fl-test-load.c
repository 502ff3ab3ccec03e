/* fl-test-load.c: see fl-test-load.h. */
#include "fl-test-load.h"
#include "fl-test-util.h"

#include "fl-png.h"

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_REPLY (64u * 1024u * 1024u)
#define RUN_DEADLINE_S 120

/* Checks replies and remembers the first unique_window of them. */
typedef struct
{
  const FlLoadOptions *options;
  FlLoadResult *result;
  GHashTable *seen;
} Checker;

static void
checker_init (Checker *checker, const FlLoadOptions *options, FlLoadResult *result)
{
  checker->options = options;
  checker->result = result;
  checker->seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                         (GDestroyNotify) g_bytes_unref, NULL);
}

static void
checker_clear (Checker *checker)
{
  g_clear_pointer (&checker->seen, g_hash_table_unref);
}

/* TRUE when the reply is a valid PNG of the expected size. */
static gboolean
checker_take (Checker *checker, const guint8 *data, gsize length)
{
  guint width = 0, height = 0;

  if (!fl_png_check (data, length, NULL, &width, &height, NULL)
      || width != checker->options->width || height != checker->options->height)
    {
      checker->result->invalid++;
      return FALSE;
    }
  checker->result->served++;
  if (g_hash_table_size (checker->seen) < checker->options->unique_window)
    {
      GBytes *bytes = g_bytes_new (data, length);
      if (g_hash_table_contains (checker->seen, bytes))
        {
          checker->result->duplicates++;
          g_bytes_unref (bytes);
        }
      else
        g_hash_table_add (checker->seen, bytes);
    }
  return TRUE;
}

static struct sockaddr_in
loopback (guint port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port),
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  return addr;
}

int
fl_load_connect (guint port, int rcvbuf)
{
  struct sockaddr_in addr = loopback (port);
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  if (rcvbuf > 0)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  while (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      int errsv = errno;
      if (errsv == EINTR)
        continue;
      close (fd);
      errno = errsv;
      return -1;
    }
  return fd;
}

void
fl_load_sequential (const FlLoadOptions *options, guint64 n, FlLoadResult *result)
{
  g_autoptr (GByteArray) buffer = g_byte_array_sized_new (64 * 1024);
  struct timeval timeout = { .tv_sec = 10 };
  gint64 start = g_get_monotonic_time ();
  guint8 chunk[16384];
  Checker checker;

  checker_init (&checker, options, result);
  for (guint64 i = 0; i < n; i++)
    {
      int fd = fl_load_connect (options->port, 0);
      gboolean ok = TRUE;
      ssize_t got;

      if (fd < 0)
        {
          result->failed++;
          continue;
        }
      setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      g_byte_array_set_size (buffer, 0);
      while ((got = recv (fd, chunk, sizeof chunk, 0)) != 0)
        {
          if (got < 0 && errno == EINTR)
            continue;
          if (got < 0 || buffer->len + (gsize) got > MAX_REPLY)
            {
              ok = FALSE;
              break;
            }
          g_byte_array_append (buffer, chunk, (guint) got);
        }
      close (fd);
      if (ok)
        checker_take (&checker, buffer->data, buffer->len);
      else
        result->failed++;
    }
  checker_clear (&checker);
  result->seconds += (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

typedef enum
{
  CLIENT_WAITING,
  CLIENT_CONNECTING,
  CLIENT_READING,
  CLIENT_DONE
} ClientState;

typedef struct
{
  int fd;
  ClientState state;
  guint attempts;
  gint64 wake;
  GByteArray *reply;
} Client;

static void
client_start (Client *client, const struct sockaddr_in *addr)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  client->fd = fd;
  g_byte_array_set_size (client->reply, 0);
  if (fd < 0)
    return; /* the caller sees fd -1: a failed attempt */
  if (connect (fd, (const struct sockaddr *) addr, sizeof *addr) == 0)
    client->state = CLIENT_READING;
  else if (errno == EINPROGRESS || errno == EINTR)
    client->state = CLIENT_CONNECTING;
  else
    {
      close (fd);
      client->fd = -1;
    }
}

/* A failed attempt: try again after 10 ms doubling to 1 s (jittered), or give up. */
static void
client_fail (Client *client, const FlLoadOptions *options, gint64 retry_until,
             FlLoadResult *result)
{
  gint64 now = g_get_monotonic_time ();

  if (client->fd >= 0)
    close (client->fd);
  client->fd = -1;
  if (options->retry_seconds > 0 && now < retry_until)
    {
      gint64 pause = MIN ((gint64) 10000 << MIN (client->attempts, 7u), G_USEC_PER_SEC);
      client->attempts++;
      result->retries++;
      /* Jitter without g_random: its lock is a futex ThreadSanitizer cannot see. */
      client->wake = now + pause / 2
                     + (gint64) ((guint64) now * 2654435761u % (guint64) (pause / 2 + 1));
      client->state = CLIENT_WAITING;
      return;
    }
  result->failed++;
  client->state = CLIENT_DONE;
}

void
fl_load_concurrent (const FlLoadOptions *options, guint n, FlLoadResult *result)
{
  struct sockaddr_in addr = loopback (options->port);
  gint64 start = g_get_monotonic_time ();
  gint64 retry_until = start + (gint64) options->retry_seconds * G_USEC_PER_SEC;
  gint64 deadline = MAX (retry_until, start) + RUN_DEADLINE_S * G_USEC_PER_SEC;
  g_autofree Client *clients = g_new0 (Client, n);
  g_autofree struct pollfd *pfds = g_new (struct pollfd, n);
  g_autofree guint *owners = g_new (guint, n);
  guint8 chunk[16384];
  guint remaining = n;
  Checker checker;

  checker_init (&checker, options, result);
  for (guint i = 0; i < n; i++)
    {
      clients[i].reply = g_byte_array_new ();
      clients[i].fd = -1;
      clients[i].state = CLIENT_WAITING;
    }
  while (remaining > 0 && g_get_monotonic_time () < deadline)
    {
      gint64 now = g_get_monotonic_time (), next_wake = now + 100 * 1000;
      guint npfds = 0;
      int rc;

      for (guint i = 0; i < n; i++)
        {
          Client *client = &clients[i];
          if (client->state == CLIENT_WAITING && client->wake <= now)
            {
              client_start (client, &addr);
              if (client->fd < 0)
                client_fail (client, options, retry_until, result);
            }
          if (client->state == CLIENT_WAITING)
            next_wake = MIN (next_wake, client->wake);
          else if (client->state == CLIENT_CONNECTING || client->state == CLIENT_READING)
            {
              pfds[npfds].fd = client->fd;
              pfds[npfds].events = client->state == CLIENT_CONNECTING ? POLLOUT : POLLIN;
              pfds[npfds].revents = 0;
              owners[npfds++] = i;
            }
          if (client->state == CLIENT_DONE && client->reply != NULL)
            {
              g_clear_pointer (&client->reply, g_byte_array_unref);
              remaining--;
            }
        }
      if (remaining == 0)
        break;
      rc = poll (pfds, npfds, (int) MAX (1, (next_wake - now + 999) / 1000));
      if (rc <= 0)
        continue;
      for (guint k = 0; k < npfds; k++)
        {
          Client *client = &clients[owners[k]];
          if (pfds[k].revents == 0)
            continue;
          if (client->state == CLIENT_CONNECTING)
            {
              int error = 0;
              socklen_t length = sizeof error;
              if (getsockopt (client->fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error)
                client_fail (client, options, retry_until, result);
              else
                client->state = CLIENT_READING;
              continue;
            }
          for (;;)
            {
              ssize_t got = recv (client->fd, chunk, sizeof chunk, 0);
              if (got > 0 && client->reply->len + (gsize) got <= MAX_REPLY)
                {
                  g_byte_array_append (client->reply, chunk, (guint) got);
                  continue;
                }
              if (got < 0 && errno == EINTR)
                continue;
              if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
              if (got == 0 && checker_take (&checker, client->reply->data, client->reply->len))
                {
                  close (client->fd);
                  client->fd = -1;
                  client->state = CLIENT_DONE;
                }
              else
                client_fail (client, options, retry_until, result);
              break;
            }
        }
    }
  for (guint i = 0; i < n; i++)
    if (clients[i].state != CLIENT_DONE)
      {
        if (clients[i].fd >= 0)
          close (clients[i].fd);
        result->failed++;
      }
  for (guint i = 0; i < n; i++)
    if (clients[i].reply != NULL)
      g_byte_array_unref (clients[i].reply);
  checker_clear (&checker);
  result->seconds += (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

void
fl_load_vanish (guint port, guint n, gboolean reset)
{
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  for (guint i = 0; i < n; i++)
    {
      int fd = fl_load_connect (port, 0);
      if (fd < 0)
        continue;
      if (reset)
        setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
      close (fd);
    }
}

guint
fl_load_junk (guint port, guint n, gsize bytes)
{
  g_autofree guint8 *junk = g_malloc (bytes);
  FlLoadOptions options = { .port = port, .width = 10, .height = 10 };
  FlLoadResult result = { 0 };
  Checker checker;

  for (gsize i = 0; i < bytes; i++)
    junk[i] = (guint8) (i * 131 + 7);
  checker_init (&checker, &options, &result);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GByteArray) reply = g_byte_array_new ();
      struct pollfd pfd;
      gsize sent = 0;
      guint8 chunk[4096];
      int fd = fl_load_connect (port, 0);

      if (fd < 0)
        continue;
      pfd.fd = fd;
      /* Whatever the server takes in 2 s; it may reset us, and we must not die. */
      while (sent < bytes)
        {
          ssize_t put = send (fd, junk + sent, bytes - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
          if (put > 0)
            sent += (gsize) put;
          else if (put < 0 && (errno == EAGAIN || errno == EINTR))
            {
              pfd.events = POLLOUT;
              if (poll (&pfd, 1, 2000) <= 0 || (pfd.revents & (POLLERR | POLLHUP)))
                break;
            }
          else
            break;
        }
      for (;;)
        {
          ssize_t got = recv (fd, chunk, sizeof chunk, MSG_DONTWAIT);
          if (got > 0)
            g_byte_array_append (reply, chunk, (guint) got);
          else if (got < 0 && (errno == EAGAIN || errno == EINTR))
            {
              pfd.events = POLLIN;
              if (poll (&pfd, 1, 5000) <= 0)
                break;
            }
          else
            break;
        }
      close (fd);
      checker_take (&checker, reply->data, reply->len);
    }
  checker_clear (&checker);
  return (guint) result.served;
}

guint64
fl_load_self_rss_kib (void)
{
  return fl_test_status_field ("\nVmRSS:");
}

guint
fl_load_self_threads (void)
{
  return (guint) fl_test_status_field ("\nThreads:");
}

guint
fl_load_self_fds (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;
  guint count = 0;

  if (dir == NULL)
    return 0;
  while ((entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.')
      count++;
  closedir (dir);
  return count - 1; /* the directory's own descriptor */
}

guint64
fl_load_scaled (guint64 n)
{
  const char *text = g_getenv ("FRAMELOOM_SOAK_SCALE");
  double scale = text ? g_ascii_strtod (text, NULL) : 1.0;

  if (!(scale > 0))
    scale = 1.0;
  scale = CLAMP (scale, 0.001, 1.0);
  return MAX ((guint64) 1, (guint64) ((double) n * scale));
}
