/* test-downloader: fl_download_frames against an in-process FlServer and against
 * misbehaving peers (garbage, half a PNG, never closing, endless bytes). */
#include "fl-downloader.h"
#include "fl-error.h"
#include "fl-file.h"
#include "fl-net.h"
#include "fl-png.h"
#include "fl-server.h"
#include "fl-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* The behaviours of a fake peer (fl-test-util.h), one a peer. */
typedef enum
{
  PEER_GARBAGE,
  PEER_HALF_PNG,
  PEER_NEVER_CLOSE,
  PEER_ENDLESS,
} PeerMode;

/* One connection of a peer whose PeerMode is user_data. */
static void
handle_connection (int fd, const gint *stop, gpointer user_data)
{
  guint8 block[4096];

  switch ((PeerMode) GPOINTER_TO_INT (user_data))
    {
    case PEER_GARBAGE:
      memset (block, 'x', 300);
      fl_net_send_all (fd, block, 300, 0);
      break;
    case PEER_HALF_PNG:
      {
        g_autoptr (FlImage) image = fl_image_new (10, 10, 3, NULL);
        g_autoptr (GByteArray) png = g_byte_array_new ();
        g_assert_true (fl_png_encode (image, png, NULL));
        fl_net_send_all (fd, png->data, png->len / 2, 0);
        break;
      }
    case PEER_NEVER_CLOSE:
      /* Sends a valid start, then nothing, until the client gives up. */
      fl_net_send_all (fd, "\x89PNG\r\n\x1a\n", 8, 0);
      while (!g_atomic_int_get (stop))
        {
          ssize_t n = recv (fd, block, sizeof block, 0);
          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            break;
        }
      break;
    case PEER_ENDLESS:
      {
        /* A header that promises a 4096x4096 RGB image, so that only the byte cap
         * stops the reply; then zeros for ever. */
        static const guint8 header[29] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                           0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0x10, 0,
                                           0, 0, 0x10, 0, 8, 2, 0, 0, 0 };
        guint32 crc = (guint32) crc32 (0, header + 12, 17);

        memset (block, 0, sizeof block);
        memcpy (block, header, sizeof header);
        for (int i = 0; i < 4; i++)
          block[29 + i] = (guint8) (crc >> (24 - 8 * i));
      }
      while (!g_atomic_int_get (stop))
        {
          int rc = fl_net_send_all (fd, block, sizeof block, 0);
          if (rc != 0 && rc != ETIMEDOUT)
            break;
        }
      break;
    }
}

static FlTestPeer *
bad_peer_start (PeerMode mode)
{
  return fl_test_peer_start (handle_connection, GINT_TO_POINTER (mode));
}

/* The events of a good run: the stage around everything, every frame fetched
 * once by one of the threads, each attempt started before it ends on the same
 * thread, phases within the attempt, the done count reaching n_frames, and the
 * stage's span equal to the seconds reported. */
