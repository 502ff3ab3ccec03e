/* fl-sync.h: mutex and condition variable for code that threads share.
 *
 * Why not GMutex/GCond: GLib implements them with raw futexes, which
 * ThreadSanitizer cannot see, so every lock it guards would be reported as a
 * race. These wrap pthreads (which TSan intercepts) and take deadlines in
 * g_get_monotonic_time() microseconds, like g_cond_wait_until. */
#pragma once

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <time.h>

G_BEGIN_DECLS

typedef struct
{
  pthread_mutex_t mutex;
} FlMutex;

typedef struct
{
  pthread_cond_t cond;
} FlCond;

static inline void
fl_mutex_init (FlMutex *mutex)
{
  pthread_mutex_init (&mutex->mutex, NULL);
}

static inline void
fl_mutex_clear (FlMutex *mutex)
{
  pthread_mutex_destroy (&mutex->mutex);
}

static inline void
fl_mutex_lock (FlMutex *mutex)
{
  pthread_mutex_lock (&mutex->mutex);
}

static inline gboolean
fl_mutex_trylock (FlMutex *mutex)
{
  return pthread_mutex_trylock (&mutex->mutex) == 0;
}

static inline void
fl_mutex_unlock (FlMutex *mutex)
{
  pthread_mutex_unlock (&mutex->mutex);
}

static inline void
fl_cond_init (FlCond *cond)
{
  pthread_condattr_t attr;

  pthread_condattr_init (&attr);
  /* The same clock as g_get_monotonic_time(). */
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&cond->cond, &attr);
  pthread_condattr_destroy (&attr);
}

static inline void
fl_cond_clear (FlCond *cond)
{
  pthread_cond_destroy (&cond->cond);
}

static inline void
fl_cond_wait (FlCond *cond, FlMutex *mutex)
{
  pthread_cond_wait (&cond->cond, &mutex->mutex);
}

/* Returns FALSE when the deadline passed without a signal. */
static inline gboolean
fl_cond_wait_until (FlCond *cond, FlMutex *mutex, gint64 deadline)
{
  struct timespec ts;

  if (deadline == G_MAXINT64)
    {
      pthread_cond_wait (&cond->cond, &mutex->mutex);
      return TRUE;
    }
  ts.tv_sec = deadline / G_USEC_PER_SEC;
  ts.tv_nsec = (deadline % G_USEC_PER_SEC) * 1000;
  return pthread_cond_timedwait (&cond->cond, &mutex->mutex, &ts) != ETIMEDOUT;
}

static inline void
fl_cond_signal (FlCond *cond)
{
  pthread_cond_signal (&cond->cond);
}

static inline void
fl_cond_broadcast (FlCond *cond)
{
  pthread_cond_broadcast (&cond->cond);
}

G_END_DECLS
