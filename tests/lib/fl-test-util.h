/* fl-test-util.h: small helpers every C test program shares. */
#pragma once

#include "fl-run-record.h"
#include "fl-sweep.h"

#include <gio/gio.h>

/* Adds the test func at path with the calling file's Fixture type and its
 * fixture_set_up and fixture_tear_down. */
#define FL_TEST_ADD_FIXTURE(path, func)                                                  \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

/* A fresh folder under the temporary directory; template like "fl-x-XXXXXX". */
char *fl_test_make_dir (const char *name_template);

/* Removes path and everything under it, read-only folders included. */
void  fl_test_remove_tree (const char *path);

/* Children of this process in /proc, zombies included (each logged with
 * g_test_message): a test asserts 0 once everything it started is reaped. */
guint fl_test_count_children (void);

/* TRUE for the invalid corpus GIFs (by base name) that browsers nevertheless
 * show, and so the reader and the viewer too: plain-text.gif (a GIF89a plain
 * text block before the image), gifsicle-010_blank-garbage.gif (text after
 * the trailer), gifsicle-009_zerowidth-bad.gif (a frame of width 0, drawn at
 * the screen's size). */
gboolean fl_test_invalid_gif_plays (const char *name);

/* Entries in the folder dir (0 when it cannot be opened). */
guint fl_test_count_entries (const char *dir);

/* A listening TCP socket on 127.0.0.1 at a free port (*port, when given). */
int fl_test_listen_loopback (int backlog, guint *port);

/* A fake peer on 127.0.0.1 at a free port: an accept thread, and a thread per
 * connection that runs handler (fd, stop, user_data), then closes fd. Accepted
 * sockets time out after 50 ms both ways, so a handler that loops on recv or
 * send sees *stop (read it with g_atomic_int_get) soon after the stop. */
typedef void (*FlTestPeerHandler) (int fd, const gint *stop, gpointer user_data);
typedef struct _FlTestPeer FlTestPeer;

FlTestPeer *fl_test_peer_start (FlTestPeerHandler handler, gpointer user_data);
guint       fl_test_peer_port (FlTestPeer *peer);
/* Connections accepted so far. */
guint       fl_test_peer_connections (FlTestPeer *peer);
/* Stops accepting, joins every handler, frees the peer. */
void        fl_test_peer_stop (FlTestPeer *peer);

/* A made-up successful run of a sweep point, of 1000 frames: value threads
 * downloading in seconds (wait of it waiting for the server), or value
 * processes encoding in seconds. Free with fl_run_record_free. */
FlRunRecord *fl_test_sweep_run (FlSweepKind kind, guint value, guint repetition, double seconds,
                                double wait);

/* A thread that cancels cancellable (holding a reference) after ms
 * milliseconds, as a user's Cancel would mid-run; join it with g_thread_join. */
GThread *fl_test_cancel_later (GCancellable *cancellable, guint ms);

/* This process's CPU time, user and system, in seconds, read from stat_fd (an
 * open /proc/self/stat: a process out of descriptors cannot open it then), or
 * from a fresh open of it when stat_fd is -1. */
double fl_test_process_cpu_seconds (int stat_fd);

/* Waits, at most seconds, for half a second in which this process uses no
 * CPU (stat_fd as for fl_test_process_cpu_seconds). */
void fl_test_wait_until_quiet (int stat_fd, guint seconds);

/* A number in /proc/self/status: the field's name with its colon, such as
 * "VmHWM:" (the peak resident set, in KiB) or "Threads:"; 0 when the file
 * cannot be read. */
guint64 fl_test_status_field (const char *field);
