/* fl-check-proc.c: what /proc says about the program under check: the
 * processes listening on a port, its threads, its descendants. */
#include "fl-check-proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Calls found for every socket of /proc/net/tcp{,6} with local port port and
 * state state (0x0A listening, 0x06 TIME_WAIT). */
static void
scan_sockets (guint port, guint state, void (*found) (guint64 inode, gpointer data),
              gpointer data)
{
  static const char *const tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *text = NULL;
      g_auto (GStrv) lines = NULL;

      if (!g_file_get_contents (tables[t], &text, NULL, NULL))
        continue;
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 1; lines[i] != NULL; i++)
        {
          unsigned int local_port, st;
          unsigned long long inode;

          if (sscanf (lines[i], "%*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x "
                      "%*u %*u %llu", &local_port, &st, &inode) == 3
              && local_port == port && st == state)
            found (inode, data);
        }
    }
}

static void
add_inode (guint64 inode, gpointer data)
{
  g_hash_table_add (data, g_strdup_printf ("socket:[%" G_GUINT64_FORMAT "]", inode));
}

static void
count_socket (guint64 inode, gpointer data)
{
  (*(guint *) data)++;
}

static gboolean
holds_socket (const char *pid, GHashTable *inodes)
{
  g_autofree char *fd_dir = g_build_filename ("/proc", pid, "fd", NULL);
  g_autoptr (GDir) dir = g_dir_open (fd_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fd_dir, name, NULL);
      char target[64];
      ssize_t n = readlink (path, target, sizeof target - 1);

      if (n > 0)
        {
          target[n] = '\0';
          if (g_hash_table_contains (inodes, target))
            return TRUE;
        }
    }
  return FALSE;
}

void
fl_check_find_listeners (guint port, GArray *pids)
{
  g_autoptr (GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GDir) proc = NULL;
  const char *name;

  scan_sockets (port, 0x0A, add_inode, inodes);
  if (g_hash_table_size (inodes) == 0 || (proc = g_dir_open ("/proc", 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      guint64 pid;

      if (g_ascii_string_to_unsigned (name, 10, 1, G_MAXINT, &pid, NULL)
          && holds_socket (name, inodes))
        {
          pid_t value = (pid_t) pid;
          g_array_append_val (pids, value);
        }
    }
}

guint
fl_check_count_time_wait (guint port)
{
  guint n = 0;

  scan_sockets (port, 0x06, count_socket, &n);
  return n;
}

guint
fl_check_count_threads (pid_t pid)
{
  char path[64], buffer[4096];
  const char *line;
  ssize_t n;
  int fd;

  g_snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buffer, sizeof buffer - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buffer[n] = '\0';
  line = strstr (buffer, "\nThreads:");
  return line != NULL ? (guint) strtoul (line + 9, NULL, 10) : 0;
}

struct _FlThreadSampler
{
  GArray *pids;
  gint stop;
  guint peak;
  guint samples;
  GThread *thread;
};

static void
sample_threads (FlThreadSampler *sampler)
{
  guint sum = 0;

  for (guint i = 0; i < sampler->pids->len; i++)
    sum += fl_check_count_threads (g_array_index (sampler->pids, pid_t, i));
  sampler->peak = MAX (sampler->peak, sum);
  sampler->samples++;
}

static gpointer
sampler_thread (gpointer data)
{
  FlThreadSampler *sampler = data;

  while (!g_atomic_int_get (&sampler->stop))
    {
      sample_threads (sampler);
      g_usleep (200);
    }
  return NULL;
}

FlThreadSampler *
fl_thread_sampler_start (const GArray *pids)
{
  FlThreadSampler *sampler = g_new0 (FlThreadSampler, 1);

  sampler->pids = g_array_copy ((GArray *) pids);
  /* The first one now: on a busy machine the thread may not run before the
   * load is over, and no sample at all must not read as "no thread". */
  sample_threads (sampler);
  sampler->thread = g_thread_new ("check-threads", sampler_thread, sampler);
  return sampler;
}

guint
fl_thread_sampler_stop (FlThreadSampler *sampler, guint *n_samples)
{
  guint peak;

  g_atomic_int_set (&sampler->stop, 1);
  g_thread_join (sampler->thread);
  peak = sampler->peak;
  if (n_samples != NULL)
    *n_samples = sampler->samples;
  g_array_unref (sampler->pids);
  g_free (sampler);
  return peak;
}

typedef struct
{
  gint64 first, last;
} Seen;

typedef struct
{
  gint64 at;
  guint alive;
} Sample;

struct _FlChildSampler
{
  pid_t root;
  gint stop;
  GThread *thread;
  GHashTable *seen;  /* pid -> Seen */
  GArray *samples;   /* Sample */
};

/* Appends pid to out unless this walk has listed it already. */
static void
add_pid (GArray *out, GHashTable *listed, pid_t pid)
{
  if (g_hash_table_add (listed, GINT_TO_POINTER (pid)))
    g_array_append_val (out, pid);
}

/* The children of every thread of pid, from /proc (CONFIG_PROC_CHILDREN);
 * FALSE when the kernel has no such file. A thread that exits while its
 * process is read hands its children to another thread, which the walk may
 * have passed or may read next: the threads are read again (the set keeps
 * one entry a child). */
static gboolean
add_children (pid_t pid, GArray *out, GHashTable *listed)
{
  char path[64];
  g_autoptr (GDir) tasks = NULL;
  gboolean thread_exited = TRUE;

  g_snprintf (path, sizeof path, "/proc/%d/task", (int) pid);
  tasks = g_dir_open (path, 0, NULL);
  if (tasks == NULL)
    return TRUE;
  for (int pass = 0; thread_exited && pass < 3; pass++)
    {
      const char *tid;

      thread_exited = FALSE;
      g_dir_rewind (tasks);
      while ((tid = g_dir_read_name (tasks)) != NULL)
        {
          g_autofree char *thread = g_strdup_printf ("%s/%s", path, tid);
          g_autofree char *file = g_strdup_printf ("%s/children", thread);
          g_autofree char *text = NULL;
          g_auto (GStrv) pids = NULL;

          if (!g_file_get_contents (file, &text, NULL, NULL))
            {
              if (g_file_test (thread, G_FILE_TEST_IS_DIR)
                  && !g_file_test (file, G_FILE_TEST_EXISTS))
                return FALSE;
              thread_exited = TRUE;
              continue;
            }
          pids = g_strsplit (g_strstrip (text), " ", -1);
          for (guint i = 0; pids[i] != NULL; i++)
            {
              guint64 child;

              if (g_ascii_string_to_unsigned (pids[i], 10, 1, G_MAXINT, &child, NULL))
                add_pid (out, listed, (pid_t) child);
            }
        }
    }
  return TRUE;
}

/* Without /proc/PID/task/TID/children: every process's parent, from its stat. */
static void
add_children_by_scan (pid_t parent, GArray *out, GHashTable *listed)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *file = g_strdup_printf ("/proc/%s/stat", name);
      g_autofree char *text = NULL;
      const char *end;
      int ppid;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (file, &text, NULL, NULL)
          || (end = strrchr (text, ')')) == NULL || sscanf (end + 1, " %*c %d", &ppid) != 1
          || ppid != parent)
        continue;
      add_pid (out, listed, (pid_t) atoi (name));
    }
}