static void
check_events (GArray *events, guint n_frames, guint threads, double seconds)
{
  g_autofree guint *fetched = g_new0 (guint, n_frames);
  g_autofree gint *open = g_new0 (gint, threads);
  const FlEvent *first = &g_array_index (events, FlEvent, 0);
  const FlEvent *last = &g_array_index (events, FlEvent, events->len - 1);
  guint64 max_done = 0;

  g_assert_cmpint (first->kind, ==, FL_EVENT_STAGE_STARTED);
  g_assert_cmpint (first->stage.stage, ==, FL_STAGE_DOWNLOAD);
  g_assert_cmpuint (first->stage.total, ==, n_frames);
  g_assert_cmpuint (first->stage.tracks, ==, threads);
  g_assert_cmpint (last->kind, ==, FL_EVENT_STAGE_ENDED);
  g_assert_cmpint (last->stage.code, ==, FL_EVENT_NO_ERROR);
  g_assert_cmpuint (last->stage.done, ==, n_frames);
  g_assert_cmpfloat ((double) (last->t1 - last->t0) / G_USEC_PER_SEC, ==, seconds);
  for (guint i = 1; i + 1 < events->len; i++)
    {
      const FlEvent *event = &g_array_index (events, FlEvent, i);

      g_assert_cmpuint (event->track, <, threads);
      g_assert_cmpuint (event->frame.index, <, n_frames);
      g_assert_cmpint (event->t0, >=, first->t0);
      g_assert_cmpint (event->t1, <=, last->t1);
      g_assert_cmpint (event->t1, >=, event->t0);
      if (event->kind == FL_EVENT_FRAME_STARTED)
        {
          g_assert_cmpint (open[event->track], ==, 0);
          open[event->track] = (gint) event->frame.index + 1;
          continue;
        }
      g_assert_cmpint (open[event->track], ==, (gint) event->frame.index + 1);
      open[event->track] = 0;
      g_assert_cmpuint ((guint64) event->frame.connect_us + event->frame.wait_us
                          + event->frame.write_us, ==, event->t1 - event->t0);
      if (event->kind == FL_EVENT_FRAME_FETCHED)
        {
          fetched[event->frame.index]++;
          g_assert_cmpuint (event->frame.bytes, >, 300);
          g_assert_cmpuint (event->frame.attempt, >=, 1);
          max_done = MAX (max_done, event->frame.done);
        }
    }
  for (guint t = 0; t < threads; t++)
    g_assert_cmpint (open[t], ==, 0);
  for (guint f = 0; f < n_frames; f++)
    g_assert_cmpuint (fetched[f], ==, 1);
  g_assert_cmpuint (max_done, ==, n_frames);
}

