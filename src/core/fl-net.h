/* fl-net.h: socket verbs, the redis anet.c way: each returns a result plus one
 * sentence in a GError. Descriptors are always close-on-exec; sends never raise
 * SIGPIPE. */
#pragma once

#include <gio/gio.h>
#include <sys/socket.h>

G_BEGIN_DECLS

typedef struct
{
  struct sockaddr_storage storage;
  socklen_t length;
} FlSockAddr;

/* The lab's port: the server listens on it and the client connects to it by default. */
#define FL_NET_DEFAULT_PORT 1234

/* Resolves a numeric or named host and a port. passive: for bind (NULL host = any). */
gboolean fl_net_resolve (const char *host, guint port, gboolean passive, FlSockAddr *addr,
                         GError **error);

/* Every address host resolves to (for connect: IPv6 and IPv4, in the resolver's
 * order, duplicates dropped); free with g_free. */
FlSockAddr *fl_net_resolve_all (const char *host, guint port, guint *n_addrs, GError **error);

/* "127.0.0.1:1234" or "[::1]:1234" into buffer (at least 64 bytes). */
const char *fl_net_format_address (const FlSockAddr *addr, char *buffer, gsize size);
/* Same for a raw sockaddr; returns the port through port_out when non-NULL. */
const char *fl_net_format_host (const struct sockaddr *sa, char *buffer, gsize size,
                                guint *port_out);

/* Parses a port number 1..65535 (0 too when allow_zero, meaning "any free port"). */
gboolean fl_net_parse_port (const char *text, gboolean allow_zero, guint *port, GError **error);
/* Parses "HOST:PORT", "[V6]:PORT" or "HOST" (then default_port). */
gboolean fl_net_parse_endpoint (const char *text, guint default_port, char **host, guint *port,
                                GError **error);

/* A listening TCP socket with SO_REUSEADDR set before bind. The message reads
 * "Could not bind 0.0.0.0:1234: address already in use". */
int fl_net_listen (const FlSockAddr *addr, int backlog, GError **error);

/* The address a bound socket actually has (to learn an ephemeral port). */
gboolean fl_net_local_address (int fd, FlSockAddr *addr);

/* send() of the whole buffer with MSG_NOSIGNAL, retrying EINTR and short writes.
 * With a deadline (g_get_monotonic_time() microseconds, 0 for none) a peer that
 * drains slowly cannot stretch the transfer past it: ETIMEDOUT. SO_SNDTIMEO on
 * the socket bounds each blocked call. Returns 0 or an errno value. */
int fl_net_send_all (int fd, const void *data, gsize length, gint64 deadline);

/* Non-blocking connect bounded by deadline (g_get_monotonic_time() microseconds).
 * Returns a connected blocking-free (O_NONBLOCK) socket, or -1 with the sentence
 * "Could not connect to 127.0.0.1:1234: connection refused". *stop and
 * cancellable (either may be NULL) end the wait within 50 ms. */
int fl_net_connect (const FlSockAddr *addr, gint64 deadline, const gint *stop,
                    GCancellable *cancellable, GError **error);

/* fl_net_connect to each of addrs in turn, starting at *which, until one answers
 * (then *which names it) or the deadline passes; the error is the last one's. */
int fl_net_connect_any (const FlSockAddr *addrs, guint n_addrs, guint *which, gint64 deadline,
                        const gint *stop, GCancellable *cancellable, GError **error);

/* Reads from a non-blocking socket into buffer, which holds *length bytes, until
 * EOF (*eof set) or until it holds want bytes (G_MAXSIZE: to EOF). A peer that
 * sends more than capacity fails with FL_ERROR_TOO_LARGE; the deadline passing,
 * FL_ERROR_NETWORK. *stop (when non-NULL) and cancellable are checked at least
 * every 50 ms, so either ends a wait quickly. */
gboolean fl_net_read (int fd, gint64 deadline, guint8 *buffer, gsize capacity, gsize want,
                      gsize *length, gboolean *eof, const gint *stop, GCancellable *cancellable,
                      const char *peer, GError **error);

/* Raises RLIMIT_NOFILE's soft limit towards wanted (never above the hard limit).
 * Returns the soft limit now in force. */
guint64 fl_net_raise_nofile_limit (guint64 wanted);

G_END_DECLS
