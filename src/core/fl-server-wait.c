/* fl-server-wait.c: wait loops, for connections that must not keep a thread.
 *
 * A loop holds connections that wait for their reply to be due (latency) and
 * replies whose peer reads slowly. Each is one entry in a timer heap, keyed by
 * when it is due before its reply starts and by its deadline after, and, while
 * its peer's window is full, one epoll registration. So a waiting connection
 * costs a descriptor and this struct, and a slow one adds its reply in progress
 * (within the server's budget). A writable peer gets a share of its reply per
 * turn, so one fast reader of a huge image cannot starve the others.
 */
#include "fl-server-private.h"

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_STACK_SIZE (256 * 1024)
#define MAX_EVENTS 64
/* Bytes a writable peer may take per turn before the loop moves on. */
#define TURN_SHARE (256u * 1024u)
/* A due reply that finds the budget spent looks again this much later. */
#define BUDGET_RETRY_US (10 * 1000)

struct _FlWaitLoop
{
  FlServer *server;
  guint index;
  int epoll_fd;
  int wake_fd;       /* eventfd: a connection in the inbox, a stop or a cut */

  FlMutex lock;      /* guards inbox, sleeping and ended */
  GPtrArray *inbox;  /* FlServerReply *, handed over by handlers */
  gboolean sleeping; /* the loop may be blocked in epoll_wait: wake it */
  gboolean ended;    /* takes nothing more */

  /* The loop thread's own. */
  GPtrArray *heap;   /* FlServerReply *, a binary min-heap by key () */
  FlRng rng;
};

static inline gint64
key (const FlServerReply *reply)
{
  return reply->png != NULL ? reply->deadline : reply->due;
}

static void
heap_swap (GPtrArray *heap, guint a, guint b)
{
  FlServerReply *ra = heap->pdata[a], *rb = heap->pdata[b];

  heap->pdata[a] = rb;
  heap->pdata[b] = ra;
  rb->heap_index = a;
  ra->heap_index = b;
}

/* Restores the heap order around index i after its key changed. */
static void
heap_fix (GPtrArray *heap, guint i)
{
  while (i > 0 && key (heap->pdata[i]) < key (heap->pdata[(i - 1) / 2]))
    {
      heap_swap (heap, i, (i - 1) / 2);
      i = (i - 1) / 2;
    }
  for (;;)
    {
      guint smallest = i, left = 2 * i + 1, right = 2 * i + 2;

      if (left < heap->len && key (heap->pdata[left]) < key (heap->pdata[smallest]))
        smallest = left;
      if (right < heap->len && key (heap->pdata[right]) < key (heap->pdata[smallest]))
        smallest = right;
      if (smallest == i)
        return;
      heap_swap (heap, i, smallest);
      i = smallest;
    }
}

static void
heap_push (GPtrArray *heap, FlServerReply *reply)
{
  reply->heap_index = heap->len;
  g_ptr_array_add (heap, reply);
  heap_fix (heap, reply->heap_index);
}

static void
heap_remove (GPtrArray *heap, FlServerReply *reply)
{
  guint i = reply->heap_index, last = heap->len - 1;

  if (i != last)
    heap_swap (heap, i, last);
  g_ptr_array_remove_index (heap, last);
  reply->heap_index = G_MAXUINT;
  if (i < heap->len)
    heap_fix (heap, i);
}

FlWaitLoop *
fl_wait_loop_new (FlServer *server, guint index)
{
  FlWaitLoop *loop = g_new0 (FlWaitLoop, 1);
  struct epoll_event wake = { .events = EPOLLIN, .data.ptr = NULL };

  loop->server = server;
  loop->index = index;
  loop->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  loop->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (loop->epoll_fd < 0 || loop->wake_fd < 0
      || epoll_ctl (loop->epoll_fd, EPOLL_CTL_ADD, loop->wake_fd, &wake) != 0)
    {
      int errsv = errno;
      fl_wait_loop_free (loop);
      errno = errsv;
      return NULL;
    }
  fl_mutex_init (&loop->lock);
  loop->inbox = g_ptr_array_new ();
  loop->heap = g_ptr_array_new ();
  return loop;
}

