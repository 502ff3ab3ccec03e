/* fl-check-proc.h: what /proc says about a student's program, for the
 * checks: who listens on a port, how many threads a process runs, which
 * processes it starts. Linux only, as the lab is. Private to the checks. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* The processes of this user with a TCP socket listening on port (this
 * network namespace), into pids. */
void     fl_check_find_listeners (guint port, GArray *pids);
/* Sockets with local port port in TIME_WAIT. */
guint    fl_check_count_time_wait (guint port);
/* Threads of pid now, 0 when it is gone. */
guint    fl_check_count_threads (pid_t pid);

/* Samples the sum of the threads of pids every 200 µs on a thread of its own
 * until stopped; start returns once the first sample is taken (before the
 * load), stop returns the peak and how many samples were taken in all. */
typedef struct _FlThreadSampler FlThreadSampler;
FlThreadSampler *fl_thread_sampler_start (const GArray *pids);
guint    fl_thread_sampler_stop (FlThreadSampler *sampler, guint *n_samples);

/* Samples the descendants of pid (children, theirs, ...) that have no
 * children of their own, the ones that work, every 2 ms on a thread of its
 * own until stopped: how many were alive at each sample, and when each was
 * first and last seen. */
typedef struct _FlChildSampler FlChildSampler;
FlChildSampler *fl_child_sampler_start (pid_t pid);
void     fl_child_sampler_stop (FlChildSampler *sampler);
/* After stop: the most descendants alive at one sample between from and to
 * (monotonic us), and in *distinct (may be NULL) how many different ones were
 * seen then. */
guint    fl_child_sampler_peak (FlChildSampler *sampler, gint64 from, gint64 to,
                                guint *distinct);
void     fl_child_sampler_free (FlChildSampler *sampler);

/* Samples, every millisecond on a thread of its own until stopped, how many
 * TCP connections to port the client holds open, from its connect to its
 * close, through the kernel's socket diagnostics (netlink, as ss(8) reads
 * them): the client's sockets when it runs on this machine, else the
 * server's until the client's close reaches them. Where a server's own events
 * end at its close, this is the client's view. */
typedef struct _FlSocketSampler FlSocketSampler;
FlSocketSampler *fl_socket_sampler_start (guint port);
void     fl_socket_sampler_stop (FlSocketSampler *sampler);
/* After stop: the most surely open at once at one sample between from and to
 * (monotonic us: listed by two dumps back to back), and in *mean (may be NULL)
 * the mean listed over the samples then (a time average); FALSE when the
 * kernel answered no sample (no sock_diag). */
gboolean fl_socket_sampler_summary (FlSocketSampler *sampler, gint64 from, gint64 to,
                                    guint *peak, double *mean);
void     fl_socket_sampler_free (FlSocketSampler *sampler);

G_END_DECLS
