/* test-net: the socket verbs of fl-net.c on loopback: ports and endpoints
 * parsed with their sentences, addresses resolved and formatted, listen,
 * connect, send and the bounded read with their errors. */
#include "fl-error.h"
#include "fl-net.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
test_parse_port (void)
{
  g_autoptr (GError) error = NULL;
  guint port = 0;

  g_assert_true (fl_net_parse_port ("1", FALSE, &port, NULL));
  g_assert_cmpuint (port, ==, 1);
  g_assert_true (fl_net_parse_port ("65535", FALSE, &port, NULL));
  g_assert_cmpuint (port, ==, 65535);
  g_assert_true (fl_net_parse_port ("0", TRUE, &port, NULL));
  g_assert_cmpuint (port, ==, 0);

  g_assert_false (fl_net_parse_port ("0", FALSE, &port, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "Port \"0\" is not valid: expected a number from 1 to 65535");
  g_clear_error (&error);
  g_assert_false (fl_net_parse_port ("65536", TRUE, &port, &error));
  g_assert_cmpstr (error->message, ==,
                   "Port \"65536\" is not valid: expected a number from 0 to 65535");
  g_clear_error (&error);
  g_assert_false (fl_net_parse_port ("12x", FALSE, &port, &error));
  g_assert_cmpstr (error->message, ==,
                   "Port \"12x\" is not valid: expected a number from 1 to 65535");
  g_clear_error (&error);
  g_assert_false (fl_net_parse_port ("", FALSE, &port, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT);
}

static void
assert_endpoint (const char *text, const char *host, guint port)
{
  g_autofree char *parsed = NULL;
  guint parsed_port = 0;

  g_assert_true (fl_net_parse_endpoint (text, 1234, &parsed, &parsed_port, NULL));
  g_assert_cmpstr (parsed, ==, host);
  g_assert_cmpuint (parsed_port, ==, port);
}

static void
assert_bad_endpoint (const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  char *host = NULL;
  guint port = 0;

  g_assert_false (fl_net_parse_endpoint (text, 1234, &host, &port, &error));
  g_assert_null (host);
  g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_parse_endpoint (void)
{
  assert_endpoint ("10.0.0.2:4000", "10.0.0.2", 4000);
  assert_endpoint ("lab.example", "lab.example", 1234);
  assert_endpoint ("[::1]:80", "::1", 80);
  assert_endpoint ("[::1]", "::1", 1234);
  /* A bare IPv6 address has no port: its colons are the address's. */
  assert_endpoint ("fe80::1", "fe80::1", 1234);

  assert_bad_endpoint ("", "Server address \"\" is not valid: expected HOST:PORT");
  assert_bad_endpoint (":80", "Server address \":80\" is not valid: expected HOST:PORT");
  assert_bad_endpoint ("[]:80", "Server address \"[]:80\" is not valid: expected HOST:PORT");
  assert_bad_endpoint ("[::1", "Server address \"[::1\" is not valid: expected HOST:PORT");
  assert_bad_endpoint ("host:0", "Port \"0\" is not valid: expected a number from 1 to 65535");
  assert_bad_endpoint ("[::1]:x", "Port \"x\" is not valid: expected a number from 1 to 65535");
}

static void
test_resolve_and_format (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree FlSockAddr *all = NULL;
  char text[64];
  FlSockAddr addr;
  guint n = 0, port = 0;

  g_assert_true (fl_net_resolve ("127.0.0.1", 1234, FALSE, &addr, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fl_net_format_address (&addr, text, sizeof text), ==, "127.0.0.1:1234");
  g_assert_cmpstr (fl_net_format_host ((const struct sockaddr *) &addr.storage, text, sizeof text,
                                       &port), ==, "127.0.0.1");
  g_assert_cmpuint (port, ==, 1234);
  g_assert_true (fl_net_resolve ("::1", 80, FALSE, &addr, NULL));
  g_assert_cmpstr (fl_net_format_address (&addr, text, sizeof text), ==, "[::1]:80");
  /* Passive with no host: the wildcard address, for bind. */
  g_assert_true (fl_net_resolve (NULL, 4000, TRUE, &addr, NULL));
  g_assert_true (g_str_has_suffix (fl_net_format_address (&addr, text, sizeof text), ":4000"));

  all = fl_net_resolve_all ("127.0.0.1", 99, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (fl_net_format_address (&all[0], text, sizeof text), ==, "127.0.0.1:99");
  /* A name that fails to resolve is left out: the machine may have no DNS to ask. */
}

/* A listening socket on a free loopback port; its address in *addr. */
static int
listen_loopback (FlSockAddr *addr)
{
  g_autoptr (GError) error = NULL;
  int fd;

  g_assert_true (fl_net_resolve ("127.0.0.1", 0, TRUE, addr, NULL));
  fd = fl_net_listen (addr, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (fl_net_local_address (fd, addr));
  return fd;
}

static guint
port_of (const FlSockAddr *addr)
{
  return g_ntohs (((const struct sockaddr_in *) &addr->storage)->sin_port);
}

static void
test_listen_in_use (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  FlSockAddr addr;
  int fd = listen_loopback (&addr);

  g_assert_cmpuint (port_of (&addr), >, 0);
  g_assert_cmpint (fl_net_listen (&addr, 8, &error), ==, -1);
  g_assert_error (error, FL_ERROR, FL_ERROR_ADDRESS_IN_USE);
  expected = g_strdup_printf ("Could not bind 127.0.0.1:%u: address already in use",
                              port_of (&addr));
  g_assert_cmpstr (error->message, ==, expected);
  close (fd);
}

static void
test_connect_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  FlSockAddr addr;
  int fd = listen_loopback (&addr);
  guint port = port_of (&addr), which = 0;

  /* Closed again: nothing listens on the port now. */
  close (fd);
  g_assert_cmpint (fl_net_connect (&addr, g_get_monotonic_time () + 10 * G_USEC_PER_SEC, NULL,
                                   NULL, &error), ==, -1);
  g_assert_error (error, FL_ERROR, FL_ERROR_CONNECT);
  expected = g_strdup_printf ("Could not connect to 127.0.0.1:%u: connection refused", port);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  g_assert_cmpint (fl_net_connect_any (NULL, 0, &which, 0, NULL, NULL, &error), ==, -1);
  g_assert_error (error, FL_ERROR, FL_ERROR_ADDRESS);
  g_assert_cmpstr (error->message, ==, "No address to connect to");
}

/* A connected pair over loopback: *client from fl_net_connect, *server accepted. */
static void
connect_pair (int *client, int *server)
{
  g_autoptr (GError) error = NULL;
  FlSockAddr addr;
  int listener = listen_loopback (&addr);

  *client = fl_net_connect (&addr, g_get_monotonic_time () + 10 * G_USEC_PER_SEC, NULL, NULL,
                            &error);
  g_assert_no_error (error);
  g_assert_cmpint (*client, >=, 0);
  *server = accept (listener, NULL, NULL);
  g_assert_cmpint (*server, >=, 0);
  close (listener);
}

static void
test_send_and_read (void)
{
  g_autoptr (GError) error = NULL;
  const gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint8 buffer[16];
  gsize length = 0;
  gboolean eof = TRUE;
  int client, server;

  connect_pair (&client, &server);
  g_assert_cmpint (fl_net_send_all (server, "hello, world", 12, deadline), ==, 0);
  /* want: stops once 5 bytes are in, without waiting for the end. */
  g_assert_true (fl_net_read (client, deadline, buffer, sizeof buffer, 5, &length, &eof, NULL,
                              NULL, "the peer", &error));
  g_assert_no_error (error);
  g_assert_false (eof);
  g_assert_cmpuint (length, >=, 5);
  close (server);
  g_assert_true (fl_net_read (client, deadline, buffer, sizeof buffer, G_MAXSIZE, &length, &eof,
                              NULL, NULL, "the peer", &error));
  g_assert_true (eof);
  g_assert_cmpmem (buffer, length, "hello, world", 12);
  close (client);
}

static void
test_read_too_large (void)
{
  g_autoptr (GError) error = NULL;
  const gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint8 buffer[8];
  gsize length = 0;
  gboolean eof;
  int client, server;

  connect_pair (&client, &server);
  g_assert_cmpint (fl_net_send_all (server, "0123456789", 10, deadline), ==, 0);
  g_assert_false (fl_net_read (client, deadline, buffer, sizeof buffer, G_MAXSIZE, &length, &eof,
                               NULL, NULL, "127.0.0.1:1", &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "The reply from 127.0.0.1:1 is larger than 8 bytes");
  g_assert_cmpmem (buffer, length, "01234567", 8);
  close (server);
  close (client);
}

static void
test_read_timeout_and_stop (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  guint8 buffer[8];
  gsize length = 0;
  gboolean eof;
  gint stop = 0;
  int client, server;

  connect_pair (&client, &server);
  g_assert_cmpint (fl_net_send_all (server, "abc", 3, 0), ==, 0);
  /* A peer that sends 3 bytes and then nothing: the deadline ends the wait. */
  g_assert_false (fl_net_read (client, g_get_monotonic_time () + 200 * 1000, buffer,
                               sizeof buffer, G_MAXSIZE, &length, &eof, &stop, NULL, "the peer",
                               &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, "The reply from the peer timed out after 3 bytes");
  g_clear_error (&error);
  g_cancellable_cancel (cancellable);
  g_assert_false (fl_net_read (client, g_get_monotonic_time () + 60 * G_USEC_PER_SEC, buffer,
                               sizeof buffer, G_MAXSIZE, &length, &eof, NULL, cancellable,
                               "the peer", &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "The download was cancelled");
  close (server);
  close (client);
}

static void
test_send_to_closed_peer (void)
{
  int client, server;
  int errsv = 0;

  connect_pair (&client, &server);
  close (server);
  /* No SIGPIPE (the test would die of it): an errno instead, sooner or later. */
  for (int i = 0; i < 100 && errsv == 0; i++)
    {
      static const guint8 block[64 * 1024];

      errsv = fl_net_send_all (client, block, sizeof block, 0);
    }
  g_assert_true (errsv == EPIPE || errsv == ECONNRESET);
  close (client);
}

static void
test_nofile_limit (void)
{
  guint64 now = fl_net_raise_nofile_limit (64);

  g_assert_cmpuint (now, >=, 64);
  g_assert_cmpuint (fl_net_raise_nofile_limit (0), ==, now);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net/parse-port", test_parse_port);
  g_test_add_func ("/net/parse-endpoint", test_parse_endpoint);
  g_test_add_func ("/net/resolve-and-format", test_resolve_and_format);
  g_test_add_func ("/net/listen-in-use", test_listen_in_use);
  g_test_add_func ("/net/connect-refused", test_connect_refused);
  g_test_add_func ("/net/send-and-read", test_send_and_read);
  g_test_add_func ("/net/read-too-large", test_read_too_large);
  g_test_add_func ("/net/read-timeout-and-stop", test_read_timeout_and_stop);
  g_test_add_func ("/net/send-to-closed-peer", test_send_to_closed_peer);
  g_test_add_func ("/net/nofile-limit", test_nofile_limit);
  return g_test_run ();
}