void
fl_wait_loop_free (FlWaitLoop *loop)
{
  if (loop == NULL)
    return;
  if (loop->epoll_fd >= 0)
    close (loop->epoll_fd);
  if (loop->wake_fd >= 0)
    close (loop->wake_fd);
  if (loop->inbox != NULL)
    {
      g_assert (loop->inbox->len == 0 && loop->heap->len == 0);
      g_ptr_array_unref (loop->inbox);
      g_ptr_array_unref (loop->heap);
      fl_mutex_clear (&loop->lock);
    }
  g_free (loop);
}

void
fl_wait_loop_wake (FlWaitLoop *loop)
{
  eventfd_write (loop->wake_fd, 1);
}

gboolean
fl_wait_loop_push (FlWaitLoop *loop, FlServerReply *reply)
{
  gboolean wake;

  fl_mutex_lock (&loop->lock);
  if (loop->ended)
    {
      fl_mutex_unlock (&loop->lock);
      return FALSE;
    }
  g_ptr_array_add (loop->inbox, reply);
  wake = loop->sleeping;
  loop->sleeping = FALSE;
  fl_mutex_unlock (&loop->lock);
  if (wake)
    fl_wait_loop_wake (loop);
  return TRUE;
}

/* While its peer's window is full, a started reply waits for EPOLLOUT. */
static void
watch (FlWaitLoop *loop, FlServerReply *reply)
{
  struct epoll_event event = { .events = EPOLLOUT, .data.ptr = reply };

  /* Level-triggered: a reply that yielded its turn comes round again. */
  if (!reply->watched)
    reply->watched = epoll_ctl (loop->epoll_fd, EPOLL_CTL_ADD, reply->fd, &event) == 0;
}

static void
end_held (FlWaitLoop *loop, FlServerReply *reply, gboolean sent)
{
  if (reply->heap_index != G_MAXUINT)
    heap_remove (loop->heap, reply);
  if (reply->watched)
    epoll_ctl (loop->epoll_fd, EPOLL_CTL_DEL, reply->fd, NULL);
  fl_server_return_budget (loop->server, reply);
  atomic_fetch_sub_explicit (&loop->server->held, 1, memory_order_relaxed);
  fl_server_end_connection (loop->server, reply, sent);
  g_free (reply);
}

/* Sends a started reply's share; ends it, or watches it for the next turn. */
static void
run_reply (FlWaitLoop *loop, FlServerReply *reply)
{
  switch (fl_server_reply_pump (loop->server, reply, &loop->rng, TURN_SHARE))
    {
    case FL_SERVER_REPLY_DONE:
      end_held (loop, reply, TRUE);
      break;
    case FL_SERVER_REPLY_FAILED:
      end_held (loop, reply, FALSE);
      break;
    case FL_SERVER_REPLY_BLOCKED:
    case FL_SERVER_REPLY_YIELD:
      watch (loop, reply);
      break;
    }
}

/* A reply whose wait is over starts: budget, cost, encoder; then its first share. */
static void
start_due (FlWaitLoop *loop, FlServerReply *reply, gint64 now)
{
  if (!fl_server_take_budget (loop->server, reply))
    {
      reply->due = now + BUDGET_RETRY_US;
      heap_fix (loop->heap, reply->heap_index);
      return;
    }
  if (!fl_server_reply_start (loop->server, reply, &loop->rng))
    {
      end_held (loop, reply, FALSE);
      return;
    }
  heap_fix (loop->heap, reply->heap_index); /* now keyed by its deadline */
  run_reply (loop, reply);
}

