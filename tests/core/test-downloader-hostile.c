/* test-hostile-download: the hostile suite's dead servers and bad peers at the API, where the
 * timeouts and attempts can be configured small: a black hole that drops SYNs fails
 * within attempts x connect timeout; a peer that never closes or drips bytes is cut
 * at the frame deadline; endless bytes stop at the byte cap; a header claiming
 * 100000x100000 is refused before anything is allocated for it. Each failure
 * names the frame, the attempts and the reason, and leaves the folder empty. */
#include "fl-downloader.h"
#include "fl-error.h"
#include "fl-image.h"
#include "fl-net.h"
#include "fl-png.h"
#include "fl-sync.h"
#include "fl-test-util.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

typedef enum
{
  PEER_NEVER_CLOSE,
  PEER_SLOW_DRIP,
  PEER_ENDLESS,
  PEER_HUGE_HEADER,
} PeerMode;

static GByteArray *
make_png (guint width, guint height)
{
  g_autoptr (FlImage) image = fl_image_new (width, height, 3, NULL);
  GByteArray *png = g_byte_array_new ();

  g_assert_true (fl_png_encode (image, png, NULL));
  return png;
}

/* Rewrites the IHDR size of an encoded PNG and fixes its CRC: every chunk checks out,
 * only the claim is absurd. */
static void
claim_size (GByteArray *png, guint32 width, guint32 height)
{
  guint8 *ihdr = png->data + 8;
  guint32 crc;

  for (int i = 0; i < 4; i++)
    {
      ihdr[8 + i] = (guint8) (width >> (24 - 8 * i));
      ihdr[12 + i] = (guint8) (height >> (24 - 8 * i));
    }
  crc = (guint32) crc32 (0, ihdr + 4, 17);
  for (int i = 0; i < 4; i++)
    ihdr[21 + i] = (guint8) (crc >> (24 - 8 * i));
}

static gboolean
send_or_stop (int fd, const gint *stop, const void *data, gsize length)
{
  for (;;)
    {
      int rc = fl_net_send_all (fd, data, length, 0);
      if (rc == 0)
        return TRUE;
      if (rc != ETIMEDOUT || g_atomic_int_get (stop))
        return FALSE;
    }
}

/* One connection of a peer (fl-test-util.h) whose PeerMode is user_data. */
static void
handle_connection (int fd, const gint *stop, gpointer user_data)
{
  g_autoptr (GByteArray) png = make_png (10, 10);
  guint8 block[65536];

  switch ((PeerMode) GPOINTER_TO_INT (user_data))
    {
    case PEER_NEVER_CLOSE:
      send_or_stop (fd, stop, png->data, png->len);
      while (!g_atomic_int_get (stop))
        {
          ssize_t n = recv (fd, block, sizeof block, 0);
          if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            break;
        }
      break;
    case PEER_SLOW_DRIP:
      for (guint i = 0; i < png->len && !g_atomic_int_get (stop); i++)
        {
          if (!send_or_stop (fd, stop, png->data + i, 1))
            break;
          g_usleep (20000);
        }
      break;
    case PEER_ENDLESS:
      /* A header that promises 4096x4096, so that only the byte cap stops it. */
      claim_size (png, 4096, 4096);
      memset (block, 0, sizeof block);
      memcpy (block, png->data, FL_PNG_HEADER_SIZE);
      while (!g_atomic_int_get (stop) && send_or_stop (fd, stop, block, sizeof block))
        ;
      break;
    case PEER_HUGE_HEADER:
      claim_size (png, 100000, 100000);
      send_or_stop (fd, stop, png->data, png->len);
      break;
    }
}

/* Runs a download expected to fail; returns the elapsed seconds. */
static double
expect_failure (FlDownloadConfig *config, gint code, const char *pattern,
                FlDownloadResult *result)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = fl_test_make_dir ("fl-hostile-dl-XXXXXX");
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  config->frames_dir = dir;
  g_assert_false (fl_download_frames (config, NULL, result, &error));
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  g_assert_error (error, FL_ERROR, code);
  g_test_message ("%.2f s: %s", elapsed, error->message);
  if (!g_regex_match_simple (pattern, error->message, 0, 0))
    g_error ("\"%s\" does not match \"%s\"", error->message, pattern);
  g_assert_cmpuint (result->frames, ==, 0);
  g_assert_cmpuint (result->failures, >=, 1);
  g_assert_cmpuint (fl_test_count_entries (dir), ==, 0);
  fl_test_remove_tree (dir);
  config->frames_dir = NULL;
  return elapsed;
}

