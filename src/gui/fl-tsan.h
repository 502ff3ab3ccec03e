/* fl-tsan.h: happens-before annotations for hand-offs that GLib orders where
 * ThreadSanitizer cannot see.
 *
 * Debian builds GLib without TSan, and GLib's GMutex, GCond and atomics are raw
 * futexes and inline atomics TSan never observes. So when a GTask carries data
 * from the main thread to a pool thread (g_task_run_in_thread queues the task
 * under the pool's GMutex) and back (g_task_return_* and the end of the thread
 * function attach an idle source to the task's GMainContext under that
 * context's GMutex; the callback runs from it), or when an idle source carries a
 * message from a thread to the main loop, the ordering is real but invisible,
 * and TSan reports every field written on one side and read on the other.
 *
 * These macros tell TSan about exactly that ordering: fl_tsan_release (addr) on
 * the handing side just before GLib takes the data over, fl_tsan_acquire (addr)
 * on the receiving side as the first thing it does, with the same addr (the
 * task data or the message) on both sides. For a GTask that means: release
 * before g_task_run_in_thread, acquire first in the thread function, release
 * before g_task_return_*, acquire first in the callback.
 *
 * They are legitimate ONLY where GLib really synchronises, as above. Data that
 * both sides touch with no such hand-off in between is a race: fix it with
 * FlMutex or atomics (fl-sync.h), never with these. Without TSan they compile
 * to nothing. */
#pragma once

#if defined(__SANITIZE_THREAD__)
#define FL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FL_TSAN 1
#endif
#endif

#ifdef FL_TSAN
#include <sanitizer/tsan_interface.h>

/* Everything this thread did so far happens before what follows a later
 * fl_tsan_acquire (addr) on another thread. */
#define fl_tsan_release(addr) __tsan_release ((void *) (addr))
/* What preceded the fl_tsan_release (addr) that GLib's hand-off followed
 * happens before everything this thread does next. */
#define fl_tsan_acquire(addr) __tsan_acquire ((void *) (addr))
#else
#define fl_tsan_release(addr) ((void) 0)
#define fl_tsan_acquire(addr) ((void) 0)
#endif
