/* fl-test-util.c: temporary folders and child processes, for the tests. */
#include "fl-test-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

char *
fl_test_make_dir (const char *name_template)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (name_template, &error);

  g_assert_no_error (error);
  return dir;
}

void
fl_test_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      fl_test_remove_tree (child);
    }
  g_dir_close (dir);
  /* A test may have made it read-only to provoke a failure. */
  g_chmod (path, 0755);
  g_rmdir (path);
}

guint
fl_test_count_children (void)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL, *stat = NULL;
      const char *end;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
      end = strrchr (stat, ')');
      if (end != NULL && strtol (end + 4, NULL, 10) == (long) getpid ())
        {
          g_test_message ("child: %s", stat);
          n++;
        }
    }
  return n;
}

gboolean
fl_test_invalid_gif_plays (const char *name)
{
  static const char *const playable[] = { "plain-text.gif", "gifsicle-010_blank-garbage.gif",
                                          "gifsicle-009_zerowidth-bad.gif" };
  g_autofree char *base = g_path_get_basename (name);

  for (guint i = 0; i < G_N_ELEMENTS (playable); i++)
    if (g_str_equal (base, playable[i]))
      return TRUE;
  return FALSE;
}

guint
fl_test_count_entries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

int
fl_test_listen_loopback (int backlog, guint *port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, backlog), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &length), ==, 0);
  if (port != NULL)
    *port = ntohs (addr.sin_port);
  return fd;
}

struct _FlTestPeer
{
  FlTestPeerHandler handler;
  gpointer user_data;
  int listen_fd;
  guint port;
  gint stop;
  gint connections;
  GThread *accept_thread;
  GMutex lock;
  GPtrArray *handlers;
};

typedef struct
{
  FlTestPeer *peer;
  int fd;
} PeerConnection;

static gpointer
peer_handle (gpointer data)
{
  PeerConnection *conn = data;

  conn->peer->handler (conn->fd, &conn->peer->stop, conn->peer->user_data);
  close (conn->fd);
  g_free (conn);
  return NULL;
}

static gpointer
peer_accept_loop (gpointer data)
{
  FlTestPeer *peer = data;

  for (;;)
    {
      struct timeval tv = { 0, 50000 };
      PeerConnection *conn;
      int fd = accept4 (peer->listen_fd, NULL, NULL, SOCK_CLOEXEC);

      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          return NULL; /* shutdown() by fl_test_peer_stop */
        }
      if (g_atomic_int_get (&peer->stop))
        {
          close (fd);
          return NULL;
        }
      /* Short socket timeouts, so that every handler notices the stop. */
      setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      g_atomic_int_inc (&peer->connections);
      conn = g_new0 (PeerConnection, 1);
      conn->peer = peer;
      conn->fd = fd;
      g_mutex_lock (&peer->lock);
      g_ptr_array_add (peer->handlers, g_thread_new ("peer", peer_handle, conn));
      g_mutex_unlock (&peer->lock);
    }
}

FlTestPeer *
fl_test_peer_start (FlTestPeerHandler handler, gpointer user_data)
{
  FlTestPeer *peer = g_new0 (FlTestPeer, 1);

  peer->handler = handler;
  peer->user_data = user_data;
  peer->handlers = g_ptr_array_new ();
  g_mutex_init (&peer->lock);
  peer->listen_fd = fl_test_listen_loopback (64, &peer->port);
  peer->accept_thread = g_thread_new ("peer-accept", peer_accept_loop, peer);
  return peer;
}

guint
fl_test_peer_port (FlTestPeer *peer)
{
  return peer->port;
}

guint
fl_test_peer_connections (FlTestPeer *peer)
{
  return (guint) g_atomic_int_get (&peer->connections);
}

void
fl_test_peer_stop (FlTestPeer *peer)
{
  g_atomic_int_set (&peer->stop, 1);
  shutdown (peer->listen_fd, SHUT_RDWR);
  g_thread_join (peer->accept_thread);
  close (peer->listen_fd);
  for (guint i = 0; i < peer->handlers->len; i++)
    g_thread_join (peer->handlers->pdata[i]);
  g_ptr_array_free (peer->handlers, TRUE);
  g_mutex_clear (&peer->lock);
  g_free (peer);
}

FlRunRecord *
fl_test_sweep_run (FlSweepKind kind, guint value, guint repetition, double seconds, double wait)
{
  g_autofree char *label = g_strdup_printf (kind == FL_SWEEP_THREADS ? "threads=%u"
                                                                     : "processes=%u", value);
  FlRunRecord *r = fl_run_record_new (label);

  r->frames = 1000;
  r->ok = TRUE;
  r->repetition = repetition;
  if (kind == FL_SWEEP_THREADS)
    {
      r->threads = value;
      r->ran_download = TRUE;
      r->download_seconds = seconds;
      r->download_wait_seconds = wait;
    }
  else
    {
      r->processes = value;
      r->ran_encode = TRUE;
      r->encode_seconds = seconds;
    }
  return r;
}

typedef struct
{
  GCancellable *cancellable;
  guint ms;
} CancelLater;

static gpointer
cancel_later_thread (gpointer data)
{
  CancelLater *later = data;

  g_usleep ((gulong) later->ms * 1000);
  g_cancellable_cancel (later->cancellable);
  g_object_unref (later->cancellable);
  g_free (later);
  return NULL;
}

GThread *
fl_test_cancel_later (GCancellable *cancellable, guint ms)
{
  CancelLater *later = g_new (CancelLater, 1);

  later->cancellable = g_object_ref (cancellable);
  later->ms = ms;
  return g_thread_new ("cancel", cancel_later_thread, later);
}

double
fl_test_process_cpu_seconds (int stat_fd)
{
  char text[1024];
  int fd = stat_fd >= 0 ? stat_fd : open ("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? pread (fd, text, sizeof text - 1, 0) : -1;
  unsigned long utime = 0, stime = 0;
  const char *after;

  if (stat_fd < 0 && fd >= 0)
    close (fd);
  g_assert_cmpint (n, >, 0);
  text[n] = '\0';
  after = strrchr (text, ')');
  g_assert_nonnull (after);
  /* Fields 14 and 15 of stat; after ") " comes field 3. */
  g_assert_cmpint (sscanf (after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                           &utime, &stime), ==, 2);
  return (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

void
fl_test_wait_until_quiet (int stat_fd, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  double before;

  do
    {
      before = fl_test_process_cpu_seconds (stat_fd);
      g_usleep (500 * 1000);
    }
  while (fl_test_process_cpu_seconds (stat_fd) - before > 0.05
         && g_get_monotonic_time () < deadline);
}

guint64
fl_test_status_field (const char *field)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return 0;
  line = strstr (text, field);
  return line ? g_ascii_strtoull (line + strlen (field), NULL, 10) : 0;
}