static void
check_frames (const char *dir, guint n_frames)
{
  for (guint i = 0; i < n_frames; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.png", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree guint8 *data = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (FlImage) image = NULL;
      gsize length;
      guint w, h;

      g_assert_true (fl_file_read (path, 1 << 20, &data, &length, &error));
      g_assert_no_error (error);
      g_assert_true (fl_png_check (data, length, NULL, &w, &h, &error));
      image = fl_png_decode (data, length, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (image->width, ==, 10);
      g_assert_cmpuint (image->height, ==, 10);
    }
  /* Exactly the frames: no temporary file is left behind. */
  g_assert_cmpuint (fl_test_count_entries (dir), ==, n_frames);
}

static void
test_download_frames (gconstpointer data)
{
  guint threads = GPOINTER_TO_UINT (data);
  g_autofree char *root = fl_test_make_dir ("fl-download-XXXXXX");
  g_autofree char *dir = g_build_filename (root, "new", "frames", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlServer) server = NULL;
  FlServerConfig server_config = { .host = "127.0.0.1" };
  FlDownloadConfig config = { 0 };
  FlDownloadResult result;
  g_autoptr (FlEvents) events = fl_events_new (0);
  g_autoptr (FlEventLog) log = fl_event_log_new (events);
  g_autoptr (GArray) seen = NULL;

  server = fl_server_new (&server_config);
  g_assert_true (fl_server_start (server, &error));
  g_assert_no_error (error);

  config.host = "127.0.0.1";
  config.port = fl_server_get_port (server);
  config.frames_dir = dir; /* missing, with a missing parent: created */
  config.n_frames = 200;
  config.threads = threads;
  config.events = events;
  config.frame_timeout_ms = 3000; /* fail in seconds, not minutes, if the server hangs */
  g_assert_true (fl_download_frames (&config, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.frames, ==, 200);
  g_assert_cmpuint (result.failures, ==, 0);
  g_assert_cmpuint (result.bytes, >, 200 * 300);
  g_assert_cmpfloat (result.seconds, >, 0);
  /* Flushed on return: every event is there. */
  seen = fl_event_log_dup (log);
  check_events (seen, 200, threads, result.seconds);
  check_frames (dir, 200);
  fl_test_remove_tree (root);
}

static void
test_refused (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-download-XXXXXX");
  g_autoptr (GError) error = NULL;
  FlDownloadConfig config = { 0 };
  FlDownloadResult result;
  FlSockAddr addr, bound;
  gint64 start;
  int fd;
  guint port;

  /* A port that was free a moment ago: bind, learn it, close. */
  g_assert_true (fl_net_resolve ("127.0.0.1", 0, TRUE, &addr, NULL));
  fd = fl_net_listen (&addr, 1, NULL);
  g_assert_true (fl_net_local_address (fd, &bound));
  port = g_ntohs (((struct sockaddr_in *) &bound.storage)->sin_port);
  close (fd);

  config.host = "127.0.0.1";
  config.port = port;
  config.frames_dir = dir;
  config.n_frames = 50;
  config.threads = 8;
  start = g_get_monotonic_time ();
  g_assert_false (fl_download_frames (&config, NULL, &result, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CONNECT);
  {
    g_autofree char *expected =
        g_strdup_printf ("Could not connect to 127.0.0.1:%u: connection refused", port);
    g_assert_cmpstr (error->message, ==, expected);
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (result.frames, ==, 0);
  g_assert_cmpuint (fl_test_count_entries (dir), ==, 0);
  fl_test_remove_tree (dir);
}

/* attempts: 3, or 1 for a reply that is no PNG at all (never retried). */
static void
run_bad_peer (PeerMode mode, gint code, const char *reason, guint attempts)
{
  g_autofree char *dir = fl_test_make_dir ("fl-download-XXXXXX");
  g_autoptr (GError) error = NULL;
  FlDownloadConfig config = { 0 };
  FlDownloadResult result;
  FlTestPeer *peer = bad_peer_start (mode);
  g_autofree char *prefix = NULL;
  gint64 start = g_get_monotonic_time ();

  config.host = "127.0.0.1";
  config.port = fl_test_peer_port (peer);
  config.frames_dir = dir;
  config.n_frames = 3;
  config.threads = 1;
  config.attempts = 3;
  config.frame_timeout_ms = 200;
  config.max_frame_bytes = 64 * 1024;
  g_assert_false (fl_download_frames (&config, NULL, &result, &error));
  g_assert_error (error, FL_ERROR, code);
  if (attempts == 1)
    prefix = g_strdup_printf ("Frame 0 failed and was not retried: The reply from "
                              "127.0.0.1:%u ", fl_test_peer_port (peer));
  else
    prefix = g_strdup_printf ("Frame 0 failed after 3 attempts: The reply from 127.0.0.1:%u ",
                              fl_test_peer_port (peer));
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, reason));
  g_assert_cmpuint (result.retries, ==, attempts - 1);
  g_assert_cmpuint (result.failures, ==, 1);
  g_assert_cmpuint (result.frames, ==, 0);
  g_assert_cmpuint (fl_test_peer_connections (peer), ==, attempts);
  /* No frame, no temporary file. */
  g_assert_cmpuint (fl_test_count_entries (dir), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  fl_test_peer_stop (peer);
  fl_test_remove_tree (dir);
}

/* What a peer does, and the failure it must give. */
typedef struct
{
  const char *path;
  PeerMode mode;
  gint code;
  const char *reason;
  guint attempts;
} BadPeerCase;

static const BadPeerCase bad_peer_cases[] = {
  /* Text is never a PNG: said as what it is, and not retried. */
  { "/downloader/garbage", PEER_GARBAGE, FL_ERROR_INVALID_PNG, "is text, not a PNG", 1 },
  { "/downloader/half-png", PEER_HALF_PNG, FL_ERROR_INVALID_PNG, "is not a valid PNG: truncated",
    3 },
  { "/downloader/never-close", PEER_NEVER_CLOSE, FL_ERROR_NETWORK, "timed out after 8 bytes", 3 },
  { "/downloader/endless", PEER_ENDLESS, FL_ERROR_TOO_LARGE, "is larger than 65536 bytes", 3 },
};

static void
test_bad_peer (gconstpointer data)
{
  const BadPeerCase *c = data;

  run_bad_peer (c->mode, c->code, c->reason, c->attempts);
}

/* A frame server on a free loopback port, started and held in *server for the
 * test, that config downloads from. */
static void
start_local_server (FlDownloadConfig *config, FlServer **server)
{
  FlServerConfig server_config = { .host = "127.0.0.1" };

  *server = fl_server_new (&server_config);
  g_assert_true (fl_server_start (*server, NULL));
  config->port = fl_server_get_port (*server);
}

/* A file where the frames folder should be: fails once, naming the path, even as root. */
static void
test_folder_is_a_file (void)
{
  g_autofree char *root = fl_test_make_dir ("fl-download-XXXXXX");
  g_autofree char *file = g_build_filename (root, "frames", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FlServer) server = NULL;
  FlDownloadConfig config = { 0 };

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  start_local_server (&config, &server);
  config.frames_dir = file;
  config.n_frames = 10;
  config.threads = 4;
  g_assert_false (fl_download_frames (&config, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, file));
  g_assert_true (g_str_has_prefix (error->message, "Could not create the folder"));
  fl_test_remove_tree (root);
}

/* A folder we may not write: one error naming the frame's path, the run stops. */
static void
test_read_only_folder (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-download-XXXXXX");
  g_autoptr (GError) error = NULL;
  g_autoptr (FlServer) server = NULL;
  FlDownloadConfig config = { 0 };
  FlDownloadResult result;

  const char *target = dir;

  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
  /* Root writes to a 0555 folder anyway; /proc/self is a folder nobody can add files to. */
  if (access (dir, W_OK) == 0)
    target = "/proc/self";
  start_local_server (&config, &server);
  config.frames_dir = target;
  config.n_frames = 100;
  config.threads = 4;
  g_assert_false (fl_download_frames (&config, NULL, &result, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "Could not create "));
  g_assert_nonnull (strstr (error->message, target));
  g_assert_cmpuint (result.frames, ==, 0);
  g_assert_cmpuint (result.retries, ==, 0);
  g_chmod (dir, 0755);
  fl_test_remove_tree (dir);
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (100 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

/* Runs a download of 20 frames on 4 threads that is cancelled after 100 ms:
 * it must end within a second, cancelled, with nothing left in its folder. */
static void
assert_cancelled_quickly (FlDownloadConfig *config)
{
  g_autofree char *dir = fl_test_make_dir ("fl-download-XXXXXX");
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GThread *canceller;
  gint64 start = g_get_monotonic_time ();

  config->frames_dir = dir;
  config->n_frames = 20;
  config->threads = 4;
  config->frame_timeout_ms = 30000;
  canceller = g_thread_new ("cancel", cancel_soon, cancellable);
  g_assert_false (fl_download_frames (config, cancellable, NULL, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_thread_join (canceller);
  g_assert_cmpuint (fl_test_count_entries (dir), ==, 0);
  fl_test_remove_tree (dir);
}

/* Cancelling while every thread waits on a peer that never closes ends quickly. */
static void
test_cancel (void)
{
  FlDownloadConfig config = { 0 };
  FlTestPeer *peer = bad_peer_start (PEER_NEVER_CLOSE);

  config.port = fl_test_peer_port (peer);
  assert_cancelled_quickly (&config);
  fl_test_peer_stop (peer);
}

static void
test_cancel_while_connecting (void)
{
  FlDownloadConfig config = { .connect_timeout_ms = 30000 };
  int listener, fillers[8];
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };

  /* A listener that never accepts, its backlog full: the kernel drops further
   * SYNs, so connects hang until their timeout unless cancelled. */
  listener = fl_test_listen_loopback (0, &config.port);
  addr.sin_port = htons ((guint16) config.port);
  for (guint i = 0; i < G_N_ELEMENTS (fillers); i++)
    {
      fillers[i] = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      (void) connect (fillers[i], (struct sockaddr *) &addr, sizeof addr); /* EINPROGRESS */
    }
  assert_cancelled_quickly (&config);
  for (guint i = 0; i < G_N_ELEMENTS (fillers); i++)
    close (fillers[i]);
  close (listener);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/downloader/frames/1-thread", GUINT_TO_POINTER (1), test_download_frames);
  g_test_add_data_func ("/downloader/frames/8-threads", GUINT_TO_POINTER (8),
                        test_download_frames);
  g_test_add_func ("/downloader/refused", test_refused);
  for (guint i = 0; i < G_N_ELEMENTS (bad_peer_cases); i++)
    g_test_add_data_func (bad_peer_cases[i].path, &bad_peer_cases[i], test_bad_peer);
  g_test_add_func ("/downloader/folder-is-a-file", test_folder_is_a_file);
  g_test_add_func ("/downloader/read-only-folder", test_read_only_folder);
  g_test_add_func ("/downloader/cancel", test_cancel);
  g_test_add_func ("/downloader/cancel-while-connecting", test_cancel_while_connecting);
  return g_test_run ();
}