static void
test_black_hole (void)
{
  FlDownloadConfig config = { .host = "127.0.0.1", .n_frames = 4, .threads = 2,
                              .connect_timeout_ms = 300, .attempts = 3 };
  FlDownloadResult result;
  g_autofree char *pattern = NULL;
  int hole = fl_test_listen_loopback (0, &config.port), fillers[16];
  double elapsed;

  /* Nobody accepts and the queue is full: the kernel drops every further SYN. */
  for (guint i = 0; i < G_N_ELEMENTS (fillers); i++)
    {
      FlSockAddr addr;
      g_assert_true (fl_net_resolve ("127.0.0.1", config.port, FALSE, &addr, NULL));
      fillers[i] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      (void) connect (fillers[i], (struct sockaddr *) &addr.storage, addr.length);
      g_usleep (20000);
    }
  pattern = g_strdup_printf ("^(Frame \\d+ failed after 3 attempts: )?Could not connect to "
                             "127\\.0\\.0\\.1:%u: connection timed out$", config.port);
  elapsed = expect_failure (&config, FL_ERROR_CONNECT, pattern, &result);
  /* 3 attempts x 300 ms plus back-off: neither cut short nor dragged on. */
  g_assert_cmpfloat (elapsed, >=, 0.85);
  g_assert_cmpfloat (elapsed, <, 5.0);
  g_assert_cmpuint (result.retries, >=, 2);
  for (guint i = 0; i < G_N_ELEMENTS (fillers); i++)
    close (fillers[i]);
  close (hole);
}

static void
run_peer_failure (PeerMode mode, FlDownloadConfig *config, gint code, const char *reason,
                  double min_seconds)
{
  FlTestPeer *peer = fl_test_peer_start (handle_connection, GINT_TO_POINTER (mode));
  g_autofree char *pattern = NULL;
  FlDownloadResult result;
  double elapsed;

  config->host = "127.0.0.1";
  config->port = fl_test_peer_port (peer);
  pattern = g_strdup_printf ("^Frame \\d+ failed after %u attempts: The reply from "
                             "127\\.0\\.0\\.1:%u %s$", config->attempts, config->port, reason);
  elapsed = expect_failure (config, code, pattern, &result);
  g_assert_cmpfloat (elapsed, >=, min_seconds);
  g_assert_cmpfloat (elapsed, <, 10.0);
  g_assert_cmpuint (result.retries, >=, config->attempts - 1);
  fl_test_peer_stop (peer);
}

static void
test_never_close (void)
{
  FlDownloadConfig config = { .n_frames = 2, .threads = 2, .frame_timeout_ms = 300,
                              .attempts = 2 };

  /* The whole PNG arrived, but without EOF it is not known to be whole. */
  run_peer_failure (PEER_NEVER_CLOSE, &config, FL_ERROR_NETWORK, "timed out after \\d+ bytes",
                    0.55);
}

static void
test_slow_drip (void)
{
  FlDownloadConfig config = { .n_frames = 2, .threads = 2, .frame_timeout_ms = 300,
                              .attempts = 2 };

  run_peer_failure (PEER_SLOW_DRIP, &config, FL_ERROR_NETWORK, "timed out after \\d+ bytes",
                    0.55);
}

static void
test_endless (void)
{
  FlDownloadConfig config = { .n_frames = 2, .threads = 2, .attempts = 2,
                              .max_frame_bytes = 1024 * 1024 };

  run_peer_failure (PEER_ENDLESS, &config, FL_ERROR_TOO_LARGE, "is larger than 1048576 bytes",
                    0);
}

static void
test_huge_header (void)
{
  FlDownloadConfig config = { .n_frames = 2, .threads = 2, .attempts = 2 };

  run_peer_failure (PEER_HUGE_HEADER, &config, FL_ERROR_TOO_LARGE,
                    "is not a valid PNG: the image size 100000x100000 is over the limit of "
                    "4096x4096", 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hostile/download/black-hole", test_black_hole);
  g_test_add_func ("/hostile/download/never-close", test_never_close);
  g_test_add_func ("/hostile/download/slow-drip", test_slow_drip);
  g_test_add_func ("/hostile/download/endless", test_endless);
  g_test_add_func ("/hostile/download/huge-header", test_huge_header);
  return g_test_run ();
}
