/* test-endpoints: fl_download_frames over several servers: the frames spread
 * round robin, a dead server does not sink the run, all dead is one sentence. */
#include "fl-downloader.h"
#include "fl-error.h"
#include "fl-file.h"
#include "fl-net.h"
#include "fl-png.h"
#include "fl-server.h"
#include "fl-test-util.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

/* A port that was free a moment ago: bind, learn it, close. */
static guint
dead_port (void)
{
  FlSockAddr addr, bound;
  guint port;
  int fd;

  g_assert_true (fl_net_resolve ("127.0.0.1", 0, TRUE, &addr, NULL));
  fd = fl_net_listen (&addr, 1, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (fl_net_local_address (fd, &bound));
  port = g_ntohs (((struct sockaddr_in *) &bound.storage)->sin_port);
  close (fd);
  return port;
}

static void
check_frames (const char *dir, guint n_frames)
{
  GDir *listing;
  guint entries = 0;

  for (guint i = 0; i < n_frames; i++)
    {
      g_autofree char *name = g_strdup_printf ("%u.png", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree guint8 *data = NULL;
      g_autoptr (GError) error = NULL;
      gsize length;

      g_assert_true (fl_file_read (path, 1 << 20, &data, &length, &error));
      g_assert_true (fl_png_check (data, length, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    entries++;
  g_dir_close (listing);
  g_assert_cmpuint (entries, ==, n_frames);
}

/* n_live servers, then n_dead closed ports, in the order given by layout
 * ('L' live, 'D' dead). */
typedef struct
{
  char *dir;
  FlServer *servers[FL_DOWNLOAD_MAX_ENDPOINTS];
  FlEndpoint endpoints[FL_DOWNLOAD_MAX_ENDPOINTS];
  guint n;
} Farm;

static void
farm_start (Farm *farm, const char *layout)
{
  farm->dir = fl_test_make_dir ("fl-endpoints-XXXXXX");
  farm->n = (guint) strlen (layout);
  for (guint i = 0; i < farm->n; i++)
    {
      farm->endpoints[i].host = "127.0.0.1";
      if (layout[i] == 'L')
        {
          FlServerConfig server_config = { .host = "127.0.0.1" };
          g_autoptr (GError) error = NULL;

          farm->servers[i] = fl_server_new (&server_config);
          g_assert_true (fl_server_start (farm->servers[i], &error));
          farm->endpoints[i].port = fl_server_get_port (farm->servers[i]);
        }
      else
        farm->endpoints[i].port = dead_port ();
    }
}

/* A download of n_frames from the farm's servers into its folder, by threads. */
static void
farm_config (const Farm *farm, guint n_frames, guint threads, FlDownloadConfig *config)
{
  config->endpoints = farm->endpoints;
  config->n_endpoints = farm->n;
  config->frames_dir = farm->dir;
  config->n_frames = n_frames;
  config->threads = threads;
}

/* Stops the servers (so their counts are final) and returns images sent by i. */
static guint64
farm_sent (Farm *farm, guint i)
{
  FlServerStats stats;

  if (farm->servers[i] == NULL)
    return 0;
  fl_server_stop (farm->servers[i], 1000);
  fl_server_get_stats (farm->servers[i], &stats);
  return stats.images_sent;
}

static void
farm_free (Farm *farm)
{
  for (guint i = 0; i < farm->n; i++)
    g_clear_pointer (&farm->servers[i], fl_server_free);
  fl_test_remove_tree (farm->dir);
  g_free (farm->dir);
}

static void
test_spread (gconstpointer data)
{
  guint n_servers = GPOINTER_TO_UINT (data);
  const guint n_frames = 300;
  g_autoptr (GError) error = NULL;
  FlDownloadConfig config = { 0 };
  FlDownloadResult result;
  Farm farm = { 0 };

  farm_start (&farm, n_servers == 2 ? "LL" : "LLL");
  farm_config (&farm, n_frames, 4, &config);
  config.frame_timeout_ms = 3000;
  g_assert_true (fl_download_frames (&config, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.frames, ==, n_frames);
  g_assert_cmpuint (result.n_endpoints, ==, n_servers);
  check_frames (farm.dir, n_frames);
  /* Round robin per frame and no failures: exactly n_frames / n each, as the
   * servers themselves counted. */
  for (guint i = 0; i < n_servers; i++)
    {
      g_test_message ("server %u: %" G_GUINT64_FORMAT " frames", i, result.endpoint_frames[i]);
      g_assert_cmpuint (result.endpoint_frames[i], ==, n_frames / n_servers);
      g_assert_cmpuint (farm_sent (&farm, i), ==, n_frames / n_servers);
      g_assert_cmpuint (result.endpoint_failures[i], ==, 0);
    }
  farm_free (&farm);
}

/* One server of three is down (first in the list, so frame 0 meets it): every
 * frame still arrives, from the two that work, and the bench keeps the dead
 * one from costing a try per frame. attempts = 1: one try per frame plus one
 * per extra server, so the dead server cannot use up a frame. */
static void
test_one_down (gconstpointer data)
{
  const char *layout = data;
  const guint n_frames = 600;
  g_autoptr (GError) error = NULL;
  FlDownloadConfig config = { 0 };
  FlDownloadResult result;
  Farm farm = { 0 };
  guint64 live = 0;

  farm_start (&farm, layout);
  farm_config (&farm, n_frames, 4, &config);
  config.attempts = 1;
  config.frame_timeout_ms = 3000;
  g_assert_true (fl_download_frames (&config, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.frames, ==, n_frames);
  g_assert_cmpuint (result.failures, ==, 0);
  check_frames (farm.dir, n_frames);
  for (guint i = 0; i < farm.n; i++)
    {
      g_test_message ("server %u (%c): %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
                      " failed tries", i, layout[i], result.endpoint_frames[i],
                      result.endpoint_failures[i]);
      if (layout[i] == 'D')
        {
          g_assert_cmpuint (result.endpoint_frames[i], ==, 0);
          g_assert_cmpuint (result.endpoint_failures[i], >=, 1);
          /* Benched after a failure: far fewer tries than its 200 frames. */
          g_assert_cmpuint (result.endpoint_failures[i], <, n_frames / farm.n / 2);
        }
      else
        {
          g_assert_cmpuint (result.endpoint_frames[i], >, 0);
          g_assert_cmpuint (farm_sent (&farm, i), ==, result.endpoint_frames[i]);
          live += result.endpoint_frames[i];
        }
    }
  g_assert_cmpuint (live, ==, n_frames);
  g_assert_cmpuint (result.retries, ==, result.endpoint_failures[0] + result.endpoint_failures[1]
                                        + result.endpoint_failures[2]);
  farm_free (&farm);
}

static void
test_all_down (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  FlDownloadConfig config = { 0 };
  FlDownloadResult result;
  Farm farm = { 0 };
  gint64 start = g_get_monotonic_time ();

  farm_start (&farm, "DD");
  farm_config (&farm, 20, 2, &config);
  g_assert_false (fl_download_frames (&config, NULL, &result, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CONNECT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "None of the 2 servers could be reached "
                                                   "(the last one tried said: Could not "
                                                   "connect to 127.0.0.1:"));
  g_assert_true (g_str_has_suffix (error->message, ": connection refused)"));
  g_assert_cmpuint (result.frames, ==, 0);
  /* Bounded: the benches are short and the tries few. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  farm_free (&farm);
}

static void
test_config (void)
{
  static const FlEndpoint endpoints[] = { { "127.0.0.1", 5 }, { "::1", 6 }, { NULL, 0 } };
  FlDownloadConfig config = { .host = "example.org", .port = 80 };
  g_autofree char *one = fl_download_config_describe_servers (&config);
  g_autofree char *three = NULL;
  g_autofree char *dir = fl_test_make_dir ("fl-endpoints-XXXXXX");
  g_autoptr (GError) error = NULL;
  FlEndpoint many[FL_DOWNLOAD_MAX_ENDPOINTS + 1];

  g_assert_cmpstr (one, ==, "example.org:80");
  config.endpoints = endpoints;
  config.n_endpoints = 3;
  three = fl_download_config_describe_servers (&config);
  g_assert_cmpstr (three, ==, "127.0.0.1:5,[::1]:6,127.0.0.1:1234");

  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    many[i] = (FlEndpoint) { "127.0.0.1", 1 };
  config.endpoints = many;
  config.n_endpoints = G_N_ELEMENTS (many);
  config.frames_dir = dir;
  config.n_frames = 1;
  g_assert_false (fl_download_frames (&config, NULL, NULL, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT);

  fl_test_remove_tree (dir);
}

/* A server that is down for a moment must come back into use soon after: the
 * bench is 100 ms, doubled only by a failed probe. Its first outage here is one
 * every thread meets at once (connects that hang until their timeout, the
 * accept queue being full), so all eight fail together; counting each of them
 * as a further failure benched it for the 5 s maximum, and the revived server
 * got no frame for the rest of a ~3 s run. */
typedef struct
{
  FlDownloadConfig config;
  FlDownloadResult result;
  GError *error;
  gboolean ok;
} BackgroundRun;

static void
slow_reader (const FlEvent *events, guint n_events, gpointer user_data)
{
  /* A slow reader of a 16-event stream holds the threads back (a full stream
   * never drops an event): at most 8 frames per 25 ms, about 320 frames/s,
   * paces the run to a few seconds whatever the machine. */
  g_usleep (25000);
}

static gpointer
run_download_paced (gpointer data)
{
  BackgroundRun *run = data;
  g_autoptr (FlEvents) events = fl_events_new (16);

  fl_events_add_reader (events, slow_reader, NULL, NULL);
  run->config.events = events;
  run->ok = fl_download_frames (&run->config, NULL, &run->result, &run->error);
  run->config.events = NULL;
  return NULL;
}

static void
test_revived (void)
{
  g_autofree char *dir = fl_test_make_dir ("fl-endpoints-XXXXXX");
  FlServerConfig live_config = { .host = "127.0.0.1" };
  FlServer *live = fl_server_new (&live_config);
  FlServer *revived = NULL;
  FlEndpoint endpoints[2];
  FlSockAddr addr, bound;
  BackgroundRun run = { { 0 } };
  GThread *thread;
  int listener, fillers[4];
  guint port;

  g_assert_true (fl_server_start (live, NULL));
  g_assert_true (fl_net_resolve ("127.0.0.1", 0, TRUE, &addr, NULL));
  listener = fl_net_listen (&addr, 0, NULL);
  g_assert_cmpint (listener, >=, 0);
  g_assert_true (fl_net_local_address (listener, &bound));
  port = g_ntohs (((struct sockaddr_in *) &bound.storage)->sin_port);
  /* Never accepted: once the queue is full, further connects hang. */
  for (guint i = 0; i < G_N_ELEMENTS (fillers); i++)
    {
      fillers[i] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      g_assert_cmpint (fillers[i], >=, 0);
      (void) connect (fillers[i], (const struct sockaddr *) &bound.storage, bound.length);
    }
  g_usleep (50000);

  endpoints[0] = (FlEndpoint) { "127.0.0.1", fl_server_get_port (live) };
  endpoints[1] = (FlEndpoint) { "127.0.0.1", port };
  run.config.endpoints = endpoints;
  run.config.n_endpoints = 2;
  run.config.frames_dir = dir;
  run.config.n_frames = 800;
  run.config.threads = 8;
  run.config.connect_timeout_ms = 300;
  run.config.frame_timeout_ms = 3000;
  thread = g_thread_new ("download", run_download_paced, &run);

  /* The hanging connects time out together at about 0.35 s; then the server
   * comes back on the same port. */
  g_usleep (600000);
  for (guint i = 0; i < G_N_ELEMENTS (fillers); i++)
    close (fillers[i]);
  close (listener);
  {
    FlServerConfig config = { .host = "127.0.0.1", .port = port };
    g_autoptr (GError) error = NULL;

    revived = fl_server_new (&config);
    g_assert_true (fl_server_start (revived, &error));
    g_assert_no_error (error);
  }
  g_thread_join (thread);

  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.result.frames, ==, 800);
  g_test_message ("live %" G_GUINT64_FORMAT " frames, revived %" G_GUINT64_FORMAT
                  " frames (%" G_GUINT64_FORMAT " failed tries), %.2f s",
                  run.result.endpoint_frames[0], run.result.endpoint_frames[1],
                  run.result.endpoint_failures[1], run.result.seconds);
  /* The run lasts about 3 s on an idle machine, longer on a busy one: the
   * revived server has had over 2 s to be probed again. */
  g_assert_cmpuint (run.result.endpoint_frames[1], >, 0);
  g_assert_cmpuint (run.result.endpoint_failures[1], >=, 1);
  check_frames (dir, 800);
  fl_server_stop (revived, 1000);
  fl_server_stop (live, 1000);
  fl_server_free (revived);
  fl_server_free (live);
  fl_test_remove_tree (dir);
}

/* attempts near G_MAXUINT means "keep trying": one more per extra server must
 * not wrap the sum around to no tries at all. */
static void
test_many_attempts (void)
{
  g_autoptr (GError) error = NULL;
  FlDownloadConfig config = { 0 };
  FlDownloadResult result;
  Farm farm = { 0 };

  farm_start (&farm, "DL");
  farm_config (&farm, 20, 2, &config);
  config.attempts = G_MAXUINT;
  g_assert_true (fl_download_frames (&config, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.frames, ==, 20);
  check_frames (farm.dir, 20);
  farm_free (&farm);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/endpoints/spread/2", GUINT_TO_POINTER (2), test_spread);
  g_test_add_data_func ("/endpoints/spread/3", GUINT_TO_POINTER (3), test_spread);
  g_test_add_data_func ("/endpoints/one-down/first", "DLL", test_one_down);
  g_test_add_data_func ("/endpoints/one-down/middle", "LDL", test_one_down);
  g_test_add_func ("/endpoints/all-down", test_all_down);
  g_test_add_func ("/endpoints/config", test_config);
  g_test_add_func ("/endpoints/revived", test_revived);
  g_test_add_func ("/endpoints/many-attempts", test_many_attempts);
  return g_test_run ();
}