static void
run_timers (FlWaitLoop *loop)
{
  gint64 now = g_get_monotonic_time ();

  while (loop->heap->len > 0 && key (loop->heap->pdata[0]) <= now)
    {
      FlServerReply *reply = loop->heap->pdata[0];

      if (reply->png == NULL)
        start_due (loop, reply, now);
      else
        end_held (loop, reply, FALSE); /* its deadline passed */
      now = g_get_monotonic_time ();
    }
}

/* Moves the inbox into the heap; FALSE once the loop is to end. Otherwise the
 * loop is marked sleeping: a push from now on wakes it. */
static gboolean
take_inbox (FlWaitLoop *loop)
{
  FlServer *server = loop->server;
  gboolean go_on = TRUE;

  fl_mutex_lock (&loop->lock);
  for (guint i = 0; i < loop->inbox->len; i++)
    {
      FlServerReply *reply = loop->inbox->pdata[i];
      heap_push (loop->heap, reply);
      if (reply->png != NULL)
        watch (loop, reply);
    }
  g_ptr_array_set_size (loop->inbox, 0);
  if (g_atomic_int_get (&server->cut)
      || (g_atomic_int_get (&server->stop_requested) && loop->heap->len == 0))
    {
      loop->ended = TRUE;
      go_on = FALSE;
    }
  loop->sleeping = go_on;
  fl_mutex_unlock (&loop->lock);
  return go_on;
}

/* Waits for events until the first timer is due (microseconds, not epoll_wait's
 * milliseconds: rounding a 20 ms latency up by up to 1 ms would cost 5% of the
 * rate a latency-bound client sees). */
static int
wait_for_events (FlWaitLoop *loop, struct epoll_event *events, int n_events)
{
  gint64 left = -1;

  if (loop->heap->len > 0)
    left = MAX (0, key (loop->heap->pdata[0]) - g_get_monotonic_time ());
#ifdef HAVE_EPOLL_PWAIT2
  {
    struct timespec timeout = { .tv_sec = left / G_USEC_PER_SEC,
                                .tv_nsec = (left % G_USEC_PER_SEC) * 1000 };
    int n = epoll_pwait2 (loop->epoll_fd, events, n_events, left < 0 ? NULL : &timeout, NULL);
    if (n >= 0 || errno != ENOSYS)
      return n;
  }
#endif
  /* Rounded up: a reply never starts before it is due. */
  return epoll_wait (loop->epoll_fd, events, n_events,
                     left < 0 ? -1 : (int) MIN ((left + 999) / 1000, G_MAXINT));
}

static void *
wait_loop_thread (void *data)
{
  FlWaitLoop *loop = data;
  FlServer *server = loop->server;
  struct epoll_event events[MAX_EVENTS];

  fl_rng_init (&loop->rng);
  while (take_inbox (loop))
    {
      int n = wait_for_events (loop, events, MAX_EVENTS);

      for (int i = 0; i < n; i++)
        {
          if (events[i].data.ptr == NULL)
            {
              eventfd_t count;
              eventfd_read (loop->wake_fd, &count);
            }
          else
            run_reply (loop, events[i].data.ptr);
        }
      run_timers (loop);
    }
  /* Cut (or stopping with nothing left): whatever is held ends unsent. */
  while (loop->heap->len > 0)
    end_held (loop, loop->heap->pdata[loop->heap->len - 1], FALSE);

  fl_mutex_lock (&server->lock);
  server->loops_live--;
  fl_cond_broadcast (&server->changed);
  fl_mutex_unlock (&server->lock);
  return NULL;
}

gboolean
fl_wait_loop_start (FlWaitLoop *loop)
{
  pthread_attr_t attr;
  pthread_t thread;
  int rc;

  pthread_attr_init (&attr);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize (&attr, LOOP_STACK_SIZE);
  rc = pthread_create (&thread, &attr, wait_loop_thread, loop);
  pthread_attr_destroy (&attr);
  errno = rc;
  return rc == 0;
}