/* A process that has exited but is not reaped yet (a zombie, or one being
 * torn down) still shows in its parent's children: it does no work. */
static gboolean
is_exited (pid_t pid)
{
  char path[64], buffer[512];
  const char *end;
  ssize_t n;
  int fd;

  g_snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return TRUE;
  n = read (fd, buffer, sizeof buffer - 1);
  close (fd);
  if (n <= 0)
    return TRUE;
  buffer[n] = '\0';
  end = strrchr (buffer, ')');
  return end == NULL || end[1] == '\0' || end[2] == 'Z' || end[2] == 'X' || end[2] == 'x';
}

static void
sample_once (FlChildSampler *sampler)
{
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autoptr (GHashTable) listed = g_hash_table_new (NULL, NULL);
  gint64 now = g_get_monotonic_time ();
  Sample sample = { now, 0 };

  if (!add_children (sampler->root, found, listed))
    add_children_by_scan (sampler->root, found, listed);
  /* Breadth first: the array grows as the descendants' children are added.
   * Only the leaves count: a process that waits for its own workers (a
   * frameloom-client that a script starts) does not make the GIF itself. */
  for (guint i = 0; i < found->len && i < 4096; i++)
    {
      pid_t pid = g_array_index (found, pid_t, i);
      guint before = found->len;
      Seen *seen;

      if (!add_children (pid, found, listed))
        add_children_by_scan (pid, found, listed);
      if (found->len > before || is_exited (pid))
        continue;
      seen = g_hash_table_lookup (sampler->seen, GINT_TO_POINTER (pid));
      if (seen == NULL)
        {
          seen = g_new (Seen, 1);
          seen->first = now;
          g_hash_table_insert (sampler->seen, GINT_TO_POINTER (pid), seen);
        }
      seen->last = now;
      sample.alive++;
    }
  g_array_append_val (sampler->samples, sample);
}

static gpointer
child_sampler_thread (gpointer data)
{
  FlChildSampler *sampler = data;

  while (!g_atomic_int_get (&sampler->stop))
    {
      sample_once (sampler);
      g_usleep (2000);
    }
  return NULL;
}

FlChildSampler *
fl_child_sampler_start (pid_t pid)
{
  FlChildSampler *sampler = g_new0 (FlChildSampler, 1);

  sampler->root = pid;
  sampler->seen = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  sampler->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  sampler->thread = g_thread_new ("check-children", child_sampler_thread, sampler);
  return sampler;
}

void
fl_child_sampler_stop (FlChildSampler *sampler)
{
  if (sampler->thread == NULL)
    return;
  g_atomic_int_set (&sampler->stop, 1);
  g_thread_join (sampler->thread);
  sampler->thread = NULL;
}

guint
fl_child_sampler_peak (FlChildSampler *sampler, gint64 from, gint64 to, guint *distinct)
{
  GHashTableIter iter;
  gpointer value;
  guint peak = 0;

  for (guint i = 0; i < sampler->samples->len; i++)
    {
      const Sample *sample = &g_array_index (sampler->samples, Sample, i);

      if (sample->at >= from && sample->at <= to)
        peak = MAX (peak, sample->alive);
    }
  if (distinct != NULL)
    {
      *distinct = 0;
      g_hash_table_iter_init (&iter, sampler->seen);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          const Seen *seen = value;

          *distinct += seen->last >= from && seen->first <= to;
        }
    }
  return peak;
}

void
fl_child_sampler_free (FlChildSampler *sampler)
{
  if (sampler == NULL)
    return;
  fl_child_sampler_stop (sampler);
  g_hash_table_unref (sampler->seen);
  g_array_unref (sampler->samples);
  g_free (sampler);
}

typedef struct
{
  gint64 at;
  guint clients;     /* connections the client holds open (its sockets, when seen) */
  guint servers;     /* the server's sockets whose peer has not closed yet */
  guint clients_together, servers_together;  /* of those, surely open at once */
} SocketSample;

struct _FlSocketSampler
{
  guint port;
  int fd;            /* NETLINK_SOCK_DIAG */
  gint stop;
  GThread *thread;
  GArray *samples;   /* SocketSample */
  /* The sockets (by kernel cookie) of this dump and the one before it. */
  GHashTable *clients[2], *servers[2];
  guint round;
  gboolean ipv6_seen;
};

/* The client's side holds a connection from its connect to its close
 * (CLOSE_WAIT ends in the close call itself). The server's side shows the
 * client's close only once its FIN has been processed, a little later: a
 * client that connects at once again may overlap there for a moment, so the
 * client's own sockets are counted when it runs on this machine. */
#define CLIENT_STATES ((1u << TCP_SYN_SENT) | (1u << TCP_ESTABLISHED) | (1u << TCP_CLOSE_WAIT))
#define SERVER_STATES ((1u << TCP_SYN_RECV) | (1u << TCP_ESTABLISHED) | (1u << TCP_FIN_WAIT1) \
                       | (1u << TCP_FIN_WAIT2))

/* A socket's kernel cookie, the same for as long as the socket exists. */
static gpointer
socket_cookie (const struct inet_diag_msg *diag)
{
  return GSIZE_TO_POINTER ((gsize) diag->id.idiag_cookie[0]
                           | (gsize) diag->id.idiag_cookie[1] << (GLIB_SIZEOF_SIZE_T > 4 ? 32 : 0));
}

/* Adds the connections of one address family on the port to the sampler's
 * sets of dump d; FALSE when the kernel does not answer. */
static gboolean
list_open (FlSocketSampler *sampler, guint d, guint8 family)
{
  struct
  {
    struct nlmsghdr header;
    struct inet_diag_req_v2 request;
  } message = { 0 };
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  guint8 buffer[16384];

  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = family;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = CLIENT_STATES | SERVER_STATES;
  if (sendto (sampler->fd, &message, sizeof message, 0, (struct sockaddr *) &kernel,
              sizeof kernel) < 0)
    return FALSE;
  for (;;)
    {
      ssize_t n = recv (sampler->fd, buffer, sizeof buffer, 0);
      struct nlmsghdr *header = (struct nlmsghdr *) buffer;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      for (; NLMSG_OK (header, (guint) n); header = NLMSG_NEXT (header, n))
        {
          const struct inet_diag_msg *diag = NLMSG_DATA (header);
          guint state = 1u << diag->idiag_state;

          if (header->nlmsg_type == NLMSG_DONE)
            return TRUE;
          if (header->nlmsg_type == NLMSG_ERROR)
            return FALSE;
          if (ntohs (diag->id.idiag_sport) == sampler->port && (state & SERVER_STATES) != 0)
            g_hash_table_add (sampler->servers[d], socket_cookie (diag));
          if (ntohs (diag->id.idiag_dport) == sampler->port && (state & CLIENT_STATES) != 0)
            g_hash_table_add (sampler->clients[d], socket_cookie (diag));
        }
    }
}

/* A dump is not one instant: a socket closed while the kernel walks its table
 * can be listed with one opened later in the walk, so one dump may show a
 * one-at-a-time client's two connections together. A socket listed by two
 * dumps in turn was open from the first's walk to it to the second's, a span
 * that holds the end of the first walk: so the sockets both list were open at
 * once then. */
static guint
count_in_both (GHashTable *now, GHashTable *before)
{
  GHashTableIter iter;
  gpointer cookie;
  guint n = 0;

  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &cookie, NULL))
    n += g_hash_table_contains (before, cookie);
  return n;
}

static gpointer
socket_sampler_thread (gpointer data)
{
  FlSocketSampler *sampler = data;

  while (!g_atomic_int_get (&sampler->stop))
    {
      SocketSample sample = { g_get_monotonic_time (), 0, 0, 0, 0 };
      gboolean answered;
      /* Each walk passes every socket on the machine (thousands in TIME_WAIT
       * after a busy test run): IPv6 is walked only once seen, or now and then. */
      gboolean ipv6 = sampler->ipv6_seen || sampler->round % 16 == 0;
      guint now = sampler->round++ % 2, before = 1 - now, ipv4_found;

      g_hash_table_remove_all (sampler->clients[now]);
      g_hash_table_remove_all (sampler->servers[now]);
      answered = list_open (sampler, now, AF_INET);
      ipv4_found = g_hash_table_size (sampler->clients[now])
                   + g_hash_table_size (sampler->servers[now]);
      if (ipv6)
        answered |= list_open (sampler, now, AF_INET6);
      sampler->ipv6_seen |= g_hash_table_size (sampler->clients[now])
                            + g_hash_table_size (sampler->servers[now]) > ipv4_found;
      if (!answered)
        break;
      sample.clients = g_hash_table_size (sampler->clients[now]);
      sample.servers = g_hash_table_size (sampler->servers[now]);
      sample.clients_together = count_in_both (sampler->clients[now], sampler->clients[before]);
      sample.servers_together = count_in_both (sampler->servers[now], sampler->servers[before]);
      g_array_append_val (sampler->samples, sample);
      g_usleep (1000);
    }
  return NULL;
}

FlSocketSampler *
fl_socket_sampler_start (guint port)
{
  FlSocketSampler *sampler = g_new0 (FlSocketSampler, 1);

  sampler->port = port;
  sampler->samples = g_array_new (FALSE, FALSE, sizeof (SocketSample));
  for (guint d = 0; d < 2; d++)
    {
      sampler->clients[d] = g_hash_table_new (g_direct_hash, NULL);
      sampler->servers[d] = g_hash_table_new (g_direct_hash, NULL);
    }
  sampler->fd = socket (AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (sampler->fd >= 0)
    sampler->thread = g_thread_new ("check-sockets", socket_sampler_thread, sampler);
  return sampler;
}

void
fl_socket_sampler_stop (FlSocketSampler *sampler)
{
  if (sampler->thread == NULL)
    return;
  g_atomic_int_set (&sampler->stop, 1);
  g_thread_join (sampler->thread);
  sampler->thread = NULL;
}

gboolean
fl_socket_sampler_summary (FlSocketSampler *sampler, gint64 from, gint64 to, guint *peak,
                           double *mean)
{
  guint64 sum = 0;
  guint n = 0;
  gboolean client_seen = FALSE;

  for (guint i = 0; i < sampler->samples->len; i++)
    client_seen |= g_array_index (sampler->samples, SocketSample, i).clients > 0;
  *peak = 0;
  for (guint i = 0; i < sampler->samples->len; i++)
    {
      const SocketSample *sample = &g_array_index (sampler->samples, SocketSample, i);
      guint open = client_seen ? sample->clients : sample->servers;
      guint together = client_seen ? sample->clients_together : sample->servers_together;

      if (sample->at < from || sample->at > to)
        continue;
      /* The mean from one dump's count (its skew goes both ways); the peak
       * only from what was surely open at once. */
      *peak = MAX (*peak, together);
      sum += open;
      n++;
    }
  if (mean != NULL)
    *mean = n > 0 ? (double) sum / n : 0;
  return n > 0;
}

void
fl_socket_sampler_free (FlSocketSampler *sampler)
{
  if (sampler == NULL)
    return;
  fl_socket_sampler_stop (sampler);
  if (sampler->fd >= 0)
    close (sampler->fd);
  g_array_unref (sampler->samples);
  for (guint d = 0; d < 2; d++)
    {
      g_hash_table_unref (sampler->clients[d]);
      g_hash_table_unref (sampler->servers[d]);
    }
  g_free (sampler);
}
